# Merge gates judged against the workflows: which checks the jobs report on pull
# requests (`jobs[].checks`, named in Rust as GitHub names them), which checks each branch
# requires (classic protection and rulesets), which jobs gate what a branch releases, and
# which branch deploys to which environment.
#
# "Unknown" is never a finding: a check whose name cannot be known from the files (`name:
# null`) may be the one a branch requires, and a condition that cannot be read may run a
# deploy on any branch.
package shiplint.lib.gates

import data.shiplint.lib.pipeline
import data.shiplint.lib.settings
import rego.v1

# The other packages' rules that functions below read, bound here: regorus resolves an
# import alias inside a function through the package's own evaluated document once the
# package was evaluated as a whole, where `pipeline.job_at` is undefined.
job_at := pipeline.job_at

workflow_at := pipeline.workflow_at

testing_jobs := pipeline.testing_jobs

environments := settings.environments

settings_branches := settings.branches

# GitHub Actions' app id: a required check bound to it can only be a workflow job's (or
# a check run or status a workflow creates with its token).
actions_app := 15368

# The input names checks (`jobs[].checks`); an input without them judges nothing.
names_known if {
	some wf in input.workflows
	some job in wf.jobs
	"checks" in object.keys(job)
}

# ---------------------------------------------------------------------------------------
# Branch filters

# An event's filter (`{"branches": [...], "branches-ignore": [...]}`) admits branch b.
# With `branches`, the last pattern that matches decides and a `!` pattern excludes.
admits(f, b) if {
	is_object(f)
	not f.branches
	not ignored(f, b)
}

admits(f, b) if {
	is_object(f)
	hits := [p | some p in f.branches; glob.match(trim_prefix(p, "!"), ["/"], b)]
	count(hits) > 0
	not startswith(hits[count(hits) - 1], "!")
}

ignored(f, b) if {
	some p in object.get(f, "branches-ignore", [])
	glob.match(p, ["/"], b)
}

# A push of branch b starts the workflow (one filtered by tags only runs for tags).
push_admits(wf, b) if {
	push := wf.triggers.push
	is_object(push)
	not tags_only(push)
	admits(push, b)
}

tags_only(f) if {
	not f.branches
	not f["branches-ignore"]
	some k in ["tags", "tags-ignore"]
	f[k]
}

# A completed run on branch b starts the workflow (`workflow_run` filters on the head
# branch of the run that completed).
run_admits(wf, b) if admits(wf.triggers.workflow_run, b)

# Pull requests into b start the workflow: for checks that may be reported (any activity
# but closing) ...
pr_admits(wf, b) if {
	pr := wf.triggers.pull_request
	admits(pr, b)
	some t in object.get(pr, "types", ["opened"])
	t != "closed"
}

# ... and for checks a branch can require: on every new commit, whatever files it touches.
# (A workflow skipped by a `paths` filter leaves its required checks pending: GitHub blocks
# the pull request.)
pr_gates(wf, b) if {
	pr := wf.triggers.pull_request
	admits(pr, b)
	some t in object.get(pr, "types", ["synchronize"])
	t in {"opened", "synchronize", "reopened"}
	not pr.paths
	not pr["paths-ignore"]
}

# ---------------------------------------------------------------------------------------
# Checks reported on pull requests

# Every check a job reports: [workflow of the job, job id, check].
job_checks := [[wf.path, job.id, c] |
	some wf in input.workflows
	some job in wf.jobs
	some c in object.get(job, "checks", [])
]

# The settings branches, and the checks reported on pull requests into each:
# {"wf", "job", "check", "runs", "gates"}. A job of a workflow that pull requests start
# reports its check even when an `if:` skips it (as skipped, which passes a required
# check); `runs`: the job runs on pull requests; `gates`: a check the branch can require
# (see pr_gates).
branch_names := {b | some b, _ in settings_branches}

pr_checks := {b: pr_checks_into(b) | some b in branch_names}

pr_checks_into(b) := [{"wf": w, "job": j, "check": c, "runs": runs_on_prs(c.events), "gates": gates_of(root, c, b)} |
	some [w, j, c] in job_checks
	root := workflow_at[c.workflow]
	pr_started(root, b)
]

pr_started(root, b) if pr_admits(root, b)

pr_started(root, _) if root.triggers.merge_group

gates_of(root, c, b) := true if {
	"pull_request" in c.events
	pr_gates(root, b)
} else := false

