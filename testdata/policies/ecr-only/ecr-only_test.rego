package shiplint.rules.ecr_only_test

import data.shiplint.rules.ecr_only as rule
import rego.v1

build_push := {"raw": "docker/build-push-action@v6", "owner": "docker", "repo": "build-push-action", "path": "", "ref": "v6", "ref_kind": "tag"}

repo(step, config) := {
	"workflows": [{
		"path": ".github/workflows/release.yml",
		"jobs": [{"id": "release", "path": ["jobs", "release"], "steps": [object.union({"index": 0, "path": ["jobs", "release", "steps", 0], "with": {}, "env": {}}, step)]}],
	}],
	"actions": [],
	"config": config,
}

ecr := "123456789012.dkr.ecr.eu-west-1.amazonaws.com"

test_build_push_to_ghcr_fires if {
	s := {"uses": build_push, "with": {"push": true, "tags": "ghcr.io/acme/api:${{ github.sha }}"}}
	fs := rule.findings with input as repo(s, {})
	count(fs) == 1
	some f in fs
	f.path == ["jobs", "release", "steps", 0, "with", "tags"]
	contains(f.message, "`ghcr.io`")
}

test_build_push_to_ecr_is_fine if {
	s := {"uses": build_push, "with": {"push": "true", "tags": concat("", [ecr, "/api:${{ github.sha }}"])}}
	count(rule.findings) == 0 with input as repo(s, {})
}

test_build_without_push_is_fine if {
	s := {"uses": build_push, "with": {"push": false, "tags": "acme/api:dev"}}
	count(rule.findings) == 0 with input as repo(s, {})
}

test_docker_push_to_docker_hub_fires if {
	s := {"run": "docker tag api acme/api:1.2\ndocker push acme/api:1.2\n"}
	fs := rule.findings with input as repo(s, {})
	count(fs) == 1
	some f in fs
	f.match == "docker push acme/api:1.2"
	contains(f.message, "`docker.io`")
}

test_registry_from_a_variable_is_unknown if {
	s := {"run": "docker push \"$REGISTRY/api:$GITHUB_SHA\""}
	count(rule.findings) == 0 with input as repo(s, {})
}

test_params_narrow_the_allowed_registries if {
	s := {"run": "docker push 999999999999.dkr.ecr.us-east-1.amazonaws.com/api:1"}
	count(rule.findings) == 0 with input as repo(s, {})
	count(rule.findings) == 1 with input as repo(s, {"ecr-only": {"registries": [ecr]}})
}
