//! Probes: one module per kind of fact (MCP wire, hub REST API, HTTP/JSON health endpoints, logs). A probe
//! turns one thing to look at into an Observation and never decides a verdict (that is `rules`). A failing
//! server is data in the Observation, not an error.

pub mod conformance;
pub mod endpoint;
pub mod host;
pub mod hub;
pub mod load;
pub mod logs;
pub mod mcp;
pub mod process;
pub mod tls;

use crate::model::Failure;
use crate::model::Reason;
use crate::model::Target;
use crate::model::{Facts, Kind, Observation};
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

/// The kinds of probe a target carries, in report order.
pub fn kinds(target: &Target) -> Vec<Kind> {
    let mut k = Vec::new();
    if target.mcp.is_some() {
        k.push(Kind::Mcp);
    }
    if target.hub.is_some() {
        k.push(Kind::Hub);
    }
    if target.http.is_some() {
        k.push(Kind::Http);
    }
    if target.log.is_some() {
        k.push(Kind::Log);
    }
    if target.process.is_some() {
        k.push(Kind::Process);
    }
    if target.system.is_some() {
        k.push(Kind::Host);
    }
    k
}

fn empty_facts(kind: Kind) -> Facts {
    match kind {
        Kind::Mcp => Facts::Mcp(Box::default()),
        Kind::Hub => Facts::Hub(Box::default()),
        Kind::Http => Facts::Http(Box::default()),
        Kind::Log => Facts::Log(Box::default()),
        Kind::Process => Facts::Process(Box::default()),
        Kind::Host => Facts::Host(Box::default()),
        Kind::Load => Facts::Load(Box::default()),
        // findings-only kinds are never probed through `run`
        Kind::Config | Kind::Conformance => Facts::Mcp(Box::default()),
    }
}

/// Runs one probe of a target; every probe is bounded by the target's deadline.
pub async fn run(
    target: &Target,
    kind: Kind,
    client: &reqwest::Client,
    now: chrono::DateTime<chrono::Utc>,
) -> Observation {
    let not_probed = |failure: Failure, endpoint: String| Observation {
        target: target.name.clone(),
        endpoint,
        started_at: now,
        duration: Duration::ZERO,
        failure: Some(failure),
        facts: empty_facts(kind),
    };
    match kind {
        Kind::Mcp => match &target.mcp {
            Some(spec) => mcp::probe(target, spec, client, now).await,
            None => not_probed(
                Failure::new(Reason::ConnectError, "no MCP endpoint configured"),
                String::new(),
            ),
        },
        Kind::Hub => match (&target.hub, unresolved(target)) {
            (Some(spec), None) => hub::probe(&target.name, spec, client, target.timeout, now).await,
            (spec, f) => not_probed(
                f.unwrap_or_else(|| Failure::new(Reason::ConnectError, "no hub configured")),
                spec.as_ref()
                    .map(|s| crate::net::url::redact_url(&s.url))
                    .unwrap_or_default(),
            ),
        },
        Kind::Http => match (&target.http, unresolved(target)) {
            (Some(spec), None) => {
                endpoint::probe(&target.name, spec, client, target.timeout, now).await
            }
            (spec, f) => not_probed(
                f.unwrap_or_else(|| Failure::new(Reason::ConnectError, "no health_url configured")),
                spec.as_ref()
                    .map(|s| crate::net::url::redact_url(&s.url))
                    .unwrap_or_default(),
            ),
        },
        Kind::Log => match (&target.log, unresolved(target)) {
            (Some(spec), None) => logs_probe(target, spec.clone(), now).await,
            (spec, f) => not_probed(
                f.unwrap_or_else(|| Failure::new(Reason::ConnectError, "no log configured")),
                spec.as_ref()
                    .map(|s| s.path.display().to_string())
                    .unwrap_or_default(),
            ),
        },
        Kind::Process => match &target.process {
            Some(spec) => {
                let spec = spec.clone();
                let endpoint = spec.selector.to_string();
                blocking(
                    target,
                    now,
                    endpoint,
                    move || process::probe(&spec).map(|f| Facts::Process(Box::new(f))),
                    Kind::Process,
                )
                .await
            }
            None => not_probed(
                Failure::new(Reason::ConnectError, "no process configured"),
                String::new(),
            ),
        },
        Kind::Host => match &target.system {
            Some(spec) => {
                let spec = spec.clone();
                blocking(
                    target,
                    now,
                    "this host".into(),
                    move || Ok(Facts::Host(Box::new(host::probe(&spec)))),
                    Kind::Host,
                )
                .await
            }
            None => not_probed(
                Failure::new(Reason::ConnectError, "no host probe configured"),
                String::new(),
            ),
        },
        Kind::Load => not_probed(
            Failure::new(Reason::ConnectError, "load is run by `measure`"),
            String::new(),
        ),
        Kind::Config | Kind::Conformance => not_probed(
            Failure::new(
                Reason::ConnectError,
                "config and conformance are checked by `validate`",
            ),
            String::new(),
        ),
    }
}

/// Runs a blocking probe on tokio's blocking pool, bounded by the target's deadline.
async fn blocking<F>(
    target: &Target,
    now: chrono::DateTime<chrono::Utc>,
    endpoint: String,
    job: F,
    kind: Kind,
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
                    Reason::ConnectError,
                    "internal error: the probe stopped",
                )),
            ),
            Err(_) => (
                empty_facts(kind),
                Some(Failure::new(
                    Reason::Timeout,
                    "the probe did not finish before the deadline",
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
            Reason::ConnectError,
            "internal error: the probe did not finish",
        )),
        facts: empty_facts(kind),
    }
}

/// The log probe reads files synchronously: it runs on the blocking pool, bounded by the deadline.
async fn logs_probe(
    target: &Target,
    spec: crate::model::LogSpec,
    now: chrono::DateTime<chrono::Utc>,
) -> Observation {
    let started = tokio::time::Instant::now();
    let endpoint = spec.path.display().to_string();
    let job = tokio::task::spawn_blocking(move || logs::read_tail(&spec));
    let (facts, failure) = match tokio::time::timeout(target.timeout, job).await {
        Ok(Ok(Ok(facts))) => (facts, None),
        Ok(Ok(Err(f))) => (crate::model::LogFacts::default(), Some(f)),
        Ok(Err(_)) => (
            crate::model::LogFacts::default(),
            Some(Failure::new(
                Reason::ConnectError,
                "internal error: the log reader stopped",
            )),
        ),
        Err(_) => (
            crate::model::LogFacts::default(),
            Some(Failure::new(
                Reason::Timeout,
                "reading the log did not finish before the deadline",
            )),
        ),
    };
    Observation {
        target: target.name.clone(),
        endpoint,
        started_at: now,
        duration: started.elapsed(),
        failure,
        facts: Facts::Log(Box::new(facts)),
    }
}
