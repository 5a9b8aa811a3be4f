//! An MCP conversation over any transport: era detection, the handshake (or `server/discover`), typed
//! calls with `_meta` in the stateless era, pagination, liveness, and close.
//!
//! Detection follows the spec's backward-compatibility rules (2026-07-28 versioning.mdx): for a URL,
//! a modern `server/discover` first, then a legacy `initialize`, then a GET for an `endpoint` event; on
//! stdio, `server/discover` first and `initialize` on any non-modern error or silence. Every step is
//! written to `detection` so a person can see why a server was classified as it was.

use super::transport::CloseReport;
use super::transport::Exchange;
use super::transport::OutRequest;
use super::transport::Transport;
use super::transport::WireLog;
use super::transport::http::{Framing, HttpTransport, Leg, Shared};
use super::transport::sse::SseTransport;
use super::transport::stdio::StdioTransport;
use crate::model::Failure;
use crate::model::HttpFacts;
use crate::model::Reason;
use crate::model::StdioSpec;
use crate::model::Wire;
use crate::model::{Era, EraChoice, RequestRecord, ServerInfo};

use reqwest::header::HeaderMap;
use reqwest::{Client, Url};
use serde_json::{Map, Value, json};
use std::time::Duration;
use tokio::time::Instant;

/// The stateless revision.
pub const MODERN_REVISION: &str = "2026-07-28";
/// Handshake-era revisions mcpmon speaks, newest first.
pub const LEGACY_REVISIONS: [&str; 4] = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];
/// JSON-RPC error codes that only a modern server returns (versioning.mdx "recognized modern error").
const HEADER_MISMATCH: i64 = -32020;
const MISSING_CLIENT_CAPABILITY: i64 = -32021;
const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;
/// The longest a stdio `server/discover` probe may wait before falling back to `initialize` (a late
/// DiscoverResult still counts): short, since a server of an older revision may just stay silent.
const STDIO_PROBE_MAX: Duration = Duration::from_secs(2);
/// Pagination guard: a server that keeps returning cursors is a protocol fault, not an endless loop.
const MAX_PAGES: usize = 1000;

/// Where and how to connect.
#[derive(Debug, Clone)]
pub enum Endpoint {
    /// A command, with its start-up phase's own limit when it has one (`Target::startup_limit`).
    Stdio {
        spec: StdioSpec,
        startup: Option<Duration>,
    },
    Url {
        url: Url,
        headers: HeaderMap,
        wire: Option<Wire>,
    },
}

impl RequestRecord {
    /// The record of one request, answered or failed (a failure's latency runs until it was given up).
    pub(crate) fn of(method: &str, res: &Result<Exchange, Failure>, started: Instant) -> Self {
        let (latency, http, ok) = match res {
            Ok(x) => (x.latency, x.http.clone(), x.outcome.is_ok()),
            Err(f) => (
                started.elapsed(),
                f.http_status.map(|s| HttpFacts {
                    status: s,
                    ..Default::default()
                }),
                false,
            ),
        };
        RequestRecord {
            method: method.to_string(),
            latency,
            http,
            ok,
        }
    }
}

/// A connected session.
pub struct Session {
    transport: Transport,
    pub era: Era,
    pub revision: String,
    pub server: ServerInfo,
    pub capabilities: Map<String, Value>,
    pub handshake: Duration,
    pub requests: Vec<RequestRecord>,
    pub detection: Vec<String>,
    /// The server could not stand a 2026-07-28 client (it exited on `server/discover`, or went silent
    /// and died on the next message) and was started again for `initialize`: what happened, with its
    /// stderr line. A finding of its own, not the server being down.
    pub intolerance: Option<String>,
    /// Keep a record of every request (a health check: a handful); off for load, where memory must
    /// not grow with the number of requests.
    pub record_requests: bool,
    /// Time to first byte of the last call's HTTP response (Streamable HTTP only; the legacy SSE
    /// transport answers on its stream and stdio has no such thing).
    pub last_ttfb: Option<Duration>,
    /// The configured URL redirected (307/308) to the one this session uses: say so, a person should
    /// configure the final URL.
    pub redirected: Option<String>,
}

/// Why a connection could not be made, with what was learnt on the way.
pub struct ConnectError {
    pub failure: Failure,
    pub wire: Option<Wire>,
    pub detection: Vec<String>,
    pub requests: Vec<RequestRecord>,
    pub stderr_tail: Vec<String>,
    pub faults: Vec<String>,
    pub close: Option<CloseReport>,
    /// Where the endpoint redirected the last request (followed once by `connect` when same-origin).
    pub redirect: Option<Url>,
}

/// Everything a closed session leaves behind.
pub struct Closed {
    pub close: CloseReport,
    pub stderr_tail: Vec<String>,
    pub log: WireLog,
}

fn client_info() -> Value {
    json!({"name": "mcpmon", "version": env!("CARGO_PKG_VERSION")})
}

fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": MODERN_REVISION,
        "io.modelcontextprotocol/clientInfo": client_info(),
        "io.modelcontextprotocol/clientCapabilities": {},
    })
}

/// A 2026-07-28 request's params: `params` with the complete `_meta` envelope every modern request of
/// the session carries (protocol version, client info, client capabilities).
pub fn with_meta(params: Option<Value>) -> Value {
    let mut obj = match params {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    obj.insert("_meta".into(), modern_meta());
    Value::Object(obj)
}

fn initialize_params() -> Value {
    json!({"protocolVersion": LEGACY_REVISIONS[0], "capabilities": {}, "clientInfo": client_info()})
}

/// Tracks the requests of a connection attempt.
#[derive(Default)]
struct Trail {
    detection: Vec<String>,
    requests: Vec<RequestRecord>,
    intolerance: Option<String>,
}

impl Trail {
    fn record(&mut self, method: &str, res: &Result<Exchange, Failure>, started: Instant) {
        self.requests.push(RequestRecord::of(method, res, started));
    }

    fn step(&mut self, s: String) {
        self.detection.push(s);
    }

    /// The failed attempt, after closing (and for stdio, reaping) whatever it opened.
    async fn fail(
        self,
        failure: Failure,
        transport: Option<Transport>,
        wire: Option<Wire>,
    ) -> ConnectError {
        let (stderr_tail, faults, close) = match transport {
            Some(t) => {
                let faults = t.log().faults.clone();
                let mut close = t.close().await;
                (std::mem::take(&mut close.stderr_tail), faults, Some(close))
            }
            None => (Vec::new(), Vec::new(), None),
        };
        ConnectError {
            failure,
            wire,
            detection: self.detection,
            requests: self.requests,
            stderr_tail,
            faults,
            close,
            redirect: None,
        }
    }
}

fn describe(res: &Result<Exchange, Failure>) -> String {
    match res {
        Ok(x) => {
            let http = x
                .http
                .as_ref()
                .map(|h| format!("HTTP {} ", h.status))
                .unwrap_or_default();
            match &x.outcome {
                Ok(_) => format!("{http}result"),
                Err(e) => format!("{http}{e}"),
            }
        }
        Err(f) => f.to_string(),
    }
}

/// What the discover probe told us.
enum Probe {
    Modern(Value, Duration),
    Legacy,
    /// The server is modern but mcpmon cannot talk to it (or it is broken): final.
    Fail(Failure),
}

/// A -32022 (unsupported version) whose `supported` list names the revision mcpmon just asked for: the
/// spec (SEP-2575) has the client retry once with a supported version, which is the same one.
fn retry_discover(res: &Result<Exchange, Failure>) -> bool {
    let Ok(Exchange {
        outcome: Err(e), ..
    }) = res
    else {
        return false;
    };
    e.code == UNSUPPORTED_PROTOCOL_VERSION
        && e.data
            .as_ref()
            .and_then(|d| d.get("supported"))
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(MODERN_REVISION)))
}

/// What the revisions a server lists mean once 2026-07-28 is not among them: the handshake when it
/// lists one mcpmon speaks (initialize settles the newest common one), else no common revision.
/// `what` starts the message: "server/discover lists", "the server supports".
fn legacy_or_mismatch(listed: &[&str], what: &str) -> Probe {
    if listed.iter().any(|v| LEGACY_REVISIONS.contains(v)) {
        return Probe::Legacy;
    }
    let listed = if listed.is_empty() {
        "no listed version".to_string()
    } else {
        listed.join(", ")
    };
    Probe::Fail(Failure::new(
        Reason::VersionMismatch,
        format!(
            "{what} {listed} and mcpmon speaks {MODERN_REVISION} and {}: no common revision",
            LEGACY_REVISIONS.join(", ")
        ),
    ))
}

fn judge_discover(res: &Result<Exchange, Failure>) -> Option<Probe> {
    match res {
        Ok(x) => match &x.outcome {
            // a 2026-07-28 DiscoverResult lists its versions; a server that answers every unknown
            // method with `{}` is not modern (it is then asked to `initialize`)
            Ok(result) if result.get("supportedVersions").is_some_and(Value::is_array) => {
                let listed: Vec<&str> = result
                    .get("supportedVersions")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if listed.is_empty() || listed.contains(&MODERN_REVISION) {
                    Some(Probe::Modern(result.clone(), x.latency))
                } else {
                    // only handshake-era revisions (the Go SDK's stateful Streamable HTTP):
                    // initialize, which settles the newest common one
                    Some(legacy_or_mismatch(&listed, "server/discover lists"))
                }
            }
            Ok(_) => Some(Probe::Legacy),
            Err(e) if e.code == UNSUPPORTED_PROTOCOL_VERSION => {
                let supported: Vec<&str> = e
                    .data
                    .as_ref()
                    .and_then(|d| d.get("supported"))
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                Some(legacy_or_mismatch(&supported, "the server supports"))
            }
            Err(e) if e.code == HEADER_MISMATCH || e.code == MISSING_CLIENT_CAPABILITY => {
                Some(Probe::Fail(Failure::new(
                    Reason::ProtocolError,
                    format!("a modern server rejected server/discover: {e}"),
                )))
            }
            Err(_) => Some(Probe::Legacy),
        },
        Err(_) => None,
    }
}

