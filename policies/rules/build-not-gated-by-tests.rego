package shiplint.rules.build_not_gated_by_tests

import data.shiplint.lib.pipeline
import rego.v1

metadata := {
	"id": "build-not-gated-by-tests",
	"title": "Release image is built without waiting for tests",
	"severity": "warning",
	"description": "The job that builds and pushes the release image does not transitively `needs:` a test or lint job (through its callers too), and runs no tests itself: an image of code that fails its tests is pushed and can be promoted.",
	"remediation": "Add `needs: test` (the test/lint job) to the build job, or to the job that calls the build workflow.",
	"tags": ["security", "build", "gate"],
	"online": false,
}

ungated contains [b.entry.workflow, b.entry.job_id, b.entry.ci] if {
	some b in pipeline.release_builds
	ctx := pipeline.context(b.entry)
	not pipeline.external(ctx)
	not pipeline.manual_only(ctx)
	not started_by_other_workflow(b.entry.workflow, ctx)
	not tested_before(b.entry, ctx)
}

tested_before(e, ctx) if {
	some u in ctx.upstream
	u in pipeline.testing_jobs
}

tested_before(e, _) if {"workflow": e.workflow, "job": e.job_id} in pipeline.testing_jobs

# `workflow_run` runs after another workflow (usually CI) completed.
started_by_other_workflow(wfp, ctx) if "workflow_run" in ctx.triggers

# One finding per location (a caller job may stand for several build jobs).
anchored contains [at, jid] if {
	some [wfp, jid, ci] in ungated
	job := pipeline.job_at[wfp][jid]
	at := pipeline.chain_anchor(wfp, job, job.contexts[ci])
}

findings contains f if {
	some at in {a | some [a, _] in anchored}
	jobs := sort({j | some [a, j] in anchored; a == at})
	f := object.union(at, {
		"message": sprintf("job %s builds and pushes the image without waiting for a test or lint job", [concat(", ", [sprintf("`%s`", [j]) | some j in jobs])]),
	})
}
