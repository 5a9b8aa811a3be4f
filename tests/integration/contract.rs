//! The JSON contract: real output deserialised into `deny_unknown_fields` structs, so a renamed or
//! removed key fails here (and must bump schema_version), and missing numbers are `null`, not absent.

#![allow(dead_code)]

use crate::common::*;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    schema_version: u32,
    command: String,
    mcpmon_version: String,
    generated_at: String,
    status: String,
    exit_code: u8,
    summary: Summary,
    findings: Vec<Finding>,
    observations: Vec<Observation>,
    /// `alerts` only.
    #[serde(default)]
    events: Option<Vec<AlertEvent>>,
    /// `alerts` only.
    #[serde(default)]
    outbox: Option<Outbox>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertEvent {
    target: String,
    probe: String,
    check: String,
    event: String,
    status: String,
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Outbox {
    pending: usize,
    entries: Vec<OutboxEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutboxEntry {
    channel: String,
    created_at: String,
    attempts: u32,
    events: usize,
    last_error: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Summary {
    targets: usize,
    ok: usize,
    warn: usize,
    crit: usize,
    unknown: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Finding {
    target: String,
    probe: String,
    check: String,
    status: String,
    reason: Option<String>,
    message: String,
    value: Option<f64>,
    warn: Option<f64>,
    crit: Option<f64>,
    unit: Option<String>,
    lower_is_worse: bool,
    /// `validate` only.
    #[serde(default)]
    section: Option<String>,
    /// `alerts` only: a firing alert a silence or maintenance window mutes.
    #[serde(default)]
    silenced: Option<Silenced>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Silenced {
    status: String,
    by: String,
    until: String,
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Failure {
    reason: String,
    message: String,
    http_status: Option<u16>,
    auth_challenge: Option<Challenge>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Challenge {
    scheme: String,
    params: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Server {
    name: String,
    version: String,
    title: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    method: String,
    ok: bool,
    latency_ms: f64,
    http_status: Option<u16>,
    content_type: Option<String>,
    ttfb_ms: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Observation {
    target: String,
    kind: String,
    status: String,
    endpoint: String,
    started_at: String,
    duration_ms: f64,
    failure: Option<Failure>,
    transport: Option<String>,
    era: Option<String>,
    revision: Option<String>,
    server: Option<Server>,
    capabilities: Vec<String>,
    handshake_ms: Option<f64>,
    ready_ms: Option<f64>,
    liveness_method: Option<String>,
    liveness_ms: Option<f64>,
    liveness_failure: Option<Failure>,
    tools_count: Option<usize>,
    tools: Option<Vec<String>>,
    tools_failure: Option<Failure>,
    prompts_count: Option<usize>,
    resources_count: Option<usize>,
    requests: Vec<Request>,
    detection: Vec<String>,
    protocol_faults: Vec<String>,
    notifications: u64,
    server_requests: Vec<String>,
    stderr_tail: Vec<String>,
    close: Option<String>,
    child: Option<Child>,
    calls: Vec<Call>,
    tls_not_after: Option<String>,
    tls_days_left: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Call {
    check: String,
    method: String,
    name: String,
    called: bool,
    latency_ms: Option<f64>,
    is_error: Option<bool>,
    text_bytes: Option<usize>,
    failure: Option<Failure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Child {
    pid: u32,
    rss_bytes: Option<u64>,
    threads: Option<u64>,
    open_fds: Option<u64>,
}

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

fn parse(stdout: &str) -> Doc {
    serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("the JSON contract changed: {e}\n{stdout}"))
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
    assert_eq!(doc.schema_version, 1);
    assert_eq!(doc.command, "health");
    assert_eq!(doc.status, "crit");
    assert_eq!(doc.summary.targets, 2);
    assert!(chrono::DateTime::parse_from_rfc3339(&doc.generated_at).is_ok());
    let ok = doc
        .observations
        .iter()
        .find(|o| o.transport.as_deref() == Some("stdio"))
        .unwrap();
    assert_eq!(ok.status, "ok");
    assert_eq!(ok.tools_count, Some(3));
    // the stdio server's own resources were sampled while it ran
    let child = ok.child.as_ref().expect("child resources");
    assert!(child.rss_bytes.unwrap_or(0) > 0);
    let bad = doc
        .observations
        .iter()
        .find(|o| o.failure.is_some())
        .unwrap();
    assert_eq!(bad.failure.as_ref().unwrap().reason, "auth_required");
    // every key is present even when it has no value: a missing number is null, never absent or 0
    let raw: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let bad_raw = raw["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| !o["failure"].is_null())
        .unwrap();
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
    assert_eq!(doc.command, "alerts");
    let events = doc.events.expect("events");
    assert_eq!(events[0].event, "firing");
    let outbox = doc.outbox.expect("outbox");
    assert_eq!(outbox.pending, 1);
    assert_eq!(outbox.entries.len(), 1);
    let e = &outbox.entries[0];
    assert_eq!((e.attempts, e.events), (1, 1));
    assert!(
        e.channel.starts_with("webhook (http://127.0.0.1:"),
        "{}",
        e.channel
    );
    assert!(chrono::DateTime::parse_from_rfc3339(&e.created_at).is_ok());
    assert!(e.last_error.is_some());
    // health has neither key
    let (_, stdout, _) = run(home.path(), &["health", "--format", "json", &down]);
    let doc = parse(&stdout);
    assert!(doc.events.is_none() && doc.outbox.is_none());
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
    assert_eq!(doc.findings.iter().filter(|f| f.status != "ok").count(), 0);
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
