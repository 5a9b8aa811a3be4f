//! `mcpmon health`: every target probed in parallel, each within its own deadline, judged by the
//! health rules, rendered once — or every `--interval` with `--watch`.

use super::{AdHoc, Context, emit, is_broken_pipe, resolve_targets_audited};
use crate::cli::{GlobalArgs, HealthArgs, TargetArgs};
use crate::model::EXIT_INTERRUPTED;
use crate::model::Observation;
use crate::model::Status;
use crate::model::Target;
use crate::model::{Kind, ProbeSpec};

use crate::mcp::transport::http;
use crate::probe::{self};
use crate::report::table::TableOptions;
use crate::report::{Format, Report, json, nagios, prometheus, table};
use crate::rules;

use crate::store::marks;
use anyhow::Context as _;
use std::sync::Arc;

/// What a round needs beyond the targets.
pub struct RoundOptions {
    /// `--deep`: also check each hub's own MCP endpoint and every server of its config directly.
    pub deep: bool,
    /// Placeholders in a hub's config are resolved against this environment.
    /// (Its own copy, so the rounds can outlive the command's borrow: the dashboard's collectors.)
    pub env: Arc<std::collections::HashMap<String, String>>,
    /// Where log marks are kept between runs (none: growth and rotation are not tracked).
    pub state_dir: Option<std::path::PathBuf>,
}

/// Probes every target concurrently (each probe of each target as its own task); observations come
/// back in target order, each with its findings.
async fn probe_all(
    targets: &Arc<Vec<Target>>,
    client: &reqwest::Client,
    now: chrono::DateTime<chrono::Utc>,
    marks: Option<&marks::Marks>,
) -> (Vec<Observation>, Vec<crate::model::Finding>) {
    let mut set = tokio::task::JoinSet::new();
    let mut slots: Vec<(usize, crate::model::Kind)> = Vec::new();
    for (ti, t) in targets.iter().enumerate() {
        for (pi, spec) in t.probes().iter().enumerate() {
            let slot = slots.len();
            slots.push((ti, spec.kind()));
            let targets = Arc::clone(targets);
            let client = client.clone();
            set.spawn(async move {
                let target = &targets[ti];
                (
                    slot,
                    probe::run(target, &target.probes()[pi], &client, now).await,
                )
            });
        }
    }
    let mut results: Vec<Option<Observation>> = vec![None; slots.len()];
    while let Some(res) = set.join_next().await {
        if let Ok((slot, obs)) = res {
            results[slot] = Some(obs);
        }
    }
    let mut findings = Vec::new();
    let mut observations = Vec::new();
    for (slot, obs) in results.into_iter().enumerate() {
        let (ti, kind) = slots[slot];
        let target = &targets[ti];
        // A probe task can only be missing if it panicked; say so rather than drop the target.
        let mut obs = obs.unwrap_or_else(|| probe::run_failed(target, kind, now));
        if let (Some(marks), crate::model::Facts::Log(l), None) =
            (marks, &mut obs.facts, &obs.failure)
        {
            l.growth = Some(crate::model::growth(marks.get(&obs.endpoint), &l.mark()));
        }
        findings.extend(rules::findings(&obs, &target.checks, now));
        observations.push(obs);
    }
    (observations, findings)
}

/// One round: every target probed, judged and reported. The clock is read here, once per round.
pub async fn check(
    targets: &Arc<Vec<Target>>,
    client: &reqwest::Client,
    opts: &RoundOptions,
) -> Report {
    let now = chrono::Utc::now();
    let mut marks = opts.state_dir.as_deref().map(|dir| {
        let (m, warning) = marks::load(dir);
        if let Some(w) = warning {
            eprintln!("mcpmon: warning: {w}");
        }
        m
    });
    let (mut observations, mut findings) = probe_all(targets, client, now, marks.as_ref()).await;
    if let (Some(dir), Some(m)) = (opts.state_dir.as_deref(), marks.as_mut()) {
        let before = m.clone();
        for o in &observations {
            if let (crate::model::Facts::Log(l), None) = (&o.facts, &o.failure) {
                m.insert(o.endpoint.clone(), l.mark());
            }
        }
        if *m != before {
            if let Err(e) = marks::save(dir, m) {
                eprintln!(
                    "mcpmon: warning: log marks not saved in {}: {e}",
                    dir.display()
                );
            }
        }
    }
    if opts.deep {
        let (o, f) = deep(&observations, targets, client, opts, now).await;
        observations.extend(o);
        findings.extend(f);
    }
    Report {
        command: "health",
        generated_at: now,
        findings,
        observations,
        events: None,
    }
}

