//! A small Rego test runner, like `opa test`: every rule named `test_*` must be `true`.
//! Runs the built-in policies' tests in `cargo test` and user tests in
//! `shiplint test-policies DIR`.

use regorus::{Engine, Value};

/// The package a module declares (`package a.b.c` → `a.b.c`).
pub fn package_of(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim_start)
        .find_map(|l| l.strip_prefix("package "))
        .map(|p| p.trim().to_string())
}

/// Names of the `test_*` rules a module defines (at the start of a line, as Rego rules are).
pub fn test_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("test_"))
        .map(|l| {
            l.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect();
    names.dedup();
    names
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    pub file: String,
    pub name: String,
    /// `None` when it passed, else why it failed.
    pub failure: Option<String>,
}

/// Runs every `test_*` rule of `tests` with `engine` (which already holds the policies
/// under test and the test modules themselves).
pub fn run(engine: &mut Engine, tests: &[(String, String)]) -> Vec<TestResult> {
    let mut results = Vec::new();
    for (file, text) in tests {
        let Some(package) = package_of(text) else {
            continue;
        };
        for name in test_names(text) {
            let failure = match engine.eval_rule(format!("data.{package}.{name}")) {
                Ok(Value::Bool(true)) => None,
                Ok(Value::Undefined) => Some("undefined (a condition did not hold)".to_string()),
                Ok(other) => Some(format!("evaluated to {other}, not true")),
                Err(e) => Some(format!("error: {e}")),
            };
            results.push(TestResult {
                file: file.clone(),
                name,
                failure,
            });
        }
    }
    results
}
