//! Representative reports for the renderers' snapshot tests: fixed timestamps and durations, so every
//! rendering is byte-for-byte stable. Built by hand (not through `rules`), so a snapshot changes only
//! when a renderer does. Test-only.

use super::Report;
use super::daily::Daily;
use crate::model::stats::LatencyStats;
use crate::model::{
    AlertEvent, AssertResult, AuthChallenge, Bound, Condition, Counted, DiskUsage, Era, Event,
    Facts, Failure, Finding, Growth, HealthFacts, HostFacts, HttpFacts, HubCounts, HubFacts,
    HubServer, Judge, Kind, LoadFacts, LogFacts, LogFormat, McpFacts, MetricSource, MetricSpec,
    Observation, OutputFacts, PatternHits, ProcessFacts, ProcessInfo, Reason, RequestRecord,
    ServerInfo, StateSpec, Status, Unit, Wire,
};
use crate::rules::summary::{Deduction, Fold, Goal, Outage, Range, SeriesDay};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::time::Duration;

/// The moment every fixture report was generated.
pub fn t0() -> DateTime<Utc> {
    "2026-11-22T10:00:00Z".parse().unwrap()
}

fn at(ms: i64) -> DateTime<Utc> {
    t0() + chrono::Duration::milliseconds(ms)
}

fn ms(v: f64) -> Duration {
    Duration::from_micros((v * 1000.0).round() as u64)
}

fn finding(
    target: &str,
    probe: Kind,
    check: &str,
    status: Status,
    reason: Option<Reason>,
    message: &str,
) -> Finding {
    Finding::new(
        target,
        probe,
        check.to_string(),
        status,
        reason,
        message.into(),
    )
}

fn observation(target: &str, endpoint: &str, took_ms: f64, facts: Facts) -> Observation {
    Observation {
        target: target.into(),
        endpoint: endpoint.into(),
        started_at: at(0),
        duration: ms(took_ms),
        failure: None,
        facts,
    }
}

