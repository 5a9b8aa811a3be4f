//! The Report every subcommand produces, and its renderers. Renderers are pure:
//! `render(&Report, options, &mut dyn Write)`; JSON wire structs live only in `json.rs`.

pub mod checklist;
pub mod daily;
pub mod json;
pub mod nagios;
pub mod prometheus;
pub mod table;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;

use crate::model::Observation;
use crate::model::Status;
use crate::model::worst;
use crate::model::{AlertEvent, Finding};
use chrono::{DateTime, Utc};
use clap::ValueEnum;

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
