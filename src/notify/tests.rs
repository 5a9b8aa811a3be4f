//! Tests of `notify`: parsing and redaction, the payload and Slack text, and real deliveries to a tiny
//! HTTP receiver on 127.0.0.1 (a std thread answering a programmed list of statuses) and to `sh` hooks.

use super::*;
use crate::model::Finding;
use crate::model::Kind;
use crate::report::Report;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;

const SECRET_URL: &str = "https://hooks.example/T000/B000/XXXX?token=s3cret";

/// One request as the receiver saw it.
#[derive(Debug)]
struct Seen {
    method: String,
    /// Path and query.
    path: String,
    content_type: Option<String>,
    /// Every header, names in lower case.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Answers one request per entry of `replies` (status, body), `Connection: close`, recording each request
/// before answering it. Returns the base URL (`http://127.0.0.1:PORT`) and the records.
fn receiver(replies: Vec<(u16, &'static str)>) -> (String, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for (code, body) in replies {
            let Ok((mut s, _)) = listener.accept() else {
                return;
            };
            let seen = read_request(&mut s);
            if tx.send(seen).is_err() {
                return;
            }
            let resp = format!(
                "HTTP/1.1 {code} Whatever\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(resp.as_bytes());
            let _ = s.flush();
        }
    });
    (format!("http://{addr}"), rx)
}

fn read_request(s: &mut TcpStream) -> Seen {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut chunk).unwrap();
        assert!(
            n > 0,
            "connection closed before the end of the request head"
        );
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap().split(' ');
    let method = first.next().unwrap().to_string();
    let path = first.next().unwrap().to_string();
    let mut len = 0usize;
    let mut content_type = None;
    let mut headers = Vec::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            match k.trim().to_ascii_lowercase().as_str() {
                "content-length" => len = v.trim().parse().unwrap(),
                "content-type" => content_type = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    while buf.len() < head_end + len {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "connection closed before the end of the body");
        buf.extend_from_slice(&chunk[..n]);
    }
    Seen {
        method,
        path,
        content_type,
        headers,
        body: buf[head_end..head_end + len].to_vec(),
    }
}

fn next(rx: &mpsc::Receiver<Seen>) -> Seen {
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the receiver saw no request")
}

fn client() -> reqwest::Client {
    // no_proxy: a proxy from the environment must not see (or relay) test traffic.
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A port with nothing listening on it.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn events() -> Vec<AlertEvent> {
    vec![
        AlertEvent {
            target: "api".into(),
            probe: Kind::Mcp,
            check: "connect".into(),
            event: Event::Firing(Status::Crit),
            status: Status::Crit,
            message: "connection refused by 127.0.0.1:9 (nothing listening?)".into(),
        },
        AlertEvent {
            target: "docs".into(),
            probe: Kind::Http,
            check: "latency".into(),
            event: Event::Resolved,
            status: Status::Ok,
            message: "p95 120 ms".into(),
        },
    ]
}

fn note(events: &[AlertEvent]) -> Notification<'_> {
    Notification {
        command: "alerts",
        generated_at: "2026-05-01T12:00:00.250Z".parse().unwrap(),
        status: Status::Crit,
        exit_code: 2,
        events,
        host: "web-1",
        firing: &[],
    }
}

#[test]
fn alertmanager_gets_every_firing_alert_and_the_labels_that_stopped_firing() {
    let evs = events();
    let firing = [crate::model::Firing {
        target: "api".into(),
        probe: Kind::Mcp,
        check: "connect".into(),
        status: Status::Crit,
        message: "refused".into(),
        since: "2026-05-01T11:00:00Z".parse().unwrap(),
    }];
    let mut n = note(&evs);
    n.firing = &firing;
    let doc = alertmanager_payload(&n);
    let alerts = doc.as_array().unwrap();
    let first = &alerts[0];
    assert_eq!(first["labels"]["alertname"], "MCPMonCheck");
    assert_eq!(first["labels"]["server"], "api");
    assert_eq!(first["labels"]["severity"], "critical");
    assert_eq!(first["labels"]["instance"], "web-1");
    assert_eq!(first["startsAt"], "2026-05-01T11:00:00.000Z");
    assert_eq!(first["endsAt"], "2026-05-01T13:00:00.250Z", "an hour ahead");
    // the resolved event ends both severities it might have fired under, now
    let ended: Vec<&serde_json::Value> = alerts
        .iter()
        .filter(|a| a["endsAt"] == "2026-05-01T12:00:00.250Z")
        .collect();
    assert_eq!(ended.len(), 2, "{doc:#}");
    assert!(ended.iter().all(|a| a["startsAt"].is_null()));
    let url = alertmanager_url(&Url::parse("http://127.0.0.1:9093/prefix/").unwrap()).unwrap();
    assert_eq!(url.as_str(), "http://127.0.0.1:9093/prefix/api/v2/alerts");
}

