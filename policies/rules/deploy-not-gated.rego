package shiplint.rules.deploy_not_gated

import data.shiplint.lib.pipeline
import rego.v1

metadata := {
	"id": "deploy-not-gated",
	"title": "Deploy does not wait for the image scan",
	"severity": "error",
	"description": "A job deploys an image built by the pipeline, but neither it nor any job it transitively `needs:` (through its callers and the workflows they call) runs a vulnerability scan; or the scan is in another workflow that is not on the deploy's call chain.",
	"remediation": "Make the deploy `needs:` the scan job (or the job calling the security workflow), directly or through the jobs it already needs, so that a failed scan stops the deploy.",
	"tags": ["security", "scanning", "gate", "deploy"],
	"online": false,
}

# Deploys of an image this pipeline builds (upstream, or in the same job), in a context
# whose events release (not pull requests only; callers known).
# (Visits the deploying jobs, a few per repository, rather than testing every job.)
ungated contains [d.workflow, d.job, ci] if {
	some d in pipeline.deploying_jobs
	job := pipeline.job_at[d.workflow][d.job]
	some ci, ctx in job.contexts
	not pipeline.external(ctx)
	some t in ctx.triggers
	not t in pipeline.pr_events
	not pipeline.pr_only_run(job, ctx)
	builds_before(d.workflow, job, ctx)
	not scanned_before(d.workflow, job, ctx)
	not deploys_before(ctx)
	not manual_redeploy(d.workflow, ctx)
}

builds_before(wf_path, _, ctx) if {
	some u in ctx.upstream
	u in pipeline.building_jobs
}

builds_before(wf_path, job, _) if {"workflow": wf_path, "job": job.id} in pipeline.building_jobs

# A deploy after another deploy is judged at the first one (which is either reported or
# gated by a scan that then also precedes this one).
deploys_before(ctx) if {
	some u in ctx.upstream
	u in pipeline.deploying_jobs
}

scanned_before(wf_path, _, ctx) if {
	some u in ctx.upstream
	u in pipeline.scanning_jobs
}

scanned_before(wf_path, job, _) if {"workflow": wf_path, "job": job.id} in pipeline.scanning_jobs

# Started by hand only, and the workflow's call tree builds nothing: a redeploy of an
# existing (already scanned) tag.
manual_redeploy(wf_path, ctx) if {
	every t in ctx.triggers {
		t in {"workflow_dispatch", "repository_dispatch"}
	}
	not pipeline.calls_building(pipeline.workflow_at[pipeline.root_workflow(wf_path, ctx)])
}

# One finding per location (a caller's `needs:` may stand for several deploy jobs).
anchored contains [at, jid, rel] if {
	some [wfp, jid, ci] in ungated
	job := pipeline.job_at[wfp][jid]
	ctx := job.contexts[ci]
	at := pipeline.chain_anchor(wfp, job, ctx)
	rel := related(wfp, job, ctx)
}

findings contains f if {
	some at in {a | some [a, _, _] in anchored}
	jobs := sort({j | some [a, j, _] in anchored; a == at})
	rels := sort({r | some [a, _, r] in anchored; a == at})
	f := object.union(at, {
		"message": sprintf("deploy job %s does not wait for a vulnerability scan: no job it needs (directly or through its callers) scans the image it deploys", [concat(", ", [sprintf("`%s`", [j]) | some j in jobs])]),
		"related": rels[0],
	})
}

related(wfp, job, ctx) := array.concat(deploy_rel(wfp, job, ctx), scan_rel)

deploy_rel(wfp, job, ctx) := [{"file": wfp, "path": job.path, "message": "the job that deploys"}] if count(ctx.via) > 0

deploy_rel(_, _, ctx) := [] if count(ctx.via) == 0

scans := sort([[s.workflow, s.job] | some s in pipeline.scanning_jobs])

scan_rel := [{"file": scans[0][0], "path": pipeline.job_at[scans[0][0]][scans[0][1]].path, "message": "a scan job that is not on this deploy's needs chain"}] if count(scans) > 0

scan_rel := [] if count(scans) == 0

# ---------------------------------------------------------------------------------------
# Deploys that run in another workflow run than the build.

# A workflow started by `workflow_run` deploys: it is gated only when it checks that the
# triggering run succeeded and that run scans. One that builds nothing itself, after a
# triggering workflow that builds, deploys that build.
run_triggered contains [d.workflow, d.job, reason] if {
	some d in pipeline.deploying_jobs
	wf := pipeline.workflow_at[d.workflow]
	wf.triggers.workflow_run
	job := pipeline.job_at[d.workflow][d.job]
	some ctx in job.contexts
	"workflow_run" in ctx.triggers
	not deploys_before(ctx)
	not builds_before(d.workflow, job, ctx)
	not scanned_before(d.workflow, job, ctx)
	triggering := triggering_workflows(wf)
	some t in triggering
	pipeline.calls_building(t)
	reason := run_reason(wf, job, triggering)
}

# The workflows of this repository that `on.workflow_run.workflows` names (by `name:`).
triggering_workflows(wf) := [t |
	names := {n | some n in object.get(wf.triggers.workflow_run, "workflows", [])}
	some t in input.workflows
	object.get(t, "name", t.path) in names
]

run_reason(wf, job, _) := "it runs whatever the triggering run's outcome: nothing checks `github.event.workflow_run.conclusion == 'success'`" if {
	not checks_success(wf, job)
} else := "the workflow run that triggers it builds the image but scans nothing" if {
	checks_success(wf, job)
}

checks_success(wf, job) if regex.match(`workflow_run\.conclusion\s*==\s*['"]success['"]`, condition(job))

checks_success(wf, job) if {
	some other in wf.jobs
	other.id in job.needs_all
	regex.match(`workflow_run\.conclusion\s*==\s*['"]success['"]`, condition(other))
}

