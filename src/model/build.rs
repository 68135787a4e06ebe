//! Building the input document of one repository, in phases: read each file as written
//! ([`super::read`]), point `uses:` at the files they name, link the workflows through
//! their calls ([`super::graph`]), name each job's checks in its contexts
//! ([`super::names`]), expand every step in each of its job's contexts
//! ([`super::expand`]), then flatten ([`super::flatten`]). Each phase after reading only
//! computes; this module is the one that fills its results in.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use super::types::{Action, Input, Workflow};
use super::{expand, flatten, graph, names, read};
use crate::finding::InputError;
use crate::source::{Repository, RepositoryInfo};
use crate::uses::{RefKind, UsesRef};

/// Builds the input document of one repository. Type errors become input errors (with
/// positions) and the offending part is left empty.
pub fn build_input(repo: &Repository) -> (Input, Vec<InputError>) {
    let (mut workflows, mut actions, errors) = read::files(&repo.files);
    resolve_local_uses(&repo.info, &mut workflows, &mut actions);
    link(&mut workflows);
    name_checks(&mut workflows);
    bind_actions(&mut workflows, &actions);
    expand_steps(&mut workflows);
    let pipeline = flatten::flatten(&workflows, &actions);
    let input = Input {
        repository: repo.info.clone(),
        workflows,
        actions,
        settings: repo.settings.clone(),
        config: Json::Object(Map::new()),
        pipeline,
    };
    (input, errors)
}

/// Points `uses:` references to this repository's own files at the files they name:
/// `./path`, and `owner/repo/path@ref` when `owner/repo` is the audited repository. A
/// job's reference names a workflow, a step's an action's folder. An own full-name
/// reference that resolves becomes `ref_kind: "local"` (it runs this repository's code,
/// not a third party's; `ref` keeps the ref it names); one that does not stays as parsed.
fn resolve_local_uses(info: &RepositoryInfo, workflows: &mut [Workflow], actions: &mut [Action]) {
    let workflow_paths: BTreeSet<String> = workflows.iter().map(|w| w.path.clone()).collect();
    let action_files: BTreeMap<String, String> = actions
        .iter()
        .map(|a| (a.dir.clone(), a.path.clone()))
        .collect();
    let resolve = |u: &mut UsesRef, job: bool| {
        let Some(p) = info.own_path(u) else {
            return;
        };
        let workflow = || workflow_paths.get(&p).cloned();
        let action = || action_files.get(&p).cloned();
        let file = if u.ref_kind == RefKind::Local {
            workflow().or_else(action)
        } else if job {
            workflow()
        } else {
            action()
        };
        let Some(file) = file else {
            return;
        };
        if u.ref_kind != RefKind::Local {
            u.ref_kind = RefKind::Local;
            u.action.clear();
            u.action_repo.clear();
        }
        u.resolved = Some(file);
    };
    for job in workflows.iter_mut().flat_map(|w| w.jobs.iter_mut()) {
        if let Some(u) = job.uses.as_mut() {
            resolve(u, true);
        }
        for u in job.steps.iter_mut().filter_map(|s| s.uses.as_mut()) {
            resolve(u, false);
        }
    }
    for u in actions
        .iter_mut()
        .flat_map(|a| a.steps.iter_mut().filter_map(|s| s.uses.as_mut()))
    {
        resolve(u, false);
    }
}

/// Fills what the call graph adds: `callers` and `reached_by` of each workflow, `calls`,
/// `contexts` and `triggers` of each job.
fn link(workflows: &mut [Workflow]) {
    let links = graph::link(workflows);
    for (wf, links) in workflows.iter_mut().zip(links) {
        wf.callers = links.callers;
        wf.reached_by = links.reached_by;
        for (job, links) in wf.jobs.iter_mut().zip(links.jobs) {
            job.calls = links.calls;
            job.contexts = links.contexts;
            job.triggers = links.triggers;
        }
    }
}

/// Fills `job.checks` (needs `job.contexts`).
fn name_checks(workflows: &mut [Workflow]) {
    let checks = names::checks(workflows);
    for (wf, checks) in workflows.iter_mut().zip(checks) {
        for (job, checks) in wf.jobs.iter_mut().zip(checks) {
            job.checks = checks;
        }
    }
}

/// Fills `step.action` of the workflows' steps that run a local composite action.
fn bind_actions(workflows: &mut [Workflow], actions: &[Action]) {
    let by_path: BTreeMap<&str, &Action> = actions.iter().map(|a| (a.path.as_str(), a)).collect();
    let steps = workflows
        .iter_mut()
        .flat_map(|w| w.jobs.iter_mut())
        .flat_map(|j| j.steps.iter_mut());
    for step in steps {
        if let Some(call) = graph::action_call(step, &by_path) {
            step.action = Some(call);
        }
    }
}

/// Fills `step.expanded` for every job context (needs `job.contexts`).
fn expand_steps(workflows: &mut [Workflow]) {
    for wf in workflows.iter_mut() {
        for job in wf.jobs.iter_mut() {
            let expanded = expand::job_steps(&wf.env, job);
            for (step, expanded) in job.steps.iter_mut().zip(expanded) {
                step.expanded = expanded;
            }
        }
    }
}
