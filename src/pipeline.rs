//! The pipeline model (`docs/input.md`, "Pipeline model"): how the workflows of one
//! repository fit together, computed once in Rust so that policies only look things up.
//!
//! - `workflow.callers` / `job.calls`: the call graph of local reusable workflows;
//! - `job.contexts`: every way a job runs — directly from its workflow's own triggers, or
//!   through a chain of caller jobs — with the events that reach it along that chain, the
//!   callee's `inputs.*` bound to the callers' `with:` values, and every job that must have
//!   succeeded before it (`needs:` across callers and callees);
//! - `step.action`: a local composite action a step runs, with its bound inputs.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::model::{Action, Job, JobRef, Step, UsesRef, Workflow};

/// At most this many call contexts per workflow (call graphs are small; this bounds
/// pathological fan-out) and this many levels of nesting (GitHub allows 4).
const MAX_CONTEXTS: usize = 32;
const MAX_DEPTH: usize = 8;

/// A job's call of a local reusable workflow.
#[derive(Debug, Clone, Serialize)]
pub struct Call {
    /// Repo-relative path of the called workflow.
    pub workflow: String,
    /// The caller's `with:` values (unbound: see `contexts[].inputs` in the callee).
    pub inputs: Map<String, Json>,
}

/// A step's use of a local composite action.
#[derive(Debug, Clone, Serialize)]
pub struct ActionCall {
    /// Repo-relative path of the action's `action.yml`.
    pub path: String,
    /// The step's `with:` values, completed with the action's input defaults.
    pub inputs: Map<String, Json>,
}

/// One way a job runs.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// The caller jobs, outermost first (empty: the job's own workflow was triggered).
    pub via: Vec<JobRef>,
    /// Events that start this run (`workflow_call` never appears: it is replaced by the
    /// caller's events), narrowed by `if: github.event_name == '…'`/`!=` conditions.
    pub triggers: Vec<String>,
    /// The workflow's `inputs.*` as bound along `via` (caller `with:` values, with the
    /// caller's own `inputs.*` substituted, then the callee's defaults). Empty at the root.
    pub inputs: Map<String, Json>,
    /// Every job that must have succeeded before this one runs: `needs:` (transitively)
    /// in this workflow, the callers' `needs:`, and all jobs of workflows those call.
    pub upstream: Vec<JobRef>,
}

