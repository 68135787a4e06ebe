//! Org sweeps (`audit --org`, `--repos-file`, `--shard`, `--resume`, `merge`) against a
//! local fake GitHub that generates an organization of many repositories. Bodies are
//! generated here; latency is configurable but zero in tests (the benchmark,
//! `bench/org-sweep.sh`, uses 20 ms). No test sleeps: client waits are zero.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value as Json};

use crate::{json, stderr, stdout};

const ORG: &str = "gen-org";
const TOKEN: &str = "ghp_shiplintSweepToken0123456789abcdefAB";

/// One generated repository's shape.
fn repo_name(i: usize) -> String {
    format!("repo-{i:03}")
}

fn archived(i: usize) -> bool {
    i % 10 == 9
}

fn fork(i: usize) -> bool {
    i % 15 == 14
}

/// Workflow files of repository `i`: `ci.yml` always (an unpinned third-party action),
/// `release.yml` for every third (deploys with static AWS keys).
fn workflows(i: usize) -> Vec<(&'static str, String)> {
    let mut files = vec![(
        "ci.yml",
        "name: ci\non: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: someone/lint-action@v2\n      - run: make test\n".to_string(),
    )];
    if i % 3 == 0 {
        files.push((
            "release.yml",
            "name: deploy\non:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-24.04\n    environment: production\n    steps:\n      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502\n        with:\n          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n          aws-region: eu-west-1\n      - run: aws ecs update-service --cluster prod --service api --force-new-deployment\n".to_string(),
        ));
    }
    files
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

fn ok(body: Json) -> Reply {
    Reply {
        status: 200,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

fn status(code: u16, message: &str) -> Reply {
    Reply {
        status: code,
        headers: Vec::new(),
        body: json!({"message": message}).to_string(),
    }
}

/// The fake GitHub: a generated organization of `size` repositories.
struct FakeOrg {
    url: String,
    size: usize,
    seen: Arc<Mutex<Vec<String>>>,
    /// While set, `/repos/gen-org/<rate_limited_repo>` answers the primary rate limit.
    primary_limited: Arc<AtomicBool>,
}

#[derive(Clone, Default)]
struct Faults {
    /// Repositories whose metadata answers 500 (always).
    failing: Vec<usize>,
    /// Repositories whose first metadata request answers a secondary rate limit.
    secondary: Vec<usize>,
    /// The repository that answers the primary rate limit while the flag is set.
    primary: Option<usize>,
    latency: Duration,
}

impl FakeOrg {
    fn start(size: usize, faults: Faults) -> FakeOrg {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let primary_limited = Arc::new(AtomicBool::new(faults.primary.is_some()));
        let state = Arc::new(State {
            url: url.clone(),
            size,
            faults,
            seen: seen.clone(),
            primary_limited: primary_limited.clone(),
            secondary_done: Mutex::new(BTreeSet::new()),
        });
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = state.clone();
                std::thread::spawn(move || state.serve(stream));
            }
        });
        FakeOrg {
            url,
            size,
            seen,
            primary_limited,
        }
    }

    fn paths(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    fn clear(&self) {
        self.seen.lock().unwrap().clear();
    }

    /// Slugs the org listing keeps by default (neither archived nor forks).
    fn active(&self) -> Vec<String> {
        (0..self.size)
            .filter(|&i| !archived(i) && !fork(i))
            .map(|i| format!("{ORG}/{}", repo_name(i)))
            .collect()
    }
}

struct State {
    url: String,
    size: usize,
    faults: Faults,
    seen: Arc<Mutex<Vec<String>>>,
    primary_limited: Arc<AtomicBool>,
    secondary_done: Mutex<BTreeSet<usize>>,
}

impl State {
    fn serve(&self, mut stream: TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return;
        }
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
        }
        let target = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        self.seen.lock().unwrap().push(target.clone());
        if !self.faults.latency.is_zero() {
            std::thread::sleep(self.faults.latency);
        }
        let r = self.route(&target);
        let mut head = format!(
            "HTTP/1.1 {} X\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\nx-ratelimit-limit: 5000\r\n",
            r.status,
            r.body.len()
        );
        if !r.headers.iter().any(|(k, _)| k == "x-ratelimit-remaining") {
            head.push_str("x-ratelimit-remaining: 4000\r\nx-ratelimit-reset: 4102444800\r\n");
        }
        for (k, v) in &r.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(r.body.as_bytes());
        let _ = stream.flush();
    }

    fn route(&self, target: &str) -> Reply {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if path == format!("/orgs/{ORG}/repos") {
            return self.listing(query);
        }
        let Some(rest) = path.strip_prefix(&format!("/repos/{ORG}/repo-")) else {
            return status(404, "Not Found");
        };
        let (num, sub) = rest.split_at(3);
        let Ok(i) = num.parse::<usize>() else {
            return status(404, "Not Found");
        };
        if i >= self.size {
            return status(404, "Not Found");
        }
        let name = repo_name(i);
        if sub.is_empty() {
            if self.faults.failing.contains(&i) {
                return status(500, "Server Error");
            }
            if self.faults.primary == Some(i) && self.primary_limited.load(Ordering::SeqCst) {
                let mut r = status(403, "API rate limit exceeded for user ID 1.");
                r.headers = vec![
                    ("x-ratelimit-remaining".into(), "0".into()),
                    ("x-ratelimit-reset".into(), "4102444800".into()),
                ];
                return r;
            }
            if self.faults.secondary.contains(&i) && self.secondary_done.lock().unwrap().insert(i) {
                let mut r = status(403, "You have exceeded a secondary rate limit.");
                r.headers = vec![("retry-after".into(), "0".into())];
                return r;
            }
            return ok(json!({
                "name": name, "full_name": format!("{ORG}/{name}"),
                "owner": {"login": ORG}, "default_branch": "main", "visibility": "public"
            }));
        }
        let files = workflows(i);
        match sub {
            "/contents/.github/workflows" => ok(Json::Array(
                files
                    .iter()
                    .map(|(f, _)| {
                        json!({"name": f, "path": format!(".github/workflows/{f}"), "type": "file"})
                    })
                    .collect(),
            )),
            // The git trees path of remote audits: one tree, then one blob per file.
            s if s.starts_with("/git/trees/") => ok(json!({
                "truncated": false,
                "tree": files
                    .iter()
                    .map(|(f, _)| json!({
                        "path": format!(".github/workflows/{f}"), "type": "blob", "sha": format!("blob-{f}")
                    }))
                    .collect::<Vec<_>>(),
            })),
            s if s.starts_with("/git/blobs/blob-") => {
                match files.iter().find(|(n, _)| Some(*n) == s.strip_prefix("/git/blobs/blob-")) {
                    Some((_, text)) => ok(json!({
                        "encoding": "base64",
                        "content": base64::engine::general_purpose::STANDARD.encode(text)
                    })),
                    None => status(404, "Not Found"),
                }
            }
            "/branches/main/protection" if i % 2 == 0 => status(404, "Branch not protected"),
            "/branches/main/protection" => ok(json!({
                "required_pull_request_reviews": {"required_approving_review_count": 1},
                "required_status_checks": {"strict": true, "contexts": ["test"]},
                "allow_force_pushes": {"enabled": false},
                "enforce_admins": {"enabled": true}
            })),
            "/rules/branches/main" => ok(json!([])),
            "/environments" => ok(json!({"total_count": 0, "environments": []})),
            s => match s
                .strip_prefix("/contents/.github/workflows/")
                .and_then(|f| files.iter().find(|(n, _)| *n == f))
            {
                Some((_, text)) => ok(json!({
                    "type": "file", "encoding": "base64",
                    "content": base64::engine::general_purpose::STANDARD.encode(text)
                })),
                None => status(404, "Not Found"),
            },
        }
    }

    /// `GET /orgs/gen-org/repos?…&page=N`: 100 per page, with `Link` to the next page.
    fn listing(&self, query: &str) -> Reply {
        let page: usize = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("page="))
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let start = (page - 1) * 100;
        let end = (start + 100).min(self.size);
        let items: Vec<Json> = (start..end)
            .map(|i| {
                let name = repo_name(i);
                json!({"name": name, "full_name": format!("{ORG}/{name}"),
                       "owner": {"login": ORG}, "archived": archived(i), "fork": fork(i),
                       "default_branch": "main"})
            })
            .collect();
        let mut r = ok(Json::Array(items));
        if end < self.size {
            r.headers.push((
                "link".into(),
                format!(
                    "<{}/orgs/{ORG}/repos?type=all&per_page=100&page={}>; rel=\"next\"",
                    self.url,
                    page + 1
                ),
            ));
        }
        r
    }
}

