//! Alert memory and alert events: what `alerts` remembers of a check between runs (`AlertState`), and
//! the change it tells someone about (`Event`, `AlertEvent`), and a notification of it not delivered
//! yet (`OutboxEntry`).

use super::finding::CheckId;
use super::observation::Kind;
use super::status::Status;
use serde::{Deserialize, Serialize};

/// One alert state change.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEvent {
    pub target: String,
    pub probe: Kind,
    pub check: CheckId,
    pub event: Event,
    pub status: Status,
    pub message: String,
}

/// A notification still waiting in the outbox for its channel (what `alerts` shows of it).
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// The channel as it may be shown: kind, scheme and host (`webhook (https://example.com)`).
    pub channel: String,
    /// When the notification was made.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Failed deliveries so far.
    pub attempts: u32,
    /// Alert events it carries (0 for a heartbeat).
    pub events: usize,
    /// The last failure (free of URLs and arguments).
    pub last_error: Option<String>,
}

/// An alert firing after a run: what Alertmanager is told again on every run (it forgets an alert
/// that is not re-sent).
#[derive(Debug, Clone, PartialEq)]
pub struct Firing {
    pub target: String,
    pub probe: Kind,
    pub check: CheckId,
    /// WARN, CRIT or UNKNOWN.
    pub status: Status,
    pub message: String,
    /// When it fired.
    pub since: chrono::DateTime<chrono::Utc>,
}

/// What is remembered of one check between runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertState {
    /// The level the alert fires at (`warn`, `crit`, `unknown` in `alerts.json`); none when not firing.
    /// A level this version does not know reads as UNKNOWN (still firing), never as OK.
    pub firing: Option<Status>,
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
    /// Set while a silence or maintenance window holds this alert's notifications back: what the
    /// receivers were last told, so they are told what changed once it ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held: Option<Held>,
    /// Per notification channel (its route id: a config name, or `notify:<fingerprint>` for
    /// `--notify`), when it was last told about this firing alert (ms since the epoch): escalation
    /// (`after`), reminders (`repeat`) and resolves only to the channels that were told. Emptied when
    /// the alert resolves.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub notified: std::collections::BTreeMap<String, i64>,
}

/// What receivers were told of an alert before a silence held its notifications back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Held {
    /// The level they know it fires at; none: they know it as resolved (or never heard of it).
    pub told: Option<Status>,
}

/// A check that is bad but not firing yet (`for`, `consecutive`), or firing and not yet recovered:
/// shown under the alert table with why.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// The check's status this run (the alert's own status is still OK).
    pub status: Status,
    pub target: String,
    pub check: CheckId,
    pub message: String,
    /// Why it is not firing: "pending: 1 of 3 bad runs".
    pub note: String,
}

/// A change worth telling someone about. The wire names (`as_str`) appear in JSON, notifications and
/// tables: `firing`, `escalated`, `deescalated`, `resolved`, `repeat`, `flapping`, and a remediation's
/// `action`, `action_failed`, `action_skipped`, `action_dry_run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The check went bad (and stayed bad long enough): the alert fires at this level.
    Firing(Status),
    /// A firing alert moved to a worse level.
    Escalated(Status),
    /// A firing alert moved to a milder level (still bad).
    Deescalated(Status),
    /// A firing alert is good again.
    Resolved,
    /// A reminder for an alert still firing at this level (`--repeat`).
    Repeat(Status),
    /// The check started changing between good and bad too often.
    Flapping,
    /// A remediation (`on_fire`) ran and succeeded (exit 0, HTTP 2xx); the message says how.
    Action,
    /// A remediation ran and failed (another exit, a signal, its deadline, an HTTP error).
    ActionFailed,
    /// A remediation was due but not run: its cooldown, or its runs in the window used up.
    ActionSkipped,
    /// `--dry-run`: what a remediation would have run.
    ActionDryRun,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Firing(_) => "firing",
            Event::Escalated(_) => "escalated",
            Event::Deescalated(_) => "deescalated",
            Event::Resolved => "resolved",
            Event::Repeat(_) => "repeat",
            Event::Flapping => "flapping",
            Event::Action => "action",
            Event::ActionFailed => "action_failed",
            Event::ActionSkipped => "action_skipped",
            Event::ActionDryRun => "action_dry_run",
        }
    }

    /// A remediation's outcome (`on_fire`): `action`, `action_failed`, `action_skipped`, `action_dry_run`.
    pub fn is_action(self) -> bool {
        matches!(
            self,
            Event::Action | Event::ActionFailed | Event::ActionSkipped | Event::ActionDryRun
        )
    }

    /// A level change of a firing alert (the message says the new level).
    pub fn is_level_change(self) -> bool {
        matches!(self, Event::Escalated(_) | Event::Deescalated(_))
    }
}