const DEADLINE: Duration = Duration::from_secs(10);

// ---- parsing and redaction ----

#[test]
fn parse_accepts_each_form() {
    let w = Channel::parse("webhook:https://example.com/hook?x=1").unwrap();
    assert!(matches!(&w, Channel::Webhook(u) if u.as_str() == "https://example.com/hook?x=1"));
    let bare = Channel::parse("  https://example.com/hook ").unwrap();
    assert!(matches!(&bare, Channel::Webhook(u) if u.path() == "/hook"));
    let s = Channel::parse("slack:https://hooks.slack.com/services/T/B/X").unwrap();
    assert!(matches!(&s, Channel::Slack(u) if u.host_str() == Some("hooks.slack.com")));
    let p = Channel::parse("ping:https://hc-ping.com/uuid").unwrap();
    assert!(matches!(&p, Channel::Ping(u, _) if u.path() == "/uuid"));
    let c = Channel::parse("command:/usr/local/bin/page  --team   ops").unwrap();
    assert_eq!(
        c,
        Channel::Command(vec![
            "/usr/local/bin/page".into(),
            "--team".into(),
            "ops".into()
        ])
    );
    assert!(matches!(
        Channel::parse("SLACK:http://127.0.0.1:1/x").unwrap(),
        Channel::Slack(_)
    ));
}

#[test]
fn parse_rejects_garbage_without_echoing_secrets() {
    let bad = [
        "",
        "   ",
        "nonsense",
        "hooks.example/T000/B000/XXXX?token=s3cret",
        "slak:https://hooks.example/T000/B000/XXXX?token=s3cret",
        "webhook:",
        "slack:not a url/T000/XXXX?token=s3cret",
        "webhook:ftp://hooks.example/T000/XXXX?token=s3cret",
        "ping:mailto:T000XXXXs3cret@example.com",
        "webhook:https://:T000@/XXXX?token=s3cret",
        "command:",
        "command:   ",
        "T000/XXXX?token=s3cret:whatever",
    ];
    for spec in bad {
        let e = Channel::parse(spec).expect_err(spec);
        assert!(!e.is_empty());
        for secret in ["T000", "B000", "XXXX", "s3cret", "token"] {
            assert!(!e.contains(secret), "{spec:?} → {e:?} shows {secret}");
        }
    }
    let e = Channel::parse("slak:https://x.example/").unwrap_err();
    assert!(e.contains("`slak`"), "{e}");
    let e = Channel::parse("webhook:ftp://x.example/").unwrap_err();
    assert!(e.contains("http or https"), "{e}");
}

#[test]
fn describe_and_debug_redact_url_path_query_and_credentials() {
    for spec in [
        format!("slack:{SECRET_URL}"),
        format!("webhook:{SECRET_URL}"),
        format!("ping:{SECRET_URL}"),
        SECRET_URL.to_string(),
        "https://T000:s3cret@hooks.example/XXXX".to_string(),
    ] {
        let ch = Channel::parse(&spec).unwrap();
        let shown = [ch.describe(), format!("{ch:?}"), format!("{ch}")];
        for s in &shown {
            for secret in ["T000", "B000", "XXXX", "s3cret", "token", "?"] {
                assert!(!s.contains(secret), "{s:?} shows {secret}");
            }
            assert!(s.contains("https://hooks.example/…"), "{s}");
        }
    }
    let s = Channel::parse(&format!("slack:{SECRET_URL}")).unwrap();
    assert_eq!(s.describe(), "slack (https://hooks.example/…)");
    let local = Channel::parse("webhook:http://127.0.0.1:8080/a/b").unwrap();
    assert_eq!(local.describe(), "webhook (http://127.0.0.1:8080/…)");
    let c = Channel::parse("command:/bin/page --token s3cret").unwrap();
    assert_eq!(c.describe(), "command (/bin/page, 2 args)");
    assert!(!format!("{c:?}").contains("s3cret"));
    assert_eq!(
        Channel::parse("command:notify").unwrap().describe(),
        "command (notify)"
    );
}

