//! Org-wide sweeps: `shiplint audit --org ORG` / `--repos-file FILE`.
//!
//! `jobs` fetcher threads (each with its own blocking client) take repositories from one
//! queue and fetch their workflows and settings; every fetched repository is evaluated
//! on the rayon pool as soon as it arrives, with one engine per rayon worker. Only the
//! findings are kept once a repository is evaluated (file texts only for the human
//! format, which shows snippets). A repository that fails is reported with its error and
//! the sweep goes on; a primary rate limit under `--no-wait` stops the fetchers, and the
//! repositories not done yet are left for `--resume`.

pub mod command;
pub mod resume;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

use rayon::prelude::*;
use serde_json::Value as Json;

use crate::audit::{self, AuditReport, RepoOutcome};
use crate::config::Config;
use crate::finding::{InputError, Severity};
use crate::github::org::{self, Shard};
use crate::github::{Client, ClientOptions, GithubError};
use crate::policy::PolicySet;
use crate::source::github::{self as github_source, RemoteSpec};

/// What to sweep.
#[derive(Debug, Clone)]
pub enum Target {
    /// Every repository of an organization (`--org`).
    Org(String),
    /// These repositories (`--repos-file`).
    List(Vec<RemoteSpec>),
}

#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// Repositories in flight at once.
    pub jobs: usize,
    pub include_archived: bool,
    pub include_forks: bool,
    pub shard: Option<Shard>,
    /// `--settings FILE`: these settings for every repository (no settings requests).
    pub settings: Option<Json>,
    /// Keep file texts for snippets (the human format).
    pub keep_sources: bool,
    pub no_ignores: bool,
    /// Repositories already done (`--resume`): not fetched again.
    pub skip: BTreeSet<String>,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            jobs: 8,
            include_archived: false,
            include_forks: false,
            shard: None,
            settings: None,
            keep_sources: false,
            no_ignores: false,
            skip: BTreeSet::new(),
        }
    }
}

/// Live counters for a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    pub total: AtomicUsize,
    pub done: AtomicUsize,
    pub failed: AtomicUsize,
    pub findings: AtomicUsize,
}

/// What a sweep came to.
pub struct SweepResult {
    pub report: AuditReport,
    /// Repositories of the sweep (after filters and shard), in order.
    pub planned: Vec<String>,
    /// Repositories not done because the sweep stopped (rate limit under `--no-wait`).
    pub pending: Vec<String>,
    /// Why the sweep stopped early, if it did.
    pub stopped: Option<String>,
    /// Repositories that failed, and whether every failure was "API unreachable".
    pub failed: usize,
    pub all_unreachable: bool,
}

/// The repositories a target names, after `--include-*` filters and `--shard`.
pub fn plan(
    client: &Client,
    target: &Target,
    opts: &SweepOptions,
) -> Result<Vec<RemoteSpec>, GithubError> {
    let specs: Vec<RemoteSpec> = match target {
        Target::Org(name) => org::list(client, name)?
            .into_iter()
            .filter(|r| opts.include_archived || !r.archived)
            .filter(|r| opts.include_forks || !r.fork)
            .map(|r| r.spec)
            .collect(),
        Target::List(specs) => specs.clone(),
    };
    Ok(specs
        .into_iter()
        .filter(|s| opts.shard.is_none_or(|sh| sh.contains(&s.slug())))
        .collect())
}

enum Fetched {
    Repo(Box<crate::source::Repository>),
    Failed(String, GithubError),
}

