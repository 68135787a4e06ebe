//! Repository settings (`input.settings`): branch protection, rulesets and environments,
//! as the GitHub API returns them. Read from `--settings FILE` (offline) or fetched online.
//!
//! The document (`docs/input.md`):
//!
//! ```text
//! {branches: {<name>: {protection: <GET …/branches/{b}/protection body> | null,
//!                      readable: bool, error?: string,
//!                      rules: [<GET …/rules/branches/{b} items>]}},
//!  environments: [<GET …/environments → environments[] items, each with
//!                  branch_policies?: [<GET …/environments/{env}/deployment-branch-policies
//!                                      → branch_policies[] items>],
//!                  branch_policies_readable?: bool, branch_policies_error?: string>],
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
        Some(Json::Array(mut items)) => {
            for (i, e) in items.iter_mut().enumerate() {
                environment(&format!("{at}[{i}]"), e)?;
            }
            root.insert("environments".into(), Json::Array(items));
        }
        // The whole `GET …/environments` body is accepted too.
        Some(Json::Object(mut body)) => match body.remove("environments") {
            Some(Json::Array(mut items)) => {
                for (i, e) in items.iter_mut().enumerate() {
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
                    let params = object(&format!("{at}.parameters"), p)?;
                    rule_parameters(&format!("{at}.parameters"), &rule["type"], params)?;
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
    if let Some(Json::Object(checks)) = p.get("required_status_checks") {
        classic_status_checks(&format!("{at}.required_status_checks"), checks)?;
    }
    Ok(())
}

/// `key` of `obj`, when present, must be what `is` accepts (`what` says it in the message).
fn optional_kind(
    obj: &Map<String, Json>,
    key: &str,
    at: &str,
    what: &str,
    is: fn(&Json) -> bool,
) -> Result<(), SettingsError> {
    match obj.get(key) {
        Some(v) if !is(v) => Err(err(
            &format!("{at}.{key}"),
            format!("must be {what}, found {}", type_name(v)),
        )),
        _ => Ok(()),
    }
}

/// The array `key` of `obj`, which must be there.
fn required_array<'a>(
    obj: &'a Map<String, Json>,
    key: &str,
    at: &str,
) -> Result<&'a [Json], SettingsError> {
    match obj.get(key) {
        Some(Json::Array(items)) => Ok(items),
        Some(other) => Err(err(
            &format!("{at}.{key}"),
            format!("must be an array, found {}", type_name(other)),
        )),
        None => Err(err(at, format!("missing `{key}` (an array)"))),
    }
}

/// Every item of the array `key` (when present) must be a string.
fn strings(obj: &Map<String, Json>, key: &str, at: &str, what: &str) -> Result<(), SettingsError> {
    if !obj.contains_key(key) {
        return Ok(());
    }
    for (i, v) in required_array(obj, key, at)?.iter().enumerate() {
        if !v.is_string() {
            return Err(err(
                &format!("{at}.{key}[{i}]"),
                format!("must be {what} (a string), found {}", type_name(v)),
            ));
        }
    }
    Ok(())
}

/// A number (an app's id) or null (any app): `app_id` of classic checks, `integration_id`
/// of ruleset checks.
fn app_id(v: &Json) -> bool {
    v.is_number() || v.is_null()
}

/// Status checks, `[{context, <app key>?}]`: what a required check is bound to.
fn checks(
    obj: &Map<String, Json>,
    key: &str,
    app_key: &str,
    at: &str,
) -> Result<(), SettingsError> {
    for (i, c) in required_array(obj, key, at)?.iter().enumerate() {
        let at = format!("{at}.{key}[{i}]");
        let check = object(&at, c)?;
        if !check.get("context").is_some_and(Json::is_string) {
            return Err(err(&at, "a status check needs a string `context`"));
        }
        optional_kind(
            check,
            app_key,
            &at,
            "a number (an app's id) or null",
            app_id,
        )?;
    }
    Ok(())
}

/// Classic `required_status_checks`: `strict`, `contexts: [string]`,
/// `checks: [{context, app_id}]`.
fn classic_status_checks(at: &str, c: &Map<String, Json>) -> Result<(), SettingsError> {
    optional_kind(c, "strict", at, "a boolean", Json::is_boolean)?;
    strings(c, "contexts", at, "a check name")?;
    if c.contains_key("checks") {
        checks(c, "checks", "app_id", at)?;
    }
    Ok(())
}