runs_on_prs(events) := true if {
	some e in events
	e in {"pull_request", "merge_group"}
} else := false

# A check reported as `name` may satisfy the required check `r`: the same name, or a
# name that is not known whose pattern matches (or that has no pattern).
check_matches(c, r) if c.name == r

check_matches(c, r) if {
	c.name == null
	not is_string(object.get(c, "pattern", null))
}

check_matches(c, r) if {
	c.name == null
	regex.match(c.pattern, r)
}

# ---------------------------------------------------------------------------------------
# Required checks

# The checks each branch requires: {"context", "app" (null: any source), "from"}.
# Classic protection counts only when it was read.
required := {b: all_required(b) | some b in branch_names}

all_required(b) := classic_required(b) | ruleset_required(b)

classic_required(b) := {{"context": c.context, "app": object.get(c, "app_id", null), "from": "classic"} |
	rsc := classic_status_checks(b)
	some c in object.get(rsc, "checks", [])
	is_string(c.context)
} | {{"context": x, "app": null, "from": "classic"} |
	rsc := classic_status_checks(b)
	bound := {c.context | some c in object.get(rsc, "checks", [])}
	some x in object.get(rsc, "contexts", [])
	is_string(x)
	not x in bound
}

classic_status_checks(b) := rsc if {
	rsc := settings.classic(b).required_status_checks
	is_object(rsc)
}

ruleset_required(b) := {{"context": c.context, "app": object.get(c, "integration_id", null), "from": "ruleset"} |
	some p in settings.rule_params(b, "required_status_checks")
	some c in object.get(p, "required_status_checks", [])
	is_string(c.context)
}

required_names := {b: {r.context | some r in rs} | some b, rs in required}

# Where a finding about a branch's required checks points: the rulesets when they require
# checks, else classic protection.
checks_setting(b) := sprintf("branches/%s/rules/required_status_checks", [b]) if {
	settings.rs_checks(b)
} else := sprintf("branches/%s/protection/required_status_checks", [b])

# ---------------------------------------------------------------------------------------
# Ref conditions: which branches a job's `if:` lets through

# The `if:` conditions of a job in a context: its own and its callers'.
conditions(job, ctx) := [c |
	some c in array.concat([object.get(job, "if", "")], [object.get(job_at[v.workflow][v.job], "if", "") | some v in ctx.via])
	c != ""
]

# A condition that tests the ref: `github.ref`, `github.ref_name`, `github.ref_type`, or
# the head branch of a completed run.
tests_ref(cond) if regex.match(`github\.(ref|ref_name|ref_type|event\.workflow_run\.head_branch)\b`, cond)

# The tests a part of a condition (between `||`) makes of the ref, as glob patterns of
# the branch names it lets through (`eq`), that it shuts out (`ne`); `tag`: it asks for
# a tag. One regex per form: regorus has no optional groups worth trusting here.
eq_forms := [
	[`github\.ref\s*==\s*'refs/heads/([^']+)'`, ""],
	[`'refs/heads/([^']+)'\s*==\s*github\.ref\b`, ""],
	[`github\.ref_name\s*==\s*'([^']+)'`, ""],
	[`'([^']+)'\s*==\s*github\.ref_name\b`, ""],
	[`github\.event\.workflow_run\.head_branch\s*==\s*'([^']+)'`, ""],
	[`startsWith\(\s*github\.ref\s*,\s*'refs/heads/([^']*)'\s*\)`, "**"],
]

ne_forms := [
	`github\.ref\s*!=\s*'refs/heads/([^']+)'`,
	`'refs/heads/([^']+)'\s*!=\s*github\.ref\b`,
	`github\.ref_name\s*!=\s*'([^']+)'`,
	`'([^']+)'\s*!=\s*github\.ref_name\b`,
	`github\.event\.workflow_run\.head_branch\s*!=\s*'([^']+)'`,
]

tag_forms := [
	`github\.ref\s*==\s*'refs/tags/[^']*'`,
	`startsWith\(\s*github\.ref\s*,\s*'refs/tags/[^']*'\s*\)`,
	`github\.ref_type\s*==\s*'tag'`,
]

# Tests that say nothing about the branch (`github.ref_type == 'branch'`).
neutral_forms := [`github\.ref_type\s*==\s*'branch'`]

