//! The load probe behind `mcpmon measure`: one MCP request repeated by independent sessions (one per
//! unit of concurrency, over any transport), timed into a high-dynamic-range histogram, so memory stays
//! constant whatever `-n` or `-z` is.
//!
//! With a rate (`-q`) requests follow a fixed schedule and latency is measured from each request's
//! intended start, so a stalled server is not hidden by requests that were never sent (coordinated
//! omission). A shared `Control` lets the caller stop early (Ctrl-C) and watch progress.

use crate::mcp::session::Endpoint;
use crate::mcp::session::Session;
use crate::mcp::session::{self};
use crate::model::Era;
use crate::model::EraChoice;
use crate::model::Failure;
use crate::model::LoadFacts;
use crate::model::Reason;
use crate::model::stats::LatencyStats;
use reqwest::Client;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// What each request is.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// The cheapest liveness round trip of the era: `ping`, or `server/discover` in 2026-07-28.
    Liveness,
    Ping,
    ToolsList,
    Discover,
    /// A full connect + handshake per request (for stdio: spawn to result, a cold start).
    Initialize,
    /// `tools/call` of one tool with these arguments.
    Call {
        tool: String,
        arguments: Value,
    },
}

/// How much load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    Requests(u64),
    For(Duration),
}

#[derive(Debug, Clone)]
pub struct LoadSpec {
    pub endpoint: Endpoint,
    pub era: EraChoice,
    pub method: Method,
    pub amount: Amount,
    pub concurrency: u32,
    pub warmup: u64,
    /// Requests per second for the whole run (a fixed schedule); none: as fast as the sessions go.
    pub rate: Option<f64>,
    /// `tools/call` of a tool not marked read-only is refused unless this is set.
    pub allow_side_effects: bool,
    /// Deadline of each request (and of each connect).
    pub timeout: Duration,
    /// Plain-`http` MCP sessions may use the lean HTTP/1.1 connection; false when a proxy is configured
    /// (the caller resolves that from the environment): every request then goes through the client.
    pub lean: bool,
}

/// Shared between the run and its caller: stop early, and progress.
#[derive(Debug, Default)]
pub struct Control {
    pub stop: AtomicBool,
    /// Requests finished (counted ones and warm-up).
    pub done: AtomicU64,
}

fn request_of(m: &Method, era: Era) -> (&'static str, Option<Value>) {
    match (m, era) {
        (Method::Liveness, Era::Legacy) | (Method::Ping, _) => ("ping", None),
        (Method::Liveness, Era::Modern) | (Method::Discover, _) => ("server/discover", None),
        (Method::ToolsList, _) => ("tools/list", None),
        (Method::Initialize, _) => ("initialize", None),
        (Method::Call { tool, arguments }, _) => (
            "tools/call",
            Some(json!({"name": tool, "arguments": arguments})),
        ),
    }
}

