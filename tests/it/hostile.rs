//! Hostile repositories and outputs (issue 17, the local half; `docs/security.md` names
//! each test here for the guarantee it holds). A pull request controls every byte, name
//! and file type of the checkout shiplint audits: symlinks to the runner's secrets, named
//! pipes, `needs:` chains that explode the model, control characters that forge CI log
//! lines, Markdown that breaks out of the job summary. Symlinks and pipes are made in a
//! temporary folder by each test (git cannot hold a pipe).
//!
//! Every run goes through [`run`], which kills a run that never ends: a pipe that is
//! opened blocks forever, and that is a failure, not a hung suite. No test asserts a
//! duration. `SHIPLINT_TEST_BIN=PATH` runs these specifications against another build
//! (that is how each was seen to fail before its fix).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::testdata;

/// What a CI runner holds that no report may show.
const SECRET: &str = "ghs_SHIPLINT_HOSTILE_SECRET_7f3a9c";

/// A run that takes longer than this has hung (the slowest here takes a second or two).
const HUNG: Duration = Duration::from_secs(120);

fn binary() -> PathBuf {
    std::env::var_os("SHIPLINT_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_shiplint")))
}

/// Runs shiplint in `cwd` with `args` and `env`, no token, no colour; kills it and fails
/// the test if it does not end.
fn run(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_HOST")
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", cwd.join(".no-cache"))
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the shiplint binary runs");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let stderr = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > HUNG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("shiplint {args:?} hung (killed after {HUNG:?})");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn report(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(o)))
}

/// A repository in a temporary folder holding `testdata/hostile/clean` (one finding, an
/// unpinned action at line 8 of `ci.yml`); returns the folder and the repository in it.
fn clean_repo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    copy_dir(&testdata("hostile/clean"), &repo);
    (tmp, repo)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A file outside every repository that holds the secret, shaped to make a YAML or JSON
/// parser quote it.
fn secret_file(dir: &Path) -> PathBuf {
    let path = dir.join("credentials");
    fs::write(
        &path,
        format!("[default]\ntoken: {SECRET} [\n\"{SECRET}\"\n"),
    )
    .unwrap();
    path
}

fn symlink(target: &Path, link: &Path) {
    fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn mkfifo(path: &Path) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// The clean repository's own finding is still reported.
fn clean_file_still_audited(doc: &serde_json::Value) {
    let findings = doc["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["file"] == ".github/workflows/ci.yml" && f["line"] == 8),
        "the clean workflow's finding is missing: {findings:?}"
    );
}

/// Exactly one input error, on `file`, whose message contains `text`.
fn one_error(doc: &serde_json::Value, file: &str, text: &str) {
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], file, "{errors:?}");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains(text), "{message:?} does not say {text:?}");
}

// 1. Files are read only from inside the repository, and no bytes of a file that is not a
// workflow are echoed.

