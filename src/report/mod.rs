//! The Report every subcommand produces, and its renderers. Renderers are pure:
//! `render(&Report, options, &mut dyn Write)`; JSON wire structs live only in `json.rs`.

pub mod checklist;
pub mod daily;
pub mod json;
pub mod nagios;
pub mod prometheus;
pub mod table;

use crate::failure::Reason;
use crate::probe::Observation;
use crate::status::{Status, worst};
use chrono::{DateTime, Utc};
use clap::ValueEnum;

/// One judged check.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub target: String,
    /// The kind of probe whose observation this judges (a target can carry several).
    pub probe: crate::probe::Kind,
    pub check: String,
    pub status: Status,
    pub reason: Option<Reason>,
    pub message: String,
    pub value: Option<f64>,
    pub warn: Option<f64>,
    pub crit: Option<f64>,
    /// What `value`, `warn` and `crit` are measured in.
    pub unit: Option<Unit>,
    /// The bounds are lower limits (a success rate, days to expiry): crossing means going below.
    pub lower_is_worse: bool,
    /// `validate`'s report section; none elsewhere.
    pub section: Option<&'static str>,
}

/// Units of finding values; renderers convert to their own conventions (Prometheus: base units).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Ms,
    Percent,
    Bytes,
    /// 10^6 bytes.
    MB,
    /// 2^20 bytes.
    MiB,
    Days,
    Count,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Ms => "ms",
            Unit::Percent => "%",
            Unit::Bytes => "B",
            Unit::MB => "MB",
            Unit::MiB => "MiB",
            Unit::Days => "d",
            Unit::Count => "count",
        }
    }
}

impl Finding {
    pub fn new(
        target: &str,
        check: &str,
        status: Status,
        reason: Option<Reason>,
        message: String,
    ) -> Self {
        Finding {
            target: target.into(),
            probe: crate::probe::Kind::Mcp,
            check: check.into(),
            status,
            reason,
            message,
            value: None,
            warn: None,
            crit: None,
            unit: None,
            lower_is_worse: false,
            section: None,
        }
    }

    pub fn unit(mut self, u: Unit) -> Self {
        self.unit = Some(u);
        self
    }

    /// Marks the bounds as lower limits (crossing means going below).
    pub fn lower_is_worse(mut self) -> Self {
        self.lower_is_worse = true;
        self
    }

    pub fn value(mut self, v: f64) -> Self {
        self.value = Some(v);
        self
    }

    pub fn bounds(mut self, warn: Option<f64>, crit: Option<f64>) -> Self {
        self.warn = warn;
        self.crit = crit;
        self
    }
}

/// The result of one run of a subcommand.
#[derive(Debug, Clone)]
pub struct Report {
    pub command: &'static str,
    pub generated_at: DateTime<Utc>,
    pub findings: Vec<Finding>,
    pub observations: Vec<Observation>,
    /// `alerts` only: what changed this run (fired, escalated, resolved).
    pub events: Option<Vec<AlertEvent>>,
}

/// One alert state change.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertEvent {
    pub target: String,
    pub probe: crate::probe::Kind,
    pub check: String,
    /// `firing`, `escalated`, `deescalated`, `resolved`.
    pub event: &'static str,
    pub status: Status,
    pub message: String,
}

impl Report {
    /// The overall verdict: the worst finding.
    pub fn status(&self) -> Status {
        worst(self.findings.iter().map(|f| f.status))
    }

    /// The verdict of one target: the worst of its findings.
    pub fn target_status(&self, target: &str) -> Status {
        worst(
            self.findings
                .iter()
                .filter(|f| f.target == target)
                .map(|f| f.status),
        )
    }

    /// Target names in report order.
    pub fn targets(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for f in &self.findings {
            if !seen.contains(&f.target.as_str()) {
                seen.push(&f.target);
            }
        }
        seen
    }

    /// Per-status counts of targets: (ok, warn, crit, unknown).
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for t in self.targets() {
            match self.target_status(t) {
                Status::Ok => c.ok += 1,
                Status::Warn => c.warn += 1,
                Status::Crit => c.crit += 1,
                Status::Unknown => c.unknown += 1,
            }
        }
        c
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub ok: usize,
    pub warn: usize,
    pub crit: usize,
    pub unknown: usize,
}

impl Counts {
    pub fn total(&self) -> usize {
        self.ok + self.warn + self.crit + self.unknown
    }
}

/// Values as bars scaled from their own minimum to their maximum (`·` for a missing one): the
/// daily report's hourly latency and the dashboard's trend.
pub fn sparkline(values: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (lo, hi) = values
        .iter()
        .flatten()
        .fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
    values
        .iter()
        .map(|v| match v {
            None => '·',
            Some(_) if hi - lo < 1e-9 => BARS[0],
            Some(v) => BARS[(((v - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize],
        })
        .collect()
}

/// Output formats (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people (default).
    Table,
    /// One JSON document (schema in README).
    Json,
    /// The same document on one line; with --watch, one line per round.
    Jsonl,
    /// A Nagios/Icinga plugin line with perfdata.
    Nagios,
    /// Prometheus text exposition (node_exporter textfile collector).
    Prometheus,
    /// Markdown: a table of findings; daily-summary's whole report (for an email, a chat, a wiki).
    Markdown,
}
