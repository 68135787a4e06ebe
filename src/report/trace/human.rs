//! The trace for a terminal: a small table per environment, marks coloured as the audit
//! colours severities (red for what is wrong, yellow for what is unknown, green for a
//! pass), then the history findings as the audit renders them.

use std::fmt::Write as _;

use super::{builds, environments, short, verdict, ChecksView, EnvironmentView};
use crate::audit::history::Trace;
use crate::audit::AuditReport;
use crate::history::time;
use crate::report::human::{self as audit_human, HumanOptions};

/// ANSI colours, or none.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn good(self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn bad(self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn unknown(self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }
}

/// A mark and its text: ✓ for a pass, ✗ for a miss, ? for unknown, – for nothing to say.
fn marked(p: Paint, ok: Option<bool>, text: &str) -> String {
    match ok {
        Some(true) => format!("{} {text}", p.good("✓")),
        Some(false) => format!("{} {}", p.bad("✗"), p.bad(text)),
        None => format!("– {text}"),
    }
}

fn row(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "  {key:<12}{value}");
}

fn header(p: Paint, v: &EnvironmentView) -> String {
    let name = p.bold(v.name);
    match (v.stage, v.previous) {
        (None, _) => format!("{name}  (not in the promotion order: not judged)"),
        (Some(_), []) => name,
        (Some(_), previous) => format!("{name}  ← {}", previous.join(", ")),
    }
}

fn checks_rows(out: &mut String, p: Paint, checks: &ChecksView) {
    match checks {
        ChecksView::Read { build, scan } => {
            let (text, ok) = verdict("build", build);
            let mut line = marked(p, ok, &text);
            if let Some(n) = builds(build) {
                let n = if build.successes > 1 {
                    p.unknown(&n)
                } else {
                    n
                };
                line.push_str(&format!(" · {n}"));
            }
            row(out, "build", &line);
            let (text, ok) = verdict("scan", scan);
            let ok = ok.or(Some(false));
            row(out, "scan", &marked(p, ok, &text));
        }
        ChecksView::Unreadable { error } => {
            let text = format!("? check runs could not be read ({error})");
            row(out, "checks", &p.unknown(&text));
        }
        ChecksView::NotRead => row(out, "checks", &p.unknown("? check runs not read")),
    }
}

fn environment(out: &mut String, p: Paint, v: &EnvironmentView, since: &str) {
    let _ = writeln!(out, "{}", header(p, v));
    let Some(latest) = v.latest else {
        let what = match (v.deployments, v.successful) {
            (0, _) => format!("no deployment since {}", time::short(since)),
            (n, _) => format!(
                "{} since {}, none successful",
                crate::report::plural(n, "deployment", "deployments"),
                time::short(since)
            ),
        };
        row(out, "latest", &what);
        out.push('\n');
        return;
    };
    let at = latest.succeeded_at.as_deref().unwrap_or(&latest.created_at);
    let from = if latest.git_ref.is_empty() {
        String::new()
    } else {
        format!(" from {}", latest.git_ref)
    };
    let latest_line = format!(
        "{}  {} UTC{from}",
        p.bold(short(&latest.sha)),
        time::short(at)
    );
    row(out, "latest", &latest_line);
    if let Some(run) = &latest.run {
        row(out, "run", &run.url);
    }
    for e in &v.earlier {
        let text = match e.reached_at {
            Some(t) => marked(p, Some(true), &format!("{} UTC", time::short(t))),
            None => match e.same_tree {
                Some(t) => marked(
                    p,
                    Some(false),
                    &format!(
                        "never: the same tree as {} (deployed {} UTC), rebuilt under a new commit",
                        short(&t.sha),
                        time::short(&t.succeeded_at)
                    ),
                ),
                None => marked(p, Some(false), "never"),
            },
        };
        row(out, e.environment, &text);
    }
    if let Some(checks) = &v.checks {
        checks_rows(out, p, checks);
    }
    let mut window = format!(
        "{}, {} successful",
        crate::report::plural(v.deployments, "deployment", "deployments"),
        v.successful
    );
    if v.truncated {
        window.push_str(&p.unknown(" (more were not read)"));
    }
    row(out, "window", &window);
    out.push('\n');
}

/// The trace and the history findings of `report` (its findings are the history ones).
pub fn render(trace: &Trace, report: &AuditReport, color: bool) -> String {
    let p = Paint(color);
    let record = &trace.record;
    let mut out = format!(
        "Deployments of {} from {} UTC to {} UTC · promotion {}\n\n",
        p.bold(&trace.repository),
        time::short(&record.since),
        time::short(&record.until),
        record.order.join(" → ")
    );
    if !record.readable {
        let why = record.error.as_deref().unwrap_or("not readable");
        let _ = writeln!(
            out,
            "{}\n",
            p.bad(&format!("the deployment history could not be read: {why}"))
        );
    } else if record.environments.is_empty() {
        out.push_str("the repository has no environments\n\n");
    }
    for v in environments(trace) {
        environment(&mut out, p, &v, &record.since);
    }
    if let Some(e) = &trace.pipeline_error {
        let _ = writeln!(
            out,
            "{}\n",
            p.unknown(&format!("the pipeline's checks could not be matched: {e}"))
        );
    }
    let opts = HumanOptions {
        color,
        width: 100,
        show_ignored: false,
    };
    out.push_str(&audit_human::diagnostics(report, opts));
    out.push_str(&summary(report));
    out
}

fn summary(report: &AuditReport) -> String {
    let c = crate::report::Counts::of(report);
    if c.errors + c.warnings + c.notes == 0 {
        return "shiplint trace: no findings\n".to_string();
    }
    let mut parts = vec![crate::report::plural(c.errors, "error", "errors")];
    if c.warnings > 0 {
        parts.push(crate::report::plural(c.warnings, "warning", "warnings"));
    }
    if c.notes > 0 {
        parts.push(crate::report::plural(c.notes, "note", "notes"));
    }
    format!("shiplint trace: {}\n", parts.join(", "))
}
