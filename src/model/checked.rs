//! Checked time arithmetic for every number that comes from a user, a file or a server: [`secs`] for
//! a float of seconds, [`after`] for a deadline (clamped to [`MAX_WAIT`], never overflowing),
//! [`rate_interval`] for a rate. Nothing here panics, whatever the input.

use std::time::Duration;

/// The longest duration a flag or config may give (about 31 years), in seconds.
pub const MAX_SECS: f64 = 1e9;
/// The shortest one: a millisecond (a zero period would spin or panic a timer).
pub const MIN_SECS: f64 = 0.001;
/// The longest a single request may wait (`--timeout`, a config `timeout`), and the clamp on every
/// deadline.
pub const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);

/// A float of seconds from anywhere (a server's uptime, a history line): `None` when it is not a
/// finite number in `0..=MAX_SECS`.
pub fn secs(s: f64) -> Option<Duration> {
    if s.is_finite() && (0.0..=MAX_SECS).contains(&s) {
        Duration::try_from_secs_f64(s).ok()
    } else {
        None
    }
}

/// An instant that can be moved forward without overflowing.
pub trait Later: Copy {
    fn checked_later(self, d: Duration) -> Option<Self>;
}

impl Later for std::time::Instant {
    fn checked_later(self, d: Duration) -> Option<Self> {
        self.checked_add(d)
    }
}

impl Later for tokio::time::Instant {
    fn checked_later(self, d: Duration) -> Option<Self> {
        self.checked_add(d)
    }
}

/// The deadline `now + d`, with `d` clamped to [`MAX_WAIT`]; never panics (when even that does not
/// fit, `now`).
pub fn after<I: Later>(now: I, d: Duration) -> I {
    now.checked_later(d.min(MAX_WAIT))
        .or_else(|| now.checked_later(Duration::from_secs(1)))
        .unwrap_or(now)
}

/// A rate of requests per second (`measure -q`), as the interval between requests: the rate must be
/// a finite number with the interval between 1 µs and a day.
pub fn rate_interval(r: f64) -> Result<Duration, String> {
    if !(r.is_finite() && r > 0.0) {
        return Err("must be a positive number of requests per second".to_string());
    }
    let every = 1.0 / r;
    if !(1e-6..=MAX_WAIT.as_secs_f64()).contains(&every) {
        return Err("is out of range (from one a day to 1000000 per second)".to_string());
    }
    Duration::try_from_secs_f64(every).map_err(|_| "is out of range".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_secs() {
        assert_eq!(secs(1.5), Some(Duration::from_millis(1500)));
        assert_eq!(secs(0.0), Some(Duration::ZERO));
        for bad in [
            -1.0,
            1e20,
            1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(secs(bad), None, "{bad}");
        }
    }

    #[test]
    fn deadlines_are_clamped_and_never_overflow() {
        let now = std::time::Instant::now();
        assert_eq!(
            after(now, Duration::from_secs(5)),
            now + Duration::from_secs(5)
        );
        assert_eq!(after(now, Duration::MAX), now + MAX_WAIT);
        let t = tokio::time::Instant::now();
        assert_eq!(after(t, Duration::from_secs(u64::MAX)), t + MAX_WAIT);
    }

    #[test]
    fn rate_intervals() {
        assert_eq!(rate_interval(10.0).unwrap(), Duration::from_millis(100));
        for bad in [0.0, -1.0, 1e-300, 1e300, f64::NAN, f64::INFINITY] {
            assert!(rate_interval(bad).is_err(), "{bad}");
        }
    }
}
