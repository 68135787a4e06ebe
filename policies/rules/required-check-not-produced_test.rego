package shiplint.rules.required_check_not_produced_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.lib.gates_test as g
import data.shiplint.lib.settings_test as st
import data.shiplint.rules.required_check_not_produced as rule
import rego.v1

ci := g.ci

# Branch settings: ruleset rules requiring `checks` ({context, integration_id?}).
ruleset(checks) := st.rulesets_only([{
	"type": "required_status_checks",
	"parameters": {"strict_required_status_checks_policy": true, "required_status_checks": checks},
}])

actions(name) := {"context": name, "integration_id": 15368}

test_a_renamed_job_leaves_its_old_check_required if {
	fs := rule.findings with input as g.seed(ruleset([actions("test")]))
	count(fs) == 1
	some f in fs
	f.setting == "branches/main/rules/required_status_checks"
	startswith(f.message, "main requires `test` (bound to GitHub Actions), but no job of a workflow that runs on its pull requests reports it: every pull request waits for it forever")
	contains(f.message, "job `test` (.github/workflows/ci.yml) reports `Tests and lint`: require this name instead of `test`")
	f.related == [{"file": ci, "path": ["jobs", "test"], "message": "reports `Tests and lint`: require this name instead of `test`"}]
}

test_a_reported_check_passes if {
	count(rule.findings) == 0 with input as g.seed(ruleset([actions("Tests and lint")]))
}

# `build` is skipped on pull requests (`if: github.event_name == 'push'`): GitHub reports it
# as skipped, which passes, so it is produced (and proves nothing: the other rule's case).
test_a_job_skipped_on_pull_requests_still_reports_its_check if {
	count(rule.findings) == 0 with input as g.seed(ruleset([actions("build")]))
}

test_checks_of_other_apps_or_any_source_are_not_judged if {
	count(rule.findings) == 0 with input as g.seed(ruleset([{"context": "ci/circleci: test", "integration_id": 18001}]))
	count(rule.findings) == 0 with input as g.seed(ruleset([{"context": "codecov/patch"}]))
}

test_classic_checks_bound_to_actions_are_judged if {
	classic := st.classic({"required_status_checks": {"contexts": ["lint", "Vercel"], "checks": [{"context": "lint", "app_id": 15368}, {"context": "Vercel", "app_id": null}]}})
	fs := rule.findings with input as g.seed(classic)
	some f in fs
	f.setting == "branches/main/protection/required_status_checks"
	startswith(f.message, "main requires `lint` (bound")
}

# The workflow runs on pushes only: nothing is reported on pull requests.
test_a_check_reported_only_after_the_merge_is_named if {
	inp := g.seed(ruleset([actions("Tests and lint")]))
	tester := g.tester({"contexts": [fx.ctx(["push"], {}, [])], "checks": [g.check("Tests and lint", ci, ["push"])]})
	wf := g.workflow(ci, {"push": {"branches": ["main"]}}, [tester])
	fs := rule.findings with input as object.union(inp, {"workflows": [wf]})
	some f in fs
	f.related == [{"file": ci, "path": ["jobs", "test"], "message": "reports `Tests and lint` only on push: pull requests into main never get it"}]
}

test_pull_requests_into_other_branches_report_nothing_here if {
	inp := g.seed(ruleset([actions("Tests and lint")]))
	wf := object.union(inp.workflows[0], {"triggers": {"push": {"branches": ["main"]}, "pull_request": {"branches": ["develop"]}}})
	count(rule.findings) == 1 with input as object.union(inp, {"workflows": [wf]})
}

test_merge_groups_report_checks if {
	inp := g.seed(ruleset([actions("Tests and lint")]))
	wf := object.union(inp.workflows[0], {"triggers": {"push": {"branches": ["main"]}, "merge_group": {}}})
	count(rule.findings) == 0 with input as object.union(inp, {"workflows": [wf]})
}

unknown_name(c) := object.union(g.seed(ruleset([actions("Test (ubuntu)")])), {"workflows": [g.workflow(ci, {"pull_request": {}}, [g.tester({"checks": [c]})])]})

