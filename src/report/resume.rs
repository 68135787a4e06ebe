//! The resume file of a sweep: which repositories are finished, with their results (the
//! `--format json` document of those repositories), and which were still to do. `audit
//! --resume FILE` reads it, audits only the rest, and writes it back.
//!
//! A repository that failed is not finished: a resumed sweep tries it again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{json, Value as Json};

use super::load::MalformedReport;
use crate::audit::AuditReport;
use crate::report;

/// The default resume file when `--no-wait` stops a sweep without `--resume FILE`.
pub const DEFAULT_FILE: &str = "shiplint-resume.json";

pub const RESUME_VERSION: u64 = 1;

/// The finished part of an interrupted sweep.
pub struct Resume {
    pub report: AuditReport,
    pub finished: BTreeSet<String>,
}

/// Why the resume file cannot be used (or written).
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a resume file: {source}", path.display())]
    NotJson {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{} is not a shiplint resume file (version {RESUME_VERSION})", path.display())]
    Version { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Report {
        path: PathBuf,
        source: MalformedReport,
    },
    #[error("cannot encode the resume file: {0}")]
    Encode(serde_json::Error),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Reads a resume file; a missing file is an empty resume (a first run).
pub fn load(path: &Path) -> Result<Resume, ResumeError> {
    let at = || path.to_path_buf();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Resume {
                report: AuditReport::default(),
                finished: BTreeSet::new(),
            })
        }
        Err(source) => return Err(ResumeError::Read { path: at(), source }),
    };
    let doc: Json = serde_json::from_str(&text)
        .map_err(|source| ResumeError::NotJson { path: at(), source })?;
    if doc["shiplint_resume"].as_u64() != Some(RESUME_VERSION) {
        return Err(ResumeError::Version { path: at() });
    }
    let report = report::load::from_json(&doc["report"])
        .map_err(|source| ResumeError::Report { path: at(), source })?;
    let finished = report.repos.iter().map(|r| r.display.clone()).collect();
    Ok(Resume { report, finished })
}

/// Writes the finished repositories of `report` (errors of repositories that failed are
/// left out, so they are retried) and the `pending` ones.
pub fn save(path: &Path, report: &AuditReport, pending: &[String]) -> Result<(), ResumeError> {
    let finished: BTreeSet<&str> = report.repos.iter().map(|r| r.display.as_str()).collect();
    let mut doc: Json =
        serde_json::from_str(&report::json::render(report)).map_err(ResumeError::Encode)?;
    if let Some(errors) = doc["errors"].as_array_mut() {
        errors.retain(|e| {
            e["repository"]
                .as_str()
                .is_none_or(|r| finished.contains(r))
        });
    }
    let out = json!({
        "shiplint_resume": RESUME_VERSION,
        "finished": finished,
        "pending": pending,
        "report": doc,
    });
    let text = serde_json::to_string_pretty(&out).unwrap_or_default() + "\n";
    // Write beside, then rename: an interrupted write never leaves half a file.
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|source| ResumeError::Write {
            path: path.to_path_buf(),
            source,
        })
}
