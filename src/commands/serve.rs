//! `mcpmon serve`: the Prometheus exporter. Glue only: the targets, probes and caps of `health`
//! (`round`), each target checked on its own phase of `--interval` (`schedule`), the last results kept
//! in `report::exposition`, served by `net::server` on `--listen` until SIGINT/SIGTERM. A scrape never
//! triggers a check: it reads the last rendered targets and measures only mcpmon itself.

use super::round::{Limits, Prepared, RoundOptions, check_with, prepare};
use super::schedule::{Signals, Ticks, jitter_fraction};
use super::{Context, Outcome};
use crate::cli::{GlobalArgs, ServeArgs};
use crate::model::{Status, Target};
use crate::net::server::{self, Reply};
use crate::report::exposition::{self, About, Exposition};
use anyhow::{Context as _, bail};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::time::Instant;

/// In-flight checks get at most this long after SIGINT/SIGTERM (or their own deadline, if shorter)
/// before they are abandoned (dropping a check kills and reaps its stdio child).
const STOP_GRACE: Duration = Duration::from_secs(5);
/// The shortest interval between two checks of a target.
const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// What the checks leave and the scrapes read.
struct Shared {
    exposition: Exposition,
    /// The targets' families as of the last completed check (rendered then, not at scrape time).
    rendered: Arc<str>,
    /// How late the last scheduled check started.
    lag: Option<Duration>,
}

type State = Arc<RwLock<Shared>>;

fn read(state: &State) -> std::sync::RwLockReadGuard<'_, Shared> {
    state.read().unwrap_or_else(|e| e.into_inner())
}

const INDEX: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mcpmon exporter</title></head>\n<body><h1>mcpmon exporter</h1>\n<ul>\n<li><a href=\"metrics\">/metrics</a>: Prometheus metrics (the last completed check of every target)</li>\n<li><a href=\"-/healthy\">/-/healthy</a>: 200 while running</li>\n<li><a href=\"-/ready\">/-/ready</a>: 200 once every target has been checked</li>\n</ul></body></html>\n";

/// What each path answers.
fn handle(state: &State, path: &str) -> Option<Reply> {
    Some(match path {
        "/metrics" => {
            let (targets, lag) = {
                let s = read(state);
                (Arc::clone(&s.rendered), s.lag)
            };
            let own = crate::probe::process::own_usage();
            let about = About {
                version: env!("CARGO_PKG_VERSION"),
                scheduler_lag_s: lag.map(|d| d.as_secs_f64()),
                cpu_seconds: own.cpu_seconds,
                rss_bytes: own.rss_bytes,
                start_time_s: own.start_time_s,
                open_fds: own.open_fds,
            };
            let mut body = String::with_capacity(targets.len() + 1024);
            body.push_str(&targets);
            body.push_str(&exposition::render_about(&about));
            Reply {
                status: 200,
                content_type: exposition::CONTENT_TYPE,
                body: body.into(),
            }
        }
        "/-/healthy" => Reply::text(200, "mcpmon is healthy\n"),
        "/-/ready" => {
            if read(state).exposition.complete() {
                Reply::text(200, "mcpmon is ready\n")
            } else {
                Reply::text(503, "mcpmon is not ready: the first checks are running\n")
            }
        }
        "/" => Reply {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: INDEX.into(),
        },
        _ => return None,
    })
}

