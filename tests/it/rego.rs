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
