//! The GitHub client and `shiplint audit OWNER/NAME` against the fake GitHub
//! (`support::fake_github`), which serves recorded API bodies (`testdata/github/`) with their
//! real status codes and headers. Nothing reaches github.com; no test sleeps (backoff and
//! waits are zero).

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::Duration;

use shiplint::github::{Client, ClientOptions, GithubError, Token};

use crate::support::fake_github::{FakeGithub, Reply};
use crate::{stderr, stdout, testdata};

const TOKEN: &str = "ghp_shiplintTestToken0123456789abcdefABCD";

/// The fake GitHub, and the `XDG_CACHE_HOME` of the runs against it (never the user's
/// cache).
struct Server {
    github: FakeGithub,
    cache_home: tempfile::TempDir,
}

impl Server {
    /// Each path answers its replies in order, repeating the last; other paths 404.
    fn start(routes: Vec<(&str, Vec<Reply>)>) -> Server {
        Server {
            github: FakeGithub::start(routes),
            cache_home: tempfile::tempdir().unwrap(),
        }
    }
}

impl std::ops::Deref for Server {
    type Target = FakeGithub;

    fn deref(&self) -> &FakeGithub {
        &self.github
    }
}

const REPO: &str = "/repos/octo-org/octo-repo";

/// The recorded body `testdata/github/<file>` with GitHub's headers for `status`.
fn reply(status: u16, file: &str) -> Reply {
    Reply::recorded(status, file)
}

/// The routes of `octo-org/octo-repo` with `protection` as main's classic protection.
fn repo_routes(protection: Reply) -> Vec<(&'static str, Vec<Reply>)> {
    vec![
        (REPO, vec![reply(200, "repo.json")]),
        (
            "/repos/octo-org/octo-repo/git/trees/main",
            vec![reply(200, "git-tree-recursive.json")],
        ),
        (
            "/repos/octo-org/octo-repo/git/blobs/a7c376521489d2b347657ea150b3052263d3ebbf",
            vec![reply(200, "git-blob-ci.json")],
        ),
        (
            "/repos/octo-org/octo-repo/git/blobs/d7e8a0a9539c5fb3de0c6da4efe78f7e399656fc",
            vec![reply(200, "git-blob-release.json")],
        ),
        (
            "/repos/octo-org/octo-repo/git/blobs/afbe0d59180640dcc7af7ec3acc44fd6207b5637",
            vec![reply(200, "git-blob-action.json")],
        ),
        (
            "/repos/octo-org/octo-repo/contents/.github/workflows",
            vec![reply(200, "contents-workflows-dir.json")],
        ),
        (
            "/repos/octo-org/octo-repo/contents/.github/workflows/ci.yml",
            vec![reply(200, "contents-file.json")],
        ),
        (
            "/repos/octo-org/octo-repo/contents/.github/workflows/release.yml",
            vec![reply(200, "contents-release.json")],
        ),
        (
            "/repos/octo-org/octo-repo/branches/main/protection",
            vec![protection],
        ),
        (
            "/repos/octo-org/octo-repo/rules/branches/main",
            vec![reply(200, "rules-branch-empty.json")],
        ),
        (
            "/repos/octo-org/octo-repo/environments",
            vec![reply(200, "environments.json")],
        ),
        // The deployment history (no deployments): `audit OWNER/NAME` reads it too.
        (
            "/repos/octo-org/octo-repo/deployments",
            vec![reply(200, "trace-deployments-empty.json")],
        ),
    ]
}

fn audit_remote(server: &Server, token: Option<&str>, extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiplint"));
    cmd.args(["audit", "octo-org/octo-repo", "--github-url", server.url()])
        .args(extra)
        .current_dir(crate::root())
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_HOST")
        .env("XDG_CACHE_HOME", server.cache_home.path())
        .env("NO_COLOR", "1");
    if let Some(t) = token {
        cmd.env("GH_TOKEN", t);
    }
    cmd.output().expect("the shiplint binary runs")
}

