//! The structure a newcomer relies on, checked on the sources: data flows one way
//! between the top-level modules (and between the files of a module), no function is
//! over 80 lines (a table is a `const`, not a function), and every public item of the
//! model, the Rego input contract, says what it is.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The longest function allowed, in lines from `fn` to its closing brace.
const MAX_FUNCTION_LINES: usize = 80;

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

/// The source with comments, strings and character literals blanked out (newlines kept),
/// so that braces and paths are only the code's.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend(s.iter().map(|&c| if c == b'\n' { b'\n' } else { b' ' }))
    };
    while i < b.len() {
        let rest = &b[i..];
        let end = if rest.starts_with(b"//") {
            i + rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len())
        } else if rest.starts_with(b"/*") {
            i + 2 + find(&rest[2..], b"*/").map_or(rest.len() - 2, |p| p + 2)
        } else if let Some(len) = raw_string(b, i) {
            i + len
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            i + (j + 1).min(rest.len())
        } else if let Some(len) = char_literal(rest) {
            i + len
        } else {
            out.push(rest[0]);
            i += 1;
            continue;
        };
        blank(&mut out, &b[i..end]);
        i = end;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The length of a raw string literal (`r"…"`, `r#"…"#`) starting at `i`.
fn raw_string(b: &[u8], i: usize) -> Option<usize> {
    if b[i] != b'r' || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) {
        return None;
    }
    let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
    if b.get(i + 1 + hashes) != Some(&b'"') {
        return None;
    }
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let start = i + 2 + hashes;
    let len = find(&b[start..], &close).map_or(b.len() - start, |p| p + close.len());
    Some(start - i + len)
}

/// The length of a character literal at the start (`'{'`, `'\n'`), not a lifetime.
fn char_literal(rest: &[u8]) -> Option<usize> {
    if rest[0] != b'\'' {
        return None;
    }
    let close = if rest.get(1) == Some(&b'\\') {
        rest.iter().skip(2).position(|&c| c == b'\'')? + 2
    } else {
        let width = std::str::from_utf8(&rest[1..rest.len().min(5)])
            .ok()
            .or_else(|| std::str::from_utf8(&rest[1..2]).ok())
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8);
        1 + width
    };
    (rest.get(close) == Some(&b'\'') && close <= 10).then_some(close + 1)
}

/// `(name, first line, lines)` of every function with a body.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(p) = code[at..].find("fn ") {
        let start = at + p;
        at = start + 3;
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        let name: String = code[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let (Some(open), semi) = (code[at..].find('{'), code[at..].find(';')) else {
            continue;
        };
        if semi.is_some_and(|s| s < open) {
            continue; // a declaration (trait method, extern) without a body
        }
        let mut depth = 0;
        let mut end = at + open;
        for (i, c) in code[at + open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => continue,
            }
            if depth == 0 {
                end = at + open + i;
                break;
            }
        }
        let first = code[..start].matches('\n').count() + 1;
        let last = code[..end].matches('\n').count() + 1;
        out.push((name, first, last - first + 1));
    }
    out
}

