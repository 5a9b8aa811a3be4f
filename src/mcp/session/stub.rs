//! A scripted MCP peer for the detection tests: an HTTP/1.1 server on `127.0.0.1:0` in the test's own
//! runtime, and `sh` one-liners for stdio.
//!
//! The HTTP stub reads each request whole, asks the test's script what to do with it, and records it
//! (verb, path, headers, JSON body) so a test can assert the order and the headers of what mcpmon sent.
//! Every reply closes its connection (`Connection: close`), so no request ever rides on a connection a
//! previous reply left behind. The legacy HTTP+SSE transport is served too: a GET can open an event stream
//! whose first event is `endpoint`, and later POSTs can answer on that stream. Test-only.

use crate::model::StdioSpec;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};

/// One request as the stub saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub verb: String,
    pub path: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Seen {
    /// The JSON-RPC method of a POST, or the verb (`GET`, `DELETE`).
    pub fn method(&self) -> &str {
        self.body
            .as_ref()
            .and_then(|b| b.get("method"))
            .and_then(Value::as_str)
            .unwrap_or(&self.verb)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The JSON-RPC id of the request (null for a notification or a GET).
    pub fn id(&self) -> Value {
        self.body
            .as_ref()
            .and_then(|b| b.get("id"))
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// A JSON-RPC result to this request.
    pub fn result(&self, result: Value) -> Value {
        json!({"jsonrpc": "2.0", "id": self.id(), "result": result})
    }

    /// A JSON-RPC error to this request.
    pub fn error(&self, code: i64, message: &str, data: Option<Value>) -> Value {
        let mut error = json!({"code": code, "message": message});
        if let Some(d) = data {
            error["data"] = d;
        }
        json!({"jsonrpc": "2.0", "id": self.id(), "error": error})
    }
}

/// What the stub does with one request.
pub enum Reply {
    /// A JSON body (`application/json`) with this status.
    Json(u16, Value),
    /// Any body, with its content type and extra headers.
    Raw {
        status: u16,
        content_type: &'static str,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// 202 Accepted, no body (a notification).
    Accepted,
    /// An event stream whose first event is `endpoint` with this data; it stays open and carries what
    /// later `OnStream` replies put on it.
    SseEndpoint(&'static str),
    /// 202 Accepted to the POST, and this JSON-RPC message on the open event stream.
    OnStream(Value),
    /// Close the connection without answering.
    Close,
    /// Keep the connection open and never answer.
    Hang,
}

type Script = dyn Fn(&Seen) -> Reply + Send + Sync;

/// A running HTTP stub; stops (with every connection it holds) when dropped.
pub struct Stub {
    pub url: reqwest::Url,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: JoinHandle<()>,
}

impl Stub {
    /// Starts a stub answering with `script`. The URL's path is `/mcp`.
    pub async fn start(script: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let stream: Arc<Mutex<Option<mpsc::UnboundedSender<String>>>> = Arc::default();
        let log = Arc::clone(&seen);
        let task = tokio::spawn(async move {
            // the connections live in the set: aborting the accept loop drops them all
            let mut conns = JoinSet::new();
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                conns.spawn(serve(
                    sock,
                    Arc::clone(&script),
                    Arc::clone(&log),
                    Arc::clone(&stream),
                ));
            }
        });
        Stub {
            url: format!("http://127.0.0.1:{port}/mcp").parse().unwrap(),
            seen,
            task,
        }
    }

    /// Every request so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// `VERB method` of every request so far: `POST server/discover`, `GET GET`, …
    pub fn calls(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|s| format!("{} {}", s.verb, s.method()))
            .collect()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    sock: TcpStream,
    script: Arc<Script>,
    log: Arc<Mutex<Vec<Seen>>>,
    stream: Arc<Mutex<Option<mpsc::UnboundedSender<String>>>>,
) {
    let mut sock = BufReader::new(sock);
    let Some(seen) = read_request(&mut sock).await else {
        return;
    };
    let reply = script(&seen);
    log.lock().unwrap().push(seen);
    let sock = sock.get_mut();
    match reply {
        Reply::Json(status, v) => {
            write(sock, status, "application/json", &[], &v.to_string()).await;
        }
        Reply::Raw {
            status,
            content_type,
            headers,
            body,
        } => write(sock, status, content_type, &headers, &body).await,
        Reply::Accepted => write(sock, 202, "", &[], "").await,
        Reply::OnStream(msg) => {
            if let Some(tx) = stream.lock().unwrap().as_ref() {
                let _ = tx.send(format!("event: message\ndata: {msg}\n\n"));
            }
            write(sock, 202, "", &[], "").await;
        }
        Reply::SseEndpoint(path) => {
            let (tx, mut rx) = mpsc::unbounded_channel();
            *stream.lock().unwrap() = Some(tx);
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
            let first = format!("event: endpoint\ndata: {path}\n\n");
            if sock.write_all(head.as_bytes()).await.is_err()
                || sock.write_all(first.as_bytes()).await.is_err()
            {
                return;
            }
            while let Some(event) = rx.recv().await {
                if sock.write_all(event.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
        Reply::Close => {}
        Reply::Hang => std::future::pending::<()>().await,
    }
}

/// Reads a request head and its `Content-Length` body; none when the peer went away first.
async fn read_request(sock: &mut BufReader<TcpStream>) -> Option<Seen> {
    let mut line = String::new();
    sock.read_line(&mut line).await.ok()?;
    let mut parts = line.split_whitespace();
    let verb = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        line.clear();
        sock.read_line(&mut line).await.ok()?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    sock.read_exact(&mut body).await.ok()?;
    Some(Seen {
        verb,
        path,
        headers,
        body: serde_json::from_slice(&body).ok(),
    })
}

async fn write(
    sock: &mut TcpStream,
    status: u16,
    content_type: &str,
    headers: &[(&str, String)],
    body: &str,
) {
    let phrase = match status {
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let mut head = format!("HTTP/1.1 {status} {phrase}\r\n");
    if !content_type.is_empty() {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let _ = sock.write_all(head.as_bytes()).await;
    let _ = sock.write_all(body.as_bytes()).await;
    let _ = sock.shutdown().await;
}

/// A stdio server written as a `sh` script: it reads request lines with `read -r l` and prints canned
/// replies with `printf '%s\n' '…'` (mcpmon's ids are 1, 2, … in the order it sends requests).
pub fn sh(script: &str) -> StdioSpec {
    StdioSpec {
        program: "sh".into(),
        args: vec!["-c".into(), script.into()],
        env: Vec::new(),
        cwd: None,
    }
}

/// A `printf` line that writes one JSON-RPC message (the JSON must not contain `'`).
pub fn say(msg: &Value) -> String {
    format!("printf '%s\\n' '{msg}'")
}
