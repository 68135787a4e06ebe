package shiplint.rules.promotion_order_not_enforced_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.lib.gates_test as g
import data.shiplint.lib.settings_test as st
import data.shiplint.rules.promotion_order_not_enforced as rule
import rego.v1

wf := g.deploy_wf

# One job per environment, each run by pushes of its branch only.
deploy_job(id, env, cond) := fx.job(id, {
	"if": cond,
	"environment": {"name": env},
	"contexts": [fx.ctx(["push"], {}, [])],
	"checks": [g.check(id, wf, ["push"])],
})

per_branch_jobs := [
	deploy_job("deploy-dev", "dev", "github.ref == 'refs/heads/develop'"),
	deploy_job("deploy-staging", "staging", "github.ref == 'refs/heads/staging'"),
	deploy_job("deploy-prod", "production", "github.ref == 'refs/heads/main'"),
]

protected := st.rulesets_only([{"type": "deletion"}])

requiring(envs) := st.rulesets_only([{"type": "required_deployments", "parameters": {"required_deployment_environments": envs}}])

# Branch-per-environment promotion: develop → dev, staging → staging, main → production.
per_branch(branches) := g.repo(
	[g.workflow(wf, {"push": {"branches": ["develop", "staging", "main"]}}, per_branch_jobs)],
	[],
	branches,
)

test_each_branch_must_require_the_environment_before_it if {
	# (Bound first: regorus evaluated this `with` value wrongly when it was computed in
	# place, a call that reads this package's rules.)
	inp := per_branch({"main": protected, "staging": protected, "develop": protected})
	fs := rule.findings with input as inp
	count(fs) == 2
	some f in fs
	f.setting == "branches/main/rules/required_deployments"
	f.message == "main deploys to `production`, but merging into main does not require a successful deployment to `staging` first (deployed from `staging`): add `staging` to the required deployments of a ruleset on main"
	f.related == [
		{"file": wf, "path": ["jobs", "deploy-prod"], "message": "deploys main to production"},
		{"file": wf, "path": ["jobs", "deploy-staging"], "message": "deploys staging to staging"},
	]
	some f2 in fs
	f2.setting == "branches/staging/rules/required_deployments"
	contains(f2.message, "a successful deployment to `dev` first (deployed from `develop`)")
}

test_required_deployments_enforce_the_order if {
	count(rule.findings) == 0 with input as per_branch({"main": requiring(["staging"]), "staging": requiring(["dev"])})
}

test_unprotected_branches_are_branch_unprotected_not_this if {
	inp := per_branch({"main": requiring(["staging"]), "staging": st.rulesets_only([])})
	count(rule.findings) == 0 with input as inp
}

# main deploys dev, then staging, then production in one run: `needs:` keeps the order.
test_one_run_that_deploys_upstream_enforces_the_order if {
	jobs := [
		fx.job("dev", {"environment": {"name": "dev"}, "contexts": [fx.ctx(["push"], {}, [])], "checks": []}),
		fx.job("stg", {"environment": {"name": "staging"}, "contexts": [fx.ctx(["push"], {}, [{"workflow": wf, "job": "dev"}])], "checks": []}),
		fx.job("prod", {"environment": {"name": "production"}, "contexts": [fx.ctx(["push"], {}, [{"workflow": wf, "job": "dev"}, {"workflow": wf, "job": "stg"}])], "checks": []}),
	]
	inp := g.repo([g.workflow(wf, {"push": {"branches": ["main"]}}, jobs)], [], {"main": protected})
	count(rule.findings) == 0 with input as inp
}

# Production deploys on tags: no branch merges into it.
test_tag_deploys_have_no_branch if {
	inp := per_branch({"main": protected, "staging": requiring(["dev"])})
	prod := g.workflow(".github/workflows/release.yml", {"push": {"tags": ["v*"]}}, [fx.job("release", {
		"environment": {"name": "production"},
		"contexts": [fx.ctx(["push"], {}, [])],
		"checks": [],
	})])
	wfs := [g.workflow(wf, {"push": {"branches": ["develop", "staging"]}}, array.slice(per_branch_jobs, 0, 2)), prod]
	count(rule.findings) == 0 with input as object.union(inp, {"workflows": wfs})
}

# `environment: ${{ github.ref == 'refs/heads/main' && 'production' || 'staging' }}`.
test_an_environment_chosen_by_the_ref if {
	job := fx.job("deploy", {
		"environment": {"name": "${{ github.ref == 'refs/heads/main' && 'production' || 'staging' }}"},
		"strategy": "",
		"contexts": [fx.ctx(["push"], {}, [])],
		"checks": [],
	})
	inp := g.repo([g.workflow(wf, {"push": {"branches": ["staging", "main"]}}, [job])], [], {"main": protected, "staging": protected})
	fs := rule.findings with input as inp
	count(fs) == 1
	some f in fs
	f.setting == "branches/main/rules/required_deployments"
}