test_a_name_that_cannot_be_known_may_be_the_required_check if {
	count(rule.findings) == 0 with input as unknown_name({"name": null, "pattern": "^Test \\(.+\\)$", "workflow": ci, "events": ["pull_request"]})
	count(rule.findings) == 0 with input as unknown_name({"name": null, "workflow": ci, "events": ["pull_request"]})
	count(rule.findings) == 1 with input as unknown_name({"name": null, "pattern": "^Lint \\(.+\\)$", "workflow": ci, "events": ["pull_request"]})
}

# A reusable workflow of another repository reports `<caller> / <its job>`: unseen names.
test_checks_of_another_repositorys_reusable_workflow_are_unknown if {
	caller := fx.job("ci", {
		"uses": {"raw": "acme/workflows/.github/workflows/node.yml@v1", "ref_kind": "tag", "path": ".github/workflows/node.yml"},
		"contexts": [fx.ctx(["pull_request"], {}, [])],
		"checks": [],
	})
	inp := object.union(g.seed(ruleset([actions("ci / test"), actions("lint / eslint")])), {"workflows": [g.workflow(ci, {"pull_request": {}}, [caller])]})
	fs := rule.findings with input as inp
	some f in fs
	startswith(f.message, "main requires `lint / eslint` (bound")
}

# A skipped caller of a reusable workflow reports one check under its own name.
test_a_caller_reports_its_own_name_when_skipped if {
	caller := fx.job("deploy", {
		"uses": {"raw": "./.github/workflows/deploy.yml", "ref_kind": "local", "resolved": deploy_wf},
		"contexts": [fx.ctx(["push"], {}, [])],
		"checks": [],
	})
	inp := object.union(g.seed(ruleset([actions("deploy")])), {"workflows": [g.workflow(ci, {"pull_request": {}, "push": {}}, [caller])]})
	count(rule.findings) == 0 with input as inp
}

deploy_wf := ".github/workflows/deploy.yml"

reporter_step(action, w) := fx.entry(ci, "test", 1, action, w, "")

test_check_runs_created_by_steps_are_produced if {
	inp := g.seed(ruleset([actions("JEST Tests"), actions("Test Results")]))
	entries := [g.tester_entry, reporter_step("dorny/test-reporter", {"name": "JEST Tests"}), reporter_step("enricomi/publish-unit-test-result-action", {})]
	with_steps := object.union(inp, {"pipeline": fx.repo({}, entries).pipeline})
	count(rule.findings) == 0 with input as with_steps
	only_one := object.union(inp, {"pipeline": fx.repo({}, [g.tester_entry, reporter_step("dorny/test-reporter", {"name": "JEST Tests"})]).pipeline})
	fs := rule.findings with input as only_one
	some f in fs
	startswith(f.message, "main requires `Test Results` (bound")
}

test_a_script_that_creates_check_runs_may_report_any_name if {
	inp := g.seed(ruleset([actions("e2e")]))
	script := fx.entry(ci, "test", 1, "actions/github-script", {"script": "await github.rest.checks.create({name: process.env.NAME})"}, "")
	count(rule.findings) == 0 with input as object.union(inp, {"pipeline": fx.repo({}, [g.tester_entry, script]).pipeline})
}

test_required_workflows_of_a_ruleset_report_unseen_checks if {
	settings := ruleset([actions("org-ci / scan")])
	with_workflows := object.union(settings, {"rules": array.concat(settings.rules, [{"type": "workflows", "parameters": {"workflows": []}}])})
	count(rule.findings) == 0 with input as g.seed(with_workflows)
}

test_hidden_classic_protection_leaves_the_ruleset_checks_judged if {
	hidden := object.union(st.hidden([]), {"rules": ruleset([actions("test")]).rules})
	count(rule.findings) == 1 with input as g.seed(hidden)
}

test_every_missing_check_in_one_finding if {
	fs := rule.findings with input as g.seed(ruleset([actions("test"), actions("lint")]))
	count(fs) == 1
	some f in fs
	startswith(f.message, "main requires `lint`, `test` (bound to GitHub Actions), but no job of a workflow that runs on its pull requests reports them: every pull request waits for them forever")
}

test_a_check_both_layers_require_is_named_once if {
	classic := st.classic({"required_status_checks": {"contexts": ["test"], "checks": [{"context": "test", "app_id": 15368}]}})
	both := object.union(classic, {"rules": ruleset([actions("test")]).rules})
	fs := rule.findings with input as g.seed(both)
	some f in fs
	startswith(f.message, "main requires `test` (bound to GitHub Actions), but no job")
	count(f.related) == 1
}
