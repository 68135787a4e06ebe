//! Merge gates end to end (issue #14): the settings judged against the workflows, from
//! `--settings FILE` and online through the fake GitHub, which serves the same settings
//! as GitHub's endpoints would. Scenarios: `testdata/repos/exemplary` under
//! `testdata/settings/gates-*.json`, and the repositories of `testdata/gates/`, each with
//! its settings files (all built by `testdata/settings/generate.py`).

use std::collections::BTreeSet;
use std::process::{Command, Output};

use serde_json::{json, Value as Json};

use crate::support::fake_github::{FakeGithub, Reply};
use crate::{json, shiplint, stderr, stdout, testdata};

const TOKEN: &str = "ghp_shiplintTestToken0123456789abcdefABCD";

const REPO: &str = "/repos/octo-org/octo-repo";

/// A repository, a settings file (relative to `testdata/`), the exit code and the
/// `(rule, setting)` of every settings finding.
type Case = (
    &'static str,
    &'static str,
    i32,
    &'static [(&'static str, &'static str)],
);

const MAIN_RULES_CHECKS: &str = "branches/main/rules/required_status_checks";
const MAIN_CLASSIC_CHECKS: &str = "branches/main/protection/required_status_checks";

const CASES: &[Case] = &[
    // The seed's pipeline, its protections matching it: clean.
    ("repos/exemplary", "settings/well-protected.json", 0, &[]),
    (
        "repos/exemplary",
        "settings/gates-tests-required-rulesets.json",
        0,
        &[],
    ),
    (
        "repos/exemplary",
        "settings/gates-tests-required-classic.json",
        0,
        &[],
    ),
    // `build` is required, the tests are not: one finding per branch, whichever layers.
    (
        "repos/exemplary",
        "settings/gates-build-required-rulesets.json",
        1,
        &[("pipeline-checks-not-required", MAIN_RULES_CHECKS)],
    ),
    (
        "repos/exemplary",
        "settings/gates-build-required-classic.json",
        1,
        &[("pipeline-checks-not-required", MAIN_CLASSIC_CHECKS)],
    ),
    (
        "repos/exemplary",
        "settings/gates-build-required-both.json",
        1,
        &[("pipeline-checks-not-required", MAIN_RULES_CHECKS)],
    ),
    (
        "repos/exemplary",
        "settings/gates-renamed-check.json",
        1,
        &[
            ("pipeline-checks-not-required", MAIN_RULES_CHECKS),
            ("required-check-not-produced", MAIN_RULES_CHECKS),
        ],
    ),
    (
        "repos/exemplary",
        "settings/gates-self-review.json",
        0,
        &[(
            "environment-self-review",
            "environments/production/protection_rules",
        )],
    ),
    (
        "gates/renamed-check",
        "gates/renamed-check/settings.json",
        1,
        &[("required-check-not-produced", MAIN_RULES_CHECKS)],
    ),
    (
        "gates/renamed-check",
        "gates/renamed-check/settings-classic.json",
        1,
        &[("required-check-not-produced", MAIN_CLASSIC_CHECKS)],
    ),
    (
        "gates/renamed-check",
        "gates/renamed-check/settings-both.json",
        1,
        &[("required-check-not-produced", MAIN_RULES_CHECKS)],
    ),
    (
        "gates/renamed-check",
        "gates/renamed-check/settings-renamed.json",
        0,
        &[],
    ),
    (
        "gates/after-merge-tests",
        "gates/after-merge-tests/settings.json",
        1,
        &[("pipeline-checks-not-required", MAIN_RULES_CHECKS)],
    ),
    (
        "gates/after-merge-tests",
        "gates/after-merge-tests/settings-classic.json",
        1,
        &[("pipeline-checks-not-required", MAIN_CLASSIC_CHECKS)],
    ),
    (
        "gates/promotion",
        "gates/promotion/settings.json",
        0,
        &[
            (
                "promotion-order-not-enforced",
                "branches/main/rules/required_deployments",
            ),
            (
                "promotion-order-not-enforced",
                "branches/staging/rules/required_deployments",
            ),
        ],
    ),
    (
        "gates/promotion",
        "gates/promotion/settings-classic.json",
        0,
        &[
            (
                "promotion-order-not-enforced",
                "branches/main/rules/required_deployments",
            ),
            (
                "promotion-order-not-enforced",
                "branches/staging/rules/required_deployments",
            ),
        ],
    ),
    (
        "gates/promotion",
        "gates/promotion/settings-enforced.json",
        0,
        &[],
    ),
    (
        "gates/promotion",
        "gates/promotion/settings-policies-refused.json",
        0,
        &[
            (
                "promotion-order-not-enforced",
                "branches/staging/rules/required_deployments",
            ),
            (
                "settings-unreadable",
                "environments/production/deployment_branch_policy",
            ),
        ],
    ),
];

