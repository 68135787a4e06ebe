//! Step expansion: each step's `run` and `with` as one context of its job sees them, with
//! the values known before the run substituted — the context's bound `inputs.*`, the
//! `env:` of workflow, job and step, what earlier steps wrote to `$GITHUB_ENV` and
//! `$GITHUB_OUTPUT`, and shell variables assigned earlier in the script. Policies then
//! match the image a deploy step really names instead of `${{ inputs.image }}`.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::commands::commands;
use super::types::{Expanded, Job, Step};

/// `step.expanded` of every step of `job`, one entry per job context (same order).
pub(super) fn job_steps(workflow_env: &Map<String, Json>, job: &Job) -> Vec<Vec<Expanded>> {
    let mut per_step: Vec<Vec<Expanded>> = vec![Vec::new(); job.steps.len()];
    for c in &job.contexts {
        let expanded = steps_in_context(workflow_env, job, &c.inputs);
        for (step, x) in per_step.iter_mut().zip(expanded) {
            step.push(x);
        }
    }
    per_step
}

/// What earlier steps of a job wrote to `$GITHUB_ENV` (by name) and `$GITHUB_OUTPUT` (as
/// `steps.<id>.outputs.<name>`).
#[derive(Default)]
struct Learned {
    env: BTreeMap<String, String>,
    outputs: BTreeMap<String, String>,
}

impl Learned {
    /// Records the values that an expanded script of `step` writes.
    fn record(&mut self, step: &Step, run: &str) {
        for (file, name, value) in written_values(run) {
            match file {
                WrittenFile::Env => {
                    self.env.insert(name, value);
                }
                WrittenFile::Output => {
                    if let Some(id) = &step.id {
                        self.outputs
                            .insert(format!("steps.{id}.outputs.{name}"), value);
                    }
                }
            }
        }
    }
}

/// The steps of `job`, in order, in the context whose bound inputs are `inputs`.
fn steps_in_context(
    workflow_env: &Map<String, Json>,
    job: &Job,
    inputs: &Map<String, Json>,
) -> Vec<Expanded> {
    let mut learned = Learned::default();
    let mut out = Vec::with_capacity(job.steps.len());
    for step in &job.steps {
        let vars = known_vars(workflow_env, job, step, inputs, &learned);
        let with = step
            .with
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Json::String(s) => Json::String(substitute(s, inputs, &vars, false)),
                    other => other.clone(),
                };
                (k.clone(), v)
            })
            .collect();
        let run = step.run.as_ref().map(|r| expand_script(r, inputs, vars));
        if let Some(r) = &run {
            learned.record(step, r);
        }
        let commands = run.as_deref().map(commands).unwrap_or_default();
        out.push(Expanded {
            run,
            with,
            commands,
        });
    }
    out
}

/// The variables a step sees before its script runs: earlier steps' outputs, the
/// workflow's and job's `env:`, what earlier steps wrote to `$GITHUB_ENV`, then the
/// step's own `env:` (each value expanded with what comes before it).
fn known_vars(
    workflow_env: &Map<String, Json>,
    job: &Job,
    step: &Step,
    inputs: &Map<String, Json>,
    learned: &Learned,
) -> BTreeMap<String, String> {
    let mut vars: BTreeMap<String, String> = learned.outputs.clone();
    for env in [workflow_env, &job.env] {
        for (k, v) in env {
            if let Json::String(v) = v {
                let v = substitute(v, inputs, &vars, false);
                vars.insert(k.clone(), v);
            }
        }
    }
    vars.extend(learned.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    for (k, v) in &step.env {
        if let Json::String(v) = v {
            let v = substitute(v, inputs, &vars, false);
            vars.insert(k.clone(), v);
        }
    }
    vars
}

/// The file a script line writes a value to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WrittenFile {
    /// `$GITHUB_ENV`: a variable of later steps.
    Env,
    /// `$GITHUB_OUTPUT` (or `::set-output`): an output of this step.
    Output,
}

/// `echo "NAME=value" >> $GITHUB_ENV` / `$GITHUB_OUTPUT` lines of an expanded script:
/// `(file, name, value)`. Values that are computed (`$(...)`) are skipped.
fn written_values(script: &str) -> Vec<(WrittenFile, String, String)> {
    let mut out = Vec::new();
    for line in script.lines() {
        let t = line.trim();
        let Some(rest) = t.strip_prefix("echo ") else {
            continue;
        };
        if let Some((name, value)) = set_output(rest) {
            out.push((WrittenFile::Output, name, value));
            continue;
        }
        let Some((arg, target)) = rest.rsplit_once(">>") else {
            continue;
        };
        let target = target.trim().trim_matches('"').trim_matches('\'');
        let file = match target {
            "$GITHUB_ENV" | "${GITHUB_ENV}" => WrittenFile::Env,
            "$GITHUB_OUTPUT" | "${GITHUB_OUTPUT}" => WrittenFile::Output,
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
            out.push((file, name.to_string(), value.to_string()));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_echoed_by_a_command_substitution_are_known() {
        let w = written_values("echo \"IMAGE=`echo ghcr.io/a/b:${{ github.sha }}`\" >> $GITHUB_ENV\necho \"X=$(date +%s)\" >> $GITHUB_ENV\necho \"Y=$(echo a | tr a b)\" >> $GITHUB_ENV");
        assert_eq!(
            w,
            vec![(
                WrittenFile::Env,
                "IMAGE".to_string(),
                "ghcr.io/a/b:${{ github.sha }}".to_string()
            )]
        );
    }

    #[test]
    fn values_written_to_github_env_and_output_are_read() {
        let w = written_values(
            "echo \"image=reg/app:latest\" >> $GITHUB_OUTPUT\necho TAG=v1 >> \"$GITHUB_ENV\"\necho \"x=$(date)\" >> $GITHUB_ENV",
        );
        assert_eq!(
            w,
            vec![
                (WrittenFile::Output, "image".into(), "reg/app:latest".into()),
                (WrittenFile::Env, "TAG".into(), "v1".into()),
            ]
        );
        assert_eq!(
            written_values("echo \"::set-output name=image::reg/app:latest\"\necho ::set-output name=t::$(date)\necho \"::set-output name=h::$HASH\""),
            vec![(
                WrittenFile::Output,
                "image".into(),
                "reg/app:latest".into()
            )]
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
