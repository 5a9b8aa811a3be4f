//! The HTTP+SSE transport of 2024-11-05: GET opens an event stream whose first `endpoint` event names
//! the URL to POST to; every reply arrives on the stream.
//!
//! Owns the stream reader task (bounded per event), endpoint resolution (same origin only: mcpmon never
//! follows a server to another host), and matching replies by id. Closing drops the stream.

use super::{Exchange, OutRequest, Step, WireLog, handle_incoming};
use crate::model::Failure;
use crate::model::Reason;
use crate::net::classify::classify_body;
use crate::net::http::MAX_RESPONSE_BYTES;
use crate::net::http::{asks_for_auth, auth_failure, body_hint, status_words};
use crate::net::http::{content_type, is_html, read_body, redirect_failure, redirect_target, send};

use crate::mcp::{jsonrpc, sse};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use reqwest::{Client, Url};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout_at};

enum StreamItem {
    Event(sse::Event),
    TooLarge(usize),
    Ended(Option<Failure>),
}

pub struct SseTransport {
    client: Client,
    headers: HeaderMap,
    post_url: Url,
    rx: mpsc::Receiver<StreamItem>,
    reader: JoinHandle<()>,
    next_id: u64,
    pub log: WireLog,
}

impl SseTransport {
    /// Opens the stream and waits for the `endpoint` event.
    pub async fn connect(
        client: Client,
        url: Url,
        headers: HeaderMap,
        deadline: Instant,
    ) -> Result<Self, Failure> {
        let rb = client
            .get(url.clone())
            .headers(headers.clone())
            .header(ACCEPT, "text/event-stream");
        let resp = send(rb, deadline, "GET (SSE stream)").await?;
        let status = resp.status().as_u16();
        let ctype = content_type(resp.headers());
        if asks_for_auth(status, resp.headers()) {
            return Err(auth_failure(resp.headers(), status));
        }
        if let Some(to) = redirect_target(status, resp.headers(), &url) {
            return Err(redirect_failure(status, &url, &to, "GET (SSE stream)"));
        }
        if is_html(&ctype) && status != 403 {
            return Err(Failure::new(
                Reason::NotMcp,
                format!("GET answered HTTP {status} with an HTML page: not an MCP endpoint"),
            )
            .with_status(status));
        }
        if !(200..300).contains(&status) {
            let bytes = read_body(resp, deadline, 64 * 1024, "GET")
                .await
                .unwrap_or_default();
            return Err(Failure::new(
                Reason::HttpStatus,
                format!(
                    "GET answered HTTP {status}{}{}",
                    status_words(status),
                    body_hint(&bytes)
                ),
            )
            .with_status(status));
        }
        if !ctype.starts_with("text/event-stream") {
            return Err(Failure::new(
                Reason::NotMcp,
                format!(
                    "GET answered HTTP {status} with {} instead of an event stream",
                    if ctype.is_empty() {
                        "no content type"
                    } else {
                        &ctype
                    }
                ),
            )
            .with_status(status));
        }
        let (tx, mut rx) = mpsc::channel(64);
        let reader = tokio::spawn(read_stream(resp, tx));
        let mut log = WireLog::default();
        let endpoint = loop {
            match timeout_at(deadline, rx.recv()).await {
                Err(_) => {
                    return Err(Failure::new(
                        Reason::Timeout,
                        "the SSE stream sent no `endpoint` event before the deadline",
                    ));
                }
                Ok(None) | Ok(Some(StreamItem::Ended(None))) => {
                    return Err(Failure::new(
                        Reason::ProtocolError,
                        "the SSE stream ended before an `endpoint` event",
                    ));
                }
                Ok(Some(StreamItem::Ended(Some(f)))) => return Err(f),
                Ok(Some(StreamItem::TooLarge(n))) => {
                    return Err(Failure::new(
                        Reason::ResponseTooLarge,
                        format!("an SSE event exceeded {MAX_RESPONSE_BYTES} bytes ({n})"),
                    ));
                }
                Ok(Some(StreamItem::Event(ev))) if ev.event == "endpoint" => break ev.data,
                Ok(Some(StreamItem::Event(ev))) => {
                    log.fault(format!(
                        "event `{}` before the `endpoint` event",
                        crate::net::redact::excerpt(&ev.event, 40)
                    ));
                }
            }
        };
        let post_url = url.join(endpoint.trim()).map_err(|e| {
            Failure::new(
                Reason::ProtocolError,
                format!(
                    "the `endpoint` event is not a usable URL ({e}): \"{}\"",
                    crate::net::redact::excerpt(&endpoint, 80)
                ),
            )
        })?;
        if post_url.origin() != url.origin() {
            return Err(Failure::new(
                Reason::ProtocolError,
                format!(
                    "the `endpoint` event points to another origin ({}); mcpmon only posts to the stream's own origin",
                    post_url.origin().ascii_serialization()
                ),
            ));
        }
        Ok(SseTransport {
            client,
            headers,
            post_url,
            rx,
            reader,
            next_id: 0,
            log,
        })
    }

