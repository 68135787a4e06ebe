# Repository settings (`input.settings`): which branches are release branches, what
# classic branch protection and rulesets say about each, and what could not be read.
#
# Every branch rule follows one scheme, so that "unknown" is never a pass:
# - a rule is settled by the rulesets when an active ruleset rule satisfies it
#   (`rs_ok`); rulesets are readable with read access, so they always count;
# - otherwise it is judged from classic protection (`classic_ok`), but only when that
#   was readable (`known`); when it was not, the rule is "not judged" and
#   `settings-unreadable` names it.
package shiplint.lib.settings

import data.shiplint.lib.steps
import rego.v1

settings := object.get(input, "settings", {})

branches := object.get(settings, "branches", {})

environments := object.get(settings, "environments", [])

environments_readable if object.get(settings, "environments_readable", true) == true

rulesets := object.get(settings, "rulesets", [])

# `rules.<rule>.params.<name>` from the config file, or the default.
param(rule, name, default_value) := object.get(object.get(object.get(input, "config", {}), rule, {}), name, default_value)

min_approvals := param("reviews-not-required", "min_approvals", 1)

default_production := ["production", "prod", "live"]

# The production environment names a rule judges (`environments` param).
production_names(rule) := {lower(n) | some n in param(rule, "environments", default_production)}

# --- Release branches --------------------------------------------------------------

default_branch := b if {
	b := object.get(object.get(input, "repository", {}), "default_branch", "")
	is_string(b)
	b != ""
}

is_glob(p) if regex.match(`[*?\[\]+!]`, p)

# The branch names a pattern stands for: itself, or the settings branches it matches.
expand(p) := {p} if not is_glob(p)

expand(p) := {b | some b, _ in branches; glob.match(p, ["/"], b)} if is_glob(p)

# A job deploys: itself, or through the local reusable workflow it calls.
deploys(job) if steps.deploy_job(job)

deploys(job) if {
	some callee in input.workflows
	callee.path == job.uses.resolved
	some j in callee.jobs
	steps.deploy_job(j)
}

# The `push:` trigger of a workflow with a deploy job.
deploying_push(wf) := push if {
	push := wf.triggers.push
	is_object(push)
	some job in wf.jobs
	deploys(job)
}

push_ignores(push, b) if {
	some p in object.get(push, "branches-ignore", [])
	glob.match(p, ["/"], b)
}

# Named explicitly (default branch, config) or by a deploying push trigger.
release_branches contains b if {
	b := default_branch
}

# Without a known default branch, every branch the settings describe.
release_branches contains b if {
	not default_branch
	some b, _ in branches
}

release_branches contains b if {
	some wf in input.workflows
	push := deploying_push(wf)
	some p in object.get(push, "branches", [])
	not startswith(p, "!")
	some b in expand(p)
}

# A deploying push trigger without branch filters runs on every branch.
release_branches contains b if {
	some wf in input.workflows
	push := deploying_push(wf)
	not push.branches
	not push.tags
	not push["tags-ignore"]
	some b, _ in branches
	not push_ignores(push, b)
}

release_branches contains b if {
	some p in param("branch-unprotected", "branches", [])
	some b in expand(p)
}

# Release branches the settings describe (the others are reported as not judged).
judged_branches contains b if {
	some b in release_branches
	branches[b]
}

# --- One branch ---------------------------------------------------------------------

# Classic protection was read (a body, or 404 "Branch not protected").
known(b) if branches[b].readable == true

# The classic protection body, when there is one.
classic(b) := p if {
	known(b)
	p := branches[b].protection
	is_object(p)
}

rules(b) := object.get(branches[b], "rules", [])

has_rule(b, t) if {
	some r in rules(b)
	r.type == t
}

rule_params(b, t) := [object.get(r, "parameters", {}) | some r in rules(b); r.type == t]

# Some protection applies: a classic body or an active ruleset rule.
protected(b) if classic(b)

protected(b) if count(rules(b)) > 0

