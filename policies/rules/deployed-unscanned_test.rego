package shiplint.rules.deployed_unscanned_test

import data.shiplint.lib.history_test as t
import data.shiplint.rules.deployed_unscanned as rule
import rego.v1

prod := [t.dep(2, "abc1234def", "2026-11-30T10:00:00Z", "2026-11-30T10:01:00Z")]

findings(runs) := fs if {
	fs := rule.findings with input as t.doc(t.record([], prod, {"abc1234def": t.commit(runs)}, []))
}

test_a_passed_scan_is_clean if {
	count(findings([t.run(1, "build", "success"), t.run(2, "Scan image", "success")])) == 0
}

test_a_failed_scan_fires if {
	fs := findings([t.run(1, "build", "success"), t.run(2, "Scan image", "failure")])
	count(fs) == 1
	some f in fs
	f.setting == "deployments/production/abc1234def"
	contains(f.message, "`abc1234` was deployed to production at 2026-11-30 10:01 UTC (run https://github.com/octo-org/octo-repo/actions/runs/2)")
	contains(f.message, "no check run of the scan job passed on that commit: `Scan image` failure")
}

test_a_retried_scan_that_passed_is_clean if {
	count(findings([t.run(2, "Scan image", "failure"), t.run(3, "Scan image", "success")])) == 0
}

test_a_missing_scan_fires if {
	some f in findings([t.run(1, "build", "success")])
	contains(f.message, "no check run of the scan job (`Scan image`) ran on that commit")
}

test_skipped_and_cancelled_are_not_passes if {
	some f in findings([t.run(2, "Scan image", "skipped"), t.run(3, "Scan image", "cancelled")])
	contains(f.message, "`Scan image` skipped, `Scan image` cancelled")
}

test_no_scan_job_at_all_fires if {
	wfs := [{"path": ".github/workflows/release.yml", "triggers": {}, "jobs": [t.job("build", [t.step(0, {"run": "docker build ."})], [t.check("build")])]}]
	inp := object.union(t.doc(t.record([], prod, {"abc1234def": t.commit([])}, [])), {"workflows": wfs})
	fs := rule.findings with input as inp
	some f in fs
	contains(f.message, "the workflows have no scan job")
}

test_unread_check_runs_are_not_judged if {
	unread := {"reached": {}, "checks": {"readable": false, "error": "403 Forbidden", "runs": [], "truncated": false}}
	count(rule.findings) == 0 with input as t.doc(t.record([], prod, {"abc1234def": unread}, []))
	count(rule.findings) == 0 with input as t.doc(t.record([], prod, {}, []))
}

test_staging_commits_are_not_judged if {
	staging := [t.dep(1, "abc1234def", "2026-11-29T10:00:00Z", "2026-11-29T10:01:00Z")]
	count(rule.findings) == 0 with input as t.doc(t.record(staging, [], {"abc1234def": t.commit([])}, []))
}
