//! Terminal diagnostics in the style of rustc, rendered with miette: the YAML snippet with
//! the offending key or value labelled, the rule id, help and a link to the rule's page.
//! Everything taken from the audited inputs (messages, file names, the snippets' text)
//! passes through [`crate::escape`]: no control character reaches the terminal raw.

use std::fmt::{self, Display};
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::snippet::{join_chunks, Snippet};
use super::{plural, Counts};
use crate::audit::AuditReport;
use crate::config::ConfigError;
use crate::escape;
use crate::finding::{Finding, InputError, Location, Severity};

/// A file's text as a snippet source ([`Snippet`]: named safely, unsafe characters
/// replaced, each labelled line with its own few lines).
fn named_source(name: &str, text: &Arc<str>) -> Snippet {
    Snippet::new(name, text)
}

#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    /// ANSI colours in the snippets.
    pub color: bool,
    /// Columns to wrap diagnostics at.
    pub width: usize,
    /// List the findings that ignores silenced (`--show-ignored`).
    pub show_ignored: bool,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
            show_ignored: false,
        }
    }
}

/// One finding as a miette diagnostic. Related locations in the same file become
/// secondary labels; those in other files become related diagnostics with their own snippet.
#[derive(Debug)]
struct FindingDiagnostic {
    rule: String,
    message: String,
    severity: Severity,
    help: String,
    url: String,
    source: Option<Snippet>,
    labels: Vec<LabeledSpan>,
    related: Vec<RelatedDiagnostic>,
}

#[derive(Debug)]
struct RelatedDiagnostic {
    message: String,
    source: Snippet,
    label: LabeledSpan,
}

impl Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for FindingDiagnostic {}

impl Display for RelatedDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for RelatedDiagnostic {}

impl Diagnostic for RelatedDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        Some(Box::new(&self.rule))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        (!self.help.is_empty()).then(|| Box::new(&self.help) as Box<dyn Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        (!self.url.is_empty()).then(|| Box::new(&self.url) as Box<dyn Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty()).then(|| Box::new(self.labels.iter().cloned()) as Box<_>)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        (!self.related.is_empty())
            .then(|| Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)) as Box<_>)
    }
}

fn source_name(report: &AuditReport, repository: &str, file: &str) -> String {
    // Standard input has no folder: `<stdin>` alone.
    let folderless = repository == crate::source::stdin::DISPLAY;
    if !folderless && (report.repos.len() > 1 || repository != ".") {
        format!("{}/{file}", repository.trim_end_matches('/'))
    } else {
        file.to_string()
    }
}

/// `OWNER/NAME` of a finding's repository, when known.
fn slug<'a>(report: &'a AuditReport, f: &Finding) -> Option<&'a str> {
    report
        .repos
        .iter()
        .find(|r| r.display == f.repository)?
        .slug
        .as_deref()
}

/// The GitHub page where a setting finding is fixed, when the repository's owner and name
/// are known (`…/settings/branches`, `…/settings/environments`, `…/settings/rules`).
fn settings_page(report: &AuditReport, f: &Finding) -> Option<String> {
    let Location::Setting(setting) = &f.location else {
        return None;
    };
    let slug = slug(report, f)?;
    let base = format!("https://github.com/{slug}/settings");
    Some(match setting.split('/').next().unwrap_or_default() {
        // The deployment history: the repository's deployments page.
        "deployments" | "history" => format!("https://github.com/{slug}/deployments"),
        "branches" => format!("{base}/branches"),
        "environments" => format!("{base}/environments"),
        "rulesets" => format!("{base}/rules"),
        _ => base,
    })
}

