//! `mcpmon serve`, the Prometheus exporter: the real binary on a loopback port, checking stubs and
//! real peers on a schedule, scraped over plain HTTP/1.1; readiness, the busy port, SIGTERM,
//! `promtool check metrics` on a scrape; `/probe`, the bearer token, SIGHUP reloads and `--record`;
//! every metric the shipped rules and Grafana dashboard use is in a real scrape.

use crate::common::*;
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// An HTTP/1.1 request with `Connection: close`: (status, head, body); `None` when nothing listens.
fn request(port: u16, method: &str, path: &str) -> Option<(u16, String, String)> {
    request_with(port, method, path, "")
}

/// As `request`, with more header lines (each ending in CRLF).
fn request_with(
    port: u16,
    method: &str,
    path: &str,
    headers: &str,
) -> Option<(u16, String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, head.to_string(), body.to_string()))
}

fn get(port: u16, path: &str) -> Option<(u16, String)> {
    request(port, "GET", path).map(|(s, _, b)| (s, b))
}

/// Polls until `cond` holds (a hang guard of 60 s, not a timing assertion).
fn until<T>(what: &str, mut cond: impl FnMut() -> Option<T>) -> T {
    let guard = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(v) = cond() {
            return v;
        }
        assert!(Instant::now() < guard, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A running `mcpmon serve`; killed (SIGKILL) and reaped if a test ends without stopping it. Its
/// stderr is collected as it comes (`stderr()`), its stdout too.
struct Serve {
    child: Child,
    port: u16,
    err: std::sync::Arc<std::sync::Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
    out: std::sync::Arc<std::sync::Mutex<String>>,
}

fn collect(
    mut from: impl Read + Send + 'static,
) -> (
    std::sync::Arc<std::sync::Mutex<String>>,
    std::thread::JoinHandle<()>,
) {
    let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let to = std::sync::Arc::clone(&text);
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            to.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    (text, reader)
}

impl Serve {
    fn start(home: &std::path::Path, args: &[&str]) -> Serve {
        let port = closed_port();
        let listen = format!("127.0.0.1:{port}");
        let mut child = mcpmon_process(home)
            .args(["serve", "--listen", &listen])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (err, e) = collect(child.stderr.take().unwrap());
        let (out, o) = collect(child.stdout.take().unwrap());
        let s = Serve {
            child,
            port,
            err,
            readers: vec![e, o],
            out,
        };
        until("serve listens", || get(s.port, "/-/healthy"));
        s
    }

    /// What serve has written on stderr so far.
    fn stderr(&self) -> String {
        self.err.lock().unwrap().clone()
    }

    fn signal(&self, sig: nix::sys::signal::Signal) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.child.id() as i32), sig).unwrap();
    }

    fn ready(&self) {
        until("/-/ready is 200", || {
            get(self.port, "/-/ready").filter(|(s, _)| *s == 200)
        });
    }

    fn metrics(&self) -> String {
        let (status, head, body) = request(self.port, "GET", "/metrics").unwrap();
        assert_eq!(status, 200);
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: text/plain; version=0.0.4; charset=utf-8"),
            "{head}"
        );
        body
    }

    /// SIGTERM, then the exit code and stderr.
    fn terminate(self) -> (Option<i32>, String) {
        let (code, _, err) = self.terminate_all();
        (code, err)
    }

    /// SIGTERM, then the exit code, stdout and stderr.
    fn terminate_all(mut self) -> (Option<i32>, String, String) {
        self.signal(nix::sys::signal::Signal::SIGTERM);
        let code = self.child.wait().unwrap().code();
        for r in self.readers.drain(..) {
            r.join().unwrap();
        }
        let out = self.out.lock().unwrap().clone();
        (code, out, self.stderr())
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config(home: &std::path::Path, servers: serde_json::Value) -> String {
    let cfg = home.join("mcpmon.json");
    std::fs::write(&cfg, json!({ "mcpServers": servers }).to_string()).unwrap();
    cfg.display().to_string()
}

/// The value of the one sample line starting with `prefix` (name and labels).
fn sample(text: &str, prefix: &str) -> f64 {
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with(prefix)).collect();
    assert_eq!(lines.len(), 1, "{prefix} in\n{text}");
    lines[0].rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn serve_exports_up_health_checks_and_a_latency_histogram() {
    let home = tempdir();
    let stub = HttpStub::start("legacy-ok");
    let cfg = config(
        home.path(),
        json!({
            "stub \"one\"": {"url": stub.url("/mcp")},
            "closed": {"url": format!("http://127.0.0.1:{}/mcp", closed_port())},
        }),
    );
    let serve = Serve::start(home.path(), &["--config", &cfg, "--interval", "1s"]);
    serve.ready();
    let m = serve.metrics();
    let stub_l = "server=\"stub \\\"one\\\"\"";
    assert_eq!(
        sample(&m, &format!("mcp_server_up{{{stub_l},transport=")),
        1.0
    );
    assert_eq!(sample(&m, "mcp_server_up{server=\"closed\""), 0.0);
    assert_eq!(
        sample(&m, "mcp_server_health_status{server=\"closed\""),
        0.0
    );
    assert!(sample(&m, &format!("mcp_server_health_status{{{stub_l}")) >= 1.0);
    assert!(sample(&m, &format!("mcp_server_tools{{{stub_l}}}")) >= 1.0);
    assert_eq!(
        sample(
            &m,
            "mcpmon_check_status{server=\"closed\",probe=\"mcp\",check=\"connect\"}"
        ),
        2.0
    );
    assert!(
        sample(
            &m,
            &format!("mcpmon_target_last_check_timestamp_seconds{{{stub_l}}}")
        ) > 1.7e9
    );
    // the histogram of every request of every check, by method
    let inf = sample(
        &m,
        &format!(
            "mcp_request_duration_seconds_bucket{{{stub_l},method=\"initialize\",le=\"+Inf\"}}"
        ),
    );
    assert!(inf >= 1.0, "{m}");
    assert_eq!(
        sample(
            &m,
            &format!("mcp_request_duration_seconds_count{{{stub_l},method=\"initialize\"}}")
        ),
        inf
    );
    assert!(
        sample(
            &m,
            &format!("mcp_request_duration_seconds_sum{{{stub_l},method=\"initialize\"}}")
        ) > 0.0
    );
    assert!(m.contains("# TYPE mcp_request_duration_seconds histogram\n"));
    // about itself
    assert_eq!(sample(&m, "mcpmon_build_info{version=\""), 1.0, "{m}");
    assert!(sample(&m, "process_resident_memory_bytes ") > 0.0);
    assert!(sample(&m, "process_start_time_seconds ") > 1.7e9);
    assert!(sample(&m, "mcpmon_scheduler_lag_seconds ") >= 0.0);
    // checks go on without scrapes: the histogram only grows
    until("another check of the stub", || {
        let again = serve.metrics();
        (sample(
            &again,
            &format!("mcp_request_duration_seconds_count{{{stub_l},method=\"initialize\"}}"),
        ) > inf)
            .then_some(())
    });
    // the other endpoints
    let (s, head, body) = request(serve.port, "HEAD", "/metrics").unwrap();
    assert_eq!((s, body.as_str()), (200, ""), "{head}");
    assert_eq!(request(serve.port, "POST", "/metrics").unwrap().0, 405);
    assert_eq!(get(serve.port, "/nope").unwrap().0, 404);
    let (s, index) = get(serve.port, "/").unwrap();
    assert_eq!(s, 200);
    assert!(index.contains("href=\"metrics\""), "{index}");
    let (code, err) = serve.terminate();
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn ready_waits_for_the_first_check_and_sigterm_abandons_it_reaping_the_child() {
    let home = tempdir();
    let mark = marker("serve-silent");
    // a server that never answers, under a long deadline: the first check stays in flight
    let mut args = vec!["--timeout", "60s", "--interval", "1s"];
    let cmd = stub_cmd("silent", &mark);
    args.push("--");
    args.extend(cmd.iter().map(String::as_str));
    let serve = Serve::start(home.path(), &args);
    until("the stub runs", || {
        (!live_processes_with(&mark).is_empty()).then_some(())
    });
    assert_eq!(get(serve.port, "/-/ready").unwrap().0, 503);
    assert_eq!(get(serve.port, "/-/healthy").unwrap().0, 200);
    let m = serve.metrics();
    assert!(!m.contains("mcp_server_up"), "no check has completed:\n{m}");
    assert!(m.contains("mcpmon_build_info"), "{m}");
    let (code, err) = serve.terminate();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("stopped"), "{err}");
    assert_eq!(live_processes_with(&mark), Vec::<u32>::new());
}

#[test]
fn sigterm_after_checks_exits_0_and_leaves_no_stdio_child() {
    let home = tempdir();
    let mark = marker("serve-ok");
    let mut args = vec!["--interval", "200ms"];
    let cmd = stub_cmd("ok", &mark);
    args.push("--");
    args.extend(cmd.iter().map(String::as_str));
    let serve = Serve::start(home.path(), &args);
    serve.ready();
    let m = serve.metrics();
    assert_eq!(sample(&m, "mcp_server_up{"), 1.0, "{m}");
    // a stdio server's own child is the process behind it
    assert!(m.contains("mcp_server_memory_usage_bytes{"), "{m}");
    let (code, err) = serve.terminate();
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(live_processes_with(&mark), Vec::<u32>::new());
}

#[test]
fn a_target_s_own_interval_in_the_config_wins_over_the_flag() {
    let home = tempdir();
    let stub = HttpStub::start("legacy-ok");
    let cfg = config(
        home.path(),
        json!({"stub": {"url": stub.url("/mcp"), "interval": "200ms"}}),
    );
    // with --interval alone the stub would be checked once in the test's lifetime
    let serve = Serve::start(home.path(), &["--config", &cfg, "--interval", "1h"]);
    serve.ready();
    let count = "mcp_request_duration_seconds_count{server=\"stub\",method=\"initialize\"}";
    until("a third check", || {
        (sample(&serve.metrics(), count) >= 3.0).then_some(())
    });
    let (code, err) = serve.terminate();
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_busy_port_is_one_line_and_exit_3() {
    let home = tempdir();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let listen = format!("127.0.0.1:{port}");
    let (code, _, err) = run(
        home.path(),
        &["serve", "--listen", &listen, "http://127.0.0.1:9/mcp"],
    );
    assert_eq!(code, 3, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("cannot listen on {listen}")), "{err}");
}

#[test]
fn promtool_accepts_a_scrape_of_real_peers() {
    let promtool = std::process::Command::new("promtool")
        .arg("--version")
        .output();
    if promtool.is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "promtool is missing in CI (.ci/run installs the prometheus package)"
        );
        eprintln!("note: promtool not installed (apt-get install prometheus): test skipped");
        return;
    }
    let home = tempdir();
    let cfg = config(
        home.path(),
        json!({
            "everything": {"url": peer("EVERYTHING_HTTP_URL")},
            "odd \"name\"\\x": {"url": format!("http://127.0.0.1:{}/mcp", closed_port())},
        }),
    );
    let serve = Serve::start(home.path(), &["--config", &cfg, "--interval", "1s"]);
    serve.ready();
    let m = serve.metrics();
    assert_eq!(
        sample(&m, "mcp_server_up{server=\"everything\""),
        1.0,
        "{m}"
    );
    let mut check = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check.stdin.take().unwrap().write_all(m.as_bytes()).unwrap();
    let out = check.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics failed:\n{}{}\n{m}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `mcp_*` and `mcpmon_*` metric names a PromQL expression refers to.
