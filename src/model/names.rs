//! The check names GitHub gives jobs (`jobs[].checks`, `docs/input.md`, "Check names"):
//! what a branch's required status checks must name for a job to gate a merge.
//!
//! A job's check is its `name:` (or its id); a matrix job's name gets ` (v1, v2, ...)`
//! unless the name holds an expression; a job of a called workflow is named
//! `<caller> / <job>`, chained along the calls. Every name is computed per context of the
//! job (the chain of callers it runs through), because a callee's `${{ inputs.x }}` and a
//! caller's matrix change the name. What cannot be known from the files (an expression
//! that is no resolvable `matrix.*`/`inputs.*`, a `fromJSON` matrix, a matrix over
//! GitHub's cap) makes the name unknown: `name: null` and, when some text is known, an
//! anchored `pattern` that every possible name matches.
//!
//! Everything is bounded: at most [`MAX_COMBINATIONS`] names per context (GitHub's cap per
//! matrix) and [`MAX_CHECKS_PER_JOB`] per job; past either the names collapse into one
//! pattern, which is never wrong, only less precise.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Number, Value as Json};

use super::types::{Check, Context, Job, JobRef, Workflow};

/// GitHub runs at most 256 jobs of one matrix per workflow run.
const MAX_COMBINATIONS: usize = 256;
/// Past this many checks on one job, the job's remaining contexts get one pattern each.
const MAX_CHECKS_PER_JOB: usize = 1024;
/// Past this many `include`/`exclude` entries, a matrix is not expanded (unknown).
const MAX_MATRIX_ENTRIES: usize = 256;
/// Work allowed per repository on matrices that use inputs, which are expanded again for
/// each chain of callers: past it they are unknown. Counted in values visited and
/// combinations compared.
const MAX_INPUT_MATRIX_WORK: usize = 4_000_000;
/// Numbers GitHub prints in fixed notation with every digit (it rounds to 15 significant
/// digits and switches to exponents outside this range); others are unknown.
const MAX_PLAIN_NUMBER: f64 = 1e15;
const MIN_PLAIN_NUMBER: f64 = 1e-4;

/// The checks of every job, by workflow and job position.
pub(super) fn checks(workflows: &[Workflow]) -> Vec<Vec<Vec<Check>>> {
    let index = Index::new(workflows);
    workflows
        .iter()
        .map(|wf| {
            let mut chains = Chains::new();
            wf.jobs
                .iter()
                .map(|job| job_checks(&index, wf, job, &mut chains))
                .collect()
        })
        .collect()
}

/// A piece of a name: known text, or something unknown.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    /// Text the name holds.
    Text(String),
    /// One or more characters that cannot be known from the files.
    Any,
    /// A matrix suffix ` (v1, v2, ...)` whose values cannot be known, or no suffix at all
    /// (GitHub leaves it out when every value is empty).
    AnySuffix,
}

/// One combination of a matrix: its keys and values, in the order GitHub prints them.
type Combo = Vec<(String, Json)>;

/// A job's matrix, expanded.
#[derive(Debug, Clone, PartialEq)]
enum Matrix {
    /// No `strategy.matrix`: one job, no suffix.
    None,
    /// The combinations, in the order GitHub creates the jobs.
    Known(Vec<Combo>),
    /// An expression, a malformed matrix, or more combinations than GitHub runs.
    Unknown,
}

/// The jobs of the repository by workflow path and id, with their matrices.
struct Index<'a> {
    jobs: HashMap<(&'a str, &'a str), &'a Job>,
    /// The matrices that use no expression, expanded once (most are: they do not depend
    /// on the chain of callers), by the address of their job.
    fixed: HashMap<*const Job, Matrix>,
    /// What is left of [`MAX_INPUT_MATRIX_WORK`].
    work: Cell<usize>,
}

impl<'a> Index<'a> {
    fn new(workflows: &'a [Workflow]) -> Index<'a> {
        let mut jobs = HashMap::new();
        let mut fixed = HashMap::new();
        for w in workflows {
            for j in &w.jobs {
                let key = (w.path.as_str(), j.id.as_str());
                jobs.insert(key, j);
                if !has_expression(&j.strategy) {
                    let mut unbounded = usize::MAX;
                    let m = matrix(&j.strategy, &Map::new(), &mut unbounded);
                    fixed.insert(j as *const Job, m);
                }
            }
        }
        Index {
            jobs,
            fixed,
            work: Cell::new(MAX_INPUT_MATRIX_WORK),
        }
    }

    /// The matrix of `job` with `inputs` bound.
    fn matrix(&self, job: &Job, inputs: &Map<String, Json>) -> Cow<'_, Matrix> {
        if let Some(m) = self.fixed.get(&(job as *const Job)) {
            return Cow::Borrowed(m);
        }
        let mut work = self.work.get();
        let m = matrix(&job.strategy, inputs, &mut work);
        self.work.set(work);
        Cow::Owned(m)
    }

