//! Bad input never panics and never hides other results: each problem is one line with
//! file:line:col where known, the other files are still audited, and the exit code is 2.

use std::fs;
use std::path::Path;

use crate::{json, shiplint_in, stderr};

/// A workflow with exactly one known finding (an unpinned action on line 7).
const GOOD: &str = "on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";

/// A repository holding `good.yml` and one bad file; returns the JSON report and exit code.
fn audit_with(bad_name: &str, bad: &[u8], extra: &[&str]) -> (serde_json::Value, i32, String) {
    let (tmp, wf) = repo_with_good();
    fs::write(wf.join(bad_name), bad).unwrap();
    run(tmp.path(), extra)
}

fn run(dir: &Path, extra: &[&str]) -> (serde_json::Value, i32, String) {
    let mut args = vec!["audit", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(".");
    let out = shiplint_in(dir, &args);
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    (json(&out), out.status.code().unwrap_or(-1), stderr(&out))
}

/// A temporary repository holding `good.yml`; returns it and its workflows folder.
fn repo_with_good() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let wf = tmp.path().join(".github/workflows");
    fs::create_dir_all(&wf).unwrap();
    fs::write(wf.join("good.yml"), GOOD).unwrap();
    (tmp, wf)
}

/// Exactly one input error, whose message contains `text`.
fn assert_error_mentions(doc: &serde_json::Value, text: &str) {
    let message = only_error(doc)["message"].as_str().unwrap().to_string();
    assert!(
        message.contains(text),
        "{message:?} does not mention {text:?}"
    );
}

fn only_error(doc: &serde_json::Value) -> &serde_json::Value {
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    &errors[0]
}

fn good_file_still_audited(doc: &serde_json::Value) {
    let findings = doc["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["file"] == ".github/workflows/good.yml" && f["line"] == 7),
        "the good file's finding is missing: {findings:?}"
    );
}

#[test]
fn invalid_yaml_is_reported_with_its_position() {
    let (doc, code, _) = audit_with("bad.yml", b"on: push\njobs:\n  a: [1, 2\n", &[]);
    assert_eq!(code, 2);
    let e = only_error(&doc);
    assert_eq!(e["file"], ".github/workflows/bad.yml");
    assert!(e["line"].as_u64().unwrap() >= 3);
    assert!(e["message"].as_str().unwrap().starts_with("invalid YAML"));
    good_file_still_audited(&doc);
}

/// The repository holds `good.yml` and `name`: exit 2, exactly one error, at `line:column`
/// with `message`, and the good file still audited.
fn rejected_at(name: &str, bytes: &[u8], (line, column): (u64, u64), message: &str) {
    let (doc, code, _) = audit_with(name, bytes, &[]);
    assert_eq!(code, 2);
    let e = only_error(&doc);
    assert_eq!(e["file"], format!(".github/workflows/{name}"));
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(line), Some(column))
    );
    assert_eq!(e["message"], message);
    good_file_still_audited(&doc);
}

#[test]
fn a_workflow_that_is_a_list_is_rejected() {
    rejected_at(
        "list.yml",
        b"- on: push\n- jobs: {}\n",
        (1, 1),
        "a workflow must be a mapping, found a sequence",
    );
}

#[test]
fn a_workflow_that_is_a_string_is_rejected() {
    rejected_at(
        "string.yml",
        b"just some text\n",
        (1, 1),
        "a workflow must be a mapping, found a string",
    );
}

#[test]
fn jobs_of_the_wrong_type_point_at_the_value() {
    rejected_at(
        "jobs.yml",
        b"on: push\njobs: 3\n",
        (2, 7),
        "`jobs` must be a mapping of job ids to jobs, found a number",
    );
}

#[test]
fn a_step_that_is_a_number_is_skipped_and_the_rest_of_the_job_audited() {
    let bad = b"on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - 42\n      - uses: actions/setup-node@main\n";
    let (doc, code, _) = audit_with("step.yml", bad, &[]);
    assert_eq!(code, 2);
    let e = only_error(&doc);
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(6), Some(9))
    );
    assert_eq!(e["message"], "step 1 must be a mapping, found a number");
    let findings = doc["findings"].as_array().unwrap();
    assert!(findings
        .iter()
        .any(|f| f["file"] == ".github/workflows/step.yml" && f["line"] == 7));
    good_file_still_audited(&doc);
}

