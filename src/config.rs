//! The configuration file: `.github/shiplint.yml` (or `shiplint.yml`, or `--config FILE`).
//!
//! ```yaml
//! rules:
//!   unpinned-action:
//!     severity: error
//!     params: {allow: ["actions/*"]}
//!   helm-not-atomic: {disable: true}
//! ignore:
//!   - {rule: static-cloud-credentials, path: ".github/workflows/legacy-*.yml", reason: "retired in Q3"}
//! policies: [ci/policies]
//! ```
//!
//! Parsed with our own YAML parser so that every mistake (unknown key, wrong type, unknown
//! rule id) is reported at its span in the file, as a miette diagnostic.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobMatcher};
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use serde_json::Value as Json;

use crate::finding::Severity;
use crate::policy::PolicySet;
use crate::yaml::{self, Node, Span, Value};

pub use crate::discover::CONFIG_FILES;

/// How the configuration is chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ConfigChoice {
    /// `.github/shiplint.yml` or `shiplint.yml` in each audited repository, when present.
    #[default]
    Discover,
    /// `--config FILE` for every repository.
    File(PathBuf),
    /// `--no-config`.
    None,
}

/// What one rule's entry under `rules:` says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleConfig {
    pub disable: bool,
    pub severity: Option<Severity>,
    /// Passed to the policy as `input.config["<id>"]`.
    pub params: Option<Json>,
}

/// One entry of `ignore:`.
#[derive(Debug, Clone)]
pub struct IgnoreEntry {
    /// A rule id, or `*` for every rule.
    pub rule: String,
    /// Glob of repository-relative file paths (`*` does not cross `/`, `**` does).
    pub path: Option<String>,
    glob: Option<GlobMatcher>,
    pub reason: String,
}

impl IgnoreEntry {
    /// Whether this entry silences a finding of `rule` in `file` (`None`: a setting).
    pub fn matches(&self, rule: &str, file: Option<&str>) -> bool {
        if self.rule != "*" && self.rule != rule {
            return false;
        }
        match (&self.glob, file) {
            (None, _) => true,
            (Some(g), Some(f)) => g.is_match(f),
            (Some(_), None) => false,
        }
    }
}

/// A parsed, validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from, as the user can find it (`None`: no config file).
    pub file: Option<String>,
    pub rules: BTreeMap<String, RuleConfig>,
    pub ignore: Vec<IgnoreEntry>,
    /// Directories of user policies, resolved.
    pub policies: Vec<PathBuf>,
    /// Rule ids as written (under `rules:` and in `ignore:`), to check once policies are known.
    rule_refs: Vec<(String, Span)>,
    /// Where each `policies:` entry is written.
    policy_spans: Vec<Span>,
    source: Option<Arc<str>>,
}

impl Config {
    /// The `input.config` document: `{"<rule-id>": params}` for every rule with params.
    pub fn input_json(&self) -> Json {
        Json::Object(
            self.rules
                .iter()
                .filter_map(|(id, r)| r.params.clone().map(|p| (id.clone(), p)))
                .collect(),
        )
    }

    pub fn is_disabled(&self, rule: &str) -> bool {
        self.rules.get(rule).is_some_and(|r| r.disable)
    }

    pub fn severity(&self, rule: &str) -> Option<Severity> {
        self.rules.get(rule).and_then(|r| r.severity)
    }

    /// `policies:` entries that are not directories, at their span.
    pub fn check_policy_dirs(&self) -> Vec<ConfigError> {
        let (Some(file), Some(source)) = (&self.file, &self.source) else {
            return Vec::new();
        };
        self.policies
            .iter()
            .zip(&self.policy_spans)
            .filter(|(dir, _)| !dir.is_dir())
            .map(|(dir, span)| {
                ConfigError::new(
                    file,
                    source.clone(),
                    *span,
                    format!(
                        "policy directory `{}` does not exist",
                        crate::discover::display_path(dir)
                    ),
                )
            })
            .collect()
    }