    fn job(&self, r: &JobRef) -> Option<&'a Job> {
        self.jobs
            .get(&(r.workflow.as_str(), r.job.as_str()))
            .copied()
    }

    /// The inputs bound to job `r`'s workflow when it is called through `via`.
    fn inputs(&self, r: &JobRef, via: &[JobRef]) -> Option<&'a Map<String, Json>> {
        let job = self.job(r)?;
        job.contexts
            .iter()
            .find(|c| c.via == via)
            .map(|c| &c.inputs)
    }
}

/// The chains of callers of each context of one workflow, by `via`: every job of the
/// workflow shares them (`None`: more than [`MAX_COMBINATIONS`]).
type Chains<'a> = BTreeMap<&'a [JobRef], Option<Vec<Partial>>>;

/// The checks of one job: one per context and combination, deduplicated, in context order.
/// A job that calls a reusable workflow has none: its callee's jobs carry the names.
fn job_checks<'a>(
    index: &Index,
    wf: &Workflow,
    job: &'a Job,
    chains: &mut Chains<'a>,
) -> Vec<Check> {
    let mut out = Vec::new();
    if job.uses.is_some() {
        return out;
    }
    let mut seen = HashSet::new();
    for ctx in &job.contexts {
        let budget = MAX_CHECKS_PER_JOB
            .saturating_sub(out.len())
            .clamp(1, MAX_COMBINATIONS);
        let chain = chains
            .entry(ctx.via.as_slice())
            .or_insert_with(|| callers(index, wf, ctx));
        let names = chain
            .as_deref()
            .and_then(|partials| names(index, job, partials, budget))
            .unwrap_or_else(|| vec![context_pattern(index, wf, job, ctx)]);
        let workflow = ctx.via.first().map_or(&wf.path, |r| &r.workflow);
        for parts in names {
            let check = to_check(&parts, workflow, &ctx.triggers);
            if seen.insert(check.clone()) {
                out.push(check);
            }
        }
    }
    out
}

/// A name so far along a chain of callers, and the inputs bound to the next workflow.
struct Partial {
    parts: Vec<Part>,
    inputs: Map<String, Json>,
}

/// The names of the callers along `ctx.via`, one per combination of their matrices, with
/// the inputs each binds; `None` past [`MAX_COMBINATIONS`].
fn callers(index: &Index, wf: &Workflow, ctx: &Context) -> Option<Vec<Partial>> {
    // The root workflow's own `inputs.*` (workflow_dispatch) are unknown: none bound.
    let mut partials = vec![Partial {
        parts: opening(wf, ctx),
        inputs: Map::new(),
    }];
    for (i, caller_ref) in ctx.via.iter().enumerate() {
        let caller = index.job(caller_ref)?;
        let bound = match ctx.via.get(i + 1) {
            Some(next) => index.inputs(next, &ctx.via[..=i])?,
            None => &ctx.inputs,
        };
        let mut next = Vec::new();
        for p in &partials {
            let max = room(MAX_COMBINATIONS, next.len(), partials.len());
            for (parts, combo) in levels(index, caller, &p.inputs, max)? {
                let mut name = p.parts.clone();
                append(&mut name, parts);
                push_text(&mut name, " / ");
                let inputs = bind_with(&caller.with, combo.as_ref(), &p.inputs, bound);
                next.push(Partial {
                    parts: name,
                    inputs,
                });
            }
        }
        partials = next;
    }
    Some(partials)
}

/// Every name of `job` after the chains of callers `partials`; `None` past `limit`.
fn names(index: &Index, job: &Job, partials: &[Partial], limit: usize) -> Option<Vec<Vec<Part>>> {
    let mut out = Vec::new();
    for p in partials {
        let max = room(limit, out.len(), partials.len());
        for (parts, _) in levels(index, job, &p.inputs, max)? {
            let mut name = p.parts.clone();
            append(&mut name, parts);
            out.push(name);
        }
    }
    Some(out)
}

/// How many more names one of `partials` may add when `so_far` are made: its share of
/// `limit`, so that a chain gives up before expanding every partial.
fn room(limit: usize, so_far: usize, partials: usize) -> usize {
    limit.saturating_sub(so_far).min(limit / partials.max(1))
}

