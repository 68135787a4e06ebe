//! The CI outputs: SARIF for code scanning (schema, GitHub's ingestion rules, golden files,
//! stable fingerprints), workflow-command annotations and the Markdown job summary.
//!
//! Golden files are regenerated with `scripts/regen-golden.sh` (`SHIPLINT_BLESS=1`).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::{json, root, shiplint, shiplint_in, stderr, stdout};

const GOLDEN_VERSION: &str = "0.0.0-golden";

fn bless() -> bool {
    std::env::var_os("SHIPLINT_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

fn sarif_of(args: &[&str]) -> Value {
    let mut all = vec!["audit", "--format", "sarif"];
    all.extend_from_slice(args);
    json(&shiplint(&all))
}

/// The tool version is the only thing that changes between releases: pin it.
fn normalise(mut doc: Value) -> Value {
    for run in doc["runs"].as_array_mut().into_iter().flatten() {
        let driver = &mut run["tool"]["driver"];
        driver["version"] = GOLDEN_VERSION.into();
        driver["semanticVersion"] = GOLDEN_VERSION.into();
    }
    doc
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("sarif/sarif-schema-2.1.0.json"))
        .expect("sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn assert_valid(name: &str, doc: &Value) {
    let validator = schema();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("  {} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name} is not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
}

/// What code scanning needs of one rule descriptor.
fn assert_rule_accepted(name: &str, rule: &Value) {
    let id = rule["id"].as_str().unwrap();
    for key in ["name", "helpUri"] {
        assert!(rule[key].is_string(), "{name}: {id} lacks {key}");
    }
    for key in ["shortDescription", "fullDescription"] {
        assert!(rule[key]["text"].is_string(), "{name}: {id} lacks {key}");
    }
    assert!(rule["help"]["text"].is_string(), "{name}: {id} help.text");
    let md = rule["help"]["markdown"].as_str().unwrap();
    assert!(
        md.starts_with(&format!("# {id}")),
        "{id}: help.markdown is its page"
    );
    assert!(rule["helpUri"]
        .as_str()
        .unwrap()
        .ends_with(&format!("{id}.md")));
    assert!(rule["defaultConfiguration"]["level"].is_string());
    let props = &rule["properties"];
    let tags: Vec<&str> = props["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(tags.contains(&"security"), "{id}: tags {tags:?}");
    assert!(props["precision"].is_string());
    let sev: f64 = props["security-severity"]
        .as_str()
        .expect("security-severity is a string")
        .parse()
        .unwrap();
    assert!((0.1..=10.0).contains(&sev), "{id}: {sev}");
}

/// What GitHub code scanning checks on upload (and what makes alerts useful).
fn assert_github_accepts(name: &str, doc: &Value) {
    assert_eq!(doc["version"], "2.1.0", "{name}");
    let runs = doc["runs"].as_array().unwrap();
    assert!(!runs.is_empty() && runs.len() <= 20, "{name}: runs");
    let mut categories = BTreeSet::new();
    for run in runs {
        let category = run["automationDetails"]["id"].as_str().unwrap();
        assert!(categories.insert(category), "{name}: duplicate {category}");
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "shiplint");
        assert!(driver["version"].is_string());
        assert!(driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://"));
        let rules = driver["rules"].as_array().unwrap();
        assert!(!rules.is_empty(), "{name}: no rules");
        for rule in rules {
            assert_rule_accepted(name, rule);
        }
        let invocations = run["invocations"].as_array().unwrap();
        assert_eq!(invocations.len(), 1);
        assert!(invocations[0]["executionSuccessful"].is_boolean());
        let results = run["results"].as_array().expect("results, even when empty");
        assert!(results.len() <= 25_000);
        for r in results {
            let id = r["ruleId"].as_str().unwrap();
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], id, "{name}: ruleIndex of {id}");
            assert!(r["level"].is_string());
            assert!(!r["message"]["text"].as_str().unwrap().is_empty());
            let locations = r["locations"].as_array().unwrap();
            assert_eq!(locations.len(), 1, "{name}: exactly one location");
            let physical = &locations[0]["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                !uri.starts_with('/') && !uri.contains("://") && !uri.starts_with("testdata"),
                "{name}: uri {uri} is not repo-relative"
            );
            assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let region = &physical["region"];
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(region[key].as_u64().unwrap() >= 1, "{name}: region {key}");
            }
            let fp = r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap();
            assert!(fp.contains(':'), "{fp}");
        }
    }
}

fn check_golden(repo: &str) {
    let doc = normalise(sarif_of(&[&format!("testdata/repos/{repo}")]));
    assert_valid(repo, &doc);
    assert_github_accepts(repo, &doc);
    let mut text = serde_json::to_string_pretty(&doc).unwrap();
    text.push('\n');
    let golden = root().join(format!("sarif/{repo}.sarif"));
    if bless() {
        // Write-then-rename: the test that validates every golden file may be reading.
        let tmp = golden.with_extension("sarif.tmp");
        std::fs::write(&tmp, &text).unwrap();
        std::fs::rename(&tmp, &golden).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    assert!(
        expected == text,
        "{} is out of date: run scripts/regen-golden.sh and review the diff",
        golden.display()
    );
}

#[test]
fn golden_sarif_of_the_exemplary_repository() {
    check_golden("exemplary");
    let doc = sarif_of(&["testdata/repos/exemplary"]);
    // A clean audit still writes its run, so that fixed alerts close.
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        doc["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn golden_sarif_of_a_repository_that_breaks_every_rule() {
    check_golden("breaks-everything");
}

#[test]
fn every_golden_file_is_valid_sarif() {
    let mut n = 0;
    for entry in std::fs::read_dir(root().join("sarif")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "sarif") {
            let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.display().to_string();
            assert_valid(&name, &doc);
            assert_github_accepts(&name, &doc);
            n += 1;
        }
    }
    assert!(n >= 2, "golden files missing");
}

#[test]
fn breaks_everything_breaks_every_offline_rule() {
    let doc = sarif_of(&["testdata/repos/breaks-everything"]);
    let run = &doc["runs"][0];
    let fired: BTreeSet<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    let out = shiplint(&["rules", "--format", "json"]);
    for rule in json(&out).as_array().unwrap() {
        if rule["online"] == true {
            continue;
        }
        let id = rule["id"].as_str().unwrap();
        assert!(
            fired.contains(id),
            "`{id}` does not fire in testdata/repos/breaks-everything: add a violation, \
             then run scripts/regen-golden.sh"
        );
    }
    // Every loaded rule is described, whether it fired or not.
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        json(&out).as_array().unwrap().len()
    );
    // Related locations are carried over.
    assert!(run["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"].is_u64()));
}