/// Runs the load; a target that cannot be reached at all, or a refused tool, is a `Failure`.
pub async fn run(
    spec: &LoadSpec,
    client: &Client,
    control: &Control,
) -> Result<LoadFacts, Failure> {
    // one session first: it tells the era (and fails fast when the target is down)
    let probe_deadline = crate::model::checked::after(Instant::now(), spec.timeout);
    let mut first = session::connect(&spec.endpoint, client, spec.era, probe_deadline)
        .await
        .map_err(|e| e.failure)?;
    let era = first.era;
    let revision = first.revision.clone();
    if let Method::Call { tool, .. } = &spec.method {
        let tools = first.list_all("tools/list", "tools", probe_deadline).await;
        let checked = tools.and_then(|t| {
            super::calls::gate(
                &t,
                tool,
                spec.allow_side_effects,
                "pass --allow-side-effects to call it thousands of times anyway",
            )
        });
        if let Err(f) = checked {
            let _ = first.close().await;
            return Err(f);
        }
    }
    let (method, params) = request_of(&spec.method, era);
    let _ = first.close().await;

    // the sessions open before the clock starts: throughput counts requests, not handshakes
    let mut sessions = Vec::new();
    if spec.method != Method::Initialize {
        let mut opening = tokio::task::JoinSet::new();
        for _ in 0..spec.concurrency.max(1) {
            let (endpoint, client, era) = (spec.endpoint.clone(), client.clone(), spec.era);
            let deadline = crate::model::checked::after(Instant::now(), spec.timeout);
            opening.spawn(async move {
                session::connect(&endpoint, &client, era, deadline)
                    .await
                    .map_err(|e| e.failure)
            });
        }
        while let Some(r) = opening.join_next().await {
            if let Ok(r) = r {
                sessions.push(r);
            }
        }
    }
    let issued = Arc::new(AtomicU64::new(0));
    let plan = Plan::new(spec);
    let mut set = tokio::task::JoinSet::new();
    // the workers share `control` through an Arc they own; the caller's reference is mirrored into it
    let shared = Arc::new(Control::default());
    for _ in 0..spec.concurrency.max(1) {
        let spec = spec.clone();
        let client = client.clone();
        let issued = Arc::clone(&issued);
        let shared = Arc::clone(&shared);
        let params = params.clone();
        let session = sessions.pop();
        set.spawn(async move {
            let call = Call {
                method,
                params,
                issued: &issued,
                plan,
                control: &shared,
            };
            match session {
                Some(opened) => worker(&spec, opened, call).await,
                None => cold_worker(&spec, &client, call).await,
            }
        });
    }
    let mut facts = gather(set, &plan, &shared, control).await;
    facts.method = method.to_string();
    facts.concurrency = spec.concurrency.max(1);
    facts.revision = Some(revision);
    Ok(facts)
}

/// What one worker saw: its requests' latencies, their times to first byte, and whether its session
/// could not be opened.
#[derive(Default)]
struct Share {
    stats: LatencyStats,
    ttfb: LatencyStats,
    failed_session: bool,
    /// When its last request ended (sessions close after it, off the clock).
    finished: Option<std::time::Instant>,
}

/// Merges the workers' shares as they finish, mirroring the caller's `control` every 50 ms (progress
/// out, stop in).
async fn gather(
    mut set: tokio::task::JoinSet<Share>,
    plan: &Plan,
    shared: &Control,
    control: &Control,
) -> LoadFacts {
    let mut facts = LoadFacts {
        rate: plan.interval.map(|i| 1.0 / i.as_secs_f64()),
        ..Default::default()
    };
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let mut last: Option<std::time::Instant> = None;
    loop {
        tokio::select! {
            r = set.join_next() => match r {
                Some(Ok(share)) => {
                    facts.stats.merge(&share.stats);
                    facts.ttfb.merge(&share.ttfb);
                    facts.failed_sessions += u32::from(share.failed_session);
                    last = last.max(share.finished);
                }
                Some(Err(_)) => {}
                None => break,
            },
            _ = tick.tick() => {
                control.done.store(shared.done.load(Ordering::Relaxed), Ordering::Relaxed);
                if control.stop.load(Ordering::Relaxed) {
                    shared.stop.store(true, Ordering::Relaxed);
                }
            }
        }
    }
    control
        .done
        .store(shared.done.load(Ordering::Relaxed), Ordering::Relaxed);
    facts.interrupted = shared.stop.load(Ordering::Relaxed);
    facts.elapsed = match last {
        Some(t) => t.saturating_duration_since(plan.started.into_std()),
        None => plan.started.elapsed(),
    };
    facts
}

#[derive(Debug, Clone, Copy)]
struct Plan {
    started: Instant,
    stop_at: Option<Instant>,
    limit: u64,
    /// With a rate: ticket n is due at `started + n × interval`.
    interval: Option<Duration>,
}

