package shiplint.rules.reviews_not_required

import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "reviews-not-required",
	"title": "Release branch does not require approving reviews",
	"severity": "error",
	"description": "Changes reach a release branch with fewer approving reviews than required (`min_approvals`, default 1): one person can write, merge and ship a change nobody else has read.",
	"remediation": "Require pull requests with at least one approving review: a ruleset `pull_request` rule with `required_approving_review_count` ≥ 1, or classic protection \"Require approvals\".",
	"tags": ["security", "settings", "branch-protection", "review"],
	"online": true,
}

min := settings.min_approvals

findings contains f if {
	some b in settings.protected_release_branches
	settings.fails(b, "reviews-not-required")
	r := settings.classic_reviews(b)
	f := {
		"message": sprintf("%s: required_pull_request_reviews.required_approving_review_count = %v (at least %v required)", [b, object.get(r, "required_approving_review_count", 0), min]),
		"setting": sprintf("branches/%s/protection/required_pull_request_reviews", [b]),
	}
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.fails(b, "reviews-not-required")
	settings.classic(b)
	not settings.classic_reviews(b)
	not settings.has_rule(b, "pull_request")
	f := {
		"message": sprintf("%s: required_pull_request_reviews is not set (pull requests and approvals not required)", [b]),
		"setting": sprintf("branches/%s/protection/required_pull_request_reviews", [b]),
	}
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.fails(b, "reviews-not-required")
	not settings.classic_reviews(b)
	settings.has_rule(b, "pull_request")
	counts := [object.get(p, "required_approving_review_count", 0) | some p in settings.rule_params(b, "pull_request")]
	f := {
		"message": sprintf("%s: ruleset pull_request.required_approving_review_count = %v (at least %v required)", [b, max(counts), min]),
		"setting": sprintf("branches/%s/rules/pull_request", [b]),
	}
}

findings contains f if {
	some b in settings.protected_release_branches
	settings.fails(b, "reviews-not-required")
	not settings.classic(b)
	not settings.has_rule(b, "pull_request")
	f := {
		"message": sprintf("%s: no `pull_request` rule in the rulesets and no classic protection (approvals not required)", [b]),
		"setting": sprintf("branches/%s/rules/pull_request", [b]),
	}
}
