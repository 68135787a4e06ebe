//! The policy engine: Rego rules evaluated with regorus.
//!
//! Built-in policies are embedded in the binary and compiled once per run; each worker
//! clones the prepared engine (cheap: the compiled modules are shared). One evaluation per
//! repository, rule by rule, so that an error in one rule is reported while the others
//! still run.

mod builtin;
mod decode;
pub mod testing;

use std::fmt;

use regorus::Engine;
use serde::Serialize;

use crate::finding::Severity;
use crate::model::Input;

pub use decode::{resolve_findings, RawFinding};

/// Where every rule's documentation lives (the `helpUri` of SARIF, the link in reports).
pub const DOC_BASE: &str = "https://github.com/shiplint/shiplint/blob/main/docs/rules/";

/// The package prefix every rule lives under: `package shiplint.rules.<id_with_underscores>`.
pub const RULES_PACKAGE: &str = "data.shiplint.rules.";

/// A rule's `metadata`, as the policy declares it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub description: String,
    pub remediation: String,
    pub tags: Vec<String>,
    /// Needs repository settings (GitHub API or `--settings`).
    pub online: bool,
    /// `data.shiplint.rules.<pkg>`.
    #[serde(skip)]
    pub package: String,
    /// The `.rego` file that defines it.
    pub source: String,
    pub builtin: bool,
}

impl RuleMeta {
    pub fn doc_url(&self) -> String {
        format!("{DOC_BASE}{}.md", self.id)
    }
}

/// A policy could not be loaded or evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The `.rego` file (or the rule id for evaluation errors).
    pub source: String,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

impl std::error::Error for PolicyError {}

/// The compiled policies and the rules they define.
#[derive(Clone)]
pub struct PolicySet {
    engine: Engine,
    rules: Vec<RuleMeta>,
    /// Sources of every module, for the Rego test runner.
    modules: Vec<(String, String)>,
}

impl PolicySet {
    /// The built-in policies, embedded in the binary.
    pub fn builtin() -> Result<PolicySet, PolicyError> {
        let mut set = PolicySet {
            engine: Engine::new(),
            rules: Vec::new(),
            modules: Vec::new(),
        };
        for (path, text) in builtin::POLICIES {
            set.add_module(path, text)?;
        }
        set.collect_rules(true)?;
        Ok(set)
    }

    fn add_module(&mut self, path: &str, text: &str) -> Result<(), PolicyError> {
        self.engine
            .add_policy(path.to_string(), text.to_string())
            .map_err(|e| PolicyError {
                source: path.to_string(),
                message: e.to_string(),
            })?;
        self.modules.push((path.to_string(), text.to_string()));
        Ok(())
    }

    /// Reads `metadata` of every rule package not seen yet and validates it.
    fn collect_rules(&mut self, builtin: bool) -> Result<(), PolicyError> {
        let packages = self.engine.get_packages().map_err(|e| PolicyError {
            source: "policies".into(),
            message: e.to_string(),
        })?;
        let mut sources = std::collections::BTreeMap::new();
        for (path, text) in &self.modules {
            if let Some(pkg) = testing::package_of(text) {
                sources
                    .entry(format!("data.{pkg}"))
                    .or_insert_with(|| path.clone());
            }
        }
        self.engine.set_input(regorus::Value::new_object());
        let mut seen: Vec<String> = self.rules.iter().map(|r| r.package.clone()).collect();
        let mut packages: Vec<String> = packages
            .into_iter()
            .filter(|p| p.starts_with(RULES_PACKAGE) && !p.ends_with("_test"))
            .collect();
        packages.sort();
        packages.dedup();
        for package in packages {
            if seen.contains(&package) {
                continue;
            }
            let source = sources.get(&package).cloned().unwrap_or_default();
            let meta = self.read_metadata(&package, &source, builtin)?;
            if let Some(other) = self.rules.iter().find(|r| r.id == meta.id) {
                return Err(PolicyError {
                    source,
                    message: format!(
                        "duplicate rule id `{}` (also defined in {})",
                        meta.id, other.source
                    ),
                });
            }
            seen.push(package);
            self.rules.push(meta);
        }
        self.rules.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(())
    }

    fn read_metadata(
        &mut self,
        package: &str,
        source: &str,
        builtin: bool,
    ) -> Result<RuleMeta, PolicyError> {
        let err = |message: String| PolicyError {
            source: source.to_string(),
            message,
        };
        let value = self
            .engine
            .eval_rule(format!("{package}.metadata"))
            .map_err(|e| err(format!("cannot evaluate `metadata`: {e}")))?;
        if value == regorus::Value::Undefined {
            return Err(err(format!(
                "package `{}` defines no `metadata` rule",
                &package[5..]
            )));
        }
        let json = serde_json::to_value(&value).map_err(|e| err(e.to_string()))?;
        let meta = decode::metadata(&json).map_err(|m| err(format!("invalid `metadata`: {m}")))?;
        let expected = package[RULES_PACKAGE.len()..].to_string();
        if meta.id.replace('-', "_") != expected {
            return Err(err(format!(
                "metadata id `{}` does not match its package `{}` (expected `package shiplint.rules.{}`)",
                meta.id,
                &package[5..],
                meta.id.replace('-', "_")
            )));
        }
        Ok(RuleMeta {
            package: package.to_string(),
            source: source.to_string(),
            builtin,
            ..meta
        })
    }

