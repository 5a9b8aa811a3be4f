//! Alert memory and alert events: what `alerts` remembers of a check between runs (`AlertState`), and
//! the change it tells someone about (`Event`, `AlertEvent`).

use super::observation::Kind;
use super::status::Status;
use serde::{Deserialize, Serialize};

/// One alert state change.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEvent {
    pub target: String,
    pub probe: Kind,
    pub check: String,
    /// `firing`, `escalated`, `deescalated`, `resolved`.
    pub event: &'static str,
    pub status: Status,
    pub message: String,
}

/// What is remembered of one check between runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertState {
    /// The level the alert fires at (`warn`, `crit`, `unknown`); none when not firing.
    pub firing: Option<String>,
    /// When the current bad streak began (ms since the epoch).
    pub bad_since_ms: Option<i64>,
    pub bad_runs: u32,
    pub good_runs: u32,
    /// When the alert last fired (ms since the epoch).
    pub fired_at_ms: Option<i64>,
    /// When the check was last seen.
    pub seen_at_ms: i64,
    /// Whether the check was bad at the last run (to count changes).
    #[serde(default)]
    pub was_bad: bool,
    /// When it changed between good and bad, within the flapping window (ms since the epoch).
    #[serde(default)]
    pub changes_ms: Vec<i64>,
    /// Whether it was flapping at the last run.
    #[serde(default)]
    pub flapping: bool,
    /// When someone was last told about this alert (ms since the epoch), for `--repeat`.
    #[serde(default)]
    pub notified_at_ms: Option<i64>,
    /// When the alert last resolved (ms since the epoch), for daily-summary.
    #[serde(default)]
    pub resolved_at_ms: Option<i64>,
}

/// A change worth telling someone about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Firing(Status),
    Escalated(Status),
    Deescalated(Status),
    Resolved,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Firing(_) => "firing",
            Event::Escalated(_) => "escalated",
            Event::Deescalated(_) => "deescalated",
            Event::Resolved => "resolved",
        }
    }
}
