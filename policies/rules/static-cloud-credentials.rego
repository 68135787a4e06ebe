package shiplint.rules.static_cloud_credentials

import data.shiplint.lib.pipeline
import data.shiplint.lib.steps
import rego.v1

metadata := {
	"id": "static-cloud-credentials",
	"title": "Static cloud credentials",
	"severity": "error",
	"description": "A workflow authenticates to a cloud with long-lived keys (AWS access keys, a GCP service-account key, an Azure service-principal secret) instead of short-lived OIDC tokens.",
	"remediation": "Use OIDC: trust the repository in the cloud's identity provider, grant the job `id-token: write`, and use `role-to-assume` / `workload_identity_provider` / `client-id`; then delete the stored keys.",
	"tags": ["security", "credentials", "oidc"],
	"online": false,
}

aws_key_inputs := {"aws-access-key-id", "aws-secret-access-key", "aws-session-token"}

# Inputs of other actions (ECR/GCR push actions, deploy wrappers) that take a cloud key:
# found through the step index by input name, whatever the action is called.
other_key_inputs := {
	"access_key_id", "secret_access_key", "aws_access_key_id", "aws_secret_access_key",
	"gcloud_service_key", "service_account_key", "gcp_sa_key", "gcp_credentials",
	"google_credentials", "azure_credentials",
}

findings contains f if {
	some key in other_key_inputs
	some s in pipeline.written([input.pipeline.steps[i] | some i in object.get(input.pipeline.index.inputs, key, [])])
	value := s.step["with"][key]
	steps.static_value(value)
	f := {
		"message": sprintf("`%s` passes a long-lived cloud key from %s to `%s` (%s)", [key, steps.origin(value), s.step.uses.raw, where(s)]),
		"file": s.file,
		"path": array.concat(s.step.path, ["with", key]),
	}
}

key_env_names := {
	"AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN",
	"AZURE_CLIENT_SECRET",
	"ARM_CLIENT_SECRET",
	"GOOGLE_CREDENTIALS",
}

where(s) := sprintf("step %d of job `%s`", [s.step.index + 1, s.job_id]) if s.job_id != ""

where(s) := sprintf("step %d of the action", [s.step.index + 1]) if s.job_id == ""

# Composite-action steps as their callers run them: `${{ inputs.key }}` bound to the
# caller's `secrets.*` (the steps as written say only `inputs.key`).
findings contains f if {
	some key in aws_key_inputs
	some i in object.get(input.pipeline.index.inputs, key, [])
	e := input.pipeline.steps[i]
	e.file != e.workflow
	some a in input.actions
	a.path == e.file
	contains(object.get(a.steps[e.step.index]["with"], key, ""), "inputs.")
	steps.static_value(e.with[key])
	f := {
		"message": sprintf("`%s` is a long-lived AWS key from %s, passed in by the action's caller", [key, steps.origin(e.with[key])]),
		"file": e.file,
		"path": array.concat(e.path, ["with", key]),
	}
}

# `with: aws-access-key-id: ${{ secrets.X }}` on any step.
findings contains f if {
	keys := aws_key_inputs
	some s in steps.all_steps
	some key, value in s.step.with
	key in keys
	steps.static_value(value)
	f := {
		"message": sprintf("`%s` is a long-lived AWS key from %s (%s)", [key, steps.origin(value), where(s)]),
		"file": s.file,
		"path": array.concat(s.step.path, ["with", key]),
	}
}

# Keys in `env:` at workflow, job or step level.
findings contains f if {
	names := key_env_names
	some wf in input.workflows
	some name, value in wf.env
	name in names
	steps.static_value(value)
	f := {
		"message": sprintf("`%s` gives every job of the workflow a long-lived cloud key from %s", [name, steps.origin(value)]),
		"file": wf.path,
		"path": ["env", name],
	}
}

findings contains f if {
	names := key_env_names
	some wf in input.workflows
	some job in wf.jobs
	some name, value in job.env
	name in names
	steps.static_value(value)
	f := {
		"message": sprintf("`%s` gives job `%s` a long-lived cloud key from %s", [name, job.id, steps.origin(value)]),
		"file": wf.path,
		"path": array.concat(job.path, ["env", name]),
	}
}

