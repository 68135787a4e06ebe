package shiplint.rules.image_tag_not_sha_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.rules.image_tag_not_sha as rule
import rego.v1

build(tags) := fx.single([["docker/build-push-action", {"push": "true", "tags": tags}, ""]])

test_latest_only_fires if {
	count(rule.findings) == 1 with input as build("ghcr.io/acme/api:latest")
}

test_sha_tag_passes if {
	count(rule.findings) == 0 with input as build("ghcr.io/acme/api:${{ github.sha }}\nghcr.io/acme/api:latest")
}

test_unknown_tag_passes if {
	count(rule.findings) == 0 with input as build("ghcr.io/acme/api:${{ inputs.tag }}")
}

test_unpushed_build_passes if {
	count(rule.findings) == 0 with input as fx.single([["docker/build-push-action", {"push": "false", "tags": "app:latest"}, ""]])
}

test_cli_build_and_push_of_branch_tag_fires if {
	run := "docker build -t ghcr.io/acme/api:${{ github.ref_name }} .\ndocker push ghcr.io/acme/api:${{ github.ref_name }}"
	count(rule.findings) == 1 with input as fx.single([["", {}, run]])
}
