//! What standard error shows beside the report, in every format: what could not be
//! audited (config, input and policy errors, one line each) and the notices before it,
//! the summary line after it. A run that exits 2 always says why there, even when its
//! SARIF or JSON goes to a file or a pipe.

use crate::audit::AuditReport;
use crate::report::{human, Format};

/// The errors and notices for standard error. The human format has them already (its
/// renderer puts them in the warnings).
pub fn problems(format: Format, report: &AuditReport, color: bool) -> String {
    if format == Format::Human {
        return String::new();
    }
    let mut out = human::render_config_errors(report, color);
    out.push_str(&human::render_errors(report));
    out.push_str(&human::render_notices(report));
    out
}

/// The summary line for standard error (`to_file`: the report goes to `-o FILE`). The
/// human report on standard output ends with it already.
pub fn summary(format: Format, report: &AuditReport, to_file: bool) -> String {
    if format == Format::Human && !to_file {
        return String::new();
    }
    format!("{}\n", human::summary(report))
}
