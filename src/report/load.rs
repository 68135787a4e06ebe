//! Reading `--format json` documents back into an [`AuditReport`], for `shiplint merge`
//! (shards of a sweep) and `audit --resume` (a sweep's finished repositories). What the
//! JSON does not carry (file texts for snippets, byte spans) stays empty; every format
//! renders such a report, the human one without snippets.

use std::sync::Arc;

use serde_json::Value as Json;

use crate::audit::{AuditReport, RepoSummary};
use crate::config::ConfigError;
use crate::finding::{
    Excerpt, FileLocation, Finding, InputError, Location, Related, Severity, UnknownSeverity,
};
use crate::policy::PolicyError;
use crate::suppress::Ignored;

fn text(v: &Json, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

fn num(v: &Json, key: &str) -> Option<usize> {
    v[key].as_u64().and_then(|n| usize::try_from(n).ok())
}

/// Why a document is not a shiplint JSON report.
#[derive(Debug, thiserror::Error)]
pub enum MalformedReport {
    #[error(
        "not a shiplint JSON report of version {} (`shiplint audit --format json`)",
        super::json::FORMAT_VERSION
    )]
    Version,
    #[error("a finding has neither `file` nor `setting`")]
    NoLocation,
    #[error("a finding has no `{0}`")]
    Missing(&'static str),
    #[error(transparent)]
    Severity(#[from] UnknownSeverity),
}

fn location(v: &Json) -> Result<Location, MalformedReport> {
    if let Some(s) = v["setting"].as_str() {
        return Ok(Location::Setting(s.to_string()));
    }
    let file = v["file"].as_str().ok_or(MalformedReport::NoLocation)?;
    let line = num(v, "line").unwrap_or(1);
    let column = num(v, "column").unwrap_or(1);
    let e = &v["excerpt"];
    let excerpt = e.is_object().then(|| {
        let context = num(e, "context_line").zip(e["context"].as_str().map(str::to_string));
        Box::new(Excerpt {
            snippet: e["snippet"].as_str().map(str::to_string),
            context,
            occurrence: num(e, "occurrence").unwrap_or(1),
        })
    });
    Ok(Location::File(FileLocation {
        file: file.to_string(),
        span: Default::default(),
        line,
        column,
        end_line: num(v, "end_line").unwrap_or(line),
        end_column: num(v, "end_column").unwrap_or(column),
        line_text: text(e, "line_text"),
        excerpt,
    }))
}

fn finding(v: &Json) -> Result<Finding, MalformedReport> {
    let severity: Severity = v["severity"]
        .as_str()
        .ok_or(MalformedReport::Missing("severity"))?
        .parse()?;
    let rule = v["rule"].as_str().ok_or(MalformedReport::Missing("rule"))?;
    let related = v["related"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            Ok(Related {
                location: location(r)?,
                message: text(r, "message"),
            })
        })
        .collect::<Result<Vec<_>, MalformedReport>>()?;
    Ok(Finding {
        rule: rule.to_string(),
        severity,
        title: text(v, "title"),
        message: text(v, "message"),
        location: location(v)?,
        related,
        help: text(v, "help"),
        doc_url: text(v, "doc_url"),
        repository: text(v, "repository"),
    })
}

/// One `--format json` document as a report.
pub fn from_json(doc: &Json) -> Result<AuditReport, MalformedReport> {
    if doc["version"].as_u64() != Some(u64::from(super::json::FORMAT_VERSION)) {
        return Err(MalformedReport::Version);
    }
    let mut report = AuditReport::default();
    for f in doc["findings"].as_array().into_iter().flatten() {
        report.findings.push(finding(f)?);
    }
    for i in doc["ignored"].as_array().into_iter().flatten() {
        report.ignored.push(Ignored {
            finding: finding(i)?,
            reason: text(i, "reason"),
            by: text(i, "ignored_by"),
        });
    }
    for e in doc["errors"].as_array().into_iter().flatten() {
        match e["kind"].as_str() {
            Some("policy") => report.policy_errors.push(PolicyError {
                source: text(e, "file"),
                message: text(e, "message"),
            }),
            Some("config") => report.config_errors.push(ConfigError::new(
                &text(e, "file"),
                std::sync::Arc::from(""),
                Default::default(),
                text(e, "message"),
            )),
            _ => report.errors.push(InputError {
                file: e["file"].as_str().map(str::to_string),
                line: num(e, "line"),
                column: num(e, "column"),
                message: text(e, "message"),
                repository: e["repository"].as_str().map(str::to_string),
            }),
        }
    }
    for n in doc["notices"].as_array().into_iter().flatten() {
        report.notices.push(InputError {
            file: n["file"].as_str().map(str::to_string),
            line: num(n, "line"),
            column: num(n, "column"),
            message: text(n, "message"),
            repository: n["repository"].as_str().map(str::to_string),
        });
    }
    for r in doc["repositories"].as_array().into_iter().flatten() {
        report.repos.push(RepoSummary {
            display: text(r, "name"),
            files: num(r, "files").unwrap_or(0),
            settings_evaluated: r["settings_evaluated"].as_bool().unwrap_or(false),
            slug: r["slug"].as_str().map(str::to_string),
            // A graph that does not read is left out: the report draws no pipeline.
            graph: serde_json::from_value(r["graph"].clone())
                .ok()
                .map(Arc::new),
            trace: None,
        });
    }
    report.baseline_suppressed = num(&doc["summary"], "baseline_suppressed").unwrap_or(0);
    report.below_min_severity = num(&doc["summary"], "below_min_severity").unwrap_or(0);
    super::excerpts::restore_sources(&mut report);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trips() {
        let doc = serde_json::json!({
            "version": 1,
            "findings": [{"rule": "unpinned-action", "severity": "warning", "title": "T",
                "message": "m", "repository": "acme/api", "file": ".github/workflows/ci.yml",
                "line": 3, "column": 9, "end_line": 3, "end_column": 20, "related": [],
                "help": "h", "doc_url": "u"},
                {"rule": "branch-unprotected", "severity": "error", "title": "T",
                "message": "m", "repository": "acme/api", "setting": "branches/main/protection",
                "related": [], "help": "h", "doc_url": "u"}],
            "errors": [{"repository": "acme/web", "message": "boom", "kind": "input"}],
            "ignored": [],
            "repositories": [{"name": "acme/api", "slug": "acme/api", "files": 1, "settings_evaluated": true}],
            "summary": {"baseline_suppressed": 0}
        });
        let report = from_json(&doc).unwrap();
        assert_eq!(report.findings.len(), 2);
        assert_eq!(report.errors[0].repository.as_deref(), Some("acme/web"));
        assert_eq!(report.repos[0].slug.as_deref(), Some("acme/api"));
        let again: Json = serde_json::from_str(&crate::report::json::render(&report)).unwrap();
        assert_eq!(again["findings"], doc["findings"]);
        assert!(from_json(&serde_json::json!({"version": 99})).is_err());
    }
}
