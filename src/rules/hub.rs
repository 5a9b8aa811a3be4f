//! Judging a hub the way an operator would: by its `state` and each server's `status`/`error` — never
//! by the `"status": "ok"` it always answers — with missing fields UNKNOWN, and counts cross-checked.

use super::{bounds_text, failed};
use crate::model::CheckId;
use crate::model::Checks;
use crate::model::Finding;
use crate::model::HubFacts;
use crate::model::Kind;
use crate::model::Observation;
use crate::model::Reason;
use crate::model::Status;
use crate::model::Unit;

pub fn findings(
    obs: &Observation,
    h: &HubFacts,
    checks: &Checks,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Finding> {
    let mut out = judge(obs, h, checks, now);
    // HTTPS: the certificate's days to expiry
    if let Some(cert) = &h.tls {
        out.push(super::tls::expiry(
            &obs.target,
            Kind::Hub,
            cert,
            checks.tls_days_left,
        ));
    }
    out
}

fn judge(
    obs: &Observation,
    h: &HubFacts,
    checks: &Checks,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Finding> {
    let t = obs.target.as_str();
    let mut out = Vec::new();
    if let Some(f) = &obs.failure {
        out.push(failed(t, Kind::Hub, CheckId::HUB, f));
        return out;
    }
    let version = h
        .version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    let ms = h.latency.map(crate::model::stats::ms1).unwrap_or(0.0);
    out.push(super::above(
        t,
        Kind::Hub,
        CheckId::HUB,
        ms,
        checks.response_time_ms,
        Unit::Ms,
        format!("hub{version} answered in {ms} ms"),
    ));

    // hub state
    let age_s = h
        .started_at
        .as_deref()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|s| (now - s.with_timezone(&chrono::Utc)).num_milliseconds() as f64 / 1000.0);
    let state = match h.state.as_deref() {
        None => Finding::new(
            t,
            Kind::Hub,
            CheckId::HUB_STATE,
            Status::Unknown,
            Some(Reason::FieldMissing),
            "the hub's health has no `state`".into(),
        ),
        Some("ready") => Finding::new(
            t,
            Kind::Hub,
            CheckId::HUB_STATE,
            Status::Ok,
            None,
            "ready".into(),
        ),
        Some("starting") => {
            let limit = checks.hub_starting_s.crit;
            match (age_s, limit) {
                (Some(age), _) if checks.hub_starting_s.warn.is_some_and(|w| age <= w) => {
                    Finding::new(
                        t,
                        Kind::Hub,
                        CheckId::HUB_STATE,
                        Status::Ok,
                        None,
                        format!(
                            "starting ({} since start)",
                            crate::model::human::span_secs(age.max(0.0))
                        ),
                    )
                }
                (Some(age), Some(limit)) if age > limit => Finding::new(
                    t,
                    Kind::Hub,
                    CheckId::HUB_STATE,
                    Status::Crit,
                    Some(Reason::HubNotReady),
                    format!(
                        "still starting {age:.0} s after it started ({})",
                        bounds_text(checks.hub_starting_s, ">")
                    ),
                ),
                _ => Finding::new(
                    t,
                    Kind::Hub,
                    CheckId::HUB_STATE,
                    Status::Warn,
                    Some(Reason::HubNotReady),
                    "starting".into(),
                ),
            }
        }
        Some(s @ ("restarting" | "restarted")) => Finding::new(
            t,
            Kind::Hub,
            CheckId::HUB_STATE,
            Status::Warn,
            Some(Reason::HubNotReady),
            s.to_string(),
        ),
        Some(s @ ("stopping" | "stopped" | "error")) => Finding::new(
            t,
            Kind::Hub,
            CheckId::HUB_STATE,
            Status::Crit,
            Some(Reason::HubNotReady),
            s.to_string(),
        ),
        Some(other) => Finding::new(
            t,
            Kind::Hub,
            CheckId::HUB_STATE,
            Status::Unknown,
            Some(Reason::HubNotReady),
            format!("unknown state {other:?}"),
        ),
    };
    out.push(state);
    for m in h.missing.iter().filter(|m| m.as_str() == "/servers") {
        out.push(Finding::new(
            t,
            Kind::Hub,
            CheckId::HUB_SERVERS,
            Status::Unknown,
            Some(Reason::FieldMissing),
            format!("the hub sent no server list ({m})"),
        ));
    }

    // each server
    let mut connected_tools = Some(0usize);
    for s in &h.servers {
        let check = format!("server:{}", s.name);
        let tools = s.counts.tools;
        let detail = {
            let mut parts = Vec::new();
            if let Some(n) = tools {
                parts.push(crate::model::human::count(n, "tool", "tools"));
            }
            parts.extend(s.uptime_text());
            if parts.is_empty() {
                String::new()
            } else {
                format!(" ({})", parts.join(", "))
            }
        };
        let err = s
            .error
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        let f = match s.status.as_deref() {
            None => Finding::new(
                t,
                Kind::Hub,
                &check,
                Status::Unknown,
                Some(Reason::FieldMissing),
                "the hub sent no status for this server".into(),
            ),
            Some("connected") => match tools {
                Some(0) => Finding::new(
                    t,
                    Kind::Hub,
                    &check,
                    Status::Warn,
                    Some(Reason::ZeroTools),
                    "connected but lists 0 tools".into(),
                ),
                _ => Finding::new(
                    t,
                    Kind::Hub,
                    &check,
                    Status::Ok,
                    None,
                    format!("connected{detail}"),
                ),
            },
            Some("disabled") => Finding::new(
                t,
                Kind::Hub,
                &check,
                Status::Ok,
                None,
                "disabled (not a failure)".into(),
            ),
            Some("connecting") => Finding::new(
                t,
                Kind::Hub,
                &check,
                Status::Warn,
                Some(Reason::ServerDisconnected),
                format!("connecting{err}"),
            ),
            Some("disconnected") => Finding::new(
                t,
                Kind::Hub,
                &check,
                Status::Crit,
                Some(Reason::ServerDisconnected),
                format!("disconnected{err}"),
            ),
            Some("unauthorized") => Finding::new(
                t,
                Kind::Hub,
                &check,
                Status::Crit,
                Some(Reason::AuthRequired),
                format!("unauthorized{err}"),
            ),
            Some(other) => Finding::new(
                t,
                Kind::Hub,
                &check,
                Status::Unknown,
                None,
                format!("unknown status {other:?}{err}"),
            ),
        };
        if s.status.as_deref() == Some("connected") {
            connected_tools = match (connected_tools, tools) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            };
        }
        out.push(f);
    }

    // cross-check: the hub's own endpoint should register what its connected servers list
    if let (Some(sum), Some(reg)) = (connected_tools, h.registered.and_then(|r| r.tools)) {
        let f = if sum == reg {
            Finding::new(
                t,
                Kind::Hub,
                "hub_tools",
                Status::Ok,
                None,
                format!("{reg} tools registered, as its connected servers list"),
            )
            .value(reg as f64)
            .unit(Unit::Count)
        } else {
            Finding::new(
                t,
                Kind::Hub,
                "hub_tools",
                Status::Warn,
                Some(Reason::Mismatch),
                format!(
                    "the hub's endpoint registers {reg} tools but its connected servers list {sum}"
                ),
            )
            .value(reg as f64)
            .unit(Unit::Count)
        };
        out.push(f);
    }

    // the workspace cache (mcp-hub): every workspace it knows and its state
    if !h.workspace_states.is_empty() {
        let odd: Vec<String> = h
            .workspace_states
            .iter()
            .filter(|(_, st, _)| st != "active")
            .map(|(k, st, _)| format!("{k} {st}"))
            .collect();
        let listed: Vec<String> = h
            .workspace_states
            .iter()
            .map(|(k, st, me)| format!("{k} {st}{}", if *me { " (this hub)" } else { "" }))
            .collect();
        let n = h.workspace_states.len();
        out.push(
            Finding::new(
                t,
                Kind::Hub,
                "hub_workspaces",
                if odd.is_empty() {
                    Status::Ok
                } else {
                    Status::Warn
                },
                (!odd.is_empty()).then_some(Reason::HubNotReady),
                format!(
                    "{} in the hub's cache: {}",
                    crate::model::human::counted(n, "workspace"),
                    listed.join(", ")
                ),
            )
            .value(n as f64)
            .unit(Unit::Count),
        );
    }
    out
}