findings contains f if {
	names := key_env_names
	some s in steps.all_steps
	some name, value in s.step.env
	name in names
	steps.static_value(value)
	f := {
		"message": sprintf("`%s` gives %s a long-lived cloud key from %s", [name, where(s), steps.origin(value)]),
		"file": s.file,
		"path": array.concat(s.step.path, ["env", name]),
	}
}

# Keys exported to the environment in a script (`export AZURE_CLIENT_SECRET=${{ secrets.X }}`,
# or written to `$GITHUB_ENV`): the same as an `env:` key.
findings contains f if {
	some s in steps.all_steps
	contains(s.step.run, "secrets.")
	some name in key_env_names
	contains(s.step.run, name)
	some m in regex.find_all_string_submatch_n(concat("", [`(?m)^[ \t]*(?:export[ \t]+|echo[ \t]+["']?)?`, name, `=["']?\$\{\{[ \t]*secrets\.[A-Za-z0-9_]+[ \t]*\}\}`]), s.step.run, -1)
	f := {
		"message": sprintf("the script sets `%s` to a long-lived cloud key from a repository secret (%s)", [name, where(s)]),
		"file": s.file,
		"path": array.concat(s.step.path, ["run"]),
		"match": trim_space(m[0]),
	}
}

# Keys written into the CLI's configuration or a key file activated in a script.
key_commands := `aws\s+configure\s+set\s+(aws_access_key_id|aws_secret_access_key|aws_session_token)|gcloud\s+auth\s+activate-service-account[^\n]*--key-file`

# (A substring test first: a regex per script costs more than the scripts that match.)
# Steps that run `aws` or `gcloud` (through the pipeline index), and composite-action steps.
cli_steps := pipeline.written([e | some [e, _] in pipeline.with_tools({"aws", "gcloud"})]) | {s | some s in steps.action_steps}

findings contains f if {
	some s in cli_steps
	some word in ["configure", "activate-service-account"]
	contains(s.step.run, word)
	some command in regex.find_n(key_commands, s.step.run, -1)
	f := {
		"message": sprintf("`%s` configures a long-lived cloud key (%s)", [command, where(s)]),
		"file": s.file,
		"path": array.concat(s.step.path, ["run"]),
		"match": command,
	}
}

# Service-account keys and service-principal secrets given to the login actions.
login_key_inputs := {
	"google-github-actions/auth": "credentials_json",
	"google-github-actions/setup-gcloud": "service_account_key",
	"azure/login": "creds",
	"azure/aks-set-context": "creds",
}

# Steps that use a login action (through the pipeline index), and composite-action steps.
login_steps := pipeline.written(pipeline.using(object.keys(login_key_inputs) | {"docker/login-action"})) | {s | some s in steps.action_steps}

findings contains f if {
	inputs := login_key_inputs
	some s in login_steps
	some action in {s.step.uses.action, s.step.uses.action_repo}
	key := inputs[action]
	value := s.step.with[key]
	trim_space(value) != ""
	f := {
		"message": sprintf("`%s` passes a long-lived key to `%s` (%s)", [key, action, where(s)]),
		"file": s.file,
		"path": array.concat(s.step.path, ["with", key]),
	}
}

# Registry logins to cloud registries with long-lived keys.
cloud_registry := `\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com|(^|\.)gcr\.io|-docker\.pkg\.dev|\.azurecr\.io`

findings contains f if {
	some s in login_steps
	s.step.uses.action_repo == "docker/login-action"
	regex.match(cloud_registry, s.step.with.registry)
	steps.static_value(s.step.with.password)
	f := {
		"message": sprintf("registry login to `%s` uses a long-lived key from %s (%s)", [s.step.with.registry, steps.origin(s.step.with.password), where(s)]),
		"file": s.file,
		"path": array.concat(s.step.path, ["with", "password"]),
	}
}