/// Connects and identifies the server, returning a ready session.
pub async fn connect(
    endpoint: &Endpoint,
    client: &Client,
    era: EraChoice,
    deadline: Instant,
) -> Result<Session, ConnectError> {
    match endpoint {
        Endpoint::Stdio { spec, startup } => connect_stdio(spec, *startup, era, deadline).await,
        Endpoint::Url { url, headers, wire } => {
            connect_url(url, headers, *wire, client, era, deadline).await
        }
    }
}

/// Reaps a stdio server that could not stand `server/discover` and starts it again: the new transport
/// (or why it could not start), and what happened in words with the server's last stderr line.
/// The start-up time the first process spent counts against the new one's (one start-up budget
/// per check).
async fn restart(
    t: StdioTransport,
    spec: &StdioSpec,
    startup: Option<Duration>,
    what: &str,
) -> (Result<StdioTransport, Failure>, String) {
    let took = t.startup_took();
    let closed = t.close().await;
    let cause = closed
        .stderr_tail
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| format!(" (stderr: {})", l.trim()))
        .unwrap_or_default();
    let fresh = StdioTransport::spawn(spec, startup).map(|mut t| {
        t.carry(took);
        t
    });
    (fresh, format!("the server {what}{cause}"))
}

/// One stdio `server/discover`: with `--era modern` the whole wait, else a probe (see `connect_stdio`).
async fn ask_discover(
    t: &mut StdioTransport,
    req: &OutRequest<'_>,
    era: EraChoice,
    deadline: Instant,
) -> Result<Exchange, Failure> {
    if era == EraChoice::Modern {
        t.request(req, &[], deadline).await
    } else {
        t.probe(req, deadline).await
    }
}

async fn connect_stdio(
    spec: &StdioSpec,
    startup: Option<Duration>,
    era: EraChoice,
    deadline: Instant,
) -> Result<Session, ConnectError> {
    let mut trail = Trail::default();
    let mut t = match StdioTransport::spawn(spec, startup) {
        Ok(t) => t,
        Err(f) => return Err(trail.fail(f, None, Some(Wire::Stdio)).await),
    };
    let mut also = Vec::new();
    if era != EraChoice::Legacy {
        let now = Instant::now();
        let probe_deadline = if era == EraChoice::Modern {
            deadline
        } else {
            let remaining = deadline.saturating_duration_since(now);
            now + (remaining / 2).min(STDIO_PROBE_MAX)
        };
        let req = OutRequest {
            method: "server/discover",
            params: Some(with_meta(None)),
            name: None,
        };
        // auto: a short probe, whose silence (a legacy server, or one still starting: initialize
        // then waits for start-up) is an answer; modern: the whole wait
        let mut started = Instant::now();
        let mut res = ask_discover(&mut t, &req, era, probe_deadline).await;
        trail.record("server/discover", &res, started);
        trail.step(format!("server/discover: {}", describe(&res)));
        if retry_discover(&res) {
            trail.step(format!(
                "the server lists {MODERN_REVISION} as supported: asking once more"
            ));
            started = Instant::now();
            res = ask_discover(&mut t, &req, era, probe_deadline).await;
            trail.record("server/discover", &res, started);
            trail.step(format!("server/discover: {}", describe(&res)));
        }
        match judge_discover(&res) {
            Some(Probe::Modern(result, latency)) => {
                return finish_modern(Transport::Stdio(t), result, latency, trail).await;
            }
            Some(Probe::Fail(f)) => {
                return Err(trail
                    .fail(f, Some(Transport::Stdio(t)), Some(Wire::Stdio))
                    .await);
            }
            Some(Probe::Legacy) if era == EraChoice::Modern => {
                let f = Failure::new(
                    Reason::VersionMismatch,
                    format!(
                        "--era modern, but the server answered server/discover as a legacy server ({})",
                        describe(&res)
                    ),
                );
                return Err(trail
                    .fail(f, Some(Transport::Stdio(t)), Some(Wire::Stdio))
                    .await);
            }
            Some(Probe::Legacy) => {}
            None => {
                let f = res
                    .err()
                    .unwrap_or_else(|| Failure::new(Reason::ProtocolError, "discover"));
                if era == EraChoice::Auto && f.reason == Reason::ServerDisconnected {
                    // it died on server/discover (rmcp: "expect initialized request"): start it
                    // again and go straight to initialize
                    let (fresh, what) =
                        restart(t, spec, startup, "exited on server/discover").await;
                    trail.step(format!("{what}: started again for initialize"));
                    trail.intolerance = Some(what);
                    t = match fresh {
                        Ok(t) => t,
                        Err(f) => return Err(trail.fail(f, None, Some(Wire::Stdio)).await),
                    };
                } else if era == EraChoice::Modern
                    || !matches!(f.reason, Reason::Timeout | Reason::ProtocolError)
                {
                    let f = if f.reason == Reason::Timeout {
                        handshake_timeout(f)
                    } else {
                        f
                    };
                    return Err(trail
                        .fail(f, Some(Transport::Stdio(t)), Some(Wire::Stdio))
                        .await);
                } else {
                    // Silence (or only garbage) is the legacy answer on stdio; a late DiscoverResult
                    // still counts.
                    also.push(1);
                }
            }
        }
    }
    let req = OutRequest {
        method: "initialize",
        params: Some(initialize_params()),
        name: None,
    };
    let started = Instant::now();
    let mut res = t.request(&req, &also, deadline).await;
    trail.record("initialize", &res, started);
    trail.step(format!("initialize: {}", describe(&res)));
    let silent_then_died = era == EraChoice::Auto
        && !also.is_empty()
        && matches!(&res, Err(f) if f.reason == Reason::ServerDisconnected);
    if silent_then_died {
        // silent on server/discover, then dead on the next message (an old SDK that failed to
        // validate the request): once more, initialize first
        let (fresh, what) = restart(
            t,
            spec,
            startup,
            "went silent on server/discover and exited on initialize",
        )
        .await;
        trail.step(format!("{what}: started again for initialize"));
        trail.intolerance = Some(what);
        t = match fresh {
            Ok(t) => t,
            Err(f) => return Err(trail.fail(f, None, Some(Wire::Stdio)).await),
        };
        also.clear();
        let started = Instant::now();
        res = t.request(&req, &also, deadline).await;
        trail.record("initialize", &res, started);
        trail.step(format!("initialize: {}", describe(&res)));
    }
    let transport = Transport::Stdio(t);
    match res {
        Ok(x) if also.contains(&x.id) => match x.outcome {
            Ok(result) => finish_modern(transport, result, x.latency, trail).await,
            Err(e) => Err(trail
                .fail(
                    Failure::new(Reason::RpcError, format!("server/discover: {e}")),
                    Some(transport),
                    Some(Wire::Stdio),
                )
                .await),
        },
        Ok(x) => legacy_session(transport, x, trail, deadline).await,
        Err(f) => {
            let f = if f.reason == Reason::Timeout {
                handshake_timeout(f)
            } else {
                f
            };
            Err(trail.fail(f, Some(transport), Some(Wire::Stdio)).await)
        }
    }
}

