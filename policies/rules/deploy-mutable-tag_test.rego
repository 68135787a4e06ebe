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

test_ssh_docker_run_latest_fires if {
	count(rule.findings) == 1 with input as repo("ssh deploy@host 'docker run -d --rm -e A=\"${{ secrets.A }}\" --name api -p 80:80 acme/api:latest'")
	count(rule.findings) == 1 with input as repo("ssh deploy@host 'docker run -d --name api acme/api'")
}

test_ssh_docker_run_sha_or_unknown_passes if {
	count(rule.findings) == 0 with input as repo("ssh deploy@host 'docker run -d --name api acme/api:${{ github.sha }}'")
	count(rule.findings) == 0 with input as repo("ssh deploy@host 'docker run -d --name api ${{ inputs.image }}'")
	count(rule.findings) == 0 with input as repo("docker run --rm alpine:latest echo hi")
}

test_ssh_action_script_untagged_fires if {
	count(rule.findings) == 1 with input as fx.single([["appleboy/ssh-action", {"script": "docker pull acme/api\ndocker run -d \\\n  --name api \\\n  acme/${{ github.event.repository.name }}"}, ""]])
}

test_ecs_script_env_tag if {
	e := object.union(fx.entry(".github/workflows/ci.yml", "j", 0, "", {}, "./scripts/deploy_ecs_service.sh"), {"env": {"ECS_CLUSTER": "prod", "SERVICE_NAME": "api", "NEW_IMAGE_TAG": "latest"}})
	w := object.union(e, {"step": object.union(e.step, {"env": e.env})})
	count(rule.findings) == 1 with input as fx.repo({".github/workflows/ci.yml": [fx.job("j", {})]}, [w])
	ok := object.union(w, {"env": object.union(w.env, {"NEW_IMAGE_TAG": "${{ github.sha }}"})})
	count(rule.findings) == 0 with input as fx.repo({".github/workflows/ci.yml": [fx.job("j", {})]}, [ok])
}
