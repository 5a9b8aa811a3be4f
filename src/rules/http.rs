//! Judging an HTTP/JSON health endpoint: its response time, each assertion, each named metric (a
//! missing metric is UNKNOWN, never 0) by its value, its rate or growth since the previous sample
//! (which the caller loads and stores: judging stays pure), or its age; shown metrics as they are.

use super::{bounds_text, failed, judge_above, judge_below};
use crate::model::CheckId;
use crate::model::Checks;
use crate::model::Condition;
use crate::model::Finding;
use crate::model::HealthFacts;
use crate::model::Judge;
use crate::model::Kind;
use crate::model::MetricSpec;
use crate::model::Observation;
use crate::model::Reason;
use crate::model::Sample;
use crate::model::Status;
use crate::model::Unit;

pub fn findings(obs: &Observation, e: &HealthFacts, checks: &Checks) -> Vec<Finding> {
    let t = obs.target.as_str();
    let mut out = Vec::new();
    if let Some(f) = &obs.failure {
        out.push(failed(t, Kind::Http, CheckId::HTTP, f));
        return out;
    }
    let ms = e.latency.map(crate::model::stats::ms1).unwrap_or(0.0);
    let status = e
        .http_status
        .map(|s| format!("HTTP {s} "))
        .unwrap_or_default();
    out.push(super::above(
        t,
        Kind::Http,
        CheckId::HTTP,
        ms,
        checks.response_time_ms,
        Unit::Ms,
        format!("{status}in {ms} ms"),
    ));
    if let (Some(not_after), Some(days_left)) = (e.tls_not_after, e.tls_days_left) {
        let cert = crate::model::CertExpiry {
            not_after,
            days_left,
        };
        out.push(super::tls::expiry(
            t,
            Kind::Http,
            &cert,
            checks.tls_days_left,
        ));
    }
    for a in &e.asserts {
        let check = format!("assert:{}", a.pointer);
        let (status, reason, msg) = match (&a.actual, a.failure()) {
            // a field that is not there cannot be judged, unless the assertion is about its presence
            (None, Some(why))
                if !a
                    .conditions
                    .iter()
                    .any(|c| matches!(c, Condition::Exists(_))) =>
            {
                (Status::Unknown, Some(Reason::FieldMissing), why)
            }
            (_, Some(why)) => (Status::Crit, Some(Reason::AssertionFailed), why),
            (Some(v), None) => match a.conditions.as_slice() {
                [Condition::Equals(_)] => (Status::Ok, None, format!("== {v}")),
                cs => (
                    Status::Ok,
                    None,
                    format!(
                        "is {v}: {}",
                        cs.iter()
                            .map(Condition::describe)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            },
            (None, None) => (Status::Ok, None, "is absent, as expected".into()),
        };
        out.push(Finding::new(
            t,
            Kind::Http,
            &check,
            status,
            reason,
            format!("{} {msg}", a.pointer),
        ));
    }
    let at_ms = obs.started_at.timestamp_millis();
    for (m, value) in &e.metrics {
        let previous = e.previous.as_ref().map(|p| p.get(&m.name));
        out.push(metric(t, m, *value, previous, at_ms));
    }
    for (st, value) in &e.states {
        let check = format!("state:{}", st.name);
        let is = |list: &[String], v: &str| list.iter().any(|x| x.eq_ignore_ascii_case(v));
        let f = match value.as_deref() {
            None => Finding::new(
                t,
                Kind::Http,
                &check,
                Status::Unknown,
                Some(Reason::FieldMissing),
                format!("{} is missing", st.name),
            ),
            Some(v) if is(&st.crit, v) => Finding::new(
                t,
                Kind::Http,
                &check,
                Status::Crit,
                Some(Reason::Threshold),
                format!("{} is {v}", st.name),
            ),
            Some(v) if is(&st.warn, v) => Finding::new(
                t,
                Kind::Http,
                &check,
                Status::Warn,
                Some(Reason::Threshold),
                format!("{} is {v}", st.name),
            ),
            Some(v) => Finding::new(
                t,
                Kind::Http,
                &check,
                Status::Ok,
                None,
                format!("{} is {v}", st.name),
            ),
        };
        out.push(f);
    }
    out
}

/// The finding of one metric. `previous`: `None` when no state is kept, `Some(None)` when this is the
/// metric's first sample. `at_ms`: when the value was read.
fn metric(
    t: &str,
    m: &MetricSpec,
    value: Option<f64>,
    previous: Option<Option<&Sample>>,
    at_ms: i64,
) -> Finding {
    let check = format!("metric:{}", m.name);
    let Some(v) = value else {
        let what = if matches!(m.judge, Judge::MaxAge(_)) {
            "is missing or not a timestamp"
        } else {
            "is missing"
        };
        return Finding::new(
            t,
            Kind::Http,
            &check,
            Status::Unknown,
            Some(Reason::FieldMissing),
            format!("{} {what}", m.name),
        );
    };
    let judged = |x: f64| {
        if m.below {
            (judge_below(x, m.bound), "<")
        } else {
            (judge_above(x, m.bound), ">")
        }
    };
    let finding = |st: Status, reason: Option<Reason>, msg: String| {
        Finding::new(t, Kind::Http, &check, st, reason, msg)
    };
    // a judged number's verdict: its message gets the bounds it crossed
    let verdict = |st: Status, op: &str, msg: String| match st {
        Status::Ok => (st, None, msg),
        _ => (
            st,
            Some(Reason::Threshold),
            format!("{msg} ({})", bounds_text(m.bound, op)),
        ),
    };
    let bounded = |f: Finding| {
        let f = f.bounds(m.bound.warn, m.bound.crit);
        if m.below { f.lower_is_worse() } else { f }
    };
    // the sample to compare with: none on the first run, or when no time passed since it
    let before = previous.flatten().filter(|p| p.at_ms < at_ms);
    let first = |what: &str| {
        let why = match previous {
            None => "no state is kept",
            Some(_) => "judged from the next run",
        };
        finding(
            Status::Ok,
            None,
            format!("{} = {v} ({what} needs a second sample; {why})", m.name),
        )
    };
    match &m.judge {
        Judge::Value => {
            let (st, op) = judged(v);
            let unit = unit_of(&m.name);
            let shown = match unit {
                Some(u) => format!("{} = {v} {}", m.name, u.as_str()),
                None => format!("{} = {v}", m.name),
            };
            let (st, reason, msg) = verdict(st, op, shown);
            let f = finding(st, reason, msg).value(v);
            bounded(match unit {
                Some(u) => f.unit(u),
                None => f,
            })
        }
        Judge::Rate { per, text } => {
            let Some(p) = before else {
                return first("rate");
            };
            let secs = (at_ms - p.at_ms) as f64 / 1000.0;
            let reset = v < p.value;
            // a counter that went down was reset (a restart): it counts from 0 again
            let delta = if reset { v } else { v - p.value };
            let Some(r) = super::observe::per(delta, secs, per.as_secs_f64()) else {
                return first("rate");
            };
            let how = if reset {
                format!(
                    "counter reset since the last sample: was {}, now {v}; counted from 0",
                    p.value
                )
            } else {
                format!(
                    "{} → {v} in {}",
                    p.value,
                    crate::model::human::span_secs(secs)
                )
            };
            let (st, op) = judged(r);
            let (st, reason, msg) = verdict(st, op, format!("{} = {r}/{text} ({how})", m.name));
            bounded(finding(st, reason, msg).value(r))
        }
        Judge::Increasing => {
            let Some(p) = before else {
                return first("growth");
            };
            let since = crate::model::human::span_secs((at_ms - p.at_ms) as f64 / 1000.0);
            let (st, op) = judged(v);
            let (st, reason, msg) = if v > p.value {
                verdict(
                    st,
                    op,
                    format!("{} = {v} (+{} in {since})", m.name, v - p.value),
                )
            } else if v < p.value {
                let msg = format!(
                    "{} = {v} (counter reset since the last sample: was {})",
                    m.name, p.value
                );
                verdict(st, op, msg)
            } else {
                (
                    st.max(Status::Warn),
                    Some(Reason::Stalled),
                    format!("{} stayed at {v} for {since} (it should increase)", m.name),
                )
            };
            bounded(finding(st, reason, msg).value(v))
        }
        Judge::MaxAge(max) => {
            let max = max.as_secs_f64();
            let age = (at_ms as f64 / 1000.0 - v).max(0.0);
            let bound = crate::model::Bound {
                warn: Some(max),
                crit: Some(2.0 * max),
            };
            let st = judge_above(age, bound);
            let span = crate::model::human::span_secs;
            let msg = match st {
                Status::Ok => format!("{} is {} old (max_age {})", m.name, span(age), span(max)),
                _ => format!(
                    "{} is {} old (max_age {}: WARN beyond it, CRIT beyond {})",
                    m.name,
                    span(age),
                    span(max),
                    span(2.0 * max)
                ),
            };
            finding(st, (st != Status::Ok).then_some(Reason::Threshold), msg)
                .value(crate::model::stats::round1(age))
                .unit(Unit::Seconds)
                .bounds(bound.warn, bound.crit)
        }
    }
}

/// A metric's unit when its name says it (`p95_latency_ms`, `cache.sizeBytes`, `uptime_seconds`).
/// The last word counts (`items` does not end in `ms`): after `_`, `-`, `.` or a capital letter.
fn unit_of(name: &str) -> Option<Unit> {
    let last = name.rsplit(['_', '-', '.', ' ']).next().unwrap_or(name);
    // camelCase: the last capitalised word (`sizeBytes` → `Bytes`)
    let last = match last.rfind(|c: char| c.is_ascii_uppercase()) {
        Some(i) => &last[i..],
        None => last,
    };
    match last.to_ascii_lowercase().as_str() {
        "ms" | "millis" => Some(Unit::Ms),
        "bytes" => Some(Unit::Bytes),
        "percent" | "pct" => Some(Unit::Percent),
        "seconds" | "secs" => Some(Unit::Seconds),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AssertResult, Bound, Facts, MetricSource};
    use serde_json::json;
    use std::time::Duration;

    const AT: i64 = 1_796_083_200_000;

    fn spec(name: &str, judge: Judge, warn: Option<f64>, crit: Option<f64>) -> MetricSpec {
        MetricSpec {
            bound: Bound { warn, crit },
            judge,
            ..MetricSpec::new(name, MetricSource::Pointer("/x".into()))
        }
    }

    fn rate(per_secs: u64, text: &str) -> Judge {
        Judge::Rate {
            per: Duration::from_secs(per_secs),
            text: text.into(),
        }
    }

    fn before(value: f64, secs_ago: i64) -> Sample {
        Sample {
            value,
            at_ms: AT - secs_ago * 1000,
        }
    }

    /// The finding of one metric read as `value` at `AT`, with `previous` as the stored sample.
    fn judge(m: &MetricSpec, value: Option<f64>, previous: Option<Option<Sample>>) -> Finding {
        metric("gw", m, value, previous.as_ref().map(Option::as_ref), AT)
    }

    #[test]
    fn a_rate_is_the_change_since_the_last_sample_per_unit() {
        // the runbook rule: error rate > 10 a minute; 120 errors more in 6 minutes is 20/min
        let m = spec("error_rate", rate(60, "1m"), Some(10.0), Some(100.0));
        let f = judge(&m, Some(1120.0), Some(Some(before(1000.0, 360))));
        assert_eq!((f.status, f.value), (Status::Warn, Some(20.0)), "{f:?}");
        assert_eq!(f.reason, Some(Reason::Threshold));
        assert!(
            f.message
                .starts_with("error_rate = 20/1m (1000 → 1120 in 6 min)"),
            "{}",
            f.message
        );
        // reconnects: > 10 an hour is critical; 3 in 30 minutes is 6/h
        let m = spec("reconnects", rate(3600, "1h"), Some(5.0), Some(10.0));
        let f = judge(&m, Some(13.0), Some(Some(before(10.0, 1800))));
        assert_eq!((f.status, f.value), (Status::Warn, Some(6.0)));
        let f = judge(&m, Some(10.0), Some(Some(before(10.0, 1800))));
        assert_eq!((f.status, f.value), (Status::Ok, Some(0.0)));
    }

    #[test]
    fn a_counter_reset_counts_from_zero_and_says_so() {
        let m = spec("error_rate", rate(60, "1m"), Some(10.0), None);
        let f = judge(&m, Some(30.0), Some(Some(before(5000.0, 60))));
        assert_eq!((f.status, f.value), (Status::Warn, Some(30.0)), "{f:?}");
        assert!(
            f.message
                .contains("counter reset since the last sample: was 5000, now 30"),
            "{}",
            f.message
        );
        let f = judge(&m, Some(3.0), Some(Some(before(5000.0, 60))));
        assert_eq!(
            f.status,
            Status::Ok,
            "a reset is not a negative rate: {f:?}"
        );
        assert_eq!(f.value, Some(3.0));
    }

    #[test]
    fn the_first_sample_is_ok_and_says_a_second_is_needed() {
        let m = spec("error_rate", rate(60, "1m"), Some(10.0), None);
        for (previous, why) in [
            (Some(None), "judged from the next run"),
            (None, "no state is kept"),
            // a sample from the same moment is no rate either
            (Some(Some(before(1.0, 0))), "judged from the next run"),
        ] {
            let f = judge(&m, Some(500.0), previous);
            assert_eq!((f.status, f.value), (Status::Ok, None), "{f:?}");
            assert!(
                f.message.contains("rate needs a second sample") && f.message.contains(why),
                "{}",
                f.message
            );
        }
    }

    #[test]
    fn increasing_warns_when_flat_and_not_when_it_grew_or_was_reset() {
        let m = spec("messages", Judge::Increasing, None, None);
        let f = judge(&m, Some(42.0), Some(Some(before(42.0, 600))));
        assert_eq!((f.status, f.reason), (Status::Warn, Some(Reason::Stalled)));
        assert_eq!(
            f.message,
            "messages stayed at 42 for 10 min (it should increase)"
        );
        let f = judge(&m, Some(50.0), Some(Some(before(42.0, 600))));
        assert_eq!(f.status, Status::Ok, "{f:?}");
        assert!(f.message.contains("+8 in 10 min"), "{}", f.message);
        let f = judge(&m, Some(2.0), Some(Some(before(42.0, 600))));
        assert_eq!(f.status, Status::Ok, "{f:?}");
        assert!(f.message.contains("counter reset"), "{}", f.message);
        let f = judge(&m, Some(2.0), Some(None));
        assert_eq!(f.status, Status::Ok);
        assert!(f.message.contains("growth needs a second sample"));
    }

    #[test]
    fn an_age_warns_beyond_max_age_and_is_critical_beyond_twice_it() {
        let m = spec(
            "last_sync",
            Judge::MaxAge(Duration::from_secs(5400)),
            None,
            None,
        );
        let now = AT as f64 / 1000.0;
        let f = judge(&m, Some(now - 2700.0), None);
        assert_eq!((f.status, f.value), (Status::Ok, Some(2700.0)));
        assert_eq!(f.unit, Some(Unit::Seconds));
        assert_eq!(f.message, "last_sync is 45 min old (max_age 1 h 30 min)");
        let f = judge(&m, Some(now - 6000.0), None);
        assert_eq!(f.status, Status::Warn);
        let f = judge(&m, Some(now - 11_000.0), None);
        assert_eq!(f.status, Status::Crit);
        assert!(f.message.contains("CRIT beyond 3 h"), "{}", f.message);
        // a clock ahead of ours is not an age below zero
        assert_eq!(judge(&m, Some(now + 30.0), None).value, Some(0.0));
        let f = judge(&m, None, None);
        assert_eq!(
            (f.status, f.reason),
            (Status::Unknown, Some(Reason::FieldMissing))
        );
        assert!(f.message.contains("not a timestamp"));
    }

    #[test]
    fn a_value_is_shown_with_the_unit_its_name_says() {
        let m = spec("cache.sizeBytes", Judge::Value, None, None);
        let f = judge(&m, Some(1520.0), None);
        assert_eq!((f.status, f.unit), (Status::Ok, Some(Unit::Bytes)));
        assert_eq!(f.message, "cache.sizeBytes = 1520 B");
        let f = judge(
            &spec("queue.processed", Judge::Value, None, None),
            Some(880.0),
            None,
        );
        assert_eq!(
            (f.message.as_str(), f.unit),
            ("queue.processed = 880", None)
        );
    }

    #[test]
    fn units_from_the_last_word_of_a_name() {
        assert_eq!(unit_of("p95_latency_ms"), Some(Unit::Ms));
        assert_eq!(unit_of("cache.sizeBytes"), Some(Unit::Bytes));
        assert_eq!(unit_of("uptime_seconds"), Some(Unit::Seconds));
        assert_eq!(unit_of("items"), None);
        assert_eq!(unit_of("queue.processed"), None);
    }

    fn http_obs(facts: HealthFacts) -> Observation {
        Observation {
            target: "gw".into(),
            endpoint: "http://127.0.0.1:1/stats".into(),
            started_at: chrono::DateTime::from_timestamp_millis(AT).unwrap(),
            duration: Duration::from_millis(3),
            failure: None,
            facts: Facts::Http(Box::new(facts)),
        }
    }

    #[test]
    fn assertions_with_conditions_hold_or_fail_with_their_reason() {
        let a = |pointer: &str, conditions: Vec<Condition>, actual: Option<serde_json::Value>| {
            AssertResult {
                pointer: pointer.into(),
                conditions,
                actual,
            }
        };
        let facts = HealthFacts {
            asserts: vec![
                a(
                    "/status",
                    vec![Condition::In(vec![json!("ok"), json!("degraded")])],
                    Some(json!("down")),
                ),
                a(
                    "/status2",
                    vec![Condition::Equals(json!("ok"))],
                    Some(json!("ok")),
                ),
                a("/n", vec![Condition::Gt(1.0)], None),
                a("/gone", vec![Condition::Exists(true)], None),
                a("/err", vec![Condition::Exists(false)], None),
            ],
            ..Default::default()
        };
        let obs = http_obs(facts.clone());
        let out = findings(&obs, &facts, &crate::model::Checks::default());
        let get = |c: &str| out.iter().find(|f| f.check == c).unwrap();
        let f = get("assert:/status");
        assert_eq!(
            (f.status, f.reason),
            (Status::Crit, Some(Reason::AssertionFailed))
        );
        assert_eq!(
            f.message,
            "/status is \"down\", expected one of [\"ok\",\"degraded\"]"
        );
        assert_eq!(get("assert:/status2").message, "/status2 == \"ok\"");
        let f = get("assert:/n");
        assert_eq!(
            (f.status, f.reason),
            (Status::Unknown, Some(Reason::FieldMissing))
        );
        assert_eq!(get("assert:/gone").status, Status::Crit);
        assert_eq!(get("assert:/err").status, Status::Ok);
    }
}
