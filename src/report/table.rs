//! The table for people: one row per target with its verdict, transport, revision, server, tools,
//! time to a ready session (spawn or first request to established, detection included) and liveness; the reasons of anything not OK; stderr context for failed stdio servers; a summary line.
//! Every piece of server-supplied text goes through `term::sanitize`.

use super::Report;
use crate::status::Status;
use crate::term::sanitize;
use comfy_table::{Cell, Color, ColumnConstraint, ContentArrangement, Table, presets};
use owo_colors::OwoColorize;
use std::io::Write;

#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    pub color: bool,
    pub width: Option<u16>,
}

fn status_color(s: Status) -> Color {
    match s {
        Status::Ok => Color::Green,
        Status::Warn => Color::Yellow,
        Status::Crit => Color::Red,
        Status::Unknown => Color::Magenta,
    }
}

/// The table's short transport names (JSON keeps the stable ones: `streamable_http`).
fn short_wire(w: crate::mcp::transport::Wire) -> &'static str {
    match w {
        crate::mcp::transport::Wire::Stdio => "stdio",
        crate::mcp::transport::Wire::StreamableHttp => "http",
        crate::mcp::transport::Wire::Sse => "sse",
    }
}

fn colored_cell(text: &str, s: Status, color: bool) -> Cell {
    let cell = Cell::new(text);
    if color {
        cell.fg(status_color(s))
    } else {
        cell
    }
}

/// A status label in bold colour for lines outside the table.
fn paint(label: &str, s: Status, color: bool) -> String {
    if !color {
        return label.to_string();
    }
    match s {
        Status::Ok => label.green().bold().to_string(),
        Status::Warn => label.yellow().bold().to_string(),
        Status::Crit => label.red().bold().to_string(),
        Status::Unknown => label.magenta().bold().to_string(),
    }
}

fn fmt_ms(d: Option<std::time::Duration>) -> String {
    match d {
        Some(d) => {
            let ms = d.as_secs_f64() * 1000.0;
            if ms >= 1000.0 {
                format!("{:.2} s", ms / 1000.0)
            } else {
                format!("{ms:.1} ms")
            }
        }
        None => "—".into(),
    }
}

pub fn render(report: &Report, opts: TableOptions, out: &mut dyn Write) -> std::io::Result<()> {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    if opts.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    if let Some(w) = opts.width {
        table
            .set_width(w)
            .set_content_arrangement(ContentArrangement::Dynamic);
    }
    table.set_header([
        "TARGET",
        "STATUS",
        "TRANSPORT",
        "REVISION",
        "SERVER",
        "TOOLS",
        "READY",
        "LIVENESS",
    ]);
    // Short facts never wrap; the server name takes what width is left.
    for i in [0, 1, 2, 3, 5, 6, 7] {
        if let Some(col) = table.column_mut(i) {
            col.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    for obs in &report.observations {
        let st = report.target_status(&obs.target);
        let m = &obs.mcp;
        let server = m
            .server
            .as_ref()
            .map(|s| sanitize(format!("{} {}", s.name, s.version).trim()))
            .unwrap_or_else(|| "—".into());
        let tools = match &m.tools {
            Some(Ok(t)) => t.len().to_string(),
            Some(Err(_)) => "error".into(),
            None if obs.failure.is_none() => "0".into(),
            None => "—".into(),
        };
        let liveness = match &m.liveness {
            Some((_, Ok(d))) => fmt_ms(Some(*d)),
            Some((_, Err(_))) => "failed".into(),
            None => "—".into(),
        };
        table.add_row(vec![
            Cell::new(sanitize(&obs.target)),
            colored_cell(st.label(), st, opts.color),
            Cell::new(m.wire.map(short_wire).unwrap_or("—")),
            Cell::new(
                m.revision
                    .as_deref()
                    .map(sanitize)
                    .unwrap_or_else(|| "—".into()),
            ),
            Cell::new(server),
            Cell::new(tools),
            Cell::new(fmt_ms(m.ready)),
            Cell::new(liveness),
        ]);
    }
    writeln!(out, "{table}")?;
    // What is not OK, one line each under the table (a table cell is too narrow for a reason).
    for f in report.findings.iter().filter(|f| f.status != Status::Ok) {
        let label = paint(f.status.label(), f.status, opts.color);
        let reason = f.reason.map(|r| format!("{r}: ")).unwrap_or_default();
        writeln!(
            out,
            "{label} {} {}: {reason}{}",
            sanitize(&f.target),
            f.check,
            sanitize(&f.message)
        )?;
    }
    for obs in &report.observations {
        if obs.failure.is_some() && !obs.mcp.stderr_tail.is_empty() {
            writeln!(out, "stderr of {} (last lines):", sanitize(&obs.target))?;
            let tail = &obs.mcp.stderr_tail;
            for line in &tail[tail.len().saturating_sub(5)..] {
                writeln!(out, "  {}", sanitize(line))?;
            }
        }
    }
    let c = report.counts();
    let overall = report.status();
    let mut parts = vec![format!("{} OK", c.ok)];
    if c.warn > 0 {
        parts.push(format!("{} WARN", c.warn));
    }
    if c.crit > 0 {
        parts.push(format!("{} CRIT", c.crit));
    }
    if c.unknown > 0 {
        parts.push(format!("{} UNKNOWN", c.unknown));
    }
    let label = paint(overall.label(), overall, opts.color);
    let noun = if c.total() == 1 { "target" } else { "targets" };
    writeln!(out, "{label}: {} {noun}: {}", c.total(), parts.join(", "))
}
