//! `mcpmon measure`: load against one target (`probe::load`), judged by mcpmon's defaults (`rules::load`) or
//! against a saved baseline (`--compare`, a regression gate for CI: `rules::baseline`); plain HTTP load
//! (`--http`); two samples of a stats document (`--observe`: `probe::observe`, `rules::observe`).
//! Rendered in any format; Ctrl-C stops the load and what ran is still reported (exit 130).

use super::{AdHoc, Context, Outcome, Output, resolve_targets};
use crate::cli::{GlobalArgs, MeasureArgs, MeasureMethod};
use crate::mcp::session::Endpoint;
use crate::model::{Baseline, EraChoice, Exit, Facts, Finding, Kind, LoadFacts};
use crate::model::{Observation, Reason, Target};
use crate::net::http;
use crate::net::url::{parse_url, redact_url};
use crate::probe::load::{self, Amount, LoadSpec, Method};
use crate::report::{Format, Report, View};
use crate::rules;
use anyhow::{Context as _, anyhow, bail};
use std::sync::atomic::Ordering;
use std::time::Duration;

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &MeasureArgs) -> anyhow::Result<Outcome> {
    if let Some(url) = &args.observe {
        return observe(g, args, url).await;
    }
    if let Some(url) = &args.http {
        return plain_http(ctx, g, args, url).await;
    }
    let target = one_target(ctx, g, args)?;
    let endpoint = target
        .mcp()
        .map(|spec| crate::probe::mcp::endpoint(spec, target.startup_limit()))
        .ok_or_else(|| anyhow!("measure needs an MCP server"))?
        .map_err(|f| anyhow!(f.message))?;
    let gate = rules::baseline::gate(&args.warn, &args.crit).map_err(|e| anyhow!(e))?;
    let baseline = args.compare.as_deref().map(read_baseline).transpose()?;
    let mut spec = load_spec(ctx, args, endpoint, target.timeout);
    spec.era = args.connect.era.unwrap_or(target.era);
    spec.method = match (&args.tool, args.method) {
        (Some(tool), _) => Method::Call {
            tool: tool.clone(),
            arguments: serde_json::from_str(&args.tool_args)
                .map_err(|e| anyhow!("--args: not JSON: {e}"))?,
        },
        (None, MeasureMethod::Liveness) => Method::Liveness,
        (None, MeasureMethod::Ping) => Method::Ping,
        (None, MeasureMethod::ToolsList) => Method::ToolsList,
        (None, MeasureMethod::Discover) => Method::Discover,
        (None, MeasureMethod::Initialize) => Method::Initialize,
    };
    if let Some(r) = args.rate.filter(|r| !(r.is_finite() && *r > 0.0)) {
        bail!("--rate {r}: must be a positive number of requests per second")
    }
    spec.allow_side_effects = args.allow_side_effects;
    let client = http::client(target.timeout).context("building the HTTP client")?;
    let (now, started) = (chrono::Utc::now(), tokio::time::Instant::now());
    let control = load::Control::default();
    let bar = progress(ctx, g.format.unwrap_or(Format::Table), &spec);
    let (facts, failure) = match drive(load::run(&spec, &client, &control), &control, bar).await {
        Ok(f) => (f, None),
        // a tool that is missing or not read-only is refused before any load: a usage error
        Err(f) if matches!(f.reason, Reason::ToolMissing | Reason::NotReadOnly) => {
            bail!("--tool: {}", f.message)
        }
        Err(f) => (LoadFacts::default(), Some(f)),
    };
    let interrupted = facts.interrupted;
    let shown = target.mcp().map(crate::probe::mcp::display_endpoint);
    let obs = Observation {
        target: target.name.clone(),
        endpoint: shown.unwrap_or_default(),
        started_at: now,
        duration: started.elapsed(),
        failure,
        facts: Facts::Load(Box::new(facts)),
    };
    let mut findings = rules::findings(&obs, &target.checks, now);
    if let Some(base) = &baseline {
        findings.extend(rules::baseline::findings(&obs, base, gate));
    }
    if let (Some(path), Some(b)) = (&args.save_baseline, rules::baseline::of(&obs)) {
        crate::store::write_json_atomic(path, &b)
            .with_context(|| format!("writing the baseline {}", path.display()))?;
    }
    output(now, findings, obs, g.format, interrupted)
}

