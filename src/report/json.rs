//! The JSON contract (`--format json` / `jsonl`): wire structs, separate from domain types, so a
//! renamed field in the code cannot silently rename a key. Keys are snake_case with units in their
//! names; a missing number is `null`. Adding keys is fine; renaming or removing one bumps SCHEMA_VERSION.

use super::Report;
use crate::model::AuthChallenge;
use crate::model::Counted;
use crate::model::Facts;
use crate::model::Failure;
use crate::model::Finding;
use crate::model::Growth;
use crate::model::Observation;
use crate::model::Status;

use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct WireReport<'a> {
    #[serde(flatten)]
    head: WireHead<'a>,
    summary: WireSummary,
    findings: Vec<WireFinding<'a>>,
    observations: Vec<WireObservation<'a>>,
    /// `alerts` only: the state changes of this run.
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<Vec<WireEvent<'a>>>,
    /// `alerts` only: the notifications not delivered yet (after this run's deliveries).
    #[serde(skip_serializing_if = "Option::is_none")]
    outbox: Option<WireOutbox<'a>>,
}

#[derive(Serialize)]
struct WireOutbox<'a> {
    pending: usize,
    /// Oldest first.
    entries: Vec<WireOutboxEntry<'a>>,
}

#[derive(Serialize)]
struct WireOutboxEntry<'a> {
    /// Kind, scheme and host only: `webhook (https://example.com)`.
    channel: &'a str,
    created_at: String,
    attempts: u32,
    events: usize,
    last_error: Option<&'a str>,
}

#[derive(Serialize)]
struct WireEvent<'a> {
    target: &'a str,
    probe: &'a str,
    check: &'a str,
    event: &'a str,
    status: &'a str,
    message: &'a str,
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
    probe: &'a str,
    check: &'a str,
    status: &'a str,
    reason: Option<&'a str>,
    message: &'a str,
    value: Option<f64>,
    warn: Option<f64>,
    crit: Option<f64>,
    /// `ms`, `%`, `B`, `MB`, `MiB`, `d`, `count`, or null.
    unit: Option<&'a str>,
    /// The bounds are lower limits (a rate, days to expiry).
    lower_is_worse: bool,
    /// `validate` only: the report section (config, process, network, api, mcp, conformance, logs,
    /// resources).
    #[serde(skip_serializing_if = "Option::is_none")]
    section: Option<&'a str>,
    /// `alerts` only: the alert fires but is silenced (a silence or a maintenance window); `status`
    /// is then `ok` and this says the level it fires at.
    #[serde(skip_serializing_if = "Option::is_none")]
    silenced: Option<WireSilenced<'a>>,
}

#[derive(Serialize)]
struct WireSilenced<'a> {
    /// The level the alert fires at.
    status: &'a str,
    /// `silence ID` or `maintenance WINDOW`.
    by: &'a str,
    until: String,
    comment: Option<&'a str>,
}

/// The keys every document starts with.
#[derive(Serialize)]
struct WireHead<'a> {
    schema_version: u32,
    command: &'a str,
    mcpmon_version: &'a str,
    generated_at: String,
    status: &'a str,
    exit_code: u8,
}

fn head(report: &Report) -> WireHead<'_> {
    let status = report.status();
    WireHead {
        schema_version: SCHEMA_VERSION,
        command: report.command,
        mcpmon_version: env!("CARGO_PKG_VERSION"),
        generated_at: report
            .generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        status: status.as_str(),
        exit_code: status.exit_code(),
    }
}

/// `mcpmon silence add|list|rm`: the silences (in force, or the one added or removed).
#[derive(Serialize)]
struct WireSilences<'a> {
    #[serde(flatten)]
    head: WireHead<'a>,
    silences: Vec<WireSilence<'a>>,
}

#[derive(Serialize)]
struct WireSilence<'a> {
    id: &'a str,
    matches: &'a str,
    starts_at: String,
    ends_at: String,
    /// Seconds until it ends (0 once it has).
    remaining_s: i64,
    comment: Option<&'a str>,
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

