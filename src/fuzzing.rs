//! Invariant checks shared by the fuzz targets (`fuzz/`), the property tests and the
//! replay of `testdata/fuzz-regressions/` in `cargo test`. Each panics on a broken
//! invariant, which is what a fuzzer reports.

use std::sync::OnceLock;

use crate::audit::{audit_repository, AuditReport};
use crate::discover::FileKind;
use crate::finding::Location;
use crate::model::{self, RepositoryInfo};
use crate::policy::PolicySet;
use crate::source::{parse_file, LoadedFile, Repository};
use crate::yaml::{Node, Span, Value};

const PATH: &str = ".github/workflows/fuzz.yml";

fn repository(file: LoadedFile) -> Repository {
    Repository {
        root: None,
        display: "fuzz".into(),
        info: RepositoryInfo {
            owner: "fuzz".into(),
            name: "fuzz".into(),
            default_branch: Some("main".into()),
            source: "local".into(),
            visibility: None,
        },
        files: vec![file],
        errors: Vec::new(),
        notices: Vec::new(),
        settings: None,
        history: None,
    }
}

fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} outside a {}-byte file",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} not on character boundaries"
    );
}

fn check_node(text: &str, node: &Node) {
    // Iterative: the depth limit makes recursion safe, but the check should not rely on it.
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        assert_span(text, n.span, "node");
        match &n.value {
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(entries) => {
                for e in entries {
                    assert_span(text, e.key_span, "key");
                    stack.push(&e.value);
                }
            }
            _ => {}
        }
    }
}

/// Parse + span index + input document: never a panic, spans inside the file.
pub fn check_workflow_bytes(data: &[u8]) {
    let Ok(file) = parse_file(PATH, FileKind::Workflow, data.to_vec()) else {
        return;
    };
    check_node(&file.text, &file.doc.root);
    let (line, column) = file.doc.line_col(file.text.len());
    assert!(line >= 1 && column >= 1);
    let repo = repository(file);
    let (input, _errors) = model::build_input(&repo);
    for wf in &input.workflows {
        for job in &wf.jobs {
            let path: Vec<_> = job
                .path
                .iter()
                .filter_map(crate::yaml::PathSeg::from_json)
                .collect();
            assert!(
                repo.files[0].doc.locate(&path).is_some(),
                "job path {:?}",
                job.path
            );
        }
    }
    let json = serde_json::to_value(&input).expect("the input document serialises");
    // What policies see is built straight from the model; it must equal the JSON route.
    let direct = crate::policy::input_value(&input).expect("the input document converts");
    assert!(
        direct == regorus::Value::from(json),
        "the input handed to regorus differs from its JSON"
    );
}

fn policies() -> &'static PolicySet {
    static POLICIES: OnceLock<PolicySet> = OnceLock::new();
    POLICIES.get_or_init(|| PolicySet::builtin().expect("built-in policies compile"))
}

/// The whole pipeline on one workflow: never a panic, every location inside the file.
pub fn check_audit_bytes(data: &[u8]) {
    let Ok(file) = parse_file(PATH, FileKind::Workflow, data.to_vec()) else {
        return;
    };
    let text = file.text.clone();
    let policies = policies();
    let mut engine = policies.engine();
    let outcome = audit_repository(policies, &mut engine, repository(file));
    for f in &outcome.findings {
        let locations = std::iter::once(&f.location).chain(f.related.iter().map(|r| &r.location));
        for l in locations {
            if let Location::File(at) = l {
                assert_span(&text, at.span, "finding");
                assert!(at.line >= 1 && at.column >= 1 && at.end_line >= at.line);
            }
        }
    }
    let mut report = AuditReport::default();
    report.absorb(outcome);
    crate::report::human::render(&report, Default::default());
    crate::report::json::render(&report);
}

/// The config loader on arbitrary bytes: never a panic; every error's span lies in the file.
pub fn check_config_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (config, errors) =
        crate::config::Config::parse_all("shiplint.yml", text, std::path::Path::new("."));
    for e in &errors {
        assert!(
            e.line >= 1 && e.column >= 1,
            "error position {}:{}",
            e.line,
            e.column
        );
        assert_span(text, e.span, "config error");
    }
    serde_json::to_string(&config.input_json()).expect("the config serialises");
    let _ = config.check_rule_ids(policies());
}

/// The settings loader and the settings rules on arbitrary bytes as `--settings FILE`: a
/// document is accepted or refused with a message, never a panic; an accepted one is
/// audited with a workflow and rendered.
pub fn check_settings_bytes(data: &[u8]) {
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(settings) = crate::settings::validate(doc) else {
        return;
    };
    let workflow = "on: push\njobs:\n  deploy:\n    runs-on: x\n    environment: production\n    steps: [{run: make}]\n";
    let Ok(file) = parse_file(PATH, FileKind::Workflow, workflow.as_bytes().to_vec()) else {
        unreachable!("the fixed workflow parses");
    };
    let mut repo = repository(file);
    repo.settings = Some(settings);
    let policies = policies();
    let mut engine = policies.engine();
    let outcome = audit_repository(policies, &mut engine, repo);
    let mut report = AuditReport::default();
    report.absorb(outcome);
    crate::report::human::render(&report, Default::default());
    crate::report::json::render(&report);
}

