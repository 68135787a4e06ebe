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

use crate::config::{self, Config, ConfigChoice, ConfigError};
use crate::discover;
use crate::finding::Notice;
use crate::policy::{PolicyError, PolicySet};
use crate::source::github::ConfigText;
use crate::source::Repository;

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
            let loaded = Config::load_all(path, &discover::display_path(path), dir);
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
                (None, Some(root)) => match config::discover(root) {
                    Some(path) => {
                        let display = discover::display_path(&path);
                        (
                            self.check(Config::load_all(&path, &display, root)),
                            Vec::new(),
                        )
                    }
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
