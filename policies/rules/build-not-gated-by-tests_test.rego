package shiplint.rules.build_not_gated_by_tests_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.rules.build_not_gated_by_tests as rule
import rego.v1

wf := ".github/workflows/release.yml"

repo(upstream, triggers) := fx.repo(
	{wf: [fx.job("unit", {"steps": [{"index": 0, "name": "Unit tests", "run": "./run-tests.sh"}]}), fx.job("build", {"contexts": [fx.ctx(triggers, {}, upstream)]})]},
	[fx.entry(wf, "build", 0, "docker/build-push-action", {"push": "true", "tags": "ghcr.io/acme/api:${{ github.sha }}"}, "")],
)

test_build_without_tests_fires if {
	count(rule.findings) == 1 with input as repo([], ["push"])
}

test_build_after_tests_passes if {
	count(rule.findings) == 0 with input as repo([{"workflow": wf, "job": "unit"}], ["push"])
}

test_workflow_run_passes if {
	count(rule.findings) == 0 with input as repo([], ["workflow_run"])
}
