//! mcpmon: watch MCP servers from cron, CI, a terminal or Prometheus.
//!
//! The library behind the `mcpmon` binary: targets → probes → rules → report → render. `main.rs` only
//! parses arguments, resolves terminal facts and maps the result to an exit code.

pub mod child;
pub mod cli;
pub mod commands;
pub mod config;

pub mod mcp;
pub mod model;
pub mod net;
pub mod notify;
pub mod probe;
pub mod report;
pub mod rules;

pub mod store;
pub mod term;
pub mod tui;

use anyhow::Context as _;
use cli::{Cli, Command};
pub use commands::{Context, Outcome, deliver};
use model::{Exit, Status};

/// Runs one invocation: the report it leaves to write (see `deliver`) and its exit code.
pub fn run(cli: Cli, ctx: &Context) -> anyhow::Result<Outcome> {
    match &cli.command {
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            commands::completions::run(*shell, &mut out);
            Ok(Outcome::done(Status::Ok))
        }
        Command::Health(args) => run_async(
            commands::health::run(ctx, &cli.global, args),
            Stop::CtrlCOrTerm,
        ),
        Command::Alerts(args) => run_async(
            commands::alerts::run(ctx, &cli.global, args),
            Stop::CtrlCOrTerm,
        ),
        Command::Validate(args) => run_async(
            commands::validate::run(ctx, &cli.global, args),
            Stop::CtrlCOrTerm,
        ),
        Command::Anomalies(args) => run_async(
            commands::anomalies::run(ctx, &cli.global, args),
            Stop::CtrlCOrTerm,
        ),
        Command::DailySummary(args) => commands::summary::run(ctx, &cli.global, args),
        Command::Targets(args) => commands::targets::run(ctx, &cli.global, args),
        Command::Silence(args) => commands::silence::run(ctx, &cli.global, args),
        // the dashboard handles Ctrl-C (a key in raw mode) and SIGTERM itself
        Command::Dashboard(args) => run_async(tui::run(ctx, &cli.global, args), Stop::Itself),
        // record stops on SIGINT/SIGTERM itself and says what it wrote
        Command::Record(args) => {
            run_async(commands::record::run(ctx, &cli.global, args), Stop::Itself)
        }
        // serve stops on SIGINT/SIGTERM itself: it stops scheduling and lets in-flight checks end
        Command::Serve(args) => {
            run_async(commands::serve::run(ctx, &cli.global, args), Stop::Itself)
        }
        // measure handles Ctrl-C itself: it stops sending and still reports what ran
        Command::Measure(args) => run_async(
            commands::measure::run(ctx, &cli.global, args),
            Stop::TermOnly,
        ),
    }
}

/// Which signals end a command from outside (the command handles the others itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Ctrl-C or SIGTERM drops the work (stdio children are killed by their Drop) and exits 130;
    /// `--watch` handles Ctrl-C between rounds itself.
    CtrlCOrTerm,
    /// Only SIGTERM: the command handles Ctrl-C (`measure` stops sending and still reports).
    TermOnly,
    /// Neither: the command handles both (`record`, `serve`, `dashboard`).
    Itself,
}

/// Runs a command on a current-thread runtime, stopped from outside as `stop` says.
fn run_async<F: std::future::Future<Output = anyhow::Result<Outcome>>>(
    work: F,
    stop: Stop,
) -> anyhow::Result<Outcome> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        if stop == Stop::Itself {
            return work.await;
        }
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("installing the SIGTERM handler")?;
        let ctrl_c = async {
            if stop == Stop::CtrlCOrTerm {
                let _ = tokio::signal::ctrl_c().await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            r = work => r,
            _ = ctrl_c => Ok(Outcome::done(Exit::Interrupted)),
            _ = term.recv() => Ok(Outcome::done(Exit::Interrupted)),
        }
    })
}
