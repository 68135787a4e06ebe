//! The repository-settings rules end to end, offline: `shiplint audit --settings FILE`
//! with documents built from recorded GitHub API bodies (`testdata/settings/`, generated
//! from `testdata/github/` by `testdata/settings/generate.py`).

use std::collections::BTreeSet;
use std::path::Path;

use crate::{json, shiplint, shiplint_in, stderr, stdout, testdata};

/// `(rule, setting)` of every settings finding of an audit of `repo` with `settings`.
fn settings_findings(settings: &Path, repo: &Path) -> (Option<i32>, BTreeSet<(String, String)>) {
    let out = shiplint(&[
        "audit",
        "-f",
        "json",
        "--settings",
        settings.to_str().unwrap(),
        repo.to_str().unwrap(),
    ]);
    let doc = json(&out);
    assert_eq!(doc["summary"]["settings_evaluated"], true);
    assert_eq!(doc["errors"], serde_json::json!([]), "{}", stderr(&out));
    let found = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            let setting = f["setting"].as_str()?;
            assert!(
                f.get("file").is_none(),
                "a settings finding has no file: {f}"
            );
            Some((f["rule"].as_str().unwrap().to_string(), setting.to_string()))
        })
        .collect();
    (out.status.code(), found)
}

fn fixture(name: &str) -> std::path::PathBuf {
    testdata(&format!("settings/{name}.json"))
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(r, s)| (r.to_string(), s.to_string()))
        .collect()
}

/// A settings fixture, the exit code it yields, and its `(rule, setting)` findings.
type Case = (&'static str, i32, &'static [(&'static str, &'static str)]);

/// Each settings fixture, its exit code and its findings.
const CASES: &[Case] = &[
    ("well-protected", 0, &[]),
    (
        "weak",
        1,
        &[
            (
                "force-push-allowed",
                "branches/main/protection/allow_force_pushes",
            ),
            (
                "reviews-not-required",
                "branches/main/protection/required_pull_request_reviews",
            ),
            (
                "stale-reviews-kept",
                "branches/main/protection/required_pull_request_reviews",
            ),
            (
                "status-checks-not-required",
                "branches/main/protection/required_status_checks",
            ),
            ("admins-bypass", "branches/main/protection/enforce_admins"),
        ],
    ),
    (
        "ruleset-only",
        0,
        &[("admins-bypass", "rulesets/21886181/bypass_actors")],
    ),
    (
        "unprotected",
        1,
        &[("branch-unprotected", "branches/main/protection")],
    ),
    (
        "unreadable",
        0,
        &[("settings-unreadable", "branches/main/protection")],
    ),
    (
        "unreadable-with-rulesets",
        0,
        &[("settings-unreadable", "branches/main/protection")],
    ),
    (
        "unreadable-plan",
        0,
        &[
            ("settings-unreadable", "branches/main/protection"),
            ("settings-unreadable", "environments"),
        ],
    ),
    (
        "environments-without-reviewers",
        1,
        &[
            (
                "environment-without-reviewers",
                "environments/production/protection_rules",
            ),
            (
                "environment-any-branch",
                "environments/production/deployment_branch_policy",
            ),
        ],
    ),
    (
        "environments-missing-production",
        1,
        &[("environment-without-reviewers", "environments/production")],
    ),
];

#[test]
fn each_settings_fixture_fires_exactly_its_rules() {
    let repo = testdata("repos/exemplary");
    for (name, code, expected) in CASES {
        let (status, found) = settings_findings(&fixture(name), &repo);
        assert_eq!(found, set(expected), "settings fixture {name}");
        assert_eq!(status, Some(*code), "exit code for {name}");
    }
}

#[test]
fn messages_name_the_branch_the_setting_and_its_value() {
    let out = shiplint(&[
        "audit",
        "-f",
        "json",
        "--settings",
        fixture("weak").to_str().unwrap(),
        "testdata/repos/exemplary",
    ]);
    let doc = json(&out);
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(messages.contains(&"main: allow_force_pushes.enabled = true"));
    assert!(messages.contains(
        &"main: required_pull_request_reviews.required_approving_review_count = 0 (at least 1 required)"
    ));
}

