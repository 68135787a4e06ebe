//! Deployment branch policies of environments (issue #14): fetched online for the
//! environments with custom policies (`GET …/environments/{env}/deployment-branch-policies`,
//! against the fake GitHub), or read from `--settings FILE`; kept with GitHub's fields,
//! and recorded as unreadable, never as "none", when the token cannot see them.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value as Json};
use shiplint::github::{settings, Client, ClientOptions, GithubError, Token};

use crate::support::fake_github::{FakeGithub, Reply};
use crate::{json, shiplint, stderr, stdout, testdata};

const ENVIRONMENTS: &str = "/repos/octo-org/octo-repo/environments";
const PRODUCTION: &str =
    "/repos/octo-org/octo-repo/environments/production/deployment-branch-policies";
const STAGING: &str = "/repos/octo-org/octo-repo/environments/staging/deployment-branch-policies";

fn body(file: &str) -> Json {
    let text = std::fs::read_to_string(testdata(&format!("github/{file}"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The routes of `main` (full classic protection, the rules with a required deployment,
/// their ruleset) and of the environments list `environments`.
fn routes(environments: Reply) -> Vec<(&'static str, Vec<Reply>)> {
    vec![
        (
            "/repos/octo-org/octo-repo/branches/main/protection",
            vec![Reply::recorded(200, "branch-protection-full.json")],
        ),
        (
            "/repos/octo-org/octo-repo/rules/branches/main",
            vec![Reply::recorded(200, "rules-branch-deployments.json")],
        ),
        (
            "/repos/octo-org/octo-repo/rulesets/21886181",
            vec![Reply::recorded(200, "ruleset.json")],
        ),
        (ENVIRONMENTS, vec![environments]),
    ]
}

fn client(server: &FakeGithub) -> Client {
    let mut o = ClientOptions::new(server.url().to_string(), Some(Token::new("ghp_test")));
    o.backoff = Duration::ZERO;
    o.max_wait = Duration::ZERO;
    o.timeout = Duration::from_secs(5);
    o.retries = 0;
    Client::new(o).unwrap()
}

/// `settings::fetch` of `octo-org/octo-repo` for its branch `main`.
fn fetch(server: &FakeGithub) -> Result<Json, GithubError> {
    let branches = BTreeSet::from(["main".to_string()]);
    settings::fetch(&client(server), "octo-org/octo-repo", &branches)
}

/// The environment `name` of a settings document.
fn environment<'a>(doc: &'a Json, name: &str) -> &'a Json {
    doc["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no environment {name} in {doc}"))
}

fn forbidden() -> Reply {
    Reply::json(
        403,
        json!({"message": "Resource not accessible by integration",
               "documentation_url": "https://docs.github.com/rest/deployments/branch-policies#list-deployment-branch-policies",
               "status": "403"}),
    )
}

#[test]
fn policies_are_fetched_for_the_environments_with_custom_policies_only() {
    let mut routes = routes(Reply::recorded(200, "environments-custom-policies.json"));
    routes.push((
        PRODUCTION,
        vec![Reply::recorded(200, "deployment-branch-policies.json")],
    ));
    routes.push((
        STAGING,
        vec![Reply::recorded(
            200,
            "deployment-branch-policies-staging.json",
        )],
    ));
    let server = FakeGithub::start(routes);
    let doc = fetch(&server).unwrap();

    let production = environment(&doc, "production");
    assert_eq!(
        production["branch_policies"],
        body("deployment-branch-policies.json")["branch_policies"],
        "GitHub's fields, as sent"
    );
    assert_eq!(production["branch_policies_readable"], true);
    assert!(production.get("branch_policies_error").is_none());
    assert_eq!(
        environment(&doc, "staging")["branch_policies"][0]["name"],
        "release/*"
    );
    // `development` lets any branch deploy: it has no custom policies to ask for.
    let development = environment(&doc, "development").as_object().unwrap();
    assert!(!development.contains_key("branch_policies"));
    assert!(!development.contains_key("branch_policies_readable"));

    // The request budget: 2 per branch, 1 per repository ruleset, 1 per page of
    // environments, 1 per page of each custom-policy environment's policies.
    assert_eq!(
        server.paths(),
        vec![
            "/repos/octo-org/octo-repo/branches/main/protection".to_string(),
            "/repos/octo-org/octo-repo/rules/branches/main".to_string(),
            "/repos/octo-org/octo-repo/rulesets/21886181".to_string(),
            format!("{ENVIRONMENTS}?per_page=100"),
            format!("{STAGING}?per_page=100"),
            format!("{PRODUCTION}?per_page=100"),
        ]
    );
}

/// `n` policies named `release/<i>` in GitHub's item shape, ids from `first`.
fn policy_items(first: u64, n: u64) -> Vec<Json> {
    (first..first + n)
        .map(|id| json!({"id": id, "node_id": format!("BP_{id}"), "name": format!("release/{id}"), "type": "branch"}))
        .collect()
}

#[test]
fn policy_pages_are_followed_through_the_link_header() {
    let page1 = Reply::ok(json!({"total_count": 101, "branch_policies": policy_items(1, 100)}))
        .header(
            "link",
            &format!("<{{base}}{PRODUCTION}?per_page=100&page=2>; rel=\"next\", <{{base}}{PRODUCTION}?per_page=100&page=2>; rel=\"last\""),
        );
    let page2 = Reply::ok(json!({"total_count": 101, "branch_policies": policy_items(101, 1)}));
    let first = format!("{PRODUCTION}?per_page=100");
    let second = format!("{PRODUCTION}?per_page=100&page=2");
    let mut routes = routes(Reply::recorded(200, "environments-custom-policies.json"));
    routes.push((first.as_str(), vec![page1]));
    routes.push((second.as_str(), vec![page2]));
    routes.push((
        STAGING,
        vec![Reply::recorded(
            200,
            "deployment-branch-policies-staging.json",
        )],
    ));
    let server = FakeGithub::start(routes);
    let doc = fetch(&server).unwrap();
    let production = environment(&doc, "production");
    let names: Vec<&str> = production["branch_policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 101);
    assert_eq!(names[100], "release/101");
    assert_eq!(production["branch_policies_readable"], true);
    let paths = server.paths();
    assert!(
        paths.contains(&first) && paths.contains(&second),
        "{paths:?}"
    );
}

#[test]
fn environment_pages_are_followed_and_their_policies_fetched() {
    let mut envs = body("environments-custom-policies.json");
    let production = envs["environments"].as_array_mut().unwrap().pop().unwrap();
    let page1 = Reply::ok(envs).header(
        "link",
        &format!("<{{base}}{ENVIRONMENTS}?per_page=100&page=2>; rel=\"next\""),
    );
    let page2 = Reply::ok(json!({"total_count": 3, "environments": [production]}));
    let second = format!("{ENVIRONMENTS}?per_page=100&page=2");
    let mut routes = routes(page1);
    routes.push((second.as_str(), vec![page2]));
    routes.push((
        PRODUCTION,
        vec![Reply::recorded(200, "deployment-branch-policies.json")],
    ));
    routes.push((
        STAGING,
        vec![Reply::recorded(
            200,
            "deployment-branch-policies-staging.json",
        )],
    ));
    let server = FakeGithub::start(routes);
    let doc = fetch(&server).unwrap();
    assert_eq!(doc["environments"].as_array().unwrap().len(), 3);
    assert_eq!(
        environment(&doc, "production")["branch_policies"][1]["type"],
        "tag"
    );
}

#[test]
fn policies_the_token_cannot_read_are_unreadable_not_empty() {
    for refusal in [forbidden(), Reply::recorded(404, "error-not-found.json")] {
        let status = refusal.status;
        let mut routes = routes(Reply::recorded(200, "environments-custom-policies.json"));
        routes.push((PRODUCTION, vec![refusal]));
        routes.push((
            STAGING,
            vec![Reply::recorded(
                200,
                "deployment-branch-policies-staging.json",
            )],
        ));
        let server = FakeGithub::start(routes);
        let doc = fetch(&server).unwrap();
        let production = environment(&doc, "production");
        assert_eq!(production["branch_policies"], json!([]), "{status}");
        assert_eq!(production["branch_policies_readable"], false, "{status}");
        let expected = match status {
            403 => "403 Resource not accessible by integration",
            _ => "404 Not Found",
        };
        assert_eq!(production["branch_policies_error"], expected);
        // The other environment is judged as usual.
        assert_eq!(
            environment(&doc, "staging")["branch_policies_readable"],
            true
        );
    }
}

#[test]
fn an_unexpected_status_for_policies_is_an_error() {
    let mut routes = routes(Reply::recorded(200, "environments-custom-policies.json"));
    routes.push((PRODUCTION, vec![Reply::server_error(502)]));
    routes.push((
        STAGING,
        vec![Reply::recorded(
            200,
            "deployment-branch-policies-staging.json",
        )],
    ));
    let server = FakeGithub::start(routes);
    match fetch(&server) {
        Err(GithubError::Status { status, path, .. }) => {
            assert_eq!(status, 502);
            assert_eq!(path, format!("{PRODUCTION}?per_page=100"));
        }
        other => panic!("expected a status error, got {other:?}"),
    }
}

#[test]
fn a_policies_body_of_the_wrong_shape_is_an_error() {
    let staging_ok = Reply::recorded(200, "deployment-branch-policies-staging.json");
    // Not the documented object: the request is named.
    let mut served = routes(Reply::recorded(200, "environments-custom-policies.json"));
    served.push((PRODUCTION, vec![Reply::ok(json!([{"name": "main"}]))]));
    served.push((STAGING, vec![staging_ok.clone()]));
    let server = FakeGithub::start(served);
    match fetch(&server) {
        Err(GithubError::Invalid { path, reason }) => {
            assert_eq!(path, format!("{PRODUCTION}?per_page=100"));
            assert!(reason.contains("`branch_policies` array"), "{reason}");
        }
        other => panic!("expected an invalid body, got {other:?}"),
    }
    // A policy of a type GitHub does not have: the settings document is refused.
    let odd =
        json!({"total_count": 1, "branch_policies": [{"id": 1, "name": "main", "type": "ref"}]});
    let mut served = routes(Reply::recorded(200, "environments-custom-policies.json"));
    served.push((PRODUCTION, vec![Reply::ok(odd)]));
    served.push((STAGING, vec![staging_ok]));
    let server = FakeGithub::start(served);
    match fetch(&server) {
        Err(GithubError::Invalid { reason, .. }) => assert!(
            reason.contains(
                "$.environments[2].branch_policies[0].type: must be \"branch\" or \"tag\""
            ),
            "{reason}"
        ),
        other => panic!("expected an invalid body, got {other:?}"),
    }
}

#[test]
fn an_environment_name_is_one_percent_encoded_segment() {
    let mut envs = body("environments-custom-policies.json");
    envs["environments"][2]["name"] = json!("prod/eu west 1");
    let encoded =
        "/repos/octo-org/octo-repo/environments/prod%2Feu%20west%201/deployment-branch-policies";
    let mut routes = routes(Reply::ok(envs));
    routes.push((
        encoded,
        vec![Reply::recorded(200, "deployment-branch-policies.json")],
    ));
    routes.push((
        STAGING,
        vec![Reply::recorded(
            200,
            "deployment-branch-policies-staging.json",
        )],
    ));
    let server = FakeGithub::start(routes);
    let doc = fetch(&server).unwrap();
    assert_eq!(
        environment(&doc, "prod/eu west 1")["branch_policies"][0]["name"],
        "main"
    );
    assert!(server.paths().contains(&format!("{encoded}?per_page=100")));
}

#[test]
fn input_shows_the_branch_policies_of_a_settings_file() {
    let out = shiplint(&[
        "input",
        "--settings",
        testdata("settings/branch-policies-unreadable.json")
            .to_str()
            .unwrap(),
        "testdata/repos/exemplary",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json(&out);
    let settings = &doc[0]["settings"];
    let staging = environment(settings, "staging");
    assert_eq!(
        staging["branch_policies"],
        body("deployment-branch-policies-staging.json")["branch_policies"]
    );
    assert_eq!(staging["branch_policies_readable"], true);
    let production = environment(settings, "production");
    assert_eq!(production["branch_policies"], json!([]));
    assert_eq!(production["branch_policies_readable"], false);
    assert_eq!(
        production["branch_policies_error"],
        "403 Resource not accessible by integration"
    );
    let rules = settings["branches"]["main"]["rules"].as_array().unwrap();
    let deployments = rules
        .iter()
        .find(|r| r["type"] == "required_deployments")
        .unwrap();
    assert_eq!(
        deployments["parameters"]["required_deployment_environments"],
        json!(["staging"])
    );
}

/// `shiplint input` with a settings file whose only environment is `production` plus
/// `fields`: the exit code, the environment as validated, and stderr.
fn input_with_environment(fields: Json) -> (Option<i32>, Json, String) {
    let tmp = tempfile::tempdir().unwrap();
    let mut env = json!({"name": "production",
                         "deployment_branch_policy": {"protected_branches": false, "custom_branch_policies": true}});
    env.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    let file = tmp.path().join("gates-settings.json");
    std::fs::write(&file, json!({ "environments": [env] }).to_string()).unwrap();
    let out = shiplint(&[
        "input",
        "--settings",
        file.to_str().unwrap(),
        "testdata/repos/exemplary",
    ]);
    let doc = match out.status.code() {
        Some(0) => json(&out)[0]["settings"]["environments"][0].clone(),
        _ => Json::Null,
    };
    (out.status.code(), doc, stderr(&out))
}

#[test]
fn settings_files_get_the_defaults_of_branch_policies() {
    // Policies given: read. A policy without `type` (bodies from before tag policies) is a
    // branch policy.
    let (code, env, err) = input_with_environment(json!({"branch_policies": [{"name": "main"}]}));
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        env["branch_policies"],
        json!([{"name": "main", "type": "branch"}])
    );
    assert_eq!(env["branch_policies_readable"], true);
    // Neither given: not fetched, and the document says nothing about them.
    let (code, env, err) = input_with_environment(json!({}));
    assert_eq!(code, Some(0), "{err}");
    assert!(env.get("branch_policies").is_none() && env.get("branch_policies_readable").is_none());
    // Unreadable: an empty list, so that policies never meet a missing collection.
    let (_, env, _) = input_with_environment(
        json!({"branch_policies_readable": false, "branch_policies_error": "404 Not Found"}),
    );
    assert_eq!(env["branch_policies"], json!([]));
    assert_eq!(env["branch_policies_error"], "404 Not Found");
}

#[test]
fn malformed_branch_policies_in_a_settings_file_are_usage_errors() {
    let cases = [
        (json!({"branch_policies": {"main": true}}), "$.environments[0].branch_policies: must be an array of policies"),
        (json!({"branch_policies": [{"name": "v*", "type": "release"}]}), "$.environments[0].branch_policies[0].type: must be \"branch\" or \"tag\", found \"release\""),
        (json!({"branch_policies": [], "branch_policies_readable": "yes"}), "$.environments[0].branch_policies_readable: must be a boolean, found a string"),
        (json!({"protection_rules": [{"type": "required_reviewers", "prevent_self_review": 1}]}), "$.environments[0].protection_rules[0].prevent_self_review: must be a boolean, found a number"),
    ];
    for (fields, expected) in cases {
        let (code, _, err) = input_with_environment(fields.clone());
        assert_eq!(code, Some(2), "{fields}: {err}");
        assert!(err.contains(expected), "{fields}: {err}");
        assert!(err.contains("gates-settings.json"), "names the file: {err}");
    }
}

#[test]
fn malformed_merge_gate_rules_in_a_settings_file_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            json!({"type": "required_status_checks", "parameters": {"required_status_checks": [{"context": "test", "integration_id": "15368"}]}}),
            "$.branches[\"main\"].rules[0].parameters.required_status_checks[0].integration_id: must be a number (an app's id) or null, found a string",
        ),
        (
            json!({"type": "required_deployments", "parameters": {"required_deployment_environments": [["staging"]]}}),
            "$.branches[\"main\"].rules[0].parameters.required_deployment_environments[0]: must be an environment name (a string), found an array",
        ),
    ];
    for (rule, expected) in cases {
        let file = tmp.path().join("rules.json");
        let doc =
            json!({"branches": {"main": {"protection": null, "readable": true, "rules": [rule]}}});
        std::fs::write(&file, doc.to_string()).unwrap();
        let out = shiplint(&[
            "audit",
            "--settings",
            file.to_str().unwrap(),
            "testdata/repos/exemplary",
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
    }
}

#[test]
fn the_merge_gate_fixtures_are_valid_settings() {
    for name in ["merge-gates", "branch-policies-unreadable"] {
        let file = testdata(&format!("settings/{name}.json"));
        let out = shiplint(&[
            "input",
            "--settings",
            file.to_str().unwrap(),
            "testdata/repos/exemplary",
        ]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let settings = &json(&out)[0]["settings"];
        assert_eq!(
            environment(settings, "production")["deployment_branch_policy"]
                ["custom_branch_policies"],
            true
        );
    }
}