// ---- what is sent ----

#[test]
fn payload_has_every_key() {
    let ev = events();
    let v = payload(&note(&ev));
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "schema_version",
            "source",
            "command",
            "generated_at",
            "host",
            "status",
            "exit_code",
            "events",
            "summary"
        ]
    );
    assert_eq!(
        v["summary"],
        "mcpmon: 1 firing, 1 resolved — api connect; docs latency resolved"
    );
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["source"], "mcpmon");
    assert_eq!(v["command"], "alerts");
    assert_eq!(v["generated_at"], "2026-05-01T12:00:00.250Z");
    assert_eq!(v["host"], "web-1");
    assert_eq!(v["status"], "crit");
    assert_eq!(v["exit_code"], 2);
    assert_eq!(
        v["events"],
        json!([
            {"target":"api","probe":"mcp","check":"connect","event":"firing","status":"crit",
             "message":"connection refused by 127.0.0.1:9 (nothing listening?)"},
            {"target":"docs","probe":"http","check":"latency","event":"resolved","status":"ok",
             "message":"p95 120 ms"}
        ])
    );
}

#[test]
fn from_report_takes_verdict_and_events() {
    let report = Report {
        command: "alerts",
        generated_at: "2026-05-01T12:00:00Z".parse().unwrap(),
        findings: vec![
            Finding::new(
                "api",
                Kind::Mcp,
                "connect",
                Status::Warn,
                None,
                "slow".into(),
            ),
            Finding::new("docs", Kind::Mcp, "connect", Status::Ok, None, "ok".into()),
        ],
        observations: Vec::new(),
        events: Some(events()),
        outbox: None,
    };
    let n = report.notification("web-1");
    assert_eq!(n.status, Status::Warn);
    assert_eq!(n.exit_code, 1);
    assert_eq!(n.events.len(), 2);
    assert_eq!(n.command, "alerts");
    let none = Report {
        events: None,
        outbox: None,
        ..report.clone()
    };
    assert!(none.notification("h").events.is_empty());
}

#[test]
fn slack_text_is_a_headline_and_one_line_per_event() {
    let mut ev = events();
    ev.push(AlertEvent {
        target: "hub".into(),
        probe: Kind::Hub,
        check: "tools".into(),
        event: Event::Escalated(Status::Crit),
        status: Status::Crit,
        message: "<!channel> & friends\nsecond line".into(),
    });
    let text = slack_text(&note(&ev));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "mcpmon: 2 firing, 1 resolved — api connect, hub tools; docs latency resolved (CRITICAL on web-1)"
    );
    assert_eq!(
        lines[1],
        "🔴 FIRING api connect: connection refused by 127.0.0.1:9 (nothing listening?)"
    );
    assert_eq!(lines[2], "✅ RESOLVED docs latency: p95 120 ms");
    assert_eq!(
        lines[3],
        "🔴 ESCALATED to CRIT hub tools: &lt;!channel&gt; &amp; friends second line"
    );
    assert_eq!(lines.len(), 4);

    let many: Vec<AlertEvent> = (0..25)
        .map(|i| AlertEvent {
            target: format!("t{i}"),
            ..events()[0].clone()
        })
        .collect();
    let text = slack_text(&note(&many));
    assert_eq!(text.lines().count(), 1 + 20 + 1);
    assert!(text.ends_with("… and 5 more"), "{text}");
    assert!(slack_text(&note(&[])).contains("no alert changes"));
}

