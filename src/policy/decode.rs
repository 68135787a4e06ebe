//! Turning what the policies return into located findings.
//!
//! A policy names a node by `file` + `path` (keys and indices into the YAML document);
//! Rust turns that into a byte span and line/column — policies never compute positions.
//! A `match` string narrows the span to the first occurrence of that text inside the
//! node (a command inside a `run:` script).

use serde_json::Value as Json;

use super::{PolicyError, RuleMeta};
use crate::finding::{Excerpt, FileLocation, Finding, Location, Related, Severity};
use crate::source::Repository;
use crate::yaml::{PathSeg, Span};

/// A finding as a policy returned it, not yet located.
#[derive(Debug, Clone, PartialEq)]
pub struct RawFinding {
    pub rule: usize,
    pub message: String,
    pub severity: Option<Severity>,
    pub at: RawLocation,
    pub related: Vec<(RawLocation, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RawLocation {
    File {
        file: String,
        path: Vec<PathSeg>,
        matched: Option<String>,
        /// Which occurrence of `matched` in the node (0-based): the same text may appear
        /// several times in one script.
        occurrence: usize,
    },
    Setting(String),
}

fn string_field(obj: &serde_json::Map<String, Json>, key: &str) -> Result<String, String> {
    match obj.get(key) {
        Some(Json::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!("`{key}` must be a string, found {other}")),
        None => Err(format!("missing `{key}`")),
    }
}

/// Validates a rule's `metadata` object.
pub fn metadata(json: &Json) -> Result<RuleMeta, String> {
    let obj = json.as_object().ok_or("must be an object")?;
    const KEYS: &[&str] = &[
        "id",
        "title",
        "severity",
        "description",
        "remediation",
        "tags",
        "online",
    ];
    if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!("unknown key `{k}` (allowed: {})", KEYS.join(", ")));
    }
    let id = string_field(obj, "id")?;
    let id_ok = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !id_ok {
        return Err(format!(
            "`id` `{id}` must be lowercase letters, digits and dashes"
        ));
    }
    let severity: Severity = string_field(obj, "severity")?
        .parse()
        .map_err(|e: crate::finding::UnknownSeverity| e.to_string())?;
    let tags = match obj.get("tags") {
        None => Vec::new(),
        Some(Json::Array(a)) => a
            .iter()
            .map(|t| {
                t.as_str()
                    .map(str::to_string)
                    .ok_or("`tags` must be strings")
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("`tags` must be an array of strings".into()),
    };
    let online = match obj.get("online") {
        None => false,
        Some(Json::Bool(b)) => *b,
        Some(_) => return Err("`online` must be a boolean".into()),
    };
    Ok(RuleMeta {
        id,
        title: string_field(obj, "title")?,
        severity,
        description: string_field(obj, "description")?,
        remediation: string_field(obj, "remediation")?,
        tags,
        online,
        package: String::new(),
        source: String::new(),
        builtin: false,
    })
}

fn raw_location(obj: &serde_json::Map<String, Json>) -> Result<RawLocation, String> {
    if let Some(setting) = obj.get("setting") {
        let s = setting.as_str().ok_or("`setting` must be a string")?;
        return Ok(RawLocation::Setting(s.to_string()));
    }
    let file = string_field(obj, "file").map_err(|_| "needs `file` (with `path`) or `setting`")?;
    let path = match obj.get("path") {
        None => Vec::new(),
        Some(Json::Array(items)) => items
            .iter()
            .map(|i| PathSeg::from_json(i).ok_or_else(|| format!("bad `path` element {i}")))
            .collect::<Result<_, _>>()?,
        Some(other) => return Err(format!("`path` must be an array, found {other}")),
    };
    let matched = match obj.get("match") {
        None => None,
        Some(Json::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Json::String(_)) => None,
        Some(_) => return Err("`match` must be a string".into()),
    };
    let occurrence = match obj.get("occurrence") {
        None => 0,
        Some(Json::Number(n)) => {
            n.as_u64()
                .ok_or("`occurrence` must be a non-negative integer")? as usize
        }
        Some(_) => return Err("`occurrence` must be a non-negative integer".into()),
    };
    Ok(RawLocation::File {
        file,
        path,
        matched,
        occurrence,
    })
}

/// Decodes the `findings` set of one rule.
pub fn raw_findings(rule: usize, json: &Json) -> Result<Vec<RawFinding>, String> {
    let items = json.as_array().ok_or("`findings` must be a set")?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let obj = item
            .as_object()
            .ok_or_else(|| format!("a finding must be an object, found {item}"))?;
        const KEYS: &[&str] = &[
            "message",
            "file",
            "path",
            "setting",
            "related",
            "match",
            "occurrence",
            "severity",
        ];
        if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(format!("unknown key `{k}` in {item}"));
        }
        let message = string_field(obj, "message").map_err(|m| format!("{m} in {item}"))?;
        let severity = match obj.get("severity") {
            None => None,
            Some(Json::String(s)) => Some(
                s.parse()
                    .map_err(|e: crate::finding::UnknownSeverity| e.to_string())?,
            ),
            Some(_) => return Err("`severity` must be a string".into()),
        };
        let at = raw_location(obj).map_err(|m| format!("{m} in {item}"))?;
        let related = match obj.get("related") {
            None => Vec::new(),
            Some(Json::Array(rs)) => rs
                .iter()
                .map(|r| {
                    let o = r.as_object().ok_or("`related` items must be objects")?;
                    let msg = o
                        .get("message")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_string();
                    Ok((raw_location(o)?, msg))
                })
                .collect::<Result<_, String>>()?,
            Some(_) => return Err("`related` must be an array".into()),
        };
        out.push(RawFinding {
            rule,
            message,
            severity,
            at,
            related,
        });
    }
    Ok(out)
}

