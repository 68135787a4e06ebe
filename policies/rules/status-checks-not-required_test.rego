package shiplint.rules.status_checks_not_required_test

import data.shiplint.lib.settings_test as t
import data.shiplint.rules.status_checks_not_required as rule
import rego.v1

test_absent_required_status_checks_fires if {
	fs := rule.findings with input as t.main(t.classic({"allow_force_pushes": {"enabled": false}}))
	some f in fs
	f.setting == "branches/main/protection/required_status_checks"
}

test_empty_contexts_fire if {
	fs := rule.findings with input as t.main(t.classic({"required_status_checks": {"strict": true, "contexts": [], "checks": []}}))
	count(fs) == 1
}

test_required_contexts_pass if {
	count(rule.findings) == 0 with input as t.main(t.classic({"required_status_checks": {"strict": false, "contexts": ["test"]}}))
}

test_ruleset_checks_pass if {
	inp := t.main(t.rulesets_only([{"type": "required_status_checks", "parameters": {"required_status_checks": [{"context": "test"}]}}]))
	count(rule.findings) == 0 with input as inp
}

test_ruleset_without_checks_fires if {
	fs := rule.findings with input as t.main(t.rulesets_only([{"type": "deletion"}]))
	some f in fs
	f.setting == "branches/main/rules/required_status_checks"
}

test_hidden_protection_is_not_judged if {
	count(rule.findings) == 0 with input as t.main(t.hidden([{"type": "deletion"}]))
}