/// "HTTP 404 (HTML page)" or the failure's own message, for the one-line summary of a failed detection.
fn brief(f: &Failure) -> String {
    match (f.reason, f.http_status) {
        (Reason::NotMcp, Some(s)) if f.message.contains("HTML") => format!("HTTP {s} (HTML page)"),
        (Reason::HttpStatus, Some(s)) => format!("HTTP {s}"),
        _ => f.message.clone(),
    }
}

fn handshake_timeout(mut f: Failure) -> Failure {
    f.reason = Reason::HandshakeTimeout;
    f
}

/// Does this failure let the URL detection go on to the next step (spec: 400, 404, 405 without a
/// recognised modern error)?
fn falls_back(f: &Failure) -> bool {
    match f.reason {
        Reason::HttpStatus | Reason::NotMcp => matches!(f.http_status, Some(400 | 404 | 405)),
        _ => false,
    }
}

/// Connects to a URL; a same-origin redirect of the endpoint (FastMCP 2.x's `/mcp/` → `/mcp`) is
/// followed once, as the MCP Inspector does, and the session says so. Never across origins: the
/// configured headers carry secrets.
async fn connect_url(
    url: &Url,
    headers: &HeaderMap,
    wire: Option<Wire>,
    client: &Client,
    era: EraChoice,
    deadline: Instant,
) -> Result<Session, ConnectError> {
    let mut first = match connect_url_at(url, headers, wire, client, era, deadline).await {
        Ok(s) => return Ok(s),
        Err(e) => e,
    };
    let to = match first.redirect.take() {
        Some(to) if to.origin() == url.origin() && to != *url => to,
        _ => return Err(first),
    };
    let status = first.failure.http_status.unwrap_or_default();
    let shown = crate::net::url::redact_url(to.as_str());
    let mut detection = std::mem::take(&mut first.detection);
    detection.push(format!(
        "HTTP {status} redirect to {shown} (same origin): following it once"
    ));
    let mut requests = std::mem::take(&mut first.requests);
    match connect_url_at(&to, headers, wire, client, era, deadline).await {
        Ok(mut s) => {
            detection.append(&mut s.detection);
            requests.append(&mut s.requests);
            s.detection = detection;
            s.requests = requests;
            s.redirected = Some(format!(
                "{} redirects (HTTP {status}) to {shown}: configure the final URL",
                crate::net::url::redact_url(url.as_str())
            ));
            Ok(s)
        }
        Err(mut e) => {
            detection.append(&mut e.detection);
            requests.append(&mut e.requests);
            e.detection = detection;
            e.requests = requests;
            e.redirect = None;
            Err(e)
        }
    }
}

