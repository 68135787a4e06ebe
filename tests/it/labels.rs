//! The hand labels of real pipelines (`bench/labels/`, written by reading the workflows of
//! `../shared/corpus/workflows`, never by running shiplint) hold shiplint to what it must
//! find: a labelled violation that no finding points at is a miss, and a finding at a
//! place labelled `false-positive` is a false positive come back. Either fails the test.
//! `scripts/recall.py` prints the per-rule recall and precision from the same labels.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use shiplint::audit::{audit, Session};
use shiplint::discover::DiscoverOptions;
use shiplint::finding::Location;
use shiplint::policy::PolicySet;
use shiplint::source::target::plan_paths;

/// What a label says of a place.
#[derive(PartialEq)]
enum Kind {
    /// A violation shiplint must find.
    Violation,
    /// A violation shiplint is known to miss (the reason is in the note): it counts
    /// against recall, and the test fails once it is found, so that it is promoted.
    Missed,
    /// A finding judged false: it must not come back.
    FalsePositive,
}

/// One label line: `rule file line kind note`.
struct Label {
    source: String,
    rule: String,
    file: String,
    line: usize,
    kind: Kind,
}

fn corpus() -> PathBuf {
    crate::root().join("../shared/corpus/workflows")
}

/// Reads every `bench/labels/corpus/<dir>.tsv`, keyed by the corpus folder it labels.
fn labels() -> BTreeMap<String, Vec<Label>> {
    let dir = crate::root().join("bench/labels/corpus");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("bench/labels/corpus exists") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "tsv") {
            continue;
        }
        let repo = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut list = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() || line.starts_with("rule\t") {
                continue;
            }
            let source = format!("{}:{}", path.display(), i + 1);
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(cols.len() >= 4, "{source}: want rule, file, line, kind");
            let kind = match cols[3] {
                "violation" => Kind::Violation,
                "missed" => Kind::Missed,
                "false-positive" => Kind::FalsePositive,
                other => {
                    panic!("{source}: kind `{other}`: want violation, missed or false-positive")
                }
            };
            assert!(
                kind != Kind::Missed || cols.get(4).is_some_and(|n| !n.trim().is_empty()),
                "{source}: a known miss needs its reason in the note"
            );
            list.push(Label {
                rule: cols[0].to_string(),
                file: cols[1].to_string(),
                line: cols[2]
                    .parse()
                    .unwrap_or_else(|_| panic!("{source}: line `{}`", cols[2])),
                kind,
                source,
            });
        }
        out.insert(repo, list);
    }
    out
}

fn folder(display: &str) -> String {
    Path::new(display)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn labelled_real_pipelines_are_judged_as_labelled() {
    let corpus = corpus();
    assert!(
        corpus.is_dir(),
        "{} is missing: the labelled corpus lives in ../shared beside the project",
        corpus.display()
    );
    let labels = labels();
    assert!(
        labels.len() >= 90,
        "only {} labelled repositories",
        labels.len()
    );
    for repo in labels.keys() {
        assert!(
            corpus.join(repo).is_dir(),
            "labels name `{repo}`, not in the corpus"
        );
    }
    let session = Session::offline(PolicySet::builtin().unwrap());
    let report = audit(&session, plan_paths(&[corpus], &DiscoverOptions::default())).report;
    // (repository, rule, file) → [(first line, last line)] of the findings.
    let mut found: BTreeMap<(String, String, String), Vec<(usize, usize)>> = BTreeMap::new();
    for f in &report.findings {
        if let Location::File(at) = &f.location {
            found
                .entry((folder(&f.repository), f.rule.clone(), at.file.clone()))
                .or_default()
                .push((at.line, at.end_line));
        }
    }
    let mut problems = Vec::new();
    let mut violations = 0;
    for (repo, list) in &labels {
        for l in list {
            let key = (repo.clone(), l.rule.clone(), l.file.clone());
            let hit = found
                .get(&key)
                .is_some_and(|spans| spans.iter().any(|&(a, b)| a <= l.line && l.line <= b));
            let at = format!("{} at {repo}/{}:{} ({})", l.rule, l.file, l.line, l.source);
            match l.kind {
                Kind::Violation => {
                    violations += 1;
                    if !hit {
                        problems.push(format!("missed {at}"));
                    }
                }
                Kind::Missed if hit => {
                    problems.push(format!("found a known miss, label it `violation`: {at}"))
                }
                Kind::Missed => {}
                Kind::FalsePositive if hit => problems.push(format!("false positive back: {at}")),
                Kind::FalsePositive => {}
            }
        }
    }
    assert!(violations >= 100, "only {violations} labelled violations");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
