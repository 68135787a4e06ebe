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
        Some(p) => replace_file(p, text).map_err(|source| Error::Write {
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

/// Replaces the file at `path` with `text`: written in full to a new file beside it, then
/// renamed over it. A failure leaves the previous report whole (never a truncated one),
/// a reader never sees half a report, and a symlink at `path` (a checked-out repository
/// can plant one) is replaced, never written through.
fn replace_file(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let mut n = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        // `create_new`: never opens (or follows) something already there.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(file) => break (tmp, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    };
    // The report being replaced keeps its permissions (a private report stays private).
    if let Ok(old) = std::fs::symlink_metadata(path) {
        if old.is_file() {
            let _ = file.set_permissions(old.permissions());
        }
    }
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
