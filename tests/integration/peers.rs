//! `mcpmon health` against every real peer: the detected transport, era and revision, the server's
//! identity and tool counts, and the exit code.

use crate::common::*;

fn check_url(url: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let home = tempdir();
    let mut args = vec![url];
    args.extend_from_slice(extra);
    health_json(home.path(), &args)
}

fn check_cmd(cmd: &[&str], extra: &[&str]) -> (i32, serde_json::Value) {
    let home = tempdir();
    let mut args: Vec<&str> = extra.to_vec();
    args.push("--");
    args.extend_from_slice(cmd);
    health_json(home.path(), &args)
}

#[test]
fn server_everything_streamable_http() {
    let (code, doc) = check_url(peer("EVERYTHING_HTTP_URL"), &[]);
    let o = only_obs(&doc);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(o["transport"], "streamable_http");
    assert_eq!(o["era"], "legacy");
    assert_eq!(o["revision"], "2025-11-25");
    assert_eq!(o["server"]["name"], "mcp-servers/everything");
    assert_eq!(o["tools_count"], 13);
    assert_eq!(o["prompts_count"].as_u64().map(|n| n > 0), Some(true));
    assert_eq!(o["liveness_method"], "ping");
    assert!(o["liveness_ms"].is_number());
    // the session got its DELETE, and the replies came as SSE with a time to first byte
    assert!(
        o["close"].as_str().unwrap().contains("DELETE (HTTP 200)"),
        "{o:#}"
    );
    let init = o["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["method"] == "initialize")
        .unwrap();
    assert_eq!(init["http_status"], 200);
    assert_eq!(init["content_type"], "text/event-stream");
    assert!(init["ttfb_ms"].is_number());
}

#[test]
fn server_everything_legacy_sse() {
    let (code, doc) = check_url(peer("EVERYTHING_SSE_URL"), &[]);
    let o = only_obs(&doc);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(o["transport"], "sse");
    assert_eq!(o["tools_count"], 13);
    assert_eq!(o["server"]["name"], "mcp-servers/everything");
}

#[test]
fn server_everything_stdio() {
    let (code, doc) = check_cmd(&peer_cmd("EVERYTHING_STDIO_CMD"), &[]);
    let o = only_obs(&doc);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(o["transport"], "stdio");
    assert_eq!(o["era"], "legacy");
    assert_eq!(o["tools_count"], 13);
    // it logs to stderr on start: kept as context, never a failure
    assert!(
        o["stderr_tail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("Starting")),
        "{o:#}"
    );
    // reaped politely: stdin closed, then at most SIGTERM (never SIGKILL)
    let close = o["close"].as_str().unwrap();
    assert!(
        close.contains("after stdin was closed") || close.contains("stopped by SIGTERM"),
        "{close}"
    );
}

#[test]
fn an_adhoc_stdio_server_is_named_after_its_package_or_script() {
    // `node …/node_modules/@modelcontextprotocol/server-memory/dist/index.js` is `server-memory`
    let (code, doc) = check_cmd(&peer_cmd("MEMORY_STDIO_CMD"), &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(only_obs(&doc)["target"], "server-memory", "{doc:#}");
    // `python …/py_peer.py stdio` is `py_peer`, in the table too
    let home = tempdir();
    let mut args = vec!["health", "--format", "table", "--"];
    args.extend(peer_cmd("PY_STDIO_CMD"));
    let (code, out, err) = run(home.path(), &args);
    assert_eq!(code, 0, "{out}{err}");
    // the first row under the header
    let row = out
        .lines()
        .skip_while(|l| !l.starts_with('╞'))
        .nth(1)
        .unwrap_or_default();
    assert!(row.contains("│ py_peer "), "{out}");
    assert!(!out.contains("python"), "{out}");
}

#[test]
fn server_memory_stdio() {
    let home = tempdir();
    let cfg = home.path().join("claude.json");
    let mem = peer_cmd("MEMORY_STDIO_CMD");
    let memfile = home.path().join("memory.jsonl");
    std::fs::write(
        &cfg,
        serde_json::json!({"mcpServers": {"memory": {"command": mem[0], "args": &mem[1..], "env": {"MEMORY_FILE_PATH": memfile}}}})
            .to_string(),
    )
    .unwrap();
    let (code, doc) = health_json(
        home.path(),
        &[
            "--config",
            cfg.to_str().unwrap(),
            "--expect-tool",
            "read_graph",
        ],
    );
    let o = only_obs(&doc);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(o["target"], "memory");
    assert_eq!(o["server"]["name"], "memory-server");
    assert_eq!(o["tools_count"], 9);
    assert_eq!(finding(&doc, "memory", "expect_tools")["status"], "ok");
}

#[test]
fn supergateway_stateful_and_stateless() {
    for key in ["GATEWAY_MEMORY_HTTP_URL", "GATEWAY_STATELESS_HTTP_URL"] {
        let (code, doc) = check_url(peer(key), &[]);
        let o = only_obs(&doc);
        assert_eq!(code, 0, "{key}: {doc:#}");
        assert_eq!(o["transport"], "streamable_http", "{key}");
        assert_eq!(o["server"]["name"], "memory-server", "{key}");
        assert_eq!(o["tools_count"], 9, "{key}");
    }
}

#[test]
fn python_server_speaks_the_stateless_revision_over_http() {
    let (code, doc) = check_url(peer("PY_HTTP_URL"), &[]);
    let o = only_obs(&doc);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(o["transport"], "streamable_http");
    assert_eq!(o["era"], "modern");
    assert_eq!(o["revision"], "2026-07-28");
    assert_eq!(o["server"]["name"], "py-peer");
    assert_eq!(o["tools"], serde_json::json!(["add"]));
    // ping no longer exists in 2026-07-28: liveness is server/discover
    assert_eq!(o["liveness_method"], "server/discover");
    // no session in the stateless era, and replies are plain JSON
    assert_eq!(o["close"], "no session to close");
    let disc = &o["requests"][0];
    assert_eq!(disc["method"], "server/discover");
    assert_eq!(disc["content_type"], "application/json");
}

#[test]
fn python_server_legacy_era_on_request() {
    let (code, doc) = check_url(peer("PY_HTTP_URL"), &["--era", "legacy"]);
    let o = only_obs(&doc);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(o["era"], "legacy");
    assert_eq!(o["revision"], "2025-11-25");
    assert_eq!(o["liveness_method"], "ping");
    assert_eq!(o["tools_count"], 1);
    assert!(o["close"].as_str().unwrap().contains("DELETE"), "{o:#}");
}

#[test]
fn python_sse_with_crlf_frames() {
    let (code, doc) = check_url(peer("PY_SSE_URL"), &[]);
    let o = only_obs(&doc);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(o["transport"], "sse");
    assert_eq!(o["tools"], serde_json::json!(["add"]));
}

#[test]
fn python_stdio_servers_are_modern() {
    for key in ["PY_STDIO_CMD", "TIME_STDIO_CMD"] {
        let (code, doc) = check_cmd(&peer_cmd(key), &[]);
        let o = only_obs(&doc);
        assert_eq!(code, 0, "{key}: {doc:#}");
        assert_eq!(o["transport"], "stdio");
        assert_eq!(o["revision"], "2026-07-28", "{key}");
    }
    let (_, doc) = check_cmd(&peer_cmd("TIME_STDIO_CMD"), &["--era", "legacy"]);
    let o = only_obs(&doc);
    assert_eq!(o["era"], "legacy");
    assert_eq!(o["server"]["name"], "mcp-time");
    assert_eq!(o["tools_count"], 2);
}

#[test]
fn mcp_hub_endpoint_is_legacy_sse() {
    // mcp-hub's /mcp answers POST with an HTML 404: detection falls through to the GET stream.
    let (code, doc) = check_url(
        peer("HUB_SSE_URL"),
        &[
            "--expect-tool",
            "everything__echo",
            "--expect-tool",
            "memory__read_graph",
        ],
    );
    let o = only_obs(&doc);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(o["transport"], "sse");
    assert_eq!(o["server"]["name"], "mcp-hub-internal-endpoint");
    assert_eq!(o["tools_count"], 22);
    let steps = o["detection"].as_array().unwrap();
    assert!(steps[0].as_str().unwrap().contains("404"), "{steps:?}");
}

#[test]
fn many_targets_at_once_with_one_down() {
    let home = tempdir();
    let cfg = home.path().join("mcpmon.json");
    let ev = peer_cmd("EVERYTHING_STDIO_CMD");
    std::fs::write(
        &cfg,
        serde_json::json!({"targets": {
            "ev-http": {"url": peer("EVERYTHING_HTTP_URL")},
            "ev-sse": {"url": peer("EVERYTHING_SSE_URL"), "type": "sse"},
            "py": {"url": peer("PY_HTTP_URL"), "min_tools": 1},
            "ev-stdio": {"command": ev[0], "args": &ev[1..]},
            "down": {"url": format!("http://127.0.0.1:{}/mcp", closed_port()), "timeout": "2s"},
        }})
        .to_string(),
    )
    .unwrap();
    // found as ./mcpmon.json without --config
    let (code, doc) = health_json(home.path(), &[]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(
        doc["summary"],
        serde_json::json!({"targets": 5, "ok": 4, "warn": 0, "crit": 1, "unknown": 0})
    );
    let names: Vec<&str> = doc["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["ev-http", "ev-sse", "py", "ev-stdio", "down"],
        "config order is kept"
    );
    assert_eq!(
        finding(&doc, "down", "connect")["reason"],
        "connect_refused"
    );
    // --target picks entries
    let (code, doc) = health_json(home.path(), &["--target", "py", "--target", "ev-sse"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["targets"], 2);
}
