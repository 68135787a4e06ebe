//! Reading one loaded file into the typed document: a workflow or a local action as
//! written, and everything that file alone determines (`needs_all`). Type errors become
//! input errors with positions, and the offending part is left empty (see [`super`]).
//! What the files determine together (the call graph, expansion) comes later, in
//! [`super::build`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use super::types::{Action, Environment, Job, PermissionsSource, Step, Workflow};
use crate::discover::FileKind;
use crate::finding::InputError;
use crate::source::LoadedFile;
use crate::uses::parse_uses;
use crate::yaml::{Node, PathSeg, Value};

/// Every permission scope of the `GITHUB_TOKEN`, for expanding `read-all`/`write-all`.
pub const PERMISSION_SCOPES: &[&str] = &[
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
];

/// The workflows and actions of `files` as written, in file order, and the type errors
/// met on the way.
pub(super) fn files(files: &[LoadedFile]) -> (Vec<Workflow>, Vec<Action>, Vec<InputError>) {
    let mut errors = Vec::new();
    let mut workflows = Vec::new();
    let mut actions = Vec::new();
    for file in files {
        let mut b = Reader {
            file,
            errors: &mut errors,
        };
        match file.kind {
            FileKind::Workflow => workflows.extend(b.workflow()),
            FileKind::Action => actions.extend(b.action()),
        }
    }
    (workflows, actions, errors)
}

/// Walks one file's YAML tree into typed input, recording type errors as it goes.
struct Reader<'a> {
    file: &'a LoadedFile,
    errors: &'a mut Vec<InputError>,
}

fn path_json(path: &[PathSeg]) -> Vec<Json> {
    path.iter()
        .map(|s| match s {
            PathSeg::Key(k) => Json::String(k.clone()),
            PathSeg::Index(i) => Json::from(*i),
        })
        .collect()
}

fn key(k: &str) -> PathSeg {
    PathSeg::Key(k.to_string())
}

fn article(type_name: &str) -> &'static str {
    match type_name {
        "null" => "null",
        "boolean" => "a boolean",
        "number" => "a number",
        "string" => "a string",
        "sequence" => "a sequence",
        "mapping" => "a mapping",
        _ => "a value",
    }
}