/// The `(rule, setting)` of every settings finding of a JSON report.
fn settings_findings(out: &Output) -> BTreeSet<(String, String)> {
    let doc = json(out);
    assert_eq!(doc["errors"], json!([]), "{}", stderr(out));
    assert_eq!(
        doc["summary"]["settings_evaluated"],
        true,
        "{}",
        stderr(out)
    );
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            let setting = f["setting"].as_str()?;
            Some((f["rule"].as_str().unwrap().to_string(), setting.to_string()))
        })
        .collect()
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(r, s)| (r.to_string(), s.to_string()))
        .collect()
}

fn offline(repo: &str, settings: &str, extra: &[&str]) -> Output {
    let repo = testdata(repo);
    let settings = testdata(settings);
    let mut args = vec![
        "audit",
        "--settings",
        settings.to_str().unwrap(),
        repo.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    shiplint(&args)
}

#[test]
fn each_scenario_fires_exactly_its_rules_from_a_settings_file() {
    for (repo, settings, code, expected) in CASES {
        let out = offline(repo, settings, &["-f", "json"]);
        assert_eq!(
            settings_findings(&out),
            set(expected),
            "{repo} with {settings}"
        );
        assert_eq!(
            out.status.code(),
            Some(*code),
            "exit code, {repo} with {settings}"
        );
    }
}

/// The fake GitHub's routes that serve the settings document `doc` as GitHub's endpoints
/// would: the repository, each branch's classic protection (a body, 404 "Branch not
/// protected", or 404 "Not Found" when hidden) and rules, the rulesets, the environments
/// and their deployment branch policies (403 when refused).
fn routes(doc: &Json) -> Vec<(String, Vec<Reply>)> {
    let mut routes = vec![(REPO.to_string(), vec![Reply::recorded(200, "repo.json")])];
    for (name, b) in doc["branches"].as_object().unwrap() {
        let protection = match (&b["readable"], &b["protection"]) {
            (Json::Bool(true), Json::Null) => Reply::json(
                404,
                json!({"message": "Branch not protected", "documentation_url": "https://docs.github.com/rest/branches/branch-protection#get-branch-protection", "status": "404"}),
            ),
            (Json::Bool(true), body) => Reply::ok(body),
            _ => Reply::recorded(404, "error-not-found.json"),
        };
        routes.push((
            format!("{REPO}/branches/{name}/protection"),
            vec![protection],
        ));
        routes.push((
            format!("{REPO}/rules/branches/{name}"),
            vec![Reply::ok(&b["rules"])],
        ));
    }
    for r in doc["rulesets"].as_array().into_iter().flatten() {
        routes.push((format!("{REPO}/rulesets/{}", r["id"]), vec![Reply::ok(r)]));
    }
    let mut listed = Vec::new();
    for e in doc["environments"].as_array().unwrap() {
        let mut e = e.clone();
        let fields = e.as_object_mut().unwrap();
        let policies = fields.remove("branch_policies");
        let readable = fields.remove("branch_policies_readable");
        fields.remove("branch_policies_error");
        let path = format!(
            "{REPO}/environments/{}/deployment-branch-policies",
            e["name"].as_str().unwrap()
        );
        match (policies, readable) {
            (_, Some(Json::Bool(false))) => routes.push((
                path,
                vec![Reply::json(
                    403,
                    json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest/deployments/branch-policies#list-deployment-branch-policies", "status": "403"}),
                )],
            )),
            (Some(items), _) => routes.push((
                path,
                vec![Reply::ok(json!({"total_count": items.as_array().unwrap().len(), "branch_policies": items}))],
            )),
            _ => {}
        }
        listed.push(e);
    }
    routes.push((
        format!("{REPO}/environments"),
        vec![Reply::ok(
            json!({"total_count": listed.len(), "environments": listed}),
        )],
    ));
    routes
}

/// `shiplint audit REPO --repo octo-org/octo-repo` with a token, against the fake GitHub
/// serving the settings file.
fn online(repo: &str, settings: &str, extra: &[&str]) -> (Output, FakeGithub) {
    let text = std::fs::read_to_string(testdata(settings)).unwrap();
    let doc: Json = serde_json::from_str(&text).unwrap();
    let routes = routes(&doc);
    let server = FakeGithub::start(
        routes
            .iter()
            .map(|(p, r)| (p.as_str(), r.clone()))
            .collect(),
    );
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shiplint"))
        .arg("audit")
        .arg(testdata(repo))
        .args([
            "--repo",
            "octo-org/octo-repo",
            "--github-url",
            server.url(),
            "--no-cache",
        ])
        .args(extra)
        .current_dir(crate::root())
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_HOST")
        .env("GH_TOKEN", TOKEN)
        .env("XDG_CACHE_HOME", cache.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("the shiplint binary runs");
    (out, server)
}

#[test]
fn each_scenario_fires_exactly_its_rules_online() {
    for (repo, settings, code, expected) in CASES {
        let (out, server) = online(repo, settings, &["-f", "json"]);
        assert_eq!(
            settings_findings(&out),
            set(expected),
            "{repo} online with {settings}; requests: {:?}",
            server.paths()
        );
        assert_eq!(
            out.status.code(),
            Some(*code),
            "exit code, {repo} online with {settings}"
        );
    }
}

#[test]
fn branch_policies_are_fetched_for_the_promotion() {
    let (_, server) = online(
        "gates/promotion",
        "gates/promotion/settings.json",
        &["-f", "json"],
    );
    let paths = server.paths();
    for env in ["staging", "production"] {
        let path = format!("{REPO}/environments/{env}/deployment-branch-policies");
        assert!(
            paths.iter().any(|p| p.starts_with(&path)),
            "{path} not in {paths:?}"
        );
    }
    for branch in ["develop", "staging", "main"] {
        let path = format!("{REPO}/rules/branches/{branch}");
        assert!(
            paths.iter().any(|p| p.starts_with(&path)),
            "{path} not in {paths:?}"
        );
    }
}

/// The one finding of `rule` in a JSON report.
fn finding<'a>(doc: &'a Json, rule: &str) -> &'a Json {
    let found: Vec<&Json> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect();
    assert_eq!(found.len(), 1, "{rule}: {found:#?}");
    found[0]
}

