//! Repositories on GitHub: `shiplint audit OWNER/NAME`. The workflows come through the
//! contents API (default branch), the settings through the settings endpoints.

use std::collections::BTreeSet;

use base64::Engine as _;
use serde_json::Value as Json;

use crate::discover::FileKind;
use crate::finding::InputError;
use crate::github::settings::{self, encode_path};
use crate::github::{Client, GithubError};
use crate::model::RepositoryInfo;
use crate::source::{parse_file, Repository};

/// `OWNER/NAME` as typed on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSpec {
    pub owner: String,
    pub name: String,
}

impl RemoteSpec {
    /// `owner/name` with GitHub's allowed characters; anything else is not a remote spec.
    pub fn parse(s: &str) -> Option<RemoteSpec> {
        let (owner, name) = s.split_once('/')?;
        let ok = |p: &str, extra: &[u8]| {
            !p.is_empty()
                && !p.starts_with('.')
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || extra.contains(&b))
        };
        (ok(owner, b"") && ok(name, b"._")).then(|| RemoteSpec {
            owner: owner.to_string(),
            name: name.trim_end_matches(".git").to_string(),
        })
    }

    pub fn slug(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

fn is_workflow_file(name: &str) -> bool {
    name.ends_with(".yml") || name.ends_with(".yaml")
}

/// Decodes a contents-API file body (`encoding: base64`, lines of 60 characters).
fn file_bytes(body: &Json) -> Result<Vec<u8>, String> {
    match body["encoding"].as_str() {
        Some("base64") => {
            let text: String = body["content"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| format!("content is not valid base64: {e}"))
        }
        Some("none") => Err("too large for the contents API (over 1 MB)".into()),
        other => Err(format!("unexpected encoding {other:?}")),
    }
}

/// Branch names and patterns that `push:` triggers name: their settings are fetched as
/// possible release branches, besides the default branch's. Policies decide which ones
/// are release branches (those whose pushes deploy).
fn push_branches(repo: &Repository) -> (BTreeSet<String>, Vec<String>) {
    let (input, _) = crate::model::build_input(repo);
    let mut names = BTreeSet::new();
    let mut patterns = Vec::new();
    for wf in &input.workflows {
        let Some(push) = wf.triggers.get("push") else {
            continue;
        };
        for b in push["branches"].as_array().into_iter().flatten() {
            match b.as_str() {
                Some(b) if b.starts_with('!') => {}
                Some(b) if b.contains(['*', '?', '[', '+']) => patterns.push(b.to_string()),
                Some(b) => {
                    names.insert(b.to_string());
                }
                None => {}
            }
        }
    }
    (names, patterns)
}

/// A GitHub branch filter pattern as a regex: `**` any characters, `*` any but `/`,
/// `?` one character; other pattern syntax is taken literally.
fn pattern_regex(pattern: &str) -> Option<regex::Regex> {
    let mut re = String::from("^");
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                re.push_str(".*");
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).ok()
}

/// At most this many branches matched by push patterns get their settings fetched.
const MAX_PATTERN_BRANCHES: usize = 20;

/// The settings (`input.settings`) of `slug` for the candidate release branches of
/// `repo`'s workflows: the default branch, branches named by `push:` triggers, and up to
/// [`MAX_PATTERN_BRANCHES`] existing branches matched by `push:` patterns.
pub fn fetch_settings(
    client: &Client,
    slug: &str,
    repo: &Repository,
    default_branch: Option<String>,
) -> Result<Json, GithubError> {
    let (mut branches, patterns) = push_branches(repo);
    branches.extend(default_branch);
    let regexes: Vec<_> = patterns.iter().filter_map(|p| pattern_regex(p)).collect();
    if !regexes.is_empty() {
        let all = client.get_list(&format!("/repos/{slug}/branches"), 10)?;
        let matched = all
            .iter()
            .filter_map(|b| b["name"].as_str())
            .filter(|n| regexes.iter().any(|r| r.is_match(n)))
            .take(MAX_PATTERN_BRANCHES)
            .map(str::to_string);
        branches.extend(matched);
    }
    settings::fetch(client, slug, &branches)
}

