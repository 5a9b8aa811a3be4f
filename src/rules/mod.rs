//! Rules: pure functions from Observations and configured checks to Findings. No I/O; the clock comes
//! in as a value.

use crate::model::Bound;
use crate::model::Checks;
use crate::model::Facts;
use crate::model::Failure;
use crate::model::Observation;
use crate::model::Reason;
use crate::model::Status;
use crate::model::Unit;
use crate::model::{CheckId, Finding, Kind};

pub mod alerting;
pub mod anomalies;
pub mod baseline;
pub mod calls;
pub mod conformance;
pub mod daily;
pub mod host;
pub mod http;
pub mod hub;
pub mod load;
pub mod logs;
pub mod maintenance;
pub mod mcp;
pub mod observe;
pub mod process;
pub mod remedy;
pub mod silence;
pub mod summary;
pub mod tcp;
pub mod tls;
pub mod validate;

/// Findings for one observation, whatever its kind.
pub fn findings(
    obs: &Observation,
    checks: &Checks,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Finding> {
    match &obs.facts {
        Facts::Mcp(_) => mcp::findings(obs, checks),
        Facts::Hub(h) => hub::findings(obs, h, checks, now),
        Facts::Http(e) => http::findings(obs, e, checks),
        Facts::Tcp(f) => tcp::findings(obs, f, checks),
        Facts::Cert(c) => tls::cert_findings(obs, c, checks),
        Facts::Log(l) => logs::findings(obs, l, checks),
        Facts::Process(p) => process::findings(obs, p, checks),
        Facts::Host(h) => host::findings(obs, h, checks),
        Facts::Load(l) => load::findings(obs, l, checks),
    }
}

/// Judges a value where higher is worse against warn/crit bounds (crossing means strictly above).
pub fn judge_above(value: f64, bound: Bound) -> Status {
    if bound.crit.is_some_and(|c| value > c) {
        Status::Crit
    } else if bound.warn.is_some_and(|w| value > w) {
        Status::Warn
    } else {
        Status::Ok
    }
}

/// Judges a value where lower is worse (a success rate): crossing means strictly below.
pub fn judge_below(value: f64, bound: Bound) -> Status {
    if bound.crit.is_some_and(|c| value < c) {
        Status::Crit
    } else if bound.warn.is_some_and(|w| value < w) {
        Status::Warn
    } else {
        Status::Ok
    }
}

/// The finding for a probe that could not look at all: UNKNOWN when mcpmon could not evaluate (an
/// unresolved `${VAR}`, a field the source did not send), CRIT otherwise.
pub fn failed(target: &str, probe: Kind, check: impl Into<CheckId>, f: &Failure) -> Finding {
    let status = match f.reason {
        Reason::UnresolvedPlaceholder | Reason::FieldMissing => Status::Unknown,
        _ => Status::Crit,
    };
    Finding::new(
        target,
        probe,
        check,
        status,
        Some(f.reason),
        f.message.clone(),
    )
}

/// A value judged against bounds where higher is worse. `described` says the value in words ("CPU 3.2 %
/// of one core"); when it is not OK, the bounds it crossed are appended.
pub fn above(
    target: &str,
    probe: Kind,
    check: impl Into<CheckId>,
    value: f64,
    bound: Bound,
    unit: Unit,
    described: String,
) -> Finding {
    let st = judge_above(value, bound);
    let msg = match st {
        Status::Ok => described,
        _ => format!("{described} ({})", bounds_text(bound, ">")),
    };
    Finding::new(
        target,
        probe,
        check,
        st,
        (st != Status::Ok).then_some(Reason::Threshold),
        msg,
    )
    .value(value)
    .unit(unit)
    .bounds(bound.warn, bound.crit)
}

pub use crate::model::stats::round1;

/// "warn > x, crit > y" for messages; a bound that is not set is left out ("warn > 10"), both
/// missing is "no limit".
pub fn bounds_text(b: Bound, op: &str) -> String {
    let parts: Vec<String> = [("warn", b.warn), ("crit", b.crit)]
        .into_iter()
        .filter_map(|(name, v)| v.map(|x| format!("{name} {op} {x}")))
        .collect();
    if parts.is_empty() {
        "no limit".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_in_words_leave_out_what_is_not_set() {
        let b = |warn, crit| bounds_text(Bound { warn, crit }, ">");
        assert_eq!(b(Some(10.0), Some(20.0)), "warn > 10, crit > 20");
        assert_eq!(b(Some(10.0), None), "warn > 10");
        assert_eq!(b(None, Some(2.5)), "crit > 2.5");
        assert_eq!(b(None, None), "no limit");
    }

    #[test]
    fn bounds_are_strict_and_optional() {
        let b = Bound {
            warn: Some(2000.0),
            crit: Some(5000.0),
        };
        assert_eq!(judge_above(2000.0, b), Status::Ok);
        assert_eq!(judge_above(2000.1, b), Status::Warn);
        assert_eq!(judge_above(5000.1, b), Status::Crit);
        assert_eq!(
            judge_above(
                1e9,
                Bound {
                    warn: None,
                    crit: None
                }
            ),
            Status::Ok
        );
        assert_eq!(
            judge_above(
                3.0,
                Bound {
                    warn: None,
                    crit: Some(2.0)
                }
            ),
            Status::Crit
        );
    }

    #[test]
    fn lower_is_worse_for_rates() {
        let b = Bound {
            warn: Some(95.0),
            crit: Some(90.0),
        };
        assert_eq!(judge_below(95.0, b), Status::Ok);
        assert_eq!(judge_below(94.9, b), Status::Warn);
        assert_eq!(judge_below(89.0, b), Status::Crit);
    }
}