#[test]
fn the_finding_names_the_check_to_require_and_the_job_that_reports_it() {
    let out = offline(
        "repos/exemplary",
        "settings/gates-build-required-rulesets.json",
        &["-f", "json"],
    );
    let doc = json(&out);
    let f = finding(&doc, "pipeline-checks-not-required");
    assert_eq!(
        f["message"],
        "main requires `build`, not the checks of the jobs that gate the release image: require `Tests and lint`"
    );
    let related = f["related"].as_array().unwrap();
    assert_eq!(related.len(), 1, "{related:#?}");
    assert_eq!(related[0]["file"], ".github/workflows/ci.yml");
    // `test:` of ci.yml, the job whose check is missing.
    assert_eq!(related[0]["line"], 23);
    assert_eq!(
        related[0]["message"],
        "require `Tests and lint` (the tests this job runs gate the release)"
    );
}

#[test]
fn a_renamed_check_is_named_with_the_names_its_jobs_report_now() {
    let out = offline(
        "gates/renamed-check",
        "gates/renamed-check/settings.json",
        &["-f", "json"],
    );
    let doc = json(&out);
    let f = finding(&doc, "required-check-not-produced");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.starts_with("main requires `test`, `unit` (bound to GitHub Actions), but no job of a workflow that runs on its pull requests reports them"),
        "{message}"
    );
    let labels: BTreeSet<&str> = f["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        BTreeSet::from([
            "reports `Tests and lint`: require this name instead of `test`",
            "reports `unit (18)`: require this name instead of `unit`",
            "reports `unit (20)`: require this name instead of `unit`",
        ])
    );
}

