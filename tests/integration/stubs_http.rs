//! Broken HTTP servers: HTML pages, auth challenges, 500s, endless and truncated bodies, hangs, and a
//! refused connection — each with its stable reason, within the deadline, with bounded memory.

use crate::common::*;

fn check(url: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let home = tempdir();
    let mut args = vec![url];
    args.extend_from_slice(extra);
    if !extra.contains(&"--timeout") {
        args.extend(["--timeout", "3s"]);
    }
    health_json(home.path(), &args)
}

fn failure(doc: &serde_json::Value) -> &serde_json::Value {
    &only_obs(doc)["failure"]
}

#[test]
fn html_page_is_not_mcp() {
    let s = HttpStub::start("html");
    let (code, doc) = check(&s.url("/mcp"), &[]);
    assert_eq!(code, 2);
    assert_eq!(failure(&doc)["reason"], "not_mcp");
    assert_eq!(failure(&doc)["http_status"], 200);
}

#[test]
fn express_404_everywhere_is_not_mcp() {
    let s = HttpStub::start("not-found");
    let (code, doc) = check(&s.url("/mcp"), &[]);
    assert_eq!(code, 2);
    assert_eq!(failure(&doc)["reason"], "not_mcp");
    // all three detection steps were tried
    assert_eq!(
        only_obs(&doc)["detection"].as_array().unwrap().len(),
        3,
        "{doc:#}"
    );
    assert!(only_obs(&doc)["transport"].is_null());
}

#[test]
fn unauthorized_reports_the_parsed_challenge() {
    let s = HttpStub::start("auth");
    let (code, doc) = check(&s.url("/mcp"), &[]);
    assert_eq!(code, 2);
    let f = failure(&doc);
    assert_eq!(f["reason"], "auth_required");
    assert_eq!(f["http_status"], 401);
    assert_eq!(f["auth_challenge"]["scheme"], "Bearer");
    assert_eq!(f["auth_challenge"]["params"]["error"], "invalid_token");
    assert_eq!(
        f["auth_challenge"]["params"]["resource_metadata"],
        format!(
            "http://127.0.0.1:{}/.well-known/oauth-protected-resource",
            s.port
        )
    );
}

#[test]
fn forbidden_is_auth_required_too() {
    let s = HttpStub::start("forbidden");
    let (_, doc) = check(&s.url("/mcp"), &[]);
    assert_eq!(failure(&doc)["reason"], "auth_required");
    assert_eq!(failure(&doc)["http_status"], 403);
    assert_eq!(
        failure(&doc)["auth_challenge"]["params"]["scope"],
        "mcp:read"
    );
}

#[test]
fn server_error_is_http_status() {
    let s = HttpStub::start("error500");
    let (code, doc) = check(&s.url("/mcp"), &[]);
    assert_eq!(code, 2);
    assert_eq!(failure(&doc)["reason"], "http_status");
    assert_eq!(failure(&doc)["http_status"], 500);
}

