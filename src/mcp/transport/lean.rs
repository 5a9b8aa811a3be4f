//! A lean HTTP/1.1 keep-alive connection for `measure`'s hot loop over plain-`http` Streamable HTTP.
//!
//! One pre-rendered request head per session (rebuilt only when the session id or protocol version
//! changes), one write per request, the response head parsed with `httparse` and the body decoded
//! (Content-Length, chunked, or until close) from one reused buffer: the way wrk drives a server, so the
//! load generator costs less CPU than what it measures. The reply itself is read by the same code as the
//! general path (`http.rs`); this module only owns the bytes on the socket. `https` URLs never come here,
//! nor any when a proxy is configured (the caller decides that from the environment it resolved once).
//! Every read, write and connect runs under the request's deadline, and a response head or chunk line
//! past its cap is refused, so memory stays bounded whatever a server sends.

use crate::model::Failure;
use crate::model::Reason;
use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

/// The largest response head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Headers a response head may carry.
const MAX_HEADERS: usize = 64;
/// A connection idle this long is checked for a server-side close before it is reused.
const IDLE_CHECK: Duration = Duration::from_secs(1);
/// How long the rest of a body (the end of an SSE stream after the reply) is awaited before the
/// connection is given up instead of reused.
const DRAIN_GRACE: Duration = Duration::from_millis(20);

/// How a response body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoder {
    Length(u64),
    Chunked(Chunk),
    /// HTTP/1.0 style: the body runs until the server closes the connection.
    Close,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// In the chunk-size line: the value so far, whether a digit was seen, whether in an extension.
    Size {
        value: u64,
        digit: bool,
        ext: bool,
    },
    /// After the CR of a size line.
    SizeLf {
        value: u64,
        digit: bool,
    },
    Data(u64),
    DataCr,
    DataLf,
    /// In the trailer section: the length of the current line.
    Trailer(usize),
}

impl Chunk {
    fn size() -> Chunk {
        Chunk::Size {
            value: 0,
            digit: false,
            ext: false,
        }
    }

    /// The state after a complete chunk-size line.
    fn after_size(value: u64, digit: bool) -> Result<Chunk, String> {
        match (digit, value) {
            (false, _) => Err("chunk size line without a size".into()),
            (true, 0) => Ok(Chunk::Trailer(0)),
            (true, n) => Ok(Chunk::Data(n)),
        }
    }
}

impl Decoder {
    fn done(&self) -> bool {
        *self == Decoder::Done
    }

    /// Decodes from `input`, appending body bytes to `out`; returns how many input bytes were used
    /// (none past the end of the body).
    fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<usize, String> {
        let state = match self {
            Decoder::Done => return Ok(0),
            Decoder::Close => {
                out.extend_from_slice(input);
                return Ok(input.len());
            }
            Decoder::Length(left) => {
                let take = input
                    .len()
                    .min(usize::try_from(*left).unwrap_or(usize::MAX));
                out.extend_from_slice(&input[..take]);
                *left -= take as u64;
                if *left == 0 {
                    *self = Decoder::Done;
                }
                return Ok(take);
            }
            Decoder::Chunked(state) => state,
        };
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            *state = match *state {
                Chunk::Size { value, digit, ext } => match b {
                    b'\r' => Chunk::SizeLf { value, digit },
                    b'\n' => Chunk::after_size(value, digit)?,
                    _ if ext => Chunk::Size { value, digit, ext },
                    b';' | b' ' | b'\t' => Chunk::Size {
                        value,
                        digit,
                        ext: true,
                    },
                    _ => {
                        let d = (b as char)
                            .to_digit(16)
                            .ok_or_else(|| format!("bad chunk size byte 0x{b:02x}"))?;
                        if value > u64::MAX >> 4 {
                            return Err("chunk size overflows".into());
                        }
                        Chunk::Size {
                            value: value << 4 | u64::from(d),
                            digit: true,
                            ext,
                        }
                    }
                },
                Chunk::SizeLf { value, digit } => match b {
                    b'\n' => Chunk::after_size(value, digit)?,
                    _ => return Err("chunk size line not ended by CRLF".into()),
                },
                Chunk::Data(left) => {
                    let take = (input.len() - i).min(usize::try_from(left).unwrap_or(usize::MAX));
                    out.extend_from_slice(&input[i..i + take]);
                    i += take;
                    *state = if left == take as u64 {
                        Chunk::DataCr
                    } else {
                        Chunk::Data(left - take as u64)
                    };
                    continue;
                }
                Chunk::DataCr => match b {
                    b'\r' => Chunk::DataLf,
                    b'\n' => Chunk::size(),
                    _ => return Err("chunk data not followed by CRLF".into()),
                },
                Chunk::DataLf => match b {
                    b'\n' => Chunk::size(),
                    _ => return Err("chunk data not followed by CRLF".into()),
                },
                Chunk::Trailer(len) => match b {
                    b'\r' => Chunk::Trailer(len),
                    b'\n' if len == 0 => {
                        *self = Decoder::Done;
                        return Ok(i + 1);
                    }
                    b'\n' => Chunk::Trailer(0),
                    _ => Chunk::Trailer(len + 1),
                },
            };
            i += 1;
        }
        Ok(input.len())
    }
}

