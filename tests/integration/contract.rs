//! The JSON contract on real output: every document valid under the published schema
//! (schema/report.v1.json, closed objects: a renamed or removed key fails here and must bump
//! schema_version), its values right, and missing numbers `null`, not absent; and the Nagios and
//! Prometheus formats carrying the same verdict.

use crate::common::*;
use serde_json::Value;

const NULLABLE: &[&str] = &[
    "failure",
    "transport",
    "era",
    "revision",
    "server",
    "handshake_ms",
    "ready_ms",
    "liveness_method",
    "liveness_ms",
    "liveness_failure",
    "tools_count",
    "tools",
    "tools_failure",
    "prompts_count",
    "resources_count",
    "close",
    "child",
    "tls_not_after",
    "tls_days_left",
];

/// The document on stdout, checked against the schema.
fn parse(stdout: &str) -> Value {
    let doc: Value = serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("not one JSON document: {e}\n{stdout}"));
    crate::schema::assert_valid(&doc);
    doc
}

#[test]
fn healthy_and_failed_targets_match_the_schema() {
    let home = tempdir();
    let m = marker("contract");
    let auth = HttpStub::start("auth");
    let url = auth.url("/mcp");
    let args = with_stub(&["health", "--format", "json", url.as_str()], "ok", &m);
    let (code, stdout, _) = run(home.path(), &args);
    let doc = parse(&stdout);
    assert_eq!(code, 2);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["command"], "health");
    assert_eq!(doc["status"], "crit");
    assert_eq!(doc["summary"]["targets"], 2);
    assert!(chrono::DateTime::parse_from_rfc3339(doc["generated_at"].as_str().unwrap()).is_ok());
    let obs = doc["observations"].as_array().unwrap();
    let ok = obs.iter().find(|o| o["transport"] == "stdio").unwrap();
    assert_eq!(ok["status"], "ok");
    assert_eq!(ok["tools_count"], 3);
    // the stdio server's own resources were sampled while it ran
    assert!(ok["child"]["rss_bytes"].as_u64().unwrap_or(0) > 0, "{ok:#}");
    let bad_raw = obs.iter().find(|o| !o["failure"].is_null()).unwrap();
    assert_eq!(bad_raw["failure"]["reason"], "auth_required");
    // every key is present even when it has no value: a missing number is null, never absent or 0
    for key in NULLABLE {
        assert!(bad_raw.get(*key).is_some(), "key {key} is missing");
    }
    assert!(bad_raw["handshake_ms"].is_null());
    assert!(bad_raw["tools_count"].is_null());
}

#[test]
fn alerts_events_and_outbox_match_the_schema() {
    let home = tempdir();
    let state = home.path().join("state");
    let down = format!("http://127.0.0.1:{}/mcp", closed_port());
    let hook = format!("webhook:http://127.0.0.1:{}/hook", closed_port());
    let (code, stdout, _) = run(
        home.path(),
        &[
            "alerts",
            "--format",
            "json",
            "--state-dir",
            state.to_str().unwrap(),
            "--notify",
            &hook,
            &down,
        ],
    );
    assert_eq!(code, 2);
    let doc = parse(&stdout);
    assert_eq!(doc["command"], "alerts");
    assert_eq!(doc["events"][0]["event"], "firing");
    let outbox = &doc["outbox"];
    assert_eq!(outbox["pending"], 1);
    assert_eq!(outbox["entries"].as_array().map(Vec::len), Some(1));
    let e = &outbox["entries"][0];
    assert_eq!(
        (&e["attempts"], &e["events"]),
        (&Value::from(1), &Value::from(1))
    );
    let channel = e["channel"].as_str().unwrap();
    assert!(
        channel.starts_with("webhook (http://127.0.0.1:"),
        "{channel}"
    );
    assert!(chrono::DateTime::parse_from_rfc3339(e["created_at"].as_str().unwrap()).is_ok());
    assert!(e["last_error"].is_string(), "{e:#}");
    // health has neither key
    let (_, stdout, _) = run(home.path(), &["health", "--format", "json", &down]);
    let doc = parse(&stdout);
    assert!(doc["events"].is_null() && doc["outbox"].is_null());
}

#[test]
fn jsonl_is_the_same_document_on_one_line() {
    let home = tempdir();
    let m = marker("jsonl");
    let args = with_stub(&["health", "--format", "jsonl"], "ok", &m);
    let (code, stdout, _) = run(home.path(), &args);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 1);
    let doc = parse(stdout.trim_end());
    let findings = doc["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f["status"] == "ok"), "{doc:#}");
}

#[test]
fn nagios_and_prometheus_outputs_carry_the_same_verdict() {
    let home = tempdir();
    let m = marker("formats");
    let down = format!("http://127.0.0.1:{}/mcp", closed_port());
    let args = with_stub(&["health", "--format", "nagios", down.as_str()], "ok", &m);
    let (code, out, _) = run(home.path(), &args);
    assert_eq!(code, 2);
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("MCPMON CRITICAL - 2 targets: 1 OK, 1 CRIT; "),
        "{first}"
    );
    let (text, perf) = first.split_once(" | ").expect("perfdata after |");
    assert!(text.contains("connect"), "{text}");
    // perfdata: 'label'=value[UOM];warn;crit;min;max for every numeric finding
    // (labels are quoted and may hold spaces)
    let mut rest = perf.trim();
    let mut items = 0;
    while !rest.is_empty() {
        assert!(rest.starts_with('\''), "{rest}");
        let close = rest[1..].find("'=").unwrap() + 1;
        let after = &rest[close + 2..];
        let end = after.find(" '").unwrap_or(after.len());
        assert_eq!(after[..end].split(';').count(), 5, "{}", &after[..end]);
        rest = after[end..].trim_start();
        items += 1;
    }
    assert!(items >= 4, "{perf}");
    assert!(perf.contains("/tools'=3;;;0;"), "{perf}");
    assert!(
        out.lines().nth(1).unwrap().starts_with("CRIT 127.0.0.1:"),
        "{out}"
    );

    let args = with_stub(
        &["health", "--format", "prometheus", down.as_str()],
        "ok",
        &m,
    );
    let (code, out, _) = run(home.path(), &args);
    assert_eq!(code, 2);
    for line in out.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
        assert!(series.starts_with("mcpmon_"), "{line}");
    }
    assert!(
        out.contains("mcpmon_status{command=\"health\"} 2\n"),
        "{out}"
    );
    assert!(out.contains(",check=\"connect\"} 2\n"), "{out}");
}
