//! Plain TCP targets (`tcp://host:port`: connect, `send`/`expect`, `tls`) and certificate files
//! (`cert_file`), against real listeners on 127.0.0.1: small ones started here, and the HTTPS stub with
//! certificates openssl makes for the test, valid a few days.

use crate::common::*;

use serde_json::json;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

/// A listener on 127.0.0.1 whose every connection is handled by `serve` on its own thread (the
/// threads end with the test process).
fn listen(serve: fn(TcpStream)) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            std::thread::spawn(move || serve(s));
        }
    });
    port
}

/// A Redis-like peer: a greeting, then `+PONG` to `PING`.
fn redis_like(mut s: TcpStream) {
    let _ = s.write_all(b"+OK ready\r\n");
    let mut buf = [0u8; 64];
    if let Ok(n) = s.read(&mut buf) {
        if buf[..n].starts_with(b"PING") {
            let _ = s.write_all(b"+PONG\r\n");
        }
    }
}

/// Accepts and closes at once.
fn closes(s: TcpStream) {
    drop(s);
}

/// Accepts and never sends a byte (until the client leaves).
fn silent(mut s: TcpStream) {
    let mut buf = [0u8; 64];
    while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
}

#[test]
fn a_port_that_answers_passes_and_a_closed_one_is_crit() {
    let home = tempdir();
    let port = listen(redis_like);
    let cfg = config_with(
        home.path(),
        json!({
            "cache": {"url": format!("tcp://127.0.0.1:{port}"), "send": "PING\r\n", "expect": "+PONG"},
            "banner": {"url": format!("tcp://127.0.0.1:{port}"), "expect": "+OK"},
            "db": {"url": format!("tcp://127.0.0.1:{}", closed_port())}
        }),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "cache", "-t", "banner"]);
    assert_eq!(code, 0, "{doc:#}");
    let tcp = finding(&doc, "cache", "tcp");
    assert_eq!(tcp["status"], "ok");
    assert_eq!(tcp["unit"], "ms");
    assert!(tcp["value"].as_f64().unwrap() >= 0.0, "{tcp}");
    assert!(
        tcp["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("connected to 127.0.0.1:{port} in"))
    );
    assert_eq!(finding(&doc, "cache", "expect")["status"], "ok");
    assert_eq!(finding(&doc, "banner", "expect")["status"], "ok");
    let o = doc["observations"].as_array().unwrap();
    assert_eq!(o[0]["kind"], "tcp");
    assert_eq!(o[0]["matched"], true);
    assert_eq!(o[0]["tls"], false);
    assert!(o[0]["connect_ms"].is_number());

    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "db"]);
    assert_eq!(code, 2, "{doc:#}");
    let f = finding(&doc, "db", "tcp");
    assert_eq!(f["status"], "crit");
    assert_eq!(f["reason"], "connect_refused");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("connection refused"),
        "{f}"
    );
}

