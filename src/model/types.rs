//! The types of the input document, in the order `docs/input.md` describes them. Field
//! order is serialization order: it is the JSON that `shiplint input` prints.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::source::RepositoryInfo;
use crate::uses::UsesRef;

/// The input document of one repository: what every policy sees as `input`.
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    /// Name and origin of the audited repository.
    pub repository: RepositoryInfo,
    /// The workflows, in the order their files were loaded.
    pub workflows: Vec<Workflow>,
    /// The local actions (`action.yml`) loaded.
    pub actions: Vec<Action>,
    /// Repository settings, when known (`--settings FILE` or the API).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settings: Option<Json>,
    /// Per-rule parameters from the configuration file, keyed by rule id (`{}` without one).
    pub config: Json,
    /// The pipeline model's flat views (see `docs/input.md`, "Pipeline model").
    pub pipeline: Pipeline,
}

/// Where the permissions of a workflow or job come from.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PermissionsSource {
    /// The job's own `permissions:` block.
    Job,
    /// The workflow's top-level `permissions:`.
    Workflow,
    /// Neither: the repository's default token permissions, unknown from files (they
    /// never include `id-token: write`).
    Default,
}

/// One workflow file.
#[derive(Debug, Clone, Serialize)]
pub struct Workflow {
    /// Repo-relative path of the file.
    pub path: String,
    /// `name:`, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Event name → its configuration (an object; `schedule` keeps its list).
    pub triggers: Map<String, Json>,
    /// Declared top-level permissions, expanded to scope → level (`{}` when undeclared).
    pub permissions: BTreeMap<String, String>,
    /// `workflow` when the workflow declares `permissions:`, else `default`.
    pub permissions_source: PermissionsSource,
    /// `env:`, every scalar as a string.
    pub env: Map<String, Json>,
    /// The whole document as JSON, for anything the typed fields do not cover.
    pub raw: Json,
    /// The jobs, in file order.
    pub jobs: Vec<Job>,
    /// Jobs of other workflows that call this one with a local `uses:` (pipeline model).
    pub callers: Vec<JobRef>,
    /// Events that start this workflow, directly or through a caller (pipeline model).
    pub reached_by: Vec<String>,
}

/// One job of a workflow: its fields as written, then what the pipeline model adds.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    /// The job's key under `jobs:`.
    pub id: String,
    /// `name:`, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// YAML path of the job in its file (`["jobs", id]`).
    pub path: Vec<Json>,
    /// `needs:`, as a list.
    pub needs: Vec<String>,
    /// Every job this one waits for, directly or through others, in workflow order.
    pub needs_all: Vec<String>,
    /// A reusable-workflow call's `uses:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uses: Option<UsesRef>,
    /// `with:` of a reusable-workflow call, every scalar as a string.
    pub with: Map<String, Json>,
    /// `secrets:` of a reusable-workflow call; `secrets_inherit` for `secrets: inherit`.
    pub secrets: Map<String, Json>,
    /// True for `secrets: inherit`.
    pub secrets_inherit: bool,
    /// `environment:`, a name or a mapping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// Effective permissions: the job's own block if it has one (it replaces the
    /// workflow's), else the workflow's; `{}` when neither declares any.
    pub permissions: BTreeMap<String, String>,
    /// Which block `permissions` comes from.
    pub permissions_source: PermissionsSource,
    /// `if:`, as text.
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub if_: Option<String>,
    /// `false`, `true`, or the expression string.
    pub continue_on_error: Json,
    /// `strategy:` as written (`{}` when absent).
    pub strategy: Json,
    /// `runs-on:` as written (`""` when absent).
    pub runs_on: Json,
    /// `env:`, every scalar as a string.
    pub env: Map<String, Json>,
    /// `outputs:`, every scalar as a string.
    pub outputs: Map<String, Json>,
    /// The steps, in file order.
    pub steps: Vec<Step>,
    /// The local reusable workflow this job calls, with its `with:` (pipeline model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<Call>,
    /// Each way this job runs: directly, or through a chain of callers (pipeline model).
    pub contexts: Vec<Context>,
    /// Union of the events of `contexts` (pipeline model).
    pub triggers: Vec<String>,
    /// The check runs GitHub names after this job, one per context and matrix combination
    /// (pipeline model); `[]` for a job that calls a reusable workflow.
    pub checks: Vec<Check>,
}

