//! Where repositories come from: the local disk now; the GitHub API for remote audits.
//! Every source yields the same [`Repository`]: parsed files plus the input errors met.

pub mod github;
pub mod local;

use std::path::PathBuf;
use std::sync::Arc;

use crate::discover::FileKind;
use crate::finding::InputError;
use crate::model::RepositoryInfo;
use crate::yaml;

/// One parsed YAML file of a repository.
pub struct LoadedFile {
    /// Repo-relative path with forward slashes.
    pub rel: String,
    pub kind: FileKind,
    pub text: Arc<str>,
    pub doc: yaml::Document,
}

/// A repository ready to be modelled: its parsed files and what could not be loaded.
pub struct Repository {
    pub root: Option<PathBuf>,
    pub display: String,
    pub info: RepositoryInfo,
    pub files: Vec<LoadedFile>,
    pub errors: Vec<InputError>,
    /// Repository settings (`input.settings`), when known: `--settings FILE` or the API.
    pub settings: Option<serde_json::Value>,
}

impl Repository {
    pub fn file(&self, rel: &str) -> Option<&LoadedFile> {
        self.files.iter().find(|f| f.rel == rel)
    }
}

/// Decodes and parses one file's bytes. Errors carry file:line:col where known.
pub fn parse_file(rel: &str, kind: FileKind, bytes: Vec<u8>) -> Result<LoadedFile, InputError> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            return Err(InputError::at(
                rel,
                line,
                column,
                format!("not valid UTF-8 (invalid byte 0x{:02x})", bytes[valid]),
            ));
        }
    };
    let text: Arc<str> = Arc::from(text);
    match yaml::parse(&text) {
        Ok(doc) => Ok(LoadedFile {
            rel: rel.to_string(),
            kind,
            text,
            doc,
        }),
        Err(e) => Err(InputError::at(
            rel,
            e.line,
            e.column,
            format!("invalid YAML: {}", e.message),
        )),
    }
}
