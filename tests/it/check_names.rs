//! `jobs[].checks`: the check names GitHub gives each job, as a branch's required status
//! checks must spell them (`docs/input.md`, "Check names"). One fixture repository per
//! scenario under `testdata/check-names/`.

use serde_json::{json, Value};

use crate::{json, shiplint, shiplint_in};

/// The input document of a fixture under `testdata/check-names/`.
fn input(scenario: &str) -> Value {
    let out = shiplint(&["input", &format!("testdata/check-names/{scenario}")]);
    assert_eq!(out.status.code(), Some(0), "{}", crate::stderr(&out));
    json(&out)[0].clone()
}

/// The checks of job `id` of `.github/workflows/<file>`.
fn checks(input: &Value, file: &str, id: &str) -> Value {
    let path = format!(".github/workflows/{file}");
    let wf = input["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["path"] == path.as_str())
        .unwrap_or_else(|| panic!("no workflow {path}"));
    let job = wf["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == id)
        .unwrap_or_else(|| panic!("no job {id} in {path}"));
    job["checks"].clone()
}

/// Only the names (`null` for unknown ones).
fn names(input: &Value, file: &str, id: &str) -> Vec<Value> {
    checks(input, file, id)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect()
}

#[test]
fn a_job_is_checked_under_its_name_else_under_its_id() {
    let input = input("plain");
    assert_eq!(
        checks(&input, "ci.yml", "test"),
        json!([{"name": "test", "workflow": ".github/workflows/ci.yml",
                "events": ["pull_request", "push"]}])
    );
    assert_eq!(names(&input, "ci.yml", "lint"), [json!("Lint and format")]);
}

#[test]
fn matrix_jobs_append_the_values_of_each_combination_in_key_order() {
    let input = input("matrix-suffix");
    // `exclude` removed (windows-latest, 18); the first `include` extended the combination
    // it fits (its key last), the second fit none and was added as a combination.
    assert_eq!(
        names(&input, "ci.yml", "test"),
        [
            json!("Test (ubuntu-latest, 18)"),
            json!("Test (ubuntu-latest, 20, true)"),
            json!("Test (windows-latest, 20)"),
            json!("Test (macos-latest, 20)"),
        ]
    );
    // Numbers as GitHub prints them (YAML `3.10` is 3.1), booleans as `false`.
    assert_eq!(
        names(&input, "ci.yml", "python"),
        [
            json!("python (3.9, false)"),
            json!("python (3.1, false)"),
            json!("python (3.12, false)"),
        ]
    );
}

#[test]
fn a_name_with_matrix_expressions_gets_them_substituted_and_no_suffix() {
    let input = input("matrix-expression");
    assert_eq!(
        names(&input, "ci.yml", "test"),
        [
            json!("Node 20 on ubuntu-latest"),
            json!("Node 20 on macos-latest")
        ]
    );
    // A property of an object value.
    assert_eq!(
        names(&input, "ci.yml", "e2e"),
        [json!("E2E chromium"), json!("E2E firefox")]
    );
}

#[test]
fn jobs_of_a_called_workflow_are_named_after_their_caller() {
    let input = input("reusable");
    // A caller produces no check of its own.
    assert_eq!(checks(&input, "ci.yml", "image"), json!([]));
    assert_eq!(checks(&input, "ci.yml", "scan"), json!([]));
    // The caller's `name:`, or its id; the callee's `${{ inputs.x }}` as the caller binds it;
    // the run started by the caller's workflow, on its events.
    assert_eq!(
        checks(&input, "build.yml", "docker"),
        json!([{"name": "Build / Docker prod", "workflow": ".github/workflows/ci.yml",
                "events": ["pull_request", "push"]}])
    );
    assert_eq!(names(&input, "build.yml", "sbom"), [json!("Build / sbom")]);
    assert_eq!(names(&input, "scan.yml", "trivy"), [json!("scan / trivy")]);
    // Called only from other repositories: the caller's part is unknown.
    assert_eq!(
        checks(&input, "shared.yml", "audit"),
        json!([{"name": null, "pattern": "^.+ / Audit$",
                "workflow": ".github/workflows/shared.yml", "events": ["workflow_call"]}])
    );
}

#[test]
fn nested_calls_chain_the_names_of_every_caller() {
    let input = input("nested");
    assert_eq!(
        checks(&input, "deploy.yml", "deploy"),
        json!([{"name": "Release / stage / Deploy production (eu-west-1)",
                "workflow": ".github/workflows/release.yml", "events": ["push"]}])
    );
}

#[test]
fn a_caller_with_a_matrix_names_one_chain_per_combination() {
    let input = input("caller-matrix");
    // The caller's values in its own part; the inputs it binds from its matrix per chain.
    assert_eq!(
        names(&input, "deploy.yml", "rollout"),
        [
            json!("deploy (staging) / Roll out to staging"),
            json!("deploy (production) / Roll out to production"),
        ]
    );
    assert_eq!(
        names(&input, "deploy.yml", "smoke"),
        [
            json!("deploy (staging) / smoke (eu)"),
            json!("deploy (staging) / smoke (us)"),
            json!("deploy (production) / smoke (eu)"),
            json!("deploy (production) / smoke (us)"),
        ]
    );
}

#[test]
fn an_expression_the_files_cannot_resolve_makes_the_name_unknown() {
    let input = input("unresolvable");
    assert_eq!(
        checks(&input, "ci.yml", "build"),
        json!([{"name": null, "pattern": "^Build .+$", "workflow": ".github/workflows/ci.yml",
                "events": ["pull_request", "workflow_dispatch"]}])
    );
    // Nothing of it is known: no pattern.
    assert_eq!(
        checks(&input, "ci.yml", "label"),
        json!([{"name": null, "workflow": ".github/workflows/ci.yml",
                "events": ["pull_request", "workflow_dispatch"]}])
    );
}

#[test]
fn a_matrix_computed_at_run_time_or_beyond_github_s_cap_is_unknown() {
    let input = input("fromjson");
    let pattern = |id: &str| checks(&input, "ci.yml", id)[0]["pattern"].clone();
    assert_eq!(names(&input, "ci.yml", "test"), [Value::Null]);
    // Any suffix, or none (GitHub leaves it out when every value is empty).
    assert_eq!(pattern("test"), json!(r"^Test(?: \(.+\))?$"));
    assert_eq!(pattern("shard"), json!(r"^Shard .+$"));
    // 17 × 17 = 289 combinations: more than GitHub runs of one matrix.
    assert_eq!(pattern("huge"), json!(r"^huge(?: \(.+\))?$"));
    let re = regex::Regex::new(pattern("huge").as_str().unwrap()).unwrap();
    assert!(re.is_match("huge (1, 17)"));
    assert!(!re.is_match("huge-other (1, 17)"));
    assert_eq!(names(&input, "ci.yml", "plan"), [json!("plan")]);
}

#[test]
fn shiplint_input_shows_the_checks_of_every_job() {
    let input = input("caller-matrix");
    let mut by_job = serde_json::Map::new();
    for wf in input["workflows"].as_array().unwrap() {
        for job in wf["jobs"].as_array().unwrap() {
            let key = format!(
                "{} {}",
                wf["path"].as_str().unwrap(),
                job["id"].as_str().unwrap()
            );
            by_job.insert(key, job["checks"].clone());
        }
    }
    let text = serde_json::to_string_pretty(&by_job).unwrap();
    insta::assert_snapshot!("check_names_caller_matrix", text);
}

#[test]
fn odd_yaml_never_panics_and_what_it_hides_stays_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    let caller = "on: push\njobs:\n  a:\n    uses: ./.github/workflows/b.yml\n";
    std::fs::write(wf.join("a.yml"), caller).unwrap();
    // A call cycle (GitHub rejects it) and odd types where matrices and names go.
    let odd = "on: workflow_call\njobs:\n  loop:\n    uses: ./.github/workflows/b.yml\n  \
               s:\n    strategy: 5\n    runs-on: x\n  m:\n    strategy:\n      matrix: [1, 2]\n    \
               runs-on: x\n  i:\n    strategy:\n      matrix:\n        os: [a]\n        include: [1]\n    \
               runs-on: x\n  n:\n    name: {a: 1}\n    runs-on: x\n  e:\n    name: ''\n    runs-on: x\n";
    std::fs::write(wf.join("b.yml"), odd).unwrap();
    let out = shiplint_in(dir.path(), &["input", "."]);
    assert!(out.status.code().is_some(), "no crash");
    let doc = json(&out);
    let jobs = doc[0]["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["path"] == ".github/workflows/b.yml")
        .unwrap()["jobs"]
        .clone();
    let of = |id: &str| {
        jobs.as_array()
            .unwrap()
            .iter()
            .find(|j| j["id"] == id)
            .unwrap()["checks"][0]
            .clone()
    };
    for id in ["s", "m", "i"] {
        assert_eq!(of(id)["name"], Value::Null, "{id}");
        assert_eq!(
            of(id)["pattern"],
            json!(format!(r"^a / {id}(?: \(.+\))?$")),
            "{id}"
        );
    }
    // A name that is no text (GitHub rejects such a workflow) leaves the id; an empty one
    // is unknown.
    assert_eq!(of("n")["name"], "a / n");
    assert_eq!(of("e")["pattern"], r"^a / .+$");
}

#[test]
fn more_combinations_along_a_chain_than_one_matrix_may_have_collapse_into_one_pattern() {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    let sixteen: Vec<u32> = (1..=16).collect();
    let caller = format!(
        "on: pull_request\njobs:\n  c:\n    strategy:\n      matrix:\n        x: {sixteen:?}\n        \
         y: {sixteen:?}\n    uses: ./.github/workflows/t.yml\n"
    );
    std::fs::write(wf.join("c.yml"), caller).unwrap();
    let callee = "on: workflow_call\njobs:\n  t:\n    strategy:\n      matrix:\n        \
                  os: [linux, macos]\n    runs-on: x\n";
    std::fs::write(wf.join("t.yml"), callee).unwrap();
    let doc = json(&shiplint_in(dir.path(), &["input", "."]));
    let checks = doc[0]["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["path"] == ".github/workflows/t.yml")
        .unwrap()["jobs"][0]["checks"]
        .clone();
    // 16 × 16 × 2 = 512 names: more than the 256 of one matrix.
    assert_eq!(
        checks,
        json!([{"name": null, "pattern": r"^c(?: \(.+\))? / t(?: \(.+\))?$",
                "workflow": ".github/workflows/c.yml", "events": ["pull_request"]}])
    );
    let re = regex::Regex::new(checks[0]["pattern"].as_str().unwrap()).unwrap();
    assert!(re.is_match("c (16, 3) / t (macos)"));
}
