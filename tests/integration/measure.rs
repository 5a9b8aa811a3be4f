//! `mcpmon measure`: exact request counts over every transport and era, statistics, the baseline
//! gate, a target that is down, and no process left behind.

use crate::common::*;

fn measure(home: &std::path::Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["measure", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(home, &all);
    let doc: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, doc)
}

#[test]
fn streamable_http_with_concurrent_sessions() {
    let home = tempdir();
    let (code, doc) = measure(
        home.path(),
        &[
            peer("EVERYTHING_HTTP_URL"),
            "-n",
            "120",
            "-j",
            "4",
            "--warmup",
            "8",
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    let o = &doc["observations"][0];
    assert_eq!(o["kind"], "load");
    assert_eq!(o["method"], "ping");
    assert_eq!(o["concurrency"], 4);
    assert_eq!(o["requests"], 120, "warm-up requests are not counted");
    assert_eq!(o["ok"], 120);
    assert_eq!(o["success_percent"], 100.0);
    let l = &o["latency"];
    assert!(l["p50_ms"].as_f64().unwrap() <= l["p95_ms"].as_f64().unwrap());
    assert!(l["p95_ms"].as_f64().unwrap() <= l["max_ms"].as_f64().unwrap());
    let hist: u64 = o["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(hist, 120);
    let ttfb = &o["ttfb"];
    assert!(
        ttfb["p50_ms"].as_f64().unwrap() > 0.0,
        "Streamable HTTP has a time to first byte: {o:#}"
    );
    assert!(ttfb["p50_ms"].as_f64().unwrap() <= ttfb["max_ms"].as_f64().unwrap());
    let t = o["target"].as_str().unwrap();
    assert_eq!(finding(&doc, t, "success_rate")["status"], "ok");
}

#[test]
fn modern_server_is_measured_with_discover_and_sse_works_too() {
    let home = tempdir();
    let (code, doc) = measure(home.path(), &[peer("PY_HTTP_URL"), "-n", "30"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        doc["observations"][0]["method"], "server/discover",
        "ping does not exist in 2026-07-28"
    );
    assert_eq!(doc["observations"][0]["ok"], 30);
    let (code, doc) = measure(
        home.path(),
        &[
            peer("EVERYTHING_SSE_URL"),
            "-n",
            "30",
            "-j",
            "2",
            "--method",
            "tools-list",
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["observations"][0]["method"], "tools/list");
    assert_eq!(doc["observations"][0]["ok"], 30);
    assert!(
        doc["observations"][0]["ttfb"].is_null(),
        "legacy SSE answers on its stream: no per-request first byte"
    );
}

#[test]
fn stdio_sessions_and_cold_starts_leave_no_process() {
    let home = tempdir();
    let m = marker("measure");
    let args = with_stub(
        &["measure", "--format", "json", "-n", "40", "-j", "3"],
        "ok",
        &m,
    );
    let (code, out, err) = run(home.path(), &args);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["observations"][0]["ok"], 40);
    assert!(
        doc["observations"][0]["ttfb"].is_null(),
        "stdio has no HTTP"
    );
    let args = with_stub(
        &[
            "measure",
            "--format",
            "json",
            "-n",
            "5",
            "--method",
            "initialize",
        ],
        "ok",
        &m,
    );
    let (code, out, _) = run(home.path(), &args);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["observations"][0]["method"], "initialize");
    assert_eq!(doc["observations"][0]["ok"], 5);
    assert_eq!(live_processes_with(&m), Vec::<u32>::new());
}

#[test]
fn a_controlled_error_rate_and_delay_are_reported_exactly() {
    // one session (-j 1) pings one stub process: every 4th ping is a JSON-RPC error, every answer
    // waits 20 ms
    let home = tempdir();
    let m = marker("measure-flaky");
    let args = with_stub(
        &["measure", "--format", "json", "-n", "40", "-j", "1"],
        "flaky",
        &m,
    );
    let out = mcpmon(home.path())
        .args(&args)
        .env("STUB_DELAY_MS", "20")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "75 % success is CRIT (< 90 %)");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let o = &doc["observations"][0];
    assert_eq!(o["requests"], 40);
    assert_eq!(o["ok"], 30);
    assert_eq!(o["errors"]["rpc_error"], 10);
    assert_eq!(o["success_percent"], 75.0);
    assert!(
        o["latency"]["min_ms"].as_f64().unwrap() >= 19.9,
        "no answer comes sooner than the stub's delay: {o:#}"
    );
    let t = o["target"].as_str().unwrap();
    assert_eq!(finding(&doc, t, "success_rate")["status"], "crit");
    assert_eq!(live_processes_with(&m), Vec::<u32>::new());
}

#[test]
fn server_everything_over_stdio() {
    let home = tempdir();
    let mut args = vec!["-n", "30", "-j", "2", "--"];
    args.extend(peer_cmd("EVERYTHING_STDIO_CMD"));
    let (code, doc) = measure(home.path(), &args);
    assert_eq!(code, 0, "{doc:#}");
    let o = &doc["observations"][0];
    assert_eq!(o["method"], "ping");
    assert_eq!(o["ok"], 30);
    assert_eq!(o["concurrency"], 2);
}

#[test]
fn baseline_gate_trips_on_a_regression() {
    let home = tempdir();
    let base = home.path().join("baseline.json");
    let url = peer("EVERYTHING_HTTP_URL");
    let (code, _) = measure(
        home.path(),
        &[url, "-n", "50", "--save-baseline", base.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    let mut b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    assert_eq!(b["requests"], 50);
    assert!(b["p95_ms"].as_f64().unwrap() > 0.0);
    // the same server against itself, with a generous gate: no regression
    let (code, doc) = measure(
        home.path(),
        &[
            url,
            "-n",
            "50",
            "--compare",
            base.to_str().unwrap(),
            "--warn",
            "100000%",
            "--crit",
            "200000%",
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    // a baseline 1000 times faster than anything real: p50, p95 and p99 regress past --crit
    for k in ["p50_ms", "p95_ms", "p99_ms"] {
        b[k] = serde_json::json!(0.001);
    }
    std::fs::write(&base, b.to_string()).unwrap();
    let (code, doc) = measure(
        home.path(),
        &[url, "-n", "50", "--compare", base.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{doc:#}");
    let t = doc["observations"][0]["target"].as_str().unwrap();
    let f = finding(&doc, t, "p95_vs_baseline");
    assert_eq!(f["status"], "crit");
    assert_eq!(f["reason"], "threshold");
    // a file that is not a baseline is a usage error
    std::fs::write(&base, "{}").unwrap();
    let (code, _, err) = run(
        home.path(),
        &["measure", url, "--compare", base.to_str().unwrap()],
    );
    assert_eq!(code, 3);
    assert!(err.contains("not an mcpmon baseline"), "{err}");
}

#[test]
fn a_target_that_is_down() {
    let home = tempdir();
    let (code, doc) = measure(
        home.path(),
        &[
            &format!("http://127.0.0.1:{}/mcp", closed_port()),
            "-n",
            "10",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(
        doc["observations"][0]["failure"]["reason"],
        "connect_refused"
    );
}

#[test]
fn fixed_rate_and_tool_calls() {
    let home = tempdir();
    let url = peer("EVERYTHING_HTTP_URL");
    let (code, doc) = measure(home.path(), &[url, "-n", "40", "-j", "2", "-q", "200"]);
    assert_eq!(code, 0, "{doc:#}");
    let o = &doc["observations"][0];
    assert_eq!(o["rate_per_second"], 200.0);
    assert_eq!(o["ok"], 40);
    // the schedule holds: the 40th request is not sent before 39/200 s after the first
    assert!(
        o["elapsed_ms"].as_f64().unwrap() >= 195.0,
        "a fixed rate never runs ahead of its schedule: {o:#}"
    );
    // a read-only tool is called; the sum is really computed by the server
    let (code, doc) = measure(
        home.path(),
        &[
            url,
            "-n",
            "5",
            "--tool",
            "get-sum",
            "--args",
            r#"{"a": 2, "b": 3}"#,
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["observations"][0]["method"], "tools/call");
    assert_eq!(doc["observations"][0]["ok"], 5);
    // a tool that is not there, or not marked read-only, is refused before any load
    let (code, _, err) = run(
        home.path(),
        &["measure", url, "-n", "5", "--tool", "no-such-tool"],
    );
    assert_eq!(code, 3);
    assert!(err.contains("no tool"), "{err}");
}

#[test]
fn a_tool_with_side_effects_needs_permission() {
    let home = tempdir();
    let m = marker("side-effects");
    // the stub's tools carry no readOnlyHint
    let args = with_stub(&["measure", "-n", "3", "--tool", "alpha"], "ok", &m);
    let (code, _, err) = run(home.path(), &args);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("--allow-side-effects"), "{err}");
    let args = with_stub(
        &[
            "measure",
            "-f",
            "json",
            "-n",
            "3",
            "--tool",
            "alpha",
            "--allow-side-effects",
        ],
        "ok",
        &m,
    );
    let (_, out, err) = run(home.path(), &args);
    let doc: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    // the stub answers tools/call with method-not-found: counted as errors by reason, exactly
    assert_eq!(doc["observations"][0]["requests"], 3);
    assert_eq!(doc["observations"][0]["errors"]["rpc_error"], 3);
    assert_eq!(
        finding(
            &doc,
            doc["observations"][0]["target"].as_str().unwrap(),
            "success_rate"
        )["status"],
        "crit"
    );
    assert_eq!(live_processes_with(&m), Vec::<u32>::new());
}

#[test]
fn observe_reports_changes_and_rates_of_a_stats_document() {
    let s = HttpStub::start("health-json");
    let home = tempdir();
    let url = s.url("/counter");
    let (code, doc) = measure(home.path(), &["--observe", &url, "--window", "200ms"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        doc["observations"][0]["target"],
        url.trim_start_matches("http://")
    );
    let metrics = doc["observations"][0]["metrics"].as_array().unwrap();
    let get = |n: &str| {
        metrics
            .iter()
            .find(|m| m["name"] == n)
            .unwrap_or_else(|| panic!("{n} in {metrics:?}"))["value"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(
        get("llm.totalRequests Δ"),
        1.0,
        "one request between the two samples"
    );
    assert!(get("llm.totalRequests /s") > 0.0);
    assert_eq!(get("llm.errors Δ"), 0.0);
    // --metric keeps only the named fields
    let (_, doc) = measure(
        home.path(),
        &[
            "--observe",
            &url,
            "--window",
            "100ms",
            "--metric",
            "total_requests",
        ],
    );
    let names: Vec<&str> = doc["observations"][0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["llm.totalRequests Δ", "llm.totalRequests /s"]);
}

#[test]
fn plain_http_load_counts_statuses() {
    let home = tempdir();
    let (code, doc) = measure(
        home.path(),
        &["--http", peer("GATEWAY_HEALTH_URL"), "-n", "30", "-j", "3"],
    );
    assert_eq!(code, 0, "{doc:#}");
    // named like every URL target (host:port/path), not `http http://…`
    let url = peer("GATEWAY_HEALTH_URL");
    assert_eq!(
        doc["observations"][0]["target"],
        url.trim_start_matches("http://")
    );
    assert_eq!(doc["observations"][0]["method"], "GET");
    assert_eq!(doc["observations"][0]["ok"], 30);
    assert!(doc["observations"][0]["ttfb"]["p99_ms"].as_f64().unwrap() > 0.0);
    let s = HttpStub::start("error500");
    let (code, doc) = measure(
        home.path(),
        &[
            "--http",
            &s.url("/health"),
            "-n",
            "20",
            "--body",
            "{\"ping\": true}",
        ],
    );
    assert_eq!(code, 2, "{doc:#}");
    let o = &doc["observations"][0];
    assert_eq!(o["method"], "POST");
    assert_eq!(
        o["errors"]["http_status"], 20,
        "every 500 counted, by reason"
    );
    assert_eq!(o["success_percent"], 0.0);
}

#[test]
fn ctrl_c_stops_the_load_and_still_reports_what_ran() {
    let mut s = HttpStub::start_with_env("receiver", &[("STUB_ANNOUNCE", "1")]);
    let home = tempdir();
    let child = std::process::Command::new(bin())
        .args([
            "measure",
            "-f",
            "json",
            "-z",
            "60s",
            "--http",
            &s.url("/health"),
        ])
        .env("HOME", home.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // the first request reached the stub: the load (and its Ctrl-C handler) is running
    assert!(s.next_line().starts_with("REQ GET /health"));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let o = &doc["observations"][0];
    assert_eq!(o["interrupted"], true);
    assert!(o["ok"].as_u64().unwrap() >= 1, "{o:#}");
}

#[test]
fn memory_does_not_grow_with_the_number_of_requests() {
    let home = tempdir();
    // GNU time reports mcpmon's peak RSS (an HTTP target: no children)
    let out = std::process::Command::new("/usr/bin/time")
        .args([
            "-f",
            "MAXRSS_KB=%M",
            bin(),
            "measure",
            "-f",
            "json",
            "-n",
            "3000",
            "-j",
            "4",
            peer("EVERYTHING_HTTP_URL"),
        ])
        .env("HOME", home.path())
        .output()
        .expect("/usr/bin/time (Debian package `time`)");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["observations"][0]["ok"], 3000);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kb: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("MAXRSS_KB="))
        .and_then(|v| v.trim().parse().ok())
        .expect("rss");
    assert!(kb < 40 * 1024, "peak RSS {kb} KB after 3000 requests");
}

#[test]
fn keep_alive_faults_on_the_lean_connection_are_counted_exactly() {
    // one session pings a stub that answers in six ways in turn: JSON, an SSE stream, an SSE stream
    // left open after the reply, "Connection: close", a silent close (the next request finds the
    // connection dead and is sent again on a new one) and HTTP 500
    let home = tempdir();
    let log = home.path().join("stub.log");
    let s = HttpStub::start_with_env("load-faults", &[("STUB_LOG", log.to_str().unwrap())]);
    let url = s.url("/mcp");
    let (code, doc) = measure(
        home.path(),
        &[
            &url,
            "-n",
            "60",
            "-j",
            "1",
            "-H",
            "Authorization: Bearer tok-77e1-secret",
        ],
    );
    assert!(!doc.to_string().contains("tok-77e1-secret"));
    let o = &doc["observations"][0];
    assert_eq!(o["requests"], 60, "{o:#}");
    assert_eq!(o["ok"], 50, "{o:#}");
    assert_eq!(o["errors"]["http_status"], 10, "{o:#}");
    assert_eq!(code, 2, "83 % success is CRIT (< 90 %)");
    let lines = std::fs::read_to_string(&log).unwrap();
    let pings: Vec<&str> = lines
        .lines()
        .filter(|l| l.contains("jsonrpc-method=ping"))
        .collect();
    assert_eq!(pings.len(), 60, "no request reached the server twice");
    for p in &pings {
        assert!(p.contains("mcp-session-id=stub-session-1"), "{p}");
        assert!(p.contains("mcp-protocol-version=2025-11-25"), "{p}");
        assert!(p.contains("authorization-present=yes"), "{p}");
    }
    let mut ids: Vec<u64> = pings
        .iter()
        .map(|p| p.rsplit("jsonrpc-id=").next().unwrap().parse().unwrap())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 60, "every ping has its own id: {ids:?}");
}
