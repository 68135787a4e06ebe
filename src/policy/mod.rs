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
use std::path::Path;

use regorus::Engine;
use serde::Serialize;

use crate::finding::Severity;
use crate::model::Input;

pub use decode::{resolve_findings, RawFinding};

/// Where every rule's documentation lives (the `helpUri` of SARIF, the link in reports).
pub const DOC_BASE: &str = "https://github.com/shiplint/shiplint/blob/main/docs/rules/";

/// The package prefix every rule lives under: `package shiplint.rules.<id_with_underscores>`.
pub const RULES_PACKAGE: &str = "data.shiplint.rules.";

/// The documentation page of a built-in rule (`docs/rules/<id>.md`), embedded.
pub fn rule_doc(id: &str) -> Option<&'static str> {
    builtin::RULE_DOCS
        .iter()
        .find(|(rule, _)| *rule == id)
        .map(|(_, page)| *page)
}

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
    /// The rule's documentation page; empty for user rules (`shiplint explain` shows
    /// their metadata instead).
    pub fn doc_url(&self) -> String {
        if self.builtin {
            format!("{DOC_BASE}{}.md", self.id)
        } else {
            String::new()
        }
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

    /// Adds the user policies of `dir`: every `*.rego` file below it (recursively), except
    /// the `*_test.rego` unit tests. Their rules follow the same contract as the built-ins.
    pub fn add_user_policies(&mut self, dir: &Path) -> Result<(), PolicyError> {
        let (modules, _tests) = rego_files(dir)?;
        for (path, text) in &modules {
            // `shiplint test-policies policies` in a checkout: the built-ins themselves.
            if self.modules.iter().any(|(_, loaded)| loaded == text) {
                continue;
            }
            if let Some(pkg) = testing::package_of(text) {
                let package = format!("data.{pkg}");
                if let Some(rule) = self.rules.iter().find(|r| r.package == package) {
                    let (line, col) = position_of(text, "package").unwrap_or((1, 1));
                    return Err(PolicyError {
                        source: format!("{path}:{line}:{col}"),
                        message: format!(
                            "duplicate rule id `{}`: package `{pkg}` is already defined by {}",
                            rule.id, rule.source
                        ),
                    });
                }
            }
            self.add_module(path, text)?;
        }
        self.collect_rules(false)
    }

    /// The user policies of `dir` plus its `*_test.rego` tests, run like `opa test`
    /// against the built-ins and the directory's own modules.
    pub fn run_tests_in(&self, dir: &Path) -> Result<Vec<testing::TestResult>, PolicyError> {
        let mut set = self.clone();
        set.add_user_policies(dir)?;
        let (_, tests) = rego_files(dir)?;
        let mut engine = set.engine.clone();
        for (path, text) in &tests {
            engine
                .add_policy(path.clone(), text.clone())
                .map_err(|e| PolicyError {
                    source: path.clone(),
                    message: tidy_engine_error(&e.to_string()),
                })?;
        }
        Ok(testing::run(&mut engine, &tests))
    }

    /// `file:line:col` of the first line of `text` that starts with `word` in the module
    /// `source` (or just `source` when unknown), for errors that point into a policy.
    fn position(&self, source: &str, word: &str) -> String {
        self.modules
            .iter()
            .find(|(p, _)| p == source)
            .and_then(|(_, text)| position_of(text, word).or_else(|| position_of(text, "package")))
            .map_or_else(|| source.to_string(), |(l, c)| format!("{source}:{l}:{c}"))
    }

    fn add_module(&mut self, path: &str, text: &str) -> Result<(), PolicyError> {
        self.engine
            .add_policy(path.to_string(), text.to_string())
            .map_err(|e| PolicyError {
                source: path.to_string(),
                message: tidy_engine_error(&e.to_string()),
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
        let at = self.position(source, "metadata");
        let err = |message: String| PolicyError {
            source: at.clone(),
            message,
        };
        let defines_metadata = self
            .modules
            .iter()
            .any(|(p, text)| p == source && position_of(text, "metadata").is_some());
        if !defines_metadata {
            return Err(err(format!(
                "package `{}` defines no `metadata` rule (every rule needs one: see docs/writing-policies.md)",
                &package[5..]
            )));
        }
        let value = self
            .engine
            .eval_rule(format!("{package}.metadata"))
            .map_err(|e| {
                err(format!(
                    "cannot evaluate `metadata`: {}",
                    tidy_engine_error(&e.to_string())
                ))
            })?;
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
        self.evaluate_selected(engine, input, with_settings, &|_| true)
    }

    /// [`evaluate`](Self::evaluate), for the rules `selected` accepts only (the config
    /// can disable rules).
    pub fn evaluate_selected(
        &self,
        engine: &mut Engine,
        input: &Input,
        with_settings: bool,
        selected: &dyn Fn(&RuleMeta) -> bool,
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
        for (index, rule) in self.rules.iter().enumerate() {
            if (rule.online && !with_settings) || !selected(rule) {
                continue;
            }
            match engine.eval_rule(format!("{}.findings", rule.package)) {
                Ok(regorus::Value::Undefined) => {}
                Ok(value) => match serde_json::to_value(&value) {
                    Ok(json) => match decode::raw_findings(index, &json) {
                        Ok(mut f) => findings.append(&mut f),
                        Err(message) => errors.push(PolicyError {
                            source: self.position(&rule.source, "findings"),
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
                    source: self.position(&rule.source, "findings"),
                    message: format!(
                        "rule `{}` failed: {}",
                        rule.id,
                        tidy_engine_error(&e.to_string())
                    ),
                }),
            }
        }
        (findings, errors)
    }
}

/// 1-based line and column of the first line starting with `word` (a rule head).
fn position_of(text: &str, word: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(i, l)| {
        let rest = l.strip_prefix(word)?;
        rest.starts_with(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .then_some((i + 1, 1))
    })
}

/// The `*.rego` files below `dir`, sorted: `(modules, tests)` as `(display path, text)`.
pub fn rego_files(dir: &Path) -> Result<RegoFiles, PolicyError> {
    let display = crate::discover::display_path(dir);
    if !dir.is_dir() {
        return Err(PolicyError {
            source: display,
            message: "not a directory of policies".into(),
        });
    }
    let mut modules = Vec::new();
    let mut tests = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| PolicyError {
            source: display.clone(),
            message: e.to_string(),
        })?;
        let p = entry.path();
        if !entry.file_type().is_file() || p.extension().is_none_or(|x| x != "rego") {
            continue;
        }
        let shown = crate::discover::display_path(p);
        let text = std::fs::read_to_string(p).map_err(|e| PolicyError {
            source: shown.clone(),
            message: format!("cannot read: {e}"),
        })?;
        if p.file_stem()
            .is_some_and(|s| s.to_string_lossy().ends_with("_test"))
        {
            tests.push((shown, text));
        } else {
            modules.push((shown, text));
        }
    }
    Ok((modules, tests))
}

/// `(modules, tests)`, each `(path, text)`.
pub type RegoFiles = (Vec<(String, String)>, Vec<(String, String)>);

/// regorus reports `\n--> file:line:col\n<snippet>\nerror: what`; put the `what` first
/// so that the one-line form reads `file: what` and the snippet follows.
fn tidy_engine_error(message: &str) -> String {
    let message = message.trim();
    match message.rsplit_once("\nerror: ") {
        Some((snippet, what)) if snippet.trim_start().starts_with("-->") => {
            format!("{}\n{}", what.trim(), snippet.trim_end())
        }
        _ => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_policy_dirs_split_modules_from_tests_recursively() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/policies");
        let (modules, tests) = rego_files(&root).unwrap();
        assert!(modules
            .iter()
            .any(|(p, _)| p.ends_with("ecr-only/ecr-only.rego")));
        assert!(modules.iter().all(|(p, _)| !p.ends_with("_test.rego")));
        assert!(tests
            .iter()
            .any(|(p, _)| p.ends_with("ecr-only/ecr-only_test.rego")));
        assert!(rego_files(&root.join("nope")).is_err());
    }

    #[test]
    fn engine_errors_read_message_first_then_snippet() {
        let raw = "\n--> a.rego:7:1\n  |\n7 | x\n  | ^\nerror: expecting `}`";
        assert_eq!(
            tidy_engine_error(raw),
            "expecting `}`\n--> a.rego:7:1\n  |\n7 | x\n  | ^"
        );
        assert_eq!(tidy_engine_error("plain"), "plain");
    }

    #[test]
    fn user_rules_join_the_set_without_a_doc_url() {
        let mut set = PolicySet::builtin().unwrap();
        let before = set.rules().len();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/policies/ecr-only");
        set.add_user_policies(&dir).unwrap();
        assert_eq!(set.rules().len(), before + 1);
        let rule = set.rule("ecr-only").unwrap();
        assert!(!rule.builtin);
        assert_eq!(rule.doc_url(), "");
        // The same files again (`--policy DIR` and `policies: [DIR]`) are loaded once.
        set.add_user_policies(&dir).unwrap();
        assert_eq!(set.rules().len(), before + 1);
        // Another rule with the same id is an error.
        let tmp = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(dir.join("ecr-only.rego")).unwrap();
        std::fs::write(
            tmp.path().join("copy.rego"),
            text.replace("Image", "Picture"),
        )
        .unwrap();
        let err = set.add_user_policies(tmp.path()).unwrap_err();
        assert!(
            err.message.contains("duplicate rule id `ecr-only`"),
            "{err}"
        );
        assert!(err.source.ends_with("copy.rego:3:1"), "{err}");
    }
}
