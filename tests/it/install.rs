//! Installing shiplint without a Rust toolchain (docs/install.md): the wheel's metadata,
//! the release workflow, the GitHub Action, the pre-commit hooks, shell completions and
//! the man page. Building and installing the wheel needs the network (maturin from PyPI),
//! so it is tried by hand and not here.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use clap::CommandFactory;
use serde_json::Value;

use crate::{json, root, shiplint, shiplint_in, stderr, stdout};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every subcommand a user can type (`help` aside), from the clap definition itself.
fn subcommands() -> Vec<String> {
    shiplint::cli::Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect()
}

fn yaml(rel: &str) -> Value {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    shiplint_yaml::parse(&text)
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .to_json()
}

fn toml(rel: &str) -> toml::Table {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

// ---- completions and man page ----

#[test]
fn completions_for_every_shell_name_every_subcommand_and_option() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = shiplint(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for sub in subcommands() {
            assert!(script.contains(&sub), "{shell}: `{sub}` is not completed");
        }
        // fish spells a long option `-l fail-on`, the others `--fail-on`.
        for flag in ["fail-on", "format", "baseline", "powershell"] {
            assert!(script.contains(flag), "{shell}: `{flag}` is not completed");
        }
    }
    let out = shiplint(&["completions", "tcsh"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

/// Sources the bash script and asks it what `words` (the last one being typed) complete to.
fn bash_complete(script: &str, words: &[&str]) -> Vec<String> {
    let line = words.join(" ");
    let program = format!(
        "{script}\nCOMP_WORDS=({line}); COMP_CWORD={}; COMP_LINE='{line}'; \
         COMP_POINT=${{#COMP_LINE}}\n_shiplint shiplint '{}' '{}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        words.len() - 1,
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(program)
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().map(str::to_string).collect()
}

#[test]
fn bash_completes_subcommands_flags_and_their_values() {
    let script = stdout(&shiplint(&["completions", "bash"]));
    assert_eq!(bash_complete(&script, &["shiplint", "au"]), ["audit"]);
    assert_eq!(
        bash_complete(&script, &["shiplint", "audit", "--fail-o"]),
        ["--fail-on"]
    );
    assert_eq!(
        bash_complete(&script, &["shiplint", "audit", "--fail-on", ""]),
        ["error", "warning", "note", "never"]
    );
    assert_eq!(
        bash_complete(&script, &["shiplint", "completions", "p"]),
        ["powershell"]
    );
}

#[test]
fn the_man_page_lists_every_subcommand_and_the_exit_codes() {
    let out = shiplint(&["man"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(
        page.contains(&format!(".TH shiplint 1  \"shiplint {VERSION}\"")),
        "{page}"
    );
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH SUBCOMMANDS",
    ] {
        assert!(page.contains(section), "{section} missing");
    }
    for sub in subcommands() {
        let entry = format!(".TP\nshiplint\\-{}(1)\n", sub.replace('-', "\\-"));
        assert!(page.contains(&entry), "`{sub}` is not in SUBCOMMANDS");
    }
    let exit = &page[page.find(".SH \"EXIT STATUS\"").expect("EXIT STATUS")..];
    for code in 0..=3 {
        assert!(
            exit.contains(&format!(".TP\n\\fB{code}\\fR\n")),
            "exit {code}"
        );
    }
    assert!(!page.contains("shiplint\\-help(1)"), "`help` has no page");
}

#[test]
fn man_dir_writes_one_page_per_subcommand() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man1");
    let out = shiplint(&["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut expected: Vec<String> = subcommands()
        .iter()
        .map(|s| format!("shiplint-{s}.1"))
        .collect();
    expected.push("shiplint.1".into());
    expected.sort();
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, expected);
    let audit = std::fs::read_to_string(dir.join("shiplint-audit.1")).unwrap();
    assert!(audit.starts_with(".ie"), "roff: {audit}");
    assert!(audit.contains(".TH shiplint-audit 1"));
    assert!(audit.contains("\\-\\-fail\\-on"), "the options are listed");
    assert_eq!(
        std::fs::read_to_string(dir.join("shiplint.1")).unwrap(),
        stdout(&shiplint(&["man"])),
        "the printed page is the written one"
    );
}

// ---- the files a release ships and runs ----

/// `shiplint audit --fail-on note` of `rel` (a workflow, an action or a repository) finds
/// nothing.
fn audits_clean(rel: &str) {
    let out = shiplint(&["audit", "--offline", "--fail-on", "note", "-f", "json", rel]);
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{rel}: {:#}", doc["findings"]);
    assert_eq!(doc["summary"]["findings"], 0);
    assert_eq!(doc["errors"], serde_json::json!([]));
    assert!(
        doc["summary"]["files"].as_u64().unwrap() >= 1,
        "{rel} audited"
    );
}

#[test]
fn release_workflow_action_and_own_workflows_pass_their_audit() {
    audits_clean(".github/workflows/release.yml");
    audits_clean("action.yml");
    audits_clean(".");
}

#[test]
fn the_audit_of_the_release_workflow_would_catch_an_unpinned_action() {
    // The clean audit above means something: the same file with one tag pin is flagged.
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let pinned = "PyO3/maturin-action@e83996d129638aa358a18fbd1dfb82f0b0fb5d3b";
    assert!(text.contains(pinned));
    let file = tmp.path().join("release.yml");
    std::fs::write(&file, text.replace(pinned, "PyO3/maturin-action@v1")).unwrap();
    let out = shiplint_in(
        tmp.path(),
        &["audit", "--offline", "-f", "json", "release.yml"],
    );
    let doc = json(&out);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["unpinned-action", "unpinned-action"]);
}

#[test]
fn release_publishes_with_trusted_publishing_and_no_stored_token() {
    let wf = yaml(".github/workflows/release.yml");
    let text = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    assert!(!text.contains("secrets."), "no stored secret is used");
    assert_eq!(wf["permissions"], serde_json::json!({}));
    let pypi = &wf["jobs"]["pypi"];
    assert_eq!(pypi["environment"]["name"], "pypi");
    assert_eq!(
        pypi["permissions"],
        serde_json::json!({"id-token": "write"})
    );
    let publish = pypi["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("pypa/gh-action-pypi-publish@"))
        })
        .expect("the publish step");
    assert!(publish.get("with").is_none(), "no user or password given");
    let needs: Vec<&str> = pypi["needs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(
        needs,
        ["test", "wheels", "sdist"],
        "publishing waits for the tests"
    );
    let targets: Vec<&str> = wf["jobs"]["wheels"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    for os in ["linux", "apple-darwin", "windows"] {
        assert!(targets.iter().any(|t| t.contains(os)), "no {os} target");
    }
}

#[test]
fn python_package_metadata_agrees_with_cargo() {
    let wheel = toml("python/pyproject.toml");
    let project = &wheel["project"];
    assert_eq!(project["name"].as_str(), Some(env!("CARGO_PKG_NAME")));
    assert_eq!(project["license"].as_str(), Some(env!("CARGO_PKG_LICENSE")));
    // The version is Cargo's: maturin reads it from the manifest.
    assert!(project.get("version").is_none());
    assert!(project["dynamic"]
        .as_array()
        .unwrap()
        .contains(&"version".into()));
    let maturin = &wheel["tool"]["maturin"];
    assert_eq!(maturin["bindings"].as_str(), Some("bin"));
    assert_eq!(maturin["manifest-path"].as_str(), Some("../Cargo.toml"));
    assert_eq!(
        wheel["build-system"]["build-backend"].as_str(),
        Some("maturin")
    );

    // The root project, which pre-commit installs, installs that wheel at this version.
    let shim = toml("pyproject.toml");
    assert_eq!(shim["project"]["version"].as_str(), Some(VERSION));
    assert_eq!(
        shim["project"]["dependencies"],
        toml::Value::Array(vec![format!("shiplint=={VERSION}").into()])
    );
    assert_ne!(
        shim["build-system"]["build-backend"].as_str(),
        Some("maturin"),
        "installing the hook must not compile the crate"
    );
}

#[test]
fn pre_commit_hooks_from_source_and_from_the_wheel() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks: BTreeMap<&str, &Value> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["id"].as_str().unwrap(), h))
        .collect();
    assert_eq!(
        hooks.keys().copied().collect::<Vec<_>>(),
        ["shiplint", "shiplint-wheel"]
    );
    assert_eq!(hooks["shiplint"]["language"], "rust");
    assert_eq!(hooks["shiplint-wheel"]["language"], "python");
    for key in ["entry", "files", "pass_filenames"] {
        assert_eq!(
            hooks["shiplint"][key], hooks["shiplint-wheel"][key],
            "{key}"
        );
    }
}

// ---- the GitHub Action ----

#[test]
fn the_action_is_composite_pins_a_release_and_uploads_whatever_was_written() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    assert_eq!(action["inputs"]["version"]["default"], VERSION);
    assert_eq!(action["inputs"]["fail-on"]["default"], "error");
    let steps = action["runs"]["steps"].as_array().unwrap();
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    let pin = upload["uses"].as_str().unwrap().rsplit_once('@').unwrap().1;
    assert!(
        pin.len() == 40 && pin.chars().all(|c| c.is_ascii_hexdigit()),
        "{pin}"
    );
    assert!(upload["if"].as_str().unwrap().contains("!cancelled()"));
}

/// The action's `run:` steps in order (install aside, which needs PyPI: the binary under test
/// stands in for what it installs), with `${{ inputs.* }}` and `${{ steps.*.outputs.* }}` in
/// their `env:` evaluated as the runner does. The exit status of the last step, and the job
/// summary.
fn run_action_steps(inputs: &[(&str, &str)], workspace: &Path) -> (Option<i32>, String) {
    let action = yaml("action.yml");
    let mut values: BTreeMap<String, String> = action["inputs"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["default"].as_str().unwrap().to_string()))
        .collect();
    for (k, v) in inputs {
        values.insert(k.to_string(), v.to_string());
    }
    let runner = tempfile::tempdir().unwrap();
    let file = |name: &str| runner.path().join(name);
    // What the install step leaves for the others.
    let installed = format!("shiplint={}\n", env!("CARGO_BIN_EXE_shiplint"));
    std::fs::write(file("output"), installed).unwrap();
    let mut status = None;
    for step in action["runs"]["steps"].as_array().unwrap().iter().skip(1) {
        let Some(script) = step["run"].as_str() else {
            continue; // the upload: GitHub's own action
        };
        let outputs = std::fs::read_to_string(file("output")).unwrap_or_default();
        let mut cmd = Command::new("bash");
        // As the runner runs `shell: bash`.
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(workspace);
        for (k, v) in step["env"].as_object().unwrap() {
            cmd.env(k, expression(v.as_str().unwrap(), &values, &outputs));
        }
        let out = cmd
            .env("NO_COLOR", "1")
            .env("RUNNER_OS", "Linux")
            .env("GITHUB_OUTPUT", file("output"))
            .env("GITHUB_STEP_SUMMARY", file("summary"))
            .output()
            .unwrap();
        status = out.status.code();
        assert!(
            out.status.success() || step["name"] == "Gate on fail-on",
            "{}",
            stderr(&out)
        );
    }
    let summary = std::fs::read_to_string(file("summary")).unwrap_or_default();
    (status, summary)
}

