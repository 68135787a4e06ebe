//! `--format markdown`: a GitHub job summary (`>> $GITHUB_STEP_SUMMARY`) with the counts,
//! a findings table (rule linked to its page) and, per repository, a Mermaid flowchart of
//! the pipeline: triggers → workflows → jobs along `needs:`, each job labelled with its
//! roles (build / scan / deploy to an environment) as the policy library classifies them
//! (`data.shiplint.lib.graph.jobs`, evaluated with the audit: see
//! [`crate::audit::graph`]). Jobs where a finding points, and `needs:`/call edges
//! that a finding relates, are marked `bad`. The output depends only on the report, so
//! remote, swept and merged audits draw their pipelines too.
//!
//! Every name from a workflow is quoted for where it goes: Mermaid labels as entities
//! ([`label`]), names in text as code spans ([`code`]), table cells on one line
//! ([`cell`]), links only to `http(s)` ([`super::safe_link`]). A job id holding a fence
//! cannot end the `mermaid` block, nor a message add Markdown of its own lines.

mod flowchart;

use std::fmt::Write as _;

use super::{plural, safe_link, workspace_path, Counts};
use crate::audit::AuditReport;
use crate::escape;
use crate::finding::{Finding, Location, Severity};

pub use flowchart::flowchart;

/// Rows of the findings table before it is cut (the job summary is limited to 1 MiB).
pub const MAX_TABLE_ROWS: usize = 500;

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🔴 error",
        Severity::Warning => "🟠 warning",
        Severity::Note => "🔵 note",
    }
}

/// A table cell: one line (line breaks become spaces, other control characters visible
/// escapes), `|` escaped.
pub(crate) fn cell(s: &str) -> String {
    let s = s.replace("\r\n", " ").replace(['\n', '\r'], " ");
    escape::line(&s).replace('|', "\\|")
}

/// Text inside a quoted Mermaid label: on one line, and every character Mermaid or
/// Markdown reads (`#` of entities first, then quotes, brackets, backticks) as an entity.
fn label(s: &str) -> String {
    escape::line(s)
        .replace('#', "#35;")
        .replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('`', "#96;")
}

/// A code span holding `s` on one line: fenced by more backticks than any run inside it
/// (CommonMark), so that no backtick of `s` ends it.
pub(crate) fn code(s: &str) -> String {
    let s = escape::line(&s.replace(['\n', '\r'], " ")).into_owned();
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

fn location_cell(f: &Finding) -> String {
    match &f.location {
        Location::File(at) => code(&format!(
            "{}:{}",
            workspace_path(&f.repository, &at.file),
            at.line
        )),
        Location::Setting(s) => format!("{} setting {}", escape::line(&f.repository), code(s)),
    }
}

/// A rule's id, linked to its page when that is an `http(s)` address.
fn rule_link(f: &Finding) -> String {
    match safe_link(&f.doc_url) {
        Some(url) => format!("[{}]({url})", code(&f.rule)),
        None => code(&f.rule),
    }
}

fn table(report: &AuditReport) -> String {
    let mut out = String::from("| Severity | Rule | Location | Message |\n|---|---|---|---|\n");
    for f in report.findings.iter().take(MAX_TABLE_ROWS) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            icon(f.severity),
            cell(&rule_link(f)),
            cell(&location_cell(f)),
            cell(&f.message)
        );
    }
    if report.findings.len() > MAX_TABLE_ROWS {
        let _ = writeln!(
            out,
            "\n… and {} more (see the SARIF or JSON report).",
            report.findings.len() - MAX_TABLE_ROWS
        );
    }
    out
}

/// The whole job summary: counts, what could not be audited, the findings table and each
/// repository's pipeline.
pub fn render(report: &AuditReport) -> String {
    let c = Counts::of(report);
    let mut out = String::from("## shiplint\n\n");
    let _ = writeln!(
        out,
        "**{}**, **{}**, **{}** in {} of {}{}.\n",
        plural(c.errors, "error", "errors"),
        plural(c.warnings, "warning", "warnings"),
        plural(c.notes, "note", "notes"),
        plural(report.files_audited(), "file", "files"),
        plural(report.repos.len(), "repository", "repositories"),
        not_shown(report),
    );
    if !report.settings_evaluated() {
        out.push_str("_Repository-settings rules were not evaluated (offline: no settings)._\n\n");
    }
    out.push_str(&problems(report));
    out.push_str(&notices(report));
    if c.errors + c.warnings + c.notes > 0 {
        out.push_str("### Findings\n\n");
        out.push_str(&table(report));
        out.push('\n');
    }
    out.push_str(&pipelines(report));
    out
}

