//! Command-line definitions (clap derive): what can be typed. [`super`] resolves them
//! into a session and targets.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "shiplint",
    version,
    about = "Audits a repository's delivery pipeline: build once, promote everywhere.",
    long_about = "shiplint audits GitHub Actions workflows (and, online, branch protection, \
rulesets and environments) against Rego policies for the build-once, promote-everywhere \
practice, and reports violations as terminal diagnostics (or one line each), JSON, SARIF, \
GitHub annotations, a Markdown job summary, CSV or an HTML page."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit repositories, folders of repositories, or single workflow files.
    Audit(Box<AuditArgs>),
    /// List every rule: id, severity, whether it needs the GitHub API, title.
    Rules(RulesArgs),
    /// Print the Rego input document of each repository (what policies see), as JSON.
    Input(InputArgs),
    /// Show a rule's documentation (built-in rules) or metadata (user rules).
    Explain(ExplainArgs),
    /// Run the Rego unit tests (`test_*` rules) of a policy directory, like `opa test`.
    TestPolicies(TestPoliciesArgs),
    /// Record today's findings so that `audit --baseline FILE` reports only new ones.
    Baseline(BaselineArgs),
    /// Combine `--format json` reports (e.g. the shards of an org sweep) into one report.
    Merge(MergeArgs),
    /// Show what runs where, from a GitHub repository's deployment history: each
    /// environment's latest deployment, how its commit got there, its build and scan.
    Trace(Box<TraceArgs>),
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write it and one page per subcommand into a folder.
    Man(ManArgs),
}

/// The formats of the rule catalog: a list has no locations, so SARIF, annotations and
/// the HTML matrix have nothing to say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// An aligned table.
    Human,
    /// The rules' metadata, as an array.
    Json,
    /// A Markdown table with links to the rule pages.
    Markdown,
    /// One row per rule, for spreadsheets.
    Csv,
}

/// `shiplint completions SHELL` (docs/install.md).
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_name = "SHELL", value_enum)]
    pub shell: clap_complete::Shell,
}

/// `shiplint man [--dir DIR]` (docs/install.md).
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write shiplint.1 and shiplint-SUBCOMMAND.1 pages into DIR instead of printing
    /// shiplint.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    /// Exit 0 whatever is found (input errors still exit 2).
    Never,
}

/// The lowest severity reported (`--min-severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    Error,
    Warning,
    Note,
}