fn metric_names(expr: &str) -> impl Iterator<Item = String> + '_ {
    expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("mcp_") || w.starts_with("mcpmon_"))
        .map(String::from)
}

/// Asserts that every `mcp_*`/`mcpmon_*` metric `exprs` use (at least `min` names) is in a real
/// scrape of `serve` that has every kind of series: an MCP server with its process, a hub with
/// servers. A histogram's `_bucket`, `_sum` and `_count` are its sample names, as PromQL uses them.
fn assert_exported(what: &str, exprs: &[String], min: usize) {
    let used: std::collections::BTreeSet<String> =
        exprs.iter().flat_map(|e| metric_names(e)).collect();
    assert!(used.len() >= min, "{what}: {used:?}");
    let home = tempdir();
    let port: u16 = peer("EVERYTHING_HTTP_URL")
        .rsplit(':')
        .next()
        .and_then(|p| p.split('/').next())
        .unwrap()
        .parse()
        .unwrap();
    let cfg = home.path().join("mcpmon.json");
    std::fs::write(
        &cfg,
        json!({"targets": {
            "everything": {"url": peer("EVERYTHING_HTTP_URL"), "process": {"port": port}},
            "hub": {"hub": peer("HUB_URL")},
        }})
        .to_string(),
    )
    .unwrap();
    let serve = Serve::start(home.path(), &["--config", cfg.to_str().unwrap()]);
    serve.ready();
    let m = serve.metrics();
    let exported: std::collections::BTreeSet<&str> = m
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(['{', ' ']).next())
        .collect();
    for name in &used {
        assert!(
            exported.contains(name.as_str()),
            "{what} uses {name}, which serve does not export:\n{m}"
        );
    }
}

