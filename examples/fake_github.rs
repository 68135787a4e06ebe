//! The fake GitHub of the tests as a server of its own, for the org-sweep benchmark
//! (`bench/org-sweep.sh`): a generated organization of N repositories, every one active,
//! each answer delayed by a fixed latency. Prints its URL, then serves until killed.
//!
//!   cargo run --release --example fake_github -- --repos 500 --latency-ms 20 --org bench-org
//!
//! `--slow-drip I` makes repository I a hostile one: its tree drips one byte every
//! `--drip-ms` (default 5000) of a 1 MB body, each read well inside any idle timeout.
//!
//! `GET /_stats` answers `{"requests": N}`: the requests served so far.

// The tests' support code, compiled here too: this binary uses the server, not the helpers
// only tests call.
#[allow(dead_code)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::time::Duration;

use support::fake_github::{FakeGithub, Reply};
use support::synthetic_org::SyntheticOrg;

/// What the command line asks for.
struct Options {
    org: String,
    repos: usize,
    latency: Duration,
    /// The repository whose tree drips, if any.
    slow_drip: Option<usize>,
    drip: Duration,
}

fn options() -> Result<Options, String> {
    let mut opts = Options {
        org: "bench-org".to_string(),
        repos: 500,
        latency: Duration::from_millis(20),
        slow_drip: None,
        drip: Duration::from_secs(5),
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
            "--slow-drip" => opts.slow_drip = Some(number()? as usize),
            "--drip-ms" => opts.drip = Duration::from_millis(number()?),
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
                "fake_github: {e}\nusage: fake_github [--org NAME] [--repos N] [--latency-ms MS] [--slow-drip I] [--drip-ms MS]"
            );
            std::process::exit(2);
        }
    };
    let org = SyntheticOrg::new(&opts.org, opts.repos).all_active();
    let mut setup = FakeGithub::setup().org(org.clone()).latency(opts.latency);
    if let Some(i) = opts.slow_drip {
        let body = format!("{{\"tree\": [], \"pad\": \"{}\"}}", " ".repeat(1 << 20));
        setup = setup.reply(&org.tree_path(i), vec![Reply::ok(body).drip(1, opts.drip)]);
    }
    let server = setup.start();
    println!("{}", server.url());
    loop {
        std::thread::park();
    }
}
