//! Detection and fallback, pinned against scripted peers: an in-process HTTP stub on loopback for URLs
//! (the real transports run, so a status code, a content type or a closed connection reaches the session
//! exactly as it would from a server) and `sh` scripts for stdio. No sleeps: a silent peer is ended by
//! the connect deadline, and nothing asserts how long anything took.

use super::stub::{Reply, Seen, Stub, say, sh};
use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How a test stub answers one step.
type Script = fn(&Seen) -> Reply;

const LONG: Duration = Duration::from_secs(10);

fn modern_result() -> Value {
    json!({
        "supportedVersions": [MODERN_REVISION, "2025-11-25"],
        "capabilities": {"tools": {}},
        "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "stub", "version": "2.0"}},
    })
}

fn legacy_result(revision: &str) -> Value {
    json!({
        "protocolVersion": revision,
        "capabilities": {"tools": {}, "logging": {}},
        "serverInfo": {"name": "old", "version": "0.9"},
    })
}

fn method_not_found(s: &Seen) -> Value {
    s.error(-32601, "Method not found", None)
}

fn unsupported(s: &Seen, supported: &[&str]) -> Value {
    s.error(
        UNSUPPORTED_PROTOCOL_VERSION,
        "Unsupported protocol version",
        Some(json!({"supported": supported, "requested": MODERN_REVISION})),
    )
}

fn html(status: u16) -> Reply {
    Reply::Raw {
        status,
        content_type: "text/html; charset=utf-8",
        headers: Vec::new(),
        body: "<!doctype html><html><body>app</body></html>".into(),
    }
}

fn plain(status: u16) -> Reply {
    Reply::Raw {
        status,
        content_type: "text/plain",
        headers: Vec::new(),
        body: "Not Found".into(),
    }
}

/// A legacy Streamable HTTP server behind whatever `discover` answers server/discover with.
fn legacy_behind(
    discover: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
) -> impl Fn(&Seen) -> Reply + Send + Sync + 'static {
    move |s: &Seen| match s.method() {
        "server/discover" => discover(s),
        "initialize" => Reply::Raw {
            status: 200,
            content_type: "application/json",
            headers: vec![("Mcp-Session-Id", "sess-1".into())],
            body: s.result(legacy_result("2025-06-18")).to_string(),
        },
        "notifications/initialized" => Reply::Accepted,
        _ => Reply::Json(404, json!({})),
    }
}

async fn connect_url_with(
    stub: &Stub,
    era: EraChoice,
    wire: Option<Wire>,
    within: Duration,
) -> Result<Session, ConnectError> {
    let client = crate::net::http::client(Duration::from_secs(5)).unwrap();
    let endpoint = Endpoint::Url {
        url: stub.url.clone(),
        headers: HeaderMap::new(),
        wire,
    };
    connect(&endpoint, &client, era, Instant::now() + within).await
}

async fn connect_http(stub: &Stub) -> Result<Session, ConnectError> {
    connect_url_with(stub, EraChoice::Auto, None, LONG).await
}

async fn connect_sh(
    script: &str,
    era: EraChoice,
    within: Duration,
) -> Result<Session, ConnectError> {
    let client = crate::net::http::client(Duration::from_secs(5)).unwrap();
    let endpoint = Endpoint::Stdio {
        spec: sh(script),
        startup: None,
    };
    connect(&endpoint, &client, era, Instant::now() + within).await
}

fn ok(res: Result<Session, ConnectError>) -> Session {
    match res {
        Ok(s) => s,
        Err(e) => panic!(
            "did not connect: {} (detection: {:?})",
            e.failure, e.detection
        ),
    }
}

fn failed(res: Result<Session, ConnectError>) -> ConnectError {
    match res {
        Ok(s) => panic!("connected ({:?}, detection: {:?})", s.era, s.detection),
        Err(e) => e,
    }
}

fn methods(requests: &[RequestRecord]) -> Vec<&str> {
    requests.iter().map(|r| r.method.as_str()).collect()
}

// ---- Streamable HTTP and HTTP+SSE ------------------------------------------------------------------

