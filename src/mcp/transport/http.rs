//! Streamable HTTP, both eras: the 2025-03-26…2025-11-25 shape (sessions, `MCP-Protocol-Version` after
//! initialize, JSON or SSE replies, 202 for notifications, DELETE on close) and 2026-07-28 (no sessions,
//! `MCP-Protocol-Version` + `Mcp-Method` + `Mcp-Name` on every POST).
//!
//! Owns the HTTP exchange and its wire facts (status, content type, time to first byte). Bodies are read
//! incrementally and refused past `MAX_RESPONSE_BYTES`; an SSE reply is read only until the matching
//! response arrives. Header values come from config and are never put into any message.

use super::Exchange;
use super::OutRequest;
use super::Step;
use super::WireLog;
use super::handle_incoming;
use super::lean::LeanConn;
use crate::model::Failure;
use crate::model::HttpFacts;
use crate::model::Reason;
use crate::net::classify::{classify_body, classify_reqwest};
use crate::net::http::{MAX_RESPONSE_BYTES, USER_AGENT};
use crate::net::http::{asks_for_auth, auth_failure, body_hint, status_words};
use crate::net::http::{content_type, is_html, read_body, redirect_failure, redirect_target, send};
use crate::net::redact::excerpt;
use base64::Engine as _;

use crate::mcp::jsonrpc::{self, RpcError};
use crate::mcp::sse;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use reqwest::{Client, Url};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::{Instant, timeout_at};

pub const ACCEPT_BOTH: &str = "application/json, text/event-stream";
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);
/// How many times a reply stream that ended early is resumed.
const MAX_RESUMES: usize = 3;

/// How requests are framed: which era's headers to send.
#[derive(Debug, Clone, Default)]
pub struct Framing {
    /// Value for `MCP-Protocol-Version` (none before a legacy initialize).
    pub protocol_version: Option<String>,
    /// 2026-07-28: mirror `Mcp-Method` / `Mcp-Name` into headers.
    pub modern: bool,
}

pub struct HttpTransport {
    client: Client,
    url: Url,
    headers: HeaderMap,
    pub framing: Framing,
    pub session_id: Option<String>,
    /// The last request id used; atomic so requests in flight side by side (`Shared`) take their own.
    next_id: AtomicU64,
    pub log: WireLog,
    /// `measure`'s lean keep-alive connection, when enabled (plain `http` only).
    lean: Option<Box<LeanConn>>,
    /// Where the last redirect reply pointed (never followed here: the session decides).
    pub redirected_to: Option<Url>,
}

impl HttpTransport {
    pub fn new(client: Client, url: Url, headers: HeaderMap) -> Self {
        HttpTransport {
            client,
            url,
            headers,
            framing: Framing::default(),
            session_id: None,
            next_id: AtomicU64::new(0),
            log: WireLog::default(),
            lean: None,
            redirected_to: None,
        }
    }

    /// The endpoint and the configured headers (values are secrets: never print them).
    pub fn endpoint(&self) -> (&Url, &HeaderMap) {
        (&self.url, &self.headers)
    }

    /// Sends this session's requests over a lean HTTP/1.1 connection (`measure`'s hot loop); false
    /// when the URL needs the general client (https). Not to be called when a proxy is configured: the
    /// lean connection goes straight to the server.
    pub fn enable_lean(&mut self) -> bool {
        self.lean = LeanConn::for_url(&self.url).map(Box::new);
        self.lean.is_some()
    }

    /// Whether requests go over the lean connection (one request at a time).
    pub fn is_lean(&self) -> bool {
        self.lean.is_some()
    }

