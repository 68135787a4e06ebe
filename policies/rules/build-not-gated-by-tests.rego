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
	not skipped_on_branches(e, ctx, u)
}

# The condition of a needed test job: its own `if:`, or that of the job of the build's
# workflow that calls the test workflow.
gate_condition(e, u) := c if {
	c := object.get(pipeline.job_at[u.workflow][u.job], "if", "")
	c != ""
} else := c if {
	some job in pipeline.workflow_at[e.workflow].jobs
	job.calls.workflow == u.workflow
	c := object.get(job, "if", "")
	c != ""
} else := ""

# A test job that runs only for tags (`if: github.ref_type == 'tag'`), before a build
# job that runs whatever its needs did (`if: always()` / `!cancelled()`), in a workflow
# that also runs on branch pushes: branch builds are pushed untested.
skipped_on_branches(e, ctx, u) if {
	test_if := gate_condition(e, u)
	not contains(test_if, "||")
	regex.match(`github\.ref_type\s*==\s*'tag'|startsWith\(\s*github\.ref\s*,\s*'refs/tags/`, test_if)
	build_if := object.get(pipeline.job_at[e.workflow][e.job_id], "if", "")
	regex.match(`always\(\)|!\s*cancelled\(\)`, build_if)
	root := pipeline.workflow_at[pipeline.root_workflow(e.workflow, ctx)]
	count(object.get(object.get(root.triggers, "push", {}), "branches", [])) > 0
}

tested_before(e, _) if {"workflow": e.workflow, "job": e.job_id} in pipeline.testing_jobs

# A build saved to a file and pushed only by later jobs that load it: the push is the
# release, gated when every such job waits for tests.
tested_before(e, _) if {
	not pipeline.pushes_in_job(e)
	pushers := pipeline.handoff_pushers(e)
	count(pushers) > 0
	every p in pushers {
		pusher_tested(p)
	}
}

pusher_tested([w, j, ci]) if {
	some u in pipeline.job_at[w][j].contexts[ci].upstream
	u in pipeline.testing_jobs
}

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
