//! The hub probe: mcp-hub's REST API (`/api/health`, `/api/servers` when health lacks the list, and the
//! fork's optional `/api/filtering/stats`), turned into facts an operator can judge.
//!
//! Owns reading and shaping the documents; it never judges (`rules::hub` does). A field the hub did not
//! send is recorded as missing, never defaulted to 0 (the original check-alerts.sh read a missing field
//! as 0 and raised a false alert every run). A page that is not JSON is `not_mcp`, never "up".

use crate::model::Facts;
use crate::model::Failure;
use crate::model::Observation;
use crate::model::Reason;
use crate::model::{HubCounts, HubFacts, HubServer, HubSpec};
use crate::net::http::{self as http_t, MAX_RESPONSE_BYTES, content_type, is_html};
use crate::net::url::{parse_url, redact_url};

use reqwest::Client;
use serde_json::{Map, Value};
use std::time::Duration;
use tokio::time::Instant;

/// Probes a hub within `timeout`.
pub async fn probe(
    name: &str,
    spec: &HubSpec,
    client: &Client,
    timeout: Duration,
    now: chrono::DateTime<chrono::Utc>,
) -> Observation {
    let started = Instant::now();
    let deadline = crate::model::checked::after(started, timeout);
    let mut facts = HubFacts::default();
    let failure = run(spec, client, deadline, now, &mut facts).await.err();
    Observation {
        target: name.to_string(),
        endpoint: redact_url(&spec.url),
        started_at: now,
        duration: started.elapsed(),
        failure,
        facts: Facts::Hub(Box::new(facts)),
    }
}

async fn get_json(
    client: &Client,
    url: &reqwest::Url,
    headers: &reqwest::header::HeaderMap,
    deadline: Instant,
    what: &str,
) -> Result<(u16, Duration, Value, Option<chrono::DateTime<chrono::Utc>>), Failure> {
    let started = Instant::now();
    let rb = client
        .get(url.clone())
        .headers(headers.clone())
        .header(reqwest::header::ACCEPT, "application/json");
    let resp = http_t::send(rb, deadline, what).await?;
    let status = resp.status().as_u16();
    let latency = started.elapsed();
    let not_after = crate::net::x509::reply_not_after(&resp);
    if http_t::asks_for_auth(status, resp.headers()) {
        return Err(http_t::auth_failure(resp.headers(), status));
    }
    let ctype = content_type(resp.headers());
    let body = http_t::read_body(resp, deadline, MAX_RESPONSE_BYTES, what).await?;
    if is_html(&ctype) {
        return Err(Failure::new(
            Reason::NotMcp,
            format!("{what} answered HTTP {status} with an HTML page: not a hub API (wrong port or path?)"),
        )
        .with_status(status));
    }
    if !(200..300).contains(&status) {
        return Err(Failure::new(
            Reason::HttpStatus,
            format!("{what} answered HTTP {status}{}", http_t::body_hint(&body)),
        )
        .with_status(status));
    }
    let v: Value = serde_json::from_slice(&body).map_err(|_| {
        Failure::new(
            Reason::NotMcp,
            format!(
                "{what} answered HTTP {status} with something that is not JSON ({})",
                if ctype.is_empty() {
                    "no content type"
                } else {
                    &ctype
                }
            ),
        )
        .with_status(status)
    })?;
    Ok((status, latency, v, not_after))
}

