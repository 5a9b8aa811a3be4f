//! Escalation, grouping and the config's notification channels (issue 17 items 3, 4, 6): the on-call
//! ladder of a config's `notify.channels` — L1 a webhook at once, L2 Teams after 15 minutes, L3
//! PagerDuty after an hour — delivered to the python receiver stub on 127.0.0.1. Time passes by moving
//! the alerts' firing time back in `alerts.json` (the binary reads the clock; the rules are tested with
//! a fake one in `rules::alerting`).

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const KEY: &str = "PDR0UT1NGKEYabcdef0123456789xyz";

/// The JSON bodies the receiver got on paths starting with `prefix`, in order.
fn posts(log: &Path, prefix: &str) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with(&format!("POST {prefix}")))
        .map(|l| serde_json::from_str(l.splitn(3, ' ').nth(2).unwrap()).unwrap())
        .collect()
}

/// A scratch home, its state dir, and the receiver stub logging what it gets to `deliveries.log`.
fn receiver() -> (tempfile::TempDir, PathBuf, PathBuf, HttpStub) {
    let home = tempdir();
    let state = home.path().join("state");
    let bodies = home.path().join("deliveries.log");
    let stub = HttpStub::start_with_env("receiver", &[("STUB_BODIES", bodies.to_str().unwrap())]);
    (home, state, bodies, stub)
}

/// Moves every alert's firing time `minutes` into the past.
fn age_alerts(state: &Path, minutes: i64) {
    let path = state.join("alerts.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for a in doc["alerts"].as_object_mut().unwrap().values_mut() {
        if let Some(t) = a["fired_at_ms"].as_i64() {
            a["fired_at_ms"] = (t - minutes * 60_000).into();
        }
    }
    std::fs::write(&path, doc.to_string()).unwrap();
}

