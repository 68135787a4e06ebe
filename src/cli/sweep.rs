//! `shiplint audit --org ORG` / `--repos-file FILE`: plan the organization's targets,
//! show progress, keep the `--resume` file (each repository logged as it finishes), and
//! decide what the exit status says. Loading and evaluating are the one audit driver's,
//! as for every audit.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::audit::{self, Progress, RepoOutcome, Session};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::github::{org, Client, RequestStats};
use crate::source::target::{self, ListingFilter, Plan};

use super::audit::present;
use super::AuditArgs;
use crate::report::resume;

pub fn run(args: &AuditArgs, session: &Session) -> Result<ExitStatus, Error> {
    let Some(online) = &session.github else {
        return Err(Error::Usage(
            "--offline cannot audit GitHub repositories (--org, --repos-file)".into(),
        ));
    };
    let shard = args
        .sweep
        .shard
        .as_deref()
        .map(org::Shard::parse)
        .transpose()?;
    let mut plan = plan(args, session, shard)?;
    let resume_path: Option<PathBuf> = args.sweep.resume.clone();
    let prior = match &resume_path {
        Some(p) => Some(resume::load(p)?),
        None => None,
    };
    let planned = plan.targets.len();
    let mut log = Log::default();
    if let (Some(prior), Some(path)) = (&prior, &resume_path) {
        plan.targets
            .retain(|t| !prior.finished.contains(&t.display()));
        log.log = Some(resume::ProgressLog::start(path, &prior.report)?);
    }
    let stats = online.client.stats.clone();
    let bar = progress_bar(args, plan.targets.len());
    let progress = Progress::default();
    let update = |p: &Progress, outcome: Option<&RepoOutcome>| {
        log.record(outcome, session);
        if let Some(bar) = &bar {
            show_progress(bar, p, &stats);
        }
    };
    let mut run = audit::run(session, plan, &progress, &update);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut report = std::mem::take(&mut run.report);
    if let Some(prior) = prior {
        report.combine(prior.report);
    }
    report.sort();
    if !args.sweep.quiet {
        eprintln!(
            "shiplint: swept {} of {planned} repositories ({} failed) with {} API requests",
            report.repos.len(),
            run.failed,
            stats.requests()
        );
    }
    let mut status = save_resume(&run, &report, resume_path);
    // The API failed for every repository: nothing was audited, and that is the API's.
    if run.failed > 0 && run.unreachable == run.failed && report.repos.is_empty() {
        status = Some(ExitStatus::Github);
    }
    present(args, session, &report, true)?;
    Ok(status.unwrap_or_else(|| super::exit_status(&report, args.fail_on)))
}

/// Writes the resume file when the sweep keeps one or was stopped, and says how to go on
/// when it was stopped; the status that demands, if any.
fn save_resume(
    run: &audit::AuditRun,
    report: &audit::AuditReport,
    resume_path: Option<PathBuf>,
) -> Option<ExitStatus> {
    if run.stopped.is_none() && resume_path.is_none() {
        return None;
    }
    let mut status = None;
    let path = resume_path.unwrap_or_else(|| PathBuf::from(resume::DEFAULT_FILE));
    if let Err(e) = resume::save(&path, report, &run.pending) {
        eprintln!("error: {e}");
        status = Some(ExitStatus::Error);
    }
    if let Some(why) = &run.stopped {
        eprintln!(
            "error: sweep stopped: {why}\n       {} repositories not done; continue with `--resume {}`",
            run.pending.len(),
            path.display()
        );
        status = Some(ExitStatus::Github);
    }
    status
}

/// The progress log of a `--resume` sweep, and whether writing it failed (said once).
#[derive(Default)]
struct Log {
    log: Option<resume::ProgressLog>,
    failed: AtomicBool,
}

impl Log {
    /// Logs a repository as it finishes (an outcome: it was audited).
    fn record(&self, outcome: Option<&RepoOutcome>, session: &Session) {
        let (Some(log), Some(outcome)) = (&self.log, outcome) else {
            return;
        };
        if let Err(e) = log.record(outcome, session.baseline.as_ref()) {
            if !self.failed.swap(true, Ordering::Relaxed) {
                eprintln!("warning: {e}; a killed sweep would redo what it finished");
            }
        }
    }
}

/// The repositories of `--org` (one listing through the API) or `--repos-file`.
fn plan(args: &AuditArgs, session: &Session, shard: Option<org::Shard>) -> Result<Plan, Error> {
    if let Some(name) = &args.sweep.org {
        let online = session.github.as_ref().ok_or_else(|| {
            Error::Usage("--offline cannot audit GitHub repositories (--org)".into())
        })?;
        let client = Client::new(online.client.clone())?;
        let filter = ListingFilter {
            include_archived: args.sweep.include_archived,
            include_forks: args.sweep.include_forks,
            shard,
        };
        return Ok(target::plan_org(&client, name, filter)?);
    }
    let path = args
        .sweep
        .repos_file
        .as_ref()
        .ok_or_else(|| Error::Usage("--org ORG or --repos-file FILE".into()))?;
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.clone(),
        source,
    })?;
    let specs = org::parse_repos_file(&text).map_err(|source| Error::ReposFile {
        path: path.clone(),
        source,
    })?;
    Ok(target::plan_list(specs, shard))
}

/// A progress bar on standard error, when it is a terminal outside CI and not `--quiet`.
fn progress_bar(args: &AuditArgs, todo: usize) -> Option<indicatif::ProgressBar> {
    let show =
        !args.sweep.quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    show.then(|| {
        let bar = indicatif::ProgressBar::new(todo as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} repositories {msg} [{elapsed}]",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    })
}

fn show_progress(bar: &indicatif::ProgressBar, p: &Progress, stats: &RequestStats) {
    bar.set_position(p.done.load(Ordering::Relaxed) as u64);
    let left = stats
        .rate_remaining()
        .map_or("?".to_string(), |n| n.to_string());
    bar.set_message(format!(
        "· {} findings · {} failed · {} requests · rate limit left {left}",
        p.findings.load(Ordering::Relaxed),
        p.failed.load(Ordering::Relaxed),
        stats.requests(),
    ));
}
