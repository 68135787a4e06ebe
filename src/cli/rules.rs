//! `shiplint rules`: every rule, as a table, JSON, a Markdown table or CSV.

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::policy::RuleMeta;

use super::{output, setup, RulesArgs, RulesFormat};

pub fn run(args: RulesArgs) -> Result<ExitStatus, Error> {
    let policies = setup::policies(&args.policy)?;
    let rules = policies.rules();
    let text = match args.format {
        RulesFormat::Human => table(rules),
        RulesFormat::Json => {
            let mut s = serde_json::to_string_pretty(rules).unwrap_or_default();
            s.push('\n');
            s
        }
        RulesFormat::Markdown => markdown(rules),
        RulesFormat::Csv => csv(rules),
    };
    output::write(None, &text)?;
    Ok(ExitStatus::Clean)
}

/// `RULE  SEVERITY  NEEDS  TITLE`, one rule a line.
fn table(rules: &[RuleMeta]) -> String {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(4);
    let mut s = format!(
        "{:width$}  {:8}  {:8}  TITLE\n",
        "RULE", "SEVERITY", "NEEDS"
    );
    for r in rules {
        s.push_str(&format!(
            "{:width$}  {:8}  {:8}  {}\n",
            r.id,
            r.severity.as_str(),
            r.needs(),
            r.title
        ));
    }
    s
}

/// A Markdown table; built-in rules link to their page, user rules name their file.
fn markdown(rules: &[RuleMeta]) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace(['\n', '\r'], " ");
    let mut s = String::from("| rule | severity | needs | title |\n|---|---|---|---|\n");
    for r in rules {
        let id = match r.doc_url() {
            url if url.is_empty() => format!("`{}` ({})", cell(&r.id), cell(&r.source)),
            url => format!("[`{}`]({url})", cell(&r.id)),
        };
        s.push_str(&format!(
            "| {id} | {} | {} | {} |\n",
            r.severity.as_str(),
            r.needs(),
            cell(&r.title)
        ));
    }
    s
}

/// RFC 4180 rows (CRLF), a header first; cells that a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@`) are prefixed with `'`.
fn csv(rules: &[RuleMeta]) -> String {
    let field = |s: &str| {
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut s = String::from("rule,severity,needs,title,tags,doc_url\r\n");
    for r in rules {
        let row = [
            field(&r.id),
            field(r.severity.as_str()),
            field(r.needs()),
            field(&r.title),
            field(&r.tags.join(" ")),
            field(&r.doc_url()),
        ];
        s.push_str(&row.join(","));
        s.push_str("\r\n");
    }
    s
}
