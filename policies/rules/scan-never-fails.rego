package shiplint.rules.scan_never_fails

import data.shiplint.lib.pipeline
import rego.v1

metadata := {
	"id": "scan-never-fails",
	"title": "Vulnerability scan can never fail",
	"severity": "error",
	"description": "A vulnerability scanner runs but is configured to exit 0 whatever it finds: Trivy without `exit-code: 1` (its default is 0) or with `--exit-code 0`, Grype (`anchore/scan-action`) with `fail-build: false`, the Grype CLI without `--fail-on`.",
	"remediation": "Make the scanner fail on findings: `exit-code: \"1\"` for trivy-action, `--exit-code 1` for the Trivy CLI, `fail-build: true` with a `severity-cutoff` for anchore/scan-action, `--fail-on high` for the Grype CLI.",
	"tags": ["security", "scanning", "gate"],
	"online": false,
}

# Trivy output formats that produce an inventory, not a verdict.
sbom_format := `(?i)^(cyclonedx|spdx|spdx-json|github|cosign-vuln)$`

findings contains f if {
	some e in pipeline.using({"aquasecurity/trivy-action"})
	not e.with["exit-code"]
	not e.with["trivy-config"]
	not regex.match(sbom_format, object.get(e.with, "format", "table"))
	not lower(object.get(e.with, "scan-type", "image")) == "sbom"
	not e.step.env.TRIVY_EXIT_CODE
	not report_checked_later(e)
	f := {
		"message": "trivy-action without `exit-code` exits 0 whatever it finds (its default), so the scan never fails",
		"file": e.file,
		"path": array.concat(e.path, ["uses"]),
	}
}

findings contains f if {
	some e in pipeline.using({"aquasecurity/trivy-action"})
	exit_code(e) == "0"
	f := {
		"message": "trivy-action with `exit-code: 0` never fails, whatever it finds",
		"file": e.file,
		"path": array.concat(e.path, ["with", "exit-code"]),
	}
}

findings contains f if {
	some e in pipeline.using({"anchore/scan-action"})
	lower(trim(e.with["fail-build"], "\"' ")) == "false"
	f := {
		"message": "anchore/scan-action with `fail-build: false` never fails, whatever Grype finds",
		"file": e.file,
		"path": array.concat(e.path, ["with", "fail-build"]),
	}
}

trivy_scan := `(^|[\s;&|(/])trivy\s+(image|fs|filesystem|repo|repository|config|k8s|rootfs|conf)\b`

findings contains f if {
	some [e, c] in pipeline.with_tools({"trivy", "docker", "podman"})
	contains(c.text, "trivy")
	regex.match(trivy_scan, c.text)
	not regex.match(`--exit-code[=\s]`, c.text)
	not regex.match(`--format[=\s]+(cyclonedx|spdx|spdx-json|github|cosign-vuln)\b|-f\s+(cyclonedx|spdx|spdx-json|github|cosign-vuln)\b|--config[=\s]|TRIVY_EXIT_CODE`, c.text)
	not e.step.env.TRIVY_EXIT_CODE
	f := {
		"message": "`trivy` without `--exit-code 1` exits 0 whatever it finds, so the scan never fails",
		"file": e.file,
		"path": array.concat(e.path, ["run"]),
		"match": pipeline.raw_line(e, c),
	}
}

findings contains f if {
	some [e, c] in pipeline.with_tools({"trivy", "grype", "docker", "podman"})
	contains(c.text, "exit-code")
	regex.match(`(^|[\s;&|(/])(trivy|grype)\s`, c.text)
	regex.match(`--exit-code[=\s]+["']?0\b`, c.text)
	f := {
		"message": "`--exit-code 0` makes the scanner succeed whatever it finds",
		"file": e.file,
		"path": array.concat(e.path, ["run"]),
		"match": pipeline.raw_line_with(e, c, "--exit-code"),
	}
}

findings contains f if {
	some [e, c] in pipeline.with_tools({"grype", "docker", "podman"})
	contains(c.text, "grype")
	regex.match(`(^|[\s;&|(/])grype\s+\S`, c.text)
	not regex.match(`\s(--fail-on|-f)[=\s]`, c.text)
	not regex.match(`grype\s+(db|version|completion|config)\b|--version`, c.text)
	f := {
		"message": "`grype` without `--fail-on <severity>` exits 0 whatever it finds, so the scan never fails",
		"file": e.file,
		"path": array.concat(e.path, ["run"]),
		"match": pipeline.raw_line(e, c),
	}
}

# The scanner writes a report that a later step of the same job reads (e.g. `grep -q
# CRITICAL trivy-results.sarif && exit 1`): the gate may be there.
# Brakeman exits non-zero when it warns, unless told not to.
findings contains f if {
	some [e, c] in pipeline.with_tools({"brakeman", "bundle"})
	contains(c.text, "--no-exit-on-warn")
	regex.match(`(^|[\s;&|(/])brakeman\b`, c.text)
	f := {
		"message": "`brakeman --no-exit-on-warn` exits 0 whatever it finds, so the scan never fails",
		"file": e.file,
		"path": array.concat(e.path, ["run"]),
		"match": pipeline.raw_line_with(e, c, "--no-exit-on-warn"),
	}
}

# The `exit-code` input as the scan runs: a literal, or `${{ inputs.x && A || B }}` chosen
# by the value the caller binds to `inputs.x` (unbound: unknown).
exit_code(e) := v if {
	m := regex.find_all_string_submatch_n(`^\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*&&\s*['"]?([A-Za-z0-9_]+)['"]?\s*\|\|\s*['"]?([A-Za-z0-9_]+)['"]?\s*\}\}$`, trim_space(e.with["exit-code"]), 1)[0]
	bound := pipeline.context(e).inputs[m[1]]
	v := chosen(bound, m[2], m[3])
} else := trim(e.with["exit-code"], "\"' ")

chosen(bound, yes, _) := yes if truthy(bound)

chosen(bound, _, no) := no if not truthy(bound)

truthy(v) if v == true

truthy(v) if {
	is_string(v)
	not lower(trim_space(v)) in {"", "false", "0"}
	not contains(v, "${{")
}

report_checked_later(e) if {
	out := trim_space(object.get(e.with, "output", ""))
	out != ""
	some later in input.pipeline.steps
	later.workflow == e.workflow
	later.job_id == e.job_id
	later.ci == e.ci
	later.step.index > e.step.index
	contains(later.run, out)
}
