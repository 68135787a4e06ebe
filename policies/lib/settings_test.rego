# Tests of the settings helpers, and input builders the settings rules' tests share.
package shiplint.lib.settings_test

import data.shiplint.lib.settings
import rego.v1

# An input whose settings describe `branches`, with default branch `main`.
with_branches(bs) := {
	"repository": {"owner": "o", "name": "r", "default_branch": "main", "source": "local"},
	"workflows": [],
	"actions": [],
	"config": {},
	"settings": {"branches": bs, "environments": [], "environments_readable": true, "rulesets": []},
}

main(branch) := with_branches({"main": branch})

classic(protection) := {"readable": true, "protection": protection, "rules": []}

rulesets_only(rules) := {"readable": true, "protection": null, "rules": rules}

hidden(rules) := {"readable": false, "protection": null, "error": "404 Not Found", "rules": rules}

# An input whose settings hold `envs` (and one workflow `workflow`, or none).
with_environments(envs, workflows) := {
	"repository": {"owner": "o", "name": "r", "default_branch": "main", "source": "local"},
	"workflows": workflows,
	"actions": [],
	"config": {},
	"settings": {"branches": {}, "environments": envs, "environments_readable": true, "rulesets": []},
}

deploy_workflow(push, env) := {
	"path": ".github/workflows/deploy.yml",
	"triggers": {"push": push},
	"jobs": [{"id": "deploy", "path": ["jobs", "deploy"], "environment": {"name": env}, "steps": []}],
}

test_default_branch_is_a_release_branch if {
	inp := with_branches({"main": classic(null), "dev": classic(null)})
	settings.release_branches == {"main"} with input as inp
}

test_without_default_branch_every_settings_branch_is_judged if {
	inp := object.union(with_branches({"main": classic(null), "dev": classic(null)}), {"repository": {"default_branch": ""}})
	settings.release_branches == {"main", "dev"} with input as inp
}

test_deploying_push_branches_are_release_branches if {
	inp := object.union(
		with_branches({"main": classic(null), "release/1.x": classic(null), "feature/a": classic(null)}),
		{"workflows": [deploy_workflow({"branches": ["release/*"]}, "staging")]},
	)
	settings.release_branches == {"main", "release/1.x"} with input as inp
}

test_push_without_filters_makes_every_branch_a_release_branch if {
	inp := object.union(
		with_branches({"main": classic(null), "feature/a": classic(null)}),
		{"workflows": [deploy_workflow({}, "staging")]},
	)
	settings.release_branches == {"main", "feature/a"} with input as inp
}

test_tag_only_pushes_add_no_branch if {
	inp := object.union(
		with_branches({"main": classic(null), "feature/a": classic(null)}),
		{"workflows": [deploy_workflow({"tags": ["v*"]}, "staging")]},
	)
	settings.release_branches == {"main"} with input as inp
}

test_config_names_more_release_branches if {
	inp := object.union(
		with_branches({"main": classic(null), "hotfix": classic(null)}),
		{"config": {"branch-unprotected": {"branches": ["hotfix"]}}},
	)
	settings.release_branches == {"main", "hotfix"} with input as inp
}

test_hidden_protection_leaves_rules_not_judged_unless_rulesets_settle_them if {
	inp := main(hidden([{"type": "non_fast_forward"}, {"type": "deletion"}]))
	nj := settings.not_judged("main") with input as inp
	not "force-push-allowed" in nj
	not "deletion-allowed" in nj
	not "branch-unprotected" in nj
	"reviews-not-required" in nj
	"admins-bypass" in nj
}

test_pushes_that_call_a_deploying_reusable_workflow_are_release_branches if {
	callee := {
		"path": ".github/workflows/deploy.yml",
		"triggers": {"workflow_call": {}},
		"jobs": [{"id": "rollout", "path": ["jobs", "rollout"], "steps": [{"index": 0, "run": "helm upgrade --install app ./chart --atomic"}]}],
	}
	caller := {
		"path": ".github/workflows/ci.yml",
		"triggers": {"push": {"branches": ["stable"]}},
		"jobs": [{"id": "deploy", "path": ["jobs", "deploy"], "uses": {"raw": "./.github/workflows/deploy.yml", "ref_kind": "local", "resolved": ".github/workflows/deploy.yml"}, "steps": []}],
	}
	inp := object.union(with_branches({"main": classic(null), "stable": classic(null)}), {"workflows": [caller, callee]})
	settings.release_branches == {"main", "stable"} with input as inp
}
