//! The Nagios/Icinga plugin output (`--format nagios`): one status line with a summary and perfdata for
//! every numeric finding, then one long-output line per finding that is not OK, and one per remediation
//! event (`ACTION hub hub: restart hub: exit 0 in 1.2 s; …`).
//!
//! `MCPMON CRITICAL - 2 targets: 1 OK, 1 CRIT; api connect: connect_refused … | 'api/handshake'=3.1ms;2000;5000;0;`
//! Pure: renders a Report, reads nothing else.

use super::Report;
use crate::model::Finding;
use crate::model::Status;
use crate::model::Unit;

use crate::term::sanitize;
use std::io::Write;

fn word(s: Status) -> &'static str {
    match s {
        Status::Ok => "OK",
        Status::Warn => "WARNING",
        Status::Crit => "CRITICAL",
        Status::Unknown => "UNKNOWN",
    }
}

/// Plugin text may not contain `|` (it starts the perfdata) nor line breaks.
fn text(s: &str) -> String {
    sanitize(s).replace('|', "/")
}

fn num(v: f64) -> String {
    let r = crate::model::stats::round3(v);
    if r == r.trunc() && r.abs() < 1e15 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// Nagios units: s, ms, us, %, B, KB, MB, TB, c; anything else is given unitless (MiB → MB, days as is).
fn perf_value(f: &Finding, v: f64) -> (f64, &'static str) {
    match f.unit {
        Some(Unit::Ms) => (v, "ms"),
        Some(Unit::Percent) => (v, "%"),
        Some(Unit::Bytes) => (v, "B"),
        Some(Unit::MB) => (v, "MB"),
        Some(Unit::MiB) => (v * 1.048_576, "MB"),
        Some(Unit::Seconds) => (v, "s"),
        Some(Unit::Days) | Some(Unit::Count) | None => (v, ""),
    }
}

fn threshold(f: &Finding, t: Option<f64>) -> String {
    match t {
        // lower is worse: alert outside t..∞, which Nagios ranges write as `t:`
        Some(t) if f.lower_is_worse => format!("{}:", num(perf_value(f, t).0)),
        Some(t) => num(perf_value(f, t).0),
        None => String::new(),
    }
}

/// A perfdata label: quoted, without `=` or `'` (Nagios allows neither inside a label) and without
/// control characters: a check's name can come from the server (`"metrics": "all"` names each
/// number as the document does).
fn label(f: &Finding) -> String {
    let inner: String = format!("{}/{}", f.target, f.check)
        .chars()
        .map(|c| match c {
            '=' | '\'' => '_',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    format!("'{inner}'")
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let status = report.status();
    let c = report.counts();
    let mut summary = format!(
        "{} target{}: {} OK",
        c.total(),
        if c.total() == 1 { "" } else { "s" },
        c.ok
    );
    for (n, l) in [(c.warn, "WARN"), (c.crit, "CRIT"), (c.unknown, "UNKNOWN")] {
        if n > 0 {
            summary.push_str(&format!(", {n} {l}"));
        }
    }
    let silenced = report.silenced();
    if silenced > 0 {
        summary.push_str(&format!(" ({silenced} silenced)"));
    }
    // the worst problem first, so the one line a pager shows says what is wrong
    let mut problems: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.status != Status::Ok)
        .collect();
    problems.sort_by_key(|f| std::cmp::Reverse(f.status));
    if let Some(p) = problems.first() {
        summary.push_str(&format!("; {} {}: {}", p.target, p.check, p.message));
    }
    let perf: Vec<String> = report
        .findings
        .iter()
        .filter_map(|f| {
            let v = f.value?;
            let (v, uom) = perf_value(f, v);
            let min = if matches!(
                f.unit,
                Some(Unit::Ms | Unit::Percent | Unit::Bytes | Unit::MB | Unit::MiB | Unit::Count)
            ) {
                "0"
            } else {
                ""
            };
            let max = if f.unit == Some(Unit::Percent) {
                "100"
            } else {
                ""
            };
            Some(format!(
                "{}={}{uom};{};{};{min};{max}",
                label(f),
                num(v),
                threshold(f, f.warn),
                threshold(f, f.crit)
            ))
        })
        .collect();
    write!(out, "MCPMON {} - {}", word(status), text(&summary))?;
    if !perf.is_empty() {
        write!(out, " | {}", perf.join(" "))?;
    }
    writeln!(out)?;
    for p in problems {
        let reason = p.reason.map(|r| format!("{r}: ")).unwrap_or_default();
        writeln!(
            out,
            "{} {} {}: {reason}{}",
            p.status.label(),
            text(&p.target),
            text(&p.check),
            text(&p.message)
        )?;
    }
    super::silences::alert_lines(&report.findings, &text, None, out)?;
    // what mcpmon did about them (a remediation's outcome)
    for e in report.actions() {
        writeln!(
            out,
            "{} {} {}: {}",
            e.event.as_str().to_uppercase(),
            text(&e.target),
            text(&e.check),
            text(&e.message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use crate::model::Reason;

    fn report(findings: Vec<Finding>) -> Report {
        Report {
            command: "health",
            generated_at: chrono::DateTime::UNIX_EPOCH,
            findings,
            observations: Vec::new(),
            events: None,
            outbox: None,
        }
    }

    #[test]
    fn a_label_from_the_server_cannot_break_perfdata() {
        let f = Finding::new(
            "gw",
            Kind::Http,
            "metric:x{a=\"it's\"}\n",
            Status::Ok,
            None,
            "x".into(),
        );
        assert_eq!(label(&f), "'gw/metric:x{a_\"it_s\"} '");
    }

    #[test]
    fn status_line_summary_and_perfdata() {
        let r = report(vec![
            Finding::new(
                "api",
                Kind::Mcp,
                "handshake",
                Status::Ok,
                None,
                "handshake 3.1 ms".into(),
            )
            .value(3.1)
            .unit(Unit::Ms)
            .bounds(Some(2000.0), Some(5000.0)),
            Finding::new(
                "api",
                Kind::Mcp,
                "tools",
                Status::Ok,
                None,
                "13 tools".into(),
            )
            .value(13.0)
            .unit(Unit::Count),
            Finding::new(
                "db",
                Kind::Mcp,
                "connect",
                Status::Crit,
                Some(Reason::ConnectRefused),
                "refused | by host".into(),
            ),
        ]);
        let mut out = Vec::new();
        render(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "MCPMON CRITICAL - 2 targets: 1 OK, 1 CRIT; db connect: refused / by host | 'api/handshake'=3.1ms;2000;5000;0; 'api/tools'=13;;;0;"
        );
        assert_eq!(
            lines.next().unwrap(),
            "CRIT db connect: connect_refused: refused / by host"
        );
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn lower_is_worse_thresholds_use_ranges() {
        let mut f = Finding::new(
            "web",
            Kind::Mcp,
            "tls_expiry",
            Status::Warn,
            Some(Reason::Threshold),
            "20 days".into(),
        )
        .value(20.0)
        .unit(Unit::Days)
        .bounds(Some(30.0), Some(7.0));
        f.lower_is_worse = true;
        let mut out = Vec::new();
        render(&report(vec![f]), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("MCPMON WARNING - 1 target: 0 OK, 1 WARN; web tls_expiry: 20 days | 'web/tls_expiry'=20;30:;7:;;"), "{text}");
    }
}
