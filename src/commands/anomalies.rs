//! `mcpmon anomalies`: `detect-anomalies.sh` generalised. Now: a health round's findings (error spikes,
//! flapping, process CPU and memory, disconnected hub servers, log size and truncation) plus each hub's
//! client count; from history: `rules::anomalies` over `--window`. Exit as the original: 0 none, 1 one
//! or two minor ones, 2 three or more or any critical one.

use super::health::{Prepared, check, prepare};
use super::{Context, Outcome, Output};
use crate::cli::{AnomaliesArgs, GlobalArgs, TargetArgs};
use crate::model::CheckId;
use crate::model::Facts;
use crate::model::Finding;
use crate::model::Kind;
use crate::model::Reason;
use crate::model::Status;

use crate::report::{Report, View};
use crate::rules::anomalies::History;

use crate::store::history;
use anyhow::Context as _;
use std::collections::{BTreeMap, BTreeSet};

/// Three anomalies or more make the run critical, whatever each one is (as the original).
const CRITICAL_COUNT: usize = 3;

/// Folds the window's history, the older and the newer half of its days side by side (each day file
/// is read by one of them), then joins them; `names` keeps only those targets.
fn read_history(
    dir: &std::path::Path,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    names: Option<&BTreeSet<String>>,
) -> std::io::Result<(History, history::ReadReport)> {
    let fold = |a: chrono::DateTime<chrono::Utc>, b: chrono::DateTime<chrono::Utc>| {
        let mut h = History::default();
        let r = history::scan(dir, a, b, |line, at| {
            if names.is_none_or(|n| n.contains(line.target.as_ref())) {
                h.add(line, at);
            }
        });
        r.map(|r| (h, r))
    };
    // split at the midnight nearest the middle, so no day file is opened twice
    let middle = from + (to - from) / 2;
    let mid = middle
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    if mid <= from || (to - from) < chrono::Duration::days(2) {
        return fold(from, to);
    }
    let (older, newer) = std::thread::scope(|s| {
        let older = s.spawn(|| fold(from, mid - chrono::Duration::milliseconds(1)));
        let newer = fold(mid, to);
        (older.join(), newer)
    });
    let (older, r1) = older.map_err(|_| std::io::Error::other("reading history failed"))??;
    let (newer, r2) = newer?;
    let mut notes = r1.notes;
    notes.extend(r2.notes);
    let report = history::ReadReport {
        files: r1.files + r2.files,
        records: r1.records + r2.records,
        corrupt: r1.corrupt + r2.corrupt,
        notes,
    };
    Ok((older.merge(newer), report))
}

/// Whether the run names anything to probe live (else it reads history alone).
fn has_targets(ctx: &Context, g: &GlobalArgs, t: &TargetArgs) -> bool {
    !(t.urls.is_empty()
        && t.command.is_empty()
        && t.hubs.is_empty()
        && t.health_urls.is_empty()
        && t.stats_urls.is_empty()
        && t.logs.is_empty()
        && t.processes.is_empty()
        && !t.system
        && g.config.is_empty()
        && crate::config::default_config_path(&ctx.cwd, ctx.xdg_config_home.clone()).is_none())
}

fn clients(target: &str, n: u64, max: u64) -> Finding {
    let status = if n > 2 * max {
        Status::Crit
    } else if n > max {
        Status::Warn
    } else {
        Status::Ok
    };
    Finding::new(
        target,
        Kind::Hub,
        CheckId::HUB_CLIENTS,
        status,
        (status != Status::Ok).then_some(Reason::Threshold),
        format!("{n} active clients"),
    )
    .value(n as f64)
    .unit(crate::model::Unit::Count)
    .bounds(Some(max as f64), Some(2.0 * max as f64))
}

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &AnomaliesArgs) -> anyhow::Result<Outcome> {
    let now = chrono::Utc::now();
    let mut findings = Vec::new();
    let mut observations = Vec::new();
    let mut names: Option<BTreeSet<String>> = None;
    if has_targets(ctx, g, &args.targets) {
        // log marks are kept as health keeps them, so a truncated or rotated log is seen
        let Prepared {
            targets,
            client,
            opts,
        } = prepare(ctx, g, &args.targets, &[], None)?;
        let report = check(&targets, &client, &opts).await;
        names = Some(targets.iter().map(|t| t.name.clone()).collect());
        findings = report.findings;
        for obs in &report.observations {
            if let Facts::Hub(h) = &obs.facts {
                if let Some(n) = h.active_clients {
                    findings.push(clients(&obs.target, n, args.max_clients));
                }
            }
        }
        observations = report.observations;
    }
    for f in &mut findings {
        f.section = Some("now");
    }

    // what the live round measured is "now" for the baselines
    let live: BTreeMap<(String, String), f64> = findings
        .iter()
        .filter_map(|f| {
            f.value
                .map(|v| ((f.target.clone(), f.check.to_string()), v))
        })
        .collect();
    let mut hist = History::default();
    let window = chrono::Duration::from_std(args.window).unwrap_or(chrono::Duration::MAX);
    let summary = match ctx.state_dir(g).map(|d| history::dir(&d)) {
        None => "no state dir: history not read".to_string(),
        Some(dir) => {
            let (folded, read) = read_history(&dir, now - window, now, names.as_ref())
                .with_context(|| format!("reading history in {}", dir.display()))?;
            hist = folded;
            for n in &read.notes {
                eprintln!("mcpmon: warning: {n}");
            }
            let targets = hist.series.len();
            if hist.records == 0 {
                format!(
                    "no records in the last {} in {} (run `mcpmon record`, or --record on health)",
                    crate::config::duration::span(args.window),
                    dir.display()
                )
            } else {
                format!(
                    "{} records of {} target(s) from {} day file(s){}",
                    hist.records,
                    targets,
                    read.files,
                    if read.corrupt > 0 {
                        format!("; {} corrupt line(s) skipped", read.corrupt)
                    } else {
                        String::new()
                    }
                )
            }
        }
    };
    let mut read_note = Finding::new("history", Kind::Mcp, "history", Status::Ok, None, summary);
    read_note.section = Some("history");
    findings.push(read_note);
    findings.extend(crate::rules::anomalies::findings(&hist, &live, now));

    let anomalies = findings
        .iter()
        .filter(|f| matches!(f.status, Status::Warn | Status::Crit))
        .count();
    let any_crit = findings.iter().any(|f| f.status == Status::Crit);
    if anomalies >= CRITICAL_COUNT && !any_crit {
        let mut f = Finding::new(
            "anomalies",
            Kind::Mcp,
            "count",
            Status::Crit,
            Some(Reason::Anomaly),
            format!("{anomalies} anomalies at once (≥ {CRITICAL_COUNT} is critical)"),
        )
        .value(anomalies as f64)
        .unit(crate::model::Unit::Count)
        .bounds(Some(1.0), Some(CRITICAL_COUNT as f64));
        f.section = Some("history");
        findings.push(f);
    }

    let report = Report {
        command: "anomalies",
        generated_at: now,
        findings,
        observations,
        events: None,
    };
    let heading = format!(
        "From history (last {})",
        crate::config::duration::span(args.window)
    );
    let sections = vec![
        ("now", "Now: live probes and logs".to_string()),
        ("history", heading),
    ];
    Ok(Outcome::report(Output::stdout(
        report,
        View::Checklist(sections),
        g.format,
    )))
}
