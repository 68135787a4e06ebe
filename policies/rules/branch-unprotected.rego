package shiplint.rules.branch_unprotected

import data.shiplint.lib.settings
import rego.v1

metadata := {
	"id": "branch-unprotected",
	"title": "Release branch without protection",
	"severity": "error",
	"description": "A release branch (the default branch, a branch whose pushes deploy, or one named in the config) has neither classic branch protection nor an active ruleset: anyone with write access can push unreviewed, untested commits straight to what ships, rewrite its history or delete it.",
	"remediation": "Protect the branch: a ruleset targeting it (Settings → Rules → Rulesets) or classic branch protection (Settings → Branches), requiring pull request reviews and status checks and blocking force pushes and deletion.",
	"tags": ["security", "settings", "branch-protection"],
	"online": true,
}

findings contains f if {
	some b in settings.judged_branches
	settings.known(b)
	settings.branches[b].protection == null
	count(settings.rules(b)) == 0
	f := {
		"message": sprintf("%s: protection = null and no ruleset applies (the branch is not protected)", [b]),
		"setting": sprintf("branches/%s/protection", [b]),
	}
}