impl Reader<'_> {
    fn error_at(&mut self, node: &Node, message: String) {
        let (line, column) = self.file.doc.line_col(node.span.start);
        self.errors
            .push(InputError::at(&self.file.rel, line, column, message));
    }

    fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        let found = article(node.type_name());
        self.error_at(node, format!("{what} must be {expected}, found {found}"));
    }

    /// A workflow file: its top-level fields, then its jobs.
    fn workflow(&mut self) -> Option<Workflow> {
        let root = &self.file.doc.root;
        match &root.value {
            Value::Map(_) => {}
            Value::Null => {
                self.errors.push(InputError::new(
                    Some(self.file.rel.clone()),
                    "empty workflow file (nothing to audit)",
                ));
                return None;
            }
            _ => {
                self.wrong_type(root, "a workflow", "a mapping");
                return None;
            }
        }
        let triggers = match root.get("on") {
            Some(on) => self.triggers(on),
            None => {
                self.error_at(root, "workflow has no `on:` triggers".into());
                Map::new()
            }
        };
        let declared = root
            .get("permissions")
            .map(|p| self.permissions(p, "`permissions`"));
        let env = self.string_map(root.get("env"), "`env`");
        let mut jobs = self.jobs(root, declared.as_ref());
        compute_needs_all(&mut jobs);
        Some(Workflow {
            path: self.file.rel.clone(),
            name: root.get("name").and_then(Node::scalar_text),
            triggers,
            permissions_source: match declared {
                Some(_) => PermissionsSource::Workflow,
                None => PermissionsSource::Default,
            },
            permissions: declared.unwrap_or_default(),
            env,
            raw: self.file.doc.to_json(),
            jobs,
            callers: Vec::new(),
            reached_by: Vec::new(),
        })
    }

    /// The jobs of a workflow (`root`), which inherit its declared permissions.
    fn jobs(&mut self, root: &Node, inherited: Option<&BTreeMap<String, String>>) -> Vec<Job> {
        let mut jobs = Vec::new();
        match root.get("jobs") {
            None => self.error_at(root, "workflow has no `jobs:`".into()),
            Some(node) => match node.as_map() {
                Some(entries) => {
                    for e in entries {
                        let path = vec![key("jobs"), key(&e.key)];
                        jobs.extend(self.job(&e.key, &e.value, path, inherited));
                    }
                }
                None => self.wrong_type(node, "`jobs`", "a mapping of job ids to jobs"),
            },
        }
        jobs
    }

    /// `on:` as a string, a list of events, or a mapping → event → configuration.
    fn triggers(&mut self, on: &Node) -> Map<String, Json> {
        let mut out = Map::new();
        match &on.value {
            Value::Str(s) => {
                out.insert(s.clone(), Json::Object(Map::new()));
            }
            Value::Seq(items) => {
                for item in items {
                    match item.as_str() {
                        Some(s) => {
                            out.insert(s.to_string(), Json::Object(Map::new()));
                        }
                        None => self.wrong_type(item, "an event in `on`", "a string"),
                    }
                }
            }
            Value::Map(entries) => {
                for e in entries {
                    let config = match &e.value.value {
                        Value::Null => Json::Object(Map::new()),
                        Value::Map(_) => normalize_filters(e.value.to_json()),
                        _ => e.value.to_json(),
                    };
                    out.insert(e.key.clone(), config);
                }
            }
            _ => self.wrong_type(on, "`on`", "an event name, a list or a mapping"),
        }
        out
    }

    /// A `permissions:` value expanded to scope → level.
    fn permissions(&mut self, node: &Node, what: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        match &node.value {
            Value::Str(s) if s == "write-all" || s == "read-all" => {
                let level = if s == "write-all" { "write" } else { "read" };
                for scope in PERMISSION_SCOPES {
                    out.insert(scope.to_string(), level.to_string());
                }
            }
            Value::Map(entries) => {
                for e in entries {
                    match e.value.scalar_text() {
                        Some(level) => {
                            out.insert(e.key.clone(), level);
                        }
                        None => {
                            self.wrong_type(&e.value, "a permission level", "read, write or none")
                        }
                    }
                }
            }
            Value::Null => {}
            _ => self.wrong_type(node, what, "read-all, write-all or a mapping of scopes"),
        }
        out
    }

    /// A mapping whose scalar values become strings (env, with, outputs).
    fn string_map(&mut self, node: Option<&Node>, what: &str) -> Map<String, Json> {
        let mut out = Map::new();
        let Some(node) = node else { return out };
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    let v = match e.value.scalar_text() {
                        Some(s) => Json::String(s),
                        None if e.value.is_null() => Json::String(String::new()),
                        None => e.value.to_json(),
                    };
                    out.insert(e.key.clone(), v);
                }
            }
            Value::Null => {}
            // `env: ${{ fromJSON(...) }}` is legal: an expression we cannot expand.
            Value::Str(_) => {}
            _ => self.wrong_type(node, what, "a mapping"),
        }
        out
    }

    fn opt_string(&mut self, node: Option<&Node>, what: &str) -> Option<String> {
        let node = node?;
        match node.scalar_text() {
            Some(s) => Some(s),
            None if node.is_null() => None,
            None => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    fn continue_on_error(&mut self, node: Option<&Node>) -> Json {
        match node.map(|n| (&n.value, n)) {
            None | Some((Value::Null, _)) => Json::Bool(false),
            Some((Value::Bool(b), _)) => Json::Bool(*b),
            Some((Value::Str(s), _)) => Json::String(s.clone()),
            Some((_, n)) => {
                self.wrong_type(n, "`continue-on-error`", "a boolean or an expression");
                Json::Bool(false)
            }
        }
    }

    /// One job; `inherited` is the workflow's permissions when it declares any.
    fn job(
        &mut self,
        id: &str,
        node: &Node,
        path: Vec<PathSeg>,
        inherited: Option<&BTreeMap<String, String>>,
    ) -> Option<Job> {
        if node.as_map().is_none() {
            self.wrong_type(node, &format!("job `{id}`"), "a mapping");
            return None;
        }
        let needs = self.needs(node.get("needs"));
        let (permissions, permissions_source) = match (node.get("permissions"), inherited) {
            (Some(p), _) => (self.permissions(p, "`permissions`"), PermissionsSource::Job),
            (None, Some(w)) => (w.clone(), PermissionsSource::Workflow),
            (None, None) => (BTreeMap::new(), PermissionsSource::Default),
        };
        let environment = node
            .get_entry("environment")
            .and_then(|e| self.environment(&e.value, &path));
        let uses = self
            .opt_string(node.get("uses"), "`uses`")
            .map(|raw| parse_uses(&raw));
        let (secrets, secrets_inherit) = match node.get("secrets") {
            Some(n) if n.as_str() == Some("inherit") => (Map::new(), true),
            other => (self.string_map(other, "`secrets`"), false),
        };
        let steps = match node.get("steps") {
            Some(s) => {
                let mut steps_path = path.clone();
                steps_path.push(key("steps"));
                self.steps(s, &steps_path)
            }
            None => Vec::new(),
        };
        Some(Job {
            id: id.to_string(),
            name: node.get("name").and_then(Node::scalar_text),
            path: path_json(&path),
            needs,
            needs_all: Vec::new(),
            uses,
            with: self.string_map(node.get("with"), "`with`"),
            secrets,
            secrets_inherit,
            environment,
            permissions,
            permissions_source,
            env: self.string_map(node.get("env"), "`env`"),
            outputs: self.string_map(node.get("outputs"), "`outputs`"),
            if_: self.opt_string(node.get("if"), "`if`"),
            continue_on_error: self.continue_on_error(node.get("continue-on-error")),
            strategy: node
                .get("strategy")
                .map(Node::to_json)
                .unwrap_or_else(|| Json::Object(Map::new())),
            runs_on: node
                .get("runs-on")
                .map(Node::to_json)
                .unwrap_or(Json::String(String::new())),
            steps,
            calls: None,
            contexts: Vec::new(),
            triggers: Vec::new(),
            checks: Vec::new(),
        })
    }

    /// `needs:`: one job id or a list of them.
    fn needs(&mut self, node: Option<&Node>) -> Vec<String> {
        let Some(n) = node else {
            return Vec::new();
        };
        match &n.value {
            Value::Seq(items) => items.iter().filter_map(Node::scalar_text).collect(),
            _ => match n.scalar_text() {
                Some(s) => vec![s],
                None => {
                    self.wrong_type(n, "`needs`", "a job id or a list of job ids");
                    Vec::new()
                }
            },
        }
    }

    fn environment(&mut self, node: &Node, job_path: &[PathSeg]) -> Option<Environment> {
        let mut path = job_path.to_vec();
        path.push(key("environment"));
        match &node.value {
            Value::Map(_) => {
                let name = self.opt_string(node.get("name"), "`environment.name`")?;
                let url = node.get("url").and_then(Node::scalar_text);
                path.push(key("name"));
                Some(Environment {
                    name,
                    url,
                    path: path_json(&path),
                })
            }
            Value::Null => None,
            _ => match node.scalar_text() {
                Some(name) => Some(Environment {
                    name,
                    url: None,
                    path: path_json(&path),
                }),
                None => {
                    self.wrong_type(node, "`environment`", "a name or a mapping");
                    None
                }
            },
        }
    }

    fn steps(&mut self, node: &Node, path: &[PathSeg]) -> Vec<Step> {
        let Some(items) = node.as_seq() else {
            if !node.is_null() {
                self.wrong_type(node, "`steps`", "a sequence");
            }
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let mut step_path = path.to_vec();
            step_path.push(PathSeg::Index(index));
            if item.as_map().is_none() {
                self.wrong_type(item, &format!("step {}", index + 1), "a mapping");
                continue;
            }
            let uses = self
                .opt_string(item.get("uses"), "`uses`")
                .map(|raw| parse_uses(&raw));
            let step = Step {
                index,
                path: path_json(&step_path),
                id: item.get("id").and_then(Node::scalar_text),
                name: item.get("name").and_then(Node::scalar_text),
                uses,
                with: self.string_map(item.get("with"), "`with`"),
                run: self.opt_string(item.get("run"), "`run`"),
                shell: item.get("shell").and_then(Node::scalar_text),
                env: self.string_map(item.get("env"), "`env`"),
                if_: self.opt_string(item.get("if"), "`if`"),
                continue_on_error: self.continue_on_error(item.get("continue-on-error")),
                action: None,
                expanded: Vec::new(),
            };
            out.push(step);
        }
        out
    }

    /// A local action's `action.yml`: composite actions carry steps like a job.
    fn action(&mut self) -> Option<Action> {
        let root = &self.file.doc.root;
        if root.as_map().is_none() {
            if root.is_null() {
                self.errors.push(InputError::new(
                    Some(self.file.rel.clone()),
                    "empty action file (nothing to audit)",
                ));
            } else {
                self.wrong_type(root, "an action", "a mapping");
            }
            return None;
        }
        let dir = match self.file.rel.rsplit_once('/') {
            Some((dir, _)) => dir.to_string(),
            None => String::new(),
        };
        let runs = root.get("runs");
        let using = runs
            .and_then(|r| r.get("using"))
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let steps = match runs.and_then(|r| r.get("steps")) {
            Some(s) => self.steps(s, &[key("runs"), key("steps")]),
            None => Vec::new(),
        };
        let inputs = match root.get("inputs") {
            Some(n) if n.as_map().is_some() => match n.to_json() {
                Json::Object(m) => m,
                _ => Map::new(),
            },
            _ => Map::new(),
        };
        Some(Action {
            path: self.file.rel.clone(),
            dir,
            name: root.get("name").and_then(Node::scalar_text),
            using,
            inputs,
            steps,
        })
    }
}

/// Trigger filters (`branches`, `tags`, `paths`, `types` and their `-ignore` twins) may be
/// a single string; policies always get lists.
fn normalize_filters(mut config: Json) -> Json {
    const FILTERS: &[&str] = &[
        "branches",
        "branches-ignore",
        "tags",
        "tags-ignore",
        "paths",
        "paths-ignore",
        "types",
    ];
    if let Json::Object(m) = &mut config {
        for f in FILTERS {
            if let Some(v) = m.get_mut(*f) {
                if !v.is_array() {
                    *v = Json::Array(vec![v.take()]);
                }
            }
        }
    }
    config
}

/// Fills `needs_all`: every job a job waits for, directly or through others, in
/// workflow order. Cycles (which GitHub rejects) terminate without looping.
fn compute_needs_all(jobs: &mut [Job]) {
    let index: BTreeMap<&str, usize> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.id.as_str(), i))
        .collect();
    let mut all: Vec<Vec<String>> = Vec::with_capacity(jobs.len());
    for start in 0..jobs.len() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<usize> = jobs[start]
            .needs
            .iter()
            .filter_map(|n| index.get(n.as_str()).copied())
            .collect();
        while let Some(i) = stack.pop() {
            if i == start || !seen.insert(i) {
                continue;
            }
            stack.extend(
                jobs[i]
                    .needs
                    .iter()
                    .filter_map(|n| index.get(n.as_str()).copied()),
            );
        }
        all.push(seen.into_iter().map(|i| jobs[i].id.clone()).collect());
    }
    for (job, needs_all) in jobs.iter_mut().zip(all) {
        job.needs_all = needs_all;
    }
}
