//! Judging a log tail: errors among the last entries, the file's size, connection flapping
//! (disconnect/reconnect cycles), with mcpmon's defaults; and the named patterns of the config
//! (`pattern:NAME`), counted over the lines new since the last look or a command's output.

use super::{above, failed};
use crate::model::CheckId;
use crate::model::Checks;
use crate::model::Counted;
use crate::model::Finding;
use crate::model::Growth;
use crate::model::Kind;
use crate::model::LogFacts;
use crate::model::Observation;
use crate::model::OutputFacts;
use crate::model::PatternHits;
use crate::model::Reason;
use crate::model::Status;
use crate::model::Unit;

pub fn findings(obs: &Observation, l: &LogFacts, checks: &Checks) -> Vec<Finding> {
    let t = obs.target.as_str();
    let mut out = Vec::new();
    if let Some(f) = &obs.failure {
        out.push(failed(t, Kind::Log, "log", f));
        return out;
    }
    match &l.output {
        // a command's output has no size to judge; how much of it was read
        Some(o) => out.push(output(t, o)),
        None => {
            // judged on the exact size in MB; shown in the unit that suits it (`4.2 kB`, `61.2 MB`)
            let mb = l.size_bytes as f64 / 1_000_000.0;
            let shown = crate::model::human::bytes(l.size_bytes as f64);
            out.push(above(
                t,
                Kind::Log,
                CheckId::LOG_SIZE,
                mb,
                checks.log_size_mb,
                Unit::MB,
                format!("the log is {shown}"),
            ));
        }
    }
    for h in &l.hits {
        out.push(pattern(t, h, l.window, l.entries_read));
    }
    let errors = l.levels.get("error").copied().unwrap_or(0);
    let last = l
        .last_error
        .as_deref()
        .map(|e| format!("; last: {e}"))
        .unwrap_or_default();
    let described = format!(
        "{errors} errors in the last {} entries{last}",
        l.entries_read
    );
    out.push(above(
        t,
        Kind::Log,
        CheckId::LOG_ERRORS,
        errors as f64,
        checks.log_errors,
        Unit::Count,
        described,
    ));
    let seen: Vec<String> = l
        .levels
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    out.push(Finding::new(
        t,
        Kind::Log,
        "log_levels",
        Status::Ok,
        None,
        if seen.is_empty() {
            format!(
                "no levels recognised in the last {} entries",
                l.entries_read
            )
        } else {
            format!("last {} entries: {}", l.entries_read, seen.join(", "))
        },
    ));
    if let Some(g) = l.growth {
        let f = match g {
            Growth::Truncated { from, to } => Finding::new(
                t,
                Kind::Log,
                "log_growth",
                Status::Warn,
                Some(Reason::LogTruncated),
                format!(
                    "the log shrank from {from} to {to} bytes since the last look (truncated: a restart? mcp-hub empties its log when it starts)"
                ),
            ),
            Growth::Rotated => Finding::new(
                t,
                Kind::Log,
                "log_growth",
                Status::Ok,
                None,
                "rotated since the last look (a new file at the same path)".into(),
            ),
            Growth::Grew { bytes } => Finding::new(
                t,
                Kind::Log,
                "log_growth",
                Status::Ok,
                None,
                format!("+{bytes} bytes since the last look"),
            )
            .value(bytes as f64)
            .unit(Unit::Bytes),
            Growth::Unchanged => Finding::new(
                t,
                Kind::Log,
                "log_growth",
                Status::Ok,
                None,
                "unchanged since the last look".into(),
            )
            .value(0.0)
            .unit(Unit::Bytes),
            Growth::FirstLook => Finding::new(
                t,
                Kind::Log,
                "log_growth",
                Status::Ok,
                None,
                "first look: growth is measured from now on".into(),
            ),
        };
        out.push(f);
    }
    out.push(storm(t, l));
    // a cycle needs both halves: client-disconnect noise alone (mcp-hub logs thousands of
    // "client disconnected" lines when an SSE client leaves) is not a server flapping
    let flaps = l
        .patterns
        .get("disconnect")
        .copied()
        .unwrap_or(0)
        .min(l.patterns.get("reconnect").copied().unwrap_or(0));
    let described = format!(
        "{flaps} disconnect/reconnect cycles in the last {} entries",
        l.entries_read
    );
    out.push(above(
        t,
        Kind::Log,
        "log_flapping",
        flaps as f64,
        checks.log_flaps,
        Unit::Count,
        described,
    ));
    out
}

