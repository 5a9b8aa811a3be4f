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