# Branches the per-setting rules judge: release branches with some protection (an
# unprotected one is `branch-unprotected`, once, rather than six findings).
protected_release_branches contains b if {
	some b in judged_branches
	protected(b)
}

# --- What each rule asks ---------------------------------------------------------

# Reviews.
rs_ok(b, "reviews-not-required") if {
	some p in rule_params(b, "pull_request")
	object.get(p, "required_approving_review_count", 0) >= min_approvals
}

classic_reviews(b) := r if {
	r := classic(b).required_pull_request_reviews
	is_object(r)
}

classic_ok(b, "reviews-not-required") if {
	object.get(classic_reviews(b), "required_approving_review_count", 0) >= min_approvals
}

# Force pushes.
rs_ok(b, "force-push-allowed") if has_rule(b, "non_fast_forward")

classic_ok(b, "force-push-allowed") if {
	object.get(classic(b), ["allow_force_pushes", "enabled"], false) == false
}

# Required status checks.
rs_checks(b) if {
	some p in rule_params(b, "required_status_checks")
	count(object.get(p, "required_status_checks", [])) > 0
}

classic_checks(b) := c if {
	c := classic(b).required_status_checks
	is_object(c)
	count(object.get(c, "contexts", [])) + count(object.get(c, "checks", [])) > 0
}

rs_ok(b, "status-checks-not-required") if rs_checks(b)

classic_ok(b, "status-checks-not-required") if classic_checks(b)

checks_required(b) if rs_checks(b)

checks_required(b) if classic_checks(b)

# Up-to-date branches before merging.
rs_ok(b, "status-checks-not-strict") if {
	some p in rule_params(b, "required_status_checks")
	count(object.get(p, "required_status_checks", [])) > 0
	p.strict_required_status_checks_policy == true
}

classic_ok(b, "status-checks-not-strict") if classic_checks(b).strict == true

# Deletion.
rs_ok(b, "deletion-allowed") if has_rule(b, "deletion")

classic_ok(b, "deletion-allowed") if {
	object.get(classic(b), ["allow_deletions", "enabled"], false) == false
}

# Stale approvals.
rs_ok(b, "stale-reviews-kept") if {
	some p in rule_params(b, "pull_request")
	p.dismiss_stale_reviews_on_push == true
}

classic_ok(b, "stale-reviews-kept") if classic_reviews(b).dismiss_stale_reviews == true

reviews_configured(b) if classic_reviews(b)

reviews_configured(b) if has_rule(b, "pull_request")

# Protection exists at all.
rs_ok(b, "branch-unprotected") if count(rules(b)) > 0

branch_rules := [
	"branch-unprotected",
	"reviews-not-required",
	"force-push-allowed",
	"status-checks-not-required",
	"status-checks-not-strict",
	"deletion-allowed",
	"stale-reviews-kept",
	"admins-bypass",
]

# A rule fails on a branch: no ruleset satisfies it, classic protection was read and
# does not either (a missing body satisfies nothing).
fails(b, rule) if {
	b in protected_release_branches
	not rs_ok(b, rule)
	known(b)
	not classic_ok(b, rule)
}

# The rules that could not be judged on a branch whose classic protection is hidden.
not_judged(b) := [r |
	some r in branch_rules
	not rs_ok(b, r)
]

# The ruleset detail (GET …/rulesets/{id}) of a rule item, when the settings carry it.
ruleset_of(r) := rs if {
	some rs in rulesets
	rs.id == r.ruleset_id
}

# --- Messages -------------------------------------------------------------------------

# The token permission that reads classic branch protection, or why no token would.
unreadable_fix(err) := "Branch protection is not available on this plan for private repositories (GitHub Pro/Team, or a public repository); the API refuses to show it" if {
	contains(lower(err), "upgrade")
}

unreadable_fix(err) := "A token with the \"Administration: read\" repository permission (fine-grained) or the `repo` scope of a repository admin (classic) can read it" if {
	not contains(lower(err), "upgrade")
}

branch_error(b) := object.get(branches[b], "error", "not readable")
