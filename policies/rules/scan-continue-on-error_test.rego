package shiplint.rules.scan_continue_on_error_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.rules.scan_continue_on_error as rule
import rego.v1

trivy := {"raw": "aquasecurity/trivy-action@v0", "owner": "aquasecurity", "repo": "trivy-action", "path": "", "ref": "v0", "ref_kind": "tag", "action": "aquasecurity/trivy-action", "action_repo": "aquasecurity/trivy-action"}

slack := {"raw": "slackapi/slack-github-action@v1", "owner": "slackapi", "repo": "slack-github-action", "path": "", "ref": "v1", "ref_kind": "tag", "action": "slackapi/slack-github-action", "action_repo": "slackapi/slack-github-action"}

step(uses, run, coe) := {"index": 0, "path": ["jobs", "scan", "steps", 0], "uses": uses, "run": run, "with": {}, "env": {}, "continue_on_error": coe}

action_of(step) := a if {
	a := step.uses.action
} else := ""

# The written jobs, and their steps as `input.pipeline` holds them.
repo(jobs) := {
	"workflows": [{"path": ".github/workflows/ci.yml", "env": {}, "jobs": jobs}], "actions": [], "config": {},
	"pipeline": fx.repo({}, [fx.entry(".github/workflows/ci.yml", j.id, i, action_of(s), s.with, s.run) |
		some j in jobs
		some i, s in j.steps
	]).pipeline,
}

job(id, steps, coe) := {"id": id, "path": ["jobs", id], "steps": steps, "continue_on_error": coe, "needs_all": [], "env": {}}

test_scanner_step_continue_on_error_fires if {
	count(rule.findings) == 1 with input as repo([job("scan", [step(trivy, "", true)], false)])
}

test_expression_counts_as_tolerance if {
	count(rule.findings) == 1 with input as repo([job("scan", [step(trivy, "", "${{ matrix.experimental }}")], false)])
}

test_notification_step_may_continue if {
	count(rule.findings) == 0 with input as repo([job("scan", [step(slack, "", true)], false)])
}

test_or_true_after_trivy_cli_fires if {
	fs := rule.findings with input as repo([job("scan", [step(null, "trivy image --exit-code 1 app:1 || true", false)], false)])
	count(fs) == 1
	some f in fs
	f.match == "trivy image --exit-code 1 app:1 || true"
}

test_or_true_after_other_command_is_fine if {
	count(rule.findings) == 0 with input as repo([job("build", [step(null, "rm -rf cache || true", false)], false)])
}

test_deploy_after_failed_scan_fires if {
	deploy := object.union(job("deploy", [], false), {"needs_all": ["scan"], "if": "${{ always() }}", "environment": {"name": "prod"}})
	fs := rule.findings with input as repo([job("scan", [step(trivy, "", false)], false), deploy])
	count(fs) == 1
}

test_deploy_checking_scan_result_is_fine if {
	deploy := object.union(job("deploy", [], false), {"needs_all": ["scan"], "if": "${{ always() && needs.scan.result == 'success' }}", "environment": {"name": "prod"}})
	count(rule.findings) == 0 with input as repo([job("scan", [step(trivy, "", false)], false), deploy])
}
