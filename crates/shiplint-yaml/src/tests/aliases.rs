//! Aliases copy their anchor with its spans; merge keys; aliases that cannot be resolved.

use super::*;
use crate::Node;

#[test]
fn aliases_copy_the_anchored_node_with_its_definition_spans() {
    let src = concat!(
        "defaults: &img\n",
        "  image: node:20\n",
        "  ports: [80]\n",
        "use: *img\n",
        "name: &n \"build\"\n",
        "again: *n\n",
    );
    let d = doc(src);
    let (def, _) = at(src, &d, &["defaults", "image"]);
    assert_eq!(at(src, &d, &["use", "image"]), (def, Some("image")));
    let defined = d.locate(&path(&["defaults", "image"])).map(|l| l.span);
    assert_eq!(d.locate(&path(&["use", "image"])).map(|l| l.span), defined);
    assert_eq!(d.root.get("use"), d.root.get("defaults"));
    assert_eq!(at(src, &d, &["again"]), ("\"build\"", Some("again")));
    // The anchored mapping itself still ends where its definition ends.
    assert_eq!(at(src, &d, &["use"]).0, "image: node:20\n  ports: [80]");
}

#[test]
fn merge_keys_add_missing_entries_and_explicit_keys_win() {
    let src = concat!(
        "base: &base\n",
        "  runs-on: ubuntu-latest\n",
        "  timeout: 10\n",
        "extra: &extra\n",
        "  timeout: 30\n",
        "  env: x\n",
        "job1:\n",
        "  <<: *base\n",
        "  timeout: 5\n",
        "job2:\n",
        "  name: two\n",
        "  <<: [*extra, *base]\n",
    );
    let d = doc(src);
    let j1 = d.root.get("job1").map(Node::to_json);
    assert_eq!(
        j1,
        Some(serde_json::json!({"runs-on": "ubuntu-latest", "timeout": 5}))
    );
    let keys: Vec<&str> = d
        .root
        .get("job1")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(keys, ["runs-on", "timeout"]);
    let j2 = d.root.get("job2").map(Node::to_json);
    assert_eq!(
        j2,
        Some(serde_json::json!({
            "name": "two", "timeout": 30, "env": "x", "runs-on": "ubuntu-latest"
        }))
    );
    // A merged value points at its definition.
    assert_eq!(at(src, &d, &["job2", "timeout"]), ("30", Some("timeout")));
    assert_eq!(
        d.line_col(
            d.locate(&path(&["job2", "timeout"]))
                .map(|l| l.span.start)
                .unwrap_or(0)
        ),
        (5, 12)
    );
    // A quoted "<<" is an ordinary key.
    assert_eq!(
        doc("'<<': {a: 1}").to_json(),
        serde_json::json!({"<<": {"a": 1}})
    );
    let e = err("a: &a 1\nb:\n  <<: *a\n");
    assert!(e.message.contains("merge key `<<`"), "{e}");
    assert_eq!((e.line, e.column), (3, 7));
}

#[test]
fn unknown_and_recursive_aliases_are_errors() {
    let e = err("a: 1\nb: *missing\n");
    assert_eq!(e.message, "unknown alias `*missing`");
    assert_eq!((e.line, e.column), (2, 4));
    let e = err("a: &x [1, *x]\n");
    assert!(
        e.message.contains("`*x` refers to a node that contains it"),
        "{e}"
    );
    assert_eq!((e.line, e.column), (1, 11));
}
