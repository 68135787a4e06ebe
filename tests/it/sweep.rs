//! Org sweeps (`audit --org`, `--repos-file`, `--shard`, `--resume`, `merge`) against the
//! fake GitHub (`support::fake_github`) serving a generated organization of many repositories
//! (`support::synthetic_org`), with faults injected on chosen repositories. No test sleeps:
//! client waits are zero and no latency is added (the benchmark, `bench/org-sweep.sh`, adds
//! 20 ms per request).

use std::collections::BTreeSet;
use std::process::{Command, Output};

use serde_json::{json, Value as Json};

use crate::support::fake_github::{FakeGithub, Reply};
use crate::support::synthetic_org::SyntheticOrg;
use crate::{json, stderr, stdout};

const ORG: &str = "gen-org";
const TOKEN: &str = "ghp_shiplintSweepToken0123456789abcdefAB";

/// The generated organization of `size` repositories.
fn gen_org(size: usize) -> SyntheticOrg {
    SyntheticOrg::new(ORG, size)
}

/// The fake GitHub serving `org`, without faults.
fn serve(org: &SyntheticOrg) -> FakeGithub {
    FakeGithub::setup().org(org.clone()).start()
}

fn sweep(server: &FakeGithub, cwd: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiplint"))
        .arg("audit")
        .args(["--github-url", server.url()])
        .args(args)
        .current_dir(cwd)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_HOST")
        .env("GH_TOKEN", TOKEN)
        .env("NO_COLOR", "1")
        .env("SHIPLINT_TEST_BACKOFF_MS", "0")
        // The default cache directory is $XDG_CACHE_HOME/shiplint: never the user's.
        .env("XDG_CACHE_HOME", cwd.join(".cache"))
        .output()
        .expect("the shiplint binary runs")
}