/// The settings of a local clone's repository on GitHub (`slug`): its default branch
/// comes from `GET /repos/{slug}`, the other candidate branches from the clone's
/// workflows, as for remote audits.
pub fn fetch_settings_for_clone(
    client: &Client,
    slug: &str,
    repo: &Repository,
) -> Result<Json, GithubError> {
    let r = client.get(&format!("/repos/{slug}"))?;
    if r.status != 200 {
        return Err(r.unexpected());
    }
    let default_branch = r.json()?["default_branch"].as_str().map(str::to_string);
    fetch_settings(client, slug, repo, default_branch)
}

/// Fetches one repository: metadata, workflow files, and (unless given) its settings.
pub fn load(
    client: &Client,
    spec: &RemoteSpec,
    settings: Option<Json>,
) -> Result<Repository, GithubError> {
    let slug = spec.slug();
    let r = client.get(&format!("/repos/{slug}"))?;
    if r.status != 200 {
        return Err(r.unexpected());
    }
    let meta = r.json()?;
    let default_branch = meta["default_branch"].as_str().map(str::to_string);
    let info = RepositoryInfo {
        owner: meta["owner"]["login"]
            .as_str()
            .unwrap_or(&spec.owner)
            .to_string(),
        name: meta["name"].as_str().unwrap_or(&spec.name).to_string(),
        default_branch: default_branch.clone(),
        source: "github".into(),
        visibility: meta["visibility"].as_str().map(str::to_string),
    };

    let mut files = Vec::new();
    let mut errors = Vec::new();
    let r = client.get(&format!("/repos/{slug}/contents/.github/workflows"))?;
    let entries = match r.status {
        200 => match r.json()? {
            Json::Array(items) => items,
            _ => Vec::new(),
        },
        404 => Vec::new(),
        _ => return Err(r.unexpected()),
    };
    for entry in entries {
        let (Some(path), Some("file")) = (entry["path"].as_str(), entry["type"].as_str()) else {
            continue;
        };
        let name = entry["name"].as_str().unwrap_or(path);
        if !is_workflow_file(name) {
            continue;
        }
        let r = client.get(&format!("/repos/{slug}/contents/{}", encode_path(path)))?;
        if r.status != 200 {
            return Err(r.unexpected());
        }
        match file_bytes(&r.json()?) {
            Ok(bytes) => match parse_file(path, FileKind::Workflow, bytes) {
                Ok(f) => files.push(f),
                Err(e) => errors.push(e),
            },
            Err(m) => errors.push(InputError::new(Some(path.to_string()), m)),
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));

    let mut repo = Repository {
        root: None,
        display: slug.clone(),
        info,
        files,
        errors,
        settings: None,
    };
    repo.settings = match settings {
        Some(s) => Some(s),
        None => Some(fetch_settings(client, &slug, &repo, default_branch)?),
    };
    Ok(repo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_specs() {
        assert_eq!(
            RemoteSpec::parse("octo-org/octo-repo"),
            Some(RemoteSpec {
                owner: "octo-org".into(),
                name: "octo-repo".into()
            })
        );
        assert!(RemoteSpec::parse("octo-org/my.repo_x").is_some());
        assert!(RemoteSpec::parse("a/b/c").is_none());
        assert!(RemoteSpec::parse("./x").is_none());
        assert!(RemoteSpec::parse("testdata").is_none());
    }

    #[test]
    fn branch_patterns() {
        let r = pattern_regex("release/*").unwrap();
        assert!(r.is_match("release/1.x") && !r.is_match("release/1/x") && !r.is_match("main"));
        let r = pattern_regex("releases/**").unwrap();
        assert!(r.is_match("releases/a/b"));
        let r = pattern_regex("v?.x").unwrap();
        assert!(r.is_match("v1.x") && !r.is_match("v1-x"));
    }

    #[test]
    fn contents_bodies_decode() {
        let body = serde_json::json!({"encoding": "base64", "content": "b246IHB1\nc2g=\n"});
        assert_eq!(file_bytes(&body).unwrap(), b"on: push");
    }
}
