//! `shiplint audit --org ORG` / `--repos-file FILE` on the command line: the client, the
//! plan, the progress bar, `--resume` and what the exit code says.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{resume, Progress, SweepOptions, Target};
use crate::audit::AuditReport;
use crate::cli::{AuditArgs, Format};
use crate::github::{self, org, Client, ClientOptions};
use crate::policy::PolicySet;
use crate::run::{EXIT_ERROR, EXIT_GITHUB};

/// A finished (or stopped) sweep, ready to render.
pub struct SweepOutcome {
    pub report: AuditReport,
    /// The exit code the sweep itself demands (3: the API failed for every repository
    /// or the sweep was stopped), over what the findings say.
    pub exit_override: Option<u8>,
}

fn target(args: &AuditArgs) -> Result<Target, String> {
    if let Some(org) = &args.sweep.org {
        return Ok(Target::Org(org.clone()));
    }
    let path = args
        .sweep
        .repos_file
        .as_ref()
        .expect("--org or --repos-file");
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    org::parse_repos_file(&text)
        .map(Target::List)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs the sweep the arguments ask for.
pub fn run(
    policies: &PolicySet,
    args: &AuditArgs,
    settings: Option<serde_json::Value>,
) -> Result<SweepOutcome, u8> {
    let fail = |code: u8| {
        move |e: String| {
            eprintln!("error: {e}");
            code
        }
    };
    if args.offline {
        return Err(fail(EXIT_ERROR)(
            "--offline cannot audit GitHub repositories (--org, --repos-file)".into(),
        ));
    }
    let shard = args
        .sweep
        .shard
        .as_deref()
        .map(org::Shard::parse)
        .transpose()
        .map_err(|e| fail(EXIT_ERROR)(format!("--shard {e}")))?;
    let target = target(args).map_err(fail(EXIT_ERROR))?;
    let resume_path: Option<PathBuf> = args.sweep.resume.clone();
    let prior = match &resume_path {
        Some(p) => Some(resume::load(p).map_err(fail(EXIT_ERROR))?),
        None => None,
    };
    let base = github::base_url(
        args.github_url.as_deref(),
        std::env::var("GH_HOST").ok().as_deref(),
    );
    let mut client_opts = ClientOptions::new(base, github::Token::from_env());
    client_opts.wait_for_reset = !args.no_wait;
    if let Some(ms) = std::env::var("SHIPLINT_TEST_BACKOFF_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        // Tests and benchmarks: no real waiting on 5xx and rate limits.
        client_opts.backoff = Duration::from_millis(ms);
        client_opts.max_wait = Duration::from_millis(ms);
    }
    let client = Client::new(client_opts.clone()).map_err(|e| fail(EXIT_GITHUB)(e.to_string()))?;
    let mut opts = SweepOptions {
        jobs: args.sweep.jobs.max(1),
        include_archived: args.sweep.include_archived,
        include_forks: args.sweep.include_forks,
        shard,
        settings,
        keep_sources: args.format == Format::Human,
        no_ignores: args.setup.no_ignores,
        ..SweepOptions::default()
    };
    if let Some(prior) = &prior {
        opts.skip = prior.finished.clone();
    }
    let specs =
        super::plan(&client, &target, &opts).map_err(|e| fail(EXIT_GITHUB)(e.to_string()))?;
    drop(client);

    let show =
        !args.sweep.quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let progress = Progress::default();
    let bar = show.then(|| {
        let todo = specs
            .iter()
            .filter(|s| !opts.skip.contains(&s.slug()))
            .count();
        let bar = indicatif::ProgressBar::new(todo as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} repositories {msg} [{elapsed}]",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let stats = client_opts.stats.clone();
    let update = |p: &Progress| {
        if let Some(bar) = &bar {
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
    };
    let result = super::sweep(policies, &client_opts, specs, &opts, &progress, &update);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }

    let mut report = result.report;
    if let Some(prior) = prior {
        crate::report::load::combine(&mut report, prior.report);
        crate::report::load::sort(&mut report);
    }
    if !args.sweep.quiet {
        eprintln!(
            "shiplint: swept {} of {} repositories ({} failed) with {} API requests",
            report.repos.len(),
            result.planned.len(),
            result.failed,
            stats.requests()
        );
    }
    let mut exit_override = None;
    if result.stopped.is_some() || resume_path.is_some() {
        let path = resume_path.unwrap_or_else(|| PathBuf::from(resume::DEFAULT_FILE));
        if let Err(e) = resume::save(&path, &report, &result.pending) {
            eprintln!("error: {e}");
            exit_override = Some(EXIT_ERROR);
        }
        if let Some(why) = &result.stopped {
            eprintln!(
                "error: sweep stopped: {why}\n       {} repositories not done; continue with `--resume {}`",
                result.pending.len(),
                path.display()
            );
            exit_override = Some(EXIT_GITHUB);
        }
    }
    if result.all_unreachable && report.repos.is_empty() {
        exit_override = Some(EXIT_GITHUB);
    }
    Ok(SweepOutcome {
        report,
        exit_override,
    })
}
