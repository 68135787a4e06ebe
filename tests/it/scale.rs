//! Reports at scale: `--format short` (one line per finding), `--min-severity` (fewer
//! findings in every format, counted), and `-` (one workflow on standard input).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::{json, root, shiplint, stderr, stdout};

const BREAKS: &str = "testdata/repos/breaks-everything";
const STATIC_KEYS_WORKFLOW: &str = "testdata/repos/static-keys/.github/workflows/deploy.yml";
const TAG_REFS: &str = "testdata/rules/unpinned-action/tag-refs";

/// Runs the binary with `input` on its standard input.
fn shiplint_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shiplint"))
        .args(args)
        .current_dir(root())
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_HOST")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the shiplint binary runs");
    let mut stdin = child.stdin.take().unwrap();
    // A refused command may exit before it reads: a closed pipe is its answer, not ours.
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn short_format_is_one_line_per_finding_with_its_place() {
    let out = shiplint(&["audit", "-f", "short", BREAKS]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let doc = json(&shiplint(&["audit", "-f", "json", BREAKS]));
    assert_eq!(
        text.lines().count(),
        doc["findings"].as_array().unwrap().len()
    );
    insta::assert_snapshot!("breaks_everything_short", text);
    // The summary goes to standard error, so the report is the lines alone.
    assert!(stderr(&out).contains("shiplint: 25 errors, 9 warnings in 18 files of 1 repository"));
}

#[test]
fn short_format_lists_ignored_findings_when_asked() {
    let out = shiplint(&[
        "audit",
        "-f",
        "short",
        "--show-ignored",
        "testdata/repos/ignore-typo",
    ]);
    insta::assert_snapshot!("ignore_typo_short_show_ignored", stdout(&out));
}

#[test]
fn min_severity_hides_lower_findings_in_every_format_and_counts_them() {
    let all = json(&shiplint(&["audit", "-f", "json", BREAKS]));
    let errors = all["summary"]["errors"].as_u64().unwrap() as usize;
    let out = shiplint(&["audit", "-f", "json", "--min-severity", "error", BREAKS]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), errors);
    assert!(findings.iter().all(|f| f["severity"] == "error"));
    assert!(
        stderr(&out).contains("; 9 findings below --min-severity not shown"),
        "{}",
        stderr(&out)
    );
    for format in ["short", "csv", "github", "markdown", "html"] {
        let out = shiplint(&["audit", "-f", format, "--min-severity", "error", BREAKS]);
        assert!(
            !stdout(&out).contains("without `--atomic`"),
            "{format} shows a warning"
        );
    }
    let sarif = json(&shiplint(&[
        "audit",
        "-f",
        "sarif",
        "--min-severity",
        "error",
        BREAKS,
    ]));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), errors);
    assert!(results.iter().all(|r| r["level"] == "error"));
    let human = shiplint(&["audit", "--min-severity", "error", BREAKS]);
    assert!(stdout(&human).contains("; 9 findings below --min-severity not shown"));
}

#[test]
fn hidden_findings_do_not_fail_the_run_which_fails_on_what_it_shows() {
    let out = shiplint(&["audit", "--fail-on", "warning", TAG_REFS]);
    assert_eq!(out.status.code(), Some(1));
    let out = shiplint(&[
        "audit",
        "--fail-on",
        "warning",
        "--min-severity",
        "error",
        TAG_REFS,
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out)
        .starts_with("shiplint: no findings in 1 file of 1 repository; 4 findings below --min-severity not shown"));
}

#[test]
fn merge_hides_lower_findings_too() {
    let tmp = tempfile::tempdir().unwrap();
    let shard = tmp.path().join("shard.json");
    let shard = shard.to_str().unwrap();
    shiplint(&["audit", "-f", "json", "-o", shard, BREAKS]);
    let out = shiplint(&["merge", "-f", "short", "--min-severity", "error", shard]);
    assert!(!stdout(&out).contains("warning["), "{}", stdout(&out));
    assert!(stdout(&out).contains("error[deploy-not-gated]"));
}

#[test]
fn a_workflow_on_standard_input_is_audited_as_one_file() {
    let workflow = std::fs::read(root().join(STATIC_KEYS_WORKFLOW)).unwrap();
    let out = shiplint_with_stdin(&["audit", "-f", "short", "-"], &workflow);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("static_keys_from_stdin_short", stdout(&out));

    // The same findings as the file gives, at the same places.
    let from_file = json(&shiplint(&["audit", "-f", "json", STATIC_KEYS_WORKFLOW]));
    let from_stdin = json(&shiplint_with_stdin(
        &["audit", "-f", "json", "-"],
        &workflow,
    ));
    let places = |doc: &serde_json::Value| -> Vec<(String, u64, u64)> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(places(&from_stdin), places(&from_file));
    assert_eq!(from_stdin["findings"][0]["file"], "<stdin>");
    assert_eq!(from_stdin["findings"][0]["repository"], "-");
}

#[test]
fn standard_input_goes_beside_paths_and_its_errors_are_placed() {
    let out = shiplint_with_stdin(
        &["audit", "-f", "json", "-", "testdata/repos/exemplary"],
        b"on: [push\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("error: <stdin>:2:1: invalid YAML"),
        "{}",
        stderr(&out)
    );
    let doc = json(&out);
    assert_eq!(doc["summary"]["repositories"], 2);
}

#[test]
fn standard_input_is_one_workflow_given_once_within_the_size_cap() {
    let out = shiplint_with_stdin(&["audit", "-", "-"], b"on: push\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`-` (standard input) can be given once"));

    let out = shiplint_with_stdin(
        &["audit", "-f", "json", "--max-file-size", "8", "-"],
        b"on: push\njobs: {}\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("<stdin>: skipped: more than the size cap of 8 bytes"));
}

#[test]
fn a_rules_help_is_printed_once_and_the_report_ends_with_a_tally() {
    let out = shiplint(&["audit", TAG_REFS]);
    let text = stdout(&out);
    // Four findings of one rule: its help once, at the first.
    assert_eq!(text.matches("unpinned-action (https://").count(), 4);
    assert_eq!(text.matches("help: Pin to the full").count(), 1);
    assert!(text.contains(
        "rule             severity  findings  ignored\nunpinned-action  warning          4        0\n"
    ));
    insta::assert_snapshot!("tag_refs_human", text);
}

#[test]
fn a_related_location_far_above_shows_the_labelled_lines_with_an_ellipsis_between() {
    let out = shiplint(&["audit", "testdata/repos/related-far-above"]);
    let text = stdout(&out);
    // The scan at line 11 and the deploy's `if:` at line 37: not the 26 lines between.
    assert!(!text.contains(" 20 │"), "{text}");
    assert!(text.contains("    ⋮\n 36 │"), "{text}");
    assert!(
        text.contains("╭─[testdata/repos/related-far-above/.github/workflows/pipeline.yml:37:5]")
    );
    insta::assert_snapshot!("related_far_above_human", text);
}