/// The parameters of the ruleset rules that merge gates read: `required_status_checks`
/// (`required_status_checks: [{context, integration_id?}]`) and `required_deployments`
/// (`required_deployment_environments: [name]`).
fn rule_parameters(at: &str, kind: &Json, p: &Map<String, Json>) -> Result<(), SettingsError> {
    match kind.as_str() {
        Some("required_status_checks") => {
            checks(p, "required_status_checks", "integration_id", at)?;
            optional_kind(
                p,
                "strict_required_status_checks_policy",
                at,
                "a boolean",
                Json::is_boolean,
            )?;
        }
        Some("required_deployments") => {
            required_array(p, "required_deployment_environments", at)?;
            strings(
                p,
                "required_deployment_environments",
                at,
                "an environment name",
            )?;
        }
        _ => {}
    }
    Ok(())
}

/// One item of `GET …/environments`, with the branch policies shiplint adds.
fn environment(at: &str, e: &mut Json) -> Result<(), SettingsError> {
    let Json::Object(obj) = e else {
        return Err(err(
            at,
            format!("must be an object, found {}", type_name(e)),
        ));
    };
    if !obj.get("name").is_some_and(Json::is_string) {
        return Err(err(at, "an environment needs a string `name`"));
    }
    match obj.get("protection_rules") {
        None => {}
        Some(Json::Array(rules)) => {
            for (i, r) in rules.iter().enumerate() {
                protection_rule(&format!("{at}.protection_rules[{i}]"), r)?;
            }
        }
        Some(other) => {
            return Err(err(
                &format!("{at}.protection_rules"),
                format!("must be an array, found {}", type_name(other)),
            ))
        }
    }
    match obj.get("deployment_branch_policy") {
        None | Some(Json::Null) => {}
        Some(Json::Object(d)) => {
            let at = format!("{at}.deployment_branch_policy");
            for key in ["protected_branches", "custom_branch_policies"] {
                optional_kind(d, key, &at, "a boolean", Json::is_boolean)?;
            }
        }
        Some(other) => {
            return Err(err(
                &format!("{at}.deployment_branch_policy"),
                format!("must be an object or null, found {}", type_name(other)),
            ))
        }
    }
    branch_policies(at, obj)
}

/// One `protection_rules[]` item: `type`, and `prevent_self_review` / `reviewers` for
/// `required_reviewers`.
fn protection_rule(at: &str, r: &Json) -> Result<(), SettingsError> {
    let rule = object(at, r)?;
    optional_kind(rule, "type", at, "a string", Json::is_string)?;
    optional_kind(
        rule,
        "prevent_self_review",
        at,
        "a boolean",
        Json::is_boolean,
    )?;
    optional_kind(rule, "reviewers", at, "an array", Json::is_array)?;
    Ok(())
}

/// `branch_policies` (the items, or the whole API body), `branch_policies_readable` and
/// `branch_policies_error` of one environment. Given policies are readable unless said
/// otherwise; with neither, both stay absent: not fetched, and policies judge from the
/// workflows alone.
fn branch_policies(at: &str, obj: &mut Map<String, Json>) -> Result<(), SettingsError> {
    let key_at = format!("{at}.branch_policies");
    let (mut policies, items_at) =
        match obj.remove("branch_policies") {
            None => (None, key_at),
            Some(Json::Array(items)) => (Some(items), key_at),
            // The whole `GET …/deployment-branch-policies` body is accepted too.
            Some(Json::Object(mut body)) => match body.remove("branch_policies") {
                Some(Json::Array(items)) => (Some(items), format!("{key_at}.branch_policies")),
                _ => return Err(err(
                    &key_at,
                    "must be an array of policies (or the API body with a `branch_policies` array)",
                )),
            },
            Some(other) => {
                return Err(err(
                    &key_at,
                    format!("must be an array of policies, found {}", type_name(&other)),
                ))
            }
        };
    for (i, p) in policies.iter_mut().flatten().enumerate() {
        branch_policy(&format!("{items_at}[{i}]"), p)?;
    }
    let readable = match obj.get("branch_policies_readable") {
        None => policies.as_ref().map(|_| true),
        Some(Json::Bool(r)) => Some(*r),
        Some(other) => {
            return Err(err(
                &format!("{at}.branch_policies_readable"),
                format!("must be a boolean, found {}", type_name(other)),
            ))
        }
    };
    optional_string(
        obj,
        "branch_policies_error",
        &format!("{at}.branch_policies_error"),
    )?;
    let Some(readable) = readable else {
        return Ok(());
    };
    let policies = policies.unwrap_or_default();
    if !readable && !policies.is_empty() {
        return Err(err(
            at,
            "has `branch_policies` but `branch_policies_readable: false` (policies that could not be read have no items)",
        ));
    }
    obj.insert("branch_policies".into(), Json::Array(policies));
    obj.insert("branch_policies_readable".into(), Json::Bool(readable));
    Ok(())
}