/// What the counts leave out, as the human summary says it: `; 2 ignored; 1 finding
/// suppressed by the baseline; 3 findings below --min-severity not shown`.
fn not_shown(report: &AuditReport) -> String {
    let mut s = String::new();
    if !report.ignored.is_empty() {
        let _ = write!(s, "; {} ignored", report.ignored.len());
    }
    if report.baseline_suppressed > 0 {
        let n = plural(report.baseline_suppressed, "finding", "findings");
        let _ = write!(s, "; {n} suppressed by the baseline");
    }
    if report.below_min_severity > 0 {
        let n = plural(report.below_min_severity, "finding", "findings");
        let _ = write!(s, "; {n} below --min-severity not shown");
    }
    s
}

/// The inputs that could not be audited: config mistakes, input and policy errors.
fn problems(report: &AuditReport) -> String {
    let problems: Vec<String> = report
        .config_errors
        .iter()
        .map(|e| format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message))
        .chain(
            report
                .errors
                .iter()
                .map(|e| match (&e.repository, &e.file) {
                    (Some(r), Some(_)) => format!("{} ({r})", e),
                    _ => e.to_string(),
                }),
        )
        .chain(report.policy_errors.iter().map(|e| format!("policy {e}")))
        .collect();
    let mut out = String::new();
    if !problems.is_empty() {
        let _ = writeln!(
            out,
            "### Could not be audited ({})\n",
            plural(problems.len(), "input", "inputs")
        );
        for p in &problems {
            let _ = writeln!(out, "- {}", cell(p));
        }
        out.push('\n');
    }
    out
}

/// What was not audited, and why.
fn notices(report: &AuditReport) -> String {
    let mut out = String::new();
    if !report.notices.is_empty() {
        let _ = writeln!(
            out,
            "### Not audited ({})\n",
            plural(report.notices.len(), "notice", "notices")
        );
        for n in &report.notices {
            let text = match (&n.repository, &n.file) {
                (Some(r), Some(_)) => format!("{n} ({r})"),
                _ => n.to_string(),
            };
            let _ = writeln!(out, "- {}", cell(&text));
        }
        out.push('\n');
    }
    out
}

/// One flowchart per repository that has workflows, with its findings marked.
fn pipelines(report: &AuditReport) -> String {
    let mut out = String::new();
    for repo in &report.repos {
        let Some(graph) = repo.graph.as_deref().filter(|g| !g.workflows.is_empty()) else {
            continue;
        };
        let _ = writeln!(out, "### Pipeline: {}\n", code(&repo.display));
        if let Some(e) = &graph.roles_error {
            let _ = writeln!(out, "_Jobs could not be classified: {}_\n", cell(e));
        }
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.repository == repo.display)
            .collect();
        out.push_str(&flowchart(graph, &findings));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_break_out_of_their_quotes() {
        assert_eq!(
            label(r#"a "b" <c> & d"#),
            "a #quot;b#quot; #lt;c#gt; #amp; d"
        );
    }

    #[test]
    fn table_cells_stay_on_one_line() {
        assert_eq!(cell("a | b\nc\r\nd"), r"a \| b c d");
        assert_eq!(cell("a\u{1b}[31m"), r"a\u{1b}[31m");
    }

    #[test]
    fn labels_hold_no_line_break_nor_fence() {
        assert_eq!(
            label("a\n```\n# x #lt;"),
            "a\\n#96;#96;#96;\\n#35; x #35;lt;"
        );
    }

    #[test]
    fn code_spans_outlast_the_backticks_inside() {
        assert_eq!(code("a.yml"), "`a.yml`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("```"), "```` ``` ````");
        assert_eq!(code("x\ny"), "`x y`");
    }
}