impl Plan {
    /// The schedule of a run that starts now.
    fn new(spec: &LoadSpec) -> Plan {
        let started = Instant::now();
        Plan {
            started,
            stop_at: match spec.amount {
                Amount::For(d) => Some(started + d),
                Amount::Requests(_) => None,
            },
            limit: match spec.amount {
                Amount::Requests(n) => n + spec.warmup,
                Amount::For(_) => u64::MAX,
            },
            interval: spec
                .rate
                .filter(|r| *r > 0.0)
                .and_then(|r| crate::model::checked::rate_interval(r).ok()),
        }
    }

    /// The next ticket and when it is due, or none when the amount is done or the run stops.
    fn take(&self, issued: &AtomicU64, control: &Control) -> Option<(u64, Instant)> {
        if control.stop.load(Ordering::Relaxed) || self.stop_at.is_some_and(|t| Instant::now() >= t)
        {
            return None;
        }
        let n = issued.fetch_add(1, Ordering::Relaxed);
        if n >= self.limit {
            return None;
        }
        let due = match self.interval {
            Some(i) => self.started + i.mul_f64(n as f64),
            None => Instant::now(),
        };
        if self.stop_at.is_some_and(|t| due >= t) {
            return None;
        }
        Some((n, due))
    }

    /// Waits until a scheduled ticket is due; without a rate a ticket goes at once, with no timer
    /// registered per request.
    async fn wait(&self, due: Instant) {
        if self.interval.is_some() {
            tokio::time::sleep_until(due).await;
        }
    }
}

/// What every worker shares: the request, the ticket counter, the schedule and the stop flag.
struct Call<'a> {
    method: &'static str,
    params: Option<Value>,
    issued: &'a AtomicU64,
    plan: Plan,
    control: &'a Control,
}

/// `--method initialize`: every ticket is a new connection and handshake (spawn to result on stdio).
async fn cold_worker(spec: &LoadSpec, client: &Client, call: Call<'_>) -> Share {
    let (plan, control) = (call.plan, call.control);
    let mut share = Share::default();
    let corrected = plan.interval.is_some();
    while let Some((n, due)) = plan.take(call.issued, control) {
        plan.wait(due).await;
        let t0 = if corrected { due } else { Instant::now() };
        match session::connect(
            &spec.endpoint,
            client,
            spec.era,
            crate::model::checked::after(Instant::now(), spec.timeout),
        )
        .await
        {
            Ok(s) => {
                let d = t0.elapsed();
                share.finished = Some(std::time::Instant::now());
                let _ = s.close().await;
                if n >= spec.warmup {
                    share.stats.record_ok(d);
                }
            }
            Err(e) => {
                share.finished = Some(std::time::Instant::now());
                share.stats.record_error(e.failure.reason);
            }
        }
        control.done.fetch_add(1, Ordering::Relaxed);
    }
    share
}

/// One session's share: takes tickets until the amount is done; the first `warmup` tickets are not
/// counted. Latency runs from the ticket's due time (with a rate) or from the write (without).
async fn worker(spec: &LoadSpec, opened: Result<Session, Failure>, call: Call<'_>) -> Share {
    let Call {
        method,
        params,
        issued,
        plan,
        control,
    } = call;
    let mut share = Share::default();
    let corrected = plan.interval.is_some();
    let mut s = match opened {
        Ok(s) => s,
        Err(f) => {
            share.stats.record_error(f.reason);
            share.failed_session = true;
            return share;
        }
    };
    // memory must not grow with the number of requests
    s.record_requests = false;
    if spec.lean {
        s.enable_lean();
    }
    while let Some((n, due)) = plan.take(issued, control) {
        plan.wait(due).await;
        let res = s
            .call(
                method,
                params.clone(),
                crate::model::checked::after(Instant::now(), spec.timeout),
            )
            .await;
        share.finished = Some(std::time::Instant::now());
        let lat = |d: Duration| if corrected { due.elapsed() } else { d };
        control.done.fetch_add(1, Ordering::Relaxed);
        match res {
            Ok((_, d)) if n >= spec.warmup => {
                share.stats.record_ok(lat(d));
                if let Some(t) = s.last_ttfb {
                    share.ttfb.record_ok(t);
                }
            }
            Ok(_) => {}
            Err(f) => {
                if n >= spec.warmup {
                    share.stats.record_error(f.reason);
                }
                if matches!(
                    f.reason,
                    Reason::ServerDisconnected | Reason::ConnectRefused
                ) {
                    break;
                }
            }
        }
    }
    let _ = s.close().await;
    share
}