    /// The read-only half of this transport, for requests in flight side by side; each brings its own
    /// [`Leg`] and gives it back through [`HttpTransport::absorb`].
    pub fn shared(&self) -> Shared<'_> {
        Shared {
            client: &self.client,
            url: &self.url,
            headers: &self.headers,
            framing: &self.framing,
            session_id: self.session_id.as_deref(),
            next_id: &self.next_id,
        }
    }

    /// A leg for a request sent beside others: a log of its own that knows which ids were abandoned
    /// and how many server requests were answered so far.
    pub fn leg(&self) -> Leg {
        Leg {
            log: self.log.for_leg(),
            ..Leg::default()
        }
    }

    /// Takes back what a leg saw: its wire log, and a session id or redirect the server gave it.
    pub fn absorb(&mut self, leg: Leg) {
        self.log.absorb(leg.log);
        self.keep(leg.session_id, leg.redirected_to);
    }

    fn keep(&mut self, session_id: Option<String>, redirected_to: Option<Url>) {
        if session_id.is_some() {
            self.session_id = session_id;
        }
        if redirected_to.is_some() {
            self.redirected_to = redirected_to;
        }
    }

    /// POSTs one request and reads until the response with its id (over the lean connection when it
    /// is enabled).
    pub async fn request(
        &mut self,
        req: &OutRequest<'_>,
        deadline: Instant,
    ) -> Result<Exchange, Failure> {
        // one request at a time: its leg carries the whole log, and gives it back whole
        let mut leg = Leg {
            log: std::mem::take(&mut self.log),
            ..Leg::default()
        };
        let mut lean = self.lean.take();
        let res = match lean.as_deref_mut() {
            Some(conn) => {
                self.shared()
                    .lean_request(&mut leg, conn, req, deadline)
                    .await
            }
            None => self.shared().request(&mut leg, req, deadline).await,
        };
        self.lean = lean;
        self.log = leg.log;
        self.keep(leg.session_id, leg.redirected_to);
        res
    }

    /// POSTs a notification; servers answer 202 Accepted (anything else 2xx is noted, not fatal).
    pub async fn notify(
        &mut self,
        method: &str,
        body: Vec<u8>,
        deadline: Instant,
    ) -> Result<(), Failure> {
        let rb = self
            .shared()
            .post_builder(body, method, None, self.session_id.as_deref());
        let resp = send(rb, deadline, method).await?;
        let status = resp.status().as_u16();
        if asks_for_auth(status, resp.headers()) {
            return Err(auth_failure(resp.headers(), status));
        }
        if !(200..300).contains(&status) {
            let bytes = read_body(resp, deadline, 64 * 1024, method)
                .await
                .unwrap_or_default();
            return Err(Failure::new(
                Reason::HttpStatus,
                format!(
                    "HTTP {status}{} to notification {method}{}",
                    status_words(status),
                    body_hint(&bytes)
                ),
            )
            .with_status(status));
        }
        if status != 202 {
            self.log.fault(format!(
                "notification {method} answered HTTP {status}, expected 202 Accepted"
            ));
        }
        Ok(())
    }

    /// Ends the session with DELETE when the server issued one.
    pub async fn close(self) -> super::CloseReport {
        let Some(sid) = self.session_id.clone() else {
            return super::CloseReport {
                summary: "no session to close".into(),
                stderr_tail: Vec::new(),
            };
        };
        let mut rb = self
            .client
            .delete(self.url.clone())
            .headers(self.headers.clone())
            .header("Mcp-Session-Id", sid);
        if let Some(v) = &self.framing.protocol_version {
            rb = rb.header("MCP-Protocol-Version", v.as_str());
        }
        let summary = match tokio::time::timeout(CLOSE_TIMEOUT, rb.send()).await {
            Ok(Ok(r)) => format!("session closed with DELETE (HTTP {})", r.status().as_u16()),
            Ok(Err(e)) => format!(
                "DELETE of the session failed: {}",
                classify_reqwest(&e, "DELETE").message
            ),
            Err(_) => "DELETE of the session timed out".into(),
        };
        super::CloseReport {
            summary,
            stderr_tail: Vec::new(),
        }
    }
}

/// What requests in flight side by side share of one transport: the client, the endpoint, its
/// headers and framing, the session id, and the id counter. Read-only: what a request learns goes
/// into its own [`Leg`].
pub struct Shared<'a> {
    client: &'a Client,
    url: &'a Url,
    headers: &'a HeaderMap,
    framing: &'a Framing,
    session_id: Option<&'a str>,
    next_id: &'a AtomicU64,
}

/// One request's own state: the faults and notifications it saw on the wire, and a session id or
/// redirect the server gave it (taken back by [`HttpTransport::absorb`]).
#[derive(Default)]
pub struct Leg {
    pub log: WireLog,
    session_id: Option<String>,
    redirected_to: Option<Url>,
}

impl Leg {
    /// The session id to send: one the server gave this leg, else the transport's.
    fn session<'a>(&'a self, shared: &'a Shared<'_>) -> Option<&'a str> {
        self.session_id.as_deref().or(shared.session_id)
    }

    fn take_session_id(&mut self, shared: &Shared<'_>, headers: &HeaderMap) {
        if let Some(sid) = headers.get("mcp-session-id").and_then(|v| v.to_str().ok()) {
            if !sid.is_empty() && self.session(shared) != Some(sid) {
                self.session_id = Some(sid.to_string());
            }
        }
    }
}

