//! The Rego input document (`docs/input.md`), built from parsed workflows.
//!
//! Policies never meet `null` where a collection is expected: every collection is present
//! (empty when the YAML has none, or has the wrong type — which is reported as an input
//! error), because regorus raises an error on `some x in null` and one malformed workflow
//! must not abort a rule for the whole repository.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::finding::InputError;
pub use crate::source::RepositoryInfo;
use crate::source::{LoadedFile, Repository};
pub use crate::uses::{normalize_rel, parse_uses, RefKind, UsesRef};
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

#[derive(Debug, Clone, Serialize)]
pub struct Input {
    pub repository: RepositoryInfo,
    pub workflows: Vec<Workflow>,
    pub actions: Vec<Action>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<Json>,
    pub config: Json,
    /// The pipeline model's flat views (see `docs/input.md`, "Pipeline model").
    pub pipeline: crate::pipeline::Pipeline,
}

#[derive(Debug, Clone, Serialize)]
pub struct Workflow {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Event name → its configuration (an object; `schedule` keeps its list).
    pub triggers: Map<String, Json>,
    /// Declared top-level permissions, expanded to scope → level (`{}` when undeclared).
    pub permissions: BTreeMap<String, String>,
    /// `"workflow"` when the workflow declares `permissions:`, else `"default"`.
    pub permissions_source: String,
    pub env: Map<String, Json>,
    /// The whole document as JSON, for anything the typed fields do not cover.
    pub raw: Json,
    pub jobs: Vec<Job>,
    /// Jobs of other workflows that call this one with a local `uses:` (pipeline model).
    pub callers: Vec<JobRef>,
    /// Events that start this workflow, directly or through a caller (pipeline model).
    pub reached_by: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub path: Vec<Json>,
    pub needs: Vec<String>,
    pub needs_all: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uses: Option<UsesRef>,
    pub with: Map<String, Json>,
    /// `secrets:` of a reusable-workflow call; `secrets_inherit` for `secrets: inherit`.
    pub secrets: Map<String, Json>,
    pub secrets_inherit: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// Effective permissions: the job's own block if it has one (it replaces the
    /// workflow's), else the workflow's; `{}` when neither declares any.
    pub permissions: BTreeMap<String, String>,
    /// `"job"`, `"workflow"` or `"default"` (the repository's default token permissions,
    /// unknown from files; they never include `id-token: write`).
    pub permissions_source: String,
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub if_: Option<String>,
    /// `false`, `true`, or the expression string.
    pub continue_on_error: Json,
    pub strategy: Json,
    pub runs_on: Json,
    pub env: Map<String, Json>,
    pub outputs: Map<String, Json>,
    pub steps: Vec<Step>,
    /// The local reusable workflow this job calls, with its `with:` (pipeline model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<crate::pipeline::Call>,
    /// Each way this job runs: directly, or through a chain of callers (pipeline model).
    pub contexts: Vec<crate::pipeline::Context>,
    /// Union of the events of `contexts` (pipeline model).
    pub triggers: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub path: Vec<Json>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub index: usize,
    pub path: Vec<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uses: Option<UsesRef>,
    /// Inputs, every scalar as a string (GitHub passes them as strings).
    pub with: Map<String, Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shell: Option<String>,
    pub env: Map<String, Json>,
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub if_: Option<String>,
    pub continue_on_error: Json,
    /// The local composite action this step runs, with its `with:` (pipeline model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<crate::pipeline::ActionCall>,
    /// `run` and `with` as seen in each of the job's `contexts` (same order); not
    /// serialized: policies read it from `input.pipeline.steps`.
    #[serde(skip)]
    pub expanded: Vec<crate::pipeline::Expanded>,
}

/// A job of a workflow, named by file and id.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct JobRef {
    pub workflow: String,
    pub job: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Action {
    /// Repo-relative path of the `action.yml`.
    pub path: String,
    /// The folder a workflow names in `uses: ./<dir>`.
    pub dir: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub using: String,
    pub inputs: Map<String, Json>,
    pub steps: Vec<Step>,
}

/// Builds the input document of one repository. Type errors become input errors (with
/// positions) and the offending part is left empty.
pub fn build_input(repo: &Repository) -> (Input, Vec<InputError>) {
    let mut errors = Vec::new();
    let mut workflows = Vec::new();
    let mut actions = Vec::new();
    for file in &repo.files {
        let mut b = Builder {
            file,
            errors: &mut errors,
        };
        match file.kind {
            crate::discover::FileKind::Workflow => {
                if let Some(w) = b.workflow() {
                    workflows.push(w);
                }
            }
            crate::discover::FileKind::Action => {
                if let Some(a) = b.action() {
                    actions.push(a);
                }
            }
        }
    }
    resolve_local_uses(&repo.info, &mut workflows, &mut actions);
    crate::pipeline::build(&mut workflows, &actions);
    let pipeline = crate::pipeline::flatten(&workflows, &actions);
    let input = Input {
        repository: repo.info.clone(),
        workflows,
        actions,
        settings: repo.settings.clone(),
        config: Json::Object(Map::new()),
        pipeline,
    };
    (input, errors)
}