#[test]
fn unreadable_protection_names_the_rules_not_judged_and_the_permission() {
    let (_, _) = settings_findings(&fixture("unreadable"), &testdata("repos/exemplary"));
    let out = shiplint(&[
        "audit",
        "-f",
        "json",
        "--settings",
        fixture("unreadable").to_str().unwrap(),
        "testdata/repos/exemplary",
    ]);
    let doc = json(&out);
    let msg = doc["findings"][0]["message"].as_str().unwrap();
    assert_eq!(doc["findings"][0]["severity"], "note");
    for rule in [
        "branch-unprotected",
        "reviews-not-required",
        "force-push-allowed",
        "status-checks-not-required",
        "admins-bypass",
    ] {
        assert!(msg.contains(rule), "{rule} not named in: {msg}");
    }
    assert!(msg.contains("404 Not Found"), "{msg}");
    assert!(msg.contains("Administration: read"), "{msg}");

    // Rulesets are readable without admin rights and settle what they cover.
    let out = shiplint(&[
        "audit",
        "-f",
        "json",
        "--settings",
        fixture("unreadable-with-rulesets").to_str().unwrap(),
        "testdata/repos/exemplary",
    ]);
    let msg = json(&out)["findings"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("not judged: admins-bypass."), "{msg}");
    assert!(!msg.contains("force-push-allowed"), "{msg}");

    // The Free plan: no token fixes it.
    let out = shiplint(&[
        "audit",
        "-f",
        "json",
        "--settings",
        fixture("unreadable-plan").to_str().unwrap(),
        "testdata/repos/exemplary",
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("Branch protection is not available on this plan"),
        "{text}"
    );
    assert!(
        text.contains("Environments are not available on this plan"),
        "{text}"
    );
}

#[test]
fn without_settings_the_summary_says_they_were_not_evaluated() {
    let out = shiplint(&["audit", "testdata/repos/exemplary"]);
    assert!(stdout(&out).contains("repository-settings rules not evaluated"));
    let out = shiplint(&[
        "audit",
        "--settings",
        fixture("well-protected").to_str().unwrap(),
        "testdata/repos/exemplary",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!stdout(&out).contains("not evaluated"), "{}", stdout(&out));
}

#[test]
fn malformed_settings_files_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        ("not-json.json", "{ branches", "is not valid JSON"),
        (
            "no-readable.json",
            r#"{"branches": {"main": {"protection": null, "rules": []}}}"#,
            "missing `readable`",
        ),
        (
            "rules-object.json",
            r#"{"branches": {"main": {"protection": null, "readable": true, "rules": {}}}}"#,
            "$.branches[\"main\"].rules: must be an array",
        ),
        ("array.json", "[]", "must be an object"),
    ];
    for (name, text, expected) in cases {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = shiplint(&[
            "audit",
            "--settings",
            path.to_str().unwrap(),
            "testdata/repos/exemplary",
        ]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(err.contains(expected), "{name}: {err}");
        assert!(
            err.contains(name),
            "{name}: the message names the file: {err}"
        );
        assert!(stdout(&out).is_empty());
    }
    let out = shiplint(&[
        "audit",
        "--settings",
        tmp.path().join("missing.json").to_str().unwrap(),
        "testdata/repos/exemplary",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no such file"), "{}", stderr(&out));
}

/// A clone of `octo-org/octo-repo` (default branch `main`) with one workflow.
fn clone_with_workflow(dir: &Path, workflow: &str) {
    std::fs::create_dir_all(dir.join(".git/refs/remotes/origin")).unwrap();
    std::fs::write(
        dir.join(".git/config"),
        "[remote \"origin\"]\n\turl = https://github.com/octo-org/octo-repo.git\n",
    )
    .unwrap();
    std::fs::write(
        dir.join(".git/refs/remotes/origin/HEAD"),
        "ref: refs/remotes/origin/main\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::write(dir.join(".github/workflows/release.yml"), workflow).unwrap();
}

const RELEASE_WORKFLOW: &str = "\
name: release
on:
  push:
    branches: [main, 'release/*']
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-24.04
    environment: staging
    steps:
      - run: echo deploy
";

#[test]
fn release_branches_are_the_default_branch_and_branches_whose_pushes_deploy() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("octo-repo");
    clone_with_workflow(&repo, RELEASE_WORKFLOW);
    let weak: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("weak")).unwrap()).unwrap();
    let good: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("well-protected")).unwrap()).unwrap();
    let unprotected = serde_json::json!({"protection": null, "readable": true, "rules": []});
    let settings = serde_json::json!({
        "branches": {
            "main": good["branches"]["main"],
            "release/1.x": unprotected,
            "feature/x": weak["branches"]["main"],
        },
        "environments": good["environments"],
        "rulesets": good["rulesets"],
    });
    let file = tmp.path().join("settings.json");
    std::fs::write(&file, settings.to_string()).unwrap();
    let (status, found) = settings_findings(&file, &repo);
    // `feature/x` is weak but ships nothing; `release/1.x` deploys on push. (main requires
    // the exemplary's `Tests and lint`, which no job of this workflow reports.)
    assert_eq!(
        found,
        set(&[
            ("branch-unprotected", "branches/release/1.x/protection"),
            (
                "required-check-not-produced",
                "branches/main/rules/required_status_checks"
            ),
        ])
    );
    assert_eq!(status, Some(1));

    // The default branch missing from the document is not judged, and says so.
    let settings = serde_json::json!({"branches": {"release/1.x": good["branches"]["main"]}});
    std::fs::write(&file, settings.to_string()).unwrap();
    let (_, found) = settings_findings(&file, &repo);
    assert_eq!(
        found,
        set(&[
            ("settings-unreadable", "branches/main"),
            (
                "required-check-not-produced",
                "branches/release/1.x/rules/required_status_checks"
            ),
        ])
    );
}

#[test]
fn the_human_report_names_the_repository_and_links_its_settings_page() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("octo-repo");
    clone_with_workflow(&repo, RELEASE_WORKFLOW);
    let out = shiplint_in(
        &repo,
        &[
            "audit",
            "--settings",
            fixture("weak").to_str().unwrap(),
            "--color",
            "never",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("main: allow_force_pushes.enabled = true"),
        "{text}"
    );
    assert!(
        text.contains("https://github.com/octo-org/octo-repo/settings/branches"),
        "{text}"
    );
    // The repository is named by its GitHub slug, not the folder (`.`).
    assert!(
        text.contains("(octo-org/octo-repo: branches/main/protection/"),
        "{text}"
    );
    assert!(text.contains("force-push-allowed"));
}

#[test]
fn input_shows_the_validated_settings_policies_see() {
    let out = shiplint(&[
        "input",
        "--settings",
        fixture("unreadable-plan").to_str().unwrap(),
        "testdata/repos/exemplary",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    let settings = &doc[0]["settings"];
    assert_eq!(settings["branches"]["main"]["readable"], false);
    assert_eq!(settings["environments"], serde_json::json!([]));
    assert_eq!(settings["environments_readable"], false);
    assert_eq!(settings["rulesets"], serde_json::json!([]));
}