#[tokio::test]
async fn modern_http_server_is_identified_by_one_discover() {
    let stub = Stub::start(|s: &Seen| match s.method() {
        "server/discover" => Reply::Json(200, s.result(modern_result())),
        _ => Reply::Json(404, json!({})),
    })
    .await;
    let s = ok(connect_http(&stub).await);
    assert_eq!(s.era, Era::Modern);
    assert_eq!(s.revision, MODERN_REVISION);
    assert_eq!(s.wire(), Wire::StreamableHttp);
    assert_eq!(s.server.name, "stub");
    assert!(s.has_capability("tools"));
    assert_eq!(
        s.detection,
        [
            "POST server/discover: HTTP 200 result",
            "modern server (2026-07-28)"
        ]
    );
    assert_eq!(stub.calls(), ["POST server/discover"]);
    // the 2026-07-28 framing: version and method in headers, and `_meta` in the body
    let d = &stub.seen()[0];
    assert_eq!(d.header("mcp-protocol-version"), Some(MODERN_REVISION));
    assert_eq!(d.header("mcp-method"), Some("server/discover"));
    assert_eq!(
        d.body.as_ref().unwrap()["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
        MODERN_REVISION
    );
    s.close().await;
}

#[tokio::test]
async fn legacy_http_server_answering_method_not_found_gets_initialize() {
    let stub = Stub::start(legacy_behind(|s| Reply::Json(200, method_not_found(s)))).await;
    let s = ok(connect_http(&stub).await);
    assert_eq!(s.era, Era::Legacy);
    assert_eq!(s.revision, "2025-06-18");
    assert_eq!(s.wire(), Wire::StreamableHttp);
    assert_eq!(s.server.name, "old");
    assert_eq!(
        s.detection,
        [
            "POST server/discover: HTTP 200 JSON-RPC error -32601: Method not found",
            "POST initialize: HTTP 200 result",
            "legacy server (2025-06-18)"
        ]
    );
    assert_eq!(methods(&s.requests), ["server/discover", "initialize"]);
    assert_eq!(
        stub.calls(),
        [
            "POST server/discover",
            "POST initialize",
            "POST notifications/initialized"
        ]
    );
    let seen = stub.seen();
    // initialize goes out without the modern headers; what follows carries the negotiated revision
    // and the session the server issued
    assert_eq!(seen[1].header("mcp-protocol-version"), None);
    assert_eq!(seen[1].header("mcp-method"), None);
    assert_eq!(
        seen[1].body.as_ref().unwrap()["params"]["protocolVersion"],
        LEGACY_REVISIONS[0]
    );
    assert_eq!(seen[2].header("mcp-protocol-version"), Some("2025-06-18"));
    assert_eq!(seen[2].header("mcp-session-id"), Some("sess-1"));
    s.close().await;
}

#[tokio::test]
async fn discover_refused_with_an_http_error_falls_back_to_initialize() {
    // a 404 carrying -32601 (a modern-shaped "unknown method"), bare 400/404/405 (the spec's fallback
    // statuses), and a 500 (any HTTP error to discover goes on to initialize)
    let cases: [(&str, Script); 5] = [
        ("404 with -32601", |s| Reply::Json(404, method_not_found(s))),
        ("400 plain", |_| plain(400)),
        ("404 plain", |_| plain(404)),
        ("405 empty", |_| Reply::Raw {
            status: 405,
            content_type: "",
            headers: vec![("Allow", "GET".into())],
            body: String::new(),
        }),
        ("500 plain", |_| plain(500)),
    ];
    for (name, discover) in cases {
        let stub = Stub::start(legacy_behind(discover)).await;
        let s = ok(connect_http(&stub).await);
        assert_eq!(s.era, Era::Legacy, "{name}");
        assert_eq!(s.wire(), Wire::StreamableHttp, "{name}");
        assert_eq!(
            stub.calls()[..2],
            ["POST server/discover", "POST initialize"],
            "{name}"
        );
        s.close().await;
    }
}

#[tokio::test]
async fn a_server_answering_every_method_with_an_empty_result_is_not_modern() {
    let stub = Stub::start(legacy_behind(|s| Reply::Json(200, s.result(json!({}))))).await;
    let s = ok(connect_http(&stub).await);
    assert_eq!(s.era, Era::Legacy);
    assert_eq!(methods(&s.requests), ["server/discover", "initialize"]);
    s.close().await;
}

#[tokio::test]
async fn unsupported_version_naming_ours_is_asked_once_more_only() {
    let n = AtomicUsize::new(0);
    let stub = Stub::start(move |s: &Seen| match s.method() {
        "server/discover" if n.fetch_add(1, Ordering::SeqCst) == 0 => {
            Reply::Json(400, unsupported(s, &[MODERN_REVISION]))
        }
        "server/discover" => Reply::Json(200, s.result(modern_result())),
        _ => Reply::Json(404, json!({})),
    })
    .await;
    let s = ok(connect_http(&stub).await);
    assert_eq!(s.era, Era::Modern);
    assert_eq!(
        stub.calls(),
        ["POST server/discover", "POST server/discover"]
    );
    assert_eq!(
        s.detection[1],
        "the server lists 2026-07-28 as supported: asking once more"
    );
    s.close().await;

    // the same refusal twice: no third try, and no fallback to a handshake the server does not have
    let stub = Stub::start(|s: &Seen| Reply::Json(400, unsupported(s, &[MODERN_REVISION]))).await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::VersionMismatch, "{}", e.failure);
    assert_eq!(e.wire, Some(Wire::StreamableHttp));
    assert_eq!(
        stub.calls(),
        ["POST server/discover", "POST server/discover"]
    );
}

