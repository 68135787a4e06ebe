//! One entry point for every output format: [`render`] turns a report into the texts to
//! write and the warnings for standard error. Adding a format means a variant here, its
//! module beside this one, and nothing outside `report/` and `cli/`.

use crate::audit::AuditReport;
use crate::policy::RuleMeta;

use super::human::{self, HumanOptions};

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with snippets (miette).
    Human,
    /// One line per finding: `file:line:col: severity[rule] message`.
    Short,
    /// One stable JSON object (docs/output.md).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning (docs/ci.md).
    Sarif,
    /// GitHub Actions workflow commands: annotations on the changed files.
    Github,
    /// A job summary: counts, a findings table and the pipeline graph (Mermaid).
    Markdown,
    /// One row per finding, for spreadsheets.
    Csv,
    /// One self-contained HTML page: the compliance matrix and every finding.
    Html,
}

impl Format {
    /// Whether the format draws or carries the pipeline graph (so the audit computes it).
    /// Markdown draws it; the JSON of a sweep (`sweep`) carries it, as the shards that
    /// `shiplint merge` combines. The JSON of other audits leaves it out: classifying the
    /// jobs costs about as much as the rules themselves, and nothing reads it there.
    pub fn uses_graph(self, sweep: bool) -> bool {
        self == Format::Markdown || (self == Format::Json && sweep)
    }

    /// Whether the format shows file snippets (so the audit keeps file texts).
    pub fn shows_snippets(self) -> bool {
        self == Format::Human
    }
}

/// How to present.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// The rules of the run (SARIF lists every rule that can fire).
    pub rules: &'a [RuleMeta],
    /// Colour in the report (human format).
    pub color: bool,
    /// Colour in the warnings (standard error).
    pub warnings_color: bool,
    /// List the findings that ignores silenced.
    pub show_ignored: bool,
    /// End the human report with the per-repository summary table (sweeps, merges).
    pub org_table: bool,
    /// SARIF as files of at most 20 runs each (GitHub's limit), for writing to disk.
    pub split_sarif: bool,
}

/// What a report renders to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The texts to write: one, or several SARIF files when split.
    pub outputs: Vec<String>,
    /// What standard error should show (the human format's errors and notices).
    pub warnings: String,
}

/// Renders `report` in `format`.
pub fn render(format: Format, report: &AuditReport, opts: &RenderOptions) -> Rendered {
    let mut warnings = String::new();
    let output = match format {
        Format::Human => {
            warnings.push_str(&human::render_config_errors(report, opts.warnings_color));
            warnings.push_str(&human::render_errors(report));
            warnings.push_str(&human::render_notices(report));
            let mut text = human::render(
                report,
                HumanOptions {
                    color: opts.color,
                    width: 100,
                    show_ignored: opts.show_ignored,
                },
            );
            if opts.org_table {
                text.push_str(&super::table::render(report));
            }
            text
        }
        Format::Short => super::short::render(report, opts.show_ignored),
        Format::Json => super::json::render(report),
        Format::Sarif if opts.split_sarif => {
            return Rendered {
                outputs: super::sarif::render_files(report, opts.rules),
                warnings,
            }
        }
        Format::Sarif => super::sarif::render(report, opts.rules),
        Format::Github => super::github::render(report),
        Format::Markdown => super::markdown::render(report),
        Format::Csv => super::csv::render(report),
        Format::Html => super::html::render(report),
    };
    Rendered {
        outputs: vec![output],
        warnings,
    }
}
