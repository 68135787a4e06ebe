//! The org matrix: one row per repository (audited or failed), worst first, with its
//! finding counts per rule. The summary table that ends a sweep's human output and the
//! HTML page both show it, so it is counted once here rather than in each format.

use std::collections::BTreeMap;

use crate::audit::AuditReport;
use crate::finding::Severity;

/// One repository's findings per severity and per rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoRow {
    /// The repository's display name.
    pub repository: String,
    /// Its findings by severity.
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Count and worst severity per rule id.
    pub rules: BTreeMap<String, (usize, Severity)>,
    /// The repository could not be audited (its error).
    pub failure: Option<String>,
}

/// One row per repository (audited or failed), worst first: most errors, then warnings,
/// then notes, then by name; failed repositories last.
pub fn matrix(report: &AuditReport) -> Vec<RepoRow> {
    let mut rows: BTreeMap<String, RepoRow> = report
        .repos
        .iter()
        .map(|r| {
            (
                r.display.clone(),
                RepoRow {
                    repository: r.display.clone(),
                    ..RepoRow::default()
                },
            )
        })
        .collect();
    for f in &report.findings {
        let row = rows.entry(f.repository.clone()).or_insert_with(|| RepoRow {
            repository: f.repository.clone(),
            ..RepoRow::default()
        });
        match f.severity {
            Severity::Error => row.errors += 1,
            Severity::Warning => row.warnings += 1,
            Severity::Note => row.notes += 1,
        }
        let e = row.rules.entry(f.rule.clone()).or_insert((0, f.severity));
        e.0 += 1;
        e.1 = e.1.max(f.severity);
    }
    for e in &report.errors {
        if let (Some(r), None) = (&e.repository, &e.file) {
            if !report.repos.iter().any(|x| &x.display == r) {
                rows.entry(r.clone())
                    .or_insert_with(|| RepoRow {
                        repository: r.clone(),
                        ..RepoRow::default()
                    })
                    .failure = Some(e.message.clone());
            }
        }
    }
    let mut rows: Vec<RepoRow> = rows.into_values().collect();
    rows.sort_by(|a, b| {
        (
            a.failure.is_some(),
            b.errors,
            b.warnings,
            b.notes,
            &a.repository,
        )
            .cmp(&(
                b.failure.is_some(),
                a.errors,
                a.warnings,
                a.notes,
                &b.repository,
            ))
    });
    rows
}

/// The rule ids that fired anywhere, most findings first.
pub fn matrix_rules(rows: &[RepoRow]) -> Vec<String> {
    let mut totals: BTreeMap<&str, (usize, Severity)> = Default::default();
    for r in rows {
        for (rule, (n, sev)) in &r.rules {
            let t = totals.entry(rule.as_str()).or_insert((0, *sev));
            t.0 += n;
            t.1 = t.1.max(*sev);
        }
    }
    let mut rules: Vec<(&str, (usize, Severity))> = totals.into_iter().collect();
    rules.sort_by(|a, b| (b.1 .1, b.1 .0, a.0).cmp(&(a.1 .1, a.1 .0, b.0)));
    rules.into_iter().map(|(r, _)| r.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::RepoSummary;
    use crate::finding::{Finding, InputError, Location};

    fn finding(repo: &str, rule: &str, severity: Severity) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            title: String::new(),
            message: String::new(),
            location: Location::Setting("branches/main".into()),
            related: Vec::new(),
            help: String::new(),
            doc_url: String::new(),
            repository: repo.into(),
        }
    }

    fn repo(name: &str) -> RepoSummary {
        RepoSummary {
            display: name.into(),
            files: 1,
            settings_evaluated: true,
            slug: Some(name.into()),
            graph: None,
            trace: None,
        }
    }

    /// A repository that could not be audited at all, as a sweep reports it.
    fn failed(slug: &str, message: &str) -> InputError {
        let mut err = InputError::new(None, message);
        err.repository = Some(slug.into());
        err
    }

    #[test]
    fn matrix_rows_are_worst_first_and_failures_last() {
        let mut report = AuditReport {
            repos: vec![repo("a/clean"), repo("a/bad"), repo("a/meh")],
            ..AuditReport::default()
        };
        report.findings = vec![
            finding("a/bad", "x", Severity::Error),
            finding("a/bad", "x", Severity::Error),
            finding("a/bad", "y", Severity::Warning),
            finding("a/meh", "y", Severity::Warning),
        ];
        report
            .errors
            .push(failed("a/broken", "cannot reach the GitHub API"));
        let rows = matrix(&report);
        let names: Vec<&str> = rows.iter().map(|r| r.repository.as_str()).collect();
        assert_eq!(names, ["a/bad", "a/meh", "a/clean", "a/broken"]);
        assert_eq!(rows[0].rules["x"], (2, Severity::Error));
        assert_eq!(
            rows[3].failure.as_deref(),
            Some("cannot reach the GitHub API")
        );
        assert_eq!(matrix_rules(&rows), ["x", "y"]);
    }
}