part_eq(part) := {concat("", [m[1], suffix]) |
	some [form, suffix] in eq_forms
	some m in regex.find_all_string_submatch_n(form, part, -1)
}

part_ne(part) := {m[1] |
	some form in ne_forms
	some m in regex.find_all_string_submatch_n(form, part, -1)
}

part_tag(part) if {
	some form in tag_forms
	regex.match(form, part)
}

# Every ref test of the part is one of the forms above.
part_read(part) if {
	refs := count(regex.find_n(`github\.(ref|ref_name|ref_type|event\.workflow_run\.head_branch)\b`, part, -1))
	forms := array.concat(array.concat([f | some [f, _] in eq_forms], ne_forms), array.concat(tag_forms, neutral_forms))
	read := sum([count(regex.find_n(f, part, -1)) | some f in forms])
	refs == read
}

restricts(part) if count(part_eq(part)) > 0

restricts(part) if part_tag(part)

# A condition is read when each of its ref tests is understood, nothing negates one
# (`!startsWith(...)`), and, with `||`, every alternative restricts the ref (an
# alternative that does not may let any branch through).
read(cond) if {
	not regex.match(`!\s*(\(|startsWith|contains|endsWith)`, cond)
	parts := split(cond, "||")
	every part in parts {
		part_read(part)
	}
	count(parts) == 1
}

read(cond) if {
	not regex.match(`!\s*(\(|startsWith|contains|endsWith)`, cond)
	parts := split(cond, "||")
	count(parts) > 1
	every part in parts {
		part_read(part)
		restricts(part)
	}
}

# A read condition lets branch b through.
allows(cond, b) if not tests_ref(cond)

allows(cond, b) if {
	tests_ref(cond)
	parts := split(cond, "||")
	every part in parts {
		not restricts(part)
	}
	every part in parts {
		not b in part_ne(part)
	}
}

allows(cond, b) if {
	tests_ref(cond)
	some part in split(cond, "||")
	some p in part_eq(part)
	glob.match(p, ["/"], b)
	not b in part_ne(part)
}

# Some condition of the job narrows the branches to named ones.
narrowed(conds) if {
	some cond in conds
	tests_ref(cond)
	some part in split(cond, "||")
	restricts(part)
}

all_read(conds) if {
	every cond in conds {
		read(cond)
	}
}

# The branches (of `universe`) whose pushes, or whose completed runs, run the job in this
# context, with its conditions: `strict` only when every condition is read and the
# trigger or a condition names the branches, `loose` letting unread conditions through.
run_branches(wf_path, job, ctx, universe) := {"strict": strict, "loose": loose} if {
	root := workflow_at[pipeline.root_workflow(wf_path, ctx)]
	conds := conditions(job, ctx)
	started := {b | some b in universe; starts_on(root, ctx, b)}
	loose := {b | some b in started; loose_allows(conds, b)}
	strict := {b | some b in started; strict_allows(root, ctx, conds, b)}
}

strict_allows(root, ctx, conds, b) if {
	named_trigger(root, ctx, conds)
	all_read(conds)
	every c in conds {
		allows(c, b)
	}
}

loose_allows(conds, b) if not all_read(conds)

loose_allows(conds, b) if {
	all_read(conds)
	every c in conds {
		allows(c, b)
	}
}

starts_on(root, ctx, b) if {
	"push" in ctx.triggers
	push_admits(root, b)
}

starts_on(root, ctx, b) if {
	"workflow_run" in ctx.triggers
	run_admits(root, b)
}

# The trigger lists the branches, or a condition does: not "any branch".
named_trigger(root, ctx, _) if {
	"push" in ctx.triggers
	root.triggers.push.branches
}

named_trigger(root, ctx, _) if {
	"workflow_run" in ctx.triggers
	root.triggers.workflow_run.branches
}

named_trigger(_, _, conds) if narrowed(conds)

# ---------------------------------------------------------------------------------------
# What each branch releases, and the jobs that gate it

# Release builds (`pipeline.release_builds`) by the branches whose pushes ship them:
# [branch, workflow, job id, context index].
shipped_builds contains [b, e.workflow, e.job_id, e.ci] if {
	some rb in pipeline.release_builds
	e := rb.entry
	job := job_at[e.workflow][e.job_id]
	some b in run_branches(e.workflow, job, job.contexts[e.ci], branch_names).loose
}

releasing_branches := {b | some [b, _, _, _] in shipped_builds}

