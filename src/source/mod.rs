//! Where repositories come from: the local disk now; the GitHub API for remote audits.
//! Every source yields the same [`Repository`]: parsed files plus the input errors met.

pub mod github;
pub mod local;
pub mod stdin;
pub mod target;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::discover::FileKind;
use crate::finding::{InputError, Notice};
use crate::uses::{normalize_rel, parse_uses, RefKind, UsesRef};
use crate::yaml;

/// What is known of a repository besides its files (`input.repository`): its GitHub
/// name, where it was read from, and what the API told (a local clone knows less).
#[derive(Debug, Clone, Serialize)]
pub struct RepositoryInfo {
    /// The GitHub owner; `""` for a local folder with no GitHub `origin` remote.
    pub owner: String,
    /// The GitHub name, else the folder's name.
    pub name: String,
    /// The default branch, when the clone recorded it or the API gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_branch: Option<String>,
    /// `"local"` or `"github"`.
    pub source: String,
    /// `public`, `private` or `internal`, from the API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
}

impl RepositoryInfo {
    /// True when `owner/repo` (as a `uses:` writes it) names this repository. GitHub names
    /// are case-insensitive. Without a known owner (a local folder with no GitHub `origin`
    /// remote), `name` is the folder's: a folder named `NAME` or `OWNER__NAME` (the layout
    /// of corpora and sweeps) matches.
    pub fn is_named(&self, owner: &str, repo: &str) -> bool {
        if owner.is_empty() || repo.is_empty() || self.name.is_empty() {
            return false;
        }
        if !self.owner.is_empty() {
            return owner.eq_ignore_ascii_case(&self.owner)
                && repo.eq_ignore_ascii_case(&self.name);
        }
        self.name.eq_ignore_ascii_case(repo)
            || self.name.eq_ignore_ascii_case(&format!("{owner}__{repo}"))
    }

    /// The repo-relative path a `uses:` names inside this repository: `./x` (normalised),
    /// or `owner/repo[/path]@ref` when `owner/repo` is this repository. `None` for other
    /// references and for local paths that leave the repository.
    pub fn own_path(&self, u: &UsesRef) -> Option<String> {
        match u.ref_kind {
            RefKind::Local => normalize_rel(&u.path),
            RefKind::Sha | RefKind::Tag | RefKind::Branch if self.is_named(&u.owner, &u.repo) => {
                normalize_rel(&u.path)
            }
            _ => None,
        }
    }
}

/// One parsed YAML file of a repository.
pub struct LoadedFile {
    /// Repo-relative path with forward slashes.
    pub rel: String,
    /// A workflow or an action.
    pub kind: FileKind,
    /// The file's text, shared with the diagnostics that quote it.
    pub text: Arc<str>,
    /// The parsed YAML, with spans into `text`.
    pub doc: yaml::Document,
}

/// A repository ready to be modelled: its parsed files and what could not be loaded.
pub struct Repository {
    /// The folder on disk; `None` for a repository read through the API.
    pub root: Option<PathBuf>,
    /// How reports name the repository (a path, or `owner/name`).
    pub display: String,
    /// Name and origin (`input.repository`).
    pub info: RepositoryInfo,
    /// The loaded workflows and actions.
    pub files: Vec<LoadedFile>,
    /// The files that could not be read or parsed.
    pub errors: Vec<InputError>,
    /// What is not audited, and why (never changes the exit code).
    pub notices: Vec<Notice>,
    /// Repository settings (`input.settings`), when known: `--settings FILE` or the API.
    pub settings: Option<serde_json::Value>,
    /// The deployment record (`input.history`), when it was read (online audits).
    pub history: Option<crate::history::History>,
}

impl Repository {
    /// The loaded file at a repo-relative path.
    pub fn file(&self, rel: &str) -> Option<&LoadedFile> {
        self.files.iter().find(|f| f.rel == rel)
    }
}