/// A parsed response head.
pub(crate) struct Head {
    pub status: u16,
    pub headers: HeaderMap,
}

/// One keep-alive connection to a plain-http origin, reconnected when the server closes it.
pub(crate) struct LeanConn {
    /// `host:port` to resolve; `addr` once resolved.
    target: String,
    addr: Option<SocketAddr>,
    stream: Option<TcpStream>,
    last_used: Instant,
    /// Whether the current connection has served a response (a stale one may be retried once).
    reused: bool,
    /// Bytes read from the socket and not yet decoded, from `rpos` on.
    rbuf: Vec<u8>,
    rpos: usize,
    out: Vec<u8>,
    decoder: Decoder,
    keep_alive: bool,
    /// Zero once a server was seen to keep a reply's stream open: connections are then given up at
    /// once instead of waiting for a body end that does not come.
    drain_grace: Duration,
    /// The request head up to the per-request headers, and what it was rendered for.
    pub(crate) prefix: Vec<u8>,
    pub(crate) prefix_key: Option<(Option<String>, Option<String>)>,
}

impl LeanConn {
    /// A lean connection for `url`, or none when the general client must be used (https, credentials in
    /// the URL).
    pub fn for_url(url: &Url) -> Option<LeanConn> {
        if url.scheme() != "http" || url.username() != "" || url.password().is_some() {
            return None;
        }
        let host = url.host()?;
        let port = url.port_or_known_default()?;
        Some(LeanConn {
            target: format!("{host}:{port}"),
            addr: None,
            stream: None,
            last_used: Instant::now(),
            reused: false,
            rbuf: Vec::with_capacity(16 * 1024),
            rpos: 0,
            out: Vec::with_capacity(1024),
            decoder: Decoder::Done,
            keep_alive: false,
            drain_grace: DRAIN_GRACE,
            prefix: Vec::new(),
            prefix_key: None,
        })
    }

