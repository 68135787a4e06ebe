//! `shiplint merge FILE...`: JSON reports (the shards of a sweep) combined into one, in
//! any format. The JSON reports carry each repository's pipeline graph, so a merged
//! markdown report draws them too.

use std::io::IsTerminal;

use crate::audit::AuditReport;
use crate::discover::display_path;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::report::{self, RenderOptions};

use super::output::{self, use_color};
use super::{setup, ColorChoice, MergeArgs};

pub fn run(args: MergeArgs) -> Result<ExitStatus, Error> {
    let mut merged = AuditReport::default();
    for path in &args.files {
        let doc = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
            .and_then(|doc| report::load::from_json(&doc))
            .map_err(|e| Error::Usage(format!("{}: {e}", display_path(path))))?;
        merged.combine(doc);
    }
    merged.sort();
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
    let rendered = report::render(args.format, &merged, &opts);
    output::write_rendered(args.format, &rendered, out)?;
    Ok(super::exit_status(&merged, args.fail_on))
}
