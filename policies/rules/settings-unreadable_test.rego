package shiplint.rules.settings_unreadable_test

import data.shiplint.lib.gates_test as g
import data.shiplint.lib.settings_test as t
import data.shiplint.rules.settings_unreadable as rule
import rego.v1

test_hidden_protection_names_rules_and_permission if {
	fs := rule.findings with input as t.main(t.hidden([]))
	some f in fs
	f.setting == "branches/main/protection"
	contains(f.message, "not judged: branch-unprotected, reviews-not-required")
	contains(f.message, "Administration: read")
}

test_free_plan_says_no_token_helps if {
	inp := t.main({"readable": false, "protection": null, "error": "403 Upgrade to GitHub Pro or make this repository public to enable this feature.", "rules": []})
	fs := rule.findings with input as inp
	some f in fs
	contains(f.message, "not available on this plan")
}

test_readable_protection_is_silent if {
	count(rule.findings) == 0 with input as t.main(t.classic(null))
}

test_release_branch_missing_from_settings if {
	inp := t.with_branches({"dev": t.classic(null)})
	fs := rule.findings with input as inp
	some f in fs
	f.setting == "branches/main"
}

test_unreadable_environments if {
	inp := object.union(t.with_environments([], []), {"settings": {"environments_readable": false, "environments_error": "403 Forbidden"}})
	fs := rule.findings with input as inp
	some f in fs
	f.setting == "environments"
	contains(f.message, "Actions: read")
}

test_hidden_protection_names_the_gate_rules_it_leaves_open if {
	fs := rule.findings with input as g.seed(t.hidden([]))
	some f in fs
	f.setting == "branches/main/protection"
	contains(f.message, "admins-bypass, pipeline-checks-not-required, required-check-not-produced. ")
}

# The rulesets require the test job's check: both gate rules are settled without classic
# protection.
test_rulesets_can_settle_the_gate_rules if {
	hidden := object.union(t.hidden([]), {"rules": g.requiring(["Tests and lint"]).rules})
	fs := rule.findings with input as g.seed(hidden)
	some f in fs
	not contains(f.message, "pipeline-checks-not-required")
	not contains(f.message, "required-check-not-produced")
}

test_a_missing_release_branch_leaves_the_gate_rules_open if {
	fs := rule.findings with input as t.with_branches({"dev": t.classic(null)})
	some f in fs
	endswith(f.message, "admins-bypass, pipeline-checks-not-required, required-check-not-produced, promotion-order-not-enforced")
}

test_unreadable_environments_name_every_environment_rule if {
	inp := object.union(t.with_environments([], []), {"settings": {"environments_readable": false, "environments_error": "403 Forbidden"}})
	fs := rule.findings with input as inp
	some f in fs
	contains(f.message, "not judged: environment-without-reviewers, environment-any-branch, environment-self-review, promotion-order-not-enforced.")
}

test_refused_branch_policies_of_an_environment_of_the_order if {
	staging := {
		"name": "staging", "protection_rules": [],
		"deployment_branch_policy": {"protected_branches": false, "custom_branch_policies": true},
		"branch_policies": [], "branch_policies_readable": false, "branch_policies_error": "403 Resource not accessible by integration",
	}
	fs := rule.findings with input as t.with_environments([staging], [])
	{
		"message": "staging: the deployment branch policies could not be read (403 Resource not accessible by integration); not judged: promotion-order-not-enforced. A token with the \"Actions: read\" repository permission (fine-grained) or the `repo` scope (classic) can read it",
		"setting": "environments/staging/deployment_branch_policy",
	} in fs
	sandbox := object.union(staging, {"name": "sandbox"})
	fs2 := rule.findings with input as t.with_environments([sandbox], [])
	every f in fs2 {
		not startswith(f.setting, "environments/")
	}
}
