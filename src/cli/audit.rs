//! `shiplint audit PATH|OWNER/NAME...`: plan the targets, run the audit, write the
//! report. `--org`/`--repos-file` hand over to [`super::sweep`].

use std::io::IsTerminal;

use crate::audit::{self, AuditReport, AuditRun, Session};
use crate::discover::DiscoverOptions;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::report::{self, RenderOptions};
use crate::source::target;

use super::output::{self, use_color};
use super::{setup, sweep, AuditArgs};

pub fn run(args: AuditArgs) -> Result<ExitStatus, Error> {
    if let Some(flag) = args.sweep.misplaced() {
        return Err(Error::Usage(format!(
            "{flag} needs --org ORG or --repos-file FILE"
        )));
    }
    let session = setup::audit_session(&args)?;
    if args.sweep.is_sweep() {
        return sweep::run(&args, &session);
    }
    let discover = DiscoverOptions {
        max_file_size: args.max_file_size,
    };
    let plan = target::plan_paths(&args.paths, &discover);
    if args.offline && plan.targets.iter().any(target::Target::is_remote) {
        return Err(Error::Usage(
            "--offline cannot audit GitHub repositories (OWNER/NAME)".into(),
        ));
    }
    let run = audit::audit(&session, plan);
    present(&args, &session, &run.report, false)?;
    Ok(remote_status(&run).unwrap_or_else(|| super::exit_status(&run.report, args.fail_on)))
}

/// The status the API's failures demand over what the findings say: a named repository
/// that could not be fetched, a run the rate limit stopped, or clones whose settings the
/// API would not give (each is printed).
fn remote_status(run: &AuditRun) -> Option<ExitStatus> {
    if let Some(why) = &run.stopped {
        eprintln!("error: {}", crate::escape::line(&why.to_string()));
    }
    for e in &run.clone_errors {
        eprintln!("error: {}", crate::escape::line(e));
    }
    (run.stopped.is_some() || run.failed > 0 || !run.clone_errors.is_empty())
        .then_some(ExitStatus::Github)
}

/// Renders the report as the arguments ask and writes it. `org_table`: end the human
/// report with the per-repository summary table.
pub fn present(
    args: &AuditArgs,
    session: &Session,
    report: &AuditReport,
    org_table: bool,
) -> Result<(), Error> {
    let output = args.output.as_deref();
    let opts = RenderOptions {
        rules: session.policies().rules(),
        color: use_color(args.color, output::report_to_terminal(output)),
        warnings_color: use_color(args.color, std::io::stderr().is_terminal()),
        show_ignored: args.show_ignored,
        org_table,
        split_sarif: output.is_some(),
    };
    let rendered = report::render(args.format, report, &opts);
    output::write_rendered(args.format, &rendered, output)
}
