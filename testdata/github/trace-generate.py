#!/usr/bin/env python3
"""Writes the deployment-history bodies `trace-*.json` of this folder and the route
tables `../trace/<scenario>/routes.json` of the `shiplint trace` tests. Run it after
changing the scenarios or `../trace/repo/.github/workflows/release.yml`:

    python3 testdata/github/trace-generate.py

Every body has the fields, nesting and order of GitHub's REST API reference (see
README.md, "Deployment history"); ids, SHAs and times are made up but consistent:
each commit's SHA is the SHA-1 of its label, its tree the SHA-1 of its tree label, and
the workflow run of each deployment links its statuses to the commit's check runs.
"""
import base64
import hashlib
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
TRACE = HERE.parent / "trace"
API = "https://api.github.com/repos/octo-org/octo-repo"
WEB = "https://github.com/octo-org/octo-repo"
REPO = "/repos/octo-org/octo-repo"

BOT = {
    "login": "github-actions[bot]", "id": 41898282, "node_id": "MDM6Qm90NDE4OTgyODI=",
    "avatar_url": "https://avatars.githubusercontent.com/in/15368?v=4", "gravatar_id": "",
    "url": "https://api.github.com/users/github-actions%5Bbot%5D",
    "html_url": "https://github.com/apps/github-actions",
    "followers_url": "https://api.github.com/users/github-actions%5Bbot%5D/followers",
    "following_url": "https://api.github.com/users/github-actions%5Bbot%5D/following{/other_user}",
    "gists_url": "https://api.github.com/users/github-actions%5Bbot%5D/gists{/gist_id}",
    "starred_url": "https://api.github.com/users/github-actions%5Bbot%5D/starred{/owner}{/repo}",
    "subscriptions_url": "https://api.github.com/users/github-actions%5Bbot%5D/subscriptions",
    "organizations_url": "https://api.github.com/users/github-actions%5Bbot%5D/orgs",
    "repos_url": "https://api.github.com/users/github-actions%5Bbot%5D/repos",
    "events_url": "https://api.github.com/users/github-actions%5Bbot%5D/events{/privacy}",
    "received_events_url": "https://api.github.com/users/github-actions%5Bbot%5D/received_events",
    "type": "Bot", "user_view_type": "public", "site_admin": False,
}
APP = {
    "id": 15368, "client_id": "Iv1.05c79e9ad1f6bdfa", "slug": "github-actions",
    "node_id": "MDM6QXBwMTUzNjg=",
    "owner": {"login": "github", "id": 9919, "node_id": "MDEyOk9yZ2FuaXphdGlvbjk5MTk=",
              "url": "https://api.github.com/users/github", "html_url": "https://github.com/github",
              "type": "Organization", "user_view_type": "public", "site_admin": False},
    "name": "GitHub Actions", "description": "Automate your workflow from idea to production",
    "external_url": "https://help.github.com/en/actions", "html_url": "https://github.com/apps/github-actions",
    "created_at": "2018-07-30T09:30:17Z", "updated_at": "2024-04-10T20:33:16Z",
    "permissions": {"actions": "write", "checks": "write", "contents": "write", "deployments": "write",
                    "metadata": "read", "packages": "write", "statuses": "write"},
    "events": ["branch_protection_rule", "check_run", "deployment", "deployment_status", "push", "workflow_run"],
}
JOBS = ["test", "build", "Scan image", "deploy-dev", "deploy-staging", "deploy-production"]
ENVIRONMENTS = ["dev", "staging", "production"]


def sha(label):
    return hashlib.sha1(f"octo-repo {label}".encode()).hexdigest()


def at(day, clock):
    return f"2026-11-{day:02d}T{clock}Z"


def plus(t, seconds):
    h, m, s = (int(x) for x in t[11:19].split(":"))
    total = h * 3600 + m * 60 + s + seconds
    return f"{t[:11]}{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}Z"


def write(name, body):
    (HERE / name).write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")