#[tokio::test]
async fn unsupported_version_listing_a_legacy_revision_falls_back_to_initialize() {
    let stub = Stub::start(legacy_behind(|s| {
        Reply::Json(400, unsupported(s, &["2025-06-18", "2025-03-26"]))
    }))
    .await;
    let s = ok(connect_http(&stub).await);
    assert_eq!(s.era, Era::Legacy);
    assert_eq!(
        stub.calls()[..2],
        ["POST server/discover", "POST initialize"]
    );
    s.close().await;
}

#[tokio::test]
async fn unsupported_version_listing_nothing_we_speak_is_a_version_mismatch() {
    let stub = Stub::start(|s: &Seen| Reply::Json(400, unsupported(s, &["2030-01-01"]))).await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::VersionMismatch);
    assert!(
        e.failure
            .message
            .starts_with("the server supports 2030-01-01 and mcpmon speaks 2026-07-28"),
        "{}",
        e.failure.message
    );
    assert_eq!(e.wire, Some(Wire::StreamableHttp));
    assert_eq!(stub.calls(), ["POST server/discover"]);
}

#[tokio::test]
async fn a_recognised_modern_error_is_final() {
    let stub = Stub::start(|s: &Seen| {
        Reply::Json(
            400,
            s.error(HEADER_MISMATCH, "Mcp-Method does not match the body", None),
        )
    })
    .await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::ProtocolError);
    assert!(
        e.failure.message.contains("-32020"),
        "{}",
        e.failure.message
    );
    assert_eq!(stub.calls(), ["POST server/discover"]);
}

#[tokio::test]
async fn discover_result_listing_only_older_revisions_falls_back_to_initialize() {
    // A server that implements server/discover but whose supportedVersions name only handshake-era
    // revisions mcpmon speaks (the Go SDK's stateful Streamable HTTP answers [2025-11-25, 2025-06-18,
    // 2025-03-26, 2024-11-05]): a mutually supported version exists over initialize, as in
    // `unsupported_version_listing_a_legacy_revision_falls_back_to_initialize`.
    let go_sdk = json!(["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]);
    let stub = Stub::start(legacy_behind(move |s| {
        Reply::Json(
            200,
            s.result(json!({"supportedVersions": go_sdk, "capabilities": {}})),
        )
    }))
    .await;
    let s = ok(connect_http(&stub).await);
    assert_eq!(s.era, Era::Legacy);
    assert_eq!(s.revision, "2025-06-18");
    assert_eq!(
        stub.calls(),
        [
            "POST server/discover",
            "POST initialize",
            "POST notifications/initialized"
        ]
    );
    s.close().await;
}

#[tokio::test]
async fn discover_result_with_no_common_revision_is_a_version_mismatch() {
    let stub = Stub::start(legacy_behind(|s| {
        Reply::Json(
            200,
            s.result(json!({"supportedVersions": ["2099-01-01"], "capabilities": {}})),
        )
    }))
    .await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::VersionMismatch, "{}", e.failure);
    assert!(
        e.failure.message.contains("no common revision"),
        "{}",
        e.failure
    );
    assert_eq!(stub.calls(), ["POST server/discover"]);
}

#[tokio::test]
async fn auth_required_at_any_step_stops_detection_with_the_challenge() {
    let challenge = r#"Bearer error="invalid_token", resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource""#;
    let denied = move |status: u16| Reply::Raw {
        status,
        content_type: "application/json",
        headers: vec![("WWW-Authenticate", challenge.into())],
        body: r#"{"error":"unauthorized"}"#.into(),
    };
    // at discover: nothing else is tried
    for status in [401, 403] {
        let stub = Stub::start(move |_: &Seen| denied(status)).await;
        let e = failed(connect_http(&stub).await);
        assert_eq!(e.failure.reason, Reason::AuthRequired, "{}", e.failure);
        assert_eq!(e.failure.http_status, Some(status));
        let c = e.failure.auth_challenge.as_ref().unwrap();
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.params["error"], "invalid_token");
        assert_eq!(stub.calls(), ["POST server/discover"]);
    }
    // at initialize, after a legacy answer to discover
    let stub = Stub::start(move |s: &Seen| match s.method() {
        "server/discover" => Reply::Json(200, method_not_found(s)),
        _ => denied(401),
    })
    .await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::AuthRequired);
    assert_eq!(stub.calls(), ["POST server/discover", "POST initialize"]);
    // at the GET for an event stream, after both POSTs were refused as unknown
    let stub = Stub::start(move |s: &Seen| match s.verb.as_str() {
        "GET" => denied(401),
        _ => plain(405),
    })
    .await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::AuthRequired);
    assert!(e.failure.auth_challenge.is_some());
    assert_eq!(
        stub.calls(),
        ["POST server/discover", "POST initialize", "GET GET"]
    );
}

