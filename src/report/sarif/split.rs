//! `-o FILE` with more runs than GitHub takes in one upload: GitHub code scanning accepts at
//! most [`MAX_RUNS_PER_FILE`] runs per SARIF file, and an org sweep writes one or two runs per
//! repository, so the runs are split over several files (`org.sarif`, `org.2.sarif`, …)
//! that are uploaded one by one, instead of being cut as on standard output.

use std::path::{Path, PathBuf};

use serde_sarif::sarif::Sarif;

use super::{build, to_text, MAX_RUNS_PER_FILE};
use crate::audit::AuditReport;
use crate::policy::RuleMeta;

/// The SARIF documents for `-o FILE`: one per 20 runs (GitHub's limit per file), so an org
/// sweep of many repositories is uploaded as several files, none cut.
pub fn render_files(report: &AuditReport, rules: &[RuleMeta]) -> Vec<String> {
    let out = build(report, rules);
    for w in &out.warnings {
        eprintln!("{}", crate::escape::line(w));
    }
    let Sarif { runs, .. } = out.log.clone();
    runs.chunks(MAX_RUNS_PER_FILE)
        .map(|chunk| {
            let mut log = out.log.clone();
            log.runs = chunk.to_vec();
            to_text(&log)
        })
        .collect()
}

/// Where the `n`-th (0-based) SARIF file of a split report goes: the named file first, then
/// `name.2.sarif`, `name.3.sarif`, … beside it.
pub fn split_path(first: &Path, n: usize) -> PathBuf {
    if n == 0 {
        return first.to_path_buf();
    }
    let stem = first
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "shiplint".into());
    first.with_file_name(format!("{stem}.{}.sarif", n + 1))
}

#[cfg(test)]
mod tests {
    use super::super::render;
    use super::super::tests::{assert_schema_valid, repo, rule};
    use super::*;

    #[test]
    fn runs_beyond_githubs_limit_are_split_into_files_of_twenty() {
        let repos = (0..2 * MAX_RUNS_PER_FILE + 3)
            .map(|i| repo(&format!("r{i:02}"), false))
            .collect();
        let report = AuditReport {
            repos,
            ..AuditReport::default()
        };
        let rules = [rule("wf-rule", false)];
        assert_eq!(
            build(&report, &rules).log.runs.len(),
            2 * MAX_RUNS_PER_FILE + 3
        );
        let files = render_files(&report, &rules);
        let runs: Vec<usize> = files
            .iter()
            .map(|f| {
                let doc: serde_json::Value = serde_json::from_str(f).unwrap();
                assert_schema_valid(&doc);
                doc["runs"].as_array().unwrap().len()
            })
            .collect();
        assert_eq!(runs, [MAX_RUNS_PER_FILE, MAX_RUNS_PER_FILE, 3]);
        let last: serde_json::Value = serde_json::from_str(&files[2]).unwrap();
        assert_eq!(
            last["runs"][0]["automationDetails"]["id"],
            "shiplint/workflows/r40/"
        );
        let doc: serde_json::Value = serde_json::from_str(&render(&report, &rules)).unwrap();
        assert_eq!(doc["runs"].as_array().unwrap().len(), MAX_RUNS_PER_FILE);
        let p = Path::new("out/org.sarif");
        assert_eq!(split_path(p, 0), p);
        assert_eq!(split_path(p, 2), Path::new("out/org.3.sarif"));
    }
}