/// One name that every name of `job` in `ctx` matches: each job of the chain named with
/// the inputs bound to it and its matrix unknown.
fn context_pattern(index: &Index, wf: &Workflow, job: &Job, ctx: &Context) -> Vec<Part> {
    let mut parts = opening(wf, ctx);
    for (i, caller_ref) in ctx.via.iter().enumerate() {
        match index.job(caller_ref) {
            Some(caller) => {
                let empty = Map::new();
                let inputs = index.inputs(caller_ref, &ctx.via[..i]).unwrap_or(&empty);
                append(&mut parts, any_combination(caller, inputs));
            }
            None => push_any(&mut parts),
        }
        push_text(&mut parts, " / ");
    }
    append(&mut parts, any_combination(job, &ctx.inputs));
    parts
}

/// How a name starts: with an unknown caller when the workflow is called only from other
/// repositories (its one context has no callers and its only trigger is `workflow_call`).
fn opening(wf: &Workflow, ctx: &Context) -> Vec<Part> {
    let external =
        ctx.via.is_empty() && wf.triggers.contains_key("workflow_call") && wf.triggers.len() == 1;
    if external {
        vec![Part::Any, Part::Text(" / ".into())]
    } else {
        Vec::new()
    }
}

/// The names of one job of a chain, each with its matrix combination (`None` when the
/// matrix is unknown), given the inputs bound to its workflow; `None` when there are more
/// than `max`.
fn levels(
    index: &Index,
    job: &Job,
    inputs: &Map<String, Json>,
    max: usize,
) -> Option<Vec<(Vec<Part>, Option<Combo>)>> {
    let template = template(job);
    let plain = !template.contains("${{");
    let matrix = index.matrix(job, inputs);
    let count = match matrix.as_ref() {
        Matrix::Known(combos) => combos.len(),
        Matrix::None | Matrix::Unknown => 1,
    };
    if count > max {
        return None;
    }
    Some(match matrix.as_ref() {
        Matrix::None => vec![(
            render(template, Some(&Vec::new()), inputs),
            Some(Vec::new()),
        )],
        Matrix::Known(combos) => combos
            .iter()
            .map(|c| {
                let mut parts = render(template, Some(c), inputs);
                if plain {
                    append(&mut parts, suffix(c));
                }
                (parts, Some(c.clone()))
            })
            .collect(),
        Matrix::Unknown => vec![(any_combination(job, inputs), None)],
    })
}

/// A name of `job` that stands for every combination of its matrix.
fn any_combination(job: &Job, inputs: &Map<String, Json>) -> Vec<Part> {
    let template = template(job);
    if !has_matrix(&job.strategy) {
        return render(template, Some(&Vec::new()), inputs);
    }
    let mut parts = render(template, None, inputs);
    if !template.contains("${{") {
        append(&mut parts, vec![Part::AnySuffix]);
    }
    parts
}

/// The job's `name:`, else its id. What GitHub shows for a blank name (some write `" "`
/// to quiet the UI of reusable workflows) is not documented: unknown.
fn template(job: &Job) -> &str {
    match job.name.as_deref() {
        Some(n) if n.trim().is_empty() => "${{ }}",
        Some(n) => n,
        None => &job.id,
    }
}

/// Whether `strategy` may make the job a matrix (an odd type may: unknown).
fn has_matrix(strategy: &Json) -> bool {
    match strategy {
        Json::Object(s) => !matches!(s.get("matrix"), None | Some(Json::Null)),
        Json::Null => false,
        _ => true,
    }
}

/// The caller's `with:` as its callee sees it: each value with the caller's matrix
/// combination and the caller's own inputs substituted, over `bound` (the inputs the
/// call graph bound, which hold the callee's defaults).
fn bind_with(
    with: &Map<String, Json>,
    combo: Option<&Combo>,
    parent: &Map<String, Json>,
    bound: &Map<String, Json>,
) -> Map<String, Json> {
    let mut out = bound.clone();
    for (k, v) in with {
        let v = match v {
            Json::String(s) => Json::String(substitute(s, combo, parent)),
            other => other.clone(),
        };
        out.insert(k.clone(), v);
    }
    out
}

