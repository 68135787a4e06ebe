package shiplint.rules.branch_unprotected_test

import data.shiplint.lib.settings_test as t
import data.shiplint.rules.branch_unprotected as rule
import rego.v1

test_no_protection_and_no_ruleset_fires if {
	fs := rule.findings with input as t.main(t.classic(null))
	some f in fs
	f.setting == "branches/main/protection"
	startswith(f.message, "main: ")
}

test_classic_protection_passes if {
	count(rule.findings) == 0 with input as t.main(t.classic({"allow_force_pushes": {"enabled": true}}))
}

test_a_ruleset_alone_passes if {
	count(rule.findings) == 0 with input as t.main(t.rulesets_only([{"type": "deletion"}]))
}

test_hidden_protection_is_not_judged if {
	count(rule.findings) == 0 with input as t.main(t.hidden([]))
}

test_non_release_branches_are_ignored if {
	count(rule.findings) == 0 with input as t.with_branches({"main": t.classic({}), "scratch": t.classic(null)})
}