#[test]
fn non_utf8_bytes_are_located() {
    let (doc, code, _) = audit_with("latin1.yml", b"on: push\nname: caf\xe9\n", &[]);
    assert_eq!(code, 2);
    let e = only_error(&doc);
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(2), Some(10))
    );
    assert!(e["message"].as_str().unwrap().contains("UTF-8"));
    good_file_still_audited(&doc);
}

#[test]
fn an_empty_file_is_reported() {
    let (doc, code, _) = audit_with("empty.yml", b"", &[]);
    assert_eq!(code, 2);
    assert_error_mentions(&doc, "empty");
    good_file_still_audited(&doc);
}

#[test]
fn a_file_over_the_size_cap_is_skipped_unread() {
    let big = format!("on: push\n#{}\n", "x".repeat(4096));
    let (doc, code, _) = audit_with("big.yml", big.as_bytes(), &["--max-file-size", "1000"]);
    assert_eq!(code, 2);
    assert_error_mentions(&doc, "size cap");
    good_file_still_audited(&doc);
}

#[test]
fn a_directory_without_workflows_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("src")).unwrap();
    let (doc, code, _) = run(tmp.path(), &[]);
    assert_eq!(code, 2);
    assert_error_mentions(&doc, "no GitHub Actions workflows");
}

