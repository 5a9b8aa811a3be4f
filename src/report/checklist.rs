//! The checklist form of a report (`validate`, `anomalies`): one line per check with ✓/⚠/✗, grouped
//! by section in a fixed order, then the verdict — the shape of the pre-flight and
//! anomaly scripts of MCP runbooks, with nothing hidden.

use super::Report;
use super::fit;
use super::table::{TableOptions, paint};
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
    opts: TableOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let color = opts.color;
    let label =
        |f: &crate::model::Finding| format!("{} {}", sanitize(&f.target), sanitize(&f.check));
    // the labels' column: as wide as the widest (at most 48) when that leaves the messages 32 columns,
    // else a third of the width (a wider label then has a line of its own)
    let natural = report
        .findings
        .iter()
        .map(|f| fit::width(&label(f)))
        .max()
        .unwrap_or(0)
        .min(48);
    let lw = match opts.width.map(usize::from) {
        Some(w) if w < natural + 6 + 32 => natural.min(w / 3),
        _ => natural,
    };
    // where a message's next lines start: under its first, unless that leaves too little room
    let indent = match opts.width {
        Some(w) if usize::from(w) < lw + 6 + 24 => 6,
        _ => lw + 6,
    };
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
            let label = label(f);
            let reason = f.reason.map(|r| format!("{r}: ")).unwrap_or_default();
            let text = format!("{reason}{}", sanitize(&f.message));
            let mark = paint(mark(f.status), f.status, color);
            let wide = fit::width(&label);
            if opts.width.is_some() && wide > lw {
                // a label wider than its column: on a line of its own, the message under it
                fit::write_wrapped(out, &format!("  {mark} "), &label, opts.width, 4)?;
                fit::write_wrapped(out, &" ".repeat(indent), &text, opts.width, indent)?;
            } else {
                let pad = " ".repeat(lw.saturating_sub(wide));
                let lead = format!("  {mark} {label}{pad}  ");
                fit::write_wrapped(out, &lead, &text, opts.width, indent)?;
            }
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
    let text = format!("{} — {}", paint(word, status, color), parts.join(", "));
    fit::write_wrapped(out, "Verdict: ", &text, opts.width, 2)
}