fn diagnostic(report: &AuditReport, f: &Finding) -> FindingDiagnostic {
    let mut d = FindingDiagnostic {
        rule: escape::line(&f.rule).into_owned(),
        message: escape::line(&match &f.location {
            Location::Setting(s) => format!(
                "{} ({}: {s})",
                f.message,
                slug(report, f).unwrap_or(&f.repository)
            ),
            Location::File(_) => f.message.clone(),
        })
        .into_owned(),
        severity: f.severity,
        help: escape::lines(&match (&f.location, settings_page(report, f)) {
            (Location::Setting(s), Some(page))
                if s.starts_with("deployments") || s.starts_with("history") =>
            {
                format!("{}\ndeployments: {page}", f.help)
            }
            (Location::Setting(_), Some(page)) => format!("{}\nsettings page: {page}", f.help),
            _ => f.help.clone(),
        })
        .into_owned(),
        url: escape::line(&f.doc_url).into_owned(),
        source: None,
        labels: Vec::new(),
        related: Vec::new(),
    };
    let Location::File(at) = &f.location else {
        // A setting has no snippet: the files that explain it (the jobs a merge gate
        // misses) are related diagnostics.
        add_related(report, f, None, &mut d);
        return d;
    };
    let name = source_name(report, &f.repository, &at.file);
    let Some(text) = report.source(&f.repository, &at.file) else {
        // No text to quote (a JSON report without excerpts): the place, as rustc puts it.
        let place = format!("{name}:{}:{}", at.line, at.column);
        d.message = format!("{}: {}", escape::line(&place), d.message);
        return d;
    };
    d.source = Some(named_source(&name, text));
    d.labels.push(LabeledSpan::new_primary_with_span(
        Some(escape::line(&f.title.to_lowercase()).into_owned()),
        (at.span.start, at.span.end - at.span.start),
    ));
    add_related(report, f, Some(&at.file), &mut d);
    d
}

/// The related locations of a finding: labels in the finding's own file (`primary`),
/// related diagnostics with their own snippet in other files.
fn add_related(
    report: &AuditReport,
    f: &Finding,
    primary: Option<&str>,
    d: &mut FindingDiagnostic,
) {
    for r in &f.related {
        let Location::File(rl) = &r.location else {
            continue;
        };
        let span = (rl.span.start, rl.span.end - rl.span.start);
        let message = escape::line(&r.message).into_owned();
        if primary == Some(rl.file.as_str()) {
            d.labels
                .push(LabeledSpan::new_with_span(Some(message), span));
        } else if let Some(rtext) = report.source(&f.repository, &rl.file) {
            d.related.push(RelatedDiagnostic {
                message: message.clone(),
                source: named_source(&source_name(report, &f.repository, &rl.file), rtext),
                label: LabeledSpan::new_with_span(Some(message), span),
            });
        }
    }
}

/// The miette handler of the report's diagnostics.
fn handler(opts: HumanOptions) -> GraphicalReportHandler {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        .with_context_lines(1)
}

/// Every finding as a diagnostic, without the summary line (the trace report's findings).
pub fn diagnostics(report: &AuditReport, opts: HumanOptions) -> String {
    render_findings(report, &handler(opts))
}

fn render_findings(report: &AuditReport, handler: &GraphicalReportHandler) -> String {
    let mut out = String::new();
    // A rule's help is the same for every finding: said at its first one only.
    let mut helped = std::collections::BTreeSet::new();
    for f in &report.findings {
        let mut d = diagnostic(report, f);
        if !helped.insert(f.rule.as_str()) {
            d.help.clear();
        }
        let mut one = String::new();
        if handler.render_report(&mut one, &d).is_err() {
            one = format!("{}: {} [{}]\n", f.severity, d.message, d.rule);
        }
        let line = f.location.file().map_or(0, |at| at.line);
        out.push_str(&join_chunks(&one, line));
        out.push('\n');
    }
    out
}

/// Renders every finding and the summary line.
pub fn render(report: &AuditReport, opts: HumanOptions) -> String {
    let handler = handler(opts);
    let mut out = render_findings(report, &handler);
    if opts.show_ignored {
        out.push_str(&render_ignored(report));
    }
    out.push_str(&super::tally::render(report));
    out.push_str(&summary(report));
    out.push('\n');
    out
}

