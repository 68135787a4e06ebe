//! The audit pipeline for local paths: discover → load → model → evaluate → findings.
//! Repositories are independent, so they are audited in parallel on the rayon pool, each
//! worker with its own clone of the compiled policy engine.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::{self, Config, ConfigChoice, ConfigError};
use crate::discover::{self, DiscoverOptions};
use crate::finding::{Finding, InputError, Notice};
use crate::model;
use crate::policy::{resolve_findings, PolicyError, PolicySet};
use crate::source::{local, Repository};
use crate::suppress::{self, Baseline, Ignored};

#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    pub paths: Vec<PathBuf>,
    pub discover: DiscoverOptions,
    /// Never touch the network, even with a token.
    pub offline: bool,
    /// Which config file applies (default: each repository's own, when it has one).
    pub config: ConfigChoice,
    /// `--no-ignores`: report what inline comments and `ignore:` entries would silence.
    pub no_ignores: bool,
    /// `--baseline FILE`: drop the findings it knows.
    pub baseline: Option<Baseline>,
    /// `input.settings` for every audited repository (`--settings FILE`).
    pub settings: Option<serde_json::Value>,
    /// Where a repository's settings come from when `settings` gives none: the GitHub
    /// API for local clones going online.
    pub settings_source: Option<SettingsSource>,
}

/// Gives a loaded repository's settings, or `None`.
pub type FetchSettings = dyn Fn(&Repository) -> Option<serde_json::Value> + Send + Sync;

/// Fetches a loaded repository's settings (`None`: the settings rules stay unevaluated).
#[derive(Clone)]
pub struct SettingsSource(pub Arc<FetchSettings>);

impl std::fmt::Debug for SettingsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SettingsSource")
    }
}

/// What one repository came to.
#[derive(Debug, Clone)]
pub struct RepoSummary {
    pub display: String,
    pub files: usize,
    pub settings_evaluated: bool,
    /// `OWNER/NAME` on GitHub, when known (settings findings link its settings pages).
    pub slug: Option<String>,
}

/// Everything the reports need: findings, errors, and the audited sources for snippets.
#[derive(Default)]
pub struct AuditReport {
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    /// What was not audited and why: never changes the exit code.
    pub notices: Vec<Notice>,
    pub policy_errors: Vec<PolicyError>,
    /// Mistakes in config files (each repository with one is not audited).
    pub config_errors: Vec<ConfigError>,
    pub repos: Vec<RepoSummary>,
    /// `(repository, file)` → text, so reports can show snippets.
    pub sources: BTreeMap<(String, String), Arc<str>>,
    /// Findings silenced by an inline comment or an `ignore:` entry.
    pub ignored: Vec<Ignored>,
    /// How many findings the baseline suppressed.
    pub baseline_suppressed: usize,
}

impl AuditReport {
    pub fn source(&self, repository: &str, file: &str) -> Option<&Arc<str>> {
        self.sources
            .get(&(repository.to_string(), file.to_string()))
    }

    pub fn files_audited(&self) -> usize {
        self.repos.iter().map(|r| r.files).sum()
    }

    pub fn settings_evaluated(&self) -> bool {
        self.repos.iter().any(|r| r.settings_evaluated)
    }

    /// Adds one evaluated repository's results.
    pub fn absorb(&mut self, repo: RepoOutcome) {
        self.findings.extend(repo.findings);
        self.errors.extend(repo.errors);
        self.notices.extend(repo.notices);
        self.policy_errors.extend(repo.policy_errors);
        self.ignored.extend(repo.ignored);
        self.sources.extend(repo.sources);
        self.repos.push(repo.summary);
    }
}

/// The result of auditing one repository.
pub struct RepoOutcome {
    pub summary: RepoSummary,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub notices: Vec<Notice>,
    pub policy_errors: Vec<PolicyError>,
    pub sources: Vec<((String, String), Arc<str>)>,
    pub ignored: Vec<Ignored>,
}

/// Models and evaluates one loaded repository, with no configuration.
pub fn audit_repository(
    policies: &PolicySet,
    engine: &mut regorus::Engine,
    repo: Repository,
) -> RepoOutcome {
    audit_repository_with(policies, engine, repo, &Config::default(), true)
}

/// Models and evaluates one loaded repository under `config`: its parameters become
/// `input.config`, disabled rules are not evaluated, severities are overridden, and
/// (when `ignores` is true) inline and configured ignores apply.
pub fn audit_repository_with(
    policies: &PolicySet,
    engine: &mut regorus::Engine,
    repo: Repository,
    config: &Config,
    ignores: bool,
) -> RepoOutcome {
    let (mut input, model_errors) = model::build_input(&repo);
    input.config = config.input_json();
    let with_settings = input.settings.is_some();
    let (raw, mut policy_errors) =
        policies.evaluate_selected(engine, &input, with_settings, &|rule| {
            !config.is_disabled(&rule.id)
        });
    let (mut findings, locate_errors) = resolve_findings(raw, policies.rules(), &repo);
    policy_errors.extend(locate_errors);
    for f in &mut findings {
        if let Some(severity) = config.severity(&f.rule) {
            f.severity = severity;
        }
    }
    let (findings, ignored) = if ignores {
        suppress::apply_ignores(findings, config, |file| repo.file(file).map(|f| &*f.text))
    } else {
        (findings, Vec::new())
    };
    let mut errors = repo.errors;
    errors.extend(model_errors);
    let mut notices = repo.notices;
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
        },
        findings,
        errors,
        notices,
        policy_errors,
        sources,
        ignored,
    }
}

