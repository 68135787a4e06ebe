package shiplint.rules.unpinned_action_test

import data.shiplint.rules.unpinned_action as rule
import rego.v1

uses(owner, repo, ref, kind) := {"raw": sprintf("%s/%s@%s", [owner, repo, ref]), "owner": owner, "repo": repo, "path": "", "ref": ref, "ref_kind": kind, "action": lower(sprintf("%s/%s", [owner, repo])), "action_repo": lower(sprintf("%s/%s", [owner, repo]))}

repo(u, config) := {"workflows": [{"path": ".github/workflows/ci.yml", "jobs": [{"id": "build", "path": ["jobs", "build"], "steps": [{"index": 0, "path": ["jobs", "build", "steps", 0], "uses": u, "with": {}, "env": {}}]}]}], "actions": [], "config": config}

test_tag_is_a_warning if {
	fs := rule.findings with input as repo(uses("actions", "checkout", "v4", "tag"), {})
	some f in fs
	f.severity == "warning"
}

test_main_branch_is_an_error if {
	fs := rule.findings with input as repo(uses("aquasecurity", "trivy-action", "master", "branch"), {})
	some f in fs
	f.severity == "error"
}

test_sha_is_fine if {
	count(rule.findings) == 0 with input as repo(uses("actions", "checkout", "11bd71901bbe5b1630ceea73d27597364c9af683", "sha"), {})
}

test_allow_list_permits_tags if {
	count(rule.findings) == 0 with input as repo(uses("actions", "checkout", "v4", "tag"), {"unpinned-action": {"allow": ["actions/*"]}})
}

test_local_action_is_fine if {
	count(rule.findings) == 0 with input as repo({"raw": "./x", "owner": "", "repo": "", "path": "./x", "ref": "", "ref_kind": "local", "action": "", "action_repo": ""}, {})
}
