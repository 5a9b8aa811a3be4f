//! Judging a load run without a baseline (mcpmon's defaults): success rate below 95 % warns, below 90 % is
//! critical; p95 above 2000 ms warns (`response_time_ms.warn`). Regressions against a baseline are
//! `rules::baseline`.

use super::{above, failed, round1};
use crate::model::Bound;
use crate::model::CheckId;
use crate::model::Checks;
use crate::model::Finding;
use crate::model::Kind;
use crate::model::LoadFacts;
use crate::model::Observation;
use crate::model::Reason;
use crate::model::Status;
use crate::model::Unit;

/// Success rate bounds in %: mcpmon's defaults.
pub const SUCCESS_PERCENT: Bound = Bound {
    warn: Some(95.0),
    crit: Some(90.0),
};

pub fn findings(obs: &Observation, l: &LoadFacts, checks: &Checks) -> Vec<Finding> {
    let t = obs.target.as_str();
    let mut out = Vec::new();
    if let Some(f) = &obs.failure {
        out.push(failed(t, Kind::Load, "load", f));
        return out;
    }
    match l.stats.success_percent() {
        None => out.push(Finding::new(
            t,
            Kind::Load,
            CheckId::SUCCESS_RATE,
            Status::Unknown,
            Some(Reason::FieldMissing),
            "no request ran".into(),
        )),
        Some(p) => {
            let p = round1(p);
            let st = super::judge_below(p, SUCCESS_PERCENT);
            let errors: Vec<String> = l
                .stats
                .errors
                .iter()
                .map(|(r, n)| format!("{n} {r}"))
                .collect();
            let detail = if errors.is_empty() {
                String::new()
            } else {
                format!(" ({})", errors.join(", "))
            };
            let msg = format!("{p} % of {} requests succeeded{detail}", l.stats.total());
            out.push(
                Finding::new(
                    t,
                    Kind::Load,
                    CheckId::SUCCESS_RATE,
                    st,
                    (st != Status::Ok).then_some(Reason::Threshold),
                    msg,
                )
                .value(p)
                .unit(Unit::Percent)
                .bounds(SUCCESS_PERCENT.warn, SUCCESS_PERCENT.crit)
                .lower_is_worse(),
            );
        }
    }
    let s = l.stats.summary();
    if s.count > 0 {
        let p95 = Bound {
            warn: checks.response_time_ms.warn,
            crit: None,
        };
        out.push(above(
            t,
            Kind::Load,
            "p95",
            round1(s.p95),
            p95,
            Unit::Ms,
            format!("p95 {:.2} ms", s.p95),
        ));
        let rate = round1(l.throughput());
        out.push(
            Finding::new(
                t,
                Kind::Load,
                "throughput",
                Status::Ok,
                None,
                format!("{} requests/s", crate::model::human::number(l.throughput())),
            )
            .value(rate),
        );
    }
    out
}
