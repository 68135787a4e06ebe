//! From API bodies to the record: each environment's stage and the stage before it,
//! each deployment's outcome from its statuses, when each commit first reached each
//! environment, and the promotions. Pure functions of what was fetched; [`super::fetch`]
//! decides what to fetch from what they find.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::{stage_of, time, Deployment, EnvironmentRecord, History, Promotion, Run};

/// The repository's environments in promotion order (then those of no stage, by name),
/// each with the environments of the nearest earlier stage the repository has.
pub fn arrange(names: &[String], order: &[String]) -> Vec<EnvironmentRecord> {
    let mut staged: Vec<(Option<usize>, &String)> =
        names.iter().map(|n| (stage_of(n, order), n)).collect();
    staged.sort_by(|a, b| {
        let key = |s: &(Option<usize>, &String)| (s.0.unwrap_or(usize::MAX), s.1.to_lowercase());
        key(a).cmp(&key(b))
    });
    let mut out = Vec::new();
    for (stage, name) in &staged {
        let previous = stage
            .and_then(|s| {
                (0..s).rev().find_map(|p| {
                    let at: Vec<String> = staged
                        .iter()
                        .filter(|(st, _)| *st == Some(p))
                        .map(|(_, n)| (*n).clone())
                        .collect();
                    (!at.is_empty()).then_some(at)
                })
            })
            .unwrap_or_default();
        out.push(EnvironmentRecord {
            name: (*name).clone(),
            stage: stage.map(|s| order[s].clone()),
            previous,
            ..EnvironmentRecord::default()
        });
    }
    out
}

/// A deployment of `GET …/deployments` (its statuses not read yet).
pub fn deployment(body: &Json) -> Option<Deployment> {
    Some(Deployment {
        id: body["id"].as_u64()?,
        sha: body["sha"].as_str()?.to_string(),
        git_ref: body["ref"].as_str().unwrap_or_default().to_string(),
        created_at: body["created_at"].as_str()?.to_string(),
        creator: body["creator"]["login"].as_str().map(str::to_string),
        ..Deployment::default()
    })
}

/// The workflow run of an Actions URL (`…/actions/runs/123/job/456`).
fn run_of(url: &str) -> Option<Run> {
    let (base, rest) = url.split_once("/actions/runs/")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some(Run {
        id: digits.parse().ok()?,
        url: format!("{base}/actions/runs/{digits}"),
    })
}

/// Fills what the statuses (`GET …/deployments/{id}/statuses`) say: the latest state,
/// the first success, and the run.
pub fn apply_statuses(d: &mut Deployment, statuses: &[Json]) {
    let when = |s: &Json| {
        (
            s["created_at"].as_str().and_then(time::parse).unwrap_or(0),
            s["id"].as_u64().unwrap_or(0),
        )
    };
    d.state = statuses
        .iter()
        .max_by_key(|s| when(s))
        .and_then(|s| s["state"].as_str().map(str::to_string));
    let success = statuses
        .iter()
        .filter(|s| s["state"] == "success")
        .min_by_key(|s| when(s));
    d.succeeded_at = success.and_then(|s| s["created_at"].as_str().map(str::to_string));
    let url = |s: &Json| {
        ["log_url", "target_url"]
            .iter()
            .find_map(|k| s[*k].as_str().and_then(run_of))
    };
    d.run = success
        .and_then(url)
        .or_else(|| statuses.iter().find_map(url));
}

/// Newest first: by creation time, then id.
pub fn newest_first(deployments: &mut [Deployment]) {
    deployments.sort_by_key(|d| std::cmp::Reverse((time::parse(&d.created_at).unwrap_or(0), d.id)));
}

/// Each environment's latest successful deployment, and when each commit first reached
/// each environment (its deployments of the window).
pub fn index(h: &mut History) {
    for env in &mut h.environments {
        env.latest = env
            .deployments
            .iter()
            .find(|d| d.succeeded_at.is_some())
            .cloned();
    }
    let reached: Vec<(String, String, String)> = h
        .environments
        .iter()
        .flat_map(|e| {
            e.deployments.iter().filter_map(|d| {
                let at = d.succeeded_at.clone()?;
                Some((d.sha.clone(), e.name.clone(), at))
            })
        })
        .collect();
    for (sha, env, at) in reached {
        reach(h, &sha, &env, &at);
    }
}

/// Records that `sha` was deployed successfully to `env` at `at` (the earliest counts).
pub fn reach(h: &mut History, sha: &str, env: &str, at: &str) {
    let commit = h.commits.entry(sha.to_string()).or_default();
    let earlier = |old: &String| time::parse(old) <= time::parse(at);
    match commit.reached.get(env) {
        Some(old) if earlier(old) => {}
        _ => {
            commit.reached.insert(env.to_string(), at.to_string());
        }
    }
}

/// `sha` reached one of `envs` at or before `by`: when.
fn reached_by(h: &History, sha: &str, envs: &[String], by: &str) -> Option<String> {
    let commit = h.commits.get(sha)?;
    envs.iter()
        .filter_map(|e| commit.reached.get(e))
        .filter(|at| time::parse(at) <= time::parse(by))
        .min_by_key(|at| time::parse(at))
        .cloned()
}

