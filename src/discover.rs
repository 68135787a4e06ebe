//! Finding the repositories and workflow files to audit on the local disk.
//!
//! A path is a repository root (it holds `.github/workflows`), a single workflow file, or
//! any other folder, which is walked for repositories (a folder of many clones works).
//! Symlinks are never followed out of the repository root, and files over the size cap
//! are reported and skipped before they are read.

use std::fs;
use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;

use crate::finding::{InputError, Notice};

/// Where a repository's config is looked for, relative to its root, in order (on disk
/// for clones, through the API for remote repositories).
pub const CONFIG_FILES: &[&str] = &[".github/shiplint.yml", "shiplint.yml"];

/// What a file is to the auditor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Workflow,
    /// A local composite (or other) action's `action.yml`.
    Action,
}

/// A file to load, with its path relative to the repository root.
#[derive(Debug, Clone)]
pub struct FoundFile {
    pub rel: String,
    pub abs: PathBuf,
    pub kind: FileKind,
}

/// One repository and the files of it to audit.
#[derive(Debug, Clone)]
pub struct RepoFiles {
    pub root: PathBuf,
    /// How reports name the repository (the path as the user gave or reached it).
    pub display: String,
    pub files: Vec<FoundFile>,
    pub errors: Vec<InputError>,
    /// Files that are not audited, and why.
    pub notices: Vec<Notice>,
    /// The options it was found with (files loaded later get the same checks).
    pub opts: DiscoverOptions,
}

#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    pub max_file_size: u64,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions {
            max_file_size: 1024 * 1024,
        }
    }
}

/// Why a YAML file in a subfolder of `.github/workflows` is not audited.
pub const NESTED_WORKFLOW_NOTICE: &str =
    "not audited: GitHub runs only the workflow files at the top level of .github/workflows";

/// Folders never walked when looking for repositories: build outputs and dependencies.
const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", "target", "vendor", ".venv"];

/// Resolves the user's paths into repositories. Problems with one path never stop the others.
pub fn discover(paths: &[PathBuf], opts: &DiscoverOptions) -> (Vec<RepoFiles>, Vec<InputError>) {
    let mut repos = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let display = display_path(path);
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(InputError::new(Some(display), io_message(&e)));
                continue;
            }
        };
        if meta.is_file() {
            repos.push(single_file_repo(path, opts));
        } else if is_repo_root(path) {
            repos.push(repo_files(path, display, opts));
        } else {
            let before = repos.len();
            walk_for_repos(path, &display, opts, &mut repos, &mut errors);
            if repos.len() == before {
                errors.push(InputError::new(
                    Some(display),
                    "no GitHub Actions workflows found (no .github/workflows folder here or below)",
                ));
            }
        }
    }
    (repos, errors)
}

fn is_repo_root(dir: &Path) -> bool {
    dir.join(".github").join("workflows").is_dir()
}

fn walk_for_repos(
    dir: &Path,
    display: &str,
    opts: &DiscoverOptions,
    repos: &mut Vec<RepoFiles>,
    errors: &mut Vec<InputError>,
) {
    let mut it = WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let where_ = e.path().map(display_path).unwrap_or_else(|| display.into());
                errors.push(InputError::new(Some(where_), walk_message(&e)));
                continue;
            }
        };
        if !entry.file_type().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if entry.depth() > 0 && SKIPPED_DIRS.contains(&name.as_ref()) {
            it.skip_current_dir();
            continue;
        }
        if is_repo_root(entry.path()) {
            repos.push(repo_files(entry.path(), display_path(entry.path()), opts));
            it.skip_current_dir();
        }
    }
}

/// A single workflow file given on the command line. Its repository root is the folder
/// above `.github/workflows` when it sits there, else the file's own folder.
fn single_file_repo(path: &Path, opts: &DiscoverOptions) -> RepoFiles {
    let parent = path.parent().unwrap_or(Path::new(""));
    let in_workflows = parent.file_name().is_some_and(|n| n == "workflows")
        && parent
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|n| n == ".github");
    let root = if in_workflows {
        parent
            .parent()
            .and_then(|p| p.parent())
            .unwrap_or(Path::new(""))
    } else {
        parent
    };
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let rel = rel_path(root, path);
    let kind = if path
        .file_name()
        .is_some_and(|n| n == "action.yml" || n == "action.yaml")
    {
        FileKind::Action
    } else {
        FileKind::Workflow
    };
    let mut repo = RepoFiles {
        root: root.to_path_buf(),
        display: display_path(root),
        files: Vec::new(),
        errors: Vec::new(),
        notices: Vec::new(),
        opts: opts.clone(),
    };
    if let Some(f) = admit_file(root, path, rel, kind, opts, &mut repo.errors) {
        repo.files.push(f);
    }
    repo
}