#[test]
fn ad_hoc_tcp_url_with_send_and_expect_flags() {
    let home = tempdir();
    let port = listen(redis_like);
    let url = format!("tcp://127.0.0.1:{port}");
    let (code, doc) = health_json(
        home.path(),
        &[&url, "--tcp-send", "PING\\r\\n", "--tcp-expect", "PONG"],
    );
    assert_eq!(code, 0, "{doc:#}");
    let t = format!("tcp 127.0.0.1:{port}");
    assert_eq!(finding(&doc, &t, "expect")["status"], "ok");
    // the table names the probe and what was seen
    let (code, out, _) = run(home.path(), &["health", &url, "--tcp-expect", "+OK"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("│ tcp"), "{out}");
    assert!(out.contains("got \"+OK\""), "{out}");
    // the flags without a tcp:// URL are a usage error, not a silent no-op
    let (code, _, err) = run(
        home.path(),
        &["health", "--tcp-expect", "x", "--log", "x.log"],
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("apply to tcp://host:port URLs"), "{err}");
}

#[test]
fn a_peer_that_closes_at_once_or_never_answers_is_crit_with_its_reason() {
    let home = tempdir();
    let cfg = config_with(
        home.path(),
        json!({
            "closes": {"url": format!("tcp://127.0.0.1:{}", listen(closes)), "expect": "220 "},
            "silent": {"url": format!("tcp://127.0.0.1:{}", listen(silent)), "expect": "220 ", "timeout": "1s"},
            "wrong": {"url": format!("tcp://127.0.0.1:{}", listen(redis_like)), "expect": "220 "}
        }),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "closes"]);
    assert_eq!(code, 2, "{doc:#}");
    let f = finding(&doc, "closes", "expect");
    assert_eq!(f["status"], "crit");
    assert_eq!(f["reason"], "assertion_failed");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("closed the connection after 0 bytes without sending \"220 \""),
        "{f}"
    );
    // connected fine: the connect itself is OK
    assert_eq!(finding(&doc, "closes", "tcp")["status"], "ok");

    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "silent"]);
    assert_eq!(code, 2, "{doc:#}");
    let f = finding(&doc, "silent", "tcp");
    assert_eq!(f["reason"], "timeout");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("no answer containing \"220 \" before the deadline (0 bytes read)"),
        "{f}"
    );

    // a peer that says something else: what it said is shown
    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "wrong", "--timeout", "1s"]);
    assert_eq!(code, 2, "{doc:#}");
    let f = finding(&doc, "wrong", "tcp");
    assert_eq!(f["reason"], "timeout");
    assert!(
        f["message"].as_str().unwrap().contains("got \"+OK ready\""),
        "{f}"
    );
}

/// The HTTPS stub with a certificate valid `days` days, and its CA.
fn https_stub(dir: &std::path::Path, days: u32) -> (HttpStub, std::path::PathBuf) {
    let (ca, cert, key) = ca_and_leaf(dir, days);
    let s = HttpStub::start_with_env(
        "tls-json",
        &[
            ("STUB_CERT", cert.to_str().unwrap()),
            ("STUB_KEY", key.to_str().unwrap()),
        ],
    );
    (s, ca)
}

#[test]
fn a_tls_port_reports_its_certificate_and_a_short_lived_one_is_crit() {
    let home = tempdir();
    let (s, ca) = https_stub(home.path(), 3);
    let url = format!("tcp://127.0.0.1:{}", s.port);
    let cfg = config_with(
        home.path(),
        json!({
            "web": {"url": url, "tls": true, "ca_file": ca,
                    "send": "GET /api/mcp/health HTTP/1.0\r\n\r\n", "expect": " 200 OK"},
            "untrusted": {"url": url, "tls": true},
            "plain": {"url": url, "send": "GET / HTTP/1.0\r\n\r\n", "expect": "HTTP/1."}
        }),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "web"]);
    assert_eq!(
        code, 2,
        "3 days left is below the 7-day critical bound: {doc:#}"
    );
    let f = finding(&doc, "web", "tls_expiry");
    assert_eq!(f["status"], "crit");
    assert_eq!(f["reason"], "threshold");
    let days = f["value"].as_f64().unwrap();
    assert!((2.0..=3.1).contains(&days), "{f}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("the certificate expires in"),
        "{f}"
    );
    assert_eq!(finding(&doc, "web", "expect")["status"], "ok");
    assert_eq!(finding(&doc, "web", "tcp")["status"], "ok");
    let o = only_obs(&doc);
    assert_eq!(o["tls"], true);
    assert!(
        o["tls_version"].as_str().unwrap().starts_with("TLSv1."),
        "{o}"
    );
    assert!(o["tls_not_after"].is_string());

    // without its CA the certificate is not trusted
    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "untrusted"]);
    assert_eq!(code, 2);
    assert_eq!(
        finding(&doc, "untrusted", "tcp")["reason"],
        "tls_error",
        "{doc:#}"
    );

    // plain text to a TLS port: no HTTP answer (the TLS server resets or closes the connection)
    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "plain", "--timeout", "2s"]);
    assert_eq!(code, 2, "{doc:#}");
    let bad: Vec<&serde_json::Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "crit")
        .collect();
    assert!(
        bad.iter()
            .any(|f| f["check"] == "expect" || f["reason"] == "server_disconnected"),
        "{doc:#}"
    );
}

