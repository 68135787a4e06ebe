//! `--format github`: GitHub Actions workflow commands, one per finding, which the runner
//! turns into annotations on the pull request's files
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`).
//!
//! Paths are relative to the workspace (where shiplint runs): the repository's display
//! path joined with the repo-relative file, so `shiplint audit services/api` annotates
//! `services/api/.github/workflows/ci.yml`.

use super::{plural, workspace_path, Counts};
use crate::audit::AuditReport;
use crate::config::ConfigError;
use crate::finding::{Finding, InputError, Location, Severity};

/// Escapes a command's message (`%`, CR, LF), as the runner's toolkit does, after every
/// other control character (ESC, C1, bidirectional overrides) is made visible
/// ([`crate::escape`]): the log and the annotation show them, never act on them.
pub fn escape_data(s: &str) -> String {
    let mut visible = String::with_capacity(s.len());
    for c in s.chars() {
        if c != '\r' && c != '\n' && crate::escape::is_unsafe(c) {
            visible.push_str(&crate::escape::line(c.encode_utf8(&mut [0; 4])));
        } else {
            visible.push(c);
        }
    }
    visible
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: the message escapes plus `:` and `,`, which end a property.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

fn finding(f: &Finding) -> String {
    let title = format!("{} ({})", f.title, f.rule);
    let mut props = Vec::new();
    let mut message = f.message.clone();
    match &f.location {
        Location::File(at) => {
            let file = workspace_path(&f.repository, &at.file);
            props.push(format!("file={}", escape_property(&file)));
            props.push(format!("line={}", at.line));
            props.push(format!("col={}", at.column));
            props.push(format!("endLine={}", at.end_line));
            props.push(format!("endColumn={}", at.end_column));
        }
        Location::Setting(s) => {
            message = format!("{message} ({}: setting {s})", f.repository);
        }
    }
    props.push(format!("title={}", escape_property(&title)));
    if !f.help.is_empty() {
        message.push_str(&format!("\nFix: {}", f.help));
    }
    message.push_str(&format!("\nSee {}", f.doc_url));
    format!(
        "::{} {}::{}\n",
        command(f.severity),
        props.join(","),
        escape_data(&message)
    )
}

/// An input error or notice as a workflow command at its file, line and column.
fn input_command(level: &str, title: &str, e: &InputError) -> String {
    let mut props = Vec::new();
    if let Some(file) = &e.file {
        let repo = e.repository.as_deref().unwrap_or(".");
        props.push(format!(
            "file={}",
            escape_property(&workspace_path(repo, file))
        ));
        if let Some(line) = e.line {
            props.push(format!("line={line}"));
        }
        if let Some(col) = e.column {
            props.push(format!("col={col}"));
        }
    }
    props.push(format!("title={title}"));
    format!(
        "::{level} {}::{}\n",
        props.join(","),
        escape_data(&e.message)
    )
}

/// A mistake in a config file as an `::error` at its place.
fn config_command(e: &ConfigError) -> String {
    format!(
        "::error file={},line={},col={},title=shiplint config error::{}\n",
        escape_property(&e.file),
        e.line,
        e.column,
        escape_data(&e.message)
    )
}

/// Every finding as a workflow command, config, input and policy errors as `::error`,
/// notices (what was not audited) as `::notice`, then a plain summary line.
pub fn render(report: &AuditReport) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&finding(f));
    }
    for e in &report.config_errors {
        out.push_str(&config_command(e));
    }
    for e in &report.errors {
        out.push_str(&input_command(
            "error",
            "shiplint could not audit this input",
            e,
        ));
    }
    for n in &report.notices {
        out.push_str(&input_command("notice", "shiplint did not audit this", n));
    }
    for e in &report.policy_errors {
        out.push_str(&format!(
            "::error title=shiplint policy error::{}\n",
            escape_data(&e.to_string())
        ));
    }
    let c = Counts::of(report);
    out.push_str(&format!(
        "shiplint: {}, {}, {} in {} of {}\n",
        plural(c.errors, "error", "errors"),
        plural(c.warnings, "warning", "warnings"),
        plural(c.notes, "note", "notes"),
        plural(report.files_audited(), "file", "files"),
        plural(report.repos.len(), "repository", "repositories"),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(escape_data("100%\r\nok: a,b"), "100%25%0D%0Aok: a,b");
        assert_eq!(escape_property("a: b, c%"), "a%3A b%2C c%25");
    }

    #[test]
    fn no_control_character_reaches_the_log() {
        assert_eq!(
            escape_data("x\u{1b}[31m\n::error::y"),
            "x\\u{1b}[31m%0A::error::y"
        );
        assert_eq!(escape_property("a\u{9b}b"), "a\\u{9b}b");
    }
}
