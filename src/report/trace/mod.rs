//! The trace report (`shiplint trace`, docs/trace.md): per environment in promotion
//! order, the latest successful deployment, when its commit reached each earlier
//! environment, and the pipeline's build and scan jobs on it; then the history rules'
//! findings. Three formats ([`human`], [`json`], [`markdown`]) render the same
//! [`EnvironmentView`]s, which only look things up in the analysed record: the audit
//! judged, the record says what happened, this presents.

pub mod human;
pub mod json;
pub mod markdown;

use serde::Serialize;

use crate::audit::history::{CommitPipeline, JobChecks, Trace};
use crate::history::{Deployment, EnvironmentRecord, SameTree};

/// What the judged commit's check runs are, for one environment's latest commit.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ChecksView<'a> {
    /// Read and matched to the pipeline's jobs.
    Read {
        build: &'a JobChecks,
        scan: &'a JobChecks,
    },
    /// The API refused them.
    Unreadable { error: &'a str },
    /// Not read (past the cap, or the pipeline's jobs could not be matched).
    NotRead,
}

/// An earlier environment of the promotion order and when the commit got there.
#[derive(Debug, Clone, Serialize)]
pub struct Earlier<'a> {
    pub environment: &'a str,
    /// When the commit was first deployed there successfully; absent: never (that the
    /// record shows, looked up by commit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reached_at: Option<&'a str>,
    /// When it never did: the commit deployed there whose git tree is this one's (a
    /// merge-based promotion), as the record's promotion found it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_tree: Option<&'a SameTree>,
}

/// One environment as every format shows it.
#[derive(Debug, Clone, Serialize)]
pub struct EnvironmentView<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<&'a str>,
    pub previous: &'a [String],
    /// Deployments created in the window, and how many of them succeeded.
    pub deployments: usize,
    pub successful: usize,
    pub truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<&'a Deployment>,
    /// For the latest commit: each environment of an earlier stage.
    pub earlier: Vec<Earlier<'a>>,
    /// For the latest commit: its build and scan jobs' check runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checks: Option<ChecksView<'a>>,
}

/// The environments of a trace, in the record's order.
pub fn environments(trace: &Trace) -> Vec<EnvironmentView<'_>> {
    let record = &trace.record;
    record
        .environments
        .iter()
        .enumerate()
        .map(|(i, env)| {
            let latest = env.latest.as_ref();
            let commit = latest.and_then(|d| record.commits.get(&d.sha));
            let earlier = match &env.stage {
                Some(stage) => record.environments[..i]
                    .iter()
                    .filter(|e| e.stage.is_some() && e.stage.as_ref() != Some(stage))
                    .map(|e| Earlier {
                        environment: &e.name,
                        reached_at: commit
                            .and_then(|c| c.reached.get(&e.name))
                            .map(String::as_str),
                        same_tree: latest
                            .and_then(|d| same_tree(trace, &env.name, &d.sha, &e.name)),
                    })
                    .collect(),
                None => Vec::new(),
            };
            EnvironmentView {
                name: &env.name,
                stage: env.stage.as_deref(),
                previous: &env.previous,
                deployments: env.deployments.len(),
                successful: successful(env),
                truncated: env.truncated,
                latest,
                earlier,
                checks: latest.map(|d| checks(trace, &d.sha)),
            }
        })
        .collect()
}

/// The commit of `earlier` with the tree of `sha`, as the promotion of `sha` to `env`
/// recorded it.
fn same_tree<'a>(trace: &'a Trace, env: &str, sha: &str, earlier: &str) -> Option<&'a SameTree> {
    trace
        .record
        .promotions
        .iter()
        .find(|p| p.environment == env && p.sha == sha)
        .and_then(|p| p.same_tree.as_ref())
        .filter(|t| t.environment == earlier)
}

fn successful(env: &EnvironmentRecord) -> usize {
    env.deployments
        .iter()
        .filter(|d| d.succeeded_at.is_some())
        .count()
}

fn checks<'a>(trace: &'a Trace, sha: &str) -> ChecksView<'a> {
    let read = trace
        .record
        .commits
        .get(sha)
        .and_then(|c| c.checks.as_ref());
    match (read, trace.pipeline.get(sha)) {
        (Some(c), _) if !c.readable => ChecksView::Unreadable {
            error: c.error.as_deref().unwrap_or("not readable"),
        },
        (Some(_), Some(CommitPipeline { build, scan })) => ChecksView::Read { build, scan },
        _ => ChecksView::NotRead,
    }
}

/// `3f2a9c1`.
pub fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// The check names of a role's jobs, for people: `` `build`, `Scan image` ``.
pub fn job_names(jobs: &JobChecks) -> String {
    let mut names: Vec<String> = jobs
        .jobs
        .iter()
        .map(|j| match (&j.name, &j.pattern) {
            (Some(n), _) => format!("`{n}`"),
            (None, Some(p)) => format!("`{}` ({p})", j.job),
            (None, None) => format!("`{}`", j.job),
        })
        .collect();
    names.dedup();
    names.join(", ")
}

/// What a role's check runs say, in words, and whether that is good: `None` when there
/// is no job of the role (nothing to say), `Some(false)` for a missing or failed one.
pub fn verdict(role: &str, c: &JobChecks) -> (String, Option<bool>) {
    if c.jobs.is_empty() {
        return (format!("no {role} job in the workflows"), None);
    }
    let names = job_names(c);
    match &c.conclusion {
        None => (
            format!("no check run of {names} on this commit"),
            Some(false),
        ),
        Some(_) if c.succeeded && c.conclusion.as_deref() != Some("success") => (
            format!(
                "passed once, latest {} ({names})",
                c.conclusion.as_deref().unwrap_or_default()
            ),
            Some(true),
        ),
        Some(conclusion) => (format!("{conclusion} ({names})"), Some(c.succeeded)),
    }
}

/// `1 successful build of the release image` (once is the practice).
pub fn builds(c: &JobChecks) -> Option<String> {
    (!c.jobs.is_empty()).then(|| match c.successes {
        1 => "1 successful build of the release image".to_string(),
        n => format!("{n} successful builds of the release image (once is the practice)"),
    })
}
