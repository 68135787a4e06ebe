package shiplint.lib.history_test

import data.shiplint.lib.history
import rego.v1

step(i, fields) := object.union({"index": i, "with": {}, "env": {}}, fields)

job(id, steps, checks) := {"id": id, "path": ["jobs", id], "needs": [], "with": {}, "steps": steps, "checks": checks}

check(name) := {"name": name, "workflow": ".github/workflows/release.yml", "events": ["push"]}

# A pipeline: build (docker), scan (trivy), deploy per environment.
workflows := [{"path": ".github/workflows/release.yml", "triggers": {"push": {"branches": ["main"]}}, "jobs": [
	job("build", [step(0, {"run": "docker build -t app:${{ github.sha }} ."})], [check("build")]),
	job("scan", [step(0, {"run": "trivy image --exit-code 1 app"})], [check("Scan image")]),
	job("deploy-prod", [step(0, {"run": "helm upgrade --install app chart --atomic"})], [check("deploy-prod")]),
]}]

run(id, name, conclusion) := {"id": id, "name": name, "status": "completed", "conclusion": conclusion, "completed_at": "2026-11-30T10:00:00Z"}

dep(id, sha, created, succeeded) := {"id": id, "sha": sha, "ref": "main", "created_at": created, "state": "success", "succeeded_at": succeeded, "run": {"id": id, "url": sprintf("https://github.com/octo-org/octo-repo/actions/runs/%d", [id])}}

env(name, stage, previous, deployments) := {"name": name, "stage": stage, "previous": previous, "deployments": deployments, "truncated": false}

# A record: staging then production, each with its deployments; `commits` as given.
record(staging, production, commits, promotions) := {
	"readable": true,
	"since": "2026-11-01T00:00:00Z",
	"until": "2026-12-01T00:00:00Z",
	"order": ["dev", "staging", "production"],
	"environments": [env("staging", "staging", [], staging), env("production", "production", ["staging"], production)],
	"promotions": promotions,
	"commits": commits,
}

doc(h) := {"workflows": workflows, "actions": [], "config": {}, "history": h}

commit(runs) := {"reached": {}, "checks": {"readable": true, "runs": runs, "truncated": false}}

test_runs_are_matched_to_the_build_and_scan_jobs_by_check_name if {
	h := record([], [dep(2, "abc", "2026-11-30T10:00:00Z", "2026-11-30T10:01:00Z")], {"abc": commit([
		run(10, "build", "success"),
		run(11, "Scan image", "failure"),
		run(12, "Scan image", "success"),
		run(13, "build", "success"),
		run(14, "deploy-prod", "success"),
	])}, [])
	p := history.pipeline.abc with input as doc(h)
	p.build.successes == 2
	p.build.conclusion == "success"
	[r.id | some r in p.scan.runs] == [11, 12]
	p.scan.succeeded
	p.scan.jobs == [{"workflow": ".github/workflows/release.yml", "job": "scan", "name": "Scan image"}]
}

test_a_pattern_matches_names_the_files_cannot_tell if {
	wfs := [{"path": ".github/workflows/release.yml", "triggers": {}, "jobs": [
		job("scan", [step(0, {"run": "trivy image app"})], [{"name": null, "pattern": "^Scan .+$", "workflow": ".github/workflows/release.yml", "events": ["push"]}]),
	]}]
	h := record([], [], {"abc": commit([run(1, "Scan linux", "cancelled")])}, [])
	p := history.pipeline.abc with input as object.union(doc(h), {"workflows": wfs})
	p.scan.conclusion == "cancelled"
	not p.scan.succeeded
	count(history.unknowable_scan_jobs) == 0 with input as object.union(doc(h), {"workflows": wfs})
}

test_an_unreadable_history_has_no_record if {
	not history.record with input as doc({"readable": false, "error": "403 Forbidden"})
	count(history.deployed_to_production) == 0 with input as doc({"readable": false, "error": "403 Forbidden"})
}

test_the_first_production_deployment_of_a_commit if {
	h := record([], [
		dep(3, "abc", "2026-11-30T12:00:00Z", "2026-11-30T12:01:00Z"),
		dep(2, "abc", "2026-11-30T10:00:00Z", "2026-11-30T10:01:00Z"),
	], {}, [])
	history.first_deployment("production", "abc").id == 2 with input as doc(h)
	history.deployed_to_production == {["production", "abc"]} with input as doc(h)
}

test_a_run_two_checks_match_counts_once if {
	wfs := [{"path": ".github/workflows/release.yml", "triggers": {}, "jobs": [
		job("scan", [step(0, {"run": "trivy image app"})], [check("Scan image")]),
		job("scan-matrix", [step(0, {"run": "trivy image app"})], [{"name": null, "pattern": "^Scan .+$", "workflow": ".github/workflows/release.yml", "events": ["push"]}]),
	]}]
	h := record([], [], {"abc": commit([run(1, "Scan image", "success"), run(2, "Scan linux", "failure")])}, [])
	p := history.pipeline.abc with input as object.union(doc(h), {"workflows": wfs})
	[r.id | some r in p.scan.runs] == [1, 2]
	p.scan.successes == 1
	p.scan.conclusion == "failure"
	count(p.scan.jobs) == 2
}
