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
use crate::finding::InputError;
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
