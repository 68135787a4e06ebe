package shiplint.rules.helm_not_atomic_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.rules.helm_not_atomic as rule
import rego.v1

repo(run) := fx.single([["", {}, run]])

test_upgrade_without_atomic_fires if {
	count(rule.findings) == 1 with input as repo("helm upgrade --install app chart --wait")
}

test_continued_lines_are_one_command if {
	fs := rule.findings with input as fx.single([["", {}, "helm upgrade --install app chart \\\n  --atomic"]]) with input.pipeline.steps as [object.union(fx.entry(".github/workflows/ci.yml", "j", 0, "", {}, "x"), {"commands": [{"line": 0, "text": "helm upgrade --install app chart --atomic"}]})]
	count(fs) == 0
}

test_atomic_and_rollback_on_failure_pass if {
	count(rule.findings) == 0 with input as repo("helm upgrade --install app chart --atomic --timeout 5m")
	count(rule.findings) == 0 with input as repo("helm upgrade --install app chart --rollback-on-failure")
}

test_other_helm_commands_pass if {
	count(rule.findings) == 0 with input as repo("helm uninstall app")
	count(rule.findings) == 0 with input as repo("helm plugin install https://example.com/x")
	count(rule.findings) == 0 with input as repo("helm upgrade app chart --dry-run")
}

test_repeated_command_text_points_at_each_occurrence if {
	fs := rule.findings with input as repo("if x; then\n  helm upgrade --install app chart\nelse\n  helm upgrade --install app chart\nfi")
	{f.occurrence | some f in fs} == {0, 1}
}

test_eval_runs_helm if {
	fs := rule.findings with input as fx.single([["", {}, "eval helm upgrade --install app chart $OVERRIDES"]]) with input.pipeline.steps as [object.union(fx.entry(".github/workflows/ci.yml", "j", 0, "", {}, "eval helm upgrade --install app chart $OVERRIDES"), {"commands": [{"line": 0, "last_line": 0, "text": "eval helm upgrade --install app chart $OVERRIDES", "tools": ["eval", "helm"]}]})] with input.pipeline.index as {"tools": {"helm": [0], "eval": [0]}, "actions": {}, "inputs": {}, "action_files": {}, "env": {}}
	count(fs) == 1
}