/// `${{ inputs.NAME }}` or `${{ steps.ID.outputs.NAME }}` (from the `GITHUB_OUTPUT` lines;
/// the steps' outputs have distinct names).
fn expression(value: &str, inputs: &BTreeMap<String, String>, outputs: &str) -> String {
    let inner = value
        .strip_prefix("${{ ")
        .and_then(|v| v.strip_suffix(" }}"))
        .unwrap_or_else(|| panic!("not an expression: {value}"));
    if let Some(name) = inner.strip_prefix("inputs.") {
        return inputs[name].clone();
    }
    let name = inner
        .strip_prefix("steps.")
        .and_then(|v| v.split_once(".outputs."))
        .map(|(_, name)| name)
        .unwrap_or_else(|| panic!("unexpected expression: {value}"));
    outputs
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_action_writes_sarif_and_summary_and_fails_on_fail_on() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    copy_dir(&root().join("testdata/repos/static-keys"), &repo);
    let (status, summary) = run_action_steps(&[], &repo);
    assert_eq!(
        status,
        Some(1),
        "error findings fail the default `fail-on: error`"
    );
    assert!(summary.contains("static-cloud-credentials"), "{summary}");
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(repo.join("shiplint.sarif")).unwrap())
            .unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());

    let (status, _) = run_action_steps(&[("fail-on", "never"), ("summary", "false")], &repo);
    assert_eq!(status, Some(0));
    std::fs::remove_file(repo.join("shiplint.sarif")).unwrap();
    let (status, summary) = run_action_steps(&[("path", "missing")], &repo);
    assert_eq!(status, Some(2), "an input error is exit 2, and still gates");
    assert!(repo.join("shiplint.sarif").exists());
    assert!(summary.contains("shiplint"), "{summary}");
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

