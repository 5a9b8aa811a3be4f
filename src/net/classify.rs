//! Transport errors to stable failure reasons (`connect_refused`, `dns_error`, `tls_error`, `timeout`,
//! `server_disconnected`, `connect_error`), with a message that never carries the URL.
//!
//! Owns the mapping from what went wrong on the wire to a `Reason`. It must not touch the network
//! itself and must not leak a URL (its path or query may be a token) into a message.

use crate::model::Failure;
use crate::model::Reason;

/// Maps a reqwest error to a stable reason by walking its source chain.
pub fn classify_reqwest(e: &reqwest::Error, what: &str) -> Failure {
    let mut chain = String::new();
    let mut src: Option<&dyn std::error::Error> = Some(e);
    let mut io_kind = None;
    while let Some(s) = src {
        if !chain.is_empty() {
            chain.push_str(": ");
        }
        chain.push_str(&s.to_string());
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
        }
        src = s.source();
    }
    let lower = chain.to_ascii_lowercase();
    let reason = if io_kind == Some(std::io::ErrorKind::ConnectionRefused)
        || lower.contains("connection refused")
    {
        Reason::ConnectRefused
    } else if lower.contains("dns error") || lower.contains("failed to lookup address") {
        Reason::DnsError
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake") && lower.contains("ssl")
    {
        Reason::TlsError
    } else if e.is_timeout() || io_kind == Some(std::io::ErrorKind::TimedOut) {
        Reason::Timeout
    } else if e.is_body()
        || e.is_decode()
        || lower.contains("connection closed")
        || lower.contains("reset")
    {
        Reason::ServerDisconnected
    } else {
        Reason::ConnectError
    };
    // Short messages for the common cases; the whole chain otherwise. The URL is left out: reqwest
    // puts it in Display and it may carry credentials.
    let host = e
        .url()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
        .unwrap_or_else(|| "the server".into());
    let msg = match reason {
        Reason::ConnectRefused => format!("connection refused by {host} (nothing listening?)"),
        Reason::Timeout => format!("no answer from {host} before the deadline"),
        _ => strip_url(&chain, e),
    };
    Failure::new(reason, format!("{what}: {msg}"))
}

fn strip_url(chain: &str, e: &reqwest::Error) -> String {
    match e.url() {
        Some(u) => chain
            .replace(&format!(" ({u})"), "")
            .replace(u.as_str(), "<url>"),
        None => chain.to_string(),
    }
}
