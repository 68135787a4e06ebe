//! The built-in policies, embedded so that a fresh install works with no files beside it.
//! A unit test checks that every `.rego` file under `policies/` is listed here.

macro_rules! policies {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../", $path)))),*]
    };
}

/// `(path, source)` of every built-in module, rules, helpers and their tests.
pub const POLICIES: &[(&str, &str)] = policies![
    "policies/lib/actions.rego",
    "policies/lib/graph.rego",
    "policies/lib/pipeline.rego",
    "policies/lib/settings.rego",
    "policies/lib/steps.rego",
    "policies/rules/admins-bypass.rego",
    "policies/rules/branch-unprotected.rego",
    "policies/rules/build-not-gated-by-tests.rego",
    "policies/rules/deletion-allowed.rego",
    "policies/rules/deploy-mutable-tag.rego",
    "policies/rules/deploy-not-gated.rego",
    "policies/rules/environment-any-branch.rego",
    "policies/rules/environment-without-reviewers.rego",
    "policies/rules/force-push-allowed.rego",
    "policies/rules/force-push-in-workflow.rego",
    "policies/rules/helm-not-atomic.rego",
    "policies/rules/image-rebuilt.rego",
    "policies/rules/image-tag-not-sha.rego",
    "policies/rules/oidc-missing-id-token.rego",
    "policies/rules/prod-deploy-without-environment.rego",
    "policies/rules/promotion-rebuilds.rego",
    "policies/rules/reviews-not-required.rego",
    "policies/rules/scan-continue-on-error.rego",
    "policies/rules/scan-never-fails.rego",
    "policies/rules/scan-severity-too-narrow.rego",
    "policies/rules/settings-unreadable.rego",
    "policies/rules/stale-reviews-kept.rego",
    "policies/rules/static-cloud-credentials.rego",
    "policies/rules/status-checks-not-required.rego",
    "policies/rules/status-checks-not-strict.rego",
    "policies/rules/unpinned-action.rego",
];

/// The Rego unit tests of the built-in policies (run by `cargo test` and
/// `shiplint test-policies policies`), kept out of the production engine.
pub const POLICY_TESTS: &[(&str, &str)] = policies![
    "policies/lib/fixtures_test.rego",
    "policies/lib/graph_test.rego",
    "policies/lib/settings_test.rego",
    "policies/rules/admins-bypass_test.rego",
    "policies/rules/branch-unprotected_test.rego",
    "policies/rules/build-not-gated-by-tests_test.rego",
    "policies/rules/deletion-allowed_test.rego",
    "policies/rules/deploy-mutable-tag_test.rego",
    "policies/rules/deploy-not-gated_test.rego",
    "policies/rules/environment-any-branch_test.rego",
    "policies/rules/environment-without-reviewers_test.rego",
    "policies/rules/force-push-allowed_test.rego",
    "policies/rules/force-push-in-workflow_test.rego",
    "policies/rules/helm-not-atomic_test.rego",
    "policies/rules/image-rebuilt_test.rego",
    "policies/rules/image-tag-not-sha_test.rego",
    "policies/rules/oidc-missing-id-token_test.rego",
    "policies/rules/prod-deploy-without-environment_test.rego",
    "policies/rules/promotion-rebuilds_test.rego",
    "policies/rules/reviews-not-required_test.rego",
    "policies/rules/scan-continue-on-error_test.rego",
    "policies/rules/scan-never-fails_test.rego",
    "policies/rules/scan-severity-too-narrow_test.rego",
    "policies/rules/settings-unreadable_test.rego",
    "policies/rules/stale-reviews-kept_test.rego",
    "policies/rules/static-cloud-credentials_test.rego",
    "policies/rules/status-checks-not-required_test.rego",
    "policies/rules/status-checks-not-strict_test.rego",
    "policies/rules/unpinned-action_test.rego",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_file_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(root.join("policies"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "rego"))
            .map(|e| crate::discover::rel_path(root, e.path()))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = POLICIES
            .iter()
            .chain(POLICY_TESTS)
            .map(|(p, _)| p.to_string())
            .collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }
}
