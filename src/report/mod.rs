//! Rendering an audit for people and machines. Every format renders the same
//! [`AuditReport`](crate::audit::AuditReport); none of them changes what was found.

pub mod csv;
pub mod html;
pub mod human;
pub mod json;
pub mod load;
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

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
