//! The config file, ignores (file and inline) and baselines, end to end through the binary.

use std::path::Path;

use crate::{json, shiplint_in, stderr, stdout, testdata};

const DEPLOY: &str = ".github/workflows/deploy.yml";

/// A copy of `testdata/repos/static-keys` (two `static-cloud-credentials` errors at lines
/// 17 and 18 of its deploy workflow) plus `files`.
fn static_keys_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let workflow = std::fs::read_to_string(testdata("repos/static-keys").join(DEPLOY)).unwrap();
    write(tmp.path(), DEPLOY, &workflow);
    for (rel, text) in files {
        write(tmp.path(), rel, text);
    }
    tmp
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn audit_json(dir: &Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut args = vec!["audit", "-f", "json"];
    args.extend_from_slice(extra);
    let out = shiplint_in(dir, &args);
    (out.status.code(), json(&out))
}

#[test]
fn without_config_both_keys_are_errors() {
    let repo = static_keys_with(&[]);
    let (code, doc) = audit_json(repo.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["summary"]["errors"], 2);
}

#[test]
fn config_overrides_severity_and_disables_rules() {
    let repo = static_keys_with(&[(
        ".github/shiplint.yml",
        "rules:\n  static-cloud-credentials:\n    severity: warning\n",
    )]);
    let (code, doc) = audit_json(repo.path(), &[]);
    assert_eq!(code, Some(0));
    assert_eq!(doc["summary"]["warnings"], 2);
    assert_eq!(doc["findings"][0]["severity"], "warning");

    write(
        repo.path(),
        ".github/shiplint.yml",
        "rules:\n  static-cloud-credentials: {disable: true}\n",
    );
    let (code, doc) = audit_json(repo.path(), &[]);
    assert_eq!(code, Some(0));
    assert_eq!(doc["summary"]["findings"], 0);

    // --no-config, and --config FILE from elsewhere.
    let (code, _) = audit_json(repo.path(), &["--no-config"]);
    assert_eq!(code, Some(1));
    let other = tempfile::tempdir().unwrap();
    write(other.path(), "strict.yml", "rules: {}\n");
    let cfg = other.path().join("strict.yml");
    let (code, _) = audit_json(repo.path(), &["--config", cfg.to_str().unwrap()]);
    assert_eq!(code, Some(1));
}

#[test]
fn params_reach_the_policies_as_input_config() {
    let repo = tempfile::tempdir().unwrap();
    write(
        repo.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: acme/build@v2\n",
    );
    let (_, doc) = audit_json(repo.path(), &[]);
    assert_eq!(doc["summary"]["warnings"], 1, "{doc}");
    write(
        repo.path(),
        "shiplint.yml",
        "rules:\n  unpinned-action:\n    params:\n      allow: [\"acme/*\"]\n",
    );
    let (_, doc) = audit_json(repo.path(), &[]);
    assert_eq!(doc["summary"]["findings"], 0, "{doc}");
}

