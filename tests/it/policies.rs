//! User policies (`--policy DIR`, `policies:` in the config), `shiplint test-policies`
//! and `shiplint explain`, end to end through the binary.

use std::path::Path;

use crate::{json, shiplint, shiplint_in, stderr, stdout, testdata};

const ECR: &str = "testdata/policies/ecr-only";

#[test]
fn the_documented_ecr_example_passes_its_own_tests() {
    let out = shiplint(&["test-policies", ECR]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.contains(
            "PASS testdata/policies/ecr-only/ecr-only_test.rego: test_build_push_to_ghcr_fires"
        ),
        "{text}"
    );
    assert_eq!(text.lines().last(), Some("6 passed, 0 failed"));
}

#[test]
fn builtin_policies_pass_through_test_policies_too() {
    let out = shiplint(&["test-policies", "policies"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out)
        .lines()
        .last()
        .unwrap()
        .ends_with("passed, 0 failed"));
}

#[test]
fn a_failing_rego_test_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "x_test.rego",
        "package mine_test\n\nimport rego.v1\n\ntest_ok if true\n\ntest_broken if {\n\t1 == 2\n}\n",
    );
    let out = shiplint(&["test-policies", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("FAIL ") && text.contains("test_broken"),
        "{text}"
    );
    assert_eq!(text.lines().last(), Some("1 passed, 1 failed"));
}

#[test]
fn a_user_rule_fires_like_a_builtin_in_every_format() {
    let out = shiplint(&["audit", "--policy", ECR, "testdata/repos/ecr-push"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("ecr-only"), "{text}");
    assert!(
        text.contains("is pushed to `ghcr.io`, not to our ECR registry"),
        "{text}"
    );

    let out = shiplint(&[
        "audit",
        "-f",
        "json",
        "--policy",
        ECR,
        "testdata/repos/ecr-push",
    ]);
    let doc = json(&out);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{doc}");
    assert_eq!(findings[0]["rule"], "ecr-only");
    assert_eq!(findings[0]["line"], 24);
    assert_eq!(findings[1]["line"], 28);

    // Without the policy the fixture is clean, and the exemplary repo is clean with it.
    assert_eq!(
        shiplint(&["audit", "testdata/repos/ecr-push"])
            .status
            .code(),
        Some(0)
    );
    let out = shiplint(&["audit", "--policy", ECR, "testdata/repos/exemplary"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // `shiplint rules` lists it.
    let out = shiplint(&["rules", "--policy", ECR, "-f", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let rules = json(&out);
    let ecr = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "ecr-only");
    assert_eq!(ecr.unwrap()["builtin"], false);
    assert!(stdout(&shiplint(&["rules", "--policy", ECR])).contains("ecr-only"));
}

#[test]
fn config_policies_and_params_apply() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    copy_dir(&testdata("repos/ecr-push"), &repo);
    copy_dir(&crate::root().join(ECR), &repo.join("ci/policies"));
    write(&repo, ".github/shiplint.yml", "policies: [ci/policies]\n");
    let out = shiplint_in(&repo, &["audit", "-f", "json"]);
    assert_eq!(json(&out)["summary"]["errors"], 2);
    write(
        &repo,
        ".github/shiplint.yml",
        "policies: [ci/policies]\nrules:\n  ecr-only:\n    severity: warning\n    params: {registries: [\"123456789012.dkr.ecr.eu-west-1.amazonaws.com\"]}\n",
    );
    let out = shiplint_in(&repo, &["audit", "-f", "json"]);
    let doc = json(&out);
    assert_eq!(doc["summary"]["warnings"], 2, "{doc}");
    assert_eq!(out.status.code(), Some(0));

    // A policy directory that does not exist is a config error at its entry.
    write(
        &repo,
        ".github/shiplint.yml",
        "policies:
  - ci/policy
",
    );
    let out = shiplint_in(&repo, &["audit"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("policy directory `ci/policy` does not exist"),
        "{err}"
    );
    assert!(err.contains("[.github/shiplint.yml:2:5]"), "{err}");
}

#[test]
fn broken_user_policies_are_clear_errors_in_the_rego_file() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "syntax",
            "package shiplint.rules.syntax\n\nimport rego.v1\n\nmetadata := {\"id\": \"syntax\"\n",
            &["syntax.rego:6:1", "expecting `}` while parsing object"],
        ),
        (
            "nometa",
            "package shiplint.rules.nometa\n\nimport rego.v1\n\nfindings contains {\"message\": \"x\"} if true\n",
            &["nometa.rego:1:1", "defines no `metadata` rule"],
        ),
        (
            "badmeta",
            "package shiplint.rules.badmeta\n\nimport rego.v1\n\nmetadata := {\"id\": \"badmeta\", \"title\": \"t\", \"severity\": \"fatal\", \"description\": \"d\", \"remediation\": \"r\"}\n",
            &["badmeta.rego:5:1", "invalid `metadata`", "fatal"],
        ),
        (
            "dup",
            "package shiplint.rules.unpinned_action\n\nimport rego.v1\n\nfindings contains {\"message\": \"x\"} if true\n",
            &["dup.rego:1:1", "duplicate rule id `unpinned-action`"],
        ),
        (
            "malformed",
            "package shiplint.rules.malformed\n\nimport rego.v1\n\nmetadata := {\"id\": \"malformed\", \"title\": \"t\", \"severity\": \"error\", \"description\": \"d\", \"remediation\": \"r\"}\n\nfindings contains {\"text\": \"x\"} if true\n",
            &["malformed.rego:7:1", "returned a malformed finding", "unknown key `text`"],
        ),
        (
            "typeerr",
            "package shiplint.rules.typeerr\n\nimport rego.v1\n\nmetadata := {\"id\": \"typeerr\", \"title\": \"t\", \"severity\": \"error\", \"description\": \"d\", \"remediation\": \"r\"}\n\nfindings contains f if {\n\tsome w in input.workflows\n\tn := w.path + 1\n\tf := {\"message\": sprintf(\"%v\", [n]), \"file\": w.path}\n}\n",
            &["typeerr.rego", "typeerr.rego:9:", "n := w.path + 1"],
        ),
    ];
    for (name, text, expected) in cases {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), &format!("{name}.rego"), text);
        let out = shiplint(&[
            "audit",
            "--policy",
            tmp.path().to_str().unwrap(),
            "testdata/repos/static-keys",
        ]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        for e in *expected {
            assert!(err.contains(e), "{name}: expected `{e}` in:\n{err}");
        }
    }
}

