//! The three ways mcpmon reaches an MCP server, behind one enum: a stdio child, Streamable HTTP, and the
//! legacy HTTP+SSE transport of 2024-11-05.
//!
//! Owns: sending one request and waiting (until a deadline) for the response with the matching id,
//! timing it from write to match, answering server→client requests, and closing cleanly. It knows
//! nothing about MCP methods beyond the headers Streamable HTTP mirrors; era and handshake logic live in
//! `session`. It never retries, re-initialises or queues anything silently.

pub mod http;
pub(crate) mod lean;
pub mod sse;
pub mod stdio;

use crate::mcp::jsonrpc::{self, Incoming, RpcError};
use crate::model::Failure;
use crate::model::Reason;
use crate::model::{HttpFacts, Wire};
use crate::net::redact::excerpt;
use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;

/// An outgoing request. `name` is mirrored into `Mcp-Name` by Streamable HTTP in the 2026-07-28 era.
#[derive(Debug, Clone)]
pub struct OutRequest<'a> {
    pub method: &'a str,
    pub params: Option<Value>,
    pub name: Option<&'a str>,
}

/// A completed request: the server's result or JSON-RPC error, and how long it took.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub id: u64,
    pub outcome: Result<Value, RpcError>,
    pub latency: Duration,
    pub http: Option<HttpFacts>,
}

/// What happened when a transport was closed.
#[derive(Debug, Clone, Default)]
pub struct CloseReport {
    pub summary: String,
    /// The server's last stderr lines (stdio), read after it exited so its last words are kept.
    pub stderr_tail: Vec<String>,
}

/// Protocol faults observed on the wire while waiting (stray output, unmatched ids, bad messages).
/// They become a `protocol_error` warning, or the reason of a timeout they explain.
#[derive(Debug, Default, Clone)]
pub struct WireLog {
    pub faults: Vec<String>,
    pub notifications: u64,
    pub server_requests: Vec<String>,
    /// Ids mcpmon stopped waiting for (timed-out probes, superseded requests): their late responses
    /// are expected and dropped, not faults.
    pub abandoned: Vec<u64>,
    pub late_responses: u64,
    /// Reply streams that ended before their response and were resumed with `Last-Event-ID`.
    pub resumed: u64,
    /// Server→client requests received this session (answered or not).
    pub server_requests_seen: u64,
    /// Where in `faults` the "only the first N were answered" fault sits, once recorded.
    unanswered_fault: Option<usize>,
    /// A leg's log (`for_leg`): the count of server requests it started from.
    leg_base: u64,
}

/// How many server→client requests a session answers; past this they are counted, not answered, so a
/// server flooding requests cannot make mcpmon write without end.
pub const MAX_ANSWERED_SERVER_REQUESTS: u64 = 64;

impl WireLog {
    pub fn fault(&mut self, f: String) {
        if self.faults.len() < 20 {
            self.faults.push(f);
        }
    }

    /// Counts one server→client request and says whether it may be answered. Past the cap, one
    /// protocol fault (kept up to date with the count) says how many were sent.
    fn answer_server_request(&mut self) -> bool {
        self.server_requests_seen += 1;
        if self.server_requests_seen <= MAX_ANSWERED_SERVER_REQUESTS {
            return true;
        }
        let text = format!(
            "the server sent {} requests; only the first {MAX_ANSWERED_SERVER_REQUESTS} were answered",
            self.server_requests_seen
        );
        match self.unanswered_fault {
            Some(i) => {
                if let Some(f) = self.faults.get_mut(i) {
                    *f = text;
                }
            }
            None => {
                if self.faults.len() < 20 {
                    self.unanswered_fault = Some(self.faults.len());
                }
                self.fault(text);
            }
        }
        false
    }

    /// The log a request sent beside others starts with: which ids were abandoned, and how many
    /// server requests were answered so far (each leg may answer up to the cap: the total stays
    /// bounded by the number of legs, at most four).
    pub fn for_leg(&self) -> WireLog {
        WireLog {
            abandoned: self.abandoned.clone(),
            server_requests_seen: self.server_requests_seen,
            leg_base: self.server_requests_seen,
            ..WireLog::default()
        }
    }

    /// Takes in what a leg (started by `for_leg`) saw: its faults and counts.
    pub fn absorb(&mut self, leg: WireLog) {
        for f in leg.faults {
            self.fault(f);
        }
        self.notifications += leg.notifications;
        let room = 20usize.saturating_sub(self.server_requests.len());
        self.server_requests
            .extend(leg.server_requests.into_iter().take(room));
        self.late_responses += leg.late_responses;
        self.resumed += leg.resumed;
        self.server_requests_seen += leg.server_requests_seen.saturating_sub(leg.leg_base);
    }

    /// A timeout, explained by the last protocol fault when there was one.
    pub fn timeout_failure(&self, what: &str) -> Failure {
        match self.faults.last() {
            Some(f) => Failure::new(
                Reason::ProtocolError,
                format!("no valid response to {what} before the deadline; {f}"),
            ),
            None => Failure::new(
                Reason::Timeout,
                format!("no response to {what} before the deadline"),
            ),
        }
    }
}

/// What to do with one decoded incoming message while waiting for `want`.
pub(crate) enum Step {
    Done(Result<Value, RpcError>),
    /// Reply bytes to send back to the server (answer to a server→client request).
    Reply(Vec<u8>),
    Continue,
}