    /// The request line and the headers every request carries, for `url`.
    pub fn render_prefix(url: &Url, fixed: &[(&str, &[u8])], headers: &HeaderMap) -> Vec<u8> {
        let mut p = Vec::with_capacity(512);
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(port)) => format!("{h}:{port}"),
            (Some(h), None) => h.to_string(),
            _ => String::new(),
        };
        let _ = write!(p, "POST {target} HTTP/1.1\r\nHost: {host}\r\n");
        for (k, v) in fixed {
            push_header(&mut p, k.as_bytes(), v);
        }
        for (k, v) in headers {
            push_header(&mut p, k.as_str().as_bytes(), v.as_bytes());
        }
        p
    }

    async fn connect(&mut self, deadline: Instant, what: &str) -> Result<(), Failure> {
        let timeout = || {
            Failure::new(
                Reason::Timeout,
                format!("no connection for {what} before the deadline"),
            )
        };
        let addr = match self.addr {
            Some(a) => a,
            None => {
                let found = timeout_at(deadline, tokio::net::lookup_host(self.target.as_str()))
                    .await
                    .map_err(|_| timeout())?
                    .map_err(|e| {
                        Failure::new(Reason::DnsError, format!("resolving {}: {e}", self.target))
                    })?
                    .next()
                    .ok_or_else(|| {
                        Failure::new(
                            Reason::DnsError,
                            format!("{} resolved to no address", self.target),
                        )
                    })?;
                self.addr = Some(found);
                found
            }
        };
        let stream = timeout_at(deadline, TcpStream::connect(addr))
            .await
            .map_err(|_| timeout())?
            .map_err(|e| {
                let reason = if e.kind() == std::io::ErrorKind::ConnectionRefused {
                    Reason::ConnectRefused
                } else {
                    Reason::ConnectError
                };
                Failure::new(reason, format!("connecting to {}: {e}", self.target))
            })?;
        let _ = stream.set_nodelay(true);
        self.stream = Some(stream);
        self.reused = false;
        self.rbuf.clear();
        self.rpos = 0;
        Ok(())
    }

    /// Gives the connection up (the next request opens a new one).
    pub fn drop_connection(&mut self) {
        self.stream = None;
        self.rbuf.clear();
        self.rpos = 0;
    }

    /// Sends `prefix` + `extra` headers + `body` and reads the response head. A reused connection that
    /// the server closed before answering a byte is reopened and the request sent once more.
    pub async fn roundtrip(
        &mut self,
        extra: &[(&str, &[u8])],
        body: &[u8],
        deadline: Instant,
        what: &str,
    ) -> Result<Head, Failure> {
        self.out.clear();
        self.out.extend_from_slice(&self.prefix);
        for (k, v) in extra {
            push_header(&mut self.out, k.as_bytes(), v);
        }
        let _ = write!(self.out, "Content-Length: {}\r\n\r\n", body.len());
        self.out.extend_from_slice(body);

        if self.stream.is_some() && self.last_used.elapsed() >= IDLE_CHECK && self.closed_by_peer()
        {
            self.drop_connection();
        }
        for attempt in 0..2 {
            if self.stream.is_none() {
                self.connect(deadline, what).await?;
            }
            let reused = self.reused;
            match self.exchange_head(deadline, what).await {
                Ok(head) => {
                    self.reused = true;
                    self.last_used = Instant::now();
                    return Ok(head);
                }
                Err(Stale) if reused && attempt == 0 => self.drop_connection(),
                Err(HeadError::Failed(f)) => return Err(f),
                Err(Stale) => {
                    self.drop_connection();
                    return Err(Failure::new(
                        Reason::ServerDisconnected,
                        format!("the server closed the connection without answering {what}"),
                    ));
                }
            }
        }
        Err(Failure::new(
            Reason::ServerDisconnected,
            format!("the server closed the connection without answering {what}"),
        ))
    }

    /// Whether an idle connection was closed by the server (a read would see EOF or an error now).
    fn closed_by_peer(&self) -> bool {
        let Some(s) = &self.stream else { return true };
        let mut probe = [0u8; 1];
        !matches!(s.try_read(&mut probe), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    }

    async fn exchange_head(&mut self, deadline: Instant, what: &str) -> Result<Head, HeadError> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(HeadError::Stale);
        };
        match timeout_at(deadline, stream.write_all(&self.out)).await {
            Err(_) => return Err(HeadError::Failed(write_timeout(what))),
            Ok(Err(_)) => return Err(HeadError::Stale),
            Ok(Ok(())) => {}
        }
        self.rbuf.clear();
        self.rpos = 0;
        loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut resp = httparse::Response::new(&mut headers);
            match resp.parse(&self.rbuf) {
                Ok(httparse::Status::Complete(n)) => {
                    let status = resp.code.unwrap_or(0);
                    if (100..200).contains(&status) && status != 101 {
                        // an interim response: the real one follows
                        self.rbuf.drain(..n);
                        continue;
                    }
                    let (head, decoder, keep_alive) = parse_head(&resp);
                    self.rpos = n;
                    self.decoder = decoder;
                    self.keep_alive = keep_alive;
                    return Ok(head);
                }
                Ok(httparse::Status::Partial) => {}
                Err(e) => {
                    self.drop_connection();
                    return Err(HeadError::Failed(Failure::new(
                        Reason::ProtocolError,
                        format!("the HTTP response to {what} is malformed: {e}"),
                    )));
                }
            }
            if self.rbuf.len() >= MAX_HEAD {
                self.drop_connection();
                return Err(HeadError::Failed(Failure::new(
                    Reason::ResponseTooLarge,
                    format!("the HTTP response head to {what} exceeded {MAX_HEAD} bytes"),
                )));
            }
            let got = self.fill(deadline, what).await.map_err(HeadError::Failed)?;
            if got == 0 {
                if self.rbuf.is_empty() {
                    return Err(HeadError::Stale);
                }
                self.drop_connection();
                return Err(HeadError::Failed(Failure::new(
                    Reason::ServerDisconnected,
                    format!(
                        "the server closed the connection in the middle of the response head to {what}"
                    ),
                )));
            }
        }
    }
}

