//! Runs a parsed command line and decides the exit code.
//!
//! Exit codes: 0 nothing at or above `--fail-on`; 1 there is such a finding; 2 a usage,
//! config, policy or input error (findings from the other inputs are still reported);
//! 3 the GitHub API could not be reached or refused.

use std::io::{IsTerminal, Write};

use crate::audit::{self, AuditOptions, AuditReport};
use crate::cli::{AuditArgs, Cli, ColorChoice, Command, FailOn, Format, InputArgs, RulesArgs};
use crate::discover::DiscoverOptions;
use crate::finding::Severity;
use crate::policy::PolicySet;
use crate::report::{self, human::HumanOptions};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Audit(args) => audit_command(args),
        Command::Rules(args) => rules_command(args),
        Command::Input(args) => input_command(args),
    }
}

fn load_policies() -> Result<PolicySet, u8> {
    PolicySet::builtin().map_err(|e| {
        eprintln!("error: built-in policy {e}");
        EXIT_ERROR
    })
}

/// The exit code an audit deserves.
pub fn exit_code(report: &AuditReport, fail_on: FailOn) -> u8 {
    if !report.errors.is_empty() || !report.policy_errors.is_empty() {
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
    let policies = match load_policies() {
        Ok(p) => p,
        Err(code) => return code,
    };
    let opts = AuditOptions {
        paths: args.paths.clone(),
        discover: DiscoverOptions {
            max_file_size: args.max_file_size,
        },
        offline: args.offline,
    };
    let report = audit::audit_paths(&policies, &opts);
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let rendered = match args.format {
        Format::Human => {
            let errors = report::human::render_errors(&report);
            if !errors.is_empty() {
                eprint!("{errors}");
            }
            report::human::render(
                &report,
                HumanOptions {
                    color: use_color(args.color, to_terminal),
                    width: 100,
                },
            )
        }
        Format::Json => report::json::render(&report),
        Format::Sarif => report::sarif::render(&report, policies.rules()),
        Format::Github => report::github::render(&report),
        Format::Markdown => report::markdown::render(&report, &policies, &opts),
    };
    if let Err(code) = write_output(args.output.as_deref(), &rendered) {
        return code;
    }
    exit_code(&report, args.fail_on)
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
    let policies = match load_policies() {
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
    let (found, mut errors) = crate::discover::discover(&args.paths, &DiscoverOptions::default());
    let mut docs = Vec::new();
    for repo_files in found {
        let repo = crate::source::local::load(repo_files);
        let (input, model_errors) = crate::model::build_input(&repo);
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
