//! What reading a config produces, pinned as snapshots: the targets of valid files (mcpmon's own,
//! client configs, JSONC), and the one-line error of many invalid ones (every key, wrong types, wrong
//! values, unknown keys), so a change to how configs are read shows up as a reviewed snapshot diff.
//! Tests only.

use super::tests::env;
use super::*;
use crate::model::DEFAULT_TIMEOUT;

fn parse(text: &str) -> Result<Vec<Target>, ConfigError> {
    parse_config(
        text,
        "cfg.json",
        Some(Path::new("/base")),
        &env,
        DEFAULT_TIMEOUT,
    )
}

const VALID: &str = r#"{
  "defaults": {"timeout": "3s", "min_tools": 1, "expect_tools": ["a"], "era": "legacy",
               "thresholds": {"response_time_ms": {"warn": 100, "crit": null}, "log_errors": {"warn": 5}}},
  "targets": {
    "stdio": {"command": "node", "args": ["s.js", "${HOME}/x", "${NOPE}"], "env": {"K": "value1", "T": "${MCP_TOKEN}"},
              "cwd": "rel", "timeout": 2.5, "description": 5, "required_env": ["A"], "disabled": false},
    "stdio-abs": {"command": "${HOME}/bin/srv", "args": null, "cwd": "/abs", "type": "stdio", "timeout": 7,
                  "startup_timeout": "45s"},
    "http": {"url": "http://127.0.0.1:1/mcp?key=${MCP_TOKEN}", "headers": {"Authorization": "Bearer ${MCP_TOKEN}", "X": "abc"},
             "type": "streamable-http", "era": "modern", "min_tools": 0},
    "http2": {"url": "http://127.0.0.1:1/mcp", "transport": "streamableHttp", "era": "auto"},
    "http3": {"url": "http://127.0.0.1:1/mcp", "type": "streamable_http", "command": null},
    "http4": {"url": "http://127.0.0.1:1/mcp", "type": "http", "transport": "sse"},
    "sse": {"url": "http://u:p@127.0.0.1:2/sse", "transport": "sse", "expect_tools": []},
    "unresolved": {"url": "http://${HOST}/mcp", "headers": {"A": "${NOPE}"}},
    "hub": {"hub": "http://127.0.0.1:37373", "thresholds": {"hub_starting_s": {"warn": 10}}},
    "hub2": {"hub": {"url": "http://127.0.0.1:37373", "headers": {"Authorization": "${MCP_TOKEN}", "B": "${NOPE}"}}},
    "hub3": {"hub": "http://${HUBHOST}:1"},
    "health": {"health_url": {"url": "https://127.0.0.1:3/health", "headers": {"A": "bcde"},
                              "expect_status": [200, 204], "assert": {"/status": "ok", "": {"a": 1}},
                              "metrics": {"rate": {"pointer": "/rate", "warn": 0.95, "crit": 0.9, "below": true},
                                          "up": {"prometheus": "up", "labels": {"job": "x"}, "crit": 0},
                                          "both": {"pointer": "/p", "prometheus": "q", "below": false},
                                          "simple": "/a/b"},
                              "ca_file": "ca.pem"}},
    "health2": {"health_url": "http://127.0.0.1:3/health", "log": "logs/a.log"},
    "health3": {"health_url": {"url": "http://127.0.0.1:3/h", "expect_status": 204, "ca_file": "/etc/ca.pem"}},
    "gw": {"health_url": {"url": "http://127.0.0.1:8080/stats",
           "assert": {"/status": {"in": ["ok", "degraded"]}, "/name": {"matches": "^gw-[0-9]+$"},
                      "/servers": {"len": 2, "contains": "memory"}, "/load": {"ge": 0, "lt": 0.9},
                      "/error": {"exists": false}, "/cfg": {"equals": {"a": 1}}, "/id": {"id": 7}},
           "metrics": {"error_rate": {"pointer": "/errors", "rate": "1m", "warn": 100, "crit": 1000},
                       "messages": {"pointer": "/ws/messages", "increasing": true},
                       "last_sync": {"pointer": "/sync/last", "max_age": "90m"},
                       "cache_size": {"pointer": "/cache/size", "show": true}}}},
    "gw_all": {"health_url": {"url": "http://127.0.0.1:8080/stats", "metrics": "all"}},
    "log": {"log": {"path": "/var/log/x.log", "entries": 50}},
    "log2": {"log": "${HOME}/x.log"},
    "log3": {"log": {"path": "/var/log/app.log", "window": "tail",
                     "patterns": [{"name": "unauthorized", "regex": "UNAUTHORIZED|FAILED", "warn": 1, "crit": 5},
                                  {"name": "disconnect", "regex": "(?i)lost connection"}]}},
    "jd": {"log": {"command": ["journalctl", "-u", "mcp", "-n", "500", "-o", "cat"],
                   "patterns": [{"name": "failed", "regex": "FAILED", "warn": null, "crit": 3}]}},
    "proc": {"process": "node server", "port": 8080},
    "proc2": {"process": {"pid": 42}},
    "proc3": {"process": {"pid_file": "run/x.pid"}},
    "proc4": {"process": {"port": 0}},
    "proc5": {"process": {"pattern": "${HOME}/bin"}},
    "port": {"port": 3000},
    "many": {"url": "http://127.0.0.1:5/mcp", "hub": "http://127.0.0.1:6", "health_url": "http://127.0.0.1:7/h",
             "log": "/l.log", "process": "x", "thresholds": {"process_cpu_percent": {"warn": 50}, "tls_days_left": {"crit": 3}}},
    "off": {"command": "x", "disabled": true, "junk": 1, "timeout": "nonsense"}
  }
}"#;