/// The shared handling of every incoming message, whatever the transport: match by id, count
/// notifications, answer server requests, record faults.
pub(crate) fn handle_incoming(v: &Value, want: &[u64], log: &mut WireLog) -> (Step, Option<u64>) {
    match jsonrpc::classify(v) {
        Ok(Incoming::Response { id, outcome }) => {
            if let Some(&w) = want.iter().find(|w| jsonrpc::id_matches(&id, **w)) {
                (Step::Done(outcome), Some(w))
            } else if log.abandoned.iter().any(|a| jsonrpc::id_matches(&id, *a)) {
                log.late_responses += 1;
                (Step::Continue, None)
            } else {
                log.fault(format!(
                    "response with unexpected id {} (waiting for {})",
                    excerpt(&id.to_string(), 40),
                    want.first().copied().unwrap_or(0)
                ));
                (Step::Continue, None)
            }
        }
        Ok(Incoming::Request { id, method }) => {
            if log.server_requests.len() < 20 {
                log.server_requests.push(method.clone());
            }
            if !log.answer_server_request() {
                return (Step::Continue, None);
            }
            (
                Step::Reply(jsonrpc::reply_to_server_request(&id, &method)),
                None,
            )
        }
        Ok(Incoming::Notification { .. }) => {
            log.notifications += 1;
            (Step::Continue, None)
        }
        Err(e) => {
            log.fault(format!("invalid JSON-RPC message: {e}"));
            (Step::Continue, None)
        }
    }
}

/// One live connection to a server.
pub enum Transport {
    Stdio(stdio::StdioTransport),
    Http(http::HttpTransport),
    Sse(sse::SseTransport),
}

impl Transport {
    pub fn wire(&self) -> Wire {
        match self {
            Transport::Stdio(_) => Wire::Stdio,
            Transport::Http(_) => Wire::StreamableHttp,
            Transport::Sse(_) => Wire::Sse,
        }
    }

    /// Sends one request and waits until `deadline` for its response.
    pub async fn request(
        &mut self,
        req: &OutRequest<'_>,
        deadline: Instant,
    ) -> Result<Exchange, Failure> {
        match self {
            Transport::Stdio(t) => t.request(req, &[], deadline).await,
            Transport::Http(t) => t.request(req, deadline).await,
            Transport::Sse(t) => t.request(req, deadline).await,
        }
    }

    /// Sends a notification (no response expected).
    pub async fn notify(
        &mut self,
        method: &str,
        params: Option<Value>,
        deadline: Instant,
    ) -> Result<(), Failure> {
        let body = jsonrpc::notification(method, params.as_ref());
        match self {
            Transport::Stdio(t) => t.notify(method, &body, deadline).await,
            Transport::Http(t) => t.notify(method, body, deadline).await,
            Transport::Sse(t) => t.post(body, deadline).await.map(|_| ()),
        }
    }

    pub fn log(&self) -> &WireLog {
        match self {
            Transport::Stdio(t) => &t.log,
            Transport::Http(t) => &t.log,
            Transport::Sse(t) => &t.log,
        }
    }

    /// The server process's pid (stdio only).
    pub fn pid(&self) -> Option<u32> {
        match self {
            Transport::Stdio(t) => t.pid(),
            _ => None,
        }
    }

    /// The server's stderr (stdio only), most recent lines last.
    pub fn stderr_tail(&self) -> Vec<String> {
        match self {
            Transport::Stdio(t) => t.stderr_tail(),
            _ => Vec::new(),
        }
    }

    /// Closes the connection: stdio children are reaped (stdin close → SIGTERM → SIGKILL to the whole
    /// process group), HTTP sessions get their DELETE, SSE streams are dropped.
    pub async fn close(self) -> CloseReport {
        match self {
            Transport::Stdio(t) => t.close().await,
            Transport::Http(t) => t.close().await,
            Transport::Sse(t) => t.close(),
        }
    }
}

/// Fuzzing entry point (`fuzz/`, target `jsonrpc_sse`), not an API: feeds untrusted bytes through the
/// real readers of a server's replies — the response head and body decoder of the lean HTTP/1.1 path,
/// the SSE reply reader (split into chunks of `data[0] + 1` bytes) with JSON-RPC classification, the
/// plain JSON reply reader, and a stdio line's decoding. Nothing it reaches may panic.
#[doc(hidden)]
pub fn fuzz_reply(data: &[u8]) {
    let (step, body) = match data.split_first() {
        Some((s, rest)) => (usize::from(*s) + 1, rest),
        None => (1, data),
    };
    lean::fuzz_body(body, step);
    http::fuzz_reply(body, step);
    let mut log = WireLog::default();
    for line in body.split(|b| *b == b'\n') {
        if let stdio::Line::Message(v) = stdio::decode(line) {
            for m in jsonrpc::messages(v) {
                let _ = handle_incoming(&m, &[1, 2], &mut log);
            }
        }
    }
    let _ = log.timeout_failure("fuzz");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_requests_past_the_cap_are_counted_not_answered() {
        let mut log = WireLog::default();
        let n = MAX_ANSWERED_SERVER_REQUESTS + 10;
        let mut answered = 0;
        for i in 0..n {
            let req = serde_json::json!({"jsonrpc": "2.0", "id": i, "method": "ping"});
            if let (Step::Reply(_), _) = handle_incoming(&req, &[9999], &mut log) {
                answered += 1;
            }
        }
        assert_eq!(answered, MAX_ANSWERED_SERVER_REQUESTS);
        assert_eq!(
            log.faults,
            [format!(
                "the server sent {n} requests; only the first {MAX_ANSWERED_SERVER_REQUESTS} were answered"
            )]
        );
    }
}
