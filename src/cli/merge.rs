//! `shiplint merge FILE...`: JSON reports (the shards of a sweep) combined into one, in
//! any format. The JSON reports carry each repository's pipeline graph, so a merged
//! markdown report draws them too.

use std::io::IsTerminal;

use crate::audit::AuditReport;
use crate::discover::display_path;
use crate::error::{Error, ReportInput};
use crate::exit::ExitStatus;
use crate::report::{self, RenderOptions};

use super::output::{self, use_color};
use super::{setup, stderr, ColorChoice, MergeArgs};

pub fn run(args: MergeArgs) -> Result<ExitStatus, Error> {
    let mut merged = AuditReport::default();
    for path in &args.files {
        let doc = read_report(path).map_err(|source| Error::Merge {
            path: display_path(path),
            source,
        })?;
        merged.combine(doc);
    }
    merged.sort();
    if let Some(min) = args.min_severity {
        merged.hide_below(min.severity());
    }
    // SARIF lists the rules that can fire.
    let policies = setup::builtin_policies()?;
    let out = args.output.as_deref();
    let opts = RenderOptions {
        rules: policies.rules(),
        color: use_color(ColorChoice::Auto, output::report_to_terminal(out)),
        warnings_color: use_color(ColorChoice::Auto, std::io::stderr().is_terminal()),
        show_ignored: false,
        org_table: true,
        split_sarif: false,
    };
    let mut rendered = report::render(args.format, &merged, &opts);
    let problems = stderr::problems(args.format, &merged, opts.warnings_color);
    rendered.warnings.push_str(&problems);
    output::write_rendered(args.format, &rendered, out)?;
    eprint!("{}", stderr::summary(args.format, &merged, out.is_some()));
    Ok(super::exit_status(&merged, args.fail_on))
}

/// One `--format json` report from disk.
fn read_report(path: &std::path::Path) -> Result<AuditReport, ReportInput> {
    let text = std::fs::read_to_string(path)?;
    let doc: serde_json::Value = serde_json::from_str(&text)?;
    Ok(report::load::from_json(&doc)?)
}
