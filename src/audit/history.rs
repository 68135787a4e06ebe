//! The deployment history in the audit: read by the fetchers right after a remote
//! repository (its settings name the environments, its config the promotion order), so
//! that `input.history` is there when the repository is evaluated; and, in `trace` runs,
//! the [`Trace`] of each repository: the record with what the policy library made of the
//! judged commits' check runs (`data.shiplint.lib.history.pipeline`), evaluated in the
//! same engine as the rules, so that the report presents and never recomputes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::github::{Client, GithubError};
use crate::history::{self, CheckRun, History, Window};
use crate::source::github::RemoteRepository;
use crate::source::target::Target;

use super::session::Session;

/// The rule of the policy library that matches check runs to the pipeline's jobs.
pub const PIPELINE_RULE: &str = "data.shiplint.lib.history.pipeline";

/// What `shiplint trace` presents for one repository.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// The repository, `OWNER/NAME`.
    pub repository: String,
    /// The deployment record (`input.history`).
    pub record: History,
    /// SHA → the build and scan jobs' check runs on that commit, for the judged commits.
    pub pipeline: BTreeMap<String, CommitPipeline>,
    /// Why `pipeline` could not be computed (a policy error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_error: Option<String>,
}

/// The pipeline's jobs on one commit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommitPipeline {
    /// The jobs that build the release image.
    pub build: JobChecks,
    /// The jobs that scan it.
    pub scan: JobChecks,
}

/// The jobs of one role and their check runs on a commit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobChecks {
    /// The jobs found in the workflows, with the check names GitHub gives them.
    pub jobs: Vec<JobCheck>,
    /// Their check runs on the commit (every attempt), oldest first.
    pub runs: Vec<CheckRun>,
    /// Some run concluded `success`.
    pub succeeded: bool,
    /// How many runs concluded `success` (builds of the release image: once is the practice).
    pub successes: usize,
    /// The latest run's conclusion (`status` while it has none); absent: no run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
}

/// A job and the check run name it produces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobCheck {
    pub workflow: String,
    pub job: String,
    /// The exact check name; absent when the files cannot tell it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Then, a regex every possible name matches, when some of it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// Reads the deployment history of a fetched remote repository into it.
pub fn attach(
    session: &Session,
    client: &Client,
    target: &Target,
    window: Window,
    mut remote: RemoteRepository,
) -> Result<RemoteRepository, GithubError> {
    let (resolved, _notices) = session
        .resolver
        .resolve(&remote.repo, remote.config.as_ref());
    // A repository whose config is rejected is not evaluated: the default order is moot.
    let order = match resolved {
        Ok(r) => history::order_of(&r.config.input_json()),
        Err(_) => history::order_of(&serde_json::Value::Null),
    };
    let environments = match &remote.repo.settings {
        Some(s) => history::environment_names(s),
        None => Err("no settings".into()),
    };
    let record = history::read(client, &target.display(), environments, window, order)?;
    remote.repo.history = Some(record);
    Ok(remote)
}

/// The trace of a modelled and evaluated repository: `engine` holds its input.
pub fn trace(engine: &mut regorus::Engine, repository: String, record: History) -> Trace {
    let evaluated = engine
        .eval_rule(PIPELINE_RULE.to_string())
        .map_err(|e| e.to_string())
        .and_then(|v| {
            // Undefined: no commit's check runs were read.
            if v == regorus::Value::Undefined {
                return Ok(BTreeMap::new());
            }
            let json = serde_json::to_value(&v).map_err(|e| e.to_string())?;
            serde_json::from_value(json).map_err(|e| e.to_string())
        });
    let (pipeline, pipeline_error) = match evaluated {
        Ok(p) => (p, None),
        Err(e) => (BTreeMap::new(), Some(e)),
    };
    Trace {
        repository,
        record,
        pipeline,
        pipeline_error,
    }
}
