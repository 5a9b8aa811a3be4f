//! The health round every checking command shares (`health`, `alerts`, `validate`, `anomalies`,
//! `record`, the dashboard): targets resolved from flags and config, every probe of every target run
//! concurrently within its deadline, judged by `rules`, log marks kept, `--deep` hub checks, and the
//! history appended. Orchestration only: the probes look, the rules judge, `report` renders.

use super::{AdHoc, Context, resolve_targets_audited};
use crate::cli::{GlobalArgs, TargetArgs};
use crate::model::{
    EndpointSpec, Era, EraChoice, Facts, Kind, Observation, ProbeSpec, Record, Status, Target, Wire,
};
use crate::net::http;
use crate::probe;
use crate::report::Report;
use crate::rules;
use crate::store::history;
use crate::store::{detected, marks, samples};
use anyhow::{Context as _, anyhow};
use std::path::{Path, PathBuf};
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
    /// Where the metric samples that rates and growth are judged by are kept between runs (none: no
    /// rate can be judged, and says so).
    pub samples_dir: Option<std::path::PathBuf>,
    /// Where what detection learnt is kept between runs (`store::detected`; none: detect every time).
    pub detect_dir: Option<std::path::PathBuf>,
    /// At most this many probes at once (`--jobs`), and to one host:port (`--per-host`).
    pub jobs: usize,
    pub per_host: usize,
}

/// The concurrency caps of a round: a slot among `jobs`, and among `per_host` for the host:port a
/// probe talks to. A probe waits for both before it starts (its deadline starts then).
pub struct Limits {
    all: Arc<tokio::sync::Semaphore>,
    per_host: usize,
    hosts: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Semaphore>>>,
}

/// The slots a running probe holds (global, host); given back when dropped.
pub type Slots = (
    Option<tokio::sync::OwnedSemaphorePermit>,
    Option<tokio::sync::OwnedSemaphorePermit>,
);

