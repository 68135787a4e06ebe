package shiplint.rules.required_check_not_produced

import data.shiplint.lib.gates
import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "required-check-not-produced",
	"title": "Required check that no workflow reports",
	"severity": "error",
	"description": "The branch requires a check bound to GitHub Actions that no job of a workflow running on its pull requests (or merge groups) reports, typically after a job or workflow was renamed: every pull request waits for it forever, until someone removes the requirement or an administrator bypasses it.",
	"remediation": "Require the check under the name the job reports now (the message names it when a job looks like the producer), or run the job on `pull_request` into the branch; remove the requirement if the job is gone.",
	"tags": ["security", "settings", "branch-protection", "gating"],
	"online": true,
}

findings contains f if {
	gates.names_known
	some b in settings.protected_release_branches
	missing := gates.unproduced(b)
	count(missing) > 0
	names := sort({m.context | some m in missing})
	hints := [[r, h] | some r in names; some h in gates.producer_hints(b, r)]
	f := {
		"message": message(b, names, hints),
		"setting": setting(b, missing),
		"related": [{"file": h.wf, "path": gates.job_path(h.wf, h.job), "message": h.label} | some [_, h] in hints],
	}
}

message(b, names, hints) := sprintf("%s requires %s (bound to GitHub Actions), but no job of a workflow that runs on its pull requests reports %s: every pull request waits for %s forever%s", [
	b,
	concat(", ", [sprintf("`%s`", [n]) | some n in names]),
	it(names, "it", "them"),
	it(names, "it", "them"),
	hint_text(hints),
])

it(names, one, many) := one if count(names) == 1 else := many

hint_text(hints) := "" if count(hints) == 0 else := concat("", ["; ", concat("; ", [sprintf("job `%s` (%s) %s", [h.job, h.wf, h.label]) | some [_, h] in hints])])

# The rulesets when one of the missing checks comes from them, else classic protection.
setting(b, missing) := sprintf("branches/%s/rules/required_status_checks", [b]) if {
	some m in missing
	m.from == "ruleset"
} else := sprintf("branches/%s/protection/required_status_checks", [b])
