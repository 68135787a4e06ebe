//! The audit: one driver for every kind of target (local clones, `OWNER/NAME`, an
//! organization's repositories), from loaded files to findings.
//!
//! - [`session`]: what a run holds, resolved once from the command line;
//! - [`config`]: which config applies to each repository, and its policy set;
//! - [`driver`]: the parallel run over planned targets;
//! - [`evaluate`]: one repository through model → evaluate → findings;
//! - [`graph`]: the pipeline graph reports draw, computed here so they never recompute;
//! - [`history`]: the deployment record of remote repositories, read by the fetchers,
//!   and the trace of it that `shiplint trace` presents;
//! - [`outcome`]: what a repository and a run come to, for the renderers.

pub mod config;
pub mod driver;
pub mod evaluate;
pub mod graph;
pub mod history;
pub mod outcome;
pub mod session;

pub use driver::{audit, run, AuditRun, Progress};
pub use evaluate::{audit_repository, evaluate, Evaluation};
pub use outcome::{AuditReport, RepoOutcome, RepoSummary};
pub use session::{Online, Session};
