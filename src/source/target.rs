//! What an audit runs over: [`Target`]s, planned from the command line before anything is
//! loaded. Local paths are discovered on disk, `OWNER/NAME` arguments name repositories
//! on GitHub, and an organization's listing (or a `--repos-file`) names many at once.
//!
//! Planning is separate from loading so that one driver ([`crate::audit::run`]) can load
//! and evaluate every kind of target the same way, in parallel, with one config
//! resolver, one settings provider and one baseline.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::discover::{self, DiscoverOptions, RepoFiles};
use crate::finding::InputError;
use crate::github::org::{self, OrgRepo, Shard};
use crate::github::{Client, GithubError, RemoteSpec};
use crate::source::stdin::StdinWorkflow;

/// One repository to audit.
#[derive(Debug, Clone)]
pub enum Target {
    /// A repository on disk, with the files discovery found.
    Local(RepoFiles),
    /// A repository on GitHub named by `OWNER/NAME[@REF]`: its metadata is fetched.
    Remote(RemoteSpec),
    /// A repository of an organization's listing, whose item already holds the metadata
    /// (so no `GET /repos/{slug}` is needed).
    Listed(RemoteSpec, Box<Json>),
    /// A workflow read from standard input (`-`).
    Stdin(StdinWorkflow),
}

impl Target {
    /// How reports name the target before it is loaded (`OWNER/NAME` or the path).
    pub fn display(&self) -> String {
        match self {
            Target::Local(files) => files.display.clone(),
            Target::Remote(spec) | Target::Listed(spec, _) => spec.slug(),
            Target::Stdin(_) => crate::source::stdin::DISPLAY.to_string(),
        }
    }

    /// Whether loading the target needs the GitHub API.
    pub fn is_remote(&self) -> bool {
        !matches!(self, Target::Local(_) | Target::Stdin(_))
    }
}

/// Targets and what went wrong while finding them (reported, and the rest is audited).
#[derive(Debug, Default)]
pub struct Plan {
    pub targets: Vec<Target>,
    pub errors: Vec<InputError>,
}

/// Whether a command-line argument names a GitHub repository: `OWNER/NAME[@REF]` that is
/// not also a path on disk (a local folder `acme/api` wins).
pub fn remote_spec(arg: &Path) -> Option<RemoteSpec> {
    if arg.exists() {
        return None;
    }
    arg.to_str().and_then(RemoteSpec::parse)
}

/// The targets of `audit PATH...`: local paths are discovered (repositories under
/// folders, single files, repository roots) in the order given, then the `OWNER/NAME`
/// arguments follow in the order given. No argument means the current directory.
pub fn plan_paths(args: &[PathBuf], opts: &DiscoverOptions) -> Plan {
    let args = if args.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.to_vec()
    };
    let (remote, local): (Vec<_>, Vec<_>) = args.iter().partition(|p| remote_spec(p).is_some());
    let mut plan = Plan::default();
    // Only OWNER/NAME arguments: nothing local to discover (not even `.`).
    if !local.is_empty() || remote.is_empty() {
        let local: Vec<PathBuf> = local.into_iter().cloned().collect();
        let (found, errors) = discover::discover(&local, opts);
        plan.targets.extend(found.into_iter().map(Target::Local));
        plan.errors = errors;
    }
    plan.targets.extend(
        remote
            .iter()
            .filter_map(|p| remote_spec(p))
            .map(Target::Remote),
    );
    plan
}

/// Which repositories of a listing are audited.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListingFilter {
    pub include_archived: bool,
    pub include_forks: bool,
    /// `--shard K/N`: only this stable share of the repositories.
    pub shard: Option<Shard>,
}

/// The targets of `--org ORG`: the organization's listing, without archived
/// repositories and forks unless included, and only the shard asked for.
/// A listing that stopped early is an error of the plan (repositories may be missing:
/// the sweep is not complete), and what it listed is audited.
pub fn plan_org(client: &Client, org: &str, filter: ListingFilter) -> Result<Plan, GithubError> {
    let listed = org::list(client, org)?;
    let errors = listed
        .cut
        .iter()
        .map(|cut| {
            InputError::new(
                None,
                format!("the listing of the organization {org} may be incomplete: {cut}"),
            )
        })
        .collect();
    let targets = listed
        .repos
        .into_iter()
        .filter(|r: &OrgRepo| filter.include_archived || !r.archived)
        .filter(|r| filter.include_forks || !r.fork)
        .filter(|r| filter.shard.is_none_or(|s| s.contains(&r.spec.slug())))
        .map(|r| Target::Listed(r.spec, Box::new(r.listing)))
        .collect();
    Ok(Plan { targets, errors })
}

/// The targets of `--repos-file FILE` (already parsed): each repository in order, only
/// the shard asked for.
pub fn plan_list(specs: Vec<RemoteSpec>, shard: Option<Shard>) -> Plan {
    Plan {
        targets: specs
            .into_iter()
            .filter(|s| shard.is_none_or(|sh| sh.contains(&s.slug())))
            .map(Target::Remote)
            .collect(),
        errors: Vec::new(),
    }
}
