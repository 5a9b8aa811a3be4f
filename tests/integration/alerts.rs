//! `mcpmon alerts`: memory across runs (consecutive, for, hysteresis), events, the locked state file
//! under concurrent runs, a corrupt state file, and the exit codes.

use crate::common::*;

fn alerts(
    home: &std::path::Path,
    state: &std::path::Path,
    args: &[&str],
) -> (i32, serde_json::Value) {
    let (code, doc, _) = alerts_json(home, state, args);
    (code, doc)
}

/// `event check status` of each event.
fn events(doc: &serde_json::Value) -> Vec<String> {
    crate::common::events(doc, &["check", "status"])
}

#[test]
fn consecutive_runs_then_hysteresis_before_resolving() {
    let home = tempdir();
    let state = home.path().join("state");
    let log = home.path().join("app.log");
    let args = [
        "--log",
        log.to_str().unwrap(),
        "--consecutive",
        "2",
        "--recover-after",
        "2",
    ];
    errors_log(&log, 20); // 20 errors > 10: log_errors WARN

    let (code, doc) = alerts(home.path(), &state, &args);
    assert_eq!(code, 0, "one bad run is pending: {doc:#}");
    assert!(events(&doc).is_empty());
    let f = finding(
        &doc,
        doc["findings"][0]["target"].as_str().unwrap(),
        "log_errors",
    );
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("pending: 1 of 2 bad runs"),
        "{f}"
    );

    let (code, doc) = alerts(home.path(), &state, &args);
    assert_eq!(code, 1);
    assert_eq!(events(&doc), ["firing log_errors warn"]);

    let (code, doc) = alerts(home.path(), &state, &args);
    assert_eq!(code, 1);
    assert!(events(&doc).is_empty(), "still firing: no new event");

    errors_log(&log, 0);
    let (code, doc) = alerts(home.path(), &state, &args);
    assert_eq!(code, 1, "one good run is not enough to resolve");
    assert!(events(&doc).is_empty());
    let (code, doc) = alerts(home.path(), &state, &args);
    assert_eq!(code, 0);
    assert_eq!(events(&doc), ["resolved log_errors ok"]);
}

#[test]
fn for_duration_keeps_a_new_failure_pending() {
    let home = tempdir();
    let state = home.path().join("state");
    let down = format!("http://127.0.0.1:{}/mcp", closed_port());
    let (code, doc) = alerts(home.path(), &state, &["--for", "1h", &down]);
    assert_eq!(code, 0, "{doc:#}");
    let f = &doc["findings"][0];
    assert_eq!(f["check"], "connect");
    assert!(
        f["message"].as_str().unwrap().contains("pending: bad for"),
        "{f}"
    );
    // without --for it fires at once, and the state remembers when it went bad
    let (code, doc) = alerts(home.path(), &state, &[&down]);
    assert_eq!(code, 2);
    assert_eq!(events(&doc), ["firing connect crit"]);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("alerts.json")).unwrap()).unwrap();
    let key = format!(
        "{}/mcp/connect",
        doc["findings"][0]["target"].as_str().unwrap()
    );
    assert_eq!(saved["alerts"][&key]["firing"], "crit");
    assert_eq!(saved["alerts"][&key]["bad_runs"], 2);
}

#[test]
fn dry_run_writes_nothing_and_nagios_exit_codes() {
    let home = tempdir();
    let state = home.path().join("state");
    let down = format!("http://127.0.0.1:{}/mcp", closed_port());
    let (code, _) = alerts(home.path(), &state, &["--dry-run", &down]);
    assert_eq!(code, 2);
    assert!(!state.join("alerts.json").exists());
    let (code, out, _) = run(
        home.path(),
        &[
            "alerts",
            "--format",
            "nagios",
            "--state-dir",
            state.to_str().unwrap(),
            &down,
        ],
    );
    assert_eq!(code, 2);
    assert!(out.starts_with("MCPMON CRITICAL - "), "{out}");
}

#[test]
fn corrupt_state_is_reported_and_rebuilt() {
    let home = tempdir();
    let state = home.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("alerts.json"), "{\"version\": 1, \"alerts\": {").unwrap();
    let log = home.path().join("a.log");
    errors_log(&log, 0);
    let (code, out, err) = run(
        home.path(),
        &[
            "alerts",
            "-f",
            "json",
            "--state-dir",
            state.to_str().unwrap(),
            "--log",
            log.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("corrupt"), "{err}");
    assert!(out.contains("\"command\": \"alerts\""));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("alerts.json")).unwrap()).unwrap();
    assert!(!saved["alerts"].as_object().unwrap().is_empty());
}

