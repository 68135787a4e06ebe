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