/// Points `uses:` references to this repository's own files at the files they name:
/// `./path`, and `owner/repo/path@ref` when `owner/repo` is the audited repository. A
/// job's reference names a workflow, a step's an action's folder. An own full-name
/// reference that resolves becomes `ref_kind: "local"` (it runs this repository's code,
/// not a third party's; `ref` keeps the ref it names); one that does not stays as parsed.
fn resolve_local_uses(info: &RepositoryInfo, workflows: &mut [Workflow], actions: &mut [Action]) {
    let workflow_paths: BTreeSet<String> = workflows.iter().map(|w| w.path.clone()).collect();
    let action_files: BTreeMap<String, String> = actions
        .iter()
        .map(|a| (a.dir.clone(), a.path.clone()))
        .collect();
    let resolve = |u: &mut UsesRef, job: bool| {
        let Some(p) = info.own_path(u) else {
            return;
        };
        let workflow = || workflow_paths.get(&p).cloned();
        let action = || action_files.get(&p).cloned();
        let file = if u.ref_kind == RefKind::Local {
            workflow().or_else(action)
        } else if job {
            workflow()
        } else {
            action()
        };
        let Some(file) = file else {
            return;
        };
        if u.ref_kind != RefKind::Local {
            u.ref_kind = RefKind::Local;
            u.action.clear();
            u.action_repo.clear();
        }
        u.resolved = Some(file);
    };
    for job in workflows.iter_mut().flat_map(|w| w.jobs.iter_mut()) {
        if let Some(u) = job.uses.as_mut() {
            resolve(u, true);
        }
        for u in job.steps.iter_mut().filter_map(|s| s.uses.as_mut()) {
            resolve(u, false);
        }
    }
    for u in actions
        .iter_mut()
        .flat_map(|a| a.steps.iter_mut().filter_map(|s| s.uses.as_mut()))
    {
        resolve(u, false);
    }
}

/// Walks one file's YAML tree into typed input, recording type errors as it goes.
struct Builder<'a> {
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

impl Builder<'_> {
    fn error_at(&mut self, node: &Node, message: String) {
        let (line, column) = self.file.doc.line_col(node.span.start);
        self.errors
            .push(InputError::at(&self.file.rel, line, column, message));
    }

    fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        let found = article(node.type_name());
        self.error_at(node, format!("{what} must be {expected}, found {found}"));
    }

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
        let (permissions, declared) = match root.get("permissions") {
            Some(p) => (self.permissions(p, "`permissions`"), true),
            None => (BTreeMap::new(), false),
        };
        let env = self.string_map(root.get("env"), "`env`");
        let jobs_path = vec![key("jobs")];
        let mut jobs = Vec::new();
        match root.get("jobs") {
            None => self.error_at(root, "workflow has no `jobs:`".into()),
            Some(node) => match node.as_map() {
                Some(entries) => {
                    for e in entries {
                        let mut path = jobs_path.clone();
                        path.push(key(&e.key));
                        if let Some(j) = self.job(&e.key, &e.value, path, &permissions, declared) {
                            jobs.push(j);
                        }
                    }
                }
                None => self.wrong_type(node, "`jobs`", "a mapping of job ids to jobs"),
            },
        }
        compute_needs_all(&mut jobs);
        Some(Workflow {
            path: self.file.rel.clone(),
            name: root.get("name").and_then(Node::scalar_text),
            triggers,
            permissions,
            permissions_source: if declared { "workflow" } else { "default" }.into(),
            env,
            raw: self.file.doc.to_json(),
            jobs,
            callers: Vec::new(),
            reached_by: Vec::new(),
        })
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

    fn job(
        &mut self,
        id: &str,
        node: &Node,
        path: Vec<PathSeg>,
        workflow_permissions: &BTreeMap<String, String>,
        workflow_declared: bool,
    ) -> Option<Job> {
        if node.as_map().is_none() {
            self.wrong_type(node, &format!("job `{id}`"), "a mapping");
            return None;
        }
        let needs = match node.get("needs") {
            None => Vec::new(),
            Some(n) => match &n.value {
                Value::Seq(items) => items.iter().filter_map(Node::scalar_text).collect(),
                _ => match n.scalar_text() {
                    Some(s) => vec![s],
                    None => {
                        self.wrong_type(n, "`needs`", "a job id or a list of job ids");
                        Vec::new()
                    }
                },
            },
        };
        let (permissions, source) = match node.get("permissions") {
            Some(p) => (self.permissions(p, "`permissions`"), "job"),
            None if workflow_declared => (workflow_permissions.clone(), "workflow"),
            None => (BTreeMap::new(), "default"),
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
        let mut steps = Vec::new();
        if let Some(s) = node.get("steps") {
            let mut steps_path = path.clone();
            steps_path.push(key("steps"));
            steps = self.steps(s, &steps_path);
        }
        let with = self.string_map(node.get("with"), "`with`");
        let env = self.string_map(node.get("env"), "`env`");
        let outputs = self.string_map(node.get("outputs"), "`outputs`");
        let if_ = self.opt_string(node.get("if"), "`if`");
        let continue_on_error = self.continue_on_error(node.get("continue-on-error"));
        Some(Job {
            id: id.to_string(),
            name: node.get("name").and_then(Node::scalar_text),
            path: path_json(&path),
            needs,
            needs_all: Vec::new(),
            uses,
            with,
            secrets,
            secrets_inherit,
            environment,
            permissions,
            permissions_source: source.into(),
            if_,
            continue_on_error,
            strategy: node
                .get("strategy")
                .map(Node::to_json)
                .unwrap_or_else(|| Json::Object(Map::new())),
            runs_on: node
                .get("runs-on")
                .map(Node::to_json)
                .unwrap_or(Json::String(String::new())),
            env,
            outputs,
            steps,
            calls: None,
            contexts: Vec::new(),
            triggers: Vec::new(),
        })
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
