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
//!
//! This module assembles runs and results; the rules' descriptors are in `rules`, the
//! fingerprints that keep alerts stable in `fingerprint`, and the split of many runs over
//! several files in `split`.

mod fingerprint;
mod rules;
mod split;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location as SarifLocation, LogicalLocation,
    Message, Notification, PhysicalLocation, Region, Result as SarifResult, ResultLevel, Run,
    RunAutomationDetails, Sarif, Tool,
};

pub use fingerprint::line_hash;
pub use rules::security_severity;
pub use split::{render_files, split_path};

use fingerprint::{disambiguate, partial_fingerprints};
use rules::driver;

use crate::audit::{AuditReport, RepoSummary};
use crate::finding::{Excerpt, FileLocation, Finding, InputError, Location, Severity};
use crate::policy::RuleMeta;

/// The `$schema` of every document.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The tool's home page, in the driver.
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
    /// The document, every run in it.
    pub log: Sarif,
    /// What was cut to fit GitHub's limits, one line each.
    pub warnings: Vec<String>,
}

/// A finding's severity as the result's `level`.
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

/// A region; an end at or before the start becomes the column after the start.
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

/// A repo-relative file, relative to the checkout root (`%SRCROOT%`), as a URI reference:
/// every byte but the unreserved characters and `/` percent-encoded (a file name may hold
/// spaces, `#`, `?`, `%` or a newline).
fn artifact(path: &str) -> ArtifactLocation {
    ArtifactLocation::builder()
        .uri(uri_path(path))
        .uri_base_id(SRCROOT)
        .build()
}

/// `path` percent-encoded as the path of a relative URI (RFC 3986).
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The logical location naming a repository setting (`branches/main/protection`).
fn setting_logical(setting: &str) -> LogicalLocation {
    LogicalLocation::builder()
        .name(setting.rsplit('/').next().unwrap_or(setting))
        .fully_qualified_name(setting)
        .kind("resource")
        .build()
}

/// Source text shown with a region.
fn snippet(text: &str) -> ArtifactContent {
    ArtifactContent::builder().text(text).build()
}

/// The region of a file location, with its text as the snippet, and the lines around it
/// (one before, one after) as the context region: from the excerpt the location carries
/// (also when read back from JSON), else from the source when it is known.
fn file_physical(f: &FileLocation, source: Option<&str>) -> PhysicalLocation {
    let mut r = region(f.line, f.column, f.end_line, f.end_column);
    let mut physical = PhysicalLocation::builder()
        .artifact_location(artifact(&f.file))
        .build();
    let taken;
    let excerpt = match (&f.excerpt, source) {
        (Some(e), _) => Some(&**e),
        (None, Some(text)) => {
            taken = Excerpt::of(text, f.span, f.line, f.end_line);
            Some(&taken)
        }
        (None, None) => None,
    };
    if let Some(e) = excerpt {
        r.snippet = e.snippet.as_deref().map(snippet);
        if let Some((first, context)) = &e.context {
            let last = first + context.lines().count().max(1) - 1;
            let mut c = Region::builder()
                .start_line(*first as i64)
                .end_line(last as i64)
                .build();
            c.snippet = Some(snippet(context));
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

/// One finding as a SARIF result: its location, related locations (at most GitHub's limit,
/// numbered from 1), fingerprint and the index of its rule in the driver.
fn result(report: &AuditReport, rules: &[RuleMeta], f: &Finding) -> SarifResult {
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
        .partial_fingerprints(partial_fingerprints(report, f))
        .build();
    r.rule_index = rules.iter().position(|m| m.id == f.rule).map(|i| i as i64);
    if !related.is_empty() {
        r.related_locations = Some(related);
    }
    r
}

/// A tool execution notification (an input error, a notice, a cut), at its file and line
/// when it has them.
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

/// What one run is made of, before its results are built.
struct RunSpec<'a> {
    category: String,
    findings: Vec<&'a Finding>,
    notifications: Vec<Notification>,
}

/// `shiplint/<kind>/`, or `shiplint/<kind>/<repo>/` when the report has several
/// repositories. An absolute path loses its leading `/` (no `shiplint/workflows//home/…`);
/// the category depends on the name alone, so an audit and a `merge` of its JSON agree.
fn category(several: bool, kind: &str, repo: &str) -> String {
    if several {
        let repo = repo.trim_start_matches('/').trim_end_matches('/');
        format!("shiplint/{kind}/{repo}/")
    } else {
        format!("shiplint/{kind}/")
    }
}

/// An input error or notice of a repository, with its file named in the text.
fn placed_notification(level: &str, e: &InputError) -> Notification {
    let text = match &e.file {
        Some(file) => format!("{file}: {}", e.message),
        None => e.message.clone(),
    };
    notification(level, text, e.file.as_deref(), e.line)
}

/// Notifications that belong to no repository (discovery errors, config mistakes, policy
/// errors): they go to every run, as each run's analysis was incomplete.
fn shared_notifications(report: &AuditReport) -> Vec<Notification> {
    let mut shared = Vec::new();
    for e in &report.config_errors {
        let text = format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message);
        shared.push(notification("error", text, Some(&e.file), Some(e.line)));
    }
    for e in report.errors.iter().filter(|e| e.repository.is_none()) {
        shared.push(notification("error", e.to_string(), None, None));
    }
    for e in &report.policy_errors {
        shared.push(notification("error", format!("policy {e}"), None, None));
    }
    shared
}

/// A repository's runs: its workflow findings with its own errors and notices, then, when
/// its settings were evaluated (or a settings finding exists), its settings findings.
fn repo_runs<'a>(
    report: &'a AuditReport,
    repo: &RepoSummary,
    shared: &[Notification],
    several: bool,
) -> Vec<RunSpec<'a>> {
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
    let mut specs = vec![RunSpec {
        category: category(several, "workflows", &repo.display),
        findings: report
            .findings
            .iter()
            .filter(mine)
            .filter(|f| matches!(f.location, Location::File(_)))
            .collect(),
        notifications,
    }];
    let settings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(mine)
        .filter(|f| matches!(f.location, Location::Setting(_)))
        .collect();
    if repo.settings_evaluated || !settings.is_empty() {
        specs.push(RunSpec {
            category: category(several, "settings", &repo.display),
            findings: settings,
            notifications: shared.to_vec(),
        });
    }
    specs
}