# A condition that cannot be read may deploy from any branch: not judged.
test_unread_conditions_judge_nothing if {
	jobs := [
		deploy_job("deploy-staging", "staging", "github.ref == 'refs/heads/staging'"),
		deploy_job("deploy-prod", "production", "contains(github.ref, 'main')"),
	]
	inp := g.repo([g.workflow(wf, {"push": {"branches": ["staging", "main"]}}, jobs)], [], {"main": protected, "staging": protected})
	count(rule.findings) == 0 with input as inp
}

env(name, policy, extra) := object.union({"name": name, "protection_rules": [], "deployment_branch_policy": policy}, extra)

with_envs(inp, envs) := object.union(inp, {"settings": {"environments": envs}})

test_branch_policies_narrow_where_an_environment_deploys_from if {
	inp := per_branch({"main": requiring(["staging"]), "staging": protected, "develop": protected})
	custom := {"protected_branches": false, "custom_branch_policies": true}
	# dev accepts deployments from `main` only: develop's deploy to dev fails, so nothing
	# is deployed before staging.
	envs := [env("dev", custom, {"branch_policies": [{"name": "main", "type": "branch"}], "branch_policies_readable": true})]
	count(rule.findings) == 0 with input as with_envs(inp, envs)
	count(rule.findings) == 1 with input as with_envs(inp, [env("dev", custom, {"branch_policies": [{"name": "dev*", "type": "branch"}], "branch_policies_readable": true})])
}

test_refused_branch_policies_leave_the_environment_not_judged if {
	inp := per_branch({"main": requiring(["staging"]), "staging": protected, "develop": protected})
	custom := {"protected_branches": false, "custom_branch_policies": true}
	envs := [env("staging", custom, {"branch_policies": [], "branch_policies_readable": false, "branch_policies_error": "403 Resource not accessible by integration"})]
	count(rule.findings) == 0 with input as with_envs(inp, envs)
}

test_unreadable_environments_judge_nothing if {
	inp := per_branch({"main": protected, "staging": protected, "develop": protected})
	count(rule.findings) == 0 with input as object.union(inp, {"settings": {"environments_readable": false}})
}

test_the_order_and_its_aliases_are_a_parameter if {
	jobs := [
		deploy_job("qa", "QA", "github.ref == 'refs/heads/qa'"),
		deploy_job("prod", "prod", "github.ref == 'refs/heads/main'"),
	]
	inp := g.repo([g.workflow(wf, {"push": {"branches": ["qa", "main"]}}, jobs)], [], {"main": protected})
	count(rule.findings) == 0 with input as inp
	fs := rule.findings with input as object.union(inp, {"config": {"promotion-order-not-enforced": {"order": ["qa", "production"]}}})
	some f in fs
	contains(f.message, "a successful deployment to `QA` first (deployed from `qa`)")
	count(rule.findings) == 0 with input as object.union(inp, {
		"config": {"promotion-order-not-enforced": {"order": ["qa", "production"]}},
		"settings": {"branches": {"main": requiring(["qa"])}},
	})
}

caller(path, branch) := g.workflow(path, {"push": {"branches": [branch]}}, [fx.job("deploy", {"uses": {"raw": "./.github/workflows/deploy.yml", "resolved": wf}, "checks": []})])

# A reusable deploy workflow called per environment, from the branch's own workflow.
test_environments_bound_through_callers if {
	callee := g.workflow(wf, {"workflow_call": {}}, [fx.job("rollout", {
		"environment": {"name": "${{ inputs.environment }}"},
		"strategy": "",
		"contexts": [
			{"via": [{"workflow": ".github/workflows/staging.yml", "job": "deploy"}], "triggers": ["push"], "inputs": {"environment": "staging"}, "upstream": []},
			{"via": [{"workflow": ".github/workflows/main.yml", "job": "deploy"}], "triggers": ["push"], "inputs": {"environment": "production"}, "upstream": []},
		],
		"checks": [],
	})])
	inp := g.repo([callee, caller(".github/workflows/staging.yml", "staging"), caller(".github/workflows/main.yml", "main")], [], {"main": protected, "staging": protected})
	fs := rule.findings with input as inp
	count(fs) == 1
	some f in fs
	f.setting == "branches/main/rules/required_deployments"
}
