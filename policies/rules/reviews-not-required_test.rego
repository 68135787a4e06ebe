package shiplint.rules.reviews_not_required_test

import data.shiplint.lib.settings_test as t
import data.shiplint.rules.reviews_not_required as rule
import rego.v1

test_zero_approvals_fires_with_the_value if {
	fs := rule.findings with input as t.main(t.classic({"required_pull_request_reviews": {"required_approving_review_count": 0}}))
	some f in fs
	f.message == "main: required_pull_request_reviews.required_approving_review_count = 0 (at least 1 required)"
	f.setting == "branches/main/protection/required_pull_request_reviews"
}

test_no_review_requirement_fires if {
	fs := rule.findings with input as t.main(t.classic({"allow_force_pushes": {"enabled": false}}))
	count(fs) == 1
}

test_one_approval_passes if {
	count(rule.findings) == 0 with input as t.main(t.classic({"required_pull_request_reviews": {"required_approving_review_count": 1}}))
}

test_min_approvals_param if {
	inp := object.union(
		t.main(t.classic({"required_pull_request_reviews": {"required_approving_review_count": 1}})),
		{"config": {"reviews-not-required": {"min_approvals": 2}}},
	)
	fs := rule.findings with input as inp
	some f in fs
	contains(f.message, "at least 2 required")
}

test_ruleset_pull_request_rule_satisfies if {
	inp := t.main({"readable": true, "protection": {}, "rules": [{"type": "pull_request", "parameters": {"required_approving_review_count": 1}}]})
	count(rule.findings) == 0 with input as inp
}

test_ruleset_with_zero_approvals_fires if {
	fs := rule.findings with input as t.main(t.rulesets_only([{"type": "pull_request", "parameters": {"required_approving_review_count": 0}}]))
	some f in fs
	f.setting == "branches/main/rules/pull_request"
}

test_ruleset_without_pull_request_rule_fires if {
	fs := rule.findings with input as t.main(t.rulesets_only([{"type": "deletion"}]))
	count(fs) == 1
}

test_hidden_protection_is_not_judged if {
	count(rule.findings) == 0 with input as t.main(t.hidden([{"type": "deletion"}]))
}
