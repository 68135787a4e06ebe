//! The lower half of the page: what could not be audited, then each repository's
//! findings grouped by rule (worst first, with counts), the files of it that could not be
//! audited, and what of it was not audited (notices).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{anchor, esc};
use crate::audit::AuditReport;
use crate::finding::{Finding, InputError, Location, Severity};
use crate::report::matrix::RepoRow;
use crate::report::{plural, safe_link};

/// A rule's group is open on the page when it has at most this many findings.
const OPEN_GROUP: usize = 10;

/// Text with its `code spans` as `<code>`: messages quote keys and values that way. An
/// unpaired backtick stays as it is.
pub fn rich(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        match (i % 2, last) {
            (0, _) => out.push_str(&esc(part)),
            // An odd part that ends the text had no closing backtick.
            (_, true) => {
                out.push('`');
                out.push_str(&esc(part));
            }
            _ => {
                let _ = write!(out, "<code>{}</code>", esc(part));
            }
        }
    }
    out
}

/// An input error or notice as a list item: `file:line:col` where known, and the message.
fn problem_item(h: &mut String, e: &InputError) {
    let place = match (&e.file, e.line, e.column) {
        (Some(f), Some(l), Some(c)) => format!("<code>{}</code> ", esc(&format!("{f}:{l}:{c}"))),
        (Some(f), _, _) => format!("<code>{}</code> ", esc(f)),
        _ => String::new(),
    };
    let _ = writeln!(h, "<li>{place}{}</li>", rich(&e.message));
}

/// What could not be audited that belongs to no one repository: config mistakes, paths
/// that could not be read, policies that failed.
pub fn problems(h: &mut String, report: &AuditReport) {
    let unplaced: Vec<&InputError> = report
        .errors
        .iter()
        .filter(|e| e.repository.is_none())
        .collect();
    let n = unplaced.len() + report.config_errors.len() + report.policy_errors.len();
    if n == 0 {
        return;
    }
    let _ = writeln!(
        h,
        "<h2>Could not be audited ({})</h2>\n<ul class=\"p\">",
        plural(n, "input", "inputs")
    );
    for e in &report.config_errors {
        let place = format!("{}:{}:{}", e.file, e.line, e.column);
        let _ = writeln!(
            h,
            "<li><code>{}</code> {}</li>",
            esc(&place),
            rich(&e.message)
        );
    }
    for e in unplaced {
        problem_item(h, e);
    }
    for e in &report.policy_errors {
        let _ = writeln!(
            h,
            "<li>policy <code>{}</code> <pre>{}</pre></li>",
            esc(&e.source),
            esc(&e.message)
        );
    }
    h.push_str("</ul>\n");
}

/// A repository's section: why it was not audited, or its files that could not be,
/// its findings by rule, and its notices.
pub fn repository_section(h: &mut String, report: &AuditReport, row: &RepoRow, name: &str) {
    let _ = writeln!(
        h,
        "<h3 id=\"{}\">{}</h3>",
        anchor(&row.repository),
        esc(name)
    );
    if let Some(err) = &row.failure {
        let _ = writeln!(h, "<p><em>Not audited:</em> {}</p>", rich(err));
        return;
    }
    let mine = |e: &&InputError| e.repository.as_deref() == Some(row.repository.as_str());
    let errors: Vec<&InputError> = report.errors.iter().filter(mine).collect();
    if !errors.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"gap\"><b>Could not be audited ({}):</b></p><ul class=\"p\">",
            plural(errors.len(), "file", "files")
        );
        for e in errors {
            problem_item(h, e);
        }
        h.push_str("</ul>\n");
    }
    findings_by_rule(h, report, &row.repository);
    let notices: Vec<&InputError> = report.notices.iter().filter(mine).collect();
    if !notices.is_empty() {
        let _ = writeln!(
            h,
            "<details><summary>Not audited ({})</summary><ul class=\"p\">",
            plural(notices.len(), "notice", "notices")
        );
        for n in notices {
            problem_item(h, n);
        }
        h.push_str("</ul></details>\n");
    }
}

/// The repository's findings, one group per rule: worst severity first, then most
/// findings; each group says its count, and long ones start folded.
fn findings_by_rule(h: &mut String, report: &AuditReport, repository: &str) {
    let mut groups: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report
        .findings
        .iter()
        .filter(|f| f.repository == repository)
    {
        groups.entry(f.rule.as_str()).or_default().push(f);
    }
    if groups.is_empty() {
        h.push_str("<p>No findings.</p>\n");
        return;
    }
    let worst = |fs: &[&Finding]| {
        fs.iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Note)
    };
    let mut groups: Vec<(&str, Vec<&Finding>)> = groups.into_iter().collect();
    groups.sort_by(|(ra, a), (rb, b)| (worst(b), b.len(), ra).cmp(&(worst(a), a.len(), rb)));
    for (rule, findings) in groups {
        let severity = worst(&findings).as_str();
        let link = match safe_link(&findings[0].doc_url) {
            Some(url) => format!("<a href=\"{}\">{}</a>", esc(url), esc(rule)),
            None => esc(rule),
        };
        let _ = writeln!(
            h,
            "<details class=\"g\"{}><summary><span class=\"sev {severity}\">{severity}</span><b>{link}</b> · {} · {}</summary>\n<ul class=\"f\">",
            if findings.len() <= OPEN_GROUP { " open" } else { "" },
            plural(findings.len(), "finding", "findings"),
            esc(&findings[0].title)
        );
        for f in findings {
            finding_item(h, f);
        }
        h.push_str("</ul></details>\n");
    }
}

/// One finding: its severity badge, message (code spans as code) and where it is.
fn finding_item(h: &mut String, f: &Finding) {
    let at = match &f.location {
        Location::File(l) => format!("{}:{}:{}", l.file, l.line, l.column),
        Location::Setting(s) => format!("setting {s}"),
    };
    let _ = writeln!(
        h,
        "<li><span class=\"sev {0}\">{0}</span>{1}<br><code>{2}</code></li>",
        f.severity.as_str(),
        rich(&f.message),
        esc(&at)
    );
}

#[cfg(test)]
mod tests {
    use super::rich;

    #[test]
    fn code_spans_become_code_and_the_rest_is_escaped() {
        assert_eq!(
            rich("`aws-access-key-id` is <long>-lived"),
            "<code>aws-access-key-id</code> is &lt;long&gt;-lived"
        );
        assert_eq!(rich("a ` b"), "a ` b");
        assert_eq!(rich("`<x>` and `y"), "<code>&lt;x&gt;</code> and `y");
    }
}