/// `--deep`: what the hub reports against what its endpoint and its servers say when asked directly.
/// `direct` holds (`mcp` for the hub's own endpoint, or a server name, observation).
pub fn deep_findings(hub: &Observation, direct: &[(&str, &Observation)]) -> Vec<Finding> {
    let t = hub.target.as_str();
    let mut out = Vec::new();
    let crate::model::Facts::Hub(h) = &hub.facts else {
        return out;
    };
    let tools_of = |o: &Observation| {
        o.mcp()
            .and_then(|m| m.tools.as_ref())
            .and_then(|r| r.as_ref().ok())
            .map(Vec::len)
    };
    for (name, o) in direct {
        if *name == "mcp" {
            if let (Some(reg), Some(n)) = (h.registered.and_then(|r| r.tools), tools_of(o)) {
                let f = if reg == n {
                    Finding::new(
                        t,
                        Kind::Hub,
                        "deep:mcp",
                        Status::Ok,
                        None,
                        format!("the hub's endpoint lists the {n} tools it registers"),
                    )
                } else {
                    Finding::new(
                        t,
                        Kind::Hub,
                        "deep:mcp",
                        Status::Warn,
                        Some(Reason::Mismatch),
                        format!("the hub registers {reg} tools but its endpoint lists {n}"),
                    )
                };
                out.push(f);
            }
            continue;
        }
        let Some(s) = h.servers.iter().find(|s| s.name == *name) else {
            continue;
        };
        let check = format!("deep:{name}");
        let connected = s.status.as_deref() == Some("connected");
        let f = match (&o.failure, connected) {
            (Some(fail), true) => Finding::new(
                t,
                Kind::Hub,
                &check,
                Status::Warn,
                Some(Reason::Mismatch),
                format!(
                    "the hub says connected, but a direct check failed ({}: {})",
                    fail.reason, fail.message
                ),
            ),
            (Some(_), false) => Finding::new(
                t,
                Kind::Hub,
                &check,
                Status::Ok,
                None,
                "not connected in the hub, and failing directly too".into(),
            ),
            (None, false) if s.status.as_deref() != Some("disabled") => Finding::new(
                t,
                Kind::Hub,
                &check,
                Status::Warn,
                Some(Reason::Mismatch),
                format!(
                    "the hub says {}, but the server answers directly",
                    s.status.as_deref().unwrap_or("?")
                ),
            ),
            (None, _) => match (s.counts.tools, tools_of(o)) {
                (Some(a), Some(b)) if a != b => Finding::new(
                    t,
                    Kind::Hub,
                    &check,
                    Status::Warn,
                    Some(Reason::Mismatch),
                    format!("the hub lists {a} tools, the server itself {b}"),
                ),
                _ => Finding::new(
                    t,
                    Kind::Hub,
                    &check,
                    Status::Ok,
                    None,
                    "the hub and the server agree".into(),
                ),
            },
        };
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Facts;

    fn judge(workspaces: Vec<(String, String, bool)>) -> Vec<Finding> {
        let h = HubFacts {
            state: Some("ready".into()),
            workspace_states: workspaces,
            ..HubFacts::default()
        };
        let obs = Observation {
            target: "hub".into(),
            endpoint: String::new(),
            started_at: chrono::Utc::now(),
            duration: std::time::Duration::ZERO,
            failure: None,
            facts: Facts::Hub(Box::new(h.clone())),
        };
        findings(&obs, &h, &Checks::default(), chrono::Utc::now())
            .into_iter()
            .filter(|f| f.check == "hub_workspaces")
            .collect()
    }

    #[test]
    fn the_workspace_cache_is_reported_and_a_stuck_workspace_warns() {
        let ok = judge(vec![("37373".into(), "active".into(), true)]);
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].status, Status::Ok);
        assert_eq!(
            ok[0].message,
            "1 workspace in the hub's cache: 37373 active (this hub)"
        );
        let stuck = judge(vec![
            ("37373".into(), "active".into(), true),
            ("40000".into(), "shutting_down".into(), false),
        ]);
        assert_eq!(stuck[0].status, Status::Warn);
        assert!(
            stuck[0].message.ends_with("40000 shutting_down"),
            "{}",
            stuck[0].message
        );
        assert!(judge(Vec::new()).is_empty(), "no cache, no finding");
    }
}
