//! Anomalies from history (`mcpmon anomalies`), what `detect-anomalies.sh` could not do: a latency
//! far outside the target's own recent baseline (median and MAD), an error rate far above it, a tool
//! list that changed (named diff), a restart (uptime went down), missing records (the recorder
//! stopped), and status flapping. Pure: history is folded in record by record (`History::add`, memory
//! grows with targets and samples, not with lines read), and the clock is a parameter.

use crate::model::CheckId;
use crate::model::Finding;
use crate::model::HistoryLine;
use crate::model::Kind;
use crate::model::Status;
use crate::model::human;
use crate::model::{Facts, Observation, Reason, Unit};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Metrics judged against their baseline (milliseconds, higher is worse), besides the functional
/// checks' `call:…` latencies.
const BASELINE_METRICS: [CheckId; 5] = [
    CheckId::HANDSHAKE,
    CheckId::LIVENESS,
    CheckId::STARTUP,
    CheckId::HUB,
    CheckId::HTTP,
];
/// Whether a history metric is a latency judged against its baseline: one of `BASELINE_METRICS`, or
/// a functional check's (`call:…`, in ms).
fn baseline_metric(name: &str) -> bool {
    name.starts_with("call:") || BASELINE_METRICS.iter().any(|m| m == name)
}

/// The newest samples compared against the baseline made of the older ones.
const RECENT: usize = 3;
/// Samples needed before a baseline means anything.
const MIN_BASELINE: usize = 20;
/// How far above the median, in robust standard deviations (1.4826 × MAD), is anomalous.
const MAD_FACTOR: f64 = 6.0;
/// Status changes within the window above which a target is flapping (default: > 3).
const MAX_CHANGES: usize = 3;

/// Three anomalies or more make the run critical, whatever each one is (as `detect-anomalies.sh`).
pub const CRITICAL_COUNT: usize = 3;

/// What reading the history came to, for the report's history line.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryRead {
    /// No state dir: nothing was read.
    NoStateDir,
    /// The window was read from `dir` (files opened, corrupt lines skipped).
    Read {
        dir: String,
        files: usize,
        corrupt: usize,
    },
}

/// The whole anomaly verdict of a run: the live round's findings (in section `now`, plus each hub's
/// client count against `max_clients`), then the history line and the history rules (section
/// `history`), then the count rule (three anomalies at once are critical). Exit as the original: 0
/// none, 1 one or two minor ones, 2 three or more or any critical one.
pub fn assess(
    live: Vec<Finding>,
    observations: &[Observation],
    max_clients: u64,
    history: &History,
    read: &HistoryRead,
    window: &str,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut findings = live;
    for obs in observations {
        if let Facts::Hub(h) = &obs.facts {
            if let Some(n) = h.active_clients {
                findings.push(clients(&obs.target, n, max_clients));
            }
        }
    }
    for f in &mut findings {
        f.section = Some("now");
    }
    // what the live round measured is "now" for the baselines
    let measured: BTreeMap<(String, String), f64> = findings
        .iter()
        .filter_map(|f| {
            f.value
                .map(|v| ((f.target.clone(), f.check.to_string()), v))
        })
        .collect();
    let mut note = Finding::new(
        "history",
        Kind::Mcp,
        "history",
        Status::Ok,
        None,
        read_note(history, read, window),
    );
    note.section = Some("history");
    findings.push(note);
    findings.extend(self::findings(history, &measured, now));
    findings.extend(count(&findings));
    findings
}

/// A hub's active clients (default: > 5 warns, > 10 is critical, with `max_clients` 5).
pub fn clients(target: &str, n: u64, max: u64) -> Finding {
    let status = if n > 2 * max {
        Status::Crit
    } else if n > max {
        Status::Warn
    } else {
        Status::Ok
    };
    Finding::new(
        target,
        Kind::Hub,
        CheckId::HUB_CLIENTS,
        status,
        (status != Status::Ok).then_some(Reason::Threshold),
        format!("{n} active clients"),
    )
    .value(n as f64)
    .unit(Unit::Count)
    .bounds(Some(max as f64), Some(2.0 * max as f64))
}

