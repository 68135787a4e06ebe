//! `--format short`: one line per finding, `file:line:col: severity[rule] message`, as
//! rustc's and ruff's short formats print them, for editors (jump to the place), `grep`
//! and terminals where the snippets of the human report are too much. A settings finding
//! has no file: `repository: severity[rule] message (setting)`. The errors, notices and
//! the summary line go to standard error, as in every format. Each line passes through
//! [`crate::escape::line`]: what comes from the inputs never breaks it or reaches the
//! terminal raw.

use super::workspace_path;
use crate::audit::AuditReport;
use crate::escape;
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
        let line = format!("{}: {}[{}] {}", place(f), f.severity, f.rule, message(f));
        out.push_str(&escape::line(&line));
        out.push('\n');
    }
    if show_ignored {
        for i in &report.ignored {
            let f = &i.finding;
            let reason = if i.reason.is_empty() {
                "no reason given"
            } else {
                &i.reason
            };
            let line = format!(
                "{}: ignored[{}] {} — {reason} ({})",
                place(f),
                f.rule,
                message(f),
                i.by
            );
            out.push_str(&escape::line(&line));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Severity};

    #[test]
    fn a_line_stays_one_line_whatever_the_message_holds() {
        let mut report = AuditReport::default();
        report.findings.push(Finding {
            rule: "r".into(),
            severity: Severity::Error,
            title: "t".into(),
            message: "a\nb\u{1b}[31m".into(),
            location: Location::Setting("branches/main/protection".into()),
            related: Vec::new(),
            help: String::new(),
            doc_url: String::new(),
            repository: "acme/api".into(),
        });
        assert_eq!(
            render(&report, false),
            "acme/api: error[r] a\\nb\\u{1b}[31m (setting branches/main/protection)\n"
        );
    }
}
