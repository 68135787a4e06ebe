//! `shiplint trace OWNER/NAME`: what runs where, from the repository's deployment
//! history. The repository goes through the one audit driver like `audit OWNER/NAME`
//! (its workflows, of its settings the environments, its config, its history, the
//! rules); this writes the trace of it and the history rules' findings.

use std::io::IsTerminal;

use crate::audit::{self, AuditReport, Online};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::finding::{Finding, Location};
use crate::github::RemoteSpec;
use crate::history::Window;
use crate::report::{human, trace as render};
use crate::source::target::{Plan, Target};

use super::output::{self, use_color};
use super::setup::{self, ClientFlags};
use super::{TraceArgs, TraceFormat};

/// The rules whose findings the trace shows.
const HISTORY_RULES: &[&str] = &["deployed-without-promotion", "deployed-unscanned"];

/// A history rule's finding, or a note on what of the history (or of the environment
/// list it starts from) could not be read.
fn is_history(f: &Finding) -> bool {
    let setting = match &f.location {
        Location::Setting(s) => s.as_str(),
        Location::File(_) => "",
    };
    HISTORY_RULES.contains(&f.rule.as_str())
        || (f.rule == "settings-unreadable"
            && (setting == "environments" || setting.starts_with("history")))
}

pub fn run(args: TraceArgs) -> Result<ExitStatus, Error> {
    let spec = RemoteSpec::parse(&args.repo)
        .filter(|s| s.git_ref.is_none())
        .ok_or_else(|| Error::Usage(format!("trace {}: expected OWNER/NAME", args.repo)))?;
    let client = setup::client_options_of(&ClientFlags {
        github_url: args.github_url.as_deref(),
        token_env: args.token_env.as_deref(),
        no_wait: args.no_wait,
        cache_dir: args.cache_dir.as_deref(),
        no_cache: args.no_cache,
    })?;
    if client.token.is_none() {
        return Err(Error::Usage(
            "trace reads the deployment history through the API and needs a token (GH_TOKEN, GITHUB_TOKEN, or --token-env NAME)".into(),
        ));
    }
    let mut session = setup::session(&args.setup)?;
    session.github = Some(Online {
        client,
        clone_slug: None,
        enterprise_host: None,
    });
    session.history = Some(Window::parse(&args.since).map_err(Error::Usage)?);
    session.trace = true;
    session.jobs = 1;
    let plan = Plan {
        targets: vec![Target::Remote(spec)],
        errors: Vec::new(),
    };
    let run = audit::audit(&session, plan);
    let mut report = run.report;
    eprint!(
        "{}",
        human::render_config_errors(&report, std::io::stderr().is_terminal())
    );
    eprint!("{}", human::render_errors(&report));
    if let Some(why) = &run.stopped {
        eprintln!("error: {why}");
    }
    let Some(trace) = report.repos.first().and_then(|r| r.trace.clone()) else {
        // Not fetched (the error is above) or not evaluated (its config was rejected).
        return Ok(if run.failed > 0 || run.stopped.is_some() {
            ExitStatus::Github
        } else {
            ExitStatus::Error
        });
    };
    report.findings.retain(is_history);
    let out = args.output.as_deref();
    let text = match args.format {
        TraceFormat::Human => {
            let color = use_color(args.color, output::report_to_terminal(out));
            render::human::render(&trace, &report, color)
        }
        TraceFormat::Json => render::json::render(&trace, &report),
        TraceFormat::Markdown => render::markdown::render(&trace, &report),
    };
    output::write(out, &text)?;
    Ok(status(&trace.record, &report, args.fail_on))
}

/// 3 when the API refused the history, 2 when something could not be evaluated, else
/// what the findings say.
fn status(
    record: &crate::history::History,
    report: &AuditReport,
    fail_on: super::FailOn,
) -> ExitStatus {
    if !record.readable {
        return ExitStatus::Github;
    }
    super::exit_status(report, fail_on)
}
