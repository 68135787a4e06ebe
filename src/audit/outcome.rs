//! What an audit comes to: one [`RepoOutcome`] per repository, gathered into the
//! [`AuditReport`] that every renderer presents.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::ConfigError;
use crate::finding::{Finding, InputError, Notice, Severity};
use crate::policy::PolicyError;
use crate::suppress::Ignored;

use super::graph::PipelineGraph;
use super::history::Trace;

/// What one repository came to.
#[derive(Debug, Clone, Default)]
pub struct RepoSummary {
    pub display: String,
    pub files: usize,
    pub settings_evaluated: bool,
    /// `OWNER/NAME` on GitHub, when known (settings findings link its settings pages).
    pub slug: Option<String>,
    /// The pipeline graph, when the report draws or carries it (markdown, JSON).
    pub graph: Option<Arc<PipelineGraph>>,
    /// The deployment record and its pipeline checks, in `trace` runs.
    pub trace: Option<Arc<Trace>>,
}

/// Everything the reports need: findings, errors, and the audited sources for snippets.
#[derive(Default)]
pub struct AuditReport {
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    /// What was not audited and why: never changes the exit code.
    pub notices: Vec<Notice>,
    pub policy_errors: Vec<PolicyError>,
    /// Mistakes in config files (each repository with one is not audited).
    pub config_errors: Vec<ConfigError>,
    pub repos: Vec<RepoSummary>,
    /// `(repository, file)` → text, so reports can show snippets.
    pub sources: BTreeMap<(String, String), Arc<str>>,
    /// Findings silenced by an inline comment or an `ignore:` entry.
    pub ignored: Vec<Ignored>,
    /// How many findings the baseline suppressed.
    pub baseline_suppressed: usize,
    /// How many findings `--min-severity` hid (counted, never shown).
    pub below_min_severity: usize,
}

impl AuditReport {
    /// Hides the findings (and the ignored ones) below `min`, counting the findings, so
    /// that every format presents the same remaining findings (`--min-severity`).
    pub fn hide_below(&mut self, min: Severity) {
        let before = self.findings.len();
        self.findings.retain(|f| f.severity >= min);
        self.below_min_severity += before - self.findings.len();
        self.ignored.retain(|i| i.finding.severity >= min);
    }

    pub fn source(&self, repository: &str, file: &str) -> Option<&Arc<str>> {
        self.sources
            .get(&(repository.to_string(), file.to_string()))
    }

    pub fn files_audited(&self) -> usize {
        self.repos.iter().map(|r| r.files).sum()
    }

    pub fn settings_evaluated(&self) -> bool {
        self.repos.iter().any(|r| r.settings_evaluated)
    }

    /// Adds one evaluated repository's results.
    pub fn absorb(&mut self, repo: RepoOutcome) {
        self.findings.extend(repo.findings);
        self.errors.extend(repo.errors);
        self.notices.extend(repo.notices);
        self.policy_errors.extend(repo.policy_errors);
        self.config_errors.extend(repo.config_errors);
        self.ignored.extend(repo.ignored);
        self.sources.extend(repo.sources);
        self.repos.push(repo.summary);
    }
}

/// The result of auditing one repository.
pub struct RepoOutcome {
    pub summary: RepoSummary,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub notices: Vec<Notice>,
    pub policy_errors: Vec<PolicyError>,
    /// Mistakes in the repository's config (a repository with any is not evaluated).
    pub config_errors: Vec<ConfigError>,
    pub sources: Vec<((String, String), Arc<str>)>,
    pub ignored: Vec<Ignored>,
}

impl AuditReport {
    /// Puts the report in the order every report uses: findings by repository, file and
    /// position; repositories and errors by repository.
    pub fn sort(&mut self) {
        self.findings.sort_by_key(Finding::sort_key);
        self.ignored.sort_by_key(|i| i.finding.sort_key());
        self.repos.sort_by(|a, b| a.display.cmp(&b.display));
        let by_place = |a: &InputError, b: &InputError| {
            (&a.repository, &a.file, a.line, &a.message).cmp(&(
                &b.repository,
                &b.file,
                b.line,
                &b.message,
            ))
        };
        self.errors.sort_by(by_place);
        self.notices.sort_by(by_place);
    }

    /// Adds `other` (repositories already here are not added twice).
    pub fn combine(&mut self, other: AuditReport) {
        let known: std::collections::BTreeSet<String> =
            self.repos.iter().map(|r| r.display.clone()).collect();
        self.findings.extend(other.findings);
        self.errors.extend(other.errors);
        self.notices.extend(other.notices);
        self.policy_errors.extend(other.policy_errors);
        self.config_errors.extend(other.config_errors);
        self.ignored.extend(other.ignored);
        self.sources.extend(other.sources);
        self.baseline_suppressed += other.baseline_suppressed;
        self.below_min_severity += other.below_min_severity;
        self.repos.extend(
            other
                .repos
                .into_iter()
                .filter(|r| !known.contains(&r.display)),
        );
    }
}
