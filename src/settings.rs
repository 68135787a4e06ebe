//! Repository settings (`input.settings`): branch protection, rulesets and environments,
//! as the GitHub API returns them. Read from `--settings FILE` (offline) or fetched online.
//!
//! The document (`docs/input.md`):
//!
//! ```text
//! {branches: {<name>: {protection: <GET …/branches/{b}/protection body> | null,
//!                      readable: bool, error?: string,
//!                      rules: [<GET …/rules/branches/{b} items>]}},
//!  environments: [<GET …/environments → environments[] items>],
//!  environments_readable?: bool, environments_error?: string,
//!  rulesets?: [<GET …/rulesets/{id} bodies>]}
//! ```
//!
//! Validation checks the shape policies rely on, so that a malformed file is one clear
//! error (exit 2) instead of rules silently passing on missing keys. Optional parts are
//! filled in (`rules: []`, `environments: []`, …) so policies never meet `null` where
//! they expect a collection.

use std::path::Path;

use serde_json::{Map, Value as Json};

/// A settings document that could not be used, with the JSON path of the offending value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    pub message: String,
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SettingsError {}

fn err(at: &str, message: impl std::fmt::Display) -> SettingsError {
    SettingsError {
        message: format!("{at}: {message}"),
    }
}

fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Reads and validates a `--settings` file.
pub fn load(path: &Path) -> Result<Json, SettingsError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        SettingsError {
            message: format!("cannot read settings file {shown}: {reason}"),
        }
    })?;
    let doc: Json = serde_json::from_slice(&bytes).map_err(|e| SettingsError {
        message: format!(
            "settings file {shown} is not valid JSON: {e} (line {}, column {})",
            e.line(),
            e.column()
        ),
    })?;
    validate(doc).map_err(|e| SettingsError {
        message: format!("settings file {shown}: {}", e.message),
    })
}

/// Checks the shape of a settings document and fills in its optional collections.
pub fn validate(doc: Json) -> Result<Json, SettingsError> {
    let Json::Object(mut root) = doc else {
        return Err(err(
            "$",
            format!("must be an object, found {}", type_name(&doc)),
        ));
    };
    const KEYS: &[&str] = &[
        "branches",
        "environments",
        "environments_readable",
        "environments_error",
        "rulesets",
    ];
    if let Some(k) = root.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(err(
            "$",
            format!("unknown key `{k}` (allowed: {})", KEYS.join(", ")),
        ));
    }
    check_branches(&mut root)?;
    check_environments(&mut root)?;
    match root.get("environments_readable") {
        None => {
            root.insert("environments_readable".into(), Json::Bool(true));
        }
        Some(Json::Bool(_)) => {}
        Some(other) => {
            return Err(err(
                "$.environments_readable",
                format!("must be a boolean, found {}", type_name(other)),
            ))
        }
    }
    optional_string(&root, "environments_error", "$.environments_error")?;
    check_rulesets(&mut root)?;
    Ok(Json::Object(root))
}

/// `branches`: branch name → its settings (each checked).
fn check_branches(root: &mut Map<String, Json>) -> Result<(), SettingsError> {
    let branches = match root.remove("branches") {
        None => Map::new(),
        Some(Json::Object(m)) => m,
        Some(other) => {
            return Err(err(
                "$.branches",
                format!(
                    "must be an object of branch name → settings, found {}",
                    type_name(&other)
                ),
            ))
        }
    };
    let mut checked = Map::new();
    for (name, b) in branches {
        checked.insert(name.clone(), branch(&name, b)?);
    }
    root.insert("branches".into(), Json::Object(checked));
    Ok(())
}

/// `environments`: a list, `null` (not readable), or the whole API body.
fn check_environments(root: &mut Map<String, Json>) -> Result<(), SettingsError> {
    let at = "$.environments";
    match root.remove("environments") {
        None => {
            root.insert("environments".into(), Json::Array(Vec::new()));
        }
        // `null`: the list could not be read.
        Some(Json::Null) => {
            root.insert("environments".into(), Json::Array(Vec::new()));
            root.insert("environments_readable".into(), Json::Bool(false));
        }
        Some(Json::Array(items)) => {
            for (i, e) in items.iter().enumerate() {
                environment(&format!("{at}[{i}]"), e)?;
            }
            root.insert("environments".into(), Json::Array(items));
        }
        // The whole `GET …/environments` body is accepted too.
        Some(Json::Object(mut body)) => match body.remove("environments") {
            Some(Json::Array(items)) => {
                for (i, e) in items.iter().enumerate() {
                    environment(&format!("{at}.environments[{i}]"), e)?;
                }
                root.insert("environments".into(), Json::Array(items));
            }
            _ => return Err(err(
                at,
                "must be an array of environments (or the API body with an `environments` array)",
            )),
        },
        Some(other) => {
            return Err(err(
                at,
                format!(
                    "must be an array of environments, found {}",
                    type_name(&other)
                ),
            ))
        }
    }
    Ok(())
}

