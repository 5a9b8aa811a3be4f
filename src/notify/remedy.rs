//! Running a remediation (`on_fire`): a command (no shell, its own process group, killed and reaped at
//! its deadline, the tail of its output kept, bounded) or one HTTP request (the net client's deadlines,
//! no retry). The outcome is one line for the event: `exit 0 in 1.2 s`, `HTTP 200 in 15 ms`,
//! `exit 1 in 0.3 s: <last output line>`, `did not finish within the 30s deadline; killed and reaped`.
//!
//! Must not decide whether to run (`rules::remedy`) nor keep state (`store::actions`). Secrets in the
//! outcome (env and header values) are scrubbed like everything else a report carries.

use crate::model::{Action, ActionRun};
use tokio::time::Instant;

/// Who the action runs for, given to a command in its environment: `MCPMON_TARGET`, `MCPMON_PROBE`,
/// `MCPMON_CHECK`, `MCPMON_STATUS` (the alert that made it due).
#[derive(Debug, Clone, Copy)]
pub struct Cause<'a> {
    pub target: &'a str,
    pub probe: &'a str,
    pub check: &'a str,
    pub status: &'a str,
}

/// Runs `action` within its `timeout`: `Ok` when it succeeded (exit 0, HTTP 2xx), `Err` when not; the
/// text says how and how long it took.
pub async fn run(
    action: &Action,
    cause: Cause<'_>,
    client: &reqwest::Client,
) -> Result<String, String> {
    let started = Instant::now();
    let until = crate::model::checked::after(started, action.timeout);
    let took = || crate::model::human::time(started.elapsed());
    match &action.run {
        ActionRun::Command { argv, env } => {
            let mut env = env.clone();
            env.extend([
                ("MCPMON_TARGET".to_string(), cause.target.to_string()),
                ("MCPMON_PROBE".to_string(), cause.probe.to_string()),
                ("MCPMON_CHECK".to_string(), cause.check.to_string()),
                ("MCPMON_STATUS".to_string(), cause.status.to_string()),
            ]);
            match super::command::run(argv, b"", &env, true, until, action.timeout).await {
                Ok(d) => Ok(format!("{} in {}", d.detail, took())),
                Err(e) if e.starts_with("did not finish") || e.starts_with("cannot start") => {
                    Err(e)
                }
                Err(e) => Err(at_time(&e, &took())),
            }
        }
        ActionRun::Http {
            method,
            url,
            headers,
            body,
        } => {
            let url = reqwest::Url::parse(url).map_err(|e| format!("not a valid URL ({e})"))?;
            let method = reqwest::Method::from_bytes(method.as_bytes())
                .map_err(|_| "not an HTTP method".to_string())?;
            super::http::request(
                client,
                method,
                &url,
                headers,
                body.as_deref(),
                until,
                action.timeout,
            )
            .await
            .map(|d| format!("{} in {}", d.detail, took()))
            .map_err(|e| at_time(&e, &took()))
        }
    }
}

/// `exit 1: why` → `exit 1 in 0.3 s: why`.
fn at_time(msg: &str, took: &str) -> String {
    match msg.split_once(": ") {
        Some((head, rest)) => format!("{head} in {took}: {rest}"),
        None => format!("{msg} in {took}"),
    }
}
