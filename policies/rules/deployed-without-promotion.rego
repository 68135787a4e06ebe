package shiplint.rules.deployed_without_promotion

import data.shiplint.lib.history
import rego.v1

metadata := {
	"id": "deployed-without-promotion",
	"title": "Commit deployed without being promoted",
	"severity": "error",
	"description": "The deployment history shows a commit deployed successfully to an environment without an earlier successful deployment of the same commit to the environment before it in the promotion order: what runs there was never tested where it should have been first.",
	"remediation": "Promote the commit that was built: deploy each environment from the same SHA, after the environment before it (a job that `needs:` the earlier deploy, or a ruleset's required deployments). When environments follow branches, deploy the image of the SHA that was built, by its tag, instead of merging into the target branch and rebuilding there.",
	"tags": ["security", "history", "promotion"],
	"online": true,
}

# One finding per commit and environment: its first successful deployment there in the
# window, when no environment before had it at or before that deployment's creation.
findings contains f if {
	some p in history.record.promotions
	not p.previous_at
	f := {
		"message": message(p),
		"setting": sprintf("deployments/%s/%s", [p.environment, p.sha]),
	}
}

previous(p) := concat(" or ", p.previous)

message(p) := sprintf("`%s` was deployed to %s at %s%s without an earlier successful deployment of the same commit to %s. Its git tree is the tree of `%s`, deployed to %s at %s: the same code was merged and rebuilt under a new commit (a merge commit, a squash or a rebase each make one, so a merge-based promotion builds again, and %s runs an image %s never ran). Deploy the SHA that was built, by its tag, instead of rebuilding on the target branch", [
	history.short(p.sha), p.environment, history.when(p.succeeded_at), history.by_run(p),
	previous(p), history.short(p.same_tree.sha), p.same_tree.environment,
	history.when(p.same_tree.succeeded_at), p.environment, p.same_tree.environment,
]) if p.same_tree

message(p) := sprintf("`%s` was deployed to %s at %s%s without an earlier successful deployment of the same commit to %s%s", [
	history.short(p.sha), p.environment, history.when(p.succeeded_at), history.by_run(p),
	previous(p), later(p),
]) if not p.same_tree

# When the commit did reach the environment before, but only after.
later(p) := sprintf(" (it reached %s only later, at %s)", [env, history.when(at)]) if {
	some env in p.previous
	at := history.record.commits[p.sha].reached[env]
} else := ""