/// The head's status and headers, how its body ends, and whether the connection may be kept.
fn parse_head(resp: &httparse::Response<'_, '_>) -> (Head, Decoder, bool) {
    {
        let status = resp.code.unwrap_or(0);
        let mut map = HeaderMap::with_capacity(resp.headers.len());
        let mut length = None;
        let mut chunked = false;
        let mut close = resp.version == Some(0);
        for h in resp.headers.iter() {
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(h.name.as_bytes()),
                HeaderValue::from_bytes(h.value),
            ) else {
                continue;
            };
            if name == reqwest::header::CONTENT_LENGTH {
                length = std::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok());
            } else if name == reqwest::header::TRANSFER_ENCODING {
                chunked = h
                    .value
                    .rsplit(|b| *b == b',')
                    .next()
                    .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
            } else if name == reqwest::header::CONNECTION {
                let v = h.value.to_ascii_lowercase();
                if v.windows(5).any(|w| w == b"close") {
                    close = true;
                }
            }
            map.append(name, value);
        }
        let mut keep_alive = !close;
        let decoder = if status == 204 || status == 304 {
            Decoder::Done
        } else if chunked {
            Decoder::Chunked(Chunk::size())
        } else if let Some(len) = length {
            if len == 0 {
                Decoder::Done
            } else {
                Decoder::Length(len)
            }
        } else {
            keep_alive = false;
            Decoder::Close
        };
        (
            Head {
                status,
                headers: map,
            },
            decoder,
            keep_alive,
        )
    }
}

impl LeanConn {
    /// Reads more bytes from the socket into `rbuf`; 0 at EOF.
    async fn fill(&mut self, deadline: Instant, what: &str) -> Result<usize, Failure> {
        let Some(stream) = self.stream.as_mut() else {
            return Ok(0);
        };
        if self.rpos > 0 && self.rpos == self.rbuf.len() {
            self.rbuf.clear();
            self.rpos = 0;
        }
        self.rbuf.reserve(8 * 1024);
        match timeout_at(deadline, stream.read_buf(&mut self.rbuf)).await {
            Err(_) => Err(Failure::new(
                Reason::Timeout,
                format!("the reply to {what} did not arrive before the deadline"),
            )),
            Ok(Err(e)) => {
                self.stream = None;
                Err(Failure::new(
                    Reason::ServerDisconnected,
                    format!("reading the reply to {what}: {e}"),
                ))
            }
            Ok(Ok(n)) => Ok(n),
        }
    }

    /// Appends the next decoded body bytes to `out`; false once the body has ended.
    pub async fn body_chunk(
        &mut self,
        out: &mut Vec<u8>,
        deadline: Instant,
        what: &str,
    ) -> Result<bool, Failure> {
        loop {
            if self.decoder.done() {
                return Ok(false);
            }
            if self.rpos < self.rbuf.len() {
                let before = out.len();
                let used = self
                    .decoder
                    .decode(&self.rbuf[self.rpos..], out)
                    .map_err(|e| {
                        Failure::new(
                            Reason::ProtocolError,
                            format!("the body of the reply to {what} is malformed: {e}"),
                        )
                    });
                let used = match used {
                    Ok(u) => u,
                    Err(f) => {
                        self.drop_connection();
                        return Err(f);
                    }
                };
                self.rpos += used;
                if out.len() > before {
                    return Ok(true);
                }
                if self.decoder.done() {
                    return Ok(false);
                }
            }
            if self.fill(deadline, what).await? == 0 {
                if self.decoder == Decoder::Close {
                    self.decoder = Decoder::Done;
                    self.stream = None;
                    return Ok(false);
                }
                self.drop_connection();
                return Err(Failure::new(
                    Reason::ServerDisconnected,
                    format!(
                        "the server closed the connection in the middle of the reply to {what}"
                    ),
                ));
            }
        }
    }

    /// The whole body, refused past `cap` bytes.
    pub async fn read_body(
        &mut self,
        cap: usize,
        deadline: Instant,
        what: &str,
    ) -> Result<Vec<u8>, Failure> {
        let mut body = Vec::new();
        while self.body_chunk(&mut body, deadline, what).await? {
            if body.len() > cap {
                self.drop_connection();
                return Err(Failure::new(
                    Reason::ResponseTooLarge,
                    format!("the reply to {what} exceeded the {cap}-byte cap; refused"),
                ));
            }
        }
        self.settle();
        Ok(body)
    }

    /// After the reply was found mid-body: reads the rest of the body for a short grace so the
    /// connection can be reused; a server that keeps the stream open loses the connection instead.
    pub async fn finish(&mut self, what: &str) {
        if self.stream.is_some() && self.drain_grace > Duration::ZERO {
            let until = Instant::now() + self.drain_grace;
            let mut sink = Vec::new();
            loop {
                sink.clear();
                match self.body_chunk(&mut sink, until, what).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(f) => {
                        if f.reason == Reason::Timeout {
                            self.drain_grace = Duration::ZERO;
                        }
                        self.drop_connection();
                        return;
                    }
                }
            }
        }
        self.settle();
    }

    /// Keeps the connection only when the body ended cleanly with nothing after it.
    fn settle(&mut self) {
        if !(self.decoder.done() && self.keep_alive && self.rpos == self.rbuf.len()) {
            self.drop_connection();
        }
    }
}

