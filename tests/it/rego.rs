//! The built-in policies' own Rego unit tests (`policies/**/*_test.rego`) all pass.

use shiplint::policy::PolicySet;

#[test]
fn builtin_rego_unit_tests_pass() {
    let policies = PolicySet::builtin().expect("built-in policies compile");
    let results = policies.run_builtin_tests().expect("test modules compile");
    assert!(
        results.len() >= 20,
        "only {} Rego tests found",
        results.len()
    );
    let failures: Vec<String> = results
        .iter()
        .filter_map(|r| {
            r.failure
                .as_ref()
                .map(|f| format!("{} {}: {f}", r.file, r.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "failing Rego tests:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_a_doc_page_and_valid_metadata() {
    let policies = PolicySet::builtin().expect("built-in policies compile");
    assert!(policies.rules().len() >= 4);
    for rule in policies.rules() {
        let page = crate::root()
            .join("docs/rules")
            .join(format!("{}.md", rule.id));
        let text = std::fs::read_to_string(&page)
            .unwrap_or_else(|_| panic!("{} has no doc page at {}", rule.id, page.display()));
        assert!(
            text.starts_with(&format!("# {}", rule.id)),
            "{} doc title",
            rule.id
        );
        assert!(
            rule.tags.iter().any(|t| t == "security"),
            "{} lacks the security tag",
            rule.id
        );
        assert!(!rule.remediation.is_empty() && !rule.description.is_empty());
    }
}

/// Command patterns whose pairs in Rust differ from the Rego definition's.
const PATTERNS_DIFFERING: &str = r#"[[name, count(rust), count(rego)] |
        some name, p in data.shiplint.lib.pipeline.command_patterns
        rust := {[i, k] | some [i, k] in input.pipeline.matches[name]}
        rego := {[e.index, k] |
            some [e, c] in data.shiplint.lib.pipeline.matching(data.shiplint.lib.pipeline.with_tools(p.tools), p.pattern)
            some k, c2 in e.commands
            c2 == c
        }
        rust != rego
    ]"#;
/// The job and step name lines that differ from the Rego definitions.
const NAMES_DIFFERING: &str = r#"[x |
        jobs := concat("\n", [concat("", [format_int(i, 10), " ", format_int(j, 10), ":", lower(job.id), " ", lower(object.get(job, "name", ""))]) |
            some i, wf in input.workflows
            some j, job in wf.jobs
        ])
        steps := concat("\n", [concat("", [format_int(i, 10), " ", format_int(j, 10), ":", lower(step.name)]) |
            some i, wf in input.workflows
            some j, job in wf.jobs
            some step in job.steps
        ])
        some [x, a, b] in [["job_names", jobs, input.pipeline.index.job_names], ["step_names", steps, input.pipeline.index.step_names]]
        a != b
    ]"#;

/// The prepared input, each step carrying its position so that the Rego side can be
/// compared by it.
fn indexed_input(policies: &PolicySet, input: &shiplint::model::Input) -> regorus::Value {
    let mut value = policies.prepared_input(input).expect("input converts");
    let steps = value
        .as_object_mut()
        .unwrap()
        .get_mut(&regorus::Value::from("pipeline"))
        .unwrap()
        .as_object_mut()
        .unwrap()
        .get_mut(&regorus::Value::from("steps"))
        .unwrap()
        .as_array_mut()
        .unwrap();
    for (i, step) in steps.iter_mut().enumerate() {
        step.as_object_mut()
            .unwrap()
            .insert(regorus::Value::from("index"), regorus::Value::from(i));
    }
    value
}

/// Asserts that `query` (a list of what differs) is empty.
fn assert_none(engine: &mut regorus::Engine, query: &str, what: &str) {
    let result = engine
        .eval_query(query.to_string(), false)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(
        &result.result[0].expressions[0].value,
        &regorus::Value::from(Vec::<regorus::Value>::new()),
        "{what} differ"
    );
}

/// `input.pipeline.matches`, computed in Rust before evaluation, holds exactly the pairs
/// that the Rego definition (`matching(with_tools(tools), pattern)`) gives, for every
/// command pattern, on every fixture repository and on the shared corpus when present;
/// and `pipeline.index.job_names` / `.step_names` the text the Rego definitions build.
#[test]
fn command_patterns_matched_in_rust_equal_the_rego_definition() {
    use shiplint::discover::{discover, DiscoverOptions};
    use shiplint::model::build_input;
    use shiplint::source::local;

    let policies = PolicySet::builtin().expect("built-in policies compile");
    let mut roots = vec![crate::testdata("repos"), crate::testdata("rules")];
    let corpus = crate::root().join("../shared/corpus/workflows");
    if corpus.is_dir() {
        roots.push(corpus);
    }
    let (found, _) = discover(&roots, &DiscoverOptions::default());
    assert!(found.len() > 50, "only {} repositories found", found.len());
    let mut engine = policies.engine();
    let mut compared = 0;
    let mut matched_any = 0;
    for files in found {
        let display = files.display.clone();
        let input = build_input(&local::load(files)).0;
        let value = indexed_input(&policies, &input);
        engine.set_input(value.clone());
        assert_none(
            &mut engine,
            PATTERNS_DIFFERING,
            &format!("{display}: [pattern, pairs in Rust, pairs in Rego]"),
        );
        assert_none(
            &mut engine,
            NAMES_DIFFERING,
            &format!("{display}: name lines"),
        );
        compared += 1;
        let key = |k: &str| regorus::Value::from(k);
        let pipeline = value.as_object().unwrap().get(&key("pipeline")).unwrap();
        let matches = pipeline.as_object().unwrap().get(&key("matches")).unwrap();
        if matches
            .as_object()
            .unwrap()
            .iter()
            .any(|(_, v)| !v.as_array().unwrap().is_empty())
        {
            matched_any += 1;
        }
    }
    assert!(
        compared > 50 && matched_any > 20,
        "{compared} compared, {matched_any} with matches"
    );
}
