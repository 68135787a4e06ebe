//! Fetching `input.settings` (docs/input.md) for one repository: classic branch
//! protection and active ruleset rules of each branch, ruleset details (bypass actors),
//! environments and their custom deployment branch policies. A setting that cannot be
//! read is recorded as such (`readable: false`, `environments: null`,
//! `branch_policies_readable: false`), never as "fine".

use std::collections::BTreeSet;

use serde_json::{json, Map, Value as Json};

use super::{Client, GithubError, Response};

/// Appends `seg` percent-encoded: every byte but RFC 3986's unreserved ones. A segment that is only dots (`.`, `..`) gets its dots encoded too, so
/// that no URL parser or proxy on the way resolves it: a push trigger naming `../..`
/// must not turn `…/branches/{b}/protection` into another endpoint.
fn push_encoded(out: &mut String, seg: &str) {
    if seg == "." || seg == ".." {
        out.push_str(&"%2E".repeat(seg.len()));
        return;
    }
    for b in seg.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
}

/// Percent-encodes a path whose `/` separate segments (branch names, file paths): each
/// segment as [`encode_segment`] would, except that the `/` between them stay.
pub fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, seg) in s.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        push_encoded(&mut out, seg);
    }
    out
}

/// Percent-encodes `s` as one path segment: a `/` becomes `%2F` (environment names, which
/// GitHub documents must be sent so).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_encoded(&mut out, s);
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

/// Pages of an object-shaped list (`{total_count, <key>: [...]}`) fetched at most.
const MAX_PAGES: usize = 10;

/// What a paginated list of a settings endpoint gave.
enum Listed {
    Items(Vec<Json>),
    /// A page answered 403/404, or there were more pages than shiplint reads: why.
    Unreadable(String),
}

/// Every item under `key` of the pages of `path` (`per_page=100`, following
/// `link: rel="next"` on this API only, as [`Client::get_list`] does for array lists).
fn get_pages(client: &Client, path: &str, key: &str) -> Result<Listed, GithubError> {
    let mut next = Some(format!("{path}?per_page=100"));
    let mut items = Vec::new();
    for _ in 0..MAX_PAGES {
        let Some(p) = next.take() else {
            return Ok(Listed::Items(items));
        };
        let r = client.get(&p)?;
        match r.status {
            200 => {}
            403 | 404 => return Ok(Listed::Unreadable(status_text(&r))),
            _ => return Err(r.unexpected()),
        }
        let mut body = r.json()?;
        match body.get_mut(key).map(Json::take) {
            Some(Json::Array(mut page)) => items.append(&mut page),
            // GitHub may leave an empty list out; a count of 0 says it is empty.
            None if body["total_count"] == 0 => {}
            _ => {
                return Err(GithubError::Invalid {
                    path: p,
                    reason: format!("expected an object with a `{key}` array"),
                })
            }
        }
        next = r.header("link").and_then(|l| client.next_link(l));
    }
    Ok(match next {
        None => Listed::Items(items),
        Some(_) => Listed::Unreadable(format!(
            "more than {MAX_PAGES} pages of 100; not read to the end"
        )),
    })
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

/// The bodies of `GET …/rulesets/{id}` for `ids` (those the token cannot see are left out).
fn rulesets(client: &Client, repo: &str, ids: &BTreeSet<u64>) -> Result<Vec<Json>, GithubError> {
    let mut rulesets = Vec::new();
    for id in ids {
        let r = client.get(&format!("/repos/{repo}/rulesets/{id}"))?;
        match r.status {
            200 => rulesets.push(r.json()?),
            403 | 404 => {}
            _ => return Err(r.unexpected()),
        }
    }
    Ok(rulesets)
}

/// Adds to one environment item of `GET …/environments` its custom deployment branch
/// policies (`branch_policies`, `branch_policies_readable`, `branch_policies_error`), when
/// `deployment_branch_policy.custom_branch_policies` is true: only then does GitHub keep
/// any, and only then do they decide which branches may deploy.
fn add_branch_policies(client: &Client, repo: &str, env: &mut Json) -> Result<(), GithubError> {
    if env["deployment_branch_policy"]["custom_branch_policies"] != Json::Bool(true) {
        return Ok(());
    }
    let Some(name) = env["name"].as_str() else {
        return Ok(());
    };
    let path = format!(
        "/repos/{repo}/environments/{}/deployment-branch-policies",
        encode_segment(name)
    );
    let listed = get_pages(client, &path, "branch_policies")?;
    let Some(obj) = env.as_object_mut() else {
        return Ok(());
    };
    match listed {
        Listed::Items(policies) => {
            obj.insert("branch_policies".into(), Json::Array(policies));
            obj.insert("branch_policies_readable".into(), Json::Bool(true));
        }
        Listed::Unreadable(error) => {
            obj.insert("branch_policies".into(), Json::Array(Vec::new()));
            obj.insert("branch_policies_readable".into(), Json::Bool(false));
            obj.insert("branch_policies_error".into(), Json::String(error));
        }
    }
    Ok(())
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
    let rulesets = rulesets(client, repo, &ruleset_ids)?;
    let mut doc = json!({"branches": by_name, "rulesets": rulesets});
    match get_pages(
        client,
        &format!("/repos/{repo}/environments"),
        "environments",
    )? {
        Listed::Items(mut environments) => {
            for env in &mut environments {
                add_branch_policies(client, repo, env)?;
            }
            doc["environments"] = Json::Array(environments);
        }
        Listed::Unreadable(error) => {
            doc["environments"] = Json::Null;
            doc["environments_error"] = Json::String(error);
        }
    }
    crate::settings::validate(doc).map_err(|e| GithubError::Invalid {
        path: format!("/repos/{repo} (settings)"),
        reason: e.message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_paths_keep_their_slashes_but_cannot_climb() {
        assert_eq!(encode_path("release/1.x"), "release/1.x");
        assert_eq!(encode_path("../.."), "%2E%2E/%2E%2E");
        assert_eq!(encode_path("a/./b"), "a/%2E/b");
        assert_eq!(encode_path("..."), "...");
        assert_eq!(encode_path("feat/ü #1"), "feat/%C3%BC%20%231");
        assert_eq!(encode_path("a?b=c"), "a%3Fb%3Dc");
    }

    #[test]
    fn environment_names_are_one_segment() {
        assert_eq!(encode_segment("prod/eu west"), "prod%2Feu%20west");
        assert_eq!(encode_segment(".."), "%2E%2E");
        assert_eq!(encode_segment("production"), "production");
    }
}
