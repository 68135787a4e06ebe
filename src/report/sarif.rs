//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`).
//!
//! One run per repository for its workflow findings (category `shiplint/workflows/`) and,
//! when its settings were evaluated, one for its repository-settings findings (category
//! `shiplint/settings/`): settings findings have no file, so they get a pseudo-location
//! (`.github`, line 1, plus a logical location naming the setting) and their own category so
//! that an offline run never closes the alerts of an online one. With several repositories
//! the categories carry the repository (`shiplint/workflows/<repo>/`). A run is written
//! even with no results, so that fixed alerts close. Layout decisions are documented in
//! `docs/ci.md`.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location as SarifLocation, LogicalLocation,
    Message, MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    RunAutomationDetails, Sarif, Tool, ToolComponent,
};

use crate::audit::AuditReport;
use crate::finding::{FileLocation, Finding, InputError, Location, Severity};
use crate::policy::RuleMeta;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/shiplint/shiplint";
/// GitHub code scanning accepts at most this many results per run …
pub const MAX_RESULTS_PER_RUN: usize = 25_000;
/// … and at most this many runs per file.
pub const MAX_RUNS_PER_FILE: usize = 20;
/// GitHub's other limits: tags per rule, locations per result.
pub const MAX_TAGS_PER_RULE: usize = 20;
pub const MAX_RELATED_PER_RESULT: usize = 1000;
/// The base every artifact URI is relative to: the root of the checked-out repository.
pub const SRCROOT: &str = "%SRCROOT%";
/// Where repository-settings findings (which have no file) are placed.
pub const SETTINGS_PSEUDO_FILE: &str = ".github";

/// The SARIF document and the warnings (truncation) to show on stderr.
pub struct SarifOutput {
    pub log: Sarif,
    pub warnings: Vec<String>,
}

/// `security-severity` (GitHub: 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0+ critical).
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Note => "2.0",
    }
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Note => ResultLevel::Note,
    }
}

/// SARIF messages are sentences: they end with a period (SARIF2001).
fn sentence(text: &str) -> String {
    let t = text.trim_end();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
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

fn descriptor(rule: &RuleMeta) -> ReportingDescriptor {
    let url = rule.doc_url();
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
        .help(
            MultiformatMessageString::builder()
                .text(text)
                .markdown(markdown)
                .build(),
        )
        .help_uri(url.clone())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(rule.severity.as_str()))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(extra)
                .build(),
        )
        .build();
    // User rules have no published page: an empty helpUri is not a valid URI.
    if url.is_empty() {
        descriptor.help_uri = None;
    }
    descriptor
}

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

fn setting_hash(rule: &str, setting: &str) -> String {
    format!("{:016x}:1", fnv1a(&[rule, "setting", setting]))
}

fn region(line: usize, column: usize, end_line: usize, end_column: usize) -> Region {
    let (end_line, end_column) = if (end_line, end_column) <= (line, column) {
        (line, column + 1)
    } else {
        (end_line, end_column)
    };
    Region::builder()
        .start_line(line as i64)
        .start_column(column as i64)
        .end_line(end_line as i64)
        .end_column(end_column as i64)
        .build()
}

fn artifact(uri: &str) -> ArtifactLocation {
    ArtifactLocation::builder()
        .uri(uri)
        .uri_base_id(SRCROOT)
        .build()
}

fn setting_logical(setting: &str) -> LogicalLocation {
    LogicalLocation::builder()
        .name(setting.rsplit('/').next().unwrap_or(setting))
        .fully_qualified_name(setting)
        .kind("resource")
        .build()
}

fn snippet(text: &str) -> ArtifactContent {
    ArtifactContent::builder().text(text).build()
}

/// The region of a file location, with its text as the snippet, and the lines around it
/// (one before, one after) as the context region, when the source is known.
fn file_physical(f: &FileLocation, source: Option<&str>) -> PhysicalLocation {
    let mut r = region(f.line, f.column, f.end_line, f.end_column);
    let mut physical = PhysicalLocation::builder()
        .artifact_location(artifact(&f.file))
        .build();
    if let Some(text) = source {
        if let Some(s) = text.get(f.span.start..f.span.end) {
            r.snippet = Some(snippet(s));
        }
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let first = f.line.saturating_sub(1).max(1);
        let last = (f.end_line.max(f.line) + 1).min(lines.len());
        if first <= last && last <= lines.len() {
            let context: String = lines[first - 1..last].concat();
            let mut c = Region::builder()
                .start_line(first as i64)
                .end_line(last as i64)
                .build();
            c.snippet = Some(snippet(&context));
            physical.context_region = Some(c);
        }
    }
    physical.region = Some(r);
    physical
}

