//! The history record: one observation as `history/YYYY-MM-DD.jsonl` keeps it. The writer (`store`) and
//! every reader (`anomalies`, `daily-summary`, the dashboard) use this one type.

use super::finding::Finding;
use super::observation::{Facts, Observation};
use super::status::{Status, worst};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
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
    /// The worst of the probe's findings: `ok`, `warn`, `crit`, `unknown` (any other name reads as
    /// UNKNOWN).
    pub status: Status,
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
                metrics.insert(f.check.to_string(), v);
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
            status,
            reason: reason.map(|r| r.as_str().to_string()),
            duration_ms: super::stats::ms3(obs.duration),
            metrics,
            tools,
            servers,
            uptime_s,
        }
    }
}

/// The line format's version (`v`).
pub const HISTORY_VERSION: u32 = 1;

/// The entry of a (target, kind) series in a nested map, inserted when missing; the keys are only
/// allocated for a new series (a reader files hundreds of thousands of lines into a few series).
/// Always `Some` (the lookups follow the inserts).
pub fn series_entry<'m, V: Default>(
    map: &'m mut BTreeMap<String, BTreeMap<String, V>>,
    target: &str,
    kind: &str,
) -> Option<&'m mut V> {
    if !map.contains_key(target) {
        map.insert(target.to_string(), BTreeMap::new());
    }
    let by_kind = map.get_mut(target)?;
    if !by_kind.contains_key(kind) {
        by_kind.insert(kind.to_string(), V::default());
    }
    by_kind.get_mut(kind)
}

/// A history line as a reader sees it: borrowed from the line, only the fields readers use (the rest
/// is skipped unparsed), so reading a month of history allocates little per line.
#[derive(Debug, Deserialize)]
pub struct HistoryLine<'a> {
    #[serde(borrow)]
    pub at: Cow<'a, str>,
    #[serde(borrow)]
    pub target: Cow<'a, str>,
    #[serde(borrow)]
    pub kind: Cow<'a, str>,
    /// A status this version does not know is UNKNOWN (never OK).
    pub status: Status,
    #[serde(default, borrow)]
    pub reason: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    pub metrics: Pairs<'a>,
    #[serde(default, borrow)]
    pub tools: Option<BTreeMap<Cow<'a, str>, Cow<'a, str>>>,
    #[serde(default, borrow)]
    pub uptime_s: Pairs<'a>,
}

/// A JSON object of numbers as a short list of pairs (no map built per line).
#[derive(Debug, Default)]
pub struct Pairs<'a>(pub Vec<(Cow<'a, str>, f64)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of numbers")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<Pairs<'a>, M::Error> {
                let mut v = Vec::with_capacity(m.size_hint().unwrap_or(4));
                while let Some((k, x)) = m.next_entry::<Cow<'de, str>, f64>()? {
                    v.push((k, x));
                }
                Ok(Pairs(v))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl Pairs<'_> {
    pub fn get(&self, key: &str) -> Option<f64> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

/// Parses the `at` of a line: the fixed RFC 3339 form mcpmon writes (`YYYY-MM-DDTHH:MM:SS[.f…]Z`)
/// directly, anything else through chrono.
pub fn parse_at(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in b.get(r)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    let fast = (|| {
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        if *b.last()? != b'Z' {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
        let mut nanos = 0u32;
        let frac = &b[19..b.len() - 1];
        if !frac.is_empty() {
            if frac[0] != b'.' || frac.len() > 10 || frac.len() < 2 {
                return None;
            }
            let digits = num(20..b.len() - 1)?;
            nanos = digits * 10u32.pow(10 - frac.len() as u32);
        }
        let time =
            chrono::NaiveTime::from_hms_nano_opt(num(11..13)?, num(14..16)?, num(17..19)?, nanos)?;
        Some(date.and_time(time).and_utc())
    })();
    fast.or_else(|| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    })
}
