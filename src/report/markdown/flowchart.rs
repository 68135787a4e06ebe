//! The Mermaid flowchart of one repository's pipeline graph: triggers → workflows (as
//! subgraphs) → jobs along `needs:` and reusable-workflow calls, with the nodes and edges
//! that findings point at marked.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::label;
use crate::audit::graph::{GraphJob, PipelineGraph};
use crate::finding::{Finding, Location, Severity};

/// A node a location can fall in: a job, or (outside every job) its workflow.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Job(usize, usize),
    Workflow(usize),
}

impl Node {
    fn id(&self) -> String {
        match self {
            Node::Job(w, j) => format!("w{w}j{j}"),
            Node::Workflow(w) => format!("w{w}"),
        }
    }

    fn in_workflow(&self, w: usize) -> bool {
        matches!(self, Node::Job(x, _) | Node::Workflow(x) if *x == w)
    }
}

/// The node a location falls in, if it is in a workflow of the graph.
fn node_of(graph: &PipelineGraph, at: &Location) -> Option<Node> {
    let Location::File(f) = at else {
        return None;
    };
    let w = graph.workflows.iter().position(|wf| wf.path == f.file)?;
    let position = (f.line, f.column);
    let job = graph.workflows[w]
        .jobs
        .iter()
        .position(|j| j.extent.is_some_and(|e| e.holds(position)));
    Some(match job {
        Some(j) => Node::Job(w, j),
        None => Node::Workflow(w),
    })
}

/// A job's label: its id, then its roles (or, without roles, its environments).
fn job_label(job: &GraphJob) -> String {
    let envs = job.environments.join(", ");
    let environment = (!envs.is_empty()).then_some(envs.as_str());
    let mut parts = Vec::new();
    for role in &job.roles {
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
        label(&job.id)
    } else {
        format!("{}<br/>{}", label(&job.id), label(&parts.join(" · ")))
    }
}

/// Nodes touched by each finding: the primary one, then the related ones, and the
/// finding's severity.
struct Touched(Vec<(Option<Node>, Vec<Node>, Severity)>);

impl Touched {
    fn of(graph: &PipelineGraph, findings: &[&Finding]) -> Touched {
        Touched(
            findings
                .iter()
                .map(|f| {
                    let related = f
                        .related
                        .iter()
                        .filter_map(|r| node_of(graph, &r.location))
                        .collect();
                    (node_of(graph, &f.location), related, f.severity)
                })
                .collect(),
        )
    }

    /// Each node a finding points at, with the worst severity of its findings: a job with
    /// one note is not drawn as a job with an error.
    fn marked_nodes(&self) -> BTreeMap<Node, Severity> {
        let mut nodes: BTreeMap<Node, Severity> = BTreeMap::new();
        for (p, _, severity) in &self.0 {
            if let Some(p) = p {
                let worst = nodes.entry(p.clone()).or_insert(*severity);
                *worst = (*worst).max(*severity);
            }
        }
        nodes
    }

    /// The worst severity of the findings that relate the two ends of an edge (either way
    /// round), if any does.
    fn edge_severity(
        &self,
        from: &dyn Fn(&Node) -> bool,
        to: &dyn Fn(&Node) -> bool,
    ) -> Option<Severity> {
        self.0
            .iter()
            .filter(|(p, rel, _)| {
                let Some(p) = p else { return false };
                (to(p) && rel.iter().any(from)) || (from(p) && rel.iter().any(to))
            })
            .map(|(_, _, severity)| *severity)
            .max()
    }
}

/// The stroke of a node or edge marked with a finding of `severity` (the colours of the
/// severity badges: red, amber, blue).
fn stroke(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "#cf222e",
        Severity::Warning => "#9a6700",
        Severity::Note => "#0969da",
    }
}

