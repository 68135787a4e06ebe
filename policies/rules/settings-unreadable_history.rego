# The deployment history's part of `settings-unreadable` (same package: the rule's
# metadata is in settings-unreadable.rego): what of the history could not be read, and
# which history rules it leaves unjudged. Unknown is never a pass. The library is named
# by its full path: regorus applies the imports of one module of a package to all.
package shiplint.rules.settings_unreadable

import rego.v1

history_rules := "deployed-without-promotion, deployed-unscanned"

findings contains f if {
	input.history.readable == false
	err := object.get(input.history, "error", "not readable")
	f := {
		"message": sprintf("deployment history: could not be read (%s); not judged: %s. %s", [err, history_rules, history_fix(err)]),
		"setting": "history",
	}
}

history_fix(err) := "The environment list names the environments whose deployments are read; see the environments finding" if {
	startswith(err, "environments:")
}

history_fix(err) := "A token with the \"Deployments: read\" repository permission (fine-grained) or the `repo` scope (classic) can read it" if {
	not startswith(err, "environments:")
}

findings contains f if {
	some e in data.shiplint.lib.history.record.environments
	e.truncated
	f := {
		"message": sprintf("deployment history: more deployments to %s since %s than are read (the newest %d); the older ones were not judged by %s. Narrow the window with --since", [e.name, data.shiplint.lib.history.when(data.shiplint.lib.history.record.since), count(e.deployments), history_rules]),
		"setting": sprintf("history/environments/%s", [e.name]),
	}
}

findings contains f if {
	some [env, sha] in data.shiplint.lib.history.deployed_to_production
	checks := data.shiplint.lib.history.record.commits[sha].checks
	checks.readable == false
	err := object.get(checks, "error", "not readable")
	f := {
		"message": sprintf("deployment history: the check runs of `%s` (deployed to %s) could not be read (%s); not judged: deployed-unscanned. A token with the \"Checks: read\" repository permission (fine-grained) or the `repo` scope (classic) can read them", [data.shiplint.lib.history.short(sha), env, err]),
		"setting": sprintf("history/commits/%s/check-runs", [sha]),
	}
}

unread_production := {sha |
	some pair in data.shiplint.lib.history.deployed_to_production
	sha := pair[1]
	not data.shiplint.lib.history.record.commits[sha].checks
}

findings contains f if {
	count(unread_production) > 0
	f := {
		"message": sprintf("deployment history: %d commits deployed to production in the window are past the ones whose check runs are read (%s); not judged: deployed-unscanned. Narrow the window with --since", [count(unread_production), concat(", ", sort([data.shiplint.lib.history.short(s) | some s in unread_production]))]),
		"setting": "history/commits",
	}
}

findings contains f if {
	count(data.shiplint.lib.history.deployed_to_production) > 0
	some c in data.shiplint.lib.history.unknowable_scan_jobs
	f := {
		"message": sprintf("deployment history: the check run name of the scan job `%s` (%s) cannot be known from the files; not judged: deployed-unscanned", [c.job, c.workflow]),
		"setting": sprintf("history/jobs/%s/%s", [c.workflow, c.job]),
	}
}
