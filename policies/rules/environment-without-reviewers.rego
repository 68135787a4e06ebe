package shiplint.rules.environment_without_reviewers

import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "environment-without-reviewers",
	"title": "Production environment without required reviewers",
	"severity": "error",
	"description": "The production environment has no `required_reviewers` protection rule, so any workflow run that reaches the deploy job ships to production with nobody approving it.",
	"remediation": "Add required reviewers to the environment (Settings → Environments → production → Required reviewers), ideally with \"Prevent self-review\".",
	"tags": ["security", "settings", "environments", "approval"],
	"online": true,
}

names := settings.production_names("environment-without-reviewers")

has_reviewers(e) if {
	some r in object.get(e, "protection_rules", [])
	r.type == "required_reviewers"
	count(object.get(r, "reviewers", [])) > 0
}

existing := {lower(e.name) | some e in settings.environments}

findings contains f if {
	settings.environments_readable
	some e in settings.environments
	lower(e.name) in names
	not has_reviewers(e)
	types := [r.type | some r in object.get(e, "protection_rules", [])]
	f := {
		"message": sprintf("%s: no required_reviewers protection rule (protection_rules = [%s])", [e.name, concat(", ", types)]),
		"setting": sprintf("environments/%s/protection_rules", [e.name]),
	}
}

# A workflow deploys to a production environment that does not exist yet: GitHub
# creates it on the first deploy, with no protection rules at all.
findings contains f if {
	settings.environments_readable
	some wf in input.workflows
	some job in wf.jobs
	name := job.environment.name
	not contains(name, "${{")
	lower(name) in names
	not lower(name) in existing
	f := {
		"message": sprintf("%s: environment does not exist (job `%s` in %s creates it on its first deploy, with no required reviewers)", [name, job.id, wf.path]),
		"setting": sprintf("environments/%s", [name]),
	}
}
