//! Numbers for people, each with its unit: spans (`6 s`, `22 min`, `3 h 20 min`, `3 d 4 h`), short
//! durations (`350 ms`, `1.2 s`), rates (`261/s`, `2.5/s`), percentages (`99.9 %`), byte sizes
//! (`12.3 MB`) and counted nouns (`1 session`, `2 sessions`). The one place every human output (tables,
//! finding messages, the daily report, the dashboard, notifications) formats a number, so they agree.
//! Text only: machine outputs (JSON, Prometheus, CSV values) keep their raw numbers and never come here.

use std::time::Duration;

/// A long span, at most two units, rounded down: `45 s`, `22 min`, `3 h 20 min`, `25 h`, `3 d 4 h`
/// (an uptime, an age, a gap); `?` when it is not a finite number of seconds in range.
pub fn span_secs(s: f64) -> String {
    super::checked::secs(s).map_or_else(|| "?".to_string(), span)
}

/// A long span, at most two units, rounded down: `45 s`, `22 min`, `3 h 20 min`, `3 d 4 h`; hours up
/// to two days, so a day reads `24 h` (`23 h`, `25 h` across a change of clocks).
pub fn span(d: Duration) -> String {
    let s = d.as_secs();
    let (min, h, day) = (60, 3600, 86_400);
    if s < 2 * min {
        format!("{s} s")
    } else if s < h {
        format!("{} min", s / min)
    } else if s < 2 * day {
        two(s / h, "h", s % h / min, "min")
    } else {
        two(s / day, "d", s % day / h, "h")
    }
}

/// `3 h 20 min`, or `3 h` when the smaller unit is zero.
fn two(big: u64, big_unit: &str, small: u64, small_unit: &str) -> String {
    if small == 0 {
        format!("{big} {big_unit}")
    } else {
        format!("{big} {big_unit} {small} {small_unit}")
    }
}

/// A short duration (a latency, a deadline): `350 ms`, `1.25 s`, `5 s`; a span from 2 minutes on.
pub fn time(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if d.as_secs() >= 120 {
        span(d)
    } else {
        format!("{} s", number(ms / 1000.0))
    }
}

/// A number to three significant digits, trailing zeros dropped: `261`, `26.4`, `2.5`, `0.25`,
/// `0.0312` (at most 6 decimals); `?` when it is not finite.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "?".to_string();
    }
    let a = v.abs();
    let decimals = if a == 0.0 {
        0
    } else {
        (2 - a.log10().floor() as i32).clamp(0, 6) as usize
    };
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".to_string() } else { s }
}

/// A rate per second: `261/s`, `26.4/s`, `2.5/s`, `0.25/s`.
pub fn rate(per_sec: f64) -> String {
    format!("{}/s", number(per_sec))
}

/// A percentage with one decimal: `99.9 %`, `80.0 %`, `100.0 %`; `?` when it is not finite.
pub fn percent(p: f64) -> String {
    if p.is_finite() {
        format!("{p:.1} %")
    } else {
        "? %".to_string()
    }
}

/// A size in bytes (decimal units, as the `MB` thresholds): `512 B`, `12.3 kB`, `12.3 MB`, `1.2 GB`.
pub fn bytes(n: f64) -> String {
    scaled(n, 1000.0, ["kB", "MB", "GB", "TB"])
}

/// A size in binary units, for what is measured in them (an RSS against a MiB limit, output
/// capped at 256 MiB): `512 B`, `1.5 KiB`, `100 MiB`, `1.5 GiB`.
pub fn bytes_binary(n: f64) -> String {
    scaled(n, 1024.0, ["KiB", "MiB", "GiB", "TiB"])
}

/// `n` bytes in the largest unit it reaches (steps of `base`), one decimal below 100.
fn scaled(n: f64, base: f64, units: [&str; 4]) -> String {
    if !n.is_finite() || n < 0.0 {
        return "?".to_string();
    }
    let mut v = n;
    let mut unit = "B";
    for u in units {
        if v < base {
            break;
        }
        v /= base;
        unit = u;
    }
    if unit == "B" || v >= 100.0 {
        format!("{v:.0} {unit}")
    } else {
        format!("{v:.1} {unit}")
    }
}