/// `s` with each `${{ matrix.* }}` and `${{ inputs.* }}` that is known replaced by its
/// value; anything else is left as written.
fn substitute(s: &str, combo: Option<&Combo>, inputs: &Map<String, Json>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let known = match expression(after[..end].trim(), combo, inputs) {
            Some(Resolved::Value(v)) => Some(v),
            Some(Resolved::Input(v)) => Some(v.to_string()),
            None => None,
        };
        match known {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[start..start + 3 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A template (a job's name) rendered: known expressions replaced, unknown ones `Any`.
/// `combo` is `None` when the matrix is unknown.
fn render(template: &str, combo: Option<&Combo>, inputs: &Map<String, Json>) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${{") {
        push_text(&mut parts, &rest[..start]);
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else {
            push_any(&mut parts);
            return parts;
        };
        match expression(after[..end].trim(), combo, inputs) {
            Some(Resolved::Value(v)) => push_text(&mut parts, &v),
            // A bound input is text of the caller's, whose own expressions are unknown.
            Some(Resolved::Input(v)) => append(&mut parts, render(v, None, &Map::new())),
            None => push_any(&mut parts),
        }
        rest = &after[end + 2..];
    }
    push_text(&mut parts, rest);
    parts
}

/// What a known expression stands for.
enum Resolved<'a> {
    /// A value, as GitHub prints it.
    Value(String),
    /// A bound input: text that may hold the caller's own (unknown) expressions.
    Input(&'a str),
}

/// The value of `expr` (the text inside `${{ }}`): a `matrix.*` property path or an
/// `inputs.*` name; `None` for any other expression and for what is not known.
fn expression<'a>(
    expr: &str,
    combo: Option<&Combo>,
    inputs: &'a Map<String, Json>,
) -> Option<Resolved<'a>> {
    let mut path = expr.split('.');
    let context = path.next()?;
    let path: Vec<&str> = path.collect();
    if path.is_empty() || !path.iter().all(|s| is_name(s)) {
        return None;
    }
    if context == "matrix" {
        let combo = combo?;
        let mut value = lookup(combo.iter().map(|(k, v)| (k.as_str(), v)), path[0]);
        for seg in &path[1..] {
            value = match value {
                Some(Json::Object(m)) => lookup(m.iter().map(|(k, v)| (k.as_str(), v)), seg),
                // A missing property is null, which GitHub prints as "".
                _ => None,
            };
        }
        return value_text(value.unwrap_or(&Json::Null)).map(Resolved::Value);
    }
    if context == "inputs" && path.len() == 1 {
        return match lookup(inputs.iter().map(|(k, v)| (k.as_str(), v)), path[0])? {
            Json::String(s) => Some(Resolved::Input(s)),
            v @ (Json::Bool(_) | Json::Number(_)) => value_text(v).map(Resolved::Value),
            _ => None,
        };
    }
    None
}

/// A property by name; GitHub's expressions compare property names case-insensitively.
fn lookup<'a>(entries: impl Iterator<Item = (&'a str, &'a Json)>, key: &str) -> Option<&'a Json> {
    let mut fallback = None;
    for (k, v) in entries {
        if k == key {
            return Some(v);
        }
        if fallback.is_none() && k.eq_ignore_ascii_case(key) {
            fallback = Some(v);
        }
    }
    fallback
}

/// A property name in a dereference (`matrix.node-version`, `inputs.env_name`).
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// A value as GitHub prints it in a name: strings bare, booleans `true`/`false`, null as
/// "", numbers in plain notation; `None` for arrays, objects and numbers GitHub would
/// round or print with an exponent.
fn value_text(v: &Json) -> Option<String> {
    match v {
        Json::Null => Some(String::new()),
        Json::Bool(b) => Some(b.to_string()),
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => number_text(n),
        Json::Array(_) | Json::Object(_) => None,
    }
}

/// A number as GitHub prints it: integral values without a fraction (`1.0` is "1"), others
/// in their shortest form (`3.10` in YAML is the number 3.1, printed "3.1").
fn number_text(n: &Number) -> Option<String> {
    let f = n.as_f64()?;
    if f == 0.0 {
        return (!f.is_sign_negative()).then(|| "0".to_string());
    }
    if !f.is_finite() || !(MIN_PLAIN_NUMBER..MAX_PLAIN_NUMBER).contains(&f.abs()) {
        return None;
    }
    if let Some(i) = n.as_i64() {
        return Some(i.to_string());
    }
    if f.fract() == 0.0 {
        // Exact: |f| < 1e15 fits an i64.
        return Some(format!("{}", f as i64));
    }
    let text = format!("{f}");
    let significant = text
        .bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|&d| d == b'0')
        .count();
    (significant <= 15).then_some(text)
}

/// The suffix GitHub appends to a matrix job's name that holds no expression: the
/// combination's values in order, empty ones (null, "") left out, no parentheses when
/// none is left.
fn suffix(combo: &Combo) -> Vec<Part> {
    let mut values = Vec::with_capacity(combo.len());
    for (_, v) in combo {
        match v {
            Json::Null => {}
            Json::String(s) if s.is_empty() => {}
            v => match value_text(v) {
                Some(t) => values.push(t),
                None => return vec![Part::AnySuffix],
            },
        }
    }
    if values.is_empty() {
        Vec::new()
    } else {
        vec![Part::Text(format!(" ({})", values.join(", ")))]
    }
}

/// Expands `strategy.matrix` as GitHub documents it: the product of the vectors (the
/// first key varying slowest), minus every combination that an `exclude` entry partially
/// matches, then each `include` entry added to every original combination it overwrites
/// no original value of, or appended as a new combination when it fits none. Values may
/// use the bound `inputs.*`; any other expression makes the matrix unknown.
fn matrix(strategy: &Json, inputs: &Map<String, Json>, work: &mut usize) -> Matrix {
    let m = match strategy {
        Json::Object(s) => match s.get("matrix") {
            None | Some(Json::Null) => return Matrix::None,
            Some(m) => m,
        },
        Json::Null => return Matrix::None,
        _ => return Matrix::Unknown,
    };
    if *work == 0 {
        return Matrix::Unknown;
    }
    let mut visited = 0;
    let resolved = resolve(m, inputs, &mut visited);
    *work = work.saturating_sub(visited);
    let (Some(Json::Object(m)), true) = (resolved, *work > 0) else {
        return Matrix::Unknown;
    };
    let mut vectors = Vec::new();
    for (k, v) in &m {
        if k != "include" && k != "exclude" {
            match v {
                Json::Array(values) => vectors.push((k.as_str(), values.as_slice())),
                _ => return Matrix::Unknown,
            }
        }
    }
    let (Some(include), Some(exclude)) = (entries(m.get("include")), entries(m.get("exclude")))
    else {
        return Matrix::Unknown;
    };
    if vectors.is_empty() && include.is_empty() {
        return Matrix::None;
    }
    // Comparisons to come: every combination against every entry.
    let cost = combinations(&vectors).saturating_mul(1 + include.len() + exclude.len());
    if cost > *work {
        return Matrix::Unknown;
    }
    *work -= cost;
    let Some(mut combos) = product(&vectors) else {
        return Matrix::Unknown;
    };
    if exclude.iter().any(|e| e.is_empty()) {
        return Matrix::Unknown;
    }
    combos.retain(|c| {
        !exclude
            .iter()
            .any(|e| e.iter().all(|(k, v)| get(c, k) == Some(v)))
    });
    let combos = add_includes(combos, &include, &vectors);
    if combos.len() > MAX_COMBINATIONS {
        return Matrix::Unknown;
    }
    Matrix::Known(combos)
}

/// `include` or `exclude`: a list of mappings (`Some(empty)` when absent).
fn entries(v: Option<&Json>) -> Option<Vec<&Map<String, Json>>> {
    match v {
        None | Some(Json::Null) => Some(Vec::new()),
        Some(Json::Array(items)) if items.len() <= MAX_MATRIX_ENTRIES => items
            .iter()
            .map(|i| match i {
                Json::Object(m) => Some(m),
                _ => None,
            })
            .collect(),
        Some(_) => None,
    }
}

/// Every combination of the vectors, the first varying slowest; `None` past the cap.
/// No vector at all gives no combination: a matrix of `include` entries only.
fn product(vectors: &[(&str, &[Json])]) -> Option<Vec<Combo>> {
    if vectors.is_empty() {
        return Some(Vec::new());
    }
    if combinations(vectors) > MAX_COMBINATIONS {
        return None;
    }
    let mut combos: Vec<Combo> = vec![Vec::new()];
    for (k, values) in vectors {
        let mut next = Vec::with_capacity(combos.len() * values.len());
        for c in &combos {
            for v in values.iter() {
                let mut c = c.clone();
                c.push((k.to_string(), v.clone()));
                next.push(c);
            }
        }
        combos = next;
    }
    Some(combos)
}

/// How many combinations the vectors make (saturating).
fn combinations(vectors: &[(&str, &[Json])]) -> usize {
    vectors
        .iter()
        .fold(1usize, |n, (_, values)| n.saturating_mul(values.len()))
}

/// Applies `include` (GitHub's rules): an entry extends every original combination whose
/// original values it does not overwrite (values added by earlier entries it may), and
/// becomes a combination of its own when it extends none. New combinations are never
/// extended by later entries.
fn add_includes(
    mut originals: Vec<Combo>,
    include: &[&Map<String, Json>],
    vectors: &[(&str, &[Json])],
) -> Vec<Combo> {
    let original_key = |k: &str| vectors.iter().any(|(v, _)| *v == k);
    let mut added = Vec::new();
    for entry in include {
        let mut fits_any = false;
        for c in originals.iter_mut() {
            let fits = entry
                .iter()
                .all(|(k, v)| !original_key(k) || get(c, k) == Some(v));
            if fits {
                fits_any = true;
                for (k, v) in entry.iter() {
                    set(c, k, v);
                }
            }
        }
        if !fits_any && added.len() <= MAX_COMBINATIONS {
            added.push(entry.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        }
    }
    originals.extend(added);
    originals
}

fn get<'a>(combo: &'a Combo, key: &str) -> Option<&'a Json> {
    combo.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Sets a value, keeping the key's place when it is already there.
fn set(combo: &mut Combo, key: &str, value: &Json) {
    match combo.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value.clone(),
        None => combo.push((key.to_string(), value.clone())),
    }
}