fn rules_fired(out: &Output) -> Vec<(String, String)> {
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)));
    let mut v: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = f["setting"]
                .as_str()
                .or(f["file"].as_str())
                .unwrap()
                .to_string();
            (f["rule"].as_str().unwrap().to_string(), at)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn remote_audit_fetches_workflows_and_settings_with_the_token() {
    let server = Server::start(repo_routes(reply(200, "branch-protection-weak.json")));
    let out = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let fired = rules_fired(&out);
    for expected in [
        (
            "force-push-allowed",
            "branches/main/protection/allow_force_pushes",
        ),
        (
            "reviews-not-required",
            "branches/main/protection/required_pull_request_reviews",
        ),
        ("unpinned-action", ".github/workflows/ci.yml"),
        ("unpinned-action", ".github/actions/setup/action.yml"),
    ] {
        assert!(
            fired.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} not in {fired:?}"
        );
    }
    let paths = server.paths();
    // Files: the tree and one blob per workflow or action, no directory listings.
    let file_requests: Vec<_> = paths
        .iter()
        .filter(|p| p.contains("/git/") || p.contains("/contents/"))
        .collect();
    assert_eq!(file_requests.len(), 1 + 3, "{file_requests:?}");
    for p in [
        REPO,
        "/repos/octo-org/octo-repo/git/trees/main?recursive=1",
        "/repos/octo-org/octo-repo/git/blobs/a7c376521489d2b347657ea150b3052263d3ebbf",
        "/repos/octo-org/octo-repo/git/blobs/d7e8a0a9539c5fb3de0c6da4efe78f7e399656fc",
        "/repos/octo-org/octo-repo/git/blobs/afbe0d59180640dcc7af7ec3acc44fd6207b5637",
        "/repos/octo-org/octo-repo/branches/main/protection",
        "/repos/octo-org/octo-repo/rules/branches/main",
        "/repos/octo-org/octo-repo/environments?per_page=100",
    ] {
        assert!(paths.iter().any(|s| s == p), "{p} not requested: {paths:?}");
    }
    for a in server.authorizations() {
        assert_eq!(a.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    }
    assert!(!stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["settings_evaluated"], true);
    assert_eq!(doc["findings"][0]["repository"], "octo-org/octo-repo");
}

#[test]
fn the_markdown_report_of_a_remote_audit_draws_its_pipeline() {
    let server = Server::start(repo_routes(reply(200, "branch-protection-weak.json")));
    let out = audit_remote(&server, Some(TOKEN), &["-f", "markdown", "--no-cache"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("### Pipeline: `octo-org/octo-repo`"),
        "{text}"
    );
    assert!(text.contains("```mermaid\nflowchart LR"), "{text}");
    // The graph is the audited one: the release workflow's deploy job is classified.
    assert!(text.contains("🚀 deploy"), "{text}");
}

#[test]
fn branch_not_protected_is_an_answer_not_found_is_unknown() {
    let server = Server::start(repo_routes(reply(404, "error-branch-not-protected.json")));
    let out = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    let fired = rules_fired(&out);
    assert!(fired.contains(&(
        "branch-unprotected".into(),
        "branches/main/protection".into()
    )));
    assert!(!fired.iter().any(|(r, _)| r == "settings-unreadable"));

    let server = Server::start(repo_routes(reply(404, "error-not-found.json")));
    let out = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    let fired = rules_fired(&out);
    assert!(!fired.iter().any(|(r, _)| r == "branch-unprotected"));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let note = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "settings-unreadable")
        .expect("settings-unreadable");
    assert!(note["message"].as_str().unwrap().contains("404 Not Found"));

    let server = Server::start(repo_routes(reply(403, "error-upgrade-plan.json")));
    let out = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    assert!(stdout(&out).contains("not available on this plan"));
}

#[test]
fn a_refused_token_exits_3_without_printing_it() {
    let bad = Reply::file(401, "error-bad-credentials.json");
    let server = Server::start(vec![(REPO, vec![bad])]);
    let out = audit_remote(&server, Some(TOKEN), &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("Bad credentials"), "{}", stderr(&out));
    assert!(!stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN));
}

#[test]
fn an_unreachable_api_exits_3() {
    // A port nobody listens on: bind, note it, close it.
    let port = crate::closed_port();
    let client = Client::new(zero_wait(format!("http://127.0.0.1:{port}"))).unwrap();
    match client.get(REPO) {
        Err(GithubError::Unreachable { url, .. }) => assert!(url.contains(&port.to_string())),
        other => panic!("expected Unreachable, got {other:?}"),
    }
}

#[test]
fn primary_rate_limit_with_no_wait_stops_with_a_message() {
    let limited = Reply::primary_rate_limit();
    let server = Server::start(vec![(REPO, vec![limited])]);
    let out = audit_remote(&server, Some(TOKEN), &["--no-wait"]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains("rate limit exhausted"), "{err}");
    assert!(err.contains("--no-wait"), "{err}");
    assert_eq!(server.paths().len(), 1, "no retry with --no-wait");
}

fn zero_wait(url: String) -> ClientOptions {
    let mut o = ClientOptions::new(url, Some(Token::new(TOKEN)));
    o.backoff = Duration::ZERO;
    o.max_wait = Duration::ZERO;
    o.timeout = Duration::from_secs(5);
    o
}

