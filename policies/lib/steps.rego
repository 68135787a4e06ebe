# Step classification: what a step does (scan, deploy, log in with cloud keys).
# Policies ask these helpers instead of matching action names themselves, so a team can
# teach shiplint its own scanners or deployers in one place.
package shiplint.lib.steps

import rego.v1

# Every step of the repository as written, with the file and job it belongs to (an
# array: a set would compare whole steps on every insertion). Steps of local composite
# actions have `job_id == ""`.
all_steps := array.concat(
	[{"file": wf.path, "job_id": job.id, "job_path": job.path, "step": step} |
		some wf in input.workflows
		some job in wf.jobs
		some step in job.steps
	],
	action_steps,
)

# The steps of local composite actions, as in `all_steps`.
action_steps := [{"file": a.path, "job_id": "", "job_path": [], "step": step} |
	some a in input.actions
	some step in a.steps
]

# A value is a secret when it is (or contains) a `${{ secrets.* }}` expression.
secret_ref(v) if {
	is_string(v)
	regex.match(`\$\{\{[^}]*\bsecrets\.`, v)
}

# A literal: a non-empty value with no expression at all (a key pasted into the file).
literal(v) if {
	is_string(v)
	trim_space(v) != ""
	not contains(v, "${{")
}

# A long-lived value: a stored secret or a literal (not an output of an OIDC exchange).
static_value(v) if secret_ref(v)

static_value(v) if literal(v)

# How a message describes where a static value comes from.
origin(v) := "a repository secret" if secret_ref(v)

origin(v) := "a literal in the file" if {
	not secret_ref(v)
	literal(v)
}

scanner_actions := {
	"aquasecurity/trivy-action",
	"anchore/scan-action",
	"snyk/actions",
	"docker/scout-action",
	"github/codeql-action/analyze",
	"bridgecrewio/checkov-action",
	"returntocorp/semgrep-action",
	"semgrep/semgrep-action",
	"devmasx/brakeman-linter-action",
	"aquasecurity/tfsec-action",
}

# Scanner invocations in shell scripts.
scanner_command := `(^|[\s;&|(])(trivy\s+(image|fs|filesystem|repo|repository|config|k8s|sbom|rootfs|conf)\b|grype\s|snyk\s+(test|container|code|iac)\b|docker\s+scout\s+(cves|quickview|recommendations)\b|brakeman\b|semgrep(\s|$)|checkov(\s|$))`

# (`uses.action` is `owner/repo[/path]`, `uses.action_repo` is `owner/repo`, lower case.)
scanner_step(step) if step.uses.action in scanner_actions

scanner_step(step) if step.uses.action_repo in scanner_actions

scanner_step(step) if regex.match(scanner_command, step.run)

# Job-level: a job scans when one of its steps does.
scanner_job(job) if {
	some step in job.steps
	scanner_step(step)
}

# A job that calls a reusable workflow which scans: a local callee with scanner steps,
# or any callee whose file name says scan/security.
scanner_job(job) if scanning_workflow(job.uses.resolved)

scanner_job(job) if {
	regex.match(`scan|secur|trivy|grype|snyk|codeql|vuln`, lower(job.uses.path))
}

# A workflow (by path) that runs a scanner in one of its own jobs. A function, not a set
# of every scanning workflow: it is asked about a few callees only, and a value rule would
# be computed whenever this package is used. Found through `input.pipeline.index`.
scanning_workflow(path) if {
	some name in scanner_actions
	some i in object.get(input.pipeline.index.actions, name, [])
	e := input.pipeline.steps[i]
	e.workflow == path
	e.file == path
}

scanning_workflow(path) if {
	pattern := scanner_command
	some t in scan_tools
	some i in object.get(input.pipeline.index.tools, t, [])
	e := input.pipeline.steps[i]
	e.workflow == path
	e.file == path
	some c in e.commands
	t in c.tools
	regex.match(pattern, c.text)
}

# Programs that scanners run (a cheap test before `scanner_command`).
scan_tools := {"trivy", "grype", "snyk", "docker", "brakeman", "semgrep", "checkov", "bundle"}

deploy_actions := {
	"azure/k8s-deploy",
	"azure/webapps-deploy",
	"azure/container-apps-deploy-action",
	"aws-actions/amazon-ecs-deploy-task-definition",
	"google-github-actions/deploy-cloudrun",
	"google-github-actions/deploy-appengine",
	"deliverybot/helm",
}

deploy_command := `(^|[\s;&|(])(helm\s+(upgrade|install|rollback)\b|kubectl\s+(apply|set\s+image|rollout\s+restart|replace|create)\b|kustomize\s+edit\s+set\s+image|aws\s+ecs\s+(update-service|deploy)\b|aws\s+deploy\s+create-deployment|gcloud\s+run\s+deploy|gcloud\s+app\s+deploy|az\s+containerapp\s+(update|up|create)\b|az\s+webapp\s+(deploy|config\s+container)|argocd\s+app\s+(sync|set)\b|flux\s+reconcile\b)`

deploy_step(step) if step.uses.action in deploy_actions

deploy_step(step) if step.uses.action_repo in deploy_actions

deploy_step(step) if regex.match(deploy_command, step.run)

# Programs that deploy (a cheap test before `deploy_command`).
deploy_tools := {"helm", "kubectl", "kustomize", "aws", "gcloud", "az", "argocd", "flux"}

# A job deploys when it targets an environment or runs a deploy step.
deploy_job(job) if job.environment.name

deploy_job(job) if {
	some step in job.steps
	deploy_step(step)
}

# The lines of a run script, with surrounding blanks trimmed, for line-level matching.
run_lines(step) := [trim_space(l) | some l in split(step.run, "\n")]