fn card_texts(card: &Value) -> Vec<String> {
    card["attachments"][0]["content"]["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_on_call_ladder_escalates_by_time_groups_each_run_and_resolves_to_those_told() {
    let (home, state, bodies, stub) = receiver();
    let dir = home.path();
    std::fs::write(dir.join("pd.key"), format!("{KEY}\n")).unwrap();
    let config = serde_json::json!({
        "targets": {},
        "notify": {"channels": {
            "l1-hook": {"to": format!("webhook:{}", stub.url("/l1/SECRET-PATH"))},
            "l2-teams": {"to": format!("teams:{}", stub.url("/l2")), "after": "15m"},
            "l3-pagerduty": {"to": format!("pagerduty:${{file:pd.key}}@{}", stub.url("/l3/v2/enqueue")), "after": "1h"},
            "l1-chat": {"to": format!("webhook:{}", stub.url("/tpl")),
                        "template": {"text": "{{summary}}", "level": "{{status}}"}}
        }}
    });
    std::fs::write(dir.join("mcpmon.json"), config.to_string()).unwrap();
    let (gw, db) = (dir.join("gw.log"), dir.join("db.log"));
    let args = [
        "--config",
        "mcpmon.json",
        "--log",
        gw.to_str().unwrap(),
        "--log",
        db.to_str().unwrap(),
    ];
    let run = || {
        let (code, doc, err) = alerts_json(dir, &state, &args);
        let all = format!(
            "{doc}{err}{}",
            std::fs::read_to_string(state.join("alerts.json")).unwrap_or_default()
        );
        assert!(
            !all.contains(KEY) && !all.contains("SECRET-PATH"),
            "a secret leaked: {all}"
        );
        (code, doc, err)
    };

    // run 1: both fire; L1 gets ONE message with both (grouped), L2 and L3 nothing yet
    errors_log(&gw, 20);
    errors_log(&db, 20);
    let (code, _, err) = run();
    assert_eq!(code, 1, "20 errors of 50 is a warning: {err}");
    let l1 = posts(&bodies, "/l1/");
    assert_eq!(l1.len(), 1, "one notification per run per channel: {l1:#?}");
    assert_eq!(
        l1[0]["events"].as_array().unwrap().len(),
        2,
        "{l1:#?} {err}"
    );
    let summary = l1[0]["summary"].as_str().unwrap();
    assert!(summary.starts_with("mcpmon: 2 firing — log "), "{summary}");
    let tpl = posts(&bodies, "/tpl");
    assert_eq!(tpl.len(), 1);
    assert_eq!(tpl[0]["text"], summary);
    assert_eq!(tpl[0]["level"], "warn");
    assert!(posts(&bodies, "/l2").is_empty() && posts(&bodies, "/l3/").is_empty());

    // 20 minutes later: L2 now, with both alerts in one card; L1 is not told again
    age_alerts(&state, 20);
    run();
    let l2 = posts(&bodies, "/l2");
    assert_eq!(l2.len(), 1);
    let texts = card_texts(&l2[0]);
    assert!(texts[0].starts_with("mcpmon: 2 firing"), "{texts:?}");
    assert_eq!(
        texts.iter().filter(|t| t.starts_with("FIRING ")).count(),
        2,
        "{texts:?}"
    );
    assert_eq!(posts(&bodies, "/l1/").len(), 1);
    assert!(posts(&bodies, "/l3/").is_empty());

    // past the hour: PagerDuty, one trigger per alert, each with its own stable dedup_key
    age_alerts(&state, 45);
    run();
    let l3 = posts(&bodies, "/l3/");
    assert_eq!(l3.len(), 2, "{l3:#?}");
    for t in &l3 {
        assert_eq!(t["event_action"], "trigger");
        assert_eq!(t["routing_key"], KEY);
        assert_eq!(t["payload"]["severity"], "warning");
    }
    let keys: Vec<&str> = l3
        .iter()
        .map(|t| t["dedup_key"].as_str().unwrap())
        .collect();
    assert_ne!(keys[0], keys[1]);

    // db recovers: every rung that was told hears the resolve (and only of db)
    errors_log(&db, 0);
    run();
    let l1 = posts(&bodies, "/l1/");
    assert_eq!(l1.len(), 2);
    assert_eq!(l1[1]["events"].as_array().unwrap().len(), 1);
    assert_eq!(l1[1]["events"][0]["event"], "resolved");
    assert_eq!(posts(&bodies, "/l2").len(), 2);
    let l3 = posts(&bodies, "/l3/");
    assert_eq!(l3.len(), 3);
    assert_eq!(l3[2]["event_action"], "resolve");
    assert!(
        keys.contains(&l3[2]["dedup_key"].as_str().unwrap()),
        "resolved under its trigger's key"
    );
}

#[test]
fn a_resolve_before_the_delay_reaches_only_the_channels_that_were_told() {
    let (home, state, bodies, stub) = receiver();
    let dir = home.path();
    let config = serde_json::json!({
        "targets": {},
        "notify": {"channels": {
            "now": format!("webhook:{}", stub.url("/now")),
            "later": {"to": format!("webhook:{}", stub.url("/later")), "after": "15m"}
        }}
    });
    std::fs::write(dir.join("mcpmon.json"), config.to_string()).unwrap();
    let log = dir.join("app.log");
    let args = ["--config", "mcpmon.json", "--log", log.to_str().unwrap()];
    errors_log(&log, 20);
    alerts_json(dir, &state, &args);
    errors_log(&log, 0);
    let (_, doc, _) = alerts_json(dir, &state, &args);
    assert_eq!(doc["events"][0]["event"], "resolved");
    assert_eq!(posts(&bodies, "/now").len(), 2);
    assert!(
        posts(&bodies, "/later").is_empty(),
        "never paged, so no resolve either"
    );
}

#[test]
fn a_misspelled_channel_key_is_a_usage_error_with_a_suggestion() {
    let home = tempdir();
    std::fs::write(
        home.path().join("mcpmon.json"),
        r#"{"targets": {}, "notify": {"channels": {"l2": {"to": "slack:http://127.0.0.1:9/T/SECRET", "aftr": "15m"}}}}"#,
    )
    .unwrap();
    let log = home.path().join("app.log");
    errors_log(&log, 0);
    let (code, out, err) = run(
        home.path(),
        &[
            "alerts",
            "--config",
            "mcpmon.json",
            "--log",
            log.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        err.contains("notify.channels.l2: unknown key `aftr` (did you mean `after`?)"),
        "{err}"
    );
    assert!(!err.contains("SECRET"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// The SMTP server of `tests/stubs/smtp_sink.py` (aiosmtpd from the peers' venv): STARTTLS required
/// before AUTH, AUTH before MAIL; stopped on drop (its stdin closes).
struct SmtpSink {
    child: std::process::Child,
    port: u16,
}

impl SmtpSink {
    fn start(dir: &Path) -> SmtpSink {
        use std::io::BufRead;
        let mut child = std::process::Command::new(peer("PEERS_PYTHON"))
            .arg(root().join("tests/stubs/smtp_sink.py"))
            .arg(dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start the SMTP sink (aiosmtpd in the peers' venv: scripts/peers.sh install)");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the SMTP sink did not start: {line:?}"));
        SmtpSink { child, port }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn email_goes_through_starttls_and_auth_to_a_real_smtp_server_and_waits_when_refused() {
    use base64::Engine as _;
    let home = tempdir();
    let dir = home.path();
    let state = dir.join("state");
    let sink = SmtpSink::start(dir);
    let log = dir.join("app.log");
    let spec = |password: &str| {
        format!(
            "email:smtp://mcpmon:{password}@127.0.0.1:{}?from=mcpmon@example.com&to=oncall@example.com,l2@example.com&ca={}",
            sink.port,
            dir.join("cert.pem").display()
        )
    };

    // a wrong password: refused by the server, said without the password, kept for the next run
    errors_log(&log, 20);
    let wrong = spec("WRONG-pass-123");
    let other_state = dir.join("state-wrong");
    let (code, doc, err) = alerts_json(
        dir,
        &other_state,
        &["--notify", &wrong, "--log", log.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("notification to email (smtp://127.0.0.1:"),
        "{err}"
    );
    assert!(
        err.contains("535") || err.to_lowercase().contains("auth"),
        "{err}"
    );
    assert!(
        !err.contains("WRONG-pass-123") && !doc.to_string().contains("WRONG-pass-123"),
        "{err}"
    );
    assert_eq!(doc["outbox"]["pending"], 1);
    assert!(!dir.join("messages.jsonl").exists());

    // the right one: over TLS, authenticated, to both recipients, the summary as the subject
    let right = spec("s3cret-pass");
    let (_, doc, err) = alerts_json(
        dir,
        &state,
        &["--notify", &right, "--log", log.to_str().unwrap()],
    );
    assert_eq!(doc["events"][0]["event"], "firing", "{err}");
    assert_eq!(doc["outbox"]["pending"], 0, "{err}");
    assert!(!err.contains("s3cret-pass") && !doc.to_string().contains("s3cret-pass"));
    let text = std::fs::read_to_string(dir.join("messages.jsonl")).unwrap();
    let mails: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(mails.len(), 1, "{text}");
    let m = &mails[0];
    assert_eq!(m["tls"], true, "STARTTLS before the message");
    assert_eq!(m["auth"], true);
    assert_eq!(m["from"], "mcpmon@example.com");
    assert_eq!(
        m["to"],
        serde_json::json!(["oncall@example.com", "l2@example.com"])
    );
    let data = m["data"].as_str().unwrap();
    let (head, body) = data.split_once("\r\n\r\n").unwrap();
    let subject = head
        .lines()
        .find_map(|l| l.strip_prefix("Subject: =?UTF-8?B?"))
        .and_then(|s| s.strip_suffix("?="))
        .unwrap();
    let subject = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(subject)
            .unwrap(),
    )
    .unwrap();
    assert!(subject.starts_with("mcpmon: 1 firing — log "), "{subject}");
    let body: String = body.split_whitespace().collect();
    let body = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap(),
    )
    .unwrap();
    assert!(body.contains("FIRING WARN log "), "{body}");
}

/// Request lines (`METHOD PATH`) the receiver got on paths starting with `prefix`, in order.
fn requests(log: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.split(' ').nth(1).is_some_and(|p| p.starts_with(prefix)))
        .map(|l| l.splitn(3, ' ').take(2).collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn a_ping_with_start_fail_and_report_times_the_run_and_posts_what_fires() {
    let (home, state, bodies, stub) = receiver();
    let dir = home.path();
    let config = serde_json::json!({
        "targets": {},
        "notify": {"channels": {
            "hc": {"to": format!("ping:{}", stub.url("/hc/0f8a-uuid")), "start": true, "fail": true, "report": true},
            "plain": format!("ping:{}", stub.url("/plain/uuid2"))
        }}
    });
    std::fs::write(dir.join("mcpmon.json"), config.to_string()).unwrap();
    let log = dir.join("app.log");
    let args = ["--config", "mcpmon.json", "--log", log.to_str().unwrap()];
    errors_log(&log, 20);
    alerts_json(dir, &state, &args);
    errors_log(&log, 0);
    alerts_json(dir, &state, &args);
    assert_eq!(
        requests(&bodies, "/hc/"),
        [
            "GET /hc/0f8a-uuid/start",
            "POST /hc/0f8a-uuid/fail",
            "GET /hc/0f8a-uuid/start",
            "POST /hc/0f8a-uuid"
        ]
    );
    let reports = posts(&bodies, "/hc/");
    let firing = reports[0]["text"].as_str().unwrap();
    assert!(firing.starts_with("mcpmon: 1 firing — log "), "{firing}");
    assert!(firing.contains("\nFIRING WARN log "), "{firing}");
    let ok = reports[1]["text"].as_str().unwrap();
    assert!(ok.starts_with("mcpmon: 1 resolved"), "{ok}");
    // without the options: a GET of the exit code, no start
    assert_eq!(
        requests(&bodies, "/plain/"),
        ["GET /plain/uuid2/1", "GET /plain/uuid2/0"]
    );
}
