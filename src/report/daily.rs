//! The daily summary for people: a terminal report (sections, colours, an hourly latency sparkline per
//! target) and the same as Markdown (for an email, a chat message or a wiki). Machine formats go
//! through the ordinary findings (`json`, `prometheus`); CSV has its own rows (`csv.rs`).

use super::fit::write_wrapped;
use super::table::{TableOptions, paint};
use crate::model::Status;
use crate::rules::daily::Day;
use crate::rules::summary::{SeriesDay, clock};

use crate::term::sanitize;
use std::io::Write;

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct Daily {
    pub title: String,
    /// The period: `[start, end)`.
    pub start: chrono::DateTime<chrono::Utc>,
    pub end: chrono::DateTime<chrono::Utc>,
    pub days: Vec<SeriesDay>,
    pub previous: Vec<SeriesDay>,
    /// What the day comes to (`rules::daily::judge`): score, deductions, goals, recommendations, the
    /// system and alerts lines.
    pub day: Day,
}

use super::sparkline;

fn opt(v: Option<f64>, unit: &str) -> String {
    v.map(|v| format!("{v:.1}{unit}"))
        .unwrap_or_else(|| "–".into())
}

fn trend(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(n), Some(b)) if b > 0.0 => format!("{:+.0} %", (n - b) / b * 100.0),
        _ => "–".into(),
    }
}

fn dur(s: f64) -> String {
    crate::model::human::span_secs(s.max(0.0))
}

