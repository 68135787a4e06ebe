//! The per-rule tally that ends the human report: one row per rule and severity with
//! how many findings it has and how many ignores silenced, worst first, so that a run
//! with hundreds of findings ends with what it found at a glance.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::audit::AuditReport;
use crate::escape;
use crate::finding::Severity;

/// Findings and ignored findings of one rule at one severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub findings: usize,
    pub ignored: usize,
}

/// The tally of every rule and severity that has a finding or an ignored one, worst first:
/// by severity, then by count, then by rule id.
pub fn tally(report: &AuditReport) -> Vec<((String, Severity), Tally)> {
    let mut by: BTreeMap<(String, Severity), Tally> = BTreeMap::new();
    for f in &report.findings {
        by.entry((f.rule.clone(), f.severity)).or_default().findings += 1;
    }
    for i in &report.ignored {
        let f = &i.finding;
        by.entry((f.rule.clone(), f.severity)).or_default().ignored += 1;
    }
    let mut rows: Vec<_> = by.into_iter().collect();
    rows.sort_by(|((ra, sa), ta), ((rb, sb), tb)| {
        (sb, tb.findings, tb.ignored, ra).cmp(&(sa, ta.findings, ta.ignored, rb))
    });
    rows
}

/// The tally as an aligned table and a blank line, or nothing when nothing was found.
pub fn render(report: &AuditReport) -> String {
    let rows = tally(report);
    if rows.is_empty() {
        return String::new();
    }
    let width = rows
        .iter()
        .map(|((rule, _), _)| rule.chars().count())
        .max()
        .unwrap_or(0)
        .max("rule".len());
    let mut out = format!("{:<width$}  severity  findings  ignored\n", "rule");
    for ((rule, severity), t) in &rows {
        let _ = writeln!(
            out,
            "{:<width$}  {:<8}  {:>8}  {:>7}",
            escape::line(rule),
            severity.as_str(),
            t.findings,
            t.ignored
        );
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Location};
    use crate::suppress::Ignored;

    fn finding(rule: &str, severity: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            title: String::new(),
            message: String::new(),
            location: Location::Setting("s".into()),
            related: Vec::new(),
            help: String::new(),
            doc_url: String::new(),
            repository: ".".into(),
        }
    }

    #[test]
    fn rows_are_per_rule_and_severity_worst_first_with_the_ignored() {
        let mut report = AuditReport::default();
        for _ in 0..3 {
            report
                .findings
                .push(finding("unpinned-action", Severity::Warning));
        }
        report
            .findings
            .push(finding("unpinned-action", Severity::Error));
        report
            .findings
            .push(finding("deploy-not-gated", Severity::Error));
        report.ignored.push(Ignored {
            finding: finding("helm-not-atomic", Severity::Warning),
            reason: String::new(),
            by: String::new(),
        });
        assert_eq!(
            render(&report),
            "rule              severity  findings  ignored\n\
             deploy-not-gated  error            1        0\n\
             unpinned-action   error            1        0\n\
             unpinned-action   warning          3        0\n\
             helm-not-atomic   warning          0        1\n\n"
        );
        assert_eq!(render(&AuditReport::default()), "");
    }
}
