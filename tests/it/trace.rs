//! `shiplint trace OWNER/NAME` and the deployment-history rules against the fake GitHub.
//! Each scenario of `testdata/trace/<scenario>/routes.json` serves `octo-org/octo-repo`
//! (the workflow of `testdata/trace/repo`, three environments dev, staging, production)
//! with a deployment history in GitHub's shapes (`testdata/github/trace-*.json`, written
//! by `testdata/github/trace-generate.py`). "Now" is 2026-12-01 12:00 UTC, so the
//! default window of 30 days holds every recorded deployment.

use std::process::{Command, Output};

use crate::support::fake_github::{FakeGithub, Reply};
use crate::{stderr, stdout};

const TOKEN: &str = "ghp_shiplintTraceToken0123456789abcdefAB";
const NOW: &str = "2026-12-01T12:00:00Z";

/// The fake GitHub of one scenario and the cache home of the runs against it.
struct Scenario {
    github: FakeGithub,
    cache_home: tempfile::TempDir,
}

fn serve(name: &str) -> Scenario {
    serve_with(name, &[])
}

/// The scenario's routes, some of them answered with `overrides` instead.
fn serve_with(name: &str, overrides: &[(&str, Reply)]) -> Scenario {
    let path = crate::testdata("trace").join(name).join("routes.json");
    let routes: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let routes: Vec<(String, Reply)> = routes
        .iter()
        .map(|r| {
            let status = r["status"].as_u64().unwrap() as u16;
            let file = r["file"].as_str().unwrap();
            (
                r["path"].as_str().unwrap().to_string(),
                Reply::recorded(status, file),
            )
        })
        .map(|(path, reply)| {
            let given = overrides.iter().find(|(p, _)| *p == path);
            (path, given.map_or(reply, |(_, r)| r.clone()))
        })
        .collect();
    let github = FakeGithub::start(
        routes
            .iter()
            .map(|(p, r)| (p.as_str(), vec![r.clone()]))
            .collect(),
    );
    Scenario {
        github,
        cache_home: tempfile::tempdir().unwrap(),
    }
}

fn shiplint(s: &Scenario, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiplint"))
        .args(args)
        .args(["--github-url", s.github.url()])
        .current_dir(crate::root())
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_HOST")
        .env("GH_TOKEN", TOKEN)
        .env("XDG_CACHE_HOME", s.cache_home.path())
        .env("SHIPLINT_TEST_NOW", NOW)
        .env("NO_COLOR", "1")
        .output()
        .expect("the shiplint binary runs")
}

fn trace(s: &Scenario, format: &str) -> Output {
    shiplint(s, &["trace", "octo-org/octo-repo", "--format", format])
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)))
}

/// `(rule, setting)` of every finding of a JSON report.
fn findings(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = f["setting"].as_str().or(f["file"].as_str()).unwrap_or("");
            (f["rule"].as_str().unwrap().to_string(), at.to_string())
        })
        .collect()
}

fn message<'a>(doc: &'a serde_json::Value, rule: &str) -> &'a str {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no {rule} finding in {doc:#}"))
}

const A: &str = "a24a412ccb667d40d4b4b58248bc6c7095bfb00b";

#[test]
fn a_clean_promotion_of_one_commit_is_traced_through_every_environment() {
    let s = serve("clean");
    let out = trace(&s, "human");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("trace_clean_human", stdout(&out));
    let doc = json(&trace(&s, "json"));
    assert_eq!(findings(&doc), vec![]);
    let production = &doc["environments"][2];
    assert_eq!(production["name"], "production");
    assert_eq!(production["latest"]["sha"], A);
    assert_eq!(
        production["earlier"][0]["reached_at"],
        "2026-11-30T10:10:50Z"
    );
    assert_eq!(production["checks"]["scan"]["succeeded"], true);
    assert_eq!(production["checks"]["build"]["successes"], 1);
    insta::assert_snapshot!("trace_clean_markdown", stdout(&trace(&s, "markdown")));
}

#[test]
fn the_json_trace_carries_the_record_and_the_pipeline_checks() {
    let s = serve("clean");
    let out = trace(&s, "json");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("trace_clean_json", stdout(&out));
}

