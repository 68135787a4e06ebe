//! Command-line definitions (clap derive). Behaviour lives in the library.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "shiplint",
    version,
    about = "Audits a repository's delivery pipeline: build once, promote everywhere.",
    long_about = "shiplint audits GitHub Actions workflows (and, online, branch protection, \
rulesets and environments) against Rego policies for the build-once, promote-everywhere \
practice, and reports violations as terminal diagnostics, JSON or SARIF."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit repositories, folders of repositories, or single workflow files.
    Audit(AuditArgs),
    /// List every rule: id, severity, whether it needs the GitHub API, title.
    Rules(RulesArgs),
    /// Print the Rego input document of each repository (what policies see), as JSON.
    Input(InputArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with snippets (miette).
    Human,
    /// One stable JSON object (docs/output.md).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning (docs/ci.md).
    Sarif,
    /// GitHub Actions workflow commands: annotations on the changed files.
    Github,
    /// A job summary: counts, a findings table and the pipeline graph (Mermaid).
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    /// Exit 0 whatever is found (input errors still exit 2).
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Repository roots, single workflow files, or folders to search for repositories.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when a finding at or above this severity remains.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Never use the network, even when a token is set.
    #[arg(long)]
    pub offline: bool,

    /// Skip (and report) files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub max_file_size: u64,

    /// Colour in the human report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Repository roots, single workflow files, or folders to search for repositories.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
}