/// Locates raw findings in the repository's files. A finding that names a file the
/// repository does not have is a policy error, not a crash.
pub fn resolve_findings(
    raw: Vec<RawFinding>,
    rules: &[RuleMeta],
    repo: &Repository,
) -> (Vec<Finding>, Vec<PolicyError>) {
    let mut findings = Vec::with_capacity(raw.len());
    let mut errors = Vec::new();
    for r in raw {
        let meta = &rules[r.rule];
        let location = match locate(repo, &r.at) {
            Ok(l) => l,
            Err(message) => {
                errors.push(PolicyError {
                    source: meta.source.clone(),
                    message: format!("rule `{}`: {message}", meta.id),
                });
                continue;
            }
        };
        let related = r
            .related
            .iter()
            .filter_map(|(at, message)| {
                locate(repo, at).ok().map(|location| Related {
                    location,
                    message: message.clone(),
                })
            })
            .collect();
        findings.push(Finding {
            rule: meta.id.clone(),
            severity: r.severity.unwrap_or(meta.severity),
            title: meta.title.clone(),
            message: r.message,
            location,
            related,
            help: meta.remediation.clone(),
            doc_url: meta.doc_url(),
            repository: repo.display.clone(),
        });
    }
    findings.sort_by_key(Finding::sort_key);
    findings
        .dedup_by(|a, b| a.rule == b.rule && a.location == b.location && a.message == b.message);
    (findings, errors)
}

