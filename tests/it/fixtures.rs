//! Every fixture repository under `testdata/rules/<rule>/<scenario>/` declares the findings
//! it must produce with `# expect: <rule-id>` comments on the lines they point at. A
//! finding without an expectation (a false positive) and an expectation without a finding
//! (a miss) both fail. Scenarios named `ok-*` expect nothing; the exemplary repository
//! must be clean.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use shiplint::audit::{audit, Session};
use shiplint::discover::DiscoverOptions;
use shiplint::finding::Location;
use shiplint::policy::PolicySet;
use shiplint::source::target::plan_paths;

type Tally = BTreeMap<(String, usize, String), i64>;

fn expectations(repo: &Path) -> Tally {
    let mut tally = Tally::new();
    for entry in walkdir::WalkDir::new(repo) {
        let entry = entry.expect("fixture readable");
        let p = entry.path();
        if !p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            continue;
        }
        let rel = shiplint::discover::rel_path(repo, p);
        let text = std::fs::read_to_string(p).expect("fixture is UTF-8");
        for (i, line) in text.lines().enumerate() {
            if let Some((_, ids)) = line.split_once("# expect:") {
                for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    *tally
                        .entry((rel.clone(), i + 1, id.to_string()))
                        .or_default() += 1;
                }
            }
        }
    }
    tally
}

fn scenarios() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let rules = crate::testdata("rules");
    for rule in std::fs::read_dir(&rules).expect("testdata/rules exists") {
        let rule = rule.unwrap().path();
        for scenario in std::fs::read_dir(&rule).unwrap() {
            let scenario = scenario.unwrap().path();
            if scenario.join(".github").is_dir() {
                out.push(scenario);
            }
        }
    }
    out.sort();
    out
}

fn check(session: &Session, repo: &Path) -> Result<usize, String> {
    let plan = plan_paths(&[repo.to_path_buf()], &DiscoverOptions::default());
    let report = audit(session, plan).report;
    let mut problems = Vec::new();
    if !report.errors.is_empty() || !report.policy_errors.is_empty() {
        problems.push(format!(
            "  errors: {:?} {:?}",
            report.errors, report.policy_errors
        ));
    }
    let mut tally = expectations(repo);
    let expected_total: i64 = tally.values().sum();
    for f in &report.findings {
        if let Location::File(at) = &f.location {
            *tally
                .entry((at.file.clone(), at.line, f.rule.clone()))
                .or_default() -= 1;
        }
    }
    for ((file, line, rule), n) in &tally {
        if *n > 0 {
            problems.push(format!("  missed {n}× {rule} at {file}:{line}"));
        } else if *n < 0 {
            let extra: Vec<&str> = report
                .findings
                .iter()
                .filter(|f| {
                    f.rule == *rule
                        && f.location
                            .file()
                            .is_some_and(|l| l.file == *file && l.line == *line)
                })
                .map(|f| f.message.as_str())
                .collect();
            problems.push(format!(
                "  unexpected {}× {rule} at {file}:{line}: {extra:?}",
                -n
            ));
        }
    }
    let name = repo.file_name().unwrap().to_string_lossy();
    if name.starts_with("ok-") && expected_total > 0 {
        problems.push("  an ok-* scenario must not carry expectations".into());
    }
    if !name.starts_with("ok-")
        && expected_total == 0
        && repo.parent() != Some(&crate::testdata("repos"))
    {
        problems.push("  a firing scenario carries no `# expect:`".into());
    }
    if problems.is_empty() {
        Ok(report.findings.len())
    } else {
        Err(format!("{}:\n{}", repo.display(), problems.join("\n")))
    }
}

#[test]
fn rule_fixtures_fire_exactly_where_expected() {
    let session = Session::offline(PolicySet::builtin().unwrap());
    let scenarios = scenarios();
    assert!(scenarios.len() >= 12, "only {} scenarios", scenarios.len());
    let failures: Vec<String> = scenarios
        .iter()
        .filter_map(|s| check(&session, s).err())
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_rule_has_firing_and_passing_fixtures() {
    let policies = PolicySet::builtin().unwrap();
    for rule in policies.rules().iter().filter(|r| !r.online) {
        let dir = crate::testdata("rules").join(&rule.id);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("no fixtures for {}", rule.id))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("ok-")),
            "{}: no ok-* fixture",
            rule.id
        );
        assert!(
            names.iter().any(|n| !n.starts_with("ok-")),
            "{}: no firing fixture",
            rule.id
        );
    }
}

#[test]
fn exemplary_repository_is_clean() {
    let session = Session::offline(PolicySet::builtin().unwrap());
    let repo = crate::testdata("repos/exemplary");
    assert_eq!(check(&session, &repo), Ok(0));
}