fn repositories(doc: &Json) -> Vec<String> {
    doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_org_sweep_audits_every_active_repository_within_the_request_budget() {
    let org = gen_org(240);
    let server = FakeGithub::setup()
        .org(org.clone())
        .reply(&org.tree_path(7), vec![Reply::server_error(500)])
        .reply_once(&org.tree_path(12), Reply::secondary_rate_limit(0))
        .start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(
        &server,
        dir.path(),
        &["--org", ORG, "-f", "json", "-j", "8"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    let mut expected = org.active();
    expected.retain(|s| s != "gen-org/repo-007");
    assert_eq!(repositories(&doc), expected);

    // The 500 is isolated: reported with its repository, the rest audited.
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["repository"], "gen-org/repo-007");
    assert!(errors[0]["message"].as_str().unwrap().contains("500"));
    // The secondary rate limit was waited out: repo-012 is audited.
    assert!(repositories(&doc).contains(&"gen-org/repo-012".to_string()));
    // Findings carry their repository.
    let findings = doc["findings"].as_array().unwrap();
    assert!(findings
        .iter()
        .any(|f| f["repository"] == "gen-org/repo-003" && f["rule"] == "static-cloud-credentials"));
    assert!(findings
        .iter()
        .any(|f| f["repository"] == "gen-org/repo-004" && f["rule"] == "branch-unprotected"));
    assert_eq!(doc["summary"]["settings_evaluated"], true);

    // Budget: the tree + workflow files + 3 per release branch (only `main` here); the
    // listing gave each repository's metadata, so no `GET /repos/{slug}`.
    let paths = server.paths();
    let listing = paths.iter().filter(|p| p.starts_with("/orgs/")).count();
    assert_eq!(listing, 3, "240 repositories are 3 pages");
    for i in 0..240 {
        assert!(
            !paths.contains(&org.repo_path(i)),
            "repo-{i:03}: metadata asked again"
        );
    }
    for (i, n) in org.requests_by_repo(&paths) {
        assert!(
            !org.archived(i) && !org.fork(i),
            "repo-{i:03} was skipped but fetched"
        );
        if i == 7 || i == 12 {
            continue; // retried on purpose
        }
        let config = usize::from(SyntheticOrg::config(i).is_some());
        let budget = 1 + SyntheticOrg::workflows(i).len() + config + 3;
        assert!(n <= budget, "repo-{i:03}: {n} requests > budget {budget}");
    }
}

#[test]
fn with_settings_given_a_repository_costs_its_tree_and_its_workflows() {
    let org = gen_org(30);
    let server = serve(&org);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("settings.json"),
        r#"{"branches": {}, "environments": []}"#,
    )
    .unwrap();
    let out = sweep(
        &server,
        dir.path(),
        &["--org", ORG, "-f", "json", "--settings", "settings.json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    for (i, n) in org.requests_by_repo(&server.paths()) {
        let config = usize::from(SyntheticOrg::config(i).is_some());
        assert_eq!(
            n,
            1 + SyntheticOrg::workflows(i).len() + config,
            "repo-{i:03}"
        );
    }
}

#[test]
fn archived_repositories_and_forks_are_included_on_request() {
    let org = gen_org(30);
    let server = serve(&org);
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(
        &server,
        dir.path(),
        &[
            "--org",
            ORG,
            "-f",
            "json",
            "--include-archived",
            "--include-forks",
            "-j",
            "3",
        ],
    );
    assert_eq!(repositories(&json(&out)).len(), 30, "{}", stderr(&out));
}

#[test]
fn a_repos_file_names_the_repositories() {
    let org = gen_org(30);
    let server = serve(&org);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("repos.txt"),
        "# the important ones\ngen-org/repo-003\n\ngen-org/repo-009  # archived, named anyway\n",
    )
    .unwrap();
    let out = sweep(
        &server,
        dir.path(),
        &["--repos-file", "repos.txt", "-f", "json"],
    );
    assert_eq!(
        repositories(&json(&out)),
        ["gen-org/repo-003", "gen-org/repo-009"],
        "{}",
        stderr(&out)
    );
    assert!(!server.paths().iter().any(|p| p.starts_with("/orgs/")));
}

#[test]
fn an_unreachable_api_exits_3() {
    let port = crate::closed_port();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("repos.txt"), "gen-org/a\ngen-org/b\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shiplint"))
        .args(["audit", "--repos-file", "repos.txt", "--github-url"])
        .arg(format!("http://127.0.0.1:{port}"))
        .current_dir(dir.path())
        .env("SHIPLINT_TEST_BACKOFF_MS", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot reach"), "{}", stderr(&out));
}