    pub fn rules(&self) -> &[RuleMeta] {
        &self.rules
    }

    pub fn rule(&self, id: &str) -> Option<&RuleMeta> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn modules(&self) -> &[(String, String)] {
        &self.modules
    }

    /// Runs the built-in policies' own Rego unit tests (`policies/**/*_test.rego`).
    pub fn run_builtin_tests(&self) -> Result<Vec<testing::TestResult>, PolicyError> {
        let mut engine = self.engine.clone();
        let mut tests = Vec::new();
        for (path, text) in builtin::POLICY_TESTS {
            engine
                .add_policy(path.to_string(), text.to_string())
                .map_err(|e| PolicyError {
                    source: path.to_string(),
                    message: e.to_string(),
                })?;
            tests.push((path.to_string(), text.to_string()));
        }
        Ok(testing::run(&mut engine, &tests))
    }

    /// Evaluates the `findings` of the rules `selected` in one query; `None` when the
    /// query fails (a rule raised an error), so that the caller evaluates them one by one.
    fn evaluate_combined(
        &self,
        engine: &mut Engine,
        selected: &[usize],
    ) -> Option<std::collections::HashMap<usize, regorus::Value>> {
        if selected.is_empty() {
            return Some(std::collections::HashMap::new());
        }
        let fields: Vec<String> = selected
            .iter()
            .map(|&i| format!("\"{i}\": {}.findings", self.rules[i].package))
            .collect();
        let query = format!("{{{}}}", fields.join(", "));
        let results = engine.eval_query(query, false).ok()?;
        let value = results.result.first()?.expressions.first()?.value.clone();
        let object = value.as_object().ok()?;
        let mut out = std::collections::HashMap::new();
        for &i in selected {
            let v = object.get(&regorus::Value::from(i.to_string()))?;
            out.insert(i, v.clone());
        }
        Some(out)
    }

    /// A worker's own engine, ready for `evaluate`.
    pub fn engine(&self) -> Engine {
        self.engine.clone()
    }

    /// Evaluates every selected rule against one repository's input.
    /// Returns raw findings (rule index into [`rules`](Self::rules)) and per-rule errors.
    pub fn evaluate(
        &self,
        engine: &mut Engine,
        input: &Input,
        with_settings: bool,
    ) -> (Vec<RawFinding>, Vec<PolicyError>) {
        let mut findings = Vec::new();
        let mut errors = Vec::new();
        let json = match serde_json::to_value(input) {
            Ok(j) => j,
            Err(e) => {
                errors.push(PolicyError {
                    source: "input".into(),
                    message: e.to_string(),
                });
                return (findings, errors);
            }
        };
        engine.set_input(regorus::Value::from(json));
        let timing = std::env::var_os("SHIPLINT_TIMING").is_some();
        let selected: Vec<usize> = (0..self.rules.len())
            .filter(|&i| with_settings || !self.rules[i].online)
            .collect();
        // One query for all rules, so that shared library rules (regorus evaluates a
        // whole package when one of its rules is referenced) are computed once per
        // repository instead of once per rule. If any rule fails, fall back to one
        // evaluation per rule so that the others still report.
        let started = std::time::Instant::now();
        let mut combined = self.evaluate_combined(engine, &selected);
        if timing {
            eprintln!("timing: all rules in one query {:?}", started.elapsed());
        }
        for (index, rule) in self.rules.iter().enumerate() {
            if !selected.contains(&index) {
                continue;
            }
            let started = std::time::Instant::now();
            let result = match combined.as_mut().and_then(|c| c.remove(&index)) {
                Some(value) => Ok(value),
                None => engine.eval_rule(format!("{}.findings", rule.package)),
            };
            if timing {
                eprintln!("timing: {} {:?}", rule.id, started.elapsed());
            }
            match result {
                Ok(regorus::Value::Undefined) => {}
                Ok(value) => match serde_json::to_value(&value) {
                    Ok(json) => match decode::raw_findings(index, &json) {
                        Ok(mut f) => findings.append(&mut f),
                        Err(message) => errors.push(PolicyError {
                            source: rule.source.clone(),
                            message: format!(
                                "rule `{}` returned a malformed finding: {message}",
                                rule.id
                            ),
                        }),
                    },
                    Err(e) => errors.push(PolicyError {
                        source: rule.source.clone(),
                        message: e.to_string(),
                    }),
                },
                Err(e) => errors.push(PolicyError {
                    source: rule.source.clone(),
                    message: format!("rule `{}` failed: {e}", rule.id),
                }),
            }
        }
        (findings, errors)
    }
}
