package shiplint.rules.deletion_allowed

import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "deletion-allowed",
	"title": "Release branch can be deleted",
	"severity": "warning",
	"description": "A release branch can be deleted by anyone with push access: its history, and the link from every deployed image SHA back to a reviewed commit on it, can disappear.",
	"remediation": "Restrict deletion: a ruleset with the `deletion` rule (\"Restrict deletions\"), or classic protection with \"Allow deletions\" off.",
	"tags": ["security", "settings", "branch-protection", "traceability"],
	"online": true,
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.fails(b, "deletion-allowed")
	p := settings.classic(b)
	f := {
		"message": sprintf("%s: allow_deletions.enabled = %v", [b, object.get(p, ["allow_deletions", "enabled"], null)]),
		"setting": sprintf("branches/%s/protection/allow_deletions", [b]),
	}
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.fails(b, "deletion-allowed")
	not settings.classic(b)
	f := {
		"message": sprintf("%s: deletion allowed: the rulesets have no `deletion` rule and there is no classic protection", [b]),
		"setting": sprintf("branches/%s/rules/deletion", [b]),
	}
}
