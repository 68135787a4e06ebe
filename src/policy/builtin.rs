//! The built-in policies, embedded so that a fresh install works with no files beside it.
//! `build.rs` lists every `.rego` file under `policies/`, so a new rule needs no Rust;
//! a unit test checks that the list is what is on disk.

include!(concat!(env!("OUT_DIR"), "/policies.rs"));

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
        assert!(POLICY_TESTS.iter().all(|(p, _)| p.ends_with("_test.rego")));
        assert!(POLICIES.iter().all(|(p, _)| !p.ends_with("_test.rego")));
        assert!(
            POLICY_TESTS.len() >= 20,
            "{} test modules",
            POLICY_TESTS.len()
        );
    }
}
