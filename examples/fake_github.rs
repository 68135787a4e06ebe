//! The fake GitHub of the tests as a server of its own, for the org-sweep benchmark
//! (`bench/org-sweep.sh`): a generated organization of N repositories, every one active,
//! each answer delayed by a fixed latency. Prints its URL, then serves until killed.
//!
//!   cargo run --release --example fake_github -- --repos 500 --latency-ms 20 --org bench-org
//!
//! `GET /_stats` answers `{"requests": N}`: the requests served so far.

// The tests' support code, compiled here too: this binary uses the server, not the helpers
// only tests call.
#[allow(dead_code)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::time::Duration;

use support::fake_github::FakeGithub;
use support::synthetic_org::SyntheticOrg;

/// What the command line asks for.
struct Options {
    org: String,
    repos: usize,
    latency: Duration,
}

fn options() -> Result<Options, String> {
    let mut opts = Options {
        org: "bench-org".to_string(),
        repos: 500,
        latency: Duration::from_millis(20),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        match flag.as_str() {
            "--org" => opts.org = value.clone(),
            "--repos" => opts.repos = number()? as usize,
            "--latency-ms" => opts.latency = Duration::from_millis(number()?),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(opts)
}

fn main() {
    let opts = match options() {
        Ok(opts) => opts,
        Err(e) => {
            eprintln!(
                "fake_github: {e}\nusage: fake_github [--org NAME] [--repos N] [--latency-ms MS]"
            );
            std::process::exit(2);
        }
    };
    let org = SyntheticOrg::new(&opts.org, opts.repos).all_active();
    let server = FakeGithub::setup().org(org).latency(opts.latency).start();
    println!("{}", server.url());
    loop {
        std::thread::park();
    }
}
