//! Locating paths, line/column conversion, path segments from JSON, thread safety.

use super::*;
use crate::Node;

#[test]
fn locate_finds_a_step_input_in_a_realistic_workflow() {
    let d = doc(WORKFLOW);
    let p = path(&["jobs", "deploy", "steps", "1", "with", "aws-access-key-id"]);
    let loc = d.locate(&p).unwrap_or_else(|| panic!("not found"));
    assert_eq!(text(WORKFLOW, loc.span), "${{ secrets.AWS_KEY }}");
    assert_eq!(loc.key_span.map(|k| d.line_col(k.start)), Some((26, 11)));
    assert_eq!(d.line_col(loc.span.start), (26, 30));
    assert_eq!(d.locate(&path(&["jobs", "deploy", "steps", "3"])), None);
    assert_eq!(d.locate(&path(&["jobs", "nope"])), None);
    assert_eq!(d.locate(&path(&["name", "x"])), None);
    assert_eq!(d.locate(&[PathSeg::Index(0)]), None);
    assert_eq!(at(WORKFLOW, &d, &["on", "workflow_dispatch"]).0, "");
    assert!(d
        .root
        .get("on")
        .and_then(|o| o.get("workflow_dispatch"))
        .is_some_and(Node::is_null));
}

#[test]
fn line_col_handles_crlf_chars_and_clamping() {
    let d = doc("a: é\r\nb: 2\rc: 3\n");
    assert_eq!(d.line_col(0), (1, 1));
    assert_eq!(d.line_col(3), (1, 4));
    assert_eq!(d.line_col(5), (1, 5), "after the two-byte é is column 5");
    assert_eq!(d.line_col(7), (2, 1));
    assert_eq!(d.line_col(12), (3, 1), "a lone CR ends a line");
    assert_eq!(d.line_col(10_000), (4, 1));
}

#[test]
fn path_segments_come_from_json_strings_and_indices() {
    use serde_json::json;
    assert_eq!(
        PathSeg::from_json(&json!("jobs")),
        Some(PathSeg::Key("jobs".into()))
    );
    assert_eq!(PathSeg::from_json(&json!(3)), Some(PathSeg::Index(3)));
    assert_eq!(PathSeg::from_json(&json!(-1)), None);
    assert_eq!(PathSeg::from_json(&json!(1.5)), None);
    assert_eq!(PathSeg::from_json(&json!(null)), None);
}

#[test]
fn document_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Document>();
    assert_send_sync::<YamlError>();
}
