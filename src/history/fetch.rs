//! The requests behind the record, every one bounded (docs/github.md, "Deployment
//! history"): per environment one page of `GET …/deployments?environment=` (the newest
//! 100; at most [`MAX_DEPLOYMENTS`] of the window are kept) and the statuses of each kept
//! deployment; a few look-ups by commit (`…/deployments?environment=&sha=`); the trees
//! of the commits a promotion may have been merged from (`GET …/git/commits/{sha}`); the
//! check runs of the judged commits (`GET …/commits/{sha}/check-runs?filter=all`).
//!
//! A 403 or 404 on the deployments means the history cannot be read (`readable:
//! false`, the rules that need it are not judged); on check runs, that commit's checks
//! are unknown; on a commit, its tree is. Anything else the client could not get
//! (unreachable, 401, rate limit) is the caller's error, as for settings.

use serde_json::Value as Json;

use super::analyse::{self, apply_statuses, newest_first};
use super::{time, CheckRun, Checks, Deployment, History, SameTree, Window};
use crate::github::settings::encode_path;
use crate::github::{Client, GithubError};

/// Deployments of one environment kept from the window (each costs a statuses request).
pub const MAX_DEPLOYMENTS: usize = 50;
/// (commit, environment) pairs looked up by commit.
pub const MAX_LOOKUPS: usize = 10;
/// Deployments read per look-up (their statuses are read).
const MAX_LOOKUP_DEPLOYMENTS: usize = 5;
/// Commits whose tree is read.
pub const MAX_TREES: usize = 20;
/// Commits whose check runs are read.
pub const MAX_CHECKED: usize = 20;
/// Pages of 100 check runs read per commit.
const MAX_CHECK_PAGES: usize = 3;

/// `403 Resource not accessible by integration`, or the error the caller must see. A
/// 422 is a commit GitHub no longer has (`No commit found for SHA`): unknown too.
fn refused(e: GithubError) -> Result<String, GithubError> {
    match e {
        GithubError::Status {
            status: status @ (403 | 404 | 422),
            message,
            ..
        } => Ok(if message.is_empty() {
            status.to_string()
        } else {
            format!("{status} {message}")
        }),
        other => Err(other),
    }
}

/// `GET …/deployments` of one environment (and one commit), the name percent-encoded:
/// `?`, `&`, `#`, `+` and spaces in an environment's name stay inside its value.
fn deployments_path(slug: &str, env: &str, sha: Option<&str>) -> String {
    let mut path = format!("/repos/{slug}/deployments?environment={}", encode_path(env));
    if let Some(sha) = sha {
        path.push_str(&format!("&sha={}", encode_path(sha)));
    }
    path
}

/// What a list request gave: the items, or why the API refused them.
type Listed = Result<Vec<Json>, String>;

fn list(client: &Client, path: &str) -> Result<Listed, GithubError> {
    match client.get_list(path, 1) {
        Ok(items) => Ok(Ok(items)),
        Err(e) => refused(e).map(Err),
    }
}

/// Reads and analyses the deployment record of `slug` for its `environments` (the
/// names of `GET …/environments`, or why they could not be read), over `window`, with
/// the promotion `order`.
pub fn read(
    client: &Client,
    slug: &str,
    environments: Result<Vec<String>, String>,
    window: Window,
    order: Vec<String>,
) -> Result<History, GithubError> {
    let mut h = History {
        readable: true,
        since: time::format(window.since),
        until: time::format(window.until),
        order,
        ..History::default()
    };
    let names = match environments {
        Ok(names) => names,
        Err(why) => return Ok(unreadable(h, format!("environments: {why}"))),
    };
    h.environments = analyse::arrange(&names, &h.order);
    for i in 0..h.environments.len() {
        let name = h.environments[i].name.clone();
        let path = deployments_path(slug, &name, None);
        let items = match list(client, &path)? {
            Ok(items) => items,
            Err(why) => return Ok(unreadable(h, why)),
        };
        let complete = items.len() < 100;
        let mut kept: Vec<Deployment> = items
            .iter()
            .filter_map(analyse::deployment)
            .filter(|d| time::parse(&d.created_at).is_some_and(|t| t >= window.since))
            .collect();
        newest_first(&mut kept);
        let all_in_window = kept.len() == items.len();
        h.environments[i].truncated = kept.len() > MAX_DEPLOYMENTS || (all_in_window && !complete);
        kept.truncate(MAX_DEPLOYMENTS);
        for d in &mut kept {
            match statuses(client, slug, d)? {
                Ok(()) => {}
                Err(why) => return Ok(unreadable(h, why)),
            }
        }
        h.environments[i].deployments = kept;
    }
    analyse::index(&mut h);
    look_up(client, slug, &mut h)?;
    h.promotions = analyse::promotions(&h);
    same_trees(client, slug, &mut h)?;
    check_runs(client, slug, &mut h)?;
    Ok(h)
}

/// The record of a history that could not be read: the window and why, nothing else.
fn unreadable(h: History, why: String) -> History {
    History {
        readable: false,
        error: Some(why),
        environments: Vec::new(),
        promotions: Vec::new(),
        commits: Default::default(),
        ..h
    }
}

fn statuses(
    client: &Client,
    slug: &str,
    d: &mut Deployment,
) -> Result<Result<(), String>, GithubError> {
    let path = format!("/repos/{slug}/deployments/{}/statuses", d.id);
    Ok(list(client, &path)?.map(|items| apply_statuses(d, &items)))
}

