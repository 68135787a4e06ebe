//! The exit statuses of shiplint, in one leaf module so that every layer can name them
//! without depending on the command line.
//!
//! CI scripts branch on these numbers (docs/ci.md), so they never change meaning.

use std::process::ExitCode;

/// How a run ended, as the process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// 0: nothing at or above `--fail-on`.
    Clean = 0,
    /// 1: a finding at or above `--fail-on` remains (or a policy test failed).
    Findings = 1,
    /// 2: a usage, config, policy or input error (what could be audited is still reported).
    Error = 2,
    /// 3: the GitHub API could not be reached, refused, or stopped the run.
    Github = 3,
}

impl ExitStatus {
    /// The status as the process's exit code number.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}