/// An observation on the wire: the common keys, then the keys of its kind.
#[derive(Serialize)]
#[serde(untagged)]
enum WireObservation<'a> {
    Mcp(Box<WireMcp<'a>>),
    Hub(WireHub<'a>),
    Http(WireHttp<'a>),
    Tcp(WireTcp<'a>),
    Cert(WireCert<'a>),
    Log(WireLog<'a>),
    Process(WireProcess<'a>),
    Host(WireHost<'a>),
    Load(WireLoad<'a>),
}

#[derive(Serialize)]
struct WireLatency {
    min_ms: f64,
    mean_ms: f64,
    p50_ms: f64,
    p90_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    p999_ms: f64,
    max_ms: f64,
}

impl WireLatency {
    /// The summary of the successful requests; none when there were none.
    fn of(stats: &crate::model::stats::LatencyStats) -> Option<WireLatency> {
        let s = stats.summary();
        (s.count > 0).then_some(WireLatency {
            min_ms: s.min,
            mean_ms: crate::model::stats::round3(s.mean),
            p50_ms: s.p50,
            p90_ms: s.p90,
            p95_ms: s.p95,
            p99_ms: s.p99,
            p999_ms: s.p999,
            max_ms: s.max,
        })
    }
}

#[derive(Serialize)]
struct WireBucket {
    le_ms: f64,
    count: u64,
}

#[derive(Serialize)]
struct WireLoad<'a> {
    #[serde(flatten)]
    common: WireCommon<'a>,
    method: &'a str,
    revision: Option<&'a str>,
    concurrency: u32,
    requests: u64,
    ok: u64,
    errors: std::collections::BTreeMap<&'a str, u64>,
    success_percent: Option<f64>,
    elapsed_ms: f64,
    requests_per_second: f64,
    latency: Option<WireLatency>,
    /// Time to first byte of the successful responses (Streamable HTTP and plain HTTP; null otherwise).
    ttfb: Option<WireLatency>,
    histogram: Vec<WireBucket>,
    failed_sessions: u32,
    /// The fixed request rate (`-q`); latencies then run from each intended start.
    rate_per_second: Option<f64>,
    /// Stopped early (Ctrl-C): the numbers are for what ran.
    interrupted: bool,
}

#[derive(Serialize)]
struct WireProcessInfo<'a> {
    pid: u32,
    /// The process name only: arguments may carry secrets and are never printed.
    name: &'a str,
    uptime_s: Option<f64>,
    cpu_percent: Option<f64>,
    rss_bytes: Option<u64>,
    memory_percent: Option<f64>,
    threads: Option<u64>,
    open_fds: Option<u64>,
    listening_ports: &'a [u16],
}

#[derive(Serialize)]
struct WireProcess<'a> {
    #[serde(flatten)]
    common: WireCommon<'a>,
    selector: &'a str,
    processes: Vec<WireProcessInfo<'a>>,
}

#[derive(Serialize)]
struct WireDisk {
    path: String,
    mount_point: String,
    total_bytes: u64,
    available_bytes: u64,
    used_percent: f64,
}

#[derive(Serialize)]
struct WireHost<'a> {
    #[serde(flatten)]
    common: WireCommon<'a>,
    cpus: usize,
    cpu_percent: Option<f64>,
    load_average: Option<[f64; 3]>,
    memory_total_bytes: u64,
    memory_available_bytes: u64,
    memory_used_percent: f64,
    swap_total_bytes: u64,
    swap_used_bytes: u64,
    disks: Vec<WireDisk>,
    uptime_s: Option<u64>,
}

#[derive(Serialize)]
struct WireCommon<'a> {
    target: &'a str,
    kind: &'a str,
    status: &'a str,
    endpoint: &'a str,
    started_at: String,
    duration_ms: f64,
    failure: Option<WireFailure<'a>>,
}

#[derive(Serialize)]
struct WireCounts {
    tools: Option<usize>,
    resources: Option<usize>,
    resource_templates: Option<usize>,
    prompts: Option<usize>,
}

#[derive(Serialize)]
struct WireHubServer<'a> {
    name: &'a str,
    status: Option<&'a str>,
    error: Option<&'a str>,
    uptime_s: Option<f64>,
    transport: Option<&'a str>,
    counts: WireCounts,
    server_name: Option<&'a str>,
    server_version: Option<&'a str>,
    last_started: Option<&'a str>,
}

#[derive(Serialize)]
struct WireHub<'a> {
    #[serde(flatten)]
    common: WireCommon<'a>,
    http_status: Option<u16>,
    latency_ms: Option<f64>,
    state: Option<&'a str>,
    hub_status: Option<&'a str>,
    version: Option<&'a str>,
    server_id: Option<&'a str>,
    active_clients: Option<u64>,
    hub_started_at: Option<&'a str>,
    workspaces: Option<usize>,
    registered: Option<WireCounts>,
    servers: Vec<WireHubServer<'a>>,
    missing_fields: &'a [String],
    filtering: Option<&'a serde_json::Map<String, serde_json::Value>>,
    /// HTTPS: the hub's certificate.
    tls_not_after: Option<String>,
    tls_days_left: Option<f64>,
}

#[derive(Serialize)]
struct WireAssert<'a> {
    pointer: &'a str,
    expected: serde_json::Value,
    actual: Option<&'a serde_json::Value>,
    ok: bool,
}

