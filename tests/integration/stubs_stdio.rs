//! Broken stdio servers: each must yield the right reason and status within its deadline and leave no
//! process behind.

use crate::common::*;

/// Runs health against a stdio stub with a short deadline and checks nothing of it survives.
fn stub(mode: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let home = tempdir();
    let m = marker(mode);
    let mut opts: Vec<&str> = extra.to_vec();
    if !extra.contains(&"--timeout") {
        opts.extend(["--timeout", "2s"]);
    }
    let args = with_stub(&opts, mode, &m);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = health_json(home.path(), &args);
    assert_eq!(
        live_processes_with(&m),
        Vec::<u32>::new(),
        "the {mode} stub outlived mcpmon"
    );
    out
}

fn connect_reason(doc: &serde_json::Value) -> &str {
    only_obs(doc)["failure"]["reason"]
        .as_str()
        .unwrap_or("<none>")
}

#[test]
fn correct_stub_paginates_tools_and_counts_prompts() {
    let (code, doc) = stub("ok", &[]);
    let o = only_obs(&doc);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(o["tools"], serde_json::json!(["alpha", "beta", "gamma"]));
    assert_eq!(o["prompts_count"], 1);
    assert_eq!(o["server"]["version"], "1.2.3");
    // the stdio era probe was tried first and answered with an error: legacy
    assert!(
        o["detection"][0]
            .as_str()
            .unwrap()
            .starts_with("server/discover: JSON-RPC error -32601"),
        "{o:#}"
    );
}

#[test]
fn never_answers() {
    let (code, doc) = stub("silent", &[]);
    assert_eq!(code, 2);
    assert_eq!(connect_reason(&doc), "handshake_timeout");
    assert_eq!(
        finding(&doc, only_obs(&doc)["target"].as_str().unwrap(), "connect")["status"],
        "crit"
    );
    // nothing ever came on stdout: the message says which flag a slow start would need
    let msg = only_obs(&doc)["failure"]["message"].as_str().unwrap();
    assert!(msg.contains("--startup-timeout"), "{msg}");
}

#[test]
fn garbage_on_stdout_is_a_protocol_error() {
    let (code, doc) = stub("garbage", &[]);
    assert_eq!(code, 2);
    assert_eq!(connect_reason(&doc), "protocol_error");
    assert!(
        only_obs(&doc)["failure"]["message"]
            .as_str()
            .unwrap()
            .contains("this is not json"),
        "{doc:#}"
    );
}

#[test]
fn wrong_response_id_is_a_protocol_error() {
    let (code, doc) = stub("wrong-id", &[]);
    assert_eq!(code, 2);
    assert_eq!(connect_reason(&doc), "protocol_error");
    assert!(
        only_obs(&doc)["failure"]["message"]
            .as_str()
            .unwrap()
            .contains("unexpected id"),
        "{doc:#}"
    );
}

#[test]
fn stray_stdout_line_warns_but_the_server_works() {
    let (code, doc) = stub("stray", &[]);
    assert_eq!(code, 1, "{doc:#}");
    let o = only_obs(&doc);
    assert_eq!(o["tools_count"], 3);
    let t = o["target"].as_str().unwrap();
    let f = finding(&doc, t, "protocol");
    assert_eq!(f["status"], "warn");
    assert_eq!(f["reason"], "protocol_error");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("Server starting on stdio"),
        "{f:#}"
    );
}