const CLIENTS: &[&str] = &[
    r#"{"mcpServers": {"fs": {"command": "npx", "args": ["-y", "x"], "alwaysAllow": [], "autoApprove": ["a"]},
                      "off": {"command": "x", "disabled": true},
                      "remote": {"url": "http://127.0.0.1:2/mcp", "type": "http", "headers": {"Authorization": "Bearer abcd"}},
                      "cline": {"command": "node", "timeout": 60, "transportType": "stdio"}},
       "globalShortcut": "x", "targets-not": 1}"#,
    r#"{"servers": {"gh": {"type": "http", "url": "http://127.0.0.1:2/mcp", "gallery": true}}, "inputs": []}"#,
    r#"{"mcp": {"servers": {"s": {"type": "sse", "url": "http://127.0.0.1:2/sse"}}}, "editor.fontSize": 12}"#,
    "{\n  // JSONC\n  \"mcpServers\": {\"a\": {\"command\": \"x\", /* c */ \"args\": [\"1\",],},},\n}",
    r#"{"targets": {"t": {"url": "http://127.0.0.1:1/mcp"}}, "mcpServers": "ignored", "$schema": "x"}"#,
    r#"{"defaults": {"timeout": 4}, "mcpServers": {"m": {"command": "x", "era": "modern"}}}"#,
];

/// One target, its probes spelt out and its checks on one line.
fn show(t: &Target) -> String {
    format!(
        "{} ({}) timeout {:?} startup {:?} era {:?}\n  unresolved {:?}\n  secrets {:?}\n  checks {:?}\n  probes {:#?}\n",
        t.name,
        t.origin,
        t.timeout,
        t.startup_limit(),
        t.era,
        t.unresolved,
        t.secrets,
        t.checks,
        t.probes()
    )
}

#[test]
fn valid_configs() {
    let mut out = String::new();
    for t in parse(VALID).unwrap() {
        out.push_str(&show(&t));
    }
    for c in CLIENTS {
        out.push_str(&format!("{c}\n=>\n"));
        for t in parse(c).unwrap() {
            out.push_str(&show(&t));
        }
    }
    insta::assert_snapshot!("valid", out);
}

