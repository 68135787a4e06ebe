package shiplint.rules.scan_continue_on_error

import data.shiplint.lib.pipeline
import data.shiplint.lib.steps
import rego.v1

metadata := {
	"id": "scan-continue-on-error",
	"title": "Security scan does not gate",
	"severity": "error",
	"description": "A security scan is allowed to fail without stopping the pipeline: `continue-on-error` on the scanner step, its job or the call of the security workflow; `|| true`, `; exit 0` or `set +e` around a scanner command; or a deploy job that runs `if: always()` after the scan.",
	"remediation": "Let the scan fail the job: remove `continue-on-error`, `|| true` and `set +e`, and let deploy jobs run only when the scan succeeded. To accept a known finding, suppress that CVE in the scanner's ignore file instead.",
	"tags": ["security", "scanning", "gate"],
	"online": false,
}

# `continue-on-error: true` or an expression (which may be true at run time).
tolerates(value) if value == true

tolerates(value) if is_string(value)

# (Each body tests the rare property first: most steps and jobs tolerate nothing.)
findings contains f if {
	some s in steps.all_steps
	s.step.continue_on_error != false
	tolerates(s.step.continue_on_error)
	steps.scanner_step(s.step)
	f := {
		"message": "the scanner step has `continue-on-error`, so vulnerabilities never stop the pipeline",
		"file": s.file,
		"path": array.concat(s.step.path, ["continue-on-error"]),
	}
}

# A script of the repository named for checking scan results (`check_ecr_findings.sh`,
# `scan-image.sh`, `check_vulnerabilities.py`): its contents are not in the workflow, its
# name says it checks the findings of a scan (an ECR image scan, say).
scan_script := `(^|[\s;&|(/])[A-Za-z0-9_.-]*(scan|vuln|cve|findings)[A-Za-z0-9_.-]*\.(sh|py|rb|js|ps1)([\s;&|)"']|$)`

findings contains f if {
	some s in steps.all_steps
	s.step.continue_on_error != false
	tolerates(s.step.continue_on_error)
	not steps.scanner_step(s.step)
	regex.match(scan_script, lower(s.step.run))
	f := {
		"message": "the step that checks the scan's findings has `continue-on-error`, so vulnerabilities never stop the pipeline",
		"file": s.file,
		"path": array.concat(s.step.path, ["continue-on-error"]),
	}
}

findings contains f if {
	some wf in input.workflows
	some job in wf.jobs
	job.continue_on_error != false
	tolerates(job.continue_on_error)
	steps.scanner_job(job)
	f := {
		"message": sprintf("job `%s` scans for vulnerabilities but has `continue-on-error`, so a failed scan never stops the pipeline", [job.id]),
		"file": wf.path,
		"path": array.concat(job.path, ["continue-on-error"]),
	}
}

# Shell forms that swallow a scanner's exit code.
swallowed := `(\|\|\s*(true|:|exit\s+0)\b)|(;\s*exit\s+0\b)|(\|\|\s*echo\b)`

# Steps whose script runs a scanner, then examined line by line: those of workflows found
# through the pipeline index (only steps that run a scanner program), and those of every
# local composite action (few, and an action may be called from other repositories only).
scanner_scripts := {{"file": e.file, "step": {"path": e.path, "run": e.step.run}} |
	some [e, _] in pipeline.scan_matches
} | {{"file": a.path, "step": step} |
	pattern := steps.scanner_command
	some a in input.actions
	some step in a.steps
	regex.match(pattern, step.run)
}

# (Judged on logical commands: `|| true` often ends a command continued over lines.)
findings contains f if {
	some [e, c] in pipeline.scan_matches
	some m in regex.find_n(swallowed, c.text, 1)
	f := {
		"message": "the scanner's exit code is discarded, so vulnerabilities never fail the step",
		"file": e.file,
		"path": array.concat(e.path, ["run"]),
		"match": pipeline.raw_line_with(e, c, trim_space(m)),
	}
}

findings contains f if {
	pattern := steps.scanner_command
	some a in steps.uncalled_actions
	some step in a.steps
	s := {"file": a.path, "step": step}
	some line in steps.run_lines(s.step)
	regex.match(swallowed, line)
	regex.match(pattern, line)
	f := {
		"message": "the scanner's exit code is discarded, so vulnerabilities never fail the step",
		"file": s.file,
		"path": array.concat(s.step.path, ["run"]),
		"match": line,
	}
}

findings contains f if {
	pattern := steps.scanner_command
	some s in scanner_scripts
	lines := steps.run_lines(s.step)
	some i, line in lines
	regex.match(`^set\s+(-[a-zA-Z]*)?\+e\b|^set\s+\+e\b`, line)
	some j, later in lines
	j > i
	regex.match(pattern, later)
	f := {
		"message": "`set +e` lets the script continue after the scanner fails, so vulnerabilities never fail the step",
		"file": s.file,
		"path": array.concat(s.step.path, ["run"]),
		"match": line,
	}
}

# `always()` or `!cancelled()` without a check of the scan's result.
# A job deploys itself (an environment or a deploy step), or calls a workflow that deploys
# (the caller's `if:` decides whether the callee runs). A job whose steps inspect its needs'
# results (`needs.scan.result`) is a status gate that fails by itself, not a deploy that
# runs regardless.
deploys(_, job) if {
	steps.deploy_job(job)
	not checks_results(job)
}

deploys(_, job) if pipeline.deploying_tree(job.calls.workflow)

checks_results(job) if {
	some step in job.steps
	regex.match(`needs\.[A-Za-z0-9_-]+\.result`, step.run)
}

scans(_, job) if steps.scanner_job(job)

scans(wf, job) if {"workflow": wf.path, "job": job.id} in pipeline.scanning_jobs

runs_after_failure(cond) if {
	regex.match(`always\(\)|!\s*cancelled\(\)`, cond)
	not contains(cond, ".result")
}

findings contains f if {
	some wf in input.workflows
	some job in wf.jobs
	cond := job["if"]
	runs_after_failure(cond)
	deploys(wf, job)
	some needed in wf.jobs
	needed.id in job.needs_all
	scans(wf, needed)
	f := {
		"message": sprintf("deploy job `%s` runs even when scan job `%s` failed (`if: %s`)", [job.id, needed.id, job["if"]]),
		"file": wf.path,
		"path": array.concat(job.path, ["if"]),
		"related": [{"file": wf.path, "path": needed.path, "message": "the scan this deploy should wait for"}],
	}
}
