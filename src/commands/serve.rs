//! `mcpmon serve`: the Prometheus exporter. Glue only: the targets, probes and caps of `health`
//! (`round`), each target checked on its own phase of `--interval` (`schedule`), the last results kept
//! in `report::exposition`, served by `net::server` on `--listen` until SIGINT/SIGTERM. A scrape of
//! /metrics never triggers a check: it reads the last rendered targets and measures only mcpmon itself;
//! `/probe?target=NAME` checks one target now (the blackbox_exporter pattern). SIGHUP reloads the
//! config; `--record` appends every completed check to the history.

use super::round::{Limits, Prepared, RoundOptions, append, check_with, history_dir, prepare};
use super::schedule::{Signals, Ticks, jitter_fraction};
use super::{Context, Outcome};
use crate::cli::{GlobalArgs, ServeArgs};
use crate::model::{Status, Target};
use crate::net::server::{self, Asked, Reply};
use crate::report::exposition::{self, About, Exposition, Format};
use anyhow::{Context as _, bail};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::time::Instant;

/// In-flight checks get at most this long after SIGINT/SIGTERM (or their own deadline, if shorter)
/// before they are abandoned (dropping a check kills and reaps its stdio child).
const STOP_GRACE: Duration = Duration::from_secs(5);
/// The shortest interval between two checks of a target.
const MIN_INTERVAL: Duration = Duration::from_millis(100);
/// A `/probe` check gets its target's deadline plus this (waiting for a `--jobs`/`--per-host` slot).
const PROBE_GRACE: Duration = Duration::from_secs(5);

/// The targets of one config (at start, or after a SIGHUP) and what checking them takes.
struct Setup {
    targets: Arc<Vec<Target>>,
    client: reqwest::Client,
    opts: Arc<RoundOptions>,
}

/// What the checks leave and the scrapes read.
struct Shared {
    exposition: Exposition,
    /// The targets' families as of the last completed check (rendered then, not at scrape time), in
    /// the text format and in OpenMetrics.
    rendered: Rendered,
    /// How late the last scheduled check started.
    lag: Option<Duration>,
    /// The current targets; checks scheduled for an older config (`generation`) are not kept.
    setup: Arc<Setup>,
    generation: u64,
}

type State = Arc<RwLock<Shared>>;

/// The targets' families in each exposition format.
#[derive(Clone, Default)]
struct Rendered {
    text: Arc<str>,
    openmetrics: Arc<str>,
}

impl Rendered {
    fn of(e: &Exposition) -> Rendered {
        Rendered {
            text: e.render_targets(Format::Text).into(),
            openmetrics: e.render_targets(Format::OpenMetrics).into(),
        }
    }

    fn get(&self, format: Format) -> &Arc<str> {
        match format {
            Format::Text => &self.text,
            Format::OpenMetrics => &self.openmetrics,
        }
    }
}

fn read(state: &State) -> std::sync::RwLockReadGuard<'_, Shared> {
    state.read().unwrap_or_else(|e| e.into_inner())
}

fn write(state: &State) -> std::sync::RwLockWriteGuard<'_, Shared> {
    state.write().unwrap_or_else(|e| e.into_inner())
}

/// What the handlers need besides the state.
struct Serving {
    state: State,
    limits: Arc<Limits>,
    allow_adhoc: bool,
    /// The deadline of an ad-hoc probe (`--timeout`, else the default).
    adhoc_timeout: Duration,
}

const INDEX: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mcpmon exporter</title></head>\n<body><h1>mcpmon exporter</h1>\n<ul>\n<li><a href=\"metrics\">/metrics</a>: Prometheus metrics (the last completed check of every target)</li>\n<li>/probe?target=NAME: check one configured target now and return its metrics</li>\n<li><a href=\"-/healthy\">/-/healthy</a>: 200 while running</li>\n<li><a href=\"-/ready\">/-/ready</a>: 200 once every target has been checked</li>\n</ul></body></html>\n";