/// A check run a job produces: the name a required status check must give to wait for it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash)]
pub struct Check {
    /// The exact name GitHub gives the check, or `null` when it depends on what the files
    /// cannot tell (an unresolvable expression, a `fromJSON` matrix, ...).
    pub name: Option<String>,
    /// When `name` is null and some of it is known: an anchored regex (RE2 syntax) that
    /// every possible name matches, unknown parts `.+`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// The workflow whose trigger starts the run: the outermost caller's, else the job's.
    pub workflow: String,
    /// The events that start the run (the context's `triggers`).
    pub events: Vec<String>,
}

/// A job's `environment:`.
#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    /// The environment's name (may be an expression).
    pub name: String,
    /// `url:`, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// YAML path of the name in its file.
    pub path: Vec<Json>,
}

/// One step of a job or of a composite action.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Position in its job's (or action's) `steps:`.
    pub index: usize,
    /// YAML path of the step in its file.
    pub path: Vec<Json>,
    /// `id:`, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name:`, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The action it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uses: Option<UsesRef>,
    /// Inputs, every scalar as a string (GitHub passes them as strings).
    pub with: Map<String, Json>,
    /// The script it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// `shell:`, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shell: Option<String>,
    /// `env:`, every scalar as a string.
    pub env: Map<String, Json>,
    /// `if:`, as text.
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    pub if_: Option<String>,
    /// `false`, `true`, or the expression string.
    pub continue_on_error: Json,
    /// The local composite action this step runs, with its `with:` (pipeline model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<ActionCall>,
    /// `run` and `with` as seen in each of the job's `contexts` (same order); not
    /// serialized: policies read it from `input.pipeline.steps`.
    #[serde(skip)]
    pub expanded: Vec<Expanded>,
}

/// A job of a workflow, named by file and id.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct JobRef {
    /// Repo-relative path of the workflow.
    pub workflow: String,
    /// The job's id.
    pub job: String,
}

/// A local action's `action.yml`.
#[derive(Debug, Clone, Serialize)]
pub struct Action {
    /// Repo-relative path of the `action.yml`.
    pub path: String,
    /// The folder a workflow names in `uses: ./<dir>`.
    pub dir: String,
    /// `name:`, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `runs.using` (`composite`, `node20`, `docker`…; `""` when absent).
    pub using: String,
    /// `inputs:` as written.
    pub inputs: Map<String, Json>,
    /// `runs.steps` of a composite action.
    pub steps: Vec<Step>,
}

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
    /// The expanded script.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// The expanded inputs.
    pub with: Map<String, Json>,
    /// The expanded script as logical commands: lines joined across trailing-`\`
    /// continuations, comments and blank lines dropped; `line` is the 0-based index of the
    /// command's first line in `run` (raw and expanded scripts have the same lines).
    pub commands: Vec<Command>,
}

/// One logical command of a script.
#[derive(Debug, Clone, Serialize)]
pub struct Command {
    /// The 0-based index of the command's first line in `run`.
    pub line: usize,
    /// The 0-based index of the command's last line in `run` (past `\` continuations), so
    /// that a finding can point at the line of the offending argument.
    pub last_line: usize,
    /// The command, its continuation lines joined with spaces.
    pub text: String,
    /// The program of each simple command in `text` (split at `&&`, `||`, `;`, `|`, `(`):
    /// its basename, after `sudo`/`env`/`time`/`exec` and `NAME=value` prefixes. Policies
    /// test set membership here before running a regex.
    pub tools: Vec<String>,
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

/// A step as it runs in one context of its job.
#[derive(Debug, Clone, Serialize)]
pub struct StepInContext {
    /// The file the step is written in (the workflow, or a composite action's `action.yml`).
    pub file: String,
    /// The workflow that runs it.
    pub workflow: String,
    /// The job that runs it.
    pub job_id: String,
    /// The index into that job's `contexts`.
    pub ci: usize,
    /// The step's YAML path in `file`.
    pub path: Vec<Json>,
    /// The step as written (`uses`, `with`, `env`, `run`, `id`, `name`, ...).
    pub step: StepView,
    /// `run` as expanded in this context ("" when no `run`).
    pub run: String,
    /// `with` as expanded in this context.
    pub with: Map<String, Json>,
    /// The commands of the expanded `run`.
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
    /// Position in its job's (or action's) `steps:`.
    pub index: usize,
    /// `id:`, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name:`, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Lower-cased `owner/repo[/path]` of a remote action (`""` otherwise), and its
    /// `owner/repo`: set lookups instead of function calls in policies.
    pub action: String,
    /// Lower-cased `owner/repo` of a remote action (`""` otherwise).
    pub action_repo: String,
    /// The script as written (`""` when none).
    pub run: String,
    /// `env:` as written.
    pub env: Map<String, Json>,
    /// `false`, `true`, or the expression string.
    pub continue_on_error: Json,
}
