use std::process::ExitCode;

use clap::Parser;
use shiplint::error::Error;
use shiplint::escape;

// Auditing allocates and frees many small values (YAML nodes, JSON, regorus values): with
// glibc's allocator about a third of the run went to malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // regorus makes and discards `anyhow` errors on some hot paths (resolving the path of
    // a call to an extension, as our `regex.*` functions are, goes through one); with
    // `RUST_BACKTRACE=1` in the environment, as many developers and CI images have it,
    // each captures a backtrace, which took a third of an audit's instructions. Library
    // backtraces are off unless asked for by name; panics still print theirs under
    // `RUST_BACKTRACE`. (Set before any thread starts: the standard library reads the
    // variable once.)
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
    }
    let cli = shiplint::cli::Cli::parse();
    match shiplint::cli::run(cli) {
        Ok(status) => status.into(),
        Err(e) => {
            if e.is_reported() {
                // Paths and messages may come from audited inputs: no raw control
                // characters, and one line unless it is a policy's error with its snippet.
                let text = e.to_string();
                let text = match e {
                    Error::Policy(_) | Error::BuiltinPolicy(_) => escape::lines(&text),
                    _ => escape::line(&text),
                };
                eprintln!("error: {text}");
            }
            e.exit_status().into()
        }
    }
}
