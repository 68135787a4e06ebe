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

# Local composite actions that no local workflow runs (called from other repositories
# only): their steps appear in no `input.pipeline.steps` entry, so rules that judge
# entries visit these as written.
uncalled_actions := [a | some a in input.actions; not input.pipeline.index.action_files[a.path]]

# A value is a secret when it is (or contains) a `${{ secrets.* }}` expression.
secret_ref(v) if {
	is_string(v)
	regex.match(`\$\{\{[^}]*\bsecrets\.`, v)
}

# A literal: a value with no expression at all that is long enough to be a key pasted into
# the file (cloud keys are 20 characters and more; `test` or `dummy` for a local emulator
# are not keys).
literal(v) if {
	is_string(v)
	count(trim_space(v)) >= 16
	not contains(v, "${{")
	not contains(v, "$")
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

# Scanner invocations in shell scripts (also when run by path: `bin/brakeman`).
scanner_command := `(^|[\s;&|(/])(trivy\s+(image|fs|filesystem|repo|repository|config|k8s|sbom|rootfs|conf)\b|grype\s|snyk\s+(test|container|code|iac)\b|docker\s+scout\s+(cves|quickview|recommendations)\b|brakeman\b|semgrep(\s|$)|checkov(\s|$)|audit-ci\b|\S*dependencyCheck(Analyze|Aggregate)\b|dependency-check(\.sh)?\s|pipeline-scan\.jar\b)`

# (`uses.action` is `owner/repo[/path]`, `uses.action_repo` is `owner/repo`, lower case.)
scanner_step(step) if step.uses.action in scanner_actions

scanner_step(step) if step.uses.action_repo in scanner_actions

scanner_step(step) if regex.match(scanner_command, step.run)

# Actions named for scanning images or dependencies (wrappers of the scanners in other
# repositories: `org/shared-actions/.github/actions/snyk-scan`, `azure/container-scan`).
scanner_name := `(trivy|grype|snyk|scout|vuln|container-scan|image-scan|security-scan|docker-scan|dependency-check)`

scanner_step(step) if regex.match(scanner_name, step.uses.action)

# Of the actions the repository uses, those named for scanning (one regex call).
scanner_named_actions := {m |
	names := object.keys(input.pipeline.index.actions)
	count(names) > 0
	some m in regex.find_n(concat("", [`(?m)^[^\n]*`, scanner_name, `[^\n]*$`]), concat("\n", names), -1)
}

# Job-level: a job scans when one of its steps does.
scanner_job(job) if {
	some step in job.steps
	scanner_step(step)
}

# A job that calls a reusable workflow which scans: a local callee with scanner steps
# (judged by what it runs, not by its name), or another repository's callee whose file
# name says scan/security.
scanner_job(job) if scanning_workflow(job.uses.resolved)

scanner_job(job) if {
	not job.uses.resolved
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
scan_tools := {"trivy", "grype", "snyk", "docker", "brakeman", "semgrep", "checkov", "bundle", "audit-ci", "gradle", "gradlew", "dependency-check", "dependency-check.sh", "java"}

deploy_actions := {
	"azure/k8s-deploy",
	"azure/webapps-deploy",
	"azure/container-apps-deploy-action",
	"azure/aci-deploy",
	"azure/functions-action",
	"aws-actions/amazon-ecs-deploy-task-definition",
	"aws-actions/amazon-ecs-deploy-express-service",
	"awslabs/amazon-app-runner-deploy",
	"einaregilsson/beanstalk-deploy",
	"google-github-actions/deploy-cloudrun",
	"google-github-actions/deploy-appengine",
	"google-github-actions/deploy-gke",
	"deliverybot/helm",
	"koslib/helm-eks-action",
	"bitovi/github-actions-deploy-eks-helm",
	"wahyd4/kubectl-helm-action",
	"steebchen/kubectl",
	"actions-hub/kubectl",
	"digitalocean/app_action",
	"stefanprodan/kube-tools",
	"hiberbee/github-action-helm",
}

# Deploy commands (also when run by path: `bin/kamal deploy`): deploy CLIs, the Serverless
# Framework, a package's own `deploy` script (`npm run deploy`), and the deploy hooks of
# hosting services (Cloud66 `stacks/redeploy`, Render `deploy/srv-…`, Laravel Forge).
# Global flags before the subcommand (`kubectl --context prod -n web set image ...`) are matched apart, by
# `flagged_deploy_command`, on the few commands that have them: optional flag groups in
# this pattern would make every match of it slower.
deploy_command := concat("", [`(^|[\s;&|(/])(`, concat("|", [
	`helm\s+(upgrade|install|rollback)\b`,
	`helmfile\s+(apply|sync|deploy)\b`,
	`kubectl\s+(apply|set\s+image|rollout\s+restart|replace|create|patch)\b`,
	`kustomize\s+edit\s+set\s+image`,
	`aws\s+ecs\s+(update-service|deploy|create-service|run-task)\b`,
	`aws\s+deploy\s+create-deployment`,
	`aws\s+elasticbeanstalk\s+(update-environment|create-environment)\b`,
	`eb\s+deploy\b`,
	`aws\s+apprunner\s+(start-deployment|update-service|create-service)\b`,
	`aws\s+lambda\s+update-function-code\b.*--image-uri`,
	`ecs-deploy\b`,
	`gcloud\s+(beta\s+|alpha\s+)?run\s+(deploy|services\s+(update|replace)|jobs\s+(deploy|update))\b`,
	`gcloud\s+app\s+deploy`,
	`gcloud\s+container\s+clusters\s+get-credentials\b.*&&.*kubectl`,
	`az\s+containerapp\s+(update|up|create)\b`,
	`az\s+webapp\s+(deploy|config\s+container|create|update)\b`,
	`az\s+container\s+create\b`,
	`az\s+functionapp\s+(deploy|config\s+container)`,
	`argocd\s+app\s+(sync|set)\b`,
	`flux\s+reconcile\b`,
	`fly(ctl)?\s+deploy\b`,
	`kamal\s+(deploy|redeploy|rollback)\b`,
	`docker\s+stack\s+deploy\b`,
	`docker\s+service\s+update\b`,
	`skaffold\s+(run|deploy)\b`,
	`copilot\s+(svc|job)\s+deploy\b`,
	`(serverless|sls)\s+deploy\b`,
	`(npm|pnpm|yarn)\s+(run\s+)?deploy([\s;&|)]|$)`,
	`curl\s.*(hooks\.cloud66\.com/stacks/redeploy/|api\.render\.com/deploy/|forge\.laravel\.com/servers/\S*/deploy)`,
	`aws\s+lightsail\s+create-container-service-deployment\b`,
]), `)`])

deploy_step(step) if step.uses.action in deploy_actions

deploy_step(step) if step.uses.action_repo in deploy_actions

deploy_step(step) if regex.match(deploy_command, step.run)

# Actions named for deploying to a platform (wrappers in other repositories:
# `org/actions/aks-deploy`, `org/argocd-deploy`, `org/action-deployer-openshift`): a
# platform word joined to `deploy` in one segment of the name.
deploy_platforms := `(argocd|argo-cd|aks|eks|gke|k8s|kube|kubernetes|helm|openshift|ecs|cloud-?run|container-?apps?)`

deploy_name := concat("", [`(^|[/_-])(`, deploy_platforms, `[a-z0-9_-]*[_-]deploy(er|ment)?|deploy(er)?[a-z0-9_-]*[_-]`, deploy_platforms, `)([/_-]|$)`])

# Of the actions the repository uses, those named for deploying (one regex call, on the
# names that say `deploy`).
deploy_named_actions := {m |
	names := [n | some n, _ in input.pipeline.index.actions; contains(n, "deploy")]
	count(names) > 0
	some m in regex.find_n(concat("", [`(?m)^[^\n]*`, deploy_name, `[^\n]*$`]), concat("\n", names), -1)
}

deploy_step(step) if step.uses.action in deploy_named_actions

# Deploys over SSH: an SSH action's script, or an `ssh host '…'` command, that pulls and
# runs containers on the host (`docker pull|run`, `docker compose up`, `make up`).
ssh_actions := {
	"appleboy/ssh-action": "script",
	"garygrossgarten/github-action-ssh": "command",
	"fifsky/ssh-action": "command",
	"d3vmc/ssh-action": "command",
}

remote_deploy := `(^|[\s;&|(/'"])(docker(\s+compose|-compose)?\s+([^;&|\n]*\s)?(pull|run|up)\b|docker\s+(stack\s+deploy|service\s+update)\b|make\s+(up|deploy)\b|kubectl\s+([^;&|\n]*\s)?(apply|set\s+image|rollout\s+restart)\b|helm\s+([^;&|\n]*\s)?(upgrade|install)\b)`

ssh_deploy_command := `(^|[\s;&|(/])(ssh\s.*docker(\s+compose|-compose)?\s+([^;&|\n]*\s)?(pull|run|up)\b)`

ssh_deploy(action, w) if {
	key := ssh_actions[action]
	regex.match(remote_deploy, object.get(w, key, ""))
}

deploy_step(step) if ssh_deploy(step.uses.action_repo, step["with"])

deploy_step(step) if regex.match(ssh_deploy_command, step.run)

# `superfly/flyctl-actions` runs whatever `args` say (its `/setup-flyctl` only installs).
deploy_step(step) if flyctl_deploy(step.uses.action, step["with"])

flyctl_deploy(action, w) if {
	action == "superfly/flyctl-actions"
	regex.match(`(^|\s)deploy\b`, object.get(w, "args", ""))
	not contains(object.get(w, "args", ""), "--build-only")
}

# Programs that deploy (a cheap test before `deploy_command`).
flagged_deploy_command := `(^|[\s;&|(/])(helm\s+-[^;&|\n]*\s(upgrade|install|rollback)\b|helmfile\s+-[^;&|\n]*\s(apply|sync|deploy)\b|kubectl\s+-[^;&|\n]*\s(apply|set\s+image|rollout\s+restart|replace|create|patch)\b|fly(ctl)?\s+-[^;&|\n]*\sdeploy\b)`

# Commands whose program is followed by a flag (a cheap test before the regex).
flagged(text) if {
	some w in ["helm -", "helmfile -", "kubectl -", "fly -", "flyctl -"]
	contains(text, w)
}

deploy_step(step) if {
	flagged(step.run)
	regex.match(flagged_deploy_command, step.run)
}

# (`docker` is not among them: most of a repository's commands are docker's, and only
# `docker stack deploy` / `docker service update` deploy; see `swarm_deploys`.)
deploy_tools := {"helm", "helmfile", "kubectl", "kustomize", "aws", "eb", "ecs-deploy", "gcloud", "az", "argocd", "flux", "fly", "flyctl", "kamal", "skaffold", "copilot", "serverless", "sls", "npm", "pnpm", "yarn", "curl"}

# A job deploys when it targets an environment or runs a deploy step.
deploy_job(job) if job.environment.name

deploy_job(job) if {
	some step in job.steps
	deploy_step(step)
}

# The lines of a run script, with surrounding blanks trimmed, for line-level matching.
run_lines(step) := [trim_space(l) | some l in split(step.run, "\n")]
