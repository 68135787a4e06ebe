//! Runs a parsed command line and decides the exit code.
//!
//! Exit codes: 0 nothing at or above `--fail-on`; 1 there is such a finding; 2 a usage,
//! config, policy or input error (findings from the other inputs are still reported);
//! 3 the GitHub API could not be reached or refused.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::audit::{self, AuditOptions, AuditReport, SettingsSource};
use crate::cli::{
    AuditArgs, BaselineArgs, Cli, ColorChoice, Command, ExplainArgs, FailOn, Format, InputArgs,
    MergeArgs, RulesArgs, SetupArgs, TestPoliciesArgs,
};
use crate::config::ConfigChoice;
use crate::discover::DiscoverOptions;
use crate::finding::Severity;
use crate::github;
use crate::policy::PolicySet;
use crate::report::{self, human::HumanOptions};
use crate::source::github::{self as github_source, RemoteSpec};
use crate::source::Repository;
use crate::suppress::Baseline;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;
pub const EXIT_GITHUB: u8 = 3;

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Audit(args) => audit_command(*args),
        Command::Rules(args) => rules_command(args),
        Command::Input(args) => input_command(args),
        Command::Explain(args) => explain_command(args),
        Command::TestPolicies(args) => test_policies_command(args),
        Command::Baseline(args) => baseline_command(args),
        Command::Merge(args) => merge_command(args),
    }
}

fn load_policies() -> Result<PolicySet, u8> {
    PolicySet::builtin().map_err(|e| {
        eprintln!("error: built-in policy {e}");
        EXIT_ERROR
    })
}

/// The built-in policies plus the user policies of `dirs` (`--policy`).
fn load_policies_with(dirs: &[PathBuf]) -> Result<PolicySet, u8> {
    let mut set = load_policies()?;
    for dir in dirs {
        if let Err(e) = set.add_user_policies(dir) {
            eprintln!("error: policy {e}");
            return Err(EXIT_ERROR);
        }
    }
    Ok(set)
}

fn audit_options(
    paths: &[PathBuf],
    max_file_size: u64,
    offline: bool,
    setup: &SetupArgs,
) -> AuditOptions {
    AuditOptions {
        paths: paths.to_vec(),
        discover: DiscoverOptions { max_file_size },
        offline,
        config: match (&setup.config, setup.no_config) {
            (Some(file), _) => ConfigChoice::File(file.clone()),
            (None, true) => ConfigChoice::None,
            (None, false) => ConfigChoice::Discover,
        },
        no_ignores: setup.no_ignores,
        baseline: None,
        settings: None,
        settings_source: None,
    }
}

/// `--settings FILE`, validated; a bad file is a usage error.
fn load_settings(path: Option<&std::path::Path>) -> Result<Option<serde_json::Value>, u8> {
    path.map(crate::settings::load).transpose().map_err(|e| {
        eprintln!("error: {e}");
        EXIT_ERROR
    })
}

/// The exit code an audit deserves.
pub fn exit_code(report: &AuditReport, fail_on: FailOn) -> u8 {
    if !report.errors.is_empty()
        || !report.policy_errors.is_empty()
        || !report.config_errors.is_empty()
    {
        return EXIT_ERROR;
    }
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Note => Severity::Note,
        FailOn::Never => return EXIT_OK,
    };
    if report.findings.iter().any(|f| f.severity >= threshold) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn use_color(choice: ColorChoice, to_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
    }
}