#[test]
fn server_errors_and_secondary_limits_are_retried() {
    let secondary = Reply::secondary_rate_limit(60);
    let unavailable = Reply::server_error(503);
    let server = Server::start(vec![(
        REPO,
        vec![unavailable, secondary, reply(200, "repo.json")],
    )]);
    let client = Client::new(zero_wait(server.url().to_string())).unwrap();
    let r = client.get(REPO).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(server.paths(), vec![REPO, REPO, REPO]);
}

#[test]
fn retries_are_bounded() {
    let unavailable = Reply::server_error(502);
    let server = Server::start(vec![(REPO, vec![unavailable])]);
    let mut opts = zero_wait(server.url().to_string());
    opts.retries = 2;
    let client = Client::new(opts).unwrap();
    let r = client.get(REPO).unwrap();
    assert_eq!(r.status, 502);
    assert_eq!(server.paths().len(), 3);
    assert!(!format!("{client:?}").contains(TOKEN));
}

#[test]
fn without_a_token_no_authorization_header_is_sent() {
    let server = Server::start(repo_routes(reply(200, "branch-protection-full.json")));
    let out = audit_remote(&server, None, &["-f", "json"]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    assert!(server.authorizations().iter().all(Option::is_none));
}

#[test]
fn a_silent_server_times_out() {
    // Accepts connections and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for s in listener.incoming() {
            open.push(s);
        }
    });
    let mut opts = zero_wait(url);
    opts.timeout = Duration::from_millis(200);
    opts.retries = 1;
    let client = Client::new(opts).unwrap();
    let started = std::time::Instant::now();
    assert!(matches!(
        client.get(REPO),
        Err(GithubError::Unreachable { .. })
    ));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn unreadable_environments_are_reported_not_passed() {
    let mut routes = repo_routes(reply(200, "branch-protection-full.json"));
    routes.retain(|(p, _)| !p.ends_with("/environments"));
    let forbidden = Reply::json(
        403,
        "{\"message\":\"Resource not accessible by personal access token\",\"status\":\"403\"}",
    );
    routes.push(("/repos/octo-org/octo-repo/environments", vec![forbidden]));
    let server = Server::start(routes);
    let out = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    let fired = rules_fired(&out);
    assert!(
        fired.contains(&("settings-unreadable".into(), "environments".into())),
        "{fired:?}"
    );
    assert!(!fired.iter().any(|(r, _)| r.starts_with("environment-")));
    assert!(stdout(&out).contains("Actions: read"));
}

#[test]
fn offline_cannot_audit_a_github_repository() {
    let out = crate::shiplint(&["audit", "--offline", "octo-org/octo-repo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--offline"));
}

#[test]
fn settings_file_replaces_the_fetched_settings() {
    let server = Server::start(repo_routes(reply(200, "branch-protection-weak.json")));
    let file = testdata("settings/well-protected.json");
    let out = audit_remote(
        &server,
        Some(TOKEN),
        &["-f", "json", "--settings", file.to_str().unwrap()],
    );
    let fired = rules_fired(&out);
    assert!(
        !fired.iter().any(|(r, _)| r == "force-push-allowed"),
        "{fired:?}"
    );
    assert!(!server.paths().iter().any(|p| p.contains("/protection")));
}

/// A contents-API file body for `path` with `text`, as GitHub sends it.
fn contents_body(path: &str, text: &str) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(60)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    serde_json::json!({
        "type": "file", "encoding": "base64", "size": text.len(),
        "name": path.rsplit('/').next().unwrap(), "path": path,
        "content": format!("{}\n", lines.join("\n")),
    })
    .to_string()
}

