//! Prometheus text exposition (`--format prometheus`), for node_exporter's textfile collector or a
//! scrape: `mcpmon_` prefix, base units (seconds, bytes, ratios), labels `target`, `probe`, `check`.
//! Pure: renders a Report, reads nothing else.

use super::Report;
use crate::model::Finding;
use crate::model::Status;
use crate::model::Unit;

use std::fmt::Write as _;
use std::io::Write;

pub(crate) fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn code(s: Status) -> u8 {
    s.exit_code()
}

/// (family suffix, value in base units) of a finding's value.
fn base(f: &Finding, v: f64) -> (&'static str, f64) {
    match f.unit {
        Some(Unit::Ms) => ("seconds", v / 1000.0),
        Some(Unit::Days) => ("seconds", v * 86_400.0),
        Some(Unit::Seconds) => ("seconds", v),
        Some(Unit::Percent) => ("ratio", v / 100.0),
        Some(Unit::Bytes) => ("bytes", v),
        Some(Unit::MB) => ("bytes", v * 1e6),
        Some(Unit::MiB) => ("bytes", v * 1_048_576.0),
        Some(Unit::Count) | None => ("value", v),
    }
}

fn labels(f: &Finding) -> String {
    format!(
        "target=\"{}\",probe=\"{}\",check=\"{}\"",
        escape(&f.target),
        f.probe.as_str(),
        escape(&f.check)
    )
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# HELP mcpmon_check_status Verdict of each check: 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN."
    );
    let _ = writeln!(s, "# TYPE mcpmon_check_status gauge");
    for f in &report.findings {
        let _ = writeln!(s, "mcpmon_check_status{{{}}} {}", labels(f), code(f.status));
    }
    for (suffix, help) in [
        (
            "seconds",
            "Durations judged by checks (latencies, certificate lifetimes), in seconds.",
        ),
        ("bytes", "Sizes judged by checks, in bytes."),
        (
            "ratio",
            "Ratios judged by checks (CPU, memory, disk use), 0 to 1.",
        ),
        (
            "value",
            "Other values judged by checks (counts, configured metrics).",
        ),
    ] {
        let rows: Vec<String> = report
            .findings
            .iter()
            .filter_map(|f| {
                let (sfx, v) = base(f, f.value?);
                (sfx == suffix).then(|| format!("mcpmon_check_{suffix}{{{}}} {v}", labels(f)))
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(s, "# HELP mcpmon_check_{suffix} {help}");
        let _ = writeln!(s, "# TYPE mcpmon_check_{suffix} gauge");
        for r in rows {
            let _ = writeln!(s, "{r}");
        }
    }
    let silenced: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.silenced.is_some())
        .collect();
    if !silenced.is_empty() {
        let _ = writeln!(
            s,
            "# HELP mcpmon_check_silenced_status Level of each alert that fires but is silenced (its mcpmon_check_status is 0): 1 WARN, 2 CRIT, 3 UNKNOWN."
        );
        let _ = writeln!(s, "# TYPE mcpmon_check_silenced_status gauge");
        for f in silenced {
            if let Some(x) = &f.silenced {
                let _ = writeln!(
                    s,
                    "mcpmon_check_silenced_status{{{}}} {}",
                    labels(f),
                    code(x.status)
                );
            }
        }
    }
    // remediation events of this run, counted by alert and outcome
    let mut acted: std::collections::BTreeMap<(String, &str, String, &str), usize> =
        std::collections::BTreeMap::new();
    for e in report.actions() {
        *acted
            .entry((
                escape(&e.target),
                e.probe.as_str(),
                escape(&e.check),
                e.event.as_str(),
            ))
            .or_default() += 1;
    }
    if !acted.is_empty() {
        let _ = writeln!(
            s,
            "# HELP mcpmon_remediation_events Remediations (on_fire) this run, by alert and outcome: action, action_failed, action_skipped, action_dry_run."
        );
        let _ = writeln!(s, "# TYPE mcpmon_remediation_events gauge");
        for ((target, probe, check, event), n) in acted {
            let _ = writeln!(
                s,
                "mcpmon_remediation_events{{target=\"{target}\",probe=\"{probe}\",check=\"{check}\",event=\"{event}\"}} {n}"
            );
        }
    }
    let _ = writeln!(
        s,
        "# HELP mcpmon_target_status Verdict of each target (worst of its checks)."
    );
    let _ = writeln!(s, "# TYPE mcpmon_target_status gauge");
    for t in report.targets() {
        let _ = writeln!(
            s,
            "mcpmon_target_status{{target=\"{}\"}} {}",
            escape(t),
            code(report.target_status(t))
        );
    }
    let _ = writeln!(
        s,
        "# HELP mcpmon_status Overall verdict of the run (the exit code)."
    );
    let _ = writeln!(s, "# TYPE mcpmon_status gauge");
    let _ = writeln!(
        s,
        "mcpmon_status{{command=\"{}\"}} {}",
        report.command,
        code(report.status())
    );
    let _ = writeln!(
        s,
        "# HELP mcpmon_last_run_timestamp_seconds When this run started."
    );
    let _ = writeln!(s, "# TYPE mcpmon_last_run_timestamp_seconds gauge");
    let _ = writeln!(
        s,
        "mcpmon_last_run_timestamp_seconds{{command=\"{}\"}} {}",
        report.command,
        report.generated_at.timestamp_millis() as f64 / 1000.0
    );
    out.write_all(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use crate::model::Reason;

    #[test]
    fn families_in_base_units_with_escaped_labels() {
        let r = Report {
            command: "health",
            generated_at: chrono::DateTime::from_timestamp(1_700_000_000, 500_000_000).unwrap(),
            findings: vec![
                Finding::new(
                    "api \"1\"",
                    Kind::Mcp,
                    "handshake",
                    Status::Ok,
                    None,
                    String::new(),
                )
                .value(3.5)
                .unit(Unit::Ms),
                Finding::new(
                    "api \"1\"",
                    Kind::Mcp,
                    "connect",
                    Status::Ok,
                    None,
                    String::new(),
                ),
                Finding::new(
                    "srv",
                    Kind::Mcp,
                    "process_memory",
                    Status::Warn,
                    Some(Reason::Threshold),
                    String::new(),
                )
                .value(6.0)
                .unit(Unit::Percent),
                Finding::new(
                    "srv",
                    Kind::Mcp,
                    "process_rss",
                    Status::Ok,
                    None,
                    String::new(),
                )
                .value(2.0)
                .unit(Unit::MiB),
            ],
            observations: Vec::new(),
            events: None,
            outbox: None,
        };
        let mut out = Vec::new();
        render(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(
                "mcpmon_check_status{target=\"api \\\"1\\\"\",probe=\"mcp\",check=\"connect\"} 0\n"
            ),
            "{text}"
        );
        assert!(text.contains("mcpmon_check_seconds{target=\"api \\\"1\\\"\",probe=\"mcp\",check=\"handshake\"} 0.0035\n"), "{text}");
        assert!(
            text.contains(
                "mcpmon_check_ratio{target=\"srv\",probe=\"mcp\",check=\"process_memory\"} 0.06\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "mcpmon_check_bytes{target=\"srv\",probe=\"mcp\",check=\"process_rss\"} 2097152\n"
            ),
            "{text}"
        );
        assert!(text.contains("mcpmon_target_status{target=\"srv\"} 1\n"));
        assert!(text.contains("mcpmon_status{command=\"health\"} 1\n"));
        assert!(
            text.contains("mcpmon_last_run_timestamp_seconds{command=\"health\"} 1700000000.5\n")
        );
        assert!(
            !text.contains("mcpmon_check_value"),
            "no empty family is declared"
        );
        // every sample line belongs to a declared family
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap();
            assert!(text.contains(&format!("# TYPE {name} gauge")), "{line}");
        }
    }
}
