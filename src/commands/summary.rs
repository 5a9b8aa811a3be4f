//! `mcpmon daily-summary`: a day (or `--since` window) of history folded by `rules::summary` and judged
//! by `rules::daily` into the report of `daily-summary.sh` — availability, outages, latency and its
//! trend, errors, restarts, tool changes, resource use, the goals (defaults, the config's `goals`,
//! `--goal`) and an itemised score
//! — for people (terminal, Markdown) and machines (json, prometheus). Reads the history, `alerts.json`
//! and the host now; the clock and the time zone are read here, once.

use super::{Context, Outcome, Output};
use crate::cli::{GlobalArgs, SummaryArgs, When};
use crate::model::Goals;
use crate::report::daily::Daily;
use crate::report::{Format, Report, View};
use crate::rules::daily;
use crate::rules::summary::{self as rules, Fold, SeriesDay};
use crate::store::alerts::AlertFile;
use crate::store::history;
use anyhow::{Context as _, anyhow, bail};
use chrono::{DateTime, NaiveDate, Utc};

/// The time zone of `--tz`: its calendar days and its name in titles.
enum Zone {
    Local,
    Utc,
    Fixed(chrono::FixedOffset),
}

impl Zone {
    fn of(tz: &str) -> anyhow::Result<Zone> {
        Ok(match tz.trim().to_ascii_lowercase().as_str() {
            "local" => Zone::Local,
            "utc" | "z" => Zone::Utc,
            other => {
                Zone::Fixed(other.parse().map_err(|_| {
                    anyhow!("--tz {tz:?}: use local, UTC or an offset such as +02:00")
                })?)
            }
        })
    }

    /// The day to report (`date`, else yesterday there) with its UTC bounds.
    fn day(
        &self,
        date: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>, NaiveDate)> {
        match self {
            Zone::Local => daily::day(&chrono::Local, date, now),
            Zone::Utc => daily::day(&Utc, date, now),
            Zone::Fixed(off) => daily::day(off, date, now),
        }
    }

    fn label(&self, now: DateTime<Utc>) -> String {
        match self {
            Zone::Local => format!(
                "local time, UTC{}",
                now.with_timezone(&chrono::Local).format("%:z")
            ),
            Zone::Utc => "UTC".into(),
            Zone::Fixed(off) => format!("UTC{off}"),
        }
    }
}

/// The window to report and its title: `--since`, `--from`/`--to`, or a calendar day in `--tz`
/// (`local`, `UTC` or an offset), `--date` or yesterday.
fn window(
    args: &SummaryArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<(DateTime<Utc>, DateTime<Utc>, String)> {
    let ago = |d: std::time::Duration, flag: &str| {
        chrono::Duration::from_std(d)
            .ok()
            .and_then(|d| now.checked_sub_signed(d))
            .ok_or_else(|| anyhow!("{flag} is too long"))
    };
    if let Some(d) = args.since {
        let title = format!("mcpmon summary — the last {}", crate::model::human::span(d));
        return Ok((ago(d, "--since")?, now, title));
    }
    let tz = args.tz.trim();
    let zone = Zone::of(tz)?;
    let no_midnight = |d: NaiveDate| anyhow!("{d} has no midnight in {tz}");
    if let Some(from) = args.from {
        let (start, first) = match from {
            When::Date(d) => (zone.day(Some(d), now).ok_or_else(|| no_midnight(d))?.0, d),
            When::Ago(d) => {
                let s = ago(d, "--from")?;
                (s, s.date_naive())
            }
        };
        let (end, last) = match args.to {
            None => (now, None),
            Some(When::Date(d)) => (
                zone.day(Some(d), now).ok_or_else(|| no_midnight(d))?.1,
                Some(d),
            ),
            Some(When::Ago(d)) => (ago(d, "--to")?, None),
        };
        if start >= end {
            bail!(
                "--from {} is not before --to {}: nothing to report",
                start.format("%Y-%m-%d %H:%M UTC"),
                end.format("%Y-%m-%d %H:%M UTC")
            );
        }
        let title = match (from, last) {
            (When::Date(_), Some(last)) => {
                format!("mcpmon summary — {first} to {last} ({})", zone.label(now))
            }
            _ => format!(
                "mcpmon summary — {} to {} (UTC)",
                start.format("%Y-%m-%d %H:%M"),
                end.format("%Y-%m-%d %H:%M")
            ),
        };
        return Ok((start, end, title));
    }
    let (start, end, date) = zone
        .day(args.date, now)
        .ok_or_else(|| anyhow!("the day has no midnight in {tz}"))?;
    let title = format!("mcpmon daily summary — {date} ({})", zone.label(now));
    Ok((start, end, title))
}

/// The goals in force: the defaults, then each config file's `goals` (the `--config` files, else the
/// default one when it exists), then `--goal`.
fn goals(ctx: &Context, g: &GlobalArgs, args: &SummaryArgs) -> anyhow::Result<Goals> {
    let mut goals = Goals::default();
    let mut files = g.config.clone();
    if files.is_empty() {
        files.extend(crate::config::default_config_path(
            &ctx.cwd,
            ctx.xdg_config_home.clone(),
        ));
    }
    for f in &files {
        crate::config::goals::load(&ctx.cwd.join(f), &mut goals)?;
    }
    for a in &args.goals {
        goals.set_arg(a).map_err(|e| anyhow!(e))?;
    }
    Ok(goals)
}

/// The history of `[start, end)` (of the `--target`s, when given) folded into series.
fn fold(
    dir: &std::path::Path,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    only: &[String],
) -> anyhow::Result<Vec<SeriesDay>> {
    let mut f = Fold::spanning(start, end);
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
    let wanted = goals(ctx, g, args)?;
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
    let mut day = daily::judge(
        &days,
        &previous,
        &score_rules,
        &wanted,
        (start, end),
        &host,
        alerts,
    );
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
        start,
        end,
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
