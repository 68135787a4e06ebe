package shiplint.rules.prod_deploy_without_environment_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.rules.prod_deploy_without_environment as rule
import rego.v1

wf := ".github/workflows/deploy.yml"

repo(id, extra, inputs) := fx.repo(
	{wf: [fx.job(id, object.union({"contexts": [fx.ctx(["push"], inputs, [])]}, extra))]},
	[fx.entry(wf, id, 0, "", {}, "helm upgrade --install api chart --atomic")],
)

test_prod_job_without_environment_fires if {
	count(rule.findings) == 1 with input as repo("deploy-prod", {}, {})
}

test_bound_environment_input_fires if {
	count(rule.findings) == 1 with input as repo("rollout", {}, {"environment": "production"})
}

test_environment_declared_passes if {
	count(rule.findings) == 0 with input as repo("deploy-prod", {"environment": {"name": "production"}}, {})
}

test_staging_passes if {
	count(rule.findings) == 0 with input as repo("deploy-staging", {}, {"environment": "staging"})
}

test_configured_names if {
	count(rule.findings) == 1 with input as repo("deploy-eu", {}, {"environment": "eu"})
		with input.config as {"prod-deploy-without-environment": {"environments": ["eu"]}}
	count(rule.findings) == 0 with input as repo("deploy-prod", {}, {})
		with input.config as {"prod-deploy-without-environment": {"environments": ["eu"]}}
}
