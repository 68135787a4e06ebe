//! `shiplint explain RULE`: the rule's page (built-in rules) or its metadata (user rules).

use crate::error::Error;
use crate::exit::ExitStatus;
use crate::policy::RuleMeta;

use super::{output, setup, ExplainArgs};

pub fn run(args: ExplainArgs) -> Result<ExitStatus, Error> {
    let policies = setup::policies(&args.policy)?;
    let Some(rule) = policies.rule(&args.rule) else {
        let ids: Vec<&str> = policies.rules().iter().map(|r| r.id.as_str()).collect();
        let hint = crate::suggest::closest(&args.rule, &ids)
            .map(|id| format!("; did you mean `{id}`?"))
            .unwrap_or_default();
        return Err(Error::Usage(format!(
            "unknown rule `{}`{hint} (`shiplint rules` lists them all)",
            args.rule
        )));
    };
    let page = match crate::policy::rule_doc(&rule.id).filter(|_| rule.builtin) {
        Some(page) => page.to_string(),
        None => metadata_page(rule),
    };
    output::write(None, &page)?;
    Ok(ExitStatus::Clean)
}

/// A user rule's page, from its metadata.
fn metadata_page(rule: &RuleMeta) -> String {
    let mut s = format!("# {}\n\n{}\n\n", rule.id, rule.title);
    s.push_str(&format!(
        "severity: {}\nneeds: {}\ntags: {}\nsource: {}\n\n",
        rule.severity,
        rule.needs(),
        rule.tags.join(", "),
        rule.source
    ));
    s.push_str(&format!(
        "## Why\n\n{}\n\n## Fix\n\n{}\n",
        rule.description, rule.remediation
    ));
    s
}
