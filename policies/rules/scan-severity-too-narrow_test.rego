package shiplint.rules.scan_severity_too_narrow_test

import data.shiplint.rules.scan_severity_too_narrow as rule
import data.shiplint.lib.fixtures_test as fx
import rego.v1

trivy := "aquasecurity/trivy-action"

repo(action, w, run) := fx.single([[action, w, run]])

test_critical_only_fires if {
	count(rule.findings) == 1 with input as repo(trivy, {"severity": "CRITICAL", "exit-code": "1"}, "")
}

test_high_critical_passes if {
	count(rule.findings) == 0 with input as repo(trivy, {"severity": "HIGH,CRITICAL", "exit-code": "1"}, "")
	count(rule.findings) == 0 with input as repo(trivy, {"severity": "MEDIUM, HIGH, CRITICAL"}, "")
}

test_cli_severity if {
	count(rule.findings) == 1 with input as repo("", {}, "trivy image --severity CRITICAL --exit-code 1 app:1")
	count(rule.findings) == 0 with input as repo("", {}, "trivy image --severity HIGH,CRITICAL --exit-code 1 app:1")
}

test_grype_fail_on_critical if {
	count(rule.findings) == 1 with input as repo("", {}, "grype app:1 --fail-on critical")
}
