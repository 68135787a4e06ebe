//! Repositories on the local disk.

use std::fs;
use std::path::Path;

use rayon::prelude::*;

use crate::discover::{self, DiscoverOptions, FileKind, RepoFiles};
use crate::finding::InputError;
use crate::source::{follow_own_uses, parse_file, Fetched, LoadedFile, Repository, RepositoryInfo};

/// Reads and parses the discovered files of one repository (in parallel).
pub fn load(found: RepoFiles) -> Repository {
    let max = found.opts.max_file_size;
    let results: Vec<Result<LoadedFile, InputError>> = found
        .files
        .par_iter()
        .map(|f| {
            let bytes = discover::read_file(&found.root, &f.abs, &f.rel, max)?;
            parse_file(&f.rel, f.kind, bytes)
        })
        .collect();
    let mut files = Vec::new();
    let mut errors = found.errors;
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e),
        }
    }
    let info = repository_info(&found.root);
    let mut notices = found.notices;
    let root = found.root;
    let opts = found.opts;
    let followed = follow_own_uses(&info, &mut files, &mut errors, &mut notices, |rel| {
        Ok::<_, std::convert::Infallible>(fetch(&root, rel, &opts))
    });
    match followed {
        Ok(()) => {}
        Err(never) => match never {},
    }
    Repository {
        info,
        root: Some(root),
        display: found.display,
        files,
        errors,
        notices,
        settings: None,
        history: None,
    }
}

/// One action file named by a `uses:`, with the checks discovery applies (symlinks stay
/// inside the repository, the size cap).
fn fetch(root: &Path, rel: &str, opts: &DiscoverOptions) -> Fetched {
    let abs = root.join(rel);
    if fs::symlink_metadata(&abs).is_err() {
        return Fetched::Missing;
    }
    // A folder on the way may be a symlink, too.
    if !discover::within_root(root, &abs) {
        return Fetched::Failed(InputError::new(
            Some(rel.to_string()),
            "skipped: symlink points outside the repository",
        ));
    }
    let mut errors = Vec::new();
    match discover::admit_file(
        root,
        &abs,
        rel.to_string(),
        FileKind::Action,
        opts,
        &mut errors,
    ) {
        Some(f) => match discover::read_file(root, &f.abs, &f.rel, opts.max_file_size) {
            Ok(bytes) => match parse_file(&f.rel, f.kind, bytes) {
                Ok(f) => Fetched::File(f),
                Err(e) => Fetched::Failed(e),
            },
            Err(e) => Fetched::Failed(e),
        },
        None => errors.pop().map_or(Fetched::Missing, Fetched::Failed),
    }
}

/// At most this many bytes of a clone's `.git/config` and `origin/HEAD` are read.
const MAX_GIT_FILE: u64 = 1024 * 1024;

/// A small text file of the clone's `.git` folder, read as every repository file is
/// (`discover::read_file`: no symlink out, no named pipe); `None` when it is not there or
/// not usable.
pub fn git_file(root: &Path, name: &str) -> Option<String> {
    let rel = format!(".git/{name}");
    let bytes = discover::read_file(root, &root.join(&rel), &rel, MAX_GIT_FILE).ok()?;
    String::from_utf8(bytes).ok()
}

/// Owner and name from the `origin` remote when it is on GitHub, else the folder name;
/// the default branch from `refs/remotes/origin/HEAD` when the clone recorded it.
pub fn repository_info(root: &Path) -> RepositoryInfo {
    let folder = fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| discover::display_path(root));
    let (owner, name) = git_file(root, "config")
        .and_then(|c| origin_slug(&c))
        .unwrap_or((String::new(), folder));
    let default_branch = git_file(root, "refs/remotes/origin/HEAD").and_then(|h| {
        h.trim()
            .strip_prefix("ref: refs/remotes/origin/")
            .map(str::to_string)
    });
    RepositoryInfo {
        owner,
        name,
        default_branch,
        source: "local".into(),
        visibility: None,
    }
}

/// `owner/name` of the `origin` remote in a `.git/config`, when it points at GitHub.
pub fn origin_slug(git_config: &str) -> Option<(String, String)> {
    origin_slug_on(git_config, "github.com")
}

/// `owner/name` of the `origin` remote in a `.git/config`, when it points at `host`
/// (github.com, or a GitHub Enterprise Server host).
pub fn origin_slug_on(git_config: &str, host: &str) -> Option<(String, String)> {
    let mut in_origin = false;
    for line in git_config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_origin = line == "[remote \"origin\"]";
            continue;
        }
        if !in_origin {
            continue;
        }
        let Some(url) = line
            .strip_prefix("url")
            .map(|r| r.trim_start())
            .and_then(|r| r.strip_prefix('='))
        else {
            continue;
        };
        let url = url.trim();
        let rest = url
            .split_once(&format!("{host}:"))
            .or_else(|| url.split_once(&format!("{host}/")))?
            .1;
        let rest = rest.trim_end_matches('/').trim_end_matches(".git");
        let (owner, name) = rest.split_once('/')?;
        if owner.is_empty() || name.is_empty() || name.contains('/') {
            return None;
        }
        return Some((owner.to_string(), name.to_string()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{origin_slug, origin_slug_on};

    #[test]
    fn origin_remote_names_the_repository() {
        let cfg =
            "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:acme/shop.git\n";
        assert_eq!(origin_slug(cfg), Some(("acme".into(), "shop".into())));
        let cfg = "[remote \"origin\"]\n\turl = https://github.com/acme/shop\n";
        assert_eq!(origin_slug(cfg), Some(("acme".into(), "shop".into())));
        let cfg = "[remote \"upstream\"]\n\turl = https://github.com/acme/shop\n";
        assert_eq!(origin_slug(cfg), None);
        let cfg = "[remote \"origin\"]\n\turl = https://gitlab.com/acme/shop\n";
        assert_eq!(origin_slug(cfg), None);
        let cfg = "[remote \"origin\"]\n\turl = git@ghe.example.com:acme/shop.git\n";
        assert_eq!(origin_slug(cfg), None);
        assert_eq!(
            origin_slug_on(cfg, "ghe.example.com"),
            Some(("acme".into(), "shop".into()))
        );
    }
}