fn sweep(server: &FakeOrg, cwd: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiplint"))
        .arg("audit")
        .args(["--github-url", &server.url])
        .args(args)
        .current_dir(cwd)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_HOST")
        .env("GH_TOKEN", TOKEN)
        .env("NO_COLOR", "1")
        .env("SHIPLINT_TEST_BACKOFF_MS", "0")
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

/// Requests per repository, by its `/repos/gen-org/repo-NNN` prefix.
fn requests_by_repo(paths: &[String]) -> BTreeMap<usize, usize> {
    let mut by = BTreeMap::new();
    for p in paths {
        if let Some(rest) = p.strip_prefix(&format!("/repos/{ORG}/repo-")) {
            if let Ok(i) = rest[..3].parse::<usize>() {
                *by.entry(i).or_insert(0) += 1;
            }
        }
    }
    by
}

#[test]
fn an_org_sweep_audits_every_active_repository_within_the_request_budget() {
    let server = FakeOrg::start(
        240,
        Faults {
            failing: vec![7],
            secondary: vec![12],
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let out = sweep(
        &server,
        dir.path(),
        &["--org", ORG, "-f", "json", "-j", "8"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    let mut expected = server.active();
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

    // Budget: 2 + workflow files + 3 per release branch (only `main` here).
    let paths = server.paths();
    let listing = paths.iter().filter(|p| p.starts_with("/orgs/")).count();
    assert_eq!(listing, 3, "240 repositories are 3 pages");
    for (i, n) in requests_by_repo(&paths) {
        assert!(
            !archived(i) && !fork(i),
            "repo-{i:03} was skipped but fetched"
        );
        if i == 7 || i == 12 {
            continue; // retried on purpose
        }
        let budget = 2 + workflows(i).len() + 3;
        assert!(n <= budget, "repo-{i:03}: {n} requests > budget {budget}");
    }
}

#[test]
fn with_settings_given_a_repository_costs_two_requests_plus_its_workflows() {
    let server = FakeOrg::start(30, Faults::default());
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
    for (i, n) in requests_by_repo(&server.paths()) {
        assert_eq!(n, 2 + workflows(i).len(), "repo-{i:03}");
    }
}

#[test]
fn archived_repositories_and_forks_are_included_on_request() {
    let server = FakeOrg::start(30, Faults::default());
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
    let server = FakeOrg::start(30, Faults::default());
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
    let server = FakeOrg::start(
        40,
        Faults {
            primary: Some(20),
            ..Faults::default()
        },
    );
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
    let active = server.active();
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
    server.primary_limited.store(false, Ordering::SeqCst);
    server.clear();
    let out = sweep(
        &server,
        dir.path(),
        &["--org", ORG, "-f", "json", "--resume", "state.json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let fetched = requests_by_repo(&server.paths());
    assert!(fetched.keys().all(|&i| i >= 20), "redone: {fetched:?}");
    let resumed = json(&out);
    assert_eq!(repositories(&resumed), active);

    // Same as one uninterrupted sweep.
    let full = sweep(&server, dir.path(), &["--org", ORG, "-f", "json"]);
    assert_eq!(json(&full), resumed);
}

#[test]
fn shards_are_disjoint_cover_the_org_and_merge_equals_the_whole() {
    let server = FakeOrg::start(
        45,
        Faults {
            failing: vec![5],
            ..Faults::default()
        },
    );
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
    let mut all = server.active();
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
    let server = FakeOrg::start(8, Faults::default());
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
    assert!(stderr(&out).is_empty(), "--quiet: {}", stderr(&out));
}

#[test]
fn csv_and_html_reports_of_a_sweep() {
    let server = FakeOrg::start(8, Faults::default());
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
