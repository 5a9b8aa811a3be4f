//! The live Prometheus exposition of `mcpmon serve`: the last completed check of every target, kept
//! with the latency histograms accumulated over all checks, rendered into the text format 0.0.4 or,
//! when a scraper asks for it (`Format::negotiate`), OpenMetrics 1.0.0 (`mcp_server_up`,
//! `mcp_server_health_status`, `mcp_request_duration_seconds`, …, `mcpmon_check_status`) plus the
//! exporter's own families (`mcpmon_build_info`, `mcpmon_scheduler_lag_seconds`, `process_*`).
//! Pure: it is handed reports and figures, reads neither the clock nor the system.

use super::Report;
use super::prometheus::escape;
use crate::model::{Facts, Kind, Observation, Status};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// The content type of the text exposition format 0.0.4.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
/// The content type of OpenMetrics 1.0.0.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// An exposition format. The families, names, labels and values are the same in both; OpenMetrics
/// differs in a counter's family name (`# TYPE process_cpu_seconds counter`, its sample still
/// `process_cpu_seconds_total`), in the `le` of histogram buckets (canonical floats: `1.0`, not `1`)
/// and in the `# EOF` that ends an exposition (`Format::end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The text format 0.0.4.
    Text,
    /// OpenMetrics 1.0.0.
    OpenMetrics,
}

impl Format {
    /// The format an `Accept` header asks for: OpenMetrics when it lists `application/openmetrics-text`
    /// (any version) with a quality above 0 and at least that of `text/plain`; else the text format.
    pub fn negotiate(accept: Option<&str>) -> Format {
        let (mut om, mut text) = (0.0f64, 0.0f64);
        for range in accept.unwrap_or("").split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("").to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
                .map_or(Some(1.0), |(_, v)| v.trim().parse::<f64>().ok())
                .unwrap_or(0.0);
            match media.as_str() {
                "application/openmetrics-text" => om = om.max(q),
                "text/plain" => text = text.max(q),
                _ => {}
            }
        }
        if om > 0.0 && om >= text {
            Format::OpenMetrics
        } else {
            Format::Text
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => CONTENT_TYPE,
            Format::OpenMetrics => OPENMETRICS_CONTENT_TYPE,
        }
    }

    /// What ends a whole exposition: `# EOF` in OpenMetrics, nothing in the text format.
    pub fn end(self) -> &'static str {
        match self {
            Format::Text => "",
            Format::OpenMetrics => "# EOF\n",
        }
    }

    /// A bucket bound as this format writes it in `le`.
    fn le(self, b: f64) -> String {
        match self {
            Format::OpenMetrics if b.fract() == 0.0 => format!("{b:.1}"),
            _ => b.to_string(),
        }
    }
}

/// Upper bounds of `mcp_request_duration_seconds`, in seconds (`+Inf` follows).
pub const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A cumulative histogram: counts per bucket (not cumulated), every observation, their sum.
#[derive(Debug, Clone, Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, v: f64) {
        if let Some(i) = BUCKETS.iter().position(|&b| v <= b) {
            self.buckets[i] += 1;
        }
        self.count += 1;
        self.sum += v;
    }
}

/// The exporter itself, as `serve` measures it at scrape time.
#[derive(Debug, Clone, Default)]
pub struct About {
    pub version: &'static str,
    /// How late the last scheduled check started, in seconds.
    pub scheduler_lag_s: Option<f64>,
    /// CPU time used since start (user and system), in seconds.
    pub cpu_seconds: Option<f64>,
    pub rss_bytes: Option<u64>,
    /// Unix time the process started, in seconds.
    pub start_time_s: Option<f64>,
    pub open_fds: Option<u64>,
}

/// A target's last completed check, and when it completed.
type Last = Option<(Report, DateTime<Utc>)>;