/// A plain HTTP target for load (a REST health endpoint): GET, or POST with a JSON body.
#[derive(Debug, Clone)]
pub struct HttpLoad {
    pub url: reqwest::Url,
    pub headers: reqwest::header::HeaderMap,
    pub body: Option<Vec<u8>>,
}

/// Runs plain HTTP load: any 2xx is a success, everything else an error by reason (`http_status`, …).
pub async fn run_http(
    target: &HttpLoad,
    spec: &LoadSpec,
    client: &Client,
    control: &Control,
) -> LoadFacts {
    let issued = Arc::new(AtomicU64::new(0));
    let plan = Plan::new(spec);
    let shared = Arc::new(Control::default());
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..spec.concurrency.max(1) {
        let (target, client, issued, shared) = (
            target.clone(),
            client.clone(),
            Arc::clone(&issued),
            Arc::clone(&shared),
        );
        let (timeout, warmup) = (spec.timeout, spec.warmup);
        set.spawn(async move {
            let mut share = Share::default();
            while let Some((n, due)) = plan.take(&issued, &shared) {
                plan.wait(due).await;
                let t0 = if plan.interval.is_some() {
                    due
                } else {
                    Instant::now()
                };
                let rb = match &target.body {
                    Some(b) => client
                        .post(target.url.clone())
                        .headers(target.headers.clone())
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(b.clone()),
                    None => client
                        .get(target.url.clone())
                        .headers(target.headers.clone()),
                };
                let deadline = crate::model::checked::after(Instant::now(), timeout);
                let sent = Instant::now();
                let res = match crate::net::http::send(rb, deadline, "request").await {
                    Ok(resp) => {
                        let first_byte = sent.elapsed();
                        let status = resp.status().as_u16();
                        match crate::net::http::read_body(resp, deadline, 1 << 20, "request").await
                        {
                            Ok(_) if (200..300).contains(&status) => Ok((t0.elapsed(), first_byte)),
                            Ok(_) => Err(Reason::HttpStatus),
                            Err(f) => Err(f.reason),
                        }
                    }
                    Err(f) => Err(f.reason),
                };
                shared.done.fetch_add(1, Ordering::Relaxed);
                if n >= warmup {
                    match res {
                        Ok((d, t)) => {
                            share.stats.record_ok(d);
                            share.ttfb.record_ok(t);
                        }
                        Err(r) => share.stats.record_error(r),
                    }
                }
            }
            share
        });
    }
    let mut facts = gather(set, &plan, &shared, control).await;
    facts.method = if target.body.is_some() { "POST" } else { "GET" }.to_string();
    facts.concurrency = spec.concurrency.max(1);
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_schedules_tickets() {
        let started = Instant::now();
        let plan = Plan {
            started,
            stop_at: None,
            limit: 3,
            interval: Some(Duration::from_millis(100)),
        };
        let issued = AtomicU64::new(0);
        let control = Control::default();
        let dues: Vec<Duration> = std::iter::from_fn(|| plan.take(&issued, &control))
            .map(|(_, d)| d - started)
            .collect();
        assert_eq!(
            dues,
            [
                Duration::ZERO,
                Duration::from_millis(100),
                Duration::from_millis(200)
            ]
        );
        control.stop.store(true, Ordering::Relaxed);
        let issued = AtomicU64::new(0);
        assert!(
            plan.take(&issued, &control).is_none(),
            "a stopped run takes no ticket"
        );
    }
}