impl Shared<'_> {
    /// A POST of `body` with the session's headers (a reply to a server request is just this).
    fn answer_builder(&self, body: Vec<u8>, session_id: Option<&str>) -> reqwest::RequestBuilder {
        let mut rb = self
            .client
            .post(self.url.clone())
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, ACCEPT_BOTH)
            .body(body);
        if let Some(v) = &self.framing.protocol_version {
            rb = rb.header("MCP-Protocol-Version", v.as_str());
        }
        if let Some(sid) = session_id {
            rb = rb.header("Mcp-Session-Id", sid);
        }
        rb
    }

    fn post_builder(
        &self,
        body: Vec<u8>,
        method: &str,
        name: Option<&str>,
        session_id: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut rb = self.answer_builder(body, session_id);
        if self.framing.modern {
            rb = rb.header("Mcp-Method", method);
            if let Some(n) = name {
                rb = rb.header("Mcp-Name", header_safe(n));
            }
        }
        rb
    }

    /// Posts replies to server requests that arrived on a reply stream; a failure is a wire fault.
    async fn answer_all(&self, leg: &mut Leg, replies: Vec<Vec<u8>>, deadline: Instant) {
        for bytes in replies {
            let rb = self.answer_builder(bytes, leg.session(self));
            if let Err(f) = send(rb, deadline, "a reply to a server request").await {
                leg.log
                    .fault(format!("answering a server request failed: {f}"));
            }
        }
    }

    /// The reply stream ended before the response. When the server named an event id, the reply is
    /// resumed (2025-11-25 resumability): wait the stream's `retry` time, then GET with
    /// `Last-Event-ID`, at most `MAX_RESUMES` times, all within the request's deadline.
    async fn resume(
        &self,
        leg: &mut Leg,
        reply: &mut SseReply,
        id: u64,
        what: &str,
        deadline: Instant,
    ) -> Result<Result<Value, RpcError>, Failure> {
        for _ in 0..MAX_RESUMES {
            let Some(last) = reply.parser.last_id().map(String::from) else {
                return Err(reply.ended(what, id));
            };
            let wait = Duration::from_millis(reply.parser.retry_ms().unwrap_or(0).min(5_000));
            if Instant::now() + wait >= deadline {
                return Err(leg.log.timeout_failure(what));
            }
            tokio::time::sleep(wait).await;
            leg.log.resumed += 1;
            let mut rb = self
                .client
                .get(self.url.clone())
                .headers(self.headers.clone())
                .header(ACCEPT, "text/event-stream")
                .header("Last-Event-ID", header_safe(&last));
            if let Some(v) = &self.framing.protocol_version {
                rb = rb.header("MCP-Protocol-Version", v.as_str());
            }
            if let Some(sid) = leg.session(self) {
                rb = rb.header("Mcp-Session-Id", sid);
            }
            let mut resp = send(rb, deadline, what).await?;
            let status = resp.status().as_u16();
            let ctype = content_type(resp.headers());
            if !is_sse_reply(status, &ctype) {
                return Err(Failure::new(
                    Reason::ProtocolError,
                    format!(
                        "the SSE reply to {what} ended before its response, and resuming it from event {:?} got HTTP {status} ({})",
                        excerpt(&last, 40),
                        or_none(&ctype)
                    ),
                )
                .with_status(status));
            }
            reply.parser.continue_stream();
            loop {
                let chunk = match timeout_at(deadline, resp.chunk()).await {
                    Err(_) => return Err(leg.log.timeout_failure(what)),
                    Ok(Err(e)) => return Err(classify_body(&e, what)),
                    Ok(Ok(None)) => break,
                    Ok(Ok(Some(c))) => c,
                };
                let mut replies = Vec::new();
                let found = reply.feed(&chunk, id, what, &mut leg.log, &mut replies)?;
                self.answer_all(leg, replies, deadline).await;
                if let Some(o) = found {
                    return Ok(o);
                }
            }
        }
        Err(reply.ended(what, id))
    }

    /// The next request id, unique across the requests in flight.
    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// POSTs one request and reads until the response with its id; what the wire showed goes into
    /// `leg`. Requests of one session may run side by side, each on its own connection.
    pub async fn request(
        &self,
        leg: &mut Leg,
        req: &OutRequest<'_>,
        deadline: Instant,
    ) -> Result<Exchange, Failure> {
        let id = self.next_id();
        let body = jsonrpc::request(id, req.method, req.params.as_ref());
        let started = Instant::now();
        let rb = self.post_builder(body, req.method, req.name, leg.session(self));
        let mut resp = send(rb, deadline, req.method).await?;
        let ttfb = started.elapsed();
        let status = resp.status().as_u16();
        let ctype = content_type(resp.headers());
        leg.take_session_id(self, resp.headers());
        let facts = HttpFacts {
            status,
            content_type: ctype.clone(),
            ttfb,
            not_after: crate::net::x509::reply_not_after(&resp),
        };
        if let Some(to) = redirect_target(status, resp.headers(), self.url) {
            let f = redirect_failure(status, self.url, &to, req.method);
            leg.redirected_to = Some(to);
            return Err(f);
        }
        if let Some(f) = head_failure(status, resp.headers(), &ctype, req.method) {
            return Err(f);
        }
        let outcome = if is_sse_reply(status, &ctype) {
            let mut reply = SseReply::new();
            loop {
                let chunk = match timeout_at(deadline, resp.chunk()).await {
                    Err(_) => return Err(leg.log.timeout_failure(req.method)),
                    Ok(Err(e)) => return Err(classify_body(&e, req.method)),
                    Ok(Ok(None)) => {
                        break self
                            .resume(leg, &mut reply, id, req.method, deadline)
                            .await?;
                    }
                    Ok(Ok(Some(c))) => c,
                };
                let mut replies = Vec::new();
                let found = reply.feed(&chunk, id, req.method, &mut leg.log, &mut replies)?;
                self.answer_all(leg, replies, deadline).await;
                if let Some(o) = found {
                    break o;
                }
            }
        } else {
            let bytes = read_body(resp, deadline, MAX_RESPONSE_BYTES, req.method).await?;
            plain_reply(status, &ctype, &bytes, id, req.method, &mut leg.log)?
        };
        Ok(Exchange {
            id,
            outcome,
            latency: started.elapsed(),
            http: Some(facts),
        })
    }

    /// The same exchange over the lean connection: the reply is read by the same code.
    async fn lean_request(
        &self,
        leg: &mut Leg,
        lean: &mut LeanConn,
        req: &OutRequest<'_>,
        deadline: Instant,
    ) -> Result<Exchange, Failure> {
        let id = self.next_id();
        let body = jsonrpc::request(id, req.method, req.params.as_ref());
        let started = Instant::now();
        let key = (
            leg.session(self).map(String::from),
            self.framing.protocol_version.clone(),
        );
        if lean.prefix_key.as_ref() != Some(&key) {
            let mut fixed: Vec<(&str, &[u8])> = vec![
                ("User-Agent", USER_AGENT.as_bytes()),
                ("Content-Type", b"application/json"),
                ("Accept", ACCEPT_BOTH.as_bytes()),
            ];
            if let Some(v) = &key.1 {
                fixed.push(("MCP-Protocol-Version", v.as_bytes()));
            }
            if let Some(sid) = &key.0 {
                fixed.push(("Mcp-Session-Id", sid.as_bytes()));
            }
            lean.prefix = LeanConn::render_prefix(self.url, &fixed, self.headers);
            lean.prefix_key = Some(key);
        }
        let name = req.name.map(header_safe);
        let mut extra: Vec<(&str, &[u8])> = Vec::new();
        if self.framing.modern {
            extra.push(("Mcp-Method", req.method.as_bytes()));
            if let Some(n) = &name {
                extra.push(("Mcp-Name", n.as_bytes()));
            }
        }
        let head = lean.roundtrip(&extra, &body, deadline, req.method).await?;
        let ttfb = started.elapsed();
        let status = head.status;
        let ctype = content_type(&head.headers);
        leg.take_session_id(self, &head.headers);
        let facts = HttpFacts {
            status,
            content_type: ctype.clone(),
            ttfb,
            not_after: None,
        };
        if let Some(to) = redirect_target(status, &head.headers, self.url) {
            lean.drop_connection();
            let f = redirect_failure(status, self.url, &to, req.method);
            leg.redirected_to = Some(to);
            return Err(f);
        }
        if let Some(f) = head_failure(status, &head.headers, &ctype, req.method) {
            lean.drop_connection();
            return Err(f);
        }
        let outcome = if is_sse_reply(status, &ctype) {
            let mut reply = SseReply::new();
            let mut chunk = Vec::new();
            loop {
                chunk.clear();
                let more = match lean.body_chunk(&mut chunk, deadline, req.method).await {
                    Err(f) if f.reason == Reason::Timeout => {
                        lean.drop_connection();
                        return Err(leg.log.timeout_failure(req.method));
                    }
                    r => r?,
                };
                if !more {
                    lean.drop_connection();
                    let outcome = self
                        .resume(leg, &mut reply, id, req.method, deadline)
                        .await?;
                    return Ok(Exchange {
                        id,
                        outcome,
                        latency: started.elapsed(),
                        http: Some(facts),
                    });
                }
                let mut replies = Vec::new();
                let found = reply.feed(&chunk, id, req.method, &mut leg.log, &mut replies);
                let found = found.inspect_err(|_| lean.drop_connection())?;
                self.answer_all(leg, replies, deadline).await;
                if let Some(o) = found {
                    let latency = started.elapsed();
                    lean.finish(req.method).await;
                    return Ok(Exchange {
                        id,
                        outcome: o,
                        latency,
                        http: Some(facts),
                    });
                }
            }
        } else {
            let bytes = lean
                .read_body(MAX_RESPONSE_BYTES, deadline, req.method)
                .await?;
            plain_reply(status, &ctype, &bytes, id, req.method, &mut leg.log)?
        };
        Ok(Exchange {
            id,
            outcome,
            latency: started.elapsed(),
            http: Some(facts),
        })
    }
}

