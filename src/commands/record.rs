//! `mcpmon record`: the continuous monitor that replaces `phase2-continuous.sh` — a light round (the
//! liveness set) every `--interval`, a full round every `--full-every`, each appended to history and
//! echoed as one JSON line, until SIGINT/SIGTERM; `--once` for cron.

use super::round::{Prepared, RoundOptions, append, check, history_dir, prepare};
use super::schedule::{Signals, Ticks};
use super::{Context, Outcome, emit};
use crate::cli::{GlobalArgs, RecordArgs};
use crate::model::Target;

use crate::report::{Report, json};
use crate::store::history::{self};
use std::path::Path;
use std::sync::Arc;
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
            "mcpmon record: compacted {} day file(s) older than {}: {} → {} records",
            c.files,
            crate::config::duration::span(args.compact_after),
            c.before,
            c.after
        ),
        Ok(_) => {}
        Err(e) => eprintln!("mcpmon record: compaction in {}: {e}", dir.display()),
    }
    match history::retain(dir, keep, now) {
        Ok(removed) if !removed.is_empty() => eprintln!(
            "mcpmon record: retention: removed {} day file(s) older than {}",
            removed.len(),
            crate::config::duration::span(keep)
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

    let mut signals = Signals::install()?;
    let (mut rounds, mut written) = (0u64, 0usize);
    let mut last_full: Option<Instant> = None;
    let mut day = chrono::Utc::now().date_naive();
    let mut ticks = Ticks::starting(Instant::now(), args.interval);
    eprintln!(
        "mcpmon record: {} target(s), light every {}, full every {}, history in {}; Ctrl-C to stop",
        targets.len(),
        crate::config::duration::span(args.interval),
        crate::config::duration::span(args.full_every),
        dir.display()
    );
    loop {
        let full = last_full.is_none_or(|t| t.elapsed() >= args.full_every);
        let set = if full { &targets } else { &light };
        let stopped = tokio::select! {
            (_, n) = round(set, &client, &opts, &dir, full) => {
                rounds += 1;
                // a history that cannot be written is said and the monitor goes on (the next round
                // tries again)
                match n {
                    Ok(n) => written += n,
                    Err(e) => eprintln!("mcpmon record: {e:#}"),
                }
                if full {
                    last_full = Some(Instant::now());
                }
                false
            }
            () = signals.recv() => true,
        };
        if stopped {
            break;
        }
        let today = chrono::Utc::now().date_naive();
        if today != day {
            day = today;
            prune(&dir, args);
        }
        // a round that took longer than the interval skips the missed ticks instead of bursting
        ticks.advance(Instant::now());
        let stopped = tokio::select! {
            _ = tokio::time::sleep_until(ticks.due()) => false,
            () = signals.recv() => true,
        };
        if stopped {
            break;
        }
    }
    eprintln!(
        "mcpmon record: stopped after {rounds} round(s); {written} record(s) written to {}",
        dir.display()
    );
    Ok(Outcome::done(crate::model::Status::Ok))
}
