//! Which config applies to each repository, and the policy set it asks for.
//!
//! `--config FILE` applies to every repository and is checked once, before anything is
//! audited; `--no-config` applies none; by default each repository's own
//! `.github/shiplint.yml` (or `shiplint.yml`) applies, read from disk for clones and
//! through the API for remote repositories. Policy sets are cached by the config's
//! extra policy directories, so many repositories sharing a config compile them once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::config::{Config, ConfigChoice, ConfigError};
use crate::discover::{self, DiscoverOptions, CONFIG_FILES};
use crate::finding::Notice;
use crate::policy::{PolicyError, PolicySet};
use crate::source::github::ConfigText;
use crate::source::Repository;

/// The config file of the clone at `root`, read and parsed; `None` when it has none. The
/// first of [`CONFIG_FILES`] that is there is the one: a symlink out of the repository or
/// into its `.git`, or a named pipe, in its place is an error, never passed over for the
/// next name nor followed ([`discover::read_file`]). Its `policies:` must be folders
/// inside the repository (a repository's config loads no Rego from elsewhere).
pub fn repository_config(root: &Path) -> Option<(Config, Vec<ConfigError>)> {
    let rel = CONFIG_FILES
        .iter()
        .find(|rel| std::fs::symlink_metadata(root.join(rel)).is_ok_and(|m| !m.is_dir()))?;
    let path = root.join(rel);
    let display = discover::display_path(&path);
    let (mut config, mut errors) = match discover::read_file(root, &path, rel, max_config_bytes()) {
        Ok(bytes) => parse_bytes(&display, &bytes, root),
        Err(e) => unreadable(&display, &e.message),
    };
    let outside = outside_policy_dirs(root, &display, &config);
    if !outside.is_empty() {
        // Never loaded: the repository is rejected with these errors.
        config.policies.clear();
        errors.extend(outside);
    }
    Some((config, errors))
}

/// A config file is held to the size cap of workflows.
fn max_config_bytes() -> u64 {
    DiscoverOptions::default().max_file_size
}

/// Parses a config file's bytes (UTF-8 YAML).
fn parse_bytes(display: &str, bytes: &[u8], base: &Path) -> (Config, Vec<ConfigError>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => Config::parse_all(display, text, base),
        Err(_) => unreadable(display, "not valid UTF-8"),
    }
}

/// A config file that could not be read: one error, without a snippet.
fn unreadable(display: &str, why: &str) -> (Config, Vec<ConfigError>) {
    let error = ConfigError::new(
        display,
        Arc::from(""),
        Default::default(),
        format!(
            "cannot read the config file {display}: {}",
            why.strip_prefix("skipped: ").unwrap_or(why)
        ),
    );
    (Config::default(), vec![error])
}

/// The `policies:` folders of a repository's config that resolve outside the repository.
fn outside_policy_dirs(root: &Path, display: &str, config: &Config) -> Vec<ConfigError> {
    let Ok(root) = std::fs::canonicalize(root) else {
        return Vec::new();
    };
    config
        .policies
        .iter()
        .filter(|dir| std::fs::canonicalize(dir).is_ok_and(|d| !d.starts_with(&root)))
        .map(|dir| {
            ConfigError::new(
                display,
                Arc::from(""),
                Default::default(),
                format!(
                    "policy directory `{}` is outside the repository: a repository's own config loads policies only from inside it (pass others with --policy DIR)",
                    discover::display_path(dir)
                ),
            )
        })
        .collect()
}

/// The config of one repository and the policies it is audited with.
#[derive(Clone)]
pub struct Resolved {
    pub config: Arc<Config>,
    pub policies: Arc<PolicySet>,
}

/// Why a repository is not audited: mistakes in its config (reported at their spans) or
/// policies that would not load.
#[derive(Debug, Default, Clone)]
pub struct Rejected {
    pub config_errors: Vec<ConfigError>,
    pub policy_errors: Vec<PolicyError>,
}

/// Resolves configs and their policy sets, from any thread.
pub struct ConfigResolver {
    choice: ConfigChoice,
    base: Arc<PolicySet>,
    /// `--config FILE`, resolved once.
    explicit: Option<Result<Resolved, Rejected>>,
    sets: Mutex<BTreeMap<Vec<PathBuf>, Arc<PolicySet>>>,
}

