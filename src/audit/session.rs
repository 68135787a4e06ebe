//! Everything an audit run holds, resolved once from the command line: the policies and
//! configs, where settings come from, the API client's options and the baseline.

use serde_json::Value as Json;

use crate::config::ConfigChoice;
use crate::finding::Severity;
use crate::github::ClientOptions;
use crate::history::Window;
use crate::policy::{PolicyError, PolicySet};
use crate::suppress::Baseline;

use super::config::ConfigResolver;

/// The state of one audit run, shared by every worker.
pub struct Session {
    /// Configs and the policy sets they ask for.
    pub resolver: ConfigResolver,
    /// `--no-ignores`: report what inline comments and `ignore:` entries would silence.
    pub no_ignores: bool,
    /// `--settings FILE`: `input.settings` for every repository (no settings requests).
    pub settings: Option<Json>,
    /// The GitHub API, unless `--offline`.
    pub github: Option<Online>,
    /// Keep file texts for snippets (every format but the machine-readable ones of a
    /// sweep, where they would only cost memory).
    pub keep_sources: bool,
    /// Compute each repository's pipeline graph (markdown draws it, JSON carries it).
    pub graphs: bool,
    /// Remote repositories fetched at once.
    pub jobs: usize,
    /// `--baseline FILE`: the findings it knows are dropped.
    pub baseline: Option<Baseline>,
    /// `--policy` directories that did not load: errors of the run (the other rules run).
    pub policy_errors: Vec<PolicyError>,
    /// `--min-severity`: findings below it are not reported (only counted).
    pub min_severity: Option<Severity>,
    /// Read the deployment history of remote repositories over this window
    /// (`OWNER/NAME` audits, sweeps with `--history`, `trace`).
    pub history: Option<Window>,
    /// A `trace` run: of the settings only the environments are read, and each outcome
    /// keeps its analysed deployment record for the trace report.
    pub trace: bool,
}

/// How the run reaches GitHub.
#[derive(Clone)]
pub struct Online {
    /// Base URL, token, waits and cache: every client of the run is made from these.
    pub client: ClientOptions,
    /// `--repo OWNER/NAME`: the repository whose settings local clones get (default: each
    /// clone's `origin` remote).
    pub clone_slug: Option<String>,
    /// A GitHub Enterprise Server host (`GH_HOST`): clones are recognised by an `origin`
    /// on it instead of on github.com.
    pub enterprise_host: Option<String>,
}

impl Session {
    /// An offline session over `policies` with each repository's own config: what the
    /// library's callers (tests, benchmarks) usually want.
    pub fn offline(policies: PolicySet) -> Session {
        Session::new(policies, ConfigChoice::Discover)
    }

    /// An offline session with the config `choice`; the other fields are public.
    pub fn new(policies: PolicySet, choice: ConfigChoice) -> Session {
        Session {
            resolver: ConfigResolver::new(choice, policies),
            no_ignores: false,
            settings: None,
            github: None,
            keep_sources: true,
            graphs: false,
            jobs: 8,
            baseline: None,
            policy_errors: Vec::new(),
            min_severity: None,
            history: None,
            trace: false,
        }
    }

    /// The built-in (and `--policy`) policies.
    pub fn policies(&self) -> &PolicySet {
        self.resolver.base()
    }
}
