//! The command line end to end: exit codes, formats, output files.

use crate::{json, shiplint, shiplint_in, stderr, stdout, testdata};

#[test]
fn exemplary_repository_exits_0_with_no_findings() {
    let out = shiplint(&["audit", "testdata/repos/exemplary"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).starts_with("shiplint: no findings in 7 files of 1 repository"));
}

#[test]
fn static_keys_are_reported_at_the_key_with_a_snippet() {
    let out = shiplint(&["audit", "testdata/repos/static-keys"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("static_keys_human", stdout(&out));
}

#[test]
fn json_report_is_stable_and_complete() {
    let out = shiplint(&["audit", "--format", "json", "testdata/repos/static-keys"]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["tool"]["name"], "shiplint");
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    let first = &findings[0];
    assert_eq!(first["rule"], "static-cloud-credentials");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], ".github/workflows/deploy.yml");
    assert_eq!(first["line"], 17);
    assert_eq!(first["column"], 11);
    assert_eq!(first["repository"], "testdata/repos/static-keys");
    assert!(first["message"]
        .as_str()
        .unwrap()
        .contains("aws-access-key-id"));
    assert!(first["doc_url"]
        .as_str()
        .unwrap()
        .ends_with("docs/rules/static-cloud-credentials.md"));
    assert_eq!(doc["errors"], serde_json::json!([]));
    assert_eq!(doc["summary"]["errors"], 2);
    assert_eq!(doc["summary"]["settings_evaluated"], false);
}

#[test]
fn fail_on_sets_the_threshold() {
    // Only warnings: unpinned actions by tag.
    let dir = testdata("rules/unpinned-action");
    let scenario = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.contains("tag")
        })
        .expect("an unpinned-action scenario with tags");
    let path = scenario.to_string_lossy().into_owned();
    let out = shiplint(&["audit", "--format", "json", &path]);
    let doc = json(&out);
    assert!(doc["summary"]["warnings"].as_u64().unwrap() > 0);
    let errors = doc["summary"]["errors"].as_u64().unwrap();
    assert_eq!(out.status.code(), Some(if errors > 0 { 1 } else { 0 }));
    let out = shiplint(&["audit", "--fail-on", "warning", &path]);
    assert_eq!(out.status.code(), Some(1));
    let out = shiplint(&["audit", "--fail-on", "never", "testdata/repos/static-keys"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn output_file_receives_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("report.json");
    let out = shiplint(&[
        "audit",
        "--offline",
        "-f",
        "json",
        "-o",
        file.to_str().unwrap(),
        "testdata/repos/static-keys",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn audits_the_current_directory_by_default() {
    let out = shiplint_in(&testdata("repos/static-keys"), &["audit"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains(".github/workflows/deploy.yml:17:11"));
}

#[test]
fn a_folder_of_clones_is_audited_repository_by_repository() {
    let out = shiplint(&["audit", "-f", "json", "testdata/repos"]);
    let doc = json(&out);
    let repos: std::collections::BTreeSet<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["repository"].as_str().unwrap())
        .collect();
    assert!(repos.contains("testdata/repos/static-keys"));
    assert!(!repos.contains("testdata/repos/exemplary"));
    assert!(doc["summary"]["repositories"].as_u64().unwrap() >= 2);
}

#[test]
fn a_single_workflow_file_is_audited_alone() {
    let out = shiplint(&[
        "audit",
        "-f",
        "json",
        "testdata/repos/static-keys/.github/workflows/deploy.yml",
    ]);
    let doc = json(&out);
    assert_eq!(doc["summary"]["files"], 1);
    assert_eq!(doc["findings"][0]["file"], ".github/workflows/deploy.yml");
}

#[test]
fn rules_lists_every_rule() {
    let out = shiplint(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for id in [
        "static-cloud-credentials",
        "oidc-missing-id-token",
        "scan-continue-on-error",
        "unpinned-action",
    ] {
        assert!(text.contains(id), "{id} missing from:\n{text}");
    }
    let out = shiplint(&["rules", "--format", "json"]);
    assert!(json(&out).as_array().unwrap().len() >= 4);
}

#[test]
fn rules_come_as_a_markdown_table_or_csv_and_other_formats_are_refused() {
    let count = json(&shiplint(&["rules", "--format", "json"]))
        .as_array()
        .unwrap()
        .len();
    let out = shiplint(&["rules", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    let md = stdout(&out);
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines[0], "| rule | severity | needs | title |");
    assert_eq!(lines.len(), count + 2, "{md}");
    assert!(
        md.contains("| [`unpinned-action`](https://")
            && md.contains("/docs/rules/unpinned-action.md) | warning | files |"),
        "{md}"
    );

    let out = shiplint(&["rules", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0));
    let csv = stdout(&out);
    let rows: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows[0], "rule,severity,needs,title,tags,doc_url");
    assert_eq!(rows.len(), count + 1);
    assert!(rows
        .iter()
        .any(|r| r.starts_with("branch-unprotected,error,settings,")));

    for refused in ["sarif", "github", "html"] {
        let out = shiplint(&["rules", "--format", refused]);
        assert_eq!(out.status.code(), Some(2), "{refused}");
        assert!(
            stderr(&out).contains("possible values: human, json, markdown, csv"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn unknown_flags_are_usage_errors() {
    let out = shiplint(&["audit", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
}
