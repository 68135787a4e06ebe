//! Repositories on GitHub: `shiplint audit OWNER/NAME[@REF]`. The workflows and local
//! actions (including those that a `uses: ./path` names anywhere in the tree) come
//! through the git trees API (one recursive tree of the ref, then one blob per file; the
//! contents API when the tree is truncated), the settings through the settings endpoints.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use base64::Engine as _;
use serde_json::Value as Json;

use crate::discover::{FileKind, CONFIG_FILES};
use crate::finding::{InputError, Notice};
use crate::github::settings::{self, encode_path};
pub use crate::github::RemoteSpec;
use crate::github::{Client, GithubError};
use crate::source::{follow_own_uses, parse_file, Fetched, LoadedFile, Repository, RepositoryInfo};

fn is_workflow_file(name: &str) -> bool {
    name.ends_with(".yml") || name.ends_with(".yaml")
}

/// A YAML file in a subfolder of `.github/workflows`, which GitHub does not run.
fn is_nested_workflow(path: &str) -> bool {
    path.strip_prefix(".github/workflows/")
        .is_some_and(|rest| rest.contains('/') && is_workflow_file(rest))
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
/// are release branches (those whose pushes deploy). Read from the workflows' YAML:
/// `on.push.branches`, one name or a list; negations (`!name`) and other types skipped.
fn push_branches(repo: &Repository) -> (BTreeSet<String>, Vec<String>) {
    let mut names = BTreeSet::new();
    let mut patterns = Vec::new();
    let workflows = repo.files.iter().filter(|f| f.kind == FileKind::Workflow);
    for file in workflows {
        let Some(push) = file.doc.root.get("on").and_then(|on| on.get("push")) else {
            continue;
        };
        let branches = match push.get("branches") {
            Some(b) => b.as_seq().unwrap_or(std::slice::from_ref(b)),
            None => &[],
        };
        for b in branches.iter().filter_map(crate::yaml::Node::as_str) {
            match b {
                b if b.starts_with('!') => {}
                b if b.contains(['*', '?', '[', '+']) => patterns.push(b.to_string()),
                b => {
                    names.insert(b.to_string());
                }
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

/// The files a remote audit reads first: top-level workflow files of `.github/workflows`
/// (as GitHub runs them) and local actions `.github/actions/**/action.y{a}ml`; then the
/// actions that their `uses:` name elsewhere in the tree (`follow_own_uses`).
fn audited_kind(path: &str) -> Option<FileKind> {
    if let Some(name) = path.strip_prefix(".github/workflows/") {
        return (!name.contains('/') && is_workflow_file(name)).then_some(FileKind::Workflow);
    }
    let rest = path.strip_prefix(".github/actions/")?;
    let name = rest.rsplit('/').next()?;
    (name == "action.yml" || name == "action.yaml").then_some(FileKind::Action)
}

/// The files read so far, what could not be, and what is not audited.
#[derive(Default)]
struct Loaded {
    files: Vec<LoadedFile>,
    errors: Vec<InputError>,
    notices: Vec<Notice>,
}

/// Decodes and parses one blob or contents body.
fn parsed(path: &str, kind: FileKind, body: &Json) -> Fetched {
    match file_bytes(body) {
        Ok(bytes) => match parse_file(path, kind, bytes) {
            Ok(f) => Fetched::File(f),
            Err(e) => Fetched::Failed(e),
        },
        Err(m) => Fetched::Failed(InputError::new(Some(path.to_string()), m)),
    }
}

fn push_parsed(loaded: &mut Loaded, path: &str, kind: FileKind, body: &Json) {
    match parsed(path, kind, body) {
        Fetched::File(f) => loaded.files.push(f),
        Fetched::Failed(e) => loaded.errors.push(e),
        Fetched::Missing => {}
    }
}

/// The blobs of a tree: path → blob SHA.
type Blobs = BTreeMap<String, String>;

/// Where the files of a remote audit come from: the blobs of a tree (path → blob SHA),
/// or the contents API at a ref.
enum Files {
    Tree(Blobs),
    Contents(Option<String>),
}

impl Files {
    /// The repository's own config file, the first of [`CONFIG_FILES`] that exists. One
    /// that cannot be decoded is an input error of the repository (and none applies).
    fn config(
        &self,
        client: &Client,
        slug: &str,
        errors: &mut Vec<InputError>,
    ) -> Result<Option<ConfigText>, GithubError> {
        for rel in CONFIG_FILES {
            let Some(body) = self.body(client, slug, rel)? else {
                continue;
            };
            match file_bytes(&body).and_then(|b| String::from_utf8(b).map_err(|e| e.to_string())) {
                Ok(text) => {
                    return Ok(Some(ConfigText {
                        rel: rel.to_string(),
                        text: Arc::from(text),
                    }))
                }
                Err(m) => {
                    errors.push(InputError::new(Some(rel.to_string()), m));
                    return Ok(None);
                }
            }
        }
        Ok(None)
    }

    /// One file named by a `uses:` (an action), or `Missing`.
    fn fetch(&self, client: &Client, slug: &str, path: &str) -> Result<Fetched, GithubError> {
        Ok(match self.body(client, slug, path)? {
            Some(body) => parsed(path, FileKind::Action, &body),
            None => Fetched::Missing,
        })
    }

    /// The blob or contents body of one file, or `None` when there is no such file.
    fn body(&self, client: &Client, slug: &str, path: &str) -> Result<Option<Json>, GithubError> {
        let r = match self {
            Files::Tree(blobs) => {
                let Some(sha) = blobs.get(path) else {
                    return Ok(None);
                };
                client.get(&format!("/repos/{slug}/git/blobs/{}", encode_path(sha)))?
            }
            Files::Contents(git_ref) => {
                let query = git_ref
                    .as_deref()
                    .map_or(String::new(), |r| format!("?ref={}", encode_path(r)));
                let r = client.get(&format!(
                    "/repos/{slug}/contents/{}{query}",
                    encode_path(path)
                ))?;
                if r.status == 404 {
                    return Ok(None);
                }
                r
            }
        };
        if r.status != 200 {
            return Err(r.unexpected());
        }
        let body = r.json()?;
        // A folder (contents API listing) is not a file.
        Ok((!body.is_array()).then_some(body))
    }
}

/// The audited files of `git_ref` through the git trees API: one
/// `GET …/git/trees/{ref}?recursive=1`, then one `GET …/git/blobs/{sha}` per file.
/// `None` when the tree is truncated (very large repositories): the caller falls back
/// to the contents API. With the files, every blob of the tree (path → SHA), for the
/// actions that `uses:` name.
fn files_from_tree(
    client: &Client,
    slug: &str,
    git_ref: &str,
) -> Result<Option<(Loaded, Blobs)>, GithubError> {
    let r = client.get(&format!(
        "/repos/{slug}/git/trees/{}?recursive=1",
        encode_path(git_ref)
    ))?;
    let tree = match r.status {
        200 => r.json()?,
        // 409 "Git Repository is empty".
        409 => return Ok(Some((Loaded::default(), BTreeMap::new()))),
        _ => return Err(r.unexpected()),
    };
    if tree["truncated"] == Json::Bool(true) {
        return Ok(None);
    }
    let Some(entries) = tree["tree"].as_array() else {
        return Err(GithubError::Invalid {
            path: r.path,
            reason: "expected a `tree` array".into(),
        });
    };
    let mut loaded = Loaded::default();
    let mut blobs = BTreeMap::new();
    for entry in entries {
        let (Some(path), Some("blob"), Some(sha)) = (
            entry["path"].as_str(),
            entry["type"].as_str(),
            entry["sha"].as_str(),
        ) else {
            continue;
        };
        blobs.insert(path.to_string(), sha.to_string());
        let Some(kind) = audited_kind(path) else {
            if is_nested_workflow(path) {
                loaded.notices.push(Notice::new(
                    Some(path.to_string()),
                    crate::discover::NESTED_WORKFLOW_NOTICE,
                ));
            }
            continue;
        };
        let r = client.get(&format!("/repos/{slug}/git/blobs/{}", encode_path(sha)))?;
        if r.status != 200 {
            return Err(r.unexpected());
        }
        push_parsed(&mut loaded, path, kind, &r.json()?);
    }
    Ok(Some((loaded, blobs)))
}

/// The workflow files of `git_ref` through the contents API: a listing of
/// `.github/workflows`, then each file (the fallback for truncated trees).
fn files_from_contents(
    client: &Client,
    slug: &str,
    git_ref: Option<&str>,
) -> Result<Loaded, GithubError> {
    let query = git_ref.map_or(String::new(), |r| format!("?ref={}", encode_path(r)));
    let r = client.get(&format!("/repos/{slug}/contents/.github/workflows{query}"))?;
    let entries = match r.status {
        200 => match r.json()? {
            Json::Array(items) => items,
            _ => Vec::new(),
        },
        404 => Vec::new(),
        _ => return Err(r.unexpected()),
    };
    let mut loaded = Loaded::default();
    for entry in entries {
        let (Some(path), Some("file")) = (entry["path"].as_str(), entry["type"].as_str()) else {
            continue;
        };
        if audited_kind(path) != Some(FileKind::Workflow) {
            continue;
        }
        let r = client.get(&format!(
            "/repos/{slug}/contents/{}{query}",
            encode_path(path)
        ))?;
        if r.status != 200 {
            return Err(r.unexpected());
        }
        push_parsed(&mut loaded, path, FileKind::Workflow, &r.json()?);
    }
    Ok(loaded)
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

/// A settings document with the environments only (`GET …/environments`), or with
/// `environments: null` and why when they cannot be read.
fn fetch_environments(client: &Client, slug: &str) -> Result<Json, GithubError> {
    // 100 environments, GitHub's largest page (the default is 30).
    let r = client.get(&format!("/repos/{slug}/environments?per_page=100"))?;
    let doc = match r.status {
        200 => serde_json::json!({"environments": r.json()?}),
        403 | 404 => {
            let message = r.message();
            let why = if message.is_empty() {
                r.status.to_string()
            } else {
                format!("{} {message}", r.status)
            };
            serde_json::json!({"environments": null, "environments_error": why})
        }
        _ => return Err(r.unexpected()),
    };
    crate::settings::validate(doc).map_err(|e| GithubError::Invalid {
        path: format!("/repos/{slug}/environments"),
        reason: e.message,
    })
}

/// A repository's own config file (`.github/shiplint.yml` or `shiplint.yml`), as fetched.
#[derive(Debug, Clone)]
pub struct ConfigText {
    /// Repository-relative path.
    pub rel: String,
    pub text: Arc<str>,
}

/// A repository fetched through the API, with its config file when it has one.
pub struct RemoteRepository {
    pub repo: Repository,
    pub config: Option<ConfigText>,
}

/// What to fetch besides the workflow files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--settings FILE`: these settings for the repository (no settings requests).
    pub settings: Option<Json>,
    /// Fetch the repository's own config file (not under `--config FILE`/`--no-config`).
    pub config: bool,
    /// Of the settings, read only the environments (`shiplint trace`: the deployment
    /// history needs their names, not the branches' protection).
    pub environments_only: bool,
}

/// Fetches one repository: metadata (`GET /repos/{slug}`), workflow files, config and
/// (unless given) settings.
pub fn load(
    client: &Client,
    spec: &RemoteSpec,
    opts: &LoadOptions,
) -> Result<RemoteRepository, GithubError> {
    let r = client.get(&format!("/repos/{}", spec.slug()))?;
    if r.status != 200 {
        return Err(r.unexpected());
    }
    load_described(client, spec, &r.json()?, opts)
}

/// Fetches one repository whose metadata `meta` (the repository object of
/// `GET /repos/{slug}` or of an organization's listing) is already known.
pub fn load_described(
    client: &Client,
    spec: &RemoteSpec,
    meta: &Json,
    opts: &LoadOptions,
) -> Result<RemoteRepository, GithubError> {
    let slug = spec.slug();
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
    let git_ref = spec.git_ref.clone().or_else(|| default_branch.clone());
    let (mut loaded, source) = match &git_ref {
        Some(r) => match files_from_tree(client, &slug, r)? {
            Some((loaded, blobs)) => (loaded, Some(Files::Tree(blobs))),
            None => (
                files_from_contents(client, &slug, git_ref.as_deref())?,
                Some(Files::Contents(git_ref.clone())),
            ),
        },
        // An empty repository has no default branch and no files.
        None => (Loaded::default(), None),
    };
    let mut config = None;
    if let Some(source) = source {
        let Loaded {
            files,
            errors,
            notices,
        } = &mut loaded;
        follow_own_uses(&info, files, errors, notices, |path| {
            source.fetch(client, &slug, path)
        })?;
        if opts.config {
            config = source.config(client, &slug, errors)?;
        }
    }
    let Loaded {
        mut files,
        errors,
        notices,
    } = loaded;
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut repo = Repository {
        root: None,
        display: slug.clone(),
        info,
        files,
        errors,
        notices,
        settings: None,
        history: None,
    };
    repo.settings = match &opts.settings {
        Some(s) => Some(s.clone()),
        None if opts.environments_only => Some(fetch_environments(client, &slug)?),
        None => Some(fetch_settings(client, &slug, &repo, default_branch)?),
    };
    Ok(RemoteRepository { repo, config })
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
                name: "octo-repo".into(),
                git_ref: None,
            })
        );
        assert!(RemoteSpec::parse("octo-org/my.repo_x").is_some());
        assert!(RemoteSpec::parse("a/b/c").is_none());
        assert!(RemoteSpec::parse("./x").is_none());
        assert!(RemoteSpec::parse("testdata").is_none());
        let at = RemoteSpec::parse("octo-org/octo-repo@release/1.x").unwrap();
        assert_eq!(at.git_ref.as_deref(), Some("release/1.x"));
        assert_eq!(at.slug(), "octo-org/octo-repo");
        assert!(RemoteSpec::parse("octo-org/octo-repo@").is_none());
        assert!(RemoteSpec::parse("octo-org/octo-repo@a..b").is_none());
    }

    #[test]
    fn audited_paths() {
        assert_eq!(
            audited_kind(".github/workflows/ci.yml"),
            Some(FileKind::Workflow)
        );
        assert_eq!(audited_kind(".github/workflows/sub/ci.yml"), None);
        assert_eq!(audited_kind(".github/workflows/README.md"), None);
        assert_eq!(
            audited_kind(".github/actions/setup/action.yaml"),
            Some(FileKind::Action)
        );
        assert_eq!(
            audited_kind(".github/actions/action.yml"),
            Some(FileKind::Action)
        );
        assert_eq!(audited_kind("src/action.yml"), None);
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
