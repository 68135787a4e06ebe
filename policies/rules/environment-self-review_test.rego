package shiplint.rules.environment_self_review_test

import data.shiplint.lib.settings_test as t
import data.shiplint.rules.environment_self_review as rule
import rego.v1

reviewers(extra) := object.union({"type": "required_reviewers", "reviewers": [{"type": "Team", "reviewer": {"slug": "release"}}]}, extra)

production(rules) := [{"name": "production", "protection_rules": rules, "deployment_branch_policy": null}]

test_self_review_allowed_fires if {
	fs := rule.findings with input as t.with_environments(production([reviewers({"prevent_self_review": false})]), [])
	fs == {{
		"message": "production: required reviewers may approve deployments they triggered themselves (prevent_self_review = false)",
		"setting": "environments/production/protection_rules",
	}}
}

test_unset_prevent_self_review_fires if {
	fs := rule.findings with input as t.with_environments(production([reviewers({})]), [])
	some f in fs
	contains(f.message, "prevent_self_review = null")
}

test_prevented_self_review_passes if {
	count(rule.findings) == 0 with input as t.with_environments(production([reviewers({"prevent_self_review": true})]), [])
}

# Without reviewers there is nothing to review: environment-without-reviewers says so.
test_no_reviewers_is_another_rule if {
	count(rule.findings) == 0 with input as t.with_environments(production([{"type": "wait_timer", "wait_timer": 5}]), [])
}

test_other_environments_are_not_judged if {
	envs := [{"name": "staging", "protection_rules": [reviewers({"prevent_self_review": false})]}]
	count(rule.findings) == 0 with input as t.with_environments(envs, [])
}

test_the_production_names_are_a_parameter if {
	envs := [{"name": "Prod-EU", "protection_rules": [reviewers({"prevent_self_review": false})]}]
	inp := t.with_environments(envs, [])
	count(rule.findings) == 0 with input as inp
	count(rule.findings) == 1 with input as object.union(inp, {"config": {"environment-self-review": {"environments": ["prod-eu"]}}})
}

test_unreadable_environments_are_not_judged if {
	inp := object.union(t.with_environments(production([reviewers({})]), []), {"settings": {"environments_readable": false}})
	count(rule.findings) == 0 with input as inp
}
