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

# The recorded bodies require the checks `test` and `clippy`; the fixtures require the one
# check the pipeline of `testdata/repos/exemplary` reports on pull requests (its test job,
# `Tests and lint`), so that the exemplary with these settings is clean of the merge-gate
# rules and each fixture fires only the rule it is about.
EXEMPLARY_CHECKS = ["Tests and lint"]


def require_checks(rule_items):
    """Rule items (`GET …/rules/branches/{b}` or a ruleset's `rules`) requiring the
    exemplary's checks, bound to GitHub Actions, where they required others."""
    for r in rule_items:
        if r["type"] == "required_status_checks":
            r["parameters"]["required_status_checks"] = [
                {"context": c, "integration_id": 15368} for c in EXEMPLARY_CHECKS
            ]
    return rule_items


full["required_status_checks"]["contexts"] = list(EXEMPLARY_CHECKS)
full["required_status_checks"]["checks"] = [{"context": c, "app_id": 15368} for c in EXEMPLARY_CHECKS]
require_checks(rules)
require_checks(rules_deployments)
require_checks(ruleset["rules"])

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


# --- Merge gates (pipeline-checks-not-required, required-check-not-produced,
# promotion-order-not-enforced, environment-self-review) -----------------------------------


def gate_protection(checks):
    """The full classic protection requiring `checks` (bound to GitHub Actions), or
    requiring none (`None`: GitHub leaves `required_status_checks` out)."""
    p = copy.deepcopy(full)
    if checks is None:
        del p["required_status_checks"]
    else:
        p["required_status_checks"]["contexts"] = list(checks)
        p["required_status_checks"]["checks"] = [{"context": c, "app_id": 15368} for c in checks]
    return p


def gate_rules(checks, deployments=()):
    """The recorded rule items requiring `checks` (bound to GitHub Actions; `None`: no
    `required_status_checks` rule), plus a `required_deployments` rule for
    `deployments`, in the shape of `rules-branch-deployments.json`."""
    out = []
    for r in copy.deepcopy(rules):
        if r["type"] == "required_status_checks":
            if checks is None:
                continue
            r["parameters"]["required_status_checks"] = [
                {"context": c, "integration_id": 15368} for c in checks
            ]
        out.append(r)
    if deployments:
        d = copy.deepcopy(rules_deployments[2])
        d["parameters"]["required_deployment_environments"] = list(deployments)
        out.insert(1, d)
    return out


def gate_ruleset(items):
    """The repository ruleset (`GET …/rulesets/{id}`) whose rules the items list."""
    r = copy.deepcopy(ruleset_no_bypass)
    r["rules"] = [
        {k: v for k, v in i.items() if k in ("type", "parameters")}
        for i in items
        if i.get("ruleset_source_type") == "Repository"
    ]
    return r


def gate_branch(classic=None, ruleset=None, deployments=()):
    """A branch protected by both layers; `classic` / `ruleset` are the checks each
    requires (`None`: that layer requires none). [branch settings, ruleset body]"""
    items = gate_rules(ruleset, deployments)
    return branch(gate_protection(classic), rules=items), gate_ruleset(items)


def gates_doc(branches, envs=None):
    """A settings document: `branches` maps names to `gate_branch` results."""
    return {
        "branches": {b: v[0] for b, v in branches.items()},
        "environments": environments if envs is None else envs,
        "rulesets": [list(branches.values())[0][1]],
    }


def self_review(envs, prevent):
    """The environments with production's required reviewers set to `prevent` self-review."""
    out = copy.deepcopy(envs)
    for e in out:
        for r in e["protection_rules"]:
            if e["name"] == "production" and r["type"] == "required_reviewers":
                r["prevent_self_review"] = prevent
    return out


def policy(name, pid):
    """A deployment branch policy item in GitHub's shape (`deployment-branch-policies.json`)."""
    p = copy.deepcopy(policies["production"][0])
    p.update({"id": pid, "name": name})
    return p