/// `--deep`: for every hub, its own MCP endpoint and each server of its config, checked directly, then
/// compared with what the hub says.
async fn deep(
    observations: &[Observation],
    targets: &[Target],
    client: &reqwest::Client,
    opts: &RoundOptions,
    now: chrono::DateTime<chrono::Utc>,
) -> (Vec<Observation>, Vec<crate::model::Finding>) {
    let mut extra: Vec<Target> = Vec::new();
    let mut notes: Vec<crate::model::Finding> = Vec::new();
    let mut hubs: Vec<(usize, String)> = Vec::new();
    for (i, obs) in observations.iter().enumerate() {
        let crate::model::Facts::Hub(h) = &obs.facts else {
            continue;
        };
        let Some(t) = targets.iter().find(|t| t.name == obs.target) else {
            continue;
        };
        let Some(spec) = t.hub() else { continue };
        if obs.failure.is_some() {
            continue;
        }
        hubs.push((i, t.name.clone()));
        // the hub's own aggregated endpoint (mcp-hub: HTTP+SSE at /mcp)
        if let Ok(url) = crate::mcp::session::parse_url(&spec.url)
            .and_then(|u| u.join("/mcp").map_err(|e| e.to_string()))
        {
            let mut e = Target::empty(format!("{}/mcp", t.name), t.origin.clone(), t.timeout);
            e.secrets = t.secrets.clone();
            e.set(ProbeSpec::Mcp(crate::model::EndpointSpec::Url {
                url: url.to_string(),
                headers: spec.headers.clone(),
                wire: Some(crate::model::Wire::Sse),
            }));
            extra.push(e);
        }
        // each server of the hub's config, started directly
        match &h.config_source {
            None => notes.push(crate::model::Finding::new(
                &t.name,
                "deep",
                Status::Ok,
                None,
                "the hub names no config file: its servers were not checked directly".into(),
            )),
            Some(src) => {
                let lookup = |k: &str| opts.env.get(k).cloned();
                match crate::config::load_file(std::path::Path::new(src), &lookup, t.timeout) {
                    Ok(servers) => {
                        for mut s in servers.into_iter().filter(|s| h.servers.iter().any(|hs| hs.name == s.name)) {
                            s.name = format!("{}/{}", t.name, s.name);
                            extra.push(s);
                        }
                    }
                    Err(e) => notes.push(crate::model::Finding::new(
                        &t.name,
                        "deep",
                        Status::Unknown,
                        Some(crate::model::Reason::FileUnreadable),
                        format!("the hub's config could not be read, its servers were not checked directly: {e}"),
                    )),
                }
            }
        }
    }
    if extra.is_empty() {
        return (Vec::new(), notes);
    }
    let extra = Arc::new(extra);
    let (obs, mut findings) = probe_all(&extra, client, now, None).await;
    for (i, hub_name) in hubs {
        let prefix = format!("{hub_name}/");
        let direct: Vec<(&str, &Observation)> = obs
            .iter()
            .filter_map(|o| o.target.strip_prefix(&prefix).map(|n| (n, o)))
            .collect();
        findings.extend(rules::hub::deep_findings(&observations[i], &direct));
    }
    findings.extend(notes);
    for f in &mut findings {
        if hubs_named(&f.target, targets) {
            f.probe = crate::model::Kind::Hub;
        }
    }
    (obs, findings)
}

fn hubs_named(name: &str, targets: &[Target]) -> bool {
    targets.iter().any(|t| t.name == name && t.has(Kind::Hub))
}

fn apply_overrides(targets: &mut [Target], args: &TargetArgs) {
    for t in targets {
        if let Some(n) = args.min_tools {
            t.checks.min_tools = Some(n);
        }
        if !args.expect_tools.is_empty() {
            t.checks.expect_tools = args.expect_tools.clone();
        }
        if let Some(w) = args.warn_ms {
            t.checks.response_time_ms.warn = Some(w);
        }
        if let Some(c) = args.crit_ms {
            t.checks.response_time_ms.crit = Some(c);
        }
        if let Some(e) = args.connect.era {
            t.era = e;
        }
    }
}

/// Renders a report in the chosen format.
pub fn render(report: &Report, format: Format, ctx: &Context) -> Vec<u8> {
    let mut buf = Vec::new();
    let res = match format {
        Format::Table => table::render(
            report,
            TableOptions {
                color: ctx.term.color,
                width: ctx.term.width,
            },
            &mut buf,
        ),
        Format::Json => json::render(report, &mut buf),
        Format::Jsonl => json::render_line(report, &mut buf),
        Format::Nagios => nagios::render(report, &mut buf),
        Format::Prometheus => prometheus::render(report, &mut buf),
        Format::Markdown => markdown(report, &mut buf),
    };
    // Writing into a Vec cannot fail.
    debug_assert!(res.is_ok());
    buf
}

