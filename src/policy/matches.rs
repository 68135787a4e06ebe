//! Command patterns matched before evaluation.
//!
//! The policies name the shell commands they classify (builds, deploys, scans, tests...) in
//! `data.shiplint.lib.pipeline.command_patterns`: a program list and a regex per name. The
//! patterns stay in Rego, where a team edits them; what moves here is running them. In
//! regorus, collecting the candidate commands and assembling the text to match costs an
//! interpreter step per command of every repository; here it is a loop over the step index.
//!
//! The result, `input.pipeline.matches[name]`, lists `[step position, command position]`
//! pairs and equals what `matching(with_tools(tools), pattern)` computes in Rego (the
//! policies fall back to that when the field is absent, as in their unit tests): the same
//! candidates in the same order, one line each, matched by the same regex crate with
//! regorus' size limit.

use std::collections::BTreeSet;

use regex::{Regex, RegexBuilder};
use regorus::Value;

use super::regex_ext::REGEX_SIZE_LIMIT;
use crate::model::Pipeline;

/// Where the policies declare their command patterns.
pub const PATTERNS_RULE: &str = "data.shiplint.lib.pipeline.command_patterns";

/// One named pattern: the programs whose commands are candidates, and the regex a
/// candidate line (`<position>: <command>`) must match.
#[derive(Debug, Clone)]
pub struct CommandPattern {
    name: String,
    /// Sorted, as a Rego set iterates.
    tools: BTreeSet<String>,
    regex: Regex,
}

/// Reads the patterns from an evaluated `command_patterns` object. `Undefined` (a policy
/// set without the library) gives none.
pub fn from_value(value: &Value) -> Result<Vec<CommandPattern>, String> {
    let Ok(object) = value.as_object() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (name, spec) in object.iter() {
        let name = name
            .as_string()
            .map_err(|_| "a command pattern's name is not a string".to_string())?
            .to_string();
        let field = |key: &str| spec.as_object().ok().and_then(|o| o.get(&Value::from(key)));
        let pattern = field("pattern")
            .and_then(|p| p.as_string().ok())
            .ok_or_else(|| format!("command pattern `{name}` has no string `pattern`"))?;
        let tools = match field("tools") {
            Some(Value::Set(s)) => s.iter().cloned().collect::<Vec<_>>(),
            Some(Value::Array(a)) => a.iter().cloned().collect::<Vec<_>>(),
            _ => return Err(format!("command pattern `{name}` has no `tools` set")),
        };
        let tools = tools
            .iter()
            .map(|t| t.as_string().map(|s| s.to_string()))
            .collect::<Result<BTreeSet<_>, _>>()
            .map_err(|_| format!("command pattern `{name}`: a tool is not a string"))?;
        // The anchor `matching()` prefixes: the line's position, then the pattern.
        let regex = RegexBuilder::new(&format!(r"(?m)^\d+:.*?{pattern}"))
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| format!("command pattern `{name}`: {e}"))?;
        out.push(CommandPattern { name, tools, regex });
    }
    Ok(out)
}

/// `{name: [[step, command], ...]}` for one repository's pipeline.
pub fn compute(patterns: &[CommandPattern], pipeline: &Pipeline) -> Value {
    let mut object = Value::new_object();
    let Ok(map) = object.as_object_mut() else {
        return object;
    };
    for p in patterns {
        map.insert(
            Value::from(p.name.as_str()),
            Value::from(matched(p, pipeline)),
        );
    }
    object
}

/// The pairs of one pattern, in the order of `with_tools`, each once.
fn matched(p: &CommandPattern, pipeline: &Pipeline) -> Vec<Value> {
    // Candidates as `with_tools(tools)` lists them: by program, then entry, then command.
    let mut candidates: Vec<(usize, usize)> = Vec::new();
    for tool in &p.tools {
        let Some(entries) = pipeline.index.tools.get(tool) else {
            continue;
        };
        for &i in entries {
            let Some(entry) = pipeline.steps.get(i) else {
                continue;
            };
            for (k, c) in entry.commands.iter().enumerate() {
                if c.tools.iter().any(|t| t == tool) {
                    candidates.push((i, k));
                }
            }
        }
    }
    if candidates.is_empty() {
        return Vec::new();
    }
    let mut text = String::new();
    for (n, &(i, k)) in candidates.iter().enumerate() {
        if n > 0 {
            text.push('\n');
        }
        text.push_str(&n.to_string());
        text.push_str(": ");
        text.push_str(&pipeline.steps[i].commands[k].text.replace('\n', " "));
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for m in p.regex.find_iter(&text) {
        let position = m.as_str().split(':').next().unwrap_or_default();
        let Ok(n) = position.parse::<usize>() else {
            continue;
        };
        if let Some(&(i, k)) = candidates.get(n) {
            if seen.insert((i, k)) {
                out.push(Value::from(vec![Value::from(i), Value::from(k)]));
            }
        }
    }
    out
}
