//! The command line: [`args`] defines what can be typed; the other modules, one per
//! subcommand, resolve the arguments once into a session and targets, hand them to the
//! library, and write what it returns. Nothing here judges a pipeline.

pub mod args;
mod audit;
mod baseline;
mod completions;
mod explain;
mod input;
mod merge;
mod output;
mod rules;
mod setup;
mod stderr;
mod sweep;
mod test_policies;
mod trace;

pub use args::*;

use crate::audit::AuditReport;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::finding::Severity;

/// Runs a parsed command line. The error, if any, is for `main` to print once.
pub fn run(cli: Cli) -> Result<ExitStatus, Error> {
    match cli.command {
        Command::Audit(args) => audit::run(*args),
        Command::Rules(args) => rules::run(args),
        Command::Input(args) => input::run(args),
        Command::Explain(args) => explain::run(args),
        Command::TestPolicies(args) => test_policies::run(args),
        Command::Baseline(args) => baseline::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Trace(args) => trace::run(*args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => completions::man(args),
    }
}

/// The exit status a report deserves: 2 when anything could not be audited, else 1 when a
/// finding at or above `fail_on` remains.
pub fn exit_status(report: &AuditReport, fail_on: FailOn) -> ExitStatus {
    if !report.errors.is_empty()
        || !report.policy_errors.is_empty()
        || !report.config_errors.is_empty()
    {
        return ExitStatus::Error;
    }
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Note => Severity::Note,
        FailOn::Never => return ExitStatus::Clean,
    };
    if report.findings.iter().any(|f| f.severity >= threshold) {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}