#[test]
fn notifications_and_server_requests_before_the_result() {
    let (code, doc) = stub("notify-first", &[]);
    assert_eq!(code, 0, "{doc:#}");
    let o = only_obs(&doc);
    assert!(o["notifications"].as_u64().unwrap() >= 1, "{o:#}");
    assert_eq!(o["server_requests"], serde_json::json!(["ping"]));
    // mcpmon answered the server's ping (the stub logs the reply on stderr)
    assert!(
        o["stderr_tail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "got reply to srv-1"),
        "{o:#}"
    );
}

#[test]
fn server_dying_mid_response() {
    let (code, doc) = stub("die", &[]);
    assert_eq!(code, 2);
    assert_eq!(connect_reason(&doc), "server_disconnected");
    let o = only_obs(&doc);
    assert!(
        o["failure"]["message"]
            .as_str()
            .unwrap()
            .contains("exit code 3"),
        "{o:#}"
    );
    // stderr is context: the server's last words are kept
    assert!(
        o["stderr_tail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "fatal: boom"),
        "{o:#}"
    );
}

#[test]
fn oversized_line_is_refused() {
    let (code, doc) = stub("huge", &[]);
    assert_eq!(code, 2);
    assert_eq!(connect_reason(&doc), "response_too_large");
}

/// Runs `health` on a stub `mode` that writes its pids to STUB_PID_FILE; returns the `close` summary
/// after checking that every pid the stub wrote and every process with the marker is gone.
fn closed_and_reaped(mode: &str, pids_written: usize) -> String {
    let home = tempdir();
    let pid_file = home.path().join("pids");
    let m = marker(mode);
    let args = with_stub(&["health", "--format", "json", "--timeout", "5s"], mode, &m);
    let out = mcpmon(home.path())
        .env("STUB_PID_FILE", &pid_file)
        .args(&args)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    let close = only_obs(&doc)["close"].as_str().unwrap().to_string();
    let pids = std::fs::read_to_string(&pid_file).unwrap();
    let pids: Vec<u32> = pids
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert_eq!(pids.len(), pids_written, "{pids:?}");
    for pid in pids {
        assert!(!is_alive(pid), "pid {pid} survived: {close}");
    }
    assert_eq!(live_processes_with(&m), Vec::<u32>::new());
    close
}

#[test]
fn child_that_ignores_sigterm_is_killed_with_its_group() {
    // the stub and its grandchild (same process group) both ignore SIGTERM
    let close = closed_and_reaped("ignore-term", 2);
    assert!(close.contains("SIGKILL"), "{close}");
}

#[test]
fn descendants_that_leave_the_group_are_killed_and_reaped() {
    // The server ignores SIGTERM; its child called setsid() (own session and group, holding the
    // server's stdout) and a daemon double-forked away (its parent exited: it is an orphan). Killing
    // the process group alone leaves both running.
    let close = closed_and_reaped("escape", 3);
    assert!(close.contains("2 leftover processes stopped"), "{close}");
}

#[test]
fn missing_binary_is_a_spawn_error() {
    let home = tempdir();
    let (code, doc) = health_json(home.path(), &["--", "/nonexistent/mcp-server", "--stdio"]);
    assert_eq!(code, 2);
    let o = only_obs(&doc);
    assert_eq!(o["failure"]["reason"], "spawn_error");
    assert!(
        o["failure"]["message"]
            .as_str()
            .unwrap()
            .contains("/nonexistent/mcp-server"),
        "{o:#}"
    );
}

#[test]
fn server_text_is_sanitised_in_the_table() {
    let home = tempdir();
    let m = marker("evil");
    let args = with_stub(&["health", "--color", "never"], "evil", &m);
    let (code, stdout, _) = run(home.path(), &args);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        !stdout.contains('\x1b'),
        "raw escape reached the terminal: {stdout:?}"
    );
    assert!(
        !stdout.contains('\u{202e}'),
        "bidi override reached the terminal"
    );
    assert!(stdout.contains("evil\\x1b[2J"), "{stdout}");
}

#[test]
fn env_values_from_config_never_reach_the_output() {
    let home = tempdir();
    let cfg = home.path().join("mcpmon.json");
    let m = marker("secret-env");
    let cmd = stub_cmd("leak-env", &m);
    std::fs::write(
        &cfg,
        serde_json::json!({"targets": {"s": {"command": cmd[0], "args": &cmd[1..], "env": {"API_KEY": "${THE_SECRET}"}}}}).to_string(),
    )
    .unwrap();
    // the stub prints the value on stderr, which mcpmon keeps as context: it must be scrubbed there
    let out = mcpmon(home.path())
        .env("THE_SECRET", "hunter2-very-secret")
        .args(["health", "-f", "json"])
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("hunter2-very-secret"), "{all}");
    assert!(
        all.contains("API_KEY=***"),
        "the stderr line is kept, scrubbed: {all}"
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn slow_booting_modern_server_is_still_detected_as_modern() {
    // The era probe gives up after half the deadline (3 s of 6 s) and falls back to initialize; the
    // late server/discover result still wins, and the now superseded initialize reply is no fault.
    let (code, doc) = stub("slow-dual", &["--timeout", "6s"]);
    let o = only_obs(&doc);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(o["era"], "modern");
    assert_eq!(o["server"]["name"], "stub-dual");
    assert_eq!(o["protocol_faults"], serde_json::json!([]));
}

#[test]
fn era_modern_refuses_a_legacy_server() {
    let (code, doc) = stub("ok", &["--era", "modern"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(connect_reason(&doc), "version_mismatch");
    // nothing after the probe: no initialize was sent
    let methods: Vec<&str> = only_obs(&doc)["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["server/discover"]);
}

#[test]
fn a_refused_version_the_server_lists_as_supported_is_asked_once_more() {
    // SEP-2575: -32022 with data.supported naming the version asked for: retry once, then modern
    let (code, doc) = stub("retry-version", &[]);
    assert_eq!(code, 0, "{doc:#}");
    let o = only_obs(&doc);
    assert_eq!(o["era"], "modern");
    let methods: Vec<&str> = o["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods[..2],
        ["server/discover", "server/discover"],
        "{methods:?}"
    );
    assert!(!methods.contains(&"initialize"), "{methods:?}");
}

/// The findings of one check of a health document.
fn check<'a>(doc: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == name)
}

/// A stub that cannot stand `server/discover` is started again and asked `initialize`: healthy, with
/// a WARN `discover` finding that quotes its stderr line.
fn started_again_with_a_warning(mode: &str, timeout: &str, stderr_word: &str) {
    let (code, doc) = stub(mode, &["--timeout", timeout]);
    let o = only_obs(&doc);
    assert_eq!(o["failure"], serde_json::Value::Null, "{doc:#}");
    assert_eq!(o["era"], "legacy");
    assert_eq!(o["tools"], serde_json::json!(["alpha", "beta", "gamma"]));
    let warn = check(&doc, "discover").expect("a discover finding");
    assert_eq!(warn["status"], "warn", "{doc:#}");
    assert!(
        warn["message"].as_str().unwrap().contains(stderr_word),
        "{warn:#}"
    );
    assert_eq!(code, 1, "{doc:#}");
}

#[test]
fn a_server_that_dies_on_server_discover_is_started_again_and_healthy_with_a_warning() {
    // the Rust SDK (rmcp) exits on anything before initialize: not down, intolerant of a 2026 client
    started_again_with_a_warning("die-on-discover", "5s", "expect initialized request");
}

#[test]
fn a_server_silent_on_server_discover_that_dies_on_the_next_message_is_started_again() {
    // an old Python SDK: discover fails its validation silently, the next message kills it
    started_again_with_a_warning("silent-then-die", "8s", "ValidationError");
}

#[test]
fn era_legacy_skips_the_discover_probe_so_nothing_is_restarted() {
    let (code, doc) = stub("die-on-discover", &["--era", "legacy"]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(check(&doc, "discover").is_none(), "{doc:#}");
}

#[test]
fn an_intolerant_server_is_remembered_and_asked_initialize_directly_next_time() {
    let home = tempdir();
    let m = marker("die-on-discover");
    let args = with_stub(&["--timeout", "5s"], "die-on-discover", &m);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let methods = |doc: &serde_json::Value| -> Vec<String> {
        only_obs(doc)["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["method"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, first) = health_json(home.path(), &args);
    assert_eq!(methods(&first)[0], "server/discover", "{first:#}");
    assert!(home.path().join(".state/mcpmon/detected.json").is_file());
    // the second run pays nothing for detection, and still says what it knows
    let (code, second) = health_json(home.path(), &args);
    assert_eq!(methods(&second)[0], "initialize", "{second:#}");
    assert!(!methods(&second).iter().any(|m| m == "server/discover"));
    let warn = check(&second, "discover").expect("a discover finding");
    assert_eq!(warn["status"], "warn");
    assert!(
        warn["message"].as_str().unwrap().contains("remembered"),
        "{warn:#}"
    );
    assert_eq!(code, 1);
    assert_eq!(live_processes_with(&m), Vec::<u32>::new());
}

#[test]
fn a_server_without_ping_is_up_with_a_liveness_warning() {
    let (code, doc) = stub("no-ping", &[]);
    assert_eq!(code, 1, "{doc:#}");
    let target = only_obs(&doc)["target"].as_str().unwrap();
    assert_eq!(finding(&doc, target, "connect")["status"], "ok");
    assert_eq!(finding(&doc, target, "tools")["status"], "ok");
    let live = finding(&doc, target, "liveness");
    assert_eq!(live["status"], "warn", "{doc:#}");
    assert!(
        live["message"]
            .as_str()
            .unwrap()
            .contains("ping is not implemented"),
        "{live:#}"
    );
}

#[test]
fn a_crashed_server_keeps_its_cause_line_and_is_not_said_to_be_stopped_by_mcpmon() {
    let (code, doc) = stub("crash-usage", &[]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(connect_reason(&doc), "server_disconnected");
    let o = only_obs(&doc);
    let tail: Vec<&str> = o["stderr_tail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    // the cause, although 30 lines of usage text follow it
    assert!(
        tail.contains(&"Error: unable to create /nonexistent/state: permission denied"),
        "{o:#}"
    );
    // and the last lines too
    assert_eq!(
        tail.last(),
        Some(&"  --option-29  what option 29 does (usage text)"),
        "{o:#}"
    );
    let close = o["close"].as_str().unwrap();
    assert_eq!(
        close, "exited (exit code 1) before mcpmon closed it",
        "{o:#}"
    );
}

/// A server flooding requests without reading its stdin must not make mcpmon block writing answers:
/// the check ends at its deadline with a clear failure and the server is reaped (`stub` checks that).
fn flooding_server_fails_cleanly(mode: &str) {
    let (code, doc) = stub(mode, &["--timeout", "3s"]);
    assert_eq!(code, 2, "{doc:#}");
    let reason = connect_reason(&doc);
    assert!(
        ["timeout", "handshake_timeout", "protocol_error"].contains(&reason),
        "{reason}: {doc:#}"
    );
    let message = only_obs(&doc)["failure"]["message"].as_str().unwrap();
    assert!(
        message.contains("only the first 64 were answered"),
        "{message}"
    );
}

#[test]
fn a_server_flooding_requests_without_reading_stdin_cannot_hang_mcpmon() {
    flooding_server_fails_cleanly("flood-requests");
}

#[test]
fn a_server_flooding_requests_with_huge_ids_cannot_hang_mcpmon() {
    flooding_server_fails_cleanly("flood-big-requests");
}

/// `health --format json ARGS -- env STUB_DELAY_MS=DELAY python3 stdio_stub.py slow-start MARKER`:
/// a server that writes nothing for `delay_ms` after it is started (a package runner downloading).
fn slow_start(args: &[&str], delay_ms: u32, m: &str) -> (i32, serde_json::Value) {
    let home = tempdir();
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.extend([
        "--".into(),
        "env".into(),
        format!("STUB_DELAY_MS={delay_ms}"),
    ]);
    all.extend(stub_cmd("slow-start", m));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let out = health_json(home.path(), &all);
    assert_eq!(
        live_processes_with(m),
        Vec::<u32>::new(),
        "the slow-start stub outlived mcpmon"
    );
    out
}

#[test]
fn a_slow_start_within_the_startup_timeout_does_not_eat_the_request_budget() {
    // 2 s of start-up, 1 s for the requests: fine, since the requests' deadline starts after it
    let m = marker("slow-start-ok");
    let (code, doc) = slow_start(&["--timeout", "1s", "--startup-timeout", "5s"], 2000, &m);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(only_obs(&doc)["server"]["name"], "stub-ok", "{doc:#}");
}

#[test]
fn a_start_past_the_startup_timeout_is_startup_timeout_and_stopped() {
    let m = marker("slow-start-late");
    let (code, doc) = slow_start(&["--startup-timeout", "1s"], 10_000, &m);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(connect_reason(&doc), "startup_timeout", "{doc:#}");
    let msg = only_obs(&doc)["failure"]["message"].as_str().unwrap();
    assert!(msg.contains("--startup-timeout"), "{msg}");
    assert!(msg.contains("within its start-up deadline of 1 s"), "{msg}");
}

/// A tiny `npx` (any program whose file name is a package runner's) that runs the slow-start stub.
fn fake_npx(dir: &std::path::Path, delay_ms: u32) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("npx");
    let stub = root().join("tests/stubs/stdio_stub.py");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nSTUB_DELAY_MS={delay_ms} exec python3 {} slow-start \"$@\"\n",
            stub.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[test]
fn a_package_runner_gets_a_long_startup_deadline_by_default() {
    let home = tempdir();
    let npx = fake_npx(home.path(), 2000);
    let m = marker("npx-default");
    // --timeout 1s, but `npx` gets its own start-up deadline (120 s) before the requests' second
    let (code, doc) = health_json(home.path(), &["--timeout", "1s", "--", &npx, &m]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(only_obs(&doc)["server"]["name"], "stub-ok", "{doc:#}");
    assert_eq!(live_processes_with(&m), Vec::<u32>::new());
}

#[test]
fn a_package_runner_stopped_at_its_startup_deadline_says_so() {
    let home = tempdir();
    let npx = fake_npx(home.path(), 10_000);
    let m = marker("npx-late");
    let (code, doc) = health_json(home.path(), &["--startup-timeout", "1s", "--", &npx, &m]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(connect_reason(&doc), "startup_timeout", "{doc:#}");
    let msg = only_obs(&doc)["failure"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("`npx` did not start the server within 1 s"),
        "{msg}"
    );
    assert!(msg.contains("stopped mid-install"), "{msg}");
    assert!(msg.contains("--startup-timeout"), "{msg}");
    assert_eq!(live_processes_with(&m), Vec::<u32>::new());
}

#[test]
fn a_config_startup_timeout_gives_the_server_its_start_up() {
    // from `defaults`, overridden by the target: 5 s to start, then 1 s for the requests
    let home = tempdir();
    let m = marker("slow-start-config");
    let cmd = stub_cmd("slow-start", &m);
    let cfg = serde_json::json!({
        "defaults": {"startup_timeout": "1s", "timeout": "1s"},
        "targets": {"slow": {
            "command": cmd[0], "args": cmd[1..], "env": {"STUB_DELAY_MS": "2000"},
            "startup_timeout": "5s"
        }}
    });
    let path = home.path().join("mcpmon.json");
    std::fs::write(&path, cfg.to_string()).unwrap();
    let (code, doc) = health_json(home.path(), &["-c", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(live_processes_with(&m), Vec::<u32>::new());
}