impl ConfigResolver {
    /// A resolver over the built-in (and `--policy`) set `base`.
    pub fn new(choice: ConfigChoice, base: PolicySet) -> ConfigResolver {
        let base = Arc::new(base);
        let mut resolver = ConfigResolver {
            choice,
            base: base.clone(),
            explicit: None,
            sets: Mutex::new(BTreeMap::from([(Vec::new(), base)])),
        };
        if let ConfigChoice::File(path) = &resolver.choice {
            let dir = path.parent().unwrap_or(Path::new("."));
            let display = discover::display_path(path);
            let loaded = match discover::read_named_file(path, max_config_bytes()) {
                Ok(bytes) => parse_bytes(&display, &bytes, dir),
                Err(e) => unreadable(&display, &e.message),
            };
            resolver.explicit = Some(resolver.check(loaded));
        }
        resolver
    }

    /// The built-in (and `--policy`) policies.
    pub fn base(&self) -> &Arc<PolicySet> {
        &self.base
    }

    /// Whether each repository's own config file applies (so remote ones are fetched).
    pub fn wants_repository_config(&self) -> bool {
        self.choice == ConfigChoice::Discover
    }

    /// Why `--config FILE` stops the whole audit, if it does.
    pub fn explicit_failure(&self) -> Option<&Rejected> {
        self.explicit.as_ref().and_then(|r| r.as_ref().err())
    }

    /// The config of `repo` (`fetched`: its config file as the API gave it), with the
    /// notices of what of it does not apply.
    pub fn resolve(
        &self,
        repo: &Repository,
        fetched: Option<&ConfigText>,
    ) -> (Result<Resolved, Rejected>, Vec<Notice>) {
        let plain = || {
            Ok(Resolved {
                config: Arc::new(Config::default()),
                policies: self.base.clone(),
            })
        };
        match (&self.explicit, &self.choice) {
            (Some(resolved), _) => (resolved.clone(), Vec::new()),
            (None, ConfigChoice::Discover) => match (fetched, &repo.root) {
                (Some(text), _) => self.remote(repo, text),
                (None, Some(root)) => match repository_config(root) {
                    Some(loaded) => (self.check(loaded), Vec::new()),
                    None => (plain(), Vec::new()),
                },
                (None, None) => (plain(), Vec::new()),
            },
            (None, _) => (plain(), Vec::new()),
        }
    }

    /// A remote repository's own config. Its `policies:` are not loaded: they would be
    /// Rego from the audited repository, which an audit through the API never runs; the
    /// rest of the config applies, and a notice says what did not.
    fn remote(
        &self,
        repo: &Repository,
        text: &ConfigText,
    ) -> (Result<Resolved, Rejected>, Vec<Notice>) {
        let display = format!("{}/{}", repo.display, text.rel);
        let (mut config, errors) = Config::parse_all(&display, &text.text, Path::new("."));
        let mut notices = Vec::new();
        if !config.policies.is_empty() {
            config.policies.clear();
            let mut notice = Notice::new(
                Some(text.rel.clone()),
                "`policies:` of a repository audited through the API are not loaded (audit a clone to use them)",
            );
            notice.repository = Some(repo.display.clone());
            notices.push(notice);
        }
        (self.check((config, errors)), notices)
    }

    /// A loaded config and the policy set it asks for, or every mistake found (structural
    /// ones and unknown rule ids together) and the policy errors.
    fn check(
        &self,
        (config, mut errors): (Config, Vec<ConfigError>),
    ) -> Result<Resolved, Rejected> {
        let missing = config.check_policy_dirs();
        if !missing.is_empty() {
            errors.extend(missing);
            errors.sort_by_key(|e| e.span.start);
            return Err(Rejected {
                config_errors: errors,
                policy_errors: Vec::new(),
            });
        }
        let policies = match self.policy_set(&config.policies) {
            Ok(set) => set,
            Err(e) => {
                return Err(Rejected {
                    config_errors: errors,
                    policy_errors: vec![e],
                })
            }
        };
        errors.extend(config.check_rule_ids(&policies));
        if errors.is_empty() {
            Ok(Resolved {
                config: Arc::new(config),
                policies,
            })
        } else {
            errors.sort_by_key(|e| e.span.start);
            Err(Rejected {
                config_errors: errors,
                policy_errors: Vec::new(),
            })
        }
    }

    /// The base set plus the user policies of `dirs`, compiled once per distinct list.
    fn policy_set(&self, dirs: &[PathBuf]) -> Result<Arc<PolicySet>, PolicyError> {
        let mut sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(set) = sets.get(dirs) {
            return Ok(set.clone());
        }
        let mut set = (*self.base).clone();
        for dir in dirs {
            set.add_user_policies(dir)?;
        }
        let set = Arc::new(set);
        sets.insert(dirs.to_vec(), set.clone());
        Ok(set)
    }
}
