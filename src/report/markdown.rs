//! `--format markdown`: a GitHub job summary (`>> $GITHUB_STEP_SUMMARY`) with the counts,
//! a findings table (rule linked to its page) and, per repository, a Mermaid flowchart of
//! the pipeline: triggers → workflows → jobs along `needs:`, each job labelled with its
//! roles (build / scan / deploy to an environment) as the policy library classifies them
//! (`data.shiplint.lib.graph.jobs`). Jobs where a finding points, and `needs:`/call edges
//! that a finding relates, are marked `bad`. The output depends only on the inputs.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use super::{plural, workspace_path, Counts};
use crate::audit::{AuditOptions, AuditReport};
use crate::finding::{Finding, Location, Severity};
use crate::model::{self, Input};
use crate::policy::PolicySet;
use crate::source::{local, Repository};
use crate::yaml::{PathSeg, Span};

/// Rows of the findings table before it is cut (the job summary is limited to 1 MiB).
pub const MAX_TABLE_ROWS: usize = 500;

/// The Rego rule that classifies jobs.
pub const ROLES_RULE: &str = "data.shiplint.lib.graph.jobs";

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🔴 error",
        Severity::Warning => "🟠 warning",
        Severity::Note => "🔵 note",
    }
}

/// A table cell: one line, `|` escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace("\r\n", " ")
        .replace(['\n', '\r'], " ")
}

/// Text inside a quoted Mermaid label.
fn label(s: &str) -> String {
    s.replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn location_cell(f: &Finding) -> String {
    match &f.location {
        Location::File(at) => format!("`{}:{}`", workspace_path(&f.repository, &at.file), at.line),
        Location::Setting(s) => format!("{} setting `{}`", f.repository, s),
    }
}

fn table(report: &AuditReport) -> String {
    let mut out = String::from("| Severity | Rule | Location | Message |\n|---|---|---|---|\n");
    for f in report.findings.iter().take(MAX_TABLE_ROWS) {
        let _ = writeln!(
            out,
            "| {} | [`{}`]({}) | {} | {} |",
            icon(f.severity),
            f.rule,
            f.doc_url,
            location_cell(f),
            cell(&f.message)
        );
    }
    if report.findings.len() > MAX_TABLE_ROWS {
        let _ = writeln!(
            out,
            "\n… and {} more (see the SARIF or JSON report).",
            report.findings.len() - MAX_TABLE_ROWS
        );
    }
    out
}

/// What the policy library says a job does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobRoles {
    /// `build`, `scan`, `deploy`, in that order.
    pub roles: Vec<String>,
    /// Where it deploys (for a reusable-workflow call, the callee's environments with the
    /// caller's inputs bound).
    pub environments: Vec<String>,
}

/// Per job of a repository: `(file, job id)` → roles, from the policy library.
type Roles = BTreeMap<(String, String), JobRoles>;

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str().map(str::to_string))
        .collect()
}

fn roles(policies: &PolicySet, input: &Input) -> Result<Roles, String> {
    let mut engine = policies.engine();
    let json = serde_json::to_value(input).map_err(|e| e.to_string())?;
    engine.set_input(regorus::Value::from(json));
    let value = engine
        .eval_rule(ROLES_RULE.to_string())
        .map_err(|e| e.to_string())?;
    let json = serde_json::to_value(&value).map_err(|e| e.to_string())?;
    let mut out = Roles::new();
    for item in json.as_array().into_iter().flatten() {
        let (Some(file), Some(job)) = (item["file"].as_str(), item["job"].as_str()) else {
            continue;
        };
        out.insert(
            (file.to_string(), job.to_string()),
            JobRoles {
                roles: strings(&item["roles"]),
                environments: strings(&item["environments"]),
            },
        );
    }
    Ok(out)
}

/// A node a location can fall in: a job, or (outside every job) its workflow.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Job(usize, usize),
    Workflow(usize),
}

struct Graph<'a> {
    input: &'a Input,
    /// Per workflow: the byte span of each job (when it could be located).
    job_spans: Vec<Vec<Option<Span>>>,
}

