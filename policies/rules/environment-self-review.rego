package shiplint.rules.environment_self_review

import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "environment-self-review",
	"title": "Production reviewers may approve their own deployments",
	"severity": "warning",
	"description": "The production environment requires reviewers but does not prevent self-review: a reviewer who pushes a change (or starts the run) approves its deployment to production alone, and the approval gate is one person.",
	"remediation": "Enable \"Prevent self-review\" on the environment's required reviewers (Settings → Environments → production), so that someone other than the person who triggered the deployment approves it.",
	"tags": ["security", "settings", "environments", "approval"],
	"online": true,
}

names := settings.production_names("environment-self-review")

findings contains f if {
	settings.environments_readable
	some e in settings.environments
	lower(e.name) in names
	some r in object.get(e, "protection_rules", [])
	r.type == "required_reviewers"
	count(object.get(r, "reviewers", [])) > 0
	object.get(r, "prevent_self_review", null) != true
	f := {
		"message": sprintf("%s: required reviewers may approve deployments they triggered themselves (prevent_self_review = %v)", [e.name, object.get(r, "prevent_self_review", null)]),
		"setting": sprintf("environments/%s/protection_rules", [e.name]),
	}
}