/// `rulesets`: bodies of `GET …/rulesets/{id}`, each with a numeric `id`.
fn check_rulesets(root: &mut Map<String, Json>) -> Result<(), SettingsError> {
    match root.get("rulesets") {
        None => {
            root.insert("rulesets".into(), Json::Array(Vec::new()));
        }
        Some(Json::Array(items)) => {
            for (i, r) in items.iter().enumerate() {
                let at = format!("$.rulesets[{i}]");
                let obj = object(&at, r)?;
                if !obj.get("id").is_some_and(Json::is_number) {
                    return Err(err(&at, "a ruleset needs a numeric `id`"));
                }
                if let Some(b) = obj.get("bypass_actors") {
                    if !b.is_array() {
                        return Err(err(
                            &format!("{at}.bypass_actors"),
                            format!("must be an array, found {}", type_name(b)),
                        ));
                    }
                }
            }
        }
        Some(other) => {
            return Err(err(
                "$.rulesets",
                format!("must be an array of rulesets, found {}", type_name(other)),
            ))
        }
    }
    Ok(())
}

fn object<'a>(at: &str, v: &'a Json) -> Result<&'a Map<String, Json>, SettingsError> {
    v.as_object()
        .ok_or_else(|| err(at, format!("must be an object, found {}", type_name(v))))
}

fn optional_string(obj: &Map<String, Json>, key: &str, at: &str) -> Result<(), SettingsError> {
    match obj.get(key) {
        None | Some(Json::String(_)) => Ok(()),
        Some(other) => Err(err(
            at,
            format!("must be a string, found {}", type_name(other)),
        )),
    }
}

/// `{protection, readable, error?, rules}` of one branch.
fn branch(name: &str, b: Json) -> Result<Json, SettingsError> {
    let at = format!("$.branches[{name:?}]");
    let Json::Object(mut obj) = b else {
        return Err(err(
            &at,
            format!(
                "must be an object {{protection, readable, rules}}, found {}",
                type_name(&b)
            ),
        ));
    };
    const KEYS: &[&str] = &["protection", "readable", "error", "rules"];
    if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(err(
            &at,
            format!("unknown key `{k}` (allowed: {})", KEYS.join(", ")),
        ));
    }
    let readable = match obj.get("readable") {
        Some(Json::Bool(r)) => *r,
        Some(other) => {
            return Err(err(
                &format!("{at}.readable"),
                format!("must be a boolean, found {}", type_name(other)),
            ))
        }
        None => {
            return Err(err(
                &at,
                "missing `readable` (false when classic protection could not be read)",
            ))
        }
    };
    match obj.get("protection") {
        None => {
            obj.insert("protection".into(), Json::Null);
        }
        Some(Json::Null) => {}
        Some(Json::Object(p)) => {
            if !readable {
                return Err(err(
                    &at,
                    "has a `protection` body but `readable: false` (a hidden protection has no body)",
                ));
            }
            protection(&format!("{at}.protection"), p)?;
        }
        Some(other) => {
            return Err(err(
                &format!("{at}.protection"),
                format!(
                    "must be the branch protection body or null (not protected), found {}",
                    type_name(other)
                ),
            ))
        }
    }
    optional_string(&obj, "error", &format!("{at}.error"))?;
    check_branch_rules(&at, &mut obj)?;
    Ok(Json::Object(obj))
}

/// `rules` of one branch: the items of `GET …/rules/branches/{branch}`.
fn check_branch_rules(at: &str, obj: &mut Map<String, Json>) -> Result<(), SettingsError> {
    match obj.get("rules") {
        None => {
            obj.insert("rules".into(), Json::Array(Vec::new()));
        }
        Some(Json::Array(items)) => {
            for (i, r) in items.iter().enumerate() {
                let at = format!("{at}.rules[{i}]");
                let rule = object(&at, r)?;
                if !rule.get("type").is_some_and(Json::is_string) {
                    return Err(err(&at, "a rule needs a string `type`"));
                }
                if let Some(p) = rule.get("parameters") {
                    object(&format!("{at}.parameters"), p)?;
                }
            }
        }
        Some(other) => {
            return Err(err(
                &format!("{at}.rules"),
                format!(
                    "must be an array of rules (GET …/rules/branches/{{branch}}), found {}",
                    type_name(other)
                ),
            ))
        }
    }
    Ok(())
}