/// The request count of a repository with 3 environments and 30 days of history.
#[test]
fn a_trace_of_three_environments_over_thirty_days_takes_fifteen_requests() {
    let s = serve("clean");
    let out = trace(&s, "json");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let paths = s.github.paths();
    // The repository, its tree, its one workflow blob, its environments: 4.
    // One page of deployments per environment: 3. The statuses of the 6 deployments
    // of the window: 6. The check runs of the 2 commits judged (production's): 2.
    // No look-up by commit (every commit was where it should be) and no tree.
    assert_eq!(paths.len(), 4 + 3 + 6 + 2, "{paths:#?}");
    assert_eq!(paths.iter().filter(|p| p.contains("/statuses")).count(), 6);
    assert_eq!(
        paths.iter().filter(|p| p.contains("/check-runs")).count(),
        2
    );
    assert!(!paths
        .iter()
        .any(|p| p.contains("&sha=") || p.contains("/git/commits/")));
    assert!(
        !paths.iter().any(|p| p.contains("/protection")),
        "{paths:#?}"
    );
}

#[test]
fn a_hotfix_pushed_straight_to_main_was_deployed_without_promotion() {
    let s = serve("hotfix");
    let out = trace(&s, "human");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("trace_hotfix_human", stdout(&out));
    let doc = json(&trace(&s, "json"));
    let rules = findings(&doc);
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(rules[0].0, "deployed-without-promotion");
    let fired = message(&doc, "deployed-without-promotion");
    assert!(fired.contains("to staging"), "{fired}");
    assert!(!fired.contains("git tree"), "{fired}");
    // Its commit was looked up in the earlier environments before saying "never".
    let paths = s.github.paths();
    for env in ["dev", "staging"] {
        let lookup = format!("environment={env}&sha=");
        assert!(paths.iter().any(|p| p.contains(&lookup)), "{paths:#?}");
    }
}

#[test]
fn a_merge_based_promotion_is_named_as_the_same_tree_under_a_new_commit() {
    let s = serve("merge-promotion");
    let out = trace(&s, "json");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let fired = message(&doc, "deployed-without-promotion");
    assert!(
        fired.contains("the same code was merged and rebuilt under a new commit"),
        "{fired}"
    );
    assert!(
        fired.contains(
            "Deploy the SHA that was built, by its tag, instead of rebuilding on the target branch"
        ),
        "{fired}"
    );
    let promotion = &doc["history"]["promotions"][1];
    assert_eq!(promotion["environment"], "production");
    assert_eq!(
        promotion["same_tree"]["tree"],
        doc["history"]["commits"][promotion["same_tree"]["sha"].as_str().unwrap()]["tree"]
    );
    insta::assert_snapshot!("trace_merge_promotion_human", stdout(&trace(&s, "human")));
}

#[test]
fn a_production_commit_whose_scan_failed_is_deployed_unscanned() {
    let s = serve("scan-failed");
    let out = trace(&s, "json");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(
        findings(&doc),
        vec![(
            "deployed-unscanned".to_string(),
            format!("deployments/production/{A}")
        )]
    );
    let fired = message(&doc, "deployed-unscanned");
    assert!(
        fired.contains("no check run of the scan job passed on that commit: `Scan image` failure"),
        "{fired}"
    );
    let human = stdout(&trace(&s, "human"));
    assert!(human.contains("✗ failure (`Scan image`)"), "{human}");
}

#[test]
fn environments_without_deployments_are_shown_and_are_no_finding() {
    let s = serve("no-deployments");
    let out = trace(&s, "human");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        text.matches("no deployment since 2026-11-01 12:00").count(),
        3,
        "{text}"
    );
    assert!(text.contains("shiplint trace: no findings"), "{text}");
    assert_eq!(s.github.paths().len(), 4 + 3);
}

#[test]
fn a_refused_history_is_said_and_exits_3() {
    let s = serve("forbidden");
    let out = trace(&s, "json");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["history"]["readable"], false);
    assert_eq!(
        doc["history"]["error"],
        "403 Resource not accessible by personal access token"
    );
    let note = message(&doc, "settings-unreadable");
    assert!(
        note.contains("not judged: deployed-without-promotion, deployed-unscanned"),
        "{note}"
    );
    assert!(note.contains("Deployments: read"), "{note}");
    let human = stdout(&trace(&s, "human"));
    assert!(
        human.contains("the deployment history could not be read: 403"),
        "{human}"
    );
}

#[test]
fn an_online_audit_judges_the_history_too() {
    let s = serve("hotfix");
    let out = shiplint(&s, &["audit", "octo-org/octo-repo", "-f", "json"]);
    let doc = json(&out);
    let rules = findings(&doc);
    assert!(
        rules.iter().any(|(r, _)| r == "deployed-without-promotion"),
        "{rules:?}"
    );
    // Settings were read in full for the audit (the fake has no protection: unknown).
    assert!(s.github.paths().iter().any(|p| p.contains("/protection")));
}