#[tokio::test]
async fn a_403_without_a_challenge_is_an_http_status_with_the_bodys_first_line() {
    // Playwright MCP refuses any Host but localhost:PORT with a bare 403 and a line of text
    let refuse = |_: &Seen| Reply::Raw {
        status: 403,
        content_type: "text/plain",
        headers: Vec::new(),
        body: "Access is only allowed at localhost:8931\x1b[2J\nsecond line\n".into(),
    };
    let stub = Stub::start(refuse).await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::HttpStatus, "{}", e.failure);
    assert_eq!(e.failure.http_status, Some(403));
    assert_eq!(e.failure.auth_challenge, None);
    assert_eq!(
        e.failure.message,
        "HTTP 403 (forbidden, no authentication challenge) to initialize: Access is only allowed at localhost:8931 [2J"
    );
    assert_eq!(stub.calls(), ["POST server/discover", "POST initialize"]);
    // an HTML 403 page is a refusal too, not "not an MCP endpoint"
    let stub = Stub::start(|_: &Seen| Reply::Raw {
        status: 403,
        content_type: "text/html",
        headers: Vec::new(),
        body: "<h1>Forbidden</h1>\n<p>go away</p>".into(),
    })
    .await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::HttpStatus, "{}", e.failure);
    assert!(
        e.failure.message.ends_with(": <h1>Forbidden</h1>"),
        "{}",
        e.failure
    );
}

fn redirect(location: &str) -> Reply {
    Reply::Raw {
        status: 307,
        content_type: "text/plain",
        headers: vec![("Location", location.to_string())],
        body: String::new(),
    }
}

#[tokio::test]
async fn a_same_origin_redirect_of_the_endpoint_is_followed_once_and_said() {
    // FastMCP 2.x: the configured path redirects to the one it serves
    let legacy = legacy_behind(|s: &Seen| Reply::Json(200, method_not_found(s)));
    let stub = Stub::start(move |s: &Seen| match s.path.as_str() {
        "/mcp" => redirect("/mcp/?key=s3cret"),
        _ => legacy(s),
    })
    .await;
    let s = ok(connect_http(&stub).await);
    assert_eq!(s.era, Era::Legacy);
    let said = s.redirected.clone().expect("the redirect is reported");
    assert!(
        said.contains("redirects (HTTP 307) to http://127.0.0.1:")
            && said.ends_with("/mcp/?key=***: configure the final URL"),
        "{said}"
    );
    assert!(
        s.detection.iter().any(|d| d.contains("following it once")),
        "{:?}",
        s.detection
    );
    let paths: Vec<String> = stub
        .seen()
        .iter()
        .map(|x| format!("{} {}", x.method(), x.path))
        .collect();
    assert_eq!(
        paths,
        [
            "server/discover /mcp",
            "initialize /mcp",
            "server/discover /mcp/?key=s3cret",
            "initialize /mcp/?key=s3cret",
            "notifications/initialized /mcp/?key=s3cret",
        ]
    );
    s.close().await;
}

#[tokio::test]
async fn a_redirect_is_named_and_never_followed_across_origins_or_twice() {
    // another origin: the message names the Location without its query values
    let stub = Stub::start(|_: &Seen| redirect("http://127.0.0.2:9/mcp?token=abc")).await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::HttpStatus, "{}", e.failure);
    assert_eq!(e.failure.http_status, Some(307));
    assert!(
        e.failure
            .message
            .contains("redirects to http://127.0.0.2:9/mcp?token=***"),
        "{}",
        e.failure
    );
    assert!(!e.failure.message.contains("abc"), "{}", e.failure);
    assert_eq!(stub.calls(), ["POST server/discover", "POST initialize"]);
    // a loop on the same origin: followed once, then reported
    let stub = Stub::start(|s: &Seen| match s.path.as_str() {
        "/mcp" => redirect("/mcp/"),
        _ => redirect("/mcp"),
    })
    .await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::HttpStatus, "{}", e.failure);
    assert!(e.failure.message.ends_with("/mcp"), "{}", e.failure);
    assert_eq!(stub.seen().len(), 4, "{:?}", stub.calls());
}

