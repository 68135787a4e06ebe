//! The workflow rule catalog end to end: cross-workflow findings as users see them.

use crate::{shiplint, stdout};

#[test]
fn deploy_not_gated_points_at_the_callers_needs_with_related_locations() {
    let out = shiplint(&[
        "audit",
        "testdata/rules/deploy-not-gated/scan-off-the-call-chain",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("deploy_not_gated_human", stdout(&out));
}

#[test]
fn caller_bound_latest_tag_is_reported_in_the_callee() {
    let out = shiplint(&[
        "audit",
        "--format",
        "json",
        "testdata/rules/image-tag-not-sha/caller-binds-latest",
    ]);
    let doc = crate::json(&out);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "image-tag-not-sha");
    assert_eq!(findings[0]["file"], ".github/workflows/build.yml");
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("`latest`"));
}
