//! The dashboard's data model: one row per target, built from a health round's `Report` (the same data
//! `health --format json` prints), plus the latency trend each target keeps across rounds (started from
//! history when there is one). Shared by the live view and `--once`.

use crate::model::Facts;
use crate::model::Status;
use crate::report::Report;

use std::collections::{BTreeMap, VecDeque};

/// Latency samples kept per target for the sparkline.
pub const TREND: usize = 30;

/// One target on the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub target: String,
    pub status: Status,
    /// `streamable_http 2025-11-25`, `hub ready`, `log`, …
    pub transport: String,
    pub latency_ms: Option<f64>,
    pub tools: Option<usize>,
    pub uptime_s: Option<f64>,
    pub cpu_percent: Option<f64>,
    pub memory_percent: Option<f64>,
    /// Resident memory of the server's process (a stdio server mcpmon started, a `process` probe).
    pub rss_bytes: Option<u64>,
    /// Every finding of the target: (status, check, message).
    pub checks: Vec<(Status, String, String)>,
    /// The target's last failure, with stderr context (stdio).
    pub last_error: Option<String>,
    pub stderr_tail: Vec<String>,
    pub tool_names: Vec<String>,
}

impl Row {
    /// A target whose first check has not ended yet.
    pub fn pending(target: &str) -> Row {
        Row {
            target: target.to_string(),
            status: Status::Unknown,
            transport: "checking…".into(),
            latency_ms: None,
            tools: None,
            uptime_s: None,
            cpu_percent: None,
            memory_percent: None,
            rss_bytes: None,
            checks: Vec::new(),
            last_error: None,
            stderr_tail: Vec::new(),
            tool_names: Vec::new(),
        }
    }
}

/// What the screen shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    pub rows: Vec<Row>,
    /// `hub 127.0.0.1:37373 ready` for each hub.
    pub hubs: Vec<String>,
    /// Non-OK findings: `target check: message`.
    pub alerts: Vec<(Status, String)>,
    /// The log probes' newest errors: `log name: N errors, last: …`.
    pub log_errors: Vec<String>,
    pub updated: Option<chrono::DateTime<chrono::Utc>>,
    /// Latency trend per target (oldest first).
    pub trend: BTreeMap<String, VecDeque<f64>>,
    /// The targets in the order they were given (rows appear as their first check ends).
    pub order: Vec<String>,
    /// Each target's non-OK findings, kept per target so one target's round replaces only its own.
    alerts_by_target: BTreeMap<String, Vec<(Status, String)>>,
    /// Each hub target's line, and each log target's newest errors, kept by target name (a round of
    /// target `a` must not touch the line of target `a b`).
    hub_by_target: BTreeMap<String, String>,
    log_errors_by_target: BTreeMap<String, String>,
}

impl Model {
    /// A model for these targets, in this order, before any round: every target has a row at once
    /// (UNKNOWN, `checking…`) that its first check replaces.
    pub fn with_order(order: Vec<String>) -> Model {
        Model {
            rows: order.iter().map(|n| Row::pending(n)).collect(),
            order,
            ..Model::default()
        }
    }