#[test]
fn twenty_concurrent_runs_share_one_state_file() {
    let home = tempdir();
    let state = home.path().join("state");
    let log = home.path().join("a.log");
    errors_log(&log, 20);
    let children: Vec<_> = (0..20)
        .map(|_| {
            std::process::Command::new(bin())
                .args([
                    "alerts",
                    "-f",
                    "json",
                    "--state-dir",
                    state.to_str().unwrap(),
                    "--log",
                    log.to_str().unwrap(),
                    "--consecutive",
                    "100",
                ])
                .env("HOME", home.path())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // every run counted: none lost another's update, and the file is whole
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("alerts.json")).unwrap()).unwrap();
    let key = saved["alerts"]
        .as_object()
        .unwrap()
        .keys()
        .find(|k| k.ends_with("/log/log_errors"))
        .unwrap()
        .clone();
    assert_eq!(saved["alerts"][&key]["bad_runs"], 20);
    let leftovers: Vec<String> = std::fs::read_dir(&state)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_check_that_keeps_changing_is_flapping() {
    let home = tempdir();
    let state = home.path().join("state");
    let log = home.path().join("app.log");
    let args = ["--log", log.to_str().unwrap(), "--flap-changes", "2"];
    let mut last = serde_json::Value::Null;
    for errors in [20, 0, 20, 0] {
        errors_log(&log, errors);
        last = alerts(home.path(), &state, &args).1;
    }
    let target = last["findings"][0]["target"].as_str().unwrap().to_string();
    let f = finding(&last, &target, "log_errors:flapping");
    assert_eq!(f["status"], "warn");
    assert_eq!(f["reason"], "flapping");
    assert_eq!(f["value"], 3.0);
    assert!(
        events(&last).contains(&"flapping log_errors:flapping warn".to_string()),
        "{:?}",
        events(&last)
    );
}

#[test]
fn check_alerts_sh_thresholds_file_read_unchanged() {
    let s = HttpStub::start("health-json");
    let home = tempdir();
    let state = home.path().join("state");
    let seed = root().join("examples/alerts.json");
    let url = s.url("/stats");
    let (code, doc) = alerts(
        home.path(),
        &state,
        &["--stats-url", &url, "--thresholds", seed.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{doc:#}");
    let t = doc["findings"][0]["target"].as_str().unwrap().to_string();
    let rate = finding(&doc, &t, "metric:llm_success_rate");
    assert_eq!(rate["status"], "ok");
    assert_eq!(
        rate["value"], 0.97,
        "97 % read as the fraction the file uses"
    );
    assert_eq!(finding(&doc, &t, "metric:p95_latency")["status"], "warn");
    assert_eq!(finding(&doc, &t, "metric:queue_depth")["status"], "ok");
    assert_eq!(finding(&doc, &t, "metric:cache_hit_rate")["status"], "ok");
    let cb = finding(&doc, &t, "state:circuit_breaker_state");
    assert_eq!(cb["status"], "warn", "half-open is a warning: {cb}");
    assert_eq!(events(&doc).len(), 2, "{:?}", events(&doc));

    // the original script's bug: a field the stats do not have was read as 0 and alerted every run
    let mine = home.path().join("alerts.json");
    std::fs::write(
        &mine,
        r#"{"warning": {"llm_success_rate": 0.95, "error_rate": 0.05}}"#,
    )
    .unwrap();
    let (code, doc) = alerts(
        home.path(),
        &state,
        &[
            "--dry-run",
            "--stats-url",
            &url,
            "--thresholds",
            mine.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 3, "{doc:#}");
    let e = finding(&doc, &t, "metric:error_rate");
    assert_eq!(e["status"], "unknown");
    assert_eq!(e["reason"], "field_missing");
    assert!(e["value"].is_null());
}

fn bodies(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn notifications_only_on_changes_and_pings_every_run() {
    let home = tempdir();
    let state = home.path().join("state");
    let log = home.path().join("deliveries.log");
    let receiver = HttpStub::start_with_env("receiver", &[("STUB_BODIES", log.to_str().unwrap())]);
    let down = format!("http://127.0.0.1:{}/mcp", closed_port());
    let hook_out = home.path().join("hook.jsonl");
    let hook = home.path().join("hook.sh");
    std::fs::write(&hook, "cat >> \"$1\"; echo >> \"$1\"\n").unwrap();
    let webhook = format!("webhook:{}", receiver.url("/hooks/T000/SECRET-TOKEN"));
    let ping = format!("ping:{}", receiver.url("/ping/abc"));
    let command = format!("command:/bin/sh {} {}", hook.display(), hook_out.display());
    let args = [
        "--notify", &webhook, "--notify", &ping, "--notify", &command, &down,
    ];
    for _ in 0..3 {
        let (code, _) = alerts(home.path(), &state, &args);
        assert_eq!(code, 2);
    }
    let got = bodies(&log);
    let posts: Vec<&String> = got
        .iter()
        .filter(|l| l.starts_with("POST /hooks/"))
        .collect();
    assert_eq!(
        posts.len(),
        1,
        "only the run where the alert fired notifies: {got:#?}"
    );
    let body: serde_json::Value =
        serde_json::from_str(posts[0].splitn(3, ' ').nth(2).unwrap()).unwrap();
    assert_eq!(body["source"], "mcpmon");
    assert_eq!(body["status"], "crit");
    assert_eq!(body["events"][0]["event"], "firing");
    assert_eq!(body["events"][0]["check"], "connect");
    let pings: Vec<&String> = got
        .iter()
        .filter(|l| l.starts_with("GET /ping/abc/2"))
        .collect();
    assert_eq!(
        pings.len(),
        3,
        "the heartbeat goes out every run with the exit code: {got:#?}"
    );
    let hooked = bodies(&hook_out);
    assert_eq!(
        hooked.iter().filter(|l| !l.is_empty()).count(),
        1,
        "{hooked:?}"
    );
    assert!(hooked[0].contains("\"event\":\"firing\""), "{hooked:?}");
}

#[test]
fn a_failed_delivery_never_shows_the_url_nor_changes_the_exit_code() {
    let home = tempdir();
    let state = home.path().join("state");
    let down = format!("http://127.0.0.1:{}/mcp", closed_port());
    let hook = format!(
        "slack:http://127.0.0.1:{}/services/T000/B000/XXXX-SECRET?token=s3cret",
        closed_port()
    );
    let (code, out, err) = run(
        home.path(),
        &[
            "alerts",
            "--state-dir",
            state.to_str().unwrap(),
            "--notify",
            &hook,
            &down,
        ],
    );
    assert_eq!(code, 2, "the check's verdict, not the delivery's: {err}");
    assert!(err.contains("notification to slack"), "{err}");
    for secret in ["T000", "XXXX-SECRET", "s3cret", "/services/"] {
        assert!(
            !err.contains(secret) && !out.contains(secret),
            "{secret} leaked: {err}"
        );
    }
}

#[test]
fn repeat_reminds_about_an_alert_still_firing() {
    let home = tempdir();
    let state = home.path().join("state");
    let down = format!("http://127.0.0.1:{}/mcp", closed_port());
    let (_, first) = alerts(home.path(), &state, &["--repeat", "1ms", &down]);
    assert_eq!(events(&first), ["firing connect crit"]);
    // the next run is at least 1 ms later: a reminder, not a new alert
    let (_, second) = alerts(home.path(), &state, &["--repeat", "1ms", &down]);
    assert_eq!(events(&second), ["repeat connect crit"]);
    // without --repeat a still-firing alert says nothing
    let (_, third) = alerts(home.path(), &state, &[&down]);
    assert!(events(&third).is_empty());
}

#[test]
fn nagios_style_ranges_on_the_command_line() {
    let s = HttpStub::start("health-json");
    let home = tempdir();
    let state = home.path().join("state");
    let seed = root().join("examples/alerts.json");
    let url = s.url("/stats");
    let base = [
        "--dry-run",
        "--stats-url",
        url.as_str(),
        "--thresholds",
        seed.to_str().unwrap(),
    ];
    // p95 2300 is a warning by the file (2000); --critical p95_latency=2200 makes it critical
    let mut args = base.to_vec();
    args.extend(["--critical", "p95_latency=2200"]);
    let (code, doc) = alerts(home.path(), &state, &args);
    assert_eq!(code, 2, "{doc:#}");
    let t = doc["findings"][0]["target"].as_str().unwrap().to_string();
    assert_eq!(finding(&doc, &t, "metric:p95_latency")["status"], "crit");
    // a lower-is-worse range: the success rate 0.97 is below 0.98 → warning
    let mut args = base.to_vec();
    args.extend(["--warning", "llm_success_rate=0.98:"]);
    let (_, doc) = alerts(home.path(), &state, &args);
    assert_eq!(
        finding(&doc, &t, "metric:llm_success_rate")["status"],
        "warn"
    );
    // a name that matches nothing is a usage error, not a silent pass
    let mut args = vec!["alerts", "--state-dir", state.to_str().unwrap()];
    args.extend(base);
    args.extend(["--warning", "p59_latency=1"]);
    let (code, _, err) = run(home.path(), &args);
    assert_eq!(code, 3);
    assert!(err.contains("no metric or check"), "{err}");
}

#[test]
fn alerts_against_a_real_hub_with_a_broken_server() {
    let home = tempdir();
    let state = home.path().join("state");
    let hub = peer("HUB_BROKEN_URL");
    let (code, doc) = alerts(home.path(), &state, &["--hub", hub, "--consecutive", "2"]);
    assert_eq!(code, 0, "pending on the first run: {doc:#}");
    let (code, doc) = alerts(home.path(), &state, &["--hub", hub, "--consecutive", "2"]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(events(&doc), ["firing server:broken crit"]);
    let t = doc["findings"][0]["target"].as_str().unwrap().to_string();
    assert_eq!(
        finding(&doc, &t, "server:off")["status"],
        "ok",
        "disabled never alerts"
    );
    // and the same verdict reaches Nagios and Prometheus
    let (code, out, _) = run(
        home.path(),
        &[
            "alerts",
            "--format",
            "prometheus",
            "--state-dir",
            state.to_str().unwrap(),
            "--hub",
            hub,
        ],
    );
    assert_eq!(code, 2);
    assert!(
        out.contains("mcpmon_status{command=\"alerts\"} 2\n"),
        "{out}"
    );
}
