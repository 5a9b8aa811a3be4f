//! mcpmon: watch MCP servers from cron, CI, a terminal or Prometheus.
//!
//! The library behind the `mcpmon` binary: targets → probes → rules → report → render. `main.rs` only
//! parses arguments, resolves terminal facts and maps the result to an exit code.

pub mod cli;
pub mod commands;
pub mod config;
pub mod failure;
pub mod mcp;
pub mod notify;
pub mod probe;
pub mod report;
pub mod rules;
pub mod stats;
pub mod status;
pub mod store;
pub mod term;
pub mod tui;

use anyhow::Context as _;
use cli::{Cli, Command};
use commands::Context;
use status::EXIT_INTERRUPTED;

/// Runs one invocation and returns the process exit code.
pub fn run(cli: Cli, ctx: Context) -> anyhow::Result<u8> {
    match &cli.command {
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            commands::completions::run(*shell, &mut out);
            Ok(0)
        }
        Command::Health(args) => run_async(commands::health::run(&ctx, &cli.global, args)),
        Command::Alerts(args) => run_async(commands::alerts::run(&ctx, &cli.global, args)),
        Command::Validate(args) => run_async(commands::validate::run(&ctx, &cli.global, args)),
        Command::Anomalies(args) => run_async(commands::anomalies::run(&ctx, &cli.global, args)),
        Command::DailySummary(args) => commands::summary::run(&ctx, &cli.global, args),
        // the dashboard handles Ctrl-C (a key in raw mode) and SIGTERM itself
        Command::Dashboard(args) => run_async_unguarded(tui::run(&ctx, &cli.global, args)),
        // record stops on SIGINT/SIGTERM itself and says what it wrote
        Command::Record(args) => {
            run_async_unguarded(commands::record::run(&ctx, &cli.global, args))
        }
        // measure handles Ctrl-C itself: it stops sending and still reports what ran
        Command::Measure(args) => {
            run_async_term_only(commands::measure::run(&ctx, &cli.global, args))
        }
    }
}

/// Runs a command on a current-thread runtime. Ctrl-C or SIGTERM while it works drops the work (stdio
/// children are killed by their Drop) and exits 130; `--watch` handles Ctrl-C between rounds itself.
fn run_async<F: std::future::Future<Output = anyhow::Result<u8>>>(work: F) -> anyhow::Result<u8> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("installing the SIGTERM handler")?;
        tokio::select! {
            r = work => r,
            _ = tokio::signal::ctrl_c() => Ok(EXIT_INTERRUPTED),
            _ = term.recv() => Ok(EXIT_INTERRUPTED),
        }
    })
}

/// As `run_async`, for a command that handles Ctrl-C itself: only SIGTERM drops the work.
fn run_async_term_only<F: std::future::Future<Output = anyhow::Result<u8>>>(
    work: F,
) -> anyhow::Result<u8> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("installing the SIGTERM handler")?;
        tokio::select! {
            r = work => r,
            _ = term.recv() => Ok(EXIT_INTERRUPTED),
        }
    })
}

/// As `run_async`, for a command that handles both SIGINT and SIGTERM itself (`record`).
fn run_async_unguarded<F: std::future::Future<Output = anyhow::Result<u8>>>(
    work: F,
) -> anyhow::Result<u8> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(work)
}
