package shiplint.rules.environment_without_reviewers_test

import data.shiplint.lib.settings_test as t
import data.shiplint.rules.environment_without_reviewers as rule
import rego.v1

reviewers := {"type": "required_reviewers", "reviewers": [{"type": "User", "reviewer": {"login": "octocat"}}]}

test_production_without_reviewers_fires if {
	fs := rule.findings with input as t.with_environments([{"name": "production", "protection_rules": [{"type": "wait_timer", "wait_timer": 5}]}], [])
	some f in fs
	f.message == "production: no required_reviewers protection rule (protection_rules = [wait_timer])"
	f.setting == "environments/production/protection_rules"
}

test_production_with_reviewers_passes if {
	count(rule.findings) == 0 with input as t.with_environments([{"name": "Production", "protection_rules": [reviewers]}], [])
}

test_staging_is_not_production if {
	count(rule.findings) == 0 with input as t.with_environments([{"name": "staging", "protection_rules": []}], [])
}

test_environment_names_param if {
	inp := object.union(
		t.with_environments([{"name": "prd", "protection_rules": []}], []),
		{"config": {"environment-without-reviewers": {"environments": ["prd"]}}},
	)
	count(rule.findings) == 1 with input as inp
}

test_deploy_to_missing_production_environment_fires if {
	fs := rule.findings with input as t.with_environments([], [t.deploy_workflow({}, "production")])
	some f in fs
	f.setting == "environments/production"
}

test_unreadable_environments_are_not_judged if {
	inp := object.union(
		t.with_environments([], [t.deploy_workflow({}, "production")]),
		{"settings": {"environments_readable": false}},
	)
	count(rule.findings) == 0 with input as inp
}