#[test]
fn a_tls_port_twenty_days_from_expiry_warns() {
    let home = tempdir();
    let (s, ca) = https_stub(home.path(), 20);
    let cfg = config_with(
        home.path(),
        json!({"web": {"url": format!("tcp://127.0.0.1:{}", s.port), "tls": true, "ca_file": ca}}),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(finding(&doc, "web", "tls_expiry")["status"], "warn");
    // the bounds are the target's `thresholds.tls_days_left`
    let cfg = config_with(
        home.path(),
        json!({"web": {"url": format!("tcp://127.0.0.1:{}", s.port), "tls": true, "ca_file": ca,
                       "thresholds": {"tls_days_left": {"warn": 14}}}}),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(finding(&doc, "web", "tls_expiry")["status"], "ok");
}

/// A self-signed certificate valid from 2020-01-01 to 2020-02-01 (made with `openssl ca -selfsign
/// -startdate 20200101000000Z -enddate 20200201000000Z`): expired, whenever the test runs.
const EXPIRED_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBJDCBygIBATAKBggqhkjOPQQDAjAeMRwwGgYDVQQDDBNleHBpcmVkLm1jcG1v
bi50ZXN0MB4XDTIwMDEwMTAwMDAwMFoXDTIwMDIwMTAwMDAwMFowHjEcMBoGA1UE
AwwTZXhwaXJlZC5tY3Btb24udGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IA
BMetDqTczlAaXygg/9EdFZYsUSpWnXkEXSZrnuBk8h8yd/vhtu4+43mNySrOZuvY
dAP8/S8DvmX+kNmRQfDTqVAwCgYIKoZIzj0EAwIDSQAwRgIhAMWz19ihEYxKF7iu
/cF9Mzkza/a2W2AhxvT+tt8usFIqAiEAh8uvFWV6fRNHZHyoiQagdDHP6OAU0O6K
CgnVR3RiFVY=
-----END CERTIFICATE-----
";

#[test]
fn certificate_files_near_expiry_expired_or_not_certificates() {
    let home = tempdir();
    let d = home.path();
    let (ca, cert, _) = ca_and_leaf(d, 20);
    std::fs::write(d.join("expired.pem"), EXPIRED_PEM).unwrap();
    std::fs::write(d.join("notes.txt"), "not a certificate\n").unwrap();
    let cfg = config_with(
        d,
        json!({
            "ca": {"cert_file": ca},
            "leaf": {"cert_file": cert},
            "expired": {"cert_file": "expired.pem"},
            "junk": {"cert_file": "notes.txt"},
            "gone": {"cert_file": "missing.pem"}
        }),
    );
    let (code, doc) = health_json(d, &["-c", &cfg]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(
        finding(&doc, "ca", "tls_expiry")["status"],
        "ok",
        "50 days left"
    );
    let leaf = finding(&doc, "leaf", "tls_expiry");
    assert_eq!(leaf["status"], "warn", "20 days left: {leaf}");
    let expired = finding(&doc, "expired", "tls_expiry");
    assert_eq!(expired["status"], "crit");
    assert!(
        expired["message"].as_str().unwrap().contains("expired")
            && expired["message"].as_str().unwrap().contains("2020-02-01"),
        "{expired}"
    );
    assert!(expired["value"].as_f64().unwrap() < -300.0, "{expired}");
    let junk = finding(&doc, "junk", "cert");
    assert_eq!(junk["status"], "crit");
    assert_eq!(junk["reason"], "file_unreadable");
    assert!(
        junk["message"]
            .as_str()
            .unwrap()
            .contains("not a PEM certificate"),
        "{junk}"
    );
    assert_eq!(finding(&doc, "gone", "cert")["reason"], "file_missing");
    let obs = doc["observations"].as_array().unwrap();
    let expired_obs = obs.iter().find(|o| o["target"] == "expired").unwrap();
    assert_eq!(expired_obs["kind"], "cert");
    assert_eq!(expired_obs["tls_not_after"], "2020-02-01T00:00:00Z");

    // ad hoc, with the exit code a cron job sees
    let (code, out, _) = run(d, &["health", "--cert-file", "expired.pem", "-f", "nagios"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.starts_with("MCPMON CRITICAL"), "{out}");
}

#[test]
fn tcp_keys_outside_a_tcp_target_are_config_errors() {
    let home = tempdir();
    let cfg = config_with(
        home.path(),
        json!({"x": {"url": "http://127.0.0.1:1/mcp", "expect": "PONG"}}),
    );
    let (code, _, err) = run(home.path(), &["health", "-c", &cfg]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("targets.x.expect: is for a tcp:// url"),
        "{err}"
    );
    let cfg = config_with(home.path(), json!({"x": {"url": "tcp://127.0.0.1"}}));
    let (code, _, err) = run(home.path(), &["health", "-c", &cfg]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("has no port"), "{err}");
}

#[test]
fn https_mcp_servers_and_hubs_report_their_certificate() {
    let home = tempdir();
    let (ca, cert, key) = ca_and_leaf(home.path(), 20);
    let tls = [
        ("STUB_CERT", cert.to_str().unwrap()),
        ("STUB_KEY", key.to_str().unwrap()),
    ];
    let mcp = HttpStub::start_with_env("legacy-ok", &tls);
    let hub = HttpStub::start_with_env("health-json", &tls);
    let cfg = config_with(
        home.path(),
        json!({
            "srv": {"url": format!("https://127.0.0.1:{}/mcp", mcp.port), "ca_file": ca},
            "hub": {"hub": format!("https://127.0.0.1:{}", hub.port), "ca_file": ca},
            "untrusted": {"url": format!("https://127.0.0.1:{}/mcp", mcp.port)}
        }),
    );
    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "srv"]);
    assert_eq!(code, 1, "20 days left warns: {doc:#}");
    assert_eq!(finding(&doc, "srv", "connect")["status"], "ok");
    let f = finding(&doc, "srv", "tls_expiry");
    assert_eq!(f["status"], "warn");
    assert_eq!(f["probe"], "mcp");
    assert!(only_obs(&doc)["tls_days_left"].as_f64().unwrap() > 19.0);

    let (_, doc) = health_json(home.path(), &["-c", &cfg, "-t", "hub"]);
    let f = finding(&doc, "hub", "tls_expiry");
    assert_eq!(f["status"], "warn", "{doc:#}");
    assert_eq!(f["probe"], "hub");
    assert!(only_obs(&doc)["tls_not_after"].is_string());

    // the same server without its CA: not trusted, and no certificate days are made up
    let (code, doc) = health_json(home.path(), &["-c", &cfg, "-t", "untrusted"]);
    assert_eq!(code, 2);
    assert_eq!(only_obs(&doc)["failure"]["reason"], "tls_error", "{doc:#}");
    assert!(only_obs(&doc)["tls_days_left"].is_null());
}

/// Echoes what it was sent in an error line (a server that quotes the bad password back).
fn echoes(mut s: TcpStream) {
    let mut buf = [0u8; 256];
    if let Ok(n) = s.read(&mut buf) {
        let mut reply = b"-ERR invalid password: ".to_vec();
        reply.extend_from_slice(&buf[..n]);
        let _ = s.write_all(&reply);
    }
}

#[test]
fn a_secret_in_send_never_reaches_the_output_even_when_the_peer_echoes_it() {
    let home = tempdir();
    let port = listen(echoes);
    let cfg = config_with(
        home.path(),
        json!({"cache": {"url": format!("tcp://127.0.0.1:{port}"),
                         "send": "AUTH ${CACHE_PASSWORD}\r\n", "expect": "+OK"}}),
    );
    let secret = "s3cret-pw-8812";
    for format in ["json", "table", "nagios", "prometheus", "markdown"] {
        let out = mcpmon(home.path())
            .env("CACHE_PASSWORD", secret)
            .args(["health", "-c", &cfg, "-f", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if format != "prometheus" {
            assert!(all.contains("invalid password"), "{format}: {all}");
        }
        assert!(!all.contains(secret), "{format} leaks the secret: {all}");
    }
}
