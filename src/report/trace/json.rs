//! The trace as one JSON object (docs/trace.md, "JSON"): the environments as every
//! format shows them, the whole record (`input.history`), the pipeline's checks of the
//! judged commits and the history findings. Fields are only added within a `version`.

use serde::Serialize;

use super::{environments, EnvironmentView};
use crate::audit::history::{CommitPipeline, Trace};
use crate::audit::AuditReport;
use crate::history::History;

/// The document's `version`: raised only when a field is renamed or removed.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    repository: &'a str,
    environments: Vec<EnvironmentView<'a>>,
    history: &'a History,
    pipeline: &'a std::collections::BTreeMap<String, CommitPipeline>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pipeline_error: Option<&'a str>,
    findings: Vec<serde_json::Value>,
}

/// The trace and the history findings of `report`, pretty-printed.
pub fn render(trace: &Trace, report: &AuditReport) -> String {
    let doc = Document {
        version: FORMAT_VERSION,
        repository: &trace.repository,
        environments: environments(trace),
        history: &trace.record,
        pipeline: &trace.pipeline,
        pipeline_error: trace.pipeline_error.as_deref(),
        findings: report
            .findings
            .iter()
            .map(crate::report::json::finding_json)
            .collect(),
    };
    let mut s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}