/// One deployment branch policy: `{id?, node_id?, name, type}`. `type` defaults to
/// `branch`: GitHub's bodies had no `type` before tag policies existed, when every policy
/// was a branch policy.
fn branch_policy(at: &str, p: &mut Json) -> Result<(), SettingsError> {
    let Json::Object(obj) = p else {
        return Err(err(
            at,
            format!("must be an object, found {}", type_name(p)),
        ));
    };
    if !obj.get("name").is_some_and(Json::is_string) {
        return Err(err(
            at,
            "a branch policy needs a string `name` (its pattern)",
        ));
    }
    match obj.get("type") {
        None => {
            obj.insert("type".into(), Json::String("branch".into()));
        }
        Some(Json::String(t)) if t == "branch" || t == "tag" => {}
        Some(other) => {
            let found = match other {
                Json::String(s) => format!("{s:?}"),
                v => type_name(v).to_string(),
            };
            return Err(err(
                &format!("{at}.type"),
                format!("must be \"branch\" or \"tag\", found {found}"),
            ));
        }
    }
    optional_kind(obj, "id", at, "a number", Json::is_number)?;
    optional_kind(obj, "node_id", at, "a string", Json::is_string)?;
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

    /// A document whose branch `main` has the one ruleset rule `rule`.
    fn rules(rule: Json) -> Json {
        json!({"branches": {"main": {"readable": true, "rules": [rule]}}})
    }

    /// A document with one environment `production` that also has `fields`.
    fn env(fields: Json) -> Json {
        let mut e = json!({"name": "production"});
        e.as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        json!({ "environments": [e] })
    }

    #[test]
    fn branch_policies_default_to_readable_and_branch_type() {
        let doc = validate(env(json!({"branch_policies": [{"name": "main"}]}))).unwrap();
        let e = &doc["environments"][0];
        assert_eq!(
            e["branch_policies"],
            json!([{"name": "main", "type": "branch"}])
        );
        assert_eq!(e["branch_policies_readable"], true);
        assert!(e.get("branch_policies_error").is_none());
    }

    #[test]
    fn without_branch_policies_nothing_is_filled_in() {
        let doc = validate(env(json!({}))).unwrap();
        let e = doc["environments"][0].as_object().unwrap();
        assert!(!e.contains_key("branch_policies"));
        assert!(!e.contains_key("branch_policies_readable"));
    }

    #[test]
    fn unreadable_branch_policies_get_an_empty_list() {
        let doc = validate(env(json!({"branch_policies_readable": false,
                                      "branch_policies_error": "403 Forbidden"})))
        .unwrap();
        let e = &doc["environments"][0];
        assert_eq!(e["branch_policies"], json!([]));
        assert_eq!(e["branch_policies_readable"], false);
        assert_eq!(e["branch_policies_error"], "403 Forbidden");
    }

    #[test]
    fn the_api_body_of_branch_policies_is_accepted() {
        let body = json!({"total_count": 1, "branch_policies": [
            {"id": 361471, "node_id": "MDE2OkdhdGVCcmFuY2hQb2xpY3kzNjE0NzE=", "name": "v*", "type": "tag"}]});
        let doc = validate(env(json!({ "branch_policies": body }))).unwrap();
        let e = &doc["environments"][0];
        assert_eq!(e["branch_policies"][0]["type"], "tag");
        assert_eq!(e["branch_policies"][0]["id"], 361471);
        assert_eq!(e["branch_policies_readable"], true);
    }

    #[test]
    fn merge_gate_parameters_are_kept_as_github_sends_them() {
        let status = json!({"type": "required_status_checks", "parameters": {
            "strict_required_status_checks_policy": true,
            "required_status_checks": [{"context": "test", "integration_id": 15368}, {"context": "any"}]}});
        let deployments = json!({"type": "required_deployments",
            "parameters": {"required_deployment_environments": ["staging"]}});
        let doc = json!({"branches": {"main": {"readable": true,
            "rules": [status.clone(), deployments.clone()]}}});
        let doc = validate(doc).unwrap();
        assert_eq!(
            doc["branches"]["main"]["rules"],
            json!([status, deployments])
        );
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
        each_fails_saying(&cases);
    }

    #[test]
    fn malformed_merge_gate_rules_say_where() {
        let cases = [
            (
                rules(json!({"type": "required_status_checks",
                             "parameters": {"required_status_checks": [{"context": 7}]}})),
                "rules[0].parameters.required_status_checks[0]: a status check needs a string `context`",
            ),
            (
                rules(json!({"type": "required_status_checks", "parameters": {
                    "required_status_checks": [{"context": "test", "integration_id": "15368"}]}})),
                "required_status_checks[0].integration_id: must be a number (an app's id) or null, found a string",
            ),
            (
                rules(json!({"type": "required_status_checks", "parameters": {}})),
                "rules[0].parameters: missing `required_status_checks`",
            ),
            (
                rules(json!({"type": "required_deployments",
                             "parameters": {"required_deployment_environments": "staging"}})),
                "parameters.required_deployment_environments: must be an array, found a string",
            ),
            (
                rules(json!({"type": "required_deployments",
                             "parameters": {"required_deployment_environments": [1]}})),
                "required_deployment_environments[0]: must be an environment name (a string), found a number",
            ),
            (
                json!({"branches": {"main": {"readable": true, "protection": {
                    "required_status_checks": {"contexts": ["test"], "checks": [{"context": "test", "app_id": "x"}]}}}}}),
                "protection.required_status_checks.checks[0].app_id: must be a number",
            ),
            (
                json!({"branches": {"main": {"readable": true, "protection": {
                    "required_status_checks": {"contexts": [{"context": "test"}]}}}}}),
                "required_status_checks.contexts[0]: must be a check name (a string), found an object",
            ),
        ];
        each_fails_saying(&cases);
    }

    #[test]
    fn malformed_environments_and_branch_policies_say_where() {
        let cases = [
            (
                env(json!({"protection_rules": [{"type": "required_reviewers", "prevent_self_review": "yes"}]})),
                "$.environments[0].protection_rules[0].prevent_self_review: must be a boolean, found a string",
            ),
            (
                env(json!({"deployment_branch_policy": {"custom_branch_policies": 1}})),
                "deployment_branch_policy.custom_branch_policies: must be a boolean",
            ),
            (
                env(json!({"branch_policies": "main"})),
                "$.environments[0].branch_policies: must be an array of policies, found a string",
            ),
            (
                env(json!({"branch_policies": [{"type": "branch"}]})),
                "$.environments[0].branch_policies[0]: a branch policy needs a string `name`",
            ),
            (
                env(json!({"branch_policies": [{"name": "v*", "type": "release"}]})),
                "branch_policies[0].type: must be \"branch\" or \"tag\", found \"release\"",
            ),
            (
                env(json!({"branch_policies": {"total_count": 1, "branch_policies": [{"name": 1}]}})),
                "$.environments[0].branch_policies.branch_policies[0]: a branch policy needs",
            ),
            (
                env(json!({"branch_policies_readable": "no"})),
                "branch_policies_readable: must be a boolean",
            ),
            (
                env(json!({"branch_policies": [], "branch_policies_error": 403})),
                "branch_policies_error: must be a string",
            ),
            (
                env(json!({"branch_policies": [{"name": "main"}], "branch_policies_readable": false})),
                "has `branch_policies` but `branch_policies_readable: false`",
            ),
        ];
        each_fails_saying(&cases);
    }

    /// Each document is refused with a message that contains its expected text.
    fn each_fails_saying(cases: &[(Json, &str)]) {
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
