//! The trace as a GitHub job summary: one table row per environment (latest commit,
//! when and by which run, when it reached the earlier environments, build and scan),
//! then the history findings.

use std::fmt::Write as _;

use super::{builds, environments, short, verdict, ChecksView, EnvironmentView};
use crate::audit::history::Trace;
use crate::audit::AuditReport;
use crate::finding::{Location, Severity};
use crate::history::time;
use crate::report::markdown::{cell, code};

fn mark(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "✅",
        Some(false) => "❌",
        None => "➖",
    }
}

fn earlier(v: &EnvironmentView) -> String {
    if v.earlier.is_empty() {
        return "—".into();
    }
    v.earlier
        .iter()
        .map(|e| match e.reached_at {
            Some(t) => format!("{} ✅ {} UTC", e.environment, time::short(t)),
            None => match e.same_tree {
                Some(t) => format!(
                    "{} ❌ never (same tree as `{}`, rebuilt)",
                    e.environment,
                    short(&t.sha)
                ),
                None => format!("{} ❌ never", e.environment),
            },
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

fn checks(c: &Option<ChecksView>) -> (String, String) {
    match c {
        Some(ChecksView::Read { build, scan }) => {
            let (b, ok) = verdict("build", build);
            let mut b = format!("{} {b}", mark(ok));
            if let Some(n) = builds(build) {
                b.push_str(&format!("<br>{n}"));
            }
            let (s, ok) = verdict("scan", scan);
            (b, format!("{} {s}", mark(ok.or(Some(false)))))
        }
        Some(ChecksView::Unreadable { error }) => {
            let t = format!("❔ check runs could not be read ({error})");
            (t.clone(), t)
        }
        Some(ChecksView::NotRead) => ("❔ not read".into(), "❔ not read".into()),
        None => ("—".into(), "—".into()),
    }
}

fn row(out: &mut String, v: &EnvironmentView) {
    let name = match v.stage {
        Some(_) => format!("**{}**", v.name),
        None => format!("{} (not in the order)", v.name),
    };
    let Some(d) = v.latest else {
        let _ = writeln!(
            out,
            "| {name} | no successful deployment ({} in the window) | — | — | — | — | — |",
            v.deployments
        );
        return;
    };
    let at = d.succeeded_at.as_deref().unwrap_or(&d.created_at);
    let run = d
        .run
        .as_ref()
        .map_or("—".to_string(), |r| format!("[{}]({})", r.id, r.url));
    let (build, scan) = checks(&v.checks);
    let _ = writeln!(
        out,
        "| {name} | `{}` | {} UTC | {run} | {} | {} | {} |",
        short(&d.sha),
        time::short(at),
        earlier(v),
        cell(&build),
        cell(&scan)
    );
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🔴 error",
        Severity::Warning => "🟠 warning",
        Severity::Note => "🔵 note",
    }
}

/// The trace and the history findings of `report`.
pub fn render(trace: &Trace, report: &AuditReport) -> String {
    let record = &trace.record;
    let mut out = format!(
        "## Deployments of {}\n\n{} UTC to {} UTC · promotion {}\n\n",
        code(&trace.repository),
        time::short(&record.since),
        time::short(&record.until),
        record.order.join(" → ")
    );
    if !record.readable {
        let why = record.error.as_deref().unwrap_or("not readable");
        let _ = writeln!(
            out,
            "> [!WARNING]\n> The deployment history could not be read: {}\n",
            cell(why)
        );
    }
    let views = environments(trace);
    if !views.is_empty() {
        out.push_str(
            "| Environment | Commit | Deployed | Run | Earlier environments | Build | Scan |\n",
        );
        out.push_str("|---|---|---|---|---|---|---|\n");
        for v in &views {
            row(&mut out, v);
        }
        out.push('\n');
    }
    if report.findings.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    out.push_str("| Severity | Rule | Where | Message |\n|---|---|---|---|\n");
    for f in &report.findings {
        let place = match &f.location {
            Location::Setting(s) => code(s),
            Location::File(at) => code(&format!("{}:{}", at.file, at.line)),
        };
        let _ = writeln!(
            out,
            "| {} | [{}]({}) | {place} | {} |",
            icon(f.severity),
            code(&f.rule),
            crate::report::safe_link(&f.doc_url).unwrap_or(""),
            cell(&f.message)
        );
    }
    out
}
