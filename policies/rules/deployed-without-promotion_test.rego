package shiplint.rules.deployed_without_promotion_test

import data.shiplint.lib.history_test as t
import data.shiplint.rules.deployed_without_promotion as rule
import rego.v1

promotion(sha, extra) := object.union({
	"environment": "production", "previous": ["staging"], "sha": sha, "deployment": 2,
	"created_at": "2026-11-30T10:00:00Z", "succeeded_at": "2026-11-30T10:01:00Z",
	"run": {"id": 2, "url": "https://github.com/octo-org/octo-repo/actions/runs/2"},
}, extra)

findings(promotions, commits) := fs if {
	fs := rule.findings with input as t.doc(t.record([], [], commits, promotions))
}

test_a_promoted_commit_is_clean if {
	count(findings([promotion("abc1234def", {"previous_at": "2026-11-29T10:01:00Z"})], {})) == 0
}

test_a_commit_that_skipped_staging_fires if {
	fs := findings([promotion("abc1234def", {})], {})
	count(fs) == 1
	some f in fs
	f.setting == "deployments/production/abc1234def"
	f.message == "`abc1234` was deployed to production at 2026-11-30 10:01 UTC (run https://github.com/octo-org/octo-repo/actions/runs/2) without an earlier successful deployment of the same commit to staging"
}

test_a_commit_that_reached_staging_only_later_says_so if {
	commits := {"abc1234def": {"reached": {"staging": "2026-11-30T11:00:00Z", "production": "2026-11-30T10:01:00Z"}}}
	some f in findings([promotion("abc1234def", {})], commits)
	endswith(f.message, "to staging (it reached staging only later, at 2026-11-30 11:00 UTC)")
}

test_a_merge_promotion_names_the_commit_with_the_same_tree if {
	same := {"sha": "9f8e7d6c5b", "tree": "t1", "environment": "staging", "succeeded_at": "2026-11-29T09:00:00Z"}
	some f in findings([promotion("abc1234def", {"same_tree": same})], {})
	contains(f.message, "Its git tree is the tree of `9f8e7d6`, deployed to staging at 2026-11-29 09:00 UTC: the same code was merged and rebuilt under a new commit")
	contains(f.message, "a merge commit, a squash or a rebase each make one")
	endswith(f.message, "Deploy the SHA that was built, by its tag, instead of rebuilding on the target branch")
}

test_nothing_is_judged_without_a_readable_history if {
	count(rule.findings) == 0 with input as t.doc({"readable": false, "error": "403 Forbidden"})
	count(rule.findings) == 0 with input as {"workflows": [], "actions": [], "config": {}}
}
