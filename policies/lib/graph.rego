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
	has_role(job, role)
]

has_role(job, "build") if build_job(job)

has_role(job, "scan") if steps.scanner_job(job)

has_role(job, "deploy") if steps.deploy_job(job)

# One entry per job of every workflow: `{"file", "job", "roles": [...]}` with roles in
# the order build, scan, deploy.
jobs contains {"file": wf.path, "job": job.id, "roles": job_roles(job)} if {
	some wf in input.workflows
	some job in wf.jobs
}
