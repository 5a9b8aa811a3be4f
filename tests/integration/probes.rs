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
}

fn config_with(home: &std::path::Path, targets: serde_json::Value) -> String {
    let cfg = home.join("mcpmon.json");
    std::fs::write(&cfg, json!({ "targets": targets }).to_string()).unwrap();
    cfg.display().to_string()
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
