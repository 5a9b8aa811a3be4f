//! Remediation glue for `alerts` (`on_fire`): after the alerts are evaluated, decide for every action of
//! every target whether it is due (`rules::remedy`) under the lock of its state (`store::actions`),
//! record the runs before they start, release the lock, run them concurrently (`notify::remedy`), and
//! return one event per decision that says something (`action`, `action_failed`, `action_skipped`,
//! `action_dry_run`). With `--dry-run` nothing runs and nothing is written.
//!
//! Off unless configured: no target with `on_fire`, no state file touched. A judgement belongs in
//! `rules::remedy`, running in `notify::remedy`; this file only wires them.

use crate::model::{Action, AlertEvent, Event, Finding, Status, Target};
use crate::rules::remedy::{self, Decision};
use crate::store::actions::{self, Locked};
use anyhow::Context as _;
use std::path::Path;

/// The alert that makes an action due: its target, probe, check and level.
struct Cause {
    target: String,
    probe: crate::model::Kind,
    check: crate::model::CheckId,
    status: Status,
}

/// This run's alerts, as `act` needs them.
pub struct Alerts<'a> {
    /// The findings as evaluated (the alert's level, OK while pending).
    pub findings: &'a [Finding],
    /// The alert keys (`rules::alerting::key`) of the checks bad this run: an alert still firing
    /// whose check is good again (recovering), or that only flaps, makes nothing due.
    pub bad_now: &'a [String],
    /// This run's alert events.
    pub events: &'a [AlertEvent],
    pub now_ms: i64,
}

/// Decides and runs the remediations of `targets` for this run's alerts and returns their events,
/// messages free of secrets.
pub async fn act(
    targets: &[Target],
    alerts: Alerts<'_>,
    state_dir: &Path,
    dry_run: bool,
    client: &reqwest::Client,
) -> anyhow::Result<Vec<AlertEvent>> {
    let Alerts {
        findings,
        bad_now,
        events,
        now_ms,
    } = alerts;
    if targets.iter().all(|t| t.on_fire.is_empty()) {
        return Ok(Vec::new());
    }
    let mut locked = Locked::open(state_dir).context("opening the remediation state")?;
    if let Some(w) = &locked.warning {
        eprintln!("mcpmon: warning: {w}");
    }
    let mut decided: Vec<(&Action, Cause, Decision)> = Vec::new();
    // a target whose config has unresolved `${VAR}`s is not contacted: its alert is mcpmon's own
    // problem, never a reason to restart anything (nor to run an action with a literal `${VAR}`)
    for t in targets.iter().filter(|t| t.unresolved.is_empty()) {
        for a in &t.on_fire {
            let mine = |probe, check: &crate::model::CheckId| a.matches(probe, check);
            let fired = events.iter().find(|e| {
                e.target == t.name
                    && matches!(e.event, Event::Firing(_) | Event::Escalated(_))
                    && mine(e.probe, &e.check)
            });
            let firing = findings
                .iter()
                .filter(|f| {
                    f.target == t.name
                        && f.status != Status::Ok
                        && mine(f.probe, &f.check)
                        && bad_now.contains(&crate::rules::alerting::key(f))
                })
                .max_by_key(|f| f.status);
            let cause = match (fired, firing) {
                (Some(e), _) => Cause {
                    target: e.target.clone(),
                    probe: e.probe,
                    check: e.check.clone(),
                    status: e.status,
                },
                (None, Some(f)) => Cause {
                    target: f.target.clone(),
                    probe: f.probe,
                    check: f.check.clone(),
                    status: f.status,
                },
                (None, None) => continue,
            };
            let state = locked
                .file
                .actions
                .entry(actions::key(&t.name, &a.name))
                .or_default();
            let d = remedy::decide(a, state, now_ms, fired.is_some(), firing.is_some());
            if d != Decision::Quiet {
                decided.push((a, cause, d));
            }
        }
    }
    locked.file.actions.retain(|_, s| remedy::keep(s, now_ms));
    if !dry_run {
        // the runs are recorded before they start: a run at the same time waits for this lock and
        // then sees them (cooldown, budget)
        locked
            .save()
            .with_context(|| format!("writing the remediation state in {}", state_dir.display()))?;
    }
    drop(locked);

    let mut runs = Vec::new();
    let mut out: Vec<AlertEvent> = Vec::with_capacity(decided.len());
    for (a, cause, d) in decided {
        let event = |event: Event, message: String| AlertEvent {
            target: cause.target.clone(),
            probe: cause.probe,
            check: cause.check.clone(),
            event,
            status: cause.status,
            message,
        };
        let allowed =
            |n: usize, max: u32| format!("{n} of {max} allowed {}", remedy::per_words(a.per));
        match d {
            Decision::Quiet => {}
            Decision::Refuse(why) => {
                out.push(event(Event::ActionSkipped, format!("{}: {why}", a.name)))
            }
            Decision::Run { n, max } if dry_run => out.push(event(
                Event::ActionDryRun,
                format!(
                    "{}: would run {} (timeout {}); {}",
                    a.name,
                    a.describe(),
                    crate::model::human::time(a.timeout),
                    allowed(n, max)
                ),
            )),
            Decision::Run { n, max } => {
                out.push(event(Event::Action, allowed(n, max)));
                let (action, client) = (a.clone(), client.clone());
                let (target, probe, check, status) = (
                    cause.target.clone(),
                    cause.probe.as_str(),
                    cause.check.to_string(),
                    cause.status.as_str(),
                );
                let task = tokio::spawn(async move {
                    let why = crate::notify::remedy::Cause {
                        target: &target,
                        probe,
                        check: &check,
                        status,
                    };
                    crate::notify::remedy::run(&action, why, &client).await
                });
                runs.push((out.len() - 1, a.name.clone(), task));
            }
        }
    }
    // every run has its own deadline (a command is killed and reaped at it): these all end
    for (i, name, task) in runs {
        let (event, how) = match task.await {
            Ok(Ok(how)) => (Event::Action, how),
            Ok(Err(how)) => (Event::ActionFailed, how),
            Err(e) => (Event::ActionFailed, format!("the run was lost ({e})")),
        };
        if let Some(e) = out.get_mut(i) {
            e.event = event;
            e.message = format!("{name}: {how}; {}", e.message);
        }
    }
    for e in &mut out {
        crate::model::secret::tidy(&mut e.message);
        crate::model::secret::tidy(&mut e.target);
    }
    if !dry_run {
        record(state_dir, &out, now_ms);
    }
    Ok(out)
}

/// The run's remediation events into history (`history/actions/`); a failure is a warning.
fn record(state_dir: &Path, events: &[AlertEvent], now_ms: i64) {
    let Some(at) = chrono::DateTime::from_timestamp_millis(now_ms) else {
        return;
    };
    let lines: Vec<crate::model::ActionRecord> = events
        .iter()
        .map(|e| crate::model::ActionRecord {
            v: crate::model::HISTORY_VERSION,
            at,
            target: e.target.clone(),
            probe: e.probe.as_str().to_string(),
            check: e.check.to_string(),
            event: e.event.as_str().to_string(),
            status: e.status.as_str().to_string(),
            message: e.message.clone(),
        })
        .collect();
    let dir = crate::store::history::dir(state_dir);
    if let Err(e) = crate::store::history::append_actions(&dir, &lines) {
        eprintln!("mcpmon: warning: writing the remediation history: {e}");
    }
}
