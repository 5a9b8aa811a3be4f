//! A small, defensive HTTP/1.1 server (hyper 1's) for read-only endpoints: `mcpmon serve`'s exporter.
//! Owns the listening socket, the per-connection limits (header read timeout, bounded request head,
//! a lifetime cap that bounds a stalled write, at most `MAX_CONNECTIONS` at once), the method rule
//! (GET and HEAD only, 405 otherwise), the optional bearer token (401 without it, compared in constant
//! time) and shutdown. What a path answers is the caller's `Handler`.

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode, header};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// A request head must arrive within this (slowloris): hyper closes the connection otherwise.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection lives at most this long, whatever it does (a client that stops reading a response
/// cannot hold it, nor a task, for longer). Prometheus reconnects transparently.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(120);
/// The request line and headers together: at most this many bytes (hyper answers 431 above it).
pub const MAX_HEAD_BYTES: usize = 8192;
/// Connections served at once; more wait in the kernel's backlog.
pub const MAX_CONNECTIONS: usize = 64;

/// What a handler answers: a status, a content type and a body (HEAD gets the same head, no body).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Bytes,
}

impl Reply {
    pub fn text(status: u16, body: impl Into<Bytes>) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }
}

/// What a handler is asked: the path, the raw (still percent-encoded) query and the `Accept`
/// header (when it is text), if any.
#[derive(Debug, Clone)]
pub struct Asked {
    pub path: String,
    pub query: Option<String>,
    pub accept: Option<String>,
}

/// A handler's answer, to come.
pub type Answer = std::pin::Pin<Box<dyn std::future::Future<Output = Option<Reply>> + Send>>;

/// Answers a GET (or HEAD): `None` is 404.
pub type Handler = Arc<dyn Fn(Asked) -> Answer + Send + Sync>;

/// The parameters of a query string (`application/x-www-form-urlencoded`: `+` is a space, `%XX` a
/// byte), in order; a bad escape or a value that is not UTF-8 once decoded is an error.
pub fn query_params(query: &str) -> Result<Vec<(String, String)>, String> {
    fn decode(s: &str) -> Result<String, String> {
        let raw = s.as_bytes();
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            match raw[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    let hex = raw
                        .get(i + 1..i + 3)
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .ok_or("a bad percent escape in the query")?;
                    out.push(hex);
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).map_err(|_| "the query is not UTF-8 once decoded".to_string())
    }
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

/// Whether two byte strings are equal, in a time that depends on their lengths only.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// Whether a request carries `Authorization: Bearer <token>` (always, without a token).
fn authorized(req: &Request<Incoming>, token: Option<&str>) -> bool {
    let Some(token) = token else { return true };
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return false;
    };
    let value = value.as_bytes();
    let scheme = b"bearer ";
    if value.len() < scheme.len() || !value[..scheme.len()].eq_ignore_ascii_case(scheme) {
        return false;
    }
    constant_time_eq(value[scheme.len()..].trim_ascii(), token.as_bytes())
}

/// Binds `addr` (a busy port is an error saying so) and hands the listener to tokio.
pub fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let std = std::net::TcpListener::bind(addr)?;
    std.set_nonblocking(true)?;
    tokio::net::TcpListener::from_std(std)
}

async fn respond(
    req: Request<Incoming>,
    handler: Handler,
    token: Option<Arc<str>>,
) -> Response<Full<Bytes>> {
    let reply = if !authorized(&req, token.as_deref()) {
        Reply::text(401, "unauthorized: a bearer token is required\n")
    } else if req.method() == Method::GET || req.method() == Method::HEAD {
        let asked = Asked {
            path: req.uri().path().to_string(),
            query: req.uri().query().map(String::from),
            accept: req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(String::from),
        };
        handler(asked)
            .await
            .unwrap_or_else(|| Reply::text(404, "not found\n"))
    } else {
        Reply::text(405, "method not allowed: GET or HEAD\n")
    };
    let mut resp = Response::new(Full::new(reply.body));
    *resp.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(reply.content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    if reply.status == 405 {
        h.insert(header::ALLOW, header::HeaderValue::from_static("GET, HEAD"));
    }
    if reply.status == 401 {
        h.insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    resp
}

/// Serves connections on `listener` until `stop` resolves; connections in progress are then dropped.
/// With a `token`, every request needs `Authorization: Bearer <token>`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    handler: Handler,
    token: Option<Arc<str>>,
    stop: impl std::future::Future<Output = ()>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut conns = tokio::task::JoinSet::new();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&slots).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = &mut stop => break,
        };
        // reap finished connection tasks so the set does not grow
        while conns.try_join_next().is_some() {}
        let Ok((stream, _peer)) = accepted else {
            // out of descriptors and the like: the next accept may work
            continue;
        };
        let handler = Arc::clone(&handler);
        let token = token.clone();
        conns.spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let (handler, token) = (Arc::clone(&handler), token.clone());
                async move { Ok::<_, std::convert::Infallible>(respond(req, handler, token).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_buf_size(MAX_HEAD_BYTES)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_LIFETIME, conn).await;
        });
    }
    conns.abort_all();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params_are_percent_decoded() {
        let p = query_params("target=a%20b+c&x=%2F%e2%82%ac&&flag").unwrap();
        assert_eq!(
            p,
            [
                ("target".to_string(), "a b c".to_string()),
                ("x".to_string(), "/€".to_string()),
                ("flag".to_string(), String::new()),
            ]
        );
        assert!(query_params("target=%zz").is_err());
        assert!(query_params("target=%4").is_err());
        assert!(query_params("target=%ff").is_err());
        assert_eq!(
            query_params("t%61rget=%2B").unwrap()[0],
            ("target".into(), "+".into())
        );
    }

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq(b"s3cret", b"s3cret"));
        assert!(!constant_time_eq(b"s3cret", b"s3creT"));
        assert!(!constant_time_eq(b"s3cret", b"s3cre"));
        assert!(constant_time_eq(b"", b""));
    }
}
