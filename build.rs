//! Embeds what a fresh install needs with no files beside the binary, found on disk so
//! that adding a rule means adding its Rego and its page, and editing no Rust:
//!
//! - every `policies/**/*.rego` (modules, and the `*_test.rego` unit tests apart);
//! - every rule page `docs/rules/<id>.md` (SARIF `help.markdown`, `shiplint explain`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=docs/rules");
    println!("cargo:rerun-if-changed=policies");
    std::fs::write(out_dir.join("rule_docs.rs"), rule_docs(&root)).expect("OUT_DIR is writable");
    std::fs::write(out_dir.join("policies.rs"), policies(&root)).expect("OUT_DIR is writable");
}

/// `RULE_DOCS`: `(rule id, page text)` of every `docs/rules/<id>.md`.
fn rule_docs(root: &Path) -> String {
    let dir = root.join("docs").join("rules");
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".md"))
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    let mut out = String::from("/// `(rule id, page text)` of every `docs/rules/<id>.md`.\n");
    out.push_str("pub const RULE_DOCS: &[(&str, &str)] = &[\n");
    for page in pages {
        let id = page.trim_end_matches(".md");
        let path = dir.join(&page);
        writeln!(
            out,
            "    ({id:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    out
}

/// `POLICIES` and `POLICY_TESTS`: `(path from the root, text)` of every `.rego` file
/// under `policies/`, sorted, the `*_test.rego` ones apart.
fn policies(root: &Path) -> String {
    let mut files = Vec::new();
    rego_files(&root.join("policies"), &mut files);
    files.sort();
    let mut out = String::new();
    for (name, tests, doc) in [
        (
            "POLICIES",
            false,
            "every built-in module: the rules and their library",
        ),
        (
            "POLICY_TESTS",
            true,
            "the Rego unit tests, kept out of the production engine",
        ),
    ] {
        writeln!(out, "/// `(path, source)` of {doc}.").unwrap();
        writeln!(out, "pub const {name}: &[(&str, &str)] = &[").unwrap();
        for path in files
            .iter()
            .filter(|p| p.to_string_lossy().ends_with("_test.rego") == tests)
        {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            writeln!(
                out,
                "    ({rel:?}, include_str!({:?})),",
                path.display().to_string()
            )
            .unwrap();
        }
        out.push_str("];\n");
    }
    out
}

fn rego_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            rego_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(path);
        }
    }
}