#[test]
fn branches_matched_by_deploying_push_patterns_are_fetched_and_judged() {
    let workflow = "on:\n  push:\n    branches: ['release/*', hotfix]\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    environment: staging\n    steps:\n      - run: echo deploy\n";
    let tree = serde_json::json!({"sha": "1", "truncated": false, "tree": [
        {"type": "blob", "path": ".github/workflows/release.yml", "mode": "100644",
         "sha": "0123456789abcdef0123456789abcdef01234567"}
    ]})
    .to_string();
    let branches = serde_json::json!([
        {"name": "main", "protected": true},
        {"name": "release/1.x", "protected": false},
        {"name": "feature/a", "protected": false}
    ])
    .to_string();
    let server = Server::start(vec![
        (REPO, vec![reply(200, "repo.json")]),
        ("/repos/octo-org/octo-repo/git/trees/main", vec![Reply::ok(tree)]),
        (
            "/repos/octo-org/octo-repo/git/blobs/0123456789abcdef0123456789abcdef01234567",
            vec![Reply::ok(contents_body(".github/workflows/release.yml", workflow))],
        ),
        ("/repos/octo-org/octo-repo/branches", vec![Reply::ok(branches)]),
        (
            "/repos/octo-org/octo-repo/branches/main/protection",
            vec![reply(200, "branch-protection-full.json")],
        ),
        (
            "/repos/octo-org/octo-repo/branches/release/1.x/protection",
            vec![reply(404, "error-branch-not-protected.json")],
        ),
        (
            "/repos/octo-org/octo-repo/branches/hotfix/protection",
            vec![Reply::json(404, "{\"message\":\"Branch not found\",\"documentation_url\":\"https://docs.github.com/rest/branches/branch-protection#get-branch-protection\",\"status\":\"404\"}")],
        ),
        (
            "/repos/octo-org/octo-repo/rules/branches/main",
            vec![reply(200, "rules-branch-empty.json")],
        ),
        (
            "/repos/octo-org/octo-repo/rules/branches/release/1.x",
            vec![reply(200, "rules-branch-empty.json")],
        ),
        (
            "/repos/octo-org/octo-repo/environments",
            vec![reply(200, "environments.json")],
        ),
        (
            "/repos/octo-org/octo-repo/deployments",
            vec![reply(200, "trace-deployments-empty.json")],
        ),
    ]);
    let out = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    let fired: Vec<_> = rules_fired(&out)
        .into_iter()
        .filter(|(_, at)| !at.starts_with(".github/"))
        .collect();
    // `hotfix` does not exist: not judged, and said so. (main requires the recorded
    // body's `test` and `clippy`, which no job of this workflow reports.)
    assert_eq!(
        fired,
        vec![
            (
                "branch-unprotected".to_string(),
                "branches/release/1.x/protection".to_string()
            ),
            (
                "required-check-not-produced".to_string(),
                "branches/main/protection/required_status_checks".to_string()
            ),
            (
                "settings-unreadable".to_string(),
                "branches/hotfix".to_string()
            ),
        ]
    );
    assert!(!paths_contain(&server, "/rules/branches/hotfix"));
    let paths = server.paths();
    assert!(paths.contains(&"/repos/octo-org/octo-repo/branches?per_page=100".to_string()));
    assert!(!paths.iter().any(|p| p.contains("feature")), "{paths:?}");
}