/// Checks one target on its schedule until `stop`: the first check at once, then every `interval`
/// from `phase` on.
#[allow(clippy::too_many_arguments)]
async fn watch(
    target: Arc<Vec<Target>>,
    client: reqwest::Client,
    opts: Arc<RoundOptions>,
    limits: Arc<Limits>,
    state: State,
    start: Instant,
    phase: Duration,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let name = target.first().map(|t| t.name.clone()).unwrap_or_default();
    let mut ticks = Ticks::starting(start, interval);
    let mut first = true;
    loop {
        let due = ticks.due();
        let stopped = tokio::select! {
            _ = tokio::time::sleep_until(due) => false,
            _ = stop.wait_for(|s| *s) => true,
        };
        if stopped {
            return;
        }
        let lag = Instant::now().saturating_duration_since(due);
        let mut report = check_with(&target, &client, &opts, &limits).await;
        report.command = "serve";
        {
            let mut s = state.write().unwrap_or_else(|e| e.into_inner());
            s.lag = Some(lag);
            s.exposition.record(&name, report, chrono::Utc::now());
            s.rendered = s.exposition.render_targets().into();
        }
        if first {
            // from the first check at once to this target's own phase of the interval
            first = false;
            ticks = Ticks::starting(start + phase, interval);
        }
        ticks.advance(Instant::now());
    }
}

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<Outcome> {
    let Prepared {
        targets,
        client,
        opts,
    } = prepare(ctx, g, &args.targets, &[], None)?;
    if args.interval < MIN_INTERVAL {
        bail!("--interval must be at least 100ms");
    }
    if let Some(t) = targets
        .iter()
        .find(|t| t.interval.is_some_and(|i| i < MIN_INTERVAL))
    {
        bail!("{}: interval must be at least 100ms", t.origin);
    }
    let listener =
        server::bind(args.listen).with_context(|| format!("cannot listen on {}", args.listen))?;
    let local = listener.local_addr().unwrap_or(args.listen);
    let mut signals = Signals::install()?;
    let state: State = Arc::new(RwLock::new(Shared {
        exposition: Exposition::new(targets.iter().map(|t| t.name.clone())),
        rendered: Arc::from(""),
        lag: None,
    }));
    eprintln!(
        "mcpmon serve: {} target(s) every {}, metrics on http://{local}/metrics; Ctrl-C to stop",
        targets.len(),
        crate::config::duration::span(args.interval),
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let handler: server::Handler = {
        let state = Arc::clone(&state);
        Arc::new(move |path: &str| handle(&state, path))
    };
    let mut http = tokio::spawn(server::serve(listener, handler, {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    }));

    let opts = Arc::new(opts);
    let limits = Arc::new(Limits::new(opts.jobs, opts.per_host));
    let start = Instant::now();
    let n = targets.len().max(1) as u32;
    let mut checks = tokio::task::JoinSet::new();
    for (i, t) in targets.iter().enumerate() {
        // its own interval (the config's `interval`) or --interval; its phase: its share of that
        // interval, plus jitter within that share
        let interval = t.interval.unwrap_or(args.interval);
        let slice = interval / n;
        let phase = slice * i as u32 + slice.mul_f64(jitter_fraction(i as u64));
        checks.spawn(watch(
            Arc::new(vec![t.clone()]),
            client.clone(),
            Arc::clone(&opts),
            Arc::clone(&limits),
            Arc::clone(&state),
            start,
            phase,
            interval,
            stop_rx.clone(),
        ));
    }

    let stopped_by_signal = tokio::select! {
        () = signals.recv() => true,
        r = &mut http => {
            eprintln!("mcpmon serve: the HTTP server stopped: {r:?}");
            false
        }
    };
    let _ = stop_tx.send(true);
    // in-flight checks finish within their deadline, or are abandoned (their children reaped by Drop)
    let longest = targets
        .iter()
        .map(|t| t.timeout)
        .max()
        .unwrap_or(crate::model::DEFAULT_TIMEOUT)
        .min(STOP_GRACE);
    let drained = tokio::time::timeout(longest, async {
        while checks.join_next().await.is_some() {}
    })
    .await
    .is_ok();
    if !drained {
        checks.shutdown().await;
    }
    http.abort();
    let _ = http.await;
    // what was abandoned was killed as it was dropped: collect it, so no child outlives serve
    if !crate::child::reap_exited(STOP_GRACE).await {
        eprintln!("mcpmon serve: some child processes had not exited");
    }
    eprintln!(
        "mcpmon serve: stopped{}",
        if drained {
            ""
        } else {
            " (checks still running were abandoned)"
        }
    );
    Ok(Outcome::done(if stopped_by_signal {
        Status::Ok
    } else {
        Status::Unknown
    }))
}
