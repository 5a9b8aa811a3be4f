//! The HTTP/JSON health-endpoint probe: `/health`, `/api/mcp/health`, `/api/mcp/status`, `/metrics` …
//!
//! Owns one GET and what can be read off it: status, content type, latency, body size, assertions on
//! the JSON body by JSON pointer, named metrics extracted by JSON pointer or from Prometheus text
//! exposition. A metric that is not there is `None` (judged UNKNOWN), never 0. It never judges.

use crate::model::Facts;
use crate::model::Failure;
use crate::model::Observation;
use crate::model::Reason;
use crate::model::document::{
    find_named, number, numeric_leaves, prometheus_samples, prometheus_value, timestamp,
};
use crate::model::{
    AssertResult, CertExpiry, HealthFacts, HttpCheck, Judge, MetricSource, MetricSpec,
};
use crate::net::http::{self as http_t, MAX_RESPONSE_BYTES, content_type, is_html};
use crate::net::url::{parse_url, redact_url};

use reqwest::Client;
use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;

/// `"metrics": "all"` reads at most this many numbers off one document (a JSON body's first numeric
/// leaves, or the first Prometheus samples), so a huge document cannot flood a report.
pub const MAX_ALL_METRICS: usize = 100;

pub async fn probe(
    name: &str,
    spec: &HttpCheck,
    client: &Client,
    timeout: Duration,
    now: chrono::DateTime<chrono::Utc>,
) -> Observation {
    let started = Instant::now();
    let mut facts = HealthFacts {
        expect_status: spec.expect_status.clone(),
        ..Default::default()
    };
    let failure = match &spec.ca_file {
        None => run(
            spec,
            client,
            crate::model::checked::after(started, timeout),
            now,
            &mut facts,
        )
        .await
        .err(),
        Some(ca) => match http_t::client_trusting(ca, timeout) {
            Ok(own) => run(
                spec,
                &own,
                crate::model::checked::after(started, timeout),
                now,
                &mut facts,
            )
            .await
            .err(),
            Err(f) => Some(f),
        },
    };
    Observation {
        target: name.to_string(),
        endpoint: redact_url(&spec.url),
        started_at: now,
        duration: started.elapsed(),
        failure,
        facts: Facts::Http(Box::new(facts)),
    }
}

async fn run(
    spec: &HttpCheck,
    client: &Client,
    deadline: Instant,
    now: chrono::DateTime<chrono::Utc>,
    facts: &mut HealthFacts,
) -> Result<(), Failure> {
    let url = parse_url(&spec.url).map_err(|m| Failure::new(Reason::ConnectError, m))?;
    let headers =
        http_t::header_map(&spec.headers).map_err(|m| Failure::new(Reason::ConnectError, m))?;
    let started = Instant::now();
    let resp = http_t::send(client.get(url).headers(headers), deadline, "GET").await?;
    let status = resp.status().as_u16();
    facts.http_status = Some(status);
    facts.latency = Some(started.elapsed());
    let ctype = content_type(resp.headers());
    facts.content_type = Some(ctype.clone()).filter(|c| !c.is_empty());
    if let Some(cert) = crate::net::x509::reply_not_after(&resp).map(|t| CertExpiry::at(t, now)) {
        facts.tls_not_after = Some(cert.not_after);
        facts.tls_days_left = Some(cert.days_left);
    }
    if http_t::asks_for_auth(status, resp.headers()) {
        return Err(http_t::auth_failure(resp.headers(), status));
    }
    let body = http_t::read_body(resp, deadline, MAX_RESPONSE_BYTES, "GET").await?;
    facts.body_bytes = Some(body.len());
    let status_ok = if spec.expect_status.is_empty() {
        (200..300).contains(&status)
    } else {
        spec.expect_status.contains(&status)
    };
    if !status_ok {
        return Err(Failure::new(
            Reason::HttpStatus,
            format!(
                "HTTP {status}{}{}",
                http_t::status_words(status),
                http_t::body_hint(&body)
            ),
        )
        .with_status(status));
    }
    read_document(spec, &body, status, &ctype, facts)
}