#[test]
fn no_function_is_over_80_lines() {
    let root = crate::root();
    let mut long = Vec::new();
    for dir in ["src", "crates", "tests", "benches", "examples"] {
        for file in rust_files(&root.join(dir)) {
            let code = code_only(&std::fs::read_to_string(&file).unwrap());
            for (name, line, lines) in functions(&code) {
                if lines > MAX_FUNCTION_LINES {
                    let rel = file.strip_prefix(&root).unwrap().display().to_string();
                    long.push(format!("{rel}:{line}: fn {name} is {lines} lines"));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "over {MAX_FUNCTION_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// The production part of a file: what comes before its `#[cfg(test)]` module.
fn production(code: &str) -> &str {
    code.find("#[cfg(test)]").map_or(code, |i| &code[..i])
}

/// The names that follow `prefix` in `code` (`crate::audit::x` → `audit` for `crate::`).
fn named_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut at = 0;
    while let Some(p) = code[at..].find(prefix) {
        let start = at + p;
        at = start + prefix.len();
        let before = code[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let name: String = code[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

/// A cycle of `graph`, if there is one, as the path that closes it.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut c = path[i..].to_vec();
            c.push(node.to_string());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// The module a file of `dir` is (`audit/driver.rs` → `driver`, `audit/mod.rs` → none).
fn module_name(file: &Path, dir: &Path) -> Option<String> {
    let rel = file.strip_prefix(dir).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "mod" && name != "lib" && name != "main").then(|| name.to_string())
}

/// Edges between the modules directly under `dir`: `crate::x` (or `super::x` one level
/// down) from a file of module `m` names module `x`.
fn module_graph(
    dir: &Path,
    via: &str,
    known: &BTreeSet<String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(dir) {
        let Some(module) = module_name(&file, dir) else {
            continue;
        };
        // `super::` means the folder's module only in its own files and `x/mod.rs`.
        let rel = file.strip_prefix(dir).unwrap();
        let own = rel.components().count() == 1 || rel.ends_with("mod.rs");
        if via == "super::" && !(own && rel.components().count() <= 2) {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        let used = named_after(production(&code), via);
        let entry = graph.entry(module.clone()).or_default();
        entry.extend(
            used.into_iter()
                .filter(|u| *u != module && known.contains(u)),
        );
    }
    graph
}

/// The modules directly under `dir` (files and folders).
fn modules_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| module_name(&e.path(), dir))
        .collect()
}

#[test]
fn data_flows_one_way_between_modules() {
    let src = crate::root().join("src");
    let top = modules_in(&src);
    let graph = module_graph(&src, "crate::", &top);
    assert!(graph.contains_key("audit") && graph["cli"].contains("audit"));
    if let Some(c) = cycle(&graph) {
        panic!("a cycle between top-level modules: {}", c.join(" → "));
    }
    // And between the files of each module folder (`super::x` names a sibling).
    for entry in std::fs::read_dir(&src).unwrap().filter_map(Result::ok) {
        let dir = entry.path();
        if !dir.is_dir() {
            continue;
        }
        let siblings = modules_in(&dir);
        let graph = module_graph(&dir, "super::", &siblings);
        if let Some(c) = cycle(&graph) {
            panic!(
                "a cycle in src/{}: {}",
                entry.file_name().to_string_lossy(),
                c.join(" → ")
            );
        }
    }
}

#[test]
fn the_checks_see_cycles_and_long_functions() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    assert_eq!(cycle(&graph), None);
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(cycle(&graph).unwrap().len(), 4);
    let body = "    let x = '{';\n".repeat(3);
    let code = code_only(&format!(
        "fn f() {{\n{body}    let s = \"}}}}\"; // }}\n}}\nfn g<'a>(x: &'a str) {{}}\n"
    ));
    assert_eq!(
        functions(&code),
        vec![("f".to_string(), 1, 6), ("g".to_string(), 7, 1)]
    );
    assert_eq!(
        named_after(
            "use crate::audit::x; crate::cli::run(); mycrate::no",
            "crate::"
        ),
        BTreeSet::from(["audit".to_string(), "cli".to_string()])
    );
}

#[test]
fn every_public_item_of_the_model_says_what_it_is() {
    let mut bare = Vec::new();
    for file in rust_files(&crate::root().join("src/model")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let text_end = production(&text).lines().count();
        for (i, line) in lines.iter().enumerate().take(text_end) {
            let item = line.trim_start();
            if !item.starts_with("pub ")
                || item.starts_with("pub use")
                || item.starts_with("pub mod")
            {
                continue;
            }
            // The doc comment sits above, past any attributes (one line each here).
            let documented = lines[..i]
                .iter()
                .rev()
                .map(|l| l.trim_start())
                .find(|l| !l.starts_with("#["))
                .is_some_and(|l| l.starts_with("///"));
            if !documented {
                let name = file.file_name().unwrap().to_string_lossy();
                bare.push(format!("src/model/{name}:{}: {}", i + 1, item));
            }
        }
    }
    assert!(
        bare.is_empty(),
        "public items without a `///` line:\n{}",
        bare.join("\n")
    );
}
