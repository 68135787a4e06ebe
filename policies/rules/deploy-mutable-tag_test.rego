package shiplint.rules.deploy_mutable_tag_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.rules.deploy_mutable_tag as rule
import rego.v1

repo(run) := fx.single([["", {}, run]])

test_helm_latest_fires if {
	count(rule.findings) == 1 with input as repo("helm upgrade --install api chart --set image.tag=latest --atomic")
}

test_kubectl_set_image_without_tag_fires if {
	count(rule.findings) == 1 with input as repo("kubectl set image deployment/api api=ghcr.io/acme/api")
}

test_sha_digest_and_unknown_pass if {
	count(rule.findings) == 0 with input as repo("helm upgrade --install api chart --set image.tag=${{ github.sha }} --atomic")
	count(rule.findings) == 0 with input as repo("kubectl set image deployment/api api=ghcr.io/acme/api@sha256:abc")
	count(rule.findings) == 0 with input as repo("helm upgrade --install api chart --set image.tag=${{ inputs.tag }}")
}

test_deploy_action_input_fires if {
	count(rule.findings) == 1 with input as fx.single([["google-github-actions/deploy-cloudrun", {"image": "gcr.io/acme/api:stable"}, ""]])
}
