//! `mcpmon health`: every target probed in parallel, each within its own deadline, judged by the
//! health rules, rendered once — or every `--interval` with `--watch`.

use super::round::{Prepared, append, check, history_dir, prepare};
use super::{Context, Outcome, Output, Reader, emit, render_options};
use crate::cli::{GlobalArgs, HealthArgs};
use crate::model::{Exit, Status};
use crate::report::{self, Format, View};
use anyhow::Context as _;

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &HealthArgs) -> anyhow::Result<Outcome> {
    let Prepared {
        targets,
        client,
        opts,
    } = prepare(ctx, g, &args.targets, &[], None)?;
    let format = g.format.unwrap_or(if args.watch && !ctx.term.stdout_tty {
        Format::Jsonl
    } else {
        Format::Table
    });

    let history = if args.record {
        Some(history_dir(ctx, g)?)
    } else {
        None
    };
    if !args.watch {
        let report = check(&targets, &client, &opts).await;
        let recorded = history.as_deref().map(|dir| append(dir, &report, "health"));
        let mut outcome = Outcome::report(Output::stdout(report, View::Findings, Some(format)));
        // the report is out either way; a history that could not be written is exit 3
        outcome.after = recorded.and_then(Result::err);
        return Ok(outcome);
    }

    let mut round = 0u64;
    loop {
        round += 1;
        let started = tokio::time::Instant::now();
        let report = check(&targets, &client, &opts).await;
        let last: Status = report.status();
        if let Some(dir) = &history {
            if let Err(e) = append(dir, &report, "health") {
                eprintln!("mcpmon: {e:#}");
            }
        }
        let mut bytes = Vec::new();
        let live_table = format == Format::Table && ctx.term.stdout_tty;
        if live_table {
            bytes.extend_from_slice(b"\x1b[H\x1b[2J");
        }
        bytes.extend(report::to_bytes(
            &report,
            &View::Findings,
            format,
            &render_options(ctx),
        ));
        if live_table {
            let when = report
                .generated_at
                .with_timezone(&chrono::Local)
                .format("%H:%M:%S");
            bytes.extend(
                format!(
                    "round {round} at {when}; every {}; Ctrl-C to stop\n",
                    crate::model::human::time(args.interval)
                )
                .into_bytes(),
            );
        }
        if emit(&bytes).context("writing the report to stdout")? == Reader::Gone {
            return Ok(Outcome::done(last));
        }
        if args.count.is_some_and(|n| round >= n) {
            return Ok(Outcome::done(last));
        }
        let next = started + args.interval;
        tokio::select! {
            _ = tokio::time::sleep_until(next) => {}
            _ = tokio::signal::ctrl_c() => return Ok(Outcome::done(Exit::Interrupted)),
        }
    }
}