impl MinSeverity {
    /// The severity it names.
    pub fn severity(self) -> crate::finding::Severity {
        use crate::finding::Severity;
        match self {
            MinSeverity::Error => Severity::Error,
            MinSeverity::Warning => Severity::Warning,
            MinSeverity::Note => Severity::Note,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Repository roots, single workflow files, folders to search for repositories,
    /// OWNER/NAME of a GitHub repository (audited through the API, with its settings), or
    /// `-`: one workflow from standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// GitHub API URL for OWNER/NAME audits (default: https://api.github.com, or
    /// https://$GH_HOST/api/v3 for GitHub Enterprise Server).
    #[arg(long, value_name = "URL")]
    pub github_url: Option<String>,

    /// Stop with an error instead of waiting when the API rate limit is exhausted (and
    /// never wait more than 10 s for a secondary rate limit).
    #[arg(long)]
    pub no_wait: bool,

    /// The longest one API request may take, all attempts and the whole answer included
    /// (e.g. 60s, 500ms, 2m; 0: no deadline).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// The longest the API requests of one repository may take together; the repository
    /// is then reported as not audited and the run goes on (0: no deadline).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub repo_timeout: Duration,

    /// Fetch at most this many workflow and action files per repository through the API;
    /// the rest are reported as not audited.
    #[arg(long, value_name = "N", default_value_t = 300)]
    pub max_files: usize,

    /// Read the GitHub token from this environment variable (default: GH_TOKEN, else
    /// GITHUB_TOKEN).
    #[arg(long, value_name = "NAME")]
    pub token_env: Option<String>,

    /// Cache API answers here for conditional requests (default: $XDG_CACHE_HOME/shiplint
    /// or ~/.cache/shiplint).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,

    /// Send every API request unconditionally and cache nothing.
    #[arg(long)]
    pub no_cache: bool,

    /// Audit a local clone as this GitHub repository: fetch its settings through the API
    /// (default: the `origin` remote, when it is on GitHub and a token is set).
    #[arg(long, value_name = "OWNER/NAME", conflicts_with = "offline")]
    pub repo: Option<String>,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when a finding at or above this severity remains.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Report only findings at or above this severity, in every format (the others are
    /// counted in the summary and do not change the exit code).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<MinSeverity>,

    /// Never use the network, even when a token is set.
    #[arg(long)]
    pub offline: bool,

    /// Repository settings (branch protection, rulesets, environments) as JSON, for the
    /// settings rules without the API (docs/input.md, `input.settings`).
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,

    /// Skip (and report) files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub max_file_size: u64,

    /// Colour in the human report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(flatten)]
    pub setup: SetupArgs,

    /// List the findings that ignores silenced, with their reasons.
    #[arg(long)]
    pub show_ignored: bool,

    /// Report only findings that are not in this baseline (`shiplint baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    #[command(flatten)]
    pub sweep: SweepArgs,

    /// How far back the deployment history is read (OWNER/NAME audits, sweeps with
    /// --history): a duration (30d, 12h, 2w) or a date (2026-11-01).
    #[arg(long, value_name = "WHEN", default_value = "30d")]
    pub since: String,
}

/// Org-wide sweeps (docs/org-sweeps.md).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Org sweeps")]
pub struct SweepArgs {
    /// Audit every repository of this GitHub organization (archived repositories and
    /// forks are skipped unless included).
    #[arg(long, value_name = "ORG", conflicts_with = "repos_file")]
    pub org: Option<String>,

    /// Audit the repositories listed in FILE (`owner/name` lines, `#` comments).
    #[arg(long, value_name = "FILE")]
    pub repos_file: Option<PathBuf>,

    /// Include archived repositories of the organization.
    #[arg(long)]
    pub include_archived: bool,

    /// Include forks of the organization.
    #[arg(long)]
    pub include_forks: bool,

    /// Repositories fetched at once.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 8)]
    pub jobs: usize,

    /// Audit only the K-th of N stable shards of the repositories (e.g. 2/4).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,

    /// Resume file: repositories finished in it are not audited again; the sweep's state
    /// is written back to it (also written, as shiplint-resume.json, when --no-wait stops).
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,

    /// No progress bar or sweep summary on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Read each repository's deployment history too (the history rules; docs/trace.md).
    #[arg(long)]
    pub history: bool,
}

impl SweepArgs {
    /// Whether these arguments ask for an org sweep.
    pub fn is_sweep(&self) -> bool {
        self.org.is_some() || self.repos_file.is_some()
    }

    /// A sweep-only option given without `--org`/`--repos-file`.
    pub fn misplaced(&self) -> Option<&'static str> {
        if self.is_sweep() {
            return None;
        }
        [
            (self.shard.is_some(), "--shard"),
            (self.resume.is_some(), "--resume"),
            (self.include_archived, "--include-archived"),
            (self.include_forks, "--include-forks"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }
}

/// A duration as typed: a number with `ms`, `s`, `m` or `h` (seconds without one).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (e.g. 500ms, 30s, 5m)"))?;
    let ms = match unit.trim() {
        "ms" => Some(n),
        "" | "s" => n.checked_mul(1000),
        "m" | "min" => n.checked_mul(60_000),
        "h" => n.checked_mul(3_600_000),
        _ => return Err(format!("`{text}`: the unit is ms, s, m or h")),
    };
    ms.map(Duration::from_millis)
        .ok_or_else(|| format!("`{text}` is too long"))
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// `--format json` reports to combine.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when a finding at or above this severity remains.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Report only findings at or above this severity (the others are counted).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<MinSeverity>,
}

/// Configuration, user policies and ignores: shared by `audit` and `baseline`.
#[derive(Debug, Clone, Args)]
pub struct SetupArgs {
    /// Use this config file for every repository (default: `.github/shiplint.yml` or
    /// `shiplint.yml` in each audited repository).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Use no config file.
    #[arg(long)]
    pub no_config: bool,

    /// Load user policies (`*.rego`, recursively; `*_test.rego` excluded). Repeatable.
    #[arg(long, value_name = "DIR")]
    pub policy: Vec<PathBuf>,

    /// Disable every ignore (config `ignore:` entries and inline comments).
    #[arg(long)]
    pub no_ignores: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, e.g. `unpinned-action`.
    #[arg(value_name = "RULE")]
    pub rule: String,

    /// Also load user policies from DIR. Repeatable.
    #[arg(long, value_name = "DIR")]
    pub policy: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TestPoliciesArgs {
    /// The policy directory: its modules are loaded beside the built-ins, and every
    /// `test_*` rule of its `*_test.rego` files is run.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Repository roots, single workflow files, or folders to search for repositories.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Where to write the baseline.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,

    /// Never use the network, even when a token is set.
    #[arg(long)]
    pub offline: bool,

    /// Skip (and report) files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub max_file_size: u64,

    #[command(flatten)]
    pub setup: SetupArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Human)]
    pub format: RulesFormat,

    /// Also list the user rules of DIR. Repeatable.
    #[arg(long, value_name = "DIR")]
    pub policy: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Repository roots, single workflow files, or folders to search for repositories.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Repository settings JSON to include as `input.settings` (as `audit --settings`).
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
}

// --- `shiplint trace` (docs/trace.md) ---------------------------------------------

/// The formats of the trace report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// A table per environment, coloured like the audit.
    Human,
    /// One stable JSON object (docs/trace.md).
    Json,
    /// A job summary.
    Markdown,
}

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The GitHub repository (a token is required: GH_TOKEN, GITHUB_TOKEN or --token-env).
    #[arg(value_name = "OWNER/NAME")]
    pub repo: String,

    /// How far back the history is read: a duration (30d, 12h, 2w) or a date
    /// (2026-11-01, or RFC 3339).
    #[arg(long, value_name = "WHEN", default_value = "30d")]
    pub since: String,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = TraceFormat::Human)]
    pub format: TraceFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit 1 when a history finding at or above this severity remains.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Colour in the human report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// GitHub API URL (default: https://api.github.com, or https://$GH_HOST/api/v3).
    #[arg(long, value_name = "URL")]
    pub github_url: Option<String>,

    /// Stop with an error instead of waiting when the API rate limit is exhausted.
    #[arg(long)]
    pub no_wait: bool,

    /// Read the GitHub token from this environment variable.
    #[arg(long, value_name = "NAME")]
    pub token_env: Option<String>,

    /// Cache API answers here for conditional requests.
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,

    /// Send every API request unconditionally and cache nothing.
    #[arg(long)]
    pub no_cache: bool,

    #[command(flatten)]
    pub setup: SetupArgs,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let ms = |t| parse_duration(t).map(|d| d.as_millis());
        assert_eq!(ms("300ms"), Ok(300));
        assert_eq!(ms("45"), Ok(45_000));
        assert_eq!(ms("45s"), Ok(45_000));
        assert_eq!(ms("5m"), Ok(300_000));
        assert_eq!(ms("1h"), Ok(3_600_000));
        assert_eq!(ms("0"), Ok(0));
        for bad in ["", "s", "-1s", "1.5s", "10 years", "99999999999999999999h"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }
}
