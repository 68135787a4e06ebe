# Tests of the merge-gate helpers, and the input builders the gate rules' tests share:
# small pipelines whose jobs carry `checks` as `jobs[].checks` documents them.
package shiplint.lib.gates_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.lib.gates
import data.shiplint.lib.settings_test as st
import rego.v1

ci := ".github/workflows/ci.yml"

deploy_wf := ".github/workflows/deploy.yml"

# A check as `jobs[].checks` holds it.
check(name, wf, events) := {"name": name, "workflow": wf, "events": events}

# A workflow of `jobs` started by `triggers`.
workflow(path, triggers, jobs) := {"path": path, "env": {}, "triggers": triggers, "jobs": jobs}

# The test job of the seed's pipeline: "Tests and lint", on pull requests and pushes.
tester(extra) := fx.job("test", object.union(
	{
		"name": "Tests and lint",
		"steps": [{"index": 0, "name": "Run tests", "run": "npm test"}],
		"contexts": [fx.ctx(["pull_request", "push"], {}, [])],
		"checks": [check("Tests and lint", ci, ["pull_request", "push"])],
	},
	extra,
))

# The build job: after `upstream`, on pushes only (skipped on pull requests).
build_job(upstream) := fx.job("build", {
	"needs": ["test"],
	"if": "github.event_name == 'push'",
	"contexts": [fx.ctx(["push"], {}, upstream)],
	"checks": [check("build", ci, ["push"])],
})

tester_entry := fx.entry(ci, "test", 0, "", {}, "npm test")

build_entry := fx.entry(ci, "build", 0, "docker/build-push-action", {"push": "true", "tags": "ghcr.io/acme/api:${{ github.sha }}"}, "")

# An input of `workflows` and step `entries`, with `branches` as the settings' branches
# (default branch `main`).
repo(workflows, entries, branches) := object.union(st.with_branches(branches), {
	"workflows": workflows,
	"pipeline": fx.repo({}, entries).pipeline,
})

# The seed's pipeline in one workflow: ci.yml on pushes and pull requests into main,
# `test` then `build`.
seed_workflows(test_extra) := [workflow(
	ci,
	{"push": {"branches": ["main"]}, "pull_request": {"branches": ["main"]}},
	[tester(test_extra), build_job([{"workflow": ci, "job": "test"}])],
)]

seed(branch) := repo(seed_workflows({}), [tester_entry, build_entry], {"main": branch})

# Branch settings: ruleset rules only, requiring `names` bound to GitHub Actions.
requiring(names) := st.rulesets_only([{
	"type": "required_status_checks",
	"parameters": {"strict_required_status_checks_policy": true, "required_status_checks": [{"context": n, "integration_id": 15368} | some n in names]},
}])

test_filters_follow_githubs_order if {
	gates.admits({}, "main")
	gates.admits({"branches": ["release/*"]}, "release/1.x")
	not gates.admits({"branches": ["release/*"]}, "release/1.x/hotfix")
	gates.admits({"branches": ["release/**"]}, "release/1.x/hotfix")
	not gates.admits({"branches": ["release/*", "!release/old"]}, "release/old")
	gates.admits({"branches": ["release/*", "!release/old", "release/old"]}, "release/old")
	not gates.admits({"branches-ignore": ["dependabot/**"]}, "dependabot/npm/x")
}

test_tag_only_pushes_start_no_branch if {
	not gates.push_admits({"triggers": {"push": {"tags": ["v*"]}}}, "main")
	gates.push_admits({"triggers": {"push": {}}}, "main")
}

test_closed_pull_requests_report_nothing_and_paths_cannot_gate if {
	not gates.pr_admits({"triggers": {"pull_request": {"types": ["closed"]}}}, "main")
	gates.pr_admits({"triggers": {"pull_request": {"types": ["labeled"]}}}, "main")
	not gates.pr_gates({"triggers": {"pull_request": {"types": ["labeled"]}}}, "main")
	not gates.pr_gates({"triggers": {"pull_request": {"paths": ["src/**"]}}}, "main")
	gates.pr_gates({"triggers": {"pull_request": {}}}, "main")
}

