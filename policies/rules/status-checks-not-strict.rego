package shiplint.rules.status_checks_not_strict

import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "status-checks-not-strict",
	"title": "Status checks need not run on the up-to-date branch",
	"severity": "warning",
	"description": "Status checks are required, but a pull request may merge when its checks ran against an older base: the merged commit, the one that is built and shipped, was never tested as such.",
	"remediation": "Require branches to be up to date before merging: `strict_required_status_checks_policy` in the ruleset's `required_status_checks` rule, or classic \"Require branches to be up to date before merging\" (`strict`). A merge queue achieves the same.",
	"tags": ["security", "settings", "branch-protection", "gating"],
	"online": true,
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.checks_required(b)
	settings.fails(b, "status-checks-not-strict")
	c := settings.classic_checks(b)
	f := {
		"message": sprintf("%s: required_status_checks.strict = %v", [b, object.get(c, "strict", false)]),
		"setting": sprintf("branches/%s/protection/required_status_checks", [b]),
	}
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.checks_required(b)
	settings.fails(b, "status-checks-not-strict")
	not settings.classic_checks(b)
	f := {
		"message": sprintf("%s: ruleset required_status_checks.strict_required_status_checks_policy = false", [b]),
		"setting": sprintf("branches/%s/rules/required_status_checks", [b]),
	}
}