/// An edge: from, to, the worst severity of the findings that mark it, its Mermaid arrow.
type Edge = (String, String, Option<Severity>, &'static str);

/// The Mermaid flowchart of one repository's pipeline.
pub fn flowchart(graph: &PipelineGraph, findings: &[&Finding]) -> String {
    let touched = Touched::of(graph, findings);
    let mut out = String::from("```mermaid\nflowchart LR\n");
    out.push_str("  classDef error fill:#ffebe9,stroke:#cf222e,stroke-width:2px,color:#82071e\n");
    out.push_str("  classDef warning fill:#fff8c5,stroke:#9a6700,stroke-width:2px,color:#7d4e00\n");
    out.push_str("  classDef note fill:#f6f8fa,stroke:#0969da,stroke-width:2px,color:#0a3069\n");
    out.push_str("  classDef trigger fill:#ddf4ff,stroke:#0969da,color:#0a3069\n");
    let triggers = triggers(graph);
    for (i, t) in triggers.iter().enumerate() {
        let _ = writeln!(out, "  t{i}([\"{}\"]):::trigger", label(t));
    }
    let mut edges: Vec<Edge> = Vec::new();
    for w in 0..graph.workflows.len() {
        out.push_str(&subgraph(graph, w));
        edges.extend(workflow_edges(graph, w, &triggers, &touched));
    }
    for (from, to, _, arrow) in &edges {
        let _ = writeln!(out, "  {from} {arrow} {to}");
    }
    for (node, severity) in &touched.marked_nodes() {
        match node {
            Node::Job(..) => {
                let _ = writeln!(out, "  class {} {}", node.id(), severity.as_str());
            }
            // A finding outside every job (workflow-level keys): the workflow's frame.
            Node::Workflow(_) => {
                let _ = writeln!(
                    out,
                    "  style {} stroke:{},stroke-width:3px",
                    node.id(),
                    stroke(*severity)
                );
            }
        }
    }
    for (i, (_, _, severity, _)) in edges.iter().enumerate() {
        if let Some(severity) = severity {
            let _ = writeln!(
                out,
                "  linkStyle {i} stroke:{},stroke-width:3px",
                stroke(*severity)
            );
        }
    }
    out.push_str("```\n");
    out
}

/// The trigger nodes, in first-seen order. Workflows called by a local job are entered
/// through the call, not through their `workflow_call` trigger.
fn triggers(graph: &PipelineGraph) -> Vec<&str> {
    let called: BTreeSet<&str> = graph
        .workflows
        .iter()
        .flat_map(|wf| &wf.jobs)
        .filter_map(|j| j.calls.as_deref())
        .collect();
    let mut triggers: Vec<&str> = Vec::new();
    for wf in &graph.workflows {
        for t in &wf.triggers {
            if t == "workflow_call" && called.contains(wf.path.as_str()) {
                continue;
            }
            if !triggers.contains(&t.as_str()) {
                triggers.push(t);
            }
        }
    }
    triggers
}

/// One workflow as a subgraph of its jobs.
fn subgraph(graph: &PipelineGraph, w: usize) -> String {
    let wf = &graph.workflows[w];
    let title = wf.name.as_deref().unwrap_or(&wf.path);
    let file = wf.path.rsplit('/').next().unwrap_or(&wf.path);
    let title = if title == wf.path || title == file {
        file.to_string()
    } else {
        format!("{title} ({file})")
    };
    let mut out = format!("  subgraph w{w}[\"{}\"]\n    direction LR\n", label(&title));
    for (j, job) in wf.jobs.iter().enumerate() {
        let _ = writeln!(out, "    w{w}j{j}[\"{}\"]", job_label(job));
    }
    out.push_str("  end\n");
    out
}

/// The edges into and within workflow `w`: its triggers, `needs:` and calls.
fn workflow_edges(
    graph: &PipelineGraph,
    w: usize,
    triggers: &[&str],
    touched: &Touched,
) -> Vec<Edge> {
    let wf = &graph.workflows[w];
    let mut edges = Vec::new();
    for t in &wf.triggers {
        if let Some(i) = triggers.iter().position(|x| x == t) {
            edges.push((format!("t{i}"), format!("w{w}"), None, "-->"));
        }
    }
    for (j, job) in wf.jobs.iter().enumerate() {
        for need in &job.needs {
            if let Some(n) = wf.jobs.iter().position(|x| &x.id == need) {
                let marked =
                    touched.edge_severity(&|x| *x == Node::Job(w, n), &|x| *x == Node::Job(w, j));
                edges.push((format!("w{w}j{n}"), format!("w{w}j{j}"), marked, "-->"));
            }
        }
        if let Some(callee) = job.calls.as_deref() {
            if let Some(c) = graph.workflows.iter().position(|x| x.path == callee) {
                let marked =
                    touched.edge_severity(&|x| *x == Node::Job(w, j), &|x| x.in_workflow(c));
                edges.push((format!("w{w}j{j}"), format!("w{c}"), marked, "-. calls .->"));
            }
        }
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_labels_show_roles_and_environments() {
        let ship = GraphJob {
            id: "ship".into(),
            roles: vec!["build".into(), "deploy".into()],
            environments: vec!["staging".into()],
            ..GraphJob::default()
        };
        assert_eq!(job_label(&ship), "ship<br/>🔨 build · 🚀 deploy → staging");
        let lint = GraphJob {
            id: "lint".into(),
            ..GraphJob::default()
        };
        assert_eq!(job_label(&lint), "lint");
    }
}