test_ref_conditions_are_read if {
	gates.read("github.ref == 'refs/heads/main' || github.ref_name == 'dev'")
	gates.allows("github.ref == 'refs/heads/main' || github.ref_name == 'dev'", "dev")
	not gates.allows("github.ref == 'refs/heads/main' || github.ref_name == 'dev'", "staging")
	gates.allows("github.event_name == 'push' && github.ref != 'refs/heads/main'", "dev")
	not gates.allows("github.event_name == 'push' && github.ref != 'refs/heads/main'", "main")
	gates.allows("startsWith(github.ref, 'refs/heads/release/')", "release/2")
	not gates.allows("github.ref_type == 'tag'", "main")
	gates.allows("success()", "main")
}

test_conditions_that_cannot_be_read if {
	# An alternative that does not test the ref may let any branch through.
	not gates.read("github.ref == 'refs/heads/main' || github.event_name == 'workflow_dispatch'")
	not gates.read("contains(github.ref, 'release')")
	not gates.read("!startsWith(github.ref, 'refs/heads/main')")
}

test_environment_names_in_a_context if {
	ctx := fx.ctx(["push"], {"environment": "staging"}, [])
	gates.env_names({"environment": {"name": "${{ inputs.environment }}"}, "strategy": ""}, ctx, "main") == {"staging"}
	gates.env_names({"environment": {"name": "${{ github.ref_name }}"}, "strategy": ""}, ctx, "dev") == {"dev"}
	ternary := {"environment": {"name": "${{ github.ref == 'refs/heads/main' && 'production' || 'staging' }}"}, "strategy": ""}
	gates.env_names(ternary, ctx, "main") == {"production"}
	gates.env_names(ternary, ctx, "develop") == {"staging"}
	matrix := {"environment": {"name": "${{ matrix.env }}"}, "strategy": {"matrix": {"env": ["dev", "prod"]}}}
	gates.env_names(matrix, ctx, "main") == {"dev", "prod"}
	gates.env_names({"environment": {"name": "${{ needs.setup.outputs.env }}"}, "strategy": ""}, ctx, "main") == set()
}

test_aliases_map_environments_to_the_order if {
	gates.slot_of("Development") == 0
	gates.slot_of("stg") == 1
	gates.slot_of("PROD") == 2
	not gates.slot_of("qa")
	gates.slot_of("qa") == 0 with input.config as {"promotion-order-not-enforced": {"order": ["qa", "live"]}}
	gates.slot_of("production") == 1 with input.config as {"promotion-order-not-enforced": {"order": ["qa", "live"]}}
}

test_required_checks_of_both_layers if {
	classic := st.classic({"required_status_checks": {"contexts": ["a", "b"], "checks": [{"context": "a", "app_id": 15368}]}})
	inp := st.main(object.union(classic, {"rules": requiring(["c"]).rules}))
	gates.required.main == {
		{"context": "a", "app": 15368, "from": "classic"},
		{"context": "b", "app": null, "from": "classic"},
		{"context": "c", "app": 15368, "from": "ruleset"},
	} with input as inp
}

test_hidden_classic_protection_counts_the_rulesets_only if {
	inp := st.main(object.union(st.hidden([]), {"rules": requiring(["c"]).rules}))
	gates.required_names.main == {"c"} with input as inp
}

test_the_seed_gates_main_by_its_test_job if {
	inp := seed(requiring(["build"]))
	gates.gates == {["main", ci, "test", "test"]} with input as inp
	gates.left_out("main") == [{"wf": ci, "job": "test", "role": "test", "missing": ["Tests and lint"], "after_merge": false}] with input as inp
}
