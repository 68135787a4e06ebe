package shiplint.rules.image_rebuilt_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.rules.image_rebuilt as rule
import rego.v1

wf := ".github/workflows/ci.yml"

build(job, image) := fx.entry(wf, job, 0, "docker/build-push-action", {"push": "true", "tags": concat("", [image, ":${{ github.sha }}"])}, "")

repo(a, b) := fx.repo({wf: [fx.job("a", {}), fx.job("b", {})]}, [build("a", a), build("b", b)])

test_same_image_twice_fires_once if {
	fs := rule.findings with input as repo("ghcr.io/acme/api", "ghcr.io/acme/api")
	count(fs) == 1
	some f in fs
	f.path == ["jobs", "b", "steps", 0, "uses"]
	count(f.related) == 1
}

test_different_images_pass if {
	count(rule.findings) == 0 with input as repo("ghcr.io/acme/api", "ghcr.io/acme/worker")
}

test_image_names_from_inputs_are_unknown if {
	count(rule.findings) == 0 with input as repo("ghcr.io/acme/${{ inputs.name }}", "ghcr.io/acme/${{ inputs.name }}")
}

test_build_in_a_deploy_job_with_environment_fires if {
	deploy := fx.job("deploy", {"environment": {"name": "staging", "path": ["jobs", "deploy", "environment"]}})
	fs := rule.findings with input as fx.repo({wf: [deploy]}, [
		build("deploy", "ghcr.io/acme/api"),
		fx.entry(wf, "deploy", 1, "", {}, "helm upgrade --install api chart --atomic"),
	])
	count(fs) == 1
}
