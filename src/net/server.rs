//! A small, defensive HTTP/1.1 server (hyper 1's) for read-only endpoints: `mcpmon serve`'s exporter.
//! Owns the listening socket, the per-connection limits (header read timeout, bounded request head,
//! a lifetime cap that bounds a stalled write, at most `MAX_CONNECTIONS` at once), the method rule
//! (GET and HEAD only, 405 otherwise) and shutdown. What a path answers is the caller's `Handler`.

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

/// Answers a GET (or HEAD) for a path (without its query): `None` is 404.
pub type Handler = Arc<dyn Fn(&str) -> Option<Reply> + Send + Sync>;

/// Binds `addr` (a busy port is an error saying so) and hands the listener to tokio.
pub fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let std = std::net::TcpListener::bind(addr)?;
    std.set_nonblocking(true)?;
    tokio::net::TcpListener::from_std(std)
}

fn respond(req: &Request<Incoming>, handler: &Handler) -> Response<Full<Bytes>> {
    let reply = if req.method() == Method::GET || req.method() == Method::HEAD {
        handler(req.uri().path()).unwrap_or_else(|| Reply::text(404, "not found\n"))
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
    resp
}

/// Serves connections on `listener` until `stop` resolves; connections in progress are then dropped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    handler: Handler,
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
        conns.spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let resp = respond(&req, &handler);
                async move { Ok::<_, std::convert::Infallible>(resp) }
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