impl<'a> Graph<'a> {
    fn new(repo: &Repository, input: &'a Input) -> Graph<'a> {
        let job_spans = input
            .workflows
            .iter()
            .map(|wf| {
                let doc = repo.file(&wf.path).map(|f| &f.doc);
                wf.jobs
                    .iter()
                    .map(|job| {
                        let path: Option<Vec<PathSeg>> =
                            job.path.iter().map(PathSeg::from_json).collect();
                        let located = doc?.locate(&path?)?;
                        Some(match located.key_span {
                            Some(k) => Span {
                                start: k.start.min(located.span.start),
                                end: located.span.end.max(k.end),
                            },
                            None => located.span,
                        })
                    })
                    .collect()
            })
            .collect();
        Graph { input, job_spans }
    }

    fn node_of(&self, at: &Location) -> Option<Node> {
        let Location::File(f) = at else {
            return None;
        };
        let w = self
            .input
            .workflows
            .iter()
            .position(|wf| wf.path == f.file)?;
        let job = self.job_spans[w].iter().position(|s| {
            s.is_some_and(|s| s.start <= f.span.start && f.span.start < s.end.max(s.start + 1))
        });
        Some(match job {
            Some(j) => Node::Job(w, j),
            None => Node::Workflow(w),
        })
    }

    fn in_workflow(node: &Node, w: usize) -> bool {
        matches!(node, Node::Job(x, _) | Node::Workflow(x) if *x == w)
    }
}

fn node_id(node: &Node) -> String {
    match node {
        Node::Job(w, j) => format!("w{w}j{j}"),
        Node::Workflow(w) => format!("w{w}"),
    }
}

fn job_label(name: &str, roles: &JobRoles) -> String {
    let envs = roles.environments.join(", ");
    let environment = (!envs.is_empty()).then_some(envs.as_str());
    let mut parts = Vec::new();
    for role in &roles.roles {
        parts.push(match (role.as_str(), environment) {
            ("build", _) => "🔨 build".to_string(),
            ("scan", _) => "🛡️ scan".to_string(),
            ("deploy", Some(env)) => format!("🚀 deploy → {env}"),
            ("deploy", None) => "🚀 deploy".to_string(),
            (other, _) => other.to_string(),
        });
    }
    if parts.is_empty() {
        if let Some(env) = environment {
            parts.push(format!("env: {env}"));
        }
    }
    if parts.is_empty() {
        label(name)
    } else {
        format!("{}<br/>{}", label(name), label(&parts.join(" · ")))
    }
}

/// The Mermaid flowchart of one repository's pipeline.
pub fn flowchart(repo: &Repository, input: &Input, roles: &Roles, findings: &[&Finding]) -> String {
    let graph = Graph::new(repo, input);
    // Nodes touched by each finding: the primary one first, then the related ones.
    let touched: Vec<(Option<Node>, Vec<Node>)> = findings
        .iter()
        .map(|f| {
            let related = f
                .related
                .iter()
                .filter_map(|r| graph.node_of(&r.location))
                .collect();
            (graph.node_of(&f.location), related)
        })
        .collect();
    let bad_nodes: BTreeSet<Node> = touched.iter().filter_map(|(p, _)| p.clone()).collect();
    let edge_is_bad = |from: &dyn Fn(&Node) -> bool, to: &dyn Fn(&Node) -> bool| {
        touched.iter().any(|(p, rel)| {
            let Some(p) = p else { return false };
            (to(p) && rel.iter().any(from)) || (from(p) && rel.iter().any(to))
        })
    };
    let mut out = String::from("```mermaid\nflowchart LR\n");
    out.push_str("  classDef bad fill:#ffebe9,stroke:#cf222e,stroke-width:2px,color:#82071e\n");
    out.push_str("  classDef trigger fill:#ddf4ff,stroke:#0969da,color:#0a3069\n");
    // Workflows called by a local job are entered through the call, not a trigger node.
    let called: BTreeSet<&str> = input
        .workflows
        .iter()
        .flat_map(|wf| &wf.jobs)
        .filter_map(|j| j.uses.as_ref().and_then(|u| u.resolved.as_deref()))
        .collect();
    let mut triggers: Vec<&str> = Vec::new();
    for wf in &input.workflows {
        for t in wf.triggers.keys() {
            if t == "workflow_call" && called.contains(wf.path.as_str()) {
                continue;
            }
            if !triggers.contains(&t.as_str()) {
                triggers.push(t);
            }
        }
    }
    for (i, t) in triggers.iter().enumerate() {
        let _ = writeln!(out, "  t{i}([\"{}\"]):::trigger", label(t));
    }
    let mut edges: Vec<(String, String, bool, &str)> = Vec::new();
    for (w, wf) in input.workflows.iter().enumerate() {
        let title = wf.name.as_deref().unwrap_or(&wf.path);
        let file = wf.path.rsplit('/').next().unwrap_or(&wf.path);
        let _ = writeln!(
            out,
            "  subgraph w{w}[\"{}\"]",
            label(&if title == wf.path || title == file {
                file.to_string()
            } else {
                format!("{title} ({file})")
            })
        );
        out.push_str("    direction LR\n");
        for (j, job) in wf.jobs.iter().enumerate() {
            let r = roles
                .get(&(wf.path.clone(), job.id.clone()))
                .cloned()
                .unwrap_or_else(|| JobRoles {
                    roles: Vec::new(),
                    environments: job.environment.iter().map(|e| e.name.clone()).collect(),
                });
            let _ = writeln!(out, "    w{w}j{j}[\"{}\"]", job_label(&job.id, &r));
        }
        out.push_str("  end\n");
        for t in wf.triggers.keys() {
            if let Some(i) = triggers.iter().position(|x| x == t) {
                edges.push((format!("t{i}"), format!("w{w}"), false, "-->"));
            }
        }
        for (j, job) in wf.jobs.iter().enumerate() {
            for need in &job.needs {
                if let Some(n) = wf.jobs.iter().position(|x| &x.id == need) {
                    let bad = edge_is_bad(&|x| *x == Node::Job(w, n), &|x| *x == Node::Job(w, j));
                    edges.push((format!("w{w}j{n}"), format!("w{w}j{j}"), bad, "-->"));
                }
            }
            if let Some(callee) = job.uses.as_ref().and_then(|u| u.resolved.as_deref()) {
                if let Some(c) = input.workflows.iter().position(|x| x.path == callee) {
                    let bad =
                        edge_is_bad(&|x| *x == Node::Job(w, j), &|x| Graph::in_workflow(x, c));
                    edges.push((format!("w{w}j{j}"), format!("w{c}"), bad, "-. calls .->"));
                }
            }
        }
    }
    for (from, to, _, arrow) in &edges {
        let _ = writeln!(out, "  {from} {arrow} {to}");
    }
    for node in &bad_nodes {
        match node {
            Node::Job(..) => {
                let _ = writeln!(out, "  class {} bad", node_id(node));
            }
            // A finding outside every job (workflow-level keys): the workflow's frame.
            Node::Workflow(_) => {
                let _ = writeln!(
                    out,
                    "  style {} stroke:#cf222e,stroke-width:3px",
                    node_id(node)
                );
            }
        }
    }
    for (i, (_, _, bad, _)) in edges.iter().enumerate() {
        if *bad {
            let _ = writeln!(out, "  linkStyle {i} stroke:#cf222e,stroke-width:3px");
        }
    }
    out.push_str("```\n");
    out
}

/// The whole job summary. Repositories are read again (the report keeps only findings
/// and sources) to draw their pipelines.
pub fn render(report: &AuditReport, policies: &PolicySet, opts: &AuditOptions) -> String {
    let c = Counts::of(report);
    let mut out = String::from("## shiplint\n\n");
    let total = c.errors + c.warnings + c.notes;
    let _ = writeln!(
        out,
        "**{}**, **{}**, **{}** in {} of {}.\n",
        plural(c.errors, "error", "errors"),
        plural(c.warnings, "warning", "warnings"),
        plural(c.notes, "note", "notes"),
        plural(report.files_audited(), "file", "files"),
        plural(report.repos.len(), "repository", "repositories"),
    );
    if !report.settings_evaluated() {
        out.push_str("_Repository-settings rules were not evaluated (offline: no settings)._\n\n");
    }
    let problems: Vec<String> = report
        .errors
        .iter()
        .map(|e| match (&e.repository, &e.file) {
            (Some(r), Some(_)) => format!("{} ({r})", e),
            _ => e.to_string(),
        })
        .chain(report.policy_errors.iter().map(|e| format!("policy {e}")))
        .collect();
    if !problems.is_empty() {
        let _ = writeln!(
            out,
            "### Could not be audited ({})\n",
            plural(problems.len(), "input", "inputs")
        );
        for p in &problems {
            let _ = writeln!(out, "- {}", cell(p));
        }
        out.push('\n');
    }
    if !report.notices.is_empty() {
        let _ = writeln!(
            out,
            "### Not audited ({})\n",
            plural(report.notices.len(), "notice", "notices")
        );
        for n in &report.notices {
            let text = match (&n.repository, &n.file) {
                (Some(r), Some(_)) => format!("{n} ({r})"),
                _ => n.to_string(),
            };
            let _ = writeln!(out, "- {}", cell(&text));
        }
        out.push('\n');
    }
    if total > 0 {
        out.push_str("### Findings\n\n");
        out.push_str(&table(report));
        out.push('\n');
    }
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    };
    let (found, _) = crate::discover::discover(&paths, &opts.discover);
    for repo_files in found {
        let repo = local::load(repo_files);
        let (input, _) = model::build_input(&repo);
        if input.workflows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### Pipeline: `{}`\n", repo.display);
        let roles = match roles(policies, &input) {
            Ok(r) => r,
            Err(e) => {
                let _ = writeln!(out, "_Jobs could not be classified: {}_\n", cell(&e));
                Roles::new()
            }
        };
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.repository == repo.display)
            .collect();
        out.push_str(&flowchart(&repo, &input, &roles, &findings));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_break_out_of_their_quotes() {
        assert_eq!(
            label(r#"a "b" <c> & d"#),
            "a #quot;b#quot; #lt;c#gt; #amp; d"
        );
    }

    #[test]
    fn table_cells_stay_on_one_line() {
        assert_eq!(cell("a | b\nc\r\nd"), r"a \| b c d");
    }

    #[test]
    fn job_labels_show_roles_and_environments() {
        let roles = JobRoles {
            roles: vec!["build".into(), "deploy".into()],
            environments: vec!["staging".into()],
        };
        assert_eq!(
            job_label("ship", &roles),
            "ship<br/>🔨 build · 🚀 deploy → staging"
        );
        assert_eq!(job_label("lint", &JobRoles::default()), "lint");
    }
}
