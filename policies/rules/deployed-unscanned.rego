package shiplint.rules.deployed_unscanned

import data.shiplint.lib.history
import rego.v1

metadata := {
	"id": "deployed-unscanned",
	"title": "Production runs a commit the scan did not pass",
	"severity": "error",
	"description": "The deployment history shows a commit deployed successfully to production that has no successful check run of the pipeline's scan job: the scan is missing, failed, was skipped or cancelled on that commit, so production runs an image no scan let through.",
	"remediation": "Make the deploy wait for the scan of the same commit (`needs:` the scan job, no `continue-on-error`, no `if: always()`), and deploy only what was built and scanned on that SHA; then redeploy production from a commit whose scan passed.",
	"tags": ["security", "history", "scanning"],
	"online": true,
}

# One finding per commit and production environment, when the commit's check runs were
# read and every scan job's check run can be recognised by its name.
findings contains f if {
	some [env, sha] in history.deployed_to_production
	history.record.commits[sha].checks.readable == true
	count(history.unknowable_scan_jobs) == 0
	scan := history.pipeline[sha].scan
	not scan.succeeded
	d := history.first_deployment(env, sha)
	f := {
		"message": sprintf("`%s` was deployed to %s at %s%s, but %s", [
			history.short(sha), env, history.when(d.succeeded_at), history.by_run(d), why(scan),
		]),
		"setting": sprintf("deployments/%s/%s", [env, sha]),
	}
}

why(scan) := "the workflows have no scan job: nothing scanned it" if count(scan.jobs) == 0

why(scan) := sprintf("no check run of the scan job (%s) ran on that commit", [history.names(scan.jobs)]) if {
	count(scan.jobs) > 0
	count(scan.runs) == 0
}

why(scan) := sprintf("no check run of the scan job passed on that commit: %s", [concat(", ", outcomes)]) if {
	count(scan.runs) > 0
	outcomes := [sprintf("`%s` %s", [r.name, object.get(r, "conclusion", r.status)]) | some r in scan.runs]
}