#[derive(Serialize)]
struct WireMetric<'a> {
    name: &'a str,
    /// What was read: a number, or a timestamp (epoch seconds) for `max_age`.
    value: Option<f64>,
    warn: Option<f64>,
    crit: Option<f64>,
    lower_is_worse: bool,
    /// What the bounds judge: `value`, `rate`, `increasing` or `max_age` (the judged number is the
    /// finding's `value`).
    judge: &'static str,
    /// Listed on its own (`"show": true`, `"metrics": "all"`).
    shown: bool,
}

#[derive(Serialize)]
struct WireHttp<'a> {
    #[serde(flatten)]
    common: WireCommon<'a>,
    http_status: Option<u16>,
    content_type: Option<&'a str>,
    latency_ms: Option<f64>,
    body_bytes: Option<usize>,
    is_json: bool,
    asserts: Vec<WireAssert<'a>>,
    metrics: Vec<WireMetric<'a>>,
    tls_not_after: Option<String>,
    tls_days_left: Option<f64>,
    states: Vec<WireState<'a>>,
}

#[derive(Serialize)]
struct WireTcp<'a> {
    #[serde(flatten)]
    common: WireCommon<'a>,
    address: Option<&'a str>,
    connect_ms: Option<f64>,
    tls: bool,
    tls_version: Option<&'a str>,
    tls_handshake_ms: Option<f64>,
    tls_not_after: Option<String>,
    tls_days_left: Option<f64>,
    expect: Option<&'a str>,
    /// Whether `expect` appeared in what the peer sent (null: not looked for).
    matched: Option<bool>,
    /// The start of what the peer sent (at most 200 characters).
    received: Option<&'a str>,
    received_bytes: usize,
    /// The peer closed the connection before `expect` appeared.
    closed: bool,
}

#[derive(Serialize)]
struct WireCert<'a> {
    #[serde(flatten)]
    common: WireCommon<'a>,
    certificates: usize,
    tls_not_after: Option<String>,
    tls_days_left: Option<f64>,
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[derive(Serialize)]
struct WireState<'a> {
    name: &'a str,
    value: Option<&'a str>,
    crit: &'a [String],
    warn: &'a [String],
}

