//! Plain HTTP, whatever is spoken over it: the client every probe shares, sending with a deadline,
//! reading a body under a byte cap, the content type and HTML sniffing, a 401/403 with its
//! `WWW-Authenticate` challenge as a `Failure`, and configured header lines.
//!
//! Transport errors become `Failure`s through `classify`; names are resolved by `SystemResolver` so a
//! failed lookup is a `ResolveError` there, told apart by type. Header values come from config and are
//! secrets: they never appear in a message. Nothing here knows MCP (its `Accept`, session and
//! protocol headers live in `mcp::transport`), and nothing here reads the environment.

use super::classify::{classify_body, classify_reqwest};
use super::redact::excerpt;
use crate::model::Failure;
use crate::model::Reason;
use crate::model::parse_www_authenticate;
use crate::net::url::redact_url;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{
    CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION, WWW_AUTHENTICATE,
};
use reqwest::{Client, Response, Url};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{Instant, timeout_at};

/// Largest single response mcpmon accepts (HTTP body, SSE event or stdio line). Larger ones are refused
/// as `response_too_large` without being buffered whole.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The `User-Agent` of every request mcpmon sends.
pub const USER_AGENT: &str = concat!("mcpmon/", env!("CARGO_PKG_VERSION"));

/// Builds the HTTP client shared by every target of a run.
pub fn client(connect_timeout: Duration) -> Result<Client, reqwest::Error> {
    client_builder(connect_timeout).build()
}

/// The settings every client of mcpmon shares (no redirects followed, the peer certificate kept), for
/// a caller that adds its own (a CA to trust).
pub fn client_builder(connect_timeout: Duration) -> reqwest::ClientBuilder {
    Client::builder()
        .connect_timeout(connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        .pool_idle_timeout(Duration::from_secs(5))
        // the peer certificate is kept so HTTPS health endpoints can report days to expiry
        .tls_info(true)
        .dns_resolver(Arc::new(SystemResolver))
}

/// A client that also trusts the CA in the PEM file `ca`, for an endpoint with its own (often
/// self-signed) certificate. Reading the file is the caller's choice of path, never the environment.
pub fn client_trusting(ca: &std::path::Path, timeout: Duration) -> Result<Client, Failure> {
    let pem = std::fs::read(ca).map_err(|e| {
        Failure::new(
            Reason::FileUnreadable,
            format!("ca_file {}: {e}", ca.display()),
        )
    })?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        Failure::new(
            Reason::TlsError,
            format!("ca_file {}: not a PEM certificate: {e}", ca.display()),
        )
    })?;
    let mut b = client_builder(timeout);
    for c in certs {
        b = b.add_root_certificate(c);
    }
    b.build()
        .map_err(|e| Failure::new(Reason::TlsError, format!("ca_file {}: {e}", ca.display())))
}

/// Whether the environment configures a proxy for plain `http` (the variables reqwest's client honours
/// for it), from a lookup the caller resolved once: nothing in `net` reads the environment.
pub fn http_proxy_configured(env: impl Fn(&str) -> Option<String>) -> bool {
    ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
        .iter()
        .any(|k| env(k).is_some_and(|v| !v.is_empty()))
}

/// The system resolver (getaddrinfo on the blocking pool, as reqwest's default does), with its
/// failures typed: a lookup that fails is a `ResolveError` in the error chain.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            match tokio::net::lookup_host((host, 0)).await {
                Ok(addrs) => Ok(Box::new(addrs) as Addrs),
                Err(e) => {
                    Err(Box::new(ResolveError(e)) as Box<dyn std::error::Error + Send + Sync>)
                }
            }
        })
    }
}

/// A host name that could not be resolved (the resolver's own error is kept for the message).
#[derive(Debug)]
pub struct ResolveError(pub std::io::Error);

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // the text of the resolver's error (its kind says nothing portable about DNS)
        self.0.fmt(f)
    }
}

impl std::error::Error for ResolveError {}

/// The response's content type, trimmed and lower-cased ("" when there is none).
pub fn content_type(h: &HeaderMap) -> String {
    h.get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether a content type is an HTML page (a web UI or an SPA, not an API).
pub fn is_html(ctype: &str) -> bool {
    ctype.starts_with("text/html") || ctype.starts_with("application/xhtml")
}

/// A short hint from an error body: the JSON `error.message` when there is one, else the first
/// non-blank line of the body, sanitised and cut short.
pub fn body_hint(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return String::new();
    }
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        if let Some(msg) = v.pointer("/error/message").and_then(Value::as_str) {
            return format!(": {}", excerpt(msg, 160));
        }
    }
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let line = excerpt(first, 160);
    if line.is_empty() {
        String::new()
    } else {
        format!(": {line}")
    }
}