fn paths_contain(server: &Server, part: &str) -> bool {
    server.paths().iter().any(|p| p.contains(part))
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn second_run_is_conditional_and_answered_from_the_cache() {
    let server = Server::start(repo_routes(reply(200, "branch-protection-weak.json")));
    let first = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    assert!(server.requests().iter().all(|s| s.if_none_match.is_none()));
    // The default cache dir is $XDG_CACHE_HOME/shiplint; no file holds the token.
    let cached = files_under(&server.cache_home.path().join("shiplint"));
    assert!(!cached.is_empty());
    for f in &cached {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(!text.contains(TOKEN), "{}", f.display());
    }

    server.forget();
    let second = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    assert_eq!(
        stdout(&second),
        stdout(&first),
        "same report from cached bodies"
    );
    let seen = server.requests();
    let repo = seen.iter().find(|s| s.path == REPO).unwrap();
    assert!(repo
        .if_none_match
        .as_deref()
        .is_some_and(|e| e.starts_with("W/\"repo.json-")));
    for s in &seen {
        assert!(s.if_none_match.is_some(), "{} sent unconditionally", s.path);
        assert_eq!(s.status, 304, "{}", s.path);
    }

    server.forget();
    let third = audit_remote(&server, Some(TOKEN), &["-f", "json", "--no-cache"]);
    assert_eq!(stdout(&third), stdout(&first));
    assert!(server
        .requests()
        .iter()
        .all(|s| s.if_none_match.is_none() && s.status == 200));
}

#[test]
fn another_token_or_cache_dir_does_not_share_answers() {
    let server = Server::start(repo_routes(reply(200, "branch-protection-weak.json")));
    let dir = tempfile::tempdir().unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    audit_remote(
        &server,
        Some(TOKEN),
        &["-f", "json", "--cache-dir", dir_arg],
    );
    assert!(!files_under(dir.path()).is_empty());
    assert!(files_under(server.cache_home.path()).is_empty());
    server.forget();
    audit_remote(
        &server,
        Some("ghp_another"),
        &["-f", "json", "--cache-dir", dir_arg],
    );
    assert!(server.requests().iter().all(|s| s.if_none_match.is_none()));
}

#[test]
fn corrupt_cache_entries_are_ignored() {
    let server = Server::start(repo_routes(reply(200, "branch-protection-weak.json")));
    let first = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    for f in files_under(server.cache_home.path()) {
        std::fs::write(&f, b"{\"version\": 1, \"etag\": ").unwrap();
    }
    server.forget();
    let second = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    assert_eq!(
        second.status.code(),
        first.status.code(),
        "{}",
        stderr(&second)
    );
    assert_eq!(stdout(&second), stdout(&first));
    assert!(server.requests().iter().all(|s| s.if_none_match.is_none()));
    // Rewritten: the third run is conditional again.
    server.forget();
    audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    assert!(server.requests().iter().all(|s| s.status == 304));
}

#[test]
fn token_env_names_the_variable_and_the_token_is_never_printed() {
    let server = Server::start(repo_routes(reply(200, "branch-protection-weak.json")));
    let run = |extra: &[&str], var: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiplint"));
        cmd.args(["audit", "octo-org/octo-repo", "--github-url", server.url()])
            .args(["--token-env", "SHIPLINT_TEST_TOKEN", "--no-cache"])
            .args(extra)
            .current_dir(crate::root())
            .env_remove("GH_TOKEN")
            .env_remove("GITHUB_TOKEN")
            .env_remove("SHIPLINT_TEST_TOKEN")
            .env("GITHUB_TOKEN", "ghp_notThisOne")
            .env("NO_COLOR", "1");
        if let Some(v) = var {
            cmd.env("SHIPLINT_TEST_TOKEN", v);
        }
        cmd.output().unwrap()
    };
    for format in ["human", "json"] {
        let out = run(&["-f", format], Some(TOKEN));
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(!stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN));
    }
    assert!(server
        .authorizations()
        .iter()
        .all(|a| a.as_deref() == Some(format!("Bearer {TOKEN}").as_str())));

    let out = run(&[], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("SHIPLINT_TEST_TOKEN"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("ghp_notThisOne"));

    // A refused token: the error names the request, not the token.
    let bad = Reply::file(401, "error-bad-credentials.json");
    let refusing = Server::start(vec![(REPO, vec![bad])]);
    for format in ["human", "json"] {
        let out = audit_remote(&refusing, Some(TOKEN), &["-f", format]);
        assert_eq!(out.status.code(), Some(3));
        assert!(!stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN));
    }
}

/// A local clone of `octo-org/octo-repo` (when `origin` is given) with one deploying
/// workflow.
fn local_clone(origin: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::write(
        wf.join("release.yml"),
        "on:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    environment: production\n    steps:\n      - run: echo deploy\n",
    )
    .unwrap();
    if let Some(url) = origin {
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(
            dir.path().join(".git/config"),
            format!("[core]\n\tbare = false\n[remote \"origin\"]\n\turl = {url}\n"),
        )
        .unwrap();
    }
    dir
}

fn audit_local(
    server: &Server,
    clone: &std::path::Path,
    token: Option<&str>,
    extra: &[&str],
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiplint"));
    cmd.arg("audit")
        .arg(clone)
        .args(["--github-url", server.url()])
        .args(extra)
        .current_dir(crate::root())
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_HOST")
        .env("XDG_CACHE_HOME", server.cache_home.path())
        .env("NO_COLOR", "1");
    if let Some(t) = token {
        cmd.env("GH_TOKEN", t);
    }
    cmd.output().expect("the shiplint binary runs")
}