impl Limits {
    pub fn new(jobs: usize, per_host: usize) -> Limits {
        Limits {
            all: Arc::new(tokio::sync::Semaphore::new(jobs.max(1))),
            per_host: per_host.max(1),
            hosts: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Waits for a slot for one host (the host's first, so no global slot is held while waiting).
    pub async fn enter(&self, host: Option<String>) -> Slots {
        let host_permit = match host {
            Some(h) => {
                let sem =
                    {
                        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
                        Arc::clone(hosts.entry(h).or_insert_with(|| {
                            Arc::new(tokio::sync::Semaphore::new(self.per_host))
                        }))
                    };
                sem.acquire_owned().await.ok()
            }
            None => None,
        };
        let all = Arc::clone(&self.all).acquire_owned().await.ok();
        (all, host_permit)
    }
}

/// Probes every target concurrently (each probe of each target as its own task); observations come
/// back in target order, each with its findings.
async fn probe_all(
    targets: &Arc<Vec<Target>>,
    client: &reqwest::Client,
    now: chrono::DateTime<chrono::Utc>,
    marks: Option<&marks::Marks>,
    kept: Option<&samples::SampleFile>,
    limits: &Arc<Limits>,
) -> (Vec<Observation>, Vec<crate::model::Finding>) {
    // Samples of CPU use (a process's, the host's) are taken first, before any request of this round
    // goes out: the load mcpmon causes is not the load it reports.
    let samples =
        |k: crate::model::Kind| matches!(k, crate::model::Kind::Process | crate::model::Kind::Host);
    let mut slots: Vec<(usize, usize, crate::model::Kind)> = Vec::new();
    for phase in [true, false] {
        for (ti, t) in targets.iter().enumerate() {
            for (pi, spec) in t.probes().iter().enumerate() {
                if samples(spec.kind()) == phase {
                    slots.push((ti, pi, spec.kind()));
                }
            }
        }
    }
    let first = slots.iter().filter(|s| samples(s.2)).count();
    let mut results: Vec<Option<Observation>> = vec![None; slots.len()];
    for phase in [0..first, first..slots.len()] {
        let mut set = tokio::task::JoinSet::new();
        for slot in phase {
            let (ti, pi, _) = slots[slot];
            let targets = Arc::clone(targets);
            let client = client.clone();
            let limits = Arc::clone(limits);
            let host = probe::host_of(&targets[ti].probes()[pi]);
            // a log file's mark of the last look: its new lines start there
            let since =
                marks.and_then(|m| m.get(&probe::display(&targets[ti].probes()[pi])).copied());
            set.spawn(async move {
                let _slots = limits.enter(host).await;
                let target = &targets[ti];
                (
                    slot,
                    probe::run(target, &target.probes()[pi], &client, now, since).await,
                )
            });
        }
        while let Some(res) = set.join_next().await {
            if let Ok((slot, obs)) = res {
                results[slot] = Some(obs);
            }
        }
    }
    // back in report order: target by target, each target's probes in `Kind` order
    let mut order: Vec<usize> = (0..slots.len()).collect();
    order.sort_by_key(|&i| (slots[i].0, slots[i].1));
    let mut findings = Vec::new();
    let mut observations = Vec::new();
    for slot in order {
        let (ti, _, kind) = slots[slot];
        let obs = results[slot].take();
        let target = &targets[ti];
        // A probe task can only be missing if it panicked; say so rather than drop the target.
        let mut obs = obs.unwrap_or_else(|| probe::run_failed(target, kind, now));
        if let (None, crate::model::Facts::Log(l)) = (marks, &mut obs.facts) {
            // no state kept: every look is at the tail, none is a first
            if l.window == crate::model::Counted::FirstLook {
                l.window = crate::model::Counted::Tail;
            }
        }
        if let (Some(marks), crate::model::Facts::Log(l), None) =
            (marks, &mut obs.facts, &obs.failure)
        {
            // a file's; a command's output has no marks
            if l.output.is_none() {
                l.growth = Some(crate::model::growth(marks.get(&obs.endpoint), &l.mark()));
            }
        }
        if let Facts::Http(h) = &mut obs.facts {
            h.previous = kept.map(|s| s.samples.get(&obs.target).cloned().unwrap_or_default());
        }
        findings.extend(rules::findings(&obs, &target.checks, now));
        observations.push(obs);
    }
    (observations, findings)
}

/// Whether two paths name the same file (by their canonical forms when both exist).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// How long a URL's detected transport and era are used before it is detected afresh (a server may be
/// upgraded to a newer revision without failing the old handshake).
const URL_MEMORY_MS: i64 = 24 * 3600 * 1000;

/// The targets with what earlier runs learnt of their detection; none when nothing applies.
fn remembered(
    targets: &Arc<Vec<Target>>,
    memory: &detected::Detected,
    now_ms: i64,
) -> Option<Arc<Vec<Target>>> {
    let known = |t: &Target| {
        let key = t.detection_key()?;
        let r = (t.era == EraChoice::Auto).then(|| memory.servers.get(&key))??;
        let url = matches!(t.mcp(), Some(EndpointSpec::Url { .. }));
        (!url || now_ms.saturating_sub(r.seen_at_ms) < URL_MEMORY_MS).then_some(r)
    };
    if !targets.iter().any(|t| known(t).is_some()) {
        return None;
    }
    let mut out: Vec<Target> = targets.iter().cloned().collect();
    for t in &mut out {
        let Some(r) = known(t) else { continue };
        match t.mcp() {
            Some(EndpointSpec::Url { .. }) => {
                let wire = r.wire.as_deref().and_then(Wire::from_name);
                let era = r.era.as_deref().and_then(Era::from_name);
                let note = format!(
                    "remembered from an earlier run: {} over {} (detection skipped)",
                    era.map_or("?", Era::as_str),
                    wire.map_or("?", Wire::as_str)
                );
                t.remember_detection(wire, era, note);
            }
            _ => t.remembered = Some(r.intolerance.clone()),
        }
    }
    Some(Arc::new(out))
}

/// Keeps what this round learnt: a stdio server that could not stand `server/discover` (or was asked
/// `initialize` directly and answered) is remembered; a URL's transport and era when they were
/// detected (not when they were remembered: the memory is renewed by detecting, once a day); a server
/// reached through its memory that then failed is forgotten, so the next run detects it afresh.
fn learn(
    dir: &Path,
    mut memory: detected::Detected,
    targets: &[Target],
    observations: &[Observation],
    now_ms: i64,
) {
    let before = memory.clone();
    for o in observations {
        let (Facts::Mcp(m), Some(t)) = (&o.facts, targets.iter().find(|t| t.name == o.target))
        else {
            continue;
        };
        let Some(key) = t.detection_key() else {
            continue;
        };
        let url = matches!(t.mcp(), Some(EndpointSpec::Url { .. }));
        match (&m.intolerance, &o.failure, &t.remembered) {
            (_, Some(_), Some(_)) => {
                memory.servers.remove(&key);
            }
            (_, None, None) if url && t.era == EraChoice::Auto => {
                memory.servers.insert(
                    key,
                    detected::Remembered {
                        intolerance: String::new(),
                        wire: m.wire.map(|w| w.as_str().to_string()),
                        era: m.era.map(|e| e.as_str().to_string()),
                        seen_at_ms: now_ms,
                    },
                );
            }
            (Some(_), None, _) if !url => {
                let intolerance = t
                    .remembered
                    .clone()
                    .or_else(|| m.intolerance.clone())
                    .unwrap_or_default();
                memory.servers.insert(
                    key,
                    detected::Remembered {
                        intolerance,
                        wire: None,
                        era: None,
                        seen_at_ms: now_ms,
                    },
                );
            }
            _ => {}
        }
    }
    if memory != before {
        if let Err(e) = detected::save(dir, &memory) {
            eprintln!(
                "mcpmon: warning: detection memory not saved in {}: {e}",
                dir.display()
            );
        }
    }
}

/// One round: every target probed, judged and reported. The clock is read here, once per round.
pub async fn check(
    targets: &Arc<Vec<Target>>,
    client: &reqwest::Client,
    opts: &RoundOptions,
) -> Report {
    let limits = Arc::new(Limits::new(opts.jobs, opts.per_host));
    check_with(targets, client, opts, &limits).await
}

/// As `check`, within caps shared with other rounds running at the same time (`serve` checks each
/// target on its own schedule). What is kept in the state dir (log marks, detection memory) is read
/// afresh just before it is written, so concurrent rounds do not undo each other's.
pub async fn check_with(
    targets: &Arc<Vec<Target>>,
    client: &reqwest::Client,
    opts: &RoundOptions,
    limits: &Arc<Limits>,
) -> Report {
    let now = chrono::Utc::now();
    let marks = opts.state_dir.as_deref().map(|dir| {
        let (m, warning) = marks::load(dir);
        if let Some(w) = warning {
            eprintln!("mcpmon: warning: {w}");
        }
        m
    });
    // the memory is read only when a target can use it (a stdio server whose era is detected)
    let remembers = targets
        .iter()
        .any(|t| t.era == EraChoice::Auto && t.detection_key().is_some());
    let memory = opts
        .detect_dir
        .as_deref()
        .filter(|_| remembers)
        .map(detected::load);
    let hinted = memory
        .as_ref()
        .and_then(|m| remembered(targets, m, now.timestamp_millis()));
    let probed = hinted.as_ref().unwrap_or(targets);
    // the samples are read only when a metric is judged by its rate or growth
    let wants_samples = targets.iter().any(|t| {
        t.http()
            .is_some_and(|h| h.metrics.iter().any(|m| m.judge.needs_sample()))
    });
    let samples_dir = opts.samples_dir.as_deref().filter(|_| wants_samples);
    let previous = samples_dir.map(|dir| {
        let (s, warning) = samples::load(dir);
        if let Some(w) = warning {
            eprintln!("mcpmon: warning: {w}");
        }
        s
    });
    let (mut observations, mut findings) = probe_all(
        probed,
        client,
        now,
        marks.as_ref(),
        previous.as_ref(),
        limits,
    )
    .await;
    if let Some(dir) = samples_dir {
        keep_samples(dir, &observations, now.timestamp_millis());
    }
    if let (Some(dir), Some(_)) = (opts.detect_dir.as_deref(), memory) {
        // afresh: another round may have learnt something meanwhile
        learn(
            dir,
            detected::load(dir),
            probed,
            &observations,
            now.timestamp_millis(),
        );
    }
    if let (Some(dir), Some(_)) = (opts.state_dir.as_deref(), marks.as_ref()) {
        // afresh, as the detection memory
        let mut fresh = marks::load(dir).0;
        let m = &mut fresh;
        let before = m.clone();
        for o in &observations {
            if let (crate::model::Facts::Log(l), None) = (&o.facts, &o.failure) {
                if l.output.is_some() {
                    continue;
                }
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
        let (o, f) = deep(&observations, targets, client, opts, now, limits).await;
        observations.extend(o);
        findings.extend(f);
    }
    let mut report = Report {
        command: "health",
        generated_at: now,
        findings,
        observations,
        events: None,
        outbox: None,
    };
    // before anything is rendered, recorded, remembered or sent
    report.tidy();
    report
}

/// Stores this round's samples of the metrics judged by rate or growth (under the file's lock, over
/// what is on disk now).
fn keep_samples(dir: &Path, observations: &[Observation], now_ms: i64) {
    let fresh: Vec<(String, String, crate::model::Sample)> = observations
        .iter()
        .filter(|o| o.failure.is_none())
        .filter_map(|o| match &o.facts {
            Facts::Http(h) => Some((o, h)),
            _ => None,
        })
        .flat_map(|(o, h)| {
            h.samples(o.started_at.timestamp_millis())
                .into_iter()
                .map(|(metric, s)| (o.target.clone(), metric, s))
        })
        .collect();
    match samples::store(dir, &fresh, now_ms) {
        Ok(None) => {}
        Ok(Some(w)) => eprintln!("mcpmon: warning: {w}"),
        Err(e) => eprintln!(
            "mcpmon: warning: metric samples not saved in {}: {e}",
            dir.display()
        ),
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
    limits: &Arc<Limits>,
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
        if let Ok(url) = crate::net::url::parse_url(&spec.url)
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
        // each server of the hub's config, started directly: only from the config the user named (a
        // hub, or anything answering on its URL, never decides what mcpmon reads or starts)
        let note = |status, reason, message: String| {
            crate::model::Finding::new(&t.name, Kind::Hub, "deep", status, reason, message)
        };
        let Some(named) = &spec.config else {
            notes.push(note(
                Status::Ok,
                None,
                match &h.config_source {
                    None => "the hub names no config file and none was given (hub.config, --hub-config): its servers were not checked directly".into(),
                    Some(reported) => format!(
                        "the hub reports its config at {}; not read, since a server does not decide what mcpmon reads or starts: name it with hub.config or --hub-config to check its servers directly",
                        crate::term::sanitize(reported)
                    ),
                },
            ));
            continue;
        };
        if let Some(reported) = &h.config_source {
            if !same_file(std::path::Path::new(reported), named) {
                notes.push(note(
                    Status::Ok,
                    None,
                    format!(
                        "the hub reports its config at {}, not at {}: the servers are started from the one named",
                        crate::term::sanitize(reported),
                        named.display()
                    ),
                ));
            }
        }
        let lookup = |k: &str| opts.env.get(k).cloned();
        match crate::config::load_file(named, &lookup, t.timeout) {
            Ok(servers) => {
                let reported = |s: &Target| h.servers.iter().any(|hs| hs.name == s.name);
                for mut s in servers.into_iter().filter(reported) {
                    s.name = format!("{}/{}", t.name, s.name);
                    extra.push(s);
                }
            }
            Err(e) => notes.push(note(
                Status::Unknown,
                Some(crate::model::Reason::FileUnreadable),
                format!(
                    "the hub's config could not be read, its servers were not checked directly: {e}"
                ),
            )),
        }
    }
    if extra.is_empty() {
        return (Vec::new(), notes);
    }
    let extra = Arc::new(extra);
    let (obs, mut findings) = probe_all(&extra, client, now, None, None, limits).await;
    for (i, hub_name) in hubs {
        let prefix = format!("{hub_name}/");
        let direct: Vec<(&str, &Observation)> = obs
            .iter()
            .filter_map(|o| o.target.strip_prefix(&prefix).map(|n| (n, o)))
            .collect();
        findings.extend(rules::hub::deep_findings(&observations[i], &direct));
    }
    findings.extend(notes);
    (obs, findings)
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
        if t.mcp().is_some() {
            t.checks.calls.extend(args.calls.iter().cloned());
        }
        t.checks
            .allow_side_effects
            .extend(args.allow_side_effects.iter().cloned());
    }
}

/// The targets, the HTTP client and the round options of a `health`-style run (shared with `alerts`).
pub struct Prepared {
    pub targets: Arc<Vec<Target>>,
    pub client: reqwest::Client,
    pub opts: RoundOptions,
}

/// The ad-hoc targets of a command line (`health`, `alerts`, `validate`, `targets`, …).
pub fn adhoc(args: &TargetArgs) -> AdHoc<'_> {
    AdHoc {
        urls: &args.urls,
        hubs: &args.hubs,
        hub_config: args.hub_config.as_deref(),
        health_urls: &args.health_urls,
        tcp: crate::commands::TcpFlags {
            send: args.tcp_send.as_deref(),
            expect: args.tcp_expect.as_deref(),
            tls: args.tls,
        },
        cert_files: &args.cert_files,
        logs: &args.logs,
        log_patterns: &args.log_patterns,
        processes: &args.processes,
        stats_urls: &args.stats_urls,
        thresholds: args.thresholds.as_deref(),
        all_metrics: args.all_metrics,
        system: args.system,
        command: &args.command,
        headers: &args.connect.headers,
        transport: args.connect.transport,
    }
}

pub fn prepare(
    ctx: &Context,
    g: &GlobalArgs,
    args: &TargetArgs,
    ranges: &[(crate::config::ranges::RangeArg, bool)],
    audit: Option<&mut Vec<crate::model::Finding>>,
) -> anyhow::Result<Prepared> {
    let adhoc = adhoc(args);
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
        samples_dir: ctx.state_dir(g),
        detect_dir: ctx.state_dir(g),
        jobs: usize::from(args.jobs),
        per_host: usize::from(args.per_host),
    };
    Ok(Prepared {
        targets: Arc::new(targets),
        client,
        opts,
    })
}

/// The history directory of this run, or why there is none.
pub fn history_dir(ctx: &Context, g: &GlobalArgs) -> anyhow::Result<PathBuf> {
    ctx.state_dir(g).map(|d| history::dir(&d)).ok_or_else(|| {
        anyhow!(
            "no state dir for history: set --state-dir, MCPMON_STATE_DIR, XDG_STATE_HOME or HOME"
        )
    })
}

/// Appends a report's observations to history; returns how many lines were written.
pub fn append(dir: &Path, report: &Report, source: &str) -> anyhow::Result<usize> {
    let records: Vec<Record> = report
        .observations
        .iter()
        .map(|o| Record::of(o, &report.findings, source))
        .collect();
    history::append(dir, &records)
        .with_context(|| format!("appending to history in {}", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EndpointSpec, Failure, McpFacts, Reason, StdioSpec};
    use std::time::Duration;

    fn stdio(name: &str, remembered: Option<&str>) -> Target {
        let mut t = Target::empty(name.into(), "test".into(), Duration::from_secs(1));
        t.set(ProbeSpec::Mcp(EndpointSpec::Stdio(StdioSpec {
            program: "srv".into(),
            args: vec![name.into()],
            env: Vec::new(),
            cwd: None,
        })));
        t.remembered = remembered.map(String::from);
        t
    }

    fn obs(target: &str, intolerance: Option<&str>, failed: bool) -> Observation {
        let facts = McpFacts {
            intolerance: intolerance.map(String::from),
            ..Default::default()
        };
        Observation {
            target: target.into(),
            endpoint: String::new(),
            started_at: chrono::Utc::now(),
            duration: Duration::ZERO,
            failure: failed.then(|| Failure::new(Reason::ServerDisconnected, "gone")),
            facts: Facts::Mcp(Box::new(facts)),
        }
    }

    #[test]
    fn detection_memory_learns_intolerance_and_forgets_it_after_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let targets = [stdio("a", None), stdio("b", None)];
        let seen = [
            obs("a", Some("the server exited on server/discover"), false),
            obs("b", None, false),
        ];
        learn(
            dir.path(),
            detected::Detected::default(),
            &targets,
            &seen,
            7,
        );
        let memory = detected::load(dir.path());
        assert_eq!(memory.servers.len(), 1, "{memory:?}");
        let a = &memory.servers["stdio:srv a"];
        assert_eq!(
            (a.intolerance.as_str(), a.seen_at_ms),
            ("the server exited on server/discover", 7)
        );
        // the hint is applied to the targets of the next round, only to the one it is about
        let hinted = remembered(&Arc::new(targets.to_vec()), &memory, 0).unwrap();
        assert_eq!(
            hinted[0].remembered.as_deref(),
            Some("the server exited on server/discover")
        );
        assert_eq!(hinted[1].remembered, None);
        // asked initialize directly and failed: forgotten, detected afresh next time
        learn(dir.path(), memory, &hinted, &[obs("a", None, true)], 9);
        assert!(detected::load(dir.path()).servers.is_empty());
    }

    /// Whether a future is still waiting after one poll.
    async fn waits<F: std::future::Future + Unpin>(f: &mut F) -> bool {
        tokio::select! {
            biased;
            _ = f => false,
            () = std::future::ready(()) => true,
        }
    }

    #[tokio::test]
    async fn limits_cap_probes_overall_and_per_host() {
        let l = Limits::new(3, 2);
        let a1 = l.enter(Some("a:1".into())).await;
        let _a2 = l.enter(Some("a:1".into())).await;
        // a third to the same host waits, while another host still gets the last global slot
        let mut a3 = Box::pin(l.enter(Some("a:1".into())));
        assert!(waits(&mut a3).await);
        let _b = l.enter(Some("b:1".into())).await;
        // every global slot is taken: even a local probe waits
        let mut local = Box::pin(l.enter(None));
        assert!(waits(&mut local).await);
        // one of a's ends: the freed global slot goes to the first in line (the local probe), and
        // a's third now holds a slot of its host but waits for a global one
        drop(a1);
        let _local = local.await;
        assert!(waits(&mut a3).await);
        drop(_b);
        let _a3 = a3.await;
    }
}
