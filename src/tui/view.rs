//! The dashboard's screen as lines of text for a given size: a header with counts, hub state and the
//! last update; the target table (status, transport and revision, latency now and its sparkline,
//! tools, uptime, CPU and memory); alerts and anomalies; the logs' recent errors; a key line. Also
//! the details of one target and the help. Pure (model + UI state + size → lines), so it is tested
//! without a terminal and the live view and `--once` draw the same thing.

use super::model::{Model, Row};
use crate::model::Status;
use crate::report::table::paint;

use crate::term::sanitize;

/// What the person is looking at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Table,
    Details,
    Help,
    /// Typing a filter after `/`.
    Filter,
}

/// The interactive state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ui {
    pub selected: usize,
    pub mode: Mode,
    pub filter: String,
    /// `every 5 s` or `snapshot`.
    pub refresh: String,
    /// A round is running now.
    pub busy: bool,
}

/// The newest `width` samples as a sparkline, padded to `width`.
fn spark(values: &[f64], width: usize) -> String {
    let newest: Vec<Option<f64>> = values[values.len().saturating_sub(width)..]
        .iter()
        .map(|v| Some(*v))
        .collect();
    format!("{:<width$}", crate::report::sparkline(&newest))
}

/// Cuts a line to `width` characters (display columns for the text mcpmon draws).
fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn uptime(s: Option<f64>) -> String {
    s.map_or_else(|| "–".into(), crate::model::human::span_secs)
}

/// A process's memory: its RSS when known (`67.7 MiB`), else its share of the host.
fn memory(r: &Row) -> String {
    match r.rss_bytes {
        Some(b) => crate::model::human::bytes_binary(b as f64),
        None => num(r.memory_percent, "%"),
    }
}

fn num(v: Option<f64>, unit: &str) -> String {
    v.map(|v| format!("{v:.1}{unit}"))
        .unwrap_or_else(|| "–".into())
}

/// The rows shown under the filter.
pub fn visible<'a>(m: &'a Model, ui: &Ui) -> Vec<&'a Row> {
    let f = ui.filter.to_lowercase();
    m.rows
        .iter()
        .filter(|r| f.is_empty() || r.target.to_lowercase().contains(&f))
        .collect()
}

