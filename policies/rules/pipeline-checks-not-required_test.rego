package shiplint.rules.pipeline_checks_not_required_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.lib.gates_test as g
import data.shiplint.lib.settings_test as st
import data.shiplint.rules.pipeline_checks_not_required as rule
import rego.v1

ci := g.ci

test_requiring_the_build_proves_nothing if {
	fs := rule.findings with input as g.seed(g.requiring(["build"]))
	count(fs) == 1
	some f in fs
	f.setting == "branches/main/rules/required_status_checks"
	f.message == "main requires `build`, not the checks of the jobs that gate the release image: require `Tests and lint`"
	f.related == [{"file": ci, "path": ["jobs", "test"], "message": "require `Tests and lint` (the tests this job runs gate the release)"}]
}

test_requiring_the_test_job_passes if {
	count(rule.findings) == 0 with input as g.seed(g.requiring(["Tests and lint"]))
}

test_classic_protection_is_judged_too if {
	classic := st.classic({"required_status_checks": {"strict": true, "contexts": ["build"], "checks": [{"context": "build", "app_id": 15368}]}})
	fs := rule.findings with input as g.seed(classic)
	some f in fs
	f.setting == "branches/main/protection/required_status_checks"
	count(rule.findings) == 0 with input as g.seed(st.classic({"required_status_checks": {"contexts": ["Tests and lint"]}}))
}

test_hidden_classic_protection_is_not_judged if {
	count(rule.findings) == 0 with input as g.seed(object.union(st.hidden([]), {"rules": g.requiring(["build"]).rules}))
}

test_no_required_checks_is_another_rule if {
	count(rule.findings) == 0 with input as g.seed(st.rulesets_only([{"type": "deletion"}]))
}

matrix_seed := g.repo(
	g.seed_workflows({"name": "Test", "checks": [g.check("Test (20)", ci, ["pull_request", "push"]), g.check("Test (22)", ci, ["pull_request", "push"])]}),
	[g.tester_entry, g.build_entry],
	{"main": g.requiring(["Test (20)"])},
)

test_every_combination_of_a_matrix_is_required if {
	fs := rule.findings with input as matrix_seed
	some f in fs
	endswith(f.message, "require `Test (22)`")
}

unknown_seed(c) := g.repo(g.seed_workflows({"checks": [c]}), [g.tester_entry, g.build_entry], {"main": g.requiring(["Test (ubuntu)"])})

test_a_pattern_that_matches_a_required_check_counts_as_required if {
	c := {"name": null, "pattern": "^Test \\(.+\\)$", "workflow": ci, "events": ["pull_request", "push"]}
	count(rule.findings) == 0 with input as unknown_seed(c)
}

test_unknown_names_are_never_a_finding if {
	c := {"name": null, "pattern": "^Lint .+$", "workflow": ci, "events": ["pull_request", "push"]}
	count(rule.findings) == 0 with input as unknown_seed(c)
	count(rule.findings) == 0 with input as unknown_seed({"name": null, "workflow": ci, "events": ["pull_request"]})
}

# The tests run only on pushes: no pull request check can wait for them.
push_only_seed(branch) := g.repo(
	[g.workflow(ci, {"push": {"branches": ["main"]}}, [
		g.tester({"contexts": [fx.ctx(["push"], {}, [])], "checks": [g.check("Tests and lint", ci, ["push"])]}),
		g.build_job([{"workflow": ci, "job": "test"}]),
	])],
	[g.tester_entry, g.build_entry],
	{"main": branch},
)

test_a_gate_that_never_runs_on_pull_requests_is_named_not_required if {
	fs := rule.findings with input as push_only_seed(g.requiring(["build"]))
	some f in fs
	f.message == "main requires `build`, not the checks of the jobs that gate the release image: `test` (.github/workflows/ci.yml) runs only after the merge, so no required check can wait for it: run it on `pull_request` too and require its check"
	f.related[0].message == "runs only after the merge: no pull request waits for it"
}

# The same tests also run on pull requests, in another workflow, and that check is required.
test_a_required_pull_request_test_covers_tests_run_again_before_the_build if {
	pr_ci := g.workflow(".github/workflows/pr.yml", {"pull_request": {}}, [fx.job("unit", {
		"name": "Unit tests",
		"steps": [{"index": 0, "run": "npm test"}],
		"contexts": [fx.ctx(["pull_request"], {}, [])],
		"checks": [g.check("Unit tests", ".github/workflows/pr.yml", ["pull_request"])],
	})])
	inp := push_only_seed(g.requiring(["Unit tests"]))
	count(rule.findings) == 0 with input as object.union(inp, {"workflows": array.concat(inp.workflows, [pr_ci])})
}

