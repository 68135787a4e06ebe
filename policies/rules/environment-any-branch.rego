package shiplint.rules.environment_any_branch

import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "environment-any-branch",
	"title": "Production environment deployable from any branch",
	"severity": "warning",
	"description": "The production environment has no deployment branch policy: a workflow run on any branch, including an unreviewed feature branch, can deploy to production and use its secrets.",
	"remediation": "Limit the environment's deployment branches (Settings → Environments → production → Deployment branches and tags): \"Protected branches only\", or selected branches such as `main`.",
	"tags": ["security", "settings", "environments"],
	"online": true,
}

names := settings.production_names("environment-any-branch")

findings contains f if {
	settings.environments_readable
	some e in settings.environments
	lower(e.name) in names
	object.get(e, "deployment_branch_policy", null) == null
	f := {
		"message": sprintf("%s: deployment_branch_policy = null (any branch can deploy)", [e.name]),
		"setting": sprintf("environments/%s/deployment_branch_policy", [e.name]),
	}
}
