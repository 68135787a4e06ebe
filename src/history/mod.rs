//! The deployment record of a repository on GitHub: what actually ran where, as opposed
//! to how the pipeline is written. Every job that names an `environment:` creates a
//! deployment of its commit, with statuses; the commit's check runs tell whether the
//! pipeline's jobs passed on it.
//!
//! [`read`] fetches it (bounded: a window, caps on pages and commits) and analyses it
//! into one [`History`]: the environments in promotion order, the deployments of each in
//! the window, when each deployed commit first reached each environment, the promotions
//! to judge, and the check runs of the few commits that are judged. It becomes
//! `input.history` (docs/input.md), where the policies judge it, and `shiplint trace`
//! presents the same record (docs/trace.md). Fetching and analysing here, judging in Rego.

mod analyse;
mod fetch;
pub mod time;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use fetch::read;

/// The promotion order when the config names none.
pub const DEFAULT_ORDER: [&str; 3] = ["dev", "staging", "production"];

/// Environment names that stand for a stage of the default order (lower case).
const ALIASES: &[&[&str]] = &[
    &["dev", "development", "develop"],
    &["staging", "stage", "stg", "preprod"],
    &["production", "prod", "live"],
];

/// The window of history to read: `[since, until]`, seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub since: i64,
    pub until: i64,
}

impl Window {
    /// The window `--since` names, ending now (`SHIPLINT_TEST_NOW`, an RFC 3339 time,
    /// stands for now in tests, so that recorded histories stay in their window).
    pub fn parse(since: &str) -> Result<Window, String> {
        let now = std::env::var("SHIPLINT_TEST_NOW")
            .ok()
            .and_then(|t| time::parse(&t))
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            });
        Ok(Window {
            since: time::since(since, now)?,
            until: now,
        })
    }
}

/// The promotion order of the config, `rules.deployed-without-promotion.params.order`
/// (else `promotion-order-not-enforced`'s), else [`DEFAULT_ORDER`].
pub fn order_of(config: &serde_json::Value) -> Vec<String> {
    ["deployed-without-promotion", "promotion-order-not-enforced"]
        .iter()
        .find_map(|rule| {
            let items = config.get(rule)?.get("order")?.as_array()?;
            let names: Vec<String> = items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            (!names.is_empty() && names.len() == items.len()).then_some(names)
        })
        .unwrap_or_else(|| DEFAULT_ORDER.iter().map(|s| s.to_string()).collect())
}

/// The environment names of a settings document (`input.settings`), or why its
/// environment list could not be read.
pub fn environment_names(settings: &serde_json::Value) -> Result<Vec<String>, String> {
    if settings["environments_readable"] == false {
        let why = settings["environments_error"]
            .as_str()
            .unwrap_or("not readable");
        return Err(why.to_string());
    }
    Ok(settings["environments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["name"].as_str().map(str::to_string))
        .collect())
}

/// The position in `order` of the stage an environment name stands for: the stage
/// itself or one of its aliases, case-insensitively.
pub fn stage_of(environment: &str, order: &[String]) -> Option<usize> {
    let env = environment.to_lowercase();
    order.iter().position(|stage| {
        let stage = stage.to_lowercase();
        match ALIASES.iter().find(|group| group.contains(&stage.as_str())) {
            Some(group) => group.contains(&env.as_str()),
            None => stage == env,
        }
    })
}

/// The deployment record of one repository (`input.history`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// False when the deployments could not be read; then only `error` says more.
    pub readable: bool,
    /// Why it could not be read (`403 Resource not accessible by integration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The window: deployments created at or after `since`, read at `until`.
    pub since: String,
    pub until: String,
    /// The promotion order (stages of the config; aliases apply).
    pub order: Vec<String>,
    /// The repository's environments: those of the order in its order, then the others.
    pub environments: Vec<EnvironmentRecord>,
    /// Every commit deployed successfully in the window to an environment that has one
    /// before it, once per environment: whether it got there first.
    pub promotions: Vec<Promotion>,
    /// The commits of the record, by SHA.
    pub commits: BTreeMap<String, CommitRecord>,
}