async fn connect_url_at(
    url: &Url,
    headers: &HeaderMap,
    wire: Option<Wire>,
    client: &Client,
    era: EraChoice,
    deadline: Instant,
) -> Result<Session, ConnectError> {
    let mut trail = Trail::default();
    let mut post_failure: Option<Failure> = None;
    if wire != Some(Wire::Sse) {
        let mut t = HttpTransport::new(client.clone(), url.clone(), headers.clone());
        if era != EraChoice::Legacy {
            t.framing = Framing {
                protocol_version: Some(MODERN_REVISION.into()),
                modern: true,
            };
            let req = OutRequest {
                method: "server/discover",
                params: Some(with_meta(None)),
                name: None,
            };
            let mut started = Instant::now();
            let mut res = t.request(&req, deadline).await;
            trail.record("server/discover", &res, started);
            trail.step(format!("POST server/discover: {}", describe(&res)));
            if retry_discover(&res) {
                trail.step(format!(
                    "the server lists {MODERN_REVISION} as supported: asking once more"
                ));
                started = Instant::now();
                res = t.request(&req, deadline).await;
                trail.record("server/discover", &res, started);
                trail.step(format!("POST server/discover: {}", describe(&res)));
            }
            match judge_discover(&res) {
                Some(Probe::Modern(result, latency)) => {
                    return finish_modern(Transport::Http(t), result, latency, trail).await;
                }
                Some(Probe::Fail(f)) => {
                    // a recognised modern error: this is Streamable HTTP, whatever went wrong
                    return Err(trail.fail(f, None, Some(Wire::StreamableHttp)).await);
                }
                Some(Probe::Legacy) => {}
                None => {
                    let f = res
                        .err()
                        .unwrap_or_else(|| Failure::new(Reason::ProtocolError, "discover"));
                    let go_on = era == EraChoice::Auto
                        && (falls_back(&f)
                            || matches!(f.reason, Reason::HttpStatus | Reason::ProtocolError));
                    if !go_on {
                        let f = match f.reason {
                            Reason::Timeout => handshake_timeout(f),
                            Reason::HttpStatus | Reason::ProtocolError | Reason::NotMcp
                                if era == EraChoice::Modern =>
                            {
                                Failure {
                                    reason: Reason::VersionMismatch,
                                    message: format!(
                                        "--era modern, but server/discover was not answered as by a modern server: {}",
                                        f.message
                                    ),
                                    ..f
                                }
                            }
                            _ => f,
                        };
                        // nothing MCP answered yet: report only a transport the user forced
                        let mut e = trail.fail(f, None, wire).await;
                        e.redirect = t.redirected_to.take();
                        return Err(e);
                    }
                }
            }
        }
        if era != EraChoice::Modern {
            let mut t = HttpTransport::new(client.clone(), url.clone(), headers.clone());
            let req = OutRequest {
                method: "initialize",
                params: Some(initialize_params()),
                name: None,
            };
            let started = Instant::now();
            let res = t.request(&req, deadline).await;
            trail.record("initialize", &res, started);
            trail.step(format!("POST initialize: {}", describe(&res)));
            match res {
                Ok(x) => return legacy_session(Transport::Http(t), x, trail, deadline).await,
                Err(f) => {
                    if wire == Some(Wire::StreamableHttp) || !falls_back(&f) {
                        let f = if f.reason == Reason::Timeout {
                            handshake_timeout(f)
                        } else {
                            f
                        };
                        let mut e = trail.fail(f, None, wire).await;
                        e.redirect = t.redirected_to.take();
                        return Err(e);
                    }
                    post_failure = Some(f);
                }
            }
        } else {
            return Err(trail
                .fail(
                    Failure::new(
                        Reason::VersionMismatch,
                        "the server did not answer server/discover as a modern (2026-07-28) server",
                    ),
                    None,
                    wire,
                )
                .await);
        }
    }
    // HTTP+SSE (2024-11-05)
    let t =
        match SseTransport::connect(client.clone(), url.clone(), headers.clone(), deadline).await {
            Ok(t) => t,
            Err(f) => {
                trail.step(format!("GET (SSE stream): {f}"));
                let f = match post_failure {
                    Some(p)
                        if f.reason == Reason::NotMcp
                            || p.reason == Reason::NotMcp
                            || falls_back(&f) =>
                    {
                        Failure {
                            reason: if f.reason == Reason::NotMcp || p.reason == Reason::NotMcp {
                                Reason::NotMcp
                            } else {
                                f.reason
                            },
                            message: format!(
                                "no MCP endpoint at this URL: POST initialize → {}, GET → {}",
                                brief(&p),
                                brief(&f)
                            ),
                            ..f
                        }
                    }
                    _ if f.reason == Reason::Timeout => handshake_timeout(f),
                    _ => f,
                };
                // no endpoint event: only a transport the user forced is reported
                return Err(trail.fail(f, None, wire).await);
            }
        };
    trail.step("GET: event stream with an `endpoint` event".into());
    let mut transport = Transport::Sse(t);
    let req = OutRequest {
        method: "initialize",
        params: Some(initialize_params()),
        name: None,
    };
    let started = Instant::now();
    let res = transport.request(&req, deadline).await;
    trail.record("initialize", &res, started);
    trail.step(format!("initialize over SSE: {}", describe(&res)));
    match res {
        Ok(x) => legacy_session(transport, x, trail, deadline).await,
        Err(f) => {
            let f = if f.reason == Reason::Timeout {
                handshake_timeout(f)
            } else {
                f
            };
            Err(trail.fail(f, Some(transport), Some(Wire::Sse)).await)
        }
    }
}

