//! The call graph of one repository's workflows and what follows from it (`docs/input.md`,
//! "Pipeline model"), computed once in Rust so that policies only look things up:
//!
//! - `workflow.callers` / `job.calls`: the call graph of local reusable workflows;
//! - `job.contexts`: every way a job runs — directly from its workflow's own triggers, or
//!   through a chain of caller jobs — with the events that reach it along that chain, the
//!   callee's `inputs.*` bound to the callers' `with:` values, and every job that must have
//!   succeeded before it (`needs:` across callers and callees);
//! - `step.action`: a local composite action a step runs, with its bound inputs.
//!
//! Everything here reads the workflows as written (with local `uses:` resolved) and
//! returns what it computes; [`super::build`] fills it into the document.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use super::expand::substitute_inputs;
use super::types::{Action, ActionCall, Call, Context, Job, JobRef, Step, Workflow};

/// At most this many call contexts per workflow (call graphs are small; this bounds
/// pathological fan-out) and this many levels of nesting (GitHub allows 4).
const MAX_CONTEXTS: usize = 32;
const MAX_DEPTH: usize = 8;

/// At most this many job references in all that the call graph computes for one
/// repository (what every job reaches through its calls, and every context's `upstream`).
/// Both grow with the product of chain lengths and fan-out: six workflows of twelve jobs
/// each calling the next reach three million, and chains of callers multiply `upstream`.
/// The corpus's largest repository needs under 2,000; `docs/security.md` states the bound.
pub const MAX_LINKED_JOBS: usize = 200_000;

/// The call graph of a repository would exceed [`MAX_LINKED_JOBS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

/// What the call graph adds to one workflow (`callers`, `reached_by`) and its jobs.
pub(super) struct WorkflowLinks {
    /// `workflow.callers`.
    pub callers: Vec<JobRef>,
    /// `workflow.reached_by`.
    pub reached_by: Vec<String>,
    /// One per job, in order.
    pub jobs: Vec<JobLinks>,
}

/// What the call graph adds to one job.
pub(super) struct JobLinks {
    /// `job.calls`.
    pub calls: Option<Call>,
    /// `job.contexts`.
    pub contexts: Vec<Context>,
    /// `job.triggers`: the union of the contexts' events.
    pub triggers: Vec<String>,
}

