//! `alerts --notify alertmanager:URL` against a real Alertmanager (Debian's `prometheus-alertmanager`,
//! installed by `.ci/run`) on 127.0.0.1, whose webhook receiver is a loopback stub: an alert that fires
//! reaches the receiver as firing with mcpmon's labels, and reaches it again as resolved once the
//! server is back.

use crate::common::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long Alertmanager gets to pass an alert on (group_wait is 1 s).
const GUARD: Duration = Duration::from_secs(60);

pub struct Alertmanager {
    child: Child,
    pub port: u16,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts Alertmanager routing everything to `hook`; None (with a note) when it is not installed
/// outside CI. In CI it must be there.
pub fn alertmanager(dir: &Path, hook: &str) -> Option<Alertmanager> {
    let bin = "prometheus-alertmanager";
    if Command::new(bin).arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").is_err(),
            "{bin} is not installed (.ci/run installs it)"
        );
        eprintln!(
            "note: {bin} is not installed; skipping (apt-get install prometheus-alertmanager)"
        );
        return None;
    }
    let cfg = dir.join("alertmanager.yml");
    std::fs::write(
        &cfg,
        format!(
            "route:\n  receiver: hook\n  group_by: [alertname, server]\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: {hook}\n        send_resolved: true\n"
        ),
    )
    .unwrap();
    let port = closed_port();
    let child = Command::new(bin)
        .arg(format!("--config.file={}", cfg.display()))
        .arg(format!("--storage.path={}", dir.join("am-data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let am = Alertmanager { child, port };
    wait_for(|| {
        curl(&format!("http://127.0.0.1:{port}/-/ready")).is_some_and(|b| b.contains("OK"))
    });
    Some(am)
}

/// GET a URL with curl: the body on a 2xx, else None.
pub fn curl(url: &str) -> Option<String> {
    let out = Command::new("curl")
        .args(["-sf", "--max-time", "5", url])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Polls `cond` until it holds (a guard, not a timing assertion: Alertmanager works on its own clock).
pub fn wait_for(mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < GUARD,
            "condition not met within {GUARD:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The alerts Alertmanager posted to the receiver, as (status, labels) of each alert in each post.
pub fn received(bodies: &Path) -> Vec<(String, serde_json::Value)> {
    std::fs::read_to_string(bodies)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.splitn(3, ' ').nth(2))
        .filter_map(|b| serde_json::from_str::<serde_json::Value>(b).ok())
        .flat_map(|doc| doc["alerts"].as_array().cloned().unwrap_or_default())
        .map(|a| {
            (
                a["status"].as_str().unwrap_or("").to_string(),
                a["labels"].clone(),
            )
        })
        .collect()
}

#[test]
fn a_firing_alert_reaches_alertmanager_and_resolves_there() {
    let home = tempdir();
    let bodies = home.path().join("bodies");
    let hook = HttpStub::start_with_env("receiver", &[("STUB_BODIES", bodies.to_str().unwrap())]);
    let Some(am) = alertmanager(home.path(), &hook.url("/hook")) else {
        return;
    };
    let server = HttpStub::start("legacy-ok");
    let cfg = home.path().join("mcpmon.json");
    let set_url = |url: &str| {
        std::fs::write(
            &cfg,
            serde_json::json!({"targets": {"api": {"url": url}}}).to_string(),
        )
        .unwrap()
    };
    let state = home.path().join("state");
    let notify = format!("alertmanager:http://127.0.0.1:{}", am.port);
    let args = ["-c", cfg.to_str().unwrap(), "--notify", &notify];

    set_url(&format!("http://127.0.0.1:{}/mcp", closed_port()));
    let (code, doc, err) = alerts_json(home.path(), &state, &args);
    assert_eq!(code, 2, "{doc:#}");
    assert!(!err.contains("notification to"), "delivered: {err}");
    wait_for(|| received(&bodies).iter().any(|(s, _)| s == "firing"));
    let (_, labels) = received(&bodies)
        .into_iter()
        .find(|(s, _)| s == "firing")
        .unwrap();
    assert_eq!(labels["alertname"], "MCPMonCheck");
    assert_eq!(labels["server"], "api");
    assert_eq!(labels["check"], "connect");
    assert_eq!(labels["severity"], "critical");
    // Alertmanager holds it as active
    let active = curl(&format!(
        "http://127.0.0.1:{}/api/v2/alerts?active=true",
        am.port
    ))
    .unwrap();
    assert!(active.contains("\"server\":\"api\""), "{active}");

    // the server is back: the alert resolves in mcpmon and in Alertmanager
    set_url(&server.url("/mcp"));
    let mut resolved = false;
    for _ in 0..5 {
        let (_, doc, _) = alerts_json(home.path(), &state, &args);
        if doc["events"].to_string().contains("resolved") {
            resolved = true;
            break;
        }
    }
    assert!(resolved, "mcpmon never resolved the alert");
    wait_for(|| {
        received(&bodies)
            .iter()
            .any(|(s, l)| s == "resolved" && l["server"] == "api" && l["check"] == "connect")
    });
}