#[test]
fn a_missing_path_is_an_error_and_other_paths_go_on() {
    let out = crate::shiplint(&[
        "audit",
        "-f",
        "json",
        "no/such/path",
        "testdata/repos/static-keys",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let doc = json(&out);
    assert_eq!(only_error(&doc)["file"], "no/such/path");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 2);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_not_followed() {
    let (tmp, wf) = repo_with_good();
    std::os::unix::fs::symlink("b.yml", wf.join("a.yml")).unwrap();
    std::os::unix::fs::symlink("a.yml", wf.join("b.yml")).unwrap();
    let (doc, code, _) = run(tmp.path(), &[]);
    assert_eq!(code, 2);
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert!(errors
        .iter()
        .all(|e| e["message"] == "skipped: symlink loop"));
    good_file_still_audited(&doc);
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_repository_is_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.yml"), GOOD).unwrap();
    let (tmp, wf) = repo_with_good();
    std::os::unix::fs::symlink(outside.path().join("secret.yml"), wf.join("escape.yml")).unwrap();
    let (doc, code, _) = run(tmp.path(), &[]);
    assert_eq!(code, 2);
    assert_error_mentions(&doc, "outside the repository");
    good_file_still_audited(&doc);
}

#[test]
fn human_errors_are_one_line_each_with_file_line_col() {
    let (tmp, wf) = repo_with_good();
    fs::write(wf.join("jobs.yml"), "on: push\njobs: 3\n").unwrap();
    let out = shiplint_in(tmp.path(), &["audit"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: .github/workflows/jobs.yml:2:7: `jobs` must be a mapping of job ids to jobs, found a number\n"
    );
    assert!(crate::stdout(&out).contains("actions/checkout@v4"));
}

// The hostile-input matrix: each must end in bounded time with a clear error (or a normal
// audit), never a panic, and never stop the other files from being audited.

#[test]
fn ten_thousand_levels_of_nesting_are_refused() {
    let deep = format!(
        "on: push\njobs: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let (doc, code, _) = audit_with("deep.yml", deep.as_bytes(), &[]);
    assert_eq!(code, 2);
    assert_error_mentions(&doc, "nesting too deep");
    good_file_still_audited(&doc);
}

#[test]
fn deeply_indented_mappings_are_refused() {
    let mut deep = String::from("on: push\njobs:\n");
    for level in 0..300 {
        deep.push_str(&" ".repeat(2 + level));
        deep.push_str(&format!("k{level}:\n"));
    }
    let (doc, code, _) = audit_with("indent.yml", deep.as_bytes(), &[]);
    assert_eq!(code, 2);
    assert_error_mentions(&doc, "nesting too deep");
    good_file_still_audited(&doc);
}

#[test]
fn a_billion_laughs_alias_bomb_fails_fast() {
    let mut bomb =
        String::from("on: push\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    bomb.push_str("jobs: *a9\n");
    let (doc, code, _) = audit_with("bomb.yml", bomb.as_bytes(), &[]);
    assert_eq!(code, 2);
    assert_error_mentions(&doc, "alias expansion too large");
    good_file_still_audited(&doc);
}

#[test]
fn a_hundred_megabyte_file_is_skipped_without_being_read() {
    let (tmp, wf) = repo_with_good();
    // A sparse file: 100 MB on paper, nothing on disk.
    let big = fs::File::create(wf.join("huge.yml")).unwrap();
    big.set_len(100 * 1024 * 1024).unwrap();
    let (doc, code, _) = run(tmp.path(), &[]);
    assert_eq!(code, 2);
    let e = only_error(&doc);
    assert_eq!(e["file"], ".github/workflows/huge.yml");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("104857600 bytes is over the size cap"));
    good_file_still_audited(&doc);
}

#[test]
fn a_job_with_a_hundred_thousand_steps_is_audited() {
    let mut wf =
        String::from("on: push\npermissions: {}\njobs:\n  huge:\n    runs-on: x\n    steps:\n");
    for i in 0..100_000 {
        wf.push_str(&format!("      - run: echo {i}\n"));
    }
    wf.push_str("      - uses: actions/cache@v4\n");
    let (doc, code, _) = audit_with(
        "huge-job.yml",
        wf.as_bytes(),
        &["--max-file-size", "100000000"],
    );
    // Only warnings (unpinned actions): exit 0, and no input error.
    assert_eq!(code, 0, "{:?}", doc["errors"]);
    let findings = doc["findings"].as_array().unwrap();
    assert!(findings
        .iter()
        .any(|f| f["file"] == ".github/workflows/huge-job.yml" && f["line"] == 100_007));
    good_file_still_audited(&doc);
}

#[test]
fn a_binary_file_named_yml_is_an_error() {
    let bytes: Vec<u8> = (0..4096u64)
        .map(|i| (i * 2_654_435_761 % 251) as u8)
        .collect();
    let (doc, code, _) = audit_with("binary.yml", &bytes, &[]);
    assert_eq!(code, 2);
    let e = only_error(&doc);
    assert_eq!(e["file"], ".github/workflows/binary.yml");
    good_file_still_audited(&doc);
}

#[test]
fn a_nul_byte_is_an_error_not_a_crash() {
    let (doc, code, _) = audit_with("nul.yml", b"on: push\njobs:\n  a:\0\n", &[]);
    assert_eq!(code, 2);
    assert_eq!(only_error(&doc)["file"], ".github/workflows/nul.yml");
    good_file_still_audited(&doc);
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_reported_and_the_rest_audited() {
    use std::os::unix::fs::PermissionsExt;
    let (tmp, wf) = repo_with_good();
    fs::write(wf.join("secret.yml"), GOOD).unwrap();
    fs::set_permissions(wf.join("secret.yml"), fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = fs::read(wf.join("secret.yml")).is_ok(); // root ignores modes
    let (doc, code, _) = run(tmp.path(), &[]);
    good_file_still_audited(&doc);
    if readable_anyway {
        assert_eq!(code, 0, "only warnings");
    } else {
        assert_eq!(code, 2);
        assert_eq!(
            only_error(&doc)["message"],
            "cannot read: permission denied"
        );
    }
}

#[test]
fn paths_with_spaces_and_non_ascii_names_are_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("my repos/dépôt ✓");
    let wf = repo.join(".github/workflows");
    fs::create_dir_all(&wf).unwrap();
    fs::write(wf.join("déploiement prod.yml"), GOOD).unwrap();
    let out = crate::shiplint_in(tmp.path(), &["audit", "-f", "json", "my repos"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    let f = &doc["findings"][0];
    assert_eq!(f["repository"], "my repos/dépôt ✓");
    assert_eq!(f["file"], ".github/workflows/déploiement prod.yml");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(7), Some(9))
    );
}
