//! The `regex.*` builtins, with compiled patterns kept per thread.
//!
//! regorus caches compiled patterns but hands out a clone on every call, and a cloned
//! `regex::Regex` starts with an empty search cache: each `regex.match` then pays for a
//! fresh lazy DFA (about 180,000 instructions on our patterns, most of an audit's
//! evaluation). The same functions registered as engine extensions (which regorus looks up
//! before its builtins) keep one compiled regex per pattern per thread and reuse its cache.
//! Semantics are regorus' own (strict builtin errors, as shiplint evaluates), for our
//! policies and for users': the same regex crate and size limit; an error for a pattern
//! that does not compile, an argument of the wrong type or a count that is not an integer;
//! `regex.replace` with a pattern that does not compile is undefined.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::{Regex, RegexBuilder};
use regorus::{Engine, LimitError, Value};

/// regorus' limit on a compiled regex (its `regex.*` builtins).
pub(crate) const REGEX_SIZE_LIMIT: usize = 100 * 1024;

/// Patterns kept per thread before the cache starts over (policies that build patterns
/// from input values could otherwise grow it without bound).
const CACHE_CAPACITY: usize = 2048;

enum Compiled {
    Ok(Regex),
    Invalid,
    TooBig,
}

thread_local! {
    static CACHE: RefCell<HashMap<String, Compiled>> = RefCell::new(HashMap::new());
}

/// Registers the functions on `engine` (before any policy is evaluated).
pub fn register(engine: &mut Engine) -> anyhow::Result<()> {
    engine.add_extension("regex.match".into(), 2, Box::new(regex_match))?;
    engine.add_extension("regex.find_n".into(), 3, Box::new(find_n))?;
    engine.add_extension(
        "regex.find_all_string_submatch_n".into(),
        3,
        Box::new(find_all_string_submatch_n),
    )?;
    engine.add_extension("regex.replace".into(), 3, Box::new(replace))?;
    engine.add_extension("regex.split".into(), 2, Box::new(split))?;
    Ok(())
}

/// Runs `f` with the compiled `pattern`. A pattern that does not compile is an error, or
/// `invalid` when the function defines another outcome; one over the size limit is always
/// an error.
fn with_regex(
    pattern: &str,
    invalid: Option<Value>,
    f: impl FnOnce(&Regex) -> Value,
) -> anyhow::Result<Value> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(pattern) {
            if cache.len() >= CACHE_CAPACITY {
                cache.clear();
            }
            let compiled = match RegexBuilder::new(pattern)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
            {
                Ok(re) => Compiled::Ok(re),
                Err(regex::Error::CompiledTooBig(_)) => Compiled::TooBig,
                Err(_) => Compiled::Invalid,
            };
            cache.insert(pattern.to_string(), compiled);
        }
        match (&cache[pattern], invalid) {
            (Compiled::Ok(re), _) => Ok(f(re)),
            (Compiled::Invalid, Some(v)) => Ok(v),
            (Compiled::Invalid, None) => Err(anyhow::anyhow!("invalid regex")),
            (Compiled::TooBig, _) => Err(anyhow::Error::new(LimitError::RegexSizeLimitExceeded {
                limit: REGEX_SIZE_LIMIT,
            })),
        }
    })
}

/// The first `N` arguments as strings.
fn strings<'a, const N: usize>(name: &str, args: &'a [Value]) -> anyhow::Result<[&'a str; N]> {
    let mut out = [""; N];
    for (slot, arg) in out.iter_mut().zip(args) {
        *slot = match arg {
            Value::String(s) => s.as_ref(),
            other => anyhow::bail!("`{name}` expects string argument. Got `{other}` instead"),
        };
    }
    Ok(out)
}

/// A count argument: negative means all.
fn count_arg(name: &str, v: &Value) -> anyhow::Result<usize> {
    let Value::Number(n) = v else {
        anyhow::bail!("`{name}` expects numeric argument. Got `{v}` instead");
    };
    if !n.is_integer() {
        anyhow::bail!("n must be an integer");
    }
    Ok(match n.as_i64() {
        Some(n) if n < 0 => usize::MAX,
        Some(n) => n as usize,
        None => usize::MAX,
    })
}