/// The one MCP target to load: ad-hoc (a URL or a command after `--`) or picked from the config.
fn one_target(ctx: &Context, g: &GlobalArgs, args: &MeasureArgs) -> anyhow::Result<Target> {
    let urls: Vec<String> = args.url.iter().cloned().collect();
    let adhoc = AdHoc {
        urls: &urls,
        hubs: &[],
        hub_config: None,
        health_urls: &[],
        tcp: Default::default(),
        cert_files: &[],
        logs: &[],
        log_patterns: &[],
        processes: &[],
        stats_urls: &[],
        thresholds: None,
        all_metrics: false,
        system: false,
        command: &args.command,
        headers: &args.connect.headers,
        transport: args.connect.transport,
    };
    let mut mcp: Vec<Target> = resolve_targets(ctx, g, &adhoc)?
        .into_iter()
        .filter(|t| t.has(Kind::Mcp))
        .collect();
    let target = match mcp.len() {
        1 => mcp.remove(0),
        0 => bail!("measure needs an MCP server: a URL, a command after `--`, or --target NAME"),
        more => bail!("measure loads one target at a time; pick one with --target (found {more})"),
    };
    if let Some(f) = crate::probe::unresolved(&target) {
        bail!("{}", f.message);
    }
    Ok(target)
}

/// A baseline file (`--compare`); one that is not a baseline is a usage error.
fn read_baseline(path: &std::path::Path) -> anyhow::Result<Baseline> {
    let text = crate::config::read_file(path)
        .with_context(|| format!("reading the baseline {}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}: not an mcpmon baseline: {e}", path.display()))
}

/// The load every mode shares (`-n`/`-z`, `-j`, warm-up, `-q`, the deadline), as plain HTTP uses it: an
/// unusable rate is no rate, the era and the method are not asked for, nothing with side effects.
fn load_spec(ctx: &Context, args: &MeasureArgs, endpoint: Endpoint, timeout: Duration) -> LoadSpec {
    LoadSpec {
        endpoint,
        era: EraChoice::Auto,
        method: Method::Ping,
        amount: match args.duration {
            Some(d) => Amount::For(d),
            None => Amount::Requests(args.requests),
        },
        concurrency: args.concurrency,
        warmup: args.warmup,
        rate: args.rate.filter(|r| r.is_finite() && *r > 0.0),
        allow_side_effects: false,
        timeout,
        lean: !http::http_proxy_configured(ctx.env_lookup()),
    }
}

/// A progress bar on stderr (done/total, or elapsed for -z) when stderr is a terminal and the output is
/// the table.
fn progress(ctx: &Context, format: Format, spec: &LoadSpec) -> Option<indicatif::ProgressBar> {
    if !ctx.term.stderr_tty || format != Format::Table {
        return None;
    }
    Some(bar(
        spec.amount,
        spec.warmup,
        indicatif::ProgressDrawTarget::stderr(),
    ))
}

/// The bar itself, drawn on `target`: `███░░ 285/300 requests · 94/s · 3 s` (`261/s` and `2 s`, not
/// indicatif's own `261.3847/s` and `2s`).
fn bar(
    amount: Amount,
    warmup: u64,
    target: indicatif::ProgressDrawTarget,
) -> indicatif::ProgressBar {
    let bar = match amount {
        Amount::Requests(n) => indicatif::ProgressBar::new(n.saturating_add(warmup)),
        Amount::For(_) => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_draw_target(target);
    let style = match amount {
        Amount::Requests(_) => "{bar:30} {pos}/{len} requests · {rate} · {took}",
        Amount::For(_) => "{spinner} {pos} requests · {rate} · {took}",
    };
    if let Ok(s) = indicatif::ProgressStyle::with_template(style) {
        bar.set_style(
            s.with_key(
                "rate",
                |st: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&crate::model::human::rate(st.per_sec()));
                },
            )
            .with_key(
                "took",
                |st: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&crate::model::human::span(st.elapsed()));
                },
            ),
        );
    }
    bar
}

/// The URL of `--observe`/`--http` (named `flag` in errors) and the `-H` headers, with their values:
/// the secrets to scrub from any message.
fn url_and_headers(
    args: &MeasureArgs,
    url: &str,
    flag: &str,
) -> anyhow::Result<(reqwest::Url, reqwest::header::HeaderMap, Vec<String>)> {
    let parsed = parse_url(url).map_err(|e| anyhow!("{flag}: {e}"))?;
    let headers = args
        .connect
        .headers
        .iter()
        .map(|h| crate::config::parse_header_arg(h))
        .collect::<Result<Vec<_>, _>>()?;
    let secrets = headers.iter().map(|(_, v)| v.clone()).collect();
    let map = http::header_map(&headers).map_err(|e| anyhow!(e))?;
    Ok((parsed, map, secrets))
}

/// `--observe`: two samples of a stats document `--window` apart; every numeric field's change and rate.
async fn observe(g: &GlobalArgs, args: &MeasureArgs, url: &str) -> anyhow::Result<Outcome> {
    let (parsed, header_map, secrets) = url_and_headers(args, url, "--observe")?;
    let timeout = g.timeout.unwrap_or(crate::model::DEFAULT_TIMEOUT);
    let client = http::client(timeout).context("building the HTTP client")?;
    let now = chrono::Utc::now();
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let sampled = crate::probe::observe::run(
        &client,
        &parsed,
        &header_map,
        &secrets,
        timeout,
        args.window,
        stop,
    )
    .await;
    let obs = Observation {
        target: crate::config::url_name(&parsed),
        endpoint: redact_url(url),
        started_at: now,
        duration: sampled.latency,
        failure: sampled.pair.as_ref().err().cloned(),
        facts: Facts::Http(Box::new(rules::observe::facts(&sampled, &args.metrics))),
    };
    let findings = rules::observe::findings(&obs, now);
    output(now, findings, obs, g.format, sampled.interrupted)
}