/// The first successful deployment of each commit to each environment with environments
/// before it, and whether the commit was there first.
pub fn promotions(h: &History) -> Vec<Promotion> {
    let mut out = Vec::new();
    for env in h.environments.iter().filter(|e| !e.previous.is_empty()) {
        let mut seen = BTreeSet::new();
        // Oldest first, so that each commit's first deployment is the one judged.
        for d in env.deployments.iter().rev() {
            let Some(succeeded_at) = d.succeeded_at.clone() else {
                continue;
            };
            if !seen.insert(d.sha.clone()) {
                continue;
            }
            out.push(Promotion {
                environment: env.name.clone(),
                previous: env.previous.clone(),
                sha: d.sha.clone(),
                deployment: d.id,
                created_at: d.created_at.clone(),
                succeeded_at,
                run: d.run.clone(),
                previous_at: reached_by(h, &d.sha, &env.previous, &d.created_at),
                same_tree: None,
            });
        }
    }
    out
}

/// The (commit, environment) pairs to look up by commit, because the window does not
/// show the commit there: a promotion's previous environments, and the earlier stages
/// of each environment's latest commit (what `trace` shows). In that order, deduplicated.
pub fn lookups(h: &History) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |sha: &str, env: &str| {
        let pair = (sha.to_string(), env.to_string());
        if !out.contains(&pair) {
            out.push(pair);
        }
    };
    for p in promotions(h).iter().filter(|p| p.previous_at.is_none()) {
        for env in &p.previous {
            push(&p.sha, env);
        }
    }
    for (i, env) in h.environments.iter().enumerate() {
        let (Some(latest), Some(_)) = (&env.latest, &env.stage) else {
            continue;
        };
        let reached = h.commits.get(&latest.sha).map(|c| &c.reached);
        for earlier in h.environments[..i].iter().filter(|e| e.stage.is_some()) {
            if reached.is_none_or(|r| !r.contains_key(&earlier.name)) && earlier.stage != env.stage
            {
                push(&latest.sha, &earlier.name);
            }
        }
    }
    out
}

/// The commits deployed successfully to `envs` before `by`, newest first: the ones a
/// promotion's commit may share its tree with.
pub fn tree_candidates(h: &History, p: &Promotion) -> Vec<(String, String, String)> {
    let mut found: BTreeMap<String, (String, String)> = BTreeMap::new();
    for env in h
        .environments
        .iter()
        .filter(|e| p.previous.contains(&e.name))
    {
        for d in &env.deployments {
            let Some(at) = &d.succeeded_at else { continue };
            if d.sha == p.sha || time::parse(at) > time::parse(&p.created_at) {
                continue;
            }
            let newer = found
                .get(&d.sha)
                .is_none_or(|(old, _)| time::parse(old) < time::parse(at));
            if newer {
                found.insert(d.sha.clone(), (at.clone(), env.name.clone()));
            }
        }
    }
    let mut list: Vec<(String, String, String)> = found
        .into_iter()
        .map(|(sha, (at, env))| (sha, env, at))
        .collect();
    list.sort_by_key(|(_, _, at)| std::cmp::Reverse(time::parse(at)));
    list
}

/// The commits whose check runs are read: each environment's latest, then every commit
/// deployed successfully to the last stage of the order, newest first, deduplicated.
pub fn judged_commits(h: &History) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let last = h.order.last();
    let latest = h.environments.iter().filter_map(|e| e.latest.as_ref());
    let mut production: Vec<&Deployment> = h
        .environments
        .iter()
        .filter(|e| e.stage.is_some() && e.stage.as_ref() == last)
        .flat_map(|e| e.deployments.iter().filter(|d| d.succeeded_at.is_some()))
        .collect();
    newest_refs(&mut production);
    for d in latest.chain(production) {
        if !out.contains(&d.sha) {
            out.push(d.sha.clone());
        }
    }
    out
}

fn newest_refs(list: &mut [&Deployment]) {
    list.sort_by_key(|d| std::cmp::Reverse((time::parse(&d.created_at).unwrap_or(0), d.id)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order() -> Vec<String> {
        super::super::DEFAULT_ORDER
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn environments_are_arranged_by_stage_with_the_nearest_earlier_one() {
        let names = ["preview", "Production", "staging", "prod-eu"].map(String::from);
        let envs = arrange(&names, &order());
        let shown: Vec<(&str, Option<&str>, Vec<String>)> = envs
            .iter()
            .map(|e| (e.name.as_str(), e.stage.as_deref(), e.previous.clone()))
            .collect();
        assert_eq!(
            shown,
            vec![
                ("staging", Some("staging"), vec![]),
                (
                    "Production",
                    Some("production"),
                    vec!["staging".to_string()]
                ),
                ("preview", None, vec![]),
                ("prod-eu", None, vec![]),
            ]
        );
    }

    #[test]
    fn statuses_give_the_first_success_and_the_run() {
        let mut d = deployment(&json!({"id": 7, "sha": "abc", "ref": "main",
            "created_at": "2026-11-30T10:00:00Z", "creator": {"login": "github-actions[bot]"}}))
        .unwrap();
        let statuses = [
            json!({"id": 3, "state": "inactive", "created_at": "2026-11-30T12:00:00Z"}),
            json!({"id": 2, "state": "success", "created_at": "2026-11-30T10:01:00Z",
                   "log_url": "https://github.com/o/r/actions/runs/42/job/99"}),
            json!({"id": 1, "state": "in_progress", "created_at": "2026-11-30T10:00:10Z"}),
        ];
        apply_statuses(&mut d, &statuses);
        assert_eq!(d.state.as_deref(), Some("inactive"));
        assert_eq!(d.succeeded_at.as_deref(), Some("2026-11-30T10:01:00Z"));
        let run = d.run.unwrap();
        assert_eq!(
            (run.id, run.url.as_str()),
            (42, "https://github.com/o/r/actions/runs/42")
        );
        assert_eq!(run_of("https://example.com/log"), None);
    }
}