# Deploys in the runs that ship a branch: [branch, workflow, job id, context index]. A
# job deploys when it runs a deploy or names an environment.
deploy_jobs := pipeline.deploying_jobs | {{"workflow": wf.path, "job": job.id} |
	some wf in input.workflows
	some job in wf.jobs
	job.environment.name
}

shipped_deploys contains [b, d.workflow, d.job, ci] if {
	some d in deploy_jobs
	job := job_at[d.workflow][d.job]
	some ci, ctx in job.contexts
	some b in run_branches(d.workflow, job, ctx, branch_names).loose
}

# The jobs that gate what a branch releases: [branch, workflow, job id, role]. The tests
# the build waits for (the build job itself when it tests), and the scans the build or a
# deploy of the same run waits for.
upstream_gates contains [b, u.workflow, u.job, "test"] if {
	some [b, w, j, ci] in shipped_builds
	some u in array.concat(job_at[w][j].contexts[ci].upstream, [{"workflow": w, "job": j}])
	u in testing_jobs
}

upstream_gates contains [b, u.workflow, u.job, "scan"] if {
	some [b, w, j, ci] in shipped_builds | shipped_deploys
	some u in job_at[w][j].contexts[ci].upstream
	u in pipeline.scanning_jobs
}

tested_branches := {b | some [b, _, _, "test"] in upstream_gates}

# A build that waits for no test: the tests of the pull requests into the branch are its
# only gate.
pr_gates_of contains [b, ch.wf, ch.job, "test"] if {
	some b in releasing_branches
	not b in tested_branches
	some ch in pr_checks[b]
	ch.gates
	{"workflow": ch.wf, "job": ch.job} in testing_jobs
}

gates := upstream_gates | pr_gates_of

# The checks of a gate job that branch b could require (reported on its pull requests).
requirable(b, w, j) := [ch.check |
	some ch in pr_checks[b]
	ch.wf == w
	ch.job == j
	ch.gates
]

# A gate job's checks that b does not require, by exact name. Unknown names are left out,
# and a pattern that matches a required check counts as that check; nothing is missing
# when a required check's job stands for the gate (below).
missing_checks(b, w, j, names) := [] if {
	stands_for(b, w, j, names)
} else := [] if {
	unknown_covers(b, w, j, names)
} else := [c.name |
	some c in requirable(b, w, j)
	is_string(c.name)
	not c.name in names
]

unknown_covers(b, w, j, names) if {
	some c in requirable(b, w, j)
	c.name == null
	some r in names
	check_matches(c, r)
}

# A required check's job that runs after the gate job in pull request runs, also when it
# failed (`if: always()`, `failure()`, `!cancelled()`): an aggregate check ("all green")
# stands for the jobs it needs. (A job skipped because a need failed reports success, so
# one without such a condition stands for nothing.)
stands_for(b, w, j, names) if {
	some ch in pr_checks[b]
	ch.check.name in names
	k := job_at[ch.wf][ch.job]
	regex.match(`always\(\)|failure\(\)|!\s*cancelled\(\)`, object.get(k, "if", ""))
	some ctx in k.contexts
	"pull_request" in ctx.triggers
	{"workflow": w, "job": j} in ctx.upstream
}

# A gate job that reports no check on pull requests into b at all (it runs after the
# merge only): no required check can wait for it. Not a caller of a reusable workflow
# (its callees report the checks), and not when b already requires a check of a test
# job that runs on pull requests (a test job run again before the build is common).
after_merge_only(b, w, j) if {
	job := job_at[w][j]
	count(object.get(job, "checks", [])) > 0
	not reported_on_prs(b, w, j)
	not requires_pr_test(b)
}

reported_on_prs(b, w, j) if {
	some ch in pr_checks[b]
	ch.wf == w
	ch.job == j
	ch.runs
}

requires_pr_test(b) if {
	some ch in pr_checks[b]
	ch.runs
	ch.check.name in required_names[b]
	{"workflow": ch.wf, "job": ch.job} in testing_jobs
}

# The gate jobs of b the required checks leave out: {"wf", "job", "role", "missing"
# (names), "after_merge" (bool)}, ordered by file and job.
left_out(b) := [g |
	names := required_names[b]
	some [w, j] in gate_jobs(b)
	role := gate_role(b, w, j)
	missing := missing_checks(b, w, j, names)
	after := after_merge(b, w, j, role)
	count(missing) + count(after) > 0
	g := {"wf": w, "job": j, "role": role, "missing": missing, "after_merge": count(after) > 0}
]