/// What no report of a hostile tree may show: it sits in files outside the repository
/// that the tree's symlinks point at.
const TREE_SECRET: &str = "ghs_FUZZ_TREE_SECRET_0d41";

/// The whole local audit of a repository on disk built from arbitrary bytes: the first
/// byte chooses hostile entries (bit 0: the config a symlink out of the repository; 1: a
/// named pipe among the workflows; 2: a workflow symlinked out; 3: an action that is a
/// named pipe; 4: `.git/config` a symlink out; 5: the config a symlink into `.git`; 6: the
/// rest also as the config; 7: the actions folder a symlink out), the rest is a workflow.
/// The audit ends (a pipe opened would block forever: the fuzzer's timeout), never panics,
/// and no output shows the secret or a raw ESC.
pub fn check_audit_tree(data: &[u8]) {
    let Some((&layout, workflow)) = data.split_first() else {
        return;
    };
    if workflow
        .windows(TREE_SECRET.len())
        .any(|w| w == TREE_SECRET.as_bytes())
    {
        // The secret written by the workflow itself is not a leak.
        return;
    }
    let Some(tree) = HostileTree::build(layout, workflow) else {
        return;
    };
    let session = tree_session();
    let plan = crate::source::target::plan_paths(
        std::slice::from_ref(&tree.repo),
        &crate::discover::DiscoverOptions::default(),
    );
    let report = crate::audit::audit(session, plan).report;
    let opts = crate::report::RenderOptions {
        rules: session.policies().rules(),
        color: false,
        warnings_color: false,
        show_ignored: true,
        org_table: false,
        split_sarif: false,
    };
    use crate::report::Format;
    for format in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
        Format::Csv,
        Format::Html,
    ] {
        let rendered = crate::report::render(format, &report, &opts);
        let all = rendered.outputs.concat() + &rendered.warnings;
        assert!(!all.contains(TREE_SECRET), "{format:?} shows the secret");
        if matches!(format, Format::Human | Format::Github | Format::Markdown) {
            assert!(!all.contains('\u{1b}'), "{format:?} shows a raw ESC");
        }
    }
}

/// The session of [`check_audit_tree`]: each repository's own config, graphs drawn.
fn tree_session() -> &'static crate::audit::Session {
    static SESSION: OnceLock<crate::audit::Session> = OnceLock::new();
    SESSION.get_or_init(|| {
        let mut session = crate::audit::Session::offline(policies().clone());
        session.graphs = true;
        session
    })
}

/// A temporary folder holding a repository and, beside it, the secret its links reach.
struct HostileTree {
    dir: std::path::PathBuf,
    repo: std::path::PathBuf,
}

impl HostileTree {
    fn build(layout: u8, workflow: &[u8]) -> Option<HostileTree> {
        use std::fs;
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("shiplint-tree-{}-{n}", std::process::id()));
        let tree = HostileTree {
            repo: dir.join("repo"),
            dir,
        };
        let (repo, outside) = (&tree.repo, tree.dir.join("outside"));
        fs::create_dir_all(repo.join(".github/workflows")).ok()?;
        fs::create_dir_all(repo.join(".git")).ok()?;
        fs::create_dir_all(&outside).ok()?;
        let secret = format!("[default]\ntoken: {TREE_SECRET} [\n\"{TREE_SECRET}\"\n");
        fs::write(outside.join("secret"), &secret).ok()?;
        fs::write(outside.join("action.yml"), &secret).ok()?;
        fs::write(repo.join(".github/workflows/fuzz.yml"), workflow).ok()?;
        let bit = |i: u8| layout & (1 << i) != 0;
        let config = repo.join(".github/shiplint.yml");
        if bit(4) {
            symlink(&outside.join("secret"), &repo.join(".git/config"));
        } else {
            fs::write(repo.join(".git/config"), &secret).ok()?;
        }
        if bit(0) {
            symlink(&outside.join("secret"), &config);
        } else if bit(5) {
            symlink(std::path::Path::new("../.git/config"), &config);
        } else if bit(6) {
            fs::write(&config, workflow).ok()?;
        }
        if bit(1) {
            mkfifo(&repo.join(".github/workflows/pipe.yml"));
        }
        if bit(2) {
            symlink(
                &outside.join("secret"),
                &repo.join(".github/workflows/link.yml"),
            );
        }
        if bit(3) {
            let _ = fs::create_dir_all(repo.join(".github/actions/pipe"));
            mkfifo(&repo.join(".github/actions/pipe/action.yml"));
        }
        if bit(7) {
            symlink(&outside, &repo.join(".github/actions/out"));
        }
        Some(tree)
    }
}

impl Drop for HostileTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn symlink(target: &std::path::Path, link: &std::path::Path) {
    #[cfg(unix)]
    let _ = std::os::unix::fs::symlink(target, link);
    #[cfg(not(unix))]
    let _ = (target, link);
}

fn mkfifo(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        if let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) {
            // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
            unsafe {
                libc::mkfifo(c.as_ptr(), 0o600);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