/// The samples of the deepest series and the samples a baseline needs, when no series has enough to
/// be judged against its own history (nothing was); none when at least one has.
pub fn too_little_history(h: &History) -> Option<(usize, usize)> {
    let need = MIN_BASELINE + RECENT;
    let have = h
        .series
        .values()
        .flat_map(|kinds| kinds.values())
        .map(|s| s.times.len())
        .max()
        .unwrap_or(0);
    (have < need).then_some((have, need))
}

/// The history line: what was read, or why nothing was.
fn read_note(h: &History, read: &HistoryRead, window: &str) -> String {
    match read {
        HistoryRead::NoStateDir => "no state dir: history not read".to_string(),
        HistoryRead::Read { dir, .. } if h.records == 0 => format!(
            "no records in the last {window} in {dir} (run `mcpmon record`, or --record on health)"
        ),
        HistoryRead::Read { .. } if too_little_history(h).is_some() => {
            let (have, need) = too_little_history(h).unwrap_or_default();
            format!(
                "not enough history yet: {have} of {need} samples (a baseline needs {need}); {} of {}, nothing judged against history",
                human::counted(h.records, "record"),
                human::counted(h.series.len(), "target")
            )
        }
        HistoryRead::Read { files, corrupt, .. } => format!(
            "{} of {} from {}{}",
            human::counted(h.records, "record"),
            human::counted(h.series.len(), "target"),
            human::counted(*files, "day file"),
            if *corrupt > 0 {
                format!("; {} skipped", human::counted(*corrupt, "corrupt line"))
            } else {
                String::new()
            }
        ),
    }
}

/// Three anomalies or more at once, none of them critical on its own: the run is critical.
pub fn count(findings: &[Finding]) -> Option<Finding> {
    let anomalies = findings
        .iter()
        .filter(|f| matches!(f.status, Status::Warn | Status::Crit))
        .count();
    let any_crit = findings.iter().any(|f| f.status == Status::Crit);
    if anomalies < CRITICAL_COUNT || any_crit {
        return None;
    }
    let mut f = Finding::new(
        "anomalies",
        Kind::Mcp,
        "count",
        Status::Crit,
        Some(Reason::Anomaly),
        format!("{anomalies} anomalies at once (≥ {CRITICAL_COUNT} is critical)"),
    )
    .value(anomalies as f64)
    .unit(Unit::Count)
    .bounds(Some(1.0), Some(CRITICAL_COUNT as f64));
    f.section = Some("history");
    Some(f)
}

/// One target's probe kind through the window.
#[derive(Debug, Default)]
pub struct Series {
    pub times: Vec<DateTime<Utc>>,
    /// Whether each record was OK.
    pub ok: Vec<bool>,
    pub metrics: BTreeMap<String, Vec<f64>>,
    first_tools: Option<(DateTime<Utc>, BTreeMap<String, String>)>,
    last_tools: Option<(DateTime<Utc>, BTreeMap<String, String>)>,
    /// When the tool list last differed from the one before it.
    tools_changed_at: Option<DateTime<Utc>>,
    uptime: BTreeMap<String, (DateTime<Utc>, f64)>,
    /// The first uptime seen per name (to find a restart where two folds meet).
    first_uptime: BTreeMap<String, (DateTime<Utc>, f64)>,
    /// (what, when, uptime before, uptime after)
    restarts: Vec<(String, DateTime<Utc>, f64, f64)>,
}

/// Everything read from history, by (target, kind).
#[derive(Debug, Default)]
pub struct History {
    /// By target, then probe kind (nested, so a line is filed without allocating its key).
    pub series: BTreeMap<String, BTreeMap<String, Series>>,
    pub records: usize,
}

