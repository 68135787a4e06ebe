//! The call graph reaches every file a pipeline runs: the repository's own workflows and
//! actions named in full, composite actions wherever `uses: ./path` finds them, and what
//! is not audited is said to be so in notices that never change the exit code.

use std::path::Path;

use crate::{json, shiplint, shiplint_in, stderr, stdout, testdata};

const NOT_AUDITED: &str = "testdata/repos/not-audited";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn files_and_references_that_are_not_audited_are_notices_on_stderr() {
    let out = shiplint(&["audit", NOT_AUDITED]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    let expected = [
        "notice: testdata/repos/not-audited/.github/workflows/old/legacy.yaml: not audited: GitHub runs only the workflow files at the top level of .github/workflows",
        "notice: testdata/repos/not-audited/.github/workflows/templates/job.yml: not audited",
        "notice: testdata/repos/not-audited/.github/workflows/ci.yml:16:15: `uses: ./ci/actions/missing` names no action of this repository",
        "notice: testdata/repos/not-audited/.github/workflows/ci.yml:17:15: `uses: ../elsewhere/action` names a path outside the repository",
        "notice: testdata/repos/not-audited/.github/workflows/ci.yml:21:11: `uses: ./.github/workflows/gone.yml` names no workflow of this repository",
    ];
    for line in expected {
        assert!(err.lines().any(|l| l.starts_with(line)), "{line}\n{err}");
    }
    assert!(!err.contains("error:"), "{err}");
    assert!(
        stdout(&out)
            .contains("shiplint: no findings in 1 file of 1 repository; 5 notices (see above)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn notices_in_json_sarif_github_markdown_and_csv() {
    let doc = json(&shiplint(&["audit", NOT_AUDITED, "-f", "json"]));
    assert_eq!(doc["summary"]["notices"], 5);
    assert_eq!(doc["summary"]["input_errors"], 0);
    assert_eq!(doc["errors"], serde_json::json!([]));
    let missing = doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["line"] == 16)
        .expect("the dangling `uses: ./ci/actions/missing`");
    assert_eq!(missing["repository"], NOT_AUDITED);
    assert_eq!(missing["file"], ".github/workflows/ci.yml");
    assert_eq!(missing["column"], 15);

    let out = shiplint(&["audit", NOT_AUDITED, "-f", "sarif"]);
    assert_eq!(out.status.code(), Some(0));
    let sarif = json(&out);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 5);
    assert!(notes.iter().all(|n| n["level"] == "note"), "{notes:?}");

    let out = shiplint(&["audit", NOT_AUDITED, "-f", "github"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("::notice file=testdata/repos/not-audited/.github/workflows/ci.yml,line=16,col=15,title=shiplint did not audit this::`uses: ./ci/actions/missing`"),
        "{text}"
    );
    assert!(!text.contains("::error"), "{text}");

    let text = stdout(&shiplint(&["audit", NOT_AUDITED, "-f", "markdown"]));
    assert!(text.contains("### Not audited (5 notices)"), "{text}");
    assert!(!text.contains("Could not be audited"), "{text}");

    let text = stdout(&shiplint(&["audit", NOT_AUDITED, "-f", "csv"]));
    assert_eq!(text.matches(",notice,").count(), 5, "{text}");
}

#[test]
fn a_clean_repository_has_no_notices() {
    let doc = json(&shiplint(&[
        "audit",
        "testdata/repos/exemplary",
        "-f",
        "json",
    ]));
    assert_eq!(doc["notices"], serde_json::json!([]));
    assert_eq!(doc["summary"]["notices"], 0);
}

/// A clone of `Acme/Shop` (its `origin` remote) calling its own files by their full name.
fn own_clone() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".git/config",
        "[remote \"origin\"]\n\turl = git@github.com:Acme/Shop.git\n",
    );
    write(
        root,
        ".github/workflows/ci.yml",
        "on:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: acme/shop/tools/setup@main\n  deploy:\n    uses: acme/shop/.github/workflows/deploy.yml@main\n  gone:\n    uses: acme/shop/.github/workflows/gone.yml@main\n  theirs:\n    uses: acme/platform/.github/workflows/deploy.yml@main\n",
    );
    write(
        root,
        ".github/workflows/deploy.yml",
        "on: workflow_call\njobs:\n  rollout:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo deploy\n",
    );
    write(
        root,
        "tools/setup/action.yml",
        "name: Setup\nruns:\n  using: composite\n  steps:\n    - run: make setup\n      shell: bash\n",
    );
    dir
}