#[test]
fn config_mistakes_are_diagnostics_with_a_span_and_exit_2() {
    let repo = static_keys_with(&[(
        "shiplint.yml",
        "rules:\n  static-cloud-credential:\n    severity: warning\n",
    )]);
    let out = shiplint_in(repo.path(), &["audit"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "unknown rule `static-cloud-credential` (did you mean `static-cloud-credentials`?)"
        ),
        "{err}"
    );
    assert!(err.contains("[shiplint.yml:2:3]"), "{err}");
    assert!(err.contains("  static-cloud-credential:"), "{err}");

    write(
        repo.path(),
        "shiplint.yml",
        "rules:\n  static-cloud-credentials:\n    severity: 3\n    disabled: true\n  no-such-rule: {}\nignores: []\n",
    );
    let out = shiplint_in(repo.path(), &["audit"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("`rules.static-cloud-credentials.severity` must be a string, found a number"),
        "{err}"
    );
    assert!(err.contains("[shiplint.yml:3:15]"), "{err}");
    assert!(
        err.contains("unknown key `disabled` (did you mean `disable`?"),
        "{err}"
    );
    assert!(
        err.contains("unknown key `ignores` (did you mean `ignore`?"),
        "{err}"
    );

    // The JSON report carries them too, with their position.
    let (code, doc) = audit_json(repo.path(), &[]);
    assert_eq!(code, Some(2));
    let first = &doc["errors"][0];
    assert_eq!(first["kind"], "config");
    assert_eq!(first["file"], "shiplint.yml");
    assert_eq!(first["line"], 3);
}

#[test]
fn ignore_entries_silence_findings_by_rule_and_path_and_are_counted() {
    let repo = static_keys_with(&[(
        ".github/shiplint.yml",
        "ignore:\n  - rule: static-cloud-credentials\n    path: \".github/workflows/dep*.yml\"\n    reason: keys are being migrated to OIDC (PLAT-123)\n",
    )]);
    let out = shiplint_in(repo.path(), &["audit"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("\nshiplint: no findings in 1 file of 1 repository; 2 ignored"),
        "{text}"
    );

    let out = shiplint_in(repo.path(), &["audit", "--show-ignored"]);
    let text = stdout(&out);
    assert!(
        text.contains("ignored: .github/workflows/deploy.yml:17:11: `aws-access-key-id`"),
        "{text}"
    );
    assert!(
        text.contains("keys are being migrated to OIDC (PLAT-123)"),
        "{text}"
    );

    let (code, doc) = audit_json(repo.path(), &[]);
    assert_eq!(code, Some(0));
    assert_eq!(doc["summary"]["ignored"], 2);
    assert_eq!(
        doc["ignored"][0]["reason"],
        "keys are being migrated to OIDC (PLAT-123)"
    );

    let (code, doc) = audit_json(repo.path(), &["--no-ignores"]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["summary"]["ignored"], 0);

    // A glob that matches nothing ignores nothing.
    write(
        repo.path(),
        ".github/shiplint.yml",
        "ignore:\n  - {rule: static-cloud-credentials, path: \"legacy/*.yml\", reason: old}\n",
    );
    let (code, _) = audit_json(repo.path(), &[]);
    assert_eq!(code, Some(1));
}

#[test]
fn inline_comments_ignore_on_the_line_or_the_line_above() {
    let repo = static_keys_with(&[]);
    let path = repo.path().join(DEPLOY);
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace(
            "          aws-access-key-id:",
            "          # shiplint: ignore[unpinned-action, static-cloud-credentials] rotated daily\n          aws-access-key-id:",
        )
        .replace(
            "AWS_SECRET_ACCESS_KEY }}",
            "AWS_SECRET_ACCESS_KEY }} # shiplint: ignore[static-cloud-credentials]",
        );
    std::fs::write(&path, text).unwrap();
    let (code, doc) = audit_json(repo.path(), &[]);
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["summary"]["ignored"], 2);
    assert_eq!(doc["ignored"][0]["reason"], "rotated daily");
    assert_eq!(doc["ignored"][0]["line"], 18);

    // An ignore for another rule does not apply.
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "ignore[static-cloud-credentials]",
        "ignore[unpinned-action]",
    );
    std::fs::write(&path, text).unwrap();
    let (code, doc) = audit_json(repo.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["summary"]["ignored"], 1);
    let (_, doc) = audit_json(repo.path(), &["--no-ignores"]);
    assert_eq!(doc["summary"]["errors"], 2);
}

#[test]
fn baseline_suppresses_known_findings_even_when_they_move() {
    let repo = static_keys_with(&[]);
    let out = shiplint_in(repo.path(), &["baseline", "-o", ".shiplint-baseline.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("baseline of 2 findings written to .shiplint-baseline.json"));
    let baseline: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join(".shiplint-baseline.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 2);

    // Move the known lines down and re-indent nothing: still known.
    let path = repo.path().join(DEPLOY);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("jobs:\n", "# moved\n\njobs:\n")).unwrap();
    let out = shiplint_in(
        repo.path(),
        &["audit", "--baseline", ".shiplint-baseline.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(
            "no findings in 1 file of 1 repository; 2 findings suppressed by the baseline"
        ),
        "{}",
        stdout(&out)
    );

    // A new finding is reported.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "          aws-region: eu-west-1",
            "          aws-region: eu-west-1\n        env:\n          AWS_SECRET_ACCESS_KEY: ${{ secrets.OTHER_KEY }}",
        ),
    )
    .unwrap();
    let (code, doc) = audit_json(repo.path(), &["--baseline", ".shiplint-baseline.json"]);
    assert_eq!(code, Some(1), "{doc}");
    assert_eq!(doc["summary"]["findings"], 1);
    assert_eq!(doc["summary"]["baseline_suppressed"], 2);

    // A file that is not a baseline is an error.
    let out = shiplint_in(repo.path(), &["audit", "--baseline", DEPLOY]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a shiplint baseline"),
        "{}",
        stderr(&out)
    );
}