/// A counted noun: `1 session`, `2 sessions`, `0 outages` (`many` is the plural).
pub fn count(n: impl TryInto<u64>, one: &str, many: &str) -> String {
    let n: u64 = n.try_into().unwrap_or(u64::MAX);
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A counted noun whose plural adds `s`: `1 restart`, `3 restarts`.
pub fn counted(n: impl TryInto<u64>, noun: &str) -> String {
    count(n, noun, &format!("{noun}s"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans() {
        let s = |secs: u64| span(Duration::from_secs(secs));
        assert_eq!(s(0), "0 s");
        assert_eq!(s(6), "6 s");
        assert_eq!(s(119), "119 s");
        assert_eq!(s(1329), "22 min");
        assert_eq!(s(3599), "59 min");
        assert_eq!(s(3600), "1 h");
        assert_eq!(s(7260), "2 h 1 min");
        assert_eq!(s(86_400), "24 h");
        assert_eq!(s(25 * 3600), "25 h");
        assert_eq!(s(2 * 86_400), "2 d");
        assert_eq!(s(3 * 86_400 + 4 * 3600 + 59), "3 d 4 h");
        assert_eq!(span_secs(720.0), "12 min");
        assert_eq!(span_secs(f64::NAN), "?");
        assert_eq!(span_secs(-1.0), "?");
        assert_eq!(span_secs(1e20), "?");
    }

    #[test]
    fn times() {
        assert_eq!(time(Duration::from_millis(350)), "350 ms");
        assert_eq!(time(Duration::from_millis(1250)), "1.25 s");
        assert_eq!(time(Duration::from_secs(5)), "5 s");
        assert_eq!(time(Duration::from_secs(30)), "30 s");
        assert_eq!(time(Duration::from_secs(300)), "5 min");
    }

    #[test]
    fn numbers_and_rates() {
        assert_eq!(rate(261.3847), "261/s");
        assert_eq!(rate(385.4427), "385/s");
        assert_eq!(rate(26.4), "26.4/s");
        assert_eq!(rate(2.5), "2.5/s");
        assert_eq!(rate(2.0), "2/s");
        assert_eq!(rate(0.25), "0.25/s");
        assert_eq!(rate(0.0312), "0.0312/s");
        assert_eq!(rate(0.0), "0/s");
        assert_eq!(rate(f64::NAN), "?/s");
        assert_eq!(number(-0.0001), "-0.0001");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1e300), format!("{:.0}", 1e300));
    }

    #[test]
    fn percents() {
        assert_eq!(percent(99.9), "99.9 %");
        assert_eq!(percent(80.0), "80.0 %");
        assert_eq!(percent(99.48), "99.5 %");
        assert_eq!(percent(f64::INFINITY), "? %");
    }

    #[test]
    fn sizes() {
        assert_eq!(bytes(0.0), "0 B");
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(12_345.0), "12.3 kB");
        assert_eq!(bytes(12_345_678.0), "12.3 MB");
        assert_eq!(bytes(256.0 * 1024.0 * 1024.0), "268 MB");
        assert_eq!(bytes(1.2e9), "1.2 GB");
        assert_eq!(bytes(-1.0), "?");
        assert_eq!(bytes(f64::NAN), "?");
        assert_eq!(bytes_binary(100.0 * 1_048_576.0), "100 MiB");
        assert_eq!(bytes_binary(4.0 * 1_048_576.0), "4.0 MiB");
        assert_eq!(bytes_binary(1536.0), "1.5 KiB");
        assert_eq!(bytes_binary(1023.0), "1023 B");
        assert_eq!(bytes_binary(-1.0), "?");
    }

    #[test]
    fn counts() {
        assert_eq!(count(1usize, "session", "sessions"), "1 session");
        assert_eq!(count(2u32, "session", "sessions"), "2 sessions");
        assert_eq!(count(0u32, "entry", "entries"), "0 entries");
        assert_eq!(counted(1u32, "restart"), "1 restart");
        assert_eq!(counted(3u64, "outage"), "3 outages");
    }
}
