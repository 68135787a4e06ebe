//! `shiplint baseline -o FILE`: records the findings `audit` would report today, so that
//! `audit --baseline FILE` reports only new ones.

use std::io::IsTerminal;

use crate::audit;
use crate::discover::{display_path, DiscoverOptions};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::report;
use crate::source::target;
use crate::suppress::Baseline;

use super::output::{self, use_color};
use super::{setup, BaselineArgs, ColorChoice, FailOn};

pub fn run(args: BaselineArgs) -> Result<ExitStatus, Error> {
    let session = setup::session(&args.setup)?;
    let discover = DiscoverOptions {
        max_file_size: args.max_file_size,
    };
    let plan = target::plan_paths(&args.paths, &discover);
    let report = audit::audit(&session, plan).report;
    let color = use_color(ColorChoice::Auto, std::io::stderr().is_terminal());
    eprint!("{}", report::human::render_config_errors(&report, color));
    eprint!("{}", report::human::render_errors(&report));
    eprint!("{}", report::human::render_notices(&report));
    if super::exit_status(&report, FailOn::Never) == ExitStatus::Error {
        return Err(Error::Usage(
            "baseline not written: fix the errors above first".into(),
        ));
    }
    output::write(
        Some(&args.output),
        &Baseline::of(&report.findings).to_json(),
    )?;
    eprintln!(
        "shiplint: baseline of {} written to {}",
        report::plural(report.findings.len(), "finding", "findings"),
        display_path(&args.output)
    );
    Ok(ExitStatus::Clean)
}
