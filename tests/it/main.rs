//! The integration tests: one binary, one module per area. Tests read as specifications;
//! fixtures live under `testdata/`, one small repository per scenario.

mod architecture;
mod bad_input;
mod branch_policies;
mod callgraph;
mod catalog;
mod check_names;
mod cli;
mod config;
mod fixtures;
mod gates;
mod github;
mod honest;
mod hostile;
mod hostile_server;
mod install;
mod labels;
mod merge;
mod outputs;
mod policies;
mod rego;
mod reports;
mod robustness;
mod scale;
mod settings;
mod support;
mod sweep;
mod trace;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project root (where `testdata/` is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn testdata(rel: &str) -> PathBuf {
    root().join("testdata").join(rel)
}

/// Runs the real binary with `args` in `cwd`, with no GitHub token in its environment.
pub fn shiplint_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiplint"))
        .args(args)
        .current_dir(cwd)
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_HOST")
        .env("NO_COLOR", "1")
        .output()
        .expect("the shiplint binary runs")
}

pub fn shiplint(args: &[&str]) -> Output {
    shiplint_in(&root(), args)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(o),
            stderr(o)
        )
    })
}

/// A loopback port nobody listens on (bound, noted, closed): an unreachable API.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