/// Whether a reply asks for authentication: a 401, or a 403 that carries a `WWW-Authenticate`
/// challenge. A bare 403 is a refusal for some other reason (Playwright MCP refuses any Host but
/// `localhost:PORT`) and is an ordinary `http_status` with the body's first line.
pub fn asks_for_auth(status: u16, headers: &HeaderMap) -> bool {
    status == 401 || (status == 403 && headers.contains_key(WWW_AUTHENTICATE))
}

/// What the status says in words, where that helps a person: a bare 403 is "forbidden" without any
/// authentication asked for.
pub fn status_words(status: u16) -> &'static str {
    match status {
        403 => " (forbidden, no authentication challenge)",
        _ => "",
    }
}

/// Where a redirect reply (3xx with a `Location`) points, resolved against the request's URL.
pub fn redirect_target(status: u16, headers: &HeaderMap, base: &Url) -> Option<Url> {
    if !(300..400).contains(&status) {
        return None;
    }
    let location = headers.get(LOCATION)?.to_str().ok()?;
    base.join(location.trim()).ok()
}

/// A redirect as `http_status`, naming where it points (credentials and query values redacted). mcpmon
/// never follows one to another origin: the configured headers carry secrets.
pub fn redirect_failure(status: u16, from: &Url, to: &Url, what: &str) -> Failure {
    let across = if from.origin() == to.origin() {
        ""
    } else {
        " (another origin: not followed, the configured headers may carry secrets)"
    };
    Failure::new(
        Reason::HttpStatus,
        format!(
            "HTTP {status} to {what}: redirects to {}{across}",
            redact_url(to.as_str())
        ),
    )
    .with_status(status)
}

/// A reply that `asks_for_auth` as `auth_required`, with the parsed `WWW-Authenticate` challenge when
/// there is one.
pub fn auth_failure(headers: &HeaderMap, status: u16) -> Failure {
    let challenge = headers
        .get(WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(parse_www_authenticate);
    let detail = match &challenge {
        Some(c) => {
            let mut s = format!("; the server asks for {} authentication", c.scheme);
            if let Some(e) = c.params.get("error") {
                s.push_str(&format!(" (error={e})"));
            }
            if let Some(m) = c.params.get("resource_metadata") {
                s.push_str(&format!(", resource metadata at {m}"));
            }
            s
        }
        None => " with no WWW-Authenticate challenge".into(),
    };
    let what = if status == 401 {
        "unauthorized"
    } else {
        "forbidden"
    };
    let mut f = Failure::new(
        Reason::AuthRequired,
        format!("HTTP {status} ({what}){detail}"),
    )
    .with_status(status);
    f.auth_challenge = challenge;
    f
}

/// Sends a request, mapping transport errors and the deadline to failure reasons.
pub async fn send(
    rb: reqwest::RequestBuilder,
    deadline: Instant,
    what: &str,
) -> Result<Response, Failure> {
    match timeout_at(deadline, rb.send()).await {
        Err(_) => Err(Failure::new(
            Reason::Timeout,
            format!("no HTTP response to {what} before the deadline"),
        )),
        Ok(Err(e)) => Err(classify_reqwest(&e, what)),
        Ok(Ok(r)) => Ok(r),
    }
}

/// Reads a whole body, refusing it past `cap` bytes without buffering more.
pub async fn read_body(
    mut resp: Response,
    deadline: Instant,
    cap: usize,
    what: &str,
) -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    if let Some(len) = resp.content_length() {
        if len as usize > cap {
            return Err(Failure::new(
                Reason::ResponseTooLarge,
                format!(
                    "the reply to {what} announces {len} bytes, more than the {cap}-byte cap; refused unread"
                ),
            ));
        }
    }
    loop {
        match timeout_at(deadline, resp.chunk()).await {
            Err(_) => {
                return Err(Failure::new(
                    Reason::Timeout,
                    format!("the body of the reply to {what} did not finish before the deadline"),
                ));
            }
            Ok(Err(e)) => {
                let mut f = classify_body(&e, what);
                f.message = format!("{} (after {} bytes of the body)", f.message, buf.len());
                return Err(f);
            }
            Ok(Ok(None)) => return Ok(buf),
            Ok(Ok(Some(chunk))) => {
                if buf.len() + chunk.len() > cap {
                    return Err(Failure::new(
                        Reason::ResponseTooLarge,
                        format!(
                            "the reply to {what} exceeded the {cap}-byte cap; refused after {} bytes",
                            buf.len() + chunk.len()
                        ),
                    ));
                }
                buf.extend_from_slice(&chunk);
            }
        }
    }
}