#[test]
fn every_metric_the_shipped_rules_use_is_exported() {
    let rules =
        std::fs::read_to_string(root().join("examples/prometheus/mcpmon-rules.yml")).unwrap();
    let exprs: Vec<String> = rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("expr:"))
        .map(String::from)
        .collect();
    assert_exported("the rules", &exprs, 6);
}

/// Every PromQL expression of a Grafana dashboard: its panels' targets (rows' panels included) and
/// its query variables.
fn dashboard_exprs(d: &serde_json::Value) -> Vec<String> {
    fn panels(list: &serde_json::Value, out: &mut Vec<String>) {
        for p in list.as_array().into_iter().flatten() {
            for t in p["targets"].as_array().into_iter().flatten() {
                out.push(t["expr"].as_str().unwrap().to_string());
            }
            panels(&p["panels"], out);
        }
    }
    let mut out = Vec::new();
    panels(&d["panels"], &mut out);
    for v in d["templating"]["list"].as_array().unwrap() {
        if v["type"] == "query" {
            let q = &v["query"];
            out.push(q["query"].as_str().or(q.as_str()).unwrap().to_string());
        }
    }
    out
}

#[test]
fn the_shipped_grafana_dashboard_uses_only_exported_metrics_through_its_datasource_variable() {
    let text =
        std::fs::read_to_string(root().join("examples/prometheus/grafana-dashboard.json")).unwrap();
    let d: serde_json::Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    assert!(
        d["schemaVersion"].as_u64().unwrap() >= 36,
        "{}",
        d["schemaVersion"]
    );
    let vars = d["templating"]["list"].as_array().unwrap();
    let var = |name: &str| vars.iter().find(|v| v["name"] == name).unwrap();
    assert_eq!(var("datasource")["type"], "datasource");
    assert_eq!(var("datasource")["query"], "prometheus");
    let server = var("server");
    assert_eq!(server["multi"], true);
    assert_eq!(
        server["query"]["query"],
        "label_values(mcp_server_up, server)"
    );
    // every panel (rows aside) and every target and query variable reads from ${datasource}
    let uses_var = |ds: &serde_json::Value| {
        ds["uid"] == "${datasource}" || ds["uid"] == "$datasource" || ds == "${datasource}"
    };
    assert!(uses_var(&server["datasource"]), "{server}");
    let mut all = Vec::new();
    for p in d["panels"].as_array().unwrap() {
        all.push(p);
        all.extend(p["panels"].as_array().into_iter().flatten());
    }
    let mut titles = Vec::new();
    for p in all.into_iter().filter(|p| p["type"] != "row") {
        let title = p["title"].as_str().unwrap();
        titles.push(title);
        assert!(
            uses_var(&p["datasource"]),
            "panel {title:?}: {}",
            p["datasource"]
        );
        let targets = p["targets"].as_array().unwrap();
        assert!(!targets.is_empty(), "panel {title:?} has no query");
        for t in targets {
            assert!(
                t["datasource"].is_null() || uses_var(&t["datasource"]),
                "panel {title:?}: {t}"
            );
        }
    }
    assert!(titles.len() >= 10, "{titles:?}");
    let exprs = dashboard_exprs(&d);
    // what the issue asks the dashboard to show
    for want in [
        "mcp_server_up",
        "mcp_server_health_status",
        "mcp_request_duration_seconds_bucket",
        "histogram_quantile",
        "mcp_server_tools",
        "mcp_hub_server_up",
        "mcp_server_cpu_usage_percent",
        "mcp_server_memory_usage_bytes",
        "mcp_server_file_descriptors",
        "mcpmon_scheduler_lag_seconds",
        "time() - mcpmon_target_last_check_timestamp_seconds",
        "process_resident_memory_bytes",
    ] {
        assert!(
            exprs.iter().any(|e| e.contains(want)),
            "no panel uses {want}"
        );
    }
    assert!(
        d["panels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["type"] == "heatmap" && p["repeat"] == "server"),
        "a latency heatmap per server"
    );
    // label_values(…) is Grafana's, not PromQL: the panels' queries only
    let promql: Vec<String> = exprs
        .iter()
        .filter(|e| !e.starts_with("label_values("))
        .cloned()
        .collect();
    promtool_parses(&promql);
    assert_exported("the dashboard", &exprs, 10);
}

/// `promtool check rules` on recording rules made of `exprs` (Grafana's `$server` and
/// `$__rate_interval` replaced): each is valid PromQL. Skipped, with a note, without promtool.
fn promtool_parses(exprs: &[String]) {
    if std::process::Command::new("promtool")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "promtool is missing in CI (.ci/run installs the prometheus package)"
        );
        eprintln!("note: promtool not installed: PromQL syntax not checked");
        return;
    }
    let dir = tempdir();
    let rules = dir.path().join("exprs.yml");
    let mut y = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for (i, e) in exprs.iter().enumerate() {
        let e = e.replace("$__rate_interval", "1m").replace("$server", ".*");
        y.push_str(&format!(
            "      - record: dashboard_expr_{i}\n        expr: {}\n",
            serde_json::Value::String(e)
        ));
    }
    std::fs::write(&rules, y).unwrap();
    let out = std::process::Command::new("promtool")
        .args(["check", "rules"])
        .arg(&rules)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool check rules:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Checks the structure of an OpenMetrics exposition by hand (no OpenMetrics parser is installed:
/// promtool reads the text format only): every sample belongs to the family of the last `# TYPE`
/// (a histogram's `_bucket`/`_sum`/`_count`, a counter's `_total`), a family is declared once,
/// counters' samples end in `_total`, histograms have a `+Inf` bucket, and `# EOF` is the last line
/// and only there. Returns the families and their types.
fn assert_openmetrics(om: &str) -> std::collections::BTreeMap<String, String> {
    assert!(om.ends_with("# EOF\n"), "{om}");
    assert_eq!(om.matches("# EOF").count(), 1, "{om}");
    let mut families = std::collections::BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in om.lines().filter(|l| *l != "# EOF") {
        assert!(!line.is_empty(), "an empty line in\n{om}");
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(
                families
                    .insert(name.to_string(), kind.to_string())
                    .is_none(),
                "{name} declared twice"
            );
            assert!(!name.ends_with("_total"), "a counter family named {name}");
            current = Some((name.to_string(), kind.to_string()));
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap();
            assert!(!families.contains_key(name), "HELP after TYPE for {name}");
            continue;
        }
        assert!(!line.starts_with('#'), "{line}");
        let (family, kind) = current
            .as_ref()
            .unwrap_or_else(|| panic!("{line} before any TYPE"));
        let name = line.split(['{', ' ']).next().unwrap();
        let suffixes: &[&str] = match kind.as_str() {
            "counter" => &["_total"],
            "histogram" => &["_bucket", "_sum", "_count"],
            "gauge" => &[""],
            other => panic!("unexpected type {other}"),
        };
        assert!(
            suffixes.iter().any(|s| name == format!("{family}{s}")),
            "{line} is not a sample of the {kind} {family}"
        );
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }
    for (name, kind) in &families {
        if kind == "histogram" {
            assert!(
                om.contains(&format!("{name}_bucket{{")) && om.contains("le=\"+Inf\"}"),
                "{name} without a +Inf bucket"
            );
        }
    }
    families
}

