package shiplint.rules.settings_unreadable_history_test

import data.shiplint.lib.history_test as t
import data.shiplint.rules.settings_unreadable as rule
import rego.v1

prod := [t.dep(2, "abc1234def", "2026-11-30T10:00:00Z", "2026-11-30T10:01:00Z")]

history_findings(inp) := {f | some f in all; startswith(f.setting, "history")} if {
	all := rule.findings with input as inp
}

test_a_refused_history_names_the_rules_and_the_permission if {
	fs := history_findings(t.doc({"readable": false, "error": "403 Resource not accessible by integration", "order": []}))
	some f in fs
	f.setting == "history"
	contains(f.message, "not judged: deployed-without-promotion, deployed-unscanned")
	contains(f.message, "Deployments: read")
}

test_no_history_read_is_not_a_finding if {
	count(history_findings({"workflows": [], "actions": [], "config": {}})) == 0
}

test_refused_check_runs_of_a_production_commit if {
	unread := {"reached": {}, "checks": {"readable": false, "error": "403 Forbidden", "runs": [], "truncated": false}}
	some f in history_findings(t.doc(t.record([], prod, {"abc1234def": unread}, [])))
	f.setting == "history/commits/abc1234def/check-runs"
	contains(f.message, "Checks: read")
}

test_production_commits_past_the_cap if {
	some f in history_findings(t.doc(t.record([], prod, {}, [])))
	f.setting == "history/commits"
	contains(f.message, "1 commits deployed to production")
}

test_a_readable_history_is_silent if {
	count(history_findings(t.doc(t.record([], prod, {"abc1234def": t.commit([])}, [])))) == 0
}