impl History {
    /// Folds in one line (lines come oldest file first, in append order).
    pub fn add(&mut self, r: &HistoryLine<'_>, at: DateTime<Utc>) {
        self.records += 1;
        let Some(s) = crate::model::series_entry(&mut self.series, &r.target, &r.kind) else {
            return;
        };
        s.times.push(at);
        s.ok.push(r.status == Status::Ok);
        for (m, v) in &r.metrics.0 {
            if !baseline_metric(m) {
                continue;
            }
            match s.metrics.get_mut(m.as_ref()) {
                Some(list) => list.push(*v),
                None => {
                    s.metrics.insert(m.to_string(), vec![*v]);
                }
            }
        }
        if let Some(tools) = &r.tools {
            let tools: BTreeMap<String, String> = tools
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            if s.first_tools.is_none() {
                s.first_tools = Some((at, tools.clone()));
            }
            if s.last_tools
                .as_ref()
                .is_some_and(|(_, last)| *last != tools)
            {
                s.tools_changed_at = Some(at);
            }
            s.last_tools = Some((at, tools));
        }
        for (what, up) in &r.uptime_s.0 {
            // an uptime out of range (a hub's 1e20, a hand-edited line) is skipped, not compared
            let Some(up) = crate::model::checked::secs(*up).map(|_| *up) else {
                continue;
            };
            match s.uptime.get_mut(what.as_ref()) {
                Some(prev) => {
                    if up + 1.0 < prev.1 {
                        s.restarts.push((what.to_string(), at, prev.1, up));
                    }
                    *prev = (at, up);
                }
                None => {
                    s.uptime.insert(what.to_string(), (at, up));
                    s.first_uptime.insert(what.to_string(), (at, up));
                }
            }
        }
    }