/// Sweeps `specs`: fetch on `jobs` threads, evaluate on rayon. `on_progress` is called
/// after every repository (from any thread).
pub fn sweep(
    policies: &PolicySet,
    client_opts: &ClientOptions,
    specs: Vec<RemoteSpec>,
    opts: &SweepOptions,
    progress: &Progress,
    on_progress: &(dyn Fn(&Progress) + Sync),
) -> SweepResult {
    let planned: Vec<String> = specs.iter().map(RemoteSpec::slug).collect();
    let queue: Vec<RemoteSpec> = specs
        .into_iter()
        .filter(|s| !opts.skip.contains(&s.slug()))
        .collect();
    progress.total.store(queue.len(), Ordering::Relaxed);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let stopped: Mutex<Option<String>> = Mutex::new(None);
    let not_done: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let (tx, rx) = mpsc::sync_channel::<Fetched>(opts.jobs.max(1) * 2);
    let config = Config::default();

    let outcomes: Vec<Result<RepoOutcome, InputError>> = std::thread::scope(|scope| {
        for _ in 0..opts.jobs.max(1) {
            let tx = tx.clone();
            let (queue, next, stop, stopped, not_done) =
                (&queue, &next, &stop, &stopped, &not_done);
            scope.spawn(move || {
                let client = match Client::new(client_opts.clone()) {
                    Ok(c) => c,
                    Err(e) => {
                        *stopped.lock().unwrap() = Some(e.to_string());
                        stop.store(true, Ordering::SeqCst);
                        return;
                    }
                };
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(spec) = queue.get(i) else { break };
                    if stop.load(Ordering::SeqCst) {
                        not_done.lock().unwrap().push(spec.slug());
                        continue;
                    }
                    let fetched = match github_source::load(&client, spec, opts.settings.clone()) {
                        Ok(repo) => Fetched::Repo(Box::new(repo)),
                        Err(e @ GithubError::RateLimited { .. }) => {
                            // `--no-wait` (or a reset too far away): stop the sweep here.
                            stop.store(true, Ordering::SeqCst);
                            stopped.lock().unwrap().get_or_insert(e.to_string());
                            not_done.lock().unwrap().push(spec.slug());
                            continue;
                        }
                        Err(e) => Fetched::Failed(spec.slug(), e),
                    };
                    if tx.send(fetched).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        rx.into_iter()
            .par_bridge()
            .map_init(
                || policies.engine(),
                |engine, fetched| {
                    let result = match fetched {
                        Fetched::Repo(repo) => {
                            let mut o = audit::audit_repository_with(
                                policies,
                                engine,
                                *repo,
                                &config,
                                !opts.no_ignores,
                            );
                            if !opts.keep_sources {
                                o.sources = Vec::new();
                            }
                            progress
                                .findings
                                .fetch_add(o.findings.len(), Ordering::Relaxed);
                            Ok(o)
                        }
                        Fetched::Failed(slug, e) => {
                            progress.failed.fetch_add(1, Ordering::Relaxed);
                            Err(failure(slug, &e))
                        }
                    };
                    progress.done.fetch_add(1, Ordering::Relaxed);
                    on_progress(progress);
                    result
                },
            )
            .collect()
    });

    let mut report = AuditReport::default();
    let mut failed = 0;
    let mut unreachable = 0;
    for o in outcomes {
        match o {
            Ok(o) => report.absorb(o),
            Err(e) => {
                failed += 1;
                if e.message.starts_with(UNREACHABLE) {
                    unreachable += 1;
                }
                report.errors.push(e);
            }
        }
    }
    crate::report::load::sort(&mut report);
    let mut pending = not_done.into_inner().unwrap_or_default();
    pending.sort();
    SweepResult {
        report,
        planned,
        pending,
        stopped: stopped.into_inner().unwrap_or_default(),
        failed,
        all_unreachable: failed > 0 && unreachable == failed,
    }
}

const UNREACHABLE: &str = "cannot reach the GitHub API";

fn failure(slug: String, e: &GithubError) -> InputError {
    let mut err = InputError::new(None, format!("{e}"));
    err.repository = Some(slug);
    err
}

/// Findings per repository and rule, for the summary table, CSV and HTML reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoRow {
    pub repository: String,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Count and worst severity per rule id.
    pub rules: std::collections::BTreeMap<String, (usize, Severity)>,
    /// The repository could not be audited (its error).
    pub failure: Option<String>,
}

/// One row per repository (audited or failed), worst first: most errors, then warnings,
/// then notes, then by name; failed repositories last.
pub fn matrix(report: &AuditReport) -> Vec<RepoRow> {
    let mut rows: std::collections::BTreeMap<String, RepoRow> = report
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
    let mut totals: std::collections::BTreeMap<&str, (usize, Severity)> = Default::default();
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
    use crate::finding::{Finding, Location};

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
        }
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
        report.errors.push(failure(
            "a/broken".into(),
            &GithubError::Unreachable {
                url: "u".into(),
                reason: "r".into(),
            },
        ));
        let rows = matrix(&report);
        let names: Vec<&str> = rows.iter().map(|r| r.repository.as_str()).collect();
        assert_eq!(names, ["a/bad", "a/meh", "a/clean", "a/broken"]);
        assert_eq!(rows[0].rules["x"], (2, Severity::Error));
        assert!(rows[3].failure.as_deref().unwrap().starts_with(UNREACHABLE));
        assert_eq!(matrix_rules(&rows), ["x", "y"]);
    }
}