#[test]
fn a_local_clone_with_a_token_fetches_its_settings() {
    let server = Server::start(repo_routes(reply(200, "branch-protection-weak.json")));
    let clone = local_clone(Some("git@github.com:octo-org/octo-repo.git"));
    let out = audit_local(&server, clone.path(), Some(TOKEN), &["-f", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let fired = rules_fired(&out);
    assert!(
        fired.contains(&(
            "force-push-allowed".into(),
            "branches/main/protection/allow_force_pushes".into()
        )),
        "{fired:?}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["settings_evaluated"], true);
    let paths = server.paths();
    for p in [
        REPO,
        "/repos/octo-org/octo-repo/branches/main/protection",
        "/repos/octo-org/octo-repo/rules/branches/main",
        "/repos/octo-org/octo-repo/environments?per_page=100",
    ] {
        assert!(paths.iter().any(|s| s == p), "{p} not requested: {paths:?}");
    }
    // The workflows are the clone's own.
    assert!(!paths.iter().any(|p| p.contains("/contents/")), "{paths:?}");
    assert!(!stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN));
}

#[test]
fn a_local_clone_without_a_token_stays_offline_and_says_so() {
    let server = Server::start(repo_routes(reply(200, "branch-protection-weak.json")));
    let clone = local_clone(Some("https://github.com/octo-org/octo-repo"));
    let out = audit_local(&server, clone.path(), None, &[]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("no GitHub token") && err.contains("not evaluated"),
        "{err}"
    );
    assert!(stdout(&out).contains("not evaluated"), "{}", stdout(&out));
    assert!(server.paths().is_empty());
}

#[test]
fn offline_settings_file_or_no_github_origin_make_no_requests() {
    let server = Server::start(repo_routes(reply(200, "branch-protection-weak.json")));
    let clone = local_clone(Some("https://github.com/octo-org/octo-repo"));
    let file = testdata("settings/well-protected.json");
    for extra in [
        vec!["--offline"],
        vec!["--settings", file.to_str().unwrap()],
    ] {
        let out = audit_local(&server, clone.path(), Some(TOKEN), &extra);
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{}",
            stderr(&out)
        );
    }
    let elsewhere = local_clone(Some("https://gitlab.com/octo-org/octo-repo"));
    audit_local(&server, elsewhere.path(), Some(TOKEN), &[]);
    assert!(server.paths().is_empty(), "{:?}", server.paths());
}

#[test]
fn repo_flag_names_the_repository_of_a_folder() {
    let server = Server::start(repo_routes(reply(404, "error-branch-not-protected.json")));
    let folder = local_clone(None);
    let out = audit_local(
        &server,
        folder.path(),
        Some(TOKEN),
        &["-f", "json", "--repo", "octo-org/octo-repo"],
    );
    let fired = rules_fired(&out);
    assert!(
        fired.contains(&(
            "branch-unprotected".into(),
            "branches/main/protection".into()
        )),
        "{fired:?}"
    );
    let out = audit_local(&server, folder.path(), Some(TOKEN), &["--repo", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_local_clone_whose_settings_fail_still_reports_and_exits_3() {
    let bad = Reply::file(401, "error-bad-credentials.json");
    let server = Server::start(vec![(REPO, vec![bad])]);
    let clone = local_clone(Some("https://github.com/octo-org/octo-repo.git"));
    let out = audit_local(&server, clone.path(), Some(TOKEN), &["-f", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("octo-org/octo-repo") && stderr(&out).contains("Bad credentials")
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["settings_evaluated"], false);
    assert!(!stdout(&out).contains(TOKEN) && !stderr(&out).contains(TOKEN));
}

#[test]
fn a_ref_is_audited_through_its_tree() {
    let mut routes = repo_routes(reply(200, "branch-protection-weak.json"));
    routes.push((
        "/repos/octo-org/octo-repo/git/trees/release/1.x",
        vec![reply(200, "git-tree-recursive.json")],
    ));
    let server = Server::start(routes);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiplint"));
    let out = cmd
        .args([
            "audit",
            "octo-org/octo-repo@release/1.x",
            "--github-url",
            server.url(),
        ])
        .args(["-f", "json", "--no-cache"])
        .current_dir(crate::root())
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_HOST")
        .env("GH_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let paths = server.paths();
    assert!(
        paths.contains(&"/repos/octo-org/octo-repo/git/trees/release/1.x?recursive=1".to_string()),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.contains("/git/trees/main")),
        "{paths:?}"
    );
    let fired = rules_fired(&out);
    assert!(fired.contains(&("unpinned-action".into(), ".github/workflows/ci.yml".into())));
}

#[test]
fn a_truncated_tree_falls_back_to_the_contents_api() {
    let mut routes = repo_routes(reply(200, "branch-protection-weak.json"));
    routes.retain(|(p, _)| !p.contains("/git/trees/"));
    routes.push((
        "/repos/octo-org/octo-repo/git/trees/main",
        vec![Reply::ok(
            "{\"sha\": \"1\", \"tree\": [], \"truncated\": true}",
        )],
    ));
    let server = Server::start(routes);
    let out = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let paths = server.paths();
    assert!(
        paths.contains(
            &"/repos/octo-org/octo-repo/contents/.github/workflows/ci.yml?ref=main".to_string()
        ),
        "{paths:?}"
    );
    let fired = rules_fired(&out);
    assert!(fired.contains(&("unpinned-action".into(), ".github/workflows/ci.yml".into())));
}

#[test]
fn an_unknown_ref_exits_3() {
    let server = Server::start(repo_routes(reply(200, "branch-protection-weak.json")));
    let out = Command::new(env!("CARGO_BIN_EXE_shiplint"))
        .args([
            "audit",
            "octo-org/octo-repo@nope",
            "--github-url",
            server.url(),
            "--no-cache",
        ])
        .current_dir(crate::root())
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_HOST")
        .env("GH_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("/git/trees/nope"), "{}", stderr(&out));
}

#[test]
fn cached_list_pages_keep_paginating() {
    let page = |items: serde_json::Value, etag: &str, link: Option<&str>| {
        let reply = Reply::ok(items).header("etag", etag);
        match link {
            Some(l) => reply.header("link", l),
            None => reply,
        }
    };
    let first = page(
        serde_json::json!([{"name": "main"}]),
        "W/\"p1\"",
        Some("<{base}/repos/octo-org/octo-repo/branches?per_page=100&page=2>; rel=\"next\""),
    );
    let second = page(
        serde_json::json!([{"name": "release/1.x"}]),
        "W/\"p2\"",
        None,
    );
    let server = Server::start(vec![
        (
            "/repos/octo-org/octo-repo/branches?per_page=100",
            vec![first],
        ),
        (
            "/repos/octo-org/octo-repo/branches?per_page=100&page=2",
            vec![second],
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let mut opts = zero_wait(server.url().to_string());
    opts.cache_dir = Some(dir.path().to_path_buf());
    let client = Client::new(opts).unwrap();
    let list = |c: &Client| {
        c.get_list("/repos/octo-org/octo-repo/branches", 10)
            .unwrap()
    };
    assert_eq!(list(&client).len(), 2);
    server.forget();
    assert_eq!(
        list(&client).len(),
        2,
        "the cached link header leads to page 2"
    );
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.status == 304));
}

#[test]
fn with_gh_host_a_clone_is_recognised_by_an_origin_on_that_host() {
    let run = |origin: &str| {
        let clone = local_clone(Some(origin));
        let out = Command::new(env!("CARGO_BIN_EXE_shiplint"))
            .arg("audit")
            .arg(clone.path())
            .current_dir(crate::root())
            .env_remove("GH_TOKEN")
            .env_remove("GITHUB_TOKEN")
            .env("GH_HOST", "ghe.example.com")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        stderr(&out)
    };
    // No token: nothing is fetched, but the note names the repository it recognised.
    let err = run("git@ghe.example.com:octo-org/octo-repo.git");
    assert!(
        err.contains("settings of octo-org/octo-repo were not fetched"),
        "{err}"
    );
    let err = run("https://github.com/octo-org/octo-repo");
    assert!(!err.contains("not fetched"), "{err}");
}

/// `(file, message)` of each notice of a JSON report.
fn notices(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["file"].as_str().unwrap_or_default().to_string(),
                n["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn remote_audits_follow_uses_to_actions_anywhere_in_the_tree() {
    let workflow = "on:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  publish:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ./ci/actions/publish\n      - uses: ./ci/actions/absent\n  deploy:\n    uses: Octo-Org/octo-repo/.github/workflows/gone.yml@main\n";
    let action = "name: Publish\nruns:\n  using: composite\n  steps:\n    - run: aws configure set aws_secret_access_key \"$SECRET\"\n      shell: bash\n";
    let blob = |n: u8| format!("{:040x}", n);
    let tree = serde_json::json!({"sha": "1", "truncated": false, "tree": [
        {"type": "blob", "path": ".github/workflows/ci.yml", "mode": "100644", "sha": blob(1)},
        {"type": "tree", "path": "ci/actions/publish", "mode": "040000", "sha": blob(9)},
        {"type": "blob", "path": "ci/actions/publish/action.yml", "mode": "100644", "sha": blob(2)},
        {"type": "blob", "path": ".github/workflows/old/legacy.yml", "mode": "100644", "sha": blob(3)},
        {"type": "blob", "path": "docs/example/action.yml", "mode": "100644", "sha": blob(4)}
    ]})
    .to_string();
    let blob_path = |n: u8| format!("/repos/octo-org/octo-repo/git/blobs/{}", blob(n));
    let (ci, publish) = (blob_path(1), blob_path(2));
    let server = Server::start(vec![
        (REPO, vec![reply(200, "repo.json")]),
        (
            "/repos/octo-org/octo-repo/git/trees/main",
            vec![Reply::ok(tree)],
        ),
        (
            ci.as_str(),
            vec![Reply::ok(contents_body(
                ".github/workflows/ci.yml",
                workflow,
            ))],
        ),
        (
            publish.as_str(),
            vec![Reply::ok(contents_body(
                "ci/actions/publish/action.yml",
                action,
            ))],
        ),
    ]);
    let settings = crate::testdata("settings/well-protected.json");
    let out = audit_remote(
        &server,
        Some(TOKEN),
        &["-f", "json", "--settings", settings.to_str().unwrap()],
    );
    let doc = crate::json(&out);
    let fired: Vec<_> = rules_fired(&out)
        .into_iter()
        .filter(|(rule, _)| rule == "static-cloud-credentials")
        .collect();
    assert_eq!(
        fired,
        vec![(
            "static-cloud-credentials".to_string(),
            "ci/actions/publish/action.yml".to_string()
        )]
    );
    let notices = notices(&doc);
    assert_eq!(notices.len(), 3, "{notices:?}");
    assert!(notices
        .iter()
        .any(|(f, m)| f == ".github/workflows/old/legacy.yml" && m.contains("top level")));
    assert!(notices
        .iter()
        .any(|(_, m)| m.starts_with("`uses: ./ci/actions/absent` names no action")));
    assert!(notices.iter().any(|(_, m)| m.starts_with(
        "`uses: Octo-Org/octo-repo/.github/workflows/gone.yml@main` names no workflow"
    )));
    // Only the files the pipeline runs are read: not the nested workflow, not an
    // action no `uses:` names.
    let paths = server.paths();
    assert!(
        !paths
            .iter()
            .any(|p| p.ends_with(&blob(3)) || p.ends_with(&blob(4))),
        "{paths:?}"
    );
}

#[test]
fn a_dotted_branch_name_cannot_climb_out_of_the_api_path() {
    // A hostile workflow names `../..` (and `.`) as push branches: its settings requests
    // must stay under `…/branches/`, with the dots percent-encoded.
    let workflow = "on:\n  push:\n    branches: ['../..', '.']\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    environment: production\n    steps:\n      - run: echo deploy\n";
    let tree = serde_json::json!({"sha": "1", "truncated": false, "tree": [
        {"type": "blob", "path": ".github/workflows/release.yml", "mode": "100644",
         "sha": "0123456789abcdef0123456789abcdef01234567"}
    ]})
    .to_string();
    let mut routes = repo_routes(reply(200, "branch-protection-full.json"));
    routes.retain(|(p, _)| !p.contains("/git/") && !p.contains("/contents/"));
    routes.push((
        "/repos/octo-org/octo-repo/git/trees/main",
        vec![Reply::ok(tree)],
    ));
    routes.push((
        "/repos/octo-org/octo-repo/git/blobs/0123456789abcdef0123456789abcdef01234567",
        vec![Reply::ok(contents_body(
            ".github/workflows/release.yml",
            workflow,
        ))],
    ));
    let server = Server::start(routes);
    let out = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    let paths = server.paths();
    for expected in [
        "/repos/octo-org/octo-repo/branches/%2E%2E/%2E%2E/protection",
        "/repos/octo-org/octo-repo/rules/branches/%2E%2E/%2E%2E",
        "/repos/octo-org/octo-repo/branches/%2E/protection",
    ] {
        assert!(
            paths.iter().any(|p| p == expected),
            "{expected} in {paths:?}"
        );
    }
    for p in &paths {
        let path = p.split('?').next().unwrap();
        assert!(
            !path.split('/').any(|seg| seg == "." || seg == ".."),
            "a dot segment reached the API: {p}"
        );
    }
}

#[test]
fn a_remote_audit_reads_branch_policies_and_survives_a_refusal() {
    let policies = "/repos/octo-org/octo-repo/environments/production/deployment-branch-policies";
    let staging = "/repos/octo-org/octo-repo/environments/staging/deployment-branch-policies";
    let forbidden = Reply::json(
        403,
        "{\"message\":\"Resource not accessible by personal access token\",\"status\":\"403\"}",
    );
    let mut routes = repo_routes(reply(200, "branch-protection-full.json"));
    routes.retain(|(p, _)| !p.ends_with("/environments"));
    routes.push((
        "/repos/octo-org/octo-repo/environments",
        vec![reply(200, "environments-custom-policies.json")],
    ));
    routes.push((policies, vec![forbidden]));
    routes.push((
        staging,
        vec![reply(200, "deployment-branch-policies-staging.json")],
    ));
    let server = Server::start(routes);
    let out = audit_remote(&server, Some(TOKEN), &["-f", "json"]);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["errors"], serde_json::json!([]));
    assert_eq!(doc["summary"]["settings_evaluated"], true);
    let paths = server.paths();
    assert!(
        paths.contains(&format!("{policies}?per_page=100")),
        "{paths:?}"
    );
    assert!(
        paths.contains(&format!("{staging}?per_page=100")),
        "{paths:?}"
    );
    assert!(!paths
        .iter()
        .any(|p| p.contains("/environments/development")));
}