/// What a log command printed and how much of it was read: WARN when it had to be stopped (it
/// printed without end: a `-f`), OK otherwise.
fn output(t: &str, o: &OutputFacts) -> Finding {
    let mib = |b: u64| crate::model::human::bytes_binary(b as f64);
    let (status, message) = if o.cut {
        (
            Status::Warn,
            format!(
                "stopped after {} of output (it does not end: does it follow the log? give it a bound such as `-n 500` or `--tail 500`); the last {} were counted",
                mib(o.bytes),
                mib(o.kept)
            ),
        )
    } else if o.capped {
        (
            Status::Ok,
            format!(
                "{} bytes printed; the last {} were counted",
                o.bytes,
                mib(o.kept)
            ),
        )
    } else {
        (
            Status::Ok,
            format!("{} bytes printed, all counted", o.bytes),
        )
    };
    Finding::new(t, Kind::Log, "log_output", status, None, message)
        .value(o.bytes as f64)
        .unit(Unit::Bytes)
}

/// A named pattern: its matching lines in its window against its counts (at least `warn` lines is
/// WARN, at least `crit` CRIT), the newest matching line quoted.
fn pattern(t: &str, h: &PatternHits, window: Counted, entries: usize) -> Finding {
    let n = h.count;
    let lines = |k: usize, what: &str| {
        if k == 1 {
            format!("1 {what}line")
        } else {
            format!("{k} {what}lines")
        }
    };
    let verb = if n == 1 { "matches" } else { "match" };
    let (counted, over) = match window {
        Counted::New {
            lines: k,
            rotated,
            limited,
        } => (
            lines(n, "new "),
            format!(
                "of {} since {}{}",
                lines(k, ""),
                if rotated {
                    "the file was rotated or truncated"
                } else {
                    "the last look"
                },
                if limited {
                    ", the newest 64 MiB read"
                } else {
                    ""
                }
            ),
        ),
        Counted::FirstLook => (
            lines(n, ""),
            format!(
                "of the last {entries} entries: a first look; from now on only new lines count"
            ),
        ),
        Counted::Tail => (lines(n, ""), format!("of the last {entries} entries")),
        Counted::Output { lines: k } => {
            (lines(n, ""), format!("of {} of its output", lines(k, "")))
        }
    };
    let at_least = |v: Option<u64>| v.map_or_else(|| "—".to_string(), |v| format!("≥ {v}"));
    let status = if h.crit.is_some_and(|c| n as u64 >= c) {
        Status::Crit
    } else if h.warn.is_some_and(|w| n as u64 >= w) {
        Status::Warn
    } else {
        Status::Ok
    };
    let bounds = match (h.warn, h.crit) {
        (None, None) => String::new(),
        (w, c) => format!("; warn {}, crit {}", at_least(w), at_least(c)),
    };
    let newest = h
        .newest
        .as_deref()
        .map(|l| format!("; newest: {l}"))
        .unwrap_or_default();
    Finding::new(
        t,
        Kind::Log,
        format!("pattern:{}", h.name),
        status,
        (status != Status::Ok).then_some(Reason::Threshold),
        format!(
            "{}: {counted} {verb} {} ({over}{bounds}){newest}",
            h.name, h.shown
        ),
    )
    .value(n as f64)
    .unit(Unit::Count)
    .bounds(h.warn.map(|w| w as f64), h.crit.map(|c| c as f64))
}

