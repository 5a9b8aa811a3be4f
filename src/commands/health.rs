//! `mcpmon health`: every target probed in parallel, each within its own deadline, judged by the
//! health rules, rendered once — or every `--interval` with `--watch`.

use super::{AdHoc, Context, emit, is_broken_pipe, resolve_targets};
use crate::cli::{EraArg, GlobalArgs, HealthArgs};
use crate::config::Target;
use crate::mcp::session::EraChoice;
use crate::mcp::transport::http;
use crate::probe::{self, Observation};
use crate::report::table::TableOptions;
use crate::report::{Format, Report, json, table};
use crate::rules;
use crate::status::{EXIT_INTERRUPTED, Status};
use anyhow::Context as _;
use std::sync::Arc;

/// Probes every target concurrently (each of its probes as its own task) and builds the report. The
/// clock is read here, once per round.
pub async fn check(targets: &Arc<Vec<Target>>, client: &reqwest::Client) -> Report {
    let now = chrono::Utc::now();
    let mut set = tokio::task::JoinSet::new();
    let mut slots: Vec<(usize, probe::Kind)> = Vec::new();
    for (ti, t) in targets.iter().enumerate() {
        for kind in probe::kinds(t) {
            let slot = slots.len();
            slots.push((ti, kind));
            let targets = Arc::clone(targets);
            let client = client.clone();
            set.spawn(async move { (slot, probe::run(&targets[ti], kind, &client, now).await) });
        }
    }
    let mut results: Vec<Option<Observation>> = vec![None; slots.len()];
    while let Some(res) = set.join_next().await {
        if let Ok((slot, obs)) = res {
            results[slot] = Some(obs);
        }
    }
    let mut findings = Vec::new();
    let mut observations = Vec::new();
    for (slot, obs) in results.into_iter().enumerate() {
        let (ti, kind) = slots[slot];
        let target = &targets[ti];
        // A probe task can only be missing if it panicked; say so rather than drop the target.
        let obs = match obs {
            Some(o) => o,
            None => probe::run_failed(target, kind, now),
        };
        findings.extend(rules::findings(&obs, &target.checks, now));
        observations.push(obs);
    }
    Report {
        command: "health",
        generated_at: now,
        findings,
        observations,
    }
}

fn apply_overrides(targets: &mut [Target], args: &HealthArgs) {
    for t in targets {
        if let Some(n) = args.min_tools {
            t.checks.min_tools = Some(n);
        }
        if !args.expect_tools.is_empty() {
            t.checks.expect_tools = args.expect_tools.clone();
        }
        if let Some(w) = args.warn_ms {
            t.checks.response_time_ms.warn = Some(w);
        }
        if let Some(c) = args.crit_ms {
            t.checks.response_time_ms.crit = Some(c);
        }
        if let Some(e) = args.era {
            t.era = match e {
                EraArg::Auto => EraChoice::Auto,
                EraArg::Modern => EraChoice::Modern,
                EraArg::Legacy => EraChoice::Legacy,
            };
        }
    }
}

/// Renders a report in the chosen format.
pub fn render(report: &Report, format: Format, ctx: &Context) -> Vec<u8> {
    let mut buf = Vec::new();
    let res = match format {
        Format::Table => table::render(
            report,
            TableOptions {
                color: ctx.term.color,
                width: ctx.term.width,
            },
            &mut buf,
        ),
        Format::Json => json::render(report, &mut buf),
        Format::Jsonl => json::render_line(report, &mut buf),
    };
    // Writing into a Vec cannot fail.
    debug_assert!(res.is_ok());
    buf
}

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &HealthArgs) -> anyhow::Result<u8> {
    let adhoc = AdHoc {
        urls: &args.urls,
        hubs: &args.hubs,
        health_urls: &args.health_urls,
        logs: &args.logs,
        command: &args.command,
        headers: &args.headers,
        transport: args.transport,
    };
    let mut targets = resolve_targets(ctx, g, &adhoc)?;
    apply_overrides(&mut targets, args);
    let longest = targets
        .iter()
        .map(|t| t.timeout)
        .max()
        .unwrap_or(crate::config::DEFAULT_TIMEOUT);
    let client = http::client(longest).context("building the HTTP client")?;
    let targets = Arc::new(targets);
    let format = g.format.unwrap_or(if args.watch && !ctx.term.stdout_tty {
        Format::Jsonl
    } else {
        Format::Table
    });

    if !args.watch {
        let report = check(&targets, &client).await;
        let code = report.status().exit_code();
        if let Err(e) = emit(&render(&report, format, ctx)) {
            if !is_broken_pipe(&e) {
                return Err(e).context("writing the report to stdout");
            }
        }
        return Ok(code);
    }

    let mut round = 0u64;
    loop {
        round += 1;
        let started = tokio::time::Instant::now();
        let report = check(&targets, &client).await;
        let last: Status = report.status();
        let mut bytes = Vec::new();
        let live_table = format == Format::Table && ctx.term.stdout_tty;
        if live_table {
            bytes.extend_from_slice(b"\x1b[H\x1b[2J");
        }
        bytes.extend(render(&report, format, ctx));
        if live_table {
            let when = report
                .generated_at
                .with_timezone(&chrono::Local)
                .format("%H:%M:%S");
            bytes.extend(
                format!(
                    "round {round} at {when}; every {}; Ctrl-C to stop\n",
                    crate::config::duration::human(args.interval)
                )
                .into_bytes(),
            );
        }
        if let Err(e) = emit(&bytes) {
            if is_broken_pipe(&e) {
                return Ok(last.exit_code());
            }
            return Err(e).context("writing the report to stdout");
        }
        if args.count.is_some_and(|n| round >= n) {
            return Ok(last.exit_code());
        }
        let next = started + args.interval;
        tokio::select! {
            _ = tokio::time::sleep_until(next) => {}
            _ = tokio::signal::ctrl_c() => return Ok(EXIT_INTERRUPTED),
        }
    }
}
