//! Findings the user chose not to see: inline `# shiplint: ignore[...]` comments, `ignore:`
//! entries of the config file, and the baseline of known findings.
//! Nothing is dropped silently: ignored findings are counted and can be listed
//! (`--show-ignored`), baseline suppressions are counted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::finding::{Finding, Location, Notice};

/// A finding that an ignore silenced, and why.
#[derive(Debug, Clone)]
pub struct Ignored {
    pub finding: Finding,
    pub reason: String,
    /// What silenced it: `inline (file:line)` or the config file.
    pub by: String,
}

/// One `# shiplint: ignore[a, b] reason` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineIgnore {
    /// 1-based line of the comment.
    pub line: usize,
    /// The line it silences besides its own: the next line that is not only a comment,
    /// when the comment stands alone on its line.
    pub next: Option<usize>,
    pub rules: Vec<String>,
    /// The 1-based column (in characters) of each of `rules` on the comment's line.
    pub columns: Vec<usize>,
    pub reason: String,
}

impl InlineIgnore {
    fn covers(&self, rule: &str, first: usize, last: usize) -> bool {
        let on = |l: usize| l >= first && l <= last;
        (on(self.line) || self.next.is_some_and(on)) && self.rules.iter().any(|r| r == rule)
    }
}

fn directive() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"#\s*shiplint:\s*ignore\[([^\]]*)\]\s*(.*)$").expect("valid regex")
    })
}

/// Every inline ignore comment of a file.
pub fn inline_ignores(text: &str) -> Vec<InlineIgnore> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(c) = directive().captures(line) else {
            continue;
        };
        let comment_start = c.get(0).map_or(0, |m| m.start());
        let alone = line[..comment_start].trim().is_empty();
        let next = alone
            .then(|| {
                (i + 1..lines.len())
                    .find(|&j| !lines[j].trim_start().starts_with('#'))
                    .map(|j| j + 1)
            })
            .flatten();
        let list = c.get(1).map_or(0, |m| m.start());
        let mut rules = Vec::new();
        let mut columns = Vec::new();
        let mut at = list;
        for part in c[1].split(',') {
            let rule = part.trim();
            if !rule.is_empty() {
                let start = at + (part.len() - part.trim_start().len());
                columns.push(line[..start].chars().count() + 1);
                rules.push(rule.to_string());
            }
            at += part.len() + 1;
        }
        out.push(InlineIgnore {
            line: i + 1,
            next,
            rules,
            columns,
            reason: c[2].trim().to_string(),
        });
    }
    out
}

/// The rule ids of a file's inline ignores that name no rule of `known`: each a notice at
/// the id, with the closest known id when it looks like a typo. Such a comment silences
/// nothing, so it is said, never accepted quietly (in a config file it is an error).
pub fn unknown_ignored_rules(file: &str, text: &str, known: &[&str]) -> Vec<Notice> {
    // Most files have no ignore comment at all: skip them without the per-line regex.
    if !text.contains("shiplint:") {
        return Vec::new();
    }
    let mut notices = Vec::new();
    for ignore in inline_ignores(text) {
        for (rule, column) in ignore.rules.iter().zip(&ignore.columns) {
            if known.contains(&rule.as_str()) {
                continue;
            }
            let hint = crate::suggest::closest(rule, known)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            notices.push(Notice::at(
                file,
                ignore.line,
                *column,
                format!("`# shiplint: ignore[{rule}]` names no rule{hint}: it silences nothing"),
            ));
        }
    }
    notices
}

/// Splits findings into kept and ignored, by the config's `ignore:` entries and the
/// inline comments of the files (`text_of(file)` gives a file's text).
pub fn apply_ignores<'t>(
    findings: Vec<Finding>,
    config: &Config,
    text_of: impl Fn(&str) -> Option<&'t str>,
) -> (Vec<Finding>, Vec<Ignored>) {
    let mut inline: BTreeMap<String, Vec<InlineIgnore>> = BTreeMap::new();
    let mut kept = Vec::with_capacity(findings.len());
    let mut ignored = Vec::new();
    for f in findings {
        let file = f.location.file();
        let by_config = config
            .ignore
            .iter()
            .find(|e| e.matches(&f.rule, file.map(|l| l.file.as_str())));
        if let Some(e) = by_config {
            ignored.push(Ignored {
                reason: e.reason.clone(),
                by: config.file.clone().unwrap_or_else(|| "config".into()),
                finding: f,
            });
            continue;
        }
        let by_comment = file.and_then(|l| {
            let comments = inline
                .entry(l.file.clone())
                .or_insert_with(|| text_of(&l.file).map(inline_ignores).unwrap_or_default());
            comments
                .iter()
                .find(|c| c.covers(&f.rule, l.line, l.end_line))
                .map(|c| {
                    (
                        c.reason.clone(),
                        format!("comment at {}:{}", l.file, c.line),
                    )
                })
        });
        match by_comment {
            Some((reason, by)) => ignored.push(Ignored {
                finding: f,
                reason,
                by,
            }),
            None => kept.push(f),
        }
    }
    (kept, ignored)
}