fn audit_command(args: AuditArgs) -> u8 {
    if let Some(flag) = args.sweep.misplaced() {
        eprintln!("error: {flag} needs --org ORG or --repos-file FILE");
        return EXIT_ERROR;
    }
    let policies = match load_policies_with(&args.setup.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let settings = match load_settings(args.settings.as_deref()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // `OWNER/NAME` that is not a local path names a GitHub repository.
    let (remote, local): (Vec<_>, Vec<_>) = args
        .paths
        .iter()
        .partition(|p| !p.exists() && p.to_str().and_then(RemoteSpec::parse).is_some());
    let local: Vec<PathBuf> = local.into_iter().cloned().collect();
    let mut opts = audit_options(&local, args.max_file_size, args.offline, &args.setup);
    opts.settings = settings;
    let online_errors = match online_settings(&args, opts.settings.is_some()) {
        Ok(Some((source, errors))) => {
            opts.settings_source = Some(source);
            errors
        }
        Ok(None) => Arc::default(),
        Err(code) => return code,
    };
    if let Some(path) = &args.baseline {
        match Baseline::load(path) {
            Ok(b) => opts.baseline = Some(b),
            Err(message) => {
                eprintln!("error: {message}");
                return EXIT_ERROR;
            }
        }
    }
    let mut exit_override = None;
    let report = if args.sweep.is_sweep() {
        match crate::sweep::command::run(&policies, &args, opts.settings.clone()) {
            Ok(mut outcome) => {
                if let Some(baseline) = &opts.baseline {
                    outcome.report.baseline_suppressed +=
                        baseline.suppress(&mut outcome.report.findings);
                }
                exit_override = outcome.exit_override;
                outcome.report
            }
            Err(code) => return code,
        }
    } else if remote.is_empty() {
        audit::audit_paths(&policies, &opts)
    } else {
        match audit_remote(&policies, &args, &remote, &opts) {
            Ok(r) => r,
            Err(code) => return code,
        }
    };
    // SARIF to a file is split into files of at most 20 runs (GitHub's limit).
    let written = match (args.format, args.output.as_deref()) {
        (Format::Sarif, Some(path)) => {
            let files = report::sarif::render_files(&report, policies.rules());
            files.iter().enumerate().try_for_each(|(n, text)| {
                let target = report::sarif::split_path(path, n);
                write_output(Some(&target), text)?;
                if files.len() > 1 {
                    eprintln!("wrote {}", target.display());
                }
                Ok(())
            })
        }
        _ => {
            let rendered = render_report(
                &report,
                &policies,
                &opts,
                args.format,
                args.color,
                args.output.as_deref(),
                args.show_ignored,
                args.sweep.is_sweep(),
            );
            write_output(args.output.as_deref(), &rendered)
        }
    };
    if let Err(code) = written {
        return code;
    }
    // Settings of local clones that the API would not give: reported, exit 3.
    let online_errors = online_errors.lock().unwrap_or_else(PoisonError::into_inner);
    for e in online_errors.iter() {
        eprintln!("error: {e}");
    }
    if !online_errors.is_empty() {
        return EXIT_GITHUB;
    }
    exit_override.unwrap_or_else(|| exit_code(&report, args.fail_on))
}

/// Renders a report in `format` (errors of the human format go to stderr). `org_table`:
/// end the human output with the org summary table.
#[allow(clippy::too_many_arguments)]
fn render_report(
    report: &AuditReport,
    policies: &PolicySet,
    opts: &AuditOptions,
    format: Format,
    color: ColorChoice,
    output: Option<&Path>,
    show_ignored: bool,
    org_table: bool,
) -> String {
    let to_terminal = output.is_none() && std::io::stdout().is_terminal();
    match format {
        Format::Human => {
            let stderr_color = use_color(color, std::io::stderr().is_terminal());
            let config_errors = report::human::render_config_errors(report, stderr_color);
            eprint!("{config_errors}");
            let errors = report::human::render_errors(report);
            if !errors.is_empty() {
                eprint!("{errors}");
            }
            eprint!("{}", report::human::render_notices(report));
            let mut text = report::human::render(
                report,
                HumanOptions {
                    color: use_color(color, to_terminal),
                    width: 100,
                    show_ignored,
                },
            );
            if org_table {
                text.push_str(&report::table::render(report));
            }
            text
        }
        Format::Json => report::json::render(report),
        Format::Sarif => report::sarif::render(report, policies.rules()),
        Format::Github => report::github::render(report),
        Format::Markdown => report::markdown::render(report, policies, opts),
        Format::Csv => report::csv::render(report),
        Format::Html => report::html::render(report),
    }
}

/// `shiplint merge FILE...`: JSON reports (shards of a sweep) combined into one.
fn merge_command(args: MergeArgs) -> u8 {
    let mut merged = AuditReport::default();
    for path in &args.files {
        let doc = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
            .and_then(|doc| report::load::from_json(&doc));
        match doc {
            Ok(r) => report::load::combine(&mut merged, r),
            Err(e) => {
                eprintln!("error: {}: {e}", display(path));
                return EXIT_ERROR;
            }
        }
    }
    report::load::sort(&mut merged);
    // SARIF lists the rules that can fire; the merged results carry no paths to graph.
    let policies = match load_policies() {
        Ok(p) => p,
        Err(code) => return code,
    };
    let rendered = render_report(
        &merged,
        &policies,
        &AuditOptions::default(),
        args.format,
        ColorChoice::Auto,
        args.output.as_deref(),
        false,
        true,
    );
    if let Err(code) = write_output(args.output.as_deref(), &rendered) {
        return code;
    }
    exit_code(&merged, args.fail_on)
}

/// Errors met while fetching the settings of local clones (`OWNER/NAME: why`).
type OnlineErrors = Arc<Mutex<Vec<String>>>;

/// Local clones go online: unless `--offline` or `--settings FILE`, each clone whose
/// `origin` remote is on GitHub (or every clone, as `--repo OWNER/NAME`) gets its
/// settings from the API when a token is set. Without a token the audit stays offline
/// and says so.
fn online_settings(
    args: &AuditArgs,
    settings_given: bool,
) -> Result<Option<(SettingsSource, OnlineErrors)>, u8> {
    if args.offline || settings_given {
        return Ok(None);
    }
    let named = match &args.repo {
        Some(r) => match RemoteSpec::parse(r) {
            Some(spec) => Some(spec.slug()),
            None => {
                eprintln!("error: --repo {r}: expected OWNER/NAME");
                return Err(EXIT_ERROR);
            }
        },
        None => None,
    };
    let client = match github_token(args)? {
        Some(token) => Some(Mutex::new(github_client(args, Some(token))?)),
        None => None,
    };
    // With GH_HOST naming a GitHub Enterprise Server (and no --github-url), clones are
    // recognised by an `origin` on that host; otherwise by an `origin` on github.com.
    let ghe_host = std::env::var("GH_HOST")
        .ok()
        .map(|h| {
            let h = h.trim();
            let h = h
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            h.trim_end_matches('/').to_string()
        })
        .filter(|h| !h.is_empty() && h != "github.com" && args.github_url.is_none());
    let errors = OnlineErrors::default();
    let sink = errors.clone();
    let fetch = move |repo: &Repository| {
        let origin = match &ghe_host {
            Some(host) => repo
                .root
                .as_ref()
                .and_then(|root| std::fs::read_to_string(root.join(".git/config")).ok())
                .and_then(|config| crate::source::local::origin_slug_on(&config, host))
                .map(|(o, n)| format!("{o}/{n}")),
            None => (!repo.info.owner.is_empty())
                .then(|| format!("{}/{}", repo.info.owner, repo.info.name)),
        };
        let slug = named.clone().or(origin)?;
        let Some(client) = &client else {
            eprintln!(
                "shiplint: {}: offline: no GitHub token (GH_TOKEN or GITHUB_TOKEN), so the settings of {slug} were not fetched and the repository-settings rules are not evaluated",
                repo.display
            );
            return None;
        };
        let client = client.lock().unwrap_or_else(PoisonError::into_inner);
        match github_source::fetch_settings_for_clone(&client, &slug, repo) {
            Ok(settings) => Some(settings),
            Err(e) => {
                let mut sink = sink.lock().unwrap_or_else(PoisonError::into_inner);
                sink.push(format!("{slug}: {e}"));
                None
            }
        }
    };
    Ok(Some((SettingsSource(Arc::new(fetch)), errors)))
}

/// Audits `OWNER/NAME` repositories through the API (and any local paths given with them).
fn audit_remote(
    policies: &PolicySet,
    args: &AuditArgs,
    remote: &[&std::path::PathBuf],
    opts: &AuditOptions,
) -> Result<AuditReport, u8> {
    if args.offline {
        eprintln!("error: --offline cannot audit GitHub repositories (OWNER/NAME)");
        return Err(EXIT_ERROR);
    }
    let token = github_token(args)?;
    let client = github_client(args, token)?;
    let mut report = if opts.paths.is_empty() {
        AuditReport::default()
    } else {
        audit::audit_paths(policies, opts)
    };
    let mut engine = policies.engine();
    for spec in remote
        .iter()
        .filter_map(|p| p.to_str().and_then(RemoteSpec::parse))
    {
        let repo = github_source::load(&client, &spec, opts.settings.clone()).map_err(|e| {
            eprintln!("error: {}: {e}", spec.slug());
            EXIT_GITHUB
        })?;
        let config = crate::config::Config::default();
        report.absorb(audit::audit_repository_with(
            policies,
            &mut engine,
            repo,
            &config,
            !opts.no_ignores,
        ));
    }
    report
        .findings
        .sort_by_key(crate::finding::Finding::sort_key);
    if let Some(baseline) = &opts.baseline {
        report.baseline_suppressed += baseline.suppress(&mut report.findings);
    }
    Ok(report)
}

/// The token of `--token-env NAME`, else GH_TOKEN/GITHUB_TOKEN; a named variable that
/// is not set is a usage error.
fn github_token(args: &AuditArgs) -> Result<Option<github::Token>, u8> {
    github::Token::from_env_named(args.token_env.as_deref()).map_err(|e| {
        eprintln!("error: {e}");
        EXIT_ERROR
    })
}

/// The API client of an audit: base URL, token, waits and the cache of the flags.
fn github_client(args: &AuditArgs, token: Option<github::Token>) -> Result<github::Client, u8> {
    let base = github::base_url(
        args.github_url.as_deref(),
        std::env::var("GH_HOST").ok().as_deref(),
    );
    let mut client_opts = github::ClientOptions::new(base, token);
    client_opts.wait_for_reset = !args.no_wait;
    client_opts.cache_dir = match (&args.cache_dir, args.no_cache) {
        (_, true) => None,
        (Some(dir), false) => Some(dir.clone()),
        (None, false) => github::cache::default_dir(),
    };
    github::Client::new(client_opts).map_err(|e| {
        eprintln!("error: {e}");
        EXIT_GITHUB
    })
}

fn write_output(path: Option<&std::path::Path>, text: &str) -> Result<(), u8> {
    let result = match path {
        Some(p) => std::fs::write(p, text),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|_| out.flush())
        }
    };
    result.map_err(|e| {
        // A closed pipe (`shiplint audit | head`) is not an error worth reporting.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            match path {
                Some(p) => eprintln!("error: cannot write {}: {e}", p.display()),
                None => eprintln!("error: cannot write the report: {e}"),
            }
        }
        EXIT_ERROR
    })
}