gate_jobs(b) := {[w, j] | some [b2, w, j, _] in gates; b2 == b}

gate_role(b, w, j) := "test" if [b, w, j, "test"] in gates else := "scan"

after_merge(b, w, j, "test") := [1] if after_merge_only(b, w, j) else := []

after_merge(_, _, _, "scan") := []

# ---------------------------------------------------------------------------------------
# Producers of required checks

# Reusable workflows of other repositories called in pull request runs into b: their
# jobs report `<caller name> / <job name>`, names that cannot be seen. [branch, prefix]
# (`null`: the caller's name is not known either).
remote_callers contains [b, prefix] if {
	some wf in input.workflows
	some job in wf.jobs
	job.uses.raw
	not job.uses.resolved
	job.uses.ref_kind != "local"
	some ctx in job.contexts
	some b in branch_names
	pr_started(workflow_at[pipeline.root_workflow(wf.path, ctx)], b)
	prefix := caller_prefix(job, ctx)
}

# A caller job that an `if:` (or a skipped need) skips on a pull request reports one
# skipped check under its own name: [branch, name].
caller_names contains [b, name] if {
	some wf in input.workflows
	some job in wf.jobs
	job.uses.raw
	some ctx in job.contexts
	count(ctx.via) == 0
	name := object.get(job, "name", job.id)
	not contains(name, "${{")
	some b in branch_names
	pr_started(workflow_at[wf.path], b)
}

caller_prefix(job, ctx) := concat("", [object.get(job, "name", job.id), " / "]) if {
	count(ctx.via) == 0
	not contains(object.get(job, "name", ""), "${{")
} else := null

# Check runs and commit statuses that steps create: {action: [input naming it, default]}
# (`null`: no default that can be known).
check_reporters := {
	"dorny/test-reporter": ["name", null],
	"mikepenz/action-junit-report": ["check_name", "JUnit Test Report"],
	"enricomi/publish-unit-test-result-action": ["check_name", "Test Results"],
	"louisbrunner/checks-action": ["name", null],
	"myrotvorets/set-commit-status-action": ["context", null],
	"sibz/github-status-action": ["context", null],
	"ouzi-dev/commit-status-updater": ["name", null],
}

# Names reported by steps in pull request runs into b: [branch, name] (`null`: any name).
step_reports contains [b, name] if {
	some e in pipeline.using(object.keys(check_reporters))
	[key, fallback] := check_reporters[e.step.action_repo]
	name := reported_name(object.get(e["with"], key, fallback))
	some b in branch_names
	runs_on_prs(pipeline.triggers(e))
	pr_started(workflow_at[pipeline.root_workflow(e.workflow, pipeline.context(e))], b)
}

step_reports contains [b, null] if {
	some e in array.concat(pipeline.using({"actions/github-script"}), [x | some [x, _] in pipeline.with_tools({"gh", "curl"})])
	text := concat("\n", [object.get(e["with"], "script", ""), object.get(e, "run", "")])
	regex.match(`checks\.create|createCommitStatus|createStatus|check-runs|/statuses/`, text)
	some b in branch_names
	runs_on_prs(pipeline.triggers(e))
	pr_started(workflow_at[pipeline.root_workflow(e.workflow, pipeline.context(e))], b)
}

reported_name(n) := n if {
	is_string(n)
	not contains(n, "${{")
} else := null

# Some job or step may report the required check `r` on pull requests into b.
produced(b, r) if {
	some ch in pr_checks[b]
	check_matches(ch.check, r)
}

produced(b, r) if {
	some [b2, prefix] in remote_callers
	b2 == b
	caller_reports(prefix, r)
}

produced(b, r) if [b, r] in caller_names

produced(b, r) if {
	some [b2, name] in step_reports
	b2 == b
	step_reported(name, r)
}

# Required workflows of a ruleset (rule `workflows`) run on the pull requests too, from
# another repository: their check names cannot be seen.
produced(b, _) if settings.has_rule(b, "workflows")

caller_reports(null, r) if contains(r, " / ")

caller_reports(prefix, r) if startswith(r, prefix)

step_reported(null, _) := true

step_reported(name, r) if name == r