#[derive(Serialize)]
struct WireLog<'a> {
    #[serde(flatten)]
    common: WireCommon<'a>,
    size_bytes: u64,
    modified: Option<String>,
    entries_read: usize,
    format: &'a str,
    levels: &'a std::collections::BTreeMap<String, usize>,
    patterns: &'a std::collections::BTreeMap<String, usize>,
    last_error: Option<&'a str>,
    newest_timestamp: Option<&'a str>,
    invalid_utf8_lines: usize,
    partial_last_line: bool,
    bytes_scanned: u64,
    /// `first_look`, `grew`, `unchanged`, `truncated`, `rotated`; null when no state is kept.
    growth: Option<&'a str>,
    /// Bytes added (grew) or removed (truncated, negative) since the last look.
    growth_bytes: Option<i64>,
    /// The longest run of one line repeated back to back past 10 copies (a log storm), or null.
    storm: Option<WireStorm<'a>>,
    /// `file`, `command` or `stdin`.
    source: &'static str,
    /// What the named patterns (`matches`) were counted over: `new` (lines written since the last
    /// look), `first_look` and `tail` (the last `entries_read` entries), `output` (a command's or
    /// stdin's whole output).
    window: &'static str,
    /// Lines in that window (`new`, `output`); null for the tail windows.
    window_lines: Option<usize>,
    /// `new` only: the file was rotated or truncated since the last look, every line of it counted.
    window_rotated: bool,
    /// The configured patterns with their counts, in configuration order.
    matches: Vec<WireMatch<'a>>,
    /// A command's or stdin's output, null for a file.
    output: Option<WireOutput>,
}

#[derive(Serialize)]
struct WireMatch<'a> {
    name: &'a str,
    regex: &'a str,
    count: usize,
    warn: Option<u64>,
    crit: Option<u64>,
    /// The newest matching line (at most 300 characters, credentials masked), or null.
    newest: Option<&'a str>,
}

#[derive(Serialize)]
struct WireOutput {
    /// Bytes printed in all.
    bytes: u64,
    /// Bytes kept and read as lines (the end of the output).
    kept_bytes: u64,
    /// More was printed than kept.
    capped: bool,
    /// It printed without end and was stopped.
    cut: bool,
}

#[derive(Serialize)]
struct WireStorm<'a> {
    line: &'a str,
    times: usize,
}

#[derive(Serialize)]
struct WireMcp<'a> {
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
    /// A stdio server's own resources, sampled while it ran.
    child: Option<WireChild>,
    /// The functional checks (`call`), in config order; their verdicts are the `call:…` findings.
    calls: Vec<WireCall<'a>>,
    /// HTTPS: the server's certificate.
    tls_not_after: Option<String>,
    tls_days_left: Option<f64>,
}

#[derive(Serialize)]
struct WireCall<'a> {
    check: String,
    method: &'a str,
    name: &'a str,
    /// Whether the request was sent (false: refused or impossible, `failure` says why).
    called: bool,
    latency_ms: Option<f64>,
    is_error: Option<bool>,
    /// The size of the result's text in bytes (the text itself is only quoted in the finding).
    text_bytes: Option<usize>,
    failure: Option<WireFailure<'a>>,
}

#[derive(Serialize)]
struct WireChild {
    pid: u32,
    rss_bytes: Option<u64>,
    threads: Option<u64>,
    open_fds: Option<u64>,
}

fn ms(d: Duration) -> f64 {
    crate::model::stats::ms3(d)
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
        probe: f.probe.as_str(),
        check: &f.check,
        status: f.status.as_str(),
        reason: f.reason.map(|r| r.as_str()),
        message: &f.message,
        value: f.value,
        warn: f.warn,
        crit: f.crit,
        unit: f.unit.map(|u| u.as_str()),
        lower_is_worse: f.lower_is_worse,
        section: f.section,
        silenced: f.silenced.as_deref().map(|s| WireSilenced {
            status: s.status.as_str(),
            by: &s.by,
            until: s.until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            comment: s.comment.as_deref(),
        }),
    }
}

