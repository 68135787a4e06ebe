//! The one audit driver: targets → load → model → evaluate → findings, for clones, remote
//! repositories and whole organizations alike.
//!
//! Remote targets are fetched on `jobs` threads (each with its own blocking client made
//! from the session's options) taking repositories from one queue; local targets are
//! read on the evaluating workers. Every loaded repository is evaluated on the rayon
//! pool as soon as it arrives, each worker keeping one engine per policy set it meets.
//! A repository that cannot be fetched is reported with its error and the run goes on;
//! a primary rate limit under `--no-wait` stops the fetchers, and what was not done yet
//! is listed as pending (for `--resume`).

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};

use rayon::prelude::*;

use crate::discover::RepoFiles;
use crate::finding::{Finding, InputError};
use crate::github::{Client, GithubError};
use crate::source::github::{self as github_source, LoadOptions, RemoteRepository};
use crate::source::stdin::{self, StdinWorkflow};
use crate::source::target::{Plan, Target};
use crate::source::{local, Repository};

use super::config::Rejected;
use super::evaluate::{evaluate, Evaluation};
use super::outcome::{AuditReport, RepoOutcome};
use super::session::{Online, Session};

/// Live counters for a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    pub total: AtomicUsize,
    pub done: AtomicUsize,
    pub failed: AtomicUsize,
    pub findings: AtomicUsize,
}

/// What a run came to.
#[derive(Default)]
pub struct AuditRun {
    pub report: AuditReport,
    /// `OWNER/NAME` of the remote targets not done because the run stopped.
    pub pending: Vec<String>,
    /// Why the run stopped early (the rate limit under `--no-wait`), if it did.
    pub stopped: Option<GithubError>,
    /// Remote targets that could not be fetched.
    pub failed: usize,
    /// How many of those failed because the API could not be reached at all.
    pub unreachable: usize,
    /// Settings of local clones that the API would not give (`OWNER/NAME: why`).
    pub clone_errors: Vec<String>,
}

/// A target ready to evaluate, or why it is not.
enum Loaded {
    Local(RepoFiles),
    /// A workflow read from standard input.
    Stdin(StdinWorkflow),
    Remote(Box<RemoteRepository>),
    Failed(String, GithubError),
    /// Fetching it panicked (a bug): the name and the panic's message.
    Crashed(String, String),
}

impl Loaded {
    /// How reports name the target.
    fn name(&self) -> String {
        match self {
            Loaded::Local(files) => files.display.clone(),
            Loaded::Stdin(_) => stdin::DISPLAY.to_string(),
            Loaded::Remote(remote) => remote.repo.display.clone(),
            Loaded::Failed(name, _) | Loaded::Crashed(name, _) => name.clone(),
        }
    }
}

/// What one target came to.
enum Done {
    Audited(Box<RepoOutcome>),
    Rejected(Rejected, Vec<crate::finding::Notice>),
    /// Not fetched; `true` when the API could not be reached at all.
    Failed(InputError, bool),
    /// A bug stopped its audit: an error of this repository, and the run goes on.
    Crashed(InputError),
}

/// Audits the targets of `plan`, with no progress display.
pub fn audit(session: &Session, plan: Plan) -> AuditRun {
    run(session, plan, &Progress::default(), &|_, _| {})
}

