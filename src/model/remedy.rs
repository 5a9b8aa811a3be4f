//! Remediation: what a target's `on_fire` asks mcpmon to do when one of its alerts fires (`Action`: a
//! command with arguments, no shell, or an HTTP request; its cooldown, its run budget and its deadline),
//! and what is remembered of it between runs (`ActionState`).
//!
//! Only the nouns: deciding whether an action is due is `rules::remedy`, running it `notify::remedy`,
//! storing the state `store::actions`. No I/O here.

use super::finding::CheckId;
use super::observation::Kind;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One remediation of a target (an entry of its `on_fire`).
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// What it is called in messages and in the state file (`restart hub`); unique within its target.
    pub name: String,
    /// Which alerts of the target trigger it: a probe (`mcp`, `hub`), a check (`liveness`), or
    /// `probe/check`. None: any alert of the target.
    pub check: Option<String>,
    pub run: ActionRun,
    /// At least this long between two runs.
    pub cooldown: Duration,
    /// At most `max_runs` runs within any `per`.
    pub max_runs: u32,
    pub per: Duration,
    /// The whole run: a command is killed (its process group) and reaped past it; a request abandoned.
    pub timeout: Duration,
}

/// What an action does.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionRun {
    /// A program and its arguments (no shell), with extra environment variables.
    Command {
        argv: Vec<String>,
        env: Vec<(String, String)>,
    },
    /// One HTTP request (no retry: a restart is not repeated on a 5xx).
    Http {
        method: String,
        url: String,
        headers: Vec<(String, String)>,
        body: Option<String>,
    },
}

impl Action {
    /// Whether an alert of `probe`/`check` triggers this action.
    pub fn matches(&self, probe: Kind, check: &CheckId) -> bool {
        let Some(want) = self.check.as_deref() else {
            return true;
        };
        let check = check.as_str();
        // `server:broken:flapping` is a check of its own; `mcp` matches every check of the probe
        want == probe.as_str()
            || want == check
            || want
                .split_once('/')
                .is_some_and(|(p, c)| p == probe.as_str() && c == check)
    }

    /// What runs, for `--dry-run` and messages: the program and its arguments, or the method and the
    /// URL (secrets in them are scrubbed from every output like all others).
    pub fn describe(&self) -> String {
        match &self.run {
            ActionRun::Command { argv, .. } => argv.join(" "),
            ActionRun::Http { method, url, .. } => format!("{method} {url}"),
        }
    }
}

/// What is remembered of one action between runs (`actions.json`, keyed `target/name`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionState {
    /// When it ran (ms since the epoch), within its `per` window, oldest first.
    #[serde(default)]
    pub runs_ms: Vec<i64>,
    /// When it was last due (ran or was refused): a still-firing alert makes it due again only a
    /// cooldown later, so a refusal is said once per cooldown, not on every run.
    #[serde(default)]
    pub due_at_ms: Option<i64>,
}

/// One remediation event as history keeps it (`history/actions/YYYY-MM-DD.jsonl`): when, the alert
/// that made it due, and what happened (`action`, `action_failed`, `action_skipped`) in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub v: u32,
    pub at: chrono::DateTime<chrono::Utc>,
    pub target: String,
    pub probe: String,
    pub check: String,
    pub event: String,
    /// The alert's level: `warn`, `crit`, `unknown`.
    pub status: String,
    pub message: String,
}
