//! Functional checks (`call`) against the real peers: server-everything over Streamable HTTP and
//! stdio, the Python SDK server (2026-07-28) over HTTP and stdio; and the stub that logs every
//! request, to prove a tool that is not read-only is never called unless allowed.

use crate::common::*;
use serde_json::{Value, json};
use std::path::Path;

fn write_config(dir: &Path, targets: Value) -> String {
    let path = dir.join("calls.json");
    std::fs::write(&path, json!({ "targets": targets }).to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

fn stdio(key: &str) -> Value {
    let argv = peer_cmd(key);
    json!({ "command": argv[0], "args": argv[1..] })
}

fn with(mut target: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        target[k] = v.clone();
    }
    target
}

fn calls_of(doc: &Value, target: &str) -> Vec<Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["target"] == target && f["check"].as_str().unwrap().starts_with("call:"))
        .cloned()
        .collect()
}

#[test]
fn tools_resources_and_prompts_answer_as_expected_on_every_transport() {
    let home = tempdir();
    let everything = json!({
        "call": [
            { "tool": "echo", "args": { "message": "hi" }, "expect": { "contains": "hi" }, "crit_ms": 2000 },
            { "tool": "get-sum", "args": { "a": 2, "b": 3 }, "expect": { "matches": "\\b5\\b" } },
            { "resource": "demo://resource/static/document/features.md", "expect": { "contains": "#" } },
            { "prompt": "args-prompt", "args": { "city": "Paris" }, "expect": { "contains": "Paris" } }
        ]
    });
    let python = json!({
        "allow_side_effects": ["add"],
        "call": [ { "tool": "add", "args": { "a": 2, "b": 3 },
                    "expect": { "contains": "5", "structured": { "/result": 5 } } } ]
    });
    let config = write_config(
        home.path(),
        json!({
            "ev-http": with(json!({ "url": peer("EVERYTHING_HTTP_URL") }), everything.clone()),
            "ev-stdio": with(stdio("EVERYTHING_STDIO_CMD"), everything),
            "py-http": with(json!({ "url": peer("PY_HTTP_URL") }), python.clone()),
            "py-stdio": with(stdio("PY_STDIO_CMD"), python),
        }),
    );
    // two node and two Python servers at once on a loaded machine: generous deadlines (a Python
    // server's imports alone took seconds here), within the test's 60 s hang guard
    let (code, doc) = health_json(
        home.path(),
        &[
            "--config",
            &config,
            "--timeout",
            "15s",
            "--startup-timeout",
            "40s",
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    for (target, n) in [
        ("ev-http", 4),
        ("ev-stdio", 4),
        ("py-http", 1),
        ("py-stdio", 1),
    ] {
        let found = calls_of(&doc, target);
        assert_eq!(found.len(), n, "{target}: {found:#?}");
        for f in &found {
            assert_eq!(f["status"], "ok", "{f:#}");
            assert!(f["value"].as_f64().unwrap() > 0.0, "a latency: {f:#}");
            assert_eq!(f["unit"], "ms", "{f:#}");
        }
    }
    let echo = finding(&doc, "ev-http", "call:echo");
    assert_eq!(echo["crit"], 2000.0);
    assert!(
        echo["message"].as_str().unwrap().contains("\"Echo: hi\""),
        "{echo:#}"
    );
    // the modern era (the Python server) carried the call too, structured content and all
    let py = doc["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["target"] == "py-http")
        .unwrap();
    assert_eq!(py["revision"], "2026-07-28");
    assert_eq!(py["calls"][0]["called"], true);
    assert_eq!(py["calls"][0]["is_error"], false);
}

#[test]
fn an_expectation_not_met_is_critical_with_the_reason_and_the_result() {
    let home = tempdir();
    let config = write_config(
        home.path(),
        json!({ "srv": { "url": peer("EVERYTHING_HTTP_URL"),
            "call": [ { "tool": "echo", "args": { "message": "hi" }, "expect": { "contains": "nope" } } ] } }),
    );
    let (code, doc) = health_json(home.path(), &["--config", &config]);
    assert_eq!(code, 2, "{doc:#}");
    let f = finding(&doc, "srv", "call:echo");
    assert_eq!(f["status"], "crit");
    assert_eq!(f["reason"], "assertion_failed");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("the text does not contain \"nope\""), "{msg}");
    assert!(msg.contains("result \"Echo: hi\""), "{msg}");
    // the table says the same under the row
    let (code, out, _) = run(home.path(), &["health", "--config", &config]);
    assert_eq!(code, 2);
    assert!(
        out.contains("CRIT srv call:echo: assertion_failed: tools/call echo in"),
        "{out}"
    );
}

#[test]
fn a_missing_tool_is_critical_and_not_called() {
    let home = tempdir();
    let url = peer("EVERYTHING_HTTP_URL");
    let (code, doc) = health_json(home.path(), &[url, "--call", "no-such-tool"]);
    assert_eq!(code, 2, "{doc:#}");
    let target = only_obs(&doc)["target"].as_str().unwrap().to_string();
    let f = finding(&doc, &target, "call:no-such-tool");
    assert_eq!(f["reason"], "tool_missing");
    assert!(
        f["message"].as_str().unwrap().contains("not called"),
        "{f:#}"
    );
}

#[test]
fn a_tool_with_side_effects_is_not_called_unless_allowed() {
    let home = tempdir();
    // the stub's tools carry no readOnlyHint; it logs every JSON-RPC method it receives
    let log = home.path().join("stub.log");
    let s = HttpStub::start_with_env("legacy-ok", &[("STUB_LOG", log.to_str().unwrap())]);
    let url = s.url("/mcp");
    let (code, doc) = health_json(home.path(), &[&url, "--call", "alpha"]);
    assert_eq!(code, 3, "mcpmon declined: UNKNOWN. {doc:#}");
    let target = only_obs(&doc)["target"].as_str().unwrap().to_string();
    let f = finding(&doc, &target, "call:alpha");
    assert_eq!(f["status"], "unknown");
    assert_eq!(f["reason"], "not_read_only");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("not marked read-only"), "{msg}");
    assert!(msg.contains("allow_side_effects"), "{msg}");
    let seen = std::fs::read_to_string(&log).unwrap();
    assert!(seen.contains("jsonrpc-method=tools/list"), "{seen}");
    assert!(
        !seen.contains("jsonrpc-method=tools/call"),
        "a refused tool was called: {seen}"
    );
    // allowed, it is called (the stub answers tools/call with method-not-found: CRIT rpc_error)
    let (code, doc) = health_json(
        home.path(),
        &[&url, "--call", "alpha", "--allow-side-effects", "alpha"],
    );
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(finding(&doc, &target, "call:alpha")["reason"], "rpc_error");
    let seen = std::fs::read_to_string(&log).unwrap();
    assert!(seen.contains("jsonrpc-method=tools/call"), "{seen}");
}

#[test]
fn server_everythings_side_effect_tool_is_refused_and_never_sent() {
    let home = tempdir();
    let config = write_config(
        home.path(),
        json!({ "srv": { "url": peer("EVERYTHING_HTTP_URL"),
            "call": [ { "tool": "toggle-simulated-logging" } ] } }),
    );
    let (code, doc) = health_json(home.path(), &["--config", &config]);
    assert_eq!(code, 3, "{doc:#}");
    assert_eq!(
        finding(&doc, "srv", "call:toggle-simulated-logging")["reason"],
        "not_read_only"
    );
    let obs = only_obs(&doc);
    assert_eq!(obs["calls"][0]["called"], false);
    let sent: Vec<&str> = obs["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    assert!(sent.contains(&"tools/list"), "{sent:?}");
    assert!(!sent.contains(&"tools/call"), "{sent:?}");
}

#[test]
fn a_token_the_server_echoes_never_reaches_the_output() {
    let home = tempdir();
    let token = "tok-calls-5f4e3d2c1b";
    let url = peer("EVERYTHING_HTTP_URL");
    let header = format!("Authorization: Bearer {token}");
    let call = format!("echo {{\"message\": \"my token is {token}\"}}");
    for format in ["json", "table", "nagios", "prometheus", "markdown"] {
        let (code, out, err) = run(
            home.path(),
            &["health", url, "-H", &header, "--call", &call, "-f", format],
        );
        assert_eq!(code, 0, "{format}: {out}{err}");
        assert!(!out.contains(token), "{format} leaked the token: {out}");
        assert!(!err.contains(token), "{format} leaked the token: {err}");
    }
    let (_, doc) = health_json(home.path(), &[url, "-H", &header, "--call", &call]);
    let target = only_obs(&doc)["target"].as_str().unwrap().to_string();
    let msg = finding(&doc, &target, "call:echo")["message"].clone();
    assert!(msg.as_str().unwrap().contains("my token is ***"), "{msg}");
}

#[test]
fn call_latencies_are_recorded_in_history() {
    let home = tempdir();
    let state = home.path().join("state");
    let url = peer("EVERYTHING_HTTP_URL");
    let (code, out, err) = run(
        home.path(),
        &[
            "health",
            url,
            "--call",
            "echo {\"message\": \"hi\"}",
            "--record",
            "--state-dir",
            state.to_str().unwrap(),
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let day = std::fs::read_dir(state.join("history"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let line: Value = serde_json::from_str(
        std::fs::read_to_string(day)
            .unwrap()
            .lines()
            .find(|l| l.contains("\"kind\":\"mcp\""))
            .unwrap(),
    )
    .unwrap();
    assert!(
        line["metrics"]["call:echo"].as_f64().unwrap() > 0.0,
        "{line}"
    );
}

#[test]
fn a_bad_call_flag_is_a_one_line_usage_error() {
    let home = tempdir();
    let (code, _, err) = run(
        home.path(),
        &["health", "http://127.0.0.1:1/mcp", "--call", "echo [1]"],
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("must be a JSON object"), "{err}");
}

#[test]
fn the_readme_example_runs_as_written_against_server_everything() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let at = readme
        .find("## Functional checks (`call`)")
        .expect("README has the section");
    let block = readme[at..].split("```jsonc\n").nth(1).unwrap();
    let block = block.split("```").next().unwrap();
    let home = tempdir();
    let config = home.path().join("mcpmon.json");
    std::fs::write(
        &config,
        block.replace("http://127.0.0.1:3001/mcp", peer("EVERYTHING_HTTP_URL")),
    )
    .unwrap();
    let (code, doc) = health_json(home.path(), &["--config", config.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc:#}");
    let found = calls_of(&doc, "srv");
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(found.iter().all(|f| f["status"] == "ok"), "{found:#?}");
}