fn rules_command(args: RulesArgs) -> u8 {
    let policies = match load_policies_with(&args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(policies.rules()).unwrap_or_default();
            s.push('\n');
            s
        }
        _ => {
            let width = policies
                .rules()
                .iter()
                .map(|r| r.id.len())
                .max()
                .unwrap_or(4);
            let mut s = format!(
                "{:width$}  {:8}  {:8}  TITLE\n",
                "RULE", "SEVERITY", "NEEDS"
            );
            for r in policies.rules() {
                let needs = if r.online { "settings" } else { "files" };
                s.push_str(&format!(
                    "{:width$}  {:8}  {:8}  {}\n",
                    r.id,
                    r.severity.as_str(),
                    needs,
                    r.title
                ));
            }
            s
        }
    };
    match write_output(None, &text) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

/// `shiplint input`: the input documents, one JSON array element per repository, so
/// policy authors can see exactly what their rules receive.
fn input_command(args: InputArgs) -> u8 {
    let settings = match load_settings(args.settings.as_deref()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (found, mut errors) = crate::discover::discover(&args.paths, &DiscoverOptions::default());
    let mut docs = Vec::new();
    for repo_files in found {
        // The repository's config file gives `input.config`, as in `audit`.
        let config = crate::config::discover(&repo_files.root).map(|path| {
            let display = crate::discover::display_path(&path);
            crate::config::Config::load(&path, &display, &repo_files.root)
        });
        let mut repo = crate::source::local::load(repo_files);
        repo.settings.clone_from(&settings);
        let (mut input, model_errors) = crate::model::build_input(&repo);
        match config {
            Some(Ok(config)) => input.config = config.input_json(),
            Some(Err(config_errors)) => errors.extend(
                config_errors
                    .into_iter()
                    .map(|e| crate::finding::InputError::at(&e.file, e.line, e.column, e.message)),
            ),
            None => {}
        }
        errors.extend(repo.errors);
        errors.extend(model_errors);
        docs.push(input);
    }
    for e in &errors {
        eprintln!("error: {e}");
    }
    let mut text = serde_json::to_string_pretty(&docs).unwrap_or_default();
    text.push('\n');
    match write_output(None, &text) {
        Ok(()) if errors.is_empty() => EXIT_OK,
        Ok(()) => EXIT_ERROR,
        Err(code) => code,
    }
}

/// `shiplint explain RULE`: the rule's page (built-in rules) or its metadata (user rules).
fn explain_command(args: ExplainArgs) -> u8 {
    let policies = match load_policies_with(&args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let Some(rule) = policies.rule(&args.rule) else {
        let mut ids: Vec<&str> = policies.rules().iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        eprintln!(
            "error: unknown rule `{}` (`shiplint rules` lists them: {})",
            args.rule,
            ids.join(", ")
        );
        return EXIT_ERROR;
    };
    let page = match crate::policy::rule_doc(&rule.id).filter(|_| rule.builtin) {
        Some(page) => page.to_string(),
        None => {
            let mut s = format!("# {}\n\n{}\n\n", rule.id, rule.title);
            s.push_str(&format!(
                "severity: {}\nneeds: {}\ntags: {}\nsource: {}\n\n",
                rule.severity,
                if rule.online { "settings" } else { "files" },
                rule.tags.join(", "),
                rule.source
            ));
            s.push_str(&format!(
                "## Why\n\n{}\n\n## Fix\n\n{}\n",
                rule.description, rule.remediation
            ));
            s
        }
    };
    match write_output(None, &page) {
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

/// `shiplint test-policies DIR`: every `test_*` rule of DIR's Rego files, against the
/// built-ins plus DIR's own modules. One line per test, then `N passed, N failed`.
fn test_policies_command(args: TestPoliciesArgs) -> u8 {
    let policies = match load_policies() {
        Ok(p) => p,
        Err(code) => return code,
    };
    let results = match policies.run_tests_in(&args.dir) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: policy {e}");
            return EXIT_ERROR;
        }
    };
    let mut text = String::new();
    let mut failed = 0;
    for r in &results {
        match &r.failure {
            None => text.push_str(&format!("PASS {}: {}\n", r.file, r.name)),
            Some(why) => {
                failed += 1;
                text.push_str(&format!("FAIL {}: {}: {why}\n", r.file, r.name));
            }
        }
    }
    text.push_str(&format!(
        "{} passed, {failed} failed\n",
        results.len() - failed
    ));
    match write_output(None, &text) {
        Ok(()) if failed > 0 => EXIT_FINDINGS,
        Ok(()) => EXIT_OK,
        Err(code) => code,
    }
}

/// `shiplint baseline -o FILE`: records the findings `audit` would report today.
fn baseline_command(args: BaselineArgs) -> u8 {
    let policies = match load_policies_with(&args.setup.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let opts = audit_options(&args.paths, args.max_file_size, args.offline, &args.setup);
    let report = audit::audit_paths(&policies, &opts);
    let color = use_color(ColorChoice::Auto, std::io::stderr().is_terminal());
    eprint!("{}", report::human::render_config_errors(&report, color));
    eprint!("{}", report::human::render_errors(&report));
    eprint!("{}", report::human::render_notices(&report));
    if exit_code(&report, FailOn::Never) == EXIT_ERROR {
        eprintln!("error: baseline not written: fix the errors above first");
        return EXIT_ERROR;
    }
    if let Err(code) = write_output(
        Some(&args.output),
        &Baseline::of(&report.findings).to_json(),
    ) {
        return code;
    }
    eprintln!(
        "shiplint: baseline of {} written to {}",
        report::plural(report.findings.len(), "finding", "findings"),
        display(&args.output)
    );
    EXIT_OK
}

fn display(p: &Path) -> String {
    crate::discover::display_path(p)
}