#[test]
fn ping_url_appends_the_code_as_a_segment_and_keeps_the_query() {
    let u = |s: &str| Url::parse(s).unwrap();
    assert_eq!(
        ping_url(&u("https://hc.example/ping/abc?rid=7#frag"), 2)
            .unwrap()
            .as_str(),
        "https://hc.example/ping/abc/2?rid=7"
    );
    assert_eq!(
        ping_url(&u("https://hc.example/ping/abc/"), 0)
            .unwrap()
            .as_str(),
        "https://hc.example/ping/abc/0"
    );
    assert_eq!(
        ping_url(&u("https://hc.example"), 3).unwrap().as_str(),
        "https://hc.example/3"
    );
}

// ---- HTTP deliveries ----

#[tokio::test(flavor = "current_thread")]
async fn webhook_posts_the_exact_payload() {
    let (base, rx) = receiver(vec![(200, "thanks")]);
    let ch = Channel::parse(&format!("webhook:{base}/hooks/abc?k=v")).unwrap();
    let ev = events();
    let n = note(&ev);
    let d = deliver(&ch, &n, &client(), DEADLINE).await.unwrap();
    assert_eq!(
        d,
        Delivered {
            attempts: 1,
            detail: "HTTP 200".into()
        }
    );
    let seen = next(&rx);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/hooks/abc?k=v");
    assert_eq!(seen.content_type.as_deref(), Some("application/json"));
    let body: Value = serde_json::from_slice(&seen.body).unwrap();
    assert_eq!(body, payload(&n));
    assert_eq!(body["host"], "web-1");
    assert_eq!(body["status"], "crit");
    assert_eq!(body["exit_code"], 2);
    assert_eq!(body["events"][0]["target"], "api");
    assert_eq!(body["events"][1]["event"], "resolved");
}

#[tokio::test(flavor = "current_thread")]
async fn a_500_is_retried_once() {
    let (base, rx) = receiver(vec![(500, "boom"), (200, "")]);
    let ch = Channel::parse(&format!("{base}/h")).unwrap();
    let ev = events();
    let d = deliver(&ch, &note(&ev), &client(), DEADLINE).await.unwrap();
    assert_eq!(d.attempts, 2);
    assert_eq!(d.detail, "HTTP 200");
    let (a, b) = (next(&rx), next(&rx));
    assert_eq!(a.body, b.body, "the retry sends the same payload");
}

#[tokio::test(flavor = "current_thread")]
async fn a_429_is_retried_once() {
    let (base, rx) = receiver(vec![(429, "slow down"), (204, "")]);
    let ch = Channel::parse(&format!("webhook:{base}/h")).unwrap();
    let ev = events();
    let d = deliver(&ch, &note(&ev), &client(), DEADLINE).await.unwrap();
    assert_eq!(d.attempts, 2);
    assert_eq!(d.detail, "HTTP 204");
    next(&rx);
    next(&rx);
}

#[tokio::test(flavor = "current_thread")]
async fn two_5xx_fail_after_two_attempts() {
    let (base, rx) = receiver(vec![(503, "maintenance"), (502, "bad gateway")]);
    let ch = Channel::parse(&format!("webhook:{base}/h")).unwrap();
    let ev = events();
    let e = deliver(&ch, &note(&ev), &client(), DEADLINE)
        .await
        .unwrap_err();
    assert!(e.starts_with("HTTP 502 Bad Gateway: bad gateway"), "{e}");
    assert!(e.contains("2 attempts"), "{e}");
    assert!(e.contains("HTTP 503"), "{e}");
    next(&rx);
    next(&rx);
}

#[tokio::test(flavor = "current_thread")]
async fn a_400_is_not_retried() {
    // A wrong retry would meet the 200 and succeed.
    let (base, rx) = receiver(vec![(400, "invalid_payload"), (200, "ok")]);
    let ch = Channel::parse(&format!("slack:{base}/services/T1/B1/X1")).unwrap();
    let ev = events();
    let e = deliver(&ch, &note(&ev), &client(), DEADLINE)
        .await
        .unwrap_err();
    assert_eq!(e, "HTTP 400 Bad Request: invalid_payload (not retried)");
    next(&rx);
    assert!(rx.try_recv().is_err(), "only one request was made");
}

