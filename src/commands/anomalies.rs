//! `mcpmon anomalies`: `detect-anomalies.sh` generalised. Now: a health round's findings (error spikes,
//! flapping, process CPU and memory, disconnected hub servers, log size and truncation) plus each hub's
//! client count; from history: `rules::anomalies` over `--window`. Exit as the original: 0 none, 1 one
//! or two minor ones, 2 three or more or any critical one.

use super::round::{Prepared, check, prepare};
use super::{Context, Outcome, Output};
use crate::cli::{AnomaliesArgs, GlobalArgs, TargetArgs};
use crate::report::{Report, View};
use crate::rules::anomalies::{self, History, HistoryRead};
use crate::store::history;
use anyhow::Context as _;
use std::collections::BTreeSet;

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

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &AnomaliesArgs) -> anyhow::Result<Outcome> {
    let now = chrono::Utc::now();
    let (mut live, mut observations, mut names) = (Vec::new(), Vec::new(), None);
    if has_targets(ctx, g, &args.targets) {
        // log marks are kept as health keeps them, so a truncated or rotated log is seen
        let Prepared {
            targets,
            client,
            opts,
        } = prepare(ctx, g, &args.targets, &[], None)?;
        let report = check(&targets, &client, &opts).await;
        names = Some(
            targets
                .iter()
                .map(|t| t.name.clone())
                .collect::<BTreeSet<_>>(),
        );
        (live, observations) = (report.findings, report.observations);
    }
    let window = chrono::Duration::from_std(args.window).unwrap_or(chrono::Duration::MAX);
    let (history, read) = match ctx.state_dir(g).map(|d| history::dir(&d)) {
        None => (History::default(), HistoryRead::NoStateDir),
        Some(dir) => {
            let only = |h: &mut History, line: &crate::model::HistoryLine<'_>, at| {
                if names
                    .as_ref()
                    .is_none_or(|n| n.contains(line.target.as_ref()))
                {
                    h.add(line, at);
                }
            };
            let (folded, read) =
                history::fold_window(&dir, now - window, now, only, History::merge)
                    .with_context(|| format!("reading history in {}", dir.display()))?;
            for n in &read.notes {
                eprintln!("mcpmon: warning: {n}");
            }
            let read = HistoryRead::Read {
                dir: dir.display().to_string(),
                files: read.files,
                corrupt: read.corrupt,
            };
            (folded, read)
        }
    };
    let window = crate::model::human::span(args.window);
    let findings = anomalies::assess(
        live,
        &observations,
        args.max_clients,
        &history,
        &read,
        &window,
        now,
    );
    let report = Report {
        command: "anomalies",
        generated_at: now,
        findings,
        observations,
        events: None,
        outbox: None,
    };
    let sections = vec![
        ("now", "Now: live probes and logs".to_string()),
        ("history", format!("From history (last {window})")),
    ];
    // with too little history nothing was judged against a baseline: not a clean bill of health
    let ok_word = anomalies::too_little_history(&history)
        .map(|_| "NO ANOMALY NOW (not enough history yet)".to_string());
    let view = View::Checklist { sections, ok_word };
    Ok(Outcome::report(Output::stdout(report, view, g.format)))
}
