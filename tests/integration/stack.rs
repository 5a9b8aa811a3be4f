//! The whole fleet stack on loopback: `mcpmon serve` checking a real peer and a stub, a real
//! Prometheus (Debian's `prometheus`) scraping it every second with the shipped `MCPServerDown` rule
//! (its `for:` shortened), and a real Alertmanager passing the alert to a webhook receiver. When the
//! stub goes away, `mcp_server_up` drops to 0 in Prometheus and the alert reaches the receiver.

use crate::alertmanager::{alertmanager, curl, received, wait_for};
use crate::common::*;
use std::process::{Child, Command, Stdio};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The value of `query` for the series with label `server="NAME"`, from Prometheus's HTTP API.
fn query(port: u16, q: &str, server: &str) -> Option<String> {
    let out = Command::new("curl")
        .args(["-sf", "--max-time", "5", "-G"])
        .arg(format!("http://127.0.0.1:{port}/api/v1/query"))
        .args(["--data-urlencode", &format!("query={q}")])
        .output()
        .ok()?;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    doc["data"]["result"]
        .as_array()?
        .iter()
        .find(|r| r["metric"]["server"] == server)
        .and_then(|r| r["value"][1].as_str().map(String::from))
}

#[test]
fn prometheus_scrapes_serve_and_a_server_going_down_pages_through_alertmanager() {
    if Command::new("prometheus")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").is_err(),
            "prometheus is not installed (.ci/run installs it)"
        );
        eprintln!("note: prometheus is not installed; skipping (apt-get install prometheus)");
        return;
    }
    let home = tempdir();
    let dir = home.path();
    let bodies = dir.join("bodies");
    let hook = HttpStub::start_with_env("receiver", &[("STUB_BODIES", bodies.to_str().unwrap())]);
    let Some(am) = alertmanager(dir, &hook.url("/hook")) else {
        return;
    };
    let stub = HttpStub::start("legacy-ok");

    // serve: a real peer and the stub, checked every second
    let cfg = dir.join("mcpmon.json");
    std::fs::write(
        &cfg,
        serde_json::json!({"targets": {
            "everything": {"url": peer("EVERYTHING_HTTP_URL")},
            "stub": {"url": stub.url("/mcp")},
        }})
        .to_string(),
    )
    .unwrap();
    let serve_port = closed_port();
    let _serve = Killed(
        mcpmon_process(dir)
            .args(["serve", "--interval", "1s", "--timeout", "2s", "-c"])
            .arg(&cfg)
            .args(["--listen", &format!("127.0.0.1:{serve_port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    // Prometheus with the shipped MCPServerDown rule, `for:` cut from 5m to 2s
    let rules = std::fs::read_to_string(root().join("examples/prometheus/mcpmon-rules.yml"))
        .unwrap()
        .replacen("for: 5m", "for: 2s", 1);
    assert!(rules.contains("alert: MCPServerDown"));
    std::fs::write(dir.join("rules.yml"), rules).unwrap();
    std::fs::write(
        dir.join("prometheus.yml"),
        format!(
            "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\nrule_files: [rules.yml]\nalerting:\n  alertmanagers:\n    - static_configs: [{{targets: ['127.0.0.1:{}']}}]\nscrape_configs:\n  - job_name: mcpmon\n    static_configs: [{{targets: ['127.0.0.1:{serve_port}']}}]\n",
            am.port
        ),
    )
    .unwrap();
    let prom_port = closed_port();
    let _prometheus = Killed(
        Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(|| curl(&format!("http://127.0.0.1:{prom_port}/-/ready")).is_some());

    // both servers up, as Prometheus sees them
    for server in ["everything", "stub"] {
        wait_for(|| query(prom_port, "mcp_server_up", server).as_deref() == Some("1"));
    }
    // Prometheus asks for OpenMetrics first: its parser took the histogram and the counter too
    wait_for(|| {
        query(
            prom_port,
            "sum by (server) (mcp_request_duration_seconds_bucket{le=\"+Inf\"})",
            "everything",
        )
        .is_some()
    });
    wait_for(|| {
        query(
            prom_port,
            "label_replace(process_cpu_seconds_total, \"server\", \"mcpmon\", \"\", \"\")",
            "mcpmon",
        )
        .is_some()
    });
    // the stub goes away: down in Prometheus, then MCPServerDown reaches the receiver
    drop(stub);
    wait_for(|| query(prom_port, "mcp_server_up", "stub").as_deref() == Some("0"));
    wait_for(|| {
        received(&bodies).iter().any(|(status, l)| {
            status == "firing" && l["alertname"] == "MCPServerDown" && l["server"] == "stub"
        })
    });
    // the other server never paged
    assert!(
        !received(&bodies)
            .iter()
            .any(|(_, l)| l["server"] == "everything"),
        "{:?}",
        received(&bodies)
    );
}