# A commit: (label, tree label, day, clock of its push, ref, its run id).
COMMITS = {
    "B": ("tree-b", 20, "09:00:00", "main", 11900000101),
    "A": ("tree-a", 30, "10:00:00", "main", 11900000201),
    "H": ("tree-h", 30, "16:00:00", "main", 11900000301),
    "S": ("tree-s", 28, "09:00:00", "staging", 11900000401),
    "M": ("tree-s", 28, "15:00:00", "production", 11900000501),
}

# Scenario → environment → deployments, newest first: (id, commit, minutes after the
# push that the deploy job started, replaced by a later deployment's success at).
SCENARIOS = {
    "clean": {
        "dev": [(2100000004, "A", 9, None), (2100000001, "B", 9, at(30, "10:11:00"))],
        "staging": [(2100000005, "A", 12, None), (2100000002, "B", 12, at(30, "10:14:00"))],
        "production": [(2100000006, "A", 15, None), (2100000003, "B", 15, at(30, "10:17:00"))],
    },
    "hotfix": {
        "dev": [(2100000004, "A", 9, None)],
        "staging": [(2100000005, "A", 12, None)],
        "production": [(2100000007, "H", 15, None), (2100000006, "A", 15, at(30, "16:17:00"))],
    },
    "merge-promotion": {
        "dev": [(2100000008, "S", 9, None)],
        "staging": [(2100000009, "S", 12, None)],
        "production": [(2100000010, "M", 15, None)],
    },
    "scan-failed": {
        "dev": [(2100000004, "A", 9, None)],
        "staging": [(2100000005, "A", 12, None)],
        "production": [(2100000006, "A", 15, None)],
    },
    "no-deployments": {"dev": [], "staging": [], "production": []},
}
# Scenario → commit → conclusion of each job's check run (absent: the job did not run).
CHECKS = {
    "clean": {"A": {}, "B": {}},
    "hotfix": {"A": {}, "H": {"deploy-dev": "skipped", "deploy-staging": "skipped"}},
    "merge-promotion": {"S": {"deploy-production": None}, "M": {"deploy-dev": None, "deploy-staging": None}},
    "scan-failed": {"A": {"Scan image": "failure"}},
}


def deployment(dep_id, commit, minutes, env):
    tree, day, clock, ref, run = COMMITS[commit]
    created = plus(at(day, clock), minutes * 60)
    return {
        "url": f"{API}/deployments/{dep_id}", "id": dep_id,
        "node_id": "DE_kwDODPpO8s" + base64.b64encode(str(dep_id).encode()).decode()[:8],
        "sha": sha(commit), "ref": ref, "task": "deploy", "payload": {},
        "original_environment": env, "environment": env, "description": None,
        "creator": BOT, "created_at": created, "updated_at": plus(created, 120),
        "statuses_url": f"{API}/deployments/{dep_id}/statuses", "repository_url": API,
        "transient_environment": False, "production_environment": env == "production",
        "performed_via_github_app": APP,
    }


def status(status_id, dep_id, state, when, env, commit):
    run = COMMITS[commit][4]
    job = run * 10 + ENVIRONMENTS.index(env) + 3
    log = f"{WEB}/actions/runs/{run}/job/{job}"
    return {
        "url": f"{API}/deployments/{dep_id}/statuses/{status_id}", "id": status_id,
        "node_id": "DES_kwDODPpO8s" + base64.b64encode(str(status_id).encode()).decode()[:10],
        "state": state, "creator": BOT, "description": "", "environment": env,
        "target_url": log, "created_at": when, "updated_at": when,
        "deployment_url": f"{API}/deployments/{dep_id}", "repository_url": API,
        "environment_url": "", "log_url": log, "performed_via_github_app": APP,
    }


