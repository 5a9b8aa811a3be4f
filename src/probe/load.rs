//! The load probe behind `mcpmon measure`: one MCP request repeated by independent sessions (one per
//! unit of concurrency, over any transport), timed from write to matching response into a
//! high-dynamic-range histogram, so memory stays constant whatever `-n` or `-z` is.

use crate::failure::{Failure, Reason};
use crate::mcp::session::{self, Endpoint, Era, EraChoice};
use crate::stats::LatencyStats;
use reqwest::Client;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// What each request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The cheapest liveness round trip of the era: `ping`, or `server/discover` in 2026-07-28.
    Liveness,
    Ping,
    ToolsList,
    Discover,
    /// A full connect + handshake per request (for stdio: spawn to result, a cold start).
    Initialize,
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
    /// Deadline of each request (and of each connect).
    pub timeout: Duration,
}

/// What a load run saw.
#[derive(Debug, Clone, Default)]
pub struct LoadFacts {
    /// The JSON-RPC method that was sent (`initialize` for cold starts).
    pub method: String,
    pub concurrency: u32,
    pub stats: LatencyStats,
    pub elapsed: Duration,
    pub revision: Option<String>,
    /// Sessions that could not be opened (their reason is counted in `stats.errors`).
    pub failed_sessions: u32,
}

impl LoadFacts {
    /// Successful requests per second over the whole run.
    pub fn rate(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.stats.ok as f64 / s
        } else {
            0.0
        }
    }
}

fn method_name(m: Method, era: Era) -> &'static str {
    match (m, era) {
        (Method::Liveness, Era::Legacy) | (Method::Ping, _) => "ping",
        (Method::Liveness, Era::Modern) | (Method::Discover, _) => "server/discover",
        (Method::ToolsList, _) => "tools/list",
        (Method::Initialize, _) => "initialize",
    }
}

/// Runs the load; a target that cannot be reached at all is a `Failure`.
pub async fn run(spec: &LoadSpec, client: &Client) -> Result<LoadFacts, Failure> {
    // one session first: it tells the era (and fails fast when the target is down)
    let probe_deadline = Instant::now() + spec.timeout;
    let first = session::connect(&spec.endpoint, client, spec.era, probe_deadline)
        .await
        .map_err(|e| e.failure)?;
    let era = first.era;
    let revision = first.revision.clone();
    let method = method_name(spec.method, era);
    let _ = first.close().await;

    let issued = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let stop_at = match spec.amount {
        Amount::For(d) => Some(started + d),
        Amount::Requests(_) => None,
    };
    let limit = match spec.amount {
        Amount::Requests(n) => n + spec.warmup,
        Amount::For(_) => u64::MAX,
    };
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..spec.concurrency.max(1) {
        let spec = spec.clone();
        let client = client.clone();
        let issued = Arc::clone(&issued);
        set.spawn(async move { worker(&spec, &client, method, &issued, limit, stop_at).await });
    }
    let mut facts = LoadFacts {
        method: method.to_string(),
        concurrency: spec.concurrency.max(1),
        revision: Some(revision),
        ..Default::default()
    };
    while let Some(r) = set.join_next().await {
        if let Ok((stats, failed)) = r {
            facts.stats.merge(&stats);
            facts.failed_sessions += u32::from(failed);
        }
    }
    facts.elapsed = started.elapsed();
    Ok(facts)
}

/// One session's share: takes tickets until the amount is done; the first `warmup` tickets are not counted.
async fn worker(
    spec: &LoadSpec,
    client: &Client,
    method: &'static str,
    issued: &AtomicU64,
    limit: u64,
    stop_at: Option<Instant>,
) -> (LatencyStats, bool) {
    let mut stats = LatencyStats::default();
    let take = || {
        if stop_at.is_some_and(|t| Instant::now() >= t) {
            return None;
        }
        let n = issued.fetch_add(1, Ordering::Relaxed);
        (n < limit).then_some(n)
    };
    if spec.method == Method::Initialize {
        while let Some(n) = take() {
            let t0 = Instant::now();
            match session::connect(&spec.endpoint, client, spec.era, t0 + spec.timeout).await {
                Ok(s) => {
                    let d = t0.elapsed();
                    let _ = s.close().await;
                    if n >= spec.warmup {
                        stats.record_ok(d);
                    }
                }
                Err(e) => stats.record_error(e.failure.reason),
            }
        }
        return (stats, false);
    }
    let mut s = match session::connect(
        &spec.endpoint,
        client,
        spec.era,
        Instant::now() + spec.timeout,
    )
    .await
    {
        Ok(s) => s,
        Err(e) => {
            stats.record_error(e.failure.reason);
            return (stats, true);
        }
    };
    while let Some(n) = take() {
        match s.call(method, None, Instant::now() + spec.timeout).await {
            Ok((_, d)) if n >= spec.warmup => stats.record_ok(d),
            Ok(_) => {}
            Err(f) => {
                stats.record_error(f.reason);
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
    (stats, false)
}
