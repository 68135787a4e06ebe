//! Robustness: inputs the fuzzers found interesting are replayed on every `cargo test`, and
//! property tests check that any document yields findings or a clean error — never a
//! panic, never a span outside the file.

use proptest::prelude::*;
use shiplint::fuzzing::{check_audit_bytes, check_workflow_bytes};

#[test]
fn fuzz_regressions_replay_without_panic() {
    let dir = crate::testdata("fuzz-regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("testdata/fuzz-regressions exists") {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| {
            check_workflow_bytes(&bytes);
            check_audit_bytes(&bytes);
        });
        assert!(result.is_ok(), "{} panicked", path.display());
        n += 1;
    }
    assert!(n >= 5, "only {n} regression inputs");
}

/// Lines of workflow-shaped YAML, so generated documents reach deep into the model and
/// the policies instead of failing at the first byte.
fn fragment() -> impl Strategy<Value = String> {
    let keys = prop::sample::select(vec![
        "on",
        "jobs",
        "steps",
        "uses",
        "run",
        "with",
        "env",
        "permissions",
        "needs",
        "environment",
        "continue-on-error",
        "if",
        "runs-on",
        "id-token",
        "aws-access-key-id",
        "role-to-assume",
        "<<",
        "name",
        "strategy",
        "secrets",
    ]);
    let values = prop::sample::select(vec![
        "",
        "push",
        "[push, pull_request]",
        "write",
        "read-all",
        "write-all",
        "true",
        "3",
        "${{ secrets.AWS_KEY }}",
        "actions/checkout@v4",
        "aquasecurity/trivy-action@master",
        "./.github/workflows/x.yml",
        "docker://alpine:3",
        "&anc {a: 1}",
        "*anc",
        "[a, b]",
        "{x: y}",
        "|",
        "trivy image x || true",
        "\"quoted: value\"",
        "'é ✓'",
        "- item",
        "null",
        "~",
        "0x1F",
        ".inf",
        "!!str 1",
    ]);
    (0usize..5, keys, values, any::<bool>()).prop_map(|(indent, k, v, dash)| {
        format!(
            "{}{}{k}: {v}\n",
            "  ".repeat(indent),
            if dash { "- " } else { "" }
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_workflows_never_break_the_pipeline(lines in prop::collection::vec(fragment(), 1..40)) {
        let doc = lines.concat();
        check_workflow_bytes(doc.as_bytes());
        check_audit_bytes(doc.as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_break_the_loader(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_workflow_bytes(&bytes);
    }
}