/// The workflow files (top level of `.github/workflows`, as GitHub reads them) and local
/// actions (`.github/actions/**/action.y{a}ml`) of one repository; YAML files deeper in
/// `.github/workflows` become notices. (Actions that `uses: ./path` names elsewhere are
/// found once the workflows are parsed: `source::follow_own_uses`.)
pub fn repo_files(root: &Path, display: String, opts: &DiscoverOptions) -> RepoFiles {
    let mut repo = RepoFiles {
        root: root.to_path_buf(),
        display,
        files: Vec::new(),
        errors: Vec::new(),
        notices: Vec::new(),
        opts: opts.clone(),
    };
    let workflows = root.join(".github").join("workflows");
    if !within_root(root, &workflows) {
        repo.errors.push(InputError::new(
            Some(".github/workflows".into()),
            "skipped: symlink points outside the repository",
        ));
        return repo;
    }
    // GitHub reads only the top level of `.github/workflows`.
    collect(
        root,
        &workflows,
        Some(1),
        FileKind::Workflow,
        opts,
        &mut repo,
        |name| name.ends_with(".yml") || name.ends_with(".yaml"),
    );
    // Deeper YAML files are not workflows to GitHub: said, not silently dropped.
    for entry in WalkDir::new(&workflows)
        .follow_links(false)
        .min_depth(2)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_dir() && (name.ends_with(".yml") || name.ends_with(".yaml")) {
            repo.notices.push(Notice::new(
                Some(rel_path(root, entry.path())),
                NESTED_WORKFLOW_NOTICE,
            ));
        }
    }
    let actions = root.join(".github").join("actions");
    if actions.is_dir() && within_root(root, &actions) {
        collect(
            root,
            &actions,
            None,
            FileKind::Action,
            opts,
            &mut repo,
            |name| name == "action.yml" || name == "action.yaml",
        );
    }
    if repo.files.is_empty() && repo.errors.is_empty() {
        repo.errors.push(InputError::new(
            Some(".github/workflows".into()),
            "no workflow files (*.yml, *.yaml) in this folder",
        ));
    }
    repo
}

/// Adds the files under `dir` (down to `max_depth`) whose name `wanted` accepts.
fn collect(
    root: &Path,
    dir: &Path,
    max_depth: Option<usize>,
    kind: FileKind,
    opts: &DiscoverOptions,
    repo: &mut RepoFiles,
    wanted: impl Fn(&str) -> bool,
) {
    let mut walk = WalkDir::new(dir)
        .follow_links(false)
        .min_depth(1)
        .sort_by_file_name();
    if let Some(depth) = max_depth {
        walk = walk.max_depth(depth);
    }
    for entry in walk {
        match entry {
            Ok(e) => {
                if e.file_type().is_dir() || !wanted(&e.file_name().to_string_lossy()) {
                    continue;
                }
                let rel = rel_path(root, e.path());
                if let Some(f) = admit_file(root, e.path(), rel, kind, opts, &mut repo.errors) {
                    repo.files.push(f);
                }
            }
            Err(e) => repo.errors.push(InputError::new(
                e.path().map(|p| rel_path(root, p)),
                walk_message(&e),
            )),
        }
    }
}

/// Checks one candidate file: symlinks must stay inside the root, the size under the cap.
pub(crate) fn admit_file(
    root: &Path,
    path: &Path,
    rel: String,
    kind: FileKind,
    opts: &DiscoverOptions,
    errors: &mut Vec<InputError>,
) -> Option<FoundFile> {
    let link = fs::symlink_metadata(path).map(|m| m.file_type().is_symlink());
    if let Ok(true) = link {
        match fs::canonicalize(path) {
            Err(e) => {
                let msg = if e.raw_os_error() == Some(40) {
                    "skipped: symlink loop".to_string()
                } else {
                    format!("skipped: broken symlink ({})", io_message(&e))
                };
                errors.push(InputError::new(Some(rel), msg));
                return None;
            }
            Ok(_) if !within_root(root, path) => {
                errors.push(InputError::new(
                    Some(rel),
                    "skipped: symlink points outside the repository",
                ));
                return None;
            }
            Ok(_) => {}
        }
    }
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            errors.push(InputError::new(Some(rel), io_message(&e)));
            return None;
        }
    };
    if meta.is_dir() {
        return None;
    }
    if meta.len() > opts.max_file_size {
        errors.push(InputError::new(
            Some(rel),
            format!(
                "skipped: {} bytes is over the size cap of {} bytes (raise it with --max-file-size)",
                meta.len(),
                opts.max_file_size
            ),
        ));
        return None;
    }
    Some(FoundFile {
        rel,
        abs: path.to_path_buf(),
        kind,
    })
}

/// True when `path`, with every symlink resolved, is still inside `root`.
pub(crate) fn within_root(root: &Path, path: &Path) -> bool {
    match (fs::canonicalize(root), fs::canonicalize(path)) {
        (Ok(r), Ok(p)) => p.starts_with(r),
        // Nothing to resolve (e.g. the path does not exist): nothing can escape.
        (_, Err(_)) => true,
        (Err(_), _) => false,
    }
}

/// `path` relative to `root`, with forward slashes (as SARIF and GitHub want them).
pub fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// A path for messages: as given, `./` removed, forward slashes.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s);
    let s = s.trim_end_matches('/');
    if s.is_empty() {
        ".".into()
    } else {
        s.into()
    }
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ if e.raw_os_error() == Some(40) => "symlink loop".into(),
        _ => {
            let s = e.to_string();
            // Strip the "(os error N)" suffix: the number helps nobody here.
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

fn walk_message(e: &walkdir::Error) -> String {
    if e.loop_ancestor().is_some() {
        return "skipped: symlink loop".into();
    }
    match e.io_error() {
        Some(io) => io_message(io),
        None => e.to_string(),
    }
}