#[test]
fn openmetrics_when_asked_through_accept() {
    let home = tempdir();
    let stub = HttpStub::start("legacy-ok");
    let cfg = config(home.path(), json!({"stub": {"url": stub.url("/mcp")}}));
    let serve = Serve::start(home.path(), &["--config", &cfg, "--interval", "1s"]);
    serve.ready();
    // Prometheus's own Accept (2.x), and a bare one with another version: OpenMetrics 1.0.0
    for accept in [
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
        "application/openmetrics-text; version=0.0.1",
    ] {
        let (status, head, om) = request_with(
            serve.port,
            "GET",
            "/metrics",
            &format!("Accept: {accept}\r\n"),
        )
        .unwrap();
        assert_eq!(status, 200);
        assert!(
            head.to_ascii_lowercase().contains(
                "content-type: application/openmetrics-text; version=1.0.0; charset=utf-8"
            ),
            "{head}"
        );
        let families = assert_openmetrics(&om);
        assert_eq!(families["process_cpu_seconds"], "counter", "{om}");
        assert_eq!(
            families["mcp_request_duration_seconds"], "histogram",
            "{om}"
        );
        assert!(om.contains("\nprocess_cpu_seconds_total "), "{om}");
        assert!(om.contains("le=\"1.0\"}"), "{om}");
        assert!(om.contains("mcp_server_up{server=\"stub\""), "{om}");
    }
    // /probe answers in the format asked for too
    let (status, head, om) = request_with(
        serve.port,
        "GET",
        "/probe?target=stub",
        "Accept: application/openmetrics-text\r\n",
    )
    .unwrap();
    assert_eq!(status, 200, "{om}");
    assert!(head.contains("application/openmetrics-text"), "{head}");
    let families = assert_openmetrics(&om);
    assert_eq!(families["mcpmon_probe_success"], "gauge");
    // anything else, or nothing: the text format 0.0.4, without # EOF
    for accept in [
        "",
        "Accept: text/plain;version=0.0.4\r\n",
        "Accept: */*\r\n",
    ] {
        let (_, head, text) = request_with(serve.port, "GET", "/metrics", accept).unwrap();
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: text/plain; version=0.0.4; charset=utf-8"),
            "{accept}: {head}"
        );
        assert!(!text.contains("# EOF"), "{text}");
        assert!(
            text.contains("# TYPE process_cpu_seconds_total counter\n"),
            "{text}"
        );
    }
}

