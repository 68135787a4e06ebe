package shiplint.rules.admins_bypass

import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "admins-bypass",
	"title": "Branch protection can be bypassed",
	"severity": "note",
	"description": "Administrators (classic `enforce_admins` off) or a ruleset's bypass actors can push to a release branch without the reviews and checks everyone else needs.",
	"remediation": "Turn on \"Do not allow bypassing the above settings\" (classic `enforce_admins`), and keep ruleset bypass lists empty (an emergency role, if any, audited on use).",
	"tags": ["security", "settings", "branch-protection"],
	"online": true,
}

findings contains f if {
	some b in settings.protected_release_branches
	p := settings.classic(b)
	object.get(p, ["enforce_admins", "enabled"], false) == false
	f := {
		"message": sprintf("%s: enforce_admins.enabled = false (administrators bypass classic protection)", [b]),
		"setting": sprintf("branches/%s/protection/enforce_admins", [b]),
	}
}

# Ruleset bypass actors, when the settings carry the ruleset details.
findings contains f if {
	some b in settings.protected_release_branches
	some r in settings.rules(b)
	rs := settings.ruleset_of(r)
	actors := [sprintf("%v %v (%v)", [a.actor_type, object.get(a, "actor_id", ""), object.get(a, "bypass_mode", "always")]) |
		some a in object.get(rs, "bypass_actors", [])
	]
	count(actors) > 0
	f := {
		"message": sprintf("%s: ruleset %q bypass_actors = [%s]", [b, object.get(rs, "name", ""), concat(", ", actors)]),
		"setting": sprintf("rulesets/%v/bypass_actors", [rs.id]),
	}
}