    /// Every rule id the config names must exist in `policies` (built-in or user).
    pub fn check_rule_ids(&self, policies: &PolicySet) -> Vec<ConfigError> {
        let (Some(file), Some(source)) = (&self.file, &self.source) else {
            return Vec::new();
        };
        self.rule_refs
            .iter()
            .filter(|(id, _)| id != "*" && policies.rule(id).is_none())
            .map(|(id, span)| {
                let known: Vec<&str> = policies.rules().iter().map(|r| r.id.as_str()).collect();
                let hint = crate::suggest::closest(id, &known)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                ConfigError::new(
                    file,
                    source.clone(),
                    *span,
                    format!("unknown rule `{id}`{hint}"),
                )
            })
            .collect()
    }

    /// Reads and parses a config file. `display` is how errors name it; relative
    /// `policies:` entries are resolved against `base`.
    pub fn load(path: &Path, display: &str, base: &Path) -> Result<Config, Vec<ConfigError>> {
        match Config::load_all(path, display, base) {
            (config, errors) if errors.is_empty() => Ok(config),
            (_, errors) => Err(errors),
        }
    }

    /// Like [`load`](Self::load), but returns what could be understood along with every
    /// mistake, so that one run can report them all (with unknown rule ids, checked later).
    pub fn load_all(path: &Path, display: &str, base: &Path) -> (Config, Vec<ConfigError>) {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse_all(display, &text, base),
            Err(e) => (
                Config::default(),
                vec![ConfigError::new(
                    display,
                    Arc::from(""),
                    Span::default(),
                    format!(
                        "cannot read the config file {display}: {}",
                        crate::config::io_reason(&e)
                    ),
                )],
            ),
        }
    }

    /// Parses config text (see the module documentation for the shape).
    pub fn parse(display: &str, text: &str, base: &Path) -> Result<Config, Vec<ConfigError>> {
        match Config::parse_all(display, text, base) {
            (config, errors) if errors.is_empty() => Ok(config),
            (_, errors) => Err(errors),
        }
    }

    /// Parses config text: what could be understood, and every structural mistake.
    pub fn parse_all(display: &str, text: &str, base: &Path) -> (Config, Vec<ConfigError>) {
        let source: Arc<str> = Arc::from(text);
        let mut config = Config {
            file: Some(display.to_string()),
            source: Some(source.clone()),
            ..Config::default()
        };
        let doc = match yaml::parse(text) {
            Ok(doc) => doc,
            Err(e) => {
                let error = ConfigError::new(
                    display,
                    source.clone(),
                    e.span,
                    format!("invalid YAML: {}", e.message),
                );
                return (config, vec![error]);
            }
        };
        let mut p = Parser {
            file: display,
            source: source.clone(),
            errors: Vec::new(),
        };
        let root = &doc.root;
        if root.is_null() {
            return (config, p.errors);
        }
        let Some(entries) = p.map(root, "the config file") else {
            return (config, p.errors);
        };
        for e in entries {
            match e.key.as_str() {
                "rules" => p.rules(&e.value, &mut config),
                "ignore" => p.ignores(&e.value, &mut config),
                "policies" => {
                    if let Some(items) = p.seq(&e.value, "`policies`") {
                        for item in items {
                            if let Some(dir) = p.string(item, "a `policies` entry") {
                                config.policies.push(base.join(dir));
                                config.policy_spans.push(item.span);
                            }
                        }
                    }
                }
                other => p.unknown(other, e.key_span, &["rules", "ignore", "policies"]),
            }
        }
        (config, p.errors)
    }
}

/// Finds the config of a repository rooted at `root`, if any.
pub fn discover(root: &Path) -> Option<PathBuf> {
    CONFIG_FILES
        .iter()
        .map(|f| root.join(f))
        .find(|p| p.is_file())
}

struct Parser<'a> {
    file: &'a str,
    source: Arc<str>,
    errors: Vec<ConfigError>,
}

