//! The notification outbox of `mcpmon alerts` (issue 18 item 5): a notification a receiver missed is
//! retried on later runs until delivered, in order, exactly once (also under 20 concurrent runs), up to
//! its max age; a ping keeps only its newest; the state file holds no channel secret. The receiver is
//! the python stub in `receiver` mode, taken down and brought back with its STUB_DOWN_FILE.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A webhook receiver recording each delivered request, which answers 503 while `down` exists.
struct Receiver {
    stub: HttpStub,
    bodies: PathBuf,
    down: PathBuf,
}

impl Receiver {
    fn start(dir: &Path) -> Receiver {
        let bodies = dir.join("deliveries.log");
        let down = dir.join("receiver-down");
        let stub = HttpStub::start_with_env(
            "receiver",
            &[
                ("STUB_BODIES", bodies.to_str().unwrap()),
                ("STUB_DOWN_FILE", down.to_str().unwrap()),
            ],
        );
        Receiver { stub, bodies, down }
    }

    fn set_down(&self, down: bool) {
        if down {
            std::fs::write(&self.down, "").unwrap();
        } else {
            let _ = std::fs::remove_file(&self.down);
        }
    }

    /// The JSON bodies of the POSTs delivered to paths starting with `prefix`, in arrival order.
    fn posts(&self, prefix: &str) -> Vec<Value> {
        self.lines(&format!("POST {prefix}"))
            .iter()
            .map(|l| serde_json::from_str(l.splitn(3, ' ').nth(2).unwrap()).unwrap())
            .collect()
    }

    fn lines(&self, prefix: &str) -> Vec<String> {
        std::fs::read_to_string(&self.bodies)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with(prefix))
            .map(String::from)
            .collect()
    }
}

/// `event check` of each event in a report or a delivered payload.
fn events(doc: &Value) -> Vec<String> {
    crate::common::events(doc, &["check"])
}

fn outbox_file(state: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(state.join("outbox.json")).unwrap()).unwrap()
}

#[test]
fn a_receiver_down_for_one_run_gets_the_event_once_it_is_back() {
    let home = tempdir();
    let state = home.path().join("state");
    let rx = Receiver::start(home.path());
    let down_target = format!("http://127.0.0.1:{}/mcp", closed_port());
    let hook = format!("webhook:{}", rx.stub.url("/hooks/T000/SECRET-TOKEN"));
    let args = ["--notify", hook.as_str(), down_target.as_str()];

    rx.set_down(true);
    let (code, doc, err) = alerts_json(home.path(), &state, &args);
    assert_eq!(code, 2, "the delivery never changes the verdict: {err}");
    assert_eq!(events(&doc), ["firing connect"]);
    let outbox = &doc["outbox"];
    assert_eq!(outbox["pending"], 1, "{doc:#}");
    let entry = &outbox["entries"][0];
    assert_eq!(
        entry["channel"],
        format!("webhook (http://127.0.0.1:{}/…)", rx.stub.port)
    );
    assert_eq!(entry["attempts"], 1);
    assert_eq!(entry["events"], 1);
    assert!(
        entry["last_error"].as_str().unwrap().contains("503"),
        "{entry}"
    );
    assert_eq!(entry["created_at"], doc["generated_at"]);
    assert!(err.contains("kept in the outbox"), "{err}");
    assert!(rx.posts("/hooks/").is_empty());

    rx.set_down(false);
    for _ in 0..2 {
        let (code, doc, err) = alerts_json(home.path(), &state, &args);
        assert_eq!(code, 2);
        assert!(events(&doc).is_empty(), "still firing: no new event");
        assert_eq!(doc["outbox"]["pending"], 0, "{doc:#}\n{err}");
    }
    let posts = rx.posts("/hooks/T000/SECRET-TOKEN");
    assert_eq!(posts.len(), 1, "delivered exactly once: {posts:#?}");
    assert_eq!(events(&posts[0]), ["firing connect"]);
    assert_eq!(posts[0]["status"], "crit");
}

