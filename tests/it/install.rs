//! Installing shiplint: shell completions and the man page.

use std::process::Command;

use clap::CommandFactory;

use crate::{shiplint, stderr, stdout};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every subcommand a user can type (`help` aside), from the clap definition itself.
fn subcommands() -> Vec<String> {
    shiplint::cli::Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect()
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