#[tokio::test]
async fn an_html_app_answering_200_is_not_mcp_at_once() {
    let stub = Stub::start(|_: &Seen| html(200)).await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::NotMcp);
    assert_eq!(e.failure.http_status, Some(200));
    assert_eq!(e.wire, None, "nothing MCP answered: no transport is named");
    assert_eq!(stub.calls(), ["POST server/discover"]);
}

#[tokio::test]
async fn html_404_everywhere_is_not_mcp_after_every_step() {
    let stub = Stub::start(|_: &Seen| html(404)).await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::NotMcp);
    assert_eq!(
        e.failure.message,
        "no MCP endpoint at this URL: POST initialize → HTTP 404 (HTML page), GET → HTTP 404 (HTML page)"
    );
    assert_eq!(
        stub.calls(),
        ["POST server/discover", "POST initialize", "GET GET"]
    );
    assert_eq!(e.wire, None);
}

#[tokio::test]
async fn plain_404_everywhere_is_http_status_after_every_step() {
    let stub = Stub::start(|_: &Seen| plain(404)).await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(e.failure.reason, Reason::HttpStatus);
    assert_eq!(e.failure.http_status, Some(404));
    assert_eq!(
        e.failure.message,
        "no MCP endpoint at this URL: POST initialize → HTTP 404, GET → HTTP 404"
    );
    assert_eq!(e.detection.len(), 3, "{:?}", e.detection);
}

/// The 2024-11-05 shape: POSTs to the URL are refused, a GET opens the stream.
fn sse_server(s: &Seen) -> Reply {
    match (s.verb.as_str(), s.path.as_str(), s.method()) {
        ("GET", "/mcp", _) => Reply::SseEndpoint("/messages?session=7"),
        ("POST", "/messages?session=7", "initialize") => {
            Reply::OnStream(s.result(legacy_result("2024-11-05")))
        }
        ("POST", "/messages?session=7", _) => Reply::Accepted,
        _ => plain(405),
    }
}

#[tokio::test]
async fn legacy_sse_server_is_found_by_the_get_after_both_posts() {
    let stub = Stub::start(sse_server).await;
    let s = ok(connect_http(&stub).await);
    assert_eq!(s.era, Era::Legacy);
    assert_eq!(s.wire(), Wire::Sse);
    assert_eq!(s.revision, "2024-11-05");
    assert_eq!(
        stub.calls(),
        [
            "POST server/discover",
            "POST initialize",
            "GET GET",
            "POST initialize",
            "POST notifications/initialized"
        ]
    );
    assert_eq!(stub.seen()[3].path, "/messages?session=7");
    assert_eq!(
        s.detection[2..],
        [
            "GET: event stream with an `endpoint` event",
            "initialize over SSE: result",
            "legacy server (2024-11-05)"
        ]
    );
    s.close().await;
}

#[tokio::test]
async fn a_remembered_transport_is_used_directly() {
    // SSE remembered: straight to the GET
    let stub = Stub::start(sse_server).await;
    let s = ok(connect_url_with(&stub, EraChoice::Auto, Some(Wire::Sse), LONG).await);
    assert_eq!(s.wire(), Wire::Sse);
    assert_eq!(stub.calls()[0], "GET GET");
    s.close().await;
    // Streamable HTTP remembered: a refused initialize is the answer, no GET is tried
    let stub = Stub::start(|_: &Seen| plain(404)).await;
    let e =
        failed(connect_url_with(&stub, EraChoice::Auto, Some(Wire::StreamableHttp), LONG).await);
    assert_eq!(e.failure.reason, Reason::HttpStatus);
    assert_eq!(e.wire, Some(Wire::StreamableHttp));
    assert_eq!(stub.calls(), ["POST server/discover", "POST initialize"]);
}