fn observation<'a>(o: &'a Observation, status: Status) -> WireObservation<'a> {
    let common = || WireCommon {
        target: &o.target,
        kind: o.kind().as_str(),
        status: status.as_str(),
        endpoint: &o.endpoint,
        started_at: o
            .started_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        duration_ms: ms(o.duration),
        failure: o.failure.as_ref().map(failure),
    };
    match &o.facts {
        Facts::Mcp(m) => WireObservation::Mcp(Box::new(mcp(o, m, status))),
        Facts::Hub(h) => WireObservation::Hub(WireHub {
            common: common(),
            http_status: h.http_status,
            latency_ms: h.latency.map(ms),
            state: h.state.as_deref(),
            hub_status: h.status.as_deref(),
            version: h.version.as_deref(),
            server_id: h.server_id.as_deref(),
            active_clients: h.active_clients,
            hub_started_at: h.started_at.as_deref(),
            workspaces: h.workspaces,
            registered: h.registered.map(counts),
            servers: h
                .servers
                .iter()
                .map(|s| WireHubServer {
                    name: &s.name,
                    status: s.status.as_deref(),
                    error: s.error.as_deref(),
                    uptime_s: s.uptime_s,
                    transport: s.transport.as_deref(),
                    counts: counts(s.counts),
                    server_name: s.server_name.as_deref(),
                    server_version: s.server_version.as_deref(),
                    last_started: s.last_started.as_deref(),
                })
                .collect(),
            missing_fields: &h.missing,
            filtering: h.filtering.as_ref(),
            tls_not_after: h.tls.map(|c| rfc3339(c.not_after)),
            tls_days_left: h.tls.map(|c| c.days_left),
        }),
        Facts::Http(e) => WireObservation::Http(WireHttp {
            common: common(),
            http_status: e.http_status,
            content_type: e.content_type.as_deref(),
            latency_ms: e.latency.map(ms),
            body_bytes: e.body_bytes,
            is_json: e.is_json,
            asserts: e
                .asserts
                .iter()
                .map(|a| WireAssert {
                    pointer: &a.pointer,
                    expected: a.expected(),
                    actual: a.actual.as_ref(),
                    ok: a.ok(),
                })
                .collect(),
            metrics: e
                .metrics
                .iter()
                .map(|(m, v)| WireMetric {
                    name: &m.name,
                    value: *v,
                    warn: m.bound.warn,
                    crit: m.bound.crit,
                    lower_is_worse: m.below,
                    judge: match m.judge {
                        crate::model::Judge::Value => "value",
                        crate::model::Judge::Rate { .. } => "rate",
                        crate::model::Judge::Increasing => "increasing",
                        crate::model::Judge::MaxAge(_) => "max_age",
                    },
                    shown: m.show,
                })
                .collect(),
            tls_not_after: e
                .tls_not_after
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            tls_days_left: e.tls_days_left,
            states: e
                .states
                .iter()
                .map(|(st, v)| WireState {
                    name: &st.name,
                    value: v.as_deref(),
                    crit: &st.crit,
                    warn: &st.warn,
                })
                .collect(),
        }),
        Facts::Tcp(t) => {
            let cert = t.tls.as_ref().and_then(|s| s.cert.as_ref());
            WireObservation::Tcp(WireTcp {
                common: common(),
                address: t.address.as_deref(),
                connect_ms: t.connect.map(ms),
                tls: t.tls.is_some(),
                tls_version: t.tls.as_ref().and_then(|s| s.version.as_deref()),
                tls_handshake_ms: t.tls.as_ref().map(|s| ms(s.handshake)),
                tls_not_after: cert.map(|c| rfc3339(c.not_after)),
                tls_days_left: cert.map(|c| c.days_left),
                expect: t.expect.as_deref(),
                matched: t.matched,
                received: t.received.as_deref(),
                received_bytes: t.received_bytes,
                closed: t.closed,
            })
        }
        Facts::Cert(c) => WireObservation::Cert(WireCert {
            common: common(),
            certificates: c.certificates,
            tls_not_after: c.expiry.map(|e| rfc3339(e.not_after)),
            tls_days_left: c.expiry.map(|e| e.days_left),
        }),
        Facts::Process(p) => WireObservation::Process(WireProcess {
            common: common(),
            selector: &p.selector,
            processes: p
                .processes
                .iter()
                .map(|i| WireProcessInfo {
                    pid: i.pid,
                    name: &i.name,
                    uptime_s: i.uptime_s,
                    cpu_percent: i.cpu_percent,
                    rss_bytes: i.rss_bytes,
                    memory_percent: i.memory_percent,
                    threads: i.threads,
                    open_fds: i.open_fds,
                    listening_ports: &i.listening_ports,
                })
                .collect(),
        }),
        Facts::Load(l) => WireObservation::Load(WireLoad {
            common: common(),
            method: &l.method,
            revision: l.revision.as_deref(),
            concurrency: l.concurrency,
            requests: l.stats.total(),
            ok: l.stats.ok,
            errors: l
                .stats
                .errors
                .iter()
                .map(|(r, n)| (r.as_str(), *n))
                .collect(),
            success_percent: l.stats.success_percent(),
            elapsed_ms: ms(l.elapsed),
            requests_per_second: crate::model::stats::round1(l.throughput()),
            latency: WireLatency::of(&l.stats),
            ttfb: WireLatency::of(&l.ttfb),
            histogram: l
                .stats
                .buckets(12)
                .into_iter()
                .map(|(le_ms, count)| WireBucket { le_ms, count })
                .collect(),
            failed_sessions: l.failed_sessions,
            rate_per_second: l.rate,
            interrupted: l.interrupted,
        }),
        Facts::Host(h) => WireObservation::Host(WireHost {
            common: common(),
            cpus: h.cpus,
            cpu_percent: h.cpu_percent,
            load_average: h.load_average.map(|(a, b, c)| [a, b, c]),
            memory_total_bytes: h.memory_total_bytes,
            memory_available_bytes: h.memory_available_bytes,
            memory_used_percent: h.memory_used_percent,
            swap_total_bytes: h.swap_total_bytes,
            swap_used_bytes: h.swap_used_bytes,
            disks: h
                .disks
                .iter()
                .map(|d| WireDisk {
                    path: d.path.display().to_string(),
                    mount_point: d.mount_point.display().to_string(),
                    total_bytes: d.total_bytes,
                    available_bytes: d.available_bytes,
                    used_percent: d.used_percent,
                })
                .collect(),
            uptime_s: h.uptime_s,
        }),
        Facts::Log(l) => WireObservation::Log(WireLog {
            common: common(),
            size_bytes: l.size_bytes,
            modified: l.modified.map(|t| {
                chrono::DateTime::<chrono::Utc>::from(t)
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            }),
            entries_read: l.entries_read,
            format: l.format.as_str(),
            levels: &l.levels,
            patterns: &l.patterns,
            last_error: l.last_error.as_deref(),
            newest_timestamp: l.newest_timestamp.as_deref(),
            invalid_utf8_lines: l.invalid_utf8_lines,
            partial_last_line: l.partial_last_line,
            bytes_scanned: l.bytes_scanned,
            growth: l.growth.map(growth_name),
            growth_bytes: l.growth.and_then(growth_bytes),
            storm: l.storm.as_ref().map(|(line, times)| WireStorm {
                line,
                times: *times,
            }),
            source: match &l.output {
                None => "file",
                Some(o) if o.stdin => "stdin",
                Some(_) => "command",
            },
            window: match l.window {
                Counted::New { .. } => "new",
                Counted::FirstLook => "first_look",
                Counted::Tail => "tail",
                Counted::Output { .. } => "output",
            },
            window_lines: match l.window {
                Counted::New { lines, .. } | Counted::Output { lines } => Some(lines),
                _ => None,
            },
            window_rotated: matches!(l.window, Counted::New { rotated: true, .. }),
            matches: l
                .hits
                .iter()
                .map(|h| WireMatch {
                    name: &h.name,
                    regex: &h.shown,
                    count: h.count,
                    warn: h.warn,
                    crit: h.crit,
                    newest: h.newest.as_deref(),
                })
                .collect(),
            output: l.output.as_ref().map(|o| WireOutput {
                bytes: o.bytes,
                kept_bytes: o.kept,
                capped: o.capped,
                cut: o.cut,
            }),
        }),
    }
}