/// Decodes and parses one file's bytes. Errors carry file:line:col where known.
pub fn parse_file(rel: &str, kind: FileKind, bytes: Vec<u8>) -> Result<LoadedFile, InputError> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            return Err(InputError::at(
                rel,
                line,
                column,
                format!("not valid UTF-8 (invalid byte 0x{:02x})", bytes[valid]),
            ));
        }
    };
    let text: Arc<str> = Arc::from(text);
    match yaml::parse(&text) {
        Ok(doc) => Ok(LoadedFile {
            rel: rel.to_string(),
            kind,
            text,
            doc,
        }),
        Err(e) => Err(InputError::at(
            rel,
            e.line,
            e.column,
            format!("invalid YAML: {}", e.message),
        )),
    }
}

/// What a source finds at a repo-relative path.
pub enum Fetched {
    /// No such file (or not a file).
    Missing,
    /// The file, loaded and parsed.
    File(LoadedFile),
    /// It is there but cannot be audited (too big, a symlink out, not YAML…).
    Failed(InputError),
}

/// A `uses:` of a loaded file that names a file of this repository.
struct OwnUses {
    file: String,
    line: usize,
    column: usize,
    raw: String,
    /// A job's reference (a workflow) rather than a step's (an action folder).
    job: bool,
    /// `./path`, rather than the repository's full name.
    local: bool,
    /// The repo-relative path it names; `None` when it leaves the repository.
    target: Option<String>,
}

/// The `uses:` of one workflow (jobs and their steps) or action (`runs.steps`) that name
/// this repository: `./path`, or its own full name.
fn own_uses(file: &LoadedFile, info: &RepositoryInfo, out: &mut Vec<OwnUses>) {
    let root = &file.doc.root;
    let mut found = |node: &yaml::Node, job: bool| {
        let Some(raw) = node.as_str() else {
            return;
        };
        let u = parse_uses(raw);
        let local = u.ref_kind == RefKind::Local;
        let target = info.own_path(&u);
        if !local && target.is_none() {
            return;
        }
        let (line, column) = file.doc.line_col(node.span.start);
        out.push(OwnUses {
            file: file.rel.clone(),
            line,
            column,
            raw: raw.trim().to_string(),
            job,
            local,
            target,
        });
    };
    let steps_of = |steps: Option<&yaml::Node>, found: &mut dyn FnMut(&yaml::Node, bool)| {
        for step in steps.and_then(yaml::Node::as_seq).into_iter().flatten() {
            if let Some(u) = step.get("uses") {
                found(u, false);
            }
        }
    };
    match file.kind {
        FileKind::Workflow => {
            for job in root
                .get("jobs")
                .and_then(yaml::Node::as_map)
                .into_iter()
                .flatten()
            {
                if let Some(u) = job.value.get("uses") {
                    found(u, true);
                }
                steps_of(job.value.get("steps"), &mut found);
            }
        }
        FileKind::Action => steps_of(root.get("runs").and_then(|r| r.get("steps")), &mut found),
    }
}

/// The folder of an `action.yml`/`action.yaml` path (`""` at the root), or `None` for
/// other files.
fn action_dir(rel: &str) -> Option<&str> {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    (name == "action.yml" || name == "action.yaml").then_some(dir)
}

/// Loads the actions that the loaded files' `uses:` name inside the repository (`./path`,
/// or the repository's own full name) wherever they are, and transitively those that
/// they name, through `fetch` (repo-relative path → what is there). A reference that
/// names no audited file becomes a notice: always for `./path`, and for a full name when
/// the owner is known (a folder's name alone does not prove that a reference is ours).
pub fn follow_own_uses<E>(
    info: &RepositoryInfo,
    files: &mut Vec<LoadedFile>,
    errors: &mut Vec<InputError>,
    notices: &mut Vec<Notice>,
    mut fetch: impl FnMut(&str) -> Result<Fetched, E>,
) -> Result<(), E> {
    // Folders already tried: loaded actions, and actions that failed to load.
    let mut tried: BTreeSet<String> = files
        .iter()
        .map(|f| f.rel.as_str())
        .chain(errors.iter().filter_map(|e| e.file.as_deref()))
        .filter_map(action_dir)
        .map(str::to_string)
        .collect();
    let mut refs = Vec::new();
    let mut scanned = 0;
    while scanned < files.len() {
        let before = refs.len();
        for f in &files[scanned..] {
            own_uses(f, info, &mut refs);
        }
        scanned = files.len();
        for r in &refs[before..] {
            let Some(dir) = r.target.as_deref() else {
                continue;
            };
            if r.job || !tried.insert(dir.to_string()) {
                continue;
            }
            for name in ["action.yml", "action.yaml"] {
                let rel = if dir.is_empty() {
                    name.to_string()
                } else {
                    format!("{dir}/{name}")
                };
                match fetch(&rel)? {
                    Fetched::Missing => continue,
                    Fetched::File(f) => files.push(f),
                    Fetched::Failed(e) => errors.push(e),
                }
                break;
            }
        }
    }
    notices.extend(unaudited(info, files, errors, &refs));
    Ok(())
}

