//! The pipeline graph of one repository, as reports draw it: workflows, their triggers,
//! jobs with the roles the policies gave them (build, scan, deploy → environment), the
//! `needs:` edges and the calls of local reusable workflows.
//!
//! It is computed once, in the evaluation stage (the roles come from the policy library,
//! `data.shiplint.lib.graph.jobs`), and travels with the outcome, and through the JSON
//! report into merged reports, so that renderers present it and never re-run the audit.
//! Job extents are line/column ranges, which a JSON report keeps, so findings read back
//! from JSON still fall in their jobs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::model::Input;
use crate::source::Repository;
use crate::yaml::{PathSeg, Span};

/// The rule of the policy library that classifies jobs.
pub const ROLES_RULE: &str = "data.shiplint.lib.graph.jobs";

/// One repository's pipeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PipelineGraph {
    pub workflows: Vec<GraphWorkflow>,
    /// Why jobs have no roles, when the classification failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles_error: Option<String>,
}

/// One workflow file of the graph.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphWorkflow {
    /// Repository-relative path.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The events under `on:`, in file order.
    pub triggers: Vec<String>,
    pub jobs: Vec<GraphJob>,
}

/// One job of a workflow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GraphJob {
    pub id: String,
    /// Jobs of the same workflow this one `needs:`.
    #[serde(default)]
    pub needs: Vec<String>,
    /// The local reusable workflow it calls (repository-relative path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calls: Option<String>,
    /// `build`, `scan`, `deploy`, … as the policy library classified the job.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The environments it deploys to.
    #[serde(default)]
    pub environments: Vec<String>,
    /// Where the job is in its file, key included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extent: Option<Extent>,
}

/// A range of a file by 1-based (line, column) positions, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extent {
    pub start: (usize, usize),
    pub end: (usize, usize),
}

impl Extent {
    /// Whether a position at (line, column) falls in the range (an empty range holds
    /// its start).
    pub fn holds(&self, at: (usize, usize)) -> bool {
        self.start <= at && (at < self.end || at == self.start)
    }
}

/// The graph of a modelled repository; `roles` is what [`ROLES_RULE`] evaluated to.
pub fn build(repo: &Repository, input: &Input, roles: Result<Json, String>) -> PipelineGraph {
    let (classified, roles_error) = match roles {
        Ok(json) => (classification(&json), None),
        Err(e) => (BTreeMap::new(), Some(e)),
    };
    let workflows = input
        .workflows
        .iter()
        .map(|wf| {
            let doc = repo.file(&wf.path).map(|f| &f.doc);
            let jobs = wf
                .jobs
                .iter()
                .map(|job| {
                    let known = classified.get(&(wf.path.clone(), job.id.clone()));
                    GraphJob {
                        id: job.id.clone(),
                        needs: job.needs.clone(),
                        calls: job.uses.as_ref().and_then(|u| u.resolved.clone()),
                        roles: known.map(|k| k.0.clone()).unwrap_or_default(),
                        environments: match known {
                            Some(k) => k.1.clone(),
                            None => job.environment.iter().map(|e| e.name.clone()).collect(),
                        },
                        extent: doc.and_then(|doc| extent(doc, &job.path)),
                    }
                })
                .collect();
            GraphWorkflow {
                path: wf.path.clone(),
                name: wf.name.clone(),
                triggers: wf.triggers.keys().cloned().collect(),
                jobs,
            }
        })
        .collect();
    PipelineGraph {
        workflows,
        roles_error,
    }
}

/// (file, job) → (roles, environments) from the library's answer.
type Classified = BTreeMap<(String, String), (Vec<String>, Vec<String>)>;

fn classification(json: &Json) -> Classified {
    let strings = |v: &Json| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_string))
            .collect()
    };
    let mut out = Classified::new();
    for item in json.as_array().into_iter().flatten() {
        if let (Some(file), Some(job)) = (item["file"].as_str(), item["job"].as_str()) {
            out.insert(
                (file.to_string(), job.to_string()),
                (strings(&item["roles"]), strings(&item["environments"])),
            );
        }
    }
    out
}

/// The extent of the node at `path` (a job), its key included.
fn extent(doc: &crate::yaml::Document, path: &[Json]) -> Option<Extent> {
    let path: Vec<PathSeg> = path.iter().map(PathSeg::from_json).collect::<Option<_>>()?;
    let located = doc.locate(&path)?;
    let span = match located.key_span {
        Some(k) => Span {
            start: k.start.min(located.span.start),
            end: located.span.end.max(k.end),
        },
        None => located.span,
    };
    Some(Extent {
        start: doc.line_col(span.start),
        end: doc.line_col(span.end),
    })
}