/// What the checks read off a health document's body: each assertion by JSON pointer, each metric and
/// state by pointer, name or Prometheus sample. A body the checks need as JSON that is not is a failure.
fn read_document(
    spec: &HttpCheck,
    body: &[u8],
    status: u16,
    ctype: &str,
    facts: &mut HealthFacts,
) -> Result<(), Failure> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    facts.is_json = json.is_some();
    let wants_json = !spec.asserts.is_empty()
        || spec
            .metrics
            .iter()
            .any(|m| matches!(m.source, MetricSource::Pointer(_)));
    if wants_json && json.is_none() {
        let what = if is_html(ctype) {
            "an HTML page"
        } else {
            "a body that is not JSON"
        };
        return Err(Failure::new(
            Reason::NotMcp,
            format!("HTTP {status} with {what}; the checks need a JSON document"),
        )
        .with_status(status));
    }
    for a in &spec.asserts {
        let actual = json.as_ref().and_then(|j| j.pointer(&a.pointer)).cloned();
        facts.asserts.push(AssertResult {
            pointer: a.pointer.clone(),
            conditions: a.conditions.clone(),
            actual,
        });
    }
    let text = String::from_utf8_lossy(body);
    for m in &spec.metrics {
        // a timestamp judged by its age is read as epoch seconds (RFC 3339 or a number)
        let read = if matches!(m.judge, Judge::MaxAge(_)) {
            timestamp
        } else {
            number
        };
        let value = match &m.source {
            MetricSource::Pointer(p) => json.as_ref().and_then(|j| j.pointer(p)).and_then(read),
            MetricSource::Named(n) => json.as_ref().and_then(|j| find_named(j, n)).and_then(read),
            MetricSource::Prometheus { name, labels } => prometheus_value(&text, name, labels),
        };
        let value = match value {
            Some(v) if m.fraction && v > 1.0 => Some(v / 100.0),
            v => v,
        };
        facts.metrics.push((m.clone(), value));
    }
    if spec.all_metrics {
        let all = match &json {
            Some(j) => {
                let mut leaves = numeric_leaves(j);
                leaves.truncate(MAX_ALL_METRICS);
                leaves
            }
            None => prometheus_samples(&text, MAX_ALL_METRICS),
        };
        for (name, v) in all {
            let m = MetricSpec {
                show: true,
                ..MetricSpec::new(name.clone(), MetricSource::Named(name))
            };
            facts.metrics.push((m, Some(v)));
        }
    }
    for st in &spec.states {
        let value = match &st.source {
            MetricSource::Pointer(p) => json.as_ref().and_then(|j| j.pointer(p)),
            MetricSource::Named(n) => json.as_ref().and_then(|j| find_named(j, n)),
            MetricSource::Prometheus { .. } => None,
        };
        let value = value.map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        facts.states.push((st.clone(), value));
    }
    Ok(())
}

/// Fuzzing entry point (`fuzz/`, target `thresholds`), not an API: what `spec`'s checks read off `body`,
/// as a 200 reply of `ctype`.
#[doc(hidden)]
pub fn fuzz_document(spec: &HttpCheck, body: &[u8], ctype: &str) -> Result<HealthFacts, Failure> {
    let mut facts = HealthFacts {
        http_status: Some(200),
        body_bytes: Some(body.len()),
        ..Default::default()
    };
    read_document(spec, body, 200, ctype, &mut facts).map(|()| facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROM: &str = "# HELP mcp_requests_total Requests\n# TYPE mcp_requests_total counter\nmcp_requests_total{server=\"a\",code=\"200\"} 1027\nmcp_requests_total{server=\"b\",code=\"500\"} 3 1700000000000\nmcp_up 1\nmcp_latency_seconds{quantile=\"0.95\"} 0.25\nweird{l=\"a \\\"q\\\" b\"} +Inf\n";

    #[test]
    fn prometheus_samples_by_name_and_labels() {
        let l = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(prometheus_value(PROM, "mcp_up", &[]), Some(1.0));
        assert_eq!(
            prometheus_value(PROM, "mcp_requests_total", &[l("server", "b")]),
            Some(3.0)
        );
        assert_eq!(
            prometheus_value(PROM, "mcp_requests_total", &[l("code", "200")]),
            Some(1027.0)
        );
        assert_eq!(
            prometheus_value(PROM, "mcp_latency_seconds", &[l("quantile", "0.95")]),
            Some(0.25)
        );
        assert_eq!(
            prometheus_value(PROM, "weird", &[l("l", "a \"q\" b")]),
            Some(f64::INFINITY)
        );
        assert_eq!(
            prometheus_value(PROM, "mcp_requests_total", &[l("server", "c")]),
            None
        );
        assert_eq!(prometheus_value(PROM, "mcp_down", &[]), None);
        assert_eq!(
            prometheus_value(PROM, "mcp", &[]),
            None,
            "a prefix is not a name"
        );
    }

    #[test]
    fn numbers_from_json_values() {
        assert_eq!(number(&serde_json::json!(97.5)), Some(97.5));
        assert_eq!(number(&serde_json::json!("97.5%")), Some(97.5));
        assert_eq!(number(&serde_json::json!(true)), Some(1.0));
        assert_eq!(number(&serde_json::json!(null)), None);
        assert_eq!(number(&serde_json::json!("n/a")), None);
    }
}