/// Every run of the report, in repository order. Nothing audited is still one (empty,
/// failed) run that says why.
fn run_specs(report: &AuditReport) -> Vec<RunSpec<'_>> {
    let several = report.repos.len() > 1;
    let shared = shared_notifications(report);
    let mut specs: Vec<RunSpec> = Vec::new();
    for repo in &report.repos {
        specs.extend(repo_runs(report, repo, &shared, several));
    }
    if specs.is_empty() {
        specs.push(RunSpec {
            category: category(several, "workflows", "."),
            findings: Vec::new(),
            notifications: shared,
        });
    }
    specs
}

/// Cuts a run to GitHub's limit of results, keeping the most severe, and says so in the
/// run and in `warnings`.
fn cap_results(spec: &mut RunSpec, warnings: &mut Vec<String>) {
    if spec.findings.len() <= MAX_RESULTS_PER_RUN {
        return;
    }
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

/// One run: its results, its invocation (failed when an error notification says the
/// analysis was incomplete) and its category.
fn run(
    report: &AuditReport,
    rules: &[RuleMeta],
    mut spec: RunSpec,
    warnings: &mut Vec<String>,
) -> Run {
    cap_results(&mut spec, warnings);
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
    Run::builder()
        .tool(Tool::builder().driver(driver(rules)).build())
        .results(results)
        .invocations(vec![invocation])
        .automation_details(RunAutomationDetails::builder().id(spec.category).build())
        .column_kind(json!("unicodeCodePoints"))
        .build()
}

/// Builds the SARIF log of an audit. `rules` are all loaded rules (`PolicySet::rules()`).
pub fn build(report: &AuditReport, rules: &[RuleMeta]) -> SarifOutput {
    let mut warnings = Vec::new();
    let runs: Vec<Run> = run_specs(report)
        .into_iter()
        .map(|spec| run(report, rules, spec, &mut warnings))
        .collect();
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
        eprintln!("{}", crate::escape::line(w));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_uris_are_percent_encoded() {
        assert_eq!(
            uri_path(".github/workflows/ci.yml"),
            ".github/workflows/ci.yml"
        );
        assert_eq!(
            uri_path("a dir/b#1?%\n\u{e9}.yml"),
            "a%20dir/b%231%3F%25%0A%C3%A9.yml"
        );
    }

    pub(super) fn rule(id: &str, online: bool) -> RuleMeta {
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

    pub(super) fn repo(display: &str, settings: bool) -> crate::audit::RepoSummary {
        crate::audit::RepoSummary {
            display: display.into(),
            files: 1,
            settings_evaluated: settings,
            slug: None,
            graph: None,
            trace: None,
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
            excerpt: None,
        })
    }

    fn to_json(out: &SarifOutput) -> serde_json::Value {
        serde_json::to_value(&out.log).unwrap()
    }

    pub(super) fn assert_schema_valid(doc: &serde_json::Value) {
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
}