#[test]
fn own_files_named_in_full_resolve_through_the_origin_remote() {
    let dir = own_clone();
    let input = json(&shiplint_in(dir.path(), &["input", "."]));
    let wf = input[0]["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["path"] == ".github/workflows/ci.yml")
        .unwrap();
    let job = |id: &str| {
        wf["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["id"] == id)
            .unwrap()
            .clone()
    };
    let deploy = job("deploy");
    assert_eq!(deploy["uses"]["resolved"], ".github/workflows/deploy.yml");
    assert_eq!(deploy["uses"]["ref_kind"], "local");
    assert_eq!(deploy["uses"]["owner"], "acme");
    assert_eq!(deploy["uses"]["ref"], "main");
    assert_eq!(deploy["calls"]["workflow"], ".github/workflows/deploy.yml");
    let step = &job("test")["steps"][0];
    assert_eq!(step["uses"]["resolved"], "tools/setup/action.yml");
    assert_eq!(step["action"]["path"], "tools/setup/action.yml");
    // Not ours, and ours but absent: parsed as written, unresolved.
    for id in ["theirs", "gone"] {
        let u = &job(id)["uses"];
        assert_eq!(u["ref_kind"], "branch", "{id}");
        assert!(u.get("resolved").is_none(), "{id}");
    }

    let out = shiplint_in(dir.path(), &["audit", ".", "-f", "json"]);
    let doc = json(&out);
    let unpinned: Vec<u64> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unpinned-action")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(unpinned, vec![14, 16], "gone.yml and acme/platform only");
    assert_eq!(
        doc["summary"]["files"], 3,
        "the action under tools/ is audited"
    );
    let notices: Vec<&str> = doc["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        notices,
        vec!["`uses: acme/shop/.github/workflows/gone.yml@main` names no workflow of this repository (no file `.github/workflows/gone.yml`): not audited"]
    );
}

#[test]
fn a_folder_name_alone_does_not_make_a_missing_file_a_notice() {
    // `testdata/rules/unpinned-action/other-repository-by-full-name` calls
    // `acme/other-repository-by-full-name/.github/workflows/missing.yml@main`: maybe ours,
    // maybe not; it stays a remote reference, without a notice.
    let r = testdata("rules/unpinned-action/other-repository-by-full-name");
    let doc = json(&shiplint(&["audit", r.to_str().unwrap(), "-f", "json"]));
    assert_eq!(doc["notices"], serde_json::json!([]));
}

#[cfg(unix)]
#[test]
fn a_referenced_action_behind_a_symlink_out_of_the_repository_is_not_read() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "actions/x/action.yml",
        "runs:\n  using: composite\n  steps:\n    - run: aws configure set aws_access_key_id \"$K\"\n      shell: bash\n",
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ./ci/actions/x\n",
    );
    std::os::unix::fs::symlink(outside.path(), dir.path().join("ci")).unwrap();
    let out = shiplint_in(dir.path(), &["audit", ".", "-f", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let doc = json(&out);
    assert_eq!(doc["findings"], serde_json::json!([]));
    assert_eq!(doc["errors"][0]["file"], "ci/actions/x/action.yml");
    assert_eq!(
        doc["errors"][0]["message"],
        "skipped: symlink points outside the repository"
    );
    assert_eq!(
        doc["notices"],
        serde_json::json!([]),
        "an error, not also a notice"
    );
}

#[test]
fn a_referenced_action_over_the_size_cap_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ./ci/big\n",
    );
    write(
        dir.path(),
        "ci/big/action.yaml",
        &format!(
            "name: big\n# {}\nruns:\n  using: composite\n  steps: []\n",
            "x".repeat(300)
        ),
    );
    let out = shiplint_in(
        dir.path(),
        &["audit", ".", "--max-file-size", "200", "-f", "json"],
    );
    assert_eq!(out.status.code(), Some(2));
    let doc = json(&out);
    assert_eq!(doc["errors"][0]["file"], "ci/big/action.yaml");
    assert!(doc["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("over the size cap"));
}