def statuses(dep, replaced_at):
    """Newest first, as GitHub lists them: queued, in_progress, success[, inactive]."""
    env, created, commit = dep["environment"], dep["created_at"], COMMITS_BY_SHA[dep["sha"]]
    base = dep["id"] * 10
    items = [
        status(base + 1, dep["id"], "queued", plus(created, 1), env, commit),
        status(base + 2, dep["id"], "in_progress", plus(created, 5), env, commit),
        status(base + 3, dep["id"], "success", plus(created, 110), env, commit),
    ]
    if replaced_at:
        items.append(status(base + 4, dep["id"], "inactive", replaced_at, env, commit))
    return list(reversed(items))


COMMITS_BY_SHA = {sha(label): label for label in COMMITS}


def check_run(commit, index, name, conclusion):
    tree, day, clock, ref, run = COMMITS[commit]
    job = run * 10 + index
    started = plus(at(day, clock), 15 + index * 60 * 3)
    return {
        "id": job, "head_sha": sha(commit), "node_id": "CR_kwDODPpO8s8AAAAB" + str(job)[-6:],
        "external_id": hashlib.md5(f"{run}/{name}".encode()).hexdigest(),
        "url": f"{API}/check-runs/{job}", "html_url": f"{WEB}/actions/runs/{run}/job/{job}",
        "details_url": f"{WEB}/actions/runs/{run}/job/{job}", "status": "completed",
        "conclusion": conclusion, "started_at": started, "completed_at": plus(started, 95),
        "output": {"title": None, "summary": None, "text": None, "annotations_count": 0,
                   "annotations_url": f"{API}/check-runs/{job}/annotations"},
        "name": name, "check_suite": {"id": run * 3 + 7}, "app": APP, "pull_requests": [],
    }


def check_runs(commit, overrides):
    runs = []
    for i, name in enumerate(JOBS):
        conclusion = overrides.get(name, "success")
        if conclusion is not None:
            runs.append(check_run(commit, i, name, conclusion))
    return {"total_count": len(runs), "check_runs": runs}


def git_commit(label):
    tree, day, clock, ref, run = COMMITS[label]
    when = plus(at(day, clock), -60)
    person = {"name": "Mona Octocat", "email": "mona@octo-org.example", "date": when}
    parent = sha("parent of " + label)
    return {
        "sha": sha(label), "node_id": "C_kwDODPpO8toAKD" + sha(label)[:24],
        "url": f"{API}/git/commits/{sha(label)}", "html_url": f"{WEB}/commit/{sha(label)}",
        "author": person, "committer": person,
        "tree": {"sha": hashlib.sha1(tree.encode()).hexdigest(),
                 "url": f"{API}/git/trees/{hashlib.sha1(tree.encode()).hexdigest()}"},
        "message": {"M": "Merge branch 'staging' into production"}.get(label, f"Release {label}"),
        "parents": [{"sha": parent, "url": f"{API}/git/commits/{parent}", "html_url": f"{WEB}/commit/{parent}"}],
        "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                         "verified_at": None},
    }


def repository_files():
    workflow = (TRACE / "repo/.github/workflows/release.yml").read_bytes()
    blob = hashlib.sha1(b"blob %d\0" % len(workflow) + workflow).hexdigest()
    encoded = base64.b64encode(workflow).decode()
    lines = "".join(encoded[i:i + 60] + "\n" for i in range(0, len(encoded), 60))
    write("trace-git-blob-release.json", {
        "sha": blob, "node_id": "B_kwDODPpO8toAKD" + blob[:24], "size": len(workflow),
        "url": f"{API}/git/blobs/{blob}", "content": lines, "encoding": "base64"})
    trees = {p: hashlib.sha1(p.encode()).hexdigest() for p in [".github", ".github/workflows", "root"]}
    entry = lambda path, kind, s, **extra: {"path": path, "mode": "040000" if kind == "tree" else "100644",
                                            "type": kind, "sha": s, **extra,
                                            "url": f"{API}/git/{kind}s/{s}"}
    write("trace-git-tree.json", {
        "sha": trees["root"], "url": f"{API}/git/trees/{trees['root']}",
        "tree": [entry(".github", "tree", trees[".github"]),
                 entry(".github/workflows", "tree", trees[".github/workflows"]),
                 entry(".github/workflows/release.yml", "blob", blob, size=len(workflow))],
        "truncated": False})
    return blob


