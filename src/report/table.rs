//! The table for people: a target's probes grouped together, one row each (mcp, hub and its servers,
//! http, log) with a verdict, a one-line summary and its timings; then one line per finding that is not
//! OK, stderr context for failed stdio servers, and a summary line. Every piece of server-supplied
//! text goes through `term::sanitize`.

use super::Report;
use crate::model::Facts;
use crate::model::Finding;
use crate::model::Observation;
use crate::model::Status;
use crate::model::human::{self, count as plural};
use crate::model::worst;

use super::fit::{texts, write_wrapped};
use crate::term::sanitize;
use comfy_table::Color;
use owo_colors::OwoColorize;
use std::io::Write;
use std::time::Duration;

#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    pub color: bool,
    pub width: Option<u16>,
}

fn status_color(s: Status) -> Color {
    match s {
        Status::Ok => Color::Green,
        Status::Warn => Color::Yellow,
        Status::Crit => Color::Red,
        Status::Unknown => Color::Magenta,
    }
}

/// A time for the TIME column, compact: two significant figures or more (`1.7 ms`, `18 ms`, `310 ms`,
/// `2.5 s`, `14 s`).
fn fmt_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 10_000.0 {
        format!("{:.0} s", ms / 1000.0)
    } else if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// A row's TIME: its values, each with what it measures (`ready`, `ping`, …) when the row has
/// several (an mcp row), else one unnamed value, or nothing.
type Time = Vec<(&'static str, String)>;

fn one_time(d: Option<Duration>) -> Time {
    d.map(|d| vec![("", fmt_ms(d))]).unwrap_or_default()
}

/// The table's short transport names (JSON keeps the stable ones: `streamable_http`).
fn short_wire(w: crate::model::Wire) -> &'static str {
    match w {
        crate::model::Wire::Stdio => "stdio",
        crate::model::Wire::StreamableHttp => "http",
        crate::model::Wire::Sse => "sse",
    }
}

/// A status label in bold colour for lines outside the table.
pub(crate) fn paint(label: &str, s: Status, color: bool) -> String {
    if !color {
        return label.to_string();
    }
    match s {
        Status::Ok => label.green().bold().to_string(),
        Status::Warn => label.yellow().bold().to_string(),
        Status::Crit => label.red().bold().to_string(),
        Status::Unknown => label.magenta().bold().to_string(),
    }
}

/// A value with its unit for a cell (`1520 B`, `12.5 ms`, `3`).
fn with_unit(v: f64, unit: Option<crate::model::Unit>) -> String {
    match unit {
        Some(crate::model::Unit::Count) | None => format!("{v}"),
        Some(u) => format!("{v} {}", u.as_str()),
    }
}

/// A metric in a summary: its judged value (a rate, an age) when it has one, else what was read.
fn metric_text(m: &crate::model::MetricSpec, v: Option<f64>, f: Option<&Finding>) -> String {
    use crate::model::Judge;
    let judged = f.and_then(|f| f.value.map(|x| (x, f.unit)));
    match (&m.judge, judged) {
        (Judge::Rate { text, .. }, Some((r, _))) => {
            format!("{}={}/{text}", m.name, human::number(r))
        }
        (Judge::Rate { .. }, None) => format!("{}: first sample", m.name),
        (Judge::MaxAge(_), Some((age, _))) => {
            format!("{} {} old", m.name, crate::model::human::span_secs(age))
        }
        (_, Some((x, unit))) => format!("{}={}", m.name, with_unit(x, unit)),
        (_, None) => format!(
            "{}={}",
            m.name,
            v.map(|v| v.to_string()).unwrap_or_else(|| "?".into())
        ),
    }
}