# A required aggregate job that needs the tests and runs when they fail stands for them.
aggregate_seed(cond) := g.repo(
	[g.workflow(ci, {"push": {"branches": ["main"]}, "pull_request": {}}, [
		g.tester({}),
		g.build_job([{"workflow": ci, "job": "test"}]),
		fx.job("all-green", {
			"needs": ["test"], "if": cond,
			"contexts": [fx.ctx(["pull_request", "push"], {}, [{"workflow": ci, "job": "test"}])],
			"checks": [g.check("all-green", ci, ["pull_request", "push"])],
		}),
	])],
	[g.tester_entry, g.build_entry],
	{"main": g.requiring(["all-green"])},
)

test_an_aggregate_check_that_runs_after_failures_stands_for_its_needs if {
	count(rule.findings) == 0 with input as aggregate_seed("always()")
	count(rule.findings) == 0 with input as aggregate_seed("${{ !cancelled() }}")
}

test_an_aggregate_check_skipped_when_a_need_fails_stands_for_nothing if {
	count(rule.findings) == 1 with input as aggregate_seed("")
}

# The build waits for no test: the pull request's tests are the only gate.
test_without_tests_before_the_build_the_pull_request_tests_are_the_gate if {
	wfs := [
		g.workflow(ci, {"pull_request": {}}, [g.tester({"contexts": [fx.ctx(["pull_request"], {}, [])], "checks": [g.check("Tests and lint", ci, ["pull_request"])]})]),
		g.workflow(".github/workflows/release.yml", {"push": {"branches": ["main"]}}, [fx.job("build", {
			"contexts": [fx.ctx(["push"], {}, [])],
			"checks": [g.check("build", ".github/workflows/release.yml", ["push"])],
		})]),
	]
	release_build := fx.entry(".github/workflows/release.yml", "build", 0, "docker/build-push-action", {"push": "true", "tags": "ghcr.io/acme/api:${{ github.sha }}"}, "")
	inp := g.repo(wfs, [g.tester_entry, release_build], {"main": g.requiring(["build"])})
	fs := rule.findings with input as inp
	some f in fs
	endswith(f.message, "require `Tests and lint`")
	count(rule.findings) == 0 with input as object.union(inp, {"settings": {"branches": {"main": g.requiring(["Tests and lint"])}}})
}

# A pull request workflow filtered by paths leaves its checks pending on other pull
# requests: requiring them would block those, so they are not asked for.
test_path_filtered_gates_are_not_asked_for if {
	inp := g.seed(g.requiring(["build"]))
	wf := object.union(inp.workflows[0], {"triggers": {"pull_request": {"paths": ["src/**"]}}})
	count(rule.findings) == 0 with input as object.union(inp, {"workflows": [wf]})
}

# A scan that runs on pull requests and gates the deploy is a gate too.
test_scans_on_pull_requests_before_the_deploy_are_gates if {
	inp := g.seed(g.requiring(["Tests and lint"]))
	scan := fx.job("scan", {
		"name": "Trivy",
		"contexts": [fx.ctx(["pull_request", "push"], {}, [])],
		"checks": [g.check("Trivy", ci, ["pull_request", "push"])],
	})
	deploy := fx.job("deploy", {
		"environment": {"name": "production"},
		"contexts": [fx.ctx(["push"], {}, [{"workflow": ci, "job": "scan"}, {"workflow": ci, "job": "build"}])],
		"checks": [g.check("deploy", ci, ["push"])],
	})
	wf := object.union(inp.workflows[0], {"jobs": array.concat(inp.workflows[0].jobs, [scan, deploy])})
	entries := [g.tester_entry, g.build_entry, fx.entry(ci, "scan", 0, "aquasecurity/trivy-action", {"exit-code": "1"}, "")]
	fs := rule.findings with input as object.union(g.repo([wf], entries, {}), {"settings": inp.settings})
	some f in fs
	endswith(f.message, "require `Trivy`")
	f.related[0].message == "require `Trivy` (the scans this job runs gate the release)"
}

test_without_names_nothing_is_judged if {
	inp := g.seed(g.requiring(["build"]))
	jobs := [object.remove(j, ["checks"]) | some j in inp.workflows[0].jobs]
	count(rule.findings) == 0 with input as object.union(inp, {"workflows": [object.union(inp.workflows[0], {"jobs": jobs})]})
}
