//! The daily summary (`mcpmon daily-summary`): a day of history folded into availability (time up over
//! time observed; gaps in recording are unknown, never up), outages, latency percentiles, errors by
//! reason, restarts, tool-list changes and resource use per target and probe; the goals (uptime,
//! success rate, latency, reconnects, error rate) met or missed; and the 0–100 health score with every
//! deduction itemised. Pure: lines come in one by one and the day's bounds are parameters.

use crate::model::CheckId;
use crate::model::Status;
use crate::model::human;
use crate::model::{GoalName, Goals};
use crate::rules::anomalies::tool_diff;

use crate::model::HistoryLine;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// One scoring rule: points per unit (a % of records, a target, an outage, an alert) and its cap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub per: f64,
    pub cap: f64,
}

/// The score's rules: start at 100, deduct per rule up to its cap. `--rule NAME=PER:CAP`
/// changes them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRules {
    /// Per % of records not OK.
    pub errors: Rule,
    /// Per target whose average CPU or memory is above `resource_limit_percent`.
    pub resources: Rule,
    pub resource_limit_percent: f64,
    /// Per outage.
    pub disconnected: Rule,
    /// Per change into WARN or CRIT.
    pub alerts: Rule,
}

impl Default for ScoreRules {
    fn default() -> Self {
        ScoreRules {
            errors: Rule {
                per: 2.0,
                cap: 20.0,
            },
            resources: Rule {
                per: 10.0,
                cap: 30.0,
            },
            resource_limit_percent: 5.0,
            disconnected: Rule {
                per: 10.0,
                cap: 30.0,
            },
            alerts: Rule {
                per: 5.0,
                cap: 20.0,
            },
        }
    }
}

impl ScoreRules {
    /// Applies `NAME=PER:CAP` (`errors`, `resources`, `disconnected`, `alerts`).
    pub fn set(&mut self, spec: &str) -> Result<(), String> {
        let (name, value) = spec
            .split_once('=')
            .ok_or_else(|| format!("--rule {spec:?}: use NAME=PER:CAP, e.g. errors=2:20"))?;
        let (per, cap) = value
            .split_once(':')
            .and_then(|(p, c)| Some((p.trim().parse::<f64>().ok()?, c.trim().parse::<f64>().ok()?)))
            .filter(|(p, c)| {
                p.is_finite() && c.is_finite() && *p >= 0.0 && *c >= 0.0 && *c <= 100.0
            })
            .ok_or_else(|| {
                format!("--rule {spec:?}: PER and CAP are points (0–100), e.g. errors=2:20")
            })?;
        let rule = Rule { per, cap };
        match name.trim() {
            "errors" => self.errors = rule,
            "resources" => self.resources = rule,
            "disconnected" => self.disconnected = rule,
            "alerts" => self.alerts = rule,
            other => {
                return Err(format!(
                    "--rule {other:?}: unknown rule (errors, resources, disconnected, alerts)"
                ));
            }
        }
        Ok(())
    }
}

/// Latency metrics, in order of preference, for a series' percentiles.
const LATENCY: [CheckId; 5] = [
    CheckId::LIVENESS,
    CheckId::HANDSHAKE,
    CheckId::HUB,
    CheckId::HTTP,
    CheckId::STARTUP,
];

/// Min, mean and max of a value through the day.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Range {
    pub n: u64,
    pub min: f64,
    pub max: f64,
    sum: f64,
}