fn copy_tree(from: &Path, to: &Path) {
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

fn fingerprints(doc: &Value) -> Vec<(String, String, u64)> {
    doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_lines_moving_above_and_are_unique() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&crate::testdata("repos/breaks-everything"), tmp.path());
    let before = fingerprints(&json(&shiplint_in(tmp.path(), &["audit", "-f", "sarif"])));
    let wf = tmp.path().join(".github/workflows/pipeline.yml");
    let text = std::fs::read_to_string(&wf).unwrap();
    std::fs::write(&wf, format!("# moved\n# down\n# three lines\n{text}")).unwrap();
    let after = fingerprints(&json(&shiplint_in(tmp.path(), &["audit", "-f", "sarif"])));
    assert_eq!(before.len(), after.len());
    let mut moved = 0;
    for ((rule_a, fp_a, line_a), (rule_b, fp_b, line_b)) in before.iter().zip(&after) {
        assert_eq!(rule_a, rule_b);
        assert_eq!(fp_a, fp_b, "{rule_a} at line {line_a} → {line_b}");
        if line_b != line_a {
            moved += 1;
        }
    }
    assert!(moved > 0, "the edit moved nothing");
    let unique: BTreeSet<(&str, &str)> = before
        .iter()
        .map(|(r, fp, _)| (r.as_str(), fp.as_str()))
        .collect();
    assert_eq!(
        unique.len(),
        before.len(),
        "fingerprints collide: {before:?}"
    );
}

