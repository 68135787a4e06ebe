//! Malformed documents fail with a clear message at the right position.

use super::*;
use crate::{Node, Value};

#[test]
fn duplicate_keys_are_errors_at_the_second_occurrence() {
    let e = err("jobs:\n  a: 1\n  b: 2\n  a: 3\n");
    assert_eq!(e.message, "duplicate key `a`");
    assert_eq!((e.line, e.column), (4, 3));
    assert_eq!(e.span, Span::new(22, 23));
    assert_eq!(err("{x: 1, \"x\": 2}").message, "duplicate key `x`");
    assert_eq!(e.to_string(), "duplicate key `a` at line 4, column 3");
}

#[test]
fn collection_keys_are_errors() {
    let e = err("? [a, b]\n: 1\n");
    assert_eq!(e.message, "a sequence cannot be used as a mapping key");
    assert_eq!((e.line, e.column), (1, 3));
    let e = err("x: 1\n{a: 1}: 2\n");
    assert_eq!(e.message, "a mapping cannot be used as a mapping key");
    assert_eq!((e.line, e.column), (2, 1));
    let e = err("a: &m {k: v}\n*m : 2\n");
    assert_eq!(
        (e.message.as_str(), e.line),
        ("a mapping cannot be used as a mapping key", 2)
    );
    // An alias to a scalar is a fine key, and keeps the anchor's span.
    let src = "a: &k key\n*k : 2\n";
    let d = doc(src);
    assert_eq!(d.root.get("key").map(|n| &n.value), Some(&Value::Int(2)));
    assert_eq!(
        d.root.get_entry("key").map(|e| text(src, e.key_span)),
        Some("key")
    );
}

#[test]
fn a_second_document_is_an_error() {
    let e = err("a: 1\n---\nb: 2\n");
    assert_eq!(e.message, "multiple YAML documents in one file");
    assert_eq!((e.line, e.column, e.span), (2, 1, Span::new(5, 8)));
    // One explicit document is fine.
    assert_eq!(
        doc("---\na: 1\n...\n").to_json(),
        serde_json::json!({"a": 1})
    );
}

#[test]
fn empty_input_is_a_null_root_at_zero() {
    for src in ["", "# only a comment\n", "\n\n   \n"] {
        let d = doc(src);
        assert_eq!(
            d.root,
            Node {
                value: Value::Null,
                span: Span::new(0, 0)
            },
            "{src:?}"
        );
        assert_eq!(d.to_json(), serde_json::Value::Null);
    }
}

#[test]
fn invalid_yaml_reports_a_sensible_position() {
    let e = err("a: [1, 2\n");
    assert_eq!((e.line, e.column), (2, 1), "{e}");
    assert!(e.message.contains("flow sequence"), "{e}");
    let e = err("env:\n  key: \"unterminated\n");
    assert_eq!((e.line, e.column), (2, 8), "{e}");
    assert!(e.message.contains("quoted scalar"), "{e}");
    let e = err("jobs:\n\tbuild: 1\n");
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("tab"), "{e}");
    // No Debug noise in the message.
    assert!(
        !e.message.contains("ScanError") && !e.message.contains("Marker"),
        "{e}"
    );
    let e = err("name: ok\nbad: [\u{e9}, @x]\n");
    assert_eq!((e.line, e.column), (2, 10), "{e}");
    assert_eq!(e.span, Span::new(19, 19));
}