# The required checks of b bound to GitHub Actions that nothing reports on its pull
# requests: {"context", "from"}.
unproduced(b) := {{"context": r.context, "from": r.from} |
	some r in required[b]
	r.app == actions_app
	not produced(b, r.context)
}

started_on_prs(b, w, j) if {
	some ch in pr_checks[b]
	ch.wf == w
	ch.job == j
}

# Jobs that look like the producer of a missing check: {"wf", "job", "label"}. A job
# that reports it only after the merge, or whose check is now named differently (its id
# is the old name, a matrix suffix or a caller prefix was added).
producer_hints(b, r) := {h |
	some [w, j, c] in job_checks
	c.name == r
	not started_on_prs(b, w, j)
	h := {"wf": w, "job": j, "label": sprintf("reports `%s` only on %s: pull requests into %s never get it", [r, concat(", ", c.events), b])}
} | {h |
	some ch in pr_checks[b]
	is_string(ch.check.name)
	renamed(ch.job, ch.check.name, r)
	h := {"wf": ch.wf, "job": ch.job, "label": sprintf("reports `%s`: require this name instead of `%s`", [ch.check.name, r])}
}

renamed(id, _, r) if id == r

renamed(_, name, r) if startswith(name, concat("", [r, " ("]))

renamed(_, name, r) if endswith(name, concat("", [" / ", r]))

renamed(_, name, r) if {
	name != r
	lower(name) == lower(r)
}

# ---------------------------------------------------------------------------------------
# Environments and the promotion order

# `rules.<rule>.params.order` (aliases: dev = development/develop, staging =
# stage/stg/preprod, production = prod/live).
order := settings.param("promotion-order-not-enforced", "order", ["dev", "staging", "production"])

alias_groups := [
	{"dev", "development", "develop"},
	{"staging", "stage", "stg", "preprod"},
	{"production", "prod", "live"},
]

# The names that stand for an entry of the order.
aliases(n) := g if {
	some g in alias_groups
	lower(n) in g
} else := {lower(n)}

slot_names := [aliases(n) | some n in order]

slot_of(name) := i if {
	some i, names in slot_names
	lower(name) in names
}

# The environment a job deploys to in a context, for a branch: as written, with the
# caller's inputs bound, `${{ github.ref_name }}` (the branch itself), a ternary on the ref
# (`github.ref == 'refs/heads/main' && 'production' || 'staging'`), or a matrix value.
env_names(job, ctx, b) := {n} if {
	n := bind_inputs(job.environment.name, ctx.inputs)
	not contains(n, "${{")
} else := {b} if {
	regex.match(`^\$\{\{\s*github\.(ref_name|event\.workflow_run\.head_branch)\s*\}\}$`, job.environment.name)
} else := {pick(m, b)} if {
	ms := regex.find_all_string_submatch_n(`^\$\{\{\s*github\.ref(?:_name)?\s*==\s*'(?:refs/heads/)?([^']+)'\s*&&\s*'([^']+)'\s*\|\|\s*'([^']+)'\s*\}\}$`, job.environment.name, 1)
	m := ms[0]
} else := matrix_values(job) if {
	regex.match(`^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$`, job.environment.name)
} else := set()

# The string values of the matrix key an environment names (`${{ matrix.env }}`).
matrix_values(job) := {v |
	ms := regex.find_all_string_submatch_n(`^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$`, job.environment.name, 1)
	is_object(job.strategy)
	matrix := object.get(job.strategy, "matrix", {})
	is_object(matrix)
	values := object.get(matrix, ms[0][1], [])
	is_array(values)
	some v in values
	is_string(v)
}

pick(m, b) := m[2] if m[1] == b else := m[3]

# `${{ inputs.x }}` bound (one expression: a name made of several is left unknown).
bind_inputs(name, inputs) := name if not contains(name, "${{")

bind_inputs(name, inputs) := replace(name, m[0][0], v) if {
	contains(name, "${{")
	m := regex.find_all_string_submatch_n(`\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}`, name, -1)
	count(m) == 1
	v := inputs[m[0][1]]
	is_string(v)
}

# Branch names deploys may run on: the settings' and those the triggers name.
universe := branch_names | {p |
	some wf in input.workflows
	some ev in ["push", "workflow_run"]
	some p in object.get(object.get(wf.triggers, ev, {}), "branches", [])
	is_string(p)
	not settings.is_glob(p)
} | {n |
	some wf in input.workflows
	some job in wf.jobs
	job.environment.name
	some cond in [object.get(job, "if", "")]
	tests_ref(cond)
	some part in split(cond, "||")
	some n in part_eq(part)
	not settings.is_glob(n)
}