/// One row's summary and timing for an observation (failures say "—": their reason is listed below).
/// `mine`: the observation's findings.
fn summary(o: &Observation, mine: &[&Finding]) -> (String, Time) {
    if o.failure.is_some() && !matches!(o.facts, Facts::Mcp(_)) {
        return ("—".into(), one_time(Some(o.duration)));
    }
    match &o.facts {
        Facts::Mcp(m) => {
            if o.failure.is_some() {
                return ("—".into(), Time::new());
            }
            let mut parts = Vec::new();
            if let (Some(w), Some(r)) = (m.wire, m.revision.as_deref()) {
                parts.push(format!("{} {r}", short_wire(w)));
            }
            // what changes first (a cell cut short at 80 columns keeps it), the server's name last
            match &m.tools {
                Some(Ok(t)) => parts.push(plural(t.len(), "tool", "tools")),
                Some(Err(_)) => parts.push("tools: error".into()),
                None => parts.push("no tools".into()),
            }
            if !m.calls.is_empty() {
                parts.push(plural(m.calls.len(), "call", "calls"));
            }
            if let Some(s) = &m.server {
                parts.push(format!("{} {}", s.name, s.version).trim().to_string());
            }
            let mut time = Time::new();
            if let Some(r) = m.ready {
                time.push(("ready", fmt_ms(r)));
            }
            if let Some((method, Ok(d))) = &m.liveness {
                let short = if method == "ping" { "ping" } else { "discover" };
                time.push((short, fmt_ms(*d)));
            }
            let slowest = m
                .calls
                .iter()
                .filter_map(|c| match &c.outcome {
                    crate::model::CallOutcome::Answered(r) => Some(r.latency),
                    _ => None,
                })
                .max();
            if let Some(d) = slowest {
                time.push(("calls", format!("≤ {}", fmt_ms(d))));
            }
            (parts.join(" · "), time)
        }
        Facts::Hub(h) => {
            let connected = h
                .servers
                .iter()
                .filter(|s| s.status.as_deref() == Some("connected"))
                .count();
            // what changes first, the hub's version last
            let mut parts = vec![h.state.clone().unwrap_or_else(|| "state ?".into())];
            parts.push(format!(
                "{connected} of {} connected",
                plural(h.servers.len(), "server", "servers")
            ));
            if let Some(n) = h.registered.and_then(|r| r.tools) {
                parts.push(plural(n, "tool", "tools"));
            }
            if let Some(c) = h.active_clients {
                parts.push(plural(c, "client", "clients"));
            }
            if let Some(v) = &h.version {
                parts.push(format!("v{v}"));
            }
            (parts.join(" · "), one_time(h.latency))
        }
        Facts::Http(e) => {
            let mut parts = Vec::new();
            if let Some(s) = e.http_status {
                parts.push(format!("HTTP {s}"));
            }
            if let Some(c) = &e.content_type {
                parts.push(c.split(';').next().unwrap_or("").to_string());
            }
            if !e.asserts.is_empty() {
                let ok = e.asserts.iter().filter(|a| a.ok()).count();
                parts.push(format!("{ok}/{} assertions hold", e.asserts.len()));
            }
            if let Some(d) = e.tls_days_left {
                parts.push(format!("cert {d:.0} d"));
            }
            for (st, v) in &e.states {
                parts.push(format!("{}={}", st.name, v.as_deref().unwrap_or("?")));
            }
            // shown metrics have rows of their own
            for (m, v) in e.metrics.iter().filter(|(m, _)| !m.show) {
                let check = format!("metric:{}", m.name);
                let f = mine.iter().find(|f| f.check == check).copied();
                parts.push(metric_text(m, *v, f));
            }
            (parts.join(" · "), one_time(e.latency))
        }
        Facts::Tcp(t) => {
            let mut parts = vec![format!(
                "connected{}",
                t.address
                    .as_deref()
                    .map(|a| format!(" to {a}"))
                    .unwrap_or_default()
            )];
            if let Some(s) = &t.tls {
                parts.push(s.version.clone().unwrap_or_else(|| "TLS".into()));
                if let Some(c) = &s.cert {
                    parts.push(format!("cert {:.0} d", c.days_left));
                }
            }
            match (t.matched, &t.expect) {
                (Some(true), Some(e)) => parts.push(format!("got {e:?}")),
                (Some(false), Some(e)) => parts.push(format!("no {e:?}")),
                _ => {}
            }
            (parts.join(" · "), one_time(t.connect))
        }
        Facts::Cert(c) => {
            let mut parts = vec![plural(c.certificates, "certificate", "certificates")];
            if let Some(e) = &c.expiry {
                parts.push(format!(
                    "until {} · {} d",
                    e.not_after.format("%Y-%m-%d"),
                    e.days_left
                ));
            }
            (parts.join(" · "), one_time(Some(o.duration)))
        }
        Facts::Process(p) => {
            let pids: Vec<String> = p.processes.iter().map(|i| i.pid.to_string()).collect();
            let mut parts = vec![format!("pid {}", pids.join(","))];
            let first = p.processes.first();
            if let Some(u) = first.and_then(|i| i.uptime_s) {
                parts.push(format!("up {}", human::span_secs(u.max(0.0))));
            }
            let cpu: f64 = p.processes.iter().filter_map(|i| i.cpu_percent).sum();
            parts.push(format!("cpu {cpu:.1} %"));
            let rss: u64 = p.processes.iter().filter_map(|i| i.rss_bytes).sum();
            parts.push(format!("rss {}", human::bytes_binary(rss as f64)));
            let ports: Vec<String> = p
                .processes
                .iter()
                .flat_map(|i| i.listening_ports.iter().map(u16::to_string))
                .collect();
            if !ports.is_empty() {
                parts.push(format!("listens {}", ports.join(",")));
            }
            (parts.join(" · "), one_time(Some(o.duration)))
        }
        Facts::Load(l) => {
            let st = l.stats.summary();
            let ok = l
                .stats
                .success_percent()
                .map(|p| format!("{p:.1} % ok"))
                .unwrap_or_else(|| "nothing ran".into());
            let parts = [
                format!(
                    "{} × {} ({})",
                    l.stats.total(),
                    l.method,
                    plural(l.concurrency, "session", "sessions")
                ),
                ok,
                human::rate(l.throughput()),
                format!(
                    "p50 {:.2} · p95 {:.2} · p99 {:.2} ms",
                    st.p50, st.p95, st.p99
                ),
            ];
            (parts.join(" · "), one_time(Some(l.elapsed)))
        }
        Facts::Host(h) => {
            let mut parts = Vec::new();
            if let Some(c) = h.cpu_percent {
                parts.push(format!("cpu {c:.0} % of {}", h.cpus));
            }
            if let Some((l1, _, _)) = h.load_average {
                parts.push(format!("load {l1:.2}"));
            }
            parts.push(format!("mem {:.0} %", h.memory_used_percent));
            for d in &h.disks {
                parts.push(format!(
                    "{} {:.0} %",
                    d.mount_point.display(),
                    d.used_percent
                ));
            }
            (parts.join(" · "), one_time(Some(o.duration)))
        }
        Facts::Log(l) => {
            let errors = l.levels.get("error").copied().unwrap_or(0);
            let mut parts = vec![
                format!(
                    "{} ({})",
                    plural(l.entries_read, "entry", "entries"),
                    l.format.as_str()
                ),
                plural(errors, "error", "errors"),
            ];
            // the named patterns that matched, by name
            let hit: Vec<String> = l
                .hits
                .iter()
                .filter(|h| h.count > 0)
                .map(|h| format!("{} {}", h.name, h.count))
                .collect();
            if !hit.is_empty() {
                parts.push(hit.join(", "));
            }
            match &l.output {
                Some(out) => {
                    parts.push(format!("{} printed", human::bytes_binary(out.bytes as f64)))
                }
                None => parts.push(human::bytes(l.size_bytes as f64)),
            }
            (parts.join(" · "), one_time(Some(o.duration)))
        }
    }
}

