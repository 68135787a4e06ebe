package shiplint.rules.oidc_missing_id_token

import rego.v1

metadata := {
	"id": "oidc-missing-id-token",
	"title": "OIDC without id-token permission",
	"severity": "error",
	"description": "A job exchanges a GitHub OIDC token for cloud credentials, but its effective permissions do not grant `id-token: write`, so the token request fails at run time.",
	"remediation": "Add `id-token: write` to the job's `permissions:` (a job-level block replaces the workflow's, so repeat `contents: read` there too).",
	"tags": ["security", "credentials", "oidc"],
	"online": false,
}

# The input that shows a step uses OIDC rather than keys.
# (`uses.action_repo` is the lower-cased `owner/repo`; tested before the function is
# called, because most steps use none of these actions.)
oidc_actions := {"aws-actions/configure-aws-credentials", "google-github-actions/auth", "azure/login"}

oidc_input(wf, step) := "role-to-assume" if {
	step.uses.action_repo == "aws-actions/configure-aws-credentials"
	step.with["role-to-assume"]
	not step.with["aws-access-key-id"]
}

# With access keys the action assumes the role with them (no OIDC), unless the keys are
# secrets that the reusable workflow declares optional (`required: false`): a caller that
# passes none gets empty keys, and the role is then assumed through OIDC.
oidc_input(wf, step) := "role-to-assume" if {
	step.uses.action_repo == "aws-actions/configure-aws-credentials"
	step.with["role-to-assume"]
	optional_secret(wf, step.with["aws-access-key-id"])
}

optional_secret(wf, v) if {
	is_string(v)
	some m in regex.find_all_string_submatch_n(`^\$\{\{\s*secrets\.([A-Za-z0-9_-]+)\s*\}\}$`, trim_space(v), 1)
	decl := wf.triggers.workflow_call.secrets[m[1]]
	not required(decl)
}

required(decl) if decl.required == true

oidc_input(_, step) := "workload_identity_provider" if {
	step.uses.action_repo == "google-github-actions/auth"
	step.with.workload_identity_provider
}

oidc_input(_, step) := "client-id" if {
	step.uses.action_repo == "azure/login"
	step.with["client-id"]
	not step.with.creds
}

grants(permissions) if permissions["id-token"] == "write"

# A reusable workflow whose job declares no permissions runs with its caller's token:
# it is judged through its callers in this repository.
inherits_token(wf, job) if {
	object.keys(wf.triggers) == {"workflow_call"}
	job.permissions_source == "default"
}

source_text(job) := "its own `permissions:`" if job.permissions_source == "job"

source_text(job) := "the workflow's `permissions:`" if job.permissions_source == "workflow"

source_text(job) := "the default token permissions (no `permissions:` anywhere)" if job.permissions_source == "default"

findings contains f if {
	names := oidc_actions
	some wf in input.workflows
	some job in wf.jobs
	some step in job.steps
	step.uses.action_repo in names
	not inherits_token(wf, job)
	not grants(job.permissions)
	key := oidc_input(wf, step)
	f := {
		"message": sprintf("job `%s` requests an OIDC token (`%s`) but %s do not grant `id-token: write`", [job.id, key, source_text(job)]),
		"file": wf.path,
		"path": array.concat(step.path, ["with", key]),
	}
}

findings contains f if {
	names := oidc_actions
	some wf in input.workflows
	some job in wf.jobs
	some step in job.steps
	step.uses.action_repo in names
	inherits_token(wf, job)
	key := oidc_input(wf, step)
	some caller_wf in input.workflows
	some caller in caller_wf.jobs
	caller.uses.resolved == wf.path
	not grants(caller.permissions)
	f := {
		"message": sprintf("job `%s` requests an OIDC token (`%s`) but its caller `%s` in %s does not grant `id-token: write`", [job.id, key, caller.id, caller_wf.path]),
		"file": wf.path,
		"path": array.concat(step.path, ["with", key]),
		"related": [{"file": caller_wf.path, "path": array.concat(caller.path, ["uses"]), "message": "called here without `id-token: write`"}],
	}
}
