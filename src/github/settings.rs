//! Fetching `input.settings` (docs/input.md) for one repository: classic branch
//! protection and active ruleset rules of each branch, ruleset details (bypass actors),
//! and environments. A setting that cannot be read is recorded as such (`readable:
//! false`, `environments: null`), never as "fine".

use std::collections::BTreeSet;

use serde_json::{json, Map, Value as Json};

use super::{Client, GithubError, Response};

/// Percent-encodes one path segment's unsafe characters (branch names keep their `/`).
pub fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn status_text(r: &Response) -> String {
    let m = r.message();
    if m.is_empty() {
        r.status.to_string()
    } else {
        format!("{} {m}", r.status)
    }
}

/// `{protection, readable, error?, rules}` of one branch; `None` when the branch does not
/// exist (a trigger may name a branch that was never created).
pub fn branch(client: &Client, repo: &str, branch: &str) -> Result<Option<Json>, GithubError> {
    let b = encode_path(branch);
    let r = client.get(&format!("/repos/{repo}/branches/{b}/protection"))?;
    let mut out = Map::new();
    match r.status {
        404 if r.message() == "Branch not found" => return Ok(None),
        200 => {
            out.insert("protection".into(), r.json()?);
            out.insert("readable".into(), Json::Bool(true));
        }
        404 if r.message() == "Branch not protected" => {
            out.insert("protection".into(), Json::Null);
            out.insert("readable".into(), Json::Bool(true));
        }
        // 404 "Not Found" (no admin rights), 403 (fine-grained token without
        // Administration, or a plan without branch protection).
        403 | 404 => {
            out.insert("protection".into(), Json::Null);
            out.insert("readable".into(), Json::Bool(false));
            out.insert("error".into(), Json::String(status_text(&r)));
        }
        _ => return Err(r.unexpected()),
    }
    let r = client.get(&format!("/repos/{repo}/rules/branches/{b}"))?;
    let rules = match r.status {
        200 => match r.json()? {
            Json::Array(items) => items,
            _ => {
                return Err(GithubError::Invalid {
                    path: r.path,
                    reason: "expected an array of rules".into(),
                })
            }
        },
        // Rulesets unavailable (private repository on the Free plan): none apply.
        403 | 404 => Vec::new(),
        _ => return Err(r.unexpected()),
    };
    out.insert("rules".into(), Json::Array(rules));
    Ok(Some(Json::Object(out)))
}

/// The whole settings document for `repo` (`owner/name`) and its `branches`.
pub fn fetch(
    client: &Client,
    repo: &str,
    branches: &BTreeSet<String>,
) -> Result<Json, GithubError> {
    let mut by_name = Map::new();
    let mut ruleset_ids = BTreeSet::new();
    for b in branches {
        let Some(settings) = branch(client, repo, b)? else {
            continue;
        };
        for r in settings["rules"].as_array().into_iter().flatten() {
            if r["ruleset_source_type"] == "Repository" {
                if let Some(id) = r["ruleset_id"].as_u64() {
                    ruleset_ids.insert(id);
                }
            }
        }
        by_name.insert(b.clone(), settings);
    }
    let mut rulesets = Vec::new();
    for id in ruleset_ids {
        let r = client.get(&format!("/repos/{repo}/rulesets/{id}"))?;
        match r.status {
            200 => rulesets.push(r.json()?),
            403 | 404 => {}
            _ => return Err(r.unexpected()),
        }
    }
    let r = client.get(&format!("/repos/{repo}/environments"))?;
    let mut doc = json!({"branches": by_name, "rulesets": rulesets});
    match r.status {
        200 => {
            let body = r.json()?;
            doc["environments"] = body
                .get("environments")
                .cloned()
                .unwrap_or_else(|| Json::Array(Vec::new()));
        }
        403 | 404 => {
            doc["environments"] = Json::Null;
            doc["environments_error"] = Json::String(status_text(&r));
        }
        _ => return Err(r.unexpected()),
    }
    crate::settings::validate(doc).map_err(|e| GithubError::Invalid {
        path: format!("/repos/{repo} (settings)"),
        reason: e.message,
    })
}
