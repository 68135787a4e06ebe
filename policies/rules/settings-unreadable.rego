package shiplint.rules.settings_unreadable

import data.shiplint.lib.gates
import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "settings-unreadable",
	"title": "Repository setting could not be read",
	"severity": "note",
	"description": "A repository setting that settings rules judge could not be read (classic branch protection needs admin rights; environments need Actions read access; some features need a paid plan for private repositories). The rules that depend on it were not judged: unknown is not a pass.",
	"remediation": "Run with a token that can read the setting (fine-grained: \"Administration: read\" for branch protection, \"Actions: read\" for environments), or protect the branch with rulesets, which anyone with read access can see.",
	"tags": ["security", "settings"],
	"online": true,
}

findings contains f if {
	some b in settings.judged_branches
	not settings.known(b)
	rules := array.concat(settings.not_judged(b), gates.not_judged(b))
	count(rules) > 0
	err := settings.branch_error(b)
	f := {
		"message": sprintf("%s: classic branch protection could not be read (%s); not judged: %s. %s", [b, err, concat(", ", rules), settings.unreadable_fix(err)]),
		"setting": sprintf("branches/%s/protection", [b]),
	}
}

findings contains f if {
	some b in settings.release_branches
	not settings.branches[b]
	f := {
		"message": sprintf("%s: release branch not in the settings document (it may not exist yet); not judged: %s", [b, concat(", ", array.concat(settings.branch_rules, gate_branch_rules))]),
		"setting": sprintf("branches/%s", [b]),
	}
}

findings contains f if {
	not settings.environments_readable
	err := object.get(settings.settings, "environments_error", "not readable")
	f := {
		"message": sprintf("environments: the environment list could not be read (%s); not judged: environment-without-reviewers, environment-any-branch, environment-self-review, promotion-order-not-enforced. %s", [err, environments_fix(err)]),
		"setting": "environments",
	}
}

# The rules about a branch that read the workflows too.
gate_branch_rules := ["pipeline-checks-not-required", "required-check-not-produced", "promotion-order-not-enforced"]

# An environment of the promotion order whose deployment branch policies were refused:
# which branches may deploy to it is not known.
findings contains f if {
	settings.environments_readable
	some e in settings.environments
	gates.policies_refused(e)
	gates.slot_of(e.name)
	err := object.get(e, "branch_policies_error", "not readable")
	f := {
		"message": sprintf("%s: the deployment branch policies could not be read (%s); not judged: promotion-order-not-enforced. %s", [e.name, err, environments_fix(err)]),
		"setting": sprintf("environments/%s/deployment_branch_policy", [e.name]),
	}
}

environments_fix(err) := "Environments are not available on this plan for private repositories (GitHub Pro/Team, or a public repository)" if {
	contains(lower(err), "upgrade")
}

environments_fix(err) := "A token with the \"Actions: read\" repository permission (fine-grained) or the `repo` scope (classic) can read it" if {
	not contains(lower(err), "upgrade")
}