/// One environment of the repository and its deployments in the window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentRecord {
    pub name: String,
    /// The stage of the order it stands for; absent when it is in none (not judged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The environments of the nearest earlier stage that the repository has.
    pub previous: Vec<String>,
    /// Its deployments created in the window, newest first.
    pub deployments: Vec<Deployment>,
    /// More deployments were created in the window than were read (the oldest are left out).
    pub truncated: bool,
    /// The latest successful deployment of the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<Deployment>,
}

/// One deployment and what its statuses say.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub id: u64,
    /// The commit deployed.
    pub sha: String,
    /// The branch or tag it was deployed from, as recorded.
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub created_at: String,
    /// Login of who created it (`github-actions[bot]` for a workflow job).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<String>,
    /// The latest status's state (`success`, `failure`, `inactive`, …); absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// When it first reported `success` (a later `inactive` means a newer one replaced it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succeeded_at: Option<String>,
    /// The workflow run that made it, from its statuses' log or target URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<Run>,
}

/// A workflow run of GitHub Actions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub id: u64,
    pub url: String,
}

/// A commit deployed successfully to an environment that has environments before it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Promotion {
    pub environment: String,
    /// The environments of the stage before.
    pub previous: Vec<String>,
    pub sha: String,
    /// Its first successful deployment there in the window.
    pub deployment: u64,
    pub created_at: String,
    pub succeeded_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<Run>,
    /// When the same commit was deployed successfully to a previous environment, at or
    /// before this deployment was created; absent: it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_at: Option<String>,
    /// When it was not: the previous environments' commit, deployed before, whose git tree
    /// is this commit's (the same code merged or rebased under a new commit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_tree: Option<SameTree>,
}

/// A commit with the same git tree as another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SameTree {
    pub sha: String,
    pub tree: String,
    pub environment: String,
    pub succeeded_at: String,
}

/// What is known of one commit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommitRecord {
    /// Environment → when the commit was first deployed there successfully (in the
    /// window, or found by commit for the environments before the ones it reached).
    pub reached: BTreeMap<String, String>,
    /// Its git tree, when it was read (to compare promotions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree: Option<String>,
    /// Its check runs, for the commits that are judged (latest per environment, and every
    /// commit deployed to the last stage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<Checks>,
}

/// The check runs of one commit that GitHub Actions made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Checks {
    pub readable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Every attempt, re-runs included (`filter=all`), oldest first.
    pub runs: Vec<CheckRun>,
    /// More check runs than were read.
    pub truncated: bool,
}

/// One check run, with GitHub's field names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRun {
    pub id: u64,
    pub name: String,
    /// `queued`, `in_progress`, `completed`.
    pub status: String,
    /// `success`, `failure`, `cancelled`, `skipped`, …; absent until completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_match_names_and_aliases() {
        let order: Vec<String> = DEFAULT_ORDER.iter().map(|s| s.to_string()).collect();
        assert_eq!(stage_of("Production", &order), Some(2));
        assert_eq!(stage_of("prod", &order), Some(2));
        assert_eq!(stage_of("stg", &order), Some(1));
        assert_eq!(stage_of("development", &order), Some(0));
        assert_eq!(stage_of("preview", &order), None);
        let custom = vec!["qa".to_string(), "prod".to_string()];
        assert_eq!(stage_of("QA", &custom), Some(0));
        assert_eq!(stage_of("live", &custom), Some(1));
    }

    #[test]
    fn the_order_comes_from_either_rule() {
        let config = serde_json::json!({"promotion-order-not-enforced": {"order": ["qa", "prod"]}});
        assert_eq!(order_of(&config), ["qa", "prod"]);
        let config = serde_json::json!({"deployed-without-promotion": {"order": ["a", 3]}});
        assert_eq!(order_of(&config), DEFAULT_ORDER);
    }
}