/// Findings as a Markdown table (for a chat message or a wiki page).
fn markdown(report: &Report, out: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Write as _;
    let cell = |s: &str| crate::term::sanitize(s).replace('|', "\\|");
    writeln!(
        out,
        "**mcpmon {}: {}**\n\n| target | probe | check | status | message |\n|---|---|---|---|---|",
        report.command,
        report.status().as_str().to_uppercase()
    )?;
    for f in &report.findings {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&f.target),
            f.probe.as_str(),
            cell(&f.check),
            f.status.as_str(),
            cell(&f.message)
        )?;
    }
    Ok(())
}

/// The targets, the HTTP client and the round options of a `health`-style run (shared with `alerts`).
pub struct Prepared {
    pub targets: Arc<Vec<Target>>,
    pub client: reqwest::Client,
    pub opts: RoundOptions,
}

pub fn prepare(
    ctx: &Context,
    g: &GlobalArgs,
    args: &TargetArgs,
    ranges: &[(crate::config::ranges::RangeArg, bool)],
    audit: Option<&mut Vec<crate::model::Finding>>,
) -> anyhow::Result<Prepared> {
    let adhoc = AdHoc {
        urls: &args.urls,
        hubs: &args.hubs,
        health_urls: &args.health_urls,
        logs: &args.logs,
        processes: &args.processes,
        stats_urls: &args.stats_urls,
        thresholds: args.thresholds.as_deref(),
        system: args.system,
        command: &args.command,
        headers: &args.connect.headers,
        transport: args.connect.transport,
    };
    let mut targets = resolve_targets_audited(ctx, g, &adhoc, audit)?;
    apply_overrides(&mut targets, args);
    crate::config::ranges::apply(&mut targets, ranges)?;
    let longest = targets
        .iter()
        .map(|t| t.timeout)
        .max()
        .unwrap_or(crate::model::DEFAULT_TIMEOUT);
    let client = http::client(longest).context("building the HTTP client")?;
    let opts = RoundOptions {
        deep: args.deep,
        env: Arc::new(ctx.env.clone()),
        // log marks are kept only for runs that watch logs
        state_dir: targets
            .iter()
            .any(|t| t.has(Kind::Log))
            .then(|| ctx.state_dir(g))
            .flatten(),
    };
    Ok(Prepared {
        targets: Arc::new(targets),
        client,
        opts,
    })
}

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &HealthArgs) -> anyhow::Result<u8> {
    let Prepared {
        targets,
        client,
        opts,
    } = prepare(ctx, g, &args.targets, &[], None)?;
    let format = g.format.unwrap_or(if args.watch && !ctx.term.stdout_tty {
        Format::Jsonl
    } else {
        Format::Table
    });

    let history = if args.record {
        Some(super::record::history_dir(ctx, g)?)
    } else {
        None
    };
    if !args.watch {
        let report = check(&targets, &client, &opts).await;
        let code = report.status().exit_code();
        let recorded = history
            .as_deref()
            .map(|dir| super::record::append(dir, &report, "health"));
        if let Err(e) = emit(&render(&report, format, ctx)) {
            if !is_broken_pipe(&e) {
                return Err(e).context("writing the report to stdout");
            }
        }
        // the report is out either way; a history that could not be written is exit 3
        recorded.transpose()?;
        return Ok(code);
    }

    let mut round = 0u64;
    loop {
        round += 1;
        let started = tokio::time::Instant::now();
        let report = check(&targets, &client, &opts).await;
        let last: Status = report.status();
        if let Some(dir) = &history {
            if let Err(e) = super::record::append(dir, &report, "health") {
                eprintln!("mcpmon: {e:#}");
            }
        }
        let mut bytes = Vec::new();
        let live_table = format == Format::Table && ctx.term.stdout_tty;
        if live_table {
            bytes.extend_from_slice(b"\x1b[H\x1b[2J");
        }
        bytes.extend(render(&report, format, ctx));
        if live_table {
            let when = report
                .generated_at
                .with_timezone(&chrono::Local)
                .format("%H:%M:%S");
            bytes.extend(
                format!(
                    "round {round} at {when}; every {}; Ctrl-C to stop\n",
                    crate::config::duration::human(args.interval)
                )
                .into_bytes(),
            );
        }
        if let Err(e) = emit(&bytes) {
            if is_broken_pipe(&e) {
                return Ok(last.exit_code());
            }
            return Err(e).context("writing the report to stdout");
        }
        if args.count.is_some_and(|n| round >= n) {
            return Ok(last.exit_code());
        }
        let next = started + args.interval;
        tokio::select! {
            _ = tokio::time::sleep_until(next) => {}
            _ = tokio::signal::ctrl_c() => return Ok(EXIT_INTERRUPTED),
        }
    }
}
