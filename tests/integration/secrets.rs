//! Secrets a server echoes back (issue 18 item 3): whatever a server does with the header values,
//! query values, URL userinfo, env values and webhook URLs mcpmon holds, none of them reaches any
//! output — any format, stderr, history, the state files — and no control or bidi character a server
//! sent survives into the JSON output, where `jq -r` would hand it to a terminal.

use crate::common::*;
use base64::Engine as _;
use std::path::Path;

const TOKEN: &str = "tok-echo-1f2e3d4c5b6a";
const QUERY: &str = "qk-5512-secret";
const PASSWORD: &str = "pw-basic-7788";
const HOOK: &str = "T0KEN-hook-4455";
/// A token only another target uses (`--target` leaves that target out of the run).
const OTHER: &str = "tok-other-99aa88bb77cc";

/// Every form of every secret, and the prefixes a cut excerpt would leave.
fn forms() -> Vec<String> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("ann:{PASSWORD}"));
    vec![
        TOKEN.into(),
        TOKEN[..10].into(),
        QUERY.into(),
        PASSWORD.into(),
        basic,
        HOOK.into(),
        OTHER.into(),
    ]
}

/// Every file under `dir` (history, alert state, marks), concatenated.
fn files_under(dir: &Path) -> String {
    let mut all = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                all.push_str(&String::from_utf8_lossy(&std::fs::read(&p).unwrap()));
            }
        }
    }
    all
}

fn assert_clean(what: &str, text: &str) {
    for f in forms() {
        assert!(!text.contains(&f), "{f:?} reached {what}:\n{text}");
    }
}

fn config(home: &Path, s: &HttpStub) -> std::path::PathBuf {
    let auth = serde_json::json!({"Authorization": "Bearer ${TOK}"});
    let basic_url = format!("http://ann:{PASSWORD}@127.0.0.1:{}/mcp", s.port);
    let cfg = home.join("mcpmon.json");
    std::fs::write(
        &cfg,
        serde_json::json!({"targets": {
            "mcp": {"url": s.url(&format!("/mcp?key={QUERY}")), "headers": auth},
            "basic": {"url": basic_url},
            "unauth": {"url": s.url("/401"), "headers": auth},
            "err": {"url": s.url("/500"), "headers": auth},
            "hub": {"hub": {"url": s.url(""), "headers": auth}},
            "health": {"health_url": {"url": s.url("/health"), "headers": auth}},
            "other": {"url": s.url("/mcp"), "headers": {"X-Key": "${OTHER_TOK}"}},
        }})
        .to_string(),
    )
    .unwrap();
    cfg
}

#[test]
fn echoed_secrets_reach_no_format_no_stderr_no_history_no_state() {
    let home = tempdir();
    let s = HttpStub::start("echo-secrets");
    let cfg = config(home.path(), &s);
    let state = home.path().join("state");
    let mut json = None;
    for format in ["json", "table", "jsonl", "nagios", "prometheus", "markdown"] {
        let out = mcpmon(home.path())
            .env("TOK", TOKEN)
            .env("OTHER_TOK", OTHER)
            .args(["health", "--record", "--state-dir"])
            .arg(&state)
            .args(["--config", cfg.to_str().unwrap(), "-f", format])
            .args([
                "--target", "mcp", "--target", "basic", "--target", "unauth", "--target", "err",
                "--target", "hub", "--target", "health",
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_clean(&format!("{format} stdout"), &stdout);
        assert_clean(
            &format!("{format} stderr"),
            &String::from_utf8_lossy(&out.stderr),
        );
        if format == "json" {
            json = Some(stdout);
        }
    }
    assert_clean("the state dir", &files_under(&state));
    // the echoes did arrive, scrubbed (not simply missing)
    let doc: serde_json::Value = serde_json::from_str(&json.unwrap()).unwrap();
    let text = doc.to_string();
    for echoed in [
        "srv *** ***",
        "srv Basic ***",
        "refused *** ***",
        "auth failed: ***",
        "unhealthy: ***",
    ] {
        assert!(text.contains(echoed), "{echoed:?} not in {doc:#}");
    }
}

#[test]
fn a_webhook_echoing_its_url_in_an_error_reply_is_scrubbed() {
    let home = tempdir();
    let s = HttpStub::start("echo-secrets");
    let hook = format!("webhook:{}", s.url(&format!("/services/{HOOK}")));
    let down = format!("http://127.0.0.1:{}/mcp", closed_port());
    let (code, out, err) = run(
        home.path(),
        &[
            "alerts",
            "--state-dir",
            home.path().join("state").to_str().unwrap(),
            "--notify",
            &hook,
            &down,
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("notification to webhook"),
        "the failure is said: {err}"
    );
    assert_clean("stderr", &err);
    assert_clean("stdout", &out);
}

#[test]
fn json_output_carries_no_control_or_bidi_character_for_jq_to_print() {
    // the stdio stub's `evil` mode puts terminal escapes in serverInfo.name
    let home = tempdir();
    let m = marker("jq-evil");
    let args = with_stub(&["health", "-f", "json"], "evil", &m);
    let (_, out, _) = run(home.path(), &args);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut strings = Vec::new();
    collect_strings(&doc, &mut strings);
    assert!(
        strings.iter().any(|s| s.contains("evil")),
        "the name is kept: {doc:#}"
    );
    for s in strings {
        assert!(
            !s.chars().any(|c| (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
            "{s:?} would reach a terminal through `jq -r`"
        );
    }
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                out.push(k.clone());
                collect_strings(v, out);
            }
        }
        _ => {}
    }
}

#[test]
fn a_stdio_server_echoing_another_targets_secret_is_scrubbed() {
    // The token is only in target `api`'s headers; target `leaky` (not `api`) prints the API_KEY it
    // inherited on stderr, which mcpmon keeps as context: scrubbed although `api` is not even run.
    let home = tempdir();
    let m = marker("cross-secret");
    let cmd = stub_cmd("leak-env", &m);
    let cfg = home.path().join("mcpmon.json");
    std::fs::write(
        &cfg,
        serde_json::json!({"targets": {
            "api": {"url": format!("http://127.0.0.1:{}/mcp", closed_port()),
                    "headers": {"Authorization": "Bearer ${API_KEY}"}},
            "leaky": {"command": cmd[0], "args": &cmd[1..]},
        }})
        .to_string(),
    )
    .unwrap();
    let out = mcpmon(home.path())
        .env("API_KEY", OTHER)
        .args(["health", "-f", "json", "--target", "leaky"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_clean("stdout", &stdout);
    assert_clean("stderr", &String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("API_KEY=***"), "the line is kept: {stdout}");
}