/// `v` with the bound inputs substituted in every string; `None` when an expression is
/// left (a `fromJSON(...)`, a `github.*` value, an unbound input).
fn resolve(v: &Json, inputs: &Map<String, Json>, visited: &mut usize) -> Option<Json> {
    // Recursion is bounded by the YAML parser's depth limit.
    *visited += 1;
    Some(match v {
        Json::String(s) if s.contains("${{") => {
            let s = substitute(s, None, inputs);
            if s.contains("${{") {
                return None;
            }
            Json::String(s)
        }
        Json::Array(items) => Json::Array(
            items
                .iter()
                .map(|i| resolve(i, inputs, visited))
                .collect::<Option<_>>()?,
        ),
        Json::Object(m) => Json::Object(
            m.iter()
                .map(|(k, v)| Some((k.clone(), resolve(v, inputs, visited)?)))
                .collect::<Option<_>>()?,
        ),
        other => other.clone(),
    })
}

/// Whether any string in `v` holds `${{`.
fn has_expression(v: &Json) -> bool {
    match v {
        Json::String(s) => s.contains("${{"),
        Json::Array(items) => items.iter().any(has_expression),
        Json::Object(m) => m.values().any(has_expression),
        _ => false,
    }
}

fn push_text(parts: &mut Vec<Part>, s: &str) {
    if s.is_empty() {
        return;
    }
    match parts.last_mut() {
        Some(Part::Text(t)) => t.push_str(s),
        _ => parts.push(Part::Text(s.to_string())),
    }
}