impl Parser<'_> {
    fn error(&mut self, span: Span, message: String) {
        self.errors.push(ConfigError::new(
            self.file,
            self.source.clone(),
            span,
            message,
        ));
    }

    fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        self.error(
            node.span,
            format!("{what} must be {expected}, found a {}", node.type_name()),
        );
    }

    fn unknown(&mut self, key: &str, span: Span, allowed: &[&str]) {
        let hint = crate::suggest::closest(key, allowed)
            .map(|k| format!("did you mean `{k}`? "))
            .unwrap_or_default();
        self.error(
            span,
            format!(
                "unknown key `{key}` ({hint}expected one of: {})",
                allowed.join(", ")
            ),
        );
    }

    fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [yaml::Entry]> {
        let m = node.as_map();
        if m.is_none() {
            self.wrong_type(node, what, "a mapping");
        }
        m
    }

    fn seq<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        let s = node.as_seq();
        if s.is_none() {
            self.wrong_type(node, what, "a list");
        }
        s
    }

    fn string<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n str> {
        let s = node.as_str();
        if s.is_none() {
            self.wrong_type(node, what, "a string");
        }
        s
    }

    fn rules(&mut self, node: &Node, config: &mut Config) {
        if node.is_null() {
            return;
        }
        let Some(entries) = self.map(node, "`rules`") else {
            return;
        };
        for rule in entries {
            config.rule_refs.push((rule.key.clone(), rule.key_span));
            let what = format!("rules.{}", rule.key);
            let mut rc = RuleConfig::default();
            if !rule.value.is_null() {
                let Some(fields) = self.map(&rule.value, &format!("`{what}`")) else {
                    continue;
                };
                for f in fields {
                    match f.key.as_str() {
                        "disable" => match f.value.value {
                            Value::Bool(b) => rc.disable = b,
                            _ => {
                                self.wrong_type(&f.value, &format!("`{what}.disable`"), "a boolean")
                            }
                        },
                        "severity" => {
                            if let Some(s) = self.string(&f.value, &format!("`{what}.severity`")) {
                                match s.parse() {
                                    Ok(sev) => rc.severity = Some(sev),
                                    Err(m) => self.error(f.value.span, m.to_string()),
                                }
                            }
                        }
                        "params" => {
                            if self.map(&f.value, &format!("`{what}.params`")).is_some() {
                                rc.params = Some(f.value.to_json());
                            }
                        }
                        other => {
                            self.unknown(other, f.key_span, &["disable", "severity", "params"])
                        }
                    }
                }
            }
            config.rules.insert(rule.key.clone(), rc);
        }
    }

    fn ignores(&mut self, node: &Node, config: &mut Config) {
        if node.is_null() {
            return;
        }
        let Some(items) = self.seq(node, "`ignore`") else {
            return;
        };
        for item in items {
            let Some(fields) = self.map(item, "an `ignore` entry") else {
                continue;
            };
            let errors_before = self.errors.len();
            let (mut rule, mut path, mut reason) = (None, None, None);
            for f in fields {
                match f.key.as_str() {
                    "rule" => {
                        if let Some(r) = self.string(&f.value, "`ignore[].rule`") {
                            rule = Some(r.to_string());
                            config.rule_refs.push((r.to_string(), f.value.span));
                        }
                    }
                    "path" => {
                        if let Some(p) = self.string(&f.value, "`ignore[].path`") {
                            match GlobBuilder::new(p).literal_separator(true).build() {
                                Ok(g) => path = Some((p.to_string(), g.compile_matcher())),
                                Err(e) => {
                                    self.error(f.value.span, format!("invalid path glob: {e}"))
                                }
                            }
                        }
                    }
                    "reason" => {
                        if let Some(r) = self.string(&f.value, "`ignore[].reason`") {
                            if r.trim().is_empty() {
                                self.error(f.value.span, "`reason` must not be empty".into());
                            }
                            reason = Some(r.to_string());
                        }
                    }
                    other => self.unknown(other, f.key_span, &["rule", "path", "reason"]),
                }
            }
            let missing: Vec<&str> = [("rule", rule.is_none()), ("reason", reason.is_none())]
                .iter()
                .filter(|(_, m)| *m)
                .map(|(k, _)| *k)
                .collect();
            if !missing.is_empty() && self.errors.len() == errors_before {
                self.error(
                    item.span,
                    format!("an `ignore` entry needs `{}`", missing.join("` and `")),
                );
                continue;
            }
            if let (Some(rule), Some(reason)) = (rule, reason) {
                let (path, glob) = match path {
                    Some((p, g)) => (Some(p), Some(g)),
                    None => (None, None),
                };
                config.ignore.push(IgnoreEntry {
                    rule,
                    path,
                    glob,
                    reason,
                });
            }
        }
    }
}

