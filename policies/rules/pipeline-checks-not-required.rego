package shiplint.rules.pipeline_checks_not_required

import data.shiplint.lib.gates
import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "pipeline-checks-not-required",
	"title": "Required checks leave out the pipeline's gates",
	"severity": "error",
	"description": "The release branch requires status checks, but not the checks of the jobs that gate the release image: the tests and linters the image build waits for (or, when it waits for none, those that run on pull requests), and the scans that run on pull requests. A pull request whose tests failed still merges, and its commit is built and shipped.",
	"remediation": "Require the exact check names the message lists (a ruleset `required_status_checks` rule, or classic protection), bound to GitHub Actions; run gate jobs on `pull_request` so a required check can wait for them.",
	"tags": ["security", "settings", "branch-protection", "gating"],
	"online": true,
}

findings contains f if {
	gates.names_known
	some b in settings.protected_release_branches
	settings.known(b)
	settings.checks_required(b)
	out := gates.left_out(b)
	count(out) > 0
	rel := [related(item) | some item in out]
	f := {
		"message": message(b, out),
		"setting": gates.checks_setting(b),
		"related": rel,
	}
}

message(b, out) := concat("", [sprintf("%s requires %s, not the checks of the jobs that gate the release image", [b, required_list(b)]), require_part(out), after_merge_part(out)])

required_list(b) := concat(", ", [sprintf("`%s`", [n]) | some n in sorted(gates.required_names[b])])

sorted(s) := sort([x | some x in s])

# Each name once, in the order of the jobs (two workflows may run a job of one name).
require_part(out) := sprintf(": require %s", [concat(", ", [sprintf("`%s`", [n]) | some i, n in all; not n in array.slice(all, 0, i)])]) if {
	all := [n | some g in out; some n in g.missing]
	count(all) > 0
} else := ""

after_merge_part(out) := sprintf("%s%s", [sep(out), late_text(late)]) if {
	late := [g | some g in out; g.after_merge]
	count(late) > 0
} else := ""

sep(out) := "; " if count([g | some g in out; count(g.missing) > 0]) > 0 else := ": "

late_text(late) := sprintf("`%s` (%s) runs only after the merge, so no required check can wait for it: run it on `pull_request` too and require its check", [late[0].job, late[0].wf]) if {
	count(late) == 1
} else := sprintf("%s run only after the merge, so no required check can wait for them: run them on `pull_request` too and require their checks", [concat(", ", [sprintf("`%s` (%s)", [g.job, g.wf]) | some g in late])])

related(item) := {
	"file": item.wf,
	"path": gates.job_path(item.wf, item.job),
	"message": related_label(item),
}

related_label(g) := sprintf("require %s (the %s this job runs gate the release)", [concat(", ", [sprintf("`%s`", [n]) | some n in g.missing]), role_word(g.role)]) if {
	count(g.missing) > 0
} else := "runs only after the merge: no pull request waits for it"

role_word("test") := "tests"

role_word("scan") := "scans"
