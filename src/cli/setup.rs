//! Arguments resolved once into what a run holds: the policies, the config choice, the
//! settings, the baseline and the GitHub client's options. Every subcommand that audits
//! goes through here, so every flag means the same in each (and `--org` honours the
//! client flags as `OWNER/NAME` does).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::audit::{Online, Session};
use crate::config::ConfigChoice;
use crate::error::Error;
use crate::github::{self, ClientOptions, RemoteSpec};
use crate::history::Window;
use crate::policy::{PolicyError, PolicySet};
use crate::suppress::Baseline;

use super::{AuditArgs, SetupArgs};

/// The built-in policies.
pub fn builtin_policies() -> Result<PolicySet, Error> {
    PolicySet::builtin().map_err(Error::BuiltinPolicy)
}

/// The built-in policies plus the user policies of `dirs` (`--policy`); one that does not
/// load stops the command (`rules`, `explain`: their output is about the policies).
pub fn policies(dirs: &[PathBuf]) -> Result<PolicySet, Error> {
    let mut set = builtin_policies()?;
    for dir in dirs {
        set.add_user_policies(dir).map_err(Error::Policy)?;
    }
    Ok(set)
}

/// The built-in policies plus every `--policy` directory that loads, and the errors of
/// those that do not. An audit reports them (exit 2) and still runs every other rule: a
/// mistake in a user rule never hides what the built-ins find.
pub fn policies_for_audit(dirs: &[PathBuf]) -> Result<(PolicySet, Vec<PolicyError>), Error> {
    let mut set = builtin_policies()?;
    let mut errors = Vec::new();
    for dir in dirs {
        // A directory loads whole or not at all (its modules may import one another).
        let mut with_dir = set.clone();
        match with_dir.add_user_policies(dir) {
            Ok(()) => set = with_dir,
            Err(e) => errors.push(PolicyError {
                message: format!(
                    "not loaded (--policy {}; every other rule ran): {}",
                    crate::discover::display_path(dir),
                    e.message
                ),
                ..e
            }),
        }
    }
    Ok((set, errors))
}

/// `--config FILE` / `--no-config` / each repository's own.
pub fn config_choice(setup: &SetupArgs) -> ConfigChoice {
    match (&setup.config, setup.no_config) {
        (Some(file), _) => ConfigChoice::File(file.clone()),
        (None, true) => ConfigChoice::None,
        (None, false) => ConfigChoice::Discover,
    }
}

/// An offline session of the setup flags (what `baseline` and local audits start from).
pub fn session(setup: &SetupArgs) -> Result<Session, Error> {
    let (policies, policy_errors) = policies_for_audit(&setup.policy)?;
    let mut session = Session::new(policies, config_choice(setup));
    session.policy_errors = policy_errors;
    session.no_ignores = setup.no_ignores;
    Ok(session)
}

/// `--settings FILE`, validated; a bad file is a usage error.
pub fn settings(path: Option<&Path>) -> Result<Option<serde_json::Value>, Error> {
    Ok(path.map(crate::settings::load).transpose()?)
}

/// The session of `audit`: setup flags, settings, baseline, and the API unless offline.
pub fn audit_session(args: &AuditArgs) -> Result<Session, Error> {
    let mut session = session(&args.setup)?;
    session.settings = settings(args.settings.as_deref())?;
    session.baseline = match &args.baseline {
        Some(path) => Some(Baseline::load(path)?),
        None => None,
    };
    session.github = online(args)?;
    session.jobs = args.sweep.jobs.max(1);
    session.min_severity = args.min_severity.map(super::MinSeverity::severity);
    session.graphs = args.format.uses_graph(args.sweep.is_sweep());
    // A sweep keeps file texts only for the human format's snippets.
    session.keep_sources = !args.sweep.is_sweep() || args.format.shows_snippets();
    // The deployment history: for OWNER/NAME audits, and for sweeps that ask for it.
    if !args.sweep.is_sweep() || args.sweep.history {
        session.history = Some(Window::parse(&args.since).map_err(Error::Usage)?);
    }
    Ok(session)
}

/// How the run reaches GitHub, or `None` under `--offline`.
fn online(args: &AuditArgs) -> Result<Option<Online>, Error> {
    if args.offline {
        return Ok(None);
    }
    let clone_slug = match &args.repo {
        Some(r) => match RemoteSpec::parse(r) {
            Some(spec) => Some(spec.slug()),
            None => return Err(Error::Usage(format!("--repo {r}: expected OWNER/NAME"))),
        },
        None => None,
    };
    Ok(Some(Online {
        client: client_options(args)?,
        clone_slug,
        enterprise_host: enterprise_host(args),
    }))
}

/// With `GH_HOST` naming a GitHub Enterprise Server (and no `--github-url`), clones are
/// recognised by an `origin` on that host; otherwise by an `origin` on github.com.
fn enterprise_host(args: &AuditArgs) -> Option<String> {
    let host = std::env::var("GH_HOST").ok()?;
    let host = host.trim();
    let host = host
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    (!host.is_empty() && host != "github.com" && args.github_url.is_none())
        .then(|| host.to_string())
}

/// The client flags, as every subcommand that reaches GitHub takes them.
pub struct ClientFlags<'a> {
    pub github_url: Option<&'a str>,
    pub token_env: Option<&'a str>,
    pub no_wait: bool,
    pub cache_dir: Option<&'a Path>,
    pub no_cache: bool,
}

/// The client options of every request of the run: base URL, the token of
/// `--token-env` (else GH_TOKEN/GITHUB_TOKEN), deadlines, caps, waits and the cache of
/// the flags. A `--github-url` that names no API, or a token that cannot be sent (a line
/// break, a control byte), is a usage error here, before any request.
pub fn client_options(args: &AuditArgs) -> Result<ClientOptions, Error> {
    let mut opts = client_options_of(&ClientFlags {
        github_url: args.github_url.as_deref(),
        token_env: args.token_env.as_deref(),
        no_wait: args.no_wait,
        cache_dir: args.cache_dir.as_deref(),
        no_cache: args.no_cache,
    })?;
    opts.request_timeout = args.request_timeout;
    opts.repository_timeout = args.repo_timeout;
    opts.max_files = args.max_files;
    opts.max_file_size = args.max_file_size;
    Ok(opts)
}

/// [`client_options`] of any subcommand's flags (the deadlines and caps at their defaults).
pub fn client_options_of(args: &ClientFlags) -> Result<ClientOptions, Error> {
    let base = github::base_url(args.github_url, std::env::var("GH_HOST").ok().as_deref())
        .map_err(|e| Error::Usage(e.to_string()))?;
    let token = github::Token::from_env_named(args.token_env)?;
    if let Some(token) = &token {
        token.check().map_err(|e| Error::Usage(e.to_string()))?;
    }
    let mut opts = ClientOptions::new(base, token);
    opts.wait_for_reset = !args.no_wait;
    opts.cache_dir = match (args.cache_dir, args.no_cache) {
        (_, true) => None,
        (Some(dir), false) => Some(dir.to_path_buf()),
        (None, false) => github::cache::default_dir(),
    };
    if let Some(ms) = std::env::var("SHIPLINT_TEST_BACKOFF_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        // Tests and benchmarks: no real waiting on 5xx and rate limits, but the same
        // decisions about what to wait for.
        opts.test_wait = Some(Duration::from_millis(ms));
    }
    Ok(opts)
}