/// `--http URL`: plain HTTP load (GET, or POST with --body), judged like MCP load.
async fn plain_http(
    ctx: &Context,
    g: &GlobalArgs,
    args: &MeasureArgs,
    url: &str,
) -> anyhow::Result<Outcome> {
    let (parsed, headers, _) = url_and_headers(args, url, "--http")?;
    if let Some(b) = &args.body {
        serde_json::from_str::<serde_json::Value>(b)
            .map_err(|e| anyhow!("--body: not JSON: {e}"))?;
    }
    let body = args.body.clone().map(String::into_bytes);
    let target = load::HttpLoad {
        url: parsed,
        headers,
        body,
    };
    let timeout = g.timeout.unwrap_or(crate::model::DEFAULT_TIMEOUT);
    let endpoint = Endpoint::Url {
        url: target.url.clone(),
        headers: target.headers.clone(),
        wire: None,
    };
    let spec = load_spec(ctx, args, endpoint, timeout);
    let client = http::client(timeout).context("building the HTTP client")?;
    let control = load::Control::default();
    let bar = progress(ctx, g.format.unwrap_or(Format::Table), &spec);
    let (now, started) = (chrono::Utc::now(), tokio::time::Instant::now());
    let work = load::run_http(&target, &spec, &client, &control);
    let facts = drive(work, &control, bar).await;
    let interrupted = facts.interrupted;
    let obs = Observation {
        target: crate::config::url_name(&target.url),
        endpoint: redact_url(url),
        started_at: now,
        duration: started.elapsed(),
        failure: None,
        facts: Facts::Load(Box::new(facts)),
    };
    let findings = rules::findings(&obs, &crate::model::Checks::default(), now);
    output(now, findings, obs, g.format, interrupted)
}

/// Runs a load to its end, feeding the progress bar; Ctrl-C stops sending and what ran is still reported.
async fn drive<T>(
    work: impl std::future::Future<Output = T>,
    control: &load::Control,
    bar: Option<indicatif::ProgressBar>,
) -> T {
    tokio::pin!(work);
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(100));
    let r = loop {
        tokio::select! {
            r = &mut work => break r,
            _ = tokio::signal::ctrl_c() => control.stop.store(true, Ordering::Relaxed),
            _ = tick.tick() => {
                if let Some(b) = &bar {
                    b.set_position(control.done.load(Ordering::Relaxed));
                }
            }
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    r
}

/// The report to write; the exit code is 130 after Ctrl-C, else the verdict's.
fn output(
    now: chrono::DateTime<chrono::Utc>,
    findings: Vec<Finding>,
    obs: Observation,
    format: Option<Format>,
    interrupted: bool,
) -> anyhow::Result<Outcome> {
    let report = Report {
        command: "measure",
        generated_at: now,
        findings,
        observations: vec![obs],
        events: None,
        outbox: None,
    };
    let mut outcome = Outcome::report(Output::stdout(report, View::Findings, format));
    if interrupted {
        outcome.exit = Exit::Interrupted;
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A terminal that keeps what is drawn on it.
    #[derive(Debug, Default, Clone)]
    struct Screen(Arc<Mutex<String>>);

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            120
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_progress_bar_reads_its_rate_and_time_with_units() {
        for amount in [
            Amount::Requests(1000),
            Amount::For(std::time::Duration::from_secs(30)),
        ] {
            let screen = Screen::default();
            let b = bar(
                amount,
                0,
                indicatif::ProgressDrawTarget::term_like(Box::new(screen.clone())),
            );
            b.set_position(385);
            b.finish();
            let drawn = screen.0.lock().unwrap().clone();
            let line = drawn
                .lines()
                .last()
                .unwrap_or_default()
                .trim_end()
                .to_string();
            // `385 requests · 1234567/s · 0 s`: a whole rate here (it is high), never `1234567.1234/s`
            let rate = line
                .split(" · ")
                .find(|p| p.ends_with("/s"))
                .unwrap_or_else(|| panic!("no rate: {line:?}"));
            let number = rate.trim_end_matches("/s");
            assert!(
                number.parse::<f64>().is_ok()
                    && number.split('.').nth(1).is_none_or(|d| d.len() <= 2),
                "{line:?}"
            );
            assert!(line.ends_with(" · 0 s"), "{line:?}");
            assert!(line.contains("385"), "{line:?}");
        }
    }
}