#[test]
fn explain_prints_the_rule_page_or_user_metadata() {
    let out = shiplint(&["explain", "unpinned-action"]);
    assert_eq!(out.status.code(), Some(0));
    let page =
        std::fs::read_to_string(crate::root().join("docs/rules/unpinned-action.md")).unwrap();
    assert_eq!(stdout(&out), page);

    let out = shiplint(&["explain", "ecr-only", "--policy", ECR]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("# ecr-only\n\nImage pushed outside our ECR registry\n"),
        "{text}"
    );
    assert!(
        text.contains("source: testdata/policies/ecr-only/ecr-only.rego"),
        "{text}"
    );

    let out = shiplint(&["explain", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown rule `no-such-rule` (`shiplint rules` lists them all)"));
}

#[test]
fn explain_of_a_mistyped_rule_suggests_the_closest_instead_of_listing_all() {
    let out = shiplint(&["explain", "deploy-not-gate"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("unknown rule `deploy-not-gate`; did you mean `deploy-not-gated`?"),
        "{err}"
    );
    assert!(!err.contains("unpinned-action"), "{err}");
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

#[test]
fn the_writing_policies_guide_shows_the_tested_example_verbatim() {
    let guide = std::fs::read_to_string(crate::root().join("docs/writing-policies.md")).unwrap();
    for file in ["ecr-only.rego", "ecr-only_test.rego"] {
        let text = std::fs::read_to_string(crate::root().join(ECR).join(file)).unwrap();
        assert!(
            guide.contains(&format!("```rego\n{text}```")),
            "docs/writing-policies.md does not show {ECR}/{file} as it is"
        );
    }
    assert!(guide.contains("docs/input.md") || guide.contains("(input.md)"));
}

#[test]
fn inline_ignores_work_inside_run_scripts_for_user_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    copy_dir(&testdata("repos/ecr-push"), &repo);
    let wf = repo.join(".github/workflows/release.yml");
    let text = std::fs::read_to_string(&wf).unwrap().replace(
        "          docker push acme/api",
        "          # shiplint: ignore[ecr-only] the Docker Hub mirror is retired in INFRA-9\n          docker push acme/api",
    );
    std::fs::write(&wf, text).unwrap();
    let policy = crate::root().join(ECR);
    let out = shiplint_in(
        &repo,
        &["audit", "-f", "json", "--policy", policy.to_str().unwrap()],
    );
    let doc = json(&out);
    assert_eq!(doc["summary"]["findings"], 1, "{doc}");
    assert_eq!(doc["summary"]["ignored"], 1);
    assert_eq!(doc["ignored"][0]["rule"], "ecr-only");
    assert_eq!(doc["ignored"][0]["line"], 29);
    assert_eq!(
        doc["ignored"][0]["reason"],
        "the Docker Hub mirror is retired in INFRA-9"
    );
}