/// Parses `Name: value` header lines from config or the command line.
/// Whether a header can be sent as given: a token for a name (no space, no colon), and a value with no
/// CR, LF or other control character. The message names the header, never the value (a secret).
pub fn check_header(name: &str, value: &str) -> Result<(), String> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        format!("{name:?} is not a valid header name (a token: no spaces or colons)")
    })?;
    HeaderValue::from_str(value).map_err(|_| {
        format!("the value of header {name} has a character HTTP does not allow (CR, LF or another control character)")
    })?;
    Ok(())
}

pub fn header_map(pairs: &[(String, String)]) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        let name = HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| format!("invalid header name {k:?}"))?;
        // The value is a secret: the error names the header, never the value.
        let mut value = HeaderValue::from_str(v)
            .map_err(|_| format!("header {k} has a value that is not valid in HTTP"))?;
        value.set_sensitive(true);
        map.append(name, value);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_is_configured_by_a_non_empty_variable() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(!http_proxy_configured(env(&[])));
        assert!(!http_proxy_configured(env(&[("http_proxy", "")])));
        assert!(!http_proxy_configured(env(&[(
            "HTTPS_PROXY",
            "http://p:3128"
        )])));
        assert!(http_proxy_configured(env(&[("ALL_PROXY", "socks5://p")])));
        assert!(http_proxy_configured(env(&[(
            "http_proxy",
            "http://p:3128"
        )])));
    }

    #[test]
    fn header_errors_never_echo_the_value() {
        let err = header_map(&[("Authorization".into(), "Bearer sec\nret".into())]).unwrap_err();
        assert!(!err.contains("sec"), "{err}");
    }

    #[test]
    fn body_hints_prefer_a_json_error_message() {
        assert_eq!(body_hint(b""), "");
        assert_eq!(
            body_hint(br#"{"error":{"code":-1,"message":"no\nway"}}"#),
            ": no way"
        );
        assert_eq!(body_hint(b"plain text"), ": plain text");
        assert_eq!(body_hint(b"\n  \nfirst\r\nsecond\n"), ": first");
        assert_eq!(body_hint(b"\n \n"), "");
    }

    #[test]
    fn a_redirect_names_its_target_without_secrets() {
        let base: Url = "http://127.0.0.1:1/mcp/".parse().unwrap();
        let mut h = HeaderMap::new();
        assert_eq!(redirect_target(307, &h, &base), None);
        h.insert(LOCATION, HeaderValue::from_static("/mcp?token=s3cret"));
        assert_eq!(redirect_target(200, &h, &base), None);
        let to = redirect_target(307, &h, &base).unwrap();
        assert_eq!(to.as_str(), "http://127.0.0.1:1/mcp?token=s3cret");
        let f = redirect_failure(307, &base, &to, "initialize");
        assert_eq!(f.reason, Reason::HttpStatus);
        assert_eq!(
            f.message,
            "HTTP 307 to initialize: redirects to http://127.0.0.1:1/mcp?token=***"
        );
        let away: Url = "http://user:pw@127.0.0.2:1/mcp".parse().unwrap();
        let f = redirect_failure(308, &base, &away, "initialize");
        assert!(!f.message.contains("pw"), "{}", f.message);
        assert!(f.message.contains("another origin"), "{}", f.message);
    }

    #[test]
    fn only_a_401_or_a_challenged_403_asks_for_auth() {
        let mut h = HeaderMap::new();
        assert!(asks_for_auth(401, &h));
        assert!(!asks_for_auth(403, &h));
        h.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        assert!(asks_for_auth(403, &h));
        assert!(!asks_for_auth(404, &h));
    }

    #[test]
    fn content_types_and_html() {
        let mut h = HeaderMap::new();
        assert_eq!(content_type(&h), "");
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(" Text/HTML; charset=utf-8"),
        );
        assert_eq!(content_type(&h), "text/html; charset=utf-8");
        assert!(is_html(&content_type(&h)));
        assert!(is_html("application/xhtml+xml"));
        assert!(!is_html("application/json"));
    }
}
