//! Probes beyond the MCP wire: real mcp-hubs (one healthy, one with a missing binary and a disabled
//! server), REST health documents with assertions and metrics, Prometheus text, and log tails.

use crate::common::*;
use serde_json::json;

fn obs<'a>(doc: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    doc["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} observation in {doc:#}"))
}

#[test]
fn healthy_hub_is_judged_by_state_and_servers() {
    let home = tempdir();
    let (code, doc) = health_json(home.path(), &["--hub", peer("HUB_URL")]);
    assert_eq!(code, 0, "{doc:#}");
    let h = obs(&doc, "hub");
    assert_eq!(h["state"], "ready");
    assert_eq!(h["version"], "4.2.1");
    assert_eq!(h["registered"]["tools"], 22);
    let names: Vec<&str> = h["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["everything", "memory"]);
    assert_eq!(h["servers"][0]["counts"]["tools"], 13);
    let t = h["target"].as_str().unwrap();
    assert_eq!(finding(&doc, t, "hub_state")["status"], "ok");
    assert_eq!(finding(&doc, t, "server:memory")["status"], "ok");
    // the cross-check: the hub's endpoint registers what its connected servers list
    assert_eq!(finding(&doc, t, "hub_tools")["status"], "ok");
}

#[test]
fn hub_with_a_missing_binary_and_a_disabled_server() {
    let home = tempdir();
    let (code, doc) = health_json(home.path(), &["--hub", peer("HUB_BROKEN_URL")]);
    assert_eq!(code, 2, "{doc:#}");
    let t = obs(&doc, "hub")["target"].as_str().unwrap().to_string();
    // the hub itself says "ok" and "ready": the verdict comes from the servers
    assert_eq!(obs(&doc, "hub")["hub_status"], "ok");
    assert_eq!(finding(&doc, &t, "hub_state")["status"], "ok");
    let broken = finding(&doc, &t, "server:broken");
    assert_eq!(broken["status"], "crit");
    assert_eq!(broken["reason"], "server_disconnected");
    assert!(
        broken["message"].as_str().unwrap().contains("ENOENT"),
        "{broken}"
    );
    let off = finding(&doc, &t, "server:off");
    assert_eq!(off["status"], "ok", "disabled is not a failure");
    assert_eq!(finding(&doc, &t, "server:memory")["status"], "ok");
    assert_eq!(finding(&doc, &t, "server:everything")["status"], "ok");
    // the healthy hub has no filtering statistics (mcp-hub 4.2.1 serves an HTML 404 there): not required
    assert!(obs(&doc, "hub")["filtering"].is_null());
}

#[test]
fn a_web_page_is_never_a_healthy_hub() {
    let s = HttpStub::start("html");
    let home = tempdir();
    let (code, doc) = health_json(home.path(), &["--hub", &s.url("")]);
    assert_eq!(code, 2);
    assert_eq!(obs(&doc, "hub")["failure"]["reason"], "not_mcp");
}

#[test]
fn missing_hub_fields_are_unknown_not_zero() {
    let s = HttpStub::start("health-json");
    let home = tempdir();
    let (code, doc) = health_json(home.path(), &["--hub", &s.url("")]);
    assert_eq!(code, 3, "{doc:#}");
    let t = obs(&doc, "hub")["target"].as_str().unwrap().to_string();
    let state = finding(&doc, &t, "hub_state");
    assert_eq!(state["status"], "unknown");
    assert_eq!(state["reason"], "field_missing");
    let a = finding(&doc, &t, "server:a");
    assert_eq!(a["reason"], "field_missing");
    assert!(obs(&doc, "hub")["servers"][0]["counts"]["tools"].is_null());
    // the fork's optional filtering statistics are read when the hub has them
    assert_eq!(obs(&doc, "hub")["filtering"]["filteredTools"], 5);
}

#[test]
fn health_document_assertions_and_metrics() {
    let s = HttpStub::start("health-json");
    let home = tempdir();
    let cfg = config_with(
        home.path(),
        json!({
            "api": {"health_url": {
                "url": s.url("/api/mcp/health"),
                "assert": {"/status": "ok", "/mcp/connected": true},
                "metrics": {
                    "success_rate": {"pointer": "/websocket/successRate", "warn": 95, "crit": 90, "below": true},
                    "reconnections": {"pointer": "/websocket/reconnections", "warn": 10}
                }
            }},
            "degraded": {"health_url": {
                "url": s.url("/degraded"),
                "assert": {"/status": "ok"},
                "metrics": {"success_rate": {"pointer": "/websocket/successRate", "warn": 95, "crit": 90, "below": true},
                            "queue": {"pointer": "/queue/depth"}}
            }}
        }),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "api"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        finding(&doc, "api", "assert:/mcp/connected")["status"],
        "ok"
    );
    let rate = finding(&doc, "api", "metric:success_rate");
    assert_eq!(rate["value"], 97.5);
    assert_eq!(
        finding(&doc, "api", "metric:reconnections")["value"],
        2.0,
        "numbers in strings are read"
    );

    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "degraded"]);
    assert_eq!(code, 2, "{doc:#}");
    let a = finding(&doc, "degraded", "assert:/status");
    assert_eq!(a["status"], "crit");
    assert_eq!(a["reason"], "assertion_failed");
    assert_eq!(
        finding(&doc, "degraded", "metric:success_rate")["status"],
        "crit"
    );
    // a metric the document does not have is UNKNOWN, never 0
    let q = finding(&doc, "degraded", "metric:queue");
    assert_eq!(q["status"], "unknown");
    assert_eq!(q["reason"], "field_missing");
    assert!(q["value"].is_null());
}

