//! The day's verdict for `mcpmon daily-summary`: the folded series of a window (`rules::summary`) and
//! the facts read beside them (the machine now, the alert state of `mcpmon alerts`) become the score
//! and its deductions, the goals, the recommendations and the status; the findings the machine formats
//! show (json, prometheus, nagios); and the report's system and alerts lines. Also the window itself:
//! the UTC bounds of a calendar day in a time zone. Pure: the clock and the zone come in as values,
//! nothing is read here, and the report's view is built from `Day` by the command.

use super::summary::{Deduction, Goal, ScoreRules, SeriesDay};
use super::summary::{goals, recommendations, score, status};
use crate::model::AlertState;
use crate::model::CheckId;
use crate::model::Finding;
use crate::model::Goals;
use crate::model::HostFacts;
use crate::model::Kind;
use crate::model::Status;
use crate::model::Unit;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// What the day comes to.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    pub score: f64,
    /// The score of the window before, when it has any history.
    pub previous_score: Option<f64>,
    pub deductions: Vec<Deduction>,
    pub goals: Vec<Goal>,
    /// The same goals for each target alone (all its probes), in target order.
    pub by_target: Vec<(String, Vec<Goal>)>,
    pub recommendations: Vec<String>,
    pub status: Status,
    /// The machine form: the score, each deduction, each goal, each series' availability and p95, each
    /// recommendation.
    pub findings: Vec<Finding>,
    /// The machine now (uptime, load, memory), when its memory could be read.
    pub system: Option<String>,
    /// The alerts that fired and resolved in the window and those firing now, when there is alert state.
    pub alerts: Option<String>,
}

/// Judges the window `[start, end)`: its series, the window before it (for trends and the previous
/// score), the machine now and the alert state (`alerts.json`'s alerts, none when there is no file).
pub fn judge<'a>(
    days: &[SeriesDay],
    previous: &[SeriesDay],
    rules: &ScoreRules,
    wanted: &Goals,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    host: &HostFacts,
    alerts: Option<impl IntoIterator<Item = &'a AlertState>>,
) -> Day {
    let window_s = (end - start).num_milliseconds() as f64 / 1000.0;
    let (score, deductions) = score(days, rules, window_s);
    let goals = goals(days, wanted, window_s);
    let mut names: Vec<&str> = Vec::new();
    for d in days {
        if !names.contains(&d.target.as_str()) {
            names.push(&d.target);
        }
    }
    let by_target = names
        .into_iter()
        .map(|n| {
            let own: Vec<SeriesDay> = days.iter().filter(|d| d.target == n).cloned().collect();
            (n.to_string(), super::summary::goals(&own, wanted, window_s))
        })
        .collect();
    let status = status(days, score, &goals);
    let previous_score =
        (!previous.is_empty()).then(|| super::summary::score(previous, rules, window_s).0);
    let recommendations = recommendations(days, previous, window_s);
    let findings = findings(days, score, status, &deductions, &goals, &recommendations);
    Day {
        score,
        previous_score,
        deductions,
        goals,
        by_target,
        recommendations,
        status,
        findings,
        system: system_line(host),
        alerts: alerts.map(|a| alerts_line(a, start, end)),
    }
}

fn finding(target: &str, check: impl Into<CheckId>, status: Status, message: String) -> Finding {
    Finding::new(target, Kind::Mcp, check, status, None, message)
}

