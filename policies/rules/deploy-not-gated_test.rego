package shiplint.rules.deploy_not_gated_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.rules.deploy_not_gated as rule
import rego.v1

wf := ".github/workflows/ci.yml"

ref(id) := {"workflow": wf, "job": id}

repo(deploy_upstream, deploy_triggers) := fx.repo(
	{wf: [
		fx.job("build", {}),
		fx.job("scan", {}),
		fx.job("deploy", {"needs": ["build"], "contexts": [fx.ctx(deploy_triggers, {}, deploy_upstream)]}),
	]},
	[
		fx.entry(wf, "build", 0, "docker/build-push-action", {"push": "true", "tags": "ghcr.io/acme/api:${{ github.sha }}"}, ""),
		fx.entry(wf, "scan", 0, "aquasecurity/trivy-action", {"exit-code": "1"}, ""),
		fx.entry(wf, "deploy", 0, "", {}, "helm upgrade --install api chart --set image.tag=${{ github.sha }} --atomic"),
	],
)

test_deploy_without_scan_upstream_fires if {
	fs := rule.findings with input as repo([ref("build")], ["push"])
	count(fs) == 1
	some f in fs
	f.path == ["jobs", "deploy", "needs"]
}

test_deploy_after_scan_passes if {
	count(rule.findings) == 0 with input as repo([ref("build"), ref("scan")], ["push"])
}

test_pull_request_only_passes if {
	count(rule.findings) == 0 with input as repo([ref("build")], ["pull_request"])
}

test_deploy_of_nothing_built_passes if {
	count(rule.findings) == 0 with input as repo([], ["push"])
}
