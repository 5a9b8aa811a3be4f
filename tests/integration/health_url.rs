//! A `health_url`'s fuller checks (issue 16): conditions on the body (against a real mcp-hub's
//! `/api/health`), metrics judged by rate, growth and age across runs (samples kept in the state
//! dir), and every number of a document shown.

use crate::common::*;
use serde_json::json;

fn message<'a>(doc: &'a serde_json::Value, target: &str, check: &str) -> &'a str {
    finding(doc, target, check)["message"].as_str().unwrap()
}

#[test]
fn body_conditions_hold_on_a_healthy_hub() {
    let home = tempdir();
    let cfg = config_with(
        home.path(),
        json!({"hub": {"health_url": {"url": peer("HUB_HEALTH_URL"), "assert": {
            "/status": {"in": ["ok", "degraded"]},
            "/state": "ready",
            "/version": {"matches": "^4\\.[0-9]+\\.[0-9]+$"},
            "/servers": {"len": 2},
            "/server_id": {"contains": "hub"},
            "/activeClients": {"ge": 0, "lt": 1000},
            "/timestamp": {"exists": true},
            "/maintenance": {"exists": false}
        }}}}),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    assert_eq!(code, 0, "{doc:#}");
    for check in [
        "assert:/status",
        "assert:/state",
        "assert:/version",
        "assert:/servers",
        "assert:/server_id",
        "assert:/activeClients",
        "assert:/timestamp",
        "assert:/maintenance",
    ] {
        assert_eq!(
            finding(&doc, "hub", check)["status"],
            "ok",
            "{check}: {doc:#}"
        );
    }
    assert_eq!(
        message(&doc, "hub", "assert:/status"),
        "/status is \"ok\": one of [\"ok\",\"degraded\"]"
    );
}

#[test]
fn body_conditions_that_do_not_hold_say_why() {
    let home = tempdir();
    let cfg = config_with(
        home.path(),
        json!({"hub": {"health_url": {"url": peer("HUB_HEALTH_URL"), "assert": {
            "/status": {"in": ["degraded", "down"]},
            "/version": {"matches": "^5\\."},
            "/servers": {"len": 3},
            "/activeClients": {"gt": 1000},
            "/server_id": {"contains": "gateway"},
            "/state": {"exists": false}
        }}}}),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    assert_eq!(code, 2, "{doc:#}");
    for (check, why) in [
        (
            "assert:/status",
            "/status is \"ok\", expected one of [\"degraded\",\"down\"]",
        ),
        ("assert:/version", "does not match /^5\\./"),
        ("assert:/servers", "/servers has length 2, expected 3"),
        ("assert:/activeClients", "expected > 1000"),
        ("assert:/server_id", "does not contain \"gateway\""),
        (
            "assert:/state",
            "/state is \"ready\", expected it to be absent",
        ),
    ] {
        let f = finding(&doc, "hub", check);
        assert_eq!(f["status"], "crit", "{f}");
        assert_eq!(f["reason"], "assertion_failed", "{f}");
        assert!(f["message"].as_str().unwrap().contains(why), "{why}: {f}");
    }
}

#[test]
fn a_bad_regex_is_a_one_line_config_error_naming_its_key() {
    let home = tempdir();
    let cfg = config_with(
        home.path(),
        json!({"gw": {"health_url": {"url": "http://127.0.0.1:9/stats",
            "assert": {"/name": {"matches": "^gw-[0-9+$"}}}}}),
    );
    let (code, stdout, stderr) = run(home.path(), &["health", "-c", &cfg]);
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("targets.gw.health_url.assert./name.matches: is not a valid regex"),
        "{stderr}"
    );
}

#[test]
fn a_rate_needs_a_second_run_then_judges_the_change() {
    let s = HttpStub::start("health-json");
    let home = tempdir();
    // /counter: totalRequests grows by one per request, errors stays 0
    let cfg = config_with(
        home.path(),
        json!({"app": {"health_url": {"url": s.url("/counter"), "metrics": {
            "requests": {"pointer": "/llm/totalRequests", "rate": "1d", "warn": 0},
            "errors": {"pointer": "/llm/errors", "increasing": true}
        }}}}),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    assert_eq!(
        code, 0,
        "the first run has nothing to compare with: {doc:#}"
    );
    let f = finding(&doc, "app", "metric:requests");
    assert_eq!(f["status"], "ok");
    assert!(f["value"].is_null(), "{f}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("rate needs a second sample"),
        "{f}"
    );
    assert!(
        message(&doc, "app", "metric:errors").contains("growth needs a second sample"),
        "{doc:#}"
    );

    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    assert_eq!(code, 1, "{doc:#}");
    let f = finding(&doc, "app", "metric:requests");
    assert_eq!(f["status"], "warn", "{f}");
    assert!(f["value"].as_f64().unwrap() > 0.0, "{f}");
    assert!(
        f["message"].as_str().unwrap().contains("/1d (1 → 2 in"),
        "{f}"
    );
    let e = finding(&doc, "app", "metric:errors");
    assert_eq!(e["status"], "warn", "{e}");
    assert_eq!(e["reason"], "stalled", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("errors stayed at 0"),
        "{e}"
    );

    // one sample per target and metric, however many runs
    health_json(home.path(), &["-c", &cfg]);
    let file = home.path().join(".state/mcpmon/metric-samples.json");
    let kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let metrics = kept["samples"]["app"].as_object().unwrap();
    assert_eq!(metrics.len(), 2, "{kept:#}");
    assert_eq!(metrics["requests"]["value"], 3.0, "{kept:#}");
}

#[test]
fn a_counter_reset_is_reported_not_read_as_negative() {
    let home = tempdir();
    let targets = |url: String| {
        json!({"app": {"health_url": {"url": url, "metrics": {
            "requests": {"pointer": "/llm/totalRequests", "rate": "1h", "below": true, "warn": 0}
        }}}})
    };
    {
        // the app counts 1, 2, 3 requests, then restarts
        let s = HttpStub::start("health-json");
        let cfg = config_with(home.path(), targets(s.url("/counter")));
        for _ in 0..3 {
            health_json(home.path(), &["-c", &cfg]);
        }
    }
    let s = HttpStub::start("health-json");
    let cfg = config_with(home.path(), targets(s.url("/counter")));
    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    let f = finding(&doc, "app", "metric:requests");
    assert_eq!(code, 0, "a rate below 0 would be a WARN here: {doc:#}");
    assert_eq!(f["status"], "ok", "{f}");
    assert!(f["value"].as_f64().unwrap() > 0.0, "{f}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("counter reset since the last sample: was 3, now 1; counted from 0"),
        "{f}"
    );
}

#[test]
fn a_timestamp_is_judged_by_its_age() {
    let s = HttpStub::start("health-json");
    let home = tempdir();
    let cfg = config_with(
        home.path(),
        json!({
            "xero": {"health_url": {"url": s.url("/sync/status"), "metrics": {
                "last_sync": {"pointer": "/xero/lastSync", "max_age": "45m"}}}},
            "stripe": {"health_url": {"url": s.url("/sync/status"), "metrics": {
                "last_sync": {"pointer": "/stripe/lastSync", "max_age": "45m"}}}},
            "hub": {"health_url": {"url": peer("HUB_HEALTH_URL"), "metrics": {
                "generated": {"pointer": "/timestamp", "max_age": "5m"}}}}
        }),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    assert_eq!(code, 2, "{doc:#}");
    let fresh = finding(&doc, "xero", "metric:last_sync");
    assert_eq!(fresh["status"], "ok", "{fresh}");
    assert_eq!(fresh["unit"], "s");
    assert!(fresh["value"].as_f64().unwrap() < 2700.0, "{fresh}");
    // a real server's RFC 3339 timestamp
    assert_eq!(
        finding(&doc, "hub", "metric:generated")["status"],
        "ok",
        "{doc:#}"
    );
    let stale = finding(&doc, "stripe", "metric:last_sync");
    assert_eq!(stale["status"], "crit", "{stale}");
    assert_eq!(stale["reason"], "threshold");
    assert!(
        stale["message"]
            .as_str()
            .unwrap()
            .contains("old (max_age 45 min: WARN beyond it, CRIT beyond 1 h 30 min)"),
        "{stale}"
    );
}

#[test]
fn every_number_of_a_document_can_be_shown() {
    let s = HttpStub::start("health-json");
    let home = tempdir();
    let thresholds = home.path().join("alerts.json");
    std::fs::write(
        &thresholds,
        r#"{"warning": {"llm_success_rate": 0.95, "cache_hit_rate": 0.80}}"#,
    )
    .unwrap();
    let t = thresholds.to_str().unwrap();
    let url = s.url("/stats");
    let args = ["--stats-url", &url, "--thresholds", t, "--all-metrics"];
    let (code, doc) = health_json(home.path(), &args);
    assert_eq!(code, 0, "shown numbers are never a failure: {doc:#}");
    let target = only_obs(&doc)["target"].as_str().unwrap().to_string();
    for (check, value) in [
        ("metric:cache.size", 120.0),
        ("metric:queue.processed", 880.0),
        ("metric:llm.totalRequests", 1200.0),
    ] {
        let f = finding(&doc, &target, check);
        assert_eq!(
            (f["status"].as_str(), f["value"].as_f64()),
            (Some("ok"), Some(value)),
            "{f}"
        );
    }
    let shown: Vec<&str> = only_obs(&doc)["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["shown"] == true)
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert!(shown.contains(&"cache.hitRate"), "{shown:?}");

    let mut all = vec!["health"];
    all.extend_from_slice(&args);
    let (_, table, _) = run(home.path(), &all);
    assert!(table.contains("└ cache.size"), "{table}");
    assert!(table.contains("└ queue.processed"), "{table}");
    all.extend_from_slice(&["--format", "prometheus"]);
    let (_, prom, _) = run(home.path(), &all);
    assert!(
        prom.contains("check=\"metric:queue.processed\"} 880"),
        "{prom}"
    );

    // without the flag, only the thresholds' metrics
    let (_, doc) = health_json(home.path(), &args[..4]);
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["check"] != "metric:cache.size"),
        "{doc:#}"
    );
}

#[test]
fn all_metrics_of_a_real_hub_document_and_a_prometheus_page() {
    let s = HttpStub::start("health-json");
    let home = tempdir();
    let cfg = config_with(
        home.path(),
        json!({
            "hub": {"health_url": {"url": peer("HUB_HEALTH_URL"), "metrics": "all"}},
            "prom": {"health_url": {"url": s.url("/metrics"), "metrics": "all"}}
        }),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(finding(&doc, "hub", "metric:activeClients")["status"], "ok");
    let q = finding(&doc, "prom", "metric:mcp_queue_depth");
    assert_eq!(q["value"], 12.0);
    let e = finding(
        &doc,
        "prom",
        "metric:mcp_requests_total{server=\"a\",code=\"500\"}",
    );
    assert_eq!(e["value"], 3.0);
}
