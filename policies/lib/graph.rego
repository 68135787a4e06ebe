# Pipeline roles of every job, for the pipeline graph of the job-summary report
# (`--format markdown`): which jobs build an image, scan, deploy (and to which
# environment). Scan and deploy come from the step helpers, so teaching shiplint a new
# scanner or deployer there also shows in the graph.
package shiplint.lib.graph

import data.shiplint.lib.actions
import data.shiplint.lib.steps
import rego.v1

build_actions := {
	"docker/build-push-action",
	"redhat-actions/buildah-build",
	"aws-actions/aws-codebuild-run-build",
	"google-github-actions/build-push",
	"ko-build/setup-ko",
}

# Image builds in shell scripts.
build_command := `(^|[\s;&|(])(docker\s+(build|buildx\s+build|image\s+build)\b|buildah\s+(bud|build)\b|podman\s+build\b|kaniko\b|/kaniko/executor\b|ko\s+(build|publish|resolve)\b|pack\s+build\b|gcloud\s+builds\s+submit\b|nerdctl\s+build\b)`

build_step(step) if actions.uses_any(step, build_actions)

build_step(step) if regex.match(build_command, step.run)

build_job(job) if {
	some step in job.steps
	build_step(step)
}

job_roles(job) := [role |
	some role in ["build", "scan", "deploy"]
	role_of(job, role)
]

role_of(job, role) if has_role(job, role)

# A job calling a local reusable workflow does what the callee's jobs do.
role_of(job, role) if role in via_call(job)

callees(job) := [wf | some wf in input.workflows; wf.path == job.uses.resolved]

via_call(job) := {role |
	some wf in callees(job)
	some inner in wf.jobs
	some role in ["build", "scan", "deploy"]
	has_role(inner, role)
}

# The environments a job deploys to: its own, or (for a call) the callee jobs' with the
# caller's `with:` bound to `inputs.*`.
job_environments(job) := [job.environment.name] if job.environment.name

job_environments(job) := sort({bind(inner.environment.name, job.with) |
	some wf in callees(job)
	some inner in wf.jobs
	inner.environment.name
}) if not job.environment.name

bind(name, args) := replace(name, m[0][0], v) if {
	m := regex.find_all_string_submatch_n(`\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}`, name, 1)
	v := args[m[0][1]]
	is_string(v)
} else := name

has_role(job, "build") if build_job(job)

has_role(job, "scan") if steps.scanner_job(job)

has_role(job, "deploy") if steps.deploy_job(job)

# One entry per job of every workflow: `{"file", "job", "roles": [...], "environments":
# [...]}` with roles in the order build, scan, deploy.
jobs contains {
	"file": wf.path,
	"job": job.id,
	"roles": job_roles(job),
	"environments": job_environments(job),
} if {
	some wf in input.workflows
	some job in wf.jobs
}
