//! The checklist form of a report (`validate`, `anomalies`): one line per check with ✓/⚠/✗, grouped
//! by section in a fixed order, then the verdict — the shape of the pre-flight and
//! anomaly scripts of MCP runbooks, with nothing hidden.

use super::Report;
use super::table::paint;
use crate::model::Status;

use crate::term::sanitize;
use std::io::Write;

/// `validate`'s section names in report order, with their headings.
pub const SECTIONS: [(&str, &str); 8] = [
    ("config", "Config and environment"),
    ("process", "Process health"),
    ("network", "Network"),
    ("api", "API health (hub)"),
    ("mcp", "MCP endpoint"),
    ("conformance", "Protocol conformance"),
    ("logs", "Logs"),
    ("resources", "Resource usage"),
];

fn mark(s: Status) -> &'static str {
    match s {
        Status::Ok => "✓",
        Status::Warn => "⚠",
        Status::Crit => "✗",
        Status::Unknown => "?",
    }
}

/// Renders the findings section by section (`sections`: key and heading, in order), then the verdict;
/// `ok_word` names an OK verdict when it is not the command's usual one.
pub fn render(
    report: &Report,
    sections: &[(&str, &str)],
    ok_word: Option<&str>,
    color: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let width = report
        .findings
        .iter()
        .map(|f| f.target.chars().count() + f.check.chars().count() + 1)
        .max()
        .unwrap_or(0)
        .min(48);
    for &(key, heading) in sections {
        let mut lines = report
            .findings
            .iter()
            .filter(|f| f.section == Some(key))
            .peekable();
        if lines.peek().is_none() {
            continue;
        }
        writeln!(out, "{heading}")?;
        for f in lines {
            let label = format!("{} {}", sanitize(&f.target), sanitize(&f.check));
            let reason = f.reason.map(|r| format!("{r}: ")).unwrap_or_default();
            writeln!(
                out,
                "  {} {label:<width$}  {reason}{}",
                paint(mark(f.status), f.status, color),
                sanitize(&f.message)
            )?;
        }
        writeln!(out)?;
    }
    let count = |s: Status| report.findings.iter().filter(|f| f.status == s).count();
    let (ok, warn, crit, unknown) = (
        count(Status::Ok),
        count(Status::Warn),
        count(Status::Crit),
        count(Status::Unknown),
    );
    let status = report.status();
    let word = match (report.command, status, ok_word) {
        (_, Status::Ok, Some(w)) => w,
        ("anomalies", Status::Ok, _) => "ALL CLEAR",
        ("anomalies", Status::Warn, _) => "MINOR ANOMALIES",
        ("anomalies", Status::Crit, _) => "CRITICAL",
        (_, Status::Ok, _) => "PASS",
        (_, Status::Warn, _) => "PASS WITH WARNINGS",
        (_, Status::Crit, _) => "FAIL",
        (_, Status::Unknown, _) => "INCOMPLETE",
    };
    // "7 of 11 checks passed, 2 warnings, 1 failed"; "1 of 1 checks passed"
    let mut parts = vec![format!("{ok} of {} checks passed", report.findings.len())];
    if warn > 0 {
        parts.push(crate::model::human::counted(warn, "warning"));
    }
    if crit > 0 {
        parts.push(format!("{crit} failed"));
    }
    if unknown > 0 {
        parts.push(format!("{unknown} not evaluated"));
    }
    writeln!(
        out,
        "Verdict: {} — {}",
        paint(word, status, color),
        parts.join(", ")
    )
}