// ---- docs/ci.md ----

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

/// The fenced YAML blocks of a Markdown page.
fn yaml_blocks(page: &str) -> Vec<&str> {
    page.split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split_once("```").map(|(block, _)| block))
        .collect()
}

#[test]
fn the_ci_recipe_is_the_projects_workflow_and_uploads_after_exit_2() {
    let docs = read("docs/ci.md");
    let workflow = read(".github/workflows/shiplint.yml");
    let body = &workflow[workflow.find("name: shiplint").unwrap()..];
    assert!(
        yaml_blocks(&docs).contains(&body),
        "docs/ci.md shows .github/workflows/shiplint.yml as it is"
    );
    let wf = yaml(".github/workflows/shiplint.yml");
    for step in wf["jobs"]["audit"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .skip(3)
    {
        let cond = step["if"].as_str().unwrap_or_default();
        assert!(
            cond.contains("!cancelled()"),
            "{} runs after exit 2",
            step["name"]
        );
    }
}

#[test]
fn the_action_in_docs_uses_only_inputs_the_action_has() {
    let docs = read("docs/ci.md");
    let action = yaml("action.yml");
    let block = yaml_blocks(&docs)
        .into_iter()
        .find(|b| b.contains("uses: shiplint/shiplint@"))
        .expect("docs/ci.md shows the action");
    let wf = shiplint_yaml::parse(block).unwrap().to_json();
    let step = wf["jobs"]["audit"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .unwrap_or_default()
                .starts_with("shiplint/")
        })
        .unwrap();
    for key in step["with"].as_object().unwrap().keys() {
        assert!(action["inputs"].get(key).is_some(), "no input `{key}`");
    }
    assert_eq!(
        wf["jobs"]["audit"]["permissions"]["security-events"],
        "write"
    );
    for input in action["inputs"].as_object().unwrap().keys() {
        assert!(
            docs.contains(&format!("| `{input}` |")),
            "`{input}` is documented"
        );
    }
}
