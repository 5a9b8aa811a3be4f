//! Conformance checks (`validate --strict`) as findings: a failed MUST is CRIT, a SHOULD or a disputed
//! MUST is WARN, no session to check is UNKNOWN (the MCP section has the failure), a check that does
//! not apply is left out. Each message ends with the spec section.

use crate::model::Finding;
use crate::model::Kind;
use crate::model::Reason;
use crate::model::Status;
use crate::net::redact::scrub;

use crate::model::{Check, Outcome};

/// The conformance checks of a target whose task did not finish (it panicked): UNKNOWN, said as
/// mcpmon's own failure, never dropped.
pub fn not_finished(target: &str) -> Finding {
    Finding::new(
        target,
        Kind::Conformance,
        "conformance",
        Status::Unknown,
        Some(Reason::InternalError),
        "internal error: the conformance checks did not finish".into(),
    )
}

pub fn findings(target: &str, checks: &[Check], secrets: &[String]) -> Vec<Finding> {
    checks
        .iter()
        .filter_map(|c| {
            let (status, text) = match &c.outcome {
                Outcome::Pass(t) => (Status::Ok, t),
                Outcome::Warn(t) => (Status::Warn, t),
                Outcome::Fail(t) => (Status::Crit, t),
                Outcome::NotEvaluated(t) => (Status::Unknown, t),
                Outcome::Skip(_) => return None,
            };
            let reason = match status {
                Status::Ok | Status::Unknown => None,
                _ => Some(Reason::Nonconformant),
            };
            let f = Finding::new(
                target,
                Kind::Conformance,
                c.id,
                status,
                reason,
                format!("{} [spec: {}]", scrub(text, secrets), c.spec),
            );
            Some(f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_that_did_not_finish_are_unknown_and_mcpmons_own_failure() {
        let f = not_finished("api");
        assert_eq!(
            (f.status, f.reason),
            (Status::Unknown, Some(Reason::InternalError))
        );
        assert_eq!(
            (f.probe, f.check.as_str()),
            (Kind::Conformance, "conformance")
        );
    }
}
