//! Hostile input fails fast: alias budgets and nesting limits, with no deep recursion.

use super::*;

#[test]
fn billion_laughs_fails_fast() {
    let mut src = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 10].join(", ");
        src.push_str(&format!("{0}: &{0} [{refs}]\n", pair[1]));
    }
    let started = std::time::Instant::now();
    let e = err(&src);
    assert_eq!(e.message, "alias expansion too large");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // Modest reuse stays well within the budget.
    assert!(parse(&src.lines().take(4).collect::<Vec<_>>().join("\n")).is_ok());
}

#[test]
fn one_huge_string_aliased_many_times_is_bounded_too() {
    let src = format!(
        "a: &a '{}'\nb: [{}]\n",
        "x".repeat(1 << 20),
        vec!["*a"; 100].join(",")
    );
    assert_eq!(err(&src).message, "alias expansion too large");
}

/// Runs `f` on a thread with a 256 KiB stack: a recursive descent would overflow it.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new().stack_size(256 * 1024).spawn(f);
    let joined = handle.map(std::thread::JoinHandle::join);
    assert!(matches!(joined, Ok(Ok(()))), "thread failed: {joined:?}");
}

#[test]
fn ten_thousand_nested_brackets_fail_without_deep_recursion() {
    on_small_stack(|| {
        for src in ["[".repeat(10_000), "{a: ".repeat(10_000)] {
            let e = err(&src);
            assert_eq!(e.message, "nesting too deep (more than 256 levels)");
            assert_eq!(e.line, 1);
            assert!(e.span.start < 2_000, "fails near the limit, not at the end");
        }
    });
}

#[test]
fn deeply_indented_block_collections_fail_with_the_depth_error() {
    on_small_stack(|| {
        let mut maps = String::new();
        for depth in 0..1_000 {
            maps.push_str(&format!("{}k{depth}:\n", " ".repeat(depth)));
        }
        let seqs = format!("{}x\n", "- ".repeat(10_000));
        for src in [maps, seqs] {
            let e = err(&src);
            assert_eq!(e.message, "nesting too deep (more than 256 levels)");
        }
        assert!(parse(&format!("{}x\n", "- ".repeat(257))).is_err());
    });
}

#[test]
fn the_deepest_allowed_tree_is_safe_to_clone_compare_convert_and_drop() {
    // Those walks recurse once per level, which the depth limit keeps far below what a
    // 1 MiB stack (half of rayon's default worker stack) holds, even in debug builds.
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let d = doc(&format!("{}x\n", "- ".repeat(256)));
            let copy = d.clone();
            assert_eq!(copy, d);
            assert!(copy.to_json().is_array());
            assert_eq!(format!("{copy:?}").matches("Seq(").count(), 256);
        });
    assert!(matches!(
        handle.map(std::thread::JoinHandle::join),
        Ok(Ok(()))
    ));
}

#[test]
fn aliases_cannot_smuggle_in_extra_depth() {
    let deep = format!("{}x{}", "[".repeat(200), "]".repeat(200));
    let src = format!(
        "a: &d {deep}\nb: {}*d{}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    let e = err(&src);
    assert_eq!(e.message, "nesting too deep (more than 256 levels)");
    assert_eq!(e.line, 2);
}