    /// Folds a round in (of every target or of some): their rows are replaced, the others kept, the
    /// trend grows (bounded).
    pub fn update(&mut self, report: &Report) {
        let mut rows: Vec<Row> = Vec::new();
        for t in report.targets() {
            let mut row = Row {
                status: report.target_status(t),
                transport: String::new(),
                checks: report
                    .findings
                    .iter()
                    .filter(|f| f.target == t)
                    .map(|f| (f.status, f.check.to_string(), f.message.clone()))
                    .collect(),
                ..Row::pending(t)
            };
            for o in report.observations.iter().filter(|o| o.target == t) {
                if let Some(f) = &o.failure {
                    row.last_error = Some(format!("{}: {}", f.reason, f.message));
                }
                match &o.facts {
                    Facts::Mcp(m) => {
                        row.transport = match (&m.wire, &m.revision) {
                            (Some(w), Some(r)) => format!("{} {r}", w.as_str()),
                            (Some(w), None) => w.as_str().to_string(),
                            _ => "mcp".into(),
                        };
                        row.latency_ms = m
                            .liveness
                            .as_ref()
                            .and_then(|(_, r)| r.as_ref().ok())
                            .map(|d| d.as_secs_f64() * 1000.0);
                        if let Some(Ok(names)) = &m.tools {
                            row.tools = Some(names.len());
                            row.tool_names = names.clone();
                        }
                        if let Some(c) = &m.child {
                            row.uptime_s = c.uptime_s;
                            row.cpu_percent = c.cpu_percent;
                            row.memory_percent = c.memory_percent;
                            row.rss_bytes = c.rss_bytes;
                        }
                        row.stderr_tail = crate::model::stderr_short(&m.stderr_tail, 5)
                            .into_iter()
                            .map(String::from)
                            .collect();
                    }
                    Facts::Hub(h) => {
                        let state = h.state.clone().unwrap_or_else(|| "?".into());
                        if row.transport.is_empty() {
                            row.transport = format!("hub {state}");
                        }
                        self.hub_by_target
                            .insert(t.to_string(), format!("{t} {state}"));
                        row.latency_ms = row
                            .latency_ms
                            .or(h.latency.map(|d| d.as_secs_f64() * 1000.0));
                        row.tools = row.tools.or(h.registered.as_ref().and_then(|c| c.tools));
                    }
                    Facts::Http(_) if row.transport.is_empty() => row.transport = "http".into(),
                    Facts::Tcp(f) => {
                        if row.transport.is_empty() {
                            row.transport = if f.tls.is_some() { "tcp+tls" } else { "tcp" }.into();
                        }
                        row.latency_ms = row
                            .latency_ms
                            .or(f.connect.map(|d| d.as_secs_f64() * 1000.0));
                    }
                    Facts::Cert(_) if row.transport.is_empty() => row.transport = "cert".into(),
                    Facts::Log(l) => {
                        if row.transport.is_empty() {
                            row.transport = "log".into();
                        }
                        let errors = l.levels.get("error").copied().unwrap_or(0);
                        // this round's count replaces the last one (none once the errors are gone)
                        self.log_errors_by_target.remove(t);
                        if errors > 0 {
                            self.log_errors_by_target.insert(
                                t.to_string(),
                                format!(
                                    "{t}: {errors} errors in the last {} entries{}",
                                    l.entries_read,
                                    l.last_error
                                        .as_deref()
                                        .map(|e| format!("; last: {e}"))
                                        .unwrap_or_default()
                                ),
                            );
                        }
                    }
                    Facts::Process(p) => {
                        if row.transport.is_empty() {
                            row.transport = "process".into();
                        }
                        if let Some(i) = p.processes.first() {
                            row.uptime_s = row.uptime_s.or(i.uptime_s);
                            row.cpu_percent = i.cpu_percent;
                            row.memory_percent = i.memory_percent;
                            row.rss_bytes = i.rss_bytes;
                        }
                    }
                    Facts::Host(_) if row.transport.is_empty() => row.transport = "host".into(),
                    _ => {}
                }
            }
            if let Some(ms) = row.latency_ms {
                let q = self.trend.entry(t.to_string()).or_default();
                q.push_back(ms);
                while q.len() > TREND {
                    q.pop_front();
                }
            }
            self.alerts_by_target.insert(
                t.to_string(),
                report
                    .findings
                    .iter()
                    .filter(|f| f.target == t && f.status != Status::Ok)
                    .map(|f| (f.status, format!("{} {}: {}", f.target, f.check, f.message)))
                    .collect(),
            );
            rows.push(row);
        }
        for row in rows {
            match self.rows.iter_mut().find(|r| r.target == row.target) {
                Some(old) => *old = row,
                None => self.rows.push(row),
            }
        }
        let order = self.order.clone();
        self.rows.sort_by_key(|r| {
            order
                .iter()
                .position(|o| *o == r.target)
                .unwrap_or(usize::MAX)
        });
        let in_order = |by: &BTreeMap<String, String>| -> Vec<String> {
            let rows = self.rows.iter().filter_map(|r| by.get(&r.target));
            rows.cloned().collect()
        };
        self.hubs = in_order(&self.hub_by_target);
        self.log_errors = in_order(&self.log_errors_by_target);
        self.alerts = self
            .rows
            .iter()
            .flat_map(|r| {
                self.alerts_by_target
                    .get(&r.target)
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        self.updated = Some(report.generated_at);
    }

    /// Counts of targets by status: (ok, warn, crit, unknown).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let n = |s: Status| self.rows.iter().filter(|r| r.status == s).count();
        (
            n(Status::Ok),
            n(Status::Warn),
            n(Status::Crit),
            n(Status::Unknown),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use crate::model::{Finding, LogFacts, Observation};

    fn log_round(errors: usize) -> Report {
        let mut l = LogFacts::default();
        l.levels.insert("error".into(), errors);
        l.entries_read = 40;
        Report {
            command: "dashboard",
            generated_at: chrono::Utc::now(),
            findings: vec![Finding::new(
                "log",
                Kind::Log,
                "log_errors",
                Status::Ok,
                None,
                "…".into(),
            )],
            observations: vec![Observation {
                target: "log".into(),
                endpoint: String::new(),
                started_at: chrono::Utc::now(),
                duration: std::time::Duration::ZERO,
                failure: None,
                facts: Facts::Log(Box::new(l)),
            }],
            events: None,
            outbox: None,
        }
    }

    #[test]
    fn log_errors_follow_the_latest_round() {
        let mut m = Model::with_order(vec!["log".into()]);
        m.update(&log_round(3));
        assert_eq!(m.log_errors, ["log: 3 errors in the last 40 entries"]);
        m.update(&log_round(5));
        assert_eq!(m.log_errors, ["log: 5 errors in the last 40 entries"]);
        m.update(&log_round(0));
        assert!(m.log_errors.is_empty(), "{:?}", m.log_errors);
    }

    #[test]
    fn a_hub_named_like_the_start_of_another_leaves_its_line_alone() {
        let hub = |t: &str, state: &str| {
            let h = crate::model::HubFacts {
                state: Some(state.into()),
                ..Default::default()
            };
            let mut r = log_round(0);
            r.findings[0].target = t.into();
            r.observations[0].target = t.into();
            r.observations[0].facts = Facts::Hub(Box::new(h));
            r
        };
        let mut m = Model::with_order(vec!["a".into(), "a b".into()]);
        m.update(&hub("a b", "ready"));
        m.update(&hub("a", "starting"));
        assert_eq!(m.hubs, ["a starting", "a b ready"]);
        // a round of `a` replaces only a's line
        m.update(&hub("a", "ready"));
        assert_eq!(m.hubs, ["a ready", "a b ready"]);
    }
}
