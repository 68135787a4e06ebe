//! Honest output: whatever the format, a run says on standard error what it could not
//! audit and how it ended; it never applies one input where another was meant (one
//! repository's settings to many, a mistyped path read as a repository), and a mistake in
//! an ignore or a user policy is said without hiding the built-in findings.

use crate::{closed_port, json, shiplint, stderr, stdout};

const UNPARSABLE: &str = "testdata/repos/unparsable-workflow";
const BROKEN_YAML: &str =
    "error: testdata/repos/unparsable-workflow/.github/workflows/release.yml:4:5: invalid YAML";
const SUMMARY: &str =
    "shiplint: 0 errors, 1 warning in 1 file of 1 repository; 1 input could not be audited (see above)";

#[test]
fn every_format_says_on_stderr_why_it_exits_2_to_stdout_or_to_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let formats = [
        "json", "sarif", "markdown", "csv", "html", "github", "short",
    ];
    for format in formats {
        let file = tmp.path().join(format!("report.{format}"));
        let file = file.to_str().unwrap();
        for extra in [vec![], vec!["-o", file]] {
            let mut args = vec!["audit", "-f", format, UNPARSABLE];
            args.extend(extra.iter().copied());
            let out = shiplint(&args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert!(err.contains(BROKEN_YAML), "{args:?}: {err}");
            assert!(err.contains(SUMMARY), "{args:?}: {err}");
        }
    }
}

#[test]
fn the_human_report_ends_with_the_summary_once_and_on_stderr_when_written_to_a_file() {
    let out = shiplint(&["audit", UNPARSABLE]);
    assert!(stdout(&out).contains(SUMMARY));
    assert!(
        !stderr(&out).contains("shiplint: 0 errors"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains(BROKEN_YAML));

    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("report.txt");
    let out = shiplint(&["audit", UNPARSABLE, "-o", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(BROKEN_YAML));
    assert!(stderr(&out).contains(SUMMARY), "{}", stderr(&out));
}

#[test]
fn what_sarif_to_a_file_prints_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("x.sarif");
    let out = shiplint(&[
        "audit",
        "-f",
        "sarif",
        "-o",
        file.to_str().unwrap(),
        UNPARSABLE,
    ]);
    insta::assert_snapshot!("stderr_beside_sarif", stderr(&out));
}

#[test]
fn merge_says_on_stderr_what_its_reports_could_not_audit() {
    let tmp = tempfile::tempdir().unwrap();
    let shard = tmp.path().join("shard.json");
    let shard = shard.to_str().unwrap();
    let out = shiplint(&["audit", "-f", "json", "-o", shard, UNPARSABLE]);
    assert_eq!(out.status.code(), Some(2));
    let out = shiplint(&["merge", "-f", "sarif", shard]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(BROKEN_YAML), "{}", stderr(&out));
    assert!(stderr(&out).contains(SUMMARY), "{}", stderr(&out));
}

#[test]
fn settings_of_one_repository_are_refused_for_a_folder_of_many() {
    let out = shiplint(&[
        "audit",
        "--settings",
        "testdata/settings/weak.json",
        "testdata/repos",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--settings FILE holds the settings of one repository, and the paths hold"),
        "{err}"
    );
    assert!(err.contains("testdata/repos/breaks-everything"), "{err}");
    assert!(stdout(&out).is_empty(), "nothing is audited");

    // One repository: its settings apply.
    let out = shiplint(&[
        "audit",
        "-f",
        "json",
        "--settings",
        "testdata/settings/weak.json",
        "testdata/repos/exemplary",
    ]);
    assert_eq!(json(&out)["summary"]["settings_evaluated"], true);
}

#[test]
fn a_mistyped_path_of_two_parts_is_said_both_ways_and_sends_no_request() {
    // `testdata/` is a folder here: `testdata/repo` is a path with a typo far more often
    // than the GitHub repository `testdata/repo`. An API at a closed port would fail with
    // exit 3, so exit 2 proves no request was sent.
    let api = format!("http://127.0.0.1:{}", closed_port());
    let out = shiplint(&["audit", "--github-url", &api, "testdata/repo"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "`testdata/repo`: no such file or folder (the folder `testdata` has no `repo`)"
        ),
        "{err}"
    );
    assert!(
        err.contains("read as the GitHub repository testdata/repo, it is not audited either: no GitHub token is set"),
        "{err}"
    );

    let out = shiplint(&["audit", "--offline", "testdata/repo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(
        "`testdata/repo` is no file or folder here, and --offline cannot audit it as the GitHub repository testdata/repo"
    ));
}

#[test]
fn a_repository_name_that_is_no_path_is_audited_online_and_says_so() {
    let api = format!("http://127.0.0.1:{}", closed_port());
    let out = shiplint(&["audit", "--github-url", &api, "no-such-owner/api"]);
    let err = stderr(&out);
    assert!(
        err.contains("`no-such-owner/api` is no file or folder here: auditing it as the GitHub repository no-such-owner/api, without a token (public repositories only)"),
        "{err}"
    );
    // It went to the API, which could not be reached.
    assert_eq!(out.status.code(), Some(3), "{err}");
}

#[test]
fn a_mistyped_rule_in_an_inline_ignore_is_a_notice_at_the_id_with_the_closest_rule() {
    let out = shiplint(&["audit", "testdata/repos/ignore-typo"]);
    // A notice: the finding it meant to silence is reported, the exit code is the findings'.
    assert_eq!(out.status.code(), Some(1));
    let notice = "notice: testdata/repos/ignore-typo/.github/workflows/deploy.yml:20:90: `# shiplint: ignore[static-cloud-credentialz]` names no rule (did you mean `static-cloud-credentials`?): it silences nothing";
    assert!(stderr(&out).contains(notice), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 error, 0 warnings in 1 file of 1 repository; 1 ignored; 1 notice")
    );

    for format in ["json", "sarif"] {
        let out = shiplint(&["audit", "-f", format, "testdata/repos/ignore-typo"]);
        assert!(stderr(&out).contains(notice), "{format}: {}", stderr(&out));
    }
    let doc = json(&shiplint(&[
        "audit",
        "-f",
        "json",
        "testdata/repos/ignore-typo",
    ]));
    let notices = doc["notices"].as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0]["file"], ".github/workflows/deploy.yml");
    assert_eq!(notices[0]["line"], 20);
    assert_eq!(notices[0]["column"], 90);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn a_broken_policy_directory_keeps_the_built_in_rules_reporting() {
    let out = shiplint(&[
        "audit",
        "-f",
        "json",
        "--policy",
        "testdata/policies/broken",
        "testdata/repos/static-keys",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let doc = json(&out);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["static-cloud-credentials", "static-cloud-credentials"]
    );
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["kind"], "policy");
    let err = stderr(&out);
    assert!(
        err.contains("error: policy testdata/policies/broken/broken.rego")
            && err.contains("not loaded (--policy testdata/policies/broken; every other rule ran)"),
        "{err}"
    );

    // A working directory beside it still loads: its rule runs.
    let out = shiplint(&[
        "audit",
        "-f",
        "json",
        "--policy",
        "testdata/policies/broken",
        "--policy",
        "testdata/policies/ecr-only",
        "testdata/repos/ecr-push",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let doc = json(&out);
    assert!(doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "ecr-only"));

    // The catalog is about the policies: there the broken directory stops the command.
    let out = shiplint(&["rules", "--policy", "testdata/policies/broken"]);
    assert_eq!(out.status.code(), Some(2));
}
