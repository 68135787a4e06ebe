//! `--format short`: one line per finding, `file:line:col: severity[rule] message`, as
//! rustc's and ruff's short formats print them, for editors (jump to the place), `grep`
//! and terminals where the snippets of the human report are too much. A settings finding
//! has no file: `repository: severity[rule] message (setting)`. The errors, notices and
//! the summary line go to standard error, as in every format.

use super::workspace_path;
use crate::audit::AuditReport;
use crate::finding::{Finding, Location};

/// Where a finding is: the file from where shiplint runs, with line and column.
fn place(f: &Finding) -> String {
    match &f.location {
        Location::File(at) => format!(
            "{}:{}:{}",
            workspace_path(&f.repository, &at.file),
            at.line,
            at.column
        ),
        Location::Setting(_) => f.repository.clone(),
    }
}

/// The message, with the setting it is about when there is no file.
fn message(f: &Finding) -> String {
    match &f.location {
        Location::File(_) => f.message.clone(),
        Location::Setting(s) => format!("{} (setting {s})", f.message),
    }
}

/// Every finding, one line each; with `show_ignored`, then every ignored finding, with
/// its reason and what silenced it.
pub fn render(report: &AuditReport, show_ignored: bool) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&format!(
            "{}: {}[{}] {}\n",
            place(f),
            f.severity,
            f.rule,
            message(f)
        ));
    }
    if show_ignored {
        for i in &report.ignored {
            let f = &i.finding;
            let reason = if i.reason.is_empty() {
                "no reason given"
            } else {
                &i.reason
            };
            out.push_str(&format!(
                "{}: ignored[{}] {} — {reason} ({})\n",
                place(f),
                f.rule,
                message(f),
                i.by
            ));
        }
    }
    out
}
