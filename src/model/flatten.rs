//! The flat views of `input.pipeline`: every step as it runs in each context of its job
//! (composite-action steps included, their inputs bound), and an index of those entries by
//! program, action, input and env name. Policies iterate one array and look positions up
//! instead of walking workflows → jobs → contexts → steps in every rule.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::commands::commands;
use super::expand::substitute_inputs;
use super::types::{
    Action, ActionCall, Expanded, Job, Pipeline, Step, StepInContext, StepIndex, StepView, Workflow,
};
use crate::uses::UsesRef;

/// The flat views of the pipeline of `workflows` (whose steps are expanded and bound).
pub(super) fn flatten(workflows: &[Workflow], actions: &[Action]) -> Pipeline {
    let by_path: BTreeMap<&str, &Action> = actions.iter().map(|a| (a.path.as_str(), a)).collect();
    let mut steps = Vec::new();
    for wf in workflows {
        for job in &wf.jobs {
            for ci in 0..job.contexts.len() {
                for step in &job.steps {
                    let Some(x) = step.expanded.get(ci) else {
                        continue;
                    };
                    let at = Place { wf, job, ci };
                    steps.push(at.entry(step, x));
                    let Some(call) = step.action.as_ref() else {
                        continue;
                    };
                    if let Some(a) = by_path.get(call.path.as_str()) {
                        at.push_action_steps(a, call, x, &mut steps);
                    }
                }
            }
        }
    }
    let mut index = StepIndex::build(&steps);
    (index.job_names, index.step_names) = name_lines(workflows);
    Pipeline { steps, index }
}

/// A job context: the workflow and job that run a step, and the context's position.
#[derive(Clone, Copy)]
struct Place<'a> {
    wf: &'a Workflow,
    job: &'a Job,
    ci: usize,
}

impl Place<'_> {
    /// The entry of a workflow step, as expanded in this context.
    fn entry(&self, step: &Step, x: &Expanded) -> StepInContext {
        StepInContext {
            file: self.wf.path.clone(),
            workflow: self.wf.path.clone(),
            job_id: self.job.id.clone(),
            ci: self.ci,
            path: step.path.clone(),
            step: view(step),
            run: x.run.clone().unwrap_or_default(),
            with: x.with.clone(),
            commands: x.commands.clone(),
            env: step.env.clone(),
            action_inputs: Map::new(),
        }
    }

    /// The entries of the steps of composite action `a`, which a workflow step (expanded
    /// as `x`) calls: its `inputs.*` bound to what the step passes.
    fn push_action_steps(
        &self,
        a: &Action,
        call: &ActionCall,
        x: &Expanded,
        out: &mut Vec<StepInContext>,
    ) {
        // The action's `inputs.*`: the calling step's `with:` as seen in this context,
        // then the action's defaults.
        let mut bound = x.with.clone();
        for (k, v) in &call.inputs {
            bound.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let bind_all = |map: &Map<String, Json>| -> Map<String, Json> {
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Json::String(s) => Json::String(substitute_inputs(s, &bound)),
                        other => other.clone(),
                    };
                    (k.clone(), v)
                })
                .collect()
        };
        for inner in &a.steps {
            let run = substitute_inputs(inner.run.as_deref().unwrap_or_default(), &bound);
            out.push(StepInContext {
                file: a.path.clone(),
                workflow: self.wf.path.clone(),
                job_id: self.job.id.clone(),
                ci: self.ci,
                path: inner.path.clone(),
                step: view(inner),
                commands: commands(&run),
                run,
                with: bind_all(&inner.with),
                env: bind_all(&inner.env),
                action_inputs: bound.clone(),
            });
        }
    }
}

impl StepIndex {
    /// The index of `steps`, without the name lines.
    fn build(steps: &[StepInContext]) -> StepIndex {
        let mut index = StepIndex::default();
        for (i, e) in steps.iter().enumerate() {
            for c in &e.commands {
                for t in &c.tools {
                    let list = index.tools.entry(t.clone()).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
            for name in [&e.step.action_repo, &e.step.action] {
                if name.is_empty() {
                    continue;
                }
                let list = index.actions.entry(name.clone()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
            if e.file != e.workflow {
                index
                    .action_files
                    .entry(e.file.clone())
                    .or_default()
                    .push(i);
            }
            for key in e.step.env.keys() {
                index.env.entry(key.clone()).or_default().push(i);
            }
            if !e.step.action_repo.is_empty() {
                for key in e.with.keys() {
                    index.inputs.entry(key.clone()).or_default().push(i);
                }
            }
        }
        index
    }
}

fn view(step: &Step) -> StepView {
    StepView {
        index: step.index,
        id: step.id.clone(),
        name: step.name.clone(),
        action: action_name(step.uses.as_ref(), true),
        action_repo: action_name(step.uses.as_ref(), false),
        run: step.run.clone().unwrap_or_default(),
        env: step.env.clone(),
        continue_on_error: step.continue_on_error.clone(),
    }
}

fn action_name(u: Option<&UsesRef>, with_path: bool) -> String {
    match u {
        Some(u) if with_path => u.action.clone(),
        Some(u) => u.action_repo.clone(),
        None => String::new(),
    }
}

/// The job and step name lines of [`StepIndex`], in the order of `input.workflows`.
fn name_lines(workflows: &[Workflow]) -> (String, String) {
    let mut jobs = Vec::new();
    let mut steps = Vec::new();
    for (i, wf) in workflows.iter().enumerate() {
        for (j, job) in wf.jobs.iter().enumerate() {
            jobs.push(format!(
                "{i} {j}:{} {}",
                job.id.to_lowercase(),
                job.name.as_deref().unwrap_or("").to_lowercase()
            ));
            for step in &job.steps {
                if let Some(name) = &step.name {
                    steps.push(format!("{i} {j}:{}", name.to_lowercase()));
                }
            }
        }
    }
    (jobs.join("\n"), steps.join("\n"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_index_lists_entries_by_program_and_by_action() {
        let text = "on: push\njobs:\n  ci:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n      - uses: github/codeql-action/analyze@v3\n      - run: docker build -t x . && docker push x\n";
        let file = crate::source::parse_file(
            ".github/workflows/ci.yml",
            crate::discover::FileKind::Workflow,
            text.as_bytes().to_vec(),
        )
        .expect("valid workflow");
        let repo = crate::source::Repository {
            root: None,
            display: "t".into(),
            info: crate::source::RepositoryInfo {
                owner: "o".into(),
                name: "r".into(),
                default_branch: None,
                source: "local".into(),
                visibility: None,
            },
            files: vec![file],
            errors: Vec::new(),
            notices: Vec::new(),
            settings: None,
            history: None,
        };
        let (input, errors) = crate::model::build_input(&repo);
        assert!(errors.is_empty(), "{errors:?}");
        let index = &input.pipeline.index;
        assert_eq!(
            index.tools["npm"],
            vec![1],
            "one entry, however many npm commands"
        );
        assert_eq!(index.tools["docker"], vec![3]);
        assert_eq!(index.actions["actions/checkout"], vec![0]);
        // Both the action and its repository name the entry.
        assert_eq!(index.actions["github/codeql-action/analyze"], vec![2]);
        assert_eq!(index.actions["github/codeql-action"], vec![2]);
        for (name, positions) in index.tools.iter().chain(&index.actions) {
            for &i in positions {
                let e = &input.pipeline.steps[i];
                let runs = e.commands.iter().any(|c| c.tools.contains(name));
                let uses = e.step.action == *name || e.step.action_repo == *name;
                assert!(runs || uses, "{name} → {i}");
            }
        }
    }
}
