//! The one error type of a command: what stops it before (or instead of) a report.
//! `main` prints it once, as `error: …`, and exits with [`Error::exit_status`].
//!
//! Problems with single inputs (a file that does not parse, a repository the API would not
//! give) are not errors of the command: they go into the report and the rest is audited.

use std::path::PathBuf;

use crate::exit::ExitStatus;
use crate::github::GithubError;
use crate::policy::PolicyError;
use crate::settings::SettingsError;

/// Why a command could not run (or finish).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A command line that cannot be carried out, or a file it names that is unusable.
    #[error("{0}")]
    Usage(String),
    /// The built-in policies did not compile (a broken build).
    #[error("built-in policy {0}")]
    BuiltinPolicy(PolicyError),
    /// A `--policy` directory, or the one `test-policies` runs, did not load.
    #[error("policy {0}")]
    Policy(PolicyError),
    /// `--settings FILE` is not a settings document.
    #[error("{0}")]
    Settings(#[from] SettingsError),
    /// `--baseline FILE` is unusable.
    #[error(transparent)]
    Baseline(#[from] crate::suppress::BaselineError),
    /// `--resume FILE` is unusable.
    #[error(transparent)]
    Resume(#[from] crate::report::resume::ResumeError),
    /// `--token-env NAME` names no token.
    #[error(transparent)]
    Token(#[from] crate::github::MissingToken),
    /// `--shard` is not `K/N`.
    #[error("--shard {0}")]
    Shard(#[from] crate::github::org::BadShard),
    /// A file the command reads (`--repos-file`, a report to merge) cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A `--repos-file` line is not `owner/name`.
    #[error("{}: {source}", path.display())]
    ReposFile {
        path: PathBuf,
        source: crate::github::org::BadReposLine,
    },
    /// A report given to `merge` cannot be read as a `--format json` report.
    #[error("{path}: {source}")]
    Merge { path: String, source: ReportInput },
    /// The GitHub API stopped the command (`what`: what was being done, if not obvious).
    #[error("{}{source}", what.as_deref().map(|w| format!("{w}: ")).unwrap_or_default())]
    Github {
        what: Option<String>,
        source: GithubError,
    },
    /// The report could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Standard output could not be written.
    #[error("cannot write the report: {0}")]
    Stdout(std::io::Error),
    /// The reader went away (`shiplint audit | head`): nothing worth printing.
    #[error("standard output was closed")]
    BrokenPipe,
}

impl Error {
    /// The exit status the error ends the process with.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Error::Github { .. } => ExitStatus::Github,
            _ => ExitStatus::Error,
        }
    }

    /// Whether `main` should print it (a closed pipe is not worth a message).
    pub fn is_reported(&self) -> bool {
        !matches!(self, Error::BrokenPipe)
    }

    /// An API failure while doing `what`.
    pub fn github(what: impl Into<String>, source: GithubError) -> Error {
        Error::Github {
            what: Some(what.into()),
            source,
        }
    }
}

impl From<GithubError> for Error {
    fn from(source: GithubError) -> Error {
        Error::Github { what: None, source }
    }
}

/// Why a file given as a JSON report could not be read as one.
#[derive(Debug, thiserror::Error)]
pub enum ReportInput {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Malformed(#[from] crate::report::load::MalformedReport),
}
