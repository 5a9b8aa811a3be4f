//! Judging a log tail: errors among the last entries, the file's size, and connection flapping
//! (disconnect/reconnect cycles), with DESIGN.md §8's defaults.

use super::{above, failed};
use crate::model::CheckId;
use crate::model::Checks;
use crate::model::Finding;
use crate::model::Growth;
use crate::model::Kind;
use crate::model::LogFacts;
use crate::model::Observation;
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
    // judged on the exact size; shown rounded
    let mb = l.size_bytes as f64 / 1_000_000.0;
    let shown = format!("{mb:.1} MB");
    out.push(above(
        t,
        Kind::Log,
        CheckId::LOG_SIZE,
        mb,
        checks.log_size_mb,
        Unit::MB,
        format!("the log is {shown}"),
    ));
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

    #[test]
    fn no_storm_is_ok() {
        assert_eq!(storm_finding(&judged(None)).status, Status::Ok);
    }
}