/// One line repeated back to back hundreds of times: WARN, naming the line. The copies were not counted
/// as entries (the window still shows what came before), but a storm fills the disk and drowns a reader.
fn storm(t: &str, l: &LogFacts) -> Finding {
    match &l.storm {
        Some((line, n)) => Finding::new(
            t,
            Kind::Log,
            CheckId::LOG_STORM,
            Status::Warn,
            None,
            format!(
                "one line written {n} times in a row: \"{line}\" (a log storm; the repeats are not counted as entries, so the window still covers what came before){}",
                if line.contains("client disconnected") {
                    " — mcp-hub 4.x writes thousands of these whenever an SSE client leaves, mcpmon's own check of its /mcp endpoint included; check such a hub through its REST API (`hub`)"
                } else {
                    ""
                }
            ),
        )
        .value(*n as f64)
        .unit(Unit::Count),
        None => Finding::new(
            t,
            Kind::Log,
            CheckId::LOG_STORM,
            Status::Ok,
            None,
            "no line repeated in a storm".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Facts, Observation};

    fn judged(storm: Option<(&str, usize)>) -> Vec<Finding> {
        let l = LogFacts {
            storm: storm.map(|(s, n)| (s.to_string(), n)),
            ..Default::default()
        };
        let obs = Observation {
            target: "hub".into(),
            endpoint: "/var/log/hub.log".into(),
            started_at: chrono::DateTime::UNIX_EPOCH,
            duration: std::time::Duration::ZERO,
            failure: None,
            facts: Facts::Log(Box::new(l.clone())),
        };
        findings(&obs, &l, &Checks::default())
    }

    fn storm_finding(f: &[Finding]) -> &Finding {
        f.iter().find(|f| f.check == CheckId::LOG_STORM).unwrap()
    }

    #[test]
    fn a_storm_is_a_warning_that_names_the_line_and_the_hub_case() {
        let f = judged(Some(("'mcpmon' client disconnected from MCP HUB", 2400)));
        let s = storm_finding(&f);
        assert_eq!(s.status, Status::Warn);
        assert_eq!(s.value, Some(2400.0));
        assert!(s.message.contains("2400 times in a row"), "{}", s.message);
        assert!(s.message.contains("REST API"), "{}", s.message);
    }

    fn pattern_status(count: usize, warn: Option<u64>, crit: Option<u64>) -> Finding {
        let h = PatternHits {
            name: "unauthorized".into(),
            shown: "UNAUTHORIZED|FAILED".into(),
            warn,
            crit,
            count,
            newest: (count > 0).then(|| "WARN UNAUTHORIZED /mcp".to_string()),
        };
        let window = Counted::New {
            lines: 40,
            rotated: false,
            limited: false,
        };
        pattern("app", &h, window, 100)
    }

    #[test]
    fn a_pattern_warns_and_is_critical_from_its_counts_on() {
        assert_eq!(pattern_status(0, Some(1), Some(5)).status, Status::Ok);
        assert_eq!(pattern_status(1, Some(1), Some(5)).status, Status::Warn);
        assert_eq!(pattern_status(4, Some(1), Some(5)).status, Status::Warn);
        let f = pattern_status(6, Some(1), Some(5));
        assert_eq!(f.status, Status::Crit);
        assert_eq!(f.reason, Some(Reason::Threshold));
        assert_eq!(f.check.as_str(), "pattern:unauthorized");
        assert_eq!(
            f.message,
            "unauthorized: 6 new lines match UNAUTHORIZED|FAILED (of 40 lines since the last look; warn ≥ 1, crit ≥ 5); newest: WARN UNAUTHORIZED /mcp"
        );
        // without counts it is only reported
        assert_eq!(pattern_status(9, None, None).status, Status::Ok);
    }

    #[test]
    fn no_storm_is_ok() {
        assert_eq!(storm_finding(&judged(None)).status, Status::Ok);
    }
}