#[test]
fn tests_that_run_only_after_the_merge_are_said_to_be_unrequirable() {
    let out = offline(
        "gates/after-merge-tests",
        "gates/after-merge-tests/settings.json",
        &["-f", "json"],
    );
    let doc = json(&out);
    let f = finding(&doc, "pipeline-checks-not-required");
    assert_eq!(
        f["message"],
        "main requires `Semantic pull request title`, not the checks of the jobs that gate the release image: `test` (.github/workflows/release.yml) runs only after the merge, so no required check can wait for it: run it on `pull_request` too and require its check"
    );
}

#[test]
fn human_report_of_a_gate_left_out() {
    // Relative paths: the report names the repository as it was given.
    let out = shiplint(&[
        "audit",
        "--color",
        "never",
        "--settings",
        "testdata/settings/gates-renamed-check.json",
        "testdata/repos/exemplary",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("gates_human", stdout(&out));
}

#[test]
fn sarif_keeps_one_result_per_branch_and_rule_with_the_jobs_as_related_locations() {
    let out = offline(
        "gates/promotion",
        "gates/promotion/settings.json",
        &["-f", "sarif"],
    );
    let doc = json(&out);
    let results: Vec<&Json> = doc["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["results"].as_array().unwrap())
        .filter(|r| r["ruleId"] == "promotion-order-not-enforced")
        .collect();
    assert_eq!(results.len(), 2, "{results:#?}");
    let mut fingerprints = BTreeSet::new();
    for r in &results {
        fingerprints.insert(r["partialFingerprints"]["primaryLocationLineHash"].to_string());
        let related = r["relatedLocations"].as_array().unwrap();
        assert_eq!(related.len(), 2, "{related:#?}");
        for l in related {
            assert_eq!(
                l["physicalLocation"]["artifactLocation"]["uri"],
                ".github/workflows/deploy.yml"
            );
            assert!(l["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("deploys "));
        }
    }
    assert_eq!(fingerprints.len(), 2);
}

#[test]
fn without_settings_the_gate_rules_are_not_evaluated() {
    for repo in [
        "gates/promotion",
        "gates/renamed-check",
        "gates/after-merge-tests",
    ] {
        let out = shiplint(&["audit", "-f", "json", testdata(repo).to_str().unwrap()]);
        let doc = json(&out);
        assert_eq!(doc["summary"]["settings_evaluated"], false);
        assert_eq!(doc["findings"], json!([]), "{repo}: {}", stdout(&out));
    }
}

#[test]
fn the_order_is_a_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("shiplint.yml");
    // Production right after development: main must require development, not staging.
    std::fs::write(
        &config,
        "rules:\n  promotion-order-not-enforced:\n    params:\n      order: [development, production]\n",
    )
    .unwrap();
    let out = offline(
        "gates/promotion",
        "gates/promotion/settings.json",
        &["-f", "json", "--config", config.to_str().unwrap()],
    );
    let doc = json(&out);
    let f = finding(&doc, "promotion-order-not-enforced");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.starts_with("main deploys to `production`, but merging into main does not require a successful deployment to `development` first (deployed from `develop`)"),
        "{message}"
    );
}