#[test]
fn a_config_symlinked_out_of_the_repository_is_refused_and_never_quoted() {
    let (tmp, repo) = clean_repo();
    let secret = secret_file(tmp.path());
    symlink(&secret, &repo.join(".github/shiplint.yml"));
    let out = run(&repo, &["audit", "--offline"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!text(&out).contains(SECRET), "{}", text(&out));
    assert!(
        text(&out).contains("cannot read the config file .github/shiplint.yml: symlink points outside the repository"),
        "{}",
        text(&out)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_config_symlinked_to_the_process_environment_leaks_no_token() {
    let (_tmp, repo) = clean_repo();
    symlink(
        Path::new("/proc/self/environ"),
        &repo.join(".github/shiplint.yml"),
    );
    for format in ["human", "json", "sarif", "github", "markdown"] {
        let out = run(
            &repo,
            &["audit", "--offline", "-f", format],
            &[("SHIPLINT_HOSTILE_TOKEN", SECRET)],
        );
        assert_eq!(out.status.code(), Some(2), "{format}: {}", text(&out));
        assert!(!text(&out).contains(SECRET), "{format}: {}", text(&out));
    }
}

#[test]
fn a_config_symlinked_into_git_is_refused() {
    let (_tmp, repo) = clean_repo();
    // Where actions/checkout keeps the job's token.
    let header =
        format!("[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic {SECRET}\n");
    fs::create_dir_all(repo.join(".git")).unwrap();
    fs::write(repo.join(".git/config"), header).unwrap();
    symlink(
        Path::new("../.git/config"),
        &repo.join(".github/shiplint.yml"),
    );
    let out = run(&repo, &["audit", "--offline", "-f", "json"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!text(&out).contains(SECRET), "{}", text(&out));
    let doc = report(&out);
    assert_eq!(doc["errors"][0]["kind"], "config", "{doc}");
    assert!(
        doc["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("into the repository's .git folder")),
        "{doc}"
    );
}

#[test]
fn a_workflow_symlinked_into_git_is_refused() {
    let (_tmp, repo) = clean_repo();
    fs::create_dir_all(repo.join(".git")).unwrap();
    fs::write(repo.join(".git/config"), format!("token: {SECRET}\n")).unwrap();
    symlink(
        Path::new("../../.git/config"),
        &repo.join(".github/workflows/token.yml"),
    );
    let out = run(&repo, &["audit", "--offline", "-f", "json"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let doc = report(&out);
    one_error(
        &doc,
        ".github/workflows/token.yml",
        "into the repository's .git folder",
    );
    clean_file_still_audited(&doc);
    assert!(!text(&out).contains(SECRET));
}

#[test]
fn a_baseline_symlinked_out_of_the_checkout_is_refused_and_never_quoted() {
    let (tmp, repo) = clean_repo();
    let secret = tmp.path().join("secret.json");
    fs::write(&secret, format!("{{\"version\": \"{SECRET}\"}}")).unwrap();
    symlink(&secret, &repo.join(".shiplint-baseline.json"));
    let out = run(
        &repo,
        &[
            "audit",
            "--offline",
            "--baseline",
            ".shiplint-baseline.json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(!text(&out).contains(SECRET), "{}", text(&out));
    assert!(text(&out).contains("symlink points outside the repository"));
}

#[test]
fn a_baseline_that_is_not_one_is_placed_but_never_quoted() {
    let (_tmp, repo) = clean_repo();
    fs::write(
        repo.join("baseline.json"),
        format!("{{\"version\": \"{SECRET}\"}}"),
    )
    .unwrap();
    let out = run(
        &repo,
        &["audit", "--offline", "--baseline", "baseline.json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: baseline.json: not a shiplint baseline (not the shape of a baseline at line 1, column 48)\n"
    );
}

#[test]
fn a_repository_config_loads_no_policies_from_outside_the_repository() {
    let (tmp, repo) = clean_repo();
    let elsewhere = tmp.path().join("policies");
    fs::create_dir_all(&elsewhere).unwrap();
    fs::write(
        elsewhere.join("x.rego"),
        format!("package x\n{SECRET} :=\n"),
    )
    .unwrap();
    let config = format!("policies: [{}]\n", elsewhere.display());
    fs::write(repo.join(".github/shiplint.yml"), config).unwrap();
    let out = run(&repo, &["audit", "--offline"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("is outside the repository"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains(SECRET), "{}", text(&out));
}

// 9. Only regular files are opened: a named pipe never hangs the audit.

#[test]
fn a_named_pipe_in_the_workflows_folder_is_skipped_not_opened() {
    let (_tmp, repo) = clean_repo();
    mkfifo(&repo.join(".github/workflows/pipe.yml"));
    let out = run(&repo, &["audit", "--offline", "-f", "json"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let doc = report(&out);
    one_error(
        &doc,
        ".github/workflows/pipe.yml",
        "not a regular file (a named pipe)",
    );
    clean_file_still_audited(&doc);
}

#[test]
fn a_named_pipe_as_an_action_is_refused() {
    let (_tmp, repo) = clean_repo();
    mkfifo(&repo.join(".github/actions/setup/action.yml"));
    let out = run(&repo, &["audit", "--offline", "-f", "json"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let doc = report(&out);
    one_error(
        &doc,
        ".github/actions/setup/action.yml",
        "not a regular file (a named pipe)",
    );
    clean_file_still_audited(&doc);
}

#[test]
fn a_named_pipe_named_by_uses_is_refused() {
    let (_tmp, repo) = clean_repo();
    let workflow = "on: push\npermissions: {}\njobs:\n  b:\n    runs-on: x\n    steps: [{uses: ./tools/pipe}]\n";
    fs::write(repo.join(".github/workflows/local.yml"), workflow).unwrap();
    mkfifo(&repo.join("tools/pipe/action.yml"));
    let out = run(&repo, &["audit", "--offline", "-f", "json"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let doc = report(&out);
    one_error(
        &doc,
        "tools/pipe/action.yml",
        "not a regular file (a named pipe)",
    );
    clean_file_still_audited(&doc);
}

#[test]
fn a_named_pipe_as_the_config_or_baseline_is_refused() {
    let (_tmp, repo) = clean_repo();
    mkfifo(&repo.join(".github/shiplint.yml"));
    let out = run(&repo, &["audit", "--offline"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains(
            "cannot read the config file .github/shiplint.yml: not a regular file (a named pipe)"
        ),
        "{}",
        text(&out)
    );
    mkfifo(&repo.join("pipe.json"));
    let out = run(
        &repo,
        &[
            "audit",
            "--offline",
            "--no-config",
            "--baseline",
            "pipe.json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("not a regular file (a named pipe)"));
}

#[test]
fn named_pipes_in_git_are_never_opened() {
    let (_tmp, repo) = clean_repo();
    mkfifo(&repo.join(".git/config"));
    mkfifo(&repo.join(".git/refs/remotes/origin/HEAD"));
    let out = run(&repo, &["audit", "--offline", "-f", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    clean_file_still_audited(&report(&out));
}

// 3. The model is bounded: a `needs:` chain or a call graph too large to hold is an input
// error of its workflow or repository, and one repository's failure of any kind is
// isolated.

/// A workflow whose `n` jobs each need the one before.
fn chain(n: usize) -> String {
    let mut s = String::from("on: push\npermissions: {}\njobs:\n");
    for i in 0..n {
        s.push_str(&format!("  j{i}:\n    runs-on: x\n"));
        if i > 0 {
            s.push_str(&format!("    needs: j{}\n", i - 1));
        }
        s.push_str("    steps: [{run: make}]\n");
    }
    s
}

#[test]
fn a_needs_chain_beyond_the_bound_is_an_input_error_and_the_rest_is_audited() {
    let (_tmp, repo) = clean_repo();
    // 400 chained jobs wait on 79,800 jobs in all, over the bound of 50,000.
    fs::write(repo.join(".github/workflows/chain.yml"), chain(400)).unwrap();
    let out = run(&repo, &["audit", "--offline", "-f", "json"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let doc = report(&out);
    one_error(
        &doc,
        ".github/workflows/chain.yml",
        "`needs:` too deep to model: the jobs of this workflow wait on more than 50000 jobs",
    );
    assert_eq!(doc["errors"][0]["line"], 4);
    clean_file_still_audited(&doc);
    // A long but modelled chain is audited as usual.
    fs::write(repo.join(".github/workflows/chain.yml"), chain(300)).unwrap();
    let out = run(&repo, &["audit", "--offline", "-f", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(report(&out)["summary"]["files"], 2);
}

#[test]
fn a_call_graph_too_large_to_model_is_an_input_error() {
    let (_tmp, repo) = clean_repo();
    // Six levels of ten jobs, each calling the next level: every top job reaches 10^5 jobs.
    let jobs = 10;
    for level in 0..6 {
        let on = if level == 0 { "push" } else { "workflow_call" };
        let mut s = format!("on: {on}\npermissions: {{}}\njobs:\n");
        for j in 0..jobs {
            if level < 5 {
                let next = level + 1;
                s.push_str(&format!(
                    "  j{j}:\n    uses: ./.github/workflows/l{next}.yml\n"
                ));
            } else {
                s.push_str(&format!(
                    "  j{j}:\n    runs-on: x\n    steps: [{{run: make}}]\n"
                ));
            }
        }
        fs::write(repo.join(format!(".github/workflows/l{level}.yml")), s).unwrap();
    }
    let out = run(&repo, &["audit", "--offline", "-f", "json"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let doc = report(&out);
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("the pipeline is too large to model"),
        "{errors:?}"
    );
}

#[test]
fn a_failure_while_auditing_one_repository_fails_only_that_repository() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&testdata("hostile/clean"), &tmp.path().join("a"));
    copy_dir(&testdata("hostile/clean"), &tmp.path().join("b"));
    copy_dir(&testdata("hostile/clean"), &tmp.path().join("c"));
    let out = run(
        tmp.path(),
        &["audit", "--offline", "-f", "json", "."],
        &[("SHIPLINT_TEST_PANIC", "b")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let doc = report(&out);
    let audited: Vec<&str> = doc["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(audited, ["a", "c"]);
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["repository"], "b");
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("internal error: shiplint failed while auditing this repository"));
    assert_eq!(doc["findings"].as_array().unwrap().len(), 2);
}

// 6. No control character from an input reaches a terminal or a CI log raw.

/// `testdata/hostile/injection` in a temporary folder, with what git cannot hold: a raw
/// ESC in a comment of an ignored line, a workflow whose file name forges a command (it
/// does not parse: an input error names it) and a nested file whose folder name clears the
/// screen (a notice names it).
fn injection_repo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    copy_dir(&testdata("hostile/injection"), &repo);
    let wf = repo.join(".github/workflows");
    let ignored = "on: push\npermissions: {}\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: actions/setup-node@v4 # shiplint: ignore[unpinned-action] pinned \u{1b}[2J\u{1b}]0;owned\u{7} later\n";
    fs::write(wf.join("ignored.yml"), ignored).unwrap();
    fs::write(
        wf.join("bad\n::error file=x.yml::forged by a file name\u{1b}[31m.yml"),
        "on: push\njobs: 3\n",
    )
    .unwrap();
    fs::create_dir_all(wf.join("sub\u{1b}[2J\u{9b}1m")).unwrap();
    fs::write(wf.join("sub\u{1b}[2J\u{9b}1m/nested.yml"), "on: push\n").unwrap();
    (tmp, repo)
}

/// No ESC, BEL or C1 control anywhere, and no line that a runner would take for a
/// workflow command.
fn assert_inert(out: &Output) {
    let all = text(out);
    for c in ['\u{1b}', '\u{7}', '\u{9b}'] {
        assert!(!all.contains(c), "{c:?} reached the output raw:\n{all}");
    }
    for line in all.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "a forged command: {line:?}\n{all}"
        );
    }
}

#[test]
fn control_characters_never_reach_the_terminal_raw() {
    let (_tmp, repo) = injection_repo();
    for color in ["never", "always"] {
        let out = run(
            &repo,
            &["audit", "--offline", "--show-ignored", "--color", color],
            &[],
        );
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let all = text(&out);
        if color == "never" {
            assert_inert(&out);
        } else {
            // Colour is shiplint's own SGR sequences; the input's ESC is shown escaped.
            let mut rest = all.as_str();
            while let Some(i) = rest.find('\u{1b}') {
                let tail = &rest[i + 1..];
                let end = tail.find('m').expect("an SGR sequence");
                assert!(
                    tail.starts_with('[')
                        && tail[1..end].chars().all(|c| c.is_ascii_digit() || c == ';')
                );
                rest = &tail[end..];
            }
        }
        for shown in [
            r"actions/checkout@v4\u{1b}[31m\n::error::forged by a uses value",
            r"deploy\n::error file=x.yml,line=1::forged by a job id\u{1b}[2J",
            r"bad\n::error file=x.yml::forged by a file name\u{1b}[31m.yml",
            r"sub\u{1b}[2J\u{9b}1m/nested.yml",
            r"pinned \u{1b}[2J\u{1b}]0;owned\u{7} later",
        ] {
            assert!(
                all.contains(shown),
                "{shown} not shown escaped ({color}):\n{all}"
            );
        }
    }
}

#[test]
fn github_annotations_cannot_be_forged() {
    let (_tmp, repo) = injection_repo();
    let doc = report(&run(&repo, &["audit", "--offline", "-f", "json"], &[]));
    let expected = doc["findings"].as_array().unwrap().len()
        + doc["errors"].as_array().unwrap().len()
        + doc["notices"].as_array().unwrap().len();
    let out = run(&repo, &["audit", "--offline", "-f", "github"], &[]);
    let all = text(&out);
    for c in ['\u{1b}', '\u{7}', '\u{9b}'] {
        assert!(!all.contains(c), "{c:?} reached the log raw:\n{all}");
    }
    let commands: Vec<&str> = all.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(commands.len(), expected, "{all}");
    assert!(commands.iter().all(|c| c.starts_with("::error ")
        || c.starts_with("::warning ")
        || c.starts_with("::notice ")));
    assert!(all.contains("file=.github/workflows/bad%0A%3A%3Aerror file=x.yml%3A%3Aforged by a file name\\u{1b}[31m.yml"), "{all}");
}

#[test]
fn error_messages_of_a_command_carry_no_raw_control_characters() {
    let (_tmp, repo) = clean_repo();
    let out = run(
        &repo,
        &[
            "audit",
            "--offline",
            "--baseline",
            "no\n::error::such\u{1b}[31m.json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_inert(&out);
    assert!(
        text(&out).contains(r"no\n::error::such\u{1b}[31m.json"),
        "{}",
        text(&out)
    );
}

// 11 (in part). Mistakes in a config file are never dropped by a format.

#[test]
fn config_errors_reach_github_annotations_and_sarif() {
    let (_tmp, repo) = clean_repo();
    fs::write(repo.join(".github/shiplint.yml"), "rulez: {}\n").unwrap();
    let out = run(&repo, &["audit", "--offline", "-f", "github"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        log.contains("::error file=.github/shiplint.yml,line=1,col=1,title=shiplint config error::unknown key `rulez`"),
        "{log}"
    );
    let out = run(&repo, &["audit", "--offline", "-f", "sarif"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let doc = report(&out);
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert!(notification["message"]["text"]
        .as_str()
        .unwrap()
        .contains("unknown key `rulez`"));
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        ".github/shiplint.yml"
    );
}

// 7. No name from a workflow breaks out of the job summary's Mermaid block.

#[test]
fn a_job_id_cannot_break_out_of_the_mermaid_block() {
    let out = run(
        &crate::root(),
        &[
            "audit",
            "--offline",
            "-f",
            "markdown",
            "testdata/hostile/fence-breakout",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let md = String::from_utf8_lossy(&out.stdout).into_owned();
    let fences: Vec<&str> = md
        .lines()
        .filter(|l| l.trim_start().starts_with("```"))
        .collect();
    assert_eq!(fences, ["```mermaid", "```"], "{md}");
    let block = &md[md.find("```mermaid\n").unwrap() + 11..md.rfind("```").unwrap()];
    for line in block.lines() {
        assert!(
            line == "flowchart LR" || line.starts_with("  "),
            "{line:?} escapes the chart"
        );
    }
    assert!(
        !md.lines()
            .any(|l| l.starts_with('#') && l.contains("Injected")),
        "{md}"
    );
    insta::assert_snapshot!("fence_breakout_markdown", md);
}

// 8. `-f markdown` renders the report alone: it never reads the current folder.

/// A folder whose own pipeline must not appear in a report of other repositories, with
/// a named pipe that would hang whatever opened it.
fn unrelated_cwd() -> tempfile::TempDir {
    let cwd = tempfile::tempdir().unwrap();
    let wf = cwd.path().join(".github/workflows");
    fs::create_dir_all(&wf).unwrap();
    let unrelated =
        "on: push\njobs:\n  unrelated-cwd-job:\n    runs-on: x\n    steps: [{run: make}]\n";
    fs::write(wf.join("unrelated.yml"), unrelated).unwrap();
    mkfifo(&wf.join("pipe.yml"));
    cwd
}

#[test]
fn markdown_of_remote_sweeps_and_merges_never_reads_the_current_folder() {
    use crate::support::fake_github::FakeGithub;
    use crate::support::synthetic_org::SyntheticOrg;
    let cwd = unrelated_cwd();
    let server = FakeGithub::setup()
        .org(SyntheticOrg::new("gen-org", 2))
        .start();
    let github = ["--github-url", server.url(), "--no-cache"];
    let token = [
        ("GH_TOKEN", "ghp_shiplintHostileToken0123456789abcdefA"),
        ("SHIPLINT_TEST_BACKOFF_MS", "0"),
    ];
    let shard = cwd.path().join("shard.json");
    let shard = shard.to_str().unwrap();
    let mut runs = Vec::new();
    let mut sweep = vec!["audit", "--org", "gen-org", "-q", "-f", "json", "-o", shard];
    sweep.extend(github);
    let swept = run(cwd.path(), &sweep, &token);
    assert!(swept.status.code().unwrap() <= 1, "{}", text(&swept));
    let mut remote = vec!["audit", "gen-org/repo-000", "-f", "markdown"];
    remote.extend(github);
    runs.push(run(cwd.path(), &remote, &token));
    runs.push(run(cwd.path(), &["merge", "-f", "markdown", shard], &[]));
    for out in &runs {
        let md = text(out);
        assert!(
            md.contains("### Pipeline: `gen-org/repo-000`\n\n```mermaid"),
            "{md}"
        );
        assert!(
            !md.contains("unrelated-cwd-job") && !md.contains("pipe.yml"),
            "{md}"
        );
    }
}

// 11. Reports quote what they show: CSV cells, links, SARIF URIs.

#[test]
fn merged_reports_cannot_inject_formulas_or_script_links() {
    let crafted = "testdata/hostile/reports/crafted.json";
    let csv = run(&crate::root(), &["merge", "-f", "csv", crafted], &[]);
    let csv = String::from_utf8_lossy(&csv.stdout).into_owned();
    for row in csv.lines().skip(1) {
        for cell in split_csv(row) {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "{cell:?} in {row:?}"
            );
        }
    }
    assert!(csv.contains("'@SUM(1+1)") && csv.contains("'+cmd"), "{csv}");
    let html = run(&crate::root(), &["merge", "-f", "html", crafted], &[]);
    let html = String::from_utf8_lossy(&html.stdout).into_owned();
    assert!(!html.contains("javascript:"), "{html}");
    let md = run(&crate::root(), &["merge", "-f", "markdown", crafted], &[]);
    let md = String::from_utf8_lossy(&md.stdout).into_owned();
    assert!(!md.contains("](javascript:"), "{md}");
}

/// The cells of one CSV row (RFC 4180 quoting).
fn split_csv(row: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(String::new()),
            (c, _) => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

#[test]
fn sarif_artifact_uris_are_percent_encoded() {
    let (_tmp, repo) = clean_repo();
    fs::rename(
        repo.join(".github/workflows/ci.yml"),
        repo.join(".github/workflows/ci 100%#1?.yml"),
    )
    .unwrap();
    let out = run(&repo, &["audit", "--offline", "-f", "sarif"], &[]);
    let doc = report(&out);
    let uri = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, ".github/workflows/ci%20100%25%231%3F.yml");
}

// 11. `-o FILE` is replaced whole, never rewritten in place nor through a symlink.

#[test]
fn the_output_file_is_replaced_never_rewritten_in_place() {
    let (tmp, repo) = clean_repo();
    let out_file = tmp.path().join("report.json");
    fs::write(&out_file, "the previous report").unwrap();
    // A second name for the previous report: rewriting in place would change it too.
    fs::hard_link(&out_file, tmp.path().join("previous.json")).unwrap();
    let out = run(
        &repo,
        &[
            "audit",
            "--offline",
            "-f",
            "json",
            "-o",
            out_file.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let previous = fs::read_to_string(tmp.path().join("previous.json")).unwrap();
    assert_eq!(previous, "the previous report");
    let written: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(written["summary"]["findings"], 1);
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_output_path_planted_as_a_symlink_is_replaced_not_written_through() {
    let (tmp, repo) = clean_repo();
    let victim = tmp.path().join("victim");
    fs::write(&victim, "must survive").unwrap();
    symlink(&victim, &repo.join("shiplint.sarif"));
    let out = run(
        &repo,
        &["audit", "--offline", "-f", "sarif", "-o", "shiplint.sarif"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(fs::read_to_string(&victim).unwrap(), "must survive");
    let written = fs::symlink_metadata(repo.join("shiplint.sarif")).unwrap();
    assert!(written.is_file());
}

// The fuzz targets' checks, replayed: hostile trees (`fuzz/fuzz_targets/audit.rs`), the
// settings JSON (`settings.rs`) and the config (`config.rs`).

#[test]
fn every_hostile_tree_layout_is_audited_without_a_leak() {
    let workflow = "on: push\n# \u{1b}[2J\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/pipe\n      - uses: ./.github/actions/out\n      - uses: \"a/b@v1\\e[31m\"\n";
    let layouts = (0..8).map(|bit| 1u8 << bit).chain([0, 0xff, 0b0110_0110]);
    for layout in layouts {
        let mut data = vec![layout];
        data.extend_from_slice(workflow.as_bytes());
        shiplint::fuzzing::check_audit_tree(&data);
    }
}

#[test]
fn settings_and_config_documents_replay_through_their_fuzz_checks() {
    let mut n = 0;
    for entry in fs::read_dir(testdata("settings")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            let bytes = fs::read(&path).unwrap();
            shiplint::fuzzing::check_settings_bytes(&bytes);
            // Cut anywhere, a document is refused, never a panic.
            shiplint::fuzzing::check_settings_bytes(&bytes[..bytes.len() / 2]);
            n += 1;
        }
    }
    assert!(n >= 5, "only {n} settings documents");
    for doc in [
        "{\"branches\": 3}",
        "{\"branches\": {\"main\": {\"protection\": [1]}}}",
        "[]",
        "null",
    ] {
        shiplint::fuzzing::check_settings_bytes(doc.as_bytes());
    }
    for config in [
        "rules: {x: {params: [1]}}\n",
        "ignore: [{rule: \"\\e[31m\", reason: \"\\n::error::x\"}]\npolicies: [/]\n",
        "policies: \"../..\"\n",
    ] {
        shiplint::fuzzing::check_config_bytes(config.as_bytes());
    }
}