/// The findings of the machine formats, in order: the score (lower is worse: below 90 warns, below 70
/// is critical; no value when there is no history), the deductions (negative points), the goals (a
/// missed one warns), each series' availability and p95, the recommendations.
fn findings(
    days: &[SeriesDay],
    score: f64,
    status: Status,
    deductions: &[Deduction],
    goals: &[Goal],
    recommendations: &[String],
) -> Vec<Finding> {
    let mut out = Vec::new();
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
    out.push(s);
    for x in deductions {
        out.push(
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
    for goal in goals {
        let st = match goal.met {
            Some(false) => Status::Warn,
            _ => Status::Ok,
        };
        let met = match goal.met {
            Some(true) => "met",
            Some(false) => "missed",
            None => "no data",
        };
        let message = match goal.value {
            Some(_) => format!("{} {}: {met} ({})", goal.name, goal.target, goal.shown()),
            None => format!("{} {}: {met}", goal.name, goal.target),
        };
        let mut f = finding("summary", format!("goal:{}", goal.name), st, message);
        f.value = goal.value;
        f.warn = Some(goal.limit);
        f.lower_is_worse = goal.above;
        out.push(f);
    }
    for d in days {
        let message = format!(
            "{} ({}): {}, {} not recorded",
            d.target,
            d.kind,
            crate::model::human::counted(d.outages.len(), "outage"),
            crate::model::human::span_secs(d.unknown_s.max(0.0))
        );
        let mut f = finding(&d.target, "availability", Status::Ok, message).unit(Unit::Percent);
        f.value = d.availability();
        f.probe = kind(&d.kind);
        out.push(f);
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
            out.push(f);
        }
    }
    for r in recommendations {
        out.push(finding("summary", "recommendation", Status::Ok, r.clone()));
    }
    out
}

/// The probe kind of a history series by its `kind`; a name this version does not map (`load`, or one
/// from a newer version) is `mcp`.
/// The probe kind of a history series; a kind this version does not probe (or know) is shown as `mcp`,
/// as the daily report always has.
fn kind(k: &str) -> Kind {
    match Kind::from_name(k) {
        Some(
            k @ (Kind::Hub
            | Kind::Http
            | Kind::Tcp
            | Kind::Cert
            | Kind::Log
            | Kind::Process
            | Kind::Host),
        ) => k,
        _ => Kind::Mcp,
    }
}

/// "host up 3 d 4 h, load 0.52 0.48 0.40, memory 42 % used, 4 CPUs"; none when the memory could not be
/// read (then the machine was not read at all). An unknown uptime is `?`, no load average `–`.
pub fn system_line(host: &HostFacts) -> Option<String> {
    (host.memory_total_bytes > 0).then(|| {
        format!(
            "host up {}, load {}, memory {:.0} % used, {}",
            host.uptime_s
                .map(|u| crate::model::human::span(std::time::Duration::from_secs(u)))
                .unwrap_or_else(|| "?".into()),
            host.load_average
                .map(|(a, b, c)| format!("{a:.2} {b:.2} {c:.2}"))
                .unwrap_or_else(|| "–".into()),
            host.memory_used_percent,
            crate::model::human::count(host.cpus, "CPU", "CPUs")
        )
    })
}

/// "alerts (mcpmon alerts): 2 fired and 1 resolved in this window, 1 firing now". An alert counts as
/// fired (resolved) when the last time it fired (resolved) is in `[start, end)`: one that fired twice
/// in the window counts once, one that fired in it and again after it not at all.
pub fn alerts_line<'a>(
    alerts: impl IntoIterator<Item = &'a AlertState>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> String {
    let (from, to) = (start.timestamp_millis(), end.timestamp_millis());
    let within = |t: Option<i64>| t.is_some_and(|t| t >= from && t < to);
    let (mut fired, mut resolved, mut firing) = (0, 0, 0);
    for a in alerts {
        fired += usize::from(within(a.fired_at_ms));
        resolved += usize::from(within(a.resolved_at_ms));
        firing += usize::from(a.firing.is_some());
    }
    format!(
        "alerts (mcpmon alerts): {fired} fired and {resolved} resolved in this window, {firing} firing now"
    )
}

/// The UTC bounds of a calendar day in a time zone (23 or 25 hours across a DST change); none when a
/// midnight does not exist there.
pub fn day_bounds<Tz: TimeZone>(
    tz: &Tz,
    date: NaiveDate,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let midnight = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    Some((midnight(date)?, midnight(date.succ_opt()?)?))
}