/// The last check of each target and what the checks so far add up to.
#[derive(Debug, Default)]
pub struct Exposition {
    /// Scheduled target names, in config order, with their last report and when it completed.
    targets: Vec<(String, Last)>,
    /// `(server, method)` → request latencies of every check so far.
    histograms: BTreeMap<(String, String), Histogram>,
    /// The last transport and era seen per server, so a server that goes down keeps its labels.
    known: HashMap<String, (Option<&'static str>, Option<&'static str>)>,
}

impl Exposition {
    pub fn new(names: impl IntoIterator<Item = String>) -> Exposition {
        Exposition {
            targets: names.into_iter().map(|n| (n, None)).collect(),
            ..Exposition::default()
        }
    }

    /// Whether every target has been checked at least once.
    pub fn complete(&self) -> bool {
        self.targets.iter().all(|(_, r)| r.is_some())
    }

    /// Takes the completed check of target `name` (its report may hold more servers: `--deep`).
    pub fn record(&mut self, name: &str, report: Report, at: DateTime<Utc>) {
        for o in &report.observations {
            let Facts::Mcp(m) = &o.facts else { continue };
            for r in &m.requests {
                self.histograms
                    .entry((o.target.clone(), r.method.clone()))
                    .or_default()
                    .observe(r.latency.as_secs_f64());
            }
            let seen = self.known.entry(o.target.clone()).or_default();
            if let Some(w) = m.wire {
                seen.0 = Some(w.as_str());
            }
            if let Some(e) = m.era {
                seen.1 = Some(e.as_str());
            }
        }
        match self.targets.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = Some((report, at)),
            None => self.targets.push((name.to_string(), Some((report, at)))),
        }
    }

    /// Keeps only the targets `names` (in that order, their last checks and histograms kept; new
    /// ones not yet checked): the removed targets' series disappear (a hub's `HUB/NAME` with it).
    pub fn retain(&mut self, names: &[String]) {
        let mut old = std::mem::take(&mut self.targets);
        self.targets = names
            .iter()
            .map(|n| {
                let last = old
                    .iter_mut()
                    .find(|(o, _)| o == n)
                    .and_then(|(_, l)| l.take());
                (n.clone(), last)
            })
            .collect();
        let kept = |server: &str| {
            names.iter().any(|n| {
                server == n
                    || server
                        .strip_prefix(n.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        };
        self.histograms.retain(|(server, _), _| kept(server));
        self.known.retain(|server, _| kept(server));
    }

    /// The families of the targets (everything but the exporter's own), in `format` (without the
    /// end of the exposition).
    pub fn render_targets(&self, format: Format) -> String {
        let mut fam = Families::default();
        for (_, last) in &self.targets {
            let Some((report, at)) = last else { continue };
            for server in servers(report) {
                self.server(&mut fam, report, &server, at);
            }
        }
        for ((server, method), h) in &self.histograms {
            let l = format!(
                "server=\"{}\",method=\"{}\"",
                escape(server),
                escape(method)
            );
            let f = "mcp_request_duration_seconds";
            let mut cum = 0;
            for (b, n) in BUCKETS.iter().zip(h.buckets) {
                cum += n;
                let le = format.le(*b);
                fam.add(f, format!("{f}_bucket{{{l},le=\"{le}\"}} {cum}"));
            }
            fam.add(f, format!("{f}_bucket{{{l},le=\"+Inf\"}} {}", h.count));
            fam.add(f, format!("{f}_sum{{{l}}} {}", h.sum));
            fam.add(f, format!("{f}_count{{{l}}} {}", h.count));
        }
        fam.render(format)
    }

    fn server(&self, fam: &mut Families, report: &Report, server: &str, at: &DateTime<Utc>) {
        let s = escape(server);
        let mine = || {
            report
                .observations
                .iter()
                .filter(move |o| o.target == server)
        };
        let mut ids = format!("server=\"{s}\"");
        if let Some((wire, era)) = self.known.get(server) {
            if let Some(w) = wire {
                let _ = write!(ids, ",transport=\"{w}\"");
            }
            if let Some(e) = era {
                let _ = write!(ids, ",era=\"{e}\"");
            }
        }
        let verdict = report.target_status(server);
        let connect = report
            .findings
            .iter()
            .filter(|f| f.target == server && f.probe == Kind::Mcp && &*f.check == "connect")
            .map(|f| f.status)
            .max_by_key(|s| s.exit_code());
        let up = |s: Status| u8::from(matches!(s, Status::Ok | Status::Warn));
        fam.add(
            "mcp_server_up",
            format!("mcp_server_up{{{ids}}} {}", up(connect.unwrap_or(verdict))),
        );
        let health = match verdict {
            Status::Ok => 2,
            Status::Warn => 1,
            Status::Crit | Status::Unknown => 0,
        };
        fam.add(
            "mcp_server_health_status",
            format!("mcp_server_health_status{{{ids}}} {health}"),
        );
        if let Some(n) = mine().find_map(|o| match o.mcp()?.tools.as_ref()? {
            Ok(t) => Some(t.len()),
            Err(_) => None,
        }) {
            fam.add(
                "mcp_server_tools",
                format!("mcp_server_tools{{server=\"{s}\"}} {n}"),
            );
        }
        let procs = processes(mine());
        if !procs.is_empty() {
            let sum = |f: &dyn Fn(&crate::model::ProcessInfo) -> Option<f64>| {
                let vals: Vec<f64> = procs.iter().filter_map(|p| f(p)).collect();
                (!vals.is_empty()).then(|| vals.iter().sum::<f64>())
            };
            for (name, v) in [
                ("mcp_server_cpu_usage_percent", sum(&|p| p.cpu_percent)),
                (
                    "mcp_server_memory_usage_bytes",
                    sum(&|p| p.rss_bytes.map(|b| b as f64)),
                ),
                (
                    "mcp_server_file_descriptors",
                    sum(&|p| p.open_fds.map(|b| b as f64)),
                ),
            ] {
                if let Some(v) = v {
                    fam.add(name, format!("{name}{{server=\"{s}\"}} {v}"));
                }
            }
        }
        for o in mine() {
            let Facts::Hub(h) = &o.facts else { continue };
            for hs in &h.servers {
                let connected = u8::from(hs.status.as_deref() == Some("connected"));
                fam.add(
                    "mcp_hub_server_up",
                    format!(
                        "mcp_hub_server_up{{hub=\"{s}\",server=\"{}\"}} {connected}",
                        escape(&hs.name)
                    ),
                );
            }
        }
        // one series per (probe, check): the worst when a check is reported more than once
        let mut checks: BTreeMap<(&str, &str), Status> = BTreeMap::new();
        for f in report.findings.iter().filter(|f| f.target == server) {
            let e = checks
                .entry((f.probe.as_str(), &*f.check))
                .or_insert(f.status);
            if f.status.exit_code() > e.exit_code() {
                *e = f.status;
            }
        }
        for ((probe, check), status) in checks {
            fam.add(
                "mcpmon_check_status",
                format!(
                    "mcpmon_check_status{{server=\"{s}\",probe=\"{probe}\",check=\"{}\"}} {}",
                    escape(check),
                    status.exit_code()
                ),
            );
        }
        fam.add(
            "mcpmon_target_last_check_timestamp_seconds",
            format!(
                "mcpmon_target_last_check_timestamp_seconds{{server=\"{s}\"}} {}",
                at.timestamp_millis() as f64 / 1000.0
            ),
        );
    }
}

/// The exporter's own families, in `format` (without the end of the exposition).
pub fn render_about(a: &About, format: Format) -> String {
    let mut fam = Families::default();
    fam.add(
        "mcpmon_build_info",
        format!("mcpmon_build_info{{version=\"{}\"}} 1", escape(a.version)),
    );
    let mut gauge = |name: &'static str, v: Option<f64>| {
        if let Some(v) = v {
            fam.add(name, format!("{name} {v}"));
        }
    };
    gauge("mcpmon_scheduler_lag_seconds", a.scheduler_lag_s);
    gauge("process_cpu_seconds_total", a.cpu_seconds);
    gauge(
        "process_resident_memory_bytes",
        a.rss_bytes.map(|b| b as f64),
    );
    gauge("process_start_time_seconds", a.start_time_s);
    gauge("process_open_fds", a.open_fds.map(|b| b as f64));
    fam.render(format)
}

/// The families `/probe` adds to its target's: whether it is up and how long its check took, in
/// `format` (without the end of the exposition).
pub fn render_probe(success: bool, duration_s: f64, format: Format) -> String {
    let mut fam = Families::default();
    fam.add(
        "mcpmon_probe_success",
        format!("mcpmon_probe_success {}", u8::from(success)),
    );
    fam.add(
        "mcpmon_probe_duration_seconds",
        format!("mcpmon_probe_duration_seconds {duration_s}"),
    );
    fam.render(format)
}

/// Every server a report speaks of, in order of first mention (observations, then findings).
fn servers(report: &Report) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let names = report
        .observations
        .iter()
        .map(|o| o.target.as_str())
        .chain(report.findings.iter().map(|f| f.target.as_str()));
    for n in names {
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    out
}

/// The processes known behind a server: a process probe's, else a stdio server's own child.
fn processes<'a>(obs: impl Iterator<Item = &'a Observation>) -> Vec<&'a crate::model::ProcessInfo> {
    let mut probed = Vec::new();
    let mut child = Vec::new();
    for o in obs {
        match &o.facts {
            Facts::Process(p) => probed.extend(p.processes.iter()),
            Facts::Mcp(m) => child.extend(m.child.iter()),
            _ => {}
        }
    }
    if probed.is_empty() { child } else { probed }
}