def environments():
    def env(i, name, rules):
        return {"id": 161088100 + i, "node_id": "EN_kwDODPpO8s4JmgB" + str(i),
                "name": name, "url": f"{API}/environments/{name}",
                "html_url": f"{WEB}/deployments/activity_log?environments_filter={name}",
                "created_at": "2026-03-02T08:00:00Z", "updated_at": "2026-10-14T10:12:03Z",
                "can_admins_bypass": False, "protection_rules": rules,
                "deployment_branch_policy": {"protected_branches": True, "custom_branch_policies": False}}
    reviewers = [{"id": 3755, "node_id": "GA_kwDODPpO8s4AAA6r", "prevent_self_review": True,
                  "type": "required_reviewers",
                  "reviewers": [{"type": "Team", "reviewer": {"id": 1, "node_id": "MDQ6VGVhbTE=",
                                 "name": "Release managers", "slug": "release-managers"}}]}]
    write("trace-environments.json", {"total_count": 3, "environments": [
        env(0, "dev", []), env(1, "staging", []), env(2, "production", reviewers)]})


def route(routes, path, status, file):
    routes.append({"path": path, "status": status, "file": file})


def scenario(name, blob):
    routes = []
    route(routes, REPO, 200, "repo.json")
    route(routes, f"{REPO}/git/trees/main", 200, "trace-git-tree.json")
    route(routes, f"{REPO}/git/blobs/{blob}", 200, "trace-git-blob-release.json")
    route(routes, f"{REPO}/environments", 200, "trace-environments.json")
    if name == "forbidden":
        for env in ENVIRONMENTS:
            route(routes, f"{REPO}/deployments?environment={env}&per_page=100", 403,
                  "trace-error-deployments-forbidden.json")
        return routes
    for env, deps in SCENARIOS[name].items():
        file = "trace-deployments-empty.json"
        if deps:
            file = f"trace-deployments-{name}-{env}.json"
            bodies = [deployment(i, c, m, env) for i, c, m, _ in deps]
            write(file, bodies)
            for body, (_, _, _, replaced) in zip(bodies, deps):
                statuses_file = f"trace-deployment-statuses-{name}-{body['id']}.json"
                write(statuses_file, statuses(body, replaced))
                route(routes, f"{REPO}/deployments/{body['id']}/statuses?per_page=100", 200,
                      statuses_file)
        route(routes, f"{REPO}/deployments?environment={env}&per_page=100", 200, file)
    deployed = {c for deps in SCENARIOS[name].values() for _, c, _, _ in deps}
    for label in sorted(deployed):
        for env in ENVIRONMENTS:
            # Looked up by commit: where the window does not show it, it never was.
            route(routes, f"{REPO}/deployments?environment={env}&sha={sha(label)}&per_page=100", 200,
                  "trace-deployments-empty.json")
        route(routes, f"{REPO}/git/commits/{sha(label)}", 200, f"trace-git-commit-{label}.json")
    for label, overrides in CHECKS.get(name, {}).items():
        file = f"trace-check-runs-{name}-{label}.json"
        write(file, check_runs(label, overrides))
        route(routes, f"{REPO}/commits/{sha(label)}/check-runs?filter=all&per_page=100&page=1", 200, file)
    return routes


def main():
    blob = repository_files()
    environments()
    write("trace-deployments-empty.json", [])
    write("trace-error-deployments-forbidden.json", {
        "message": "Resource not accessible by personal access token",
        "documentation_url": "https://docs.github.com/rest/deployments/deployments#list-deployments",
        "status": "403"})
    for label in COMMITS:
        write(f"trace-git-commit-{label}.json", git_commit(label))
    for name in [*SCENARIOS, "forbidden"]:
        folder = TRACE / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "routes.json").write_text(json.dumps(scenario(name, blob), indent=2) + "\n")


main()
