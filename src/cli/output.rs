//! Where reports go: standard output or `--output FILE` (split SARIF files beside it),
//! and whether they are coloured.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::error::Error;
use crate::report::{self, Format, Rendered};

use super::ColorChoice;

/// Whether to colour, given the choice and whether the stream is a terminal.
pub fn use_color(choice: ColorChoice, to_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Whether the report itself goes to a terminal (standard output, not `--output`).
pub fn report_to_terminal(output: Option<&Path>) -> bool {
    output.is_none() && std::io::stdout().is_terminal()
}

/// Prints the warnings, then writes the outputs: to `path` (SARIF split into
/// `path`, `path.2.sarif`, … when there are several), else to standard output.
pub fn write_rendered(
    format: Format,
    rendered: &Rendered,
    path: Option<&Path>,
) -> Result<(), Error> {
    eprint!("{}", rendered.warnings);
    match (path, rendered.outputs.as_slice()) {
        (Some(path), outputs) if format == Format::Sarif => {
            for (n, text) in outputs.iter().enumerate() {
                let target = report::sarif::split_path(path, n);
                write(Some(&target), text)?;
                if outputs.len() > 1 {
                    eprintln!("wrote {}", target.display());
                }
            }
            Ok(())
        }
        (path, outputs) => write(path, &outputs.concat()),
    }
}

/// Writes `text` to `path`, or to standard output.
pub fn write(path: Option<&Path>, text: &str) -> Result<(), Error> {
    match path {
        Some(p) => std::fs::write(p, text).map_err(|source| Error::Write {
            path: p.to_path_buf(),
            source,
        }),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .map_err(|e| {
                    // A closed pipe (`shiplint audit | head`) is not an error worth reporting.
                    if e.kind() == std::io::ErrorKind::BrokenPipe {
                        Error::BrokenPipe
                    } else {
                        Error::Stdout(e)
                    }
                })
        }
    }
}