#[test]
fn prometheus_metrics_by_name_and_labels() {
    let s = HttpStub::start("health-json");
    let home = tempdir();
    let cfg = config_with(
        home.path(),
        json!({"prom": {"health_url": {"url": s.url("/metrics"), "metrics": {
            "errors": {"prometheus": "mcp_requests_total", "labels": {"code": "500"}, "warn": 1},
            "queue_depth": {"prometheus": "mcp_queue_depth", "warn": 10, "crit": 50}
        }}}}),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(finding(&doc, "prom", "metric:errors")["value"], 3.0);
    let q = finding(&doc, "prom", "metric:queue_depth");
    assert_eq!(q["value"], 12.0);
    assert_eq!(q["status"], "warn");
}

#[test]
fn log_tail_errors_and_missing_file() {
    let home = tempdir();
    let log = home.path().join("server.log");
    let mut text = String::new();
    for i in 0..300 {
        // 12 errors among the last 100 entries, and older errors that must not count
        let level = if i % 20 == 0 || (i >= 250 && i % 4 == 0) {
            "error"
        } else {
            "info"
        };
        text.push_str(&format!("{{\"level\":\"{level}\",\"msg\":\"event {i}\",\"time\":\"2026-11-22T01:00:{:02}Z\"}}\n", i % 60));
    }
    std::fs::write(&log, text).unwrap();
    let (code, doc) = health_json(home.path(), &["--log", log.to_str().unwrap()]);
    assert_eq!(code, 1, "{doc:#}");
    let l = obs(&doc, "log");
    assert_eq!(l["entries_read"], 100);
    assert_eq!(l["format"], "json");
    let t = l["target"].as_str().unwrap();
    let errors = finding(&doc, t, "log_errors");
    assert_eq!(errors["value"], 15.0, "{errors}");
    assert_eq!(errors["status"], "warn");
    assert!(
        errors["message"].as_str().unwrap().contains("event 296"),
        "the newest error is named: {errors}"
    );

    let (code, doc) = health_json(home.path(), &["--log", "/nonexistent/mcp.log"]);
    assert_eq!(code, 2);
    assert_eq!(obs(&doc, "log")["failure"]["reason"], "file_missing");
}

#[test]
fn a_target_groups_its_probes() {
    let home = tempdir();
    let log = home.path().join("hub.log");
    std::fs::write(&log, "2026-11-22 01:00:00 INFO started\n").unwrap();
    let cfg = config_with(
        home.path(),
        json!({"hub": {"url": peer("HUB_SSE_URL"), "type": "sse", "hub": peer("HUB_URL"), "log": log}}),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    assert_eq!(code, 0, "{doc:#}");
    let kinds: Vec<&str> = doc["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["mcp", "hub", "log"]);
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["target"] == "hub")
    );
    assert_eq!(doc["summary"]["targets"], 1);
    // the table shows the target once, its probes under it
    let (_, table, _) = run(home.path(), &["health", "-c", &cfg, "--color", "never"]);
    assert_eq!(table.matches("│ hub ").count(), 1, "{table}");
    assert!(table.contains("└ everything"), "{table}");
}

#[test]
fn deep_check_compares_the_hub_with_its_servers() {
    let home = tempdir();
    let run_dir = std::path::Path::new(peer("PEERS_RUN_DIR"));
    let config = run_dir.join("mcp-hub.json");
    let config = config.to_str().unwrap();
    let (code, doc) = health_json(
        home.path(),
        &["--hub", peer("HUB_URL"), "--deep", "--hub-config", config],
    );
    assert_eq!(code, 0, "{doc:#}");
    let hub = obs(&doc, "hub")["target"].as_str().unwrap().to_string();
    for check in ["deep:mcp", "deep:everything", "deep:memory"] {
        let f = finding(&doc, &hub, check);
        assert_eq!(f["status"], "ok", "{f}");
        assert_eq!(f["probe"], "hub");
    }
    // the servers were really started from the hub's own config and checked over stdio
    let direct = finding(&doc, &format!("{hub}/everything"), "tools");
    assert_eq!(direct["value"], 13.0);

    let broken = run_dir.join("mcp-hub-broken.json");
    let (code, doc) = health_json(
        home.path(),
        &[
            "--hub",
            peer("HUB_BROKEN_URL"),
            "--deep",
            "--hub-config",
            broken.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{doc:#}");
    let hub = obs(&doc, "hub")["target"].as_str().unwrap().to_string();
    assert_eq!(finding(&doc, &hub, "deep:memory")["status"], "ok");
    // the broken server fails in the hub and directly: they agree
    assert_eq!(finding(&doc, &hub, "deep:broken")["status"], "ok");
    assert_eq!(
        finding(&doc, &format!("{hub}/broken"), "connect")["reason"],
        "spawn_error"
    );
}

#[test]
fn log_growth_truncation_and_rotation_between_runs() {
    let home = tempdir();
    let state = home.path().join("state");
    let log = home.path().join("app.log");
    let run_once = |expect: &str| {
        let (code, doc) = health_json(
            home.path(),
            &[
                "--state-dir",
                state.to_str().unwrap(),
                "--log",
                log.to_str().unwrap(),
            ],
        );
        let l = obs(&doc, "log");
        assert_eq!(l["growth"], expect, "{doc:#}");
        (code, doc)
    };
    std::fs::write(&log, "INFO one\nINFO two\n").unwrap();
    run_once("first_look");
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    std::io::Write::write_all(&mut f, b"INFO three\n").unwrap();
    drop(f);
    let (_, doc) = run_once("grew");
    assert_eq!(obs(&doc, "log")["growth_bytes"], 11);
    run_once("unchanged");
    // truncated in place (what mcp-hub does to its log when it starts): an event
    std::fs::write(&log, "INFO fresh\n").unwrap();
    let (code, doc) = run_once("truncated");
    assert_eq!(code, 1);
    let t = obs(&doc, "log")["target"].as_str().unwrap().to_string();
    assert_eq!(finding(&doc, &t, "log_growth")["reason"], "log_truncated");
    // rotated: a new file at the same path
    std::fs::rename(&log, home.path().join("app.log.1")).unwrap();
    std::fs::write(&log, "INFO new file\n").unwrap();
    let (code, _) = run_once("rotated");
    assert_eq!(code, 0);
    // the marks file is valid JSON written atomically (no temporary file left)
    let files: Vec<String> = std::fs::read_dir(&state)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["log-marks.json"]);
}

#[test]
fn corrupt_state_is_reported_and_rebuilt() {
    let home = tempdir();
    let state = home.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("log-marks.json"), "{ torn").unwrap();
    let log = home.path().join("a.log");
    std::fs::write(&log, "INFO ok\n").unwrap();
    let (code, out, err) = run(
        home.path(),
        &[
            "health",
            "-f",
            "json",
            "--state-dir",
            state.to_str().unwrap(),
            "--log",
            log.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("corrupt"), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(obs(&doc, "log")["growth"], "first_look");
    let rebuilt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("log-marks.json")).unwrap())
            .unwrap();
    assert!(rebuilt.get(log.to_str().unwrap()).is_some(), "{rebuilt}");
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn process_found_by_port_with_its_resources() {
    let home = tempdir();
    let port = port_of(peer("EVERYTHING_HTTP_URL"));
    let (code, doc) = health_json(home.path(), &["--process", &format!("port:{port}")]);
    assert_ne!(code, 3, "{doc:#}");
    let p = obs(&doc, "process");
    let first = &p["processes"][0];
    assert_eq!(first["name"], "node");
    assert!(
        first["listening_ports"]
            .as_array()
            .unwrap()
            .contains(&json!(port)),
        "{p:#}"
    );
    assert!(first["rss_bytes"].as_u64().unwrap() > 0);
    assert!(
        first.get("cmdline").is_none(),
        "arguments may carry secrets and are never printed"
    );
    let t = p["target"].as_str().unwrap();
    assert_eq!(finding(&doc, t, "process")["status"], "ok");
    assert!(finding(&doc, t, "process_cpu")["value"].is_number());

    // the same process, by pid, must also listen on a port it does not: port_closed
    let pid = first["pid"].as_u64().unwrap();
    let cfg = config_with(
        home.path(),
        json!({"srv": {"process": {"pid": pid}, "port": closed_port()}}),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(finding(&doc, "srv", "port")["reason"], "port_closed");
}

#[test]
fn process_cpu_is_sampled_before_mcpmons_own_requests() {
    // The `busy` stub spins the CPU for 300 ms on every request and uses none when idle: a CPU sample
    // that overlaps mcpmon's own MCP check of it reads the load mcpmon caused (issue 18: 61-84 % on an
    // idle mcp-hub); one taken before the round's requests reads an idle server.
    let home = tempdir();
    let s = HttpStub::start("busy");
    let cfg = config_with(
        home.path(),
        json!({"busy": {"url": s.url("/mcp"), "process": {"port": s.port}}}),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    assert_ne!(code, 3, "{doc:#}");
    let cpu = finding(&doc, "busy", "process_cpu");
    let value = cpu["value"].as_f64().unwrap();
    assert!(
        value < 50.0,
        "the sample counted mcpmon's own load: {cpu:#}"
    );
    let message = cpu["message"].as_str().unwrap();
    assert!(
        message.contains("before mcpmon's own requests"),
        "the finding says what window it covers: {message}"
    );
    // the MCP check did make the server busy (the requests went out)
    assert_eq!(finding(&doc, "busy", "connect")["status"], "ok", "{doc:#}");
}

#[test]
fn missing_process_and_closed_port() {
    let home = tempdir();
    let (code, doc) = health_json(
        home.path(),
        &["--process", "no-such-mcp-server-anywhere-7f3a"],
    );
    assert_eq!(code, 2);
    assert_eq!(
        obs(&doc, "process")["failure"]["reason"],
        "process_not_found"
    );
    let (code, doc) = health_json(
        home.path(),
        &["--process", &format!("port:{}", closed_port())],
    );
    assert_eq!(code, 2);
    assert_eq!(obs(&doc, "process")["failure"]["reason"], "port_closed");
}

#[test]
fn system_probe_measures_the_disks_that_matter() {
    let home = tempdir();
    let state = home.path().join("state");
    let log = home.path().join("logs/app.log");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::write(&log, "INFO up\n").unwrap();
    let (code, doc) = health_json(
        home.path(),
        &[
            "--system",
            "--state-dir",
            state.to_str().unwrap(),
            "--log",
            log.to_str().unwrap(),
        ],
    );
    assert_ne!(code, 3, "{doc:#}");
    let h = obs(&doc, "host");
    assert!(h["cpus"].as_u64().unwrap() >= 1);
    assert!(h["memory_total_bytes"].as_u64().unwrap() > 0);
    let paths: Vec<&str> = h["disks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    // the state dir does not exist yet: its nearest existing ancestor is measured; then the log's dir
    assert_eq!(
        paths,
        [
            home.path().to_str().unwrap(),
            log.parent().unwrap().to_str().unwrap()
        ]
    );
    assert!(finding(&doc, "system", "host_memory")["value"].is_number());
}

#[test]
fn https_endpoint_reports_days_to_certificate_expiry() {
    let home = tempdir();
    // a small CA and a server certificate it signs, valid 20 days
    let (ca, cert, key) = ca_and_leaf(home.path(), 20);
    let s = HttpStub::start_with_env(
        "tls-json",
        &[
            ("STUB_CERT", cert.to_str().unwrap()),
            ("STUB_KEY", key.to_str().unwrap()),
        ],
    );
    let url = format!("https://127.0.0.1:{}/api/mcp/health", s.port);
    let cfg = config_with(
        home.path(),
        json!({
            "trusted": {"health_url": {"url": url, "ca_file": ca, "assert": {"/status": "ok"}}},
            "untrusted": {"health_url": url}
        }),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "trusted"]);
    assert_eq!(code, 1, "20 days left is below the 30-day warning: {doc:#}");
    let f = finding(&doc, "trusted", "tls_expiry");
    assert_eq!(f["status"], "warn");
    let days = f["value"].as_f64().unwrap();
    assert!((19.0..=20.1).contains(&days), "{f}");
    assert_eq!(finding(&doc, "trusted", "assert:/status")["status"], "ok");
    assert!(obs(&doc, "http")["tls_not_after"].is_string());
    // the same server without its CA: the certificate is not trusted
    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "untrusted"]);
    assert_eq!(code, 2);
    assert_eq!(
        obs(&doc, "http")["failure"]["reason"],
        "tls_error",
        "{doc:#}"
    );
}

#[test]
fn deep_never_reads_or_starts_what_a_hub_points_at() {
    // a hostile hub reports a config of its choosing, whose "server" would create a file
    let home = tempdir();
    let marker = home.path().join("started-by-the-hub");
    let config = home.path().join("hub-chosen.json");
    let cmd = format!("touch {}", marker.display());
    std::fs::write(
        &config,
        serde_json::json!({"mcpServers": {"pwn": {"command": "sh", "args": ["-c", cmd]}}})
            .to_string(),
    )
    .unwrap();
    let stub = HttpStub::start_with_env(
        "hostile-hub",
        &[("STUB_HUB_CONFIG", config.to_str().unwrap())],
    );
    let (_, doc) = health_json(home.path(), &["--hub", &stub.url(""), "--deep"]);
    assert!(
        !marker.exists(),
        "mcpmon started a command the hub pointed at: {doc:#}"
    );
    let note = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "deep")
        .expect("a deep note");
    assert!(
        note["message"].as_str().unwrap().contains("not read"),
        "{note:#}"
    );
    // named by the user, the same file is theirs to run
    let (_, doc) = health_json(
        home.path(),
        &[
            "--hub",
            &stub.url(""),
            "--deep",
            "--hub-config",
            config.to_str().unwrap(),
        ],
    );
    assert!(marker.exists(), "--hub-config was not used: {doc:#}");
}
