//! The resume file of a sweep: which repositories are finished, with their results (the
//! `--format json` document of those repositories), and which were still to do. `audit
//! --resume FILE` reads it, audits only the rest, and writes it back.
//!
//! While a sweep runs, each repository it finishes is appended at once to the progress
//! log beside the file (`FILE.progress`, [`ProgressLog`]), one line each: a sweep that is
//! killed loses nothing it finished. Reading the resume file reads the log too (a last
//! line cut short by the kill is left out); writing it folds the log in and removes it.
//!
//! A repository that failed is not finished: a resumed sweep tries it again.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde_json::{json, Value as Json};

use super::load::MalformedReport;
use crate::audit::{AuditReport, RepoOutcome};
use crate::report;
use crate::suppress::Baseline;

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

/// The progress log of the resume file `path`: `FILE.progress`.
pub fn progress_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".progress");
    PathBuf::from(name)
}

/// Reads a resume file and its progress log; a missing file is an empty resume (a first
/// run, or one killed before it wrote its file).
pub fn load(path: &Path) -> Result<Resume, ResumeError> {
    let mut report = match read(path)? {
        Some(text) => file_report(path, &text)?,
        None => AuditReport::default(),
    };
    let log = progress_path(path);
    if let Some(text) = read(&log)? {
        let mut lines = text.split('\n').peekable();
        while let Some(line) = lines.next() {
            let last = lines.peek().is_none();
            if line.trim().is_empty() {
                continue;
            }
            let doc: Json = match serde_json::from_str(line) {
                Ok(doc) => doc,
                // The line a kill cut short: that repository was not finished.
                Err(_) if last => break,
                Err(source) => return Err(ResumeError::NotJson { path: log, source }),
            };
            let part =
                report::load::from_json(&doc["report"]).map_err(|source| ResumeError::Report {
                    path: log.clone(),
                    source,
                })?;
            let known: BTreeSet<&str> = report.repos.iter().map(|r| r.display.as_str()).collect();
            if part
                .repos
                .iter()
                .any(|r| !known.contains(r.display.as_str()))
            {
                report.combine(part);
            }
        }
    }
    let finished = report.repos.iter().map(|r| r.display.clone()).collect();
    Ok(Resume { report, finished })
}

/// The text of `path`, `None` when there is no such file.
fn read(path: &Path) -> Result<Option<String>, ResumeError> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ResumeError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The finished repositories of a resume file's text.
fn file_report(path: &Path, text: &str) -> Result<AuditReport, ResumeError> {
    let at = || path.to_path_buf();
    let doc: Json =
        serde_json::from_str(text).map_err(|source| ResumeError::NotJson { path: at(), source })?;
    if doc["shiplint_resume"].as_u64() != Some(RESUME_VERSION) {
        return Err(ResumeError::Version { path: at() });
    }
    report::load::from_json(&doc["report"])
        .map_err(|source| ResumeError::Report { path: at(), source })
}

/// Writes the finished repositories of `report` (errors of repositories that failed are
/// left out, so they are retried) and the `pending` ones, then removes the progress log
/// (`report` holds what it held).
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
        })?;
    match std::fs::remove_file(progress_path(path)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(ResumeError::Write {
            path: progress_path(path),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// The progress log of a running sweep (see the module's documentation).
pub struct ProgressLog {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl ProgressLog {
    /// Starts the log of a sweep resuming `prior` (what [`load`] read): the resume file
    /// is written with it first (folding in the log of a killed run), then a new, empty
    /// log is opened.
    pub fn start(path: &Path, prior: &AuditReport) -> Result<ProgressLog, ResumeError> {
        save(path, prior, &[])?;
        let log = progress_path(path);
        let file = std::fs::File::create(&log).map_err(|source| ResumeError::Write {
            path: log.clone(),
            source,
        })?;
        Ok(ProgressLog {
            path: log,
            file: Mutex::new(file),
        })
    }

    /// Appends one finished repository (its report alone, `baseline` applied as the
    /// sweep's report will have it) as one line, written at once.
    pub fn record(
        &self,
        outcome: &RepoOutcome,
        baseline: Option<&Baseline>,
    ) -> Result<(), ResumeError> {
        let mut one = AuditReport {
            findings: outcome.findings.clone(),
            errors: outcome.errors.clone(),
            notices: outcome.notices.clone(),
            policy_errors: outcome.policy_errors.clone(),
            config_errors: outcome.config_errors.clone(),
            ignored: outcome.ignored.clone(),
            repos: vec![outcome.summary.clone()],
            ..AuditReport::default()
        };
        if let Some(baseline) = baseline {
            one.baseline_suppressed = baseline.suppress(&mut one.findings);
        }
        let doc: Json =
            serde_json::from_str(&report::json::render(&one)).map_err(ResumeError::Encode)?;
        let mut line = json!({ "report": doc }).to_string();
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        file.write_all(line.as_bytes())
            .map_err(|source| ResumeError::Write {
                path: self.path.clone(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::RepoSummary;

    fn outcome(name: &str) -> RepoOutcome {
        RepoOutcome {
            summary: RepoSummary {
                display: name.to_string(),
                files: 1,
                ..RepoSummary::default()
            },
            findings: Vec::new(),
            errors: Vec::new(),
            notices: Vec::new(),
            policy_errors: Vec::new(),
            config_errors: Vec::new(),
            sources: Vec::new(),
            ignored: Vec::new(),
        }
    }

    fn finished(path: &Path) -> Vec<String> {
        load(path).unwrap().finished.into_iter().collect()
    }

    #[test]
    fn the_progress_log_keeps_what_finished_even_cut_short() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let log = ProgressLog::start(&path, &AuditReport::default()).unwrap();
        log.record(&outcome("acme/a"), None).unwrap();
        log.record(&outcome("acme/b"), None).unwrap();
        drop(log);
        // A kill in the middle of the third line.
        let mut text = std::fs::read_to_string(progress_path(&path)).unwrap();
        text.push_str("{\"report\": {\"version\": 1, \"findi");
        std::fs::write(progress_path(&path), text).unwrap();
        assert_eq!(finished(&path), ["acme/a", "acme/b"]);

        // The next run folds the log into the file and starts an empty one.
        let prior = load(&path).unwrap();
        let log = ProgressLog::start(&path, &prior.report).unwrap();
        log.record(&outcome("acme/c"), None).unwrap();
        assert_eq!(finished(&path), ["acme/a", "acme/b", "acme/c"]);
        let mut report = prior.report;
        report.absorb(outcome("acme/c"));
        save(&path, &report, &[]).unwrap();
        assert!(!progress_path(&path).exists());
        assert_eq!(finished(&path), ["acme/a", "acme/b", "acme/c"]);
    }

    #[test]
    fn a_broken_line_before_the_last_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(progress_path(&path), "{not json\n{}\n").unwrap();
        assert!(matches!(load(&path), Err(ResumeError::NotJson { .. })));
    }
}
