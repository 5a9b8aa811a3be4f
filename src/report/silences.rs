//! `mcpmon silence add|list|rm` in every format: a table (ID, MATCHES, ENDS, LEFT, COMMENT), the JSON
//! document (`json::render_silences`), a Nagios line, Prometheus gauges, a Markdown table; and the
//! SILENCED lines `alerts` prints under its table. Pure: renders what it is given.

use super::fit::write_wrapped;
use super::{Format, Report};
use crate::model::{Finding, Silence};
use crate::term::sanitize;
use std::io::Write;

pub fn render(
    report: &Report,
    silences: &[Silence],
    format: Format,
    width: Option<u16>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let now = report.generated_at;
    let ends = |s: &Silence| s.ends_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let left = |s: &Silence| {
        let secs = (s.ends_at - now).num_seconds().max(0).unsigned_abs();
        crate::model::human::span(std::time::Duration::from_secs(secs))
    };
    let comment = |s: &Silence| sanitize(s.comment.as_deref().unwrap_or(""));
    match format {
        Format::Json => super::json::render_silences(report, silences, false, out),
        Format::Jsonl => super::json::render_silences(report, silences, true, out),
        Format::Csv => {
            let head = ["id", "matches", "starts_at", "ends_at", "comment"];
            super::csv::row(out, &head.map(String::from))?;
            for s in silences {
                let starts = s
                    .starts_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                super::csv::row(
                    out,
                    &[
                        s.id.clone(),
                        s.matches.clone(),
                        starts,
                        ends(s),
                        s.comment.clone().unwrap_or_default(),
                    ],
                )?;
            }
            Ok(())
        }
        Format::Table => {
            use super::fit::{Column, Give};
            let column = |header: &str, give: Give, flex: bool| Column {
                header: header.into(),
                give,
                flex,
            };
            // the comment gives way first (it is whole in every other format), then what it matches;
            // when even that is too wide, ENDS is left out (LEFT says it)
            let mut cols = vec![
                column("ID", Give::Keep, false),
                column("MATCHES", Give::Middle(12), false),
                column("ENDS", Give::Keep, false),
                column("LEFT", Give::Keep, false),
                column("COMMENT", Give::End(7), true),
            ];
            let mut rows: Vec<Vec<(String, Option<comfy_table::Color>)>> = silences
                .iter()
                .map(|s| {
                    [
                        s.id.clone(),
                        sanitize(&s.matches),
                        ends(s),
                        left(s),
                        comment(s),
                    ]
                    .map(|t| (t, None))
                    .to_vec()
                })
                .collect();
            if !super::fit::columns(&cols, &super::fit::texts(&rows), width).1 {
                cols.remove(2);
                rows.iter_mut().for_each(|r| {
                    r.remove(2);
                });
            }
            if !silences.is_empty() {
                let t = super::fit::table(&cols, &rows, width, false);
                writeln!(out, "{t}")?;
            }
            writeln!(out, "{}", count(silences.len()))
        }
        Format::Markdown => {
            let cell = |s: &str| sanitize(s).replace('|', "\\|");
            writeln!(
                out,
                "**mcpmon silences: {}**\n\n| id | matches | ends | comment |\n|---|---|---|---|",
                silences.len()
            )?;
            for s in silences {
                writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    s.id,
                    cell(&s.matches),
                    ends(s),
                    cell(s.comment.as_deref().unwrap_or(""))
                )?;
            }
            Ok(())
        }
        Format::Nagios => {
            let names: Vec<String> = silences
                .iter()
                .map(|s| format!("{} until {}", s.matches, ends(s)))
                .collect();
            let text = if names.is_empty() {
                count(0)
            } else {
                format!("{}: {}", count(silences.len()), names.join(", "))
            };
            writeln!(
                out,
                "MCPMON OK - {} | silences={};;;0;",
                sanitize(&text).replace('|', "/"),
                silences.len()
            )
        }
        Format::Prometheus => {
            use super::prometheus::escape;
            let mut s = String::new();
            s.push_str("# HELP mcpmon_silences Silences in force.\n# TYPE mcpmon_silences gauge\n");
            s.push_str(&format!("mcpmon_silences {}\n", silences.len()));
            if !silences.is_empty() {
                s.push_str("# HELP mcpmon_silence_end_timestamp_seconds When each silence ends.\n");
                s.push_str("# TYPE mcpmon_silence_end_timestamp_seconds gauge\n");
            }
            for x in silences {
                s.push_str(&format!(
                    "mcpmon_silence_end_timestamp_seconds{{id=\"{}\",matches=\"{}\"}} {}\n",
                    escape(&x.id),
                    escape(&x.matches),
                    x.ends_at.timestamp()
                ));
            }
            out.write_all(s.as_bytes())
        }
    }
}

fn count(n: usize) -> String {
    match n {
        0 => "no silences in force".into(),
        1 => "1 silence in force".into(),
        n => format!("{n} silences in force"),
    }
}

/// One line per silenced alert (under the `alerts` table, and nagios' long output), each text made
/// safe by `clean`: `SILENCED WARN api liveness: down (silence 3fa9c2d1 until 2026-12-01T21:00:00Z:
/// DB migration)`.
pub fn alert_lines(
    findings: &[Finding],
    clean: &dyn Fn(&str) -> String,
    width: Option<u16>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for f in findings {
        if let Some(s) = &f.silenced {
            write_wrapped(
                out,
                "",
                &format!(
                    "SILENCED {} {} {}: {} ({} until {}{})",
                    s.status.label(),
                    clean(&f.target),
                    clean(&f.check),
                    clean(&f.message),
                    clean(&s.by),
                    s.until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    s.comment
                        .as_deref()
                        .map(|c| format!(": {}", clean(c)))
                        .unwrap_or_default()
                ),
                width,
                2,
            )?;
        }
    }
    Ok(())
}