fn server_info(v: Option<&Value>) -> ServerInfo {
    let s = |k: &str| {
        v.and_then(|i| i.get(k))
            .and_then(Value::as_str)
            .map(String::from)
    };
    ServerInfo {
        name: s("name").unwrap_or_default(),
        version: s("version").unwrap_or_default(),
        title: s("title"),
    }
}

async fn finish_modern(
    transport: Transport,
    result: Value,
    latency: Duration,
    mut trail: Trail,
) -> Result<Session, ConnectError> {
    if let Err(f) = check_modern_versions(&result) {
        let wire = Some(transport.wire());
        return Err(trail.fail(f, Some(transport), wire).await);
    }
    trail.step(format!("modern server ({MODERN_REVISION})"));
    let capabilities = result
        .get("capabilities")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let server = server_info(result.pointer("/_meta/io.modelcontextprotocol~1serverInfo"));
    Ok(Session {
        transport,
        era: Era::Modern,
        revision: MODERN_REVISION.into(),
        server,
        capabilities,
        handshake: latency,
        requests: trail.requests,
        detection: trail.detection,
        intolerance: trail.intolerance,
        record_requests: true,
        last_ttfb: None,
        redirected: None,
    })
}

/// A DiscoverResult must list the revision mcpmon speaks (an absent list is taken as modern).
fn check_modern_versions(result: &Value) -> Result<(), Failure> {
    let versions: Vec<&str> = result
        .get("supportedVersions")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !versions.is_empty() && !versions.contains(&MODERN_REVISION) {
        return Err(Failure::new(
            Reason::VersionMismatch,
            format!(
                "server/discover lists {} but not {MODERN_REVISION}",
                versions.join(", ")
            ),
        ));
    }
    Ok(())
}

async fn legacy_session(
    mut transport: Transport,
    x: Exchange,
    mut trail: Trail,
    deadline: Instant,
) -> Result<Session, ConnectError> {
    let wire = Some(transport.wire());
    let result = match x.outcome {
        Ok(r) => r,
        Err(e) => {
            let reason = if e.message.contains("version") {
                Reason::VersionMismatch
            } else {
                Reason::RpcError
            };
            return Err(trail
                .fail(
                    Failure::new(reason, format!("initialize was refused: {e}")),
                    Some(transport),
                    wire,
                )
                .await);
        }
    };
    let revision = result
        .get("protocolVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if !LEGACY_REVISIONS.contains(&revision.as_str()) {
        let shown = if revision.is_empty() {
            "no protocolVersion".to_string()
        } else {
            format!("protocol version {revision}")
        };
        let f = Failure::new(
            Reason::VersionMismatch,
            format!(
                "initialize answered with {shown}; mcpmon speaks {}",
                LEGACY_REVISIONS.join(", ")
            ),
        );
        return Err(trail.fail(f, Some(transport), wire).await);
    }
    if let Transport::Http(h) = &mut transport {
        h.framing = Framing {
            protocol_version: Some(revision.clone()),
            modern: false,
        };
    }
    if let Err(f) = transport
        .notify("notifications/initialized", None, deadline)
        .await
    {
        trail.step(format!("notifications/initialized: {f}"));
        if matches!(
            f.reason,
            Reason::AuthRequired | Reason::ServerDisconnected | Reason::Timeout
        ) {
            return Err(trail.fail(f, Some(transport), wire).await);
        }
    }
    trail.step(format!("legacy server ({revision})"));
    let capabilities = result
        .get("capabilities")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Ok(Session {
        server: server_info(result.get("serverInfo")),
        transport,
        era: Era::Legacy,
        revision,
        capabilities,
        handshake: x.latency,
        requests: trail.requests,
        detection: trail.detection,
        intolerance: trail.intolerance,
        record_requests: true,
        last_ttfb: None,
        redirected: None,
    })
}

/// What `Session::survey` found: each list asked for (in the order asked), and the liveness round trip.
pub struct Survey {
    pub listed: [Option<Result<Vec<Value>, Failure>>; 3],
    pub liveness: (&'static str, Result<Duration, Failure>),
}

/// The liveness request of an era: `ping`, or `server/discover` where ping no longer exists.
fn liveness_method(era: Era) -> &'static str {
    match era {
        Era::Legacy => "ping",
        Era::Modern => "server/discover",
    }
}

