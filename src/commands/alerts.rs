//! `mcpmon alerts`: the health round, then every finding through the alert memory (`rules::alerting`)
//! with the state kept in the state dir, then the alert report (any format) and its exit code.

use super::health::{Prepared, check, prepare, render};
use super::{Context, emit, is_broken_pipe};
use crate::cli::{AlertsArgs, GlobalArgs};
use crate::model::AlertEvent;
use crate::model::Status;
use crate::report::Format;
use crate::report::Report;
use crate::rules::alerting::{self, Policy};

use crate::store::alerts::Locked;
use anyhow::{Context as _, anyhow};

/// Each delivery (retry included) must finish within this.
const NOTIFY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Alert states not seen for this long are forgotten (a target removed from the config).
const FORGET_AFTER_MS: i64 = 7 * 24 * 3600 * 1000;

/// Turns a health report into an alert report, advancing each check's alert state.
/// Also returns the checks that are bad but not firing yet, with why (for the table).
pub fn evaluate(
    health: Report,
    state: &mut crate::store::alerts::AlertFile,
    policy: &Policy,
    repeat: Option<std::time::Duration>,
) -> (Report, Vec<String>) {
    let now_ms = health.generated_at.timestamp_millis();
    let mut findings = Vec::with_capacity(health.findings.len());
    let mut events = Vec::new();
    let mut pending = Vec::new();
    for f in health.findings {
        let key = format!("{}/{}/{}", f.target, f.probe.as_str(), f.check);
        let mut step = alerting::step(state.alerts.get(&key), f.status, now_ms, policy);
        // a reminder for an alert still firing, once per --repeat
        let remind = step.event.is_none()
            && step.status != Status::Ok
            && step.state.firing.is_some()
            && repeat.is_some_and(|r| {
                step.state
                    .notified_at_ms
                    .is_none_or(|t| now_ms - t >= r.as_millis() as i64)
            });
        if step.event.is_some() || remind {
            step.state.notified_at_ms = Some(now_ms);
        }
        if remind {
            events.push(AlertEvent {
                target: f.target.clone(),
                probe: f.probe,
                check: f.check.clone(),
                event: crate::model::Event::Repeat(step.status),
                status: step.status,
                message: f.message.clone(),
            });
        }
        if let Some(e) = step.event {
            events.push(AlertEvent {
                target: f.target.clone(),
                probe: f.probe,
                check: f.check.clone(),
                event: e,
                status: step.status,
                message: f.message.clone(),
            });
        }
        if let Some(changes) = step.flapping {
            // flapping is its own alert: it fires while the check keeps changing, whatever its state now
            let msg = format!(
                "changed between good and bad {changes} times within {}",
                crate::config::duration::human(policy.flap_window)
            );
            let flap = crate::model::Finding::new(
                &f.target,
                f.probe,
                format!("{}:flapping", f.check),
                Status::Warn,
                Some(crate::model::Reason::Flapping),
                msg.clone(),
            )
            .value(changes as f64)
            .unit(crate::model::Unit::Count)
            .bounds(Some(f64::from(policy.flap_changes)), None);
            if step.started_flapping {
                events.push(AlertEvent {
                    target: f.target.clone(),
                    probe: f.probe,
                    check: flap.check.clone(),
                    event: crate::model::Event::Flapping,
                    status: Status::Warn,
                    message: msg,
                });
            }
            findings.push(flap);
        }
        if step.status == Status::Ok && f.status != Status::Ok {
            pending.push(format!(
                "PENDING {} {} {}: {} ({})",
                f.status.label(),
                crate::term::sanitize(&f.target),
                f.check,
                crate::term::sanitize(&f.message),
                step.note
            ));
        }
        let mut a = f;
        if !step.note.is_empty() {
            a.message = format!("{} ({})", a.message, step.note);
        }
        if step.status == Status::Ok {
            a.reason = None;
        }
        a.status = step.status;
        state.alerts.insert(key, step.state);
        findings.push(a);
    }
    state
        .alerts
        .retain(|_, s| now_ms - s.seen_at_ms < FORGET_AFTER_MS);
    let report = Report {
        command: "alerts",
        generated_at: health.generated_at,
        findings,
        observations: health.observations,
        events: Some(events),
    };
    (report, pending)
}

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &AlertsArgs) -> anyhow::Result<u8> {
    let mut ranges = Vec::new();
    for (list, critical) in [(&args.warning, false), (&args.critical, true)] {
        for r in list {
            ranges.push((crate::config::ranges::parse(r)?, critical));
        }
    }
    let Prepared {
        targets,
        client,
        opts,
    } = prepare(ctx, g, &args.check, &ranges, None)?;
    let state_dir = ctx.state_dir(g).ok_or_else(|| {
        anyhow!("no state dir: set --state-dir, MCPMON_STATE_DIR, XDG_STATE_HOME or HOME")
    })?;
    let policy = Policy {
        for_: args.for_.unwrap_or_default(),
        consecutive: args.consecutive,
        recover_after: args.recover_after,
        flap_changes: args.flap_changes,
        flap_window: args.flap_window,
    };
    let channels = args
        .notify
        .iter()
        .map(|spec| crate::notify::Channel::parse(spec).map_err(|e| anyhow!("--notify: {e}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let health = check(&targets, &client, &opts).await;
    let mut locked = Locked::open(&state_dir).context("opening the alert state")?;
    if let Some(w) = &locked.warning {
        eprintln!("mcpmon: warning: {w}");
    }
    let (report, pending) = evaluate(health, &mut locked.file, &policy, args.repeat);
    if !args.dry_run {
        locked
            .save()
            .with_context(|| format!("writing the alert state in {}", state_dir.display()))?;
    }
    drop(locked);
    notify(ctx, &report, &channels, &client).await;
    let format = g.format.unwrap_or(Format::Table);
    let code = report.status().exit_code();
    let mut bytes = render(&report, format, ctx);
    if format == Format::Table {
        for p in &pending {
            bytes.extend(format!("{p}\n").into_bytes());
        }
        for e in report.events.iter().flatten() {
            bytes.extend(
                format!(
                    "{} {} {} {}: {}\n",
                    e.event.as_str().to_uppercase(),
                    e.status.label(),
                    crate::term::sanitize(&e.target),
                    e.check,
                    crate::term::sanitize(&e.message)
                )
                .into_bytes(),
            );
        }
    }
    if let Err(e) = emit(&bytes) {
        if !is_broken_pipe(&e) {
            return Err(e).context("writing the report to stdout");
        }
    }
    Ok(code)
}

/// Delivers the run's alert changes to every channel (a ping on every run). A failed delivery is said
/// on stderr and never changes the exit code.
async fn notify(
    ctx: &Context,
    report: &Report,
    channels: &[crate::notify::Channel],
    client: &reqwest::Client,
) {
    if channels.is_empty() {
        return;
    }
    let host = ctx
        .env
        .get("HOSTNAME")
        .cloned()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .unwrap_or_else(|| "localhost".into());
    let n = crate::notify::Notification::from_report(report, &host);
    let changed = report.events.as_ref().is_some_and(|e| !e.is_empty());
    for ch in channels {
        if !changed && !matches!(ch, crate::notify::Channel::Ping(_)) {
            continue;
        }
        if let Err(e) = crate::notify::deliver(ch, &n, client, NOTIFY_DEADLINE).await {
            eprintln!(
                "mcpmon: warning: notification to {}: {}",
                ch.describe(),
                crate::term::sanitize(&e)
            );
        }
    }
}