/// Audits the targets of `plan`. `on_progress` is called after every target, from any
/// thread, with the target's outcome when it was audited (before the baseline; a sweep
/// writes its resume file from these as repositories finish).
pub fn run(
    session: &Session,
    plan: Plan,
    progress: &Progress,
    on_progress: &(dyn Fn(&Progress, Option<&RepoOutcome>) + Sync),
) -> AuditRun {
    let mut run = AuditRun::default();
    // `--policy` directories that did not load: errors of the run, beside its findings.
    run.report.policy_errors.clone_from(&session.policy_errors);
    // `--config FILE` with mistakes: nothing is audited, the mistakes are the report.
    if let Some(rejected) = session.resolver.explicit_failure() {
        run.report.config_errors = rejected.config_errors.clone();
        run.report
            .policy_errors
            .extend(rejected.policy_errors.iter().cloned());
        return run;
    }
    run.report.errors = plan.errors;
    progress.total.store(plan.targets.len(), Ordering::Relaxed);
    let (remote, local): (Vec<_>, Vec<_>) = plan
        .targets
        .into_iter()
        .enumerate()
        .partition(|(_, t)| t.is_remote());
    let fetch = Fetch {
        queue: remote,
        next: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        stopped: Mutex::new(None),
        pending: Mutex::new(Vec::new()),
    };
    let clones = CloneSettings::new(session);
    let mut done = std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<(usize, Loaded)>(session.jobs.max(1) * 2);
        fetch.start(scope, session, &tx);
        scope.spawn(move || send_local(local, &tx));
        rx.into_iter()
            .par_bridge()
            .map_init(BTreeMap::new, |engines, (i, loaded)| {
                let name = loaded.name();
                let done = catch_unwind(AssertUnwindSafe(|| {
                    finish(session, engines, &clones, loaded)
                }))
                .unwrap_or_else(|panic| {
                    // An engine may have been left mid-query: this worker starts afresh.
                    engines.clear();
                    Done::Crashed(crashed(name, &panic_message(&*panic)))
                });
                progress.count(&done);
                let outcome = match &done {
                    Done::Audited(outcome) => Some(&**outcome),
                    _ => None,
                };
                on_progress(progress, outcome);
                (i, done)
            })
            .collect::<Vec<_>>()
    });
    done.sort_by_key(|(i, _)| *i);
    for (_, d) in done {
        gather(&mut run, d);
    }
    run.report.findings.sort_by_key(Finding::sort_key);
    run.report.ignored.sort_by_key(|i| i.finding.sort_key());
    if let Some(baseline) = &session.baseline {
        run.report.baseline_suppressed = baseline.suppress(&mut run.report.findings);
    }
    if let Some(min) = session.min_severity {
        run.report.hide_below(min);
    }
    run.stopped = into_inner(fetch.stopped);
    run.pending = into_inner(fetch.pending);
    run.pending.sort();
    run.clone_errors = into_inner(clones.errors);
    run
}

/// Sends the local targets (read on the evaluating workers) to them.
fn send_local(local: Vec<(usize, Target)>, tx: &mpsc::SyncSender<(usize, Loaded)>) {
    for (i, target) in local {
        let loaded = match target {
            Target::Local(files) => Loaded::Local(files),
            Target::Stdin(workflow) => Loaded::Stdin(workflow),
            Target::Remote(_) | Target::Listed(..) => continue,
        };
        if tx.send((i, loaded)).is_err() {
            break;
        }
    }
}

/// What a mutex held, whether or not a thread panicked with it.
fn into_inner<T>(m: Mutex<T>) -> T {
    m.into_inner().unwrap_or_else(PoisonError::into_inner)
}