/// A request's params as the era frames them (modern requests carry `_meta`), and the name mirrored
/// into `Mcp-Name` (a tool's name or a resource's URI).
fn framed(era: Era, params: Option<Value>) -> (Option<Value>, Option<String>) {
    let params = match era {
        Era::Modern => Some(with_meta(params)),
        Era::Legacy => params,
    };
    let name = params
        .as_ref()
        .and_then(|p| p.get("name").or_else(|| p.get("uri")))
        .and_then(Value::as_str)
        .map(String::from);
    (params, name)
}

/// An exchange's result, or its JSON-RPC error as an `rpc_error` failure.
fn answered(method: &str, res: Result<Exchange, Failure>) -> Result<(Value, Duration), Failure> {
    let x = res?;
    match x.outcome {
        Ok(v) => Ok((v, x.latency)),
        Err(e) => {
            Err(Failure::new(Reason::RpcError, format!("{method}: {e}")).with_rpc_code(e.code))
        }
    }
}

/// A paginated list being read: the items so far and the cursor to ask for next. A server that
/// repeats a cursor or never stops is a protocol fault, not an endless loop.
struct Pages<'a> {
    method: &'a str,
    key: &'a str,
    items: Vec<Value>,
    cursor: Option<String>,
    seen: std::collections::HashSet<String>,
    pages: usize,
}

impl<'a> Pages<'a> {
    fn new(method: &'a str, key: &'a str) -> Self {
        Pages {
            method,
            key,
            items: Vec::new(),
            cursor: None,
            seen: std::collections::HashSet::new(),
            pages: 0,
        }
    }

    /// The params of the next page's request.
    fn params(&self) -> Option<Value> {
        self.cursor.as_ref().map(|c| json!({"cursor": c}))
    }

    /// Takes one page; true when it was the last.
    fn take(&mut self, result: Value) -> Result<bool, Failure> {
        let (method, key) = (self.method, self.key);
        match result.get(key).and_then(Value::as_array) {
            Some(page) => self.items.extend(page.iter().cloned()),
            None => {
                return Err(Failure::new(
                    Reason::ProtocolError,
                    format!("{method} result has no `{key}` array"),
                ));
            }
        }
        self.pages += 1;
        match result.get("nextCursor").and_then(Value::as_str) {
            Some(next) if !next.is_empty() => {
                if !self.seen.insert(next.to_string()) {
                    return Err(Failure::new(
                        Reason::ProtocolError,
                        format!(
                            "{method} pagination loops: cursor {:?} came back twice",
                            crate::net::redact::excerpt(next, 40)
                        ),
                    ));
                }
                if self.pages >= MAX_PAGES {
                    return Err(Failure::new(
                        Reason::ProtocolError,
                        format!("{method} returned more than {MAX_PAGES} pages"),
                    ));
                }
                self.cursor = Some(next.to_string());
                Ok(false)
            }
            _ => Ok(true),
        }
    }
}

/// One request chain sent beside others over Streamable HTTP: the transport's shared half, a leg of
/// its own, and the records of its requests.
struct Caller<'s, 't> {
    shared: &'s Shared<'t>,
    leg: Leg,
    era: Era,
    records: Vec<RequestRecord>,
}

impl<'s, 't> Caller<'s, 't> {
    fn new(shared: &'s Shared<'t>, leg: Leg, era: Era) -> Self {
        Caller {
            shared,
            leg,
            era,
            records: Vec::new(),
        }
    }

    /// `Session::call`, on this leg.
    async fn call(
        &mut self,
        method: &str,
        params: Option<Value>,
        deadline: Instant,
    ) -> Result<(Value, Duration), Failure> {
        let (params, name) = framed(self.era, params);
        let req = OutRequest {
            method,
            params,
            name: name.as_deref(),
        };
        let started = Instant::now();
        let res = self.shared.request(&mut self.leg, &req, deadline).await;
        self.records.push(RequestRecord::of(method, &res, started));
        answered(method, res)
    }

    /// What this chain found, with its leg and the records of its requests (given back to the session).
    fn done<T>(self, found: T) -> (T, Leg, Vec<RequestRecord>) {
        (found, self.leg, self.records)
    }

    /// `Session::list_all`, on this leg.
    async fn list_all(
        &mut self,
        method: &str,
        key: &str,
        deadline: Instant,
    ) -> Result<Vec<Value>, Failure> {
        let mut pages = Pages::new(method, key);
        loop {
            let (result, _) = self.call(method, pages.params(), deadline).await?;
            if pages.take(result)? {
                return Ok(pages.items);
            }
        }
    }
}

impl Session {
    pub fn wire(&self) -> Wire {
        self.transport.wire()
    }

    /// The server process mcpmon started (stdio only).
    pub fn pid(&self) -> Option<u32> {
        self.transport.pid()
    }

    /// The Streamable HTTP transport under this session, if that is what it is (conformance checks
    /// send their own requests beside it).
    pub fn http(&self) -> Option<&HttpTransport> {
        match &self.transport {
            Transport::Http(t) => Some(t),
            _ => None,
        }
    }