fn growth_name(g: crate::model::Growth) -> &'static str {
    match g {
        Growth::FirstLook => "first_look",
        Growth::Grew { .. } => "grew",
        Growth::Unchanged => "unchanged",
        Growth::Truncated { .. } => "truncated",
        Growth::Rotated => "rotated",
    }
}

fn growth_bytes(g: crate::model::Growth) -> Option<i64> {
    match g {
        Growth::Grew { bytes } => Some(bytes as i64),
        Growth::Truncated { from, to } => Some(to as i64 - from as i64),
        Growth::Unchanged => Some(0),
        _ => None,
    }
}

fn counts(c: crate::model::HubCounts) -> WireCounts {
    WireCounts {
        tools: c.tools,
        resources: c.resources,
        resource_templates: c.resource_templates,
        prompts: c.prompts,
    }
}

fn mcp<'a>(o: &'a Observation, m: &'a crate::model::McpFacts, status: Status) -> WireMcp<'a> {
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
    WireMcp {
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
        child: m.child.as_ref().map(|c| WireChild {
            pid: c.pid,
            rss_bytes: c.rss_bytes,
            threads: c.threads,
            open_fds: c.open_fds,
        }),
        calls: m.calls.iter().map(call).collect(),
        tls_not_after: m.tls.map(|c| rfc3339(c.not_after)),
        tls_days_left: m.tls.map(|c| c.days_left),
    }
}