    /// POSTs a message to the endpoint; servers answer 202 (or 200).
    pub(crate) async fn post(&mut self, body: Vec<u8>, deadline: Instant) -> Result<u16, Failure> {
        let rb = self
            .client
            .post(self.post_url.clone())
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        let resp = send(rb, deadline, "POST to the SSE endpoint").await?;
        let status = resp.status().as_u16();
        if asks_for_auth(status, resp.headers()) {
            return Err(auth_failure(resp.headers(), status));
        }
        if !(200..300).contains(&status) {
            let bytes = read_body(resp, deadline, 64 * 1024, "POST")
                .await
                .unwrap_or_default();
            return Err(Failure::new(
                Reason::HttpStatus,
                format!(
                    "POST to the SSE endpoint answered HTTP {status}{}{}",
                    status_words(status),
                    body_hint(&bytes)
                ),
            )
            .with_status(status));
        }
        Ok(status)
    }

    pub async fn request(
        &mut self,
        req: &OutRequest<'_>,
        deadline: Instant,
    ) -> Result<Exchange, Failure> {
        self.next_id += 1;
        let id = self.next_id;
        let body = jsonrpc::request(id, req.method, req.params.as_ref());
        let started = Instant::now();
        self.post(body, deadline).await?;
        loop {
            let item = match timeout_at(deadline, self.rx.recv()).await {
                Err(_) => {
                    self.log.abandoned.push(id);
                    return Err(self.log.timeout_failure(req.method));
                }
                Ok(None) => StreamItem::Ended(None),
                Ok(Some(i)) => i,
            };
            match item {
                StreamItem::Ended(f) => {
                    return Err(f.unwrap_or_else(|| {
                        Failure::new(
                            Reason::ServerDisconnected,
                            format!(
                                "the SSE stream closed before the response to {}",
                                req.method
                            ),
                        )
                    }));
                }
                StreamItem::TooLarge(n) => {
                    return Err(Failure::new(
                        Reason::ResponseTooLarge,
                        format!("an SSE event exceeded {MAX_RESPONSE_BYTES} bytes ({n})"),
                    ));
                }
                StreamItem::Event(ev) if ev.event == "message" && !ev.data.trim().is_empty() => {
                    match serde_json::from_str::<Value>(&ev.data) {
                        Ok(v) => {
                            for m in jsonrpc::messages(v) {
                                match handle_incoming(&m, &[id], &mut self.log) {
                                    (Step::Done(outcome), _) => {
                                        return Ok(Exchange {
                                            id,
                                            outcome,
                                            latency: started.elapsed(),
                                            http: None,
                                        });
                                    }
                                    (Step::Reply(bytes), _) => {
                                        self.post(bytes, deadline).await?;
                                    }
                                    (Step::Continue, _) => {}
                                }
                            }
                        }
                        Err(_) => self.log.fault(format!(
                            "SSE event data is not JSON: \"{}\"",
                            crate::net::redact::excerpt(&ev.data, 80)
                        )),
                    }
                }
                StreamItem::Event(_) => {}
            }
        }
    }

    pub fn close(self) -> super::CloseReport {
        self.reader.abort();
        super::CloseReport {
            summary: "SSE stream closed".into(),
            stderr_tail: Vec::new(),
        }
    }
}

impl Drop for SseTransport {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

async fn read_stream(mut resp: reqwest::Response, tx: mpsc::Sender<StreamItem>) {
    let mut parser = sse::Parser::new(MAX_RESPONSE_BYTES);
    let mut events = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if let Err(sse::TooLarge(n)) = parser.push(&chunk, &mut events) {
                    let _ = tx.send(StreamItem::TooLarge(n)).await;
                    return;
                }
                for ev in events.drain(..) {
                    if tx.send(StreamItem::Event(ev)).await.is_err() {
                        return;
                    }
                }
            }
            Ok(None) => {
                let _ = tx.send(StreamItem::Ended(None)).await;
                return;
            }
            Err(e) => {
                let f = classify_body(&e, "reading the SSE stream");
                let _ = tx.send(StreamItem::Ended(Some(f))).await;
                return;
            }
        }
    }
}