/// The YAML of the code block that follows `heading` in a Markdown file.
fn yaml_block_after(markdown: &str, heading: &str) -> String {
    let rest = &markdown[markdown.find(heading).expect("heading present")..];
    let start = rest.find("```yaml\n").expect("a yaml block") + "```yaml\n".len();
    let end = rest[start..].find("```").unwrap();
    rest[start..start + end].to_string()
}

#[test]
fn the_documented_example_config_is_valid() {
    let doc = std::fs::read_to_string(crate::root().join("docs/config.md")).unwrap();
    let example = yaml_block_after(&doc, "## A complete example");
    let config = shiplint::config::Config::parse(".github/shiplint.yml", &example, Path::new("."))
        .unwrap_or_else(|e| panic!("docs/config.md example: {:?}", e[0].message));
    assert!(config.is_disabled("helm-not-atomic"));
    assert_eq!(config.ignore.len(), 2);
    assert_eq!(config.policies.len(), 1);
}

#[test]
fn the_json_schema_describes_the_same_keys_as_the_parser() {
    let text = std::fs::read_to_string(crate::root().join("docs/config.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    };
    assert_eq!(keys(&schema), ["ignore", "policies", "rules"]);
    assert_eq!(
        keys(&schema["$defs"]["rule"]),
        ["disable", "params", "severity"]
    );
    assert_eq!(keys(&schema["$defs"]["ignore"]), ["path", "reason", "rule"]);
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["$defs"]["rule"]["additionalProperties"], false);
    assert_eq!(schema["$defs"]["ignore"]["additionalProperties"], false);
    let doc = std::fs::read_to_string(crate::root().join("docs/config.md")).unwrap();
    assert!(doc.contains("config.schema.json"));
}

#[test]
fn a_bad_config_stops_only_its_own_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let good = static_keys_with(&[]);
    let bad = static_keys_with(&[("shiplint.yml", "rules: [oops]\n")]);
    for (name, repo) in [("good", &good), ("bad", &bad)] {
        copy(repo.path(), &tmp.path().join(name));
    }
    let out = shiplint_in(tmp.path(), &["audit", "-f", "json", "."]);
    assert_eq!(out.status.code(), Some(2));
    let doc = json(&out);
    assert_eq!(doc["summary"]["repositories"], 1, "{doc}");
    assert_eq!(doc["summary"]["errors"], 2);
    assert_eq!(doc["errors"][0]["kind"], "config");
    assert_eq!(doc["errors"][0]["file"], "bad/shiplint.yml");
    assert!(doc["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("`rules` must be a mapping, found a sequence"));

    // --config FILE with a mistake audits nothing.
    let out = shiplint_in(
        tmp.path(),
        &["audit", "--config", "bad/shiplint.yml", "good"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[bad/shiplint.yml:1:8]"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("0 files of 0 repositories"));
    // A missing --config FILE is an error too.
    let out = shiplint_in(tmp.path(), &["audit", "--config", "nope.yml", "good"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read the config file nope.yml: no such file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn input_shows_the_config_params_policies_receive() {
    let repo = static_keys_with(&[(
        "shiplint.yml",
        "rules:\n  unpinned-action:\n    params: {allow: [\"acme/*\"]}\n",
    )]);
    let out = shiplint_in(repo.path(), &["input"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    assert_eq!(
        doc[0]["config"],
        serde_json::json!({"unpinned-action": {"allow": ["acme/*"]}})
    );
}

fn copy(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}
