# The deployment record (`input.history`, built in Rust from GitHub's deployments, their
# statuses, commits and check runs; docs/input.md, "History"): what actually ran where.
# Rust has analysed when each commit reached each environment and which promotions came
# first; this library adds what only the policies know: which jobs build and scan the
# release image (the step classification), matched to the commits' check runs by the
# names GitHub gives the jobs (`jobs[].checks`). `shiplint trace` shows `pipeline`.
package shiplint.lib.history

import data.shiplint.lib.graph
import data.shiplint.lib.steps
import rego.v1

# The record, when it could be read (absent: not read, or not readable).
record := h if {
	h := input.history
	h.readable == true
}

# The last stage of the promotion order: production.
last_stage := record.order[count(record.order) - 1]

# Every commit deployed successfully to an environment of the last stage in the window,
# as [environment, sha].
deployed_to_production contains [e.name, d.sha] if {
	some e in record.environments
	e.stage == last_stage
	some d in e.deployments
	d.succeeded_at
}

# The first successful deployment of `sha` to `env` in the window (deployments are
# newest first).
first_deployment(env, sha) := ds[count(ds) - 1] if {
	some e in record.environments
	e.name == env
	ds := [d | some d in e.deployments; d.sha == sha; d.succeeded_at]
	count(ds) > 0
}

# --- The pipeline's jobs by their check names ------------------------------------

job_check(wf, job, c) := object.union(
	{"workflow": wf.path, "job": job.id},
	object.filter(c, ["name", "pattern"]),
)

# Checks of the jobs that build the release image (only with a record: without one,
# nothing classifies the jobs here).
build_checks contains job_check(wf, job, c) if {
	record
	some wf in input.workflows
	some job in wf.jobs
	graph.build_job(job)
	some c in object.get(job, "checks", [])
}

# Checks of the jobs that scan it.
scan_checks contains job_check(wf, job, c) if {
	record
	some wf in input.workflows
	some job in wf.jobs
	steps.scanner_job(job)
	some c in object.get(job, "checks", [])
}

checks_of("build") := build_checks

checks_of("scan") := scan_checks

# A job check whose name the files cannot tell, with nothing known of it.
unknowable(c) if {
	object.get(c, "name", null) == null
	not c.pattern
}

# Scan jobs whose check runs cannot be recognised: then a missing scan is unknown.
unknowable_scan_jobs contains c if {
	some c in scan_checks
	unknowable(c)
}

matches(c, name) if c.name == name

matches(c, name) if {
	object.get(c, "name", null) == null
	is_string(c.pattern)
	regex.match(c.pattern, name)
}

# The check runs of `sha` that jobs of `role` made, oldest first.
runs_of(sha, role) := [r |
	some r in record.commits[sha].checks.runs
	some c in checks_of(role)
	matches(c, r.name)
	not earlier_match(sha, role, r, c)
]

# `r` matches another check of the role listed before `c` (count each run once).
earlier_match(sha, role, r, c) if {
	some other in checks_of(role)
	other != c
	matches(other, r.name)
	json.marshal(other) < json.marshal(c)
}

latest_part(runs) := {"conclusion": object.get(runs[count(runs) - 1], "conclusion", runs[count(runs) - 1].status)} if {
	count(runs) > 0
}

latest_part(runs) := {} if count(runs) == 0

result(sha, role) := object.union(
	{
		"jobs": sort([c | some c in checks_of(role)]),
		"runs": runs,
		"succeeded": count(successes) > 0,
		"successes": count(successes),
	},
	latest_part(runs),
) if {
	runs := runs_of(sha, role)
	successes := [r | some r in runs; r.conclusion == "success"]
}

# SHA → the build and scan jobs' check runs on it, for every commit whose check runs
# were read.
pipeline[sha] := {"build": result(sha, "build"), "scan": result(sha, "scan")} if {
	some sha, commit in record.commits
	commit.checks.readable == true
}

# --- Messages ------------------------------------------------------------------------

short(sha) := substring(sha, 0, 7)

# `2026-11-30 10:02 UTC`.
when(t) := sprintf("%s UTC", [replace(substring(t, 0, 16), "T", " ")])

# ` (run https://github.com/…/actions/runs/…)` when the run is known.
by_run(d) := sprintf(" (run %s)", [d.run.url]) if d.run.url

by_run(d) := "" if not d.run.url

names(checks) := concat(", ", sort({label(c) | some c in checks}))

label(c) := sprintf("`%s`", [c.name]) if is_string(c.name)

label(c) := sprintf("`%s` (a name matching %s)", [c.job, c.pattern]) if {
	not is_string(c.name)
	c.pattern
}

label(c) := sprintf("`%s`", [c.job]) if {
	not is_string(c.name)
	not c.pattern
}
