//! What the policies found, located in the audited files.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::yaml::Span;

/// How bad a finding is. Ordered so that `Error > Warning > Note`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity that is none of `error`, `warning`, `note`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity `{0}` (expected error, warning or note)")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "note" => Ok(Severity::Note),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(UnknownSeverity(other.to_string())),
        }
    }
}

/// A place in a file: repo-relative path, byte span and 1-based line/column of both ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileLocation {
    pub file: String,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// The full text of the primary (first) line, for fingerprints that survive line moves.
    #[serde(skip)]
    pub line_text: String,
    /// The file's text around the location, taken when it was located (`None` in a report
    /// read from JSON that did not carry it).
    #[serde(skip)]
    pub excerpt: Option<Box<Excerpt>>,
}

/// The text of a file around a location, kept with the location so that every report
/// shows the same without the file: SARIF's snippets and fingerprints of an audit, of a
/// sweep that keeps no file texts, and of `merge` (the JSON report carries it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// The located text, when the span lies on character boundaries of the file.
    pub snippet: Option<String>,
    /// The lines around the location (one before its first line through one after its
    /// last), and the number of the first of them.
    pub context: Option<(usize, String)>,
    /// Which of the file's lines with the same trimmed text as the location's line it is
    /// (1 for the first): a fingerprint that survives lines moving above tells them apart.
    pub occurrence: usize,
}

impl Excerpt {
    /// The excerpt of `span` (lines `line` to `end_line`, 1-based) in `text`.
    pub fn of(text: &str, span: Span, line: usize, end_line: usize) -> Excerpt {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let first = line.saturating_sub(1).max(1);
        let last = (end_line.max(line) + 1).min(lines.len());
        let context = (first <= last).then(|| (first, lines[first - 1..last].concat()));
        let index = line.saturating_sub(1).min(lines.len().saturating_sub(1));
        let trimmed = |l: &str| l.trim().to_string();
        let content = lines.get(index).map(|l| trimmed(l)).unwrap_or_default();
        let occurrence = lines[..index]
            .iter()
            .filter(|l| trimmed(l) == content)
            .count()
            + 1;
        Excerpt {
            snippet: text.get(span.start..span.end).map(str::to_string),
            context,
            occurrence,
        }
    }
}

/// Where a finding points: a span in a file, or a repository setting (which has no file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(FileLocation),
    /// A repository setting, e.g. `branches/main/protection`.
    Setting(String),
}

impl Location {
    pub fn file(&self) -> Option<&FileLocation> {
        match self {
            Location::File(f) => Some(f),
            Location::Setting(_) => None,
        }
    }
}

/// A secondary location that explains the finding ("the scan job is here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// One violation of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub message: String,
    pub location: Location,
    pub related: Vec<Related>,
    /// How to fix it (the rule's remediation).
    pub help: String,
    pub doc_url: String,
    /// The repository's display name (a path for local audits).
    pub repository: String,
}

impl Finding {
    /// A stable identity for baselines: a hash of the repository-relative file (or the
    /// setting), the rule id, the message and the trimmed text of the primary line — not
    /// the line number, so moving code around keeps the fingerprint.
    pub fn fingerprint(&self) -> String {
        let (place, line) = match &self.location {
            Location::File(f) => (f.file.as_str(), f.line_text.trim()),
            Location::Setting(s) => (s.as_str(), ""),
        };
        let mut h = Fnv128::new();
        for part in [place, &self.rule, &self.message, line] {
            h.write(part.as_bytes());
            h.write(&[0]);
        }
        format!("{:032x}", h.0)
    }

    /// Sort key: repository, file, position, rule — the order every report uses.
    pub fn sort_key(&self) -> (String, String, usize, usize, String) {
        match &self.location {
            Location::File(f) => (
                self.repository.clone(),
                f.file.clone(),
                f.line,
                f.column,
                self.rule.clone(),
            ),
            Location::Setting(s) => (
                self.repository.clone(),
                format!("\u{10FFFF}{s}"),
                0,
                0,
                self.rule.clone(),
            ),
        }
    }
}

/// An input that could not be audited (or only partly): unreadable file, invalid YAML,
/// wrong types. Reported one line each; the rest of the work goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// Path as the user can find it (repo-relative when inside a repository).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub message: String,
    /// The repository the input belongs to, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
}

impl InputError {
    pub fn new(file: Option<String>, message: impl Into<String>) -> Self {
        InputError {
            file,
            line: None,
            column: None,
            message: message.into(),
            repository: None,
        }
    }

    pub fn at(file: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        InputError {
            file: Some(file.to_string()),
            line: Some(line),
            column: Some(column),
            message: message.into(),
            repository: None,
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line, self.column) {
            (Some(file), Some(l), Some(c)) => write!(f, "{file}:{l}:{c}: {}", self.message),
            (Some(file), _, _) => write!(f, "{file}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// Something the user should know that is neither a finding nor a failure: a YAML file
/// or a `uses:` reference that is not audited, and why. Same shape as an input error
/// (a place and a message); it never changes the exit code.
pub type Notice = InputError;

/// FNV-1a, 128 bits: stable across platforms and compiler versions (unlike `DefaultHasher`).
struct Fnv128(u128);

impl Fnv128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013b;

    fn new() -> Self {
        Fnv128(Self::OFFSET)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u128::from(*b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: usize, text: &str) -> Finding {
        Finding {
            rule: "unpinned-action".into(),
            severity: Severity::Warning,
            title: "t".into(),
            message: "m".into(),
            location: Location::File(FileLocation {
                file: ".github/workflows/ci.yml".into(),
                span: Span::default(),
                line,
                column: 9,
                end_line: line,
                end_column: 20,
                line_text: text.into(),
                excerpt: None,
            }),
            related: Vec::new(),
            help: String::new(),
            doc_url: String::new(),
            repository: ".".into(),
        }
    }

    #[test]
    fn fingerprint_ignores_line_numbers_and_indentation() {
        let a = finding(3, "      - uses: a/b@v1");
        let b = finding(30, "  - uses: a/b@v1  ");
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint().len(), 32);
        assert_ne!(a.fingerprint(), finding(3, "- uses: a/b@v2").fingerprint());
    }

    #[test]
    fn an_excerpt_holds_the_span_the_lines_around_and_the_occurrence_of_its_line() {
        let text = "a: 1\n  uses: x@main\nb: 2\n    uses: x@main\nc: 3\n";
        let start = text.rfind("x@main").unwrap();
        let span = Span {
            start,
            end: start + 6,
        };
        let e = Excerpt::of(text, span, 4, 4);
        assert_eq!(e.snippet.as_deref(), Some("x@main"));
        assert_eq!(
            e.context,
            Some((3, "b: 2\n    uses: x@main\nc: 3\n".into()))
        );
        assert_eq!(e.occurrence, 2);
        // The first line has no line before it; the last none after it.
        let first = Excerpt::of(text, Span { start: 0, end: 1 }, 1, 1);
        assert_eq!(first.context, Some((1, "a: 1\n  uses: x@main\n".into())));
        assert_eq!(first.occurrence, 1);
        let last = Excerpt::of("a: 1\nb: 2", Span { start: 5, end: 6 }, 2, 2);
        assert_eq!(last.context, Some((1, "a: 1\nb: 2".into())));
    }
}
