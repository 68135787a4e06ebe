//! Every node and key spans exactly its own text.

use super::*;
use crate::{Node, Value};

#[test]
fn nested_block_keys_and_values_have_exact_spans() {
    let src = concat!(
        "jobs:\n",
        "  build:\n",
        "    runs-on: ubuntu-latest\n",
        "    steps:\n",
        "      - uses: a/b@v1\n",
        "      - run: make\n",
    );
    let d = doc(src);
    assert_eq!(
        at(src, &d, &["jobs", "build", "runs-on"]),
        ("ubuntu-latest", Some("runs-on"))
    );
    assert_eq!(
        at(src, &d, &["jobs", "build", "steps", "1", "run"]),
        ("make", Some("run"))
    );
    assert_eq!(
        at(src, &d, &["jobs", "build", "steps"]).0,
        "- uses: a/b@v1\n      - run: make"
    );
    assert_eq!(
        at(src, &d, &["jobs", "build", "steps", "0"]),
        ("uses: a/b@v1", None)
    );
    assert_eq!(
        at(src, &d, &["jobs"]).0,
        concat!(
            "build:\n",
            "    runs-on: ubuntu-latest\n",
            "    steps:\n",
            "      - uses: a/b@v1\n",
            "      - run: make",
        )
    );
    assert_eq!(
        d.locate(&[]).map(|l| l.span),
        Some(Span::new(0, src.len() - 1))
    );
}

#[test]
fn indentless_and_nested_block_sequences_start_at_their_dash() {
    let src = "a:\n- - x\n  - y\n- -5\n- - - w\nb:\n  - &s\n    - z\n";
    let d = doc(src);
    assert_eq!(at(src, &d, &["a"]).0, "- - x\n  - y\n- -5\n- - - w");
    assert_eq!(at(src, &d, &["a", "2"]).0, "- - w");
    assert_eq!(at(src, &d, &["a", "2", "0"]).0, "- w");
    assert_eq!(at(src, &d, &["a", "0"]).0, "- x\n  - y");
    assert_eq!(at(src, &d, &["a", "1"]).0, "-5");
    assert_eq!(at(src, &d, &["b"]).0, "- &s\n    - z");
    assert_eq!(at(src, &d, &["b", "0"]).0, "- z");
    // Empty nodes are zero-width and do not stretch their parent over trailing blanks.
    let src = "- k   :
-
";
    let d = doc(src);
    assert_eq!(at(src, &d, &["0"]).0, "k");
    assert_eq!(at(src, &d, &["0", "k"]), ("", Some("k")));
    assert_eq!(at(src, &d, &["1"]).0, "");
    assert_eq!(
        at(src, &d, &[]).0,
        "- k   :
-"
    );
}

#[test]
fn flow_collections_span_their_brackets() {
    let src = "x: {a: 1, b: [x, \"y\"]}\n";
    let d = doc(src);
    assert_eq!(at(src, &d, &["x"]).0, "{a: 1, b: [x, \"y\"]}");
    assert_eq!(at(src, &d, &["x", "a"]), ("1", Some("a")));
    assert_eq!(at(src, &d, &["x", "b"]), ("[x, \"y\"]", Some("b")));
    assert_eq!(at(src, &d, &["x", "b", "1"]), ("\"y\"", None));
    assert_eq!(
        d.to_json(),
        serde_json::json!({"x": {"a": 1, "b": ["x", "y"]}})
    );
}

#[test]
fn quoted_scalars_span_their_quotes_but_not_trailing_comments() {
    let src = "a: 'it''s'   # note\nb: \"say \\\"hi\\\"\"  # c\n\"c k\": &q 'v'\n";
    let d = doc(src);
    assert_eq!(at(src, &d, &["a"]), ("'it''s'", Some("a")));
    assert_eq!(d.root.get("a").and_then(Node::as_str), Some("it's"));
    assert_eq!(at(src, &d, &["b"]).0, "\"say \\\"hi\\\"\"");
    assert_eq!(at(src, &d, &["c k"]), ("'v'", Some("\"c k\"")));
}

#[test]
fn block_scalars_span_from_indicator_to_end_of_content() {
    let src = concat!(
        "steps:\n",
        "  - run: |\n",
        "      echo one\n",
        "      echo two\n",
        "\n",
        "  - run: >-  # folded\n",
        "      long\n",
        "      line\n",
        "# trailing\n",
        "after: &t |+\n",
        "  kept\n",
        "\n",
    );
    let d = doc(src);
    let (run, key) = at(src, &d, &["steps", "0", "run"]);
    assert_eq!(
        (run, key),
        ("|\n      echo one\n      echo two", Some("run"))
    );
    assert_eq!(
        d.root
            .get("steps")
            .and_then(|s| s.as_seq())
            .map(|s| s[0].get("run")),
        Some(Some(&Node {
            value: Value::Str("echo one\necho two\n".into()),
            span: d
                .locate(&path(&["steps", "0", "run"]))
                .map(|l| l.span)
                .unwrap_or_default(),
        }))
    );
    assert_eq!(
        at(src, &d, &["steps", "1", "run"]).0,
        ">-  # folded\n      long\n      line"
    );
    assert_eq!(at(src, &d, &["after"]).0, "|+\n  kept");
    assert_eq!(d.root.get("after").and_then(Node::as_str), Some("kept\n\n"));
    // At the document root the header must still be found behind a BOM or document marker.
    for src in [
        "\u{feff}|\n  x\n",
        "--- >\n  x\n",
        "...\n|\n  x\n",
        "- |\n  x\n",
    ] {
        let d = doc(src);
        let root = d.root.as_seq().map_or(&d.root, |items| &items[0]);
        assert!(
            matches!(text(src, root.span), "|\n  x" | ">\n  x"),
            "{src:?}"
        );
    }
}

#[test]
fn crlf_line_endings_keep_spans_and_lines_right() {
    let src = "a: 1\r\nb:\r\n  c: \"x\"\r\n  d: |\r\n    y\r\n";
    let d = doc(src);
    assert_eq!(at(src, &d, &["b", "c"]), ("\"x\"", Some("c")));
    let loc = d
        .locate(&path(&["b", "d"]))
        .map(|l| l.span)
        .unwrap_or_default();
    assert_eq!(text(src, loc), "|\r\n    y");
    assert_eq!(d.line_col(loc.start), (4, 6));
    assert_eq!(
        d.root
            .get("b")
            .and_then(|b| b.get("d"))
            .and_then(Node::as_str),
        Some("y\n")
    );
}

#[test]
fn spans_are_byte_offsets_after_non_ascii_text() {
    let src = concat!(
        "\u{feff}name: \"Déploiement 🚀\"\n",
        "env:\n",
        "  ÉTAPE: prod # ✓\n",
        "  next: [日本, 語]\n",
    );
    let d = doc(src);
    assert_eq!(at(src, &d, &["name"]), ("\"Déploiement 🚀\"", Some("name")));
    assert_eq!(at(src, &d, &["env", "ÉTAPE"]), ("prod", Some("ÉTAPE")));
    assert_eq!(at(src, &d, &["env", "next", "1"]).0, "語");
    let next = d
        .locate(&path(&["env", "next"]))
        .map(|l| l.span)
        .unwrap_or_default();
    assert_eq!(text(src, next), "[日本, 語]");
    // Columns count characters, not bytes.
    assert_eq!(d.line_col(next.start), (4, 9));
    let step = d
        .locate(&path(&["env", "ÉTAPE"]))
        .map(|l| l.span)
        .unwrap_or_default();
    assert_eq!(d.line_col(step.start), (3, 10));
}
