//! Hostile or broken GitHub API servers: the fake GitHub (`support::fake_github`) dripping
//! bodies, sending bodies without end, looping its `Link` pagination, repeating items
//! across pages, asking for absurd waits; and the tokens and hosts every mode talks to.
//! Each test bounds the run it starts ([`run_bounded`]): a regression shows as a failure,
//! not as a hung test. Deadlines are set low with the flags users have
//! (`--request-timeout 2s`); the only real waiting is the fake's drip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::support::fake_github::{FakeGithub, Reply};
use crate::support::synthetic_org::SyntheticOrg;
use crate::{json, stderr};

const ORG: &str = "gen-org";
const TOKEN: &str = "ghp_hostileServerToken0123456789abcdefABC";

/// How long any one run of shiplint may take before the test calls it hung: far above
/// what a correct run needs, so it never decides a pass.
const HUNG: Duration = Duration::from_secs(90);

/// Runs `cmd` to the end, or kills it after [`HUNG`] and fails the test. Its output is
/// read as it comes (a full pipe would stop it).
fn run_bounded(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the shiplint binary runs");
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait on shiplint") {
            break status;
        }
        if started.elapsed() > HUNG {
            let _ = child.kill();
            let _ = child.wait();
            let err = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
            panic!("shiplint did not finish:\n{err}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// `shiplint ARGS` in `cwd` against `server` with [`TOKEN`] in `GH_TOKEN`, no real
/// backoff, and a cache under `cwd` (never the user's).
fn shiplint_against(server: &FakeGithub, cwd: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiplint"));
    cmd.args(args)
        .args(["--github-url", server.url()])
        .current_dir(cwd)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_HOST")
        .env("GH_TOKEN", TOKEN)
        .env("NO_COLOR", "1")
        .env("SHIPLINT_TEST_BACKOFF_MS", "0")
        .env("XDG_CACHE_HOME", cwd.join(".cache"));
    cmd
}

fn sweep(server: &FakeGithub, cwd: &Path, args: &[&str]) -> Output {
    let mut all = vec!["audit", "--org", ORG, "-f", "json", "--no-cache"];
    all.extend_from_slice(args);
    run_bounded(&mut shiplint_against(server, cwd, &all))
}

fn repositories(doc: &Json) -> Vec<String> {
    doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// The messages of the report's errors about `repository` (`None`: the run's own).
fn errors_of(doc: &Json, repository: Option<&str>) -> Vec<String> {
    doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["repository"].as_str() == repository)
        .map(|e| {
            let file = e["file"]
                .as_str()
                .map_or(String::new(), |f| format!("{f}: "));
            format!("{file}{}", e["message"].as_str().unwrap())
        })
        .collect()
}

/// The slug of repository `i` of the generated org.
fn slug(i: usize) -> String {
    format!("{ORG}/{}", SyntheticOrg::repo_name(i))
}

/// What repository `i` of the generated org may cost: its tree, its files, its config
/// and the settings of `main` (docs/org-sweeps.md).
fn budget(i: usize) -> usize {
    1 + SyntheticOrg::workflows(i).len() + usize::from(SyntheticOrg::config(i).is_some()) + 3
}

fn without(mut slugs: Vec<String>, gone: &[usize]) -> Vec<String> {
    slugs.retain(|s| !gone.iter().any(|&i| *s == slug(i)));
    slugs
}

// ---- tokens and hosts (#17 item 2) -------------------------------------------------

/// A clone of `gen-org/repo-003` (its `origin` on github.com) with one deploying workflow.
fn clone_of_repo_003(dir: &Path) -> PathBuf {
    let root = dir.join("clone");
    std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(
        root.join(".github/workflows/release.yml"),
        "on:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    environment: production\n    steps:\n      - run: echo deploy\n",
    )
    .unwrap();
    std::fs::write(
        root.join(".git/config"),
        "[remote \"origin\"]\n\turl = https://github.com/gen-org/repo-003.git\n",
    )
    .unwrap();
    root
}

/// `shiplint ARGS` in `dir` as a user with three tokens set: a personal github.com one
/// in `GH_TOKEN`, a runner's in `GITHUB_TOKEN`, the one to use in `MYTOK`; `GH_HOST`
/// names `gh_host`.
fn run_with_three_tokens(dir: &Path, gh_host: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiplint"));
    cmd.args(args)
        .current_dir(dir)
        .env("GH_TOKEN", "ghp_personalGithubComToken")
        .env("GITHUB_TOKEN", "ghp_actionsRunnerToken")
        .env("MYTOK", TOKEN)
        .env("GH_HOST", gh_host)
        .env("XDG_CACHE_HOME", dir.join("xdg"))
        .env("SHIPLINT_TEST_BACKOFF_MS", "0");
    run_bounded(&mut cmd)
}

#[test]
fn every_mode_sends_the_named_token_to_the_named_host_only() {
    let org = SyntheticOrg::new(ORG, 5).page_size(2);
    let server = FakeGithub::setup().org(org).start();
    // Where a wrong fallback would go: GH_HOST names it. It must see no connection.
    let decoy = FakeGithub::setup().start();
    let decoy_host = decoy.url().trim_start_matches("http://").to_string();
    let dir = tempfile::tempdir().unwrap();
    let clone = clone_of_repo_003(dir.path());
    let repos = "gen-org/repo-001\ngen-org/repo-002\n";
    std::fs::write(dir.path().join("repos.txt"), repos).unwrap();
    let cache = dir.path().join("api-cache");
    let cache_arg = cache.to_str().unwrap();
    let client = ["--token-env", "MYTOK", "--github-url", server.url()];
    let client = [&client[..], &["--cache-dir", cache_arg, "-f", "json"]].concat();
    let modes: [(&str, &[&str]); 4] = [
        ("a clone, settings online", &[clone.to_str().unwrap()]),
        ("OWNER/NAME", &["gen-org/repo-001"]),
        ("--org", &["--org", ORG, "-o", "org.json"]),
        (
            "--repos-file",
            &["--repos-file", "repos.txt", "-o", "list.json"],
        ),
    ];
    let bearer = format!("Bearer {TOKEN}");
    for (mode, args) in modes {
        server.forget();
        let args = [&["audit"], args, &client].concat();
        let out = run_with_three_tokens(dir.path(), &decoy_host, &args);
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{mode}: {}",
            stderr(&out)
        );
        let requests = server.requests();
        assert!(!requests.is_empty(), "{mode}: nothing was fetched");
        for r in &requests {
            let sent = r.authorization.as_deref();
            assert_eq!(sent, Some(bearer.as_str()), "{mode}: {}", r.path);
        }
        assert_eq!(decoy.connections(), 0, "{mode}: GH_HOST was contacted");
        assert!(
            !dir.path().join("xdg").exists(),
            "{mode}: the default cache was used"
        );
    }
    assert!(std::fs::read_dir(cache.join("api"))
        .unwrap()
        .next()
        .is_some());

    // merge reads files only: no request anywhere, whatever tokens are set.
    server.forget();
    let merge = ["merge", "org.json", "list.json", "-f", "json"];
    let out = run_with_three_tokens(dir.path(), &decoy_host, &merge);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
    assert!(server.requests().is_empty(), "merge asked the API");
    assert_eq!(decoy.connections(), 0);
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    let decoy = FakeGithub::setup().start();
    let org = SyntheticOrg::new(ORG, 3);
    let elsewhere = format!("{}/repos/gen-org/repo-001/git/trees/main", decoy.url());
    let server = FakeGithub::setup()
        .org(org.clone())
        .reply(
            &org.tree_path(1),
            vec![Reply::new(302, "").header("location", &elsewhere)],
        )
        .start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(&server, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(decoy.connections(), 0);
    let errors = errors_of(&json(&out), Some(&slug(1)));
    assert!(errors.len() == 1 && errors[0].contains("302"), "{errors:?}");
}

// ---- deadlines, caps (#17 item 4) --------------------------------------------------

#[test]
fn a_slow_drip_answer_is_cut_at_the_request_deadline_and_the_sweep_goes_on() {
    let org = SyntheticOrg::new(ORG, 12);
    // One byte every 50 ms of a 2,000-byte tree: 100 s, every read well inside the idle
    // timeout.
    let drip = Reply::ok(format!(
        "{{\"tree\": [], \"pad\": \"{}\"}}",
        " ".repeat(2000)
    ))
    .drip(1, Duration::from_millis(50));
    let server = FakeGithub::setup()
        .org(org.clone())
        .reply(&org.tree_path(4), vec![drip])
        .start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(&server, dir.path(), &["--request-timeout", "2s", "-j", "4"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(repositories(&doc), without(org.active(), &[4]));
    let errors = errors_of(&doc, Some(&slug(4)));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("--request-timeout"), "{errors:?}");
    // The deadline covers the request's attempts: a cut answer is not asked again.
    let tree = server
        .paths()
        .iter()
        .filter(|p| p.starts_with(&org.tree_path(4)))
        .count();
    assert_eq!(tree, 1);
}

#[test]
fn a_repository_is_cut_at_its_deadline_and_the_sweep_goes_on() {
    let org = SyntheticOrg::new(ORG, 6);
    let base = org.repo_path(3);
    // Each answer of repo-003 takes about 600 ms: none is over the request deadline,
    // together they are over the repository's.
    let slow = |sub: &str| {
        let path = format!("{base}{sub}");
        let reply = org.reply_for(&path).unwrap();
        let third = reply.body.len().div_ceil(3);
        (path, reply.drip(third, Duration::from_millis(200)))
    };
    let mut setup = FakeGithub::setup().org(org.clone());
    for sub in [
        "/git/trees/main",
        "/git/blobs/blob-ci.yml",
        "/git/blobs/blob-release.yml",
        "/branches/main/protection",
        "/rules/branches/main",
        "/environments",
    ] {
        let (path, reply) = slow(sub);
        setup = setup.reply(&path, vec![reply]);
    }
    let server = setup.start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(
        &server,
        dir.path(),
        &["--request-timeout", "5s", "--repo-timeout", "1500ms"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(repositories(&doc), without(org.active(), &[3]));
    let errors = errors_of(&doc, Some(&slug(3)));
    assert!(
        errors.len() == 1 && errors[0].contains("--repo-timeout"),
        "{errors:?}"
    );
}

#[test]
fn files_beyond_the_cap_are_reported_as_not_audited_and_not_fetched() {
    let org = SyntheticOrg::new(ORG, 3).wide(1, 400);
    let server = FakeGithub::setup().org(org.clone()).start();
    let dir = tempfile::tempdir().unwrap();
    // The default cap: 300 files per repository.
    let out = sweep(&server, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(
        repositories(&doc),
        org.active(),
        "the wide repository is still audited"
    );
    let blobs = |paths: &[String]| {
        paths
            .iter()
            .filter(|p| p.starts_with(&format!("{}/git/blobs/", org.repo_path(1))))
            .count()
    };
    assert_eq!(blobs(&server.paths()), 300);
    let errors = errors_of(&doc, Some(&slug(1)));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("101 of 401") && errors[0].contains("--max-files"),
        "{errors:?}"
    );
    // The files audited are there: repo-001's ci.yml comes first (workflows by name).
    let files = doc["repositories"][1]["files"].as_u64().unwrap();
    assert_eq!(files, 300);

    server.forget();
    let out = sweep(&server, dir.path(), &["--max-files", "5"]);
    assert_eq!(blobs(&server.paths()), 5, "{}", stderr(&out));
    assert!(errors_of(&json(&out), Some(&slug(1)))[0].contains("396 of 401"));
}

#[test]
fn an_endless_body_is_cut_at_the_body_cap() {
    let org = SyntheticOrg::new(ORG, 4);
    let server = FakeGithub::setup()
        .org(org.clone())
        .reply(&org.tree_path(2), vec![Reply::endless()])
        .reply(
            &format!("{}/git/blobs/blob-ci.yml", org.repo_path(1)),
            vec![Reply::endless()],
        )
        .start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(&server, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    // A tree without end: the repository is not audited, and says why.
    let errors = errors_of(&doc, Some(&slug(2)));
    assert!(
        errors.len() == 1 && errors[0].contains("more than 33554432 bytes"),
        "{errors:?}"
    );
    // A file without end: that file is not audited; the repository is.
    assert_eq!(repositories(&doc), without(org.active(), &[2]));
    let errors = errors_of(&doc, Some(&slug(1)));
    assert!(
        errors.len() == 1
            && errors[0].starts_with(".github/workflows/ci.yml: ")
            && errors[0].contains("--max-file-size"),
        "{errors:?}"
    );
}

#[test]
fn remote_files_over_the_size_cap_are_not_fetched() {
    let org = SyntheticOrg::new(ORG, 4);
    let server = FakeGithub::setup().org(org.clone()).start();
    let dir = tempfile::tempdir().unwrap();
    // ci.yml is about 190 bytes, release.yml over 500.
    let out = sweep(&server, dir.path(), &["--max-file-size", "400"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    let errors = errors_of(&doc, Some(&slug(0)));
    assert!(
        errors.len() == 1
            && errors[0].starts_with(".github/workflows/release.yml: skipped:")
            && errors[0].contains("--max-file-size"),
        "{errors:?}"
    );
    assert!(!server
        .paths()
        .iter()
        .any(|p| p.ends_with("/blob-release.yml")));
}

// ---- the org listing (#17 item 5) --------------------------------------------------

#[test]
fn a_link_loop_ends_the_listing_and_is_reported() {
    let org = SyntheticOrg::new(ORG, 7).page_size(3).link_loop();
    let server = FakeGithub::setup().org(org.clone()).start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(&server, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(repositories(&doc), org.active());
    let listing = server
        .paths()
        .iter()
        .filter(|p| p.starts_with("/orgs/"))
        .count();
    assert_eq!(listing, 4, "3 pages, then the first again, which ends it");
    for (i, n) in org.requests_by_repo(&server.paths()) {
        assert!(n <= budget(i), "repo-{i:03} fetched {n} times");
    }
    let errors = errors_of(&doc, None);
    assert!(
        errors.len() == 1 && errors[0].contains("page seen before"),
        "{errors:?}"
    );
}

#[test]
fn repositories_repeated_across_pages_are_audited_once() {
    let org = SyntheticOrg::new(ORG, 10).page_size(3).churn();
    let server = FakeGithub::setup().org(org.clone()).start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(&server, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(repositories(&doc), org.active());
    for (i, n) in org.requests_by_repo(&server.paths()) {
        assert!(n <= budget(i), "repo-{i:03}: {n} requests > {}", budget(i));
    }
}

#[test]
fn a_next_link_to_another_host_is_not_followed() {
    let decoy = FakeGithub::setup().start();
    let org = SyntheticOrg::new(ORG, 3);
    let page = org.reply_for("/orgs/gen-org/repos").unwrap().body;
    let foreign = format!("<{}/orgs/gen-org/repos?page=2>; rel=\"next\"", decoy.url());
    let server = FakeGithub::setup()
        .org(org.clone())
        .reply(
            "/orgs/gen-org/repos",
            vec![Reply::ok(page).header("link", &foreign)],
        )
        .start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(&server, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(decoy.connections(), 0);
    let errors = errors_of(&json(&out), None);
    assert!(
        errors.len() == 1 && errors[0].contains("another host"),
        "{errors:?}"
    );
}

// ---- rate limits (#17 item 10) -----------------------------------------------------

#[test]
fn a_secondary_limit_that_stays_fails_its_repository_not_the_sweep() {
    let org = SyntheticOrg::new(ORG, 8);
    let server = FakeGithub::setup()
        .org(org.clone())
        .reply(&org.tree_path(2), vec![Reply::secondary_rate_limit(30)])
        .start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(&server, dir.path(), &["-j", "2"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(repositories(&doc), without(org.active(), &[2]));
    let errors = errors_of(&doc, Some(&slug(2)));
    assert!(
        errors.len() == 1 && errors[0].contains("secondary rate limit"),
        "{errors:?}"
    );
    // Waited out with backoff: Retry-After, then at least 1, 2 minutes (GitHub's advice).
    let err = stderr(&out);
    for wait in ["waiting 30 s", "waiting 1 min", "waiting 2 min"] {
        assert!(err.contains(wait), "{wait}: {err}");
    }
    let tree = server
        .paths()
        .iter()
        .filter(|p| p.starts_with(&org.tree_path(2)))
        .count();
    assert_eq!(tree, 4, "the first try and 3 retries");
    assert!(
        !dir.path().join("shiplint-resume.json").exists(),
        "the sweep was not stopped"
    );
}

#[test]
fn no_wait_never_waits_out_a_long_retry_after() {
    let org = SyntheticOrg::new(ORG, 8);
    let server = FakeGithub::setup()
        .org(org.clone())
        .reply(
            &org.tree_path(2),
            vec![Reply::secondary_rate_limit(100_000)],
        )
        .start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(&server, dir.path(), &["-j", "1", "--no-wait"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--no-wait") && !err.contains("waiting"),
        "{err}"
    );
    let tree = server
        .paths()
        .iter()
        .filter(|p| p.starts_with(&org.tree_path(2)))
        .count();
    assert_eq!(tree, 1, "not asked again");
    assert!(dir.path().join("shiplint-resume.json").exists());
}

#[test]
fn a_retry_after_longer_than_the_longest_wait_stops_the_sweep_at_once() {
    let org = SyntheticOrg::new(ORG, 8);
    let server = FakeGithub::setup()
        .org(org.clone())
        .reply(
            &org.tree_path(2),
            vec![Reply::secondary_rate_limit(100_000)],
        )
        .start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(&server, dir.path(), &["-j", "1", "--resume", "state.json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("27 h 47 min") && err.contains("longer than"),
        "{err}"
    );
    assert!(!err.contains("waiting"), "{err}");
    let tree = server
        .paths()
        .iter()
        .filter(|p| p.starts_with(&org.tree_path(2)))
        .count();
    assert_eq!(tree, 1);
    assert!(err.contains("--resume state.json"), "{err}");
}

#[test]
fn a_primary_limit_that_resets_soon_is_waited_out() {
    let org = SyntheticOrg::new(ORG, 4);
    let server = FakeGithub::setup()
        .org(org.clone())
        .reply_once(
            &org.tree_path(1),
            Reply::primary_rate_limit_resetting_in(120),
        )
        .start();
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(&server, dir.path(), &["-j", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(repositories(&json(&out)), org.active());
    assert!(stderr(&out).contains("waiting"), "{}", stderr(&out));
}

// ---- tokens, URLs, resume (#17 item 11) --------------------------------------------

#[test]
fn a_token_with_a_control_byte_is_a_usage_error_not_a_panic() {
    let server = FakeGithub::setup().org(SyntheticOrg::new(ORG, 2)).start();
    let dir = tempfile::tempdir().unwrap();
    for (token, what) in [
        ("ghp_first\nghp_second", "line break"),
        ("ghp_a\u{1}b", "control character"),
        ("ghp_ünïcode", "non-ASCII"),
        ("ghp_two words", "space"),
    ] {
        for args in [&["audit", "gen-org/repo-001"][..], &["audit", "--org", ORG]] {
            let out =
                run_bounded(shiplint_against(&server, dir.path(), args).env("GH_TOKEN", token));
            assert_eq!(out.status.code(), Some(2), "{token:?}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(err.contains("GH_TOKEN") && err.contains(what), "{err}");
            assert!(!err.contains("ghp_"), "the token was printed: {err}");
        }
    }
    assert_eq!(server.connections(), 0);
}

#[test]
fn an_empty_github_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for url in ["", "  ", "api.github.example", "ftp://ghe.example/api/v3"] {
        let out = run_bounded(
            Command::new(env!("CARGO_BIN_EXE_shiplint"))
                .args(["audit", "gen-org/repo-001", "--github-url", url])
                .current_dir(dir.path())
                .env("GH_TOKEN", TOKEN),
        );
        assert_eq!(out.status.code(), Some(2), "{url:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("--github-url"), "{}", stderr(&out));
    }
}

/// Waits (at most [`HUNG`]) until the files of `dir` named `state.json*` mention every
/// slug of `slugs`.
fn await_progress(dir: &Path, slugs: &[String]) {
    let started = Instant::now();
    loop {
        let text: String = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("state.json"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        if slugs.iter().all(|s| text.contains(&format!("\"{s}\""))) {
            return;
        }
        assert!(started.elapsed() < HUNG, "progress never written: {text}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_killed_sweep_keeps_the_repositories_it_finished() {
    let org = SyntheticOrg::new(ORG, 10);
    // repo-005 never finishes: its tree drips for hours.
    let stuck = Reply::ok(" ".repeat(100_000)).drip(1, Duration::from_millis(200));
    let server = FakeGithub::setup()
        .org(org.clone())
        .reply(&org.tree_path(5), vec![stuck])
        .start();
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "audit",
        "--org",
        ORG,
        "-f",
        "json",
        "--no-cache",
        "--resume",
        "state.json",
    ];
    let mut child = shiplint_against(&server, dir.path(), &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let finished = without(org.active(), &[5]);
    await_progress(dir.path(), &finished);
    child.kill().unwrap();
    child.wait().unwrap();

    // The server is fixed; the resumed sweep fetches repo-005 only.
    server.remove_route(&org.tree_path(5));
    server.forget();
    let out = run_bounded(&mut shiplint_against(&server, dir.path(), &args));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let fetched = org.requests_by_repo(&server.paths());
    assert_eq!(
        fetched.keys().copied().collect::<Vec<_>>(),
        [5],
        "redone: {fetched:?}"
    );
    let resumed = json(&out);
    let full = sweep(&server, dir.path(), &[]);
    assert_eq!(resumed, json(&full));
}