#[test]
fn no_wait_stops_at_the_primary_limit_and_resume_finishes_without_redoing() {
    let org = gen_org(40);
    let server = FakeGithub::setup()
        .org(org.clone())
        .reply(&org.tree_path(20), vec![Reply::primary_rate_limit()])
        .start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(
        &server,
        dir.path(),
        &[
            "--org",
            ORG,
            "-f",
            "json",
            "-j",
            "1",
            "--no-wait",
            "--resume",
            "state.json",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--resume state.json"),
        "{}",
        stderr(&out)
    );
    let state: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("state.json")).unwrap())
            .unwrap();
    let finished: Vec<String> = state["finished"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    let active = org.active();
    let before: Vec<String> = active
        .iter()
        .filter(|s| s.as_str() < "gen-org/repo-020")
        .cloned()
        .collect();
    assert_eq!(finished, before);
    assert!(state["pending"]
        .as_array()
        .unwrap()
        .contains(&json!("gen-org/repo-020")));

    // The limit has reset: resume does only what is left.
    server.remove_route(&org.tree_path(20));
    server.forget();
    let out = sweep(
        &server,
        dir.path(),
        &["--org", ORG, "-f", "json", "--resume", "state.json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let fetched = org.requests_by_repo(&server.paths());
    assert!(fetched.keys().all(|&i| i >= 20), "redone: {fetched:?}");
    let resumed = json(&out);
    assert_eq!(repositories(&resumed), active);

    // Same as one uninterrupted sweep.
    let full = sweep(&server, dir.path(), &["--org", ORG, "-f", "json"]);
    assert_eq!(json(&full), resumed);
}

#[test]
fn shards_are_disjoint_cover_the_org_and_merge_equals_the_whole() {
    let org = gen_org(45);
    let server = FakeGithub::setup()
        .org(org.clone())
        .reply(&org.tree_path(5), vec![Reply::server_error(500)])
        .start();
    let dir = tempfile::tempdir().unwrap();
    let whole = sweep(&server, dir.path(), &["--org", ORG, "-f", "json"]);
    assert_eq!(whole.status.code(), Some(2), "{}", stderr(&whole));
    let mut seen = BTreeSet::new();
    let mut files = Vec::new();
    for k in 1..=3 {
        let file = format!("shard-{k}.json");
        let out = sweep(
            &server,
            dir.path(),
            &[
                "--org",
                ORG,
                "-f",
                "json",
                "--shard",
                &format!("{k}/3"),
                "-o",
                &file,
            ],
        );
        assert!(out.status.code().unwrap() <= 2, "{}", stderr(&out));
        let doc: Json =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(&file)).unwrap())
                .unwrap();
        let repos = repositories(&doc);
        assert!(!repos.is_empty(), "shard {k} is empty");
        for r in repos {
            assert!(seen.insert(r.clone()), "{r} is in two shards");
        }
        files.push(file);
    }
    let mut all = org.active();
    all.retain(|s| s != "gen-org/repo-005");
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), all);

    let merged = Command::new(env!("CARGO_BIN_EXE_shiplint"))
        .args(["merge", "-f", "json"])
        .args(&files)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(2), "{}", stderr(&merged));
    assert_eq!(json(&merged), json(&whole));

    // Every format renders the merged sweep.
    for (format, marker) in [
        ("human", "REPOSITORY"),
        ("csv", "repository,rule,severity"),
        ("html", "Compliance matrix"),
        // JSON reports carry each pipeline graph, so the merged summary draws them.
        ("markdown", "### Pipeline: `gen-org/repo-003`\n\n```mermaid"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_shiplint"))
            .args(["merge", "-f", format])
            .args(&files)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(stdout(&out).contains(marker), "{format}: {}", stdout(&out));
        assert!(stdout(&out).contains("gen-org/repo-003"), "{format}");
    }
}

#[test]
fn the_human_report_ends_with_the_org_table_worst_first() {
    let org = gen_org(8);
    let server = serve(&org);
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(&server, dir.path(), &["--org", ORG, "-q"]);
    let text = stdout(&out);
    let table = &text[text.find("REPOSITORY").expect("org table")..];
    let rows: Vec<&str> = table
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("gen-org/"))
        .collect();
    assert_eq!(rows.len(), 8, "{table}");
    // Worst first: the errors column never increases down the table.
    let errors: Vec<usize> = rows
        .iter()
        .map(|r| r.split_whitespace().nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(errors.windows(2).all(|w| w[0] >= w[1]), "{table}");
    assert!(errors[0] > errors[7], "{table}");
    assert!(table.contains("R1   "), "{table}");
    // --quiet: no progress and no sweep summary; only what was not audited is said.
    assert!(
        stderr(&out).lines().all(|l| l.starts_with("notice: ")),
        "--quiet: {}",
        stderr(&out)
    );
}