fn request(method: &str, latency_ms: f64, http: Option<(u16, &str, f64)>) -> RequestRecord {
    RequestRecord {
        method: method.into(),
        latency: ms(latency_ms),
        http: http.map(|(status, ctype, ttfb)| HttpFacts {
            status,
            content_type: ctype.into(),
            ttfb: ms(ttfb),
            not_after: None,
        }),
        ok: true,
    }
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A legacy Streamable HTTP server that answered everything.
fn everything_http() -> Observation {
    observation(
        "everything",
        "http://127.0.0.1:3001/mcp",
        21.5,
        Facts::Mcp(Box::new(McpFacts {
            wire: Some(Wire::StreamableHttp),
            era: Some(Era::Legacy),
            revision: Some("2025-11-25".into()),
            server: Some(ServerInfo {
                name: "example-servers/everything".into(),
                version: "1.0.0".into(),
                title: None,
            }),
            capabilities: names(&["tools", "prompts", "resources", "logging"]),
            handshake: Some(ms(12.345)),
            ready: Some(ms(14.5)),
            liveness: Some(("ping".into(), Ok(ms(1.25)))),
            tools: Some(Ok(names(&["echo", "add", "longRunningOperation"]))),
            prompts: Some(Ok(3)),
            resources: Some(Ok(100)),
            requests: vec![
                request("server/discover", 2.5, Some((200, "application/json", 2.1))),
                request("initialize", 12.345, Some((200, "text/event-stream", 4.0))),
                request("tools/list", 3.0, Some((200, "application/json", 2.75))),
                request("ping", 1.25, Some((200, "application/json", 1.0))),
            ],
            detection: names(&[
                "POST server/discover: HTTP 200 JSON-RPC error -32601: Method not found",
                "POST initialize: HTTP 200 result",
                "legacy server (2025-11-25)",
            ]),
            notifications: 1,
            close: Some("session closed with DELETE (HTTP 200)".into()),
            ..McpFacts::default()
        })),
    )
}

fn everything_findings(target: &str) -> Vec<Finding> {
    vec![
        finding(
            target,
            Kind::Mcp,
            "connect",
            Status::Ok,
            None,
            "initialized 2025-11-25 over streamable_http in 12.345 ms",
        )
        .value(12.345)
        .unit(Unit::Ms),
        finding(
            target,
            Kind::Mcp,
            "handshake",
            Status::Ok,
            None,
            "handshake 12.345 ms",
        )
        .value(12.345)
        .unit(Unit::Ms)
        .bounds(Some(2000.0), Some(5000.0)),
        finding(
            target,
            Kind::Mcp,
            "liveness",
            Status::Ok,
            None,
            "ping 1.25 ms",
        )
        .value(1.25)
        .unit(Unit::Ms)
        .bounds(Some(2000.0), Some(5000.0)),
        finding(target, Kind::Mcp, "tools", Status::Ok, None, "3 tools")
            .value(3.0)
            .unit(Unit::Count),
    ]
}

/// `health` of one healthy target.
pub fn healthy() -> Report {
    Report {
        command: "health",
        generated_at: t0(),
        findings: everything_findings("everything"),
        observations: vec![everything_http()],
        events: None,
        outbox: None,
    }
}

/// `health` of one server with functional checks (`call`), judged by the real rules: an echo that
/// answered as expected, a resource whose text lacks what was expected, a tool that is not marked
/// read-only (not called), a tool the server does not have, and a prompt the server refused.
pub fn calls() -> Report {
    use crate::model::{CallExpect, CallFacts, CallOutcome, CallResult, CallSpec, CallWhat};
    let spec = |what: CallWhat, contains: Option<&str>| CallSpec {
        what,
        args: Default::default(),
        expect: CallExpect {
            contains: contains.map(String::from),
            ..Default::default()
        },
        warn_ms: None,
        crit_ms: Some(2000.0),
    };
    let answered = |ms_: f64, text: &str| {
        CallOutcome::Answered(CallResult {
            latency: ms(ms_),
            text: text.into(),
            text_bytes: text.len(),
            ..Default::default()
        })
    };
    let mut obs = everything_http();
    if let Facts::Mcp(m) = &mut obs.facts {
        m.calls = vec![
            CallFacts {
                spec: spec(CallWhat::Tool("echo".into()), Some("hi")),
                outcome: answered(3.25, "Echo: hi"),
            },
            CallFacts {
                spec: spec(
                    CallWhat::Resource("demo://resource/static/document/features.md".into()),
                    Some("nope"),
                ),
                outcome: answered(1.5, "# Features | tools, prompts\nand resources"),
            },
            CallFacts::not_called(
                &spec(CallWhat::Tool("toggle-simulated-logging".into()), None),
                Reason::NotReadOnly,
                "tool \"toggle-simulated-logging\" is not marked read-only (annotations.readOnlyHint), so it may change things: not called; add \"toggle-simulated-logging\" to the target's \"allow_side_effects\" (or --allow-side-effects toggle-simulated-logging) to call it anyway".into(),
            ),
            CallFacts::not_called(
                &spec(CallWhat::Tool("nope".into()), None),
                Reason::ToolMissing,
                "the server has no tool \"nope\" (tools/list has 3 tools): not called".into(),
            ),
            CallFacts {
                spec: spec(CallWhat::Prompt("args-prompt".into()), None),
                outcome: CallOutcome::Failed(Failure::new(
                    Reason::RpcError,
                    "prompts/get: JSON-RPC error -32602: MCP error -32602: Prompt args-prompt not found",
                )),
            },
        ];
    }
    let checks = crate::model::Checks::default();
    Report {
        command: "health",
        generated_at: t0(),
        findings: crate::rules::mcp::findings(&obs, &checks),
        observations: vec![obs],
        events: None,
        outbox: None,
    }
}

/// `health` of six targets, every status and every kind of probe a health round runs: a modern stdio
/// server (OK), a hub with a disconnected server and its process (CRIT), a REST health document with a
/// missing metric (UNKNOWN), a log (WARN), the host (OK) and a stdio server that died (CRIT, with stderr
/// carrying a terminal escape).
pub fn mixed() -> Report {
    let api = observation(
        "api",
        "python3 server.py --stdio",
        48.0,
        Facts::Mcp(Box::new(McpFacts {
            wire: Some(Wire::Stdio),
            era: Some(Era::Modern),
            revision: Some("2026-07-28".into()),
            server: Some(ServerInfo {
                name: "demo".into(),
                version: "2.1.0".into(),
                title: Some("Demo server".into()),
            }),
            capabilities: names(&["tools"]),
            handshake: Some(ms(3.5)),
            ready: Some(ms(310.0)),
            liveness: Some(("server/discover".into(), Ok(ms(0.8)))),
            tools: Some(Ok(names(&["add"]))),
            requests: vec![
                request("server/discover", 3.5, None),
                request("tools/list", 1.5, None),
            ],
            detection: names(&["server/discover: result", "modern server (2026-07-28)"]),
            close: Some("exited (exit code 0) after stdin was closed".into()),
            child: Some(ProcessInfo {
                pid: 4242,
                name: "python3".into(),
                rss_bytes: Some(31_457_280),
                threads: Some(3),
                open_fds: Some(9),
                ..ProcessInfo::default()
            }),
            ..McpFacts::default()
        })),
    );
    let mut hub = observation(
        "hub",
        "http://127.0.0.1:37373/api/health",
        9.5,
        Facts::Hub(Box::new(HubFacts {
            http_status: Some(200),
            latency: Some(ms(9.5)),
            state: Some("ready".into()),
            status: Some("ok".into()),
            version: Some("4.2.1".into()),
            server_id: Some("mcp-hub".into()),
            active_clients: Some(2),
            started_at: Some("2026-11-22T08:00:00.000Z".into()),
            workspaces: Some(1),
            registered: Some(HubCounts {
                tools: Some(13),
                resources: Some(7),
                resource_templates: Some(0),
                prompts: Some(3),
            }),
            servers: vec![
                HubServer {
                    name: "everything".into(),
                    status: Some("connected".into()),
                    uptime_s: Some(7200.0),
                    transport: Some("stdio".into()),
                    counts: HubCounts {
                        tools: Some(13),
                        ..HubCounts::default()
                    },
                    server_name: Some("example-servers/everything".into()),
                    server_version: Some("1.0.0".into()),
                    ..HubServer::default()
                },
                HubServer {
                    name: "memory".into(),
                    status: Some("disconnected".into()),
                    error: Some("spawn npx ENOENT".into()),
                    transport: Some("stdio".into()),
                    ..HubServer::default()
                },
            ],
            missing: names(&["/mcpEndpoint/activeClients"]),
            ..HubFacts::default()
        })),
    );
    hub.started_at = at(2);
    let mut hub_process = observation(
        "hub",
        "port 37373",
        105.0,
        Facts::Process(Box::new(ProcessFacts {
            selector: "listening on port 37373 (pid 1234)".into(),
            processes: vec![ProcessInfo {
                pid: 1234,
                name: "node".into(),
                cmdline: names(&["node", "mcp-hub", "--token", "secret"]),
                uptime_s: Some(7260.0),
                cpu_percent: Some(1.5),
                rss_bytes: Some(104_857_600),
                memory_percent: Some(6.2),
                threads: Some(11),
                open_fds: Some(42),
                listening_ports: vec![37373],
            }],
            cpu_window: Some(std::time::Duration::from_millis(250)),
        })),
    );
    hub_process.started_at = at(3);
    let gateway = Observation {
        started_at: at(4),
        ..observation(
            "gateway",
            "https://gw.example.test/health",
            35.25,
            Facts::Http(Box::new(HealthFacts {
                http_status: Some(200),
                content_type: Some("application/json; charset=utf-8".into()),
                latency: Some(ms(35.25)),
                body_bytes: Some(512),
                is_json: true,
                expect_status: vec![200],
                asserts: vec![
                    AssertResult {
                        pointer: "/status".into(),
                        conditions: vec![Condition::Equals("ok".into())],
                        actual: Some("ok".into()),
                    },
                    AssertResult {
                        pointer: "/db/connected".into(),
                        conditions: vec![Condition::Equals(true.into())],
                        actual: Some(false.into()),
                    },
                    AssertResult {
                        pointer: "/mode".into(),
                        conditions: vec![
                            Condition::In(vec!["ok".into(), "degraded".into()]),
                            Condition::Len(8),
                        ],
                        actual: Some("degraded".into()),
                    },
                ],
                metrics: vec![
                    (
                        MetricSpec {
                            name: "success_rate".into(),
                            source: MetricSource::Pointer("/websocket/successRate".into()),
                            bound: Bound {
                                warn: Some(0.95),
                                crit: Some(0.9),
                            },
                            below: true,
                            fraction: true,
                            judge: Judge::Value,
                            show: false,
                        },
                        Some(0.975),
                    ),
                    (
                        MetricSpec {
                            name: "queue_depth".into(),
                            source: MetricSource::Named("queue_depth".into()),
                            bound: Bound {
                                warn: Some(10.0),
                                crit: Some(50.0),
                            },
                            below: false,
                            fraction: false,
                            judge: Judge::Value,
                            show: false,
                        },
                        None,
                    ),
                    (
                        MetricSpec {
                            bound: Bound {
                                warn: Some(10.0),
                                crit: None,
                            },
                            judge: Judge::Rate {
                                per: Duration::from_secs(60),
                                text: "1m".into(),
                            },
                            ..MetricSpec::new("errors", MetricSource::Pointer("/errors".into()))
                        },
                        Some(1230.0),
                    ),
                    (
                        MetricSpec {
                            judge: Judge::MaxAge(Duration::from_secs(5400)),
                            ..MetricSpec::new(
                                "last_sync",
                                MetricSource::Pointer("/sync/last".into()),
                            )
                        },
                        Some(1_763_860_000.0),
                    ),
                    (
                        MetricSpec {
                            show: true,
                            ..MetricSpec::new(
                                "cache.sizeBytes",
                                MetricSource::Named("cache.sizeBytes".into()),
                            )
                        },
                        Some(1520.0),
                    ),
                ],
                previous: None,
                states: vec![(
                    StateSpec {
                        name: "circuit_breaker".into(),
                        source: MetricSource::Pointer("/circuit".into()),
                        crit: names(&["open"]),
                        warn: names(&["half-open"]),
                    },
                    Some("half-open".into()),
                )],
                tls_not_after: Some("2026-12-12T00:00:00Z".parse().unwrap()),
                tls_days_left: Some(19.58),
            })),
        )
    };
    let mut levels: BTreeMap<String, usize> = ["trace", "debug", "info", "warn", "error", "fatal"]
        .iter()
        .map(|l| (l.to_string(), 0))
        .collect();
    levels.insert("info".into(), 80);
    levels.insert("warn".into(), 8);
    levels.insert("error".into(), 12);
    let log = Observation {
        started_at: at(5),
        ..observation(
            "app-log",
            "/var/log/mcp/app.log",
            2.0,
            Facts::Log(Box::new(LogFacts {
                size_bytes: 61_200_000,
                modified: Some(std::time::UNIX_EPOCH + Duration::from_secs(1_795_341_000)),
                file_id: Some((2049, 77)),
                entries_read: 100,
                format: LogFormat::Json,
                levels,
                patterns: BTreeMap::from([("reconnect".to_string(), 4)]),
                last_error: Some("upstream timeout after 30000 ms".into()),
                newest_timestamp: Some("2026-11-22T09:59:58.120Z".into()),
                bytes_scanned: 24_576,
                growth: Some(Growth::Grew { bytes: 4096 }),
                ..LogFacts::default()
            })),
        )
    };
    let host = Observation {
        started_at: at(6),
        ..observation(
            "box",
            "localhost",
            250.0,
            Facts::Host(Box::new(HostFacts {
                cpu_percent: Some(37.4),
                cpus: 4,
                load_average: Some((0.52, 0.61, 0.7)),
                memory_total_bytes: 8_589_934_592,
                memory_available_bytes: 2_491_081_032,
                memory_used_percent: 71.0,
                swap_total_bytes: 2_147_483_648,
                swap_used_bytes: 0,
                disks: vec![DiskUsage {
                    path: "/var/log".into(),
                    mount_point: "/".into(),
                    total_bytes: 107_374_182_400,
                    available_bytes: 18_253_611_008,
                    used_percent: 83.0,
                }],
                uptime_s: Some(864_000),
            })),
        )
    };
    let worker = Observation {
        started_at: at(7),
        failure: Some(Failure::new(
            Reason::ServerDisconnected,
            "the server closed stdout before answering initialize; the server exited (exit code 1)",
        )),
        ..observation(
            "worker",
            "node worker.js",
            95.0,
            Facts::Mcp(Box::new(McpFacts {
                wire: Some(Wire::Stdio),
                requests: vec![RequestRecord {
                    ok: false,
                    ..request("server/discover", 90.0, None)
                }],
                detection: names(&[
                    "server/discover: server_disconnected: the server closed stdout before answering server/discover",
                ]),
                stderr_tail: names(&[
                    "worker starting",
                    "\u{1b}[31mError\u{1b}[0m: Cannot find module 'dotenv'",
                    "    at Module._resolveFilename (node:internal/modules/cjs/loader:1145:15)",
                ]),
                close: Some("exited (exit code 1) after stdin was closed".into()),
                ..McpFacts::default()
            })),
        )
    };

    let findings = vec![
        finding(
            "api",
            Kind::Mcp,
            "connect",
            Status::Ok,
            None,
            "discovered 2026-07-28 over stdio in 3.5 ms",
        )
        .value(3.5)
        .unit(Unit::Ms),
        finding(
            "api",
            Kind::Mcp,
            "startup",
            Status::Ok,
            None,
            "spawn to ready 310 ms",
        )
        .value(310.0)
        .unit(Unit::Ms),
        finding(
            "api",
            Kind::Mcp,
            "liveness",
            Status::Ok,
            None,
            "server/discover 0.8 ms",
        )
        .value(0.8)
        .unit(Unit::Ms)
        .bounds(Some(2000.0), Some(5000.0)),
        finding("api", Kind::Mcp, "tools", Status::Ok, None, "1 tool")
            .value(1.0)
            .unit(Unit::Count),
        finding(
            "hub",
            Kind::Hub,
            "hub_state",
            Status::Ok,
            None,
            "ready (v4.2.1), up since 2026-11-22T08:00:00.000Z",
        ),
        finding(
            "hub",
            Kind::Hub,
            "server:everything",
            Status::Ok,
            None,
            "connected, 13 tools",
        ),
        finding(
            "hub",
            Kind::Hub,
            "server:memory",
            Status::Crit,
            Some(Reason::ServerDisconnected),
            "disconnected: spawn npx ENOENT",
        ),
        finding(
            "hub",
            Kind::Process,
            "process_cpu",
            Status::Ok,
            None,
            "cpu 1.5 % of one core",
        )
        .value(1.5)
        .unit(Unit::Percent)
        .bounds(Some(5.0), Some(10.0)),
        finding(
            "hub",
            Kind::Process,
            "process_memory",
            Status::Warn,
            Some(Reason::Threshold),
            "memory 6.2 % of the host (100 MiB), above 5 %",
        )
        .value(6.2)
        .unit(Unit::Percent)
        .bounds(Some(5.0), Some(10.0)),
        finding(
            "gateway",
            Kind::Http,
            "http",
            Status::Ok,
            None,
            "HTTP 200 in 35.25 ms",
        )
        .value(35.25)
        .unit(Unit::Ms)
        .bounds(Some(2000.0), Some(5000.0)),
        finding(
            "gateway",
            Kind::Http,
            "assert:/db/connected",
            Status::Warn,
            Some(Reason::AssertionFailed),
            "/db/connected is false, expected true",
        ),
        finding(
            "gateway",
            Kind::Http,
            "assert:/mode",
            Status::Ok,
            None,
            "/mode is \"degraded\": one of [\"ok\",\"degraded\"], length 8",
        ),
        finding(
            "gateway",
            Kind::Http,
            "metric:errors",
            Status::Warn,
            Some(Reason::Threshold),
            "errors = 12.5/1m (1200 → 1230 in 144 s) (warn > 10)",
        )
        .value(12.5)
        .bounds(Some(10.0), None),
        finding(
            "gateway",
            Kind::Http,
            "metric:last_sync",
            Status::Ok,
            None,
            "last_sync is 45 min old (max_age 1 h 30 min)",
        )
        .value(2700.0)
        .unit(Unit::Seconds)
        .bounds(Some(5400.0), Some(10800.0)),
        finding(
            "gateway",
            Kind::Http,
            "metric:cache.sizeBytes",
            Status::Ok,
            None,
            "cache.sizeBytes = 1520",
        )
        .value(1520.0)
        .unit(Unit::Bytes),
        finding(
            "gateway",
            Kind::Http,
            "success_rate",
            Status::Ok,
            None,
            "success_rate 97.5 %",
        )
        .value(97.5)
        .unit(Unit::Percent)
        .bounds(Some(95.0), Some(90.0))
        .lower_is_worse(),
        finding(
            "gateway",
            Kind::Http,
            "queue_depth",
            Status::Unknown,
            Some(Reason::FieldMissing),
            "queue_depth: no such field in the document",
        ),
        finding(
            "gateway",
            Kind::Http,
            "circuit_breaker",
            Status::Warn,
            Some(Reason::Threshold),
            "circuit_breaker is half-open",
        ),
        finding(
            "gateway",
            Kind::Http,
            "tls_expiry",
            Status::Warn,
            Some(Reason::Threshold),
            "certificate expires in 19.6 days (2026-12-12)",
        )
        .value(19.58)
        .unit(Unit::Days)
        .bounds(Some(30.0), Some(7.0))
        .lower_is_worse(),
        finding(
            "app-log",
            Kind::Log,
            "log_size",
            Status::Warn,
            Some(Reason::Threshold),
            "61.2 MB, above 50 MB",
        )
        .value(61.2)
        .unit(Unit::MB)
        .bounds(Some(50.0), Some(100.0)),
        finding(
            "app-log",
            Kind::Log,
            "log_errors",
            Status::Warn,
            Some(Reason::Threshold),
            "12 errors in the last 100 entries | last: upstream timeout after 30000 ms",
        )
        .value(12.0)
        .unit(Unit::Count)
        .bounds(Some(10.0), None),
        finding(
            "box",
            Kind::Host,
            "host_memory",
            Status::Ok,
            None,
            "memory 71 % used",
        )
        .value(71.0)
        .unit(Unit::Percent)
        .bounds(Some(90.0), Some(95.0)),
        finding("box", Kind::Host, "disk:/", Status::Ok, None, "/ 83 % used")
            .value(83.0)
            .unit(Unit::Percent)
            .bounds(Some(85.0), Some(95.0)),
        finding(
            "worker",
            Kind::Mcp,
            "connect",
            Status::Crit,
            Some(Reason::ServerDisconnected),
            "the server closed stdout before answering initialize; the server exited (exit code 1)",
        ),
    ];
    Report {
        command: "health",
        generated_at: t0(),
        findings,
        observations: vec![api, hub, hub_process, gateway, log, host, worker],
        events: None,
        outbox: None,
    }
}

/// `health` of a log file judged by a named pattern over its new lines, and of a log command that
/// printed without end (stopped, its end counted).
pub fn log_patterns() -> Report {
    let forge = observation(
        "forge",
        "/var/log/mcp-context-forge/access.log",
        3.3,
        Facts::Log(Box::new(LogFacts {
            size_bytes: 4_188,
            entries_read: 42,
            format: LogFormat::Text,
            growth: Some(Growth::Grew { bytes: 1_745 }),
            window: Counted::New {
                lines: 41,
                rotated: false,
                limited: false,
            },
            hits: vec![PatternHits {
                name: "unauthorized".into(),
                shown: "UNAUTHORIZED|FAILED".into(),
                warn: Some(1),
                crit: Some(5),
                count: 6,
                newest: Some("10.0.0.7 - POST /mcp 401 UNAUTHORIZED token=***".into()),
            }],
            ..LogFacts::default()
        })),
    );
    let jd = observation(
        "jd",
        "journalctl -u mcp -n 500 -o cat",
        1_420.0,
        Facts::Log(Box::new(LogFacts {
            size_bytes: 4_194_280,
            entries_read: 100,
            format: LogFormat::Text,
            window: Counted::Output { lines: 182_360 },
            hits: vec![PatternHits {
                name: "failed".into(),
                shown: "(?i)error|failed".into(),
                warn: Some(1),
                crit: Some(200_000),
                count: 182_360,
                newest: Some("sync FAILED | retrying".into()),
            }],
            output: Some(OutputFacts {
                bytes: 268_435_456,
                capped: true,
                cut: true,
                kept: 4_194_280,
                stdin: false,
            }),
            ..LogFacts::default()
        })),
    );
    let findings = vec![
        finding(
            "forge",
            Kind::Log,
            "pattern:unauthorized",
            Status::Crit,
            Some(Reason::Threshold),
            "unauthorized: 6 new lines match UNAUTHORIZED|FAILED (of 41 lines since the last look; warn ≥ 1, crit ≥ 5); newest: 10.0.0.7 - POST /mcp 401 UNAUTHORIZED token=***",
        )
        .value(6.0)
        .unit(Unit::Count)
        .bounds(Some(1.0), Some(5.0)),
        finding(
            "jd",
            Kind::Log,
            "log_output",
            Status::Warn,
            None,
            "stopped after 256.0 MiB of output (it does not end: does it follow the log? give it a bound such as `-n 500` or `--tail 500`); the last 4.0 MiB were counted",
        )
        .value(268_435_456.0)
        .unit(Unit::Bytes),
        finding(
            "jd",
            Kind::Log,
            "pattern:failed",
            Status::Warn,
            Some(Reason::Threshold),
            "failed: 182360 lines match (?i)error|failed (of 182360 lines of its output; warn ≥ 1, crit ≥ 200000); newest: sync FAILED | retrying",
        )
        .value(182_360.0)
        .unit(Unit::Count)
        .bounds(Some(1.0), Some(200_000.0)),
    ];
    Report {
        command: "health",
        generated_at: t0(),
        findings,
        observations: vec![forge, jd],
        events: None,
        outbox: None,
    }
}

/// `health` of a URL that wants a token: the failure carries the parsed challenge.
pub fn auth_required() -> Report {
    let mut failure = Failure::new(
        Reason::AuthRequired,
        "HTTP 401 (unauthorized); the server asks for Bearer authentication (error=invalid_token)",
    )
    .with_status(401);
    failure.auth_challenge = Some(AuthChallenge {
        scheme: "Bearer".into(),
        params: BTreeMap::from([
            ("error".to_string(), "invalid_token".to_string()),
            (
                "resource_metadata".to_string(),
                "https://api.example.test/.well-known/oauth-protected-resource".to_string(),
            ),
        ]),
    });
    let obs = Observation {
        failure: Some(failure.clone()),
        ..observation(
            "secured",
            "https://api.example.test/mcp",
            40.0,
            Facts::Mcp(Box::new(McpFacts {
                requests: vec![RequestRecord {
                    ok: false,
                    ..request(
                        "server/discover",
                        40.0,
                        Some((401, "application/json", 39.0)),
                    )
                }],
                detection: names(&["POST server/discover: auth_required: HTTP 401 (unauthorized)"]),
                ..McpFacts::default()
            })),
        )
    };
    Report {
        command: "health",
        generated_at: t0(),
        findings: vec![finding(
            "secured",
            Kind::Mcp,
            "connect",
            Status::Crit,
            Some(Reason::AuthRequired),
            &failure.message,
        )],
        observations: vec![obs],
        events: None,
        outbox: None,
    }
}

/// `measure`: a load run of tools/list with a latency distribution and a few errors.
pub fn measure() -> Report {
    let mut stats = LatencyStats::default();
    let mut ttfb = LatencyStats::default();
    for i in 0..400u64 {
        // a skewed, deterministic spread: most around 2-4 ms, a tail to ~60 ms
        let us = 1_500 + (i * 7_919) % 2_500 + if i % 50 == 0 { 55_000 } else { 0 };
        stats.record_ok(Duration::from_micros(us));
        ttfb.record_ok(Duration::from_micros(us * 9 / 10));
    }
    stats.record_error(Reason::Timeout);
    stats.record_error(Reason::Timeout);
    stats.record_error(Reason::ServerDisconnected);
    let obs = observation(
        "everything",
        "http://127.0.0.1:3001/mcp",
        2_500.0,
        Facts::Load(Box::new(LoadFacts {
            method: "tools/list".into(),
            concurrency: 4,
            stats,
            ttfb,
            elapsed: Duration::from_millis(2_500),
            revision: Some("2025-11-25".into()),
            failed_sessions: 0,
            rate: Some(200.0),
            interrupted: false,
        })),
    );
    Report {
        command: "measure",
        generated_at: t0(),
        findings: vec![
            finding(
                "everything",
                Kind::Load,
                "success_rate",
                Status::Warn,
                Some(Reason::Threshold),
                "99.3 % of 403 requests succeeded, below 99.5 %",
            )
            .value(99.256)
            .unit(Unit::Percent)
            .bounds(Some(99.5), Some(95.0))
            .lower_is_worse(),
            finding(
                "everything",
                Kind::Load,
                "p95",
                Status::Ok,
                None,
                "p95 3.9 ms",
            )
            .value(3.903)
            .unit(Unit::Ms)
            .bounds(Some(2000.0), None),
            finding(
                "everything",
                Kind::Load,
                "throughput",
                Status::Ok,
                None,
                "160 requests/s",
            )
            .value(160.0)
            .unit(Unit::Count),
        ],
        observations: vec![obs],
        events: None,
        outbox: None,
    }
}

/// `alerts`: the mixed round's verdicts and what changed this run (a firing, an escalation, a
/// resolution and a `--repeat` reminder).
pub fn alerts() -> Report {
    let mut r = mixed();
    r.command = "alerts";
    r.events = Some(vec![
        AlertEvent {
            target: "hub".into(),
            probe: Kind::Hub,
            check: "server:memory".into(),
            event: Event::Firing(Status::Crit),
            status: Status::Crit,
            message: "disconnected: spawn npx ENOENT".into(),
        },
        AlertEvent {
            target: "app-log".into(),
            probe: Kind::Log,
            check: "log_errors".into(),
            event: Event::Escalated(Status::Warn),
            status: Status::Warn,
            message: "12 errors in the last 100 entries".into(),
        },
        AlertEvent {
            target: "api".into(),
            probe: Kind::Mcp,
            check: "liveness".into(),
            event: Event::Resolved,
            status: Status::Ok,
            message: "server/discover 0.8 ms".into(),
        },
        AlertEvent {
            target: "worker".into(),
            probe: Kind::Mcp,
            check: "connect".into(),
            event: Event::Repeat(Status::Crit),
            status: Status::Crit,
            message: "the server closed stdout before answering initialize".into(),
        },
    ]);
    r.outbox = Some(vec![
        crate::model::OutboxEntry {
            channel: "webhook (https://alerts.example.com)".into(),
            created_at: r.generated_at - chrono::Duration::minutes(10),
            attempts: 2,
            events: 1,
            last_error: Some("HTTP 503 Service Unavailable (2 attempts)".into()),
        },
        crate::model::OutboxEntry {
            channel: "webhook (https://alerts.example.com)".into(),
            created_at: r.generated_at,
            attempts: 0,
            events: 4,
            last_error: None,
        },
    ]);
    r
}

/// `alerts` with the log alert silenced (a silence with a comment) and the events it no longer sends
/// left out.
pub fn alerts_silenced() -> Report {
    let mut r = alerts();
    for f in &mut r.findings {
        if f.target == "app-log" && f.check == "log_errors" {
            f.silenced = Some(Box::new(crate::model::Silenced {
                status: f.status,
                by: "silence 3fa9c2d1".into(),
                until: t0() + chrono::Duration::hours(2),
                comment: Some("log rotation | OPS-7".into()),
            }));
            f.status = Status::Ok;
            f.reason = None;
        }
    }
    if let Some(events) = &mut r.events {
        events.retain(|e| e.target != "app-log");
    }
    r
}

/// `silence list`: two silences in force.
pub fn silences() -> (Report, Vec<crate::model::Silence>) {
    let r = Report {
        command: "silence",
        generated_at: t0(),
        findings: Vec::new(),
        observations: Vec::new(),
        events: None,
        outbox: None,
    };
    let list = vec![
        crate::model::Silence {
            id: "3fa9c2d1".into(),
            matches: "web-*".into(),
            starts_at: t0() - chrono::Duration::minutes(10),
            ends_at: t0() + chrono::Duration::minutes(110),
            comment: Some("deploy \"v2\" | OPS-7".into()),
        },
        crate::model::Silence {
            id: "0b7e44a9".into(),
            matches: "api/liveness".into(),
            starts_at: t0(),
            ends_at: t0() + chrono::Duration::days(2),
            comment: None,
        },
    ];
    (r, list)
}

fn section(mut f: Finding, s: &'static str) -> Finding {
    f.section = Some(s);
    f
}

/// `validate`: one finding per check, in every section.
pub fn validate() -> Report {
    let cfg = "~/.config/mcpmon/mcpmon.json";
    Report {
        command: "validate",
        generated_at: t0(),
        findings: vec![
            section(
                finding(
                    cfg,
                    Kind::Config,
                    "file",
                    Status::Ok,
                    None,
                    "3 targets, valid JSON",
                ),
                "config",
            ),
            section(
                finding(
                    "memory",
                    Kind::Config,
                    "command",
                    Status::Warn,
                    Some(Reason::Unpinned),
                    "`npx -y @modelcontextprotocol/server-memory` runs whatever version is newest",
                ),
                "config",
            ),
            section(
                finding(
                    "hub",
                    Kind::Process,
                    "process",
                    Status::Ok,
                    None,
                    "pid 1234 (node), up 2 h",
                ),
                "process",
            ),
            section(
                finding(
                    "hub",
                    Kind::Hub,
                    "port",
                    Status::Ok,
                    None,
                    "127.0.0.1:37373 accepts connections",
                ),
                "network",
            ),
            section(
                finding(
                    "hub",
                    Kind::Hub,
                    "hub_state",
                    Status::Ok,
                    None,
                    "ready (v4.2.1)",
                ),
                "api",
            ),
            section(
                finding(
                    "everything",
                    Kind::Mcp,
                    "connect",
                    Status::Ok,
                    None,
                    "initialized 2025-11-25 over streamable_http in 12.345 ms",
                )
                .value(12.345)
                .unit(Unit::Ms),
                "mcp",
            ),
            section(
                finding(
                    "everything",
                    Kind::Mcp,
                    "tools",
                    Status::Ok,
                    None,
                    "3 tools",
                )
                .value(3.0)
                .unit(Unit::Count),
                "mcp",
            ),
            section(
                finding(
                    "everything",
                    Kind::Conformance,
                    "session_id_visible_ascii",
                    Status::Ok,
                    None,
                    "Mcp-Session-Id is visible ASCII",
                ),
                "conformance",
            ),
            section(
                finding(
                    "everything",
                    Kind::Conformance,
                    "unknown_session_404",
                    Status::Crit,
                    Some(Reason::Nonconformant),
                    "a request with an unknown session id got HTTP 400, expected 404",
                ),
                "conformance",
            ),
            section(
                finding(
                    "app-log",
                    Kind::Log,
                    "log_errors",
                    Status::Warn,
                    Some(Reason::Threshold),
                    "12 errors in the last 100 entries",
                )
                .value(12.0)
                .unit(Unit::Count)
                .bounds(Some(10.0), None),
                "logs",
            ),
            section(
                finding(
                    "box",
                    Kind::Host,
                    "disk:/",
                    Status::Unknown,
                    Some(Reason::FileMissing),
                    "/srv/mcp does not exist: its disk was not measured",
                ),
                "resources",
            ),
        ],
        observations: Vec::new(),
        events: None,
        outbox: None,
    }
}

/// `anomalies`: live findings ("now") and history findings.
pub fn anomalies() -> Report {
    Report {
        command: "anomalies",
        generated_at: t0(),
        findings: vec![
            section(
                finding(
                    "app-log",
                    Kind::Log,
                    "log_errors",
                    Status::Ok,
                    None,
                    "2 errors in the last 100 entries",
                )
                .value(2.0)
                .unit(Unit::Count),
                "now",
            ),
            section(
                finding(
                    "history",
                    Kind::Mcp,
                    "history",
                    Status::Ok,
                    None,
                    "288 records of 2 targets from 2 day files",
                ),
                "history",
            ),
            section(
                finding(
                    "everything",
                    Kind::Mcp,
                    "baseline:handshake",
                    Status::Warn,
                    Some(Reason::Anomaly),
                    "handshake 48 ms is 9.1 MADs above its median 12 ms",
                )
                .value(48.0)
                .unit(Unit::Ms),
                "history",
            ),
            section(
                finding(
                    "everything",
                    Kind::Mcp,
                    "tools_changed",
                    Status::Warn,
                    Some(Reason::Anomaly),
                    "tool list changed: +new -old",
                ),
                "history",
            ),
        ],
        observations: Vec::new(),
        events: None,
        outbox: None,
    }
}

/// A `Range` of values, folded the way the daily summary folds them.
fn range(values: &[f64]) -> Range {
    let mut fold = Fold::default();
    for (i, v) in values.iter().enumerate() {
        let line = format!(
            r#"{{"at":"x","target":"t","kind":"mcp","status":"ok","metrics":{{"process_cpu":{v}}}}}"#
        );
        let l: crate::model::HistoryLine = serde_json::from_str(&line).unwrap();
        fold.add(&l, at(i as i64 * 1000), t0());
    }
    fold.series["t"]["mcp"].cpu
}

/// One day of a target, all zeroes but its name.
fn series(target: &str, kind: &str) -> SeriesDay {
    SeriesDay {
        target: target.into(),
        kind: kind.into(),
        records: 0,
        observed_s: 0.0,
        up_s: 0.0,
        down_s: 0.0,
        unknown_s: 0.0,
        outages: Vec::new(),
        p50: None,
        p95: None,
        p99: None,
        hourly: vec![None; 24],
        not_ok: 0,
        reasons: BTreeMap::new(),
        restarts: Vec::new(),
        tool_changes: Vec::new(),
        cpu: Range::default(),
        memory: Range::default(),
        rss: Range::default(),
        log_mb: Range::default(),
        alerts: 0,
    }
}

/// The pieces of a daily summary (the `Daily` view borrows them).
pub struct DailyParts {
    pub days: Vec<SeriesDay>,
    pub previous: Vec<SeriesDay>,
    pub deductions: Vec<Deduction>,
    pub goals: Vec<Goal>,
    pub recommendations: Vec<String>,
}

/// A day with an outage, restarts, a changed tool list and resource use, against a previous day.
pub fn daily_parts() -> DailyParts {
    let start: DateTime<Utc> = "2026-11-21T00:00:00Z".parse().unwrap();
    let hourly: Vec<Option<f64>> = (0..24)
        .map(|h| match h {
            3 | 4 => None,
            14 => Some(48.0),
            h => Some(10.0 + (h % 5) as f64),
        })
        .collect();
    let mut api = series("everything", "mcp");
    api.records = 288;
    api.observed_s = 86_100.0;
    api.up_s = 85_200.0;
    api.down_s = 900.0;
    api.unknown_s = 300.0;
    api.outages = vec![Outage {
        start: start + chrono::Duration::minutes(14 * 60 + 5),
        end: start + chrono::Duration::minutes(14 * 60 + 20),
    }];
    api.p50 = Some(12.0);
    api.p95 = Some(31.5);
    api.p99 = Some(48.25);
    api.hourly = hourly;
    api.not_ok = 4;
    api.reasons = BTreeMap::from([
        ("connect_refused".to_string(), 3),
        ("timeout".to_string(), 1),
    ]);
    api.restarts = vec![(
        "process".to_string(),
        start + chrono::Duration::minutes(14 * 60 + 20),
    )];
    api.tool_changes = names(&["+new", "-old"]);
    api.cpu = range(&[0.5, 1.5, 4.0]);
    api.memory = range(&[3.0, 3.5]);
    api.alerts = 1;
    let mut hub = series("hub", "hub");
    hub.records = 288;
    hub.observed_s = 86_400.0;
    hub.up_s = 86_400.0;
    hub.p50 = Some(8.0);
    hub.p95 = Some(9.0);
    hub.p99 = Some(9.5);
    hub.hourly = vec![Some(8.0); 24];
    let mut before = series("everything", "mcp");
    before.p95 = Some(21.0);
    DailyParts {
        days: vec![api, hub],
        previous: vec![before],
        deductions: vec![
            Deduction {
                rule: "errors",
                points: 0.7,
                evidence: "4 of 576 records not OK (0.7 %; 1 point per %, at most 20 points)".into(),
            },
            Deduction {
                rule: "disconnected",
                points: 5.0,
                evidence: "everything (mcp) down 15 min from 14:05 (5 points per outage, at most 30 points)".into(),
            },
        ],
        goals: vec![
            Goal {
                name: "uptime",
                target: "> 99.9 %".into(),
                unit: "%",
                limit: 99.9,
                above: true,
                value: Some(99.477),
                met: Some(false),
            },
            Goal {
                name: "success rate",
                target: "> 95 %".into(),
                unit: "%",
                limit: 95.0,
                above: true,
                value: Some(99.306),
                met: Some(true),
            },
            Goal {
                name: "reconnects",
                target: "< 5 a day".into(),
                unit: "a day",
                limit: 5.0,
                above: false,
                value: None,
                met: None,
            },
        ],
        recommendations: names(&[
            "everything: 3 connect_refused — check the server's process supervisor",
            "everything: p95 up 50 % on the previous day",
        ]),
    }
}

/// The daily view of `parts`.
pub fn daily(parts: &DailyParts) -> Daily {
    Daily {
        title: "mcpmon daily summary — 2026-11-21 (UTC)".into(),
        start: "2026-11-21T00:00:00Z".parse().unwrap(),
        end: "2026-11-22T00:00:00Z".parse().unwrap(),
        days: parts.days.clone(),
        previous: parts.previous.clone(),
        day: crate::rules::daily::Day {
            score: 94.3,
            previous_score: Some(97.0),
            deductions: parts.deductions.clone(),
            goals: parts.goals.clone(),
            by_target: vec![
                ("everything".into(), parts.goals.clone()),
                (
                    "hub".into(),
                    parts
                        .goals
                        .iter()
                        .map(|g| match g.name {
                            "uptime" => Goal {
                                value: Some(100.0),
                                met: Some(true),
                                ..g.clone()
                            },
                            _ => g.clone(),
                        })
                        .collect(),
                ),
            ],
            recommendations: parts.recommendations.clone(),
            status: Status::Warn,
            findings: Vec::new(),
            system: Some("host up 10 d, load 0.52 0.61 0.70, memory 71 % used, 4 CPUs".into()),
            alerts: Some(
                "alerts (mcpmon alerts): 1 fired and 1 resolved in this window, 0 firing now"
                    .into(),
            ),
        },
    }
}

/// `daily-summary` for the machine formats: the score, its deductions, the goals, availability and
/// latency per series, the recommendations — as findings, the shape the command builds from the view.
pub fn daily_report() -> Report {
    let parts = daily_parts();
    let mut findings = vec![
        finding(
            "summary",
            Kind::Mcp,
            "health_score",
            Status::Warn,
            Some(Reason::Threshold),
            "health score 94 (previous 97), degraded",
        )
        .value(94.3)
        .unit(Unit::Count)
        .bounds(Some(90.0), Some(70.0))
        .lower_is_worse(),
    ];
    for x in &parts.deductions {
        findings.push(
            finding(
                "summary",
                Kind::Mcp,
                &format!("deduction:{}", x.rule),
                Status::Ok,
                None,
                &x.evidence,
            )
            .value(-x.points)
            .unit(Unit::Count),
        );
    }
    for g in &parts.goals {
        let st = if g.met == Some(false) {
            Status::Warn
        } else {
            Status::Ok
        };
        let mut f = finding(
            "summary",
            Kind::Mcp,
            &format!("goal:{}", g.name),
            st,
            None,
            &format!("{} {}", g.name, g.target),
        );
        f.value = g.value;
        findings.push(f);
    }
    for d in &parts.days {
        let probe = if d.kind == "hub" {
            Kind::Hub
        } else {
            Kind::Mcp
        };
        let mut f = finding(
            &d.target,
            probe,
            "availability",
            Status::Ok,
            None,
            &format!(
                "{} ({}): {}",
                d.target,
                d.kind,
                crate::model::human::counted(d.outages.len(), "outage")
            ),
        )
        .unit(Unit::Percent);
        f.value = d.availability();
        findings.push(f);
    }
    Report {
        command: "daily-summary",
        generated_at: t0(),
        findings,
        observations: Vec::new(),
        events: None,
        outbox: None,
    }
}

/// `health` of plain TCP ports and certificate files: a port that connects (OK), a TLS port whose
/// certificate has 3.2 days left (CRIT), a port that closed without its expected answer (CRIT), a
/// certificate file 20 days from expiry (WARN) and a file that is not a certificate (CRIT).
pub fn tcp_and_certs() -> Report {
    use crate::model::{CertExpiry, CertFacts, TcpFacts, TlsFacts};
    let expiry = |days: f64| CertExpiry {
        not_after: t0() + chrono::Duration::seconds((days * 86_400.0) as i64),
        days_left: days,
    };
    let db = observation(
        "db",
        "tcp://127.0.0.1:5432",
        0.5,
        Facts::Tcp(Box::new(TcpFacts {
            address: Some("127.0.0.1:5432".into()),
            connect: Some(ms(0.4)),
            ..TcpFacts::default()
        })),
    );
    let web = observation(
        "web",
        "tcp://127.0.0.1:8443",
        6.1,
        Facts::Tcp(Box::new(TcpFacts {
            address: Some("127.0.0.1:8443".into()),
            connect: Some(ms(0.3)),
            tls: Some(TlsFacts {
                handshake: ms(4.2),
                version: Some("TLSv1.3".into()),
                cert: Some(expiry(3.2)),
            }),
            expect: Some(" 200 OK".into()),
            matched: Some(true),
            received: Some("HTTP/1.1 200 OK".into()),
            received_bytes: 15,
            closed: false,
        })),
    );
    let cache = observation(
        "cache",
        "tcp://127.0.0.1:6379",
        0.9,
        Facts::Tcp(Box::new(TcpFacts {
            address: Some("127.0.0.1:6379".into()),
            connect: Some(ms(0.2)),
            expect: Some("+PONG".into()),
            matched: Some(false),
            received: Some("-NOAUTH Authentication required.\r\n".into()),
            received_bytes: 34,
            closed: true,
            ..TcpFacts::default()
        })),
    );
    let ssl = observation(
        "ssl",
        "/etc/ssl/mcp-context-forge.crt",
        0.2,
        Facts::Cert(Box::new(CertFacts {
            certificates: 2,
            expiry: Some(expiry(20.0)),
        })),
    );
    let junk = Observation {
        failure: Some(Failure::new(
            Reason::FileUnreadable,
            "cert_file /etc/ssl/notes.txt: not a PEM certificate: no \"BEGIN CERTIFICATE\" block",
        )),
        ..observation(
            "junk",
            "/etc/ssl/notes.txt",
            0.1,
            Facts::Cert(Box::default()),
        )
    };
    let days = |f: Finding, d: f64| {
        f.value(d)
            .unit(Unit::Days)
            .bounds(Some(30.0), Some(7.0))
            .lower_is_worse()
    };
    let connect = |t: &str, m: &str, v: f64| {
        finding(t, Kind::Tcp, "tcp", Status::Ok, None, m)
            .value(v)
            .unit(Unit::Ms)
            .bounds(Some(2000.0), Some(5000.0))
    };
    let findings = vec![
        connect("db", "connected to 127.0.0.1:5432 in 0.4 ms", 0.4),
        connect("web", "connected to 127.0.0.1:8443 in 0.3 ms, TLSv1.3", 0.3),
        days(
            finding(
                "web",
                Kind::Tcp,
                "tls_expiry",
                Status::Crit,
                Some(Reason::Threshold),
                "the certificate expires in 3.2 days (2026-11-25; warn < 30, crit < 7)",
            ),
            3.2,
        ),
        finding(
            "web",
            Kind::Tcp,
            "expect",
            Status::Ok,
            None,
            "the peer sent \" 200 OK\"",
        ),
        connect("cache", "connected to 127.0.0.1:6379 in 0.2 ms", 0.2),
        finding(
            "cache",
            Kind::Tcp,
            "expect",
            Status::Crit,
            Some(Reason::AssertionFailed),
            "the peer closed the connection after 34 bytes without sending \"+PONG\": got \"-NOAUTH Authentication required.\"",
        ),
        days(
            finding(
                "ssl",
                Kind::Cert,
                "tls_expiry",
                Status::Warn,
                Some(Reason::Threshold),
                "the certificate expires in 20 days (2026-12-12; warn < 30, crit < 7)",
            ),
            20.0,
        ),
        finding(
            "junk",
            Kind::Cert,
            "cert",
            Status::Crit,
            Some(Reason::FileUnreadable),
            "cert_file /etc/ssl/notes.txt: not a PEM certificate: no \"BEGIN CERTIFICATE\" block",
        ),
    ];
    Report {
        command: "health",
        generated_at: t0(),
        findings,
        observations: vec![db, web, cache, ssl, junk],
        events: None,
        outbox: None,
    }
}

/// `alerts` with remediation (`on_fire`): the hub fired and was restarted, a reconnect failed, one
/// restart was refused by its budget and one by its cooldown.
pub fn alerts_with_actions() -> Report {
    let mut r = alerts();
    let action =
        |target: &str, probe: Kind, check: &'static str, event: Event, message: &str| AlertEvent {
            target: target.into(),
            probe,
            check: check.into(),
            event,
            status: Status::Crit,
            message: message.into(),
        };
    r.events.get_or_insert_with(Vec::new).extend([
        action("hub", Kind::Hub, "server:memory", Event::Action, "restart hub: exit 0 in 1.2 s; 1 of 3 allowed this hour"),
        action("api", Kind::Mcp, "connect", Event::ActionFailed, "reconnect: HTTP 503 Service Unavailable in 15 ms: hub | busy; 1 of 3 allowed this hour"),
        action("worker", Kind::Mcp, "connect", Event::ActionSkipped, "restart worker: not run: 3 of 3 runs this hour used, next at 14:40 UTC"),
        action("worker", Kind::Mcp, "liveness", Event::ActionSkipped, "restart worker: not run: cooldown until 14:05 UTC"),
    ]);
    r
}

/// `health --hub URL -- node …`: a stdio server and a hub with its two servers (one disconnected), named
/// as the command line names them; the hub's process is not watched.
pub fn hub() -> Report {
    let mut r = mixed();
    let hub_only =
        |target: &str, probe: Kind| target == "api" || (target == "hub" && probe == Kind::Hub);
    r.observations.retain(|o| hub_only(&o.target, o.kind()));
    r.findings.retain(|f| hub_only(&f.target, f.probe));
    let rename = |t: &mut String| {
        *t = match t.as_str() {
            "api" => "node index.js".into(),
            _ => "hub 127.0.0.1:37373".into(),
        }
    };
    r.observations
        .iter_mut()
        .for_each(|o| rename(&mut o.target));
    r.findings.iter_mut().for_each(|f| rename(&mut f.target));
    r
}