/// A step's `run` and `with` with the values known in one context substituted.
#[derive(Debug, Clone, Serialize)]
pub struct Expanded {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    pub with: Map<String, Json>,
    /// The expanded script as logical commands: lines joined across trailing-`\`
    /// continuations, comments and blank lines dropped; `line` is the 0-based index of the
    /// command's first line in `run` (raw and expanded scripts have the same lines).
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Command {
    pub line: usize,
    /// The 0-based index of the command's last line in `run` (past `\` continuations), so
    /// that a finding can point at the line of the offending argument.
    pub last_line: usize,
    pub text: String,
    /// The program of each simple command in `text` (split at `&&`, `||`, `;`, `|`, `(`):
    /// its basename, after `sudo`/`env`/`time`/`exec` and `NAME=value` prefixes. Policies
    /// test set membership here before running a regex.
    pub tools: Vec<String>,
}

/// The programs a command line runs (see [`Command::tools`]).
pub fn tools(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for segment in text.split(['&', '|', ';', '(', '`']) {
        let mut words = segment.split_whitespace();
        let tool = loop {
            match words.next() {
                None => break None,
                Some(
                    "sudo" | "env" | "time" | "exec" | "if" | "elif" | "while" | "until" | "then"
                    | "do" | "else" | "!" | "-E",
                ) => {}
                Some(w) if w.contains('=') && !w.starts_with('-') => {}
                Some(w) => break Some(w),
            }
        };
        let Some(t) = tool else {
            continue;
        };
        let mut push = |t: &str| {
            let t = t.trim_matches(|c| c == '"' || c == '\'' || c == '$' || c == '{' || c == '}');
            let base = t.rsplit('/').next().unwrap_or(t).to_string();
            if !base.is_empty() && !out.contains(&base) {
                out.push(base);
            }
        };
        push(t);
        // A runner that starts another program (`bundle exec kamal`, `npx eslint`,
        // `poetry run pytest`, `eval helm upgrade ...`): that program runs too.
        let runner = t.rsplit('/').next().unwrap_or(t);
        let inner = match runner {
            "npx" | "bunx" | "eval" => words.next(),
            "bundle" | "pnpm" | "pipenv" | "poetry" | "uv" => match words.next() {
                Some("exec" | "run") => words.next(),
                _ => None,
            },
            _ => None,
        };
        if let Some(inner) = inner.filter(|w| !w.starts_with('-')) {
            push(inner);
        }
    }
    out
}

/// Splits a script into logical commands.
pub fn commands(script: &str) -> Vec<Command> {
    let mut out: Vec<Command> = Vec::new();
    let mut open = false;
    for (i, line) in script.split('\n').enumerate() {
        let t = line.trim();
        let (body, cont) = match t.strip_suffix('\\') {
            Some(b) => (b.trim_end(), true),
            None => (t, false),
        };
        if open {
            if let Some(last) = out.last_mut() {
                last.text.push(' ');
                last.text.push_str(body);
                last.last_line = i;
            }
        } else if !body.is_empty() && !body.starts_with('#') {
            out.push(Command {
                line: i,
                last_line: i,
                text: body.to_string(),
                tools: Vec::new(),
            });
        } else {
            open = false;
            continue;
        }
        open = cont;
    }
    for c in &mut out {
        c.tools = tools(&c.text);
    }
    out
}

/// A workflow-level context, before the job's own `if:` and `needs:` apply.
#[derive(Debug, Clone)]
struct WfContext {
    via: Vec<JobRef>,
    triggers: BTreeSet<String>,
    inputs: Map<String, Json>,
    upstream: BTreeSet<JobRef>,
}

pub fn build(workflows: &mut [Workflow], actions: &[Action]) {
    let index: BTreeMap<String, usize> = workflows
        .iter()
        .enumerate()
        .map(|(i, w)| (w.path.clone(), i))
        .collect();
    // Calls and callers.
    let mut callers: Vec<Vec<(usize, usize)>> = vec![Vec::new(); workflows.len()];
    for (wi, wf) in workflows.iter_mut().enumerate() {
        for (ji, job) in wf.jobs.iter_mut().enumerate() {
            let Some(target) = job.uses.as_ref().and_then(|u| u.resolved.clone()) else {
                continue;
            };
            if let Some(&ci) = index.get(&target) {
                callers[ci].push((wi, ji));
                job.calls = Some(Call {
                    workflow: target,
                    inputs: job.with.clone(),
                });
            }
        }
    }
    for (ci, list) in callers.iter().enumerate() {
        let refs = list
            .iter()
            .map(|&(wi, ji)| job_ref(&workflows[wi], ji))
            .collect();
        workflows[ci].callers = refs;
    }
    // Workflow contexts, memoised.
    let mut memo: Vec<Option<Vec<WfContext>>> = vec![None; workflows.len()];
    for wi in 0..workflows.len() {
        contexts_of(wi, workflows, &callers, &index, &mut memo, 0);
    }
    let expanded: Vec<Vec<Vec<JobRef>>> = (0..workflows.len())
        .map(|wi| {
            (0..workflows[wi].jobs.len())
                .map(|ji| expand_job(wi, ji, workflows, &index, 0))
                .collect()
        })
        .collect();
    for (wi, ctxs) in memo.into_iter().enumerate() {
        let ctxs = ctxs.unwrap_or_default();
        let wf = &mut workflows[wi];
        let reached: BTreeSet<String> = ctxs.iter().flat_map(|c| c.triggers.clone()).collect();
        wf.reached_by = reached.into_iter().collect();
        let ids: BTreeMap<String, usize> = wf
            .jobs
            .iter()
            .enumerate()
            .map(|(i, j)| (j.id.clone(), i))
            .collect();
        let events = narrow_by_needs(&wf.jobs, &ids, &ctxs);
        let mut job_contexts = Vec::with_capacity(wf.jobs.len());
        for (ji, job) in wf.jobs.iter().enumerate() {
            let mut own = BTreeSet::new();
            for n in &job.needs_all {
                if let Some(&ni) = ids.get(n) {
                    own.extend(expanded[wi][ni].iter().cloned());
                }
            }
            let list: Vec<Context> = ctxs
                .iter()
                .enumerate()
                .map(|(ci, c)| Context {
                    via: c.via.clone(),
                    triggers: events[ci][ji].iter().cloned().collect(),
                    inputs: c.inputs.clone(),
                    upstream: c.upstream.union(&own).cloned().collect(),
                })
                .collect();
            job_contexts.push(list);
        }
        for (job, list) in wf.jobs.iter_mut().zip(job_contexts) {
            let t: BTreeSet<String> = list.iter().flat_map(|c| c.triggers.clone()).collect();
            job.triggers = t.into_iter().collect();
            job.contexts = list;
        }
    }
    bind_actions(workflows, actions);
    expand_steps(workflows);
}

/// Fills `step.expanded` for every job context.
fn expand_steps(workflows: &mut [Workflow]) {
    for wf in workflows.iter_mut() {
        let wf_env = wf.env.clone();
        for job in wf.jobs.iter_mut() {
            let contexts = job.contexts.clone();
            let mut per_step: Vec<Vec<Expanded>> = vec![Vec::new(); job.steps.len()];
            for c in &contexts {
                // What earlier steps of the job wrote to `$GITHUB_ENV` (by name) and
                // `$GITHUB_OUTPUT` (as `steps.<id>.outputs.<name>`).
                let mut learned_env: BTreeMap<String, String> = BTreeMap::new();
                let mut outputs: BTreeMap<String, String> = BTreeMap::new();
                for (si, step) in job.steps.iter().enumerate() {
                    let mut vars: BTreeMap<String, String> = outputs.clone();
                    for env in [&wf_env, &job.env] {
                        for (k, v) in env {
                            if let Json::String(v) = v {
                                let v = substitute(v, &c.inputs, &vars, false);
                                vars.insert(k.clone(), v);
                            }
                        }
                    }
                    vars.extend(learned_env.iter().map(|(k, v)| (k.clone(), v.clone())));
                    for (k, v) in &step.env {
                        if let Json::String(v) = v {
                            let v = substitute(v, &c.inputs, &vars, false);
                            vars.insert(k.clone(), v);
                        }
                    }
                    let with = step
                        .with
                        .iter()
                        .map(|(k, v)| {
                            let v = match v {
                                Json::String(s) => {
                                    Json::String(substitute(s, &c.inputs, &vars, false))
                                }
                                other => other.clone(),
                            };
                            (k.clone(), v)
                        })
                        .collect();
                    let run = step.run.as_ref().map(|r| expand_script(r, &c.inputs, vars));
                    if let Some(r) = &run {
                        for (file, name, value) in written_values(r) {
                            if file == "GITHUB_ENV" {
                                learned_env.insert(name, value);
                            } else if let Some(id) = &step.id {
                                outputs.insert(format!("steps.{id}.outputs.{name}"), value);
                            }
                        }
                    }
                    let commands = run.as_deref().map(commands).unwrap_or_default();
                    per_step[si].push(Expanded {
                        run,
                        with,
                        commands,
                    });
                }
            }
            for (step, expanded) in job.steps.iter_mut().zip(per_step) {
                step.expanded = expanded;
            }
        }
    }
}

/// `echo "NAME=value" >> $GITHUB_ENV` / `$GITHUB_OUTPUT` lines of an expanded script:
/// `(file, name, value)`. Values that are computed (`$(...)`) are skipped.
fn written_values(script: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for line in script.lines() {
        let t = line.trim();
        let Some(rest) = t.strip_prefix("echo ") else {
            continue;
        };
        if let Some((name, value)) = set_output(rest) {
            out.push(("GITHUB_OUTPUT".to_string(), name, value));
            continue;
        }
        let Some((arg, target)) = rest.rsplit_once(">>") else {
            continue;
        };
        let target = target.trim().trim_matches('"').trim_matches('\'');
        let file = match target {
            "$GITHUB_ENV" | "${GITHUB_ENV}" => "GITHUB_ENV",
            "$GITHUB_OUTPUT" | "${GITHUB_OUTPUT}" => "GITHUB_OUTPUT",
            _ => continue,
        };
        let arg = arg.trim();
        let arg = unquote(arg);
        let Some((name, value)) = arg.split_once('=') else {
            continue;
        };
        let ok = is_output_name(name);
        let value = plain_echo(value);
        if ok && known_value(value) {
            out.push((file.to_string(), name.to_string(), value.to_string()));
        }
    }
    out
}

/// `arg` without one pair of surrounding double or single quotes.
fn unquote(arg: &str) -> &str {
    arg.strip_prefix('"')
        .and_then(|a| a.strip_suffix('"'))
        .or_else(|| arg.strip_prefix('\'').and_then(|a| a.strip_suffix('\'')))
        .unwrap_or(arg)
}

/// A variable or output name as `GITHUB_ENV`/`GITHUB_OUTPUT` lines write them.
fn is_output_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The deprecated workflow command `echo "::set-output name=NAME::value"` (still run by
/// older workflows): `(name, value)`, unless the value is computed.
fn set_output(arg: &str) -> Option<(String, String)> {
    let arg = arg.trim();
    let arg = unquote(arg);
    let (name, value) = arg.strip_prefix("::set-output name=")?.split_once("::")?;
    let ok = is_output_name(name);
    let value = plain_echo(value);
    (ok && known_value(value) && !value.contains('>'))
        .then(|| (name.to_string(), value.to_string()))
}

/// A written value known before the run: nothing computed (`$(...)`, backticks) and no
/// shell variable left unexpanded (`$HASH` from `HASH=$(git rev-parse ...)`); `${{ … }}`
/// expressions are kept.
fn known_value(value: &str) -> bool {
    !value.contains("$(") && !value.contains('`') && !value.replace("${{", "").contains('$')
}

/// A command substitution that only echoes a word (`` `echo x:$TAG` ``, `$(echo x:$TAG)`)
/// is that word; anything else stays as written (and is then unknown).
fn plain_echo(value: &str) -> &str {
    let inner = value
        .strip_prefix('`')
        .and_then(|v| v.strip_suffix('`'))
        .or_else(|| value.strip_prefix("$(").and_then(|v| v.strip_suffix(')')));
    match inner.and_then(|i| i.trim().strip_prefix("echo ")) {
        Some(word) if !word.trim().is_empty() && is_one_word(word.trim()) => word.trim(),
        _ => value,
    }
}

/// No shell syntax outside `${{ … }}` expressions (which may hold spaces).
fn is_one_word(word: &str) -> bool {
    let mut rest = word;
    loop {
        let (before, after) = match rest.find("${{") {
            Some(i) => (&rest[..i], Some(&rest[i + 3..])),
            None => (rest, None),
        };
        if before.contains(['`', '(', ')', '|', ';', '&', ' ', '<', '>']) {
            return false;
        }
        match after.and_then(|a| a.find("}}").map(|e| &a[e + 2..])) {
            Some(next) => rest = next,
            None => return after.is_none(),
        }
    }
}

/// Expands a script line by line, learning `NAME=value` / `export NAME=value` assignments.
fn expand_script(
    script: &str,
    inputs: &Map<String, Json>,
    mut vars: BTreeMap<String, String>,
) -> String {
    let mut out = String::with_capacity(script.len());
    for (i, line) in script.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let expanded = substitute(line, inputs, &vars, true);
        let t = expanded.trim();
        let t = t.strip_prefix("export ").unwrap_or(t).trim_start();
        if let Some((name, value)) = t.split_once('=') {
            let is_name = !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !name.as_bytes()[0].is_ascii_digit();
            let value = value.trim();
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')));
            let quoted = unquoted.is_some();
            let value = unquoted.unwrap_or(value);
            if is_name
                && !value.contains("$(")
                && !value.contains('`')
                && (quoted || !value.contains(' '))
            {
                vars.insert(name.to_string(), value.to_string());
            }
        }
        out.push_str(&expanded);
    }
    out
}

/// Substitutes `${{ inputs.X }}`, `${{ env.X }}` and, in scripts, `$X` / `${X}` with the
/// known values; anything unknown is left as written.
fn substitute(
    s: &str,
    inputs: &Map<String, Json>,
    vars: &BTreeMap<String, String>,
    shell: bool,
) -> String {
    let s = substitute_inputs(s, inputs);
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    loop {
        let expr = rest.find("${{");
        let dollar = if shell { rest.find('$') } else { None };
        let Some(pos) = expr.into_iter().chain(dollar).min() else {
            break;
        };
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(after) = tail.strip_prefix("${{") {
            let Some(end) = after.find("}}") else {
                out.push_str(tail);
                return out;
            };
            let e = after[..end].trim();
            let known = match e.strip_prefix("env.") {
                Some(n) => vars.get(n),
                None if e.starts_with("steps.") => vars.get(e),
                None => None,
            };
            match known {
                Some(v) => out.push_str(v),
                None => out.push_str(&tail[..3 + end + 2]),
            }
            rest = &after[end + 2..];
            continue;
        }
        // `$NAME` or `${NAME}` in a script.
        let after = &tail[1..];
        let (name, consumed) = if let Some(b) = after.strip_prefix('{') {
            match b.find('}') {
                Some(e) => (&b[..e], e + 2),
                None => ("", 0),
            }
        } else {
            let n = after
                .bytes()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                .count();
            (&after[..n], n)
        };
        match vars.get(name) {
            Some(v) if !name.is_empty() => {
                out.push_str(v);
                rest = &after[consumed..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The events of each job in each context: those of the context narrowed by the job's
/// `if:`, and — unless the job runs whatever its needs did (`always()`, `failure()`,
/// `cancelled()`) — by the events of every job it needs (a skipped need skips the job).
fn narrow_by_needs(
    jobs: &[Job],
    ids: &BTreeMap<String, usize>,
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
                        if let Some(&ni) = ids.get(n) {
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

fn job_ref(wf: &Workflow, ji: usize) -> JobRef {
    JobRef {
        workflow: wf.path.clone(),
        job: wf.jobs[ji].id.clone(),
    }
}

/// A job, and when it calls a local workflow, every job of that workflow (recursively).
fn expand_job(
    wi: usize,
    ji: usize,
    workflows: &[Workflow],
    index: &BTreeMap<String, usize>,
    depth: usize,
) -> Vec<JobRef> {
    let mut out = vec![job_ref(&workflows[wi], ji)];
    if depth >= MAX_DEPTH {
        return out;
    }
    if let Some(&ci) = workflows[wi].jobs[ji]
        .calls
        .as_ref()
        .and_then(|c| index.get(&c.workflow))
    {
        for cj in 0..workflows[ci].jobs.len() {
            out.extend(expand_job(ci, cj, workflows, index, depth + 1));
        }
    }
    out
}

fn contexts_of(
    wi: usize,
    workflows: &[Workflow],
    callers: &[Vec<(usize, usize)>],
    index: &BTreeMap<String, usize>,
    memo: &mut Vec<Option<Vec<WfContext>>>,
    depth: usize,
) -> Vec<WfContext> {
    if let Some(c) = &memo[wi] {
        return c.clone();
    }
    let wf = &workflows[wi];
    let mut out = Vec::new();
    let own: BTreeSet<String> = wf
        .triggers
        .keys()
        .filter(|k| k.as_str() != "workflow_call")
        .cloned()
        .collect();
    if !own.is_empty() || !wf.triggers.contains_key("workflow_call") {
        out.push(WfContext {
            via: Vec::new(),
            triggers: own,
            inputs: Map::new(),
            upstream: BTreeSet::new(),
        });
    }
    let external = out.is_empty();
    if depth < MAX_DEPTH {
        // Guard against call cycles (GitHub rejects them) while computing.
        memo[wi] = Some(out.clone());
        let declared = declared_inputs(wf);
        for &(cwi, cji) in &callers[wi] {
            if cwi == wi {
                continue;
            }
            let parents = contexts_of(cwi, workflows, callers, index, memo, depth + 1);
            let caller_wf = &workflows[cwi];
            let caller = &caller_wf.jobs[cji];
            let ids: BTreeMap<String, usize> = caller_wf
                .jobs
                .iter()
                .enumerate()
                .map(|(i, j)| (j.id.clone(), i))
                .collect();
            let events = narrow_by_needs(&caller_wf.jobs, &ids, &parents);
            let mut before = BTreeSet::new();
            for n in &caller.needs_all {
                if let Some(&ni) = ids.get(n) {
                    before.extend(expand_job(cwi, ni, workflows, index, depth + 1));
                }
            }
            for (pi, p) in parents.into_iter().enumerate() {
                if out.len() >= MAX_CONTEXTS {
                    break;
                }
                let mut via = p.via.clone();
                via.push(job_ref(caller_wf, cji));
                out.push(WfContext {
                    via,
                    triggers: events[pi][cji].clone(),
                    inputs: bind(&caller.with, &p.inputs, &declared),
                    upstream: p.upstream.union(&before).cloned().collect(),
                });
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
    out
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

/// Replaces `${{ inputs.NAME }}` (the whole expression) by the bound value of `NAME`.
pub fn substitute_inputs(s: &str, inputs: &Map<String, Json>) -> String {
    if inputs.is_empty() || !s.contains("${{") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let expr = after[..end].trim();
        let name = expr
            .strip_prefix("inputs.")
            .or_else(|| expr.strip_prefix("github.event.inputs."));
        match name.and_then(|n| inputs.get(n)) {
            Some(Json::String(v)) => out.push_str(v),
            Some(Json::Bool(b)) => out.push_str(&b.to_string()),
            Some(Json::Number(n)) => out.push_str(&n.to_string()),
            _ => out.push_str(&rest[start..start + 3 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Narrows the events of a run by an `if:` condition that tests `github.event_name`
/// (only conditions without `||`, whose meaning is then certain).
pub fn narrow(events: &BTreeSet<String>, cond: Option<&str>) -> BTreeSet<String> {
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

/// Marks steps that run a local composite action, with the step's inputs bound.
fn bind_actions(workflows: &mut [Workflow], actions: &[Action]) {
    let by_path: BTreeMap<&str, &Action> = actions.iter().map(|a| (a.path.as_str(), a)).collect();
    let steps = workflows
        .iter_mut()
        .flat_map(|w| w.jobs.iter_mut())
        .flat_map(|j: &mut Job| j.steps.iter_mut());
    for step in steps {
        let Some(action) = step
            .uses
            .as_ref()
            .and_then(|u| u.resolved.as_deref())
            .and_then(|p| by_path.get(p))
        else {
            continue;
        };
        let mut inputs = step.with.clone();
        for (k, decl) in &action.inputs {
            if inputs.contains_key(k) {
                continue;
            }
            if let Some(Json::String(d)) = decl.get("default") {
                inputs.insert(k.clone(), Json::String(d.clone()));
            }
        }
        step.action = Some(ActionCall {
            path: action.path.clone(),
            inputs,
        });
    }
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

    #[test]
    fn values_echoed_by_a_command_substitution_are_known() {
        let w = written_values("echo \"IMAGE=`echo ghcr.io/a/b:${{ github.sha }}`\" >> $GITHUB_ENV\necho \"X=$(date +%s)\" >> $GITHUB_ENV\necho \"Y=$(echo a | tr a b)\" >> $GITHUB_ENV");
        assert_eq!(
            w,
            vec![(
                "GITHUB_ENV".to_string(),
                "IMAGE".to_string(),
                "ghcr.io/a/b:${{ github.sha }}".to_string()
            )]
        );
    }

    #[test]
    fn programs_started_by_runners_are_tools_too() {
        assert_eq!(tools("bundle exec kamal build push"), ["bundle", "kamal"]);
        assert_eq!(
            tools("npx eslint . && poetry run pytest -q"),
            ["npx", "eslint", "poetry", "pytest"]
        );
        assert_eq!(tools("sudo bin/kamal deploy"), ["kamal"]);
        assert_eq!(tools("bundle install"), ["bundle"]);
        assert_eq!(tools("npx --yes cowsay"), ["npx"]);
        // Compound-command keywords are not programs: the command after them runs.
        assert_eq!(tools("if git push origin main; then"), ["git"]);
        assert_eq!(tools("until helm upgrade x ./chart; do"), ["helm"]);
    }

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
            info: crate::model::RepositoryInfo {
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

    #[test]
    fn commands_join_continuations_and_name_their_tools() {
        let cs = commands("# build\nFOO=1 sudo docker build \\\n  -t x . && /usr/bin/docker push x\n\ncd app; npm test | tee log\n");
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].line, 1);
        assert_eq!(
            cs[0].text,
            "FOO=1 sudo docker build -t x . && /usr/bin/docker push x"
        );
        assert_eq!(cs[0].tools, vec!["docker"]);
        assert_eq!(cs[1].tools, vec!["cd", "npm", "tee"]);
    }

    #[test]
    fn values_written_to_github_env_and_output_are_read() {
        let w = written_values(
            "echo \"image=reg/app:latest\" >> $GITHUB_OUTPUT\necho TAG=v1 >> \"$GITHUB_ENV\"\necho \"x=$(date)\" >> $GITHUB_ENV",
        );
        assert_eq!(
            w,
            vec![
                (
                    "GITHUB_OUTPUT".into(),
                    "image".into(),
                    "reg/app:latest".into()
                ),
                ("GITHUB_ENV".into(), "TAG".into(), "v1".into()),
            ]
        );
        assert_eq!(
            written_values("echo \"::set-output name=image::reg/app:latest\"\necho ::set-output name=t::$(date)\necho \"::set-output name=h::$HASH\""),
            vec![(
                "GITHUB_OUTPUT".into(),
                "image".into(),
                "reg/app:latest".into()
            )]
        );
        assert_eq!(
            tools("eval helm upgrade --install x ."),
            vec!["eval", "helm"]
        );
    }

    #[test]
    fn caller_inputs_are_substituted() {
        let mut parent = Map::new();
        parent.insert("tag".into(), Json::String("${{ github.sha }}".into()));
        assert_eq!(
            substitute_inputs("app:${{ inputs.tag }}", &parent),
            "app:${{ github.sha }}"
        );
        assert_eq!(
            substitute_inputs("${{inputs.other}}", &parent),
            "${{inputs.other}}"
        );
    }
}

/// Flat views of the pipeline, so that policies iterate an array instead of building
/// sets of steps in every rule (regorus evaluates each rule separately).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Pipeline {
    /// One entry per step per job context, composite-action steps included.
    pub steps: Vec<StepInContext>,
    /// Which entries of `steps` run a program or an action: a plain index, no judgement.
    pub index: StepIndex,
}

/// Positions in `pipeline.steps` by the programs their commands run and by the action they
/// use. Classification stays in Rego; the index only lets a rule visit the few entries
/// that can match (`some i in object.get(input.pipeline.index.tools, "helm", [])`) instead
/// of every step of the repository, which is what an interpreter pays for per iteration.
#[derive(Debug, Clone, Serialize, Default)]
pub struct StepIndex {
    /// Program basename (as in `commands[].tools`) → entry positions, ascending.
    pub tools: BTreeMap<String, Vec<usize>>,
    /// `owner/repo` and `owner/repo/path` of the remote action → entry positions.
    pub actions: BTreeMap<String, Vec<usize>>,
    /// Each `with:` key of a remote action's step (as written, e.g. `push`, `tags`) → entry
    /// positions: lets a rule find actions by the inputs they take (any builder that takes
    /// `push:` and `tags:` like docker/build-push-action), not only by name.
    pub inputs: BTreeMap<String, Vec<usize>>,
    /// Each local composite action's file → the entries of its steps as callers run them:
    /// an action absent here is called by no local workflow (only from other repositories).
    pub action_files: BTreeMap<String, Vec<usize>>,
    /// The names of every job, one line each: `<workflow position> <job position>:<id>
    /// <name>`, lower-cased. Rules match words of names in one regex call per repository
    /// instead of one per job (`pipeline.job_names`).
    pub job_names: String,
    /// The names of every named step of the workflows, one line each: `<workflow
    /// position> <job position>:<name>`, lower-cased (`pipeline.step_names`).
    pub step_names: String,
    /// Each `env:` key of a step (as written, e.g. `ECS_CLUSTER`) → entry positions: finds
    /// the steps a script is handed a deploy target in, without visiting every step.
    pub env: BTreeMap<String, Vec<usize>>,
}

impl StepIndex {
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

/// A step as it runs in one context of its job.
#[derive(Debug, Clone, Serialize)]
pub struct StepInContext {
    /// The file the step is written in (the workflow, or a composite action's `action.yml`).
    pub file: String,
    /// The workflow and job that run it, and the index into that job's `contexts`.
    pub workflow: String,
    pub job_id: String,
    pub ci: usize,
    /// The step's YAML path in `file`.
    pub path: Vec<Json>,
    /// The step as written (`uses`, `with`, `env`, `run`, `id`, `name`, ...).
    pub step: StepView,
    /// `run`/`with`/`commands` as expanded in this context ("" when no `run`).
    pub run: String,
    pub with: Map<String, Json>,
    pub commands: Vec<Command>,
    /// The step's `env:` as seen in this context: a composite action's `${{ inputs.* }}`
    /// bound to what its caller passes (a secret handed to an action stays visible).
    pub env: Map<String, Json>,
    /// For a composite action's step, the action's inputs as its caller binds them (what
    /// the caller asks of the action, e.g. `push: 'true'`); empty for workflow steps.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub action_inputs: Map<String, Json>,
}

/// The parts of a step that rules look at, as written.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Lower-cased `owner/repo[/path]` of a remote action (`""` otherwise), and its
    /// `owner/repo`: set lookups instead of function calls in policies.
    pub action: String,
    pub action_repo: String,
    pub run: String,
    pub env: Map<String, Json>,
    pub continue_on_error: Json,
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

pub fn flatten(workflows: &[Workflow], actions: &[Action]) -> Pipeline {
    let by_path: BTreeMap<&str, &Action> = actions.iter().map(|a| (a.path.as_str(), a)).collect();
    let mut steps = Vec::new();
    for wf in workflows {
        for job in &wf.jobs {
            for ci in 0..job.contexts.len() {
                for step in &job.steps {
                    let Some(x) = step.expanded.get(ci) else {
                        continue;
                    };
                    steps.push(StepInContext {
                        file: wf.path.clone(),
                        workflow: wf.path.clone(),
                        job_id: job.id.clone(),
                        ci,
                        path: step.path.clone(),
                        step: view(step),
                        run: x.run.clone().unwrap_or_default(),
                        with: x.with.clone(),
                        commands: x.commands.clone(),
                        env: step.env.clone(),
                        action_inputs: Map::new(),
                    });
                    let Some(call) = step.action.as_ref() else {
                        continue;
                    };
                    let Some(a) = by_path.get(call.path.as_str()) else {
                        continue;
                    };
                    // The action's `inputs.*`: the calling step's `with:` as seen in this
                    // context, then the action's defaults.
                    let mut bound = x.with.clone();
                    for (k, v) in &call.inputs {
                        bound.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    for inner in &a.steps {
                        let run =
                            substitute_inputs(inner.run.as_deref().unwrap_or_default(), &bound);
                        let bind_all = |map: &Map<String, Json>| -> Map<String, Json> {
                            map.iter()
                                .map(|(k, v)| {
                                    let v = match v {
                                        Json::String(s) => {
                                            Json::String(substitute_inputs(s, &bound))
                                        }
                                        other => other.clone(),
                                    };
                                    (k.clone(), v)
                                })
                                .collect()
                        };
                        let with = bind_all(&inner.with);
                        let env = bind_all(&inner.env);
                        steps.push(StepInContext {
                            file: a.path.clone(),
                            workflow: wf.path.clone(),
                            job_id: job.id.clone(),
                            ci,
                            path: inner.path.clone(),
                            step: view(inner),
                            commands: commands(&run),
                            run,
                            with,
                            env,
                            action_inputs: bound.clone(),
                        });
                    }
                }
            }
        }
    }
    let mut index = StepIndex::build(&steps);
    (index.job_names, index.step_names) = name_lines(workflows);
    Pipeline { steps, index }
}
