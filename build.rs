//! Embeds every rule page under `docs/rules/` so SARIF `help.markdown` works from a fresh
//! install with no files beside the binary. A page added for a new rule is picked up
//! without editing any list.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&root).join("docs").join("rules");
    println!("cargo:rerun-if-changed=docs/rules");
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
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rule_docs.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
