//! `shiplint test-policies DIR`: every `test_*` rule of DIR's Rego files, against the
//! built-ins plus DIR's own modules. One line per test, then `N passed, N failed`.

use crate::error::Error;
use crate::exit::ExitStatus;

use super::{output, setup, TestPoliciesArgs};

pub fn run(args: TestPoliciesArgs) -> Result<ExitStatus, Error> {
    let policies = setup::builtin_policies()?;
    let results = policies.run_tests_in(&args.dir).map_err(Error::Policy)?;
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
    output::write(None, &text)?;
    Ok(if failed > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    })
}
