//! The MCP probe: connect (detecting transport and era), list tools/prompts/resources, one liveness
//! round trip, close — all within the target's deadline — and keep every wire fact on the way.

use crate::model::EndpointSpec;
use crate::model::EraChoice;
use crate::model::Facts;
use crate::model::Failure;
use crate::model::McpFacts;
use crate::model::Observation;
use crate::model::Reason;
use crate::model::Target;

use crate::mcp::session::Endpoint;
use crate::mcp::session::{self};
use crate::net::http::header_map;
use crate::net::url::{parse_url, redact_url};

use reqwest::Client;
use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;

/// Probes one target. Never fails: problems are in the Observation.
pub async fn probe(
    target: &Target,
    spec: &EndpointSpec,
    client: &Client,
    now: chrono::DateTime<chrono::Utc>,
) -> Observation {
    let started = Instant::now();
    let deadline = crate::model::checked::after(started, target.timeout);
    let mut facts = McpFacts::default();
    let failure = if let Some(f) = super::unresolved(target) {
        Some(f)
    } else {
        match endpoint(spec, target.startup_limit()) {
            Err(f) => Some(f),
            Ok(ep) => run(&ep, client, target, deadline, &mut facts).await,
        }
    };
    // HTTPS: the certificate of the first reply that carried one
    facts.tls = facts
        .requests
        .iter()
        .find_map(|r| r.http.as_ref()?.not_after)
        .map(|t| crate::model::CertExpiry::at(t, now));
    // secrets a server echoed are scrubbed from every string of the round's report (`Report::tidy`)
    Observation {
        target: target.name.clone(),
        endpoint: target.mcp().map(display_endpoint).unwrap_or_default(),
        started_at: now,
        duration: started.elapsed(),
        failure,
        facts: Facts::Mcp(Box::new(facts)),
    }
}

/// What a person sees as the MCP endpoint: the URL without credentials or query values, or the command.
pub fn display_endpoint(spec: &EndpointSpec) -> String {
    match spec {
        EndpointSpec::Url { url, .. } => redact_url(url),
        EndpointSpec::Stdio(s) => {
            let mut parts = vec![s.program.clone()];
            parts.extend(s.args.iter().cloned());
            parts.join(" ")
        }
    }
}

/// How to connect to a target's MCP server (`spec`), with its start-up limit (`startup`:
/// `Target::startup_limit`).
pub(crate) fn endpoint(
    spec: &EndpointSpec,
    startup: Option<Duration>,
) -> Result<Endpoint, Failure> {
    match spec {
        EndpointSpec::Stdio(spec) => Ok(Endpoint::Stdio {
            spec: spec.clone(),
            startup,
        }),
        EndpointSpec::Url { url, headers, wire } => {
            let url = parse_url(url).map_err(|m| Failure::new(Reason::ConnectError, m))?;
            let headers = header_map(headers).map_err(|m| Failure::new(Reason::ConnectError, m))?;
            Ok(Endpoint::Url {
                url,
                headers,
                wire: *wire,
            })
        }
    }
}

