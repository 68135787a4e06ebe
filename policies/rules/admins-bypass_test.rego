package shiplint.rules.admins_bypass_test

import data.shiplint.lib.settings_test as t
import data.shiplint.rules.admins_bypass as rule
import rego.v1

test_enforce_admins_off_fires if {
	fs := rule.findings with input as t.main(t.classic({"enforce_admins": {"enabled": false}}))
	some f in fs
	f.setting == "branches/main/protection/enforce_admins"
}

test_enforce_admins_on_passes if {
	count(rule.findings) == 0 with input as t.main(t.classic({"enforce_admins": {"enabled": true}}))
}

ruleset_input(actors) := object.union(
	t.main(t.rulesets_only([{"type": "deletion", "ruleset_id": 7}])),
	{"settings": {"rulesets": [{"id": 7, "name": "main", "bypass_actors": actors}]}},
)

test_ruleset_bypass_actors_fire if {
	fs := rule.findings with input as ruleset_input([{"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}])
	some f in fs
	f.setting == "rulesets/7/bypass_actors"
	contains(f.message, "RepositoryRole 5 (always)")
}

test_ruleset_without_bypass_actors_passes if {
	count(rule.findings) == 0 with input as ruleset_input([])
}

test_hidden_protection_is_not_judged if {
	count(rule.findings) == 0 with input as t.main(t.hidden([]))
}
