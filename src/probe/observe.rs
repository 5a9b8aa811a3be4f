//! The data behind `measure --observe`: two GETs of a JSON stats document (a gateway's `/api/stats`, a
//! hub's counters) a window apart, each bounded like every other read. It never judges: the change and
//! rate of each field are `rules::observe`'s. Waiting for the window ends early when `stop` resolves
//! (the caller's Ctrl-C); the second sample is still taken.

use crate::model::Failure;
use crate::model::Reason;
use crate::model::{Pair, Sampled};
use crate::net::http;
use crate::net::redact::scrub;
use reqwest::Client;
use reqwest::Url;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// Takes the two samples `window` apart; `secrets` (header values) are scrubbed from failures.
pub async fn run(
    client: &Client,
    url: &Url,
    headers: &HeaderMap,
    secrets: &[String],
    timeout: Duration,
    window: Duration,
    stop: impl Future<Output = ()>,
) -> Sampled {
    let started = Instant::now();
    let mut interrupted = false;
    let pair = match sample(client, url, headers, timeout).await {
        Err(f) => Err(f),
        Ok((_, first)) => {
            let t0 = Instant::now();
            tokio::select! {
                _ = tokio::time::sleep(window) => {}
                _ = stop => interrupted = true,
            }
            sample(client, url, headers, timeout)
                .await
                .map(|(status, second)| Pair {
                    status,
                    first,
                    second,
                    between: t0.elapsed(),
                })
        }
    };
    Sampled {
        pair: pair.map_err(|mut f| {
            f.message = scrub(&f.message, secrets);
            f
        }),
        interrupted,
        latency: started.elapsed(),
    }
}

/// One GET of a JSON document: a status that is not 2xx, or a body that is not JSON, is a failure.
async fn sample(
    client: &Client,
    url: &Url,
    headers: &HeaderMap,
    timeout: Duration,
) -> Result<(u16, Value), Failure> {
    let deadline = crate::model::checked::after(Instant::now(), timeout);
    let resp = http::send(
        client.get(url.clone()).headers(headers.clone()),
        deadline,
        "GET",
    )
    .await?;
    let status = resp.status().as_u16();
    let body = http::read_body(resp, deadline, http::MAX_RESPONSE_BYTES, "GET").await?;
    if !(200..300).contains(&status) {
        return Err(Failure::new(Reason::HttpStatus, format!("HTTP {status}")).with_status(status));
    }
    serde_json::from_slice(&body)
        .map(|v| (status, v))
        .map_err(|_| {
            Failure::new(
                Reason::NotMcp,
                format!("HTTP {status} with a body that is not JSON"),
            )
            .with_status(status)
        })
}