async fn run(
    ep: &Endpoint,
    client: &Client,
    target: &Target,
    deadline: Instant,
    facts: &mut McpFacts,
) -> Option<Failure> {
    let t0 = Instant::now();
    // a server remembered as intolerant of server/discover is asked initialize directly
    let era = match (&target.remembered, target.era) {
        (Some(_), EraChoice::Auto) => EraChoice::Legacy,
        (_, era) => era,
    };
    // a URL whose transport and era an earlier run detected says so first in its detection steps
    let url_memory = target
        .remembered
        .clone()
        .filter(|_| matches!(ep, Endpoint::Url { .. }));
    let mut s = match session::connect(ep, client, era, deadline).await {
        Ok(s) => s,
        Err(e) => {
            facts.wire = e.wire;
            facts.detection = url_memory.into_iter().chain(e.detection).collect();
            facts.requests = e.requests;
            facts.stderr_tail = e.stderr_tail;
            facts.faults = e.faults;
            facts.close = e.close.map(|c| c.summary);
            return Some(e.failure);
        }
    };
    facts.wire = Some(s.wire());
    facts.era = Some(s.era);
    facts.revision = Some(s.revision.clone());
    facts.server = Some(s.server.clone());
    facts.capabilities = s.capabilities.keys().cloned().collect();
    facts.handshake = Some(s.handshake);
    facts.redirect = s.redirected.clone();
    facts.ready = Some(t0.elapsed());

    // Lists are read only for declared capabilities (asking for an undeclared one is itself a fault).
    // tools/list is always attempted when tools are expected, so a server hiding them is caught.
    let lists = !target.checks.skip_lists;
    let calls_tools = target
        .checks
        .calls
        .iter()
        .any(|c| matches!(c.what, crate::model::CallWhat::Tool(_)));
    let want_tools = lists
        && (s.has_capability("tools")
            || target.checks.min_tools.is_some()
            || !target.checks.expect_tools.is_empty()
            || calls_tools);
    let want_prompts = lists && s.has_capability("prompts");
    let want_resources = lists && s.has_capability("resources");
    // the lists and the liveness round trip go side by side where the transport allows it
    let survey = s
        .survey(
            [
                want_tools.then_some(("tools/list", "tools")),
                want_prompts.then_some(("prompts/list", "prompts")),
                want_resources.then_some(("resources/list", "resources")),
            ],
            deadline,
        )
        .await;
    let [tools, prompts, resources] = survey.listed;
    let mut tool_items = None;
    if let Some(listed) = tools {
        if let Ok(items) = &listed {
            facts.tool_schemas = items
                .iter()
                .map(|t| {
                    let name = t.get("name").and_then(Value::as_str).unwrap_or("");
                    let schema = t.get("inputSchema").unwrap_or(&Value::Null);
                    (name.to_string(), format!("{:016x}", schema_hash(schema)))
                })
                .collect();
        }
        facts.tools = Some(
            listed
                .as_ref()
                .map(|items| names(items))
                .map_err(Clone::clone),
        );
        tool_items = Some(listed);
    }
    facts.prompts = prompts.map(|r| r.map(|v| v.len()));
    facts.resources = resources.map(|r| r.map(|v| v.len()));
    if let Some(pid) = s.pid() {
        // no CPU sample: it would cost a sleep per check; the rest is a few /proc reads
        facts.child = crate::probe::process::sample_pids(&[pid], Duration::ZERO)
            .into_iter()
            .next();
    }
    let (method, res) = survey.liveness;
    facts.liveness = Some((method.to_string(), res));
    // after the liveness round trip, so a slow call cannot make the server look down
    if lists && !target.checks.calls.is_empty() {
        facts.calls = super::calls::run_all(
            &mut s,
            &target.checks.calls,
            &target.checks.allow_side_effects,
            tool_items.as_ref(),
            deadline,
        )
        .await;
    }
    drop(tool_items);

    facts.detection = url_memory
        .into_iter()
        .chain(std::mem::take(&mut s.detection))
        .collect();
    facts.intolerance = s.intolerance.take().or_else(|| {
        target
            .remembered
            .as_ref()
            .filter(|_| era != target.era)
            .map(|r| format!("{r} (remembered from an earlier run: initialize was asked directly)"))
    });
    facts.requests = std::mem::take(&mut s.requests);
    let closed = s.close().await;
    facts.faults = closed.log.faults;
    facts.notifications = closed.log.notifications;
    facts.server_requests = closed.log.server_requests;
    facts.stderr_tail = closed.stderr_tail;
    facts.close = Some(closed.close.summary);
    None
}

/// FNV-1a over a canonical form of a JSON value (object keys sorted), so a server that reorders keys
/// does not look changed.
pub fn schema_hash(v: &Value) -> u64 {
    fn feed(h: &mut u64, bytes: &[u8]) {
        for b in bytes {
            *h ^= u64::from(*b);
            *h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn walk(h: &mut u64, v: &Value) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                feed(h, b"{");
                for k in keys {
                    feed(h, k.as_bytes());
                    feed(h, b":");
                    walk(h, &m[k]);
                    feed(h, b",");
                }
                feed(h, b"}");
            }
            Value::Array(a) => {
                feed(h, b"[");
                for x in a {
                    walk(h, x);
                    feed(h, b",");
                }
                feed(h, b"]");
            }
            other => feed(h, other.to_string().as_bytes()),
        }
    }
    let mut h = 0xcbf2_9ce4_8422_2325;
    walk(&mut h, v);
    h
}

fn names(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|t| {
            t.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        })
        .collect()
}
