//! `partialFingerprints`: how GitHub code scanning recognises an alert from one upload to
//! the next. A fingerprint must survive unrelated edits (lines moved, re-indented), so it
//! hashes the rule and the trimmed text of the primary line, never the line number; it
//! must also tell apart two findings that would otherwise share one, or GitHub keeps a
//! single alert for both.

use std::collections::{BTreeMap, HashMap};

use serde_sarif::sarif::Result as SarifResult;

use crate::audit::AuditReport;
use crate::finding::{Finding, Location};

/// The one fingerprint shiplint writes (the name `upload-sarif` itself would compute).
const PRIMARY_LINE_HASH: &str = "primaryLocationLineHash";

/// 64-bit FNV-1a: tiny, stable across versions and platforms (unlike `DefaultHasher`).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0xff;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// `primaryLocationLineHash`: `<hash of rule id + trimmed primary line>:<occurrence>`, where
/// occurrence counts the lines of the file up to and including the primary line whose
/// trimmed text is the same. Moving unrelated lines, re-indenting, or editing other lines
/// leaves it unchanged; the line number is not part of it.
pub fn line_hash(rule: &str, text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.split('\n').map(str::trim).collect();
    let index = line.saturating_sub(1).min(lines.len().saturating_sub(1));
    let content = lines.get(index).copied().unwrap_or("");
    let occurrence = lines[..index].iter().filter(|l| **l == content).count() + 1;
    format!("{:016x}:{occurrence}", fnv1a(&[rule, content]))
}

/// A repository setting has no line: the rule and the setting's path identify it.
fn setting_hash(rule: &str, setting: &str) -> String {
    format!("{:016x}:1", fnv1a(&[rule, "setting", setting]))
}

/// The `partialFingerprints` of a finding's result: from the excerpt the location carries
/// (so an audit, a sweep and `merge` of its JSON give the same), else from the file's text.
/// With neither (a JSON report of an older version) the file and message stand in.
pub(super) fn partial_fingerprints(report: &AuditReport, f: &Finding) -> BTreeMap<String, String> {
    let fingerprint = match &f.location {
        Location::File(at) => match (&at.excerpt, report.source(&f.repository, &at.file)) {
            (Some(e), _) => format!(
                "{:016x}:{}",
                fnv1a(&[&f.rule, at.line_text.trim()]),
                e.occurrence
            ),
            (None, Some(text)) => line_hash(&f.rule, text, at.line),
            (None, None) => format!("{:016x}:1", fnv1a(&[&f.rule, &at.file, &f.message])),
        },
        Location::Setting(s) => setting_hash(&f.rule, s),
    };
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(PRIMARY_LINE_HASH.to_string(), fingerprint);
    fingerprints
}

/// Two results of one rule on lines with the same content and occurrence would share a
/// fingerprint, and GitHub would keep only one alert: the later ones also hash their message.
pub(super) fn disambiguate(results: &mut [SarifResult], messages: &[String]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (r, message) in results.iter_mut().zip(messages) {
        let Some(fps) = r.partial_fingerprints.as_mut() else {
            continue;
        };
        let Some(fp) = fps.get_mut(PRIMARY_LINE_HASH) else {
            continue;
        };
        let n = seen.entry(fp.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            let (hash, occurrence) = fp.split_once(':').unwrap_or((fp.as_str(), "1"));
            *fp = format!(
                "{:016x}:{occurrence}",
                fnv1a(&[hash, message, &n.to_string()])
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_hash_ignores_line_numbers_and_indentation() {
        let a = "a: 1\n  uses: x@main\n";
        let b = "# new comment\n\na: 1\n      uses: x@main\n";
        assert_eq!(line_hash("r", a, 2), line_hash("r", b, 4));
        assert_ne!(line_hash("r", a, 2), line_hash("other", a, 2));
    }

    #[test]
    fn line_hash_counts_occurrences_of_the_same_content() {
        let t = "uses: x@main\nb: 2\nuses: x@main\n";
        let first = line_hash("r", t, 1);
        let second = line_hash("r", t, 3);
        assert!(first.ends_with(":1"), "{first}");
        assert!(second.ends_with(":2"), "{second}");
        assert_eq!(first.split(':').next(), second.split(':').next());
    }
}
