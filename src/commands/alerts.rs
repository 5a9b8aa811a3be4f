//! `mcpmon alerts`: the health round, then every finding through the alert memory
//! (`rules::alerting::evaluate`) with the state kept in the state dir, the notifications (through the
//! outbox: kept until delivered, `notify::outbox`), the remediations (`on_fire`, `remedy.rs`), then the
//! alert report (any format) and its exit code.

use super::round::{Prepared, check, prepare};
use super::{Context, Outcome, Output};
use crate::cli::{AlertsArgs, GlobalArgs};
use crate::notify::{Channel, Notification};
use crate::report::{Report, View};
use crate::rules::alerting::{self, Policy, Route};
use crate::rules::silence;
use crate::store::alerts::Locked;
use anyhow::{Context as _, anyhow};

/// Each delivery (retry included) must finish within this.
const NOTIFY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &AlertsArgs) -> anyhow::Result<Outcome> {
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
    let (channels, routes) = channels(ctx, g, args)?;
    if !args.dry_run {
        // the run begins: pings with `start` let their receiver time it
        for ch in &channels {
            if let Err(e) = crate::notify::ping_start(ch, &client, NOTIFY_DEADLINE).await {
                eprintln!(
                    "mcpmon: warning: start signal to {}: {}",
                    ch.describe(),
                    crate::term::sanitize(&e)
                );
            }
        }
    }
    let health = check(&targets, &client, &opts).await;
    let mut locked = Locked::open(&state_dir).context("opening the alert state")?;
    if let Some(w) = &locked.warning {
        eprintln!("mcpmon: warning: {w}");
    }
    let now_ms = health.generated_at.timestamp_millis();
    // the checks bad this run, whatever their alert's memory says (a recovering alert still fires)
    let bad_now: Vec<String> = health
        .findings
        .iter()
        .filter(|f| f.status != crate::model::Status::Ok)
        .map(alerting::key)
        .collect();
    // suppressed by: silences and open maintenance windows (none with --ignore-silences)
    let mutes = if args.ignore_silences {
        Vec::new()
    } else {
        mutes(&state_dir, &targets, health.generated_at)
    };
    let gate = silence::Gate::before(&health.findings, &locked.file.alerts, &mutes);
    let mut alerts = alerting::evaluate(
        health.findings,
        &mut locked.file.alerts,
        now_ms,
        &policy,
        args.repeat,
    );
    gate.after(&mut alerts, &mut locked.file.alerts, now_ms);
    let firing = alerting::firing(&alerts.findings, &locked.file.alerts, health.generated_at);
    // what each channel is told: its own events (escalation), remembered per alert and channel
    let routed = alerting::route(
        &alerts.events,
        &firing,
        &mut locked.file.alerts,
        now_ms,
        &routes,
    );
    let mut report = Report {
        command: "alerts",
        generated_at: health.generated_at,
        findings: alerts.findings,
        observations: health.observations,
        events: Some(alerts.events),
        outbox: None,
    };
    let host = host_name(ctx);
    let outbox = crate::notify::outbox::Options {
        max_age: args.outbox_max_age,
        deadline: NOTIFY_DEADLINE,
    };
    let base = report.notification(&host);
    let notes: Vec<(&Channel, Notification)> = channels
        .iter()
        .zip(&routed)
        .map(|(ch, events)| {
            let mut n = base;
            n.firing = &firing;
            n.events = events;
            (ch, n)
        })
        .collect();
    if args.dry_run {
        drop(locked);
        send_once(&notes, &client).await;
    } else {
        locked
            .save()
            .with_context(|| format!("writing the alert state in {}", state_dir.display()))?;
        // Into the outbox while the alert state is still locked: the outbox order is the evaluation order.
        let queued = crate::notify::outbox::enqueue(&state_dir, &notes);
        drop(locked);
        match queued {
            Ok(warnings) => warn_all(&warnings),
            Err(e) => {
                // Not kept, but not lost either: this run still tries once.
                eprintln!("mcpmon: warning: outbox: {e}; notifying without it");
                send_once(&notes, &client).await;
            }
        }
        warn_all(&crate::notify::outbox::flush(&state_dir, &channels, &client, &outbox).await);
    }
    // remediation (`on_fire`): after the alert state is saved and its notification queued, so a
    // long-running action holds no alert lock; its outcome is a notification of its own
    let events = report.events.as_deref().unwrap_or(&[]);
    let remedied: &[crate::model::Target] = if args.no_remediation { &[] } else { &targets };
    let round = super::remedy::Alerts {
        findings: &report.findings,
        bad_now: &bad_now,
        events,
        now_ms,
    };
    let acted = super::remedy::act(remedied, round, &state_dir, args.dry_run, &client).await?;
    if !acted.is_empty() && !args.dry_run {
        let mut n = report.notification(&host);
        n.events = &acted;
        n.firing = &firing;
        // the outcome goes to the channels told at once (no `after`): the first line of the on-call
        let acted_notes: Vec<(&Channel, Notification)> = channels
            .iter()
            .zip(&routes)
            .filter(|(_, r)| r.after.is_zero())
            .map(|(ch, _)| (ch, n))
            .collect();
        match crate::notify::outbox::enqueue(&state_dir, &acted_notes) {
            Ok(warnings) => warn_all(&warnings),
            Err(e) => eprintln!("mcpmon: warning: outbox: {e}"),
        }
        warn_all(&crate::notify::outbox::flush(&state_dir, &channels, &client, &outbox).await);
    }
    report.events.get_or_insert_with(Vec::new).extend(acted);
    report.outbox = Some(crate::notify::outbox::pending(&state_dir));
    let view = View::Alerts {
        pending: alerts.pending,
    };
    Ok(Outcome::report(Output::stdout(report, view, g.format)))
}