/// The screen for `width` × `height` (height `usize::MAX`: everything, for `--once`).
pub fn lines(m: &Model, ui: &Ui, width: usize, height: usize, color: bool) -> Vec<String> {
    let width = width.max(20);
    let mut out: Vec<(String, Option<Status>, bool)> = Vec::new();
    let (ok, warn, crit, unknown) = m.counts();
    let when = match m.updated {
        Some(t) => format!(
            "updated {}",
            t.with_timezone(&chrono::Local).format("%H:%M:%S")
        ),
        None => "waiting for the first round".into(),
    };
    out.push((
        format!(
            "mcpmon dashboard — {}: {ok} healthy · {warn} warning · {crit} critical · {unknown} unknown",
            crate::model::human::count(m.rows.len(), "target", "targets")
        ),
        Some(crate::model::worst(m.rows.iter().map(|r| r.status))),
        false,
    ));
    let mut sub = format!(
        "{when} ({}){}",
        ui.refresh,
        if ui.busy { " · checking…" } else { "" }
    );
    if !m.hubs.is_empty() {
        sub.push_str(&format!(" · {}", m.hubs.join(" · ")));
    }
    if !ui.filter.is_empty() || ui.mode == Mode::Filter {
        sub.push_str(&format!(
            " · filter: {}{}",
            ui.filter,
            if ui.mode == Mode::Filter { "▏" } else { "" }
        ));
    }
    out.push((sub, None, false));
    out.push((String::new(), None, false));

    let rows = visible(m, ui);
    match ui.mode {
        Mode::Help => {
            for l in [
                "Keys",
                "  q, Esc, Ctrl-C   quit",
                "  r                refresh now",
                "  ↑ ↓, j k         select a target",
                "  Enter, d         details: every check, the last error, the tool list",
                "  /                filter targets by name (Enter keeps it, Esc clears it)",
                "  ?                this help (any key returns)",
            ] {
                out.push((l.to_string(), None, false));
            }
        }
        Mode::Details => match rows.get(ui.selected) {
            None => out.push(("no target selected".into(), None, false)),
            Some(r) => {
                out.push((
                    format!("{} — {} {}", r.target, r.status.label(), r.transport),
                    Some(r.status),
                    false,
                ));
                for (st, check, msg) in &r.checks {
                    out.push((
                        format!("  {:<7} {check}: {msg}", st.label()),
                        Some(*st),
                        false,
                    ));
                }
                if let Some(e) = &r.last_error {
                    out.push((format!("last error: {e}"), Some(Status::Crit), false));
                }
                for l in &r.stderr_tail {
                    out.push((format!("  stderr: {l}"), None, false));
                }
                if !r.tool_names.is_empty() {
                    out.push((
                        format!(
                            "tools ({}): {}",
                            r.tool_names.len(),
                            r.tool_names.join(", ")
                        ),
                        None,
                        false,
                    ));
                }
                out.push(("(Esc or d: back)".into(), None, false));
            }
        },
        Mode::Table | Mode::Filter => {
            // columns by width: everything from 112 columns, narrower transport and trend from 96,
            // and below that no CPU and memory (the details view has them)
            // the target column takes what the others leave: 41 columns of fixed ones and spaces,
            // 16 more for CPU and MEM
            let left = |xw: usize, sw: usize, resources: bool| {
                width.saturating_sub(41 + xw + sw + if resources { 16 } else { 0 })
            };
            let (tw, xw, sw, resources) = if width >= 112 {
                (left(28, 12, true).clamp(12, 32), 28, 12, true)
            } else if width >= 96 {
                (left(16, 8, true).clamp(12, 16), 16, 8, true)
            } else {
                (14, 14, 8, false)
            };
            let mut head = format!(
                "  {:<tw$} {:<7} {:<xw$} {:>9} {:<sw$} {:>5} {:>11}",
                "TARGET", "STATUS", "TRANSPORT", "LATENCY", "TREND", "TOOLS", "UPTIME"
            );
            if resources {
                head.push_str(&format!(" {:>6} {:>8}", "CPU", "MEM"));
            }
            out.push((head, None, false));
            if rows.is_empty() {
                out.push(("  (no target matches)".into(), None, false));
            }
            for (i, r) in rows.iter().enumerate() {
                let trend: Vec<f64> = m
                    .trend
                    .get(&r.target)
                    .map(|q| q.iter().copied().collect())
                    .unwrap_or_default();
                let mut line = format!(
                    "{} {:<tw$} {:<7} {:<xw$} {:>9} {} {:>5} {:>11}",
                    if i == ui.selected { "›" } else { " " },
                    fit(&sanitize(&r.target), tw),
                    r.status.label(),
                    fit(&r.transport, xw),
                    num(r.latency_ms, " ms"),
                    spark(&trend, sw),
                    r.tools.map(|t| t.to_string()).unwrap_or_else(|| "–".into()),
                    uptime(r.uptime_s),
                );
                if resources {
                    line.push_str(&format!(" {:>6} {:>8}", num(r.cpu_percent, "%"), memory(r)));
                }
                out.push((line, Some(r.status), i == ui.selected));
            }
            out.push((String::new(), None, false));
            out.push((
                format!("Alerts and anomalies ({})", m.alerts.len()),
                None,
                false,
            ));
            if m.alerts.is_empty() {
                out.push(("  none".into(), Some(Status::Ok), false));
            }
            for (st, a) in &m.alerts {
                out.push((
                    format!("  {:<7} {}", st.label(), sanitize(a)),
                    Some(*st),
                    false,
                ));
            }
            if !m.log_errors.is_empty() {
                out.push((String::new(), None, false));
                out.push(("Recent log errors".into(), None, false));
                for e in &m.log_errors {
                    out.push((format!("  {}", sanitize(e)), Some(Status::Warn), false));
                }
            }
        }
    }

    // fit the height: the key line stays at the bottom, the body is cut with a note
    let keys = "q quit · r refresh · ↑↓ select · Enter details · / filter · ? help".to_string();
    let room = height.saturating_sub(1);
    if out.len() > room {
        let cut = out.len() - room + 1;
        out.truncate(room.saturating_sub(1));
        out.push((
            format!(
                "… {}: enlarge the window",
                crate::model::human::count(cut, "more line", "more lines")
            ),
            None,
            false,
        ));
    }
    if height != usize::MAX {
        while out.len() < room {
            out.push((String::new(), None, false));
        }
        out.push((keys, None, false));
    }
    out.into_iter()
        .map(|(text, st, selected)| {
            let text = fit(&text, width);
            match (color, st, selected) {
                (true, _, true) => format!("\x1b[7m{text:<width$}\x1b[0m"),
                (true, Some(st), _) => paint(&text, st, true),
                _ => text,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Finding;
    use crate::model::Kind;
    use crate::report::Report;

    fn report(statuses: &[(&str, Status)]) -> Report {
        Report {
            command: "health",
            generated_at: "2026-11-22T10:00:00Z".parse().unwrap(),
            findings: statuses
                .iter()
                .map(|(t, s)| {
                    Finding::new(
                        t,
                        Kind::Mcp,
                        "liveness",
                        *s,
                        None,
                        format!("ping is {}", s.as_str()),
                    )
                })
                .collect(),
            observations: Vec::new(),
            events: None,
            outbox: None,
        }
    }

    #[test]
    fn a_stdio_server_shows_its_memory_and_uptime_with_units() {
        let mut r = report(&[("server-memory", Status::Ok)]);
        let mut facts = crate::model::McpFacts {
            wire: Some(crate::model::Wire::Stdio),
            liveness: Some(("ping".into(), Ok(std::time::Duration::from_micros(8300)))),
            ..Default::default()
        };
        facts.child = Some(crate::model::ProcessInfo {
            pid: 4242,
            rss_bytes: Some(71_020_544),
            uptime_s: Some(1329.0),
            ..Default::default()
        });
        r.observations.push(crate::model::Observation {
            target: "server-memory".into(),
            endpoint: "server-memory".into(),
            started_at: r.generated_at,
            duration: std::time::Duration::ZERO,
            failure: None,
            facts: crate::model::Facts::Mcp(Box::new(facts)),
        });
        let mut m = Model::default();
        m.update(&r);
        assert_eq!(m.rows[0].rss_bytes, Some(71_020_544));
        // every width that has the MEM column shows it whole
        for width in [96, 100, 112, 120, 200] {
            let l = lines(&m, &Ui::default(), width, 50, false);
            let row = l.iter().find(|l| l.contains("server-memory")).unwrap();
            assert!(row.ends_with(" 67.7 MiB"), "{width}: {row}");
            assert!(row.contains(" 22 min "), "{width}: {row}");
            assert!(row.contains(" 8.3 ms "), "{width}: {row}");
        }
    }

    fn model(statuses: &[(&str, Status)]) -> Model {
        let mut m = Model::default();
        m.update(&report(statuses));
        m
    }

    fn check_size(l: &[String], w: usize, h: usize) {
        assert_eq!(l.len(), h, "{l:#?}");
        for line in l {
            assert!(
                line.chars().count() <= w,
                "{} > {w}: {line}",
                line.chars().count()
            );
        }
    }

    #[test]
    fn healthy_mixed_and_all_down_fit_80x24_and_200x50() {
        let healthy = model(&[("api", Status::Ok), ("db", Status::Ok)]);
        let mixed = model(&[
            ("api", Status::Ok),
            ("db", Status::Warn),
            ("cache", Status::Crit),
        ]);
        let down = model(&[("api", Status::Crit), ("db", Status::Crit)]);
        for (w, h) in [(80, 24), (200, 50)] {
            let ui = Ui {
                refresh: "every 5 s".into(),
                ..Ui::default()
            };
            let l = lines(&healthy, &ui, w, h, false);
            check_size(&l, w, h);
            assert!(
                l[0].starts_with("mcpmon dashboard — 2 targets: 2 healthy · 0 warning"),
                "{}",
                l[0]
            );
            assert!(l.iter().any(|x| x == "  none"), "{l:#?}");
            assert!(l[h - 1].starts_with("q quit"));
            let l = lines(&mixed, &ui, w, h, false);
            check_size(&l, w, h);
            assert!(l[0].contains("1 healthy · 1 warning · 1 critical"));
            assert!(
                l.iter()
                    .any(|x| x.starts_with("  CRIT    cache liveness: ping is crit")),
                "{l:#?}"
            );
            assert!(
                l.iter().any(|x| x.starts_with("› api")),
                "the first row is selected: {l:#?}"
            );
            let l = lines(&down, &ui, w, h, false);
            assert!(
                l.iter().filter(|x| x.contains(" CRIT ")).count() >= 2,
                "{l:#?}"
            );
        }
    }

    #[test]
    fn a_small_terminal_cuts_the_body_and_keeps_the_keys() {
        let many: Vec<(String, Status)> =
            (0..30).map(|i| (format!("t{i:02}"), Status::Ok)).collect();
        let refs: Vec<(&str, Status)> = many.iter().map(|(t, s)| (t.as_str(), *s)).collect();
        let m = model(&refs);
        let l = lines(&m, &Ui::default(), 40, 10, false);
        check_size(&l, 40, 10);
        assert!(l[8].starts_with("… "), "{l:#?}");
        assert!(l[9].starts_with("q quit"));
    }

    #[test]
    fn details_filter_and_help() {
        let m = model(&[("api", Status::Ok), ("db", Status::Crit)]);
        let ui = Ui {
            selected: 1,
            mode: Mode::Details,
            ..Ui::default()
        };
        let l = lines(&m, &ui, 100, 20, false);
        assert!(l.iter().any(|x| x.starts_with("db — CRIT")), "{l:#?}");
        assert!(
            l.iter()
                .any(|x| x.starts_with("  CRIT    liveness: ping is crit"))
        );
        let ui = Ui {
            filter: "ap".into(),
            ..Ui::default()
        };
        assert_eq!(visible(&m, &ui).len(), 1);
        let l = lines(&m, &ui, 100, 20, false);
        assert!(l[1].contains("filter: ap"));
        assert!(!l.iter().any(|x| x.starts_with("  db ")));
        let ui = Ui {
            mode: Mode::Help,
            ..Ui::default()
        };
        assert!(
            lines(&m, &ui, 100, 20, false)
                .iter()
                .any(|x| x.contains("refresh now"))
        );
    }

    #[test]
    fn every_target_has_a_row_before_its_first_check_ends() {
        let mut m = Model::with_order(vec!["slow".into(), "api".into()]);
        let l = lines(&m, &Ui::default(), 120, 20, false);
        assert!(
            l[0].contains("2 targets: 0 healthy · 0 warning · 0 critical · 2 unknown"),
            "{}",
            l[0]
        );
        assert!(
            l.iter()
                .any(|x| x.starts_with("› slow") && x.contains("checking…")),
            "{l:#?}"
        );
        // api answers first: its row is filled in, slow keeps waiting, the order stays
        m.update(&report(&[("api", Status::Ok)]));
        let l = lines(&m, &Ui::default(), 120, 20, false);
        let slow = l.iter().position(|x| x.contains("slow")).unwrap();
        let api = l
            .iter()
            .position(|x| x.contains("api ") && x.contains(" OK "))
            .unwrap();
        assert!(slow < api, "{l:#?}");
        assert!(
            l[0].contains("1 healthy · 0 warning · 0 critical · 1 unknown"),
            "{}",
            l[0]
        );
    }

    /// The frames of the three states at two sizes, as the terminal would show them (no colour, no
    /// clock: `updated` is left out so the frames do not depend on the time zone).
    #[test]
    fn frames_of_healthy_mixed_and_all_down_at_80x24_and_200x50() {
        let states = [
            (
                "healthy",
                vec![
                    ("api", Status::Ok),
                    ("db", Status::Ok),
                    ("cache", Status::Ok),
                ],
            ),
            (
                "mixed",
                vec![
                    ("api", Status::Ok),
                    ("db", Status::Warn),
                    ("cache", Status::Crit),
                ],
            ),
            (
                "down",
                vec![
                    ("api", Status::Crit),
                    ("db", Status::Crit),
                    ("cache", Status::Crit),
                ],
            ),
        ];
        for (name, st) in &states {
            let mut m = model(st);
            m.updated = None;
            m.hubs = vec!["hub 127.0.0.1:37373 ready".into()];
            m.trend.insert(
                "api".into(),
                [3.0, 4.0, 3.5, 9.0, 3.2].into_iter().collect(),
            );
            let ui = Ui {
                refresh: "every 5 s".into(),
                ..Ui::default()
            };
            for (w, h) in [(80usize, 24usize), (200, 50)] {
                let frame = lines(&m, &ui, w, h, false).join("\n");
                insta::assert_snapshot!(format!("{name}_{w}x{h}"), frame);
            }
        }
    }

    #[test]
    fn sparklines_scale_to_their_own_range() {
        assert_eq!(spark(&[1.0, 8.0, 4.5], 4), "▁█▅ ");
        assert_eq!(spark(&[2.0, 2.0], 2), "▁▁");
        let long: Vec<f64> = (0..40).map(f64::from).collect();
        assert_eq!(
            spark(&long, 12).chars().count(),
            12,
            "the newest samples only"
        );
    }
}
