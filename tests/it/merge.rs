//! `shiplint merge` is lossless: the shards' JSON carries what every format needs (the
//! excerpt of each location: snippet, context lines, what the fingerprints hash), so a
//! merged report gives what one audit of the same repositories gives — the same SARIF
//! results and fingerprints (GitHub tracks alerts by them across a sharded sweep), the
//! same categories, the same JSON.

use std::path::Path;

use serde_json::Value;

use crate::{json, root, shiplint_in, stderr};

const REPOS: [&str; 3] = ["breaks-everything", "static-keys", "unparsable-workflow"];

/// `shiplint audit` of `repos` (absolute paths, as a sweep of local clones gives them) in
/// `format`, or its JSON written to `out`.
fn audit(cwd: &Path, format: &str, repos: &[&str], out: Option<&Path>) -> String {
    let paths: Vec<String> = repos
        .iter()
        .map(|r| root().join("testdata/repos").join(r).display().to_string())
        .collect();
    let mut args = vec!["audit", "-f", format];
    args.extend(paths.iter().map(String::as_str));
    let out_arg;
    if let Some(out) = out {
        out_arg = out.display().to_string();
        args.extend(["-o", out_arg.as_str()]);
    }
    let o = shiplint_in(cwd, &args);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

/// `shiplint merge` of two shards (the first repository, then the others) in `format`.
fn merge_of_shards(cwd: &Path, format: &str) -> String {
    let a = cwd.join("shard-1.json");
    let b = cwd.join("shard-2.json");
    audit(cwd, "json", &REPOS[..1], Some(&a));
    audit(cwd, "json", &REPOS[1..], Some(&b));
    let (a, b) = (a.display().to_string(), b.display().to_string());
    let o = shiplint_in(cwd, &["merge", "-f", format, &a, &b]);
    String::from_utf8(o.stdout).unwrap()
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn merged_shards_give_the_sarif_of_one_audit_fingerprints_and_snippets_included() {
    let tmp = tempfile::tempdir().unwrap();
    let audited = parse(&audit(tmp.path(), "sarif", &REPOS, None));
    let merged = parse(&merge_of_shards(tmp.path(), "sarif"));
    let results = audited["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["results"].as_array().unwrap().len())
        .sum::<usize>();
    assert!(results > 30, "{results} results");
    // Every result has its snippet and fingerprint, as the audit gave them.
    let first = &merged["runs"][0]["results"][0];
    assert!(first["locations"][0]["physicalLocation"]["region"]["snippet"]["text"].is_string());
    assert!(first["partialFingerprints"]["primaryLocationLineHash"].is_string());
    assert_eq!(merged, audited);
}

#[test]
fn categories_of_absolute_paths_have_no_empty_segment() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = parse(&merge_of_shards(tmp.path(), "sarif"));
    for run in doc["runs"].as_array().unwrap() {
        let category = run["automationDetails"]["id"].as_str().unwrap();
        assert!(category.starts_with("shiplint/workflows/"), "{category}");
        assert!(!category.contains("//"), "{category}");
        assert!(category.ends_with("/"), "{category}");
    }
}

#[test]
fn merged_shards_give_the_json_of_one_audit() {
    let tmp = tempfile::tempdir().unwrap();
    let audited = parse(&audit(tmp.path(), "json", &REPOS, None));
    let merged = parse(&merge_of_shards(tmp.path(), "json"));
    assert_eq!(merged, audited);
    let excerpt = &audited["findings"][0]["excerpt"];
    assert!(excerpt["line_text"].is_string(), "{excerpt}");
    assert!(excerpt["context"].is_string(), "{excerpt}");
}

#[test]
fn a_shard_without_excerpts_still_merges() {
    // A JSON report written before reports carried excerpts.
    let tmp = tempfile::tempdir().unwrap();
    let shard = tmp.path().join("old.json");
    audit(tmp.path(), "json", &REPOS[1..2], Some(&shard));
    let mut doc = parse(&std::fs::read_to_string(&shard).unwrap());
    for f in doc["findings"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("excerpt");
    }
    std::fs::write(&shard, doc.to_string()).unwrap();
    let out = shiplint_in(
        tmp.path(),
        &["merge", "-f", "sarif", shard.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let sarif = json(&out);
    let result = &sarif["runs"][0]["results"][0];
    assert!(result["partialFingerprints"]["primaryLocationLineHash"].is_string());
}

#[test]
fn merged_shards_give_the_human_report_of_one_audit_snippets_included() {
    let tmp = tempfile::tempdir().unwrap();
    let audited = audit(tmp.path(), "human", &REPOS, None);
    let merged = merge_of_shards(tmp.path(), "human");
    // A merge ends with the per-repository table of sweeps; before it, the same report.
    assert!(merged.starts_with(&audited), "{merged}");
    assert!(merged.contains(" │ "), "snippets are drawn: {merged}");
}

#[test]
fn a_finding_without_its_text_still_says_where_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let shard = tmp.path().join("old.json");
    audit(tmp.path(), "json", &REPOS[1..2], Some(&shard));
    let mut doc = parse(&std::fs::read_to_string(&shard).unwrap());
    for f in doc["findings"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("excerpt");
    }
    std::fs::write(&shard, doc.to_string()).unwrap();
    let out = shiplint_in(tmp.path(), &["merge", shard.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    // The report wraps at the terminal width, and where depends on the clone's path: compare
    // without the wrapping.
    let unwrapped: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect();
    assert!(
        unwrapped.contains(
            "testdata/repos/static-keys/.github/workflows/deploy.yml:17:11:`aws-access-key-id`"
        ),
        "{text}"
    );
}