/// A query value, percent-encoded (every byte but unreserved ones).
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn probe_checks_one_configured_target_now_and_refuses_anything_else() {
    let home = tempdir();
    let stub = HttpStub::start("legacy-ok");
    let cfg = config(
        home.path(),
        json!({
            "stub one": {"url": stub.url("/mcp")},
            "closed": {"url": format!("http://127.0.0.1:{}/mcp", closed_port())},
        }),
    );
    // once an hour: what /probe answers is its own check, not a scheduled one
    let serve = Serve::start(home.path(), &["--config", &cfg, "--interval", "1h"]);
    serve.ready();
    let (s, head, body) = request(serve.port, "GET", "/probe?target=stub+one").unwrap();
    assert_eq!(s, 200, "{body}");
    assert!(
        head.to_ascii_lowercase().contains("version=0.0.4"),
        "{head}"
    );
    assert_eq!(sample(&body, "mcpmon_probe_success "), 1.0, "{body}");
    assert!(sample(&body, "mcpmon_probe_duration_seconds ") > 0.0);
    assert_eq!(sample(&body, "mcp_server_up{server=\"stub one\""), 1.0);
    assert!(!body.contains("closed"), "only the probed target:\n{body}");
    assert!(!body.contains("mcpmon_build_info"), "{body}");
    // its own check: one initialize, whatever the schedule has counted
    assert_eq!(
        sample(
            &body,
            "mcp_request_duration_seconds_count{server=\"stub one\",method=\"initialize\"}"
        ),
        1.0
    );
    let (s, body) = get(serve.port, "/probe?target=closed").unwrap();
    assert_eq!(s, 200, "{body}");
    assert_eq!(sample(&body, "mcpmon_probe_success "), 0.0, "{body}");
    assert_eq!(sample(&body, "mcp_server_up{server=\"closed\""), 0.0);
    // an unknown name: 404, one plain line naming it
    let (s, body) = get(serve.port, "/probe?target=nope%3Cb%3E").unwrap();
    assert_eq!(s, 404, "{body}");
    assert_eq!(body.lines().count(), 1, "{body}");
    assert!(body.contains("nope<b>"), "{body}");
    // a URL is refused without --allow-adhoc-probes
    let url = format!("/probe?target={}", encode(&stub.url("/mcp")));
    let (s, body) = get(serve.port, &url).unwrap();
    assert_eq!(s, 400, "{body}");
    assert_eq!(body.lines().count(), 1, "{body}");
    assert!(body.contains("--allow-adhoc-probes"), "{body}");
    // commands never start anything
    let mark = home.path().join("touched");
    for q in [
        "target=--%20x".to_string(),
        format!(
            "target={}",
            encode(&format!("/usr/bin/touch {}", mark.display()))
        ),
        format!(
            "target={}",
            encode(&format!("sh -c 'touch {}'; x", mark.display()))
        ),
        "target=file%3A%2F%2F%2Fetc%2Fpasswd".to_string(),
    ] {
        let (s, body) = get(serve.port, &format!("/probe?{q}")).unwrap();
        assert_eq!(s, 400, "{q}: {body}");
        assert_eq!(body.lines().count(), 1, "{body}");
    }
    assert!(!mark.exists());
    // a duplicate, a missing or a badly encoded target
    for q in [
        "target=closed&target=stub+one",
        "",
        "x=closed",
        "target=%zz",
    ] {
        assert_eq!(
            get(serve.port, &format!("/probe?{q}")).unwrap().0,
            400,
            "{q}"
        );
    }
    let (code, err) = serve.terminate();
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn adhoc_url_probes_need_the_flag() {
    let home = tempdir();
    let stub = HttpStub::start("legacy-ok");
    let cfg = config(
        home.path(),
        json!({"closed": {"url": format!("http://127.0.0.1:{}/mcp", closed_port())}}),
    );
    let serve = Serve::start(
        home.path(),
        &["--config", &cfg, "--interval", "1h", "--allow-adhoc-probes"],
    );
    let url = stub.url("/mcp");
    let (s, body) = get(serve.port, &format!("/probe?target={}", encode(&url))).unwrap();
    assert_eq!(s, 200, "{body}");
    assert_eq!(sample(&body, "mcpmon_probe_success "), 1.0, "{body}");
    assert!(body.contains("mcp_server_up{server=\""), "{body}");
    assert!(!body.contains("closed"), "{body}");
    // still never a command
    let (s, body) = get(serve.port, "/probe?target=--%20x").unwrap();
    assert_eq!(s, 400, "{body}");
    let (code, err) = serve.terminate();
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_bearer_token_guards_every_endpoint_and_is_never_printed() {
    let home = tempdir();
    let stub = HttpStub::start("legacy-ok");
    let cfg = config(home.path(), json!({"stub": {"url": stub.url("/mcp")}}));
    let secret = "tok-7f3a9c1e55d2";
    let file = home.path().join("token");
    std::fs::write(&file, format!("  {secret}\n")).unwrap();
    let serve = Serve::start(
        home.path(),
        &[
            "--config",
            &cfg,
            "--interval",
            "1h",
            "--auth-token-file",
            file.to_str().unwrap(),
        ],
    );
    let right = format!("Authorization: Bearer {secret}\r\n");
    until("ready with the token", || {
        request_with(serve.port, "GET", "/-/ready", &right).filter(|r| r.0 == 200)
    });
    for path in [
        "/metrics",
        "/-/healthy",
        "/-/ready",
        "/",
        "/probe?target=stub",
    ] {
        let (s, head, _) = request(serve.port, "GET", path).unwrap();
        assert_eq!(s, 401, "{path}");
        assert!(
            head.to_ascii_lowercase()
                .contains("www-authenticate: bearer"),
            "{head}"
        );
        let wrong = "Authorization: Bearer tok-7f3a9c1e55d3\r\n";
        assert_eq!(request_with(serve.port, "GET", path, wrong).unwrap().0, 401);
        let short = "Authorization: Bearer tok\r\n";
        assert_eq!(request_with(serve.port, "GET", path, short).unwrap().0, 401);
        let (s, _, body) = request_with(serve.port, "GET", path, &right).unwrap();
        assert_eq!(s, 200, "{path}: {body}");
        assert!(!body.contains(secret));
    }
    let (code, out, err) = serve.terminate_all();
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains(secret) && !out.contains(secret), "{err}{out}");
    // an empty token file: one line, exit 3
    std::fs::write(&file, " \n").unwrap();
    let (code, out, err) = run(
        home.path(),
        &[
            "serve",
            "--config",
            &cfg,
            "--auth-token-file",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 3, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn sighup_reloads_the_config_and_a_bad_one_keeps_the_old_targets() {
    let home = tempdir();
    let stub = HttpStub::start("legacy-ok");
    let cfg = config(
        home.path(),
        json!({"kept": {"url": stub.url("/mcp")}, "old": {"url": stub.url("/mcp")}}),
    );
    let serve = Serve::start(home.path(), &["--config", &cfg, "--interval", "1h"]);
    serve.ready();
    let m = serve.metrics();
    assert!(m.contains("server=\"old\""), "{m}");
    let kept = "mcp_request_duration_seconds_count{server=\"kept\",method=\"initialize\"}";
    assert_eq!(sample(&m, kept), 1.0);
    config(
        home.path(),
        json!({"kept": {"url": stub.url("/mcp")}, "new": {"url": stub.url("/mcp")}}),
    );
    serve.signal(nix::sys::signal::Signal::SIGHUP);
    let m = until("the new target in /metrics, the old one gone", || {
        let m = serve.metrics();
        (m.contains("mcp_server_up{server=\"new\"")
            && !m.contains("server=\"old\"")
            && sample(&m, kept) >= 2.0)
            .then_some(m)
    });
    // the kept target's histogram went on: its first check and the one after the reload
    assert_eq!(sample(&m, kept), 2.0, "{m}");
    // a broken config: one warning line, the targets stay
    std::fs::write(&cfg, "{ not json").unwrap();
    serve.signal(nix::sys::signal::Signal::SIGHUP);
    until("the reload warning", || {
        serve.stderr().contains("reload").then_some(())
    });
    let m = serve.metrics();
    assert!(m.contains("mcp_server_up{server=\"new\""), "{m}");
    assert!(m.contains("mcp_server_up{server=\"kept\""), "{m}");
    assert_eq!(get(serve.port, "/probe?target=new").unwrap().0, 200);
    let (code, err) = serve.terminate();
    assert_eq!(code, Some(0), "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("reload:")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].starts_with("mcpmon: warning: reload: "),
        "{err}"
    );
}

#[test]
fn record_appends_every_check_to_the_history() {
    let home = tempdir();
    let stub = HttpStub::start("legacy-ok");
    let cfg = config(home.path(), json!({"stub": {"url": stub.url("/mcp")}}));
    let serve = Serve::start(
        home.path(),
        &["--config", &cfg, "--interval", "1h", "--record"],
    );
    serve.ready();
    let dir = home.path().join(".state/mcpmon/history");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("\"target\":\"stub\""))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("\"source\":\"serve\""), "{line}");
    let (code, err) = serve.terminate();
    assert_eq!(code, Some(0), "{err}");
    // and the history commands read it
    let (code, out, err) = run(home.path(), &["daily-summary", "--since", "1h"]);
    assert!(code != 3, "{out}{err}");
    assert!(out.contains("stub"), "{out}{err}");
}
