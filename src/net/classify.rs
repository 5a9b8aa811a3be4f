//! Transport errors to stable failure reasons (`connect_refused`, `dns_error`, `tls_error`, `timeout`,
//! `server_disconnected`, `connect_error`), with a message that never carries the URL.
//!
//! Owns the mapping from what went wrong on the wire to a `Reason`. The reason is decided by the types
//! in the error's source chain (`std::io::Error` kinds, `hyper::Error`, `rustls::Error`, the resolver's
//! `ResolveError`, reqwest's own timeout/connect/body kinds), never by the wording of a message: the
//! chain's text is only ever shown. It must not touch the network itself and must not leak a URL (its
//! path or query may be a token) into a message.

use super::http::ResolveError;
use crate::model::Failure;
use crate::model::Reason;
use std::error::Error as StdError;
use std::io::ErrorKind;

/// Maps a reqwest error to a stable reason; the message starts with `what` (`GET: connection refused …`).
pub fn classify_reqwest(e: &reqwest::Error, what: &str) -> Failure {
    let f = classify(e);
    Failure::new(f.reason, format!("{what}: {}", f.message))
}

/// A failure while reading a reply's body: the server went away mid-reply unless the chain names
/// something narrower.
pub fn classify_body(e: &reqwest::Error, what: &str) -> Failure {
    let mut f = classify_reqwest(e, what);
    if f.reason == Reason::ConnectError {
        f.reason = Reason::ServerDisconnected;
    }
    f
}

/// Maps a reqwest error to a stable reason, with a message that says what happened (no URL, no prefix).
pub fn classify(e: &reqwest::Error) -> Failure {
    let reason = reason_of(e);
    // Short messages for the common cases; the whole chain otherwise. The URL is left out: reqwest
    // puts it in Display and it may carry credentials.
    let host = e
        .url()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
        .unwrap_or_else(|| "the server".into());
    let name = e
        .url()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "the server".into());
    let msg = match reason {
        Reason::ConnectRefused => format!("connection refused by {host} (nothing listening?)"),
        Reason::DnsError => {
            format!("cannot resolve host \"{name}\" (a typo in the URL, or no DNS?)")
        }
        Reason::Timeout => format!("no answer from {host} before the deadline"),
        _ => strip_url(&chain_text(e), e),
    };
    Failure::new(reason, msg)
}

/// The reason, from the types in the source chain.
fn reason_of(e: &reqwest::Error) -> Reason {
    let links = links(e);
    let io_kinds: Vec<ErrorKind> = links
        .iter()
        .filter_map(|l| l.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind)
        .collect();
    let io = |k: &[ErrorKind]| io_kinds.iter().any(|x| k.contains(x));
    let hyper = |f: fn(&hyper::Error) -> bool| {
        links
            .iter()
            .filter_map(|l| l.downcast_ref::<hyper::Error>())
            .any(f)
    };
    let https = e.url().is_some_and(|u| u.scheme() == "https");
    if links.iter().any(|l| l.is::<ResolveError>()) {
        Reason::DnsError
    } else if io(&[ErrorKind::ConnectionRefused]) {
        Reason::ConnectRefused
    } else if links.iter().any(|l| l.is::<rustls::Error>())
        // Before a connection is up, an https stream can only end early inside the TLS handshake.
        || (https && e.is_connect() && io(&[ErrorKind::UnexpectedEof]))
    {
        Reason::TlsError
    } else if e.is_timeout() || io(&[ErrorKind::TimedOut]) || hyper(hyper::Error::is_timeout) {
        Reason::Timeout
    } else if e.is_body()
        || e.is_decode()
        || io(&[
            ErrorKind::ConnectionReset,
            ErrorKind::ConnectionAborted,
            ErrorKind::BrokenPipe,
            ErrorKind::UnexpectedEof,
        ])
        || hyper(|h| {
            h.is_incomplete_message()
                || h.is_closed()
                || h.is_canceled()
                || h.is_body_write_aborted()
        })
    {
        Reason::ServerDisconnected
    } else {
        Reason::ConnectError
    }
}

/// Every error in the chain, outermost first. An `io::Error` wrapping another error is followed into
/// that error (its `source()` skips it: tokio-rustls puts the `rustls::Error` there).
fn links(e: &reqwest::Error) -> Vec<&(dyn StdError + 'static)> {
    let mut out: Vec<&(dyn StdError + 'static)> = Vec::new();
    let mut next: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(l) = next {
        if out.len() >= 32 {
            break;
        }
        out.push(l);
        next = match l.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => l.source(),
        };
    }
    out
}

/// The chain's messages joined by ": " (only ever shown, never matched).
fn chain_text(e: &reqwest::Error) -> String {
    let mut chain = String::new();
    let mut src: Option<&dyn StdError> = Some(e);
    while let Some(s) = src {
        if !chain.is_empty() {
            chain.push_str(": ");
        }
        chain.push_str(&s.to_string());
        src = s.source();
    }
    chain
}