#[test]
fn csv_and_html_reports_of_a_sweep() {
    let org = gen_org(8);
    let server = serve(&org);
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(
        &server,
        dir.path(),
        &["--org", ORG, "-f", "html", "-o", "report.html"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let page = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(page.contains("<table class=\"m\">") && page.contains("<script>"));
    assert!(
        !page.contains("http://") && !page.contains("<link"),
        "external asset"
    );
    assert!(page.contains("class=\"error\""));

    let out = sweep(&server, dir.path(), &["--org", ORG, "-f", "csv"]);
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("repository,rule,severity,file,line,column,setting,message,title,doc_url")
    );
    assert!(lines.any(|l| l.starts_with("gen-org/repo-003,static-cloud-credentials,error,")));
}

#[test]
fn sweep_options_need_a_sweep() {
    let out = crate::shiplint(&["audit", "testdata/repos/exemplary", "--shard", "1/2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--shard needs --org"),
        "{}",
        stderr(&out)
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("repos.txt"), "not-a-repo\n").unwrap();
    let out = crate::shiplint_in(dir.path(), &["audit", "--repos-file", "repos.txt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("line 1"), "{}", stderr(&out));
    let out = crate::shiplint_in(
        dir.path(),
        &[
            "audit",
            "--org",
            "acme",
            "--shard",
            "3/2",
            "--github-url",
            "http://127.0.0.1:9",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--shard `3/2`"), "{}", stderr(&out));
}

#[test]
fn an_org_sweep_applies_each_repository_s_own_config() {
    let org = gen_org(12);
    let server = serve(&org);
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(&server, dir.path(), &["--org", ORG, "-f", "json"]);
    let doc = json(&out);
    let static_keys = |repo: &str| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["repository"] == repo && f["rule"] == "static-cloud-credentials")
    };
    // repo-006's `.github/shiplint.yml` disables the rule; repo-003 has no config.
    assert!(static_keys("gen-org/repo-003"), "{}", stderr(&out));
    assert!(!static_keys("gen-org/repo-006"), "{}", stderr(&out));
    // Its `policies:` would be Rego from the audited repository: not loaded, and said so.
    let notices = doc["notices"].as_array().unwrap();
    assert!(
        notices.iter().any(|n| n["repository"] == "gen-org/repo-006"
            && n["file"] == ".github/shiplint.yml"
            && n["message"].as_str().unwrap().contains("policies")),
        "{notices:?}"
    );
    // `--no-config`: the repository's own config is neither fetched nor applied.
    server.forget();
    let out = sweep(
        &server,
        dir.path(),
        &["--org", ORG, "-f", "json", "--no-config"],
    );
    let doc = json(&out);
    assert!(doc["findings"].as_array().unwrap().iter().any(|f| {
        f["repository"] == "gen-org/repo-006" && f["rule"] == "static-cloud-credentials"
    }));
    assert!(!server
        .paths()
        .iter()
        .any(|p| p.ends_with("blob-shiplint.yml")));
}

#[test]
fn an_org_sweep_honours_every_client_flag() {
    let org = gen_org(6);
    let server = serve(&org);
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("api-cache");
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_shiplint"))
            .args([
                "audit",
                "--org",
                ORG,
                "-f",
                "json",
                "--github-url",
                server.url(),
            ])
            .args(["--token-env", "SWEEP_TOKEN"])
            .args(extra)
            .current_dir(dir.path())
            .env_remove("GH_TOKEN")
            .env_remove("GH_HOST")
            .env("GITHUB_TOKEN", "ghp_notThisOne")
            .env("SWEEP_TOKEN", TOKEN)
            .env("XDG_CACHE_HOME", dir.path().join("xdg"))
            .env("SHIPLINT_TEST_BACKOFF_MS", "0")
            .output()
            .unwrap()
    };
    let cache_arg = cache.to_str().unwrap();
    // --token-env: every request, listing included, carries that variable's token.
    let first = run(&["--cache-dir", cache_arg]);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let requests = server.requests();
    assert!(!requests.is_empty());
    let bearer = format!("Bearer {TOKEN}");
    assert!(requests
        .iter()
        .all(|r| r.authorization.as_deref() == Some(bearer.as_str())));
    assert!(requests.iter().all(|r| r.if_none_match.is_none()));
    // --cache-dir: the second sweep asks conditionally and gets the same report.
    server.forget();
    let second = run(&["--cache-dir", cache_arg]);
    assert_eq!(json(&second), json(&first));
    // (A 404, "Branch not protected", has no ETag to send back.)
    let requests = server.requests();
    assert!(requests
        .iter()
        .filter(|r| r.status != 404)
        .all(|r| r.if_none_match.is_some() && r.status == 304));
    assert!(
        !dir.path().join("xdg").exists(),
        "the default cache was used"
    );
    // --no-cache: unconditional, and nothing written.
    server.forget();
    let third = run(&["--no-cache"]);
    assert_eq!(json(&third), json(&first));
    assert!(server.requests().iter().all(|r| r.if_none_match.is_none()));
    assert!(!dir.path().join("xdg").exists());
}