/// `alerts`: under the table, the checks pending (bad, not firing yet) and this run's events, one line
/// each (`PENDING CRIT api connect: … (pending: 1 of 3 bad runs)`, `FIRING CRIT api connect: …`).
pub fn alert_lines(
    report: &Report,
    pending: &[crate::model::Pending],
    width: Option<u16>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for p in pending {
        write_wrapped(
            out,
            "",
            &format!(
                "PENDING {} {} {}: {} ({})",
                p.status.label(),
                sanitize(&p.target),
                p.check,
                sanitize(&p.message),
                p.note
            ),
            width,
            2,
        )?;
    }
    for e in report.events.iter().flatten() {
        write_wrapped(
            out,
            "",
            &format!(
                "{} {} {} {}: {}",
                e.event.as_str().to_uppercase(),
                e.status.label(),
                sanitize(&e.target),
                e.check,
                sanitize(&e.message)
            ),
            width,
            2,
        )?;
    }
    for o in report.outbox.iter().flatten() {
        write_wrapped(
            out,
            "",
            &format!(
                "OUTBOX {} from {}: {}, {}{}",
                o.channel,
                o.created_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                human::counted(o.events, "event"),
                human::counted(o.attempts, "failed attempt"),
                match &o.last_error {
                    Some(e) => format!(", last: {}", sanitize(e)),
                    None => String::new(),
                }
            ),
            width,
            2,
        )?;
    }
    Ok(())
}

