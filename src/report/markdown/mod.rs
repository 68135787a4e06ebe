//! `--format markdown`: a GitHub job summary (`>> $GITHUB_STEP_SUMMARY`) with the counts,
//! a findings table (rule linked to its page) and, per repository, a Mermaid flowchart of
//! the pipeline: triggers → workflows → jobs along `needs:`, each job labelled with its
//! roles (build / scan / deploy to an environment) as the policy library classifies them
//! (`data.shiplint.lib.graph.jobs`, evaluated with the audit: see
//! [`crate::audit::graph`]). Jobs where a finding points, and `needs:`/call edges
//! that a finding relates, are marked `bad`. The output depends only on the report, so
//! remote, swept and merged audits draw their pipelines too.

mod flowchart;

use std::fmt::Write as _;

use super::{plural, workspace_path, Counts};
use crate::audit::AuditReport;
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

/// A table cell: one line, `|` escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace("\r\n", " ")
        .replace(['\n', '\r'], " ")
}

/// Text inside a quoted Mermaid label.
fn label(s: &str) -> String {
    s.replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn location_cell(f: &Finding) -> String {
    match &f.location {
        Location::File(at) => format!("`{}:{}`", workspace_path(&f.repository, &at.file), at.line),
        Location::Setting(s) => format!("{} setting `{}`", f.repository, s),
    }
}

fn table(report: &AuditReport) -> String {
    let mut out = String::from("| Severity | Rule | Location | Message |\n|---|---|---|---|\n");
    for f in report.findings.iter().take(MAX_TABLE_ROWS) {
        let _ = writeln!(
            out,
            "| {} | [`{}`]({}) | {} | {} |",
            icon(f.severity),
            f.rule,
            f.doc_url,
            location_cell(f),
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
        "**{}**, **{}**, **{}** in {} of {}.\n",
        plural(c.errors, "error", "errors"),
        plural(c.warnings, "warning", "warnings"),
        plural(c.notes, "note", "notes"),
        plural(report.files_audited(), "file", "files"),
        plural(report.repos.len(), "repository", "repositories"),
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

/// The inputs that could not be audited, and the policy errors.
fn problems(report: &AuditReport) -> String {
    let problems: Vec<String> = report
        .errors
        .iter()
        .map(|e| match (&e.repository, &e.file) {
            (Some(r), Some(_)) => format!("{} ({r})", e),
            _ => e.to_string(),
        })
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
        let _ = writeln!(out, "### Pipeline: `{}`\n", repo.display);
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
    }
}