/// A SARIF location for a finding's (or related) location.
fn location(
    report: &AuditReport,
    repository: &str,
    at: &Location,
    id: Option<i64>,
    message: Option<&str>,
) -> SarifLocation {
    let (physical, logical) = match at {
        Location::File(f) => (
            file_physical(f, report.source(repository, &f.file).map(|t| &**t)),
            None,
        ),
        Location::Setting(s) => (
            PhysicalLocation::builder()
                .artifact_location(artifact(SETTINGS_PSEUDO_FILE))
                .region(region(1, 1, 1, 1))
                .build(),
            Some(vec![setting_logical(s)]),
        ),
    };
    let mut loc = SarifLocation::builder().physical_location(physical).build();
    loc.logical_locations = logical;
    loc.id = id;
    loc.message = message.map(|m| Message::builder().text(sentence(m)).build());
    loc
}

fn result(report: &AuditReport, rules: &[RuleMeta], f: &Finding) -> SarifResult {
    let fingerprint = match &f.location {
        Location::File(at) => match report.source(&f.repository, &at.file) {
            Some(text) => line_hash(&f.rule, text, at.line),
            None => format!("{:016x}:1", fnv1a(&[&f.rule, &at.file, &f.message])),
        },
        Location::Setting(s) => setting_hash(&f.rule, s),
    };
    let related: Vec<SarifLocation> = f
        .related
        .iter()
        .take(MAX_RELATED_PER_RESULT)
        .enumerate()
        .map(|(i, r)| {
            location(
                report,
                &f.repository,
                &r.location,
                Some(i as i64 + 1),
                Some(&r.message),
            )
        })
        .collect();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("primaryLocationLineHash".to_string(), fingerprint);
    let mut r = SarifResult::builder()
        .rule_id(f.rule.clone())
        .level(level(f.severity))
        .message(Message::builder().text(sentence(&f.message)).build())
        .locations(vec![location(
            report,
            &f.repository,
            &f.location,
            None,
            None,
        )])
        .partial_fingerprints(fingerprints)
        .build();
    r.rule_index = rules.iter().position(|m| m.id == f.rule).map(|i| i as i64);
    if !related.is_empty() {
        r.related_locations = Some(related);
    }
    r
}