/// `Mcp-Name` must be plain visible ASCII; anything else uses the spec's Base64 sentinel form.
fn header_safe(v: &str) -> String {
    if v.bytes().all(|b| (0x20..0x7f).contains(&b)) && !v.starts_with(' ') && !v.ends_with(' ') {
        v.to_string()
    } else {
        format!(
            "=?base64?{}?=",
            base64::engine::general_purpose::STANDARD.encode(v.as_bytes())
        )
    }
}

fn or_none(ctype: &str) -> &str {
    if ctype.is_empty() {
        "no content type"
    } else {
        ctype
    }
}

/// Finds the response with `id` in a JSON body (single message or batch); other messages are logged.
fn find_json_reply(bytes: &[u8], id: u64, log: &mut WireLog) -> Option<Result<Value, RpcError>> {
    let v: Value = serde_json::from_slice(bytes).ok()?;
    let mut found = None;
    for m in jsonrpc::messages(v) {
        if let (Step::Done(outcome), _) = handle_incoming(&m, &[id], log) {
            if found.is_none() {
                found = Some(outcome);
            }
        }
    }
    found
}

/// What a reply's head alone decides: an auth challenge, an HTML page, or no body where a response
/// was due. A bare 403 is left to the body (its first line says why), even when it is an HTML page.
fn head_failure(status: u16, headers: &HeaderMap, ctype: &str, what: &str) -> Option<Failure> {
    if asks_for_auth(status, headers) {
        return Some(auth_failure(headers, status));
    }
    if is_html(ctype) && status != 403 {
        return Some(
            Failure::new(
                Reason::NotMcp,
                format!(
                    "HTTP {status} with an HTML page (text/html) to {what}: not an MCP endpoint"
                ),
            )
            .with_status(status),
        );
    }
    if status == 202 || status == 204 {
        return Some(
            Failure::new(
                Reason::ProtocolError,
                format!("HTTP {status} with no response body to request {what}"),
            )
            .with_status(status),
        );
    }
    None
}

