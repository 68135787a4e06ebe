//! `--format html`: one self-contained page (inline CSS and JavaScript, no external
//! assets) — the organization's compliance matrix (repositories × rules, coloured by the
//! worst severity, sortable by clicking a header), then what could not be audited and each
//! repository's findings by rule ([`findings`]). Repositories are named as [`names`] says.
//! The page never shows less than the run found: inputs that could not be audited are
//! counted and listed, and it says when the settings rules were not evaluated.

mod findings;
mod names;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::matrix::{matrix, matrix_rules, RepoRow};
use super::{plural, Counts};
use crate::audit::AuditReport;
use crate::finding::Severity;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML id for a repository's section.
fn anchor(repo: &str) -> String {
    let id: String = repo
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("repo-{id}")
}

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.sub{color:#59636e;margin-bottom:16px}
.cards{display:flex;gap:12px;margin:12px 0 20px}.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:20px}
table.m{border-collapse:collapse;font-size:13px}
table.m th,table.m td{border:1px solid #d0d7de;padding:4px 8px;text-align:center}
table.m th{background:#f6f8fa;cursor:pointer;user-select:none;position:sticky;top:0}
table.m th.rot{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;padding:8px 4px;font-weight:600}
table.m th:hover{background:#eaeef2}
table.m td.name{text-align:left;white-space:nowrap}
td.error{background:#ffd7d5;color:#82071e;font-weight:600}
td.warning{background:#fff1c2;color:#6f4b00}
td.note{background:#ddf4ff;color:#0a3069}
td.ok{color:#8c959f}
td.fail{background:#eaeef2;color:#59636e;text-align:left;font-style:italic}
th.asc::after{content:" \25B2"}th.desc::after{content:" \25BC"}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border-radius:4px}
ul.f{list-style:none;padding:0;margin:0}ul.f li{padding:6px 0;border-bottom:1px solid #eaeef2}
.sev{display:inline-block;min-width:58px;text-align:center;border-radius:10px;font-size:12px;padding:0 6px;margin-right:6px}
.sev.error{background:#ffd7d5;color:#82071e}.sev.warning{background:#fff1c2;color:#6f4b00}.sev.note{background:#ddf4ff;color:#0a3069}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:1px 4px;border-radius:4px}
.rule{color:#59636e;font-size:12px}
.note{color:#59636e;margin:4px 0}.card.gap{border-color:#cf222e;color:#82071e}p.gap{color:#82071e;margin:6px 0}
ul.p{margin:4px 0 10px;padding-left:20px}ul.p pre{margin:4px 0;white-space:pre-wrap}
details.g{margin:6px 0}details.g summary{cursor:pointer;padding:4px 0}
"#;

const SCRIPT: &str = r#"
document.querySelectorAll('table.m th').forEach(function(th,col){
  th.addEventListener('click',function(){
    var table=th.closest('table'),body=table.tBodies[0];
    var asc=!th.classList.contains('asc');
    table.querySelectorAll('th').forEach(function(h){h.classList.remove('asc','desc')});
    th.classList.add(asc?'asc':'desc');
    var rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){
      var x=a.cells[col].getAttribute('data-v'),y=b.cells[col].getAttribute('data-v');
      var nx=parseFloat(x),ny=parseFloat(y),r;
      if(!isNaN(nx)&&!isNaN(ny)){r=nx-ny}else{r=x<y?-1:x>y?1:0}
      return asc?r:-r;
    });
    rows.forEach(function(r){body.appendChild(r)});
  });
});
"#;

/// The whole page: summary cards, the compliance matrix, then each repository's findings.
pub fn render(report: &AuditReport) -> String {
    let rows = matrix(report);
    let rules = matrix_rules(&rows);
    let names = names::shown_names(report);
    let mut h = head(report, &rows);
    matrix_table(&mut h, &rows, &rules, &names);
    findings::problems(&mut h, report);
    h.push_str("<h2>Findings by repository</h2>\n");
    for row in &rows {
        findings::repository_section(&mut h, report, row, name(&names, &row.repository));
    }
    let _ = write!(h, "<script>{SCRIPT}</script>\n</body></html>\n");
    h
}

/// How the page names the repository `display`.
fn name<'a>(names: &'a BTreeMap<String, String>, display: &'a str) -> &'a str {
    names.get(display).map_or(display, String::as_str)
}

/// Every input that could not be audited (files, repositories, configs, policies): what
/// an exit code 2 stands for, so the card is never 0 when the run exits 2.
fn not_audited(report: &AuditReport) -> usize {
    report.errors.len() + report.config_errors.len() + report.policy_errors.len()
}

/// What the counts leave out, and whether the settings rules ran, as notes under the cards.
fn notes(report: &AuditReport) -> String {
    let mut notes = Vec::new();
    let without = report
        .repos
        .iter()
        .filter(|r| !r.settings_evaluated)
        .count();
    if without > 0 {
        let of = if without == report.repos.len() {
            String::new()
        } else {
            format!(
                " for {without} of {}",
                plural(report.repos.len(), "repository", "repositories")
            )
        };
        notes.push(format!(
            "Repository-settings rules were not evaluated{of} (no settings: pass --settings FILE, or set GH_TOKEN to read them from GitHub)."
        ));
    }
    if !report.ignored.is_empty() {
        notes.push(format!(
            "{} ignored (inline comments, config <code>ignore:</code>).",
            plural(report.ignored.len(), "finding", "findings")
        ));
    }
    if report.baseline_suppressed > 0 {
        notes.push(format!(
            "{} suppressed by the baseline.",
            plural(report.baseline_suppressed, "finding", "findings")
        ));
    }
    if report.below_min_severity > 0 {
        notes.push(format!(
            "{} below --min-severity not shown.",
            plural(report.below_min_severity, "finding", "findings")
        ));
    }
    notes
        .iter()
        .map(|n| format!("<p class=\"note\">{n}</p>\n"))
        .collect()
}

/// The document head, title, the summary cards (repositories, clean, errors, warnings,
/// inputs not audited) and the notes.
fn head(report: &AuditReport, rows: &[RepoRow]) -> String {
    let c = Counts::of(report);
    let failed = not_audited(report);
    let clean = rows
        .iter()
        .filter(|r| r.failure.is_none() && r.rules.is_empty())
        .count();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>shiplint: delivery pipeline compliance</title><style>{STYLE}</style></head><body>\n\
<h1>Delivery pipeline compliance</h1>\n<div class=\"sub\">shiplint {} · build once, promote everywhere</div>\n\
<div class=\"cards\"><div class=\"card\"><b>{}</b>repositories</div><div class=\"card\"><b>{clean}</b>without findings</div>\
<div class=\"card\"><b>{}</b>errors</div><div class=\"card\"><b>{}</b>warnings</div><div class=\"card{}\"><b>{failed}</b>could not be audited</div></div>\n",
        env!("CARGO_PKG_VERSION"),
        rows.len(),
        c.errors,
        c.warnings,
        if failed > 0 { " gap" } else { "" }
    );
    h.push_str(&notes(report));
    h
}

/// The legend and the sortable matrix: a row per repository, a column per rule.
fn matrix_table(
    h: &mut String,
    rows: &[RepoRow],
    rules: &[String],
    names: &BTreeMap<String, String>,
) {
    h.push_str("<div class=\"legend\"><span class=\"sev error\">error</span><span class=\"sev warning\">warning</span><span class=\"sev note\">note</span> worst severity of the rule's findings in the repository · click a header to sort</div>\n");
    h.push_str("<h2>Compliance matrix</h2>\n<table class=\"m\"><thead><tr><th>repository</th><th>errors</th><th>warnings</th>");
    for rule in rules {
        let _ = write!(h, "<th class=\"rot\" title=\"{0}\">{0}</th>", esc(rule));
    }
    h.push_str("</tr></thead><tbody>\n");
    for row in rows {
        matrix_row(h, row, rules, name(names, &row.repository));
    }
    h.push_str("</tbody></table>\n");
}

/// One repository's row of the matrix; a repository not audited spans the rule columns
/// with its error.
fn matrix_row(h: &mut String, row: &RepoRow, rules: &[String], name: &str) {
    let _ = write!(
        h,
        "<tr><td class=\"name\" data-v=\"{0}\" title=\"{2}\"><a href=\"#{1}\">{0}</a></td>",
        esc(name),
        anchor(&row.repository),
        esc(&row.repository)
    );
    if let Some(err) = &row.failure {
        let _ = writeln!(
            h,
            "<td data-v=\"-1\">–</td><td data-v=\"-1\">–</td><td class=\"fail\" colspan=\"{}\" data-v=\"\">not audited: {}</td></tr>",
            rules.len().max(1),
            findings::rich(err)
        );
        return;
    }
    let _ = write!(
        h,
        "<td data-v=\"{0}\">{0}</td><td data-v=\"{1}\">{1}</td>",
        row.errors, row.warnings
    );
    for rule in rules {
        rule_cell(h, row, rule);
    }
    h.push_str("</tr>\n");
}

/// A matrix cell: the rule's count in the repository, coloured by its worst severity, or a
/// check mark.
fn rule_cell(h: &mut String, row: &RepoRow, rule: &str) {
    match row.rules.get(rule) {
        Some((n, sev)) => {
            // Sort by severity first, then count.
            let weight = match sev {
                Severity::Error => 2000,
                Severity::Warning => 1000,
                Severity::Note => 0,
            } + n;
            let _ = write!(
                h,
                "<td class=\"{}\" data-v=\"{weight}\" title=\"{} {}\">{n}</td>",
                sev.as_str(),
                esc(rule),
                sev.as_str()
            );
        }
        None => h.push_str("<td class=\"ok\" data-v=\"0\">✓</td>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_has_no_external_assets() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let page = render(&AuditReport::default());
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(!page.contains("src=\"http") && !page.contains("<link"));
    }
}
