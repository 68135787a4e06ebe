package shiplint.lib.graph_test

import data.shiplint.lib.graph
import rego.v1

step(i, fields) := object.union({"index": i, "with": {}, "env": {}}, fields)

job(id, steps, extra) := object.union({"id": id, "path": ["jobs", id], "needs": [], "with": {}, "steps": steps}, extra)

wf(path, jobs) := {"path": path, "triggers": {}, "jobs": jobs}

doc(wfs) := {"workflows": wfs, "actions": [], "config": {}}

roles_of(d, file, id) := r if {
	some j in graph.jobs with input as d
	j.file == file
	j.job == id
	r := j
}

test_build_scan_deploy_roles if {
	d := doc([wf(".github/workflows/ci.yml", [
		job("build", [step(0, {"run": "docker buildx build -t app:${{ github.sha }} --push ."})], {}),
		job("scan", [step(0, {"run": "trivy image --exit-code 1 app"})], {}),
		job("prod", [step(0, {"run": "helm upgrade --install app chart --atomic"})], {"environment": {"name": "production"}}),
		job("notify", [step(0, {"run": "echo done"})], {}),
	])])
	roles_of(d, ".github/workflows/ci.yml", "build").roles == ["build"]
	roles_of(d, ".github/workflows/ci.yml", "scan").roles == ["scan"]
	r := roles_of(d, ".github/workflows/ci.yml", "prod")
	r.roles == ["deploy"]
	r.environments == ["production"]
	roles_of(d, ".github/workflows/ci.yml", "notify").roles == []
}

test_a_call_takes_the_callees_roles_and_binds_its_environment if {
	callee := wf(".github/workflows/deploy.yml", [job("rollout", [step(0, {"run": "kubectl set image deploy/app app=app:1"})], {"environment": {"name": "${{ inputs.environment }}"}})])
	caller := wf(".github/workflows/ci.yml", [job("deploy-dev", [], {"uses": {"resolved": ".github/workflows/deploy.yml", "path": ".github/workflows/deploy.yml"}, "with": {"environment": "dev"}})])
	r := roles_of(doc([caller, callee]), ".github/workflows/ci.yml", "deploy-dev")
	r.roles == ["deploy"]
	r.environments == ["dev"]
}
