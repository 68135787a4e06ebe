//! Rendering an audit for people and machines. Every format renders the same
//! [`AuditReport`](crate::audit::AuditReport); none of them changes what was found.

pub mod csv;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod load;
pub mod markdown;
pub mod matrix;
pub mod sarif;
pub mod table;

use crate::audit::AuditReport;
use crate::finding::Severity;

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
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
    if repository.is_empty() || repository == "." {
        file.to_string()
    } else {
        format!("{repository}/{file}")
    }
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