condition(job) := c if {
	c := job["if"]
	is_string(c)
} else := ""

# A run-triggered deploy is gated when it checks success and a triggering run scans.
run_gated(wf, job) if {
	checks_success(wf, job)
	some t in triggering_workflows(wf)
	scanning_tree(t)
}

scanning_tree(t) if {
	some s in pipeline.scanning_jobs
	s.workflow == t.path
}

scanning_tree(t) if {
	some job in t.jobs
	some s in pipeline.scanning_jobs
	s.workflow == job.calls.workflow
}

findings contains f if {
	some [wfp, jid, reason] in run_triggered
	job := pipeline.job_at[wfp][jid]
	not run_gated(pipeline.workflow_at[wfp], job)
	f := object.union(pipeline.chain_anchor(wfp, job, job.contexts[0]), {"message": sprintf("deploy job `%s` is started by `workflow_run` after a build, but is not gated by a scan: %s", [jid, reason])})
}

# A workflow started by `repository_dispatch` deploys, and a workflow of this repository
# sends that event (of a type it listens for) after building the image: like
# `workflow_run`, the deploy continues the build's run, not a redeploy by hand. It is gated
# only when the dispatching job waits for a scan.
dispatch_triggered contains [d.workflow, d.job, sw] if {
	some d in pipeline.deploying_jobs
	wf := pipeline.workflow_at[d.workflow]
	wf.triggers.repository_dispatch
	job := pipeline.job_at[d.workflow][d.job]
	some ctx in job.contexts
	"repository_dispatch" in ctx.triggers
	not deploys_before(ctx)
	not builds_before(d.workflow, job, ctx)
	not scanned_before(d.workflow, job, ctx)
	types := dispatch_types(wf.triggers.repository_dispatch)
	some [sw, sj, t] in pipeline.own_dispatches
	listens(types, t)
	sender := pipeline.job_at[sw][sj]
	some sctx in sender.contexts
	not pipeline.external(sctx)
	builds_before(sw, sender, sctx)
	not scanned_before(sw, sender, sctx)
}

dispatch_types(trigger) := {lower(t) | some t in object.get(trigger, "types", [])}

listens(types, _) if count(types) == 0

listens(types, t) if t in types

findings contains f if {
	some [wfp, jid] in {[w, j] | some [w, j, _] in dispatch_triggered}
	senders := sort({s | some [w, j, s] in dispatch_triggered; w == wfp; j == jid})
	job := pipeline.job_at[wfp][jid]
	f := object.union(pipeline.chain_anchor(wfp, job, job.contexts[0]), {"message": sprintf("deploy job `%s` is started by a `repository_dispatch` that %s sends after building the image, but no scan runs before the dispatch", [jid, concat(", ", [sprintf("`%s`", [s]) | some s in senders])])})
}

# A workflow started by `push` deploys the commit's image (`github.sha`), which another
# workflow builds on the same push: the two runs race, and the deploy waits for neither the
# build nor a scan.
racing contains [d.workflow, d.job, b.entry.workflow] if {
	some d in pipeline.deploying_jobs
	job := pipeline.job_at[d.workflow][d.job]
	some ctx in job.contexts
	"push" in ctx.triggers
	not deploys_before(ctx)
	not builds_before(d.workflow, job, ctx)
	not scanned_before(d.workflow, job, ctx)
	not pipeline.calls_building(pipeline.workflow_at[pipeline.root_workflow(d.workflow, ctx)])
	deploys_commit(d)
	some b in pipeline.release_builds
	b.entry.workflow != d.workflow
	"push" in pipeline.context(b.entry).triggers
	same_pushes(pipeline.root_workflow(d.workflow, ctx), pipeline.root_workflow(b.entry.workflow, pipeline.context(b.entry)))
}

# The job's deploy names the commit (`github.sha`, `GITHUB_SHA`) in its commands or inputs.
deploys_commit(d) if {
	some e in input.pipeline.steps
	e.workflow == d.workflow
	e.job_id == d.job
	regex.match(`github\.sha|GITHUB_SHA`, concat(" ", [e.run, json.marshal(e["with"])]))
}

# Two workflows can run for the same push: branch filters that may overlap (none, a
# shared name, or a pattern), and both on branches or both on tags.
same_pushes(a, b) if {
	pa := object.get(pipeline.workflow_at[a].triggers, "push", {})
	pb := object.get(pipeline.workflow_at[b].triggers, "push", {})
	overlap(object.get(pa, "branches", null), object.get(pb, "branches", null), object.get(pa, "tags", null), object.get(pb, "tags", null))
}

overlap(null, null, null, null) := true

overlap(ba, bb, _, _) := true if {
	is_array(ba)
	is_array(bb)
	some x in ba
	some y in bb
	may_meet(x, y)
}

overlap(null, bb, null, _) := true if is_array(bb)

overlap(ba, null, _, null) := true if is_array(ba)

may_meet(x, x) := true

may_meet(x, y) := true if {
	x != y
	some p in [x, y]
	contains(p, "*")
}

# (One finding per deploy job, naming every workflow that builds on the same push.)
findings contains f if {
	some [wfp, jid] in {[w, j] | some [w, j, _] in racing}
	builders := sort({b | some [w, j, b] in racing; w == wfp; j == jid})
	job := pipeline.job_at[wfp][jid]
	f := object.union(pipeline.chain_anchor(wfp, job, job.contexts[0]), {"message": sprintf("deploy job `%s` deploys this commit's image on `push`, but the image is built by %s in another workflow run on the same push: the deploy waits for neither that build nor a scan", [jid, concat(", ", [sprintf("`%s`", [b]) | some b in builders])])})
}
