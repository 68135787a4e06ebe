package shiplint.rules.force_push_allowed

import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "force-push-allowed",
	"title": "Force pushes allowed on a release branch",
	"severity": "error",
	"description": "A release branch accepts force pushes: its history (and with it the commit SHA every image is tagged with) can be rewritten, so a SHA no longer proves which code was built and deployed.",
	"remediation": "Block force pushes: a ruleset with the `non_fast_forward` rule (\"Block force pushes\") on the branch, or classic protection with \"Allow force pushes\" off.",
	"tags": ["security", "settings", "branch-protection", "traceability"],
	"online": true,
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.fails(b, "force-push-allowed")
	p := settings.classic(b)
	f := {
		"message": sprintf("%s: allow_force_pushes.enabled = %v", [b, object.get(p, ["allow_force_pushes", "enabled"], null)]),
		"setting": sprintf("branches/%s/protection/allow_force_pushes", [b]),
	}
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.fails(b, "force-push-allowed")
	not settings.classic(b)
	f := {
		"message": sprintf("%s: force pushes allowed: the rulesets have no `non_fast_forward` rule and there is no classic protection", [b]),
		"setting": sprintf("branches/%s/rules/non_fast_forward", [b]),
	}
}
