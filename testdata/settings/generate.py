#!/usr/bin/env python3
"""Builds the `--settings` fixtures in this folder from the recorded API bodies in
`testdata/github/` (responses in GitHub's real shapes). Run it after changing either:

    python3 testdata/settings/generate.py
"""
import copy
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
GITHUB = HERE.parent / "github"


def body(name):
    return json.loads((GITHUB / name).read_text())


full = body("branch-protection-full.json")
weak = body("branch-protection-weak.json")
rules = body("rules-branch.json")
no_rules = body("rules-branch-empty.json")
ruleset = body("ruleset.json")
environments = body("environments.json")["environments"]
not_found = body("error-not-found.json")["message"]
rules_deployments = body("rules-branch-deployments.json")
custom_environments = body("environments-custom-policies.json")["environments"]
policies = {
    "production": body("deployment-branch-policies.json")["branch_policies"],
    "staging": body("deployment-branch-policies-staging.json")["branch_policies"],
}
upgrade = body("error-upgrade-plan.json")["message"]

ruleset_no_bypass = copy.deepcopy(ruleset)
ruleset_no_bypass["bypass_actors"] = []

# Production without any protection rule and no branch policy (the API's shape for an
# environment created implicitly by a deploy).
bare_production = copy.deepcopy(environments[1])
bare_production.update(
    {
        "id": 161088070,
        "name": "production",
        "url": "https://api.github.com/repos/octo-org/octo-repo/environments/production",
        "html_url": "https://github.com/octo-org/octo-repo/deployments/activity_log?environments_filter=production",
        "can_admins_bypass": True,
        "protection_rules": [],
        "deployment_branch_policy": None,
    }
)


# The repository ruleset as `GET …/rulesets/{id}` shows it once it also requires a deployment
# to staging (the rule `rules-branch-deployments.json` lists), nobody allowed to bypass it.
ruleset_gates = copy.deepcopy(ruleset_no_bypass)
ruleset_gates["rules"].insert(
    1,
    {k: v for k, v in rules_deployments[2].items() if k in ("type", "parameters")},
)


def with_policies(environments, unreadable=()):
    """The environments as shiplint stores them online: each one with custom branch
    policies carries them (`branch_policies`), or, for those in `unreadable`, the 403 a
    token without Actions: read gets."""
    out = copy.deepcopy(environments)
    for e in out:
        if not (e.get("deployment_branch_policy") or {}).get("custom_branch_policies"):
            continue
        if e["name"] in unreadable:
            e["branch_policies"] = []
            e["branch_policies_readable"] = False
            e["branch_policies_error"] = "403 Resource not accessible by integration"
        else:
            e["branch_policies"] = policies[e["name"]]
            e["branch_policies_readable"] = True
    return out


def branch(protection, readable=True, error=None, rules=()):
    b = {"protection": protection, "readable": readable}
    if error:
        b["error"] = error
    b["rules"] = list(rules)
    return b


FIXTURES = {
    # Classic protection and rulesets done right, production gated by reviewers.
    "well-protected": {
        "branches": {"main": branch(full, rules=rules)},
        "environments": environments,
        "rulesets": [ruleset_no_bypass],
    },
    # Classic protection that allows force pushes, needs no approvals and no checks.
    "weak": {
        "branches": {"main": branch(weak, rules=no_rules)},
        "environments": environments,
    },
    # No classic protection (404 "Branch not protected"); rulesets do the job, but the
    # ruleset lets a role bypass it.
    "ruleset-only": {
        "branches": {"main": branch(None, rules=rules)},
        "environments": environments,
        "rulesets": [ruleset],
    },
    # Neither classic protection nor rulesets.
    "unprotected": {
        "branches": {"main": branch(None, rules=no_rules)},
        "environments": environments,
    },
    # Classic protection hidden from a token without admin rights (404 "Not Found").
    "unreadable": {
        "branches": {"main": branch(None, readable=False, error=f"404 {not_found}", rules=no_rules)},
        "environments": environments,
    },
    # Hidden classic protection, but rulesets (readable by anyone) settle most rules.
    "unreadable-with-rulesets": {
        "branches": {"main": branch(None, readable=False, error=f"404 {not_found}", rules=rules)},
        "environments": environments,
        "rulesets": [ruleset_no_bypass],
    },
    # A private repository on the Free plan (403 "Upgrade to GitHub Pro …") whose
    # environment list could not be read either.
    "unreadable-plan": {
        "branches": {"main": branch(None, readable=False, error=f"403 {upgrade}", rules=no_rules)},
        "environments": None,
        "environments_error": f"403 {upgrade}",
    },
    # Well-protected branch; production environment without reviewers or branch policy.
    "environments-without-reviewers": {
        "branches": {"main": branch(full, rules=rules)},
        "environments": [bare_production, environments[1]],
        "rulesets": [ruleset_no_bypass],
    },
    # Well-protected branch; no production environment exists yet.
    "environments-missing-production": {
        "branches": {"main": branch(full, rules=rules)},
        "environments": [environments[1]],
        "rulesets": [ruleset_no_bypass],
    },
    # Merge gates: required checks bound to GitHub Actions (classic and ruleset), a
    # required deployment to staging, and development → staging → production with custom
    # deployment branch policies, read.
    "merge-gates": {
        "branches": {"main": branch(full, rules=rules_deployments)},
        "environments": with_policies(custom_environments),
        "rulesets": [ruleset_gates],
    },
    # The same, but production's branch policies could not be read (403).
    "branch-policies-unreadable": {
        "branches": {"main": branch(full, rules=rules_deployments)},
        "environments": with_policies(custom_environments, unreadable=("production",)),
        "rulesets": [ruleset_gates],
    },
}

for name, doc in FIXTURES.items():
    (HERE / f"{name}.json").write_text(json.dumps(doc, indent=2) + "\n")