#[tokio::test]
async fn a_forced_era_skips_or_insists_on_discover() {
    let stub = Stub::start(legacy_behind(|s| Reply::Json(200, method_not_found(s)))).await;
    let s = ok(connect_url_with(&stub, EraChoice::Legacy, None, LONG).await);
    assert_eq!(s.era, Era::Legacy);
    assert_eq!(stub.calls()[0], "POST initialize");
    s.close().await;

    let stub = Stub::start(legacy_behind(|s| Reply::Json(200, method_not_found(s)))).await;
    let e = failed(connect_url_with(&stub, EraChoice::Modern, None, LONG).await);
    assert_eq!(e.failure.reason, Reason::VersionMismatch);
    assert_eq!(stub.calls(), ["POST server/discover"]);
}

#[tokio::test]
async fn a_server_that_closes_the_connection_after_discover() {
    let stub = Stub::start(|s: &Seen| match s.method() {
        "server/discover" => Reply::Json(200, method_not_found(s)),
        _ => Reply::Close,
    })
    .await;
    let e = failed(connect_http(&stub).await);
    assert_eq!(
        e.failure.reason,
        Reason::ServerDisconnected,
        "{}",
        e.failure
    );
    assert_eq!(stub.calls(), ["POST server/discover", "POST initialize"]);
    assert_eq!(methods(&e.requests), ["server/discover", "initialize"]);
}

#[tokio::test]
async fn silence_ends_at_the_deadline_as_a_handshake_timeout() {
    let short = Duration::from_millis(300);
    // silent at discover: on HTTP the deadline is the whole budget, nothing else is tried
    let stub = Stub::start(|_: &Seen| Reply::Hang).await;
    let e = failed(connect_url_with(&stub, EraChoice::Auto, None, short).await);
    assert_eq!(e.failure.reason, Reason::HandshakeTimeout, "{}", e.failure);
    assert_eq!(stub.calls(), ["POST server/discover"]);
    // silent at initialize
    let stub = Stub::start(|s: &Seen| match s.method() {
        "server/discover" => Reply::Json(200, method_not_found(s)),
        _ => Reply::Hang,
    })
    .await;
    let e = failed(connect_url_with(&stub, EraChoice::Auto, None, short).await);
    assert_eq!(e.failure.reason, Reason::HandshakeTimeout, "{}", e.failure);
    assert_eq!(methods(&e.requests), ["server/discover", "initialize"]);
    // an event stream that never answers the initialize posted to it
    let stub = Stub::start(|s: &Seen| match (s.verb.as_str(), s.path.as_str()) {
        ("GET", _) => Reply::SseEndpoint("/messages"),
        (_, "/messages") => Reply::Accepted,
        _ => plain(405),
    })
    .await;
    let e = failed(connect_url_with(&stub, EraChoice::Auto, None, short).await);
    assert_eq!(e.failure.reason, Reason::HandshakeTimeout, "{}", e.failure);
    assert_eq!(e.wire, Some(Wire::Sse));
}

// ---- stdio -------------------------------------------------------------------------------------------

fn discover_reply(id: u64, result: Value) -> String {
    say(&json!({"jsonrpc": "2.0", "id": id, "result": result}))
}

fn error_reply(id: u64, code: i64, data: Option<Value>) -> String {
    let mut error = json!({"code": code, "message": "refused"});
    if let Some(d) = data {
        error["data"] = d;
    }
    say(&json!({"jsonrpc": "2.0", "id": id, "error": error}))
}

#[tokio::test]
async fn modern_stdio_server_is_identified_by_discover() {
    let script = format!(
        "read -r l; {}; cat >/dev/null",
        discover_reply(1, modern_result())
    );
    let s = ok(connect_sh(&script, EraChoice::Auto, LONG).await);
    assert_eq!(s.era, Era::Modern);
    assert_eq!(s.wire(), Wire::Stdio);
    assert_eq!(s.server.name, "stub");
    assert_eq!(methods(&s.requests), ["server/discover"]);
    let closed = s.close().await;
    assert!(
        closed.close.summary.contains("after stdin was closed"),
        "{}",
        closed.close.summary
    );
}

#[tokio::test]
async fn legacy_stdio_server_refusing_discover_gets_initialize() {
    // any error that is not a recognised modern one: -32601 (TypeScript SDK), -32602 (Python SDK)
    for code in [-32601, -32602] {
        let script = format!(
            "read -r l; {}; read -r l; {}; cat >/dev/null",
            error_reply(1, code, None),
            discover_reply(2, legacy_result("2025-11-25"))
        );
        let s = ok(connect_sh(&script, EraChoice::Auto, LONG).await);
        assert_eq!(s.era, Era::Legacy, "{code}");
        assert_eq!(s.revision, "2025-11-25");
        assert_eq!(methods(&s.requests), ["server/discover", "initialize"]);
        assert_eq!(s.detection.last().unwrap(), "legacy server (2025-11-25)");
        s.close().await;
    }
}

