//! Human durations for flags and config: `500ms`, `10s`, `5m`, `1h`, `1d`, or a bare number of seconds.
//! Reading only: showing a duration is `model::human`'s; the checked arithmetic itself (`secs`, `after`,
//! `rate_interval`) lives in `model::checked`, below the probes.

use std::time::Duration;

pub use crate::model::checked::{MAX_SECS, MAX_WAIT, MIN_SECS, after, rate_interval, secs};

/// A request timeout from a flag or config: a positive duration no longer than [`MAX_WAIT`].
pub fn timeout(s: &str) -> Result<Duration, String> {
    let d = parse(s)?;
    limit_timeout(d).map_err(|e| format!("{s:?} {e}"))
}

/// Refuses a timeout longer than [`MAX_WAIT`].
pub fn limit_timeout(d: Duration) -> Result<Duration, String> {
    if d > MAX_WAIT {
        Err("is too long (at most 24h)".to_string())
    } else {
        Ok(d)
    }
}

/// A timeout given as a number of seconds (a config `timeout`): finite, positive, at most 24 h.
pub fn timeout_secs(s: f64) -> Result<Duration, String> {
    if !(s.is_finite() && s >= MIN_SECS) {
        return Err("must be a positive number of seconds (at least 0.001)".to_string());
    }
    secs(s)
        .ok_or_else(|| "is too long (at most 24h)".to_string())
        .and_then(limit_timeout)
}

/// The clap parser of `--rate`: a number whose interval [`rate_interval`] accepts.
pub fn rate(s: &str) -> Result<f64, String> {
    let r: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of requests per second"))?;
    rate_interval(r)
        .map(|_| r)
        .map_err(|e| format!("{s:?} {e}"))
}

/// A finite number (a threshold in ms or a Nagios range bound): refuses NaN, infinities and values
/// beyond ±1e15.
pub fn finite(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number"))?;
    if v.is_finite() && v.abs() <= 1e15 {
        Ok(v)
    } else {
        Err(format!("{s:?} must be a finite number"))
    }
}

pub fn parse(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (try 500ms, 10s, 5m, 1h)"))?;
    let secs = match unit.trim() {
        "" | "s" | "sec" | "secs" => n,
        "ms" => n / 1000.0,
        "m" | "min" | "mins" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        other => {
            return Err(format!(
                "{s:?}: unknown unit {other:?} (use ms, s, m, h or d)"
            ));
        }
    };
    if !secs.is_finite() || secs <= 0.0 {
        return Err(format!("{s:?} must be a positive duration"));
    }
    if secs < MIN_SECS {
        return Err(format!("{s:?} is too short (at least 1ms)"));
    }
    self::secs(secs).ok_or_else(|| format!("{s:?} is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse("2").unwrap(), Duration::from_secs(2));
        assert_eq!(parse("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse("1h").unwrap(), Duration::from_secs(3600));
    }

    #[test]
    fn rejects_nonsense() {
        assert!(parse("fast").is_err());
        assert!(parse("10 parsecs").is_err());
        assert!(parse("0s").is_err());
        assert!(parse("-1s").is_err());
        assert!(parse("0.0000000001").is_err());
        assert!(parse("99999999999").is_err());
        assert!(parse("1e300").is_err());
        assert!(parse("NaN").is_err());
    }

    #[test]
    fn timeouts() {
        assert_eq!(timeout("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(timeout("24h").unwrap(), MAX_WAIT);
        assert!(timeout("2d").is_err());
        assert_eq!(timeout_secs(2.5).unwrap(), Duration::from_millis(2500));
        for bad in [
            0.0,
            -1.0,
            1e-300,
            1e19,
            1e300,
            f64::NAN,
            f64::INFINITY,
            86401.0,
        ] {
            assert!(timeout_secs(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rates() {
        assert_eq!(rate("0.5").unwrap(), 0.5);
        for bad in ["0", "-1", "1e-300", "1e300", "NaN", "inf", "1e400", "x"] {
            assert!(rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn finite_numbers() {
        assert_eq!(finite(" 2000 ").unwrap(), 2000.0);
        assert_eq!(finite("-0.5").unwrap(), -0.5);
        for bad in ["NaN", "inf", "-inf", "1e400", "1e300", "x"] {
            assert!(finite(bad).is_err(), "{bad}");
        }
    }
}