/// The call graph's additions to each workflow, in the order of `workflows`; `TooLarge`
/// as soon as they would exceed [`MAX_LINKED_JOBS`] references.
pub(super) fn link(workflows: &[Workflow]) -> Result<Vec<WorkflowLinks>, TooLarge> {
    let graph = CallGraph::new(workflows);
    let contexts = graph.contexts()?;
    let reach = (0..workflows.len())
        .map(|wi| {
            (0..workflows[wi].jobs.len())
                .map(|ji| graph.reach(wi, ji, 0))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    contexts
        .iter()
        .enumerate()
        .map(|(wi, ctxs)| graph.links(wi, ctxs, &reach))
        .collect()
}

/// A workflow-level context, before the job's own `if:` and `needs:` apply.
#[derive(Debug, Clone)]
struct WfContext {
    via: Vec<JobRef>,
    triggers: BTreeSet<String>,
    inputs: Map<String, Json>,
    upstream: BTreeSet<JobRef>,
}

/// Which jobs call which local workflows, by position in `workflows`.
struct CallGraph<'a> {
    workflows: &'a [Workflow],
    /// For each workflow, the `(workflow, job)` positions of the jobs that call it.
    callers: Vec<Vec<(usize, usize)>>,
    /// For each job of each workflow, the position of the workflow it calls.
    called: Vec<Vec<Option<usize>>>,
    /// Job references made so far (see [`MAX_LINKED_JOBS`]).
    spent: Cell<usize>,
}

impl<'a> CallGraph<'a> {
    fn new(workflows: &'a [Workflow]) -> CallGraph<'a> {
        let index: BTreeMap<&str, usize> = workflows
            .iter()
            .enumerate()
            .map(|(i, w)| (w.path.as_str(), i))
            .collect();
        let mut callers: Vec<Vec<(usize, usize)>> = vec![Vec::new(); workflows.len()];
        let mut called = Vec::with_capacity(workflows.len());
        for (wi, wf) in workflows.iter().enumerate() {
            let mut jobs = Vec::with_capacity(wf.jobs.len());
            for (ji, job) in wf.jobs.iter().enumerate() {
                let target = job.uses.as_ref().and_then(|u| u.resolved.as_deref());
                let ci = target.and_then(|t| index.get(t).copied());
                if let Some(ci) = ci {
                    callers[ci].push((wi, ji));
                }
                jobs.push(ci);
            }
            called.push(jobs);
        }
        CallGraph {
            workflows,
            callers,
            called,
            spent: Cell::new(0),
        }
    }

    /// Counts `n` more job references, failing once the bound is passed.
    fn spend(&self, n: usize) -> Result<(), TooLarge> {
        let spent = self.spent.get().saturating_add(n);
        self.spent.set(spent);
        if spent > MAX_LINKED_JOBS {
            Err(TooLarge)
        } else {
            Ok(())
        }
    }

    /// The contexts of every workflow, memoised (a workflow's are its callers' contexts,
    /// extended by the calling job).
    fn contexts(&self) -> Result<Vec<Vec<WfContext>>, TooLarge> {
        let mut memo: Vec<Option<Vec<WfContext>>> = vec![None; self.workflows.len()];
        for wi in 0..self.workflows.len() {
            self.contexts_of(wi, &mut memo, 0)?;
        }
        Ok(memo.into_iter().map(Option::unwrap_or_default).collect())
    }

    fn contexts_of(
        &self,
        wi: usize,
        memo: &mut Vec<Option<Vec<WfContext>>>,
        depth: usize,
    ) -> Result<Vec<WfContext>, TooLarge> {
        if let Some(c) = &memo[wi] {
            self.spend(c.iter().map(|c| c.upstream.len()).sum())?;
            return Ok(c.clone());
        }
        let wf = &self.workflows[wi];
        let mut out: Vec<WfContext> = own_context(wf).into_iter().collect();
        let external = out.is_empty();
        if depth < MAX_DEPTH {
            // Guard against call cycles (GitHub rejects them) while computing.
            memo[wi] = Some(out.clone());
            let declared = declared_inputs(wf);
            for &(cwi, cji) in &self.callers[wi] {
                if cwi != wi {
                    self.push_called_contexts(cwi, cji, &declared, memo, depth, &mut out)?;
                }
            }
        }
        if external && out.is_empty() {
            // Called only from other repositories: inputs unknown.
            out.push(WfContext {
                via: Vec::new(),
                triggers: ["workflow_call".to_string()].into(),
                inputs: Map::new(),
                upstream: BTreeSet::new(),
            });
        }
        memo[wi] = Some(out.clone());
        Ok(out)
    }

    /// Adds to `out` (up to [`MAX_CONTEXTS`]) the contexts in which job `cji` of workflow
    /// `cwi` calls a workflow whose declared inputs are `declared`.
    fn push_called_contexts(
        &self,
        cwi: usize,
        cji: usize,
        declared: &Map<String, Json>,
        memo: &mut Vec<Option<Vec<WfContext>>>,
        depth: usize,
        out: &mut Vec<WfContext>,
    ) -> Result<(), TooLarge> {
        let parents = self.contexts_of(cwi, memo, depth + 1)?;
        let caller_wf = &self.workflows[cwi];
        let caller = &caller_wf.jobs[cji];
        let ids = job_ids(&caller_wf.jobs);
        let events = narrow_by_needs(&caller_wf.jobs, &ids, &parents);
        let mut before = BTreeSet::new();
        for n in &caller.needs_all {
            if let Some(&ni) = ids.get(n.as_str()) {
                before.extend(self.reach(cwi, ni, depth + 1)?);
            }
        }
        for (pi, p) in parents.into_iter().enumerate() {
            if out.len() >= MAX_CONTEXTS {
                break;
            }
            let mut via = p.via.clone();
            via.push(job_ref(caller_wf, cji));
            let upstream: BTreeSet<JobRef> = p.upstream.union(&before).cloned().collect();
            self.spend(upstream.len())?;
            out.push(WfContext {
                via,
                triggers: events[pi][cji].clone(),
                inputs: bind(&caller.with, &p.inputs, declared),
                upstream,
            });
        }
        Ok(())
    }

    /// A job, and when it calls a local workflow, every job of that workflow (recursively).
    fn reach(&self, wi: usize, ji: usize, depth: usize) -> Result<Vec<JobRef>, TooLarge> {
        self.spend(1)?;
        let mut out = vec![job_ref(&self.workflows[wi], ji)];
        if depth >= MAX_DEPTH {
            return Ok(out);
        }
        if let Some(ci) = self.called[wi][ji] {
            for cj in 0..self.workflows[ci].jobs.len() {
                out.extend(self.reach(ci, cj, depth + 1)?);
            }
        }
        Ok(out)
    }

    /// The additions to workflow `wi`, whose contexts are `ctxs`; `reach` is
    /// [`CallGraph::reach`] of every job.
    fn links(
        &self,
        wi: usize,
        ctxs: &[WfContext],
        reach: &[Vec<Vec<JobRef>>],
    ) -> Result<WorkflowLinks, TooLarge> {
        let wf = &self.workflows[wi];
        let reached: BTreeSet<String> = ctxs.iter().flat_map(|c| c.triggers.clone()).collect();
        let ids = job_ids(&wf.jobs);
        let events = narrow_by_needs(&wf.jobs, &ids, ctxs);
        let mut jobs = Vec::with_capacity(wf.jobs.len());
        for (ji, job) in wf.jobs.iter().enumerate() {
            let mut own = BTreeSet::new();
            for n in &job.needs_all {
                if let Some(&ni) = ids.get(n.as_str()) {
                    self.spend(reach[wi][ni].len())?;
                    own.extend(reach[wi][ni].iter().cloned());
                }
            }
            let mut contexts = Vec::with_capacity(ctxs.len());
            for (ci, c) in ctxs.iter().enumerate() {
                let upstream: Vec<JobRef> = c.upstream.union(&own).cloned().collect();
                self.spend(upstream.len())?;
                contexts.push(Context {
                    via: c.via.clone(),
                    triggers: events[ci][ji].iter().cloned().collect(),
                    inputs: c.inputs.clone(),
                    upstream,
                });
            }
            let triggers: BTreeSet<String> =
                contexts.iter().flat_map(|c| c.triggers.clone()).collect();
            jobs.push(JobLinks {
                calls: self.called[wi][ji].map(|ci| Call {
                    workflow: self.workflows[ci].path.clone(),
                    inputs: job.with.clone(),
                }),
                contexts,
                triggers: triggers.into_iter().collect(),
            });
        }
        Ok(WorkflowLinks {
            callers: self.callers[wi]
                .iter()
                .map(|&(w, j)| job_ref(&self.workflows[w], j))
                .collect(),
            reached_by: reached.into_iter().collect(),
            jobs,
        })
    }
}

/// The context of a workflow's own triggers, unless `workflow_call` is its only one.
fn own_context(wf: &Workflow) -> Option<WfContext> {
    let own: BTreeSet<String> = wf
        .triggers
        .keys()
        .filter(|k| k.as_str() != "workflow_call")
        .cloned()
        .collect();
    (!own.is_empty() || !wf.triggers.contains_key("workflow_call")).then(|| WfContext {
        via: Vec::new(),
        triggers: own,
        inputs: Map::new(),
        upstream: BTreeSet::new(),
    })
}

/// Job id → position in `jobs`.
fn job_ids(jobs: &[Job]) -> BTreeMap<&str, usize> {
    jobs.iter()
        .enumerate()
        .map(|(i, j)| (j.id.as_str(), i))
        .collect()
}

fn job_ref(wf: &Workflow, ji: usize) -> JobRef {
    JobRef {
        workflow: wf.path.clone(),
        job: wf.jobs[ji].id.clone(),
    }
}

/// The events of each job in each context: those of the context narrowed by the job's
/// `if:`, and — unless the job runs whatever its needs did (`always()`, `failure()`,
/// `cancelled()`) — by the events of every job it needs (a skipped need skips the job).
fn narrow_by_needs(
    jobs: &[Job],
    ids: &BTreeMap<&str, usize>,
    ctxs: &[WfContext],
) -> Vec<Vec<BTreeSet<String>>> {
    ctxs.iter()
        .map(|c| {
            let mut ev: Vec<BTreeSet<String>> = jobs
                .iter()
                .map(|j| narrow(&c.triggers, j.if_.as_deref()))
                .collect();
            // A fixpoint over the needs graph (at most one pass per job; cycles stop).
            for _ in 0..jobs.len() {
                let mut changed = false;
                for (ji, job) in jobs.iter().enumerate() {
                    let independent = job.if_.as_deref().is_some_and(|c| {
                        c.contains("always()")
                            || c.contains("failure()")
                            || c.contains("cancelled()")
                    });
                    if independent {
                        continue;
                    }
                    for n in &job.needs {
                        if let Some(&ni) = ids.get(n.as_str()) {
                            let next: BTreeSet<String> =
                                ev[ji].intersection(&ev[ni]).cloned().collect();
                            if next.len() != ev[ji].len() {
                                ev[ji] = next;
                                changed = true;
                            }
                        }
                    }
                }
                if !changed {
                    break;
                }
            }
            ev
        })
        .collect()
}

/// `on.workflow_call.inputs` of a workflow: name → declaration.
fn declared_inputs(wf: &Workflow) -> Map<String, Json> {
    match wf
        .triggers
        .get("workflow_call")
        .and_then(|c| c.get("inputs"))
    {
        Some(Json::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

/// Binds a callee's inputs: the caller's `with:` values with the caller's own
/// `${{ inputs.x }}` substituted from `parent`, then the declared defaults.
fn bind(
    with: &Map<String, Json>,
    parent: &Map<String, Json>,
    declared: &Map<String, Json>,
) -> Map<String, Json> {
    let mut out = Map::new();
    for (k, v) in with {
        let v = match v {
            Json::String(s) => Json::String(substitute_inputs(s, parent)),
            other => other.clone(),
        };
        out.insert(k.clone(), v);
    }
    for (k, decl) in declared {
        if out.contains_key(k) {
            continue;
        }
        if let Some(d) = decl.get("default") {
            let d = match d {
                Json::String(s) => Json::String(substitute_inputs(s, parent)),
                Json::Null => continue,
                other => Json::String(other.to_string()),
            };
            out.insert(k.clone(), d);
        }
    }
    out
}

/// Narrows the events of a run by an `if:` condition that tests `github.event_name`
/// (only conditions without `||`, whose meaning is then certain).
fn narrow(events: &BTreeSet<String>, cond: Option<&str>) -> BTreeSet<String> {
    let Some(cond) = cond else {
        return events.clone();
    };
    if cond.contains("||") {
        return events.clone();
    }
    let mut out = events.clone();
    let mut rest = cond;
    while let Some(i) = rest.find("github.event_name") {
        let after = rest[i + "github.event_name".len()..].trim_start();
        let (op, tail) = if let Some(t) = after.strip_prefix("==") {
            ("==", t)
        } else if let Some(t) = after.strip_prefix("!=") {
            ("!=", t)
        } else {
            rest = after;
            continue;
        };
        let tail = tail.trim_start();
        let quote = tail.chars().next();
        if let Some(q @ ('\'' | '"')) = quote {
            if let Some(end) = tail[1..].find(q) {
                let name = &tail[1..1 + end];
                if op == "==" {
                    out.retain(|e| e == name);
                } else {
                    out.remove(name);
                }
            }
        }
        rest = tail;
    }
    out
}

/// The local composite action a step runs (`uses:` resolved to an `action.yml` in
/// `actions`, by path), with the step's `with:` completed by the action's defaults.
pub(super) fn action_call(step: &Step, actions: &BTreeMap<&str, &Action>) -> Option<ActionCall> {
    let action = step
        .uses
        .as_ref()
        .and_then(|u| u.resolved.as_deref())
        .and_then(|p| actions.get(p))?;
    let mut inputs = step.with.clone();
    for (k, decl) in &action.inputs {
        if inputs.contains_key(k) {
            continue;
        }
        if let Some(Json::String(d)) = decl.get("default") {
            inputs.insert(k.clone(), Json::String(d.clone()));
        }
    }
    Some(ActionCall {
        path: action.path.clone(),
        inputs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(xs: &[&str]) -> BTreeSet<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn event_name_conditions_narrow_the_events() {
        let all = set(&["push", "pull_request"]);
        assert_eq!(
            narrow(&all, Some("github.event_name == 'push'")),
            set(&["push"])
        );
        assert_eq!(
            narrow(&all, Some("${{ github.event_name != \"pull_request\" }}")),
            set(&["push"])
        );
        assert_eq!(
            narrow(&all, Some("github.event_name == 'push' || failure()")),
            all
        );
        assert_eq!(narrow(&all, None), all);
    }
}
