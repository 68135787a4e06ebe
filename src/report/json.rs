//! `--format json`: one stable JSON object (documented in `docs/output.md`).
//! Fields are only ever added, never renamed or removed, within a `version`.

use serde::Serialize;

use super::Counts;
use crate::audit::graph::PipelineGraph;
use crate::audit::AuditReport;
use crate::finding::{FileLocation, Finding, InputError, Location};

/// The document's `version`: raised only when a field is renamed or removed.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError<'a>>,
    /// What was not audited, and why (never changes the exit code).
    notices: Vec<JsonError<'a>>,
    /// Findings silenced by ignores (inline comments, config `ignore:`).
    ignored: Vec<JsonIgnored<'a>>,
    /// Every audited repository (so that `shiplint merge` and `--resume` know them all,
    /// including those without findings).
    repositories: Vec<JsonRepository<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonRepository<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<&'a str>,
    files: usize,
    settings_evaluated: bool,
    /// The pipeline graph (JSON reports carry it so that merged reports can draw it).
    #[serde(skip_serializing_if = "Option::is_none")]
    graph: Option<&'a PipelineGraph>,
}

#[derive(Serialize)]
struct JsonIgnored<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    reason: &'a str,
    ignored_by: &'a str,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    /// For repository-settings findings, which have no file.
    #[serde(skip_serializing_if = "Option::is_none")]
    setting: Option<&'a str>,
    /// The file's text around the location, so that reports made from this one (`merge`,
    /// `--resume`) give the snippets and fingerprints the audit gave.
    #[serde(skip_serializing_if = "Option::is_none")]
    excerpt: Option<JsonExcerpt<'a>>,
}

#[derive(Serialize)]
struct JsonExcerpt<'a> {
    /// The location's first line, whole.
    line_text: &'a str,
    /// Which of the file's lines with that trimmed text it is (1 for the first).
    occurrence: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a str>,
}

impl<'a> JsonExcerpt<'a> {
    fn of(f: &'a FileLocation) -> Option<JsonExcerpt<'a>> {
        let e = f.excerpt.as_deref()?;
        Some(JsonExcerpt {
            line_text: &f.line_text,
            occurrence: e.occurrence,
            snippet: e.snippet.as_deref(),
            context_line: e.context.as_ref().map(|(line, _)| *line),
            context: e.context.as_ref().map(|(_, text)| text.as_str()),
        })
    }
}

impl<'a> From<&'a Location> for JsonLocation<'a> {
    fn from(l: &'a Location) -> Self {
        match l {
            Location::File(f) => JsonLocation {
                file: Some(&f.file),
                line: Some(f.line),
                column: Some(f.column),
                end_line: Some(f.end_line),
                end_column: Some(f.end_column),
                setting: None,
                excerpt: JsonExcerpt::of(f),
            },
            Location::Setting(s) => JsonLocation {
                file: None,
                line: None,
                column: None,
                end_line: None,
                end_column: None,
                setting: Some(s),
                excerpt: None,
            },
        }
    }
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    #[serde(flatten)]
    location: JsonLocation<'a>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'static str,
    title: &'a str,
    message: &'a str,
    repository: &'a str,
    #[serde(flatten)]
    location: JsonLocation<'a>,
    related: Vec<JsonRelated<'a>>,
    help: &'a str,
    doc_url: &'a str,
}

#[derive(Serialize)]
struct JsonError<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    message: &'a str,
    /// What failed (`input`, `policy`, `config`); absent for notices, which are not failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
}

#[derive(Serialize)]
struct Summary {
    repositories: usize,
    files: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    input_errors: usize,
    notices: usize,
    settings_evaluated: bool,
    ignored: usize,
    baseline_suppressed: usize,
    below_min_severity: usize,
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule: &f.rule,
        severity: f.severity.as_str(),
        title: &f.title,
        message: &f.message,
        repository: &f.repository,
        location: (&f.location).into(),
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                location: (&r.location).into(),
                message: &r.message,
            })
            .collect(),
        help: &f.help,
        doc_url: &f.doc_url,
    }
}

/// One finding as the JSON report writes it (for the trace report's findings).
pub fn finding_json(f: &Finding) -> serde_json::Value {
    serde_json::to_value(finding(f)).unwrap_or_default()
}

/// An input error (`kind: "input"`) or a notice (`kind: None`: the two share a shape).
fn placed<'a>(e: &'a InputError, kind: Option<&'static str>) -> JsonError<'a> {
    JsonError {
        repository: e.repository.as_deref(),
        file: e.file.as_deref(),
        line: e.line,
        column: e.column,
        message: &e.message,
        kind,
    }
}

/// Everything that could not be audited, in one list: input errors, then policy errors,
/// then config errors, each with its `kind`.
fn errors(report: &AuditReport) -> Vec<JsonError<'_>> {
    let mut errors: Vec<JsonError> = report
        .errors
        .iter()
        .map(|e| placed(e, Some("input")))
        .collect();
    errors.extend(report.policy_errors.iter().map(|e| JsonError {
        repository: None,
        file: Some(&e.source),
        line: None,
        column: None,
        message: &e.message,
        kind: Some("policy"),
    }));
    errors.extend(report.config_errors.iter().map(|e| JsonError {
        repository: None,
        file: Some(&e.file),
        line: Some(e.line),
        column: Some(e.column),
        message: &e.message,
        kind: Some("config"),
    }));
    errors
}

/// The report as one pretty-printed JSON document (`docs/output.md`).
pub fn render(report: &AuditReport) -> String {
    let c = Counts::of(report);
    let errors = errors(report);
    let doc = Document {
        version: FORMAT_VERSION,
        tool: Tool {
            name: "shiplint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: report.findings.iter().map(finding).collect(),
        ignored: report
            .ignored
            .iter()
            .map(|i| JsonIgnored {
                finding: finding(&i.finding),
                reason: &i.reason,
                ignored_by: &i.by,
            })
            .collect(),
        repositories: report
            .repos
            .iter()
            .map(|r| JsonRepository {
                name: &r.display,
                slug: r.slug.as_deref(),
                files: r.files,
                settings_evaluated: r.settings_evaluated,
                graph: r.graph.as_deref(),
            })
            .collect(),
        summary: Summary {
            repositories: report.repos.len(),
            files: report.files_audited(),
            findings: report.findings.len(),
            errors: c.errors,
            warnings: c.warnings,
            notes: c.notes,
            input_errors: errors.len(),
            notices: report.notices.len(),
            settings_evaluated: report.settings_evaluated(),
            ignored: report.ignored.len(),
            baseline_suppressed: report.baseline_suppressed,
            below_min_severity: report.below_min_severity,
        },
        errors,
        notices: report.notices.iter().map(|n| placed(n, None)).collect(),
    };
    let mut s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}