/// The ignored findings, one line each with the reason and what silenced them.
pub fn render_ignored(report: &AuditReport) -> String {
    let mut out = String::new();
    for i in &report.ignored {
        let f = &i.finding;
        let place = match &f.location {
            Location::File(l) => format!(
                "{}:{}:{}",
                source_name(report, &f.repository, &l.file),
                l.line,
                l.column
            ),
            Location::Setting(s) => format!("{} {s}", f.repository),
        };
        let reason = if i.reason.is_empty() {
            "no reason given"
        } else {
            &i.reason
        };
        let line = format!(
            "ignored: {place}: {} [{}] — {reason} ({})",
            f.message, f.rule, i.by
        );
        out.push_str(&escape::line(&line));
        out.push('\n');
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Mistakes in config files as miette diagnostics (a snippet with the span), for stderr.
pub fn render_config_errors(report: &AuditReport, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    for e in &report.config_errors {
        let shown = ConfigDiagnostic::of(e);
        if handler.render_report(&mut out, &shown).is_err() {
            let line = format!("error: {}:{}:{}: {}", e.file, e.line, e.column, e);
            out.push_str(&escape::line(&line));
            out.push('\n');
        }
    }
    out
}

/// A config mistake as shown: its message, file name and snippet made safe to print.
#[derive(Debug)]
struct ConfigDiagnostic<'a> {
    error: &'a ConfigError,
    message: String,
    source: Option<Snippet>,
}

impl<'a> ConfigDiagnostic<'a> {
    fn of(error: &'a ConfigError) -> ConfigDiagnostic<'a> {
        let text = error.text();
        ConfigDiagnostic {
            error,
            message: escape::line(&error.message).into_owned(),
            source: (!text.is_empty()).then(|| named_source(&error.file, text)),
        }
    }
}

impl Display for ConfigDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for ConfigDiagnostic<'_> {}

impl Diagnostic for ConfigDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn Display + 'b>> {
        self.error.code()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn Display + 'b>> {
        self.error.help()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref().and(self.error.labels())
    }
}

/// Where an input error or notice is, prefixed by its repository when that is not `.`.
fn placed(e: &InputError) -> String {
    let where_ = match (&e.repository, &e.file) {
        (Some(r), Some(_)) if r != "." && r != crate::source::stdin::DISPLAY => format!("{r}/"),
        // A repository that could not be audited at all (org sweeps).
        (Some(r), None) if r != "." => format!("{r}: "),
        _ => String::new(),
    };
    escape::line(&format!("{where_}{e}")).into_owned()
}

/// The input and policy errors, one line each, for stderr.
pub fn render_errors(report: &AuditReport) -> String {
    let mut out = String::new();
    for e in &report.errors {
        out.push_str(&format!("error: {}\n", placed(e)));
    }
    for e in &report.policy_errors {
        out.push_str(&format!(
            "error: policy {}\n",
            escape::lines(&e.to_string())
        ));
    }
    out
}

/// The notices (what was not audited, and why), one line each, for stderr.
pub fn render_notices(report: &AuditReport) -> String {
    report
        .notices
        .iter()
        .map(|n| format!("notice: {}\n", placed(n)))
        .collect()
}

/// `shiplint: 2 errors, 1 warning in 7 files of 1 repository; 1 input error`
pub fn summary(report: &AuditReport) -> String {
    let c = Counts::of(report);
    let total = c.errors + c.warnings + c.notes;
    let mut s = if total == 0 {
        "shiplint: no findings".to_string()
    } else {
        let mut parts = vec![
            plural(c.errors, "error", "errors"),
            plural(c.warnings, "warning", "warnings"),
        ];
        if c.notes > 0 {
            parts.push(plural(c.notes, "note", "notes"));
        }
        format!("shiplint: {}", parts.join(", "))
    };
    s.push_str(&format!(
        " in {} of {}",
        plural(report.files_audited(), "file", "files"),
        plural(report.repos.len(), "repository", "repositories")
    ));
    if !report.ignored.is_empty() {
        s.push_str(&format!("; {} ignored", report.ignored.len()));
    }
    if report.baseline_suppressed > 0 {
        s.push_str(&format!(
            "; {} suppressed by the baseline",
            plural(report.baseline_suppressed, "finding", "findings")
        ));
    }
    if report.below_min_severity > 0 {
        s.push_str(&format!(
            "; {} below --min-severity not shown",
            plural(report.below_min_severity, "finding", "findings")
        ));
    }
    let problems = report.errors.len() + report.policy_errors.len() + report.config_errors.len();
    if problems > 0 {
        s.push_str(&format!(
            "; {} could not be audited (see above)",
            plural(problems, "input", "inputs")
        ));
    }
    if !report.notices.is_empty() {
        s.push_str(&format!(
            "; {} (see above)",
            plural(report.notices.len(), "notice", "notices")
        ));
    }
    if !report.settings_evaluated() {
        s.push_str(
            "\n          repository-settings rules not evaluated (no settings: pass --settings FILE, or set GH_TOKEN to read them from GitHub)",
        );
    }
    s
}