/// The byte offset of the `n`-th (0-based) occurrence of `m` in `t`, overlapping ones
/// counted (as Rego's `indexof_n` counts them).
fn nth_occurrence(t: &str, m: &str, n: usize) -> Option<usize> {
    if m.is_empty() {
        return None;
    }
    let mut from = 0;
    let mut seen = 0;
    while let Some(i) = t.get(from..).and_then(|rest| rest.find(m)) {
        let at = from + i;
        if seen == n {
            return Some(at);
        }
        seen += 1;
        from = at + t[at..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Where `m` stands in `t` with its words spread over several lines: a folded scalar
/// (`run: >-`) joins its lines with spaces, so the text a policy reads as one line is
/// written over several. The `n`-th such place (else the first), by its first word.
fn spread_occurrence(t: &str, m: &str, n: usize) -> Option<usize> {
    let words: Vec<&str> = m.split_whitespace().collect();
    let first = *words.first()?;
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(i) = t.get(from..).and_then(|rest| rest.find(first)) {
        let at = from + i;
        let mut rest = &t[at + first.len()..];
        let spread = words[1..].iter().all(|w| {
            let trimmed = rest.trim_start();
            if trimmed.len() == rest.len() || !trimmed.starts_with(w) {
                return false;
            }
            rest = &trimmed[w.len()..];
            true
        });
        if spread {
            found.push(at);
        }
        from = at + first.len();
    }
    found.get(n).or(found.first()).copied()
}

fn locate(repo: &Repository, at: &RawLocation) -> Result<Location, String> {
    let (file, path, matched, occurrence) = match at {
        RawLocation::Setting(s) => return Ok(Location::Setting(s.clone())),
        RawLocation::File {
            file,
            path,
            matched,
            occurrence,
        } => (file, path, matched, *occurrence),
    };
    let loaded = repo
        .file(file)
        .ok_or_else(|| format!("finding names `{file}`, which is not a file of this repository"))?;
    let doc = &loaded.doc;
    // The longest prefix of the path that exists: a policy pointing one key too deep
    // (an optional key that is absent) still lands on the right line.
    let located = (0..=path.len())
        .rev()
        .find_map(|n| doc.locate(&path[..n]))
        .ok_or_else(|| format!("path {path:?} not found in `{file}`"))?;
    let text = &loaded.text;
    let value = located.span;
    let mut span = match located.key_span {
        Some(k) if !text[value.start..value.end.max(value.start)].contains('\n') => Span {
            start: k.start,
            end: value.end.max(k.end),
        },
        Some(k) => k,
        None => value,
    };
    if let Some(m) = matched {
        if let Some(i) = text.get(value.start..value.end).and_then(|t| {
            nth_occurrence(t, m, occurrence)
                .or_else(|| t.find(m.as_str()))
                .or_else(|| spread_occurrence(t, m, occurrence))
        }) {
            span = Span {
                start: value.start + i,
                end: value.start + i + m.len(),
            };
        }
    }
    // A label spans one line at most: the first line of a multi-line node.
    if let Some(nl) = text[span.start..span.end].find('\n') {
        span.end = span.start + text[span.start..span.start + nl].trim_end().len();
    }
    let (line, column) = doc.line_col(span.start);
    let (end_line, end_column) = doc.line_col(span.end);
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[span.start..]
        .find('\n')
        .map_or(text.len(), |i| span.start + i);
    Ok(Location::File(FileLocation {
        line_text: text[line_start..line_end].to_string(),
        excerpt: Some(Box::new(Excerpt::of(text, span, line, end_line))),
        file: file.clone(),
        span,
        line,
        column,
        end_line,
        end_column,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_match_is_found_at_the_occurrence_asked() {
        let t = "if x; then\n  helm upgrade \\\n    --install a\nelse\n  helm upgrade \\\n    --install b\nfi\n";
        assert_eq!(nth_occurrence(t, "helm upgrade \\", 0), Some(13));
        assert_eq!(
            nth_occurrence(t, "helm upgrade \\", 1),
            t.rfind("helm upgrade")
        );
        assert_eq!(nth_occurrence(t, "helm upgrade \\", 2), None);
    }

    #[test]
    fn a_folded_line_is_found_across_its_written_lines() {
        let t = "eval helm upgrade --install app .\n  --namespace ns\n  --debug";
        assert_eq!(
            spread_occurrence(t, "eval helm upgrade --install app . --namespace ns", 0),
            Some(0)
        );
        assert_eq!(
            spread_occurrence(t, "helm upgrade --install other", 0),
            None
        );
    }
}