/// Appends `more`, merging adjacent text and adjacent unknowns.
fn append(parts: &mut Vec<Part>, more: Vec<Part>) {
    for p in more {
        match p {
            Part::Text(t) => push_text(parts, &t),
            Part::Any => push_any(parts),
            Part::AnySuffix => parts.push(Part::AnySuffix),
        }
    }
}

fn push_any(parts: &mut Vec<Part>) {
    if parts.last() != Some(&Part::Any) {
        parts.push(Part::Any);
    }
}

/// The check of one name: the name when every part is known, else a pattern (when any
/// text is known).
fn to_check(parts: &[Part], workflow: &str, events: &[String]) -> Check {
    let known: Option<String> = parts
        .iter()
        .map(|p| match p {
            Part::Text(t) => Some(t.as_str()),
            Part::Any | Part::AnySuffix => None,
        })
        .collect();
    let pattern = match known {
        Some(_) => None,
        None => pattern(parts),
    };
    Check {
        name: known,
        pattern,
        workflow: workflow.to_string(),
        events: events.to_vec(),
    }
}

/// An anchored regex (RE2 syntax, as Rego's `regex.match`) that every possible name
/// matches: known text escaped, unknown parts `.+`; `None` when no text is known.
fn pattern(parts: &[Part]) -> Option<String> {
    if !parts.iter().any(|p| matches!(p, Part::Text(_))) {
        return None;
    }
    let mut re = String::from("^");
    for (i, p) in parts.iter().enumerate() {
        match p {
            Part::Text(t) => re.push_str(&regex::escape(t)),
            // `Any` `Any` would ask for two characters.
            Part::Any if i > 0 && parts[i - 1] == Part::Any => {}
            Part::Any => re.push_str(".+"),
            Part::AnySuffix => re.push_str(r"(?: \(.+\))?"),
        }
    }
    re.push('$');
    Some(re)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A matrix expanded with no limit on the work.
    fn expand(strategy: &Json, inputs: &Map<String, Json>) -> Matrix {
        let mut unbounded = usize::MAX;
        matrix(strategy, inputs, &mut unbounded)
    }

    fn text(parts: &[Part]) -> String {
        to_check(parts, "w", &[])
            .name
            .unwrap_or_else(|| format!("pattern {}", pattern(parts).unwrap_or_default()))
    }

    #[test]
    fn values_print_as_github_prints_them() {
        assert_eq!(
            value_text(&json!("ubuntu-latest")).as_deref(),
            Some("ubuntu-latest")
        );
        assert_eq!(value_text(&json!(true)).as_deref(), Some("true"));
        assert_eq!(value_text(&json!(false)).as_deref(), Some("false"));
        assert_eq!(value_text(&json!(null)).as_deref(), Some(""));
        assert_eq!(value_text(&json!(20)).as_deref(), Some("20"));
        assert_eq!(value_text(&json!(-3)).as_deref(), Some("-3"));
        // YAML `3.10` is the number 3.1; `1.0` is 1.
        assert_eq!(value_text(&json!(3.1)).as_deref(), Some("3.1"));
        assert_eq!(value_text(&json!(1.0)).as_deref(), Some("1"));
        assert_eq!(value_text(&json!(0.0)).as_deref(), Some("0"));
        assert_eq!(value_text(&json!(0.25)).as_deref(), Some("0.25"));
        assert_eq!(value_text(&json!(["a"])), None);
        assert_eq!(value_text(&json!({"os": "linux"})), None);
    }

    #[test]
    fn numbers_github_would_round_or_print_with_an_exponent_are_unknown() {
        assert_eq!(value_text(&json!(1e15)), None);
        assert_eq!(value_text(&json!(1_000_000_000_000_000_i64)), None);
        assert_eq!(
            value_text(&json!(999_999_999_999_999_i64)).as_deref(),
            Some("999999999999999")
        );
        assert_eq!(value_text(&json!(0.00001)), None);
        assert_eq!(value_text(&json!(0.0001)).as_deref(), Some("0.0001"));
        assert_eq!(value_text(&json!(1.234_567_890_123_456_7)), None);
        assert_eq!(value_text(&json!(-0.0)), None);
    }

    #[test]
    fn the_suffix_leaves_out_empty_values() {
        let combo = |pairs: &[(&str, Json)]| -> Combo {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect()
        };
        let c = combo(&[
            ("os", json!("linux")),
            ("node", json!(20)),
            ("x", json!("")),
        ]);
        assert_eq!(text(&suffix(&c)), " (linux, 20)");
        assert_eq!(
            suffix(&combo(&[("a", json!(null)), ("b", json!(""))])),
            vec![]
        );
        let obj = combo(&[("os", json!("linux")), ("cfg", json!({"a": 1}))]);
        assert_eq!(suffix(&obj), vec![Part::AnySuffix]);
    }

    #[test]
    fn templates_substitute_matrix_and_inputs_and_nothing_else() {
        let combo: Combo = vec![
            ("os".into(), json!("linux")),
            ("cfg".into(), json!({"arch": "arm64", "list": [1]})),
        ];
        let mut inputs = Map::new();
        inputs.insert("env".into(), json!("prod"));
        inputs.insert("tag".into(), json!("v-${{ github.sha }}"));
        let r = |t: &str| text(&render(t, Some(&combo), &inputs));
        assert_eq!(r("Test ${{ matrix.os }}"), "Test linux");
        assert_eq!(
            r("Test ${{matrix.os}}/${{  matrix.OS\t}}"),
            "Test linux/linux"
        );
        assert_eq!(r("${{ matrix.cfg.arch }}"), "arm64");
        assert_eq!(r("[${{ matrix.missing }}]"), "[]");
        assert_eq!(r("Deploy ${{ inputs.env }}"), "Deploy prod");
        assert_eq!(r("${{ matrix.cfg.list }} x"), r"pattern ^.+ x$");
        assert_eq!(r("Build ${{ inputs.tag }}"), r"pattern ^Build v\-.+$");
        assert_eq!(r("Build ${{ inputs.unbound }}"), r"pattern ^Build .+$");
        assert_eq!(r("A ${{ github.ref_name }}"), r"pattern ^A .+$");
        assert_eq!(r("A ${{ matrix.os == 'linux' }}"), r"pattern ^A .+$");
        assert_eq!(r("A ${{ matrix.os"), r"pattern ^A .+$");
        assert_eq!(r("${{ github.x }}${{ github.y }}"), "pattern ");
        assert_eq!(
            text(&render("T ${{ matrix.os }}", None, &inputs)),
            r"pattern ^T .+$"
        );
    }

    #[test]
    fn matrices_expand_with_include_and_exclude_as_documented() {
        // The example of GitHub's "Expanding or adding matrix configurations".
        let strategy = json!({"matrix": {
            "fruit": ["apple", "pear"],
            "animal": ["cat", "dog"],
            "include": [
                {"color": "green"},
                {"color": "pink", "animal": "cat"},
                {"fruit": "apple", "shape": "circle"},
                {"fruit": "banana"},
                {"fruit": "banana", "animal": "cat"}
            ]
        }});
        let Matrix::Known(combos) = expand(&strategy, &Map::new()) else {
            panic!("known");
        };
        let names: Vec<String> = combos.iter().map(|c| text(&suffix(c))).collect();
        assert_eq!(
            names,
            [
                " (apple, cat, pink, circle)",
                " (apple, dog, green, circle)",
                " (pear, cat, pink)",
                " (pear, dog, green)",
                " (banana)",
                " (banana, cat)"
            ]
        );
    }

    #[test]
    fn matrices_create_jobs_in_key_order_and_exclude_partial_matches_as_documented() {
        // "Using a matrix strategy": the first variable defined makes the first job.
        let order = json!({"matrix": {"version": [10, 12, 14], "os": ["ubuntu", "windows"]}});
        let Matrix::Known(combos) = expand(&order, &Map::new()) else {
            panic!("known");
        };
        let names: Vec<String> = combos.iter().map(|c| text(&suffix(c))).collect();
        assert_eq!(
            names,
            [
                " (10, ubuntu)",
                " (10, windows)",
                " (12, ubuntu)",
                " (12, windows)",
                " (14, ubuntu)",
                " (14, windows)"
            ]
        );
        // "Excluding matrix configurations": 12 configurations, minus one full and two
        // partial matches, run nine jobs.
        let exclude = json!({"matrix": {
            "os": ["macos-latest", "windows-latest"],
            "version": [12, 14, 16],
            "environment": ["staging", "production"],
            "exclude": [
                {"os": "macos-latest", "version": 12, "environment": "production"},
                {"os": "windows-latest", "version": 16}
            ]
        }});
        let Matrix::Known(combos) = expand(&exclude, &Map::new()) else {
            panic!("known");
        };
        assert_eq!(combos.len(), 9);
        // "All include combinations are processed after exclude": include adds one back.
        let mut back = exclude.clone();
        back["matrix"]["include"] = json!([{"os": "windows-latest", "version": 16}]);
        let Matrix::Known(combos) = expand(&back, &Map::new()) else {
            panic!("known");
        };
        assert_eq!(
            text(&suffix(combos.last().unwrap())),
            " (windows-latest, 16)"
        );
        assert_eq!(combos.len(), 10);
    }

    #[test]
    fn matrices_that_cannot_be_expanded_are_unknown() {
        let m = |v: Json| expand(&v, &Map::new());
        assert_eq!(m(json!({})), Matrix::None);
        assert_eq!(
            m(json!({"matrix": "${{ fromJSON(needs.a.outputs.m) }}"})),
            Matrix::Unknown
        );
        assert_eq!(
            m(json!({"matrix": {"os": "${{ fromJSON(inputs.os) }}"}})),
            Matrix::Unknown
        );
        assert_eq!(m(json!({"matrix": {"os": "linux"}})), Matrix::Unknown);
        assert_eq!(
            m(json!({"matrix": {"os": ["a"], "include": "x"}})),
            Matrix::Unknown
        );
        assert_eq!(
            m(json!({"matrix": {"os": ["a"], "exclude": [{}]}})),
            Matrix::Unknown
        );
        let big: Vec<u32> = (0..17).collect();
        assert_eq!(m(json!({"matrix": {"a": big, "b": big}})), Matrix::Unknown);
        assert_eq!(m(json!("${{ fromJSON(x) }}")), Matrix::Unknown);
        let mut inputs = Map::new();
        inputs.insert("os".into(), json!("linux"));
        let strategy = json!({"matrix": {"os": ["${{ inputs.os }}"], "n": [1, 2]}});
        let known = expand(&strategy, &inputs);
        let linux = |n: i32| vec![("os".into(), json!("linux")), ("n".into(), json!(n))];
        assert_eq!(known, Matrix::Known(vec![linux(1), linux(2)]));
        // Past the work allowed, a matrix is unknown.
        assert_eq!(matrix(&strategy, &inputs, &mut 5), Matrix::Unknown);
    }

    #[test]
    fn patterns_are_anchored_and_escaped() {
        let parts = vec![
            Part::Text("Test (".into()),
            Part::Any,
            Part::Text(") / c.d".into()),
            Part::AnySuffix,
        ];
        assert_eq!(
            pattern(&parts).unwrap(),
            r"^Test \(.+\) / c\.d(?: \(.+\))?$"
        );
        let re = regex::Regex::new(&pattern(&parts).unwrap()).unwrap();
        assert!(re.is_match("Test (x) / c.d"));
        assert!(re.is_match("Test (x) / c.d (1, 2)"));
        assert!(!re.is_match("Test (x) / cxd"));
        assert_eq!(pattern(&[Part::Any]), None);
    }
}
