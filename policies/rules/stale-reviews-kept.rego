package shiplint.rules.stale_reviews_kept

import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "stale-reviews-kept",
	"title": "Approvals survive new pushes",
	"severity": "note",
	"description": "Pull request approvals are not dismissed when new commits are pushed: a change can be approved, then replaced by code nobody reviewed, and still merge and ship.",
	"remediation": "Dismiss stale approvals on push: `dismiss_stale_reviews_on_push` in the ruleset's `pull_request` rule, or classic \"Dismiss stale pull request approvals when new commits are pushed\".",
	"tags": ["security", "settings", "branch-protection", "review"],
	"online": true,
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.reviews_configured(b)
	settings.fails(b, "stale-reviews-kept")
	r := settings.classic_reviews(b)
	f := {
		"message": sprintf("%s: required_pull_request_reviews.dismiss_stale_reviews = %v", [b, object.get(r, "dismiss_stale_reviews", false)]),
		"setting": sprintf("branches/%s/protection/required_pull_request_reviews", [b]),
	}
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.reviews_configured(b)
	settings.fails(b, "stale-reviews-kept")
	not settings.classic_reviews(b)
	f := {
		"message": sprintf("%s: ruleset pull_request.dismiss_stale_reviews_on_push = false", [b]),
		"setting": sprintf("branches/%s/rules/pull_request", [b]),
	}
}
