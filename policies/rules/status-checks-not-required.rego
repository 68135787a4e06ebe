package shiplint.rules.status_checks_not_required

import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "status-checks-not-required",
	"title": "Release branch does not require status checks",
	"severity": "error",
	"description": "A release branch accepts merges whose tests, lint and scans failed or never ran: no required status checks in classic protection or the rulesets.",
	"remediation": "Require the CI checks (test, lint, the image scan) to pass before merging: a ruleset `required_status_checks` rule, or classic protection \"Require status checks to pass before merging\" with the checks selected.",
	"tags": ["security", "settings", "branch-protection", "gating"],
	"online": true,
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.fails(b, "status-checks-not-required")
	p := settings.classic(b)
	not is_object(object.get(p, "required_status_checks", null))
	f := {
		"message": sprintf("%s: required_status_checks is not set (no check must pass before merging)", [b]),
		"setting": sprintf("branches/%s/protection/required_status_checks", [b]),
	}
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.fails(b, "status-checks-not-required")
	c := settings.classic(b).required_status_checks
	is_object(c)
	f := {
		"message": sprintf("%s: required_status_checks.contexts = %v (no check must pass before merging)", [b, object.get(c, "contexts", [])]),
		"setting": sprintf("branches/%s/protection/required_status_checks", [b]),
	}
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.fails(b, "status-checks-not-required")
	not settings.classic(b)
	f := {
		"message": sprintf("%s: no `required_status_checks` rule with checks in the rulesets and no classic protection", [b]),
		"setting": sprintf("branches/%s/rules/required_status_checks", [b]),
	}
}
