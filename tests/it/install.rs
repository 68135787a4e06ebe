//! Installing shiplint without a Rust toolchain (docs/install.md): the wheel's metadata,
//! the release workflow, the pre-commit hooks, shell completions and the man page. Building and installing the wheel needs the network (maturin from PyPI),
//! so it is tried by hand and not here.

use std::collections::BTreeMap;
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
fn release_workflow_and_own_workflows_pass_their_audit() {
    audits_clean(".github/workflows/release.yml");
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