fn is_sse_reply(status: u16, ctype: &str) -> bool {
    ctype.starts_with("text/event-stream") && (200..300).contains(&status)
}

/// The response with `id` in a whole (non-SSE) body, or why there is none.
fn plain_reply(
    status: u16,
    ctype: &str,
    bytes: &[u8],
    id: u64,
    what: &str,
    log: &mut WireLog,
) -> Result<Result<Value, RpcError>, Failure> {
    match find_json_reply(bytes, id, log) {
        Some(outcome) => Ok(outcome),
        None if (200..300).contains(&status) => Err(Failure::new(
            Reason::ProtocolError,
            format!(
                "HTTP {status} ({}) to {what} did not carry a JSON-RPC response with id {id}: {}",
                or_none(ctype),
                excerpt(
                    &String::from_utf8_lossy(&bytes[..bytes.len().min(300)]),
                    160
                )
            ),
        )
        .with_status(status)),
        None => Err(Failure::new(
            Reason::HttpStatus,
            format!(
                "HTTP {status}{} to {what}{}",
                status_words(status),
                body_hint(bytes)
            ),
        )
        .with_status(status)),
    }
}

/// Reads an SSE reply chunk by chunk until the event carrying the response with `id`; notifications
/// before it are counted, server requests on the stream are collected to be answered.
struct SseReply {
    parser: sse::Parser,
    events: Vec<sse::Event>,
    total: usize,
}

