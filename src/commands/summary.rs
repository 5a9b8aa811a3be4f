//! `mcpmon daily-summary`: a day (or `--since` window) of history folded by `rules::summary` into the
//! report of `daily-summary.sh` — availability, outages, latency and its trend, errors, restarts, tool
//! changes, resource use, the success metrics of 000 and an itemised score — for people (terminal,
//! Markdown) and machines (json, prometheus). Reads history only; the clock and the time zone are read
//! here, once.

use super::{Context, Outcome, Output};
use crate::cli::{GlobalArgs, SummaryArgs};
use crate::model::CheckId;
use crate::model::Finding;
use crate::model::Kind;
use crate::model::Status;
use crate::model::Unit;

use crate::report::Format;
use crate::report::Report;
use crate::report::View;
use crate::report::daily::Daily;
use crate::rules::summary::{self as rules, Fold, SeriesDay};

use crate::store::history;
use anyhow::{Context as _, anyhow};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// The UTC bounds of a calendar day in a time zone (23 or 25 hours across a DST change).
fn day_bounds<Tz: TimeZone>(tz: &Tz, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let midnight = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    Some((midnight(date)?, midnight(date.succ_opt()?)?))
}

/// The window to report and its title.
fn window(
    args: &SummaryArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<(DateTime<Utc>, DateTime<Utc>, String)> {
    if let Some(d) = args.since {
        let span = chrono::Duration::from_std(d).map_err(|_| anyhow!("--since is too long"))?;
        return Ok((
            now - span,
            now,
            format!(
                "mcpmon summary — the last {}",
                crate::config::duration::span(d)
            ),
        ));
    }
    let tz = args.tz.trim();
    let (bounds, zone) = match tz.to_ascii_lowercase().as_str() {
        "local" => {
            let date = args.date.unwrap_or_else(|| {
                now.with_timezone(&chrono::Local).date_naive() - chrono::Days::new(1)
            });
            let off = now.with_timezone(&chrono::Local).format("%:z");
            (
                day_bounds(&chrono::Local, date).map(|b| (b, date)),
                format!("local time, UTC{off}"),
            )
        }
        "utc" | "z" => {
            let date = args
                .date
                .unwrap_or_else(|| now.date_naive() - chrono::Days::new(1));
            (day_bounds(&Utc, date).map(|b| (b, date)), "UTC".to_string())
        }
        other => {
            let off: chrono::FixedOffset = other
                .parse()
                .map_err(|_| anyhow!("--tz {tz:?}: use local, UTC or an offset such as +02:00"))?;
            let date = args
                .date
                .unwrap_or_else(|| now.with_timezone(&off).date_naive() - chrono::Days::new(1));
            (
                day_bounds(&off, date).map(|b| (b, date)),
                format!("UTC{off}"),
            )
        }
    };
    let ((start, end), date) = bounds.ok_or_else(|| anyhow!("the day has no midnight in {tz}"))?;
    Ok((
        start,
        end,
        format!("mcpmon daily summary — {date} ({zone})"),
    ))
}

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

fn finding(target: &str, check: impl Into<CheckId>, status: Status, message: String) -> Finding {
    Finding::new(target, Kind::Mcp, check, status, None, message)
}

pub fn run(ctx: &Context, g: &GlobalArgs, args: &SummaryArgs) -> anyhow::Result<Outcome> {
    let now = Utc::now();
    let mut score_rules = rules::ScoreRules::default();
    for r in &args.rules {
        score_rules.set(r).map_err(|e| anyhow!(e))?;
    }
    let (start, end, title) = window(args, now)?;
    let dir = ctx.state_dir(g).map(|d| history::dir(&d)).ok_or_else(|| {
        anyhow!("no state dir: set --state-dir, MCPMON_STATE_DIR, XDG_STATE_HOME or HOME")
    })?;
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
    let window_s = (end - start).num_milliseconds() as f64 / 1000.0;
    let (score, deductions) = rules::score(&days, &score_rules);
    let goals = rules::goals(&days);
    let status = rules::status(&days, score, &goals);
    let previous_score = (!previous.is_empty()).then(|| rules::score(&previous, &score_rules).0);
    let recommendations = rules::recommendations(&days, &previous, window_s);

    // the machine form: findings
    let mut findings = Vec::new();
    let mut s = finding(
        "summary",
        "score",
        status,
        match status {
            Status::Unknown => "no history in the window: nothing to score".into(),
            _ => format!("health score {score:.0}/100"),
        },
    )
    .unit(Unit::Count)
    .bounds(Some(90.0), Some(70.0))
    .lower_is_worse();
    if status != Status::Unknown {
        s = s.value(score);
    }
    findings.push(s);
    for x in &deductions {
        findings.push(
            finding(
                "summary",
                format!("deduction:{}", x.rule),
                Status::Ok,
                x.evidence.clone(),
            )
            .value(-x.points)
            .unit(Unit::Count),
        );
    }
    for goal in &goals {
        let st = match goal.met {
            Some(false) => Status::Warn,
            _ => Status::Ok,
        };
        let mut f = finding(
            "summary",
            format!("goal:{}", goal.name),
            st,
            format!(
                "{} {}: {}",
                goal.name,
                goal.target,
                match goal.met {
                    Some(true) => "met",
                    Some(false) => "missed",
                    None => "no data",
                }
            ),
        );
        f.value = goal.value;
        findings.push(f);
    }
    for d in &days {
        let mut f = finding(
            &d.target,
            "availability",
            Status::Ok,
            format!(
                "{} ({}): {} outage(s), {:.0} s not recorded",
                d.target,
                d.kind,
                d.outages.len(),
                d.unknown_s
            ),
        )
        .unit(Unit::Percent);
        f.value = d.availability();
        f.probe = kind(&d.kind);
        findings.push(f);
        if let Some(p95) = d.p95 {
            let mut f = finding(
                &d.target,
                "latency_p95",
                Status::Ok,
                format!("p95 {p95:.1} ms"),
            )
            .value(p95)
            .unit(Unit::Ms);
            f.probe = kind(&d.kind);
            findings.push(f);
        }
    }
    for r in &recommendations {
        findings.push(finding("summary", "recommendation", Status::Ok, r.clone()));
    }
    let report = Report {
        command: "daily-summary",
        generated_at: now,
        findings,
        observations: Vec::new(),
        events: None,
    };

    let state = ctx.state_dir(g);
    let host = crate::probe::host::probe(&crate::model::HostSpec {
        paths: Vec::new(),
        cpu_sample: std::time::Duration::ZERO,
    });
    let system = (host.memory_total_bytes > 0).then(|| {
        format!(
            "host up {}, load {}, memory {:.0} % used, {} CPU(s)",
            host.uptime_s
                .map(|u| crate::config::duration::span(std::time::Duration::from_secs(u)))
                .unwrap_or_else(|| "?".into()),
            host.load_average
                .map(|(a, b, c)| format!("{a:.2} {b:.2} {c:.2}"))
                .unwrap_or_else(|| "–".into()),
            host.memory_used_percent,
            host.cpus
        )
    });
    let alerts = state.as_deref().and_then(|dir| {
        let file: crate::store::alerts::AlertFile =
            crate::store::read_json(&dir.join(crate::store::alerts::FILE)).ok()??;
        let (from, to) = (start.timestamp_millis(), end.timestamp_millis());
        let fired = file
            .alerts
            .values()
            .filter(|a| a.fired_at_ms.is_some_and(|t| t >= from && t < to))
            .count();
        let resolved = file
            .alerts
            .values()
            .filter(|a| a.resolved_at_ms.is_some_and(|t| t >= from && t < to))
            .count();
        let firing = file.alerts.values().filter(|a| a.firing.is_some()).count();
        Some(format!(
            "alerts (mcpmon alerts): {fired} fired and {resolved} resolved in this window, {firing} firing now"
        ))
    });
    let view = Daily {
        system,
        alerts,
        title,
        days,
        previous,
        score,
        previous_score,
        deductions,
        goals,
        recommendations,
        status,
    };
    Ok(Outcome::report(Output {
        report,
        view: View::Daily(Box::new(view)),
        format: g.format.unwrap_or(Format::Table),
        file: args.output.clone(),
    }))
}

fn kind(k: &str) -> Kind {
    match k {
        "hub" => Kind::Hub,
        "http" => Kind::Http,
        "log" => Kind::Log,
        "process" => Kind::Process,
        "host" => Kind::Host,
        _ => Kind::Mcp,
    }
}
