//! `shiplint rules`: every rule, as a table or JSON.

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::policy::RuleMeta;

use super::{output, setup, Format, RulesArgs};

pub fn run(args: RulesArgs) -> Result<ExitStatus, Error> {
    let policies = setup::policies(&args.policy)?;
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(policies.rules()).unwrap_or_default();
            s.push('\n');
            s
        }
        _ => table(policies.rules()),
    };
    output::write(None, &text)?;
    Ok(ExitStatus::Clean)
}

/// `RULE  SEVERITY  NEEDS  TITLE`, one rule a line.
fn table(rules: &[RuleMeta]) -> String {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(4);
    let mut s = format!(
        "{:width$}  {:8}  {:8}  TITLE\n",
        "RULE", "SEVERITY", "NEEDS"
    );
    for r in rules {
        let needs = r.needs();
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