/// The mutes in force now: the silences of the state dir (an unreadable file is said on stderr and
/// silences nothing), then the targets' open maintenance windows.
fn mutes(
    state_dir: &std::path::Path,
    targets: &[crate::model::Target],
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<crate::model::Mute> {
    let (silences, warning) = crate::store::silences::active(state_dir, now);
    if let Some(w) = warning {
        eprintln!("mcpmon: warning: silences: {w}");
    }
    let mut mutes: Vec<_> = silences.iter().map(|s| s.mute()).collect();
    mutes.extend(crate::rules::maintenance::mutes(targets, now));
    mutes
}

fn warn_all(warnings: &[String]) {
    for w in warnings {
        eprintln!("mcpmon: warning: {}", crate::term::sanitize(w));
    }
}

/// The machine name in notifications: `$HOSTNAME`, /etc/hostname, else `localhost`.
fn host_name(ctx: &Context) -> String {
    ctx.env
        .get("HOSTNAME")
        .cloned()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .unwrap_or_else(|| "localhost".into())
}

/// The channels of this run with their escalation: the config's `notify.channels` (by name), then
/// each `--notify SPEC` (at once, reminded every `--repeat`). Their secrets are registered.
fn channels(
    ctx: &Context,
    g: &GlobalArgs,
    args: &AlertsArgs,
) -> anyhow::Result<(Vec<Channel>, Vec<Route>)> {
    let env = ctx.env_lookup();
    let mut channels = Vec::new();
    let mut routes: Vec<Route> = Vec::new();
    for file in &g.config {
        for c in crate::config::notify::load(file, &env)? {
            let shown = || format!("{}: notify.channels.{}", file.display(), c.name);
            let mut ch = Channel::parse(&c.to).map_err(|e| anyhow!("{}: to: {e}", shown()))?;
            crate::model::secret::remember(ch.secrets());
            if let Some(t) = &c.template {
                ch = ch
                    .with_template(t)
                    .map_err(|e| anyhow!("{}: {e}", shown()))?;
            }
            if c.start || c.fail || c.report {
                let o = crate::notify::PingOptions {
                    start: c.start,
                    fail: c.fail,
                    report: c.report,
                };
                ch = ch
                    .with_ping_options(o)
                    .map_err(|e| anyhow!("{}: {e}", shown()))?;
            }
            if routes.iter().any(|r| r.id == c.name) {
                return Err(anyhow!(
                    "{}: a channel of that name is defined twice",
                    shown()
                ));
            }
            routes.push(Route {
                id: c.name,
                after: c.after,
                repeat: c.repeat,
            });
            channels.push(ch);
        }
    }
    for spec in &args.notify {
        let ch = Channel::parse(spec).map_err(|e| anyhow!("--notify: {e}"))?;
        crate::model::secret::remember(ch.secrets());
        let fp = crate::notify::outbox::fingerprint(&ch);
        routes.push(Route {
            id: format!("notify:{}", &fp[..16]),
            after: std::time::Duration::ZERO,
            repeat: args.repeat,
        });
        channels.push(ch);
    }
    Ok((channels, routes))
}

/// Delivers each channel's notification once when it wants it, without the outbox (`--dry-run`, or
/// an outbox that cannot be written). A failed delivery is said on stderr.
async fn send_once(notes: &[(&Channel, Notification<'_>)], client: &reqwest::Client) {
    for (ch, n) in notes {
        if !crate::notify::outbox::wants(ch, n) {
            continue;
        }
        if let Err(e) = crate::notify::deliver(ch, n, client, NOTIFY_DEADLINE).await {
            eprintln!(
                "mcpmon: warning: notification to {}: {}",
                ch.describe(),
                crate::term::sanitize(&e)
            );
        }
    }
}