const INVALID: &[&str] = &[
    // the file
    r#"[1]"#,
    r#""x""#,
    "{\"targets\": {\"x\": }}",
    "{\n\"targets\": {\"x\": {\"command\": \"a\",}\n oops\n}",
    r#"{"other": 1}"#,
    r#"{"mcp": 1}"#,
    r#"{"targets": null}"#,
    r#"{"targets": []}"#,
    r#"{"mcpServers": 1}"#,
    r#"{"servers": "x"}"#,
    r#"{"mcp": {"servers": []}}"#,
    r#"{"mcp": {"servers": null}}"#,
    // defaults
    r#"{"defaults": 1, "targets": {}}"#,
    r#"{"defaults": null, "targets": {}}"#,
    r#"{"defaults": [], "targets": {}}"#,
    r#"{"defaults": {"timeot": 1}, "targets": {}}"#,
    r#"{"defaults": {"timeout": 0}, "targets": {}}"#,
    r#"{"defaults": {"timeout": -1}, "targets": {}}"#,
    r#"{"defaults": {"timeout": "fast"}, "targets": {}}"#,
    r#"{"defaults": {"timeout": "0s"}, "targets": {}}"#,
    r#"{"defaults": {"timeout": "10 parsecs"}, "targets": {}}"#,
    r#"{"defaults": {"timeout": true}, "targets": {}}"#,
    r#"{"defaults": {"timeout": null}, "targets": {}}"#,
    r#"{"defaults": {"timeout": 1e20}, "targets": {}}"#,
    r#"{"defaults": {"min_tools": -1}, "targets": {}}"#,
    r#"{"defaults": {"min_tools": "3"}, "targets": {}}"#,
    r#"{"defaults": {"min_tools": 1.5}, "targets": {}}"#,
    r#"{"defaults": {"min_tools": null}, "targets": {}}"#,
    r#"{"defaults": {"expect_tools": "echo"}, "targets": {}}"#,
    r#"{"defaults": {"expect_tools": [1]}, "targets": {}}"#,
    r#"{"defaults": {"expect_tools": null}, "targets": {}}"#,
    r#"{"defaults": {"era": "new"}, "targets": {}}"#,
    r#"{"defaults": {"era": 1}, "targets": {}}"#,
    r#"{"defaults": {"era": null}, "targets": {}}"#,
    r#"{"defaults": {"thresholds": 1}, "targets": {}}"#,
    r#"{"defaults": {"thresholds": {"nope": {}}}, "targets": {}}"#,
    r#"{"defaults": {"thresholds": {"response_time_ms": 5}}, "targets": {}}"#,
    r#"{"defaults": {"thresholds": {"response_time_ms": null}}, "targets": {}}"#,
    r#"{"defaults": {"thresholds": {"response_time_ms": {"warn": "x"}}}, "targets": {}}"#,
    r#"{"defaults": {"thresholds": {"response_time_ms": {"crit": true}}}, "targets": {}}"#,
    r#"{"defaults": {"thresholds": {"response_time_ms": {"warm": 1}}}, "targets": {}}"#,
    // an entry
    r#"{"targets": {"x": 1}}"#,
    r#"{"targets": {"x": []}}"#,
    r#"{"targets": {"x": null}}"#,
    r#"{"mcpServers": {"x": "npx"}}"#,
    r#"{"targets": {"x": {"command": "a", "min_tool": 1}}}"#,
    r#"{"targets": {"x": {}}}"#,
    r#"{"targets": {"x": {"description": "d", "disabled": false}}}"#,
    r#"{"mcpServers": {"x": {"alwaysAllow": []}}}"#,
    r#"{"targets": {"x": {"timeout": "fast", "command": "a"}}}"#,
    r#"{"targets": {"x": {"command": "a", "min_tools": -1}}}"#,
    r#"{"targets": {"x": {"command": "a", "era": "x"}}}"#,
    r#"{"targets": {"x": {"command": "a", "thresholds": {"x": {}}}}}"#,
    r#"{"targets": {"x": {"command": "a", "expect_tools": [true]}}}"#,
    r#"{"mcpServers": {"x": {"command": "a", "timeout": "fast"}}}"#,
    r#"{"mcpServers": {"x": {"command": "a", "thresholds": {"nope": {}}}}}"#,
    // the MCP endpoint
    r#"{"targets": {"x": {"command": 5}}}"#,
    r#"{"mcpServers": {"x": {"command": 5}}}"#,
    r#"{"targets": {"x": {"url": 5}}}"#,
    r#"{"targets": {"x": {"url": "http://h", "type": 5}}}"#,
    r#"{"targets": {"x": {"url": "http://h", "transport": 5}}}"#,
    r#"{"targets": {"x": {"url": "http://h", "type": "tcp"}}}"#,
    r#"{"targets": {"x": {"url": "http://h", "transport": "tcp"}}}"#,
    r#"{"targets": {"x": {"url": "http://h", "type": "http", "transport": "tcp"}}}"#,
    r#"{"targets": {"x": {"command": "a", "url": "http://b"}}}"#,
    r#"{"mcpServers": {"both": {"command": "x", "url": "http://127.0.0.1:1/mcp"}}}"#,
    r#"{"targets": {"x": {"command": "a", "type": "http"}}}"#,
    r#"{"targets": {"x": {"command": "a", "transport": "sse"}}}"#,
    r#"{"targets": {"x": {"url": "http://h", "type": "stdio"}}}"#,
    r#"{"targets": {"x": {"command": "a", "args": "x"}}}"#,
    r#"{"targets": {"x": {"command": "a", "args": [1]}}}"#,
    r#"{"targets": {"x": {"command": "a", "args": {}}}}"#,
    r#"{"targets": {"x": {"command": "a", "env": []}}}"#,
    r#"{"targets": {"x": {"command": "a", "env": null}}}"#,
    r#"{"targets": {"x": {"command": "a", "env": {"K": 1}}}}"#,
    r#"{"mcpServers": {"x": {"command": "a", "env": {"K": null}}}}"#,
    r#"{"targets": {"x": {"command": "a", "cwd": 1}}}"#,
    r#"{"targets": {"x": {"command": "  "}}}"#,
    r#"{"targets": {"x": {"command": ""}}}"#,
    r#"{"targets": {"x": {"url": "ftp://x"}}}"#,
    r#"{"targets": {"x": {"url": "not a url"}}}"#,
    r#"{"targets": {"x": {"url": "http://h", "headers": []}}}"#,
    r#"{"targets": {"x": {"url": "http://h", "headers": null}}}"#,
    r#"{"targets": {"x": {"url": "http://h", "headers": {"A": 1}}}}"#,
    // hub
    r#"{"targets": {"x": {"hub": 1}}}"#,
    r#"{"targets": {"x": {"hub": null}}}"#,
    r#"{"targets": {"x": {"hub": {}}}}"#,
    r#"{"targets": {"x": {"hub": {"url": 1}}}}"#,
    r#"{"targets": {"x": {"hub": "ftp://x"}}}"#,
    r#"{"targets": {"x": {"hub": {"url": "ftp://x"}}}}"#,
    r#"{"targets": {"x": {"hub": {"url": "http://h", "headers": 1}}}}"#,
    r#"{"targets": {"x": {"hub": {"url": "http://h", "headers": {"A": 1}}}}}"#,
    r#"{"targets": {"x": {"hub": {"url": "http://h", "header": {"A": "b"}}}}}"#,
    // health_url
    r#"{"targets": {"x": {"health_url": 1}}}"#,
    r#"{"targets": {"x": {"health_url": {}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": 1}}}}"#,
    r#"{"targets": {"x": {"health_url": "ftp://x"}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "bogus": 1}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "ca_file": 1}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "expect_status": "200"}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "expect_status": [99]}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "expect_status": ["200"]}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "expect_status": 700}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "expect_status": 200.5}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "assert": 1}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "assert": {"status": 1}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": 1}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": 1}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": {"warn": 1}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": {"pointer": 5}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": {"pointer": "/a", "below": 1}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": {"pointer": "/a", "warn": "x"}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": {"pointer": "/a", "x": 1}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": {"prometheus": "up", "labels": {"k": 1}}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": {"prometheus": "up", "labels": 1}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": "some"}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": {"pointer": "/a", "maxage": "1h"}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": {"pointer": "/a", "rate": "fast"}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": {"pointer": "/a", "rate": "1m", "increasing": true}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": {"pointer": "/a", "max_age": "1h", "warn": 5}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "metrics": {"m": {"pointer": "/a", "increasing": "yes"}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "assert": {"/name": {"matches": "gw-[0-9"}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "assert": {"/name": {"matchs": "gw"}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "assert": {"/n": {"gte": 1}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "assert": {"/n": {"in": [1], "bogus": 2}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "assert": {"/n": {"in": []}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "assert": {"/n": {"gt": "5"}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "assert": {"/n": {"len": -1}}}}}}"#,
    r#"{"targets": {"x": {"health_url": {"url": "http://h", "assert": {"/n": {"exists": 1}}}}}}"#,
    // log
    r#"{"targets": {"x": {"log": 1}}}"#,
    r#"{"targets": {"x": {"log": {}}}}"#,
    r#"{"targets": {"x": {"log": {"path": 1}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "entries": 0}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "entries": "5"}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "entry": 5}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "patern": []}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "command": ["journalctl"]}}}}"#,
    r#"{"targets": {"x": {"log": {"command": []}}}}"#,
    r#"{"targets": {"x": {"log": {"command": "journalctl -u mcp"}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "window": "all"}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "patterns": {"name": "a"}}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "patterns": [{"regex": "x"}]}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "patterns": [{"name": "a"}]}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "patterns": [{"name": "a", "regx": "x"}]}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "patterns": [{"name": "a", "regex": "(UNAUTHORIZED"}]}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "patterns": [{"name": "a", "regex": "x", "warn": 0}]}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "patterns": [{"name": "a", "regex": "x", "crit": "5"}]}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "patterns": [{"name": "a", "regex": "x"}, {"name": "a", "regex": "y"}]}}}}"#,
    r#"{"targets": {"x": {"log": {"path": "a", "patterns": [{"name": "a", "regex": "\\w{1000}{1000}"}]}}}}"#,
    // process and port
    r#"{"targets": {"x": {"process": 1}}}"#,
    r#"{"targets": {"x": {"process": null}}}"#,
    r#"{"targets": {"x": {"process": {}}}}"#,
    r#"{"targets": {"x": {"process": {"pid": "x"}}}}"#,
    r#"{"targets": {"x": {"process": {"pid": 1, "port": 2}}}}"#,
    r#"{"targets": {"x": {"process": {"pid_file": 1}}}}"#,
    r#"{"targets": {"x": {"process": {"port": 70000}}}}"#,
    r#"{"targets": {"x": {"process": {"pattern": 1}}}}"#,
    r#"{"targets": {"x": {"process": {"foo": 1}}}}"#,
    r#"{"targets": {"x": {"process": {"pid": 1, "foo": 1}}}}"#,
    r#"{"targets": {"x": {"port": 0}}}"#,
    r#"{"targets": {"x": {"port": 70000}}}"#,
    r#"{"targets": {"x": {"port": "80"}}}"#,
    r#"{"targets": {"x": {"port": null}}}"#,
];