impl SseReply {
    fn new() -> Self {
        SseReply {
            parser: sse::Parser::new(MAX_RESPONSE_BYTES),
            events: Vec::new(),
            total: 0,
        }
    }

    /// The stream ended before the response.
    fn ended(&self, what: &str, id: u64) -> Failure {
        Failure::new(
            Reason::ProtocolError,
            format!("the SSE reply to {what} ended without a response with id {id}"),
        )
    }

    /// Feeds one chunk; the outcome once the response with `id` arrived. Replies owed to server
    /// requests are appended to `replies`.
    fn feed(
        &mut self,
        chunk: &[u8],
        id: u64,
        what: &str,
        log: &mut WireLog,
        replies: &mut Vec<Vec<u8>>,
    ) -> Result<Option<Result<Value, RpcError>>, Failure> {
        self.total += chunk.len();
        if self.total > MAX_RESPONSE_BYTES {
            return Err(Failure::new(
                Reason::ResponseTooLarge,
                format!(
                    "the SSE reply to {what} exceeded the {MAX_RESPONSE_BYTES}-byte cap without a response"
                ),
            ));
        }
        if let Err(sse::TooLarge(n)) = self.parser.push(chunk, &mut self.events) {
            return Err(Failure::new(
                Reason::ResponseTooLarge,
                format!(
                    "an SSE event in the reply to {what} exceeded {MAX_RESPONSE_BYTES} bytes ({n}); refused"
                ),
            ));
        }
        for ev in self.events.drain(..) {
            // Only `message` events carry JSON-RPC; an empty one is a resumability priming event.
            if ev.event != "message" || ev.data.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(&ev.data) {
                Ok(v) => {
                    for m in jsonrpc::messages(v) {
                        match handle_incoming(&m, &[id], log) {
                            (Step::Done(outcome), _) => return Ok(Some(outcome)),
                            (Step::Reply(bytes), _) => replies.push(bytes),
                            (Step::Continue, _) => {}
                        }
                    }
                }
                Err(_) => log.fault(format!(
                    "SSE event data is not JSON: \"{}\"",
                    excerpt(&ev.data, 80)
                )),
            }
        }
        Ok(None)
    }
}

/// The fuzzing half of `super::fuzz_reply`: `body` as an SSE reply arriving in `step`-byte chunks, then as
/// a whole JSON reply with a success and a failure status.
pub(super) fn fuzz_reply(body: &[u8], step: usize) {
    let mut log = WireLog::default();
    let mut replies = Vec::new();
    let mut reply = SseReply::new();
    for chunk in body.chunks(step.max(1)) {
        match reply.feed(chunk, 1, "fuzz", &mut log, &mut replies) {
            Ok(None) => {}
            Ok(Some(_)) | Err(_) => break,
        }
    }
    let _ = reply.ended("fuzz", 1);
    for status in [200, 500] {
        let _ = plain_reply(status, "application/json", body, 1, "fuzz", &mut log);
    }
    let _ = log.timeout_failure("fuzz");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_sentinel_for_non_ascii_names() {
        assert_eq!(header_safe("get_weather"), "get_weather");
        assert_eq!(header_safe("café"), "=?base64?Y2Fmw6k=?=");
    }

    #[test]
    fn json_batch_reply_is_matched_by_id() {
        let mut log = WireLog::default();
        let body = br#"[{"jsonrpc":"2.0","method":"notifications/message"},{"jsonrpc":"2.0","id":2,"result":{"ok":true}}]"#;
        let r = find_json_reply(body, 2, &mut log).unwrap().unwrap();
        assert_eq!(r["ok"], true);
        assert_eq!(log.notifications, 1);
    }
}