/// Two results of one rule on lines with the same content and occurrence would share a
/// fingerprint, and GitHub would keep only one alert: the later ones also hash their message.
fn disambiguate(results: &mut [SarifResult], messages: &[String]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (r, message) in results.iter_mut().zip(messages) {
        let Some(fps) = r.partial_fingerprints.as_mut() else {
            continue;
        };
        let Some(fp) = fps.get_mut("primaryLocationLineHash") else {
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

fn notification(
    level: &str,
    text: String,
    file: Option<&str>,
    line: Option<usize>,
) -> Notification {
    let mut n = Notification::builder()
        .message(Message::builder().text(sentence(&text)).build())
        .level(json!(level))
        .build();
    if let Some(file) = file {
        let mut physical = PhysicalLocation::builder()
            .artifact_location(artifact(file))
            .build();
        if let Some(line) = line {
            physical.region = Some(Region::builder().start_line(line as i64).build());
        }
        n.locations = Some(vec![SarifLocation::builder()
            .physical_location(physical)
            .build()]);
    }
    n
}

struct RunSpec<'a> {
    category: String,
    findings: Vec<&'a Finding>,
    notifications: Vec<Notification>,
}

fn driver(rules: &[RuleMeta]) -> ToolComponent {
    ToolComponent::builder()
        .name("shiplint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(rules.iter().map(descriptor).collect::<Vec<_>>())
        .build()
}

/// Builds the SARIF log of an audit. `rules` are all loaded rules (`PolicySet::rules()`).
pub fn build(report: &AuditReport, rules: &[RuleMeta]) -> SarifOutput {
    let mut warnings = Vec::new();
    let several = report.repos.len() > 1;
    let category = |kind: &str, repo: &str| {
        if several {
            format!("shiplint/{kind}/{}/", repo.trim_end_matches('/'))
        } else {
            format!("shiplint/{kind}/")
        }
    };
    // An input error or notice of a repository, with its file named in the text.
    let placed_notification = |level: &str, e: &InputError| {
        let text = match &e.file {
            Some(file) => format!("{file}: {}", e.message),
            None => e.message.clone(),
        };
        notification(level, text, e.file.as_deref(), e.line)
    };
    // Notifications that belong to no repository (discovery errors, policy errors) go to
    // every run: each run's analysis was incomplete.
    let mut shared = Vec::new();
    for e in report.errors.iter().filter(|e| e.repository.is_none()) {
        shared.push(notification("error", e.to_string(), None, None));
    }
    for e in &report.policy_errors {
        shared.push(notification("error", format!("policy {e}"), None, None));
    }
    let mut specs: Vec<RunSpec> = Vec::new();
    for repo in &report.repos {
        let mine = |f: &&Finding| f.repository == repo.display;
        let mut notifications: Vec<Notification> = report
            .errors
            .iter()
            .filter(|e| e.repository.as_deref() == Some(repo.display.as_str()))
            .map(|e| placed_notification("error", e))
            .collect();
        notifications.extend(shared.iter().cloned());
        // What was not audited: a note, which does not fail the run.
        notifications.extend(
            report
                .notices
                .iter()
                .filter(|n| n.repository.as_deref() == Some(repo.display.as_str()))
                .map(|n| placed_notification("note", n)),
        );
        specs.push(RunSpec {
            category: category("workflows", &repo.display),
            findings: report
                .findings
                .iter()
                .filter(mine)
                .filter(|f| matches!(f.location, Location::File(_)))
                .collect(),
            notifications: notifications.clone(),
        });
        let settings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(mine)
            .filter(|f| matches!(f.location, Location::Setting(_)))
            .collect();
        if repo.settings_evaluated || !settings.is_empty() {
            specs.push(RunSpec {
                category: category("settings", &repo.display),
                findings: settings,
                notifications: shared.clone(),
            });
        }
    }
    if specs.is_empty() {
        // Nothing could be audited: still one (empty, failed) run that says why.
        specs.push(RunSpec {
            category: category("workflows", "."),
            findings: Vec::new(),
            notifications: shared.clone(),
        });
    }
    let mut runs = Vec::with_capacity(specs.len());
    for mut spec in specs {
        if spec.findings.len() > MAX_RESULTS_PER_RUN {
            let msg = format!(
                "{} results exceed GitHub's limit of {MAX_RESULTS_PER_RUN} per run; only the first {MAX_RESULTS_PER_RUN} are written",
                spec.findings.len()
            );
            warnings.push(format!("warning: SARIF run `{}`: {msg}", spec.category));
            spec.notifications
                .push(notification("warning", msg, None, None));
            // Keep the most severe: errors first, then restore the report's order.
            spec.findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
            spec.findings.truncate(MAX_RESULTS_PER_RUN);
            spec.findings.sort_by_key(|f| f.sort_key());
        }
        let mut results: Vec<SarifResult> = spec
            .findings
            .iter()
            .map(|f| result(report, rules, f))
            .collect();
        let messages: Vec<String> = spec.findings.iter().map(|f| f.message.clone()).collect();
        disambiguate(&mut results, &messages);
        let successful = !spec
            .notifications
            .iter()
            .any(|n| n.level.as_ref() == Some(&json!("error")));
        let mut invocation = Invocation::builder()
            .execution_successful(successful)
            .build();
        if !spec.notifications.is_empty() {
            invocation.tool_execution_notifications = Some(spec.notifications);
        }
        let run = Run::builder()
            .tool(Tool::builder().driver(driver(rules)).build())
            .results(results)
            .invocations(vec![invocation])
            .automation_details(RunAutomationDetails::builder().id(spec.category).build())
            .column_kind(json!("unicodeCodePoints"))
            .build();
        runs.push(run);
    }
    let log = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(runs)
        .build();
    SarifOutput { log, warnings }
}

fn to_text(log: &Sarif) -> String {
    let mut s = serde_json::to_string_pretty(log)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise SARIF: {e}\"}}"));
    s.push('\n');
    s
}

/// The SARIF document as pretty JSON, for standard output: one document, so runs beyond
/// GitHub's limit of 20 per file are cut with a warning (`-o FILE` splits instead).
pub fn render(report: &AuditReport, rules: &[RuleMeta]) -> String {
    let mut out = build(report, rules);
    for w in &out.warnings {
        eprintln!("{w}");
    }
    if out.log.runs.len() > MAX_RUNS_PER_FILE {
        eprintln!(
            "warning: SARIF: {} runs exceed GitHub's limit of {MAX_RUNS_PER_FILE} per file; \
             only the first {MAX_RUNS_PER_FILE} are written (use -o FILE to split them into files)",
            out.log.runs.len()
        );
        out.log.runs.truncate(MAX_RUNS_PER_FILE);
    }
    to_text(&out.log)
}

/// The SARIF documents for `-o FILE`: one per 20 runs (GitHub's limit per file), so an org
/// sweep of many repositories is uploaded as several files, none cut.
pub fn render_files(report: &AuditReport, rules: &[RuleMeta]) -> Vec<String> {
    let out = build(report, rules);
    for w in &out.warnings {
        eprintln!("{w}");
    }
    let Sarif { runs, .. } = out.log.clone();
    runs.chunks(MAX_RUNS_PER_FILE)
        .map(|chunk| {
            let mut log = out.log.clone();
            log.runs = chunk.to_vec();
            to_text(&log)
        })
        .collect()
}

/// Where the `n`-th (0-based) SARIF file of a split report goes: the named file first, then
/// `name.2.sarif`, `name.3.sarif`, … beside it.
pub fn split_path(first: &std::path::Path, n: usize) -> std::path::PathBuf {
    if n == 0 {
        return first.to_path_buf();
    }
    let stem = first
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "shiplint".into());
    first.with_file_name(format!("{stem}.{}.sarif", n + 1))
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

    #[test]
    fn security_severity_is_in_githubs_range() {
        for s in [Severity::Note, Severity::Warning, Severity::Error] {
            let v: f64 = security_severity(s).parse().unwrap();
            assert!((0.1..=10.0).contains(&v));
        }
    }

    fn rule(id: &str, online: bool) -> RuleMeta {
        RuleMeta {
            id: id.into(),
            title: format!("{id} title"),
            severity: Severity::Error,
            description: "What it finds".into(),
            remediation: "How to fix it".into(),
            tags: vec!["branches".into()],
            online,
            package: String::new(),
            source: String::new(),
            builtin: false,
        }
    }

    fn finding(repo: &str, rule: &str, location: Location) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Error,
            title: "t".into(),
            message: "something is wrong".into(),
            location,
            related: Vec::new(),
            help: String::new(),
            doc_url: String::new(),
            repository: repo.into(),
        }
    }

    fn repo(display: &str, settings: bool) -> crate::audit::RepoSummary {
        crate::audit::RepoSummary {
            display: display.into(),
            files: 1,
            settings_evaluated: settings,
            slug: None,
        }
    }

    fn file_at(line: usize) -> Location {
        Location::File(FileLocation {
            file: ".github/workflows/ci.yml".into(),
            span: crate::yaml::Span { start: 0, end: 0 },
            line,
            column: 3,
            end_line: line,
            end_column: 9,
            line_text: String::new(),
        })
    }

    fn to_json(out: &SarifOutput) -> serde_json::Value {
        serde_json::to_value(&out.log).unwrap()
    }

    fn assert_schema_valid(doc: &serde_json::Value) {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/sarif/sarif-schema-2.1.0.json");
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn settings_findings_get_their_own_run_and_a_pseudo_location() {
        let report = AuditReport {
            findings: vec![
                finding(".", "wf-rule", file_at(4)),
                finding(
                    ".",
                    "branch-unprotected",
                    Location::Setting("branches/main/protection".into()),
                ),
            ],
            repos: vec![repo(".", true)],
            ..AuditReport::default()
        };
        let rules = [rule("branch-unprotected", true), rule("wf-rule", false)];
        let out = build(&report, &rules);
        let doc = to_json(&out);
        assert_schema_valid(&doc);
        let runs = doc["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0]["automationDetails"]["id"], "shiplint/workflows/");
        assert_eq!(runs[1]["automationDetails"]["id"], "shiplint/settings/");
        assert_eq!(runs[0]["results"][0]["ruleIndex"], 1);
        let r = &runs[1]["results"][0];
        assert_eq!(r["ruleIndex"], 0);
        let loc = &r["locations"][0];
        assert_eq!(
            loc["physicalLocation"]["artifactLocation"]["uri"],
            ".github"
        );
        assert_eq!(
            loc["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "%SRCROOT%"
        );
        assert_eq!(loc["physicalLocation"]["region"]["startLine"], 1);
        assert_eq!(
            loc["logicalLocations"][0]["fullyQualifiedName"],
            "branches/main/protection"
        );
        let fp = r["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        assert!(fp.ends_with(":1"));
        // The rule's tags always include `security`.
        assert_eq!(
            runs[0]["tool"]["driver"]["rules"][0]["properties"]["tags"],
            serde_json::json!(["security", "branches"])
        );
    }

    #[test]
    fn no_settings_run_when_settings_were_not_evaluated() {
        let report = AuditReport {
            repos: vec![repo(".", false)],
            ..AuditReport::default()
        };
        let doc = to_json(&build(&report, &[rule("wf-rule", false)]));
        assert_eq!(doc["runs"].as_array().unwrap().len(), 1);
        assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
    }

    #[test]
    fn nothing_audited_is_still_one_failed_run() {
        let report = AuditReport {
            errors: vec![crate::finding::InputError::new(
                Some("nope".into()),
                "no such file or directory",
            )],
            ..AuditReport::default()
        };
        let doc = to_json(&build(&report, &[rule("wf-rule", false)]));
        assert_schema_valid(&doc);
        let inv = &doc["runs"][0]["invocations"][0];
        assert_eq!(inv["executionSuccessful"], false);
        assert_eq!(
            inv["toolExecutionNotifications"][0]["message"]["text"],
            "nope: no such file or directory."
        );
    }

    #[test]
    fn results_beyond_githubs_limit_are_cut_with_a_warning() {
        let mut findings: Vec<Finding> = (0..MAX_RESULTS_PER_RUN + 3)
            .map(|i| finding(".", "wf-rule", file_at(i + 1)))
            .collect();
        // The last one is the only error: it survives the cut.
        for f in &mut findings {
            f.severity = Severity::Warning;
        }
        findings.last_mut().unwrap().severity = Severity::Error;
        let report = AuditReport {
            findings,
            repos: vec![repo(".", false)],
            ..AuditReport::default()
        };
        let out = build(&report, &[rule("wf-rule", false)]);
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        let run = &out.log.runs[0];
        let results = run.results.as_ref().unwrap();
        assert_eq!(results.len(), MAX_RESULTS_PER_RUN);
        assert_eq!(results.last().unwrap().level, Some(ResultLevel::Error));
        let inv = &run.invocations.as_ref().unwrap()[0];
        assert!(inv.execution_successful);
        assert_eq!(inv.tool_execution_notifications.as_ref().unwrap().len(), 1);
    }

    #[test]
    fn runs_beyond_githubs_limit_are_split_into_files_of_twenty() {
        let repos = (0..2 * MAX_RUNS_PER_FILE + 3)
            .map(|i| repo(&format!("r{i:02}"), false))
            .collect();
        let report = AuditReport {
            repos,
            ..AuditReport::default()
        };
        let rules = [rule("wf-rule", false)];
        assert_eq!(
            build(&report, &rules).log.runs.len(),
            2 * MAX_RUNS_PER_FILE + 3
        );
        let files = render_files(&report, &rules);
        let runs: Vec<usize> = files
            .iter()
            .map(|f| {
                let doc: serde_json::Value = serde_json::from_str(f).unwrap();
                assert_schema_valid(&doc);
                doc["runs"].as_array().unwrap().len()
            })
            .collect();
        assert_eq!(runs, [MAX_RUNS_PER_FILE, MAX_RUNS_PER_FILE, 3]);
        let last: serde_json::Value = serde_json::from_str(&files[2]).unwrap();
        assert_eq!(
            last["runs"][0]["automationDetails"]["id"],
            "shiplint/workflows/r40/"
        );
        let doc: serde_json::Value = serde_json::from_str(&render(&report, &rules)).unwrap();
        assert_eq!(doc["runs"].as_array().unwrap().len(), MAX_RUNS_PER_FILE);
        let p = std::path::Path::new("out/org.sarif");
        assert_eq!(split_path(p, 0), p);
        assert_eq!(split_path(p, 2), std::path::Path::new("out/org.3.sarif"));
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