#[test]
fn sweeps_read_the_history_only_with_the_history_flag() {
    let s = serve("hotfix");
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("repos.txt");
    std::fs::write(&list, "octo-org/octo-repo\n").unwrap();
    let list = list.to_str().unwrap();
    let out = shiplint(&s, &["audit", "--repos-file", list, "-q", "-f", "json"]);
    assert!(!findings(&json(&out))
        .iter()
        .any(|(r, _)| r.starts_with("deployed-")));
    assert!(!s.github.paths().iter().any(|p| p.contains("/deployments")));
    let out = shiplint(
        &s,
        &[
            "audit",
            "--repos-file",
            list,
            "--history",
            "-q",
            "-f",
            "json",
        ],
    );
    assert!(findings(&json(&out))
        .iter()
        .any(|(r, _)| r == "deployed-without-promotion"));
}

#[test]
fn trace_needs_a_token_and_an_owner_name() {
    let out = Command::new(env!("CARGO_BIN_EXE_shiplint"))
        .args(["trace", "octo-org/octo-repo"])
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("needs a token"), "{}", stderr(&out));
    let s = serve("clean");
    let out = shiplint(&s, &["trace", "not-a-repo"]);
    assert_eq!(out.status.code(), Some(2));
    let out = shiplint(&s, &["trace", "octo-org/octo-repo", "--since", "30 days"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected a duration"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn since_bounds_the_history() {
    let s = serve("clean");
    let out = shiplint(
        &s,
        &["trace", "octo-org/octo-repo", "-f", "json", "--since", "5d"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(doc["history"]["since"], "2026-11-26T12:00:00Z");
    // The earlier release (2026-11-20) is out of the window: one deployment each, and
    // the check runs of one production commit.
    for env in doc["environments"].as_array().unwrap() {
        assert_eq!(env["deployments"], 1, "{env:#}");
    }
    let paths = s.github.paths();
    assert_eq!(paths.iter().filter(|p| p.contains("/statuses")).count(), 3);
    assert_eq!(
        paths.iter().filter(|p| p.contains("/check-runs")).count(),
        1
    );
}

#[test]
fn the_human_trace_is_coloured_like_the_audit() {
    let s = serve("hotfix");
    let out = shiplint(&s, &["trace", "octo-org/octo-repo", "--color", "always"]);
    let text = stdout(&out);
    assert!(text.contains("\x1b[32m✓\x1b[0m"), "{text}");
    assert!(
        text.contains("\x1b[31m✗\x1b[0m \x1b[31mnever\x1b[0m"),
        "{text}"
    );
    // The finding is the audit's diagnostic, in the audit's colours.
    assert!(text.contains("\x1b[31m"), "{text}");
    let plain = stdout(&trace(&s, "human"));
    assert!(!plain.contains('\x1b'), "{plain}");
}

#[test]
fn hostile_history_bodies_are_skipped_or_reported_never_a_panic() {
    let junk = r#"[1, "x", null, {"id": "no"}, {"id": 5, "sha": 3}, {"id": 6, "sha": "abc", "created_at": "yesterday"}]"#;
    let s = serve_with(
        "clean",
        &[
            (
                "/repos/octo-org/octo-repo/deployments?environment=dev&per_page=100",
                Reply::ok(junk),
            ),
            (
                &format!("/repos/octo-org/octo-repo/commits/{A}/check-runs?filter=all&per_page=100&page=1"),
                Reply::ok(r#"{"total_count": "many", "check_runs": [{"id": 1, "app": {"slug": "github-actions"}}, 7]}"#),
            ),
        ],
    );
    let out = trace(&s, "json");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    // Nothing of dev's body was a deployment of the window; A's check runs say nothing.
    assert_eq!(doc["environments"][0]["deployments"], 0);
    assert!(message(&doc, "deployed-unscanned").contains("no check run of the scan job"));

    let s = serve_with(
        "clean",
        &[(
            "/repos/octo-org/octo-repo/deployments/2100000006/statuses?per_page=100",
            Reply::ok(r#"{"statuses": "not a list"}"#),
        )],
    );
    let out = trace(&s, "json");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("returned an unexpected body"),
        "{}",
        stderr(&out)
    );
}