fn call(c: &crate::model::CallFacts) -> WireCall<'_> {
    use crate::model::CallOutcome;
    let (called, answer, fail) = match &c.outcome {
        CallOutcome::NotCalled(f) => (false, None, Some(f)),
        CallOutcome::Failed(f) => (true, None, Some(f)),
        CallOutcome::Answered(r) => (true, Some(r), None),
    };
    WireCall {
        check: c.spec.what.check(),
        method: c.spec.what.method(),
        name: c.spec.what.name(),
        called,
        latency_ms: answer.map(|r| ms(r.latency)),
        is_error: answer.map(|r| r.is_error),
        text_bytes: answer.map(|r| r.text_bytes),
        failure: fail.map(failure),
    }
}

fn wire(report: &Report) -> WireReport<'_> {
    let c = report.counts();
    WireReport {
        head: head(report),
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
        events: report.events.as_ref().map(|ev| {
            ev.iter()
                .map(|e| WireEvent {
                    target: &e.target,
                    probe: e.probe.as_str(),
                    check: &e.check,
                    event: e.event.as_str(),
                    status: e.status.as_str(),
                    message: &e.message,
                })
                .collect()
        }),
        outbox: report.outbox.as_ref().map(|entries| WireOutbox {
            pending: entries.len(),
            entries: entries
                .iter()
                .map(|e| WireOutboxEntry {
                    channel: &e.channel,
                    created_at: e
                        .created_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    attempts: e.attempts,
                    events: e.events,
                    last_error: e.last_error.as_deref(),
                })
                .collect(),
        }),
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

/// The silences document (`mcpmon silence`), pretty or on one line.
pub fn render_silences(
    report: &Report,
    silences: &[crate::model::Silence],
    line: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let doc = WireSilences {
        head: head(report),
        silences: silences
            .iter()
            .map(|s| WireSilence {
                id: &s.id,
                matches: &s.matches,
                starts_at: s
                    .starts_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                ends_at: s.ends_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                remaining_s: (s.ends_at - report.generated_at).num_seconds().max(0),
                comment: s.comment.as_deref(),
            })
            .collect(),
    };
    if line {
        serde_json::to_writer(&mut *out, &doc)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, &doc)?;
    }
    out.write_all(b"\n")
}
