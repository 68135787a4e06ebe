package shiplint.rules.force_push_in_workflow_test

import data.shiplint.lib.fixtures_test as fx
import data.shiplint.rules.force_push_in_workflow as rule
import rego.v1

repo(run) := fx.single([["", {}, run]])

test_force_flag_fires if {
	count(rule.findings) == 1 with input as repo("git push --force origin main")
}

test_short_flag_and_lease_fire if {
	count(rule.findings) == 1 with input as repo("git push -f origin HEAD:main")
	count(rule.findings) == 1 with input as repo("git push --force-with-lease origin release")
}

test_plus_refspec_fires if {
	count(rule.findings) == 1 with input as repo("git push origin +HEAD:gh-pages")
}

test_plain_push_is_fine if {
	count(rule.findings) == 0 with input as repo("git push origin main --follow-tags")
	count(rule.findings) == 0 with input as repo("git push --tags")
	count(rule.findings) == 0 with input as repo("git push origin feature-fix")
}

test_push_action_force_input_fires if {
	count(rule.findings) == 1 with input as fx.single([["ad-m/github-push-action", {"force": "true"}, ""]])
}

test_action_input_allow_force_push_fires if {
	count(rule.findings) == 1 with input as fx.single([["acme/pr-to-repo", {"allow_force_push": "true"}, ""]])
	count(rule.findings) == 0 with input as fx.single([["acme/pr-to-repo", {"allow_force_push": "false"}, ""]])
}
