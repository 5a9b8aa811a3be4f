//! `mcpmon record`: the continuous monitor that replaces `phase2-continuous.sh` — each target checked
//! every its own `interval` (the config's, else `--interval`): a light round (the liveness set), or a
//! full one when `--full-every` has passed since its last; each round appended to history and echoed
//! as one JSON line, until SIGINT/SIGTERM; `--once` for cron.

use super::round::{Prepared, RoundOptions, append, check, history_dir, prepare};
use super::schedule::{PerTarget, Signals};
use super::{Context, Outcome, emit};
use crate::cli::{GlobalArgs, RecordArgs};
use crate::model::Target;

use crate::report::{Report, json};
use crate::store::history::{self};
use anyhow::bail;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// One round: checked, appended, echoed; how many lines history got, or why it got none. A closed
/// stdout is not an error.
async fn round(
    targets: &Arc<Vec<Target>>,
    client: &reqwest::Client,
    opts: &RoundOptions,
    dir: &Path,
    full: bool,
) -> (Report, anyhow::Result<usize>) {
    let mut report = check(targets, client, opts).await;
    report.command = "record";
    let source = if full { "record:full" } else { "record:light" };
    let written = append(dir, &report, source);
    let mut line = Vec::new();
    if json::render_line(&report, &mut line).is_ok() {
        if let Err(e) = emit(&line) {
            eprintln!("mcpmon record: writing to stdout: {e}");
        }
    }
    (report, written)
}

/// Retention, then compaction of the older days.
fn prune(dir: &Path, args: &RecordArgs) {
    let now = chrono::Utc::now();
    let keep = args.retention;
    match history::compact(dir, args.compact_after, args.compact_to, now) {
        Ok(c) if c.files > 0 => eprintln!(
            "mcpmon record: compacted {} older than {}: {} → {} records",
            crate::model::human::counted(c.files, "day file"),
            crate::model::human::span(args.compact_after),
            c.before,
            c.after
        ),
        Ok(_) => {}
        Err(e) => eprintln!("mcpmon record: compaction in {}: {e}", dir.display()),
    }
    match history::retain(dir, keep, now) {
        Ok(removed) if !removed.is_empty() => eprintln!(
            "mcpmon record: retention: removed {} older than {}",
            crate::model::human::counted(removed.len(), "day file"),
            crate::model::human::span(keep)
        ),
        Ok(_) => {}
        Err(e) => eprintln!("mcpmon record: retention in {}: {e}", dir.display()),
    }
}

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &RecordArgs) -> anyhow::Result<Outcome> {
    let dir = history_dir(ctx, g)?;
    let Prepared {
        targets,
        client,
        opts,
    } = prepare(ctx, g, &args.targets, &[], None)?;
    let light: Arc<Vec<Target>> = Arc::new(
        targets
            .iter()
            .cloned()
            .map(|mut t| {
                t.liveness_only();
                t
            })
            .collect(),
    );
    prune(&dir, args);
    if args.once {
        let (report, written) = if args.light {
            round(&light, &client, &opts, &dir, false).await
        } else {
            round(&targets, &client, &opts, &dir, true).await
        };
        // from cron, a history that could not be written is exit 3, not the verdict of the round
        let mut outcome = Outcome::done(report.status());
        outcome.after = written.err();
        return Ok(outcome);
    }

    if args.interval.is_zero() {
        bail!("--interval must be longer than 0");
    }
    let mut signals = Signals::install()?;
    let (mut rounds, mut written) = (0u64, 0usize);
    let mut day = chrono::Utc::now().date_naive();
    // each target on its own `interval` (the config's), else --interval
    let intervals: Vec<Duration> = targets
        .iter()
        .map(|t| t.interval.unwrap_or(args.interval))
        .collect();
    let mut schedule = PerTarget::starting(Instant::now(), &intervals, args.full_every);
    let own: Vec<String> = targets
        .iter()
        .filter_map(|t| {
            t.interval
                .map(|i| format!("{} every {}", t.name, crate::model::human::span(i)))
        })
        .collect();
    eprintln!(
        "mcpmon record: {}, light every {}{}, full every {}, history in {}; Ctrl-C to stop",
        crate::model::human::counted(targets.len(), "target"),
        crate::model::human::span(args.interval),
        if own.is_empty() {
            String::new()
        } else {
            format!(" ({})", own.join(", "))
        },
        crate::model::human::span(args.full_every),
        dir.display()
    );
    let pick = |from: &Arc<Vec<Target>>, which: &[usize]| -> Arc<Vec<Target>> {
        Arc::new(which.iter().filter_map(|i| from.get(*i).cloned()).collect())
    };
    while let Some(next) = schedule.next() {
        let stopped = tokio::select! {
            _ = tokio::time::sleep_until(next) => false,
            () = signals.recv() => true,
        };
        if stopped {
            break;
        }
        let started = Instant::now();
        let due = schedule.due(started);
        // the targets due now: those due a full round in one, the others in a light one
        let sets = [(&due.full, &targets, true), (&due.light, &light, false)];
        let mut stopped = false;
        for (which, from, full) in sets {
            if which.is_empty() {
                continue;
            }
            let set = pick(from, which);
            stopped = tokio::select! {
                (_, n) = round(&set, &client, &opts, &dir, full) => {
                    rounds += 1;
                    // a history that cannot be written is said and the monitor goes on (the next
                    // round tries again)
                    match n {
                        Ok(n) => written += n,
                        Err(e) => eprintln!("mcpmon record: {e:#}"),
                    }
                    false
                }
                () = signals.recv() => true,
            };
            if stopped {
                break;
            }
        }
        if stopped {
            break;
        }
        // a round that took longer than an interval skips the missed ticks instead of bursting
        schedule.served(&due, started, Instant::now());
        let today = chrono::Utc::now().date_naive();
        if today != day {
            day = today;
            prune(&dir, args);
        }
    }
    eprintln!(
        "mcpmon record: stopped after {}; {} written to {}",
        crate::model::human::counted(rounds, "round"),
        crate::model::human::counted(written, "record"),
        dir.display()
    );
    Ok(Outcome::done(crate::model::Status::Ok))
}
