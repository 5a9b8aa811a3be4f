//! `mcpmon validate`: every section's pass and fail side against real peers and broken stubs, the
//! config audit (a bad target is a finding, an unreadable file is exit 3), liveness vs readiness, and
//! the conformance checks of `--strict`.

use crate::common::*;
use serde_json::Value;

fn validate(home: &std::path::Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["validate", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(home, &all);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, doc)
}

/// The finding of `check` for `target` (exactly one).
fn the<'a>(doc: &'a Value, target: &str, check: &str) -> &'a Value {
    let found: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["target"] == target && f["check"] == check)
        .collect();
    assert_eq!(found.len(), 1, "{target} {check} in {doc:#}");
    found[0]
}

fn sections(doc: &Value) -> Vec<String> {
    let mut s: Vec<String> = Vec::new();
    for f in doc["findings"].as_array().unwrap() {
        let name = f["section"]
            .as_str()
            .expect("every finding has a section")
            .to_string();
        if s.last() != Some(&name) {
            assert!(
                !s.contains(&name),
                "sections are contiguous: {s:?} then {name}"
            );
            s.push(name);
        }
    }
    s
}

fn write_log(dir: &std::path::Path, errors: usize) -> std::path::PathBuf {
    let path = dir.join("hub.log");
    let mut text = String::new();
    for i in 0..40 {
        let level = if i < errors { "error" } else { "info" };
        text.push_str(&format!(
            "{{\"level\":\"{level}\",\"message\":\"entry {i}\",\"timestamp\":\"2026-11-22T01:00:{:02}.000Z\"}}\n",
            i % 60
        ));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_healthy_hub_with_process_log_and_endpoint_passes_every_section() {
    let home = tempdir();
    let log = write_log(home.path(), 0);
    let port = peer("HUB_URL").rsplit(':').next().unwrap().to_string();
    let (code, doc) = validate(
        home.path(),
        &[
            "--hub",
            peer("HUB_URL"),
            "--log",
            log.to_str().unwrap(),
            "--process",
            &format!("port:{port}"),
            peer("EVERYTHING_HTTP_URL"),
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["command"], "validate");
    assert_eq!(
        sections(&doc),
        ["process", "api", "mcp", "logs", "resources"],
        "{doc:#}"
    );
    let hub = format!("hub {}", peer("HUB_URL").trim_start_matches("http://"));
    assert_eq!(the(&doc, &hub, "hub_state")["status"], "ok");
    assert_eq!(the(&doc, &hub, "server:everything")["status"], "ok");
    assert_eq!(the(&doc, &hub, "hub_tools")["status"], "ok");
    let ws = the(&doc, &hub, "hub_workspaces");
    assert_eq!(ws["status"], "ok");
    assert!(
        ws["message"]
            .as_str()
            .unwrap()
            .contains("active (this hub)"),
        "{ws}"
    );
    let mcp = peer("EVERYTHING_HTTP_URL").trim_start_matches("http://");
    assert_eq!(the(&doc, mcp, "tools")["message"], "13 tools");
    assert_eq!(the(&doc, "log hub.log", "log_errors")["status"], "ok");
    // the terminal form: sections, a mark per line, the verdict
    let (code, table, _) = run(
        home.path(),
        &[
            "validate",
            "--color",
            "never",
            "--hub",
            peer("HUB_URL"),
            "--log",
            log.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0);
    assert!(table.starts_with("API health (hub)\n"), "{table}");
    assert!(table.contains("\nLogs\n  ✓ log hub.log"), "{table}");
    assert!(!table.contains('✗'), "{table}");
    assert!(
        table.trim_end().ends_with("checks passed") && table.contains("Verdict: PASS —"),
        "{table}"
    );
}

#[test]
fn a_broken_server_and_a_log_full_of_errors_fail_but_every_check_still_runs() {
    let home = tempdir();
    let log = write_log(home.path(), 12);
    let (code, doc) = validate(
        home.path(),
        &[
            "--hub",
            peer("HUB_BROKEN_URL"),
            "--log",
            log.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{doc:#}");
    let hub = format!(
        "hub {}",
        peer("HUB_BROKEN_URL").trim_start_matches("http://")
    );
    let broken = the(&doc, &hub, "server:broken");
    assert_eq!(broken["status"], "crit");
    assert_eq!(broken["reason"], "server_disconnected");
    assert_eq!(
        the(&doc, &hub, "server:off")["status"],
        "ok",
        "disabled is not a failure"
    );
    assert_eq!(the(&doc, &hub, "server:everything")["status"], "ok");
    // the log section ran after the failure, and has its own verdict
    assert_eq!(the(&doc, "log hub.log", "log_errors")["status"], "warn");
    assert_eq!(
        the(&doc, "log hub.log", "log_levels")["message"],
        "last 40 entries: error 12, info 28"
    );
    let (_, table, _) = run(
        home.path(),
        &[
            "validate",
            "--color",
            "never",
            "--hub",
            peer("HUB_BROKEN_URL"),
        ],
    );
    assert!(table.contains("  ✗ "), "{table}");
    assert!(table.contains("Verdict: FAIL —"), "{table}");
}

#[test]
fn config_problems_are_findings_not_exit_3() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempdir();
    let cfg = home.path().join("mcpmon.json");
    std::fs::write(
        &cfg,
        serde_json::json!({"targets": {
            "good": {"command": "python3", "args": ["-V"]},
            "both": {"command": "node", "url": "http://127.0.0.1:9/mcp"},
            "missing-cmd": {"command": "mcpmon-test-no-such-binary"},
            "needs-env": {"url": "http://127.0.0.1:9/mcp",
                          "headers": {"Authorization": "Bearer ${MCPMON_TEST_UNSET_TOKEN}"},
                          "required_env": ["MCPMON_TEST_UNSET_OTHER", "HOME"]},
            "leaky": {"command": "npx", "args": ["-y", "some-mcp-server"],
                      "env": {"API_TOKEN": "tok-5ec2-literal"}},
            "pinned": {"command": "npx", "args": ["-y", "some-mcp-server@1.2.3"]},
            "off": {"command": "nothing", "disabled": true}
        }})
        .to_string(),
    )
    .unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
    let c = cfg.to_str().unwrap();
    // only the config section: no server is started
    let (code, doc) = validate(home.path(), &["-c", c, "--section", "config"]);
    assert_eq!(code, 2, "{doc:#}");
    assert!(
        !doc.to_string().contains("tok-5ec2-literal"),
        "a secret reached the output"
    );
    let file = the(&doc, c, "config_file");
    assert_eq!(file["status"], "crit");
    assert!(
        file["message"]
            .as_str()
            .unwrap()
            .contains("1 disabled, 1 unusable"),
        "{file}"
    );
    let both = the(&doc, "both", "entry");
    assert_eq!(both["reason"], "config_invalid");
    assert!(
        both["message"]
            .as_str()
            .unwrap()
            .contains("has both `command` and `url`")
    );
    assert_eq!(the(&doc, "good", "command")["status"], "ok");
    assert_eq!(
        the(&doc, "missing-cmd", "command")["reason"],
        "command_not_found"
    );
    let env = the(&doc, "needs-env", "env");
    assert_eq!(env["reason"], "unresolved_placeholder");
    let m = env["message"].as_str().unwrap();
    assert!(
        m.contains("${MCPMON_TEST_UNSET_TOKEN}") && m.contains("MCPMON_TEST_UNSET_OTHER"),
        "{m}"
    );
    assert!(
        !m.contains("HOME"),
        "a set variable is not reported missing: {m}"
    );
    assert_eq!(
        the(&doc, "leaky", "package_pinned")["reason"],
        "unpinned_package"
    );
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !(f["target"] == "pinned" && f["check"] == "package_pinned")),
        "a pinned package is not flagged"
    );
    let secrets = the(&doc, c, "config_secrets");
    assert_eq!(secrets["status"], "warn");
    assert!(
        secrets["message"]
            .as_str()
            .unwrap()
            .contains("targets.leaky.env.API_TOKEN")
    );
    // the same file readable by its owner only: the literal is noted, not a warning
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (_, doc) = validate(home.path(), &["-c", c, "--section", "config"]);
    assert_eq!(the(&doc, c, "config_secrets")["status"], "ok");
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["target"] != "off")
    );
}

#[test]
fn only_an_unusable_config_file_is_exit_3() {
    let home = tempdir();
    let (code, _, err) = run(home.path(), &["validate", "-c", "/nonexistent/mcpmon.json"]);
    assert_eq!(code, 3);
    assert!(err.contains("cannot read"), "{err}");
    let bad = home.path().join("bad.json");
    std::fs::write(&bad, "{\"targets\": {").unwrap();
    let (code, _, err) = run(home.path(), &["validate", "-c", bad.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert!(err.contains("invalid JSON"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
}

#[test]
fn liveness_is_the_cheap_set() {
    let home = tempdir();
    let log = write_log(home.path(), 12);
    let (code, doc) = validate(
        home.path(),
        &[
            "--check-type",
            "liveness",
            "--log",
            log.to_str().unwrap(),
            "--strict",
            peer("EVERYTHING_HTTP_URL"),
        ],
    );
    assert_eq!(
        code, 0,
        "the erroring log is not read for liveness: {doc:#}"
    );
    assert_eq!(sections(&doc), ["mcp"]);
    let mcp = peer("EVERYTHING_HTTP_URL").trim_start_matches("http://");
    assert_eq!(the(&doc, mcp, "liveness")["status"], "ok");
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["check"] != "tools"),
        "no lists in liveness: {doc:#}"
    );
}

#[test]
fn strict_conformance_against_real_servers() {
    let home = tempdir();
    let (code, doc) = validate(
        home.path(),
        &[
            "--strict",
            "--section",
            "conformance",
            peer("EVERYTHING_HTTP_URL"),
            peer("PY_HTTP_URL"),
            peer("EVERYTHING_SSE_URL"),
        ],
    );
    assert_eq!(code, 1, "server-everything's warnings: {doc:#}");
    let every = peer("EVERYTHING_HTTP_URL").trim_start_matches("http://");
    let py = peer("PY_HTTP_URL").trim_start_matches("http://");
    let sse = peer("EVERYTHING_SSE_URL").trim_start_matches("http://");
    // server-everything does not validate Origin/Host: a warning that says why
    let rebinding = the(&doc, every, "dns-rebinding");
    assert_eq!(rebinding["status"], "warn");
    assert_eq!(rebinding["reason"], "nonconformant");
    assert!(
        rebinding["message"]
            .as_str()
            .unwrap()
            .contains("DNS rebinding")
    );
    // the Python server does, and is checked in the 2026-07-28 era
    assert_eq!(the(&doc, py, "dns-rebinding")["status"], "ok");
    assert_eq!(the(&doc, py, "protocol-version-header")["status"], "ok");
    assert_eq!(the(&doc, every, "protocol-version-header")["status"], "ok");
    let fields: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["target"] == py && f["check"] == "result-fields")
        .collect();
    assert!(
        !fields.is_empty() && fields.iter().all(|f| f["status"] == "ok"),
        "{doc:#}"
    );
    for t in [every, py, sse] {
        for c in [
            "version-negotiation",
            "tool-input-schema",
            "declared-capabilities",
            "unknown-method",
            "jsonrpc-framing",
            "ids-echoed",
        ] {
            assert_eq!(the(&doc, t, c)["status"], "ok", "{t} {c}");
            assert!(
                the(&doc, t, c)["message"]
                    .as_str()
                    .unwrap()
                    .contains("[spec: ")
            );
        }
    }
    // HTTP header checks do not apply to the legacy SSE transport: left out, not passed
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !(f["target"] == sse && f["check"] == "dns-rebinding"))
    );
}

#[test]
fn strict_conformance_fail_sides_from_stubs() {
    let home = tempdir();
    let m = marker("validate-sloppy");
    let args = with_stub(
        &[
            "validate",
            "--format",
            "json",
            "--strict",
            "--section",
            "conformance",
        ],
        "sloppy",
        &m,
    );
    let (code, out, err) = run(home.path(), &args);
    assert_eq!(code, 2, "{out}\n{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let t = doc["findings"][0]["target"].as_str().unwrap().to_string();
    let status = |c: &str| the(&doc, &t, c)["status"].as_str().unwrap().to_string();
    assert_eq!(status("tool-input-schema"), "crit");
    assert!(
        the(&doc, &t, "tool-input-schema")["message"]
            .as_str()
            .unwrap()
            .contains("no schema, array-schema")
    );
    assert_eq!(status("tool-names"), "warn");
    assert_eq!(status("declared-capabilities"), "warn");
    assert_eq!(status("unknown-method"), "crit");
    assert_eq!(status("jsonrpc-framing"), "crit");
    assert_eq!(status("stdout-clean"), "crit");
    assert_eq!(status("ids-echoed"), "ok");
    assert_eq!(live_processes_with(&m), Vec::<u32>::new());

    // a legacy HTTP server that ignores the protocol-version header and unknown sessions
    let s = HttpStub::start("legacy-ok");
    let url = s.url("/mcp");
    let (code, doc) = validate(home.path(), &["--strict", "--section", "conformance", &url]);
    assert_eq!(code, 2, "{doc:#}");
    let t = url.trim_start_matches("http://");
    assert_eq!(the(&doc, t, "protocol-version-header")["status"], "crit");
    assert_eq!(the(&doc, t, "unknown-session")["status"], "crit");
    assert_eq!(the(&doc, t, "dns-rebinding")["status"], "warn");
    // undeclared resources are refused with -32601
    assert_eq!(the(&doc, t, "declared-capabilities")["status"], "ok");
}

/// Issue 19: modern servers that refuse any request without a complete `_meta` envelope. A header
/// check counts a refusal only when the same request with the good header (the control) is accepted.
#[test]
fn strict_header_checks_refusals_count_only_beside_an_accepted_control() {
    let home = tempdir();
    let conformance = |mode: &str| {
        let s = HttpStub::start(mode);
        let url = s.url("/mcp");
        let (code, doc) = validate(home.path(), &["--strict", "--section", "conformance", &url]);
        let t = url.trim_start_matches("http://").to_string();
        let get = |c: &str| {
            let f = the(&doc, &t, c);
            (
                f["status"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        };
        let out = (code, get("dns-rebinding"), get("protocol-version-header"));
        // the session itself was modern and fine
        assert_eq!(get("version-negotiation").0, "ok", "{mode}: {doc:#}");
        assert_eq!(get("result-fields").0, "ok", "{mode}: {doc:#}");
        out
    };

    // accepts a foreign Host and any MCP-Protocol-Version once the envelope is complete
    let (code, rebinding, version) = conformance("modern-open");
    assert_eq!(code, 2);
    assert_eq!(rebinding.0, "warn", "{rebinding:?}");
    assert!(rebinding.1.contains("HTTP 200"), "{rebinding:?}");
    assert_eq!(version.0, "crit", "{version:?}");
    assert!(version.1.contains("HTTP 200"), "{version:?}");

    // refuses the control too: nothing can be said about the headers
    let (code, rebinding, version) = conformance("modern-discover-once");
    assert_eq!(code, 3);
    for (status, message) in [&rebinding, &version] {
        assert_eq!(status, "unknown", "{message}");
        assert!(
            message.contains("control request")
                && message.contains("HTTP 400 -32602 Invalid _meta envelope"),
            "{message}"
        );
    }

    // refuses a foreign Host and a bad version, and accepts the control
    let (code, rebinding, version) = conformance("modern-guarded");
    assert_eq!(code, 0);
    assert_eq!(rebinding.0, "ok", "{rebinding:?}");
    assert!(
        rebinding.1.contains("HTTP 421 Invalid Host header"),
        "{rebinding:?}"
    );
    assert_eq!(version.0, "ok", "{version:?}");
    assert!(version.1.contains("HTTP 400 -32600"), "{version:?}");
}

#[test]
fn strict_on_a_dead_server_is_not_evaluated_not_double_counted() {
    let home = tempdir();
    let url = format!("http://127.0.0.1:{}/mcp", closed_port());
    let (code, doc) = validate(home.path(), &["--strict", &url]);
    assert_eq!(code, 2);
    let t = url.trim_start_matches("http://");
    assert_eq!(the(&doc, t, "connect")["section"], "mcp");
    let conf: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["section"] == "conformance")
        .collect();
    assert_eq!(conf.len(), 1, "{doc:#}");
    assert_eq!(conf[0]["status"], "unknown");
}
