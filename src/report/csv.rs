//! `--format csv`: one row per finding (RFC 4180 quoting), for spreadsheets. Repositories
//! that could not be audited get one row with `rule` empty and the error as message;
//! notices (what was not audited) one row each with severity `notice`.

use crate::audit::AuditReport;
use crate::finding::Location;

/// The first row: the column names.
pub const HEADER: &str = "repository,rule,severity,file,line,column,setting,message,title,doc_url";

/// A field, quoted when it holds a separator, a quote or a line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The header, a row per finding, then a row per input error and notice (CRLF line ends).
pub fn render(report: &AuditReport) -> String {
    let mut out = String::from(HEADER);
    out.push_str("\r\n");
    for f in &report.findings {
        let (file, line, column, setting) = match &f.location {
            Location::File(l) => (
                l.file.as_str(),
                l.line.to_string(),
                l.column.to_string(),
                "",
            ),
            Location::Setting(s) => ("", String::new(), String::new(), s.as_str()),
        };
        let row = [
            f.repository.as_str(),
            &f.rule,
            f.severity.as_str(),
            file,
            &line,
            &column,
            setting,
            &f.message,
            &f.title,
            &f.doc_url,
        ];
        out.push_str(&row.map(field).join(","));
        out.push_str("\r\n");
    }
    let inputs = report
        .errors
        .iter()
        .map(|e| ("input-error", e))
        .chain(report.notices.iter().map(|n| ("notice", n)));
    for (kind, e) in inputs {
        let line = e.line.map(|l| l.to_string()).unwrap_or_default();
        let column = e.column.map(|c| c.to_string()).unwrap_or_default();
        let row = [
            e.repository.as_deref().unwrap_or(""),
            "",
            kind,
            e.file.as_deref().unwrap_or(""),
            &line,
            &column,
            "",
            &e.message,
            "",
            "",
        ];
        out.push_str(&row.map(field).join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(render(&AuditReport::default()), format!("{HEADER}\r\n"));
    }
}
