//! The tool component of every run: one `reportingDescriptor` per loaded rule, built from
//! its metadata. GitHub shows a rule's help on the alert page, so built-in rules carry their
//! whole documentation page (links made absolute) and user rules a page assembled from
//! their description and remediation; `security-severity` and `problem.severity` place the
//! alert on GitHub's severity scale.

use std::collections::BTreeMap;

use serde_json::json;
use serde_sarif::sarif::{
    MultiformatMessageString, PropertyBag, ReportingConfiguration, ReportingDescriptor,
    ToolComponent,
};

use super::{sentence, INFORMATION_URI, MAX_TAGS_PER_RULE};
use crate::finding::Severity;
use crate::policy::RuleMeta;

/// `security-severity` (GitHub: 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0+ critical).
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Note => "2.0",
    }
}

/// `unpinned-action` → `UnpinnedAction`: SARIF's `name` is an identifier-like form of the id.
fn pascal_case(id: &str) -> String {
    id.split(['-', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Relative links of a rule page (`[other](other-rule.md)`) made absolute, since the page
/// is shown on GitHub's alert view, not next to its siblings.
fn absolute_links(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(i) = rest.find("](") {
        out.push_str(&rest[..i + 2]);
        rest = &rest[i + 2..];
        let target = rest.split(')').next().unwrap_or("");
        let relative = !target.is_empty()
            && !target.contains("://")
            && !target.starts_with(['#', '/'])
            && !target.starts_with("mailto:")
            && !target.contains(char::is_whitespace);
        if relative {
            out.push_str(crate::policy::DOC_BASE);
        }
    }
    out.push_str(rest);
    out
}

/// The rule's help: plain text (description, fix, link) and Markdown (the documentation
/// page of a built-in rule, or the same three parts for a user rule).
fn help(rule: &RuleMeta, url: &str) -> MultiformatMessageString {
    let text = format!(
        "{}\n\n{}\n\nDocumentation: {url}",
        sentence(&rule.description),
        sentence(&rule.remediation)
    );
    let markdown = match crate::policy::rule_doc(&rule.id) {
        Some(page) if rule.builtin => absolute_links(page),
        _ => format!(
            "**{}**\n\n{}\n\n**Fix:** {}\n\n[Documentation]({url})",
            rule.title,
            sentence(&rule.description),
            sentence(&rule.remediation)
        ),
    };
    MultiformatMessageString::builder()
        .text(text)
        .markdown(markdown)
        .build()
}

/// The rule's tags (`security` first, at most GitHub's limit) and its place on GitHub's
/// severity scale.
fn properties(rule: &RuleMeta) -> PropertyBag {
    let mut tags = vec!["security".to_string()];
    for t in &rule.tags {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    tags.truncate(MAX_TAGS_PER_RULE);
    let mut extra = BTreeMap::new();
    extra.insert("precision".to_string(), json!("high"));
    extra.insert(
        "security-severity".to_string(),
        json!(security_severity(rule.severity)),
    );
    let problem = match rule.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "recommendation",
    };
    extra.insert("problem.severity".to_string(), json!(problem));
    PropertyBag::builder()
        .tags(tags)
        .additional_properties(extra)
        .build()
}

/// One rule's `reportingDescriptor`.
fn descriptor(rule: &RuleMeta) -> ReportingDescriptor {
    let url = rule.doc_url();
    let mut descriptor = ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(pascal_case(&rule.id))
        .short_description(
            MultiformatMessageString::builder()
                .text(sentence(&rule.title))
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(sentence(&rule.description))
                .build(),
        )
        .help(help(rule, &url))
        .help_uri(url.clone())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(rule.severity.as_str()))
                .build(),
        )
        .properties(properties(rule))
        .build();
    // User rules have no published page: an empty helpUri is not a valid URI.
    if url.is_empty() {
        descriptor.help_uri = None;
    }
    descriptor
}

/// shiplint as the run's tool, with every loaded rule (results point at them by index).
pub(super) fn driver(rules: &[RuleMeta]) -> ToolComponent {
    ToolComponent::builder()
        .name("shiplint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(rules.iter().map(descriptor).collect::<Vec<_>>())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_severity_is_in_githubs_range() {
        for s in [Severity::Note, Severity::Warning, Severity::Error] {
            let v: f64 = security_severity(s).parse().unwrap();
            assert!((0.1..=10.0).contains(&v));
        }
    }

    #[test]
    fn relative_links_of_rule_pages_become_absolute() {
        let page = "see [a](a.md), [b](https://x.y/b), [c](#c) and [d](../ci.md#x).";
        assert_eq!(
            absolute_links(page),
            format!(
                "see [a]({0}a.md), [b](https://x.y/b), [c](#c) and [d]({0}../ci.md#x).",
                crate::policy::DOC_BASE
            )
        );
    }

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(pascal_case("unpinned-action"), "UnpinnedAction");
    }
}