/// Renders the report; `markdown` picks Markdown tables and headings over terminal sections.
pub fn render(
    d: &Daily,
    markdown: bool,
    opts: TableOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let color = opts.color && !markdown;
    // Markdown is not fitted to a terminal; the terminal report's lines wrap under their first word
    let width = if markdown { None } else { opts.width };
    let bullet = if markdown { "- " } else { "  " };
    let item = |out: &mut dyn Write, text: &str| write_wrapped(out, bullet, text, width, 4);
    let h = |out: &mut dyn Write, title: &str| -> std::io::Result<()> {
        if markdown {
            writeln!(out, "\n## {title}\n")
        } else {
            writeln!(out, "\n{title}")
        }
    };
    let score_word = match d.day.status {
        Status::Ok => "good",
        Status::Warn => "degraded",
        Status::Crit => "poor",
        Status::Unknown => "no data",
    };
    let versus = d
        .day
        .previous_score
        .map(|p| format!(" (previous: {p:.0}, {:+.0})", d.day.score - p))
        .unwrap_or_default();
    // no data, no score: a day nobody recorded is not a perfect day
    let score = match d.day.status {
        Status::Unknown => "–".to_string(),
        _ => format!("{:.0}", d.day.score),
    };
    if markdown {
        writeln!(out, "# {}\n", d.title)?;
        writeln!(out, "**Health score: {score}/100** — {score_word}{versus}")?;
    } else {
        write_wrapped(out, "", &d.title, width, 2)?;
        let text = format!(
            "{}/100 — {score_word}{versus}",
            paint(&score, d.day.status, color)
        );
        write_wrapped(out, "Health score: ", &text, width, 2)?;
    }
    if let Some(sys) = &d.day.system {
        h(out, "System status")?;
        item(out, sys)?;
        if let Some(a) = &d.day.alerts {
            item(out, a)?;
        }
    }
    if d.days.is_empty() {
        writeln!(out)?;
        write_wrapped(
            out,
            "",
            "No history in this window: nothing to score (run `mcpmon record`; with no --date the window is yesterday, `--since 24h` is the last 24 hours).",
            width,
            2,
        )?;
        return Ok(());
    }

    let window_s = (d.end - d.start).num_milliseconds() as f64 / 1000.0;
    h(out, "Availability")?;
    if markdown {
        // the 24 bars are the hours of a day, or 24 even stretches of a longer period
        let bars = if window_s > 25.0 * 3600.0 {
            "latency over the period"
        } else {
            "latency by hour"
        };
        writeln!(
            out,
            "| target | probe | available | observed | not recorded | outages | p50 | p95 | p99 | p95 vs before | {bars} |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|")?;
    }
    for s in &d.days {
        let before = d
            .previous
            .iter()
            .find(|p| p.target == s.target && p.kind == s.kind);
        let avail = opt(s.availability(), " %");
        let cells = [
            sanitize(&s.target),
            s.kind.clone(),
            avail,
            dur(s.observed_s),
            dur(s.unknown_s),
            s.outages.len().to_string(),
            opt(s.p50, " ms"),
            opt(s.p95, " ms"),
            opt(s.p99, " ms"),
            trend(s.p95, before.and_then(|b| b.p95)),
            sparkline(&s.hourly),
        ];
        if markdown {
            writeln!(out, "| {} |", cells.join(" | "))?;
        } else {
            let st = match s.availability() {
                Some(a) if a >= 99.9 => Status::Ok,
                Some(a) if a >= 99.0 => Status::Warn,
                Some(_) => Status::Crit,
                None => Status::Unknown,
            };
            let text = format!(
                "{} ({}): {} available over {} observed ({} not recorded), {}; latency p50 {} p95 {} p99 {} (p95 {} vs before)  {}",
                paint(&cells[0], st, color),
                cells[1],
                cells[2],
                cells[3],
                cells[4],
                crate::model::human::count(s.outages.len(), "outage", "outages"),
                cells[6],
                cells[7],
                cells[8],
                cells[9],
                cells[10]
            );
            item(out, &text)?;
        }
    }

    let outages: Vec<String> = d
        .days
        .iter()
        .flat_map(|s| {
            s.outages.iter().map(move |o| {
                format!(
                    "{} ({}): {} – {} UTC, {}",
                    sanitize(&s.target),
                    s.kind,
                    clock(o.start, window_s),
                    clock(o.end, window_s),
                    dur((o.end - o.start).num_milliseconds() as f64 / 1000.0)
                )
            })
        })
        .collect();
    let mut events: Vec<String> = Vec::new();
    for s in &d.days {
        if !s.reasons.is_empty() {
            let r: Vec<String> = s.reasons.iter().map(|(k, v)| format!("{k} {v}")).collect();
            events.push(format!(
                "{}: errors by reason: {}",
                sanitize(&s.target),
                r.join(", ")
            ));
        }
        if !s.restarts.is_empty() {
            events.push(format!(
                "{}: {}",
                sanitize(&s.target),
                crate::model::human::counted(s.restarts.len(), "restart")
            ));
        }
        if !s.tool_changes.is_empty() {
            events.push(format!(
                "{}: tool list changed: {}",
                sanitize(&s.target),
                s.tool_changes.join(" ")
            ));
        }
        if s.cpu.n > 0 || s.memory.n > 0 {
            events.push(format!(
                "{}: CPU min/avg/max {:.1}/{}/{:.1} %, memory {:.1}/{}/{:.1} % of the host",
                sanitize(&s.target),
                s.cpu.min,
                opt(s.cpu.mean(), ""),
                s.cpu.max,
                s.memory.min,
                opt(s.memory.mean(), ""),
                s.memory.max
            ));
        }
    }
    if !outages.is_empty() || !events.is_empty() {
        h(out, "Incidents and changes")?;
        for line in outages.iter().map(|o| format!("outage: {o}")).chain(events) {
            item(out, &line)?;
        }
    }

    h(out, "Goals")?;
    if markdown {
        writeln!(out, "| metric | target | value | |")?;
        writeln!(out, "|---|---|---|---|")?;
    }
    for g in &d.day.goals {
        let value = g.shown();
        let (word, st) = match g.met {
            Some(true) => ("met", Status::Ok),
            Some(false) => ("missed", Status::Warn),
            None => ("no data", Status::Unknown),
        };
        if markdown {
            writeln!(out, "| {} | {} | {value} | {word} |", g.name, g.target)?;
        } else {
            let text = format!(
                "{} {} {} (now {value})",
                paint(word, st, color),
                g.name,
                g.target
            );
            item(out, &text)?;
        }
    }

    h(out, "Score")?;
    if d.day.deductions.is_empty() {
        item(out, "no deductions: 100")?;
    }
    for x in &d.day.deductions {
        let text = format!("-{:.1} {}: {}", x.points, x.rule, sanitize(&x.evidence));
        item(out, &text)?;
    }

    if !d.day.recommendations.is_empty() {
        h(out, "Recommendations")?;
        for r in &d.day.recommendations {
            item(out, &sanitize(r))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_and_marks_missing_hours() {
        assert_eq!(sparkline(&[Some(1.0), None, Some(8.0), Some(4.5)]), "▁·█▅");
        assert_eq!(sparkline(&[Some(3.0), Some(3.0)]), "▁▁");
    }
}