/// One line of the findings table before it is fitted to the width.
struct Row {
    target: String,
    /// The probe kind, or a hub's server / a shown metric as `└ name`.
    probe: String,
    /// A sub-row (`└ name`) under its probe's row.
    sub: bool,
    mcp: bool,
    label: &'static str,
    status: Status,
    summary: String,
    time: Time,
}

/// The rows of the findings table: one per observation, then its hub servers and shown metrics.
fn rows(report: &Report) -> Vec<Row> {
    let mut rows = Vec::new();
    for obs in &report.observations {
        let mine: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.target == obs.target && f.probe == obs.kind())
            .collect();
        let st = worst(mine.iter().map(|f| f.status));
        // an alert that fires but is silenced: OK for the verdict, but not shown as if all were well
        let label = if st == Status::Ok && mine.iter().any(|f| f.silenced.is_some()) {
            "SILENCED"
        } else {
            st.label()
        };
        let (sum, time) = summary(obs, &mine);
        let target = sanitize(&obs.target);
        let sub = |name: &str, st: Status, summary: String| Row {
            target: target.clone(),
            probe: format!("└ {}", sanitize(name)),
            sub: true,
            mcp: false,
            label: st.label(),
            status: st,
            summary: sanitize(&summary),
            time: Time::new(),
        };
        let mut subs = Vec::new();
        if let Facts::Http(e) = &obs.facts {
            for (m, v) in e.metrics.iter().filter(|(m, _)| m.show) {
                let check = format!("metric:{}", m.name);
                let f = mine.iter().find(|f| f.check == check).copied();
                let st = f.map_or(Status::Unknown, |f| f.status);
                let mut text = metric_text(m, *v, f);
                // the row names the metric: the cell keeps what follows its name
                if let Some(rest) = text.strip_prefix(m.name.as_str()) {
                    text = rest.trim_start_matches('=').trim_start().to_string();
                }
                subs.push(sub(&m.name, st, text));
            }
        }
        if let Facts::Hub(h) = &obs.facts {
            for s in &h.servers {
                let check = format!("server:{}", s.name);
                let st = worst(
                    report
                        .findings
                        .iter()
                        .filter(|f| f.target == obs.target && f.check == check)
                        .map(|f| f.status),
                );
                let mut parts = vec![s.status.clone().unwrap_or_else(|| "status ?".into())];
                if let Some(n) = s.counts.tools {
                    parts.push(plural(n, "tool", "tools"));
                }
                parts.extend(s.uptime_text());
                subs.push(sub(&s.name, st, parts.join(" · ")));
            }
        }
        rows.push(Row {
            target,
            probe: obs.kind().as_str().to_string(),
            sub: false,
            mcp: matches!(obs.facts, Facts::Mcp(_)),
            label,
            status: st,
            summary: sanitize(&sum),
            time,
        });
        rows.extend(subs);
    }
    rows
}