fn regex_match(args: Vec<Value>) -> anyhow::Result<Value> {
    let [pattern, value] = strings::<2>("regex.match", &args)?;
    with_regex(pattern, None, |re| Value::Bool(re.is_match(value)))
}

fn find_n(args: Vec<Value>) -> anyhow::Result<Value> {
    let [pattern, value] = strings::<2>("regex.find_n", &args)?;
    let n = count_arg("regex.find_n", &args[2])?;
    with_regex(pattern, None, |re| {
        Value::from(
            re.find_iter(value)
                .take(n)
                .map(|m| Value::String(m.as_str().into()))
                .collect::<Vec<Value>>(),
        )
    })
}

fn find_all_string_submatch_n(args: Vec<Value>) -> anyhow::Result<Value> {
    let name = "regex.find_all_string_submatch_n";
    let [pattern, value] = strings::<2>(name, &args)?;
    let n = count_arg(name, &args[2])?;
    with_regex(pattern, None, |re| {
        Value::from(
            re.captures_iter(value)
                .take(n)
                .map(|capture| {
                    Value::from(
                        capture
                            .iter()
                            .map(|g| Value::String(g.map_or("", |m| m.as_str()).into()))
                            .collect::<Vec<Value>>(),
                    )
                })
                .collect::<Vec<Value>>(),
        )
    })
}

/// `regex.replace(s, pattern, value)`.
fn replace(args: Vec<Value>) -> anyhow::Result<Value> {
    let [s, pattern, value] = strings::<3>("regex.replace", &args)?;
    with_regex(pattern, Some(Value::Undefined), |re| {
        Value::String(re.replace_all(s, value).as_ref().into())
    })
}

fn split(args: Vec<Value>) -> anyhow::Result<Value> {
    let [pattern, value] = strings::<2>("regex.split", &args)?;
    with_regex(pattern, None, |re| {
        Value::from(
            re.split(value)
                .map(|s| Value::String(s.into()))
                .collect::<Vec<Value>>(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each function against regorus' own builtin, on the same arguments.
    #[test]
    fn the_functions_agree_with_regorus_builtins() {
        let calls = [
            r#"regex.match(`^a+b`, "aab")"#,
            r#"regex.match(`^a+b`, "xab")"#,
            r#"regex.match(`(`, "x")"#,
            r#"regex.match(`a`, 1)"#,
            r#"regex.find_n(`a.`, "abacad", 2)"#,
            r#"regex.find_n(`a.`, "abacad", -1)"#,
            r#"regex.find_n(`a.`, "abacad", 1.5)"#,
            r#"regex.find_all_string_submatch_n(`(a)(x)?(.)`, "abacax", -1)"#,
            r#"regex.find_all_string_submatch_n(`(a)(.)`, "abacad", 0)"#,
            r#"regex.replace("a-b-c", `-`, "+")"#,
            r#"regex.replace("a-b-c", `(`, "+")"#,
            r#"regex.replace("k=v", `(\w)=(\w)`, "$2=$1")"#,
            r#"regex.split(`[,;]`, "a,b;c")"#,
            r#"regex.split(`x`, "")"#,
            r#"regex.split(`(`, "")"#,
            r#"regex.find_n(`a`, 1, 1)"#,
        ];
        let mut plain = Engine::new();
        let mut ours = Engine::new();
        register(&mut ours).unwrap();
        for call in calls {
            let query = format!("{{\"v\": {call}}}");
            let a = plain.eval_query(query.clone(), false);
            let b = ours.eval_query(query, false);
            match (a, b) {
                (Ok(a), Ok(b)) => assert_eq!(
                    serde_json::to_string(&a.result).unwrap(),
                    serde_json::to_string(&b.result).unwrap(),
                    "{call}"
                ),
                (Err(_), Err(_)) => {}
                (a, b) => panic!("{call}: regorus {:?}, ours {:?}", a.is_ok(), b.is_ok()),
            }
        }
    }

    #[test]
    fn a_pattern_over_the_size_limit_is_an_error_as_in_regorus() {
        let big = format!("{{\"v\": regex.match(`(a|b|c|d){{1000}}{}`, \"a\")}}", "x");
        let mut ours = Engine::new();
        register(&mut ours).unwrap();
        assert!(ours.eval_query(big.clone(), false).is_err());
        assert!(Engine::new().eval_query(big, false).is_err());
    }
}
