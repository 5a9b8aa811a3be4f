//! Judging `measure --observe`: two samples of a stats document `--window` apart become, for every
//! numeric field in both, its change (`path Δ`) and its rate per second (`path /s`). The values are
//! reported, not judged: they carry no bounds, and the time the two samples took is not held against
//! `response_time_ms`. A field is not known to be a counter, so a value that went down is a negative
//! change and rate (a counter's reset is not told apart from a gauge that fell).

use crate::model::Bound;
use crate::model::Checks;
use crate::model::Finding;
use crate::model::HealthFacts;
use crate::model::MetricSource;
use crate::model::MetricSpec;
use crate::model::Observation;
use crate::model::Sampled;
use crate::model::document::{normalise, numeric_leaves};
use serde_json::Value;
use std::collections::HashMap;

/// The facts of an observation: the second sample's status and the changes; only the time taken when a
/// sample failed.
pub fn facts(s: &Sampled, wanted: &[String]) -> HealthFacts {
    let mut facts = HealthFacts {
        latency: Some(s.latency),
        ..Default::default()
    };
    if let Ok(p) = &s.pair {
        facts.http_status = Some(p.status);
        facts.is_json = true;
        facts.metrics = changes(&p.first, &p.second, p.between.as_secs_f64(), wanted);
    }
    facts
}

/// Each numeric field of `second` that `first` also has, in `second`'s order: its change and, when
/// `secs` > 0, its change per second (rounded to 3 decimals). `wanted` (`--metric`) keeps the fields
/// whose path ends with one of them, compared without separators and case (`total_requests` keeps
/// `llm.totalRequests`); empty keeps every field.
pub fn changes(
    first: &Value,
    second: &Value,
    secs: f64,
    wanted: &[String],
) -> Vec<(MetricSpec, Option<f64>)> {
    let before: HashMap<String, f64> = numeric_leaves(first).into_iter().collect();
    let wanted: Vec<String> = wanted.iter().map(|m| normalise(m)).collect();
    let mut out = Vec::new();
    for (path, after) in numeric_leaves(second) {
        let norm = normalise(&path);
        if !wanted.is_empty() && !wanted.iter().any(|w| norm.ends_with(w.as_str())) {
            continue;
        }
        let Some(was) = before.get(&path) else {
            continue;
        };
        let delta = after - was;
        let spec = |name: String| MetricSpec::new(name, MetricSource::Named(path.clone()));
        out.push((spec(format!("{path} Δ")), Some(delta)));
        if let Some(r) = per(delta, secs, 1.0) {
            out.push((spec(format!("{path} /s")), Some(r)));
        }
    }
    out
}

/// A change over `secs` seconds as a rate per `unit` seconds, rounded to 3 decimals; none when no
/// time passed. Shared by `measure --observe` (per second) and a `health_url` metric's `rate`.
pub fn per(delta: f64, secs: f64, unit: f64) -> Option<f64> {
    (secs > 0.0 && delta.is_finite()).then(|| (delta / secs * unit * 1000.0).round() / 1000.0)
}

