package shiplint.rules.prod_deploy_without_environment

import data.shiplint.lib.pipeline
import data.shiplint.lib.steps
import rego.v1

metadata := {
	"id": "prod-deploy-without-environment",
	"title": "Production deploy without a GitHub environment",
	"severity": "error",
	"description": "A job deploys to production (its id or name, its workflow's name or file, or an environment-like input bound by its callers names a production environment: `prod`, `production`, `live` by default) but declares no `environment:`, so no required reviewers or branch restrictions can apply.",
	"remediation": "Add `environment: production` (or `environment: ${{ inputs.environment }}` in a reusable workflow) to the deploying job, and configure required reviewers on that environment.",
	"tags": ["security", "deploy", "approval"],
	"online": false,
}

prod_pattern := sprintf(`(?i)(^|[^a-z])(%s)([^a-z]|$)`, [concat("|", sort(pipeline.prod_names))])

# Evidence that a job, in one of its contexts, deploys to production.
evidence(wfp, job, ctx) := ((job_ev(job) | workflow_ev(wfp)) | (input_ev(ctx) | caller_ev(ctx))) | (concurrency_ev(wfp, job) | target_ev(wfp, job))

# The run is serialised in a concurrency group named for production (`deploy-production`).
concurrency_ev(wfp, job) := {sprintf("concurrency group `%s`", [g]) |
	raw := pipeline.workflow_at[wfp].raw
	some c in [object.get(raw, "concurrency", null), object.get(object.get(object.get(raw, "jobs", {}), job.id, {}), "concurrency", null)]
	g := group(c)
	regex.match(prod_pattern, g)
}

group(c) := c if is_string(c)

group(c) := c.group if is_string(c.group)

# What the deploy targets: a cluster, service, namespace, context or app named for
# production, in a deploy action's inputs or a deploy command's flags (as expanded).
target_ev(wfp, job) := {sprintf("deploy target `%s`", [v]) |
	some [w, j, v] in deploy_targets
	w == wfp
	j == job.id
	regex.match(prod_pattern, v)
}

# A target given as `${{ matrix.x }}` stands for each value the job's matrix gives `x`.
target_values(w, j, v) := {v} if not contains(v, "matrix.")

target_values(w, j, v) := {v} | {x |
	matrix := object.get(object.get(object.get(object.get(pipeline.workflow_at[w].raw, "jobs", {}), j, {}), "strategy", {}), "matrix", {})
	is_object(matrix)
	some m in regex.find_all_string_submatch_n(`\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}`, v, -1)
	some x in matrix_values(matrix, m[1])
} if contains(v, "matrix.")

matrix_values(matrix, key) := {x | some x in object.get(matrix, key, []); is_string(x)} | {x |
	some item in object.get(matrix, "include", [])
	x := object.get(item, key, null)
	is_string(x)
}

target_inputs := {"cluster", "service", "namespace", "environment-name", "environment_name", "app-name", "app_name", "application-name", "resource-group", "slot-name", "context"}

deploy_targets contains [w, j, x] if {
	some [w, j, v] in written_targets
	some x in target_values(w, j, v)
}

written_targets contains [e.workflow, e.job_id, v] if {
	keys := target_inputs
	some e in pipeline.using(steps.deploy_actions)
	some k, v in e["with"]
	k in keys
	is_string(v)
}

written_targets contains [e.workflow, e.job_id, trim(m[1], "\"'")] if {
	some [e, c] in pipeline.deploy_matches
	contains(c.text, " -")
	some m in regex.find_all_string_submatch_n(`\s(?:--cluster|--service|--namespace|-n|--context|--kube-context|--app|-a|--environment-name|--resource-group|-g|--name)[=\s]+("[^"]+"|'[^']+'|\$\{\{[^}]*\}\}|[^\s"']+)`, c.text, -1)
}

job_ev(job) := {sprintf("job `%s`", [job.id]) | regex.match(prod_pattern, concat(" ", [job.id, object.get(job, "name", "")]))}

workflow_ev(wfp) := {sprintf("workflow `%s`", [wfp]) |
	wf := pipeline.workflow_at[wfp]
	regex.match(prod_pattern, concat(" ", [base(wfp), object.get(wf, "name", "")]))
}

input_ev(ctx) := {sprintf("input `%s: %s`", [k, v]) |
	some k, v in ctx.inputs
	regex.match(pipeline.env_input, k)
	lower(trim_space(v)) in pipeline.prod_names
}

caller_ev(ctx) := {sprintf("caller job `%s`", [c.job]) |
	some c in ctx.via
	regex.match(prod_pattern, c.job)
}

base(p) := parts[count(parts) - 1] if parts := split(p, "/")

# (Visits the deploying jobs, a few per repository, rather than testing every job.)
offending contains [d.workflow, d.job] if {
	some d in pipeline.deploying_jobs
	job := pipeline.job_at[d.workflow][d.job]
	not job.environment
	some ctx in job.contexts
	count(evidence(d.workflow, job, ctx)) > 0
}

findings contains f if {
	some [wfp, jid] in offending
	job := pipeline.job_at[wfp][jid]
	ev := sort({x | some ctx in job.contexts; some x in evidence(wfp, job, ctx)})
	f := {
		"message": sprintf("job `%s` deploys to production (%s) but declares no `environment:`, so no required reviewers can approve it", [jid, concat(", ", ev)]),
		"file": wfp,
		"path": job.path,
	}
}
