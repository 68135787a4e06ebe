package shiplint.rules.scan_never_fails_test

import data.shiplint.rules.scan_never_fails as rule
import data.shiplint.lib.fixtures_test as fx
import rego.v1

trivy := "aquasecurity/trivy-action"

repo(action, w, run) := fx.single([[action, w, run]])

test_trivy_action_without_exit_code_fires if {
	count(rule.findings) == 1 with input as repo(trivy, {"image-ref": "app:1"}, "")
}

test_trivy_action_exit_code_zero_fires if {
	count(rule.findings) == 1 with input as repo(trivy, {"image-ref": "app:1", "exit-code": "0"}, "")
}

test_trivy_action_exit_code_one_passes if {
	count(rule.findings) == 0 with input as repo(trivy, {"image-ref": "app:1", "exit-code": "1"}, "")
}

test_trivy_sbom_generation_passes if {
	count(rule.findings) == 0 with input as repo(trivy, {"image-ref": "app:1", "format": "cyclonedx"}, "")
}

test_trivy_cli if {
	count(rule.findings) == 1 with input as repo("", {}, "trivy image app:1")
	count(rule.findings) == 0 with input as repo("", {}, "trivy image --exit-code 1 app:1")
	count(rule.findings) == 1 with input as repo("", {}, "trivy image --exit-code 0 app:1")
}

test_grype_cli if {
	count(rule.findings) == 1 with input as repo("", {}, "grype app:1")
	count(rule.findings) == 0 with input as repo("", {}, "grype app:1 --fail-on high")
}

test_report_checked_by_a_later_step_passes if {
	count(rule.findings) == 0 with input as fx.single([
		[trivy, {"image-ref": "app:1", "format": "sarif", "output": "trivy.sarif"}, ""],
		["", {}, "grep -q CRITICAL trivy.sarif && exit 1"],
	])
}