#[test]
fn endless_body_is_refused_with_bounded_memory() {
    let s = HttpStub::start("endless");
    let home = tempdir();
    // GNU time reports mcpmon's peak RSS (it has no children on an HTTP target)
    let out = std::process::Command::new("/usr/bin/time")
        .args([
            "-f",
            "MAXRSS_KB=%M",
            bin(),
            "health",
            "-f",
            "json",
            "--timeout",
            "10s",
            &s.url("/mcp"),
        ])
        .env("HOME", home.path())
        .output()
        .expect("/usr/bin/time (Debian package `time`)");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(failure(&doc)["reason"], "response_too_large", "{doc:#}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kb: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("MAXRSS_KB="))
        .and_then(|v| v.trim().parse().ok())
        .expect("rss");
    assert!(
        kb < 64 * 1024,
        "peak RSS {kb} KB while refusing an endless body"
    );
}

#[test]
fn endless_sse_reply_without_a_response_is_refused() {
    let s = HttpStub::start("endless-sse");
    let (code, doc) = check(&s.url("/mcp"), &["--timeout", "20s"]);
    assert_eq!(code, 2);
    assert_eq!(failure(&doc)["reason"], "response_too_large");
}

#[test]
fn connection_dropped_mid_body() {
    let s = HttpStub::start("die-mid");
    let (_, doc) = check(&s.url("/mcp"), &[]);
    assert_eq!(failure(&doc)["reason"], "server_disconnected", "{doc:#}");
}

#[test]
fn hanging_server_times_out_in_the_handshake() {
    let s = HttpStub::start("hang");
    let (code, doc) = check(&s.url("/mcp"), &["--timeout", "1s"]);
    assert_eq!(code, 2);
    assert_eq!(failure(&doc)["reason"], "handshake_timeout");
}

#[test]
fn refused_connection() {
    let (code, doc) = check(&format!("http://127.0.0.1:{}/mcp", closed_port()), &[]);
    assert_eq!(code, 2);
    assert_eq!(failure(&doc)["reason"], "connect_refused");
    // nothing answered: no transport is claimed as detected
    assert!(only_obs(&doc)["transport"].is_null(), "{doc:#}");
}

#[test]
fn legacy_session_headers_and_secret_header_from_config() {
    let home = tempdir();
    let log = home.path().join("stub.log");
    let s = HttpStub::start_with_env("legacy-ok", &[("STUB_LOG", log.to_str().unwrap())]);
    let cfg = home.path().join("mcpmon.json");
    std::fs::write(
        &cfg,
        serde_json::json!({"targets": {"api": {"url": s.url("/mcp"), "headers": {"Authorization": "Bearer ${MCP_TOKEN}"}}}}).to_string(),
    )
    .unwrap();
    let out = mcpmon(home.path())
        .env("MCP_TOKEN", "tok-4f9a1c-secret")
        .args(["health", "-f", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("tok-4f9a1c-secret"));
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(only_obs(&doc)["tools_count"], 2);
    let lines = std::fs::read_to_string(&log).unwrap();
    // every request carried the configured header; after initialize: session id and negotiated version
    assert!(
        lines
            .lines()
            .all(|l| l.contains("authorization-present=yes")),
        "{lines}"
    );
    let tools = lines
        .lines()
        .find(|l| l.contains("jsonrpc-method=tools/list"))
        .expect("tools/list logged");
    assert!(tools.contains("mcp-session-id=stub-session-1"), "{tools}");
    assert!(tools.contains("mcp-protocol-version=2025-11-25"), "{tools}");
    let delete = lines
        .lines()
        .find(|l| l.starts_with("DELETE"))
        .expect("DELETE on close");
    assert!(delete.contains("mcp-session-id=stub-session-1"), "{delete}");
    // the table does not show it either, and neither does an unresolved run
    let (_, table, _) = run(home.path(), &["health", "--color", "never"]);
    assert!(!table.contains("Bearer"), "{table}");
}

#[test]
fn lists_and_ping_go_side_by_side_after_the_handshake() {
    // the stub holds tools/list, prompts/list and ping until all three have arrived; one at a time,
    // each would be refused after 3 s
    let home = tempdir();
    let log = home.path().join("stub.log");
    let s = HttpStub::start_with_env("side-by-side", &[("STUB_LOG", log.to_str().unwrap())]);
    let (code, doc) = health_json(home.path(), &[&s.url("/mcp"), "--timeout", "10s"]);
    assert_eq!(code, 0, "{doc:#}");
    let obs = only_obs(&doc);
    assert_eq!(obs["tools_count"], 2, "{obs:#}");
    assert_eq!(obs["prompts_count"], 1, "{obs:#}");
    // requests are reported in their order, whatever order the answers came in
    let methods: Vec<&str> = obs["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    assert!(
        methods.ends_with(&["initialize", "tools/list", "prompts/list", "ping"]),
        "{methods:?}"
    );
    // each of them carried the session the handshake opened
    let lines = std::fs::read_to_string(&log).unwrap();
    for m in ["tools/list", "prompts/list", "ping"] {
        let line = lines
            .lines()
            .find(|l| l.contains(&format!("jsonrpc-method={m} ")))
            .unwrap_or_else(|| panic!("{m} not logged: {lines}"));
        assert!(line.contains("mcp-session-id=stub-session-1"), "{line}");
    }
}

#[test]
fn server_requests_on_a_reply_stream_are_answered() {
    let home = tempdir();
    let log = home.path().join("stub.log");
    let s = HttpStub::start_with_env("server-request", &[("STUB_LOG", log.to_str().unwrap())]);
    let (code, doc) = health_json(home.path(), &[&s.url("/mcp")]);
    assert_eq!(code, 0, "{doc:#}");
    let o = only_obs(&doc);
    assert_eq!(o["server_requests"], serde_json::json!(["ping"]));
    // the stub released the result only after our reply arrived
    assert_eq!(o["tools"], serde_json::json!(["alpha"]));
    let lines = std::fs::read_to_string(&log).unwrap();
    let reply = lines
        .lines()
        .find(|l| l.contains("jsonrpc-id=srv-1"))
        .expect("a POSTed reply to srv-1");
    assert!(reply.contains("mcp-session-id=stub-session-1"), "{reply}");
}

#[test]
fn a_reply_stream_that_ends_early_is_resumed_with_last_event_id() {
    // the server closes the tools/list stream after a priming event (id ev-1, retry 20 ms); the first
    // GET with Last-Event-ID ends empty, the second carries the response
    let home = tempdir();
    let log = home.path().join("stub.log");
    let s = HttpStub::start_with_env("resume", &[("STUB_LOG", log.to_str().unwrap())]);
    let (code, doc) = health_json(home.path(), &[&s.url("/mcp")]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(only_obs(&doc)["tools_count"], 2);
    let lines = std::fs::read_to_string(&log).unwrap();
    let gets: Vec<&str> = lines.lines().filter(|l| l.starts_with("GET ")).collect();
    assert_eq!(gets.len(), 2, "{lines}");
    assert!(
        gets.iter()
            .all(|g| g.contains("mcp-session-id=stub-session-1")),
        "{lines}"
    );
}

#[test]
fn a_urls_transport_and_era_are_remembered_and_forgotten_on_failure() {
    // Run 1 detects (server/discover first, refused by this legacy server); run 2 goes straight to
    // initialize over the remembered transport; once the server is gone the memory is dropped.
    let home = tempdir();
    let log = home.path().join("stub.log");
    let s = HttpStub::start_with_env("legacy-ok", &[("STUB_LOG", log.to_str().unwrap())]);
    let url = s.url("/mcp");
    let discovers = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("jsonrpc-method=server/discover"))
            .count()
    };
    let (code, doc) = health_json(home.path(), &[&url]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(discovers(), 1, "the first run detects");
    let memory = std::fs::read_to_string(home.path().join(".state/mcpmon/detected.json")).unwrap();
    assert!(
        memory.contains("\"era\": \"legacy\"") || memory.contains("\"era\":\"legacy\""),
        "{memory}"
    );
    assert!(
        !memory.contains("127.0.0.1"),
        "the URL is stored as a fingerprint: {memory}"
    );

    let (code, doc) = health_json(home.path(), &[&url]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(discovers(), 1, "the second run sends no server/discover");
    let steps = only_obs(&doc)["detection"].to_string();
    assert!(
        steps.contains("remembered from an earlier run: legacy over streamable_http"),
        "{steps}"
    );

    drop(s);
    let (code, _) = health_json(home.path(), &[&url]);
    assert_eq!(code, 2);
    let memory = std::fs::read_to_string(home.path().join(".state/mcpmon/detected.json")).unwrap();
    assert!(!memory.contains("url:"), "a failure forgets: {memory}");
}
