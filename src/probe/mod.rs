//! Probes: one module per kind of fact (MCP wire, hub REST API, HTTP/JSON health endpoints, TCP ports,
//! certificate files, logs). A probe
//! turns one thing to look at into an Observation and never decides a verdict (that is `rules`). A failing
//! server is data in the Observation, not an error.

pub mod calls;
pub mod cert;
pub mod conformance;
pub mod host;
pub mod http;
pub mod hub;
pub mod load;
pub mod log_command;
pub mod logs;
pub mod mcp;
pub mod observe;
pub mod process;
pub mod tcp;

use crate::model::Failure;
use crate::model::Reason;
use crate::model::{Facts, Kind, Observation};
use crate::model::{LogSource, ProbeSpec, Target};
use std::time::Duration;

/// The failure of a target whose config has unresolved `${VAR}`s: it is not contacted at all.
pub fn unresolved(target: &Target) -> Option<Failure> {
    (!target.unresolved.is_empty()).then(|| {
        Failure::new(
            Reason::UnresolvedPlaceholder,
            format!(
                "not probed: {} ({})",
                target.unresolved.join("; "),
                target.origin
            ),
        )
    })
}

fn empty_facts(kind: Kind) -> Facts {
    match kind {
        Kind::Mcp => Facts::Mcp(Box::default()),
        Kind::Hub => Facts::Hub(Box::default()),
        Kind::Http => Facts::Http(Box::default()),
        Kind::Tcp => Facts::Tcp(Box::default()),
        Kind::Cert => Facts::Cert(Box::default()),
        Kind::Log => Facts::Log(Box::default()),
        Kind::Process => Facts::Process(Box::default()),
        Kind::Host => Facts::Host(Box::default()),
        Kind::Load => Facts::Load(Box::default()),
        // findings-only kinds are never probed through `run`
        Kind::Config | Kind::Conformance => Facts::Mcp(Box::default()),
    }
}

/// What a person sees as the address of one probe: URLs without credentials or query values, the
/// command line, the path, the process selector.
pub fn display(spec: &ProbeSpec) -> String {
    use crate::net::url::redact_url;
    match spec {
        ProbeSpec::Mcp(e) => mcp::display_endpoint(e),
        ProbeSpec::Hub(h) => redact_url(&h.url),
        ProbeSpec::Http(h) => redact_url(&h.url),
        ProbeSpec::Tcp(t) => t.url.clone(),
        ProbeSpec::Cert(c) => c.path.display().to_string(),
        ProbeSpec::Log(l) => match &l.source {
            crate::model::LogSource::File(p) => p.display().to_string(),
            crate::model::LogSource::Command(argv) => log_command::shown(argv),
            crate::model::LogSource::Stdin => "standard input".into(),
        },
        ProbeSpec::Process(p) => p.selector.to_string(),
        ProbeSpec::Host(_) => "this host".into(),
    }
}

/// The host:port a probe talks to (for the per-host cap); none for local probes (stdio, logs,
/// processes, the host).
pub fn host_of(spec: &ProbeSpec) -> Option<String> {
    let url = match spec {
        ProbeSpec::Mcp(crate::model::EndpointSpec::Url { url, .. }) => url,
        ProbeSpec::Hub(h) => &h.url,
        ProbeSpec::Http(h) => &h.url,
        ProbeSpec::Tcp(t) => return Some(format!("{}:{}", t.host, t.port)),
        _ => return None,
    };
    let u = crate::net::url::parse_url(url).ok()?;
    Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?))
}