async fn run(
    spec: &HubSpec,
    client: &Client,
    deadline: Instant,
    now: chrono::DateTime<chrono::Utc>,
    facts: &mut HubFacts,
) -> Result<(), Failure> {
    let base = parse_url(&spec.url).map_err(|m| Failure::new(Reason::ConnectError, m))?;
    let headers =
        http_t::header_map(&spec.headers).map_err(|m| Failure::new(Reason::ConnectError, m))?;
    let join = |p: &str| {
        base.join(p)
            .map_err(|e| Failure::new(Reason::ConnectError, format!("{p}: {e}")))
    };
    let (status, latency, health, not_after) = get_json(
        client,
        &join("/api/health")?,
        &headers,
        deadline,
        "GET /api/health",
    )
    .await?;
    facts.http_status = Some(status);
    facts.latency = Some(latency);
    facts.tls = not_after.map(|t| crate::model::CertExpiry::at(t, now));
    let obj = health.as_object().ok_or_else(|| {
        Failure::new(
            Reason::NotMcp,
            "GET /api/health did not answer a JSON object",
        )
    })?;
    let s = |k: &str| obj.get(k).and_then(Value::as_str).map(String::from);
    facts.state = s("state");
    facts.status = s("status");
    facts.version = s("version");
    facts.server_id = s("server_id");
    facts.active_clients = obj.get("activeClients").and_then(Value::as_u64);
    if facts.state.is_none() {
        facts.missing.push("/state".into());
    }
    if let Some(ws) = obj.get("workspaces") {
        let all = ws.get("allActive").and_then(Value::as_object);
        facts.workspaces = all.map(Map::len);
        let current = ws.get("current").and_then(Value::as_str);
        if let Some(all) = all {
            facts.workspace_states = all
                .iter()
                .take(50)
                .map(|(k, w)| {
                    let state = w.get("state").and_then(Value::as_str).unwrap_or("?");
                    (k.clone(), state.to_string(), Some(k.as_str()) == current)
                })
                .collect();
        }
        facts.started_at = current
            .and_then(|c| all.and_then(|a| a.get(c)))
            .and_then(|w| w.get("startTime"))
            .and_then(Value::as_str)
            .map(String::from);
    }
    facts.registered = obj
        .get("mcpEndpoint")
        .and_then(|e| e.get("registeredCapabilities"))
        .map(|c| HubCounts {
            tools: c.get("tools").and_then(Value::as_u64).map(|n| n as usize),
            resources: c
                .get("resources")
                .and_then(Value::as_u64)
                .map(|n| n as usize),
            resource_templates: c
                .get("resourceTemplates")
                .and_then(Value::as_u64)
                .map(|n| n as usize),
            prompts: c.get("prompts").and_then(Value::as_u64).map(|n| n as usize),
        });
    let servers = match obj.get("servers").and_then(Value::as_array) {
        Some(list) => list.clone(),
        None => {
            let (_, _, v, _) = get_json(
                client,
                &join("/api/servers")?,
                &headers,
                deadline,
                "GET /api/servers",
            )
            .await?;
            match v.get("servers").and_then(Value::as_array) {
                Some(list) => list.clone(),
                None => {
                    facts.missing.push("/servers".into());
                    Vec::new()
                }
            }
        }
    };
    for (i, sv) in servers.iter().enumerate() {
        let server = parse_server(sv);
        if server.status.is_none() {
            facts.missing.push(format!("/servers/{i}/status"));
        }
        if facts.config_source.is_none() {
            facts.config_source = sv
                .get("config_source")
                .and_then(Value::as_str)
                .map(String::from);
        }
        facts.servers.push(server);
    }
    // The fork's filtering statistics are optional: any failure to read them is simply "not there".
    if let Ok((_, _, v, _)) = get_json(
        client,
        &join("/api/filtering/stats")?,
        &headers,
        deadline,
        "GET /api/filtering/stats",
    )
    .await
    {
        facts.filtering = v.as_object().cloned();
    }
    Ok(())
}

fn count(v: &Value, key: &str) -> Option<usize> {
    match v.get(key)? {
        Value::Array(a) => Some(a.len()),
        Value::Number(n) => n.as_u64().map(|n| n as usize),
        _ => None,
    }
}

fn parse_server(v: &Value) -> HubServer {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(String::from);
    let caps = v.get("capabilities").cloned().unwrap_or(Value::Null);
    HubServer {
        name: s("name")
            .or_else(|| s("displayName"))
            .unwrap_or_else(|| "?".into()),
        status: s("status"),
        error: match v.get("error") {
            Some(Value::String(e)) if !e.is_empty() => Some(e.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        },
        // an uptime that is not a number of seconds a server can have been up (negative, 1e20) is
        // skipped where it enters: it is never shown, recorded nor compared
        uptime_s: v
            .get("uptime")
            .and_then(Value::as_f64)
            .filter(|u| crate::model::checked::secs(*u).is_some()),
        transport: s("transportType"),
        counts: HubCounts {
            tools: count(&caps, "tools"),
            resources: count(&caps, "resources"),
            resource_templates: count(&caps, "resourceTemplates"),
            prompts: count(&caps, "prompts"),
        },
        server_name: v
            .pointer("/serverInfo/name")
            .and_then(Value::as_str)
            .map(String::from),
        server_version: v
            .pointer("/serverInfo/version")
            .and_then(Value::as_str)
            .map(String::from),
        last_started: s("lastStarted"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HubCounts;
    use serde_json::json;

    #[test]
    fn server_fields_and_counts_from_capability_lists() {
        let s = parse_server(&json!({
            "name": "everything", "status": "connected", "error": null, "uptime": 5, "transportType": "stdio",
            "serverInfo": {"name": "mcp-servers/everything", "version": "2.0.0"},
            "capabilities": {"tools": [{}, {}, {}], "resources": [{}], "resourceTemplates": [], "prompts": [{}, {}]}
        }));
        assert_eq!(s.status.as_deref(), Some("connected"));
        assert_eq!(s.error, None);
        assert_eq!(
            s.counts,
            HubCounts {
                tools: Some(3),
                resources: Some(1),
                resource_templates: Some(0),
                prompts: Some(2)
            }
        );
        assert_eq!(s.server_version.as_deref(), Some("2.0.0"));
    }

    #[test]
    fn missing_fields_stay_missing() {
        let s = parse_server(&json!({"name": "x"}));
        assert_eq!(s.status, None);
        assert_eq!(s.counts.tools, None, "a missing list is unknown, not 0");
        let e = parse_server(
            &json!({"name": "x", "status": "disconnected", "error": "spawn /nonexistent ENOENT"}),
        );
        assert_eq!(e.error.as_deref(), Some("spawn /nonexistent ENOENT"));
    }

    #[test]
    fn an_uptime_out_of_range_is_skipped() {
        for bad in [json!(1e20), json!(-1), json!(1e300), json!("5")] {
            assert_eq!(
                parse_server(&json!({"name": "x", "uptime": bad})).uptime_s,
                None
            );
        }
        assert_eq!(
            parse_server(&json!({"name": "x", "uptime": 42.5})).uptime_s,
            Some(42.5)
        );
    }
}