#[tokio::test]
async fn a_silent_stdio_server_gets_initialize_within_the_same_deadline() {
    // discover is given at most half the budget, so initialize still has time in the same deadline
    let script = format!(
        "read -r l; read -r l; {}; cat >/dev/null",
        discover_reply(2, legacy_result("2025-06-18"))
    );
    let s = ok(connect_sh(&script, EraChoice::Auto, Duration::from_secs(2)).await);
    assert_eq!(s.era, Era::Legacy);
    assert_eq!(
        s.detection[0],
        "server/discover: timeout: no response to server/discover before the deadline"
    );
    assert_eq!(methods(&s.requests), ["server/discover", "initialize"]);
    assert!(!s.requests[0].ok);
    s.close().await;
}

#[tokio::test]
async fn a_late_discover_result_still_makes_a_modern_session() {
    // the server answers discover only after initialize went out
    let script = format!(
        "read -r l; read -r l; {}; cat >/dev/null",
        discover_reply(1, modern_result())
    );
    let s = ok(connect_sh(&script, EraChoice::Auto, Duration::from_secs(2)).await);
    assert_eq!(s.era, Era::Modern);
    assert_eq!(s.revision, MODERN_REVISION);
    s.close().await;
}

#[tokio::test]
async fn stray_stdout_before_a_silent_discover_is_a_legacy_server_with_a_fault() {
    let script = format!(
        "echo 'server starting on stdio'; read -r l; read -r l; {}; cat >/dev/null",
        discover_reply(2, legacy_result("2025-06-18"))
    );
    let s = ok(connect_sh(&script, EraChoice::Auto, Duration::from_secs(2)).await);
    assert_eq!(s.era, Era::Legacy);
    assert!(
        s.detection[0].starts_with("server/discover: protocol_error"),
        "{:?}",
        s.detection
    );
    assert!(
        s.faults()
            .iter()
            .any(|f| f.contains("server starting on stdio")),
        "{:?}",
        s.faults()
    );
    s.close().await;
}

#[tokio::test]
async fn stdio_unsupported_version_is_retried_once_then_judged() {
    let refusal = || Some(json!({"supported": [MODERN_REVISION]}));
    // refused, then answered
    let script = format!(
        "read -r l; {}; read -r l; {}; cat >/dev/null",
        error_reply(1, UNSUPPORTED_PROTOCOL_VERSION, refusal()),
        discover_reply(2, modern_result())
    );
    let s = ok(connect_sh(&script, EraChoice::Auto, LONG).await);
    assert_eq!(s.era, Era::Modern);
    assert_eq!(methods(&s.requests), ["server/discover", "server/discover"]);
    s.close().await;
    // refused twice: a version mismatch, and no initialize to a server without one
    let script = format!(
        "read -r l; {}; read -r l; {}; cat >/dev/null",
        error_reply(1, UNSUPPORTED_PROTOCOL_VERSION, refusal()),
        error_reply(2, UNSUPPORTED_PROTOCOL_VERSION, refusal())
    );
    let e = failed(connect_sh(&script, EraChoice::Auto, LONG).await);
    assert_eq!(e.failure.reason, Reason::VersionMismatch);
    assert_eq!(e.wire, Some(Wire::Stdio));
    assert_eq!(methods(&e.requests), ["server/discover", "server/discover"]);
    assert!(e.close.is_some(), "the child is reaped");
    // a supported list naming a legacy revision: initialize
    let script = format!(
        "read -r l; {}; read -r l; {}; cat >/dev/null",
        error_reply(
            1,
            UNSUPPORTED_PROTOCOL_VERSION,
            Some(json!({"supported": ["2025-03-26"]}))
        ),
        discover_reply(2, legacy_result("2025-03-26"))
    );
    let s = ok(connect_sh(&script, EraChoice::Auto, LONG).await);
    assert_eq!(s.era, Era::Legacy);
    assert_eq!(methods(&s.requests), ["server/discover", "initialize"]);
    s.close().await;
}

