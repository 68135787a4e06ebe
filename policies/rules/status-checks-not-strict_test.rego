package shiplint.rules.status_checks_not_strict_test

import data.shiplint.lib.settings_test as t
import data.shiplint.rules.status_checks_not_strict as rule
import rego.v1

test_non_strict_classic_checks_fire if {
	fs := rule.findings with input as t.main(t.classic({"required_status_checks": {"strict": false, "contexts": ["test"]}}))
	some f in fs
	f.message == "main: required_status_checks.strict = false"
}

test_strict_classic_checks_pass if {
	count(rule.findings) == 0 with input as t.main(t.classic({"required_status_checks": {"strict": true, "contexts": ["test"]}}))
}

test_no_checks_is_left_to_status_checks_not_required if {
	count(rule.findings) == 0 with input as t.main(t.classic({}))
}

test_non_strict_ruleset_fires if {
	inp := t.main(t.rulesets_only([{"type": "required_status_checks", "parameters": {"strict_required_status_checks_policy": false, "required_status_checks": [{"context": "test"}]}}]))
	fs := rule.findings with input as inp
	some f in fs
	f.setting == "branches/main/rules/required_status_checks"
}

test_strict_ruleset_passes if {
	inp := t.main(t.classic({"required_status_checks": {"strict": false, "contexts": ["test"]}}))
	inp2 := object.union(inp, {"settings": {"branches": {"main": {"rules": [{"type": "required_status_checks", "parameters": {"strict_required_status_checks_policy": true, "required_status_checks": [{"context": "test"}]}}]}}}})
	count(rule.findings) == 0 with input as inp2
}

test_hidden_protection_with_lax_ruleset_is_not_judged if {
	inp := t.main(t.hidden([{"type": "required_status_checks", "parameters": {"strict_required_status_checks_policy": false, "required_status_checks": [{"context": "test"}]}}]))
	count(rule.findings) == 0 with input as inp
}
