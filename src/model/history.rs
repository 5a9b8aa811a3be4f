//! The history record: one observation as `history/YYYY-MM-DD.jsonl` keeps it. The writer (`store`) and
//! every reader (`anomalies`, `daily-summary`, the dashboard) use this one type.

use super::finding::Finding;
use super::observation::{Facts, Observation};
use super::status::{Status, worst};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One observation as history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub v: u32,
    /// When the observation started (RFC 3339, UTC).
    pub at: DateTime<Utc>,
    /// What wrote it: `record:light`, `record:full`, `health`, `validate`.
    pub source: String,
    pub target: String,
    /// The probe kind: `mcp`, `hub`, `http`, `log`, `process`, `host`.
    pub kind: String,
    /// The worst of the probe's findings: `ok`, `warn`, `crit`, `unknown`.
    pub status: String,
    /// Why the probe could not look, or the first non-OK finding's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub duration_ms: f64,
    /// The numbers of the probe's findings by check: `handshake`/`liveness` ms, `tools` count,
    /// `process_cpu` %, `log_errors`, …
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
    /// `mcp` full rounds: tool name → hash of its `inputSchema` (16 hex digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<BTreeMap<String, String>>,
    /// `hub`: server name → status (`connected`, `disconnected`, `disabled`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servers: Option<BTreeMap<String, String>>,
    /// Seconds since start: the hub's servers by name, the process as `process`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub uptime_s: BTreeMap<String, f64>,
}

impl Record {
    /// The history line of one observation, with the findings that judge it.
    pub fn of(obs: &Observation, findings: &[Finding], source: &str) -> Record {
        let kind = obs.kind();
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.target == obs.target && f.probe == kind)
            .collect();
        let status = worst(mine.iter().map(|f| f.status));
        let reason = obs.failure.as_ref().map(|f| f.reason).or_else(|| {
            mine.iter()
                .find(|f| f.status != Status::Ok)
                .and_then(|f| f.reason)
        });
        let mut metrics = BTreeMap::new();
        for f in &mine {
            if let Some(v) = f.value.filter(|v| v.is_finite()) {
                metrics.insert(f.check.clone(), v);
            }
        }
        let mut uptime_s = BTreeMap::new();
        let mut tools = None;
        let mut servers = None;
        match &obs.facts {
            Facts::Mcp(m) if !m.tool_schemas.is_empty() => {
                tools = Some(m.tool_schemas.clone());
            }
            Facts::Hub(h) if !h.servers.is_empty() => {
                let mut map = BTreeMap::new();
                for s in &h.servers {
                    map.insert(
                        s.name.clone(),
                        s.status.clone().unwrap_or_else(|| "unknown".into()),
                    );
                    if let Some(u) = s.uptime_s {
                        uptime_s.insert(s.name.clone(), u);
                    }
                }
                servers = Some(map);
            }
            Facts::Process(p) => {
                if let Some(u) = p.processes.first().and_then(|i| i.uptime_s) {
                    uptime_s.insert("process".into(), u);
                }
            }
            _ => {}
        }
        Record {
            v: HISTORY_VERSION,
            at: obs.started_at,
            source: source.to_string(),
            target: obs.target.clone(),
            kind: kind.as_str().to_string(),
            status: status.as_str().to_string(),
            reason: reason.map(|r| r.as_str().to_string()),
            duration_ms: (obs.duration.as_secs_f64() * 1e6).round() / 1e3,
            metrics,
            tools,
            servers,
            uptime_s,
        }
    }
}

/// The line format's version (`v`).
pub const HISTORY_VERSION: u32 = 1;
