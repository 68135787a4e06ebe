//! The Rego input document (`docs/input.md`), built from a repository's loaded files.
//!
//! The document is the contract between shiplint and its policies: every rule reads
//! `input`, built-in or a team's own, so its shape changes only on purpose. It is built
//! in Rust, not derived in Rego, because regorus evaluates each rule separately: what
//! many rules need (the call graph, the contexts a job runs in, steps with their inputs
//! substituted, an index of steps by program) is computed once here, and policies only
//! look it up.
//!
//! Policies never meet `null` where a collection is expected: every collection is present
//! (empty when the YAML has none, or has the wrong type — which is reported as an input
//! error), because regorus raises an error on `some x in null` and one malformed workflow
//! must not abort a rule for the whole repository.
//!
//! Modules, each depending only on those before it: [`types`] (the document), `commands`
//! (what a script runs), `expand` (steps as a context sees them), `graph` (the call
//! graph), `read` (one file as written), `names` (the check names GitHub gives jobs),
//! `flatten` (`input.pipeline`) and `build`, which runs them in order.

mod build;
mod commands;
mod expand;
mod flatten;
mod graph;
mod names;
mod read;
pub mod types;

pub use build::build_input;
pub use read::PERMISSION_SCOPES;
pub use types::{
    Action, ActionCall, Call, Check, Command, Context, Environment, Expanded, Input, Job, JobRef,
    PermissionsSource, Pipeline, Step, StepInContext, StepIndex, StepView, Workflow,
};

pub use crate::source::RepositoryInfo;
pub use crate::uses::{normalize_rel, parse_uses, RefKind, UsesRef};
