//! The findings as a Markdown table (for a chat message, an email or a wiki page). Server-supplied text
//! is sanitised and its `|` escaped so it cannot break the table. `alerts`' remediation events follow as a list.

use super::Report;
use crate::term::sanitize;
use std::io::Write;

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let cell = |s: &str| sanitize(s).replace('|', "\\|");
    writeln!(
        out,
        "**mcpmon {}: {}**\n\n| target | probe | check | status | message |\n|---|---|---|---|---|",
        report.command,
        report.status().as_str().to_uppercase()
    )?;
    for f in &report.findings {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&f.target),
            f.probe.as_str(),
            cell(&f.check),
            match &f.silenced {
                Some(x) => format!("silenced ({})", x.status.as_str()),
                None => f.status.as_str().to_string(),
            },
            cell(&f.message)
        )?;
    }
    // what mcpmon did about them (a remediation's outcome)
    let mut actions = report.actions().peekable();
    if actions.peek().is_some() {
        writeln!(out, "\n**Remediation**\n")?;
    }
    for e in actions {
        writeln!(
            out,
            "- `{}` {} {}: {}",
            e.event.as_str(),
            cell(&e.target),
            cell(&e.check),
            cell(&e.message)
        )?;
    }
    Ok(())
}