    /// Appends a fold of the later part of the window (`newer`) to this one, as if its lines had
    /// been added after these: two halves of a window can be read side by side.
    pub fn merge(mut self, newer: History) -> History {
        self.records += newer.records;
        for (target, kinds) in newer.series {
            for (kind, n) in kinds {
                let Some(o) = crate::model::series_entry(&mut self.series, &target, &kind) else {
                    continue;
                };
                o.times.extend(n.times);
                o.ok.extend(n.ok);
                for (m, v) in n.metrics {
                    o.metrics.entry(m).or_default().extend(v);
                }
                match (&o.last_tools, &n.first_tools) {
                    (Some((_, before)), Some((at, after))) if before != after => {
                        o.tools_changed_at = Some(*at);
                    }
                    _ => {}
                }
                if n.tools_changed_at.is_some() {
                    o.tools_changed_at = n.tools_changed_at;
                }
                if o.first_tools.is_none() {
                    o.first_tools = n.first_tools;
                }
                if n.last_tools.is_some() {
                    o.last_tools = n.last_tools;
                }
                for (what, (at, up)) in &n.first_uptime {
                    if let Some((_, before)) = o.uptime.get(what) {
                        if up + 1.0 < *before {
                            o.restarts.push((what.clone(), *at, *before, *up));
                        }
                    }
                    o.first_uptime.entry(what.clone()).or_insert((*at, *up));
                }
                o.restarts.extend(n.restarts);
                o.uptime.extend(n.uptime);
            }
        }
        self
    }
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Median and MAD of a sample.
pub fn median_mad(values: &[f64]) -> (f64, f64) {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let m = median(&v);
    let mut dev: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
    dev.sort_by(f64::total_cmp);
    (m, median(&dev))
}

fn finding(target: &str, check: impl Into<CheckId>, status: Status, msg: String) -> Finding {
    let mut f = Finding::new(
        target,
        Kind::Mcp,
        check,
        status,
        (status != Status::Ok).then_some(crate::model::Reason::Anomaly),
        msg,
    );
    f.section = Some("history");
    f
}

fn ago(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    format!("{} ago", span((now - t).num_milliseconds() as f64 / 1000.0))
}

fn span(secs: f64) -> String {
    crate::model::human::span_secs(secs.max(0.0))
}

/// The `+added`, `-removed`, `~schema changed` diff of two tool lists.
pub fn tool_diff(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut d = Vec::new();
    for (name, hash) in after {
        match before.get(name) {
            None => d.push(format!("+{name}")),
            Some(h) if h != hash => d.push(format!("~{name}")),
            Some(_) => {}
        }
    }
    for name in before.keys() {
        if !after.contains_key(name) {
            d.push(format!("-{name}"));
        }
    }
    d
}

/// The findings about each series; `live` holds the values the live round just measured
/// ((target, metric) → value), preferred over the newest records as "now".
pub fn findings(
    h: &History,
    live: &BTreeMap<(String, String), f64>,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let all = h
        .series
        .iter()
        .flat_map(|(t, kinds)| kinds.iter().map(move |(k, s)| (t, k, s)));
    for (target, kind, s) in all {
        let label = |check: &str| format!("{kind}:{check}");
        // latency against its own baseline
        for (metric, values) in &s.metrics {
            let live_now = live.get(&(target.clone(), metric.clone())).copied();
            let (base, recent): (&[f64], Vec<f64>) = match live_now {
                Some(v) => (&values[..], vec![v]),
                None if values.len() > RECENT => (
                    &values[..values.len() - RECENT],
                    values[values.len() - RECENT..].to_vec(),
                ),
                None => continue,
            };
            if base.len() < MIN_BASELINE {
                continue;
            }
            let (m, mad) = median_mad(base);
            let (current, _) = median_mad(&recent);
            let sigma = 1.4826 * mad;
            let limit = m + (MAD_FACTOR * sigma).max(0.5 * m).max(5.0);
            let evidence = format!(
                "{metric} now {current:.1} ms; baseline median {m:.1} ms, MAD {mad:.1} ms over {} samples (limit {limit:.1} ms)",
                base.len()
            );
            out.push(if current > limit {
                finding(
                    target,
                    label(&format!("baseline:{metric}")),
                    Status::Warn,
                    evidence,
                )
                .value(current)
                .unit(crate::model::Unit::Ms)
                .bounds(Some(limit), None)
            } else {
                finding(
                    target,
                    label(&format!("baseline:{metric}")),
                    Status::Ok,
                    evidence,
                )
                .value(current)
                .unit(crate::model::Unit::Ms)
            });
        }
        // error rate: the last hour against the rest of the window
        let cut = now - chrono::Duration::hours(1);
        let (mut recent_n, mut recent_bad, mut base_n, mut base_bad) =
            (0usize, 0usize, 0usize, 0usize);
        for (t, ok) in s.times.iter().zip(&s.ok) {
            if *t >= cut {
                recent_n += 1;
                recent_bad += usize::from(!ok);
            } else {
                base_n += 1;
                base_bad += usize::from(!ok);
            }
        }
        if recent_n >= 3 && base_n >= MIN_BASELINE {
            let r = recent_bad as f64 / recent_n as f64;
            let b = base_bad as f64 / base_n as f64;
            let evidence = format!(
                "{recent_bad} of {recent_n} records not OK in the last hour ({:.0} %); before: {base_bad} of {base_n} ({:.1} %)",
                r * 100.0,
                b * 100.0
            );
            let bad = r >= 0.5 && r > b + 0.3;
            out.push(finding(
                target,
                label("error_rate"),
                if bad { Status::Warn } else { Status::Ok },
                evidence,
            ));
        }
        // status flapping
        let changes = s.ok.windows(2).filter(|w| w[0] != w[1]).count();
        if changes > MAX_CHANGES {
            out.push(finding(
                target,
                label("status_changes"),
                Status::Warn,
                format!(
                    "{changes} changes between OK and not OK in {} records (> {MAX_CHANGES})",
                    s.ok.len()
                ),
            ));
        }
        // tools
        if let (Some((t0, first)), Some((t1, last))) = (&s.first_tools, &s.last_tools) {
            let diff = tool_diff(first, last);
            if !diff.is_empty() {
                let when = s.tools_changed_at.unwrap_or(*t1);
                out.push(finding(
                    target,
                    label("tools_changed"),
                    Status::Warn,
                    format!(
                        "the tool list changed ({}) between {} and {} (last change {}): {}",
                        diff.len(),
                        t0.format("%Y-%m-%d %H:%M"),
                        t1.format("%Y-%m-%d %H:%M"),
                        ago(now, when),
                        diff.join(" ")
                    ),
                ));
            }
        }
        // restarts
        if let Some((what, when, before, after)) = s.restarts.last() {
            out.push(finding(
                target,
                label("restarted"),
                Status::Warn,
                format!(
                    "{}; last: {what} {} (uptime {} → {})",
                    human::counted(s.restarts.len(), "restart"),
                    ago(now, *when),
                    span(*before),
                    span(*after)
                ),
            ));
        }
        // gaps: the recorder stopped
        if s.times.len() >= 3 {
            let mut gaps: Vec<f64> = s
                .times
                .windows(2)
                .map(|w| (w[1] - w[0]).num_milliseconds() as f64 / 1000.0)
                .collect();
            let mut sorted = gaps.clone();
            sorted.sort_by(f64::total_cmp);
            let usual = median(&sorted);
            let allowed = (3.0 * usual).max(120.0);
            let last = s.times[s.times.len() - 1];
            gaps.push((now - last).num_milliseconds() as f64 / 1000.0);
            let missing: Vec<(usize, f64)> = gaps
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, g)| *g > allowed)
                .collect();
            if let Some(&(i, g)) = missing.last() {
                let from = s.times[i];
                let what = if i + 1 == s.times.len() {
                    format!(
                        "no record since {} ({})",
                        from.format("%Y-%m-%d %H:%M"),
                        ago(now, from)
                    )
                } else {
                    format!(
                        "no records for {} after {}",
                        span(g),
                        from.format("%Y-%m-%d %H:%M")
                    )
                };
                out.push(finding(
                    target,
                    label("missing_records"),
                    Status::Warn,
                    format!(
                        "{what}; {} longer than {} (the usual interval is {})",
                        human::counted(missing.len(), "gap"),
                        span(allowed),
                        span(usual)
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Record;

    fn at(min: i64) -> DateTime<Utc> {
        "2026-11-22T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + chrono::Duration::minutes(min)
    }

    /// Folds a record in as a reader would see its line.
    trait AddRecord {
        fn add_rec(&mut self, r: Record);
    }
    impl AddRecord for History {
        fn add_rec(&mut self, r: Record) {
            let text = serde_json::to_string(&r).unwrap();
            let line: HistoryLine = serde_json::from_str(&text).unwrap();
            self.add(&line, r.at);
        }
    }

    fn rec(min: i64, ok: bool, liveness: f64) -> Record {
        Record {
            v: 1,
            at: at(min),
            source: "record:light".into(),
            target: "t".into(),
            kind: "mcp".into(),
            status: if ok { Status::Ok } else { Status::Crit },
            reason: None,
            duration_ms: 1.0,
            metrics: BTreeMap::from([("liveness".to_string(), liveness)]),
            tools: None,
            servers: None,
            uptime_s: BTreeMap::new(),
        }
    }

    fn checks(f: &[Finding]) -> Vec<(String, Status)> {
        f.iter().map(|f| (f.check.to_string(), f.status)).collect()
    }

    #[test]
    fn latency_against_its_own_baseline_both_sides() {
        let mut h = History::default();
        for i in 0..30 {
            h.add_rec(rec(i * 5, true, 10.0 + (i % 3) as f64));
        }
        let now = at(150);
        let live = |v: f64| BTreeMap::from([(("t".to_string(), "liveness".to_string()), v)]);
        // limit: median 11, MAD 1 → 11 + max(8.9, 5.5, 5) = 19.9
        let f = findings(&h, &live(19.0), now);
        assert!(
            checks(&f).contains(&("mcp:baseline:liveness".into(), Status::Ok)),
            "{f:?}"
        );
        let f = findings(&h, &live(21.0), now);
        let b = f
            .iter()
            .find(|f| f.check == "mcp:baseline:liveness")
            .unwrap();
        assert_eq!(b.status, Status::Warn);
        assert!(
            b.message.contains("baseline median 11.0 ms"),
            "{}",
            b.message
        );
    }

    #[test]
    fn a_call_getting_slower_is_an_anomaly_from_its_recorded_latency() {
        use crate::model::{Facts, Kind, McpFacts, Observation, Unit};
        // the history line as `record` writes it: the call's finding value under its check
        let line = |min: i64, ms: f64| {
            let obs = Observation {
                target: "t".into(),
                endpoint: "x".into(),
                started_at: at(min),
                duration: std::time::Duration::ZERO,
                failure: None,
                facts: Facts::Mcp(Box::default() as Box<McpFacts>),
            };
            let f = Finding::new("t", Kind::Mcp, "call:echo", Status::Ok, None, "".into())
                .value(ms)
                .unit(Unit::Ms);
            Record::of(&obs, &[f], "record:full")
        };
        let mut h = History::default();
        for i in 0..30 {
            h.add_rec(line(i * 5, 20.0 + (i % 3) as f64));
        }
        let live = |v: f64| BTreeMap::from([(("t".to_string(), "call:echo".to_string()), v)]);
        let now = at(150);
        let f = findings(&h, &live(22.0), now);
        assert!(
            checks(&f).contains(&("mcp:baseline:call:echo".into(), Status::Ok)),
            "{f:?}"
        );
        let f = findings(&h, &live(90.0), now);
        let b = f
            .iter()
            .find(|f| f.check == "mcp:baseline:call:echo")
            .expect("a baseline finding for the call");
        assert_eq!(b.status, Status::Warn, "{}", b.message);
        assert!(
            b.message.starts_with("call:echo now 90.0 ms"),
            "{}",
            b.message
        );
    }

    #[test]
    fn too_little_history_is_no_baseline() {
        let mut h = History::default();
        for i in 0..10 {
            h.add_rec(rec(i, true, 10.0));
        }
        let live = BTreeMap::from([(("t".to_string(), "liveness".to_string()), 500.0)]);
        assert!(
            findings(&h, &live, at(11))
                .iter()
                .all(|f| !f.check.contains("baseline"))
        );
    }

    #[test]
    fn error_rate_in_the_last_hour() {
        let history = |recent_ok: [bool; 4]| {
            let mut h = History::default();
            for i in 0..21 {
                h.add_rec(rec(i * 5, true, 10.0)); // 00:00 … 01:40
            }
            for (i, ok) in recent_ok.iter().enumerate() {
                h.add_rec(rec(150 + i as i64 * 5, *ok, 10.0)); // 02:30 … 02:45
            }
            h
        };
        // the last hour (from 01:50): 3 of 4 bad, against 0 of 21 before
        let f = findings(
            &history([true, false, false, false]),
            &BTreeMap::new(),
            at(170),
        );
        let e = f.iter().find(|f| f.check == "mcp:error_rate").unwrap();
        assert_eq!(e.status, Status::Warn, "{}", e.message);
        assert!(
            e.message
                .starts_with("3 of 4 records not OK in the last hour (75 %); before: 0 of 21"),
            "{}",
            e.message
        );
        // one bad record of four is not an anomaly
        let f = findings(
            &history([false, true, true, true]),
            &BTreeMap::new(),
            at(170),
        );
        assert_eq!(
            f.iter()
                .find(|f| f.check == "mcp:error_rate")
                .unwrap()
                .status,
            Status::Ok
        );
        // 4 changes between ok and not ok: flapping
        assert!(checks(&f).iter().all(|(c, _)| c != "mcp:status_changes"));
        let mut h = History::default();
        for (i, ok) in [true, false, true, false, true].iter().enumerate() {
            h.add_rec(rec(i as i64, *ok, 10.0));
        }
        assert!(
            checks(&findings(&h, &BTreeMap::new(), at(5)))
                .contains(&("mcp:status_changes".into(), Status::Warn))
        );
    }

    #[test]
    fn tool_list_changes_are_named() {
        let tools = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>()
        };
        let mut h = History::default();
        let mut r = rec(0, true, 1.0);
        r.tools = Some(tools(&[("echo", "aa"), ("add", "bb"), ("old", "cc")]));
        h.add_rec(r);
        let mut r = rec(5, true, 1.0);
        r.tools = Some(tools(&[("echo", "aa"), ("add", "b2"), ("new", "dd")]));
        h.add_rec(r);
        let f = findings(&h, &BTreeMap::new(), at(6));
        let t = f.iter().find(|f| f.check == "mcp:tools_changed").unwrap();
        assert!(t.message.ends_with(": ~add +new -old"), "{}", t.message);
        // the same list again and again: no finding
        let mut h = History::default();
        for i in 0..3 {
            let mut r = rec(i, true, 1.0);
            r.tools = Some(tools(&[("echo", "aa")]));
            h.add_rec(r);
        }
        assert!(
            findings(&h, &BTreeMap::new(), at(3))
                .iter()
                .all(|f| f.check != "mcp:tools_changed")
        );
    }

    #[test]
    fn restarts_and_gaps() {
        let mut h = History::default();
        for (i, up) in [100.0, 400.0, 700.0, 50.0, 350.0].iter().enumerate() {
            let mut r = rec(i as i64 * 5, true, 1.0);
            r.uptime_s.insert("everything".into(), *up);
            h.add_rec(r);
        }
        let f = findings(&h, &BTreeMap::new(), at(21));
        let r = f.iter().find(|f| f.check == "mcp:restarted").unwrap();
        assert!(
            r.message
                .starts_with("1 restart; last: everything 6 min ago (uptime 11 min → 50 s)"),
            "{}",
            r.message
        );
        assert!(f.iter().all(|f| f.check != "mcp:missing_records"), "{f:?}");
        // the recorder stopped: 5 min interval, then nothing for an hour
        let f = findings(&h, &BTreeMap::new(), at(80));
        let m = f.iter().find(|f| f.check == "mcp:missing_records").unwrap();
        assert!(
            m.message
                .starts_with("no record since 2026-11-22 00:20 (1 h ago)"),
            "{}",
            m.message
        );
        // a gap in the middle
        let mut h = History::default();
        for min in [0, 5, 10, 15, 75, 80, 85] {
            h.add_rec(rec(min, true, 1.0));
        }
        let f = findings(&h, &BTreeMap::new(), at(86));
        let m = f.iter().find(|f| f.check == "mcp:missing_records").unwrap();
        assert!(
            m.message
                .starts_with("no records for 1 h after 2026-11-22 00:15"),
            "{}",
            m.message
        );
    }

    #[test]
    fn two_halves_merged_judge_as_the_whole() {
        let tools = |h: &str| BTreeMap::from([("echo".to_string(), h.to_string())]);
        let mut recs = Vec::new();
        for i in 0..60i64 {
            let mut r = rec(i * 5, i % 17 != 3, 10.0 + (i % 4) as f64);
            r.tools = Some(tools(if i < 33 { "aa" } else { "bb" }));
            // a restart where the halves meet (i = 30) and one inside the second half
            let up = if i < 30 {
                1000.0 + i as f64 * 300.0
            } else if i < 45 {
                (i - 30) as f64 * 300.0
            } else {
                (i - 45) as f64 * 300.0
            };
            r.uptime_s.insert("process".into(), up);
            if !(20..26).contains(&i) {
                recs.push(r);
            }
        }
        let now = at(300);
        let live = BTreeMap::from([(("t".to_string(), "liveness".to_string()), 30.0)]);
        let judge = |h: &History| {
            findings(h, &live, now)
                .into_iter()
                .map(|f| (f.check, f.status, f.message))
                .collect::<Vec<_>>()
        };
        let mut whole = History::default();
        for r in recs.clone() {
            whole.add_rec(r);
        }
        let want = judge(&whole);
        assert!(
            want.iter()
                .any(|(c, _, m)| c == "mcp:restarted" && m.starts_with("2 restarts")),
            "{want:#?}"
        );
        for split in [1, 17, 25, 29, 30, 31, 40, recs.len() - 1] {
            let (mut a, mut b) = (History::default(), History::default());
            for (i, r) in recs.clone().into_iter().enumerate() {
                if i < split {
                    a.add_rec(r)
                } else {
                    b.add_rec(r)
                }
            }
            assert_eq!(judge(&a.merge(b)), want, "split at {split}");
        }
    }

    #[test]
    fn median_and_mad() {
        assert_eq!(median_mad(&[1.0, 2.0, 3.0, 4.0, 100.0]), (3.0, 1.0));
        assert_eq!(median_mad(&[5.0, 5.0]), (5.0, 0.0));
    }

    #[test]
    fn a_status_mcpmon_does_not_know_is_not_ok_in_history() {
        let mut h = History::default();
        let line: HistoryLine = serde_json::from_str(
            r#"{"at":"2026-11-22T00:00:00Z","target":"t","kind":"mcp","status":"degraded"}"#,
        )
        .unwrap();
        h.add(&line, at(0));
        let ok = r#"{"at":"2026-11-22T00:01:00Z","target":"t","kind":"mcp","status":"ok"}"#;
        h.add(&serde_json::from_str(ok).unwrap(), at(1));
        assert_eq!(h.series["t"]["mcp"].ok, vec![false, true]);
    }

    #[test]
    fn hub_clients_warn_above_max_and_are_critical_above_twice_it() {
        assert_eq!(clients("hub", 5, 5).status, Status::Ok);
        assert_eq!(clients("hub", 6, 5).status, Status::Warn);
        assert_eq!(clients("hub", 10, 5).status, Status::Warn);
        let f = clients("hub", 11, 5);
        assert_eq!(
            (f.status, f.reason),
            (Status::Crit, Some(Reason::Threshold))
        );
        assert_eq!((f.probe, f.check.as_str()), (Kind::Hub, "hub_clients"));
        assert_eq!((f.warn, f.crit), (Some(5.0), Some(10.0)));
    }

    #[test]
    fn three_minor_anomalies_at_once_are_critical_but_a_critical_one_needs_no_count() {
        let f = |s: Status| Finding::new("t", Kind::Mcp, "x", s, None, String::new());
        assert_eq!(count(&[f(Status::Warn), f(Status::Warn)]), None);
        let c = count(&[
            f(Status::Warn),
            f(Status::Warn),
            f(Status::Warn),
            f(Status::Ok),
        ])
        .unwrap();
        assert_eq!((c.status, c.value), (Status::Crit, Some(3.0)));
        assert_eq!(c.section, Some("history"));
        assert_eq!(
            count(&[f(Status::Warn), f(Status::Warn), f(Status::Crit)]),
            None
        );
    }

    #[test]
    fn assess_puts_live_findings_now_and_says_what_history_was_read() {
        let live = vec![
            Finding::new(
                "t",
                Kind::Mcp,
                CheckId::LIVENESS,
                Status::Ok,
                None,
                "1 ms".into(),
            )
            .value(1.0),
        ];
        let out = assess(
            live,
            &[],
            5,
            &History::default(),
            &HistoryRead::NoStateDir,
            "24h",
            at(0),
        );
        assert_eq!(out[0].section, Some("now"));
        assert_eq!(out[1].message, "no state dir: history not read");
        assert_eq!(out[1].section, Some("history"));
        let read = HistoryRead::Read {
            dir: "/s/history".into(),
            files: 0,
            corrupt: 0,
        };
        let out = assess(Vec::new(), &[], 5, &History::default(), &read, "24h", at(0));
        assert!(
            out[0]
                .message
                .starts_with("no records in the last 24h in /s/history"),
            "{}",
            out[0].message
        );
        let mut h = History::default();
        h.add_rec(rec(0, true, 1.0));
        let read = HistoryRead::Read {
            dir: "/s".into(),
            files: 2,
            corrupt: 1,
        };
        // one record is too little to judge anything against: said, not taken for all clear
        let out = assess(Vec::new(), &[], 5, &h, &read, "24h", at(1));
        assert_eq!(too_little_history(&h), Some((1, MIN_BASELINE + RECENT)));
        assert!(
            out[0]
                .message
                .starts_with("not enough history yet: 1 of 23 samples"),
            "{}",
            out[0].message
        );
        for i in 1..30 {
            h.add_rec(rec(i, true, 1.0));
        }
        assert_eq!(too_little_history(&h), None);
        let out = assess(Vec::new(), &[], 5, &h, &read, "24h", at(31));
        assert_eq!(
            out[0].message,
            "30 records of 1 target from 2 day files; 1 corrupt line skipped"
        );
    }
}