fn strip_url(chain: &str, e: &reqwest::Error) -> String {
    match e.url() {
        Some(u) => chain
            .replace(&format!(" ({u})"), "")
            .replace(u.as_str(), "<url>"),
        None => chain.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::http::client_builder;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    async fn listen() -> (TcpListener, u16) {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        (l, port)
    }

    /// Reads an HTTP request head (up to the blank line) or until the client stops sending.
    async fn read_head(s: &mut TcpStream) {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    }

    /// Reads one whole TLS record (the ClientHello) so closing afterwards is a FIN, not a reset.
    async fn read_tls_record(s: &mut TcpStream) {
        let mut head = [0u8; 5];
        s.read_exact(&mut head).await.unwrap();
        let len = usize::from(u16::from_be_bytes([head[3], head[4]]));
        let mut body = vec![0u8; len];
        s.read_exact(&mut body).await.unwrap();
    }

    /// Reads until the client closes (so the server never resets the connection).
    async fn drain(s: &mut TcpStream) {
        let mut buf = [0u8; 4096];
        while let Ok(n) = s.read(&mut buf).await {
            if n == 0 {
                return;
            }
        }
    }

    fn client() -> reqwest::Client {
        client_builder(Duration::from_secs(10))
            .no_proxy()
            .build()
            .unwrap()
    }

    async fn failure_of(client: &reqwest::Client, url: &str) -> Failure {
        let e = client.get(url).send().await.unwrap_err();
        let f = classify_reqwest(&e, "GET");
        assert!(f.message.starts_with("GET: "), "{f}");
        assert!(!f.message.contains("/x"), "the URL leaked: {f}");
        f
    }

    #[tokio::test]
    async fn a_closed_port_is_connect_refused() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let f = failure_of(&client(), &format!("http://127.0.0.1:{port}/x")).await;
        assert_eq!(f.reason, Reason::ConnectRefused, "{f}");
    }

    #[tokio::test]
    async fn a_server_that_never_answers_is_a_timeout() {
        let (l, port) = listen().await;
        let server = tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            drain(&mut s).await;
        });
        let c = client_builder(Duration::from_secs(10))
            .no_proxy()
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        let f = failure_of(&c, &format!("http://127.0.0.1:{port}/x")).await;
        assert_eq!(f.reason, Reason::Timeout, "{f}");
        drop(c);
        server.await.unwrap();
    }

    #[tokio::test]
    async fn a_deadline_passed_while_sending_is_a_timeout() {
        let (l, port) = listen().await;
        let server = tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            drain(&mut s).await;
        });
        let c = client();
        let deadline = tokio::time::Instant::now() + Duration::from_millis(200);
        let rb = c.get(format!("http://127.0.0.1:{port}/x"));
        let f = crate::net::http::send(rb, deadline, "GET")
            .await
            .unwrap_err();
        assert_eq!(f.reason, Reason::Timeout, "{f}");
        drop(c);
        server.await.unwrap();
    }

    #[tokio::test]
    async fn a_server_that_closes_after_the_request_disconnected() {
        let (l, port) = listen().await;
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            read_head(&mut s).await;
        });
        let f = failure_of(&client(), &format!("http://127.0.0.1:{port}/x")).await;
        assert_eq!(f.reason, Reason::ServerDisconnected, "{f}");
    }

    #[tokio::test]
    async fn a_body_cut_short_is_server_disconnected() {
        let (l, port) = listen().await;
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            read_head(&mut s).await;
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
                .await;
        });
        let resp = client()
            .get(format!("http://127.0.0.1:{port}/x"))
            .send()
            .await
            .unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let f = crate::net::http::read_body(resp, deadline, 1024, "GET")
            .await
            .unwrap_err();
        assert_eq!(f.reason, Reason::ServerDisconnected, "{f}");
        assert!(f.message.ends_with("(after 9 bytes of the body)"), "{f}");
    }

    #[tokio::test]
    async fn plain_http_where_tls_was_expected_is_a_tls_error() {
        let (l, port) = listen().await;
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            read_tls_record(&mut s).await;
            let _ = s
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
            drain(&mut s).await;
        });
        let f = failure_of(&client(), &format!("https://127.0.0.1:{port}/x")).await;
        assert_eq!(f.reason, Reason::TlsError, "{f}");
    }

    #[tokio::test]
    async fn a_server_that_closes_during_the_tls_handshake_is_a_tls_error() {
        let (l, port) = listen().await;
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            read_tls_record(&mut s).await;
            let _ = s.shutdown().await;
            drain(&mut s).await;
        });
        let f = failure_of(&client(), &format!("https://127.0.0.1:{port}/x")).await;
        assert_eq!(f.reason, Reason::TlsError, "{f}");
    }

    /// `.invalid` never resolves (RFC 2606); only the local resolver is asked. The connect timeout is
    /// long so a slow resolver still ends in its own error, not in a timeout.
    #[tokio::test]
    async fn a_name_that_never_resolves_is_a_dns_error() {
        let c = client_builder(Duration::from_secs(120))
            .no_proxy()
            .build()
            .unwrap();
        let f = failure_of(&c, "http://mcpmon-test.invalid/x").await;
        assert_eq!(f.reason, Reason::DnsError, "{f}");
        assert!(
            f.message.ends_with(
                "cannot resolve host \"mcpmon-test.invalid\" (a typo in the URL, or no DNS?)"
            ),
            "{f}"
        );
    }

    #[tokio::test]
    async fn a_reply_that_is_not_http_is_a_connect_error() {
        let (l, port) = listen().await;
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            read_head(&mut s).await;
            let _ = s.write_all(b"SSH-2.0-OpenSSH_9.6\r\n\r\n").await;
            drain(&mut s).await;
        });
        let f = failure_of(&client(), &format!("http://127.0.0.1:{port}/x")).await;
        assert_eq!(f.reason, Reason::ConnectError, "{f}");
    }
}