impl Progress {
    /// Counts one finished target.
    fn count(&self, done: &Done) {
        match done {
            Done::Audited(o) => {
                self.findings.fetch_add(o.findings.len(), Ordering::Relaxed);
            }
            Done::Failed(..) | Done::Crashed(..) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
            }
            Done::Rejected(..) => {}
        }
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Adds what one target came to.
fn gather(run: &mut AuditRun, done: Done) {
    match done {
        Done::Audited(outcome) => run.report.absorb(*outcome),
        Done::Rejected(rejected, notices) => {
            run.report.config_errors.extend(rejected.config_errors);
            run.report.policy_errors.extend(rejected.policy_errors);
            run.report.notices.extend(notices);
        }
        Done::Failed(error, unreachable) => {
            run.failed += 1;
            run.unreachable += usize::from(unreachable);
            run.report.errors.push(error);
        }
        Done::Crashed(error) => run.report.errors.push(error),
    }
}

/// The error of a repository whose audit panicked.
fn crashed(name: String, message: &str) -> InputError {
    let mut error = InputError::new(
        None,
        format!(
            "internal error: shiplint failed while auditing this repository ({message}); the other repositories are audited. Please report it at https://github.com/shiplint/shiplint/issues"
        ),
    );
    error.repository = Some(name);
    error
}

/// The message a panic was raised with.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// Fault injection for the test that proves isolation: with `SHIPLINT_TEST_PANIC=NAME`,
/// the audit of the repository whose name ends with `NAME` panics.
fn injected_fault(name: &str) {
    if let Some(target) = std::env::var_os("SHIPLINT_TEST_PANIC") {
        let target = target.to_string_lossy();
        if !target.is_empty() && name.ends_with(&*target) {
            panic!("SHIPLINT_TEST_PANIC: fault injected into {name}");
        }
    }
}

/// Loads (for local targets) and evaluates one target under its config.
fn finish(
    session: &Session,
    engines: &mut BTreeMap<usize, regorus::Engine>,
    clones: &CloneSettings,
    loaded: Loaded,
) -> Done {
    let (mut repo, fetched_config) = match loaded {
        Loaded::Local(files) => (local::load(files), None),
        Loaded::Stdin(workflow) => (stdin::load(workflow), None),
        Loaded::Remote(remote) => (remote.repo, remote.config),
        Loaded::Failed(slug, e) => {
            let unreachable = matches!(e, GithubError::Unreachable { .. });
            let mut error = InputError::new(None, e.to_string());
            error.repository = Some(slug);
            return Done::Failed(error, unreachable);
        }
        Loaded::Crashed(name, message) => return Done::Crashed(crashed(name, &message)),
    };
    injected_fault(&repo.display);
    let (resolved, mut notices) = session.resolver.resolve(&repo, fetched_config.as_ref());
    let resolved = match resolved {
        Ok(r) => r,
        Err(rejected) => return Done::Rejected(rejected, notices),
    };
    if repo.settings.is_none() {
        repo.settings.clone_from(&session.settings);
    }
    if repo.settings.is_none() {
        repo.settings = clones.fetch(&repo);
    }
    let set = &resolved.policies;
    let engine = engines
        .entry(Arc::as_ptr(set) as usize)
        .or_insert_with(|| set.engine());
    let what = Evaluation {
        ignores: !session.no_ignores,
        graph: session.graphs,
        trace: session.trace,
    };
    let mut outcome = evaluate(set, engine, repo, &resolved.config, what);
    outcome.notices.append(&mut notices);
    if !session.keep_sources {
        outcome.sources = Vec::new();
    }
    Done::Audited(Box::new(outcome))
}

/// The queue of remote targets and the fetchers' shared state.
struct Fetch {
    queue: Vec<(usize, Target)>,
    next: AtomicUsize,
    stop: AtomicBool,
    stopped: Mutex<Option<GithubError>>,
    pending: Mutex<Vec<String>>,
}

impl Fetch {
    /// Starts the fetcher threads (at most `jobs`, no more than there are targets). An
    /// offline session cannot fetch: each remote target says so.
    fn start<'scope>(
        &'scope self,
        scope: &'scope std::thread::Scope<'scope, '_>,
        session: &'scope Session,
        tx: &mpsc::SyncSender<(usize, Loaded)>,
    ) {
        if self.queue.is_empty() {
            return;
        }
        let Some(online) = &session.github else {
            let tx = tx.clone();
            scope.spawn(move || {
                for (i, target) in &self.queue {
                    let why = GithubError::Setup {
                        reason: "offline: GitHub repositories cannot be fetched".into(),
                    };
                    if tx
                        .send((*i, Loaded::Failed(target.display(), why)))
                        .is_err()
                    {
                        break;
                    }
                }
            });
            return;
        };
        for _ in 0..session.jobs.clamp(1, self.queue.len()) {
            let tx = tx.clone();
            scope.spawn(move || self.work(session, online, &tx));
        }
    }

