//! Rendering an audit for people and machines. This layer only presents: every format
//! renders the same finished [`AuditReport`](crate::audit::AuditReport) and never
//! recomputes or re-judges what the audit found — it orders, groups, counts and, where a
//! consumer has limits (GitHub's per-run caps), cuts with a warning, so that the terminal,
//! JSON, SARIF and the other formats always agree. What several formats show (the severity
//! [`Counts`], the org [`matrix`]) is derived once, from the report alone.
//!
//! One module per format, plus [`load`], which reads JSON reports back and combines them
//! (for `merge` and `--resume`) into a report every format renders.

pub mod csv;
mod excerpts;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod load;
pub mod markdown;
pub mod matrix;
mod render;
pub mod resume;
pub mod sarif;
pub mod short;
mod snippet;
pub mod table;
pub mod tally;
pub mod trace;

pub use render::{render, Format, RenderOptions, Rendered};

use crate::audit::AuditReport;
use crate::finding::Severity;

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Findings of each severity.
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
    /// The counts of a report's findings (not of the ignored ones).
    pub fn of(report: &AuditReport) -> Counts {
        let mut c = Counts::default();
        for f in &report.findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Note => c.notes += 1,
            }
        }
        c
    }
}

/// The path a reader finds a file at from where shiplint ran: the repository's display
/// path joined with the repo-relative file (just the file for the current directory). An
/// absolute repository path inside the current directory is made relative to it, as GitHub
/// annotations want paths relative to the workspace.
pub fn workspace_path(repository: &str, file: &str) -> String {
    let mut repository = repository.trim_end_matches('/').to_string();
    if std::path::Path::new(&repository).is_absolute() {
        let cwd = std::env::current_dir().ok();
        let canonical = std::fs::canonicalize(&repository).ok();
        if let (Some(cwd), Some(repo)) = (cwd, canonical) {
            let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
            if let Ok(rel) = repo.strip_prefix(&cwd) {
                repository = crate::discover::display_path(rel);
            }
        }
    }
    if repository.is_empty() || repository == "." || repository == crate::source::stdin::DISPLAY {
        file.to_string()
    } else {
        format!("{repository}/{file}")
    }
}

/// `url` when it may be a link in a report: an `http://` or `https://` address with no
/// space, quote, bracket or control character. A report to `merge` is input like any
/// other: its `doc_url` could be `javascript:…`.
pub fn safe_link(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let http = lower.starts_with("https://") || lower.starts_with("http://");
    let clean = !url
        .chars()
        .any(|c| c.is_whitespace() || crate::escape::is_unsafe(c) || "\"'<>()`".contains(c));
    (http && clean).then_some(url)
}

/// `1 file`, `2 files`: a count with the noun that agrees with it.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::safe_link;

    #[test]
    fn only_plain_http_addresses_are_links() {
        let page = "https://github.com/shiplint/shiplint/blob/main/docs/rules/x.md";
        assert_eq!(safe_link(page), Some(page));
        assert_eq!(
            safe_link("HTTP://example.com/a"),
            Some("HTTP://example.com/a")
        );
        for bad in [
            "javascript:alert(1)",
            " https://x",
            "https://x/\"onmouseover=",
            "https://x/a b",
            "data:text/html,x",
            "",
        ] {
            assert_eq!(safe_link(bad), None, "{bad}");
        }
    }
}
