//! shiplint: audits a repository's delivery pipeline against Rego policies for the
//! "build once, promote everywhere" practice.
//!
//! The pipeline, one module per stage: [`discover`] → [`source`] (load + parse with
//! [`yaml`]) → [`model`] (the Rego input document) → [`policy`] (regorus) →
//! [`finding`]s → [`report`].

pub mod audit;
pub mod cli;
pub mod config;
pub mod discover;
pub mod error;
pub mod escape;
pub mod exit;
pub mod finding;
#[doc(hidden)]
pub mod fuzzing;
pub mod github;
pub mod history;
pub mod model;
pub mod policy;
pub mod report;
pub mod settings;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod uses;
/// The spanned YAML loader, a crate of its own (`crates/shiplint-yaml`): every
/// `crate::yaml::…` path names it.
pub use shiplint_yaml as yaml;