/// Runs one probe of a target; every probe is bounded by the target's deadline. `since`: a log file's
/// mark at the last look (its new lines start there).
pub async fn run(
    target: &Target,
    spec: &ProbeSpec,
    client: &reqwest::Client,
    now: chrono::DateTime<chrono::Utc>,
    since: Option<crate::model::LogMark>,
) -> Observation {
    let kind = spec.kind();
    // A target with unresolved `${VAR}`s is not contacted (the MCP probe says so itself).
    if matches!(
        spec,
        ProbeSpec::Hub(_)
            | ProbeSpec::Http(_)
            | ProbeSpec::Tcp(_)
            | ProbeSpec::Cert(_)
            | ProbeSpec::Log(_)
    ) {
        if let Some(failure) = unresolved(target) {
            return not_run(target, spec, now, failure);
        }
    }
    // a target's own CA (`ca_file`) for its HTTPS MCP URL and hub: a client that trusts it too
    let own;
    let client = match (&target.ca_file, spec) {
        (Some(ca), ProbeSpec::Mcp(crate::model::EndpointSpec::Url { .. }) | ProbeSpec::Hub(_)) => {
            match crate::net::http::client_trusting(ca, target.timeout) {
                Ok(c) => {
                    own = c;
                    &own
                }
                Err(failure) => return not_run(target, spec, now, failure),
            }
        }
        _ => client,
    };
    match spec {
        ProbeSpec::Mcp(s) => mcp::probe(target, s, client, now).await,
        ProbeSpec::Hub(s) => hub::probe(&target.name, s, client, target.timeout, now).await,
        ProbeSpec::Http(s) => http::probe(&target.name, s, client, target.timeout, now).await,
        ProbeSpec::Tcp(s) => tcp::probe(&target.name, s, target.timeout, now).await,
        ProbeSpec::Cert(s) => {
            let path = s.path.clone();
            let job = move || cert::probe(&path, now).map(|f| Facts::Cert(Box::new(f)));
            blocking(
                target,
                now,
                display(spec),
                job,
                kind,
                "reading the certificate",
            )
            .await
        }
        ProbeSpec::Log(s) => {
            let started = tokio::time::Instant::now();
            let until = started + target.timeout;
            let caps = log_command::Caps::default();
            let read = match &s.source {
                LogSource::File(_) => {
                    let mut s = s.clone();
                    s.since = since;
                    let job = move || logs::read_tail(&s).map(|f| Facts::Log(Box::new(f)));
                    return blocking(target, now, display(spec), job, kind, "reading the log")
                        .await;
                }
                LogSource::Command(argv) => log_command::command(argv, s, until, caps).await,
                LogSource::Stdin => log_command::stdin(s, until, caps).await,
            };
            let (facts, failure) = match read {
                Ok(f) => (Facts::Log(Box::new(f)), None),
                Err(f) => (empty_facts(kind), Some(f)),
            };
            Observation {
                target: target.name.clone(),
                endpoint: display(spec),
                started_at: now,
                duration: started.elapsed(),
                failure,
                facts,
            }
        }
        ProbeSpec::Process(s) => {
            let s = s.clone();
            let job = move || process::probe(&s).map(|f| Facts::Process(Box::new(f)));
            blocking(target, now, display(spec), job, kind, "the probe").await
        }
        ProbeSpec::Host(s) => {
            let s = s.clone();
            let job = move || Ok(Facts::Host(Box::new(host::probe(&s))));
            blocking(target, now, display(spec), job, kind, "the probe").await
        }
    }
}

/// The observation of a probe that was not run, and why (an unset `${VAR}`, an unusable `ca_file`).
fn not_run(
    target: &Target,
    spec: &ProbeSpec,
    now: chrono::DateTime<chrono::Utc>,
    failure: Failure,
) -> Observation {
    Observation {
        target: target.name.clone(),
        endpoint: display(spec),
        started_at: now,
        duration: Duration::ZERO,
        failure: Some(failure),
        facts: empty_facts(spec.kind()),
    }
}

/// Runs a blocking probe on tokio's blocking pool, bounded by the target's deadline. `what` names the
/// work in the messages of a probe that stopped or ran out of time.
async fn blocking<F>(
    target: &Target,
    now: chrono::DateTime<chrono::Utc>,
    endpoint: String,
    job: F,
    kind: Kind,
    what: &str,
) -> Observation
where
    F: FnOnce() -> Result<Facts, Failure> + Send + 'static,
{
    let started = tokio::time::Instant::now();
    let (facts, failure) =
        match tokio::time::timeout(target.timeout, tokio::task::spawn_blocking(job)).await {
            Ok(Ok(Ok(facts))) => (facts, None),
            Ok(Ok(Err(f))) => (empty_facts(kind), Some(f)),
            Ok(Err(_)) => (
                empty_facts(kind),
                Some(Failure::new(
                    Reason::InternalError,
                    format!("internal error: {what} stopped"),
                )),
            ),
            Err(_) => (
                empty_facts(kind),
                Some(Failure::new(
                    Reason::Timeout,
                    format!("{what} did not finish before the deadline"),
                )),
            ),
        };
    Observation {
        target: target.name.clone(),
        endpoint,
        started_at: now,
        duration: started.elapsed(),
        failure,
        facts,
    }
}

/// The observation of a probe task that did not finish (it panicked): said, not dropped.
pub fn run_failed(target: &Target, kind: Kind, now: chrono::DateTime<chrono::Utc>) -> Observation {
    Observation {
        target: target.name.clone(),
        endpoint: String::new(),
        started_at: now,
        duration: Duration::ZERO,
        failure: Some(Failure::new(
            Reason::InternalError,
            "internal error: the probe did not finish",
        )),
        facts: empty_facts(kind),
    }
}