/// Looks commits up by SHA in the environments where the window does not show them.
fn look_up(client: &Client, slug: &str, h: &mut History) -> Result<(), GithubError> {
    for (sha, env) in analyse::lookups(h).into_iter().take(MAX_LOOKUPS) {
        let path = deployments_path(slug, &env, Some(&sha));
        let Ok(items) = list(client, &path)? else {
            continue;
        };
        let mut found: Vec<Deployment> = items
            .iter()
            .filter_map(analyse::deployment)
            .filter(|d| d.sha == sha)
            .collect();
        newest_first(&mut found);
        for d in found.iter_mut().take(MAX_LOOKUP_DEPLOYMENTS) {
            if statuses(client, slug, d)?.is_ok() {
                if let Some(at) = d.succeeded_at.clone() {
                    analyse::reach(h, &sha, &env, &at);
                }
            }
        }
    }
    Ok(())
}

/// The git tree of `sha`, read once (`None`: not readable).
fn tree(
    client: &Client,
    slug: &str,
    h: &mut History,
    sha: &str,
    budget: &mut usize,
) -> Result<Option<String>, GithubError> {
    if let Some(t) = h.commits.get(sha).and_then(|c| c.tree.clone()) {
        return Ok(Some(t));
    }
    if *budget == 0 {
        return Ok(None);
    }
    *budget -= 1;
    let r = client.get(&format!("/repos/{slug}/git/commits/{}", encode_path(sha)))?;
    let tree = match r.status {
        200 => r.json()?["tree"]["sha"].as_str().map(str::to_string),
        403 | 404 | 409 | 422 => None,
        _ => return Err(r.unexpected()),
    };
    h.commits
        .entry(sha.to_string())
        .or_default()
        .tree
        .clone_from(&tree);
    Ok(tree)
}

/// For each promotion whose commit was not deployed before to the environment before:
/// the earlier commit there with the same git tree, if one was.
fn same_trees(client: &Client, slug: &str, h: &mut History) -> Result<(), GithubError> {
    let mut budget = MAX_TREES;
    for i in 0..h.promotions.len() {
        if h.promotions[i].previous_at.is_some() {
            continue;
        }
        let p = h.promotions[i].clone();
        let candidates = analyse::tree_candidates(h, &p);
        if candidates.is_empty() {
            continue;
        }
        let Some(own) = tree(client, slug, h, &p.sha, &mut budget)? else {
            continue;
        };
        for (sha, environment, succeeded_at) in candidates {
            if tree(client, slug, h, &sha, &mut budget)?.as_deref() == Some(own.as_str()) {
                h.promotions[i].same_tree = Some(SameTree {
                    sha,
                    tree: own.clone(),
                    environment,
                    succeeded_at,
                });
                break;
            }
        }
    }
    Ok(())
}

/// The GitHub Actions check runs of the judged commits.
fn check_runs(client: &Client, slug: &str, h: &mut History) -> Result<(), GithubError> {
    for sha in analyse::judged_commits(h).into_iter().take(MAX_CHECKED) {
        let checks = commit_checks(client, slug, &sha)?;
        h.commits.entry(sha).or_default().checks = Some(checks);
    }
    Ok(())
}

fn commit_checks(client: &Client, slug: &str, sha: &str) -> Result<Checks, GithubError> {
    let mut checks = Checks {
        readable: true,
        ..Checks::default()
    };
    let mut seen = 0;
    for page in 1..=MAX_CHECK_PAGES {
        let path = format!(
            "/repos/{slug}/commits/{}/check-runs?filter=all&per_page=100&page={page}",
            encode_path(sha)
        );
        let r = client.get(&path)?;
        if r.status != 200 {
            let why = refused(r.unexpected())?;
            return Ok(Checks {
                readable: false,
                error: Some(why),
                ..Checks::default()
            });
        }
        let body = r.json()?;
        let items = body["check_runs"].as_array().cloned().unwrap_or_default();
        let total = body["total_count"].as_u64().unwrap_or(0) as usize;
        seen += items.len();
        checks.runs.extend(items.iter().filter_map(check_run));
        if items.len() < 100 || seen >= total {
            break;
        }
        checks.truncated = page == MAX_CHECK_PAGES;
    }
    checks.runs.sort_by_key(|c| c.id);
    Ok(checks)
}

/// A check run that GitHub Actions made (other apps' checks are not the workflows').
fn check_run(body: &Json) -> Option<CheckRun> {
    if body["app"]["slug"].as_str() != Some("github-actions") {
        return None;
    }
    Some(CheckRun {
        id: body["id"].as_u64()?,
        name: body["name"].as_str()?.to_string(),
        status: body["status"].as_str().unwrap_or_default().to_string(),
        conclusion: body["conclusion"].as_str().map(str::to_string),
        completed_at: body["completed_at"].as_str().map(str::to_string),
        html_url: body["html_url"].as_str().map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_are_percent_encoded_in_the_query() {
        assert_eq!(
            deployments_path("o/r", "prod eu&x=1#2+3", None),
            "/repos/o/r/deployments?environment=prod%20eu%26x%3D1%232%2B3"
        );
        assert_eq!(
            deployments_path("o/r", "staging", Some("abc")),
            "/repos/o/r/deployments?environment=staging&sha=abc"
        );
    }

    #[test]
    fn only_github_actions_check_runs_are_kept() {
        let run = |slug: &str| {
            serde_json::json!({"id": 1, "name": "scan", "status": "completed",
                "conclusion": "success", "app": {"slug": slug}})
        };
        assert_eq!(check_run(&run("github-actions")).unwrap().name, "scan");
        assert_eq!(check_run(&run("some-ci")), None);
    }
}