#[test]
fn inputs_that_could_not_be_audited_are_notifications() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&crate::testdata("repos/static-keys"), tmp.path());
    std::fs::write(
        tmp.path().join(".github/workflows/broken.yml"),
        "jobs: [unclosed\n",
    )
    .unwrap();
    let out = shiplint_in(tmp.path(), &["audit", "-f", "sarif"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc = json(&out);
    assert_valid("broken input", &doc);
    assert_github_accepts("broken input", &doc);
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let n = &invocation["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        ".github/workflows/broken.yml"
    );
    // The other file's findings are still there.
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 2);
}

#[test]
fn several_repositories_get_a_run_and_category_each() {
    let doc = sarif_of(&["testdata/repos"]);
    assert_valid("testdata/repos", &doc);
    assert_github_accepts("testdata/repos", &doc);
    let categories: Vec<&str> = doc["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap())
        .collect();
    assert!(categories.contains(&"shiplint/workflows/testdata/repos/exemplary/"));
    assert!(categories.contains(&"shiplint/workflows/testdata/repos/static-keys/"));
}

#[test]
fn sarif_goes_to_the_output_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("shiplint.sarif");
    let out = shiplint(&[
        "audit",
        "-f",
        "sarif",
        "-o",
        file.to_str().unwrap(),
        "testdata/repos/static-keys",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_valid("output file", &doc);
}

#[test]
fn github_annotations_point_at_workspace_paths() {
    let out = shiplint(&["audit", "-f", "github", "testdata/repos/static-keys"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(
            "::error file=testdata/repos/static-keys/.github/workflows/deploy.yml,line=17,col=11,endLine=17,endColumn="
        ),
        "{first}"
    );
    assert!(first.contains(",title=") && first.contains("static-cloud-credentials"));
    // The message is one line: newlines are escaped.
    assert!(first.contains("%0AFix: "), "{first}");
    // An absolute path under the working directory is made relative to it.
    let abs = crate::testdata("repos/static-keys");
    let out = shiplint(&["audit", "-f", "github", abs.to_str().unwrap()]);
    assert!(
        stdout(&out).starts_with(
            "::error file=testdata/repos/static-keys/.github/workflows/deploy.yml,line=17,"
        ),
        "{}",
        stdout(&out)
    );
    // From inside the repository the path is repo-relative.
    let out = shiplint_in(
        &crate::testdata("repos/static-keys"),
        &["audit", "-f", "github"],
    );
    assert!(stdout(&out).starts_with("::error file=.github/workflows/deploy.yml,line=17,"));
}

#[test]
fn github_annotations_use_the_severity_commands() {
    let out = shiplint(&["audit", "-f", "github", "testdata/repos/breaks-everything"]);
    let text = stdout(&out);
    assert!(text.lines().any(|l| l.starts_with("::error file=")));
    assert!(text.lines().any(|l| l.starts_with("::warning file=")));
    for line in text.lines().filter(|l| l.starts_with("::")) {
        let (props, _) = line[2..].split_once("::").unwrap();
        let title = props.split(",title=").nth(1).unwrap();
        assert!(!title.contains(':') && !title.contains(','), "{title}");
    }
    assert!(text.ends_with("in 18 files of 1 repository\n"), "{text}");
}

#[test]
fn markdown_job_summary_of_a_broken_pipeline() {
    let out = shiplint(&[
        "audit",
        "-f",
        "markdown",
        "testdata/repos/breaks-everything",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("breaks_everything_markdown", stdout(&out));
}

#[test]
fn markdown_job_summary_of_the_exemplary_pipeline() {
    let out = shiplint(&["audit", "-f", "markdown", "testdata/repos/exemplary"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(!text.contains("### Findings"));
    assert!(!text.contains("class w"), "nothing is marked bad:\n{text}");
    insta::assert_snapshot!("exemplary_markdown", text);
}

#[test]
fn the_projects_own_workflow_passes_its_audit() {
    let out = shiplint(&["audit", "-f", "json", ".github/workflows/shiplint.yml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(json(&out)["summary"]["findings"], 0);
    let text = std::fs::read_to_string(root().join(".github/workflows/shiplint.yml")).unwrap();
    assert!(text.contains("security-events: write"));
}

#[test]
fn the_pre_commit_hook_runs_on_workflow_changes() {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    for needle in [
        "- id: shiplint",
        "entry: shiplint audit",
        "pass_filenames: false",
        r"files: ^\.github/(workflows|actions)/",
    ] {
        assert!(text.contains(needle), "{needle} missing");
    }
}