/// Why a file could not be read, in words (the OS text without its `(os error N)`).
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        _ => e.to_string(),
    }
}

/// A mistake in a config file, at its span: rendered as a miette diagnostic.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub file: String,
    pub span: Span,
    pub line: usize,
    pub column: usize,
    pub message: String,
    source: NamedSource<Arc<str>>,
}

impl ConfigError {
    pub fn new(file: &str, text: Arc<str>, span: Span, message: String) -> ConfigError {
        let (line, column) = line_col(&text, span.start);
        ConfigError {
            file: file.to_string(),
            span,
            line,
            column,
            message,
            source: NamedSource::new(file, text).with_language("yaml"),
        }
    }

    /// The text of the config file (`""` when it could not be read), for renderers that
    /// show the snippet themselves.
    pub fn text(&self) -> &Arc<str> {
        self.source.inner()
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("shiplint::config"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(
            "the config file is documented in docs/config.md (JSON schema: docs/config.schema.json)",
        ))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        (!self.source.inner().is_empty()).then_some(&self.source as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.inner().is_empty() {
            return None;
        }
        let len = (self.span.end - self.span.start).max(1);
        let len = len.min(self.source.inner().len().saturating_sub(self.span.start));
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some("here".to_string()), (self.span.start, len)),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<ConfigError>> {
        Config::parse("shiplint.yml", text, Path::new("/repo"))
    }

    #[test]
    fn a_full_config_parses() {
        let c = parse(
            "rules:\n  unpinned-action:\n    severity: error\n    params: {allow: [\"actions/*\"]}\n  helm-not-atomic: {disable: true}\nignore:\n  - {rule: static-cloud-credentials, path: \".github/workflows/legacy-*.yml\", reason: old}\npolicies: [ci/policies]\n",
        )
        .unwrap();
        assert_eq!(c.severity("unpinned-action"), Some(Severity::Error));
        assert!(c.is_disabled("helm-not-atomic"));
        assert_eq!(
            c.input_json(),
            serde_json::json!({"unpinned-action": {"allow": ["actions/*"]}})
        );
        assert!(c.ignore[0].matches(
            "static-cloud-credentials",
            Some(".github/workflows/legacy-a.yml")
        ));
        assert!(!c.ignore[0].matches(
            "static-cloud-credentials",
            Some(".github/workflows/x/legacy-a.yml")
        ));
        assert!(!c.ignore[0].matches("unpinned-action", Some(".github/workflows/legacy-a.yml")));
        assert_eq!(c.policies, vec![PathBuf::from("/repo/ci/policies")]);
    }

    #[test]
    fn empty_file_is_an_empty_config() {
        let c = parse("# nothing yet\n").unwrap();
        assert!(c.rules.is_empty() && c.ignore.is_empty());
    }

    #[test]
    fn mistakes_are_reported_at_their_span() {
        let errors =
            parse("rulez: {}\nrules:\n  x:\n    severity: fatal\n    disable: yes please\n")
                .unwrap_err();
        let msgs: Vec<String> = errors
            .iter()
            .map(|e| format!("{}:{} {}", e.line, e.column, e.message))
            .collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(
            msgs[0].starts_with("1:1 unknown key `rulez` (did you mean `rules`?"),
            "{msgs:?}"
        );
        assert!(
            msgs[1].starts_with("4:15 unknown severity `fatal`"),
            "{msgs:?}"
        );
        assert!(
            msgs[2].starts_with("5:14 `rules.x.disable` must be a boolean"),
            "{msgs:?}"
        );
    }

    #[test]
    fn ignore_entries_need_rule_and_reason() {
        let errors = parse("ignore:\n  - path: a.yml\n").unwrap_err();
        assert!(errors[0].message.contains("needs `rule` and `reason`"));
    }
}