#[tokio::test(flavor = "current_thread")]
async fn connection_refused_is_an_error_within_the_deadline() {
    let port = closed_port();
    let ch = Channel::parse(&format!(
        "webhook:http://127.0.0.1:{port}/T000/XXXX?token=s3cret"
    ))
    .unwrap();
    let ev = events();
    let e = deliver(&ch, &note(&ev), &client(), DEADLINE)
        .await
        .unwrap_err();
    assert!(e.starts_with("connection refused by 127.0.0.1:"), "{e}");
    assert!(
        e.contains("2 attempts"),
        "a transport error is retried once: {e}"
    );
    for secret in ["T000", "XXXX", "s3cret", "token"] {
        assert!(!e.contains(secret), "{e}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_silent_server_times_out_at_the_deadline() {
    // Accepted by the kernel, never answered.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let ch = Channel::parse(&format!("webhook:http://{addr}/h")).unwrap();
    let ev = events();
    let e = deliver(&ch, &note(&ev), &client(), Duration::from_millis(300))
        .await
        .unwrap_err();
    assert_eq!(e, "no answer within the 300 ms deadline");
    drop(listener);
}

#[tokio::test(flavor = "current_thread")]
async fn errors_never_show_the_url_even_when_the_server_echoes_it() {
    let (base, rx) = receiver(vec![(
        404,
        "no_service for /services/T000/B000/XXXXXXXX?token=s3cret (s3cret)",
    )]);
    let ch = Channel::parse(&format!(
        "slack:{base}/services/T000/B000/XXXXXXXX?token=s3cret"
    ))
    .unwrap();
    let ev = events();
    let e = deliver(&ch, &note(&ev), &client(), DEADLINE)
        .await
        .unwrap_err();
    assert!(e.starts_with("HTTP 404 Not Found: no_service for"), "{e}");
    for secret in ["T000", "B000", "XXXX", "s3cret", "token"] {
        assert!(!e.contains(secret), "{e}");
    }
    next(&rx);
}

#[tokio::test(flavor = "current_thread")]
async fn slack_gets_a_text_with_the_host_and_event_lines() {
    let (base, rx) = receiver(vec![(200, "ok")]);
    let ch = Channel::parse(&format!("slack:{base}/services/T1/B1/X1")).unwrap();
    let ev = events();
    let d = deliver(&ch, &note(&ev), &client(), DEADLINE).await.unwrap();
    assert_eq!(d.attempts, 1);
    let seen = next(&rx);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/services/T1/B1/X1");
    assert_eq!(seen.content_type.as_deref(), Some("application/json"));
    let body: Value = serde_json::from_slice(&seen.body).unwrap();
    assert_eq!(body.as_object().unwrap().len(), 1, "only text: {body}");
    let text = body["text"].as_str().unwrap();
    assert!(
        text.starts_with(
            "mcpmon: 1 firing, 1 resolved — api connect; docs latency resolved (CRITICAL on web-1)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("\n🔴 FIRING api connect: connection refused"),
        "{text}"
    );
    assert!(
        text.contains("\n✅ RESOLVED docs latency: p95 120 ms"),
        "{text}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn ping_gets_the_exit_code_appended_and_keeps_the_query() {
    let (base, rx) = receiver(vec![(200, "OK")]);
    let ch = Channel::parse(&format!("ping:{base}/ping/abc-123?rid=9")).unwrap();
    let ev = events();
    let d = deliver(&ch, &note(&ev), &client(), DEADLINE).await.unwrap();
    assert_eq!(d.detail, "HTTP 200");
    let seen = next(&rx);
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.path, "/ping/abc-123/2?rid=9");
    assert!(seen.body.is_empty());
}

// ---- command hooks ----

fn sh(script: &str, args: &[&str]) -> Channel {
    let mut argv = vec!["sh".to_string(), "-c".into(), script.into(), "sh".into()];
    argv.extend(args.iter().map(|a| a.to_string()));
    Channel::Command(argv)
}

#[tokio::test(flavor = "current_thread")]
async fn command_gets_the_payload_on_stdin_and_the_status_in_its_env() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.json");
    let env = dir.path().join("env.txt");
    let ch = sh(
        r#"cat > "$1"; printf '%s %s' "$MCPMON_STATUS" "$MCPMON_EXIT_CODE" > "$2""#,
        &[input.to_str().unwrap(), env.to_str().unwrap()],
    );
    let ev = events();
    let n = note(&ev);
    let d = deliver(&ch, &n, &client(), DEADLINE).await.unwrap();
    assert_eq!(
        d,
        Delivered {
            attempts: 1,
            detail: "exit 0".into()
        }
    );
    let got: Value = serde_json::from_slice(&std::fs::read(&input).unwrap()).unwrap();
    assert_eq!(got, payload(&n));
    assert_eq!(std::fs::read_to_string(&env).unwrap(), "crit 2");
}

#[tokio::test(flavor = "current_thread")]
async fn a_command_that_ignores_stdin_still_delivers() {
    let ch = sh("exit 0", &[]);
    let ev = events();
    let d = deliver(&ch, &note(&ev), &client(), DEADLINE).await.unwrap();
    assert_eq!(d.detail, "exit 0");
}

#[tokio::test(flavor = "current_thread")]
async fn a_failing_command_names_its_exit_code_and_last_stderr_line() {
    let ch = sh(
        "cat > /dev/null; echo 'first line' >&2; echo 'pager said no' >&2; echo >&2; exit 3",
        &[],
    );
    let ev = events();
    let e = deliver(&ch, &note(&ev), &client(), DEADLINE)
        .await
        .unwrap_err();
    assert_eq!(e, "exit 3: pager said no");
}

#[tokio::test(flavor = "current_thread")]
async fn the_stderr_line_is_cut_to_200_characters() {
    let ch = sh("printf '%0500d\\n' 0 >&2; exit 1", &[]);
    let ev = events();
    let e = deliver(&ch, &note(&ev), &client(), DEADLINE)
        .await
        .unwrap_err();
    let line = e.strip_prefix("exit 1: ").unwrap();
    assert_eq!(line.chars().count(), 201, "{e}");
    assert!(line.ends_with('…'));
}

#[tokio::test(flavor = "current_thread")]
async fn a_command_that_never_exits_is_killed_and_reaped_at_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let ch = sh(
        r#"echo $$ > "$1"; echo 'still working' >&2; exec sleep 1000"#,
        &[pidfile.to_str().unwrap()],
    );
    let ev = events();
    let e = deliver(&ch, &note(&ev), &client(), Duration::from_millis(1500))
        .await
        .unwrap_err();
    assert_eq!(
        e,
        "did not finish within the 1.5 s deadline; killed and reaped: still working"
    );
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // Reaped: not even a zombie is left to signal.
    assert_eq!(
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None),
        Err(nix::errno::Errno::ESRCH)
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_missing_program_is_an_error() {
    let ch = Channel::parse("command:/nonexistent/mcpmon-hook --token s3cret").unwrap();
    let ev = events();
    let e = deliver(&ch, &note(&ev), &client(), DEADLINE)
        .await
        .unwrap_err();
    assert_eq!(e, "cannot start `/nonexistent/mcpmon-hook`: not found");
}

// ---- the other channels, each to a loopback receiver ----

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

const ROUTING_KEY: &str = "R0UT1NGKEY0000000000000000000000";

#[tokio::test(flavor = "current_thread")]
async fn pagerduty_gets_one_event_per_alert_with_a_stable_dedup_key_and_the_routing_key() {
    let (base, rx) = receiver(vec![(202, r#"{"status":"success"}"#), (202, "{}")]);
    let ch = Channel::parse(&format!("pagerduty:{ROUTING_KEY}@{base}/v2/enqueue")).unwrap();
    assert_eq!(ch.kind(), "pagerduty");
    let ev = events();
    let m = Message::new(&ch, &note(&ev));
    assert!(
        !m.body.to_string().contains(ROUTING_KEY),
        "the outbox never holds the key"
    );
    let d = send(&ch, &m, &client(), DEADLINE).await.unwrap();
    assert_eq!(d.detail, "HTTP 202");
    let trigger = next(&rx);
    assert_eq!(
        (trigger.method.as_str(), trigger.path.as_str()),
        ("POST", "/v2/enqueue")
    );
    let t = trigger.json();
    assert_eq!(t["routing_key"], ROUTING_KEY);
    assert_eq!(t["event_action"], "trigger");
    assert_eq!(t["dedup_key"], "mcpmon/web-1/api/mcp/connect");
    assert_eq!(t["payload"]["severity"], "critical");
    assert_eq!(t["payload"]["source"], "web-1");
    assert_eq!(t["payload"]["component"], "api");
    assert!(
        t["payload"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("api connect: connection refused")
    );
    let r = next(&rx).json();
    assert_eq!(
        r,
        json!({"event_action": "resolve", "dedup_key": "mcpmon/web-1/docs/http/latency", "routing_key": ROUTING_KEY})
    );
    // the same alert resolves under the key it triggered with, run after run
    let again = formats::pagerduty_events(&note(&ev));
    assert_eq!(again[0]["dedup_key"], t["dedup_key"]);
}

#[tokio::test(flavor = "current_thread")]
async fn pagerduty_errors_and_descriptions_never_show_the_routing_key() {
    let (base, rx) = receiver(vec![(400, ROUTING_KEY), (400, ROUTING_KEY)]);
    let ch = Channel::parse(&format!("pagerduty:{ROUTING_KEY}@{base}/v2/enqueue")).unwrap();
    let ev = events();
    let e = deliver(&ch, &note(&ev), &client(), DEADLINE)
        .await
        .unwrap_err();
    next(&rx);
    assert!(e.contains("HTTP 400"), "{e}");
    assert!(!e.contains(ROUTING_KEY), "{e}");
    assert!(!format!("{ch} {ch:?}").contains(ROUTING_KEY));
    assert!(ch.secrets().contains(&ROUTING_KEY.to_string()));
    let bad = Channel::parse("pagerduty:").unwrap_err();
    assert!(bad.contains("routing"), "{bad}");
    let bad = Channel::parse("pagerduty:not a key!SECRET").unwrap_err();
    assert!(!bad.contains("SECRET"), "{bad}");
    let default = Channel::parse(&format!("pagerduty:{ROUTING_KEY}")).unwrap();
    assert_eq!(
        default.describe(),
        "pagerduty (https://events.pagerduty.com/…)"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn teams_gets_an_adaptive_card_with_the_summary_and_event_lines() {
    let (base, rx) = receiver(vec![(202, "1")]);
    let ch = Channel::parse(&format!("teams:{base}/workflows/abc/triggers/SIG")).unwrap();
    let ev = events();
    deliver(&ch, &note(&ev), &client(), DEADLINE).await.unwrap();
    let seen = next(&rx);
    assert_eq!(seen.path, "/workflows/abc/triggers/SIG");
    let v = seen.json();
    assert_eq!(v["type"], "message");
    let card = &v["attachments"][0];
    assert_eq!(
        card["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(card["content"]["type"], "AdaptiveCard");
    let texts: Vec<&str> = card["content"]["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "mcpmon: 1 firing, 1 resolved — api connect; docs latency resolved",
            "FIRING CRIT api connect: connection refused by 127.0.0.1:9 (nothing listening?)",
            "RESOLVED OK docs latency: p95 120 ms",
        ]
    );
}

#[tokio::test(flavor = "current_thread")]
async fn discord_gets_content_without_mentions_and_at_most_2000_characters() {
    let (base, rx) = receiver(vec![(204, ""), (204, "")]);
    let ch = Channel::parse(&format!("discord:{base}/api/webhooks/1/TOKEN")).unwrap();
    let ev = events();
    deliver(&ch, &note(&ev), &client(), DEADLINE).await.unwrap();
    let v = next(&rx).json();
    assert_eq!(v["allowed_mentions"], json!({"parse": []}));
    let content = v["content"].as_str().unwrap();
    assert!(
        content.starts_with("mcpmon: 1 firing, 1 resolved — api connect; docs latency resolved\nFIRING CRIT api connect"),
        "{content}"
    );
    let many: Vec<AlertEvent> = (0..40)
        .map(|i| AlertEvent {
            target: format!("t{i}"),
            message: "@everyone ".repeat(40),
            ..events()[0].clone()
        })
        .collect();
    deliver(&ch, &note(&many), &client(), DEADLINE)
        .await
        .unwrap();
    let v = next(&rx).json();
    assert!(v["content"].as_str().unwrap().chars().count() <= 2000);
}

#[tokio::test(flavor = "current_thread")]
async fn ntfy_gets_the_event_lines_as_text_and_title_priority_tags_as_headers() {
    let (base, rx) = receiver(vec![(200, "{}")]);
    let ch = Channel::parse(&format!("ntfy:{base}/mcpmon-alerts")).unwrap();
    let ev = events();
    deliver(&ch, &note(&ev), &client(), DEADLINE).await.unwrap();
    let seen = next(&rx);
    assert_eq!(
        (seen.method.as_str(), seen.path.as_str()),
        ("POST", "/mcpmon-alerts")
    );
    assert_eq!(
        seen.header("title"),
        Some("mcpmon: 1 firing, 1 resolved - api connect; docs latency resolved")
    );
    assert_eq!(seen.header("priority"), Some("5"));
    assert_eq!(seen.header("tags"), Some("rotating_light"));
    assert!(
        seen.content_type
            .as_deref()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = String::from_utf8(seen.body).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.starts_with("FIRING CRIT api connect: connection refused"));
}

#[tokio::test(flavor = "current_thread")]
async fn a_webhook_template_is_filled_with_json_escaped_values() {
    let (base, rx) = receiver(vec![(200, "ok")]);
    let ch = Channel::parse(&format!("webhook:{base}/hook"))
        .unwrap()
        .with_template(r#"{"text": "{{summary}}", "who": "{{ server }}", "what": "{{check}}", "level": "{{status}}", "on": "{{host}}"}"#)
        .unwrap();
    let mut ev = events();
    ev[0].target = "evil\", \"injected\": \"1".into();
    deliver(&ch, &note(&ev), &client(), DEADLINE).await.unwrap();
    let seen = next(&rx);
    assert_eq!(seen.content_type.as_deref(), Some("application/json"));
    let v = seen.json();
    assert_eq!(v.as_object().unwrap().len(), 5, "nothing injected: {v}");
    assert_eq!(v["who"], "evil\", \"injected\": \"1, docs");
    assert_eq!(v["what"], "connect, latency");
    assert_eq!(v["level"], "crit");
    assert_eq!(v["on"], "web-1");
    assert!(
        v["text"]
            .as_str()
            .unwrap()
            .starts_with("mcpmon: 1 firing, 1 resolved")
    );
}

#[test]
fn a_bad_template_is_refused_with_the_reason() {
    let hook = || Channel::parse("webhook:http://127.0.0.1:9/h").unwrap();
    let e = hook().with_template(r#"{"t": "{{sumary}}"}"#).unwrap_err();
    assert!(
        e.contains("unknown placeholder `{{sumary}}` (did you mean `{{summary}}`?)"),
        "{e}"
    );
    let e = hook().with_template(r#"{"t": {{summary}}}"#).unwrap_err();
    assert!(e.contains("not JSON once filled in"), "{e}");
    let e = Channel::parse("slack:http://127.0.0.1:9/h")
        .unwrap()
        .with_template("{}")
        .unwrap_err();
    assert!(e.contains("only a webhook"), "{e}");
}

#[test]
fn the_summary_line_groups_every_change_of_the_run() {
    let ev = vec![
        AlertEvent {
            target: "gw".into(),
            check: "connect".into(),
            ..events()[0].clone()
        },
        AlertEvent {
            target: "app".into(),
            probe: Kind::Log,
            check: "log_unauthorized".into(),
            event: Event::Firing(Status::Warn),
            status: Status::Warn,
            message: "3 unauthorized".into(),
        },
        AlertEvent {
            target: "db".into(),
            ..events()[1].clone()
        },
    ];
    assert_eq!(
        formats::summary_line(&note(&ev)),
        "mcpmon: 2 firing, 1 resolved — gw connect, app log_unauthorized; db latency resolved"
    );
    assert_eq!(
        formats::summary_line(&note(&[])),
        "mcpmon: CRITICAL on web-1"
    );
    let many: Vec<AlertEvent> = (0..9)
        .map(|i| AlertEvent {
            target: format!("t{i}"),
            ..events()[0].clone()
        })
        .collect();
    let line = formats::summary_line(&note(&many));
    assert!(line.starts_with("mcpmon: 9 firing — t0 connect,"), "{line}");
    assert!(line.ends_with("t5 connect, +3 more"), "{line}");
}
