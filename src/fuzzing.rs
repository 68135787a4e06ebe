//! Invariant checks shared by the fuzz targets (`fuzz/`), the property tests and the
//! replay of `testdata/fuzz-regressions/` in `cargo test`. Each panics on a broken
//! invariant, which is what a fuzzer reports.

use std::sync::OnceLock;

use crate::audit::{audit_repository, AuditReport};
use crate::discover::FileKind;
use crate::finding::Location;
use crate::model::{self, RepositoryInfo};
use crate::policy::PolicySet;
use crate::source::{parse_file, LoadedFile, Repository};
use crate::yaml::{Node, Span, Value};

const PATH: &str = ".github/workflows/fuzz.yml";

fn repository(file: LoadedFile) -> Repository {
    Repository {
        root: None,
        display: "fuzz".into(),
        info: RepositoryInfo {
            owner: "fuzz".into(),
            name: "fuzz".into(),
            default_branch: Some("main".into()),
            source: "local".into(),
            visibility: None,
        },
        files: vec![file],
        errors: Vec::new(),
        notices: Vec::new(),
        settings: None,
        history: None,
    }
}

fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} outside a {}-byte file",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} not on character boundaries"
    );
}

fn check_node(text: &str, node: &Node) {
    // Iterative: the depth limit makes recursion safe, but the check should not rely on it.
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        assert_span(text, n.span, "node");
        match &n.value {
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(entries) => {
                for e in entries {
                    assert_span(text, e.key_span, "key");
                    stack.push(&e.value);
                }
            }
            _ => {}
        }
    }
}

/// Parse + span index + input document: never a panic, spans inside the file.
pub fn check_workflow_bytes(data: &[u8]) {
    let Ok(file) = parse_file(PATH, FileKind::Workflow, data.to_vec()) else {
        return;
    };
    check_node(&file.text, &file.doc.root);
    let (line, column) = file.doc.line_col(file.text.len());
    assert!(line >= 1 && column >= 1);
    let repo = repository(file);
    let (input, _errors) = model::build_input(&repo);
    for wf in &input.workflows {
        for job in &wf.jobs {
            let path: Vec<_> = job
                .path
                .iter()
                .filter_map(crate::yaml::PathSeg::from_json)
                .collect();
            assert!(
                repo.files[0].doc.locate(&path).is_some(),
                "job path {:?}",
                job.path
            );
        }
    }
    let json = serde_json::to_value(&input).expect("the input document serialises");
    // What policies see is built straight from the model; it must equal the JSON route.
    let direct = crate::policy::input_value(&input).expect("the input document converts");
    assert!(
        direct == regorus::Value::from(json),
        "the input handed to regorus differs from its JSON"
    );
}

fn policies() -> &'static PolicySet {
    static POLICIES: OnceLock<PolicySet> = OnceLock::new();
    POLICIES.get_or_init(|| PolicySet::builtin().expect("built-in policies compile"))
}

/// The whole pipeline on one workflow: never a panic, every location inside the file.
pub fn check_audit_bytes(data: &[u8]) {
    let Ok(file) = parse_file(PATH, FileKind::Workflow, data.to_vec()) else {
        return;
    };
    let text = file.text.clone();
    let policies = policies();
    let mut engine = policies.engine();
    let outcome = audit_repository(policies, &mut engine, repository(file));
    for f in &outcome.findings {
        let locations = std::iter::once(&f.location).chain(f.related.iter().map(|r| &r.location));
        for l in locations {
            if let Location::File(at) = l {
                assert_span(&text, at.span, "finding");
                assert!(at.line >= 1 && at.column >= 1 && at.end_line >= at.line);
            }
        }
    }
    let mut report = AuditReport::default();
    report.absorb(outcome);
    crate::report::human::render(&report, Default::default());
    crate::report::json::render(&report);
}

/// The config loader on arbitrary bytes: never a panic; every error's span lies in the file.
pub fn check_config_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (config, errors) =
        crate::config::Config::parse_all("shiplint.yml", text, std::path::Path::new("."));
    for e in &errors {
        assert!(
            e.line >= 1 && e.column >= 1,
            "error position {}:{}",
            e.line,
            e.column
        );
        assert_span(text, e.span, "config error");
    }
    serde_json::to_string(&config.input_json()).expect("the config serialises");
    let _ = config.check_rule_ids(policies());
}
