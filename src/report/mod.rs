//! The Report every subcommand produces, and its renderers. Renderers are pure:
//! `render(&Report, options, &mut dyn Write)`; JSON wire structs live only in `json.rs`.

pub mod checklist;
pub mod csv;
pub mod daily;
pub mod exposition;
pub mod fit;
pub mod json;
pub mod markdown;
pub mod nagios;
pub mod prometheus;
pub mod silences;
pub mod table;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;

use crate::model::Observation;
use crate::model::Pending;
use crate::model::Status;
use crate::model::worst;
use crate::model::{AlertEvent, Finding};
use chrono::{DateTime, Utc};
use clap::ValueEnum;

/// How a report is shown for people, beyond the findings every format carries: the machine formats
/// (`json`, `jsonl`, `nagios`, `prometheus`) ignore it (but for `Silences`, which every format
/// shows); `table` and `markdown` follow it.
#[derive(Debug, Clone, Default)]
pub enum View {
    /// The findings table (`health`, `measure`).
    #[default]
    Findings,
    /// `alerts`: the findings table, then the checks that are bad but not firing yet (with why) and
    /// this run's alert events.
    Alerts { pending: Vec<Pending> },
    /// `validate`, `anomalies`: a checklist by section (key and heading, in order).
    Checklist {
        sections: Vec<(&'static str, String)>,
        /// What an OK verdict is called when it is less than a clean bill of health (`anomalies`
        /// with too little history: nothing was judged against a baseline).
        ok_word: Option<String>,
    },
    /// `daily-summary`: the day's report (terminal sections, or Markdown).
    Daily(Box<daily::Daily>),
    /// `silence`: the silences (in force, or the one added or removed), in every format, json
    /// included (the report itself has no findings).
    Silences(Vec<crate::model::Silence>),
}

/// What the renderers may know about the terminal, resolved once by the caller.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub color: bool,
    /// The terminal's width in columns; none when it is not a terminal (no limit).
    pub width: Option<u16>,
}

/// The only way a report is written, in any format: pure, into `out`.
pub fn render(
    report: &Report,
    view: &View,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match (format, view) {
        (_, View::Silences(list)) => silences::render(report, list, format, opts.width, out),
        (Format::Json, _) => json::render(report, out),
        (Format::Jsonl, _) => json::render_line(report, out),
        (Format::Nagios, _) => nagios::render(report, out),
        (Format::Prometheus, _) => prometheus::render(report, out),
        (Format::Csv, View::Daily(d)) => csv::render_daily(d, out),
        (Format::Csv, _) => csv::render(report, out),
        (Format::Table, View::Checklist { sections, ok_word }) => {
            let sections: Vec<(&str, &str)> =
                sections.iter().map(|(k, h)| (*k, h.as_str())).collect();
            checklist::render(
                report,
                &sections,
                ok_word.as_deref(),
                table_options(opts),
                out,
            )
        }
        (Format::Table | Format::Markdown, View::Daily(d)) => {
            daily::render(d, format == Format::Markdown, table_options(opts), out)
        }
        (Format::Table, View::Alerts { pending }) => {
            table::render(report, table_options(opts), out)?;
            silences::alert_lines(&report.findings, &crate::term::sanitize, opts.width, out)?;
            table::alert_lines(report, pending, opts.width, out)
        }
        (Format::Table, View::Findings) => table::render(report, table_options(opts), out),
        (Format::Markdown, _) => markdown::render(report, out),
    }
}

/// `render` into a buffer (writing into a Vec cannot fail).
pub fn to_bytes(report: &Report, view: &View, format: Format, opts: &RenderOptions) -> Vec<u8> {
    let mut buf = Vec::new();
    let res = render(report, view, format, opts, &mut buf);
    debug_assert!(res.is_ok());
    buf
}

fn table_options(opts: &RenderOptions) -> table::TableOptions {
    table::TableOptions {
        color: opts.color,
        width: opts.width,
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
    /// `alerts` only: the notifications still waiting in the outbox after this run's deliveries.
    pub outbox: Option<Vec<crate::model::OutboxEntry>>,
}

impl Report {
    /// Makes every string safe for any output (`model::secret::tidy`): known secrets a server echoed
    /// replaced, control and bidi characters written out. Done once a round is over, before anything is
    /// rendered, recorded or sent.
    pub fn tidy(&mut self) {
        use crate::model::Texts;
        let f = &mut crate::model::secret::tidy;
        self.findings.each_text(f);
        self.observations.each_text(f);
        for e in self.events.iter_mut().flatten() {
            f(&mut e.target);
            f(&mut e.message);
        }
        for o in self.outbox.iter_mut().flatten() {
            o.last_error.each_text(f);
        }
    }

    /// `alerts`: this run's remediation events (`on_fire`), which every format shows.
    pub fn actions(&self) -> impl Iterator<Item = &AlertEvent> {
        self.events.iter().flatten().filter(|e| e.event.is_action())
    }

    /// What `alerts` notifies about this report: its overall status, exit code and events.
    pub fn notification<'a>(&'a self, host: &'a str) -> crate::notify::Notification<'a> {
        let status = self.status();
        crate::notify::Notification {
            command: self.command,
            generated_at: self.generated_at,
            status,
            exit_code: status.exit_code(),
            events: self.events.as_deref().unwrap_or(&[]),
            host,
            firing: &[],
        }
    }

    /// `alerts`: how many alerts fire but are silenced.
    pub fn silenced(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.silenced.is_some())
            .count()
    }

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
    /// The same document on one line (one line per round when a command repeats).
    Jsonl,
    /// A Nagios/Icinga plugin line with perfdata.
    Nagios,
    /// Prometheus text exposition (node_exporter textfile collector).
    Prometheus,
    /// Markdown: a table of findings; daily-summary's whole report (for an email, a chat, a wiki).
    Markdown,
    /// CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period
    /// and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet).
    Csv,
}