# The environment's entry in the settings.
env_setting(name) := e if {
	some e in environments
	lower(e.name) == lower(name)
}

# Deployment branch policies allow b to deploy to the environment (when they were read:
# absent, the workflows alone decide).
env_allows(name, b) if not env_setting(name)

env_allows(name, b) if {
	e := env_setting(name)
	object.get(e, "deployment_branch_policy", null) == null
}

env_allows(name, b) if {
	p := env_setting(name).deployment_branch_policy
	is_object(p)
	p.protected_branches == true
	not settings_branches[b]
}

env_allows(name, b) if {
	p := env_setting(name).deployment_branch_policy
	is_object(p)
	p.protected_branches == true
	settings.protected(b)
}

env_allows(name, b) if {
	e := env_setting(name)
	p := e.deployment_branch_policy
	is_object(p)
	p.protected_branches != true
	not policies_read(e)
}

env_allows(name, b) if {
	e := env_setting(name)
	p := e.deployment_branch_policy
	is_object(p)
	p.protected_branches != true
	policies_read(e)
	some bp in e.branch_policies
	object.get(bp, "type", "branch") == "branch"
	glob.match(bp.name, ["/"], b)
}

policies_read(e) if e.branch_policies_readable == true

policies_read(e) if {
	not "branch_policies_readable" in object.keys(e)
	is_array(e.branch_policies)
}

# Branch policies that were asked for and refused.
policies_refused(e) if e.branch_policies_readable == false

# Every deploy of a job context to an environment of the order, by branch:
# {"branch", "env", "slot", "wf", "job", "ci", "strict"}. `strict`: the branch surely runs it
# (the trigger or a read condition names the branch).
deploys contains d if {
	some wf in input.workflows
	some job in wf.jobs
	job.environment.name
	some ci, ctx in job.contexts
	rb := run_branches(wf.path, job, ctx, universe)
	some b in rb.loose
	some env in env_names(job, ctx, b)
	slot := slot_of(env)
	env_allows(env, b)
	d := {"branch": b, "env": env, "slot": slot, "wf": wf.path, "job": job.id, "ci": ci, "strict": b in rb.strict}
}

# The branches that deploy to each slot of the order.
slot_branches := {i: {d.branch | some d in deploys; d.slot == i} | some i, _ in slot_names}

# The slot before i that something deploys to from a branch.
previous_slot(i) := max(earlier) if {
	earlier := {j | some j, bs in slot_branches; j < i; count(bs) > 0}
	count(earlier) > 0
}

# The run that deploys `d` deploys to slot p in a job it waits for.
upstream_deploy(d, p) if {
	ctx := job_at[d.wf][d.job].contexts[d.ci]
	some u in ctx.upstream
	some e in deploys
	e.slot == p
	e.wf == u.workflow
	e.job == u.job
}

# A ruleset rule on b requires a successful deployment to an environment of slot p.
requires_deployment(b, p) if {
	some params in settings.rule_params(b, "required_deployments")
	some n in object.get(params, "required_deployment_environments", [])
	is_string(n)
	slot_of(n) == p
}

# Environments whose branch policies were refused (promotions to them are not judged).
refused_envs := {lower(e.name) | some e in environments; policies_refused(e)}

# A branch's pushes deploy to slot i, the environment before it is deployed from other
# branches, and merging into the branch does not require that deployment: [branch, deploy,
# previous slot].
unenforced contains [b, d, p] if {
	settings.environments_readable
	some d in deploys
	d.strict
	b := d.branch
	settings.protected(b)
	d.slot > 0
	not lower(d.env) in refused_envs
	p := previous_slot(d.slot)
	not b in slot_branches[p]
	not upstream_deploy(d, p)
	not requires_deployment(b, p)
}

# ---------------------------------------------------------------------------------------
# Not judged: the gate rules a branch whose classic protection is hidden leaves open

not_judged(b) := [r |
	some r in ["pipeline-checks-not-required", "required-check-not-produced"]
	open(b, r)
]

open(b, "pipeline-checks-not-required") if count(left_out(b)) > 0

open(b, "required-check-not-produced") if not settings.rs_checks(b)

# Where a finding points in a job's file.
job_path(w, j) := job_at[w][j].path
