package shiplint.rules.force_push_allowed_test

import data.shiplint.rules.force_push_allowed as rule
import rego.v1

repo(branch) := with_branches({"main": branch})

with_branches(bs) := {"repository": {"owner": "o", "name": "r", "default_branch": "main"}, "workflows": [], "actions": [], "config": {}, "settings": {"branches": bs, "environments": []}}

test_classic_allowing_force_pushes_fires if {
	fs := rule.findings with input as repo({"readable": true, "protection": {"allow_force_pushes": {"enabled": true}}, "rules": []})
	some f in fs
	f.message == "main: allow_force_pushes.enabled = true"
	f.setting == "branches/main/protection/allow_force_pushes"
}

test_classic_blocking_force_pushes_passes if {
	count(rule.findings) == 0 with input as repo({"readable": true, "protection": {"allow_force_pushes": {"enabled": false}}, "rules": []})
}

test_non_fast_forward_ruleset_wins_over_classic if {
	count(rule.findings) == 0 with input as repo({"readable": true, "protection": {"allow_force_pushes": {"enabled": true}}, "rules": [{"type": "non_fast_forward"}]})
}

test_ruleset_without_non_fast_forward_fires if {
	fs := rule.findings with input as repo({"readable": true, "protection": null, "rules": [{"type": "deletion"}]})
	some f in fs
	f.setting == "branches/main/rules/non_fast_forward"
}

test_hidden_classic_protection_is_not_judged if {
	count(rule.findings) == 0 with input as repo({"readable": false, "protection": null, "rules": [{"type": "deletion"}]})
}

test_unprotected_branch_is_left_to_branch_unprotected if {
	count(rule.findings) == 0 with input as repo({"readable": true, "protection": null, "rules": []})
}

test_other_branches_are_not_release_branches if {
	inp := with_branches({
		"main": {"readable": true, "protection": null, "rules": []},
		"feature": {"readable": true, "protection": {"allow_force_pushes": {"enabled": true}}, "rules": []},
	})
	count(rule.findings) == 0 with input as inp
}
