package shiplint.rules.oidc_missing_id_token_test

import data.shiplint.rules.oidc_missing_id_token as rule
import rego.v1

oidc_step := {
	"index": 0,
	"path": ["jobs", "deploy", "steps", 0],
	"uses": {"raw": "aws-actions/configure-aws-credentials@v4", "owner": "aws-actions", "repo": "configure-aws-credentials", "path": "", "ref": "v4", "ref_kind": "tag", "action": "aws-actions/configure-aws-credentials", "action_repo": "aws-actions/configure-aws-credentials"},
	"with": {"role-to-assume": "arn:aws:iam::1:role/x"},
	"env": {},
	"continue_on_error": false,
}

repo(triggers, permissions, source) := {"workflows": [{
	"path": ".github/workflows/deploy.yml",
	"triggers": triggers,
	"jobs": [{"id": "deploy", "path": ["jobs", "deploy"], "permissions": permissions, "permissions_source": source, "steps": [oidc_step]}],
}], "actions": [], "config": {}}

test_default_permissions_fire if {
	count(rule.findings) == 1 with input as repo({"push": {}}, {}, "default")
}

test_job_without_id_token_fires if {
	count(rule.findings) == 1 with input as repo({"push": {}}, {"contents": "read"}, "job")
}

test_id_token_write_is_fine if {
	count(rule.findings) == 0 with input as repo({"push": {}}, {"id-token": "write", "contents": "read"}, "job")
}

test_reusable_workflow_without_callers_is_not_judged if {
	count(rule.findings) == 0 with input as repo({"workflow_call": {}}, {}, "default")
}

test_reusable_workflow_judged_through_caller if {
	base := repo({"workflow_call": {}}, {}, "default")
	caller := {
		"path": ".github/workflows/ci.yml",
		"triggers": {"push": {}},
		"jobs": [{"id": "deploy", "path": ["jobs", "deploy"], "permissions": {"contents": "read"}, "permissions_source": "workflow", "steps": [], "uses": {"ref_kind": "local", "path": "./.github/workflows/deploy.yml", "resolved": ".github/workflows/deploy.yml"}}],
	}
	doc := object.union(base, {"workflows": array.concat(base.workflows, [caller])})
	fs := rule.findings with input as doc
	count(fs) == 1
	some f in fs
	f.related[0].file == ".github/workflows/ci.yml"
}

keyed_repo(required) := {"workflows": [{
	"path": ".github/workflows/drift.yml",
	"triggers": {"workflow_call": {"secrets": {"KEY": {"required": required}}}},
	"jobs": [{"id": "deploy", "path": ["jobs", "deploy"], "permissions": {"contents": "read"}, "permissions_source": "job", "steps": [object.union(oidc_step, {"with": {"role-to-assume": "${{ secrets.ROLE }}", "aws-access-key-id": "${{ secrets.KEY }}"}})]}],
}], "actions": [], "config": {}}

test_optional_key_secrets_may_leave_oidc if {
	count(rule.findings) == 1 with input as keyed_repo(false)
	count(rule.findings) == 0 with input as keyed_repo(true)
}