/// `OWNER/NAME` of a repository, when both are known.
fn slug(info: &model::RepositoryInfo) -> Option<String> {
    (!info.owner.is_empty() && !info.name.is_empty())
        .then(|| format!("{}/{}", info.owner, info.name))
}

/// Audits local paths.
pub fn audit_paths(policies: &PolicySet, opts: &AuditOptions) -> AuditReport {
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    };
    let mut report = AuditReport::default();
    let mut sets = PolicyCache::default();
    // `--config FILE`: checked once, and nothing is audited when it has mistakes.
    let explicit = match &opts.config {
        ConfigChoice::File(path) => {
            let base = path.parent().unwrap_or(std::path::Path::new("."));
            let loaded = Config::load_all(path, &discover::display_path(path), base);
            match sets.resolve(policies, loaded, &mut report) {
                Some(resolved) => Some(resolved),
                None => return report,
            }
        }
        _ => None,
    };
    let (found, discover_errors) = discover::discover(&paths, &opts.discover);
    report.errors.extend(discover_errors);
    let mut jobs = Vec::new();
    for repo_files in found {
        let resolved = match (&explicit, &opts.config) {
            (Some(resolved), _) => Some(resolved.clone()),
            (None, ConfigChoice::Discover) => match config::discover(&repo_files.root) {
                Some(path) => {
                    let display = discover::display_path(&path);
                    let loaded = Config::load_all(&path, &display, &repo_files.root);
                    sets.resolve(policies, loaded, &mut report)
                }
                None => Some((Arc::new(Config::default()), sets.base(policies))),
            },
            (None, _) => Some((Arc::new(Config::default()), sets.base(policies))),
        };
        // A repository whose config has mistakes is not audited (its errors are reported).
        if let Some((config, set)) = resolved {
            jobs.push((repo_files, config, set));
        }
    }
    let outcomes: Vec<RepoOutcome> = jobs
        .into_par_iter()
        .map_init(
            // Each worker keeps one engine per policy set it meets.
            BTreeMap::<usize, regorus::Engine>::new,
            |engines, (repo_files, config, set)| {
                let engine = engines
                    .entry(Arc::as_ptr(&set) as usize)
                    .or_insert_with(|| set.engine());
                let mut repo = local::load(repo_files);
                repo.settings.clone_from(&opts.settings);
                if let (None, Some(source)) = (&repo.settings, &opts.settings_source) {
                    repo.settings = (source.0)(&repo);
                }
                audit_repository_with(&set, engine, repo, &config, !opts.no_ignores)
            },
        )
        .collect();
    for o in outcomes {
        report.absorb(o);
    }
    report.findings.sort_by_key(Finding::sort_key);
    report.ignored.sort_by_key(|i| i.finding.sort_key());
    if let Some(baseline) = &opts.baseline {
        report.baseline_suppressed = baseline.suppress(&mut report.findings);
    }
    report
}

/// Policy sets by the config's extra policy directories, so that many repositories
/// sharing a config compile them once.
#[derive(Default)]
struct PolicyCache {
    sets: BTreeMap<Vec<PathBuf>, Arc<PolicySet>>,
}

impl PolicyCache {
    fn base(&mut self, base: &PolicySet) -> Arc<PolicySet> {
        self.get(base, &[]).expect("the base set needs no loading")
    }

    /// A loaded config and the policy set it asks for, or `None` after reporting its
    /// mistakes (structural ones and unknown rule ids together) and policy errors.
    fn resolve(
        &mut self,
        base: &PolicySet,
        (config, mut errors): (Config, Vec<ConfigError>),
        report: &mut AuditReport,
    ) -> Option<(Arc<Config>, Arc<PolicySet>)> {
        let missing = config.check_policy_dirs();
        if !missing.is_empty() {
            errors.extend(missing);
            errors.sort_by_key(|e| e.span.start);
            report.config_errors.extend(errors);
            return None;
        }
        let set = match self.get(base, &config.policies) {
            Ok(set) => set,
            Err(e) => {
                report.policy_errors.push(e);
                report.config_errors.extend(errors);
                return None;
            }
        };
        errors.extend(config.check_rule_ids(&set));
        if errors.is_empty() {
            Some((Arc::new(config), set))
        } else {
            errors.sort_by_key(|e| e.span.start);
            report.config_errors.extend(errors);
            None
        }
    }

    fn get(&mut self, base: &PolicySet, dirs: &[PathBuf]) -> Result<Arc<PolicySet>, PolicyError> {
        if let Some(set) = self.sets.get(dirs) {
            return Ok(set.clone());
        }
        let mut set = base.clone();
        for dir in dirs {
            set.add_user_policies(dir)?;
        }
        let set = Arc::new(set);
        self.sets.insert(dirs.to_vec(), set.clone());
        Ok(set)
    }
}
