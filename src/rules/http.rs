//! Judging an HTTP/JSON health endpoint: its response time, each assertion, each named metric (a
//! missing metric is UNKNOWN, never 0).

use super::{bounds_text, failed, judge_above, judge_below};
use crate::model::CheckId;
use crate::model::Checks;
use crate::model::Finding;
use crate::model::HealthFacts;
use crate::model::Kind;
use crate::model::Observation;
use crate::model::Reason;
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
        let f = match &a.actual {
            None => Finding::new(
                t,
                Kind::Http,
                &check,
                Status::Unknown,
                Some(Reason::FieldMissing),
                format!("{} is missing (expected {})", a.pointer, a.expected),
            ),
            Some(v) if a.ok() => Finding::new(
                t,
                Kind::Http,
                &check,
                Status::Ok,
                None,
                format!("{} == {v}", a.pointer),
            ),
            Some(v) => Finding::new(
                t,
                Kind::Http,
                &check,
                Status::Crit,
                Some(Reason::AssertionFailed),
                format!("{} is {v}, expected {}", a.pointer, a.expected),
            ),
        };
        out.push(f);
    }
    for (m, value) in &e.metrics {
        let check = format!("metric:{}", m.name);
        let f = match value {
            None => Finding::new(
                t,
                Kind::Http,
                &check,
                Status::Unknown,
                Some(Reason::FieldMissing),
                format!("{} is missing", m.name),
            ),
            Some(v) => {
                let (st, op) = if m.below {
                    (judge_below(*v, m.bound), "<")
                } else {
                    (judge_above(*v, m.bound), ">")
                };
                let msg = match st {
                    Status::Ok => format!("{} = {v}", m.name),
                    _ => format!("{} = {v} ({})", m.name, bounds_text(m.bound, op)),
                };
                let f = Finding::new(
                    t,
                    Kind::Http,
                    &check,
                    st,
                    (st != Status::Ok).then_some(Reason::Threshold),
                    msg,
                );
                let f = f.value(*v).bounds(m.bound.warn, m.bound.crit);
                if m.below { f.lower_is_worse() } else { f }
            }
        };
        out.push(f);
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