#[tokio::test]
async fn a_stdio_server_that_exits_is_disconnected() {
    // exits on the discover probe: started again for initialize (issue 19: rmcp servers exit on
    // anything before initialize), and this one exits on that too
    let e = failed(connect_sh("read -r l; exit 3", EraChoice::Auto, LONG).await);
    assert_eq!(
        e.failure.reason,
        Reason::ServerDisconnected,
        "{}",
        e.failure
    );
    assert!(
        e.failure.message.contains("exit code 3"),
        "{}",
        e.failure.message
    );
    assert_eq!(methods(&e.requests), ["server/discover", "initialize"]);
    assert!(
        e.detection
            .iter()
            .any(|d| d.contains("exited on server/discover")),
        "{:?}",
        e.detection
    );
    // answers discover as a legacy server, then exits before initialize
    let script = format!("read -r l; {}; exit 0", error_reply(1, -32601, None));
    let e = failed(connect_sh(&script, EraChoice::Auto, LONG).await);
    assert_eq!(
        e.failure.reason,
        Reason::ServerDisconnected,
        "{}",
        e.failure
    );
    assert_eq!(methods(&e.requests), ["server/discover", "initialize"]);
}

#[tokio::test]
async fn a_stdio_server_silent_to_everything_is_a_handshake_timeout() {
    let e = failed(
        connect_sh(
            "cat >/dev/null",
            EraChoice::Auto,
            Duration::from_millis(600),
        )
        .await,
    );
    assert_eq!(e.failure.reason, Reason::HandshakeTimeout, "{}", e.failure);
    assert_eq!(methods(&e.requests), ["server/discover", "initialize"]);
    // --era modern waits for discover alone, and never sends initialize
    let e = failed(
        connect_sh(
            "cat >/dev/null",
            EraChoice::Modern,
            Duration::from_millis(300),
        )
        .await,
    );
    assert_eq!(e.failure.reason, Reason::HandshakeTimeout, "{}", e.failure);
    assert_eq!(methods(&e.requests), ["server/discover"]);
}

#[tokio::test]
async fn stdio_era_legacy_starts_with_initialize() {
    let script = format!(
        "read -r l; {}; cat >/dev/null",
        discover_reply(1, legacy_result("2025-11-25"))
    );
    let s = ok(connect_sh(&script, EraChoice::Legacy, LONG).await);
    assert_eq!(s.era, Era::Legacy);
    assert_eq!(methods(&s.requests), ["initialize"]);
    s.close().await;
}

#[tokio::test]
async fn a_command_that_cannot_start_is_a_spawn_error() {
    let client = crate::net::http::client(Duration::from_secs(5)).unwrap();
    let endpoint = Endpoint::Stdio {
        spec: StdioSpec {
            program: "/nonexistent/mcp-server".into(),
            args: Vec::new(),
            env: Vec::new(),
            cwd: None,
        },
        startup: None,
    };
    let e = failed(connect(&endpoint, &client, EraChoice::Auto, Instant::now() + LONG).await);
    assert_eq!(e.failure.reason, Reason::SpawnError);
    assert_eq!(e.wire, Some(Wire::Stdio));
    assert!(e.requests.is_empty());
}

async fn connect_sh_starting(
    script: &str,
    startup: Duration,
    within: Duration,
) -> Result<Session, ConnectError> {
    let client = crate::net::http::client(Duration::from_secs(5)).unwrap();
    let endpoint = Endpoint::Stdio {
        spec: sh(script),
        startup: Some(startup),
    };
    connect(&endpoint, &client, EraChoice::Auto, Instant::now() + within).await
}

#[tokio::test]
async fn a_start_up_phase_does_not_hold_the_discover_probe() {
    // silent to discover, answers initialize: the probe's silence is still the legacy answer, and
    // initialize goes out without waiting for the (long) start-up deadline
    let script = format!(
        "read -r l; read -r l; {}; cat >/dev/null",
        discover_reply(2, legacy_result("2025-06-18"))
    );
    let s =
        ok(connect_sh_starting(&script, Duration::from_secs(600), Duration::from_secs(2)).await);
    assert_eq!(s.era, Era::Legacy);
    assert_eq!(methods(&s.requests), ["server/discover", "initialize"]);
    s.close().await;
}

#[tokio::test]
async fn nothing_on_stdout_by_the_start_up_deadline_is_a_startup_timeout() {
    // the request deadline is far away: the start-up deadline is what ends the wait
    let e = failed(connect_sh_starting("cat >/dev/null", Duration::from_millis(300), LONG).await);
    assert_eq!(e.failure.reason, Reason::StartupTimeout, "{}", e.failure);
    assert!(
        e.failure
            .message
            .starts_with("`sh` wrote nothing on stdout within its start-up deadline of 300 ms"),
        "{}",
        e.failure
    );
    assert!(e.close.is_some(), "the server was closed (reaped)");
}
