//! One loaded repository through the rest of the pipeline: model → evaluate → findings,
//! under its config (parameters, disabled rules, severities, ignores).

use std::sync::Arc;

use crate::config::Config;
use crate::model;
use crate::model::RepositoryInfo;
use crate::policy::{resolve_findings, PolicySet};
use crate::source::Repository;
use crate::suppress;

use super::outcome::{RepoOutcome, RepoSummary};
use super::{graph, history};

/// What the evaluation of one repository produces besides its findings.
#[derive(Debug, Clone, Copy)]
pub struct Evaluation {
    /// Apply inline and configured ignores (not under `--no-ignores`).
    pub ignores: bool,
    /// Compute the pipeline graph (for the reports that draw or carry it).
    pub graph: bool,
    /// Keep the trace of the deployment record, when there is one (`shiplint trace`).
    pub trace: bool,
}

/// Models and evaluates one loaded repository, with no configuration.
pub fn audit_repository(
    policies: &PolicySet,
    engine: &mut regorus::Engine,
    repo: Repository,
) -> RepoOutcome {
    let plain = Evaluation {
        ignores: true,
        graph: false,
        trace: false,
    };
    evaluate(policies, engine, repo, &Config::default(), plain)
}

/// Models and evaluates one loaded repository under `config`: its parameters become
/// `input.config`, disabled rules are not evaluated, severities are overridden, and
/// (unless `--no-ignores`) inline and configured ignores apply.
pub fn evaluate(
    policies: &PolicySet,
    engine: &mut regorus::Engine,
    repo: Repository,
    config: &Config,
    what: Evaluation,
) -> RepoOutcome {
    let (mut input, model_errors) = model::build_input(&repo);
    input.config = config.input_json();
    let with_settings = input.settings.is_some();
    let roles_rule = what.graph.then_some(graph::ROLES_RULE);
    let evaluated = policies.evaluate_selected(
        engine,
        &input,
        with_settings,
        &|rule| !config.is_disabled(&rule.id),
        roles_rule,
    );
    let (raw, mut policy_errors) = (evaluated.findings, evaluated.errors);
    let (mut findings, locate_errors) = resolve_findings(raw, policies.rules(), &repo);
    policy_errors.extend(locate_errors);
    for f in &mut findings {
        if let Some(severity) = config.severity(&f.rule) {
            f.severity = severity;
        }
    }
    // The policy library classified the jobs in the same query as the rules ran.
    let graph = evaluated.extra.map(|roles| {
        let roles = roles.and_then(|v| serde_json::to_value(&v).map_err(|e| e.to_string()));
        Arc::new(graph::build(&repo, &input, roles))
    });
    let trace = match (&input.history, what.trace) {
        (Some(record), true) => Some(Arc::new(history::trace(
            engine,
            slug(&repo.info).unwrap_or_else(|| repo.display.clone()),
            record.clone(),
        ))),
        _ => None,
    };
    let (findings, ignored) = if what.ignores {
        suppress::apply_ignores(findings, config, |file| repo.file(file).map(|f| &*f.text))
    } else {
        (findings, Vec::new())
    };
    let mut errors = repo.errors;
    errors.extend(model_errors);
    let mut notices = repo.notices;
    let known: Vec<&str> = policies.rules().iter().map(|r| r.id.as_str()).collect();
    for f in &repo.files {
        notices.extend(suppress::unknown_ignored_rules(&f.rel, &f.text, &known));
    }
    for e in errors.iter_mut().chain(notices.iter_mut()) {
        e.repository = Some(repo.display.clone());
    }
    let sources = repo
        .files
        .iter()
        .map(|f| ((repo.display.clone(), f.rel.clone()), f.text.clone()))
        .collect();
    RepoOutcome {
        summary: RepoSummary {
            display: repo.display.clone(),
            files: repo.files.len(),
            settings_evaluated: with_settings,
            slug: slug(&repo.info),
            graph,
            trace,
        },
        findings,
        errors,
        notices,
        policy_errors,
        config_errors: Vec::new(),
        sources,
        ignored,
    }
}

/// `OWNER/NAME` of a repository, when both are known.
fn slug(info: &RepositoryInfo) -> Option<String> {
    (!info.owner.is_empty() && !info.name.is_empty())
        .then(|| format!("{}/{}", info.owner, info.name))
}
