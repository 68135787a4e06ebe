//! Scalars resolve by the YAML 1.2 core schema; nodes describe and convert their values.

use super::*;
use crate::{Entry, Node, Value};

#[test]
fn yaml_1_1_booleans_and_on_stay_strings() {
    let src = "on: push\nyes: no\nflag: yes\noff: On\ntrue: 1\n1: x\n";
    let d = doc(src);
    let keys: Vec<&str> = d
        .root
        .as_map()
        .unwrap_or_default()
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(keys, ["on", "yes", "flag", "off", "true", "1"]);
    assert_eq!(d.root.get("yes").and_then(Node::as_str), Some("no"));
    assert_eq!(d.root.get("flag").and_then(Node::as_str), Some("yes"));
    assert_eq!(d.root.get("off").and_then(Node::as_str), Some("On"));
    assert_eq!(d.root.get("true").map(|n| &n.value), Some(&Value::Int(1)));
}

#[test]
fn scalars_resolve_by_the_yaml_1_2_core_schema() {
    use Value::{Bool, Float, Int, Null};
    let s = |x: &str| Value::Str(x.to_owned());
    let cases = [
        ("~", Null),
        ("null", Null),
        ("NULL", Null),
        ("", Null),
        ("true", Bool(true)),
        ("False", Bool(false)),
        ("0", Int(0)),
        ("-17", Int(-17)),
        ("+3", Int(3)),
        ("0x1F", Int(31)),
        ("0o17", Int(15)),
        ("9223372036854775807", Int(i64::MAX)),
        // Too big for i64: decimal degrades to a float, hex stays text.
        ("9223372036854775808", Float(9_223_372_036_854_775_808.0)),
        ("0xFFFFFFFFFFFFFFFFFF", s("0xFFFFFFFFFFFFFFFFFF")),
        ("1.5", Float(1.5)),
        ("-.5", Float(-0.5)),
        ("1e3", Float(1000.0)),
        ("2.", Float(2.0)),
        (".inf", Float(f64::INFINITY)),
        ("-.Inf", Float(f64::NEG_INFINITY)),
        // Not core-schema numbers (YAML 1.1 or other languages only).
        ("1_000", s("1_000")),
        ("0b1", s("0b1")),
        ("1.2.3", s("1.2.3")),
        ("inf", s("inf")),
        ("1e", s("1e")),
        // YAML 1.1 booleans are plain strings in 1.2.
        ("yes", s("yes")),
        ("off", s("off")),
        // Quoted scalars are strings whatever they look like.
        ("'1'", s("1")),
        ("\"true\"", s("true")),
        ("'null'", s("null")),
        ("|\n  3\n", s("3\n")),
        // Explicit core tags win; unknown tags are ignored; `!` forces a string.
        ("!!str 42", s("42")),
        ("!!int \"7\"", Int(7)),
        ("!!float 3", Float(3.0)),
        ("!!bool TRUE", Bool(true)),
        ("!!null ''", Null),
        ("!custom 5", Int(5)),
        ("! 6", s("6")),
    ];
    for (yaml, expected) in cases {
        let d = doc(&format!("v: {yaml}"));
        assert_eq!(d.root.get("v").map(|n| &n.value), Some(&expected), "{yaml}");
    }
    let nan = doc("v: .NaN").root.get("v").map(|n| n.value.clone());
    assert!(matches!(nan, Some(Float(f)) if f.is_nan()));
    let e = err("a: !!int twelve");
    assert_eq!(e.message, "invalid !!int value `twelve`");
    assert_eq!(
        (e.line, e.column),
        (1, 10),
        "points at the value, after the tag"
    );
}

#[test]
fn node_helpers_describe_values() {
    let d = doc("s: x\nb: true\ni: 1\nf: 1.0\nn:\nl: [1]\nm: {}\n");
    let r = &d.root;
    let names: Vec<&str> = r
        .as_map()
        .unwrap_or_default()
        .iter()
        .map(|e| e.value.type_name())
        .collect();
    assert_eq!(
        names,
        ["string", "boolean", "number", "number", "null", "sequence", "mapping"]
    );
    let texts: Vec<Option<String>> = r
        .as_map()
        .unwrap_or_default()
        .iter()
        .map(|e| e.value.scalar_text())
        .collect();
    let some = |x: &str| Some(x.to_owned());
    assert_eq!(
        texts,
        [
            some("x"),
            some("true"),
            some("1"),
            some("1.0"),
            None,
            None,
            None
        ]
    );
    assert!(r.get("n").is_some_and(Node::is_null));
    assert_eq!(r.get("s").and_then(Node::as_str), Some("x"));
    assert_eq!(r.get("b").and_then(Node::as_str), None);
    assert_eq!(
        r.get("l").and_then(Node::as_seq).map(<[Node]>::len),
        Some(1)
    );
    assert_eq!(
        r.get("m").and_then(Node::as_map).map(<[Entry]>::len),
        Some(0)
    );
    assert_eq!(r.get("missing"), None);
    assert_eq!(r.get("l").and_then(|l| l.get("x")), None);
    assert_eq!(
        r.get_entry("i").map(|e| e.key_span),
        Some(Span::new(13, 14))
    );
}

#[test]
fn to_json_keeps_source_order_and_maps_non_finite_floats_to_null() {
    let d = doc("z: 1\na: [true, null, 1.5, .nan, -.inf, \"s\"]\nm: {y: 1, b: 2}\n");
    let json = d.to_json();
    assert_eq!(
        json,
        serde_json::json!({
            "z": 1, "a": [true, null, 1.5, null, null, "s"], "m": {"y": 1, "b": 2}
        })
    );
    assert_eq!(
        json.to_string(),
        r#"{"z":1,"a":[true,null,1.5,null,null,"s"],"m":{"y":1,"b":2}}"#
    );
}