def promotion_envs(refused=()):
    """development (any branch), staging (from `staging`) and production (from `main`):
    custom branch policies, read, except for the environments in `refused` (403)."""
    out = []
    for e in copy.deepcopy(custom_environments):
        name = {"development": None, "staging": "staging", "production": "main"}[e["name"]]
        if name is None:
            out.append(e)
            continue
        if e["name"] in refused:
            e["branch_policies"] = []
            e["branch_policies_readable"] = False
            e["branch_policies_error"] = "403 Resource not accessible by integration"
        else:
            e["branch_policies"] = [policy(name, 361480 + len(out))]
            e["branch_policies_readable"] = True
        out.append(e)
    return out


# The exemplary pipeline (testdata/repos/exemplary) under protections that do not match it.
EXEMPLARY = ["Tests and lint"]
FIXTURES.update(
    {
        # The branch requires `build`, a check of the exemplary that proves nothing: its
        # build is skipped on pull requests. One layer at a time, then both.
        "gates-build-required-rulesets": gates_doc({"main": gate_branch(None, ["build"])}),
        "gates-build-required-classic": gates_doc({"main": gate_branch(["build"], None)}),
        "gates-build-required-both": gates_doc({"main": gate_branch(["build"], ["build"])}),
        # The test job's check, through either layer: clean.
        "gates-tests-required-rulesets": gates_doc({"main": gate_branch(None, EXEMPLARY)}),
        "gates-tests-required-classic": gates_doc({"main": gate_branch(EXEMPLARY, None)}),
        # The test job's old name, `test` (its id), still required in both layers.
        "gates-renamed-check": gates_doc({"main": gate_branch(["test"], ["test"])}),
        # Production's reviewers may approve their own deployments.
        "gates-self-review": gates_doc(
            {"main": gate_branch(EXEMPLARY, EXEMPLARY)},
            self_review(environments, False),
        ),
    }
)

for name, doc in FIXTURES.items():
    (HERE / f"{name}.json").write_text(json.dumps(doc, indent=2) + "\n")

# The fixture repositories of testdata/gates/: each scenario's settings files.
GATES = HERE.parent / "gates"
BRANCH_PER_ENV = ("develop", "staging", "main")
GATE_SCENARIOS = {
    "renamed-check": {
        # `test` is now `Tests and lint`, `unit` a matrix (`unit (18)`, `unit (20)`).
        "settings": gates_doc({"main": gate_branch(None, ["test", "unit"])}),
        "settings-classic": gates_doc({"main": gate_branch(["test", "unit"], None)}),
        "settings-both": gates_doc({"main": gate_branch(["test"], ["unit"])}),
        "settings-renamed": gates_doc(
            {"main": gate_branch(["Tests and lint"], ["unit (18)", "unit (20)"])}
        ),
    },
    "after-merge-tests": {
        # The tests run on pushes only, before the build; pull requests run a title check.
        "settings": gates_doc({"main": gate_branch(None, ["Semantic pull request title"])}),
        "settings-classic": gates_doc({"main": gate_branch(["Semantic pull request title"], None)}),
    },
    "promotion": {
        # develop → development, staging → staging, main → production; no branch
        # requires the deployment before its own.
        "settings": gates_doc(
            {b: gate_branch(None, ["Tests"]) for b in BRANCH_PER_ENV}, promotion_envs()
        ),
        "settings-classic": gates_doc(
            {b: gate_branch(["Tests"], None) for b in BRANCH_PER_ENV}, promotion_envs()
        ),
        "settings-enforced": gates_doc(
            {
                "develop": gate_branch(None, ["Tests"]),
                "staging": gate_branch(None, ["Tests"], deployments=["development"]),
                "main": gate_branch(None, ["Tests"], deployments=["staging"]),
            },
            promotion_envs(),
        ),
        # Production's branch policies were refused: main is not judged.
        "settings-policies-refused": gates_doc(
            {b: gate_branch(None, ["Tests"]) for b in BRANCH_PER_ENV},
            promotion_envs(refused=("production",)),
        ),
    },
}
for scenario, docs in GATE_SCENARIOS.items():
    for name, doc in docs.items():
        (GATES / scenario / f"{name}.json").write_text(json.dumps(doc, indent=2) + "\n")
