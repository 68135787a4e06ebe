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

/// Checks one candidate file: symlinks must stay inside the root (and out of its `.git`),
/// it must be a regular file (a named pipe would block the reader forever), the size
/// under the cap.
pub(crate) fn admit_file(
    root: &Path,
    path: &Path,
    rel: String,
    kind: FileKind,
    opts: &DiscoverOptions,
    errors: &mut Vec<InputError>,
) -> Option<FoundFile> {
    if let Some(why) = place_error(root, path, &rel) {
        errors.push(InputError::new(Some(rel), why));
        return None;
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
    if let Some(why) = kind_error(&meta).or_else(|| size_error(meta.len(), opts.max_file_size)) {
        errors.push(InputError::new(Some(rel), why));
        return None;
    }
    Some(FoundFile {
        rel,
        abs: path.to_path_buf(),
        kind,
    })
}

/// Reads a file of the repository at `root` as shiplint reads every file it takes from a
/// repository (workflows, actions, the config, `.git/config`): symlinks are followed only
/// inside the repository and never into its `.git` folder (where a checkout keeps its
/// token), only a regular file is opened (and without blocking, so a named pipe swapped in
/// cannot hang the audit), and no more than `max` bytes are read. The error names the file
/// by `rel` and never quotes its content.
pub fn read_file(root: &Path, path: &Path, rel: &str, max: u64) -> Result<Vec<u8>, InputError> {
    if let Some(why) = place_error(root, path, rel) {
        return Err(InputError::new(Some(rel.to_string()), why));
    }
    read_regular(path, max).map_err(|e| {
        let why = match e {
            Unread::Io(reason) => format!("cannot read: {reason}"),
            Unread::Refused(why) => why,
        };
        InputError::new(Some(rel.to_string()), why)
    })
}

/// Reads a file named on the command line that may sit in a checked-out repository
/// (`--config FILE`, `--baseline FILE`): a relative path that stays inside the current
/// folder is read as a file of that folder (no symlink out of it or into its `.git`); any
/// other path is the user's own choice. Either way only a regular file, not blocking, at
/// most `max` bytes. The error's message is the reason alone.
pub fn read_named_file(path: &Path, max: u64) -> Result<Vec<u8>, InputError> {
    let display = display_path(path);
    let inside = path.is_relative()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if inside {
        if let Some(why) = place_error(Path::new("."), path, &display) {
            return Err(InputError::new(Some(display), why));
        }
    }
    read_regular(path, max).map_err(|e| {
        let (Unread::Io(why) | Unread::Refused(why)) = e;
        InputError::new(Some(display), why)
    })
}

/// Why a file was not read: the system's error, or shiplint's refusal.
enum Unread {
    Io(String),
    Refused(String),
}

/// Opens `path` without blocking, and reads it if it is a regular file of at most `max`
/// bytes (also when it grows while read, or reports no size, as `/proc` files do).
fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, Unread> {
    let io = |e: std::io::Error| Unread::Io(io_message(&e));
    let file = open_nonblocking(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if let Some(why) = kind_error(&meta).or_else(|| size_error(meta.len(), max)) {
        return Err(Unread::Refused(why));
    }
    if meta.is_dir() {
        return Err(Unread::Refused("skipped: a folder, not a file".into()));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(max) as usize);
    std::io::Read::read_to_end(&mut std::io::Read::take(file, max + 1), &mut bytes).map_err(io)?;
    match size_error(bytes.len() as u64, max) {
        Some(why) => Err(Unread::Refused(why)),
        None => Ok(bytes),
    }
}

/// Why `path` may not be read as a file of the repository at `root`: a symlink (of the
/// file or of a folder on the way) that is broken, loops, or leads out of the repository
/// or into its `.git` folder. `None` when nothing is wrong (or there is nothing there).
fn place_error(root: &Path, path: &Path, rel: &str) -> Option<String> {
    let linked = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let target = match fs::canonicalize(path) {
        Ok(target) => target,
        Err(e) if linked && e.raw_os_error() == Some(40) => {
            return Some("skipped: symlink loop".into())
        }
        Err(e) if linked => return Some(format!("skipped: broken symlink ({})", io_message(&e))),
        Err(e) if e.raw_os_error() == Some(40) => return Some("skipped: symlink loop".into()),
        // Nothing there: the caller says so in its own words.
        Err(_) => return None,
    };
    let Ok(root) = fs::canonicalize(root) else {
        return Some("skipped: the repository folder cannot be resolved".into());
    };
    if !target.starts_with(&root) {
        return Some("skipped: symlink points outside the repository".into());
    }
    let in_git = target.starts_with(root.join(".git"));
    if in_git && !(rel == ".git" || rel.starts_with(".git/")) {
        return Some("skipped: symlink points into the repository's .git folder".into());
    }
    None
}

/// Why a file of this kind is not read: anything but a regular file or a folder.
fn kind_error(meta: &fs::Metadata) -> Option<String> {
    let t = meta.file_type();
    if t.is_file() || t.is_dir() {
        return None;
    }
    #[cfg(unix)]
    let what = {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            "a named pipe"
        } else if t.is_socket() {
            "a socket"
        } else if t.is_block_device() || t.is_char_device() {
            "a device"
        } else {
            "not a file"
        }
    };
    #[cfg(not(unix))]
    let what = "not a file";
    Some(format!("skipped: not a regular file ({what})"))
}

/// The size-cap message, when `len` is over `max`.
fn size_error(len: u64, max: u64) -> Option<String> {
    (len > max).then(|| {
        format!(
            "skipped: {len} bytes is over the size cap of {max} bytes (raise it with --max-file-size)"
        )
    })
}

/// Opens `path` for reading without blocking on a named pipe or a device, and without
/// making a terminal the controlling one.
fn open_nonblocking(path: &Path) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
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
