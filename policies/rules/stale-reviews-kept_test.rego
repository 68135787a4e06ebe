package shiplint.rules.stale_reviews_kept_test

import data.shiplint.lib.settings_test as t
import data.shiplint.rules.stale_reviews_kept as rule
import rego.v1

test_kept_approvals_fire if {
	fs := rule.findings with input as t.main(t.classic({"required_pull_request_reviews": {"dismiss_stale_reviews": false, "required_approving_review_count": 1}}))
	some f in fs
	f.message == "main: required_pull_request_reviews.dismiss_stale_reviews = false"
}

test_dismissed_approvals_pass if {
	count(rule.findings) == 0 with input as t.main(t.classic({"required_pull_request_reviews": {"dismiss_stale_reviews": true}}))
}

test_no_review_requirement_is_left_to_reviews_not_required if {
	count(rule.findings) == 0 with input as t.main(t.classic({}))
}

test_ruleset_keeping_approvals_fires if {
	fs := rule.findings with input as t.main(t.rulesets_only([{"type": "pull_request", "parameters": {"dismiss_stale_reviews_on_push": false}}]))
	some f in fs
	f.setting == "branches/main/rules/pull_request"
}

test_ruleset_dismissing_approvals_passes if {
	count(rule.findings) == 0 with input as t.main(t.rulesets_only([{"type": "pull_request", "parameters": {"dismiss_stale_reviews_on_push": true}}]))
}
