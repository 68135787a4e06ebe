use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = shiplint::cli::Cli::parse();
    ExitCode::from(shiplint::run::run(cli))
}