#[test]
fn undelivered_events_keep_their_order_and_a_failure_ends_the_channels_turn() {
    let home = tempdir();
    let state = home.path().join("state");
    let rx = Receiver::start(home.path());
    let log = home.path().join("app.log");
    let hook = format!("webhook:{}", rx.stub.url("/hook"));
    let args = ["--notify", hook.as_str(), "--log", log.to_str().unwrap()];

    rx.set_down(true);
    errors_log(&log, 20);
    let (_, first, _) = alerts_json(home.path(), &state, &args);
    assert_eq!(events(&first), ["firing log_errors"]);
    errors_log(&log, 0);
    let (_, second, _) = alerts_json(home.path(), &state, &args);
    assert_eq!(events(&second), ["resolved log_errors"]);
    let entries = second["outbox"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{second:#}");
    // the older one was tried again and failed, so the newer one waited its turn
    assert_eq!(entries[0]["attempts"], 2);
    assert_eq!(entries[0]["created_at"], first["generated_at"]);
    assert_eq!(entries[1]["attempts"], 0);
    assert_eq!(entries[1]["created_at"], second["generated_at"]);

    rx.set_down(false);
    let (_, third, _) = alerts_json(home.path(), &state, &args);
    assert!(events(&third).is_empty());
    assert_eq!(third["outbox"]["pending"], 0);
    let posts = rx.posts("/hook");
    let got: Vec<Vec<String>> = posts.iter().map(events).collect();
    assert_eq!(got, [["firing log_errors"], ["resolved log_errors"]]);
    assert_eq!(posts[0]["generated_at"], first["generated_at"]);
    assert_eq!(posts[1]["generated_at"], second["generated_at"]);
}

#[test]
fn an_entry_older_than_the_max_age_is_dropped_undelivered() {
    let home = tempdir();
    let state = home.path().join("state");
    let rx = Receiver::start(home.path());
    let log = home.path().join("app.log");
    let hook = format!("webhook:{}", rx.stub.url("/hook"));
    let args = [
        "--notify",
        hook.as_str(),
        "--log",
        log.to_str().unwrap(),
        "--outbox-max-age",
        "1h",
    ];

    rx.set_down(true);
    errors_log(&log, 20);
    alerts_json(home.path(), &state, &args);
    errors_log(&log, 0);
    alerts_json(home.path(), &state, &args);
    // the first entry (the firing) was made two days ago
    let mut file = outbox_file(&state);
    assert_eq!(file["entries"].as_array().unwrap().len(), 2, "{file:#}");
    file["entries"][0]["created_at"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(
        state.join("outbox.json"),
        serde_json::to_vec(&file).unwrap(),
    )
    .unwrap();

    rx.set_down(false);
    let (_, doc, err) = alerts_json(home.path(), &state, &args);
    let channel = format!("webhook (http://127.0.0.1:{}/…)", rx.stub.port);
    let said: Vec<&str> = err.lines().filter(|l| l.contains("dropped")).collect();
    assert_eq!(
        said,
        [format!(
            "mcpmon: warning: outbox: dropped 1 undelivered notification to {channel}: older than the max age"
        )],
        "{err}"
    );
    assert_eq!(doc["outbox"]["pending"], 0);
    let got: Vec<Vec<String>> = rx.posts("/hook").iter().map(events).collect();
    assert_eq!(got, [["resolved log_errors"]], "only the fresh one is sent");
}

#[test]
fn twenty_concurrent_runs_deliver_each_event_exactly_once() {
    let home = tempdir();
    let state = home.path().join("state");
    let rx = Receiver::start(home.path());
    let down_target = format!("http://127.0.0.1:{}/mcp", closed_port());
    let hook = format!("webhook:{}", rx.stub.url("/hook"));
    // --repeat 1ms: most runs make an event of their own (a reminder), so the runs race to deliver
    let args = [
        "--notify",
        hook.as_str(),
        "--repeat",
        "1ms",
        down_target.as_str(),
    ];
    let mut expected: Vec<String> = Vec::new();
    let mut note = |doc: &Value| {
        if !events(doc).is_empty() {
            expected.push(format!("{} {:?}", doc["generated_at"], events(doc)));
        }
    };

    // two events wait in the outbox before the stampede
    rx.set_down(true);
    for _ in 0..2 {
        let (_, doc, _) = alerts_json(home.path(), &state, &args);
        note(&doc);
    }
    assert_eq!(outbox_file(&state)["entries"].as_array().unwrap().len(), 2);
    rx.set_down(false);

    let children: Vec<_> = (0..20)
        .map(|_| {
            mcpmon_process(home.path())
                .args([
                    "alerts",
                    "-f",
                    "json",
                    "--state-dir",
                    state.to_str().unwrap(),
                ])
                .args(args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(!err.contains("warning"), "{err}");
        note(&serde_json::from_slice(&out.stdout).unwrap());
    }

    let mut delivered: Vec<String> = rx
        .posts("/hook")
        .iter()
        .map(|p| format!("{} {:?}", p["generated_at"], events(p)))
        .collect();
    expected.sort();
    delivered.sort();
    assert!(expected.len() >= 3, "{expected:#?}");
    assert_eq!(
        delivered, expected,
        "every run's event delivered, none twice"
    );
    assert_eq!(
        outbox_file(&state)["entries"].as_array().unwrap().len(),
        0,
        "nothing left behind once every run has exited"
    );
}

#[test]
fn a_command_is_retried_and_a_ping_keeps_only_its_newest() {
    let home = tempdir();
    let state = home.path().join("state");
    let rx = Receiver::start(home.path());
    let log = home.path().join("app.log");
    let out = home.path().join("hook.jsonl");
    let hook = home.path().join("hook.sh");
    // the hook fails while the receiver is down, like a pager whose API is unreachable
    std::fs::write(
        &hook,
        "if [ -e \"$2\" ]; then echo 'pager API unreachable' >&2; exit 1; fi\ncat >> \"$1\"; echo >> \"$1\"\n",
    )
    .unwrap();
    let command = format!(
        "command:/bin/sh {} {} {}",
        hook.display(),
        out.display(),
        rx.down.display()
    );
    let ping = format!("ping:{}", rx.stub.url("/ping/abc"));
    let args = [
        "--notify",
        command.as_str(),
        "--notify",
        ping.as_str(),
        "--log",
        log.to_str().unwrap(),
    ];

    rx.set_down(true);
    errors_log(&log, 20);
    let (code, _, err) = alerts_json(home.path(), &state, &args);
    assert_eq!(code, 1);
    assert!(err.contains("pager API unreachable"), "{err}");
    errors_log(&log, 0);
    let (code, doc, _) = alerts_json(home.path(), &state, &args);
    assert_eq!(code, 0);
    let entries = doc["outbox"]["entries"].as_array().unwrap();
    let commands: Vec<&Value> = entries
        .iter()
        .filter(|e| e["channel"].as_str().unwrap().starts_with("command"))
        .collect();
    let pings: Vec<&Value> = entries
        .iter()
        .filter(|e| e["channel"].as_str().unwrap().starts_with("ping"))
        .collect();
    assert_eq!(commands.len(), 2, "{doc:#}");
    assert_eq!(
        pings.len(),
        1,
        "a newer heartbeat replaces the older: {doc:#}"
    );
    assert_eq!(pings[0]["created_at"], doc["generated_at"]);
    assert_eq!(pings[0]["events"], 0);

    rx.set_down(false);
    let (code, doc, err) = alerts_json(home.path(), &state, &args);
    assert_eq!(code, 0);
    assert_eq!(doc["outbox"]["pending"], 0, "{doc:#}\n{err}");
    let hooked: Vec<Vec<String>> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| events(&serde_json::from_str(l).unwrap()))
        .collect();
    assert_eq!(hooked, [["firing log_errors"], ["resolved log_errors"]]);
    assert_eq!(
        rx.lines("GET /ping/"),
        ["GET /ping/abc/0 -"],
        "one heartbeat, the newest verdict"
    );
}

#[test]
fn the_outbox_file_holds_no_channel_secret() {
    let home = tempdir();
    let state = home.path().join("state");
    let rx = Receiver::start(home.path());
    let down_target = format!("http://127.0.0.1:{}/mcp", closed_port());
    let failing = home.path().join("fail.sh");
    std::fs::write(&failing, "exit 1\n").unwrap();
    let channels = [
        format!("webhook:{}", rx.stub.url("/hooks/T000/SECRET-TOKEN")),
        format!(
            "slack:{}",
            rx.stub
                .url("/services/T000/B000/XXXX-SECRET?token=s3cret-query")
        ),
        format!(
            "ping:http://user:pa55word@127.0.0.1:{}/ping/SECRET-UUID",
            rx.stub.port
        ),
        format!("command:/bin/sh {} --api-key s3cret-arg", failing.display()),
    ];
    let mut args: Vec<&str> = Vec::new();
    for c in &channels {
        args.extend(["--notify", c.as_str()]);
    }
    args.push(&down_target);
    rx.set_down(true);
    let (code, out, err) = run(
        home.path(),
        &[
            &[
                "alerts",
                "-f",
                "json",
                "--state-dir",
                state.to_str().unwrap(),
            ],
            &args[..],
        ]
        .concat(),
    );
    assert_eq!(code, 2, "{err}");
    let file = std::fs::read_to_string(state.join("outbox.json")).unwrap();
    let doc: Value = serde_json::from_str(&file).unwrap();
    assert_eq!(doc["entries"].as_array().unwrap().len(), 4, "{file}");
    for secret in [
        "SECRET",
        "s3cret",
        "pa55word",
        "user@",
        "T000",
        "/hooks",
        "/services",
        "/ping",
        "token",
        "--api-key",
        "fail.sh",
    ] {
        for (what, text) in [("outbox.json", &file), ("stdout", &out), ("stderr", &err)] {
            assert!(!text.contains(secret), "{secret} in {what}: {text}");
        }
    }
}