/// The day to report in `tz` — `date`, or else the day before `now`'s there — with its UTC bounds.
pub fn day<Tz: TimeZone>(
    tz: &Tz,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>, NaiveDate)> {
    let date = date.unwrap_or_else(|| now.with_timezone(tz).date_naive() - chrono::Days::new(1));
    day_bounds(tz, date).map(|(start, end)| (start, end, date))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HistoryLine;
    use crate::rules::summary::{Fold, days};
    use std::collections::BTreeMap;

    fn t(h: i64, m: i64) -> DateTime<Utc> {
        "2026-11-21T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
            + chrono::Duration::hours(h)
            + chrono::Duration::minutes(m)
    }

    const DAY: (i64, i64) = (0, 24);

    /// A day of records every 5 minutes for `target`; `bad(i)` makes the i-th record CRIT.
    fn series(target: &str, kind: &str, bad: &dyn Fn(i64) -> bool) -> Vec<SeriesDay> {
        let mut f = Fold::default();
        for i in 0..288 {
            let (status, reason) = match bad(i) {
                true => ("crit", r#","reason":"connect_refused""#),
                false => ("ok", ""),
            };
            let text = format!(
                r#"{{"v":1,"at":"x","source":"record:light","target":"{target}","kind":"{kind}","status":"{status}","duration_ms":1,"metrics":{{"liveness":10}}{reason}}}"#
            );
            let l: HistoryLine = serde_json::from_str(&text).unwrap();
            f.add(&l, t(0, i * 5), t(0, 0));
        }
        days(f, t(DAY.0, 0), t(DAY.1, 0))
    }

    fn host() -> HostFacts {
        HostFacts {
            cpus: 4,
            load_average: Some((0.5, 0.25, 1.0 / 3.0)),
            memory_total_bytes: 8 << 30,
            memory_used_percent: 42.4,
            uptime_s: Some(3 * 86400),
            ..Default::default()
        }
    }

    fn judged(days: &[SeriesDay], previous: &[SeriesDay]) -> Day {
        let no_alerts: Option<Vec<&AlertState>> = None;
        judge(
            days,
            previous,
            &ScoreRules::default(),
            &Goals::default(),
            (t(0, 0), t(24, 0)),
            &host(),
            no_alerts,
        )
    }

    fn get<'a>(fs: &'a [Finding], target: &str, check: &str) -> &'a Finding {
        fs.iter()
            .find(|f| f.target == target && f.check == check)
            .unwrap_or_else(|| panic!("{target} {check} in {fs:#?}"))
    }

    #[test]
    fn an_outage_day_is_scored_and_itemised_for_machines() {
        // 10:00 … 10:25 CRIT: 6 of 288 records not OK, one outage, one change into CRIT
        let d = series("a", "mcp", &|i| (120..126).contains(&i));
        let day = judged(&d, &[]);
        let points = 6.0 / 288.0 * 100.0 * 2.0 + 10.0 + 5.0;
        assert!((day.score - (100.0 - points)).abs() < 1e-9, "{}", day.score);
        assert_eq!(day.status, Status::Warn, "81 is below 90");
        assert_eq!(day.previous_score, None, "no window before");
        let checks: Vec<&str> = day.findings.iter().map(|f| f.check.as_str()).collect();
        assert_eq!(
            checks,
            [
                "score",
                "deduction:errors",
                "deduction:disconnected",
                "deduction:alerts",
                "goal:uptime",
                "goal:success_rate",
                "goal:response_time_p95",
                "goal:reconnects",
                "goal:error_rate",
                "availability",
                "latency_p95",
                "recommendation",
            ]
        );
        let s = get(&day.findings, "summary", "score");
        assert_eq!(s.status, Status::Warn);
        assert_eq!(s.value, Some(day.score));
        assert_eq!(
            (s.warn, s.crit, s.lower_is_worse),
            (Some(90.0), Some(70.0), true)
        );
        assert_eq!((s.unit, s.probe), (Some(Unit::Count), Kind::Mcp));
        assert_eq!(s.message, "health score 81/100");
        let ded = get(&day.findings, "summary", "deduction:disconnected");
        assert_eq!((ded.status, ded.value), (Status::Ok, Some(-10.0)));
        assert!(
            ded.message.starts_with("a down 30 min from 10:00"),
            "{}",
            ded.message
        );
        let up = get(&day.findings, "summary", "goal:uptime");
        assert_eq!(up.status, Status::Warn);
        assert_eq!(up.message, "uptime > 99.9 %: missed (97.9 %)");
        assert_eq!((up.warn, up.lower_is_worse), (Some(99.9), true));
        let p95 = get(&day.findings, "summary", "goal:response_time_p95");
        assert_eq!((p95.status, p95.value), (Status::Ok, Some(10.0)));
        assert_eq!(p95.message, "response_time_p95 < 500 ms: met (10 ms)");
        assert_eq!((p95.warn, p95.lower_is_worse), (Some(500.0), false));
        let a = get(&day.findings, "a", "availability");
        assert_eq!(a.message, "a (mcp): 1 outage, 0 s not recorded");
        assert_eq!((a.status, a.unit), (Status::Ok, Some(Unit::Percent)));
        assert!((a.value.unwrap() - (100.0 - 1800.0 / 864.0)).abs() < 1e-9);
        let l = get(&day.findings, "a", "latency_p95");
        assert_eq!((l.value, l.unit), (Some(10.0), Some(Unit::Ms)));
        assert_eq!(l.message, "p95 10.0 ms");
        assert_eq!(
            get(&day.findings, "summary", "recommendation").message,
            day.recommendations[0]
        );
        assert_eq!(day.deductions.len(), 3);
    }

    #[test]
    fn a_perfect_day_against_a_worse_one_before() {
        let d = series("a", "mcp", &|_| false);
        let before = series("a", "mcp", &|i| i % 2 == 0);
        let day = judged(&d, &before);
        assert_eq!((day.score, day.status), (100.0, Status::Ok));
        assert!(day.findings.iter().all(|f| f.status == Status::Ok));
        assert!(day.previous_score.is_some_and(|p| p < 100.0), "{day:?}");
        assert!(day.deductions.is_empty() && day.recommendations.is_empty());
    }

    #[test]
    fn an_empty_window_is_unknown_with_no_score_value() {
        let day = judged(&[], &[]);
        assert_eq!(day.status, Status::Unknown);
        let s = get(&day.findings, "summary", "score");
        assert_eq!((s.status, s.value), (Status::Unknown, None));
        assert_eq!(s.message, "no history in the window: nothing to score");
        let goals: Vec<_> = day.findings[1..]
            .iter()
            .map(|f| (f.status, f.value, f.message.as_str()))
            .collect();
        assert_eq!(goals.len(), 5, "the goals only: {goals:?}");
        assert_eq!(goals[0], (Status::Ok, None, "uptime > 99.9 %: no data"));
    }

    fn judged_with(days: &[SeriesDay], goals: &Goals, hours: i64) -> Day {
        let no_alerts: Option<Vec<&AlertState>> = None;
        judge(
            days,
            &[],
            &ScoreRules::default(),
            goals,
            (t(0, 0), t(hours, 0)),
            &host(),
            no_alerts,
        )
    }

    #[test]
    fn goals_of_the_config_or_flags_decide_met_and_missed() {
        // a perfect day at 10 ms: every default goal met, OK
        let d = series("a", "mcp", &|_| false);
        let day = judged_with(&d, &Goals::default(), 24);
        assert_eq!(day.status, Status::Ok);
        // a stricter runbook's response time: p95 below 5 ms is missed, the day warns and says why
        let mut strict = Goals::default();
        strict.set_arg("p95=5ms").unwrap();
        let day = judged_with(&d, &strict, 24);
        assert_eq!(day.status, Status::Warn, "{:?}", day.goals);
        let p95 = get(&day.findings, "summary", "goal:response_time_p95");
        assert_eq!(p95.status, Status::Warn);
        assert_eq!(p95.message, "response_time_p95 < 5 ms: missed (10 ms)");
        // a day with a half-hour outage misses 99.9 % but meets a 97 % uptime goal
        let bad = series("a", "mcp", &|i| (120..126).contains(&i));
        let mut lax = Goals::default();
        for a in ["uptime=97", "success_rate=90", "error_rate=5"] {
            lax.set_arg(a).unwrap();
        }
        let day = judged_with(&bad, &lax, 24);
        let up = get(&day.findings, "summary", "goal:uptime");
        assert_eq!(
            (up.status, up.message.as_str()),
            (Status::Ok, "uptime > 97 %: met (97.9 %)")
        );
        // a goal turned off is not judged at all
        let mut off = Goals::default();
        off.set_arg("uptime=off").unwrap();
        let day = judged_with(&bad, &off, 24);
        assert!(day.findings.iter().all(|f| f.check != "goal:uptime"));
    }

    #[test]
    fn each_target_is_held_to_the_goals_alone() {
        let mut d = series("good", "mcp", &|_| false);
        d.extend(series("bad", "mcp", &|i| i % 10 == 0));
        let day = judged_with(&d, &Goals::default(), 24);
        let names: Vec<&str> = day.by_target.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["good", "bad"]);
        let err = |t: usize| {
            day.by_target[t]
                .1
                .iter()
                .find(|g| g.name == "error_rate")
                .cloned()
        };
        assert_eq!(err(0).and_then(|g| g.met), Some(true), "good: none");
        assert_eq!(
            err(1).and_then(|g| g.met),
            Some(false),
            "bad: 10 % of records"
        );
    }

    #[test]
    fn reconnects_are_counted_per_day_of_the_period() {
        // 14 restarts over a week: 2 a day, under 5 a day; the same 14 in one day are not
        let mut f = Fold::default();
        for i in 0..15 {
            let text = format!(
                r#"{{"v":1,"at":"x","source":"record:full","target":"a","kind":"process","status":"ok","duration_ms":1,"metrics":{{}},"uptime_s":{{"process":{}}}}}"#,
                if i % 2 == 0 { 1000 } else { 10 }
            );
            let l: HistoryLine = serde_json::from_str(&text).unwrap();
            f.add(&l, t(i * 11, 0), t(0, 0));
        }
        let week = days(f, t(0, 0), t(7 * 24, 0));
        assert_eq!(week[0].restarts.len(), 7);
        let day = judged_with(&week, &Goals::default(), 7 * 24);
        let r = get(&day.findings, "summary", "goal:reconnects");
        assert_eq!((r.status, r.value), (Status::Ok, Some(1.0)));
        let one_day = judged_with(&week, &Goals::default(), 24);
        let r = get(&one_day.findings, "summary", "goal:reconnects");
        assert_eq!((r.status, r.value), (Status::Warn, Some(7.0)));
    }

    #[test]
    fn a_series_finding_names_its_probe_kind() {
        let mut d = series("h", "hub", &|_| false);
        d.extend(series("l", "load", &|_| false));
        let day = judged(&d, &[]);
        assert_eq!(get(&day.findings, "h", "availability").probe, Kind::Hub);
        assert_eq!(get(&day.findings, "h", "latency_p95").probe, Kind::Hub);
        // pinned: a kind the summary does not map reads as mcp
        assert_eq!(get(&day.findings, "l", "availability").probe, Kind::Mcp);
    }

    #[test]
    fn the_system_line_says_the_machine_now() {
        assert_eq!(
            system_line(&host()).as_deref(),
            Some("host up 3 d, load 0.50 0.25 0.33, memory 42 % used, 4 CPUs")
        );
        let bare = HostFacts {
            uptime_s: None,
            load_average: None,
            ..host()
        };
        assert_eq!(
            system_line(&bare).as_deref(),
            Some("host up ?, load –, memory 42 % used, 4 CPUs")
        );
        let unread = HostFacts {
            memory_total_bytes: 0,
            ..host()
        };
        assert_eq!(system_line(&unread), None);
        assert_eq!(judged(&[], &[]).system, system_line(&host()));
    }

    #[test]
    fn the_alerts_line_counts_the_window_half_open() {
        let ms = |h: i64| t(h, 0).timestamp_millis();
        let alert =
            |fired: Option<i64>, resolved: Option<i64>, firing: Option<Status>| AlertState {
                fired_at_ms: fired,
                resolved_at_ms: resolved,
                firing,
                ..Default::default()
            };
        let alerts: BTreeMap<String, AlertState> = [
            // fired at the first instant of the window and still firing
            alert(Some(ms(0)), None, Some(Status::Crit)),
            // fired and resolved within
            alert(Some(ms(3)), Some(ms(4)), None),
            // fired the day before, resolved at the last hour
            alert(Some(ms(-2)), Some(ms(23)), None),
            // fired at the window's end: the next day's
            alert(Some(ms(24)), None, Some(Status::Warn)),
            // never fired
            alert(None, None, None),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, a)| (format!("t/mcp/{i}"), a))
        .collect();
        assert_eq!(
            alerts_line(alerts.values(), t(0, 0), t(24, 0)),
            "alerts (mcpmon alerts): 2 fired and 2 resolved in this window, 2 firing now"
        );
        assert_eq!(
            alerts_line([], t(0, 0), t(24, 0)),
            "alerts (mcpmon alerts): 0 fired and 0 resolved in this window, 0 firing now"
        );
        let day = judge(
            &[],
            &[],
            &ScoreRules::default(),
            &Goals::default(),
            (t(0, 0), t(24, 0)),
            &host(),
            Some(alerts.values()),
        );
        assert_eq!(
            day.alerts.as_deref(),
            Some("alerts (mcpmon alerts): 2 fired and 2 resolved in this window, 2 firing now")
        );
        assert_eq!(judged(&[], &[]).alerts, None, "no alert state, no line");
    }

    #[test]
    fn the_day_is_yesterday_unless_given_in_its_zone() {
        let now = t(1, 30); // 2026-11-21 01:30 UTC
        let date = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(
            day(&Utc, None, now),
            Some((t(-24, 0), t(0, 0), date("2026-11-20")))
        );
        assert_eq!(
            day(&Utc, Some(date("2026-11-21")), now),
            Some((t(0, 0), t(24, 0), date("2026-11-21")))
        );
        // at +02:00 it is already 03:30 on the 21st: yesterday is the 20th, from 22:00 UTC the day before
        let east = chrono::FixedOffset::east_opt(2 * 3600).unwrap();
        assert_eq!(
            day(&east, None, now),
            Some((t(-26, 0), t(-2, 0), date("2026-11-20")))
        );
        // at -05:00 it is still 20:30 on the 20th: yesterday is the 19th
        let west = chrono::FixedOffset::west_opt(5 * 3600).unwrap();
        assert_eq!(
            day(&west, None, now),
            Some((t(-43, 0), t(-19, 0), date("2026-11-19")))
        );
    }
}
