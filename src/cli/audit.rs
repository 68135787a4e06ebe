//! `shiplint audit PATH|OWNER/NAME...`: plan the targets, run the audit, write the
//! report. `--org`/`--repos-file` hand over to [`super::sweep`].

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::audit::{self, AuditReport, AuditRun, Session};
use crate::discover::{display_path, DiscoverOptions};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::report::{self, RenderOptions};
use crate::source::target;

use super::output::{self, use_color};
use super::{setup, stderr, sweep, AuditArgs};

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
    let (stdin, paths): (Vec<&PathBuf>, Vec<&PathBuf>) =
        args.paths.iter().partition(|p| p.as_os_str() == "-");
    let paths: Vec<PathBuf> = paths.into_iter().cloned().collect();
    remote_readings(&paths, &session)?;
    let discover = DiscoverOptions {
        max_file_size: args.max_file_size,
    };
    let mut plan = if paths.is_empty() && !stdin.is_empty() {
        target::Plan::default()
    } else {
        target::plan_paths(&paths, &discover)
    };
    if !stdin.is_empty() {
        plan.targets
            .push(read_stdin(stdin.len(), args.max_file_size)?);
    }
    if args.settings.is_some() && plan.targets.len() > 1 {
        return Err(settings_for_many(&plan));
    }
    let run = audit::audit(&session, plan);
    present(&args, &session, &run.report, false)?;
    Ok(remote_status(&run).unwrap_or_else(|| super::exit_status(&run.report, args.fail_on)))
}

/// Arguments that are no path on disk but read as `OWNER/NAME`: either reading is said.
/// Offline, or with no token where the first part is a folder here (`testdata/repo`), it is
/// a mistyped path far more often than a repository: refused before any request. With no
/// token otherwise, a note says it is audited as a public GitHub repository.
fn remote_readings(paths: &[PathBuf], session: &Session) -> Result<(), Error> {
    let token = session
        .github
        .as_ref()
        .is_some_and(|o| o.client.token.is_some());
    for path in paths {
        let Some(spec) = target::remote_spec(path) else {
            continue;
        };
        let shown = display_path(path);
        let slug = spec.slug();
        if session.github.is_none() {
            return Err(Error::Usage(format!(
                "`{shown}` is no file or folder here, and --offline cannot audit it as the GitHub repository {slug}"
            )));
        }
        if token {
            continue;
        }
        if Path::new(&spec.owner).is_dir() {
            return Err(Error::Usage(format!(
                "`{shown}`: no such file or folder (the folder `{}` has no `{}`); read as the GitHub repository {slug}, it is not audited either: no GitHub token is set (GH_TOKEN or GITHUB_TOKEN). Check the path, or set a token to audit {slug} through the API",
                spec.owner, spec.name
            )));
        }
        let note = format!(
            "shiplint: `{shown}` is no file or folder here: auditing it as the GitHub repository {slug}, without a token (public repositories only)"
        );
        eprintln!("{}", crate::escape::line(&note));
    }
    Ok(())
}

/// `-`: the workflow on standard input, as a target of its own.
fn read_stdin(times: usize, max_file_size: u64) -> Result<target::Target, Error> {
    if times > 1 {
        return Err(Error::Usage(
            "`-` (standard input) can be given once: it is one workflow".into(),
        ));
    }
    let input = std::io::stdin();
    if input.is_terminal() {
        return Err(Error::Usage(
            "`-` reads a workflow from standard input, which is a terminal here: pipe one in (`shiplint audit - < ci.yml`)".into(),
        ));
    }
    let workflow = crate::source::stdin::read(input.lock(), max_file_size);
    Ok(target::Target::Stdin(workflow))
}

/// Why `--settings FILE` is refused for several repositories: one repository's settings
/// would be judged as every one's.
fn settings_for_many(plan: &target::Plan) -> Error {
    let names: Vec<String> = plan.targets.iter().take(3).map(|t| t.display()).collect();
    let more = if plan.targets.len() > 3 { ", …" } else { "" };
    Error::Usage(format!(
        "--settings FILE holds the settings of one repository, and the paths hold {} ({}{more}): audit one repository at a time with its own --settings, or online with a token, which reads each repository's settings",
        plan.targets.len(),
        names.join(", ")
    ))
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
    let mut rendered = report::render(args.format, report, &opts);
    let problems = stderr::problems(args.format, report, opts.warnings_color);
    rendered.warnings.push_str(&problems);
    output::write_rendered(args.format, &rendered, output)?;
    if !(args.sweep.is_sweep() && args.sweep.quiet) {
        eprint!("{}", stderr::summary(args.format, report, output.is_some()));
    }
    Ok(())
}
