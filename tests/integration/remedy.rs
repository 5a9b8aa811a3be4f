//! `alerts` remediation (`on_fire`): an action runs only for a firing alert, at most `max_runs` per
//! window and once per cooldown (state across runs and across concurrent runs), a hanging command is
//! killed and reaped at its deadline, an HTTP action reaches a loopback listener, outputs are free of
//! secrets, and `--dry-run` runs nothing.

use crate::common::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

/// `(event, message)` of every action event of a run.
fn actions(doc: &Value) -> Vec<(String, String)> {
    doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"].as_str().unwrap().starts_with("action"))
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A config of one target whose MCP URL has nothing listening (an alert that fires at once) with
/// `on_fire`, plus a healthy log target with its own action.
fn config(dir: &Path, down_actions: Value, healthy_actions: Value) -> std::path::PathBuf {
    let log = dir.join("app.log");
    errors_log(&log, 0);
    let cfg = json!({"targets": {
        "down": {"url": format!("http://127.0.0.1:{}/mcp", closed_port()), "timeout": "5s",
                 "on_fire": down_actions},
        "fine": {"log": log, "on_fire": healthy_actions},
    }});
    let path = dir.join("mcpmon.json");
    std::fs::write(&path, cfg.to_string()).unwrap();
    path
}

/// `sh -c 'echo ran >> FILE'`: one line per run.
fn append(file: &Path) -> Value {
    json!([
        "sh",
        "-c",
        format!(
            "echo \"ran $MCPMON_TARGET $MCPMON_CHECK\" >> '{}'",
            file.display()
        )
    ])
}

/// `alerts --format json` on `cfg` → (exit code, stdout, stderr), for a test that looks at the raw text.
fn alerts_raw(home: &Path, state: &Path, cfg: &Path) -> (i32, String, String) {
    let args = [
        "alerts",
        "--format",
        "json",
        "--state-dir",
        state.to_str().unwrap(),
        "--config",
        cfg.to_str().unwrap(),
    ];
    run(home, &args)
}

fn lines(file: &Path) -> usize {
    std::fs::read_to_string(file)
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

#[test]
fn an_action_runs_at_most_max_runs_per_window_and_never_for_a_healthy_check() {
    let home = tempdir();
    let state = home.path().join("state");
    let ran = home.path().join("ran.txt");
    let healthy_ran = home.path().join("healthy.txt");
    let cfg = config(
        home.path(),
        json!([
            {"name": "restart hub", "command": append(&ran), "cooldown": "1ms", "max_runs": 2, "per": "1h"},
            {"name": "hub only", "check": "hub", "command": append(&healthy_ran)},
        ]),
        json!([{"command": append(&healthy_ran)}]),
    );
    let args = ["--config", cfg.to_str().unwrap()];
    let mut seen = Vec::new();
    for _ in 0..4 {
        let (code, doc, err) = alerts_json(home.path(), &state, &args);
        assert_eq!(code, 2, "{doc:#}\n{err}");
        seen.push(actions(&doc));
    }
    assert_eq!(lines(&ran), 2, "two runs allowed per hour: {seen:#?}");
    assert_eq!(
        std::fs::read_to_string(&ran).unwrap().lines().next(),
        Some("ran down connect"),
        "the command is told which alert made it due"
    );
    assert_eq!(
        lines(&healthy_ran),
        0,
        "a healthy check, or another probe's, runs nothing"
    );
    assert_eq!(seen[0].len(), 1, "{seen:#?}");
    assert_eq!(seen[0][0].0, "action");
    assert!(
        seen[0][0].1.starts_with("restart hub: exit 0 in ")
            && seen[0][0].1.ends_with("; 1 of 2 allowed this hour"),
        "{seen:#?}"
    );
    assert!(
        seen[1][0].1.ends_with("; 2 of 2 allowed this hour"),
        "{seen:#?}"
    );
    for later in &seen[2..] {
        assert_eq!(later.len(), 1, "{seen:#?}");
        assert_eq!(later[0].0, "action_skipped");
        assert!(
            later[0]
                .1
                .starts_with("restart hub: not run: 2 of 2 runs this hour used, next at "),
            "{seen:#?}"
        );
    }
    assert!(state.join("actions.json").is_file());
    // and in history, one line per action event
    let day = std::fs::read_dir(state.join("history/actions"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let kept: Vec<Value> = std::fs::read_to_string(day)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let events: Vec<&str> = kept.iter().map(|r| r["event"].as_str().unwrap()).collect();
    assert_eq!(
        events,
        ["action", "action", "action_skipped", "action_skipped"]
    );
    assert_eq!(kept[0]["target"], "down");
    assert_eq!(kept[0]["check"], "connect");
    assert!(
        kept[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("restart hub: exit 0 in ")
    );
}

#[test]
fn the_cooldown_holds_across_runs_and_a_new_firing_within_it_is_refused() {
    let home = tempdir();
    let state = home.path().join("state");
    let ran = home.path().join("ran.txt");
    let log = home.path().join("app.log");
    let cfg = json!({"targets": {"app": {"log": log, "on_fire": [
        {"name": "restart app", "check": "log_errors", "command": append(&ran), "cooldown": "1h", "max_runs": 5}
    ]}}});
    let path = home.path().join("mcpmon.json");
    std::fs::write(&path, cfg.to_string()).unwrap();
    let args = ["--config", path.to_str().unwrap()];

    errors_log(&log, 20); // log_errors WARN: fires
    let (_, doc, _) = alerts_json(home.path(), &state, &args);
    assert_eq!(actions(&doc).len(), 1, "{doc:#}");
    assert_eq!(actions(&doc)[0].0, "action");
    let (_, doc, _) = alerts_json(home.path(), &state, &args);
    assert!(
        actions(&doc).is_empty(),
        "still firing within the cooldown: quiet: {doc:#}"
    );
    errors_log(&log, 0);
    let (_, doc, _) = alerts_json(home.path(), &state, &args);
    assert!(actions(&doc).is_empty(), "resolved: nothing runs: {doc:#}");
    errors_log(&log, 20);
    let (_, doc, _) = alerts_json(home.path(), &state, &args);
    let acts = actions(&doc);
    assert_eq!(acts.len(), 1, "{doc:#}");
    assert_eq!(acts[0].0, "action_skipped");
    assert!(
        acts[0]
            .1
            .starts_with("restart app: not run: cooldown until "),
        "{acts:?}"
    );
    assert_eq!(lines(&ran), 1);
}

#[test]
fn two_runs_at_once_restart_once() {
    let home = tempdir();
    let state = home.path().join("state");
    let ran = home.path().join("ran.txt");
    let cfg = config(
        home.path(),
        json!([{"command": append(&ran), "cooldown": "1h"}]),
        json!([]),
    );
    let children: Vec<_> = (0..4)
        .map(|_| {
            mcpmon_process(home.path())
                .args(["alerts", "--format", "json", "--state-dir"])
                .arg(&state)
                .arg("--config")
                .arg(&cfg)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert_eq!(c.wait().unwrap().code(), Some(2));
    }
    assert_eq!(lines(&ran), 1, "four concurrent runs, one restart");
}

#[test]
fn a_hanging_command_is_killed_and_reaped_at_its_deadline() {
    let home = tempdir();
    let state = home.path().join("state");
    let pid_file = home.path().join("pid");
    let cmd = json!([
        "sh",
        "-c",
        format!("echo $$ > '{}'; exec sleep 300", pid_file.display())
    ]);
    let cfg = config(
        home.path(),
        json!([{"name": "hang", "command": cmd, "timeout": "1s"}]),
        json!([]),
    );
    let (code, doc, _) = alerts_json(home.path(), &state, &["--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2);
    let acts = actions(&doc);
    assert_eq!(acts.len(), 1, "{doc:#}");
    assert_eq!(acts[0].0, "action_failed");
    assert!(
        acts[0]
            .1
            .starts_with("hang: did not finish within the 1 s deadline; killed and reaped"),
        "{acts:?}"
    );
    let pid: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!is_alive(pid), "the command was killed");
}

#[test]
fn output_is_kept_bounded_and_free_of_secrets() {
    let home = tempdir();
    let state = home.path().join("state");
    let secret = "s3cr3t-api-token-0123456789";
    let cmd = json!([
        "sh",
        "-c",
        "head -c 100000 /dev/zero | tr '\\0' x; echo; echo \"failed with $API_TOKEN\"; exit 3"
    ]);
    let cfg = config(
        home.path(),
        json!([{"name": "fix", "command": cmd, "env": {"API_TOKEN": secret}}]),
        json!([]),
    );
    let (code, out, err) = alerts_raw(home.path(), &state, &cfg);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        !out.contains(secret) && !err.contains(secret),
        "{out}\n{err}"
    );
    let doc: Value = serde_json::from_str(&out).unwrap();
    let acts = actions(&doc);
    assert_eq!(acts[0].0, "action_failed", "{acts:?}");
    assert!(acts[0].1.starts_with("fix: exit 3 in "), "{acts:?}");
    assert!(
        acts[0].1.contains(": failed with ***;"),
        "the last output line, scrubbed: {acts:?}"
    );
    assert!(acts[0].1.len() < 1000, "bounded: {}", acts[0].1.len());
    let saved = std::fs::read_to_string(state.join("actions.json")).unwrap();
    assert!(!saved.contains(secret));
}

/// One HTTP exchange on a loopback listener: the request head it received, answered with `status`
/// and a body that echoes the request's Authorization header (a server that leaks it).
fn listen_once(status: &str) -> (u16, std::thread::JoinHandle<String>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let status = status.to_string();
    let t = std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let auth = head
            .lines()
            .find_map(|l| l.strip_prefix("authorization: "))
            .unwrap_or("")
            .to_string();
        let body = format!("bad credentials {auth}");
        let mut w = s;
        write!(
            w,
            "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        head
    });
    (port, t)
}

#[test]
fn an_http_action_reaches_a_loopback_listener_and_shows_no_header_value() {
    let home = tempdir();
    let state = home.path().join("state");
    let token = "reconnect-token-0123456789abcdef";
    let (port, listener) = listen_once("500 Internal Server Error");
    let cfg = config(
        home.path(),
        json!([{"http": {"url": format!("http://127.0.0.1:{port}/api/mcp/reconnect"),
                         "headers": {"Authorization": format!("Bearer {token}")},
                         "body": {"server": "down"}}}]),
        json!([]),
    );
    let (code, out, err) = alerts_raw(home.path(), &state, &cfg);
    assert_eq!(code, 2, "{out}\n{err}");
    let head = listener.join().unwrap();
    assert!(
        head.starts_with("POST /api/mcp/reconnect HTTP/1.1\r\n"),
        "{head}"
    );
    assert!(
        head.contains(&format!("authorization: Bearer {token}")),
        "{head}"
    );
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(!out.contains(token) && !err.contains(token), "{out}\n{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let acts = actions(&doc);
    assert_eq!(acts.len(), 1, "{doc:#}");
    assert_eq!(acts[0].0, "action_failed");
    assert!(
        acts[0].1.starts_with(&format!(
            "POST 127.0.0.1:{port}: HTTP 500 Internal Server Error in "
        )),
        "{acts:?}"
    );
    assert!(acts[0].1.contains("bad credentials ***"), "{acts:?}");
}

#[test]
fn dry_run_shows_what_would_run_and_runs_nothing_and_no_remediation_runs_none() {
    let home = tempdir();
    let state = home.path().join("state");
    let ran = home.path().join("ran.txt");
    let cfg = config(
        home.path(),
        json!([{"name": "restart hub", "command": append(&ran)}]),
        json!([]),
    );
    let (code, doc, _) = alerts_json(
        home.path(),
        &state,
        &["--config", cfg.to_str().unwrap(), "--dry-run"],
    );
    assert_eq!(code, 2);
    let acts = actions(&doc);
    assert_eq!(acts.len(), 1, "{doc:#}");
    assert_eq!(acts[0].0, "action_dry_run");
    assert!(
        acts[0].1.starts_with("restart hub: would run sh -c echo "),
        "{acts:?}"
    );
    assert!(
        acts[0]
            .1
            .ends_with("(timeout 30 s); 1 of 3 allowed this hour"),
        "{acts:?}"
    );
    assert_eq!(lines(&ran), 0, "nothing ran");
    assert!(!state.join("actions.json").exists(), "nothing written");
    assert!(!state.join("history").exists(), "nothing recorded");
    // --no-remediation: the alert fires as usual, no action is even considered
    let (code, doc, _) = alerts_json(
        home.path(),
        &state,
        &["--config", cfg.to_str().unwrap(), "--no-remediation"],
    );
    assert_eq!(code, 2);
    assert!(actions(&doc).is_empty(), "{doc:#}");
    assert_eq!(doc["events"][0]["event"], "firing");
    assert_eq!(lines(&ran), 0);
    assert!(!state.join("actions.json").exists());
}

#[test]
fn the_outcome_is_a_notification_of_its_own_after_the_alerts() {
    let home = tempdir();
    let state = home.path().join("state");
    let ran = home.path().join("ran.txt");
    let sent = home.path().join("sent.jsonl");
    let cfg = config(
        home.path(),
        json!([{"name": "restart hub", "command": append(&ran)}]),
        json!([]),
    );
    let notify = format!("command:tee -a {}", sent.display());
    let (code, doc, err) = alerts_json(
        home.path(),
        &state,
        &["--config", cfg.to_str().unwrap(), "--notify", &notify],
    );
    assert_eq!(code, 2, "{doc:#}\n{err}");
    let docs: Vec<Value> = std::fs::read_to_string(&sent)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 2, "{docs:#?}");
    assert!(
        events(&docs[0], &["message"])[0].starts_with("firing "),
        "{docs:#?}"
    );
    let second = events(&docs[1], &["message"]);
    assert_eq!(second.len(), 1, "{docs:#?}");
    assert!(
        second[0].starts_with("action restart hub: exit 0 in "),
        "{second:?}"
    );
    assert_eq!(docs[1]["events"][0]["target"], "down");
}

#[test]
fn a_recovering_alert_still_firing_runs_nothing() {
    let home = tempdir();
    let state = home.path().join("state");
    let ran = home.path().join("ran.txt");
    let log = home.path().join("app.log");
    let cfg = json!({"targets": {"app": {"log": log, "on_fire": [
        {"command": append(&ran), "cooldown": "1ms", "max_runs": 10}
    ]}}});
    let path = home.path().join("mcpmon.json");
    std::fs::write(&path, cfg.to_string()).unwrap();
    let args = ["--config", path.to_str().unwrap(), "--recover-after", "3"];
    errors_log(&log, 20);
    let (code, _, _) = alerts_json(home.path(), &state, &args);
    assert_eq!((code, lines(&ran)), (1, 1), "fired: ran once");
    errors_log(&log, 0);
    for _ in 0..2 {
        let (code, doc, _) = alerts_json(home.path(), &state, &args);
        assert_eq!(code, 1, "recovering: the alert still fires: {doc:#}");
        assert!(actions(&doc).is_empty(), "{doc:#}");
    }
    assert_eq!(
        lines(&ran),
        1,
        "a check that is good again is not restarted"
    );
}

#[test]
fn a_target_with_an_unset_placeholder_is_never_remediated() {
    let home = tempdir();
    let state = home.path().join("state");
    let ran = home.path().join("ran.txt");
    let cfg = json!({"targets": {"hub": {
        "url": format!("http://127.0.0.1:{}/mcp", closed_port()),
        "headers": {"Authorization": "Bearer ${MCPMON_TEST_UNSET_TOKEN}"},
        "on_fire": [{"command": ["sh", "-c", format!("echo \"$1\" >> '{}'", ran.display()), "sh", "${MCPMON_TEST_UNSET_TOKEN}"]}]
    }}});
    let path = home.path().join("mcpmon.json");
    std::fs::write(&path, cfg.to_string()).unwrap();
    let (code, doc, _) = alerts_json(home.path(), &state, &["--config", path.to_str().unwrap()]);
    assert_ne!(code, 0, "the alert fires: {doc:#}");
    assert!(actions(&doc).is_empty(), "{doc:#}");
    assert_eq!(
        lines(&ran),
        0,
        "mcpmon's own config problem restarts nothing"
    );
}