/// A notice for each reference in `refs` that names no audited file (see
/// [`follow_own_uses`]).
fn unaudited(
    info: &RepositoryInfo,
    files: &[LoadedFile],
    errors: &[InputError],
    refs: &[OwnUses],
) -> Vec<Notice> {
    let mut notices = Vec::new();
    let workflows: BTreeSet<&str> = files
        .iter()
        .filter(|f| f.kind == FileKind::Workflow)
        .map(|f| f.rel.as_str())
        .collect();
    let actions: BTreeSet<&str> = files
        .iter()
        .filter(|f| f.kind == FileKind::Action)
        .filter_map(|f| action_dir(&f.rel))
        .collect();
    let failed: BTreeSet<&str> = errors
        .iter()
        .filter_map(|e| e.file.as_deref())
        .flat_map(|f| [Some(f), action_dir(f)])
        .flatten()
        .collect();
    for r in refs {
        let message = match r.target.as_deref() {
            None => format!(
                "`uses: {}` names a path outside the repository: not audited",
                r.raw
            ),
            Some(t) if failed.contains(t) => continue,
            Some(t) if workflows.contains(t) && (r.job || r.local) => continue,
            Some(t) if actions.contains(t) && (!r.job || r.local) => continue,
            Some(_) if !r.local && info.owner.is_empty() => continue,
            Some(t) if r.job => format!(
                "`uses: {}` names no workflow of this repository (no file `{t}`): not audited",
                r.raw
            ),
            Some(t) => {
                let t = if t.is_empty() { "." } else { t };
                format!(
                    "`uses: {}` names no action of this repository (no `action.yml` or `action.yaml` in `{t}`): not audited",
                    r.raw
                )
            }
        };
        notices.push(Notice::at(&r.file, r.line, r.column, message));
    }
    notices
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(owner: &str, name: &str) -> RepositoryInfo {
        RepositoryInfo {
            owner: owner.into(),
            name: name.into(),
            default_branch: None,
            source: "local".into(),
            visibility: None,
        }
    }

    #[test]
    fn the_audited_repository_is_recognised_by_its_full_name() {
        let known = info("Acme", "Shop");
        assert!(known.is_named("acme", "shop"));
        assert!(!known.is_named("other", "shop"));
        assert!(!known.is_named("acme", "shop-infra"));
        // No GitHub remote: the folder is `NAME` or `OWNER__NAME`.
        assert!(info("", "shop").is_named("anyone", "Shop"));
        assert!(info("", "acme__shop").is_named("ACME", "shop"));
        assert!(!info("", "acme__shop").is_named("other", "shop"));
        assert!(!info("", "shop").is_named("", "shop"));
    }

    #[test]
    fn own_paths_of_uses_references() {
        let me = info("acme", "shop");
        let own = |raw: &str| me.own_path(&parse_uses(raw));
        assert_eq!(
            own("acme/shop/.github/workflows/deploy.yml@main").as_deref(),
            Some(".github/workflows/deploy.yml")
        );
        assert_eq!(
            own("ACME/Shop/ci/actions/x@v1").as_deref(),
            Some("ci/actions/x")
        );
        assert_eq!(own("acme/shop@v1").as_deref(), Some(""));
        assert_eq!(own("acme/platform/.github/workflows/deploy.yml@main"), None);
        assert_eq!(own("docker://acme/shop:1"), None);
        assert_eq!(own("./ci//actions/./x/").as_deref(), Some("ci/actions/x"));
        assert_eq!(own("./ci/../tools/x").as_deref(), Some("tools/x"));
        assert_eq!(own("./"), Some(String::new()));
        assert_eq!(own("../elsewhere/x"), None);
    }
}
