//! `mcpmon daily-summary`: a day (or `--since` window) of history folded by `rules::summary` and judged
//! by `rules::daily` into the report of `daily-summary.sh` — availability, outages, latency and its
//! trend, errors, restarts, tool changes, resource use, the success metrics of 000 and an itemised score
//! — for people (terminal, Markdown) and machines (json, prometheus). Reads the history, `alerts.json`
//! and the host now; the clock and the time zone are read here, once.

use super::{Context, Outcome, Output};
use crate::cli::{GlobalArgs, SummaryArgs};
use crate::report::daily::Daily;
use crate::report::{Format, Report, View};
use crate::rules::daily;
use crate::rules::summary::{self as rules, Fold, SeriesDay};
use crate::store::alerts::AlertFile;
use crate::store::history;
use anyhow::{Context as _, anyhow};
use chrono::{DateTime, Utc};

/// The window to report and its title: `--since`, or a calendar day in `--tz` (`local`, `UTC` or an
/// offset), `--date` or yesterday.
fn window(
    args: &SummaryArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<(DateTime<Utc>, DateTime<Utc>, String)> {
    if let Some(d) = args.since {
        let span = chrono::Duration::from_std(d).map_err(|_| anyhow!("--since is too long"))?;
        let title = format!(
            "mcpmon summary — the last {}",
            crate::config::duration::span(d)
        );
        return Ok((now - span, now, title));
    }
    let tz = args.tz.trim();
    let (day, zone) = match tz.to_ascii_lowercase().as_str() {
        "local" => {
            let off = now.with_timezone(&chrono::Local).format("%:z");
            let day = daily::day(&chrono::Local, args.date, now);
            (day, format!("local time, UTC{off}"))
        }
        "utc" | "z" => (daily::day(&Utc, args.date, now), "UTC".to_string()),
        other => {
            let off: chrono::FixedOffset = other
                .parse()
                .map_err(|_| anyhow!("--tz {tz:?}: use local, UTC or an offset such as +02:00"))?;
            (daily::day(&off, args.date, now), format!("UTC{off}"))
        }
    };
    let (start, end, date) = day.ok_or_else(|| anyhow!("the day has no midnight in {tz}"))?;
    let title = format!("mcpmon daily summary — {date} ({zone})");
    Ok((start, end, title))
}

/// The history of `[start, end)` (of the `--target`s, when given) folded into series.
fn fold(
    dir: &std::path::Path,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    only: &[String],
) -> anyhow::Result<Vec<SeriesDay>> {
    let mut f = Fold::default();
    let last = end - chrono::Duration::milliseconds(1);
    let read = history::scan(dir, start, last, |l, at| {
        if only.is_empty() || only.iter().any(|n| n == l.target.as_ref()) {
            f.add(l, at, start);
        }
    })
    .with_context(|| format!("reading history in {}", dir.display()))?;
    for n in &read.notes {
        eprintln!("mcpmon: warning: {n}");
    }
    Ok(rules::days(f, start, end))
}

pub fn run(ctx: &Context, g: &GlobalArgs, args: &SummaryArgs) -> anyhow::Result<Outcome> {
    let now = Utc::now();
    let mut score_rules = rules::ScoreRules::default();
    for r in &args.rules {
        score_rules.set(r).map_err(|e| anyhow!(e))?;
    }
    let (start, end, title) = window(args, now)?;
    let state = ctx.state_dir(g).ok_or_else(|| {
        anyhow!("no state dir: set --state-dir, MCPMON_STATE_DIR, XDG_STATE_HOME or HOME")
    })?;
    let dir = history::dir(&state);
    // the day and the one before it (for the trends) are read side by side
    let (days, previous) = std::thread::scope(|scope| {
        let before = scope.spawn(|| fold(&dir, start - (end - start), start, &g.target));
        let days = fold(&dir, start, end, &g.target);
        let previous = before
            .join()
            .unwrap_or_else(|_| Err(anyhow!("reading the previous window failed")));
        (days, previous)
    });
    let (days, previous) = (days?, previous?);
    let host = crate::probe::host::probe(&crate::model::HostSpec {
        paths: Vec::new(),
        cpu_sample: std::time::Duration::ZERO,
    });
    // an unreadable or corrupt alert state is no alerts line, as a missing one
    let alerts: Option<AlertFile> =
        crate::store::read_json(&state.join(crate::store::alerts::FILE)).unwrap_or(None);
    let alerts = alerts.as_ref().map(|f| f.alerts.values());
    let mut day = daily::judge(&days, &previous, &score_rules, (start, end), &host, alerts);
    let report = Report {
        command: "daily-summary",
        generated_at: now,
        findings: std::mem::take(&mut day.findings),
        observations: Vec::new(),
        events: None,
        outbox: None,
    };
    let view = Daily {
        title,
        days,
        previous,
        day,
    };
    Ok(Outcome::report(Output {
        report,
        view: View::Daily(Box::new(view)),
        format: g.format.unwrap_or(Format::Table),
        file: args.output.clone(),
    }))
}
