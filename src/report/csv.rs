//! `--format csv`: RFC 4180 fields (a field with a comma, a quote, a line break or a space at either
//! end is quoted, its quotes doubled), one header row, LF line ends. `daily-summary` gives one row per
//! target of the period and one `(all)` row, with three columns per goal in force (`uptime`: the
//! value, `uptime_goal`: the limit, `uptime_met`: true, false or empty without data); every other
//! command one row per finding. Pure, like every renderer.

use super::Report;
use super::daily::Daily;
use crate::rules::summary::{Goal, SeriesDay};
use std::io::Write;

/// One field, quoted when it must be.
fn field(s: &str) -> String {
    let quote = s.contains([',', '"', '\n', '\r'])
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace);
    if quote {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub(super) fn row(out: &mut dyn Write, cells: &[String]) -> std::io::Result<()> {
    let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
    writeln!(out, "{}", line.join(","))
}

/// A number as a cell: empty when there is none, else up to 3 decimals without trailing zeros.
fn num(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.3}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" { "0".into() } else { s.into() }
        }
        _ => String::new(),
    }
}

/// The findings, one row each.
pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let head = [
        "command", "target", "probe", "check", "status", "reason", "value", "unit", "warn", "crit",
        "message",
    ];
    row(out, &head.map(String::from))?;
    for f in &report.findings {
        row(
            out,
            &[
                report.command.to_string(),
                f.target.clone(),
                f.probe.as_str().to_string(),
                f.check.to_string(),
                f.status.as_str().to_string(),
                f.reason.map(|r| r.as_str().to_string()).unwrap_or_default(),
                num(f.value),
                f.unit.map(|u| u.as_str().to_string()).unwrap_or_default(),
                num(f.warn),
                num(f.crit),
                f.message.clone(),
            ],
        )?;
    }
    Ok(())
}

/// The cells of one row of the daily summary: the series of a target (or of all), its goals.
fn summary_row(
    d: &Daily,
    target: &str,
    series: &[&SeriesDay],
    goals: &[Goal],
    score: Option<f64>,
) -> Vec<String> {
    let sum = |f: &dyn Fn(&SeriesDay) -> f64| series.iter().map(|s| f(s)).sum::<f64>();
    let highest = |f: &dyn Fn(&SeriesDay) -> Option<f64>| {
        series
            .iter()
            .filter_map(|s| f(s))
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
    };
    let mut kinds: Vec<&str> = Vec::new();
    for s in series {
        if !kinds.contains(&s.kind.as_str()) {
            kinds.push(&s.kind);
        }
    }
    let observed = sum(&|s| s.observed_s);
    let records = sum(&|s| s.records as f64);
    let mut cells = vec![
        d.start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        d.end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        target.to_string(),
        kinds.join(" "),
        num(Some(records)),
        num(Some(sum(&|s| s.not_ok as f64))),
        num((observed > 0.0).then(|| sum(&|s| s.up_s) / observed * 100.0)),
        num(Some(observed)),
        // time not recorded: of the window, for the least recorded of its series
        num(highest(&|s| Some(s.unknown_s)).or(Some((d.end - d.start).num_seconds() as f64))),
        num(Some(sum(&|s| s.outages.len() as f64))),
        num(Some(sum(&|s| s.restarts.len() as f64))),
        num(highest(&|s| s.p50)),
        num(highest(&|s| s.p95)),
        num(highest(&|s| s.p99)),
        num(score),
    ];
    for name in d.day.goals.iter().map(|g| g.name) {
        // each target is held to the goals of the whole (the same names, in the same order)
        let Some(g) = goals.iter().find(|g| g.name == name) else {
            cells.extend([String::new(), String::new(), String::new()]);
            continue;
        };
        cells.push(num(g.value));
        cells.push(num(Some(g.limit)));
        cells.push(match g.met {
            Some(true) => "true".into(),
            Some(false) => "false".into(),
            None => String::new(),
        });
    }
    cells
}

/// The daily summary: a header, one row per target (all its probes), then the `(all)` row, whose
/// goals decide the verdict and which alone carries the score. A period with no history has only the
/// `(all)` row, with 0 records and the goals empty.
pub fn render_daily(d: &Daily, out: &mut dyn Write) -> std::io::Result<()> {
    let mut head: Vec<String> = [
        "period_start",
        "period_end",
        "target",
        "probes",
        "records",
        "not_ok",
        "availability_percent",
        "observed_s",
        "not_recorded_s",
        "outages",
        "restarts",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "score",
    ]
    .map(String::from)
    .to_vec();
    for g in &d.day.goals {
        head.push(g.name.to_string());
        head.push(format!("{}_goal", g.name));
        head.push(format!("{}_met", g.name));
    }
    row(out, &head)?;
    for (target, goals) in &d.day.by_target {
        let series: Vec<&SeriesDay> = d.days.iter().filter(|s| &s.target == target).collect();
        row(out, &summary_row(d, target, &series, goals, None))?;
    }
    let all: Vec<&SeriesDay> = d.days.iter().collect();
    let score = (d.day.status != crate::model::Status::Unknown).then_some(d.day.score);
    row(out, &summary_row(d, "(all)", &all, &d.day.goals, score))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field(" padded"), "\" padded\"");
        assert_eq!(field(""), "");
    }

    #[test]
    fn numbers_are_short_and_missing_ones_empty() {
        assert_eq!(num(Some(99.9)), "99.9");
        assert_eq!(num(Some(100.0)), "100");
        assert_eq!(num(Some(97.916_666)), "97.917");
        assert_eq!(num(Some(-0.0001)), "0");
        assert_eq!(num(None), "");
        assert_eq!(num(Some(f64::NAN)), "");
    }
}
