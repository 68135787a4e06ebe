//! The file texts of a report read back from JSON, rebuilt from the excerpts its
//! locations carry: each file holds the lines around its locations at their own line
//! numbers (the other lines empty), and each location's byte span points into it again.
//! The human report's snippets show only those lines (a label and one line either side),
//! so a merged report draws what the audit drew.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::audit::AuditReport;
use crate::finding::{FileLocation, Location};
use crate::yaml::Span;

/// Known lines of one file: line number → its text with its line break.
type Lines = BTreeMap<usize, String>;

/// Every file location of the report's findings and ignored findings, with its repository.
fn locations_mut(report: &mut AuditReport) -> Vec<(String, &mut FileLocation)> {
    let findings = report
        .findings
        .iter_mut()
        .chain(report.ignored.iter_mut().map(|i| &mut i.finding));
    let mut out = Vec::new();
    for f in findings {
        let repository = f.repository.clone();
        let related = f.related.iter_mut().map(|r| &mut r.location);
        for at in std::iter::once(&mut f.location).chain(related) {
            if let Location::File(l) = at {
                out.push((repository.clone(), l));
            }
        }
    }
    out
}

/// The byte offset of 1-based `(line, column)` (a column counts characters) in `text`,
/// whose lines start at `starts`.
fn offset(text: &str, starts: &[usize], line: usize, column: usize) -> Option<usize> {
    let start = *starts.get(line.checked_sub(1)?)?;
    let end = starts.get(line).copied().unwrap_or(text.len());
    let line_text = text.get(start..end)?;
    let within = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.trim_end_matches('\n').len(), |(i, _)| i);
    Some(start + within)
}

/// Rebuilds `report.sources` from the excerpts, for the files it has none of.
pub fn restore_sources(report: &mut AuditReport) {
    let mut files: BTreeMap<(String, String), Lines> = BTreeMap::new();
    for (repository, l) in locations_mut(report) {
        let Some((first, context)) = l.excerpt.as_ref().and_then(|e| e.context.as_ref()) else {
            continue;
        };
        let lines = files.entry((repository, l.file.clone())).or_default();
        for (n, text) in context.split_inclusive('\n').enumerate() {
            lines.entry(first + n).or_insert_with(|| text.to_string());
        }
    }
    let mut texts: BTreeMap<(String, String), (Arc<str>, Vec<usize>)> = BTreeMap::new();
    for (key, lines) in files {
        if report.sources.contains_key(&key) {
            continue;
        }
        let last = lines.keys().next_back().copied().unwrap_or(0);
        let mut text = String::new();
        let mut starts = Vec::with_capacity(last);
        for n in 1..=last {
            starts.push(text.len());
            match lines.get(&n) {
                Some(line) => text.push_str(line),
                None => text.push('\n'),
            }
        }
        texts.insert(key, (Arc::from(text), starts));
    }
    for (repository, l) in locations_mut(report) {
        let Some((text, starts)) = texts.get(&(repository, l.file.clone())) else {
            continue;
        };
        let start = offset(text, starts, l.line, l.column);
        let end = offset(text, starts, l.end_line, l.end_column);
        if let (Some(start), Some(end)) = (start, end) {
            l.span = Span {
                start,
                end: end.max(start),
            };
        }
    }
    for (key, (text, _)) in texts {
        report.sources.insert(key, text);
    }
}