/// The findings of an observation: its values, and the failure of a sample; the latency of the two
/// samples is not judged.
pub fn findings(obs: &Observation, now: chrono::DateTime<chrono::Utc>) -> Vec<Finding> {
    let checks = Checks {
        response_time_ms: Bound {
            warn: None,
            crit: None,
        },
        ..Default::default()
    };
    super::findings(obs, &checks, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CheckId;
    use crate::model::Facts;
    use crate::model::Failure;
    use crate::model::Kind;
    use crate::model::Pair;
    use crate::model::Reason;
    use crate::model::Status;
    use serde_json::json;
    use std::time::Duration;

    fn named(c: &[(MetricSpec, Option<f64>)]) -> Vec<(String, Option<f64>)> {
        c.iter().map(|(m, v)| (m.name.clone(), *v)).collect()
    }

    fn pairs(list: &[(&str, f64)]) -> Vec<(String, Option<f64>)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), Some(*v)))
            .collect()
    }

    #[test]
    fn every_numeric_field_in_both_samples_has_a_change_and_a_rate() {
        let first = json!({"llm": {"totalRequests": 10, "errors": 2}, "name": "gw", "up": true,
                           "gone": 4, "list": [1, 2]});
        let second = json!({"llm": {"totalRequests": 15, "errors": 2}, "name": "gw", "up": true,
                            "new": 7, "list": [1, 3]});
        let c = changes(&first, &second, 2.0, &[]);
        assert_eq!(
            named(&c),
            pairs(&[
                ("llm.totalRequests Δ", 5.0),
                ("llm.totalRequests /s", 2.5),
                ("llm.errors Δ", 0.0),
                ("llm.errors /s", 0.0),
            ]),
            "strings, booleans, arrays and fields in only one sample are left out"
        );
        let (spec, _) = &c[0];
        assert_eq!(spec.source, MetricSource::Named("llm.totalRequests".into()));
        assert_eq!(
            spec.bound,
            Bound {
                warn: None,
                crit: None
            },
            "reported, not judged"
        );
        assert!(!spec.below && !spec.fraction);
    }

    #[test]
    fn a_counter_that_went_down_is_a_negative_change_not_a_reset() {
        // today's behaviour, pinned: no reset detection (a field is not known to be a counter)
        let c = changes(
            &json!({"requests": 1000}),
            &json!({"requests": 4}),
            2.0,
            &[],
        );
        assert_eq!(
            named(&c),
            pairs(&[("requests Δ", -996.0), ("requests /s", -498.0)])
        );
    }

    #[test]
    fn rates_are_rounded_and_need_time() {
        let c = changes(&json!({"n": 0}), &json!({"n": 1}), 3.0, &[]);
        assert_eq!(named(&c), pairs(&[("n Δ", 1.0), ("n /s", 0.333)]));
        let c = changes(&json!({"n": 0.5}), &json!({"n": 1.75}), 0.0, &[]);
        assert_eq!(named(&c), pairs(&[("n Δ", 1.25)]), "no rate over no time");
    }

    #[test]
    fn metric_keeps_fields_by_the_end_of_their_path() {
        let doc = |n: i64| json!({"llm": {"totalRequests": n, "totalErrors": n}, "requests": n});
        let keep = |w: &[&str]| {
            let w: Vec<String> = w.iter().map(|s| s.to_string()).collect();
            named(&changes(&doc(1), &doc(2), 1.0, &w))
                .into_iter()
                .map(|(n, _)| n)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keep(&["total_requests"]),
            ["llm.totalRequests Δ", "llm.totalRequests /s"]
        );
        assert_eq!(
            keep(&["Requests"]),
            [
                "llm.totalRequests Δ",
                "llm.totalRequests /s",
                "requests Δ",
                "requests /s"
            ],
            "a suffix, without separators or case"
        );
        assert_eq!(keep(&["LLM.totalErrors", "nothing"]).len(), 2);
        assert!(keep(&["absent"]).is_empty());
    }

    fn observed(s: &Sampled) -> Observation {
        Observation {
            target: "observe http://127.0.0.1:1/stats".into(),
            endpoint: "http://127.0.0.1:1/stats".into(),
            started_at: "2026-11-21T10:00:00Z".parse().unwrap(),
            duration: s.latency,
            failure: s.pair.as_ref().err().cloned(),
            facts: Facts::Http(Box::new(facts(s, &[]))),
        }
    }

    #[test]
    fn values_are_findings_and_slow_samples_are_not_judged() {
        let s = Sampled {
            pair: Ok(Pair {
                status: 200,
                first: json!({"queue": 9}),
                second: json!({"queue": 3}),
                between: Duration::from_secs(3),
            }),
            interrupted: false,
            latency: Duration::from_secs(10),
        };
        let obs = observed(&s);
        let Facts::Http(e) = &obs.facts else {
            unreachable!()
        };
        assert_eq!((e.http_status, e.is_json), (Some(200), true));
        let fs = findings(&obs, obs.started_at);
        let seen: Vec<(&str, Status, Option<f64>)> = fs
            .iter()
            .map(|f| (f.check.as_str(), f.status, f.value))
            .collect();
        assert_eq!(
            seen,
            [
                ("http", Status::Ok, Some(10000.0)),
                ("metric:queue Δ", Status::Ok, Some(-6.0)),
                ("metric:queue /s", Status::Ok, Some(-2.0)),
            ],
            "10 s for the samples would be CRIT against the default response_time_ms"
        );
        assert_eq!(fs[0].message, "HTTP 200 in 10000 ms");
        assert_eq!(fs[0].check, CheckId::HTTP);
    }

    #[test]
    fn a_sample_that_failed_is_the_finding() {
        let s = Sampled {
            pair: Err(Failure::new(Reason::HttpStatus, "HTTP 503").with_status(503)),
            interrupted: true,
            latency: Duration::from_millis(20),
        };
        let obs = observed(&s);
        let Facts::Http(e) = &obs.facts else {
            unreachable!()
        };
        assert_eq!(e.http_status, None);
        assert!(e.metrics.is_empty());
        assert_eq!(e.latency, Some(Duration::from_millis(20)));
        let fs = findings(&obs, obs.started_at);
        assert_eq!(fs.len(), 1, "{fs:#?}");
        assert_eq!(
            (fs[0].probe, fs[0].status, fs[0].reason),
            (Kind::Http, Status::Crit, Some(Reason::HttpStatus))
        );
    }
}
