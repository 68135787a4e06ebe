//! The audit pipeline for local paths: discover → load → model → evaluate → findings.
//! Repositories are independent, so they are audited in parallel on the rayon pool, each
//! worker with its own clone of the compiled policy engine.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::discover::{self, DiscoverOptions};
use crate::finding::{Finding, InputError};
use crate::model;
use crate::policy::{resolve_findings, PolicyError, PolicySet};
use crate::source::{local, Repository};

#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    pub paths: Vec<PathBuf>,
    pub discover: DiscoverOptions,
    /// Never touch the network, even with a token.
    pub offline: bool,
    /// `input.settings` for every audited repository (`--settings FILE`).
    pub settings: Option<serde_json::Value>,
}

/// What one repository came to.
#[derive(Debug, Clone)]
pub struct RepoSummary {
    pub display: String,
    pub files: usize,
    pub settings_evaluated: bool,
    /// `OWNER/NAME` on GitHub, when known (settings findings link its settings pages).
    pub slug: Option<String>,
}

/// Everything the reports need: findings, errors, and the audited sources for snippets.
#[derive(Default)]
pub struct AuditReport {
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub policy_errors: Vec<PolicyError>,
    pub repos: Vec<RepoSummary>,
    /// `(repository, file)` → text, so reports can show snippets.
    pub sources: BTreeMap<(String, String), Arc<str>>,
}

impl AuditReport {
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
        self.policy_errors.extend(repo.policy_errors);
        self.sources.extend(repo.sources);
        self.repos.push(repo.summary);
    }
}

/// The result of auditing one repository.
pub struct RepoOutcome {
    pub summary: RepoSummary,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub policy_errors: Vec<PolicyError>,
    pub sources: Vec<((String, String), Arc<str>)>,
}

/// Models and evaluates one loaded repository.
pub fn audit_repository(
    policies: &PolicySet,
    engine: &mut regorus::Engine,
    repo: Repository,
) -> RepoOutcome {
    let (input, model_errors) = model::build_input(&repo);
    let with_settings = input.settings.is_some();
    let (raw, mut policy_errors) = policies.evaluate(engine, &input, with_settings);
    let (findings, locate_errors) = resolve_findings(raw, policies.rules(), &repo);
    policy_errors.extend(locate_errors);
    let mut errors = repo.errors;
    errors.extend(model_errors);
    for e in &mut errors {
        e.repository = Some(repo.display.clone());
    }
    let sources = repo
        .files
        .iter()
        .map(|f| ((repo.display.clone(), f.rel.clone()), f.text.clone()))
        .collect();
    RepoOutcome {
        summary: RepoSummary {
            display: repo.display.clone(),
            files: repo.files.len(),
            settings_evaluated: with_settings,
            slug: slug(&repo.info),
        },
        findings,
        errors,
        policy_errors,
        sources,
    }
}

/// `OWNER/NAME` of a repository, when both are known.
fn slug(info: &model::RepositoryInfo) -> Option<String> {
    (!info.owner.is_empty() && !info.name.is_empty())
        .then(|| format!("{}/{}", info.owner, info.name))
}

/// Audits local paths.
pub fn audit_paths(policies: &PolicySet, opts: &AuditOptions) -> AuditReport {
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    };
    let (found, discover_errors) = discover::discover(&paths, &opts.discover);
    let outcomes: Vec<RepoOutcome> = found
        .into_par_iter()
        .map_init(
            || policies.engine(),
            |engine, repo_files| {
                let mut repo = local::load(repo_files);
                repo.settings.clone_from(&opts.settings);
                audit_repository(policies, engine, repo)
            },
        )
        .collect();
    let mut report = AuditReport {
        errors: discover_errors,
        ..AuditReport::default()
    };
    for o in outcomes {
        report.absorb(o);
    }
    report.findings.sort_by_key(Finding::sort_key);
    report
}
