package shiplint.rules.scan_severity_too_narrow

import data.shiplint.lib.pipeline
import rego.v1

metadata := {
	"id": "scan-severity-too-narrow",
	"title": "Scan severity threshold lets HIGH or CRITICAL through",
	"severity": "warning",
	"description": "The scanner's severity filter excludes HIGH or CRITICAL vulnerabilities: Trivy `severity`/`--severity` without HIGH or CRITICAL, Grype `severity-cutoff: critical` or `--fail-on critical`.",
	"remediation": "Gate on at least `HIGH,CRITICAL` (Trivy `severity: HIGH,CRITICAL`, Grype `severity-cutoff: high` / `--fail-on high`); make the scan precise with `ignore-unfixed` and an ignore file with reasons instead of narrowing the threshold.",
	"tags": ["security", "scanning", "gate"],
	"online": false,
}

gate_levels := {"HIGH", "CRITICAL"}

missing(list) := [l | some l in ["HIGH", "CRITICAL"]; not l in {upper(trim_space(s)) | some s in split(list, ",")}]

findings contains f if {
	some e in pipeline.using({"aquasecurity/trivy-action"})
	sev := e.with.severity
	not contains(sev, "${{")
	m := missing(sev)
	count(m) > 0
	f := {
		"message": sprintf("Trivy `severity: %s` does not include %s, so those vulnerabilities never fail the scan", [sev, concat(" or ", m)]),
		"file": e.file,
		"path": array.concat(e.path, ["with", "severity"]),
	}
}

findings contains f if {
	some [e, c] in pipeline.with_tools({"trivy", "docker", "podman"})
	contains(c.text, "trivy")
	regex.match(`(^|[\s;&|(/])trivy\s`, c.text)
	some mt in regex.find_all_string_submatch_n(`\s(?:--severity|-s)[=\s]+["']?([A-Za-z,]+)`, c.text, -1)
	m := missing(mt[1])
	count(m) > 0
	f := {
		"message": sprintf("`trivy --severity %s` does not include %s, so those vulnerabilities never fail the scan", [mt[1], concat(" or ", m)]),
		"file": e.file,
		"path": array.concat(e.path, ["run"]),
		"match": pipeline.raw_line(e, c),
	}
}

findings contains f if {
	some e in pipeline.using({"anchore/scan-action"})
	lower(trim_space(e.with["severity-cutoff"])) == "critical"
	f := {
		"message": "Grype `severity-cutoff: critical` lets HIGH vulnerabilities through",
		"file": e.file,
		"path": array.concat(e.path, ["with", "severity-cutoff"]),
	}
}

findings contains f if {
	some [e, c] in pipeline.with_tools({"grype", "docker", "podman"})
	contains(c.text, "grype")
	regex.match(`(^|[\s;&|(/])grype\s.*\s(--fail-on|-f)[=\s]+["']?critical\b`, c.text)
	f := {
		"message": "`grype --fail-on critical` lets HIGH vulnerabilities through",
		"file": e.file,
		"path": array.concat(e.path, ["run"]),
		"match": pipeline.raw_line(e, c),
	}
}
