package shiplint.rules.environment_any_branch_test

import data.shiplint.lib.settings_test as t
import data.shiplint.rules.environment_any_branch as rule
import rego.v1

test_no_branch_policy_fires if {
	fs := rule.findings with input as t.with_environments([{"name": "prod", "protection_rules": [], "deployment_branch_policy": null}], [])
	some f in fs
	f.message == "prod: deployment_branch_policy = null (any branch can deploy)"
}

test_protected_branches_policy_passes if {
	inp := t.with_environments([{"name": "production", "deployment_branch_policy": {"protected_branches": true, "custom_branch_policies": false}}], [])
	count(rule.findings) == 0 with input as inp
}

test_other_environments_are_ignored if {
	count(rule.findings) == 0 with input as t.with_environments([{"name": "dev", "deployment_branch_policy": null}], [])
}