    /// One fetcher thread: takes targets until the queue is empty or the run stops.
    fn work(&self, session: &Session, online: &Online, tx: &mpsc::SyncSender<(usize, Loaded)>) {
        // A client that cannot be made (a bad base URL) stops the run: every target is
        // left pending.
        let client = Client::new(online.client.clone())
            .map_err(|e| self.halt(e))
            .ok();
        let opts = LoadOptions {
            settings: session.settings.clone(),
            config: session.resolver.wants_repository_config(),
            environments_only: session.trace,
        };
        loop {
            let i = self.next.fetch_add(1, Ordering::SeqCst);
            let Some((index, target)) = self.queue.get(i) else {
                break;
            };
            let Some(client) = client
                .as_ref()
                .filter(|_| !self.stop.load(Ordering::SeqCst))
            else {
                self.postpone(target);
                continue;
            };
            let fetched = catch_unwind(AssertUnwindSafe(|| match target {
                Target::Remote(spec) => Some(github_source::load(client, spec, &opts)),
                Target::Listed(spec, meta) => {
                    Some(github_source::load_described(client, spec, meta, &opts))
                }
                Target::Local(_) | Target::Stdin(_) => None,
            }));
            let fetched = match fetched {
                Ok(Some(fetched)) => fetched,
                Ok(None) => continue,
                Err(panic) => {
                    let crashed = Loaded::Crashed(target.display(), panic_message(&*panic));
                    if tx.send((*index, crashed)).is_err() {
                        break;
                    }
                    continue;
                }
            };
            let fetched = match session.history {
                Some(window) => fetched
                    .and_then(|repo| super::history::attach(session, client, target, window, repo)),
                None => fetched,
            };
            let loaded = match fetched {
                Ok(repo) => Loaded::Remote(Box::new(repo)),
                Err(e @ GithubError::RateLimited { .. }) => {
                    // `--no-wait` (or a reset too far away): the run stops here.
                    self.halt(e);
                    self.postpone(target);
                    continue;
                }
                Err(e) => Loaded::Failed(target.display(), e),
            };
            if tx.send((*index, loaded)).is_err() {
                break;
            }
        }
    }

    /// Stops every fetcher; the first reason is kept.
    fn halt(&self, why: GithubError) {
        self.stop.store(true, Ordering::SeqCst);
        let mut stopped = self.stopped.lock().unwrap_or_else(PoisonError::into_inner);
        stopped.get_or_insert(why);
    }

    fn postpone(&self, target: &Target) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.push(target.display());
    }
}

/// The settings of local clones, fetched through the API when a token is set: from the
/// repository `--repo` names, else the one the clone's `origin` remote names.
struct CloneSettings {
    online: Option<Online>,
    client: Mutex<Option<Client>>,
    errors: Mutex<Vec<String>>,
}

impl CloneSettings {
    fn new(session: &Session) -> CloneSettings {
        // `--settings FILE` gives every repository its settings; offline there are none.
        let online = session
            .github
            .clone()
            .filter(|_| session.settings.is_none());
        CloneSettings {
            online,
            client: Mutex::new(None),
            errors: Mutex::new(Vec::new()),
        }
    }

    /// The clone's settings, or `None` (the settings rules stay unevaluated).
    fn fetch(&self, repo: &Repository) -> Option<serde_json::Value> {
        let online = self.online.as_ref()?;
        let origin = match &online.enterprise_host {
            Some(host) => repo
                .root
                .as_ref()
                .and_then(|root| local::git_file(root, "config"))
                .and_then(|config| local::origin_slug_on(&config, host))
                .map(|(o, n)| format!("{o}/{n}")),
            None => (!repo.info.owner.is_empty())
                .then(|| format!("{}/{}", repo.info.owner, repo.info.name)),
        };
        let slug = online.clone_slug.clone().or(origin)?;
        if online.client.token.is_none() {
            let line = format!(
                "shiplint: {}: offline: no GitHub token (GH_TOKEN or GITHUB_TOKEN), so the settings of {slug} were not fetched and the repository-settings rules are not evaluated",
                repo.display
            );
            eprintln!("{}", crate::escape::line(&line));
            return None;
        }
        let mut client = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        if client.is_none() {
            match Client::new(online.client.clone()) {
                Ok(c) => *client = Some(c),
                Err(e) => {
                    self.fail(format!("{slug}: {e}"));
                    return None;
                }
            }
        }
        let result = github_source::fetch_settings_for_clone(client.as_ref()?, &slug, repo);
        result.map_err(|e| self.fail(format!("{slug}: {e}"))).ok()
    }

    fn fail(&self, message: String) {
        let mut errors = self.errors.lock().unwrap_or_else(PoisonError::into_inner);
        errors.push(message);
    }
}
