use std::process::ExitCode;

use clap::Parser;

// Auditing allocates and frees many small values (YAML nodes, JSON, regorus values): with
// glibc's allocator about a third of the run went to malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = shiplint::cli::Cli::parse();
    ExitCode::from(shiplint::run::run(cli))
}