/// The TIME column's header, and the footnote that says what an mcp row's times are when the header
/// cannot: `READY / PING` when every timed row is an mcp row with the same times, else `TIME` (and
/// `TIME of mcp rows: ready / ping` under the table when an mcp row has several).
fn time_header(rows: &[Row]) -> (String, Option<String>) {
    let names = |r: &Row| {
        r.time
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let timed: Vec<&Row> = rows.iter().filter(|r| !r.time.is_empty()).collect();
    if let Some(first) = timed.first()
        && timed.iter().all(|r| r.mcp && names(r) == names(first))
    {
        return (names(first).to_uppercase(), None);
    }
    let mut shapes: Vec<String> = Vec::new();
    for r in timed.iter().filter(|r| r.mcp && r.time.len() > 1) {
        let n = names(r);
        if !shapes.contains(&n) {
            shapes.push(n);
        }
    }
    let note = (!shapes.is_empty()).then(|| format!("TIME of mcp rows: {}", shapes.join(" or ")));
    ("TIME".into(), note)
}

pub fn render(report: &Report, opts: TableOptions, out: &mut dyn Write) -> std::io::Result<()> {
    use super::fit::{Column, Give};
    let rows = rows(report);
    let (time_head, note) = time_header(&rows);
    let column = |header: &str, give: Give, flex: bool| Column {
        header: header.into(),
        give,
        flex,
    };
    let cells = |r: &Row, probe: bool| {
        let time = r
            .time
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(" / ");
        let mut c = vec![(r.target.clone(), None)];
        if probe {
            c.push((r.probe.clone(), None));
        }
        c.extend([
            (r.label.to_string(), Some(status_color(r.status))),
            (r.summary.clone(), None),
            (time, None),
        ]);
        c
    };
    // the target's name once, on its first row
    let mut full = Vec::new();
    let mut previous: Option<&str> = None;
    for r in &rows {
        let mut c = cells(r, true);
        if previous == Some(r.target.as_str()) {
            c[0].0.clear();
        }
        previous = Some(&r.target);
        full.push(c);
    }
    let status = column("STATUS", Give::Keep, false);
    let summary = column("SUMMARY", Give::End(12), true);
    let time = column(&time_head, Give::Keep, false);
    let with_probe = [
        column("TARGET", Give::Middle(12), false),
        column("PROBE", Give::End(8), false),
        status.clone(),
        summary.clone(),
        time.clone(),
    ];
    // PROBE says nothing when every row is the same kind of probe; and when the width would cut the
    // summaries short (to less than 60 columns) or wrap a cell, the table does without it: a target's
    // rows after its first name their probe in the TARGET column (`└ process`), as a hub's servers and
    // shown metrics do (`└ memory`).
    let one_kind = rows.iter().all(|r| !r.sub && r.probe == rows[0].probe);
    let (widths, fits) = super::fit::columns(&with_probe, &texts(&full), opts.width);
    let (natural, _) = super::fit::columns(&with_probe, &texts(&full), None);
    let cramped = !fits || widths[3] < natural[3].min(60);
    let table = if one_kind || cramped {
        let merged: Vec<_> = rows
            .iter()
            .zip(&full)
            .map(|(r, c)| {
                let mut m = cells(r, false);
                m[0].0 = match (r.sub, c[0].0.is_empty()) {
                    (true, _) => r.probe.clone(),
                    (false, false) => c[0].0.clone(),
                    (false, true) => format!("└ {}", r.probe),
                };
                m
            })
            .collect();
        let cols = [
            column("TARGET", Give::Middle(12), false),
            status,
            summary,
            time,
        ];
        super::fit::table(&cols, &merged, opts.width, opts.color)
    } else {
        super::fit::table(&with_probe, &full, opts.width, opts.color)
    };
    writeln!(out, "{table}")?;
    if let Some(note) = note {
        writeln!(out, "{note}")?;
    }
    // What is not OK, one line each under the table (a table cell is too narrow for a reason).
    for f in report.findings.iter().filter(|f| f.status != Status::Ok) {
        let label = paint(f.status.label(), f.status, opts.color);
        let reason = f.reason.map(|r| format!("{r}: ")).unwrap_or_default();
        let text = format!(
            "{} {}: {reason}{}",
            sanitize(&f.target),
            sanitize(&f.check),
            sanitize(&f.message)
        );
        write_wrapped(out, &format!("{label} "), &text, opts.width, 2)?;
    }
    for obs in &report.observations {
        if let Facts::Load(l) = &obs.facts {
            histogram(out, l, opts.width)?;
        }
    }
    for obs in &report.observations {
        if let Some(m) = obs
            .mcp()
            .filter(|m| obs.failure.is_some() && !m.stderr_tail.is_empty())
        {
            let head = format!("stderr of {} (last lines):", sanitize(&obs.target));
            write_wrapped(out, "", &head, opts.width, 2)?;
            for line in crate::model::stderr_short(&m.stderr_tail, 5) {
                write_wrapped(out, "  ", &sanitize(line), opts.width, 4)?;
            }
        }
    }
    let c = report.counts();
    let overall = report.status();
    let mut parts = vec![format!("{} OK", c.ok)];
    for (n, label) in [(c.warn, "WARN"), (c.crit, "CRIT"), (c.unknown, "UNKNOWN")] {
        if n > 0 {
            parts.push(format!("{n} {label}"));
        }
    }
    let silenced = report.silenced();
    if silenced > 0 {
        parts.push(format!("{} silenced", human::counted(silenced, "alert")));
    }
    let label = paint(overall.label(), overall, opts.color);
    let text = format!(
        "{}: {}",
        plural(c.total(), "target", "targets"),
        parts.join(", ")
    );
    write_wrapped(out, &format!("{label}: "), &text, opts.width, 2)
}

/// The latency distribution of a load run, drawn with bars (as oha's summary does).
fn histogram(
    out: &mut dyn Write,
    l: &crate::model::LoadFacts,
    width: Option<u16>,
) -> std::io::Result<()> {
    let buckets = l.stats.buckets(10);
    let most = buckets.iter().map(|(_, n)| *n).max().unwrap_or(0);
    if most == 0 {
        return Ok(());
    }
    let s = l.stats.summary();
    let line = format!(
        "latency (ms): min {:.2} · mean {:.2} · p50 {:.2} · p90 {:.2} · p95 {:.2} · p99 {:.2} · p99.9 {:.2} · max {:.2}",
        s.min, s.mean, s.p50, s.p90, s.p95, s.p99, s.p999, s.max
    );
    write_wrapped(out, "", &line, width, 2)?;
    let t = l.ttfb.summary();
    if t.count > 0 {
        let line = format!(
            "time to first byte (ms): p50 {:.2} · p95 {:.2} · p99 {:.2} · max {:.2}",
            t.p50, t.p95, t.p99, t.max
        );
        write_wrapped(out, "", &line, width, 2)?;
    }
    if let Some(r) = l.rate {
        let line = format!(
            "fixed rate {r:.1}/s: latencies run from each request's intended start (coordinated omission corrected)"
        );
        write_wrapped(out, "", &line, width, 2)?;
    }
    // the longest bar: 40 columns, or what the width leaves after `  ≤ …… ms [  ……] ` (28)
    let longest = width.map_or(40, |w| usize::from(w).saturating_sub(28).clamp(8, 40));
    for (le, n) in buckets {
        let bar = (n as f64 / most as f64 * longest as f64).round() as usize;
        writeln!(out, "  ≤ {le:>10.2} ms [{n:>7}] {}", "■".repeat(bar))?;
    }
    if !l.stats.errors.is_empty() {
        let errors: Vec<String> = l
            .stats
            .errors
            .iter()
            .map(|(r, n)| format!("{n} {r}"))
            .collect();
        write_wrapped(out, "errors: ", &errors.join(", "), width, 2)?;
    }
    if l.interrupted {
        writeln!(out, "interrupted: the numbers are for what ran")?;
    }
    Ok(())
}