impl Range {
    fn add(&mut self, v: f64) {
        if self.n == 0 {
            self.min = v;
            self.max = v;
        }
        self.n += 1;
        self.sum += v;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// One target's probe through the day, as folded in.
#[derive(Debug, Default)]
pub struct Acc {
    points: Vec<(DateTime<Utc>, Status)>,
    latency: Vec<f64>,
    /// Mean latency per hour of the day (for the sparkline): (sum, count).
    hourly: [(f64, u32); 24],
    pub reasons: BTreeMap<String, u64>,
    pub cpu: Range,
    pub memory: Range,
    /// Process RSS, MiB.
    pub rss: Range,
    pub log_mb: Range,
    pub restarts: Vec<(String, DateTime<Utc>)>,
    uptime: BTreeMap<String, f64>,
    first_tools: Option<BTreeMap<String, String>>,
    last_tools: Option<BTreeMap<String, String>>,
}

/// A whole day (or `--since`, `--from`/`--to` window) of history.
#[derive(Debug, Default)]
pub struct Fold {
    /// By target, then probe kind (nested, so a line is filed without allocating its key).
    pub series: BTreeMap<String, BTreeMap<String, Acc>>,
    /// The span of one of the 24 latency buckets, in ms (0: an hour).
    bucket_ms: i64,
}

impl Fold {
    /// A fold whose 24 latency buckets split `[start, end)` evenly: the hours of a day, the 7-hour
    /// stretches of a week.
    pub fn spanning(start: DateTime<Utc>, end: DateTime<Utc>) -> Fold {
        Fold {
            series: BTreeMap::new(),
            bucket_ms: ((end - start).num_milliseconds() / 24).max(1),
        }
    }

    /// Folds in one history line (in time order within each series).
    pub fn add(&mut self, l: &HistoryLine<'_>, at: DateTime<Utc>, start: DateTime<Utc>) {
        let Some(a) = crate::model::series_entry(&mut self.series, &l.target, &l.kind) else {
            return;
        };
        let s = l.status;
        a.points.push((at, s));
        if s != Status::Ok {
            let r = l
                .reason
                .as_deref()
                .map(String::from)
                .unwrap_or_else(|| l.status.as_str().to_string());
            *a.reasons.entry(r).or_insert(0) += 1;
        }
        if let Some(v) = LATENCY.iter().find_map(|m| l.metrics.get(m)) {
            a.latency.push(v);
            let bucket = if self.bucket_ms > 0 {
                self.bucket_ms
            } else {
                3_600_000
            };
            let hour = ((at - start).num_milliseconds() / bucket).clamp(0, 23) as usize;
            a.hourly[hour].0 += v;
            a.hourly[hour].1 += 1;
        }
        if let Some(v) = l.metrics.get(&CheckId::PROCESS_CPU) {
            a.cpu.add(v);
        }
        if let Some(v) = l.metrics.get(&CheckId::PROCESS_MEMORY) {
            a.memory.add(v);
        }
        if let Some(v) = l.metrics.get(&CheckId::PROCESS_RSS) {
            a.rss.add(v);
        }
        if let Some(v) = l.metrics.get(&CheckId::LOG_SIZE) {
            a.log_mb.add(v);
        }
        for (what, up) in &l.uptime_s.0 {
            // an uptime out of range (a hub's 1e20, a hand-edited line) is skipped, not compared
            if crate::model::checked::secs(*up).is_none() {
                continue;
            }
            if let Some(before) = a.uptime.get(what.as_ref()) {
                if *up + 1.0 < *before {
                    a.restarts.push((what.to_string(), at));
                }
            }
            a.uptime.insert(what.to_string(), *up);
        }
        if let Some(t) = &l.tools {
            let t: BTreeMap<String, String> = t
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            if a.first_tools.is_none() {
                a.first_tools = Some(t.clone());
            }
            a.last_tools = Some(t);
        }
    }
}

/// An outage: from the first CRIT record to the first record after it that is not CRIT (or the end
/// of what was observed).
#[derive(Debug, Clone, PartialEq)]
pub struct Outage {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// One series' day.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesDay {
    pub target: String,
    pub kind: String,
    pub records: usize,
    pub observed_s: f64,
    pub up_s: f64,
    pub down_s: f64,
    /// Time not covered by any record (the recorder was not running).
    pub unknown_s: f64,
    pub outages: Vec<Outage>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    /// Hourly mean latency, for a sparkline.
    pub hourly: Vec<Option<f64>>,
    pub not_ok: usize,
    pub reasons: BTreeMap<String, u64>,
    pub restarts: Vec<(String, DateTime<Utc>)>,
    pub tool_changes: Vec<String>,
    pub cpu: Range,
    pub memory: Range,
    /// Process RSS, MiB.
    pub rss: Range,
    pub log_mb: Range,
    /// Transitions into WARN or CRIT (what alerts would have fired on).
    pub alerts: usize,
}

impl SeriesDay {
    /// Time up over time observed, in %.
    pub fn availability(&self) -> Option<f64> {
        (self.observed_s > 0.0).then(|| self.up_s / self.observed_s * 100.0)
    }
}

fn pct(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    Some(sorted[i])
}

/// Closes the fold for the window `[start, end)`. A record covers the time until the next one, but
/// never more than `max_gap` (3 × the usual interval, at least 2 minutes): beyond that is unknown.
pub fn days(fold: Fold, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<SeriesDay> {
    let mut out = Vec::new();
    let all = fold
        .series
        .into_iter()
        .flat_map(|(t, kinds)| kinds.into_iter().map(move |(k, a)| (t.clone(), k, a)));
    for (target, kind, mut a) in all {
        a.points.sort_by_key(|(t, _)| *t);
        let mut gaps: Vec<f64> = a
            .points
            .windows(2)
            .map(|w| (w[1].0 - w[0].0).num_milliseconds() as f64 / 1000.0)
            .collect();
        gaps.sort_by(f64::total_cmp);
        let usual = pct(&gaps, 0.5).unwrap_or(60.0);
        let max_gap = (3.0 * usual).max(120.0);
        let total = (end - start).num_milliseconds() as f64 / 1000.0;
        let (mut up, mut down, mut observed) = (0.0, 0.0, 0.0);
        let mut outages: Vec<Outage> = Vec::new();
        let mut open: Option<DateTime<Utc>> = None;
        let mut alerts = 0;
        let mut prev = Status::Ok;
        for (i, (t, s)) in a.points.iter().enumerate() {
            let next = a.points.get(i + 1).map(|(n, _)| *n).unwrap_or(end).min(end);
            let covered = ((next - *t).num_milliseconds() as f64 / 1000.0).clamp(0.0, max_gap);
            match s {
                Status::Ok | Status::Warn => up += covered,
                Status::Crit => down += covered,
                Status::Unknown => {}
            }
            if *s != Status::Unknown {
                observed += covered;
            }
            if matches!(s, Status::Warn | Status::Crit) && prev != *s {
                alerts += 1;
            }
            match (s, open) {
                (Status::Crit, None) => open = Some(*t),
                (Status::Crit, Some(_)) => {}
                (_, Some(o)) => {
                    outages.push(Outage { start: o, end: *t });
                    open = None;
                }
                (_, None) => {}
            }
            prev = *s;
        }
        if let (Some(o), Some((last, _))) = (open, a.points.last()) {
            let until = chrono::Duration::try_milliseconds((max_gap * 1000.0) as i64)
                .and_then(|g| last.checked_add_signed(g))
                .map_or(end, |u| u.min(end));
            outages.push(Outage {
                start: o,
                end: until,
            });
        }
        let mut lat = a.latency.clone();
        lat.sort_by(f64::total_cmp);
        let tool_changes = match (&a.first_tools, &a.last_tools) {
            (Some(f), Some(l)) => tool_diff(f, l),
            _ => Vec::new(),
        };
        out.push(SeriesDay {
            records: a.points.len(),
            not_ok: a.points.iter().filter(|(_, s)| *s != Status::Ok).count(),
            target,
            kind,
            observed_s: observed,
            up_s: up,
            down_s: down,
            unknown_s: (total - observed).max(0.0),
            outages,
            p50: pct(&lat, 0.5),
            p95: pct(&lat, 0.95),
            p99: pct(&lat, 0.99),
            hourly: a
                .hourly
                .iter()
                .map(|(s, n)| (*n > 0).then(|| s / f64::from(*n)))
                .collect(),
            reasons: a.reasons,
            restarts: a.restarts,
            tool_changes,
            cpu: a.cpu,
            memory: a.memory,
            rss: a.rss,
            log_mb: a.log_mb,
            alerts,
        });
    }
    out
}

/// One deduction from the score: the rule, the points, the evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Deduction {
    pub rule: &'static str,
    pub points: f64,
    pub evidence: String,
}

/// A time of the window as the report says it: `14:05` within a day, `2026-11-25 14:05` in a longer
/// period (a week, a month).
pub fn clock(t: DateTime<Utc>, window_s: f64) -> String {
    if window_s > 25.0 * 3600.0 {
        t.format("%Y-%m-%d %H:%M").to_string()
    } else {
        t.format("%H:%M").to_string()
    }
}

/// The health score: 100 minus the deductions, each rule capped; `window_s` is the period's
/// length (for the times in the evidence).
pub fn score(days: &[SeriesDay], rules: &ScoreRules, window_s: f64) -> (f64, Vec<Deduction>) {
    let (e, r, dc, al) = (
        rules.errors,
        rules.resources,
        rules.disconnected,
        rules.alerts,
    );
    let limit = rules.resource_limit_percent;
    let mut d = Vec::new();
    let records: usize = days.iter().map(|s| s.records).sum();
    let not_ok: usize = days.iter().map(|s| s.not_ok).sum();
    if records > 0 && not_ok > 0 {
        let share = not_ok as f64 / records as f64 * 100.0;
        d.push(Deduction {
            rule: "errors",
            points: (share * e.per).min(e.cap),
            evidence: format!(
                "{not_ok} of {records} records not OK ({}; {} per %, at most {})",
                human::percent(share),
                points(e.per),
                points(e.cap)
            ),
        });
    }
    let hot: Vec<String> = days
        .iter()
        .filter_map(|s| {
            let cpu = s.cpu.mean().filter(|v| *v > limit);
            let mem = s.memory.mean().filter(|v| *v > limit);
            match (cpu, mem) {
                (None, None) => None,
                (c, m) => Some(format!(
                    "{}{}{}",
                    s.target,
                    c.map(|v| format!(" CPU avg {v:.1} %")).unwrap_or_default(),
                    m.map(|v| format!(" memory avg {v:.1} %"))
                        .unwrap_or_default()
                )),
            }
        })
        .collect();
    if !hot.is_empty() {
        d.push(Deduction {
            rule: "resources",
            points: (hot.len() as f64 * r.per).min(r.cap),
            evidence: format!(
                "above {limit} %: {} ({} each, at most {})",
                hot.join("; "),
                points(r.per),
                points(r.cap)
            ),
        });
    }
    let outages: Vec<String> = days
        .iter()
        .flat_map(|s| {
            s.outages.iter().map(move |o| {
                format!(
                    "{} down {} from {}",
                    s.target,
                    human::span((o.end - o.start).to_std().unwrap_or_default()),
                    clock(o.start, window_s)
                )
            })
        })
        .collect();
    if !outages.is_empty() {
        d.push(Deduction {
            rule: "disconnected",
            points: (outages.len() as f64 * dc.per).min(dc.cap),
            evidence: format!(
                "{} ({} per outage, at most {})",
                outages.join("; "),
                points(dc.per),
                points(dc.cap)
            ),
        });
    }
    let alerts: usize = days.iter().map(|s| s.alerts).sum();
    if alerts > 0 {
        d.push(Deduction {
            rule: "alerts",
            points: (alerts as f64 * al.per).min(al.cap),
            evidence: format!(
                "{} into WARN or CRIT ({} each, at most {})",
                human::counted(alerts, "change"),
                points(al.per),
                points(al.cap)
            ),
        });
    }
    let total: f64 = d.iter().map(|x| x.points).sum();
    ((100.0 - total).max(0.0), d)
}

/// A number of score points: `1 point`, `2.5 points`.
fn points(p: f64) -> String {
    let n = human::number(p);
    if n == "1" {
        "1 point".into()
    } else {
        format!("{n} points")
    }
}

/// A goal and whether the period met it.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub name: &'static str,
    /// The limit as written: `> 99.9 %`, `< 500 ms`.
    pub target: String,
    /// The unit of the value and the limit (`%`, `ms`, `a day`, `MiB`).
    pub unit: &'static str,
    pub limit: f64,
    /// The value must be above the limit (uptime, success rate), not below it.
    pub above: bool,
    pub value: Option<f64>,
    pub met: Option<bool>,
}

impl Goal {
    /// The value in its unit (`97.9 %`, `85 ms`, `0 a day`), `–` when there is none; a percentage
    /// that would read like its limit gets two decimals (`99.86 %` missed `> 99.9 %`).
    pub fn shown(&self) -> String {
        match (self.value, self.unit) {
            (None, _) => "–".into(),
            (Some(v), "%")
                if v != self.limit && human::percent(v) == human::percent(self.limit) =>
            {
                format!("{v:.2} %")
            }
            (Some(v), "%") => human::percent(v),
            (Some(v), unit) => format!("{} {unit}", human::number(v)),
        }
    }
}

/// The period's value of one goal over `days` (a whole window, or one target's series); none without
/// records (or, for p95 and memory, without a latency or an RSS).
fn goal_value(name: GoalName, days: &[SeriesDay], window_s: f64) -> Option<f64> {
    let records: usize = days.iter().map(|s| s.records).sum();
    let not_ok: usize = days.iter().map(|s| s.not_ok).sum();
    let share = |n: usize| (records > 0).then(|| n as f64 / records as f64 * 100.0);
    let highest = |f: &dyn Fn(&SeriesDay) -> Option<f64>| {
        days.iter()
            .filter_map(f)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
    };
    match name {
        GoalName::Uptime => {
            let observed: f64 = days.iter().map(|s| s.observed_s).sum();
            let up: f64 = days.iter().map(|s| s.up_s).sum();
            (observed > 0.0).then(|| up / observed * 100.0)
        }
        GoalName::SuccessRate => share(records - not_ok),
        GoalName::ErrorRate => share(not_ok),
        GoalName::ResponseTimeP95 => highest(&|s| s.p95),
        GoalName::MemoryMb => highest(&|s| (s.rss.n > 0).then_some(s.rss.max)),
        GoalName::Reconnects => {
            // per day of the period: a week may have 5 × 7; a 23- or 25-hour day is a day
            let restarts: usize = days.iter().map(|s| s.restarts.len()).sum();
            let per_day = (window_s / 86400.0).round().max(1.0);
            (records > 0).then(|| restarts as f64 / per_day)
        }
    }
}

/// The goals in force (the usual success metrics of an MCP deployment unless changed: uptime > 99.9 %, success rate > 95 %,
/// p95 < 500 ms, fewer than 5 reconnects a day, error rate < 1 %), each with the period's value and
/// whether it was met (none: no data for it). `window_s` is the period's length.
pub fn goals(days: &[SeriesDay], goals: &Goals, window_s: f64) -> Vec<Goal> {
    goals
        .iter()
        .map(|g| {
            let value = goal_value(g.name, days, window_s);
            Goal {
                name: g.name.as_str(),
                target: g.target(),
                unit: g.name.unit(),
                limit: g.limit,
                above: g.name.higher_is_better(),
                value,
                met: value.map(|v| g.met(v)),
            }
        })
        .collect()
}

/// Advice that follows from the day's facts, each with its evidence.
pub fn recommendations(days: &[SeriesDay], previous: &[SeriesDay], window_s: f64) -> Vec<String> {
    let mut out = Vec::new();
    for s in days {
        if let Some(longest) = s.outages.iter().max_by_key(|o| o.end - o.start) {
            out.push(format!(
                "look at {}: down {}, the longest from {} to {} UTC ({})",
                s.target,
                human::count(s.outages.len(), "time", "times"),
                clock(longest.start, window_s),
                clock(longest.end, window_s),
                s.reasons.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        let before = previous
            .iter()
            .find(|p| p.target == s.target && p.kind == s.kind)
            .and_then(|p| p.p95);
        if let (Some(now), Some(then)) = (s.p95, before) {
            if now >= 2.0 * then && now - then >= 5.0 {
                out.push(format!(
                    "{}'s p95 latency rose from {then:.1} ms to {now:.1} ms: look at the server and the host",
                    s.target
                ));
            }
        }
        if !s.restarts.is_empty() {
            out.push(format!(
                "{} restarted {} ({}): read its log around those times",
                s.target,
                human::count(s.restarts.len(), "time", "times"),
                s.restarts
                    .iter()
                    .map(|(w, t)| format!("{w} at {}", clock(*t, window_s)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if s.log_mb.max > 50.0 {
            out.push(format!(
                "rotate the log of {}: it reached {:.0} MB (> 50 MB)",
                s.target, s.log_mb.max
            ));
        }
        if !s.tool_changes.is_empty() {
            out.push(format!(
                "{}'s tool list changed ({}): check that clients still find what they use",
                s.target,
                s.tool_changes.join(" ")
            ));
        }
        if window_s > 0.0 && s.unknown_s > 0.05 * window_s {
            out.push(format!(
                "{} was not recorded for {} of the {}: check that `mcpmon record` (or its timer) runs",
                s.target,
                human::span_secs(s.unknown_s),
                period(window_s)
            ));
        }
    }
    out
}

/// What a window is called in a sentence: `day`, `week`, else `window`.
fn period(window_s: f64) -> &'static str {
    let days = window_s / 86_400.0;
    if (23.0 / 24.0..=25.0 / 24.0).contains(&days) {
        "day"
    } else if (7.0 * 23.0 / 24.0..=7.0 * 25.0 / 24.0).contains(&days) {
        "week"
    } else {
        "window"
    }
}

/// The exit status of a summary: no data is UNKNOWN; a score below 70 is CRIT; below 90, or a missed
/// goal, WARN.
pub fn status(days: &[SeriesDay], score: f64, goals: &[Goal]) -> Status {
    if days.iter().all(|s| s.records == 0) {
        Status::Unknown
    } else if score < 70.0 {
        Status::Crit
    } else if score < 90.0 || goals.iter().any(|g| g.met == Some(false)) {
        Status::Warn
    } else {
        Status::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i64, m: i64) -> DateTime<Utc> {
        "2026-11-21T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
            + chrono::Duration::hours(h)
            + chrono::Duration::minutes(m)
    }

    fn line(target: &str, status: &str, liveness: f64, extra: &str) -> String {
        format!(
            r#"{{"v":1,"at":"x","source":"record:light","target":"{target}","kind":"mcp","status":"{status}","duration_ms":1,"metrics":{{"liveness":{liveness}}}{extra}}}"#
        )
    }

    fn fold(points: &[(DateTime<Utc>, String)]) -> Vec<SeriesDay> {
        let mut f = Fold::default();
        for (at, text) in points {
            let l: HistoryLine = serde_json::from_str(text).unwrap();
            f.add(&l, *at, t(0, 0));
        }
        days(f, t(0, 0), t(24, 0))
    }

    #[test]
    fn a_perfect_day_scores_100() {
        let pts: Vec<_> = (0..288)
            .map(|i| (t(0, i * 5), line("a", "ok", 10.0, "")))
            .collect();
        let d = fold(&pts);
        assert_eq!(d[0].availability(), Some(100.0));
        assert!(d[0].unknown_s < 1.0, "{}", d[0].unknown_s);
        let (s, deductions) = score(&d, &ScoreRules::default(), 86400.0);
        assert_eq!((s, deductions.len()), (100.0, 0));
        let g = goals(&d, &Goals::default(), 86400.0);
        assert!(g.iter().all(|g| g.met == Some(true)), "{g:?}");
        assert_eq!(status(&d, s, &g), Status::Ok);
        assert!(recommendations(&d, &[], 86400.0).is_empty());
    }

    #[test]
    fn an_outage_is_timed_scored_and_explained() {
        let mut pts: Vec<_> = (0..288)
            .map(|i| {
                let bad = (120..126).contains(&i); // 10:00 … 10:25 crit
                (
                    t(0, i * 5),
                    line(
                        "a",
                        if bad { "crit" } else { "ok" },
                        10.0,
                        if bad {
                            r#","reason":"connect_refused""#
                        } else {
                            ""
                        },
                    ),
                )
            })
            .collect();
        pts.sort_by_key(|(t, _)| *t);
        let d = fold(&pts);
        assert_eq!(
            d[0].outages,
            vec![Outage {
                start: t(10, 0),
                end: t(10, 30)
            }]
        );
        assert_eq!(d[0].down_s, 1800.0);
        let a = d[0].availability().unwrap();
        assert!((a - (100.0 - 1800.0 / 86400.0 * 100.0)).abs() < 1e-9, "{a}");
        let (s, ded) = score(&d, &ScoreRules::default(), 86400.0);
        let sum: f64 = ded.iter().map(|x| x.points).sum();
        assert_eq!(s, 100.0 - sum, "the itemisation adds up");
        let rules: Vec<&str> = ded.iter().map(|x| x.rule).collect();
        assert_eq!(rules, ["errors", "disconnected", "alerts"]);
        assert!(
            ded[1].evidence.starts_with("a down 30 min from 10:00"),
            "{}",
            ded[1].evidence
        );
        let rec = recommendations(&d, &[], 86400.0);
        assert_eq!(
            rec,
            ["look at a: down 1 time, the longest from 10:00 to 10:30 UTC (connect_refused)"]
        );
        assert_eq!(
            goals(&d, &Goals::default(), 86400.0)[0].met,
            Some(false),
            "uptime 97.9 % misses 99.9 %"
        );
    }

    #[test]
    fn gaps_in_recording_are_unknown_not_up() {
        // recorded from 00:00 to 06:00 only
        let pts: Vec<_> = (0..72)
            .map(|i| (t(0, i * 5), line("a", "ok", 10.0, "")))
            .collect();
        let d = fold(&pts);
        assert_eq!(d[0].availability(), Some(100.0), "of the time observed");
        let observed_h = d[0].observed_s / 3600.0;
        assert!(
            (observed_h - (6.0 - 5.0 / 60.0 + 15.0 / 60.0)).abs() < 0.01,
            "{observed_h}"
        );
        assert!(d[0].unknown_s > 17.0 * 3600.0);
        let rec = recommendations(&d, &[], 86400.0);
        assert!(
            rec.iter().any(|r| r.contains("was not recorded for")),
            "{rec:?}"
        );
    }

    #[test]
    fn an_empty_day_is_unknown_not_100() {
        let d = fold(&[]);
        let (s, _) = score(&d, &ScoreRules::default(), 86400.0);
        let g = goals(&d, &Goals::default(), 86400.0);
        assert_eq!(status(&d, s, &g), Status::Unknown);
        assert!(g.iter().all(|g| g.met.is_none()));
    }

    #[test]
    fn latency_trend_restarts_and_tool_changes_are_recommendations() {
        let mut pts = Vec::new();
        for i in 0..100 {
            let extra = format!(
                r#","uptime_s":{{"process":{}}},"tools":{{"echo":"{}"}}"#,
                if i < 50 {
                    1000 + i * 300
                } else {
                    (i - 50) * 300
                },
                if i < 50 { "aa" } else { "bb" }
            );
            pts.push((t(0, i * 5), line("a", "ok", 40.0, &extra)));
        }
        let d = fold(&pts);
        let prev = fold(
            &(0..100)
                .map(|i| (t(0, i * 5), line("a", "ok", 10.0, "")))
                .collect::<Vec<_>>(),
        );
        let rec = recommendations(&d, &prev, 86400.0);
        assert!(
            rec.iter()
                .any(|r| r.starts_with("a's p95 latency rose from 10.0 ms to 40.0 ms")),
            "{rec:?}"
        );
        assert!(
            rec.iter()
                .any(|r| r.starts_with("a restarted 1 time (process at 04:10)")),
            "{rec:?}"
        );
        assert!(
            rec.iter()
                .any(|r| r.starts_with("a's tool list changed (~echo)")),
            "{rec:?}"
        );
    }

    #[test]
    fn a_goal_value_never_reads_like_its_limit_when_it_is_not() {
        let goal = |value: f64| Goal {
            name: "uptime",
            target: "> 99.9 %".into(),
            unit: "%",
            limit: 99.9,
            above: true,
            value: Some(value),
            met: Some(value > 99.9),
        };
        assert_eq!(goal(80.0).shown(), "80.0 %");
        assert_eq!(goal(99.86).shown(), "99.86 %");
        assert_eq!(goal(99.94).shown(), "99.94 %");
        assert_eq!(goal(99.9).shown(), "99.9 %");
        assert_eq!(goal(99.5).shown(), "99.5 %");
    }

    #[test]
    fn a_gap_is_said_of_the_day_the_week_or_the_window() {
        assert_eq!(period(86_400.0), "day");
        assert_eq!(period(23.0 * 3600.0), "day"); // a day of a change to summer time
        assert_eq!(period(7.0 * 86_400.0), "week");
        assert_eq!(period(2.0 * 86_400.0), "window");
        assert_eq!(period(30.0 * 86_400.0), "window");
    }

    #[test]
    fn a_status_mcpmon_does_not_know_is_unknown_not_up() {
        // every 5 minutes for an hour: "degraded" (a newer version's word) then "ok"
        let points: Vec<_> = (0..12)
            .map(|i| {
                let st = if i < 6 { "degraded" } else { "ok" };
                (t(0, i * 5), line("a", st, 10.0, ""))
            })
            .collect();
        let d = fold(&points);
        assert_eq!(d[0].not_ok, 6);
        // the degraded half is neither up nor down, it is not observed: only the OK half counts (five
        // 5-minute gaps and the last point's 15 minutes); read as OK it would be 4200 s up
        assert_eq!(d[0].up_s, 2400.0);
        assert_eq!(d[0].down_s, 0.0);
        assert_eq!(d[0].observed_s, 2400.0);
    }
}
