//! `--format csv`: one row per finding (RFC 4180 quoting, formulas neutralised), for
//! spreadsheets. Repositories that could not be audited get one row with `rule` empty and
//! the error as message; notices (what was not audited) one row each with severity
//! `notice`.

use crate::audit::AuditReport;
use crate::finding::Location;

/// The first row: the column names.
pub const HEADER: &str = "repository,rule,severity,file,line,column,setting,message,title,doc_url";

/// A field: on one line (control characters as visible escapes), neutralised when a
/// spreadsheet would read it as a formula (it starts with `=`, `+`, `-`, `@` or a tab:
/// a `'` goes first), quoted when it holds a separator or a quote.
fn field(s: &str) -> String {
    let s = crate::escape::line(s);
    let s = if s.starts_with(['=', '+', '-', '@', '\t']) {
        format!("'{s}")
    } else {
        s.into_owned()
    };
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
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

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1"), "'+1");
        assert_eq!(field("-2+3"), "'-2+3");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("\tx"), "'\tx");
        assert_eq!(field("a\nb"), "a\\nb");
        assert_eq!(field("12"), "12");
    }
}
