//! The org summary table that ends the human output of a sweep (and of `merge`):
//! repository × rule counts, worst repository first.

use super::matrix::{matrix, matrix_rules};
use crate::audit::AuditReport;
use crate::escape;

/// Rules are columns `R1`, `R2`, … with a legend under the table (rule ids are long).
pub fn render(report: &AuditReport) -> String {
    let rows = matrix(report);
    if rows.is_empty() {
        return String::new();
    }
    let rules = matrix_rules(&rows);
    // Names and errors come from the API or merged reports: one line each, no control bytes.
    let names: Vec<String> = rows
        .iter()
        .map(|r| escape::line(&r.repository).into_owned())
        .collect();
    let name_w = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(10)
        .max("REPOSITORY".len());
    let mut out = format!(
        "\n{:name_w$}  {:>6}  {:>8}",
        "REPOSITORY", "ERRORS", "WARNINGS"
    );
    for i in 0..rules.len() {
        out.push_str(&format!("  {:>4}", format!("R{}", i + 1)));
    }
    out.push('\n');
    for (row, name) in rows.iter().zip(&names) {
        out.push_str(&format!("{name:name_w$}"));
        if let Some(err) = &row.failure {
            let short: String = escape::line(err).chars().take(80).collect();
            out.push_str(&format!("  not audited: {short}\n"));
            continue;
        }
        out.push_str(&format!("  {:>6}  {:>8}", row.errors, row.warnings));
        for rule in &rules {
            let n = row.rules.get(rule).map_or(0, |c| c.0);
            let cell = if n == 0 {
                "·".to_string()
            } else {
                n.to_string()
            };
            out.push_str(&format!("  {cell:>4}"));
        }
        out.push('\n');
    }
    if !rules.is_empty() {
        out.push('\n');
        for (i, rule) in rules.iter().enumerate() {
            out.push_str(&format!("R{:<3} {}\n", i + 1, escape::line(rule)));
        }
    }
    out
}
