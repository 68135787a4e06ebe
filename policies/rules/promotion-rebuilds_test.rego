package shiplint.rules.promotion_rebuilds_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.rules.promotion_rebuilds as rule
import rego.v1

repo(wf, run) := fx.repo({wf: [fx.job("j", {})]}, [fx.entry(wf, "j", 0, "", {}, run)])

test_build_in_promote_workflow_fires if {
	count(rule.findings) == 1 with input as repo(".github/workflows/promote.yml", "docker build -t ghcr.io/acme/api:x .")
}

test_retag_in_promote_workflow_passes if {
	count(rule.findings) == 0 with input as repo(".github/workflows/promote.yml", "docker tag a b")
}

test_build_in_build_workflow_passes if {
	count(rule.findings) == 0 with input as repo(".github/workflows/build.yml", "docker build -t ghcr.io/acme/api:x .")
}
