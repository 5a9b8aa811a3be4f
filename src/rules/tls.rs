//! Judging certificate expiry, wherever the certificate came from (an HTTPS health endpoint, an MCP
//! server or hub over HTTPS, a TLS port, a `cert_file`): days left against `tls_days_left` (lower is
//! worse). Also the certificate-file probe's findings. Pure: the days were counted by the probe.

use super::{bounds_text, failed, judge_below};
use crate::model::{
    Bound, CertExpiry, CertFacts, CheckId, Checks, Finding, Kind, Observation, Reason, Status, Unit,
};

/// The `tls_expiry` finding of one certificate.
pub fn expiry(target: &str, probe: Kind, cert: &CertExpiry, bound: Bound) -> Finding {
    let days = cert.days_left;
    let st = judge_below(days, bound);
    let when = cert.not_after.format("%Y-%m-%d");
    let msg = match st {
        Status::Ok => format!("certificate valid {days} more days (until {when})"),
        _ if days < 0.0 => format!("the certificate expired {} days ago ({when})", -days),
        _ => format!(
            "the certificate expires in {days} days ({when}; {})",
            bounds_text(bound, "<")
        ),
    };
    Finding::new(
        target,
        probe,
        CheckId::TLS_EXPIRY,
        st,
        (st != Status::Ok).then_some(Reason::Threshold),
        msg,
    )
    .value(days)
    .unit(Unit::Days)
    .bounds(bound.warn, bound.crit)
    .lower_is_worse()
}

/// A certificate file: readable as a certificate, and its expiry.
pub fn cert_findings(obs: &Observation, c: &CertFacts, checks: &Checks) -> Vec<Finding> {
    let t = obs.target.as_str();
    if let Some(f) = &obs.failure {
        return vec![failed(t, Kind::Cert, CheckId::CERT, f)];
    }
    c.expiry
        .iter()
        .map(|e| expiry(t, Kind::Cert, e, checks.tls_days_left))
        .collect()
}