/// The parts of a classic protection body the rules read must have the API's types.
fn protection(at: &str, p: &Map<String, Json>) -> Result<(), SettingsError> {
    for key in [
        "allow_force_pushes",
        "allow_deletions",
        "enforce_admins",
        "required_status_checks",
        "required_pull_request_reviews",
    ] {
        match p.get(key) {
            None | Some(Json::Null) | Some(Json::Object(_)) => {}
            Some(other) => {
                return Err(err(
                    &format!("{at}.{key}"),
                    format!("must be an object, found {}", type_name(other)),
                ))
            }
        }
    }
    for key in ["allow_force_pushes", "allow_deletions", "enforce_admins"] {
        if let Some(Json::Object(o)) = p.get(key) {
            match o.get("enabled") {
                Some(Json::Bool(_)) => {}
                _ => return Err(err(&format!("{at}.{key}.enabled"), "must be a boolean")),
            }
        }
    }
    Ok(())
}

fn environment(at: &str, e: &Json) -> Result<(), SettingsError> {
    let obj = object(at, e)?;
    if !obj.get("name").is_some_and(Json::is_string) {
        return Err(err(at, "an environment needs a string `name`"));
    }
    match obj.get("protection_rules") {
        None | Some(Json::Array(_)) => {}
        Some(other) => {
            return Err(err(
                &format!("{at}.protection_rules"),
                format!("must be an array, found {}", type_name(other)),
            ))
        }
    }
    match obj.get("deployment_branch_policy") {
        None | Some(Json::Null) | Some(Json::Object(_)) => {}
        Some(other) => {
            return Err(err(
                &format!("{at}.deployment_branch_policy"),
                format!("must be an object or null, found {}", type_name(other)),
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn optional_collections_are_filled_in() {
        let doc = validate(json!({"branches": {"main": {"protection": null, "readable": true}}}))
            .unwrap();
        assert_eq!(doc["branches"]["main"]["rules"], json!([]));
        assert_eq!(doc["environments"], json!([]));
        assert_eq!(doc["environments_readable"], json!(true));
        assert_eq!(doc["rulesets"], json!([]));
    }

    #[test]
    fn environments_null_means_unreadable() {
        let doc = validate(json!({"environments": null})).unwrap();
        assert_eq!(doc["environments"], json!([]));
        assert_eq!(doc["environments_readable"], json!(false));
    }

    #[test]
    fn the_api_body_of_environments_is_accepted() {
        let doc = validate(
            json!({"environments": {"total_count": 1, "environments": [{"name": "prod"}]}}),
        )
        .unwrap();
        assert_eq!(doc["environments"][0]["name"], "prod");
    }

    #[test]
    fn malformed_documents_say_where() {
        let cases = [
            (json!([]), "$: must be an object"),
            (json!({"branches": []}), "$.branches: must be an object"),
            (
                json!({"branches": {"main": {"protection": null}}}),
                "missing `readable`",
            ),
            (
                json!({"branches": {"main": {"readable": "yes"}}}),
                "$.branches[\"main\"].readable: must be a boolean",
            ),
            (
                json!({"branches": {"main": {"readable": true, "protection": {"allow_force_pushes": true}}}}),
                "allow_force_pushes: must be an object",
            ),
            (
                json!({"branches": {"main": {"readable": true, "rules": [{"parameters": {}}]}}}),
                "rules[0]: a rule needs a string `type`",
            ),
            (
                json!({"environments": [{"id": 1}]}),
                "$.environments[0]: an environment needs",
            ),
            (json!({"brnaches": {}}), "unknown key `brnaches`"),
            (
                json!({"branches": {"main": {"readable": false, "protection": {}}}}),
                "readable: false",
            ),
        ];
        for (doc, expected) in cases {
            let e = validate(doc.clone()).unwrap_err();
            assert!(
                e.message.contains(expected),
                "{doc}: {} does not contain {expected}",
                e.message
            );
        }
    }
}
