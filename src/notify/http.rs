//! HTTP delivery for webhook, Slack and ping channels: one request, retried at most once on a transport
//! error or HTTP 5xx/429 (after a short pause, or the server's `Retry-After` when it fits the deadline),
//! never on another status. Error bodies are read up to `MAX_BODY_BYTES` for a short hint. Messages show
//! no URL: reqwest's error text is stripped of it and every message is scrubbed of the URL's path and query.

use super::{Delivered, MAX_BODY_BYTES, human, one_line};
use crate::net::classify::classify;
use crate::net::http::read_body;
use crate::net::redact::scrub_url;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Client, Url};
use std::time::Duration;
use tokio::time::{Instant, timeout_at};

/// Pause before the single retry (unless the server asks for another within the deadline).
const RETRY_DELAY: Duration = Duration::from_millis(500);

pub(super) enum Method {
    /// POST a JSON body.
    PostJson(Vec<u8>),
    /// POST a text body with extra headers (ntfy).
    PostText {
        body: Vec<u8>,
        headers: Vec<(&'static str, String)>,
    },
    Get,
}

impl Method {
    fn name(&self) -> &'static str {
        match self {
            Method::PostJson(_) | Method::PostText { .. } => "POST",
            Method::Get => "GET",
        }
    }
}

/// How one attempt ended.
enum Attempt {
    Delivered(String),
    /// Not worth retrying (a 4xx, the deadline).
    Final(String),
    /// A transport error or 5xx/429; `after` is the server's `Retry-After`.
    Retryable {
        msg: String,
        after: Option<Duration>,
    },
}

pub(super) async fn deliver(
    client: &Client,
    method: Method,
    url: &Url,
    until: Instant,
    budget: Duration,
) -> Result<Delivered, String> {
    let mut first: Option<String> = None;
    for attempt in 1..=2u8 {
        let rb = match &method {
            Method::PostJson(body) => client
                .post(url.clone())
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone()),
            Method::PostText { body, headers } => headers.iter().fold(
                client
                    .post(url.clone())
                    .header(CONTENT_TYPE, "text/plain; charset=utf-8")
                    .body(body.clone()),
                |rb, (k, v)| rb.header(*k, v.as_str()),
            ),
            Method::Get => client.get(url.clone()),
        };
        match once(rb, method.name(), until, budget).await {
            Attempt::Delivered(detail) => {
                return Ok(Delivered {
                    attempts: attempt,
                    detail,
                });
            }
            Attempt::Final(msg) => return Err(scrub_url(&finish(msg, first.as_deref()), url)),
            Attempt::Retryable { msg, after } => {
                if first.is_some() {
                    return Err(scrub_url(&finish(msg, first.as_deref()), url));
                }
                let pause = after.unwrap_or(RETRY_DELAY);
                if crate::model::checked::after(Instant::now(), pause) >= until {
                    let why = match after {
                        Some(a) => format!(
                            "not retried: the server asks to wait {}, past the {} deadline",
                            human(a),
                            human(budget)
                        ),
                        None => format!(
                            "not retried: no time left within the {} deadline",
                            human(budget)
                        ),
                    };
                    return Err(scrub_url(&format!("{msg} ({why})"), url));
                }
                tokio::time::sleep(pause).await;
                first = Some(msg);
            }
        }
    }
    // The loop returns on its second attempt at the latest.
    Err(scrub_url(&first.unwrap_or_default(), url))
}

/// One request of a remediation (`notify::remedy`): `method` with `headers` and `body`, not retried (a
/// restart or reconnect is not sent twice), within `until`. Messages as `deliver`'s, free of the URL's
/// path and query.
pub(super) async fn request(
    client: &Client,
    method: reqwest::Method,
    url: &Url,
    headers: &[(String, String)],
    body: Option<&str>,
    until: Instant,
    budget: Duration,
) -> Result<Delivered, String> {
    let name = method.to_string();
    let mut rb = client.request(method, url.clone());
    for (k, v) in headers {
        rb = rb.header(k.as_str(), v.as_str());
    }
    if let Some(b) = body {
        rb = rb.body(b.to_string());
    }
    match once(rb, &name, until, budget).await {
        Attempt::Delivered(detail) => Ok(Delivered {
            attempts: 1,
            detail,
        }),
        Attempt::Final(msg) | Attempt::Retryable { msg, .. } => Err(scrub_url(&msg, url)),
    }
}

/// The final message: after a retry, how many attempts and what the first one met when it differed.
fn finish(last: String, first: Option<&str>) -> String {
    match first {
        None => last,
        Some(f) if f == last => format!("{last} (2 attempts)"),
        Some(f) => format!("{last} (2 attempts; the first: {f})"),
    }
}

async fn once(
    rb: reqwest::RequestBuilder,
    what: &str,
    until: Instant,
    budget: Duration,
) -> Attempt {
    let resp = match timeout_at(until, rb.send()).await {
        Err(_) => {
            return Attempt::Final(format!("no answer within the {} deadline", human(budget)));
        }
        Ok(Err(e)) => {
            // without the method: "POST: " says nothing here (and the URL is never in it)
            let msg = classify(&e).message;
            return Attempt::Retryable { msg, after: None };
        }
        Ok(Ok(r)) => r,
    };
    let status = resp.status();
    let code = status.as_u16();
    if status.is_success() {
        // The body of a success is not needed; dropping the response discards it unread.
        return Attempt::Delivered(format!("HTTP {code}"));
    }
    let label = match status.canonical_reason() {
        Some(r) => format!("HTTP {code} {r}"),
        None => format!("HTTP {code}"),
    };
    let after = resp
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = read_body(resp, until, MAX_BODY_BYTES, what)
        .await
        .unwrap_or_default();
    let msg = format!("{label}{}", hint(&body));
    if code == 429 || status.is_server_error() {
        Attempt::Retryable { msg, after }
    } else if status.is_redirection() {
        Attempt::Final(format!(
            "{msg} (a redirect, not followed: give the final URL)"
        ))
    } else {
        Attempt::Final(format!("{msg} (not retried)"))
    }
}

/// `: <excerpt of the body>` for an error reply (Slack answers `invalid_payload`, `no_service`, …).
fn hint(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(1024)]);
    let line = one_line(&text, 160);
    if line.is_empty() {
        String::new()
    } else {
        format!(": {}", crate::term::sanitize(&line))
    }
}
