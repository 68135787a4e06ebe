package shiplint.rules.settings_unreadable_test

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