enum HeadError {
    /// The connection was closed (or failed) before a byte of the response: it may be retried.
    Stale,
    Failed(Failure),
}
use HeadError::Stale;

fn write_timeout(what: &str) -> Failure {
    Failure::new(
        Reason::Timeout,
        format!("sending {what} did not finish before the deadline"),
    )
}

fn push_header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(name);
    out.extend_from_slice(b": ");
    out.extend_from_slice(value);
    out.extend_from_slice(b"\r\n");
}

/// The fuzzing half of `super::fuzz_reply`: `data` as a response (head, then its body arriving in
/// `step`-byte pieces), and as a bare chunked body, decoded as `body_chunk` decodes them.
pub(super) fn fuzz_body(data: &[u8], step: usize) {
    let decode_all = |mut d: Decoder, mut rest: &[u8]| {
        let mut out = Vec::new();
        while !rest.is_empty() && !d.done() {
            let piece = &rest[..rest.len().min(step.max(1))];
            match d.decode(piece, &mut out) {
                Ok(0) | Err(_) => break,
                Ok(n) => rest = &rest[n.min(rest.len())..],
            }
        }
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    if let Ok(httparse::Status::Complete(n)) = resp.parse(data) {
        let (_, decoder, _) = parse_head(&resp);
        decode_all(decoder, data.get(n..).unwrap_or_default());
    }
    decode_all(Decoder::Chunked(Chunk::size()), data);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(mut d: Decoder, pieces: &[&[u8]]) -> (Result<Vec<u8>, String>, Decoder, usize) {
        let mut out = Vec::new();
        let mut used_total = 0;
        for p in pieces {
            match d.decode(p, &mut out) {
                Ok(u) => used_total += u,
                Err(e) => return (Err(e), d, used_total),
            }
        }
        (Ok(out), d, used_total)
    }

    #[test]
    fn chunked_bodies_decode_split_anywhere() {
        let whole: &[u8] = b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT";
        for cut in 0..whole.len() {
            let (body, d, used) = decode_all(
                Decoder::Chunked(Chunk::size()),
                &[&whole[..cut], &whole[cut..]],
            );
            assert_eq!(body.unwrap(), b"hello, world", "cut at {cut}");
            assert!(d.done(), "cut at {cut}");
            assert_eq!(
                used,
                whole.len() - 4,
                "bytes after the body stay unread (cut {cut})"
            );
        }
    }

    #[test]
    fn bare_lf_chunk_lines_and_a_final_chunk_without_trailers() {
        let (body, d, _) = decode_all(Decoder::Chunked(Chunk::size()), &[b"3\nabc\n0\n\n"]);
        assert_eq!(body.unwrap(), b"abc");
        assert!(d.done());
    }

    #[test]
    fn bad_chunk_sizes_are_errors() {
        for bad in [
            &b"zz\r\n"[..],
            b"\r\n",
            b"3\r\nabcX",
            b"fffffffffffffffff\r\n",
        ] {
            let (body, _, _) = decode_all(Decoder::Chunked(Chunk::size()), &[bad]);
            assert!(body.is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn content_length_stops_at_the_length() {
        let (body, d, used) = decode_all(Decoder::Length(4), &[b"ab", b"cdEXTRA"]);
        assert_eq!(body.unwrap(), b"abcd");
        assert!(d.done());
        assert_eq!(used, 4);
    }

    #[test]
    fn only_plain_http_without_credentials_is_lean() {
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(LeanConn::for_url(&url("https://127.0.0.1/mcp")).is_none());
        assert!(LeanConn::for_url(&url("http://u:p@127.0.0.1/mcp")).is_none());
        let c = LeanConn::for_url(&url("http://[::1]:8080/mcp")).unwrap();
        assert_eq!(c.target, "[::1]:8080");
        let p = LeanConn::render_prefix(
            &url("http://localhost:9/a/b?x=1"),
            &[("Accept", b"text/event-stream")],
            &HeaderMap::new(),
        );
        assert_eq!(
            String::from_utf8(p).unwrap(),
            "POST /a/b?x=1 HTTP/1.1\r\nHost: localhost:9\r\nAccept: text/event-stream\r\n"
        );
    }
}