/// The metadata of every family the exporter renders: (name, type, help).
pub const FAMILIES: &[(&str, &str, &str)] = &[
    (
        "mcp_server_up",
        "gauge",
        "Whether the server answers: 1 when its MCP connect check (or, for other targets, its verdict) is OK or WARN.",
    ),
    (
        "mcp_server_health_status",
        "gauge",
        "Verdict of the server's last check: 0 down (CRIT or UNKNOWN), 1 degraded (WARN), 2 healthy (OK).",
    ),
    (
        "mcp_server_tools",
        "gauge",
        "Tools the server listed at its last check.",
    ),
    (
        "mcp_request_duration_seconds",
        "histogram",
        "Latency of every MCP request of every check, by method.",
    ),
    (
        "mcp_server_cpu_usage_percent",
        "gauge",
        "CPU use of the server's processes during the last sample, in percent of one core.",
    ),
    (
        "mcp_server_memory_usage_bytes",
        "gauge",
        "Resident memory of the server's processes.",
    ),
    (
        "mcp_server_file_descriptors",
        "gauge",
        "Open file descriptors of the server's processes.",
    ),
    (
        "mcp_hub_server_up",
        "gauge",
        "Whether a hub reports a server of its config as connected (1) or not (0).",
    ),
    (
        "mcpmon_check_status",
        "gauge",
        "Verdict of each check: 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN.",
    ),
    (
        "mcpmon_target_last_check_timestamp_seconds",
        "gauge",
        "When the last check of the server completed, in Unix seconds.",
    ),
    (
        "mcpmon_probe_success",
        "gauge",
        "Whether the target checked by this /probe is up (1: its verdict is OK or WARN) or not (0).",
    ),
    (
        "mcpmon_probe_duration_seconds",
        "gauge",
        "How long the check of this /probe took, in seconds.",
    ),
    (
        "mcpmon_build_info",
        "gauge",
        "The mcpmon version serving these metrics (always 1).",
    ),
    (
        "mcpmon_scheduler_lag_seconds",
        "gauge",
        "How late the last scheduled check started, in seconds.",
    ),
    (
        "process_cpu_seconds_total",
        "counter",
        "CPU time used by mcpmon (user and system), in seconds.",
    ),
    (
        "process_resident_memory_bytes",
        "gauge",
        "Resident memory of mcpmon.",
    ),
    (
        "process_start_time_seconds",
        "gauge",
        "When mcpmon started, in Unix seconds.",
    ),
    (
        "process_open_fds",
        "gauge",
        "Open file descriptors of mcpmon.",
    ),
];