    /// Sends this session's requests over a lean HTTP/1.1 connection (`measure`'s hot loop); false
    /// when the transport is not plain-http Streamable HTTP.
    pub fn enable_lean(&mut self) -> bool {
        match &mut self.transport {
            Transport::Http(t) => t.enable_lean(),
            _ => false,
        }
    }

    pub fn has_capability(&self, name: &str) -> bool {
        self.capabilities.contains_key(name)
    }

    /// One call; a JSON-RPC error becomes `rpc_error`. Modern sessions carry `_meta` on every request.
    pub async fn call(
        &mut self,
        method: &str,
        params: Option<Value>,
        deadline: Instant,
    ) -> Result<(Value, Duration), Failure> {
        let (params, name) = framed(self.era, params);
        let req = OutRequest {
            method,
            params,
            name: name.as_deref(),
        };
        let started = Instant::now();
        let res = self.transport.request(&req, deadline).await;
        if self.record_requests {
            self.requests.push(RequestRecord::of(method, &res, started));
        }
        if let Ok(x) = &res {
            self.last_ttfb = x.http.as_ref().map(|h| h.ttfb).filter(|d| !d.is_zero());
        }
        answered(method, res)
    }

    /// Every item of a paginated list (`tools/list` → `tools`), following `nextCursor`.
    pub async fn list_all(
        &mut self,
        method: &str,
        key: &str,
        deadline: Instant,
    ) -> Result<Vec<Value>, Failure> {
        let mut pages = Pages::new(method, key);
        loop {
            let (result, _) = self.call(method, pages.params(), deadline).await?;
            if pages.take(result)? {
                return Ok(pages.items);
            }
        }
    }

    /// The cheapest liveness round trip for the era: `ping`, or `server/discover` where ping no longer exists.
    pub async fn liveness(
        &mut self,
        deadline: Instant,
    ) -> (&'static str, Result<Duration, Failure>) {
        let method = liveness_method(self.era);
        (
            method,
            self.call(method, None, deadline).await.map(|(_, d)| d),
        )
    }

    /// The lists a check reads (`tools/list`, `prompts/list`, `resources/list`, each `(method, key)` or
    /// None, each through all its pages) and the liveness round trip. Over Streamable HTTP they go
    /// side by side, each on a connection of its own, so a check costs the slowest of them rather
    /// than their sum; over stdio and HTTP+SSE (one stream) and the lean connection, one after
    /// another. Requests are recorded in the order of the arguments either way.
    pub async fn survey(
        &mut self,
        lists: [Option<(&'static str, &'static str)>; 3],
        deadline: Instant,
    ) -> Survey {
        let era = self.era;
        let t = match &mut self.transport {
            Transport::Http(t) if !t.is_lean() => t,
            _ => {
                let mut listed = [None, None, None];
                for (slot, want) in listed.iter_mut().zip(lists) {
                    if let Some((method, key)) = want {
                        *slot = Some(self.list_all(method, key, deadline).await);
                    }
                }
                let liveness = self.liveness(deadline).await;
                return Survey { listed, liveness };
            }
        };
        let (tools, prompts, resources, live) = {
            let shared = t.shared();
            let list = |want: Option<(&'static str, &'static str)>| {
                let mut leg = Caller::new(&shared, t.leg(), era);
                async move {
                    let res = match want {
                        Some((method, key)) => Some(leg.list_all(method, key, deadline).await),
                        None => None,
                    };
                    (res, leg)
                }
            };
            let live = async {
                let mut leg = Caller::new(&shared, t.leg(), era);
                let method = liveness_method(era);
                let res = leg.call(method, None, deadline).await.map(|(_, d)| d);
                ((method, res), leg)
            };
            let (a, b, c, d) = tokio::join!(list(lists[0]), list(lists[1]), list(lists[2]), live);
            (a.1.done(a.0), b.1.done(b.0), c.1.done(c.0), d.1.done(d.0))
        };
        let mut listed = [None, None, None];
        for (slot, (res, leg, records)) in listed.iter_mut().zip([tools, prompts, resources]) {
            *slot = res;
            t.absorb(leg);
            if self.record_requests {
                self.requests.extend(records);
            }
        }
        let (liveness, leg, records) = live;
        t.absorb(leg);
        if self.record_requests {
            self.requests.extend(records);
        }
        Survey { listed, liveness }
    }

    pub fn faults(&self) -> &[String] {
        &self.transport.log().faults
    }

    pub fn notifications(&self) -> u64 {
        self.transport.log().notifications
    }

    pub async fn close(self) -> Closed {
        let log = self.transport.log().clone();
        let mut close = self.transport.close().await;
        let stderr_tail = std::mem::take(&mut close.stderr_tail);
        Closed {
            close,
            stderr_tail,
            log,
        }
    }
}

#[cfg(test)]
mod stub;
#[cfg(test)]
mod tests;
