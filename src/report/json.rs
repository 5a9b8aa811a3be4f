//! The JSON contract (`--format json` / `jsonl`): wire structs, separate from domain types, so a
//! renamed field in the code cannot silently rename a key. Keys are snake_case with units in their
//! names; a missing number is `null`. Adding keys is fine; renaming or removing one bumps SCHEMA_VERSION.

use super::{Finding, Report};
use crate::failure::{AuthChallenge, Failure};
use crate::probe::mcp::Observation;
use crate::status::Status;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct WireReport<'a> {
    schema_version: u32,
    command: &'a str,
    mcpmon_version: &'a str,
    generated_at: String,
    status: &'a str,
    exit_code: u8,
    summary: WireSummary,
    findings: Vec<WireFinding<'a>>,
    observations: Vec<WireObservation<'a>>,
}

#[derive(Serialize)]
struct WireSummary {
    targets: usize,
    ok: usize,
    warn: usize,
    crit: usize,
    unknown: usize,
}

#[derive(Serialize)]
struct WireFinding<'a> {
    target: &'a str,
    check: &'a str,
    status: &'a str,
    reason: Option<&'a str>,
    message: &'a str,
    value: Option<f64>,
    warn: Option<f64>,
    crit: Option<f64>,
}

#[derive(Serialize)]
struct WireFailure<'a> {
    reason: &'a str,
    message: &'a str,
    http_status: Option<u16>,
    auth_challenge: Option<WireChallenge<'a>>,
}

#[derive(Serialize)]
struct WireChallenge<'a> {
    scheme: &'a str,
    params: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
struct WireServer<'a> {
    name: &'a str,
    version: &'a str,
    title: Option<&'a str>,
}

#[derive(Serialize)]
struct WireRequest<'a> {
    method: &'a str,
    ok: bool,
    latency_ms: f64,
    http_status: Option<u16>,
    content_type: Option<&'a str>,
    ttfb_ms: Option<f64>,
}

#[derive(Serialize)]
struct WireObservation<'a> {
    target: &'a str,
    kind: &'a str,
    status: &'a str,
    endpoint: &'a str,
    started_at: String,
    duration_ms: f64,
    failure: Option<WireFailure<'a>>,
    transport: Option<&'a str>,
    era: Option<&'a str>,
    revision: Option<&'a str>,
    server: Option<WireServer<'a>>,
    capabilities: &'a [String],
    handshake_ms: Option<f64>,
    ready_ms: Option<f64>,
    liveness_method: Option<&'a str>,
    liveness_ms: Option<f64>,
    liveness_failure: Option<WireFailure<'a>>,
    tools_count: Option<usize>,
    tools: Option<&'a [String]>,
    tools_failure: Option<WireFailure<'a>>,
    prompts_count: Option<usize>,
    resources_count: Option<usize>,
    requests: Vec<WireRequest<'a>>,
    detection: &'a [String],
    protocol_faults: &'a [String],
    notifications: u64,
    server_requests: &'a [String],
    stderr_tail: &'a [String],
    close: Option<&'a str>,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

fn failure(f: &Failure) -> WireFailure<'_> {
    WireFailure {
        reason: f.reason.as_str(),
        message: &f.message,
        http_status: f.http_status,
        auth_challenge: f
            .auth_challenge
            .as_ref()
            .map(|c: &AuthChallenge| WireChallenge {
                scheme: &c.scheme,
                params: &c.params,
            }),
    }
}

fn finding(f: &Finding) -> WireFinding<'_> {
    WireFinding {
        target: &f.target,
        check: &f.check,
        status: f.status.as_str(),
        reason: f.reason.map(|r| r.as_str()),
        message: &f.message,
        value: f.value,
        warn: f.warn,
        crit: f.crit,
    }
}

fn observation<'a>(o: &'a Observation, status: Status) -> WireObservation<'a> {
    let m = &o.mcp;
    let (liveness_ms, liveness_failure) = match &m.liveness {
        Some((_, Ok(d))) => (Some(ms(*d)), None),
        Some((_, Err(f))) => (None, Some(failure(f))),
        None => (None, None),
    };
    let (tools, tools_failure) = match &m.tools {
        Some(Ok(t)) => (Some(t.as_slice()), None),
        Some(Err(f)) => (None, Some(failure(f))),
        None => (None, None),
    };
    WireObservation {
        target: &o.target,
        kind: "mcp",
        status: status.as_str(),
        endpoint: &o.endpoint,
        started_at: o
            .started_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        duration_ms: ms(o.duration),
        failure: o.failure.as_ref().map(failure),
        transport: m.wire.map(|w| w.as_str()),
        era: m.era.map(|e| e.as_str()),
        revision: m.revision.as_deref(),
        server: m.server.as_ref().map(|s| WireServer {
            name: &s.name,
            version: &s.version,
            title: s.title.as_deref(),
        }),
        capabilities: &m.capabilities,
        handshake_ms: m.handshake.map(ms),
        ready_ms: m.ready.map(ms),
        liveness_method: m.liveness.as_ref().map(|(meth, _)| meth.as_str()),
        liveness_ms,
        liveness_failure,
        tools_count: tools.map(<[String]>::len),
        tools,
        tools_failure,
        prompts_count: m.prompts.as_ref().and_then(|r| r.as_ref().ok().copied()),
        resources_count: m.resources.as_ref().and_then(|r| r.as_ref().ok().copied()),
        requests: m
            .requests
            .iter()
            .map(|r| WireRequest {
                method: &r.method,
                ok: r.ok,
                latency_ms: ms(r.latency),
                http_status: r.http.as_ref().map(|h| h.status),
                content_type: r
                    .http
                    .as_ref()
                    .map(|h| h.content_type.as_str())
                    .filter(|c| !c.is_empty()),
                ttfb_ms: r
                    .http
                    .as_ref()
                    .filter(|h| !h.ttfb.is_zero())
                    .map(|h| ms(h.ttfb)),
            })
            .collect(),
        detection: &m.detection,
        protocol_faults: &m.faults,
        notifications: m.notifications,
        server_requests: &m.server_requests,
        stderr_tail: &m.stderr_tail,
        close: m.close.as_deref(),
    }
}

fn wire(report: &Report) -> WireReport<'_> {
    let status = report.status();
    let c = report.counts();
    WireReport {
        schema_version: SCHEMA_VERSION,
        command: report.command,
        mcpmon_version: env!("CARGO_PKG_VERSION"),
        generated_at: report
            .generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        status: status.as_str(),
        exit_code: status.exit_code(),
        summary: WireSummary {
            targets: c.total(),
            ok: c.ok,
            warn: c.warn,
            crit: c.crit,
            unknown: c.unknown,
        },
        findings: report.findings.iter().map(finding).collect(),
        observations: report
            .observations
            .iter()
            .map(|o| observation(o, report.target_status(&o.target)))
            .collect(),
    }
}

/// Pretty JSON document followed by a newline.
pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &wire(report))?;
    out.write_all(b"\n")
}

/// The same document on a single line (JSON Lines).
pub fn render_line(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &wire(report))?;
    out.write_all(b"\n")
}
