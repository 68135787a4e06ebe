package shiplint.rules.deletion_allowed_test

import data.shiplint.lib.settings_test as t
import data.shiplint.rules.deletion_allowed as rule
import rego.v1

test_classic_allowing_deletion_fires if {
	fs := rule.findings with input as t.main(t.classic({"allow_deletions": {"enabled": true}}))
	some f in fs
	f.message == "main: allow_deletions.enabled = true"
	f.setting == "branches/main/protection/allow_deletions"
}

test_classic_restricting_deletion_passes if {
	count(rule.findings) == 0 with input as t.main(t.classic({"allow_deletions": {"enabled": false}}))
}

test_deletion_ruleset_passes if {
	count(rule.findings) == 0 with input as t.main(t.rulesets_only([{"type": "deletion"}]))
}

test_ruleset_without_deletion_rule_fires if {
	fs := rule.findings with input as t.main(t.rulesets_only([{"type": "non_fast_forward"}]))
	some f in fs
	f.setting == "branches/main/rules/deletion"
}

test_hidden_protection_is_not_judged if {
	count(rule.findings) == 0 with input as t.main(t.hidden([{"type": "non_fast_forward"}]))
}
