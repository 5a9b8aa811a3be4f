//! Rules: pure functions from Observations and configured checks to Findings. No I/O, no clock.

pub mod health;

use crate::config::Bound;
use crate::status::Status;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