/// The findings known on the day the baseline was taken (`shiplint baseline`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: String,
    /// Repository-relative file, or the setting, for people reading the file.
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub message: String,
}

pub const BASELINE_VERSION: u32 = 1;

/// A baseline larger than this is refused (a million findings fit well within it).
const MAX_BASELINE_BYTES: u64 = 512 * 1024 * 1024;

/// Why `--baseline FILE` is unusable.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    /// Where the file stops being a baseline, and how; never what it holds (the path may
    /// lead to a file that is not a baseline at all, and its bytes are not echoed).
    #[error("{}: not a shiplint baseline ({what} at line {line}, column {column})", path.display())]
    Parse {
        path: PathBuf,
        what: &'static str,
        line: usize,
        column: usize,
    },
    #[error("{}: baseline version {found} is not supported (expected {BASELINE_VERSION})", path.display())]
    Version { path: PathBuf, found: u32 },
}

impl Baseline {
    pub fn of(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint(),
                rule: f.rule.clone(),
                location: match &f.location {
                    Location::File(l) => l.file.clone(),
                    Location::Setting(s) => s.clone(),
                },
                message: f.message.clone(),
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.location, &a.rule, &a.fingerprint).cmp(&(&b.location, &b.rule, &b.fingerprint))
        });
        Baseline {
            version: BASELINE_VERSION,
            findings: entries,
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads a baseline file (`shiplint baseline -o FILE`), as a file that may sit in a
    /// checked-out repository ([`crate::discover::read_named_file`]).
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let path_buf = || path.to_path_buf();
        let bytes = crate::discover::read_named_file(path, MAX_BASELINE_BYTES).map_err(|e| {
            BaselineError::Read {
                path: path_buf(),
                reason: e.message,
            }
        })?;
        let b: Baseline = serde_json::from_slice(&bytes).map_err(|e| BaselineError::Parse {
            path: path_buf(),
            what: match e.classify() {
                serde_json::error::Category::Syntax => "not JSON",
                serde_json::error::Category::Eof => "unexpected end",
                serde_json::error::Category::Data | serde_json::error::Category::Io => {
                    "not the shape of a baseline"
                }
            },
            line: e.line(),
            column: e.column(),
        })?;
        if b.version != BASELINE_VERSION {
            return Err(BaselineError::Version {
                path: path_buf(),
                found: b.version,
            });
        }
        Ok(b)
    }

    /// Drops the findings the baseline knows (each entry suppresses one finding, so a
    /// second copy of a known problem is still reported). Returns how many were dropped.
    pub fn suppress(&self, findings: &mut Vec<Finding>) -> usize {
        let mut known: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &self.findings {
            *known.entry(e.fingerprint.as_str()).or_default() += 1;
        }
        let before = findings.len();
        findings.retain(|f| match known.get_mut(f.fingerprint().as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        });
        before - findings.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_comments_cover_their_line_and_the_next() {
        let text = "jobs:\n  # shiplint: ignore[a, b] legacy deploy\n  # more words\n  x: 1 # shiplint: ignore[c]\n  y: 2\n";
        let ig = inline_ignores(text);
        assert_eq!(ig.len(), 2);
        assert_eq!(ig[0].line, 2);
        assert_eq!(ig[0].next, Some(4));
        assert_eq!(ig[0].rules, vec!["a", "b"]);
        assert_eq!(ig[0].reason, "legacy deploy");
        assert_eq!(ig[0].columns, vec![22, 25]);
        assert_eq!(ig[1].columns, vec![27]);
        assert_eq!(ig[1].next, None);
        assert!(ig[0].covers("b", 4, 4));
        assert!(!ig[0].covers("c", 4, 4));
        assert!(ig[1].covers("c", 4, 4));
        assert!(!ig[1].covers("c", 5, 5));
    }

    #[test]
    fn an_unknown_rule_in_an_ignore_is_a_notice_at_the_id_with_the_closest_rule() {
        let text = "jobs:\n  x: 1 # shiplint: ignore[unpinned-action, static-cloud-credentialz] ok\n  # shiplint: ignore[frobnicate]\n";
        let known = ["static-cloud-credentials", "unpinned-action"];
        let notices = unknown_ignored_rules("ci.yml", text, &known);
        let shown: Vec<String> = notices.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "ci.yml:2:44: `# shiplint: ignore[static-cloud-credentialz]` names no rule (did you mean `static-cloud-credentials`?): it silences nothing",
                "ci.yml:3:22: `# shiplint: ignore[frobnicate]` names no rule: it silences nothing",
            ]
        );
        assert!(unknown_ignored_rules(
            "ci.yml",
            "a: 1 # shiplint: ignore[unpinned-action]\n",
            &known
        )
        .is_empty());
    }
}