/// What each path answers.
async fn handle(serving: &Serving, asked: Asked) -> Option<Reply> {
    let state = &serving.state;
    let format = Format::negotiate(asked.accept.as_deref());
    Some(match asked.path.as_str() {
        "/metrics" => {
            let (targets, lag) = {
                let s = read(state);
                (Arc::clone(s.rendered.get(format)), s.lag)
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
            body.push_str(&exposition::render_about(&about, format));
            body.push_str(format.end());
            Reply {
                status: 200,
                content_type: format.content_type(),
                body: body.into(),
            }
        }
        "/probe" => probe(serving, asked.query.as_deref().unwrap_or(""), format).await,
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

/// The one `target` of a /probe query, decoded.
fn probe_param(query: &str) -> Result<String, String> {
    let params = server::query_params(query)?;
    let mut targets = params.into_iter().filter(|(k, _)| k == "target");
    match (targets.next(), targets.next()) {
        (Some((_, t)), None) => Ok(t),
        (None, _) => Err("the target parameter is missing: /probe?target=NAME".into()),
        (Some(_), Some(_)) => Err("more than one target parameter".into()),
    }
}

/// Could this be a target's name (then unknown: 404), rather than something else (400)?
fn plausible_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(['-', '/', '.', '~'])
        && !s.contains("://")
        && !s.chars().any(|c| c.is_control())
        && !s.contains(['|', ';', '&', '$', '`'])
}

/// `GET /probe?target=…`: checks one target now (a configured one by name, or with
/// `--allow-adhoc-probes` an http(s) URL) and answers its families, `mcpmon_probe_success` and
/// `mcpmon_probe_duration_seconds` (in `format`). Nothing else in a query is ever checked, let
/// alone run.
async fn probe(serving: &Serving, query: &str, format: Format) -> Reply {
    let one_line = |status: u16, msg: String| Reply::text(status, format!("{msg}\n"));
    let wanted = match probe_param(query) {
        Ok(t) => t,
        Err(e) => return one_line(400, e),
    };
    let setup = Arc::clone(&read(&serving.state).setup);
    let target = match setup.targets.iter().find(|t| t.name == wanted) {
        Some(t) => t.clone(),
        None if wanted.starts_with("http://") || wanted.starts_with("https://") => {
            if !serving.allow_adhoc {
                return one_line(
                    400,
                    "ad-hoc URL probes are refused (start serve with --allow-adhoc-probes)".into(),
                );
            }
            match crate::config::adhoc_url(&wanted, Vec::new(), None, serving.adhoc_timeout) {
                Ok(t) => t,
                Err(e) => return one_line(400, e.to_string().replace(['\n', '\r'], " ")),
            }
        }
        None if plausible_name(&wanted) => {
            return one_line(404, format!("no target named {wanted:?}"));
        }
        None => {
            return one_line(
                400,
                "target is neither a configured name nor an http(s) URL (commands are never accepted)"
                    .into(),
            );
        }
    };
    let name = target.name.clone();
    let deadline = target.timeout + PROBE_GRACE;
    let started = Instant::now();
    let checked = tokio::time::timeout(
        deadline,
        check_with(
            &Arc::new(vec![target]),
            &setup.client,
            &setup.opts,
            &serving.limits,
        ),
    )
    .await;
    let took = started.elapsed().as_secs_f64();
    let mut body = String::new();
    let success = match checked {
        Ok(mut report) => {
            report.command = "serve";
            let up = matches!(report.target_status(&name), Status::Ok | Status::Warn);
            let mut e = Exposition::new([name.clone()]);
            e.record(&name, report, chrono::Utc::now());
            body.push_str(&e.render_targets(format));
            up
        }
        Err(_) => false,
    };
    body.push_str(&exposition::render_probe(success, took, format));
    body.push_str(format.end());
    Reply {
        status: 200,
        content_type: format.content_type(),
        body: body.into(),
    }
}

/// What every scheduled check of one config shares.
#[derive(Clone)]
struct Watching {
    setup: Arc<Setup>,
    generation: u64,
    limits: Arc<Limits>,
    state: State,
    history: Option<Arc<PathBuf>>,
    stop: tokio::sync::watch::Receiver<bool>,
}

/// Checks one target on its schedule until `stop`: the first check at once, then every `interval`
/// from `phase` on.
async fn watch(mut w: Watching, index: usize, start: Instant, phase: Duration, interval: Duration) {
    let Some(target) = w.setup.targets.get(index).cloned() else {
        return;
    };
    let name = target.name.clone();
    let target = Arc::new(vec![target]);
    let mut ticks = Ticks::starting(start, interval);
    let mut first = true;
    loop {
        let due = ticks.due();
        let stopped = tokio::select! {
            _ = tokio::time::sleep_until(due) => false,
            _ = w.stop.wait_for(|s| *s) => true,
        };
        if stopped {
            return;
        }
        let lag = Instant::now().saturating_duration_since(due);
        let mut report = check_with(&target, &w.setup.client, &w.setup.opts, &w.limits).await;
        report.command = "serve";
        if let Some(dir) = &w.history {
            if let Err(e) = append(dir, &report, "serve") {
                eprintln!("mcpmon: warning: {e:#}");
            }
        }
        {
            let mut s = write(&w.state);
            if s.generation != w.generation {
                // the config was reloaded while this check ran: its targets are the new ones
                return;
            }
            s.lag = Some(lag);
            s.exposition.record(&name, report, chrono::Utc::now());
            s.rendered = Rendered::of(&s.exposition);
        }
        if first {
            // from the first check at once to this target's own phase of the interval
            first = false;
            ticks = Ticks::starting(start + phase, interval);
        }
        ticks.advance(Instant::now());
    }
}

/// Starts the scheduled checks of every target of `w.setup`.
fn spawn_watchers(checks: &mut tokio::task::JoinSet<()>, w: &Watching, default: Duration) {
    let start = Instant::now();
    let n = w.setup.targets.len().max(1) as u32;
    for (i, t) in w.setup.targets.iter().enumerate() {
        // its own interval (the config's `interval`) or --interval; its phase: its share of that
        // interval, plus jitter within that share
        let interval = t.interval.unwrap_or(default);
        let slice = interval / n;
        let phase = slice * i as u32 + slice.mul_f64(jitter_fraction(i as u64));
        checks.spawn(watch(w.clone(), i, start, phase, interval));
    }
}

/// The targets of the config and flags, as at start (and on SIGHUP).
fn load(ctx: &Context, g: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<Setup> {
    let Prepared {
        targets,
        client,
        opts,
    } = prepare(ctx, g, &args.targets, &[], None)?;
    if let Some(t) = targets
        .iter()
        .find(|t| t.interval.is_some_and(|i| i < MIN_INTERVAL))
    {
        bail!("{}: interval must be at least 100ms", t.origin);
    }
    Ok(Setup {
        targets,
        client,
        opts: Arc::new(opts),
    })
}

/// The bearer token of `--auth-token-file`: read once, trimmed, not empty; registered as a secret.
fn auth_token(path: &std::path::Path) -> anyhow::Result<Arc<str>> {
    let text = crate::config::read_file(path)?;
    let token = text.trim();
    if token.is_empty() {
        bail!("{}: the auth token file is empty", path.display());
    }
    crate::model::secret::remember([token]);
    Ok(Arc::from(token))
}

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<Outcome> {
    let setup = Arc::new(load(ctx, g, args)?);
    if args.interval < MIN_INTERVAL {
        bail!("--interval must be at least 100ms");
    }
    let token = args
        .auth_token_file
        .as_deref()
        .map(auth_token)
        .transpose()?;
    let history = if args.record {
        Some(Arc::new(history_dir(ctx, g)?))
    } else {
        None
    };
    let listener =
        server::bind(args.listen).with_context(|| format!("cannot listen on {}", args.listen))?;
    let local = listener.local_addr().unwrap_or(args.listen);
    let mut signals = Signals::install()?;
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .context("installing the SIGHUP handler")?;
    let state: State = Arc::new(RwLock::new(Shared {
        exposition: Exposition::new(setup.targets.iter().map(|t| t.name.clone())),
        rendered: Rendered::default(),
        lag: None,
        setup: Arc::clone(&setup),
        generation: 0,
    }));
    eprintln!(
        "mcpmon serve: {} every {}, metrics on http://{local}/metrics; Ctrl-C to stop",
        crate::model::human::counted(setup.targets.len(), "target"),
        crate::model::human::span(args.interval),
    );
    let limits = Arc::new(Limits::new(setup.opts.jobs, setup.opts.per_host));
    let (http_stop, http_rx) = tokio::sync::watch::channel(false);
    let serving = Arc::new(Serving {
        state: Arc::clone(&state),
        limits: Arc::clone(&limits),
        allow_adhoc: args.allow_adhoc_probes,
        adhoc_timeout: g.timeout.unwrap_or(crate::model::DEFAULT_TIMEOUT),
    });
    let handler: server::Handler = Arc::new(move |asked: Asked| {
        let serving = Arc::clone(&serving);
        Box::pin(async move { handle(&serving, asked).await })
    });
    let mut http = tokio::spawn(server::serve(listener, handler, token, {
        let mut rx = http_rx;
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    }));

    let (mut stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut watching = Watching {
        setup,
        generation: 0,
        limits,
        state: Arc::clone(&state),
        history,
        stop: stop_rx,
    };
    let mut checks = tokio::task::JoinSet::new();
    spawn_watchers(&mut checks, &watching, args.interval);

    let stopped_by_signal = loop {
        tokio::select! {
            () = signals.recv() => break true,
            _ = hangup.recv() => {
                let setup = match load(ctx, g, args) {
                    Ok(s) => Arc::new(s),
                    Err(e) => {
                        let msg = format!("{e:#}").replace(['\n', '\r'], " ");
                        eprintln!("mcpmon: warning: reload: {msg}; the old config is kept");
                        continue;
                    }
                };
                // the old targets' checks stop; the new ones start now
                let _ = stop_tx.send(true);
                let (tx, rx) = tokio::sync::watch::channel(false);
                stop_tx = tx;
                let names: Vec<String> = setup.targets.iter().map(|t| t.name.clone()).collect();
                {
                    let mut s = write(&state);
                    s.generation += 1;
                    s.exposition.retain(&names);
                    s.rendered = Rendered::of(&s.exposition);
                    s.setup = Arc::clone(&setup);
                    watching.generation = s.generation;
                }
                watching.setup = setup;
                watching.stop = rx;
                while checks.try_join_next().is_some() {}
                spawn_watchers(&mut checks, &watching, args.interval);
                eprintln!(
                    "mcpmon serve: reloaded: {}",
                    crate::model::human::counted(names.len(), "target")
                );
            }
            r = &mut http => {
                eprintln!("mcpmon serve: the HTTP server stopped: {r:?}");
                break false;
            }
        }
    };
    let _ = stop_tx.send(true);
    let _ = http_stop.send(true);
    // in-flight checks finish within their deadline, or are abandoned (their children reaped by Drop)
    let longest = watching
        .setup
        .targets
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
