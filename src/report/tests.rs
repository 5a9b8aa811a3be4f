//! Snapshot tests of every renderer over the fixture reports (`fixtures.rs`), colours off. A changed
//! snapshot is a changed output contract: review the `.snap` diff as such.

use super::fixtures::{self, daily, daily_parts};
use super::table::TableOptions;
use super::{Report, checklist, json, markdown, nagios, prometheus, table};
use std::io::Write;

fn text(render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    render(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn table(r: &Report, width: Option<u16>) -> String {
    text(|out| {
        table::render(
            r,
            TableOptions {
                color: false,
                width,
            },
            out,
        )
    })
}

/// The JSON document, with mcpmon's own version replaced so a release does not change the snapshots.
fn json(r: &Report) -> String {
    let doc = text(|out| json::render(r, out));
    let version = format!("\"mcpmon_version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(doc.contains(&version), "{doc}");
    doc.replace(&version, "\"mcpmon_version\": \"[version]\"")
}

fn nagios(r: &Report) -> String {
    text(|out| nagios::render(r, out))
}

fn prometheus(r: &Report) -> String {
    text(|out| prometheus::render(r, out))
}

fn checklist(r: &Report, sections: &[(&str, &str)]) -> String {
    text(|out| checklist::render(r, sections, None, TableOptions::default(), out))
}

#[test]
fn healthy() {
    let r = fixtures::healthy();
    insta::assert_snapshot!("healthy_table", table(&r, None));
    insta::assert_snapshot!("healthy_json", json(&r));
    insta::assert_snapshot!("healthy_nagios", nagios(&r));
    insta::assert_snapshot!("healthy_prometheus", prometheus(&r));
}

#[test]
fn functional_checks_in_every_format() {
    let r = fixtures::calls();
    insta::assert_snapshot!("calls_table", table(&r, Some(160)));
    insta::assert_snapshot!("calls_json", json(&r));
    insta::assert_snapshot!("calls_nagios", nagios(&r));
    insta::assert_snapshot!("calls_prometheus", prometheus(&r));
    insta::assert_snapshot!("calls_markdown", md(&r));
    let line = text(|out| json::render_line(&r, out));
    assert_eq!(line.lines().count(), 1);
    assert!(line.contains("\"check\":\"call:echo\""), "{line}");
}

#[test]
fn jsonl_is_the_json_document_on_one_line() {
    let r = fixtures::healthy();
    let line = text(|out| json::render_line(&r, out));
    assert_eq!(line.lines().count(), 1);
    let a: serde_json::Value = serde_json::from_str(&line).unwrap();
    let b: serde_json::Value = serde_json::from_str(&text(|out| json::render(&r, out))).unwrap();
    assert_eq!(a, b);
}

#[test]
fn mixed() {
    let r = fixtures::mixed();
    insta::assert_snapshot!("mixed_table", table(&r, None));
    insta::assert_snapshot!("mixed_json", json(&r));
    insta::assert_snapshot!("mixed_nagios", nagios(&r));
    insta::assert_snapshot!("mixed_prometheus", prometheus(&r));
}

#[test]
fn log_patterns() {
    let r = fixtures::log_patterns();
    insta::assert_snapshot!("log_patterns_table", table(&r, None));
    insta::assert_snapshot!("log_patterns_json", json(&r));
    insta::assert_snapshot!("log_patterns_nagios", nagios(&r));
    insta::assert_snapshot!("log_patterns_prometheus", prometheus(&r));
    insta::assert_snapshot!("log_patterns_markdown", md(&r));
    let line = text(|out| json::render_line(&r, out));
    assert_eq!(line.lines().count(), 1);
}

#[test]
fn auth_required() {
    let r = fixtures::auth_required();
    insta::assert_snapshot!("auth_required_table", table(&r, None));
    insta::assert_snapshot!("auth_required_json", json(&r));
    insta::assert_snapshot!("auth_required_nagios", nagios(&r));
}

#[test]
fn measure() {
    let r = fixtures::measure();
    insta::assert_snapshot!("measure_table", table(&r, None));
    insta::assert_snapshot!("measure_json", json(&r));
    insta::assert_snapshot!("measure_nagios", nagios(&r));
    insta::assert_snapshot!("measure_prometheus", prometheus(&r));
}

#[test]
fn alerts() {
    let r = fixtures::alerts();
    insta::assert_snapshot!("alerts_table", table(&r, None));
    insta::assert_snapshot!("alerts_json", json(&r));
    insta::assert_snapshot!("alerts_nagios", nagios(&r));
    insta::assert_snapshot!("alerts_prometheus", prometheus(&r));
}

/// Every format through the one `render`, with the view a command passes.
fn all_formats(r: &Report, view: &super::View) -> String {
    use super::Format;
    let mut out = String::new();
    for f in [
        Format::Table,
        Format::Json,
        Format::Jsonl,
        Format::Nagios,
        Format::Prometheus,
        Format::Markdown,
    ] {
        let opts = super::RenderOptions::default();
        let text = String::from_utf8(super::to_bytes(r, view, f, &opts)).unwrap();
        let version = format!("\"mcpmon_version\":\"{}\"", env!("CARGO_PKG_VERSION"));
        let pretty = format!("\"mcpmon_version\": \"{}\"", env!("CARGO_PKG_VERSION"));
        let text = text
            .replace(&version, "\"mcpmon_version\":\"[version]\"")
            .replace(&pretty, "\"mcpmon_version\": \"[version]\"");
        out.push_str(&format!("--- {f:?}\n{text}"));
    }
    out
}

#[test]
fn alerts_silenced() {
    let r = fixtures::alerts_silenced();
    let view = super::View::Alerts {
        pending: Vec::new(),
    };
    let out = all_formats(&r, &view);
    // the silenced WARN no longer counts: the verdict is the hub's CRIT, and the log alert says why
    assert!(out.contains("SILENCED WARN app-log log_errors"), "{out}");
    insta::assert_snapshot!("alerts_silenced", out);
}

#[test]
fn silence_list() {
    let (r, list) = fixtures::silences();
    insta::assert_snapshot!(
        "silence_list",
        all_formats(&r, &super::View::Silences(list))
    );
    let (r, _) = fixtures::silences();
    let none = all_formats(&r, &super::View::Silences(Vec::new()));
    assert!(none.contains("no silences in force"), "{none}");
    assert!(none.contains("\"silences\": []"), "{none}");
}

#[test]
fn validate() {
    let r = fixtures::validate();
    insta::assert_snapshot!("validate_checklist", checklist(&r, &checklist::SECTIONS));
    insta::assert_snapshot!("validate_json", json(&r));
    insta::assert_snapshot!("validate_nagios", nagios(&r));
    insta::assert_snapshot!("validate_prometheus", prometheus(&r));
}

#[test]
fn anomalies() {
    let r = fixtures::anomalies();
    let sections = [
        ("now", "Now: live probes and logs"),
        ("history", "From history (last 7d)"),
    ];
    insta::assert_snapshot!("anomalies_checklist", checklist(&r, &sections));
    insta::assert_snapshot!("anomalies_nagios", nagios(&r));
}

#[test]
fn daily_summary() {
    let parts = daily_parts();
    let view = daily(&parts);
    insta::assert_snapshot!(
        "daily_terminal",
        text(|out| super::daily::render(&view, false, TableOptions::default(), out))
    );
    insta::assert_snapshot!(
        "daily_markdown",
        text(|out| super::daily::render(&view, true, TableOptions::default(), out))
    );
    insta::assert_snapshot!(
        "daily_csv",
        text(|out| super::csv::render_daily(&view, out))
    );
    let r = fixtures::daily_report();
    insta::assert_snapshot!("daily_json", json(&r));
    insta::assert_snapshot!("daily_prometheus", prometheus(&r));
}

#[test]
fn daily_summary_without_history() {
    let parts = fixtures::DailyParts {
        days: Vec::new(),
        previous: Vec::new(),
        deductions: Vec::new(),
        goals: Vec::new(),
        recommendations: Vec::new(),
    };
    let mut view = daily(&parts);
    view.day.score = 100.0;
    view.day.previous_score = None;
    view.day.status = crate::model::Status::Unknown;
    insta::assert_snapshot!(
        "daily_terminal_no_history",
        text(|out| super::daily::render(&view, false, TableOptions::default(), out))
    );
    view.day.by_target.clear();
    insta::assert_snapshot!(
        "daily_csv_no_history",
        text(|out| super::csv::render_daily(&view, out))
    );
}

#[test]
fn a_process_command_line_never_reaches_the_output() {
    // the hub's process was started with `--token secret`: only its name is ever shown
    let r = fixtures::mixed();
    for out in [table(&r, None), json(&r)] {
        assert!(
            out.contains("pid 1234") || out.contains("\"pid\": 1234"),
            "{out}"
        );
    }
    for out in [table(&r, None), json(&r), nagios(&r), prometheus(&r)] {
        assert!(!out.contains("secret"), "{out}");
    }
}

#[test]
fn colours_off_means_no_escape_codes() {
    // the mixed report carries an ESC in a stdio server's stderr: sanitised, never passed through
    let r = fixtures::mixed();
    for out in [
        table(&r, None),
        nagios(&r),
        checklist(&fixtures::validate(), &checklist::SECTIONS),
    ] {
        assert!(!out.contains('\u{1b}'), "{out}");
    }
}

/// Remediation events (`on_fire`) in every format: the alert lines under the table, JSON's `events`,
/// Nagios long output, a Prometheus family, a Markdown list.
#[test]
fn alerts_with_remediation() {
    let r = fixtures::alerts_with_actions();
    let lines = text(|out| table::alert_lines(&r, &[], None, out));
    insta::assert_snapshot!("alerts_actions_lines", lines);
    let doc = json(&r);
    assert!(doc.contains("\"event\": \"action_failed\""), "{doc}");
    insta::assert_snapshot!("alerts_actions_nagios", nagios(&r));
    insta::assert_snapshot!("alerts_actions_prometheus", prometheus(&r));
    insta::assert_snapshot!("alerts_actions_markdown", md(&r));
}

fn md(r: &Report) -> String {
    text(|out| markdown::render(r, out))
}

fn csv(r: &Report) -> String {
    text(|out| super::csv::render(r, out))
}

#[test]
fn csv_snapshots() {
    insta::assert_snapshot!("csv_healthy", csv(&fixtures::healthy()));
    // commas, quotes and line breaks in messages are quoted
    insta::assert_snapshot!("csv_mixed", csv(&fixtures::mixed()));
}

#[test]
fn markdown_snapshots() {
    insta::assert_snapshot!("markdown_healthy", md(&fixtures::healthy()));
    // pipes in messages are escaped, control characters sanitised
    insta::assert_snapshot!("markdown_mixed", md(&fixtures::mixed()));
    insta::assert_snapshot!("markdown_measure", md(&fixtures::measure()));
    insta::assert_snapshot!("markdown_validate", md(&fixtures::validate()));
}

#[test]
fn an_ok_checklist_can_say_it_is_less_than_all_clear() {
    let mut r = fixtures::healthy();
    r.command = "anomalies";
    let sections = [("history", "From history")];
    let plain = text(|out| checklist::render(&r, &sections, None, TableOptions::default(), out));
    assert!(plain.contains("Verdict: ALL CLEAR"), "{plain}");
    let view = super::View::Checklist {
        sections: vec![("history", "From history".into())],
        ok_word: Some("NO ANOMALY NOW (not enough history yet)".into()),
    };
    let opts = super::RenderOptions::default();
    let said = String::from_utf8(super::to_bytes(&r, &view, super::Format::Table, &opts)).unwrap();
    assert!(
        said.contains("Verdict: NO ANOMALY NOW (not enough history yet)"),
        "{said}"
    );
    assert!(!said.contains("ALL CLEAR"), "{said}");
}

#[test]
fn tcp_and_certs() {
    let r = fixtures::tcp_and_certs();
    insta::assert_snapshot!("tcp_and_certs_table", table(&r, None));
    insta::assert_snapshot!("tcp_and_certs_json", json(&r));
    insta::assert_snapshot!("tcp_and_certs_nagios", nagios(&r));
    insta::assert_snapshot!("tcp_and_certs_prometheus", prometheus(&r));
    insta::assert_snapshot!("tcp_and_certs_markdown", md(&r));
    let line = text(|out| json::render_line(&r, out));
    assert_eq!(line.lines().count(), 1, "jsonl: one line");
}

/// The widths every terminal rendering is fitted to in the snapshots: narrow, the usual terminal, wide.
const WIDTHS: [u16; 4] = [60, 80, 120, 200];

/// What people see of each fixture at `width` (colours off): health of one URL, of a hub with its
/// servers, of a six-target config and of the other probe kinds; validate's and anomalies' checklists;
/// measure; alerts (with silenced and remediation lines); daily-summary; the silences.
fn fitted(width: u16) -> Vec<(&'static str, String)> {
    use super::{Format, RenderOptions, View};
    let opts = RenderOptions {
        color: false,
        width: Some(width),
    };
    let show = |r: &Report, view: &View| {
        String::from_utf8(super::to_bytes(r, view, Format::Table, &opts)).unwrap()
    };
    let findings = |r: Report| show(&r, &View::Findings);
    let checklist = |r: Report, sections: &[(&'static str, &str)]| {
        let view = View::Checklist {
            sections: sections.iter().map(|(k, h)| (*k, h.to_string())).collect(),
            ok_word: None,
        };
        show(&r, &view)
    };
    let alerts = |r: Report| {
        let pending = vec![crate::model::Pending {
            target: "api".into(),
            check: "liveness".to_string().into(),
            status: crate::model::Status::Crit,
            message: "ping timed out after 5 s".into(),
            note: "pending: 1 of 3 bad runs".into(),
        }];
        show(&r, &View::Alerts { pending })
    };
    let (silenced, list) = fixtures::silences();
    vec![
        ("health_one_url", findings(fixtures::healthy())),
        ("health_hub", findings(fixtures::hub())),
        ("health_config", findings(fixtures::mixed())),
        ("health_calls", findings(fixtures::calls())),
        ("health_tcp", findings(fixtures::tcp_and_certs())),
        ("health_logs", findings(fixtures::log_patterns())),
        ("health_auth", findings(fixtures::auth_required())),
        (
            "validate",
            checklist(fixtures::validate(), &checklist::SECTIONS),
        ),
        (
            "anomalies",
            checklist(
                fixtures::anomalies(),
                &[("now", "Now"), ("history", "From history")],
            ),
        ),
        ("measure", findings(fixtures::measure())),
        ("alerts", alerts(fixtures::alerts())),
        ("alerts_silenced", alerts(fixtures::alerts_silenced())),
        ("alerts_actions", alerts(fixtures::alerts_with_actions())),
        (
            "daily_summary",
            show(
                &fixtures::daily_report(),
                &View::Daily(Box::new(daily(&daily_parts()))),
            ),
        ),
        ("silences", show(&silenced, &View::Silences(list))),
    ]
}

/// The layouts at 60, 80, 120 and 200 columns, one snapshot per subject with its four widths.
#[test]
fn fitted_to_the_width() {
    let all: Vec<Vec<(&str, String)>> = WIDTHS.iter().map(|w| fitted(*w)).collect();
    for (i, (name, _)) in all[0].iter().enumerate() {
        if !matches!(
            *name,
            "health_one_url"
                | "health_hub"
                | "health_config"
                | "validate"
                | "measure"
                | "alerts"
                | "daily_summary"
        ) {
            continue;
        }
        let mut doc = String::new();
        for (w, at) in WIDTHS.iter().zip(&all) {
            doc.push_str(&format!("--- {w} columns\n{}", at[i].1));
        }
        insta::assert_snapshot!(format!("width_{name}"), doc);
    }
}

/// No line of any terminal rendering is wider than the width it was fitted to (display columns).
#[test]
fn no_line_is_wider_than_the_width() {
    for w in WIDTHS {
        for (name, text) in fitted(w) {
            for line in text.lines() {
                assert!(
                    super::fit::width(line) <= usize::from(w),
                    "{name} at {w} columns: a line of {} columns:\n{line}\n\n{text}",
                    super::fit::width(line)
                );
            }
        }
    }
}

/// The table never wraps a cell at 80 columns or more: one line per row, however long the summary
/// (its full text is in the JSON), and TIME keeps every number with its unit.
#[test]
fn rows_stay_on_one_line_from_80_columns() {
    for w in [80, 120, 200] {
        for (name, text) in fitted(w) {
            let body: Vec<&str> = text.lines().filter(|l| l.starts_with('│')).collect();
            let rows = body.len();
            let r = match name {
                "health_one_url" => fixtures::healthy(),
                "health_hub" => fixtures::hub(),
                "health_config" => fixtures::mixed(),
                "measure" => fixtures::measure(),
                _ => continue,
            };
            // the header, then one line per observation and per hub server or shown metric
            let expected = 1
                + r.observations.len()
                + r.observations
                    .iter()
                    .map(|o| match &o.facts {
                        crate::model::Facts::Hub(h) => h.servers.len(),
                        crate::model::Facts::Http(e) => {
                            e.metrics.iter().filter(|(m, _)| m.show).count()
                        }
                        _ => 0,
                    })
                    .sum::<usize>();
            assert_eq!(rows, expected, "{name} at {w}:\n{text}");
        }
    }
}

/// Narrower than the least widths allow (30 columns for six targets), cells wrap, but no column is
/// squeezed below its header or to a letter or two a line.
#[test]
fn too_narrow_wraps_cells_but_keeps_columns_readable() {
    let text = table(&fixtures::mixed(), Some(30));
    let header = text.lines().nth(1).unwrap();
    for name in ["TARGET", "STATUS", "SUMMARY", "TIME"] {
        assert!(header.contains(name), "{header}\n{text}");
    }
    let top = text.lines().next().unwrap();
    let columns: Vec<usize> = top
        .trim_matches(['┌', '┐'])
        .split('┬')
        .map(super::fit::width)
        .collect();
    assert!(columns.iter().all(|w| *w >= 8), "{columns:?}\n{text}");
}

/// Any width, however absurd (`COLUMNS=3`), renders every fixture: narrower tables overflow, nothing
/// panics or loops.
#[test]
fn every_width_renders() {
    for w in 0..=200 {
        for (name, text) in fitted(w) {
            assert!(text.lines().count() > 0, "{name} at {w}");
        }
    }
}