/// Sample lines grouped by family, rendered in `FAMILIES` order with HELP and TYPE (a family
/// without samples is left out).
#[derive(Default)]
struct Families(HashMap<&'static str, Vec<String>>);

impl Families {
    fn add(&mut self, family: &'static str, line: String) {
        self.0.entry(family).or_default().push(line);
    }

    fn render(&self, format: Format) -> String {
        let mut s = String::new();
        for (name, kind, help) in FAMILIES {
            let Some(lines) = self.0.get(name) else {
                continue;
            };
            // OpenMetrics names a counter's family without the `_total` of its sample
            let family = match (format, *kind) {
                (Format::OpenMetrics, "counter") => name.strip_suffix("_total").unwrap_or(name),
                _ => name,
            };
            let _ = writeln!(s, "# HELP {family} {help}");
            let _ = writeln!(s, "# TYPE {family} {kind}");
            for l in lines {
                s.push_str(l);
                s.push('\n');
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Finding, HubFacts, HubServer, McpFacts, RequestRecord, Wire};
    use std::time::Duration;

    fn mcp_report(name: &str, ok: bool, latencies_ms: &[u64]) -> Report {
        let facts = McpFacts {
            wire: Some(Wire::StreamableHttp),
            tools: Some(Ok(vec!["a".into(), "b".into()])),
            requests: latencies_ms
                .iter()
                .map(|&ms| RequestRecord {
                    method: "tools/list".into(),
                    latency: Duration::from_millis(ms),
                    http: None,
                    ok: true,
                })
                .collect(),
            ..Default::default()
        };
        let status = if ok { Status::Ok } else { Status::Crit };
        Report {
            command: "serve",
            generated_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            findings: vec![Finding::new(
                name,
                Kind::Mcp,
                "connect",
                status,
                None,
                String::new(),
            )],
            observations: vec![Observation {
                target: name.into(),
                endpoint: String::new(),
                started_at: chrono::Utc::now(),
                duration: Duration::ZERO,
                failure: None,
                facts: Facts::Mcp(Box::new(facts)),
            }],
            events: None,
            outbox: None,
        }
    }

    fn at(s: i64) -> DateTime<Utc> {
        chrono::DateTime::from_timestamp(s, 250_000_000).unwrap()
    }

    #[test]
    fn retain_drops_removed_targets_and_keeps_the_histograms_of_kept_ones() {
        let mut e = Exposition::new(["a".to_string(), "gone".to_string()]);
        e.record("a", mcp_report("a", true, &[3]), at(10));
        e.record("gone", mcp_report("gone", true, &[3]), at(10));
        e.record("gone", mcp_report("gone/sub", true, &[3]), at(10));
        e.retain(&["a".to_string(), "new".to_string()]);
        let text = e.render_targets(Format::Text);
        assert!(!text.contains("gone"), "{text}");
        assert!(
            text.contains(
                "mcp_request_duration_seconds_count{server=\"a\",method=\"tools/list\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains("mcp_server_up{server=\"a\""), "{text}");
        assert!(!e.complete(), "the new target has not been checked");
        let p = render_probe(true, 0.5, Format::Text);
        assert!(
            p.contains("# TYPE mcpmon_probe_success gauge\nmcpmon_probe_success 1\n"),
            "{p}"
        );
        assert!(p.contains("mcpmon_probe_duration_seconds 0.5\n"), "{p}");
    }

    #[test]
    fn up_health_tools_and_a_cumulative_histogram_with_escaped_labels() {
        let name = "a \"q\"\\b\nc";
        let mut e = Exposition::new([name.to_string(), "down".to_string()]);
        assert!(!e.complete());
        e.record(name, mcp_report(name, true, &[3, 40]), at(10));
        e.record(name, mcp_report(name, true, &[20_000]), at(20));
        e.record("down", mcp_report("down", false, &[]), at(20));
        assert!(e.complete());
        let text = e.render_targets(Format::Text);
        let l = "server=\"a \\\"q\\\"\\\\b\\nc\"";
        for want in [
            format!("mcp_server_up{{{l},transport=\"streamable_http\"}} 1\n"),
            "mcp_server_up{server=\"down\",transport=\"streamable_http\"} 0\n".to_string(),
            format!("mcp_server_health_status{{{l},transport=\"streamable_http\"}} 2\n"),
            "mcp_server_health_status{server=\"down\",transport=\"streamable_http\"} 0\n"
                .to_string(),
            format!("mcp_server_tools{{{l}}} 2\n"),
            format!(
                "mcp_request_duration_seconds_bucket{{{l},method=\"tools/list\",le=\"0.005\"}} 1\n"
            ),
            format!(
                "mcp_request_duration_seconds_bucket{{{l},method=\"tools/list\",le=\"0.05\"}} 2\n"
            ),
            format!(
                "mcp_request_duration_seconds_bucket{{{l},method=\"tools/list\",le=\"10\"}} 2\n"
            ),
            format!(
                "mcp_request_duration_seconds_bucket{{{l},method=\"tools/list\",le=\"+Inf\"}} 3\n"
            ),
            format!("mcp_request_duration_seconds_sum{{{l},method=\"tools/list\"}} 20.043\n"),
            format!("mcp_request_duration_seconds_count{{{l},method=\"tools/list\"}} 3\n"),
            format!("mcpmon_check_status{{{l},probe=\"mcp\",check=\"connect\"}} 0\n"),
            "mcpmon_check_status{server=\"down\",probe=\"mcp\",check=\"connect\"} 2\n".to_string(),
            format!("mcpmon_target_last_check_timestamp_seconds{{{l}}} 20.25\n"),
            "# TYPE mcp_request_duration_seconds histogram\n".to_string(),
        ] {
            assert!(text.contains(&want), "missing {want:?} in\n{text}");
        }
        // each family's samples are contiguous, after its TYPE line
        let mut seen: Vec<&str> = Vec::new();
        let mut current = "";
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                current = rest.split(' ').next().unwrap();
                assert!(!seen.contains(&current), "{current} declared twice");
                seen.push(current);
            } else if !line.starts_with('#') {
                assert!(line.starts_with(current), "{line} outside {current}");
            }
        }
    }

    #[test]
    fn hub_servers_and_a_check_reported_twice_is_one_series() {
        let hub = HubFacts {
            servers: vec![
                HubServer {
                    name: "ok".into(),
                    status: Some("connected".into()),
                    ..Default::default()
                },
                HubServer {
                    name: "gone".into(),
                    status: Some("disconnected".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let f = |s| Finding::new("hub", Kind::Hub, "server", s, None, String::new());
        let r = Report {
            command: "serve",
            generated_at: at(1),
            findings: vec![f(Status::Ok), f(Status::Warn)],
            observations: vec![Observation {
                target: "hub".into(),
                endpoint: String::new(),
                started_at: at(1),
                duration: Duration::ZERO,
                failure: None,
                facts: Facts::Hub(Box::new(hub)),
            }],
            events: None,
            outbox: None,
        };
        let mut e = Exposition::new(["hub".to_string()]);
        e.record("hub", r, at(2));
        let text = e.render_targets(Format::Text);
        assert!(text.contains("mcp_hub_server_up{hub=\"hub\",server=\"ok\"} 1\n"));
        assert!(text.contains("mcp_hub_server_up{hub=\"hub\",server=\"gone\"} 0\n"));
        assert_eq!(
            text.matches("mcpmon_check_status{server=\"hub\",probe=\"hub\",check=\"server\"}")
                .count(),
            1,
            "{text}"
        );
        assert!(text.contains("check=\"server\"} 1\n"));
        // not an MCP target: up follows the verdict (WARN is up), health is degraded
        assert!(text.contains("mcp_server_up{server=\"hub\"} 1\n"), "{text}");
        assert!(text.contains("mcp_server_health_status{server=\"hub\"} 1\n"));
    }

    #[test]
    fn about_families() {
        let text = render_about(
            &About {
                version: "1.2.3",
                scheduler_lag_s: Some(0.5),
                cpu_seconds: Some(1.25),
                rss_bytes: Some(1024),
                start_time_s: Some(1_700_000_000.0),
                open_fds: None,
            },
            Format::Text,
        );
        assert!(text.contains("mcpmon_build_info{version=\"1.2.3\"} 1\n"));
        assert!(text.contains(
            "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.25\n"
        ));
        assert!(text.contains("process_resident_memory_bytes 1024\n"));
        assert!(text.contains("mcpmon_scheduler_lag_seconds 0.5\n"));
        assert!(!text.contains("process_open_fds"), "{text}");
    }

    #[test]
    fn negotiate_picks_openmetrics_only_when_asked_for_first() {
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        for (accept, want) in [
            (Some(prometheus), Format::OpenMetrics),
            (Some("application/openmetrics-text"), Format::OpenMetrics),
            (
                Some("Application/OpenMetrics-Text; version=0.0.1"),
                Format::OpenMetrics,
            ),
            (
                Some("text/plain;q=0.5, application/openmetrics-text;q=0.9"),
                Format::OpenMetrics,
            ),
            (
                Some("text/plain, application/openmetrics-text;q=0.9"),
                Format::Text,
            ),
            (Some("application/openmetrics-text;q=0"), Format::Text),
            (Some("application/openmetrics-text;q=bad"), Format::Text),
            (Some("text/plain;version=0.0.4"), Format::Text),
            (Some("*/*"), Format::Text),
            (None, Format::Text),
        ] {
            assert_eq!(Format::negotiate(accept), want, "{accept:?}");
        }
        assert_eq!(
            Format::OpenMetrics.content_type(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        );
        assert_eq!(Format::Text.end(), "");
    }

    #[test]
    fn openmetrics_names_counters_without_total_and_writes_canonical_bucket_bounds() {
        let mut e = Exposition::new(["a".to_string()]);
        e.record("a", mcp_report("a", true, &[3, 1500]), at(10));
        let om = e.render_targets(Format::OpenMetrics);
        for want in [
            "# TYPE mcp_request_duration_seconds histogram\n",
            "mcp_request_duration_seconds_bucket{server=\"a\",method=\"tools/list\",le=\"0.005\"} 1\n",
            "mcp_request_duration_seconds_bucket{server=\"a\",method=\"tools/list\",le=\"1.0\"} 1\n",
            "mcp_request_duration_seconds_bucket{server=\"a\",method=\"tools/list\",le=\"10.0\"} 2\n",
            "mcp_request_duration_seconds_bucket{server=\"a\",method=\"tools/list\",le=\"+Inf\"} 2\n",
            "mcp_request_duration_seconds_count{server=\"a\",method=\"tools/list\"} 2\n",
        ] {
            assert!(om.contains(want), "missing {want:?} in\n{om}");
        }
        let text = e.render_targets(Format::Text);
        assert!(text.contains("le=\"1\"} 1\n"), "{text}");
        assert!(!om.contains("# EOF"), "the caller ends the exposition");
        let about = About {
            version: "1",
            cpu_seconds: Some(2.5),
            ..About::default()
        };
        let om = render_about(&about, Format::OpenMetrics);
        assert!(
            om.contains("# HELP process_cpu_seconds CPU time")
                && om.contains(
                    "# TYPE process_cpu_seconds counter\nprocess_cpu_seconds_total 2.5\n"
                ),
            "{om}"
        );
        assert!(
            render_about(&about, Format::Text)
                .contains("# TYPE process_cpu_seconds_total counter\n")
        );
        assert_eq!(Format::OpenMetrics.end(), "# EOF\n");
    }
}
