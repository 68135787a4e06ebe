package shiplint.rules.static_cloud_credentials_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.rules.static_cloud_credentials as rule
import rego.v1

step(uses, inputs, env, run) := {
	"index": 0,
	"path": ["jobs", "deploy", "steps", 0],
	"uses": uses,
	"with": inputs,
	"env": env,
	"run": run,
	"continue_on_error": false,
}

aws := {"raw": "aws-actions/configure-aws-credentials@v4", "owner": "aws-actions", "repo": "configure-aws-credentials", "path": "", "ref": "v4", "ref_kind": "tag", "action": "aws-actions/configure-aws-credentials", "action_repo": "aws-actions/configure-aws-credentials"}

action_of(step) := a if {
	a := step.uses.action
} else := ""

# One workflow whose job runs step `s`, with `s` as `input.pipeline` holds it too.
repo(s) := {
	"workflows": [{
		"path": ".github/workflows/deploy.yml",
		"env": {},
		"triggers": {"push": {}},
		"jobs": [{"id": "deploy", "path": ["jobs", "deploy"], "env": {}, "steps": [s]}],
	}],
	"actions": [], "config": {},
	"pipeline": fx.repo({}, [fx.entry(".github/workflows/deploy.yml", "deploy", 0, action_of(s), s.with, s.run)]).pipeline,
}

test_access_key_input_from_secret_fires if {
	s := step(aws, {"aws-access-key-id": "${{ secrets.AWS_ACCESS_KEY_ID }}", "aws-region": "eu-west-1"}, {}, "")
	fs := rule.findings with input as repo(s)
	count(fs) == 1
	some f in fs
	f.path == ["jobs", "deploy", "steps", 0, "with", "aws-access-key-id"]
}

test_role_to_assume_is_fine if {
	s := step(aws, {"role-to-assume": "arn:aws:iam::123456789012:role/deploy", "aws-region": "eu-west-1"}, {}, "")
	count(rule.findings) == 0 with input as repo(s)
}

test_key_from_oidc_step_output_is_fine if {
	s := step(aws, {"aws-access-key-id": "${{ steps.creds.outputs.aws-access-key-id }}"}, {}, "")
	count(rule.findings) == 0 with input as repo(s)
}

test_env_secret_fires_but_region_does_not if {
	s := step(null, {}, {"AWS_SECRET_ACCESS_KEY": "${{ secrets.K }}", "AWS_REGION": "${{ secrets.REGION }}"}, "aws s3 ls")
	fs := rule.findings with input as repo(s)
	count(fs) == 1
	some f in fs
	f.path[5] == "AWS_SECRET_ACCESS_KEY"
}

test_aws_configure_set_in_script_fires_with_match if {
	s := step(null, {}, {}, "echo hi\naws configure set aws_secret_access_key \"$K\"\n")
	fs := rule.findings with input as repo(s)
	some f in fs
	f.match == "aws configure set aws_secret_access_key"
}