#[test]
fn invalid_configs() {
    let mut out = String::new();
    for c in INVALID {
        let msg = match parse(c) {
            Ok(t) => format!("ACCEPTED: {}", t.len()),
            Err(e) => e.0,
        };
        out.push_str(&format!("{c}\n=> {msg}\n"));
    }
    insta::assert_snapshot!("invalid", out);
}

#[test]
fn lenient_sets_bad_entries_aside() {
    let text = r#"{"targets": {"ok": {"command": "a"}, "bad": {"command": 1}, "worse": 5,
                   "off": {"disabled": true, "x": 1}, "typo": {"url": "http://h", "hedaers": {}}}}"#;
    let (targets, problems) =
        parse_config_lenient(text, "cfg.json", None, &env, DEFAULT_TIMEOUT).unwrap();
    let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    insta::assert_snapshot!("lenient", format!("{names:?}\n{problems:#?}"));
    assert!(parse_config_lenient("[]", "cfg.json", None, &env, DEFAULT_TIMEOUT).is_err());
}

#[test]
fn alerts_files() {
    let mut out = String::new();
    for c in [
        r#"{"critical": {"llm_success_rate": 0.90, "circuit_breaker_state": "open"},
            "warning": {"llm_success_rate": 0.95, "p95_latency": 2000, "cache_hit_rate": 0.80, "x_up": 1,
                        "circuit_breaker_state": "half-open", "queue_depth": 50}}"#,
        r#"{"warning": {"b": 1, "a": "closed"}, "critical": {"a": "open", "b": 2}}"#,
        r#"{"critical": {"other_circuit_breaker_state": "half-open"}}"#,
        r#"{}"#,
        r#"[1]"#,
        r#"{"critical": 1}"#,
        r#"{"warning": null}"#,
        r#"{"warn": {}}"#,
        r#"{"warning": {"x": [1]}}"#,
        r#"{"warning": {"x": null}}"#,
        r#"{"warning": {"x": true}}"#,
        "{\"warning\": {\"x\": }}",
    ] {
        let got = match alerts_json::parse(c, "a.json") {
            Ok(v) => format!("{v:#?}"),
            Err(e) => e.0,
        };
        out.push_str(&format!("{c}\n=> {got}\n"));
    }
    insta::assert_snapshot!("alerts", out);
}
