package shiplint.rules.deploy_not_gated_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.rules.deploy_not_gated as rule
import rego.v1

wf := ".github/workflows/ci.yml"

ref(id) := {"workflow": wf, "job": id}

repo(deploy_upstream, deploy_triggers) := fx.repo(
	{wf: [
		fx.job("build", {}),
		fx.job("scan", {}),
		fx.job("deploy", {"needs": ["build"], "contexts": [fx.ctx(deploy_triggers, {}, deploy_upstream)]}),
	]},
	[
		fx.entry(wf, "build", 0, "docker/build-push-action", {"push": "true", "tags": "ghcr.io/acme/api:${{ github.sha }}"}, ""),
		fx.entry(wf, "scan", 0, "aquasecurity/trivy-action", {"exit-code": "1"}, ""),
		fx.entry(wf, "deploy", 0, "", {}, "helm upgrade --install api chart --set image.tag=${{ github.sha }} --atomic"),
	],
)

test_deploy_without_scan_upstream_fires if {
	fs := rule.findings with input as repo([ref("build")], ["push"])
	count(fs) == 1
	some f in fs
	f.path == ["jobs", "deploy", "needs"]
}

test_deploy_after_scan_passes if {
	count(rule.findings) == 0 with input as repo([ref("build"), ref("scan")], ["push"])
}

test_pull_request_only_passes if {
	count(rule.findings) == 0 with input as repo([ref("build")], ["pull_request"])
}

test_deploy_of_nothing_built_passes if {
	count(rule.findings) == 0 with input as repo([], ["push"])
}

# A build job, then a job that runs `steps` (action, with, run) and needs it.
handing_off(steps) := fx.repo(
	{wf: [
		fx.job("build", {}),
		fx.job("ship", {"needs": ["build"], "contexts": [fx.ctx(["push"], {}, [ref("build")])]}),
	]},
	array.concat(
		[fx.entry(wf, "build", 0, "docker/build-push-action", {"push": "true", "tags": "ghcr.io/acme/api:${{ github.sha }}"}, "")],
		[fx.entry(wf, "ship", i, s[0], s[1], s[2]) | some i, s in steps],
	),
)

checkout_manifests := ["actions/checkout", {"repository": "acme/manifests"}, ""]

test_gitops_image_tag_commit_fires if {
	count(rule.findings) == 1 with input as handing_off([
		checkout_manifests,
		["", {}, "yq -i '.image.tag = \"${{ github.sha }}\"' api/values.yaml"],
		["", {}, "git push origin main"],
	])
}

test_commit_without_image_tag_passes if {
	count(rule.findings) == 0 with input as handing_off([
		checkout_manifests,
		["", {}, "sed -i 's/version .*/version 1.2/' Formula/api.rb"],
		["", {}, "git push origin main"],
	])
}

test_tag_edit_without_push_passes if {
	count(rule.findings) == 0 with input as handing_off([
		checkout_manifests,
		["", {}, "yq -i '.image.tag = \"${{ github.sha }}\"' api/values.yaml"],
	])
}

test_terraform_apply_with_image_fires if {
	count(rule.findings) == 1 with input as handing_off([["", {}, "terraform apply -auto-approve -var image_tag=${{ github.sha }}"]])
}

test_terraform_plan_passes if {
	count(rule.findings) == 0 with input as handing_off([["", {}, "terraform plan -var image_tag=${{ github.sha }}"]])
}

test_terraform_apply_without_image_passes if {
	count(rule.findings) == 0 with input as handing_off([["", {}, "terraform apply -auto-approve -var bucket=assets"]])
}

test_terraform_apply_of_a_plan_made_with_the_image_fires if {
	count(rule.findings) == 1 with input as handing_off([
		["", {}, "terraform plan -out tfplan -var image_tag=${{ github.sha }}"],
		["", {}, "terraform apply tfplan"],
	])
}

test_dispatch_of_tag_to_other_repository_fires if {
	count(rule.findings) == 1 with input as handing_off([["peter-evans/repository-dispatch", {"repository": "acme/manifests", "event-type": "deploy", "client-payload": "{\"tag\": \"${{ github.sha }}\"}"}, ""]])
}

test_dispatch_without_tag_passes if {
	count(rule.findings) == 0 with input as handing_off([["peter-evans/repository-dispatch", {"repository": "acme/docs", "event-type": "rebuild"}, ""]])
}

test_workflow_run_of_manifests_repository_with_tag_fires if {
	count(rule.findings) == 1 with input as handing_off([["", {}, "gh workflow run deploy.yml -R acme/manifests -f tag=${{ github.sha }}"]])
}

test_deploy_marker_of_a_monitoring_service_passes if {
	count(rule.findings) == 0 with input as handing_off([["", {}, "curl -sf https://sentry.io/api/0/organizations/acme/releases/${{ github.sha }}/deploys/ -d '{\"environment\": \"staging\", \"name\": \"tag ${{ github.sha }}\"}'"]])
}

test_deploy_hook_with_tag_only_in_its_url_passes if {
	count(rule.findings) == 0 with input as handing_off([["", {}, "curl -sf https://deploy.acme.dev/hooks/tag-api -d '{\"ref\": \"main\"}'"]])
}
