//! The checks of an MCP observation: connection, response time (or stdio start-up), liveness, tools
//! (`min_tools`, `expect_tools`), the other lists, and protocol faults seen on the wire.

use crate::model::Bound;
use crate::model::CheckId;
use crate::model::Checks;
use crate::model::Finding;
use crate::model::Kind;
use crate::model::Observation;
use crate::model::Reason;
use crate::model::Status;
use crate::model::Unit;

use crate::mcp::jsonrpc::METHOD_NOT_FOUND;

fn ms(d: std::time::Duration) -> f64 {
    crate::model::stats::ms1(d)
}

/// Findings for one observed target.
pub fn findings(obs: &Observation, checks: &Checks) -> Vec<Finding> {
    let mut out = judge(obs, checks);
    // HTTPS: the certificate's days to expiry, whether or not the server worked
    if let Some(cert) = obs.mcp().and_then(|f| f.tls.as_ref()) {
        out.push(super::tls::expiry(
            &obs.target,
            Kind::Mcp,
            cert,
            checks.tls_days_left,
        ));
    }
    out
}

fn judge(obs: &Observation, checks: &Checks) -> Vec<Finding> {
    let t = obs.target.as_str();
    let mut out = Vec::new();
    if let Some(fail) = &obs.failure {
        out.push(super::failed(t, Kind::Mcp, CheckId::CONNECT, fail));
        return out;
    }
    let Some(f) = obs.mcp() else {
        return out;
    };
    let wire = f.wire.map(|w| w.as_str()).unwrap_or("?");
    let rev = f.revision.as_deref().unwrap_or("?");
    let hs = f.handshake.map(ms).unwrap_or(0.0);
    let verb = if f.era == Some(crate::model::Era::Modern) {
        "discovered"
    } else {
        "initialized"
    };
    out.push(
        Finding::new(
            t,
            Kind::Mcp,
            CheckId::CONNECT,
            Status::Ok,
            None,
            format!("{verb} {rev} over {wire} in {hs} ms"),
        )
        .value(hs)
        .unit(Unit::Ms),
    );

    if let Some(redirect) = &f.redirect {
        out.push(Finding::new(
            t,
            Kind::Mcp,
            CheckId::REDIRECT,
            Status::Warn,
            Some(Reason::HttpStatus),
            format!("{redirect} (followed once, same origin)"),
        ));
    }

    let bound = checks.response_time_ms;
    if f.wire == Some(crate::model::Wire::Stdio) {
        // On stdio the first reply waits for the server to boot: that is judged as start-up time
        // (own thresholds, none by default), not as response time.
        let ready = f.ready.map(ms).unwrap_or(hs);
        out.push(latency(
            CheckId::STARTUP,
            t,
            "spawn to ready",
            ready,
            checks.startup_ms,
        ));
    } else {
        out.push(latency(
            CheckId::HANDSHAKE,
            t,
            CheckId::HANDSHAKE.as_str(),
            hs,
            bound,
        ));
    }
    if let Some((method, res)) = &f.liveness {
        match res {
            Ok(d) => out.push(latency(CheckId::LIVENESS, t, method, ms(*d), bound)),
            // The handshake and the lists were answered: a server that only lacks `ping` is up, and
            // its liveness cannot be measured (WARN), not down.
            Err(e) if method == "ping" && e.rpc_code == Some(METHOD_NOT_FOUND) => {
                out.push(Finding::new(
                    t,
                    Kind::Mcp,
                    CheckId::LIVENESS,
                    Status::Warn,
                    Some(e.reason),
                    format!(
                        "ping is not implemented (JSON-RPC {METHOD_NOT_FOUND} method not found): the server is up (it answered the handshake), but liveness cannot be timed"
                    ),
                ))
            }
            Err(e) => out.push(Finding::new(
                t,
                Kind::Mcp,
                CheckId::LIVENESS,
                Status::Crit,
                Some(e.reason),
                format!("{method} failed: {}", e.message),
            )),
        }
    }

    match &f.tools {
        // liveness only: the lists were not read
        None if checks.skip_lists => {}
        None => out.push(Finding::new(
            t,
            Kind::Mcp,
            CheckId::TOOLS,
            Status::Ok,
            None,
            "no tools capability declared".into(),
        )),
        Some(Err(e)) => out.push(Finding::new(
            t,
            Kind::Mcp,
            CheckId::TOOLS,
            Status::Crit,
            Some(e.reason),
            format!("tools/list failed: {}", e.message),
        )),
        Some(Ok(names)) => {
            let n = names.len();
            let (st, reason, msg) = match checks.min_tools {
                Some(min) if n < min => {
                    let reason = if n == 0 {
                        Reason::ZeroTools
                    } else {
                        Reason::Threshold
                    };
                    (
                        Status::Crit,
                        Some(reason),
                        format!("{}, fewer than min_tools {min}", tools_n(n)),
                    )
                }
                None if n == 0 => (
                    Status::Warn,
                    Some(Reason::ZeroTools),
                    "the server declares tools but lists none".to_string(),
                ),
                _ => (Status::Ok, None, tools_n(n)),
            };
            out.push(
                Finding::new(t, Kind::Mcp, CheckId::TOOLS, st, reason, msg)
                    .value(n as f64)
                    .unit(Unit::Count)
                    .bounds(None, checks.min_tools.map(|m| m as f64)),
            );
            if !checks.expect_tools.is_empty() {
                let missing: Vec<&str> = checks
                    .expect_tools
                    .iter()
                    .filter(|e| !names.iter().any(|n| n == *e))
                    .map(String::as_str)
                    .collect();
                if missing.is_empty() {
                    out.push(Finding::new(
                        t,
                        Kind::Mcp,
                        CheckId::EXPECT_TOOLS,
                        Status::Ok,
                        None,
                        format!("all {} expected tools present", checks.expect_tools.len()),
                    ));
                } else {
                    out.push(Finding::new(
                        t,
                        Kind::Mcp,
                        CheckId::EXPECT_TOOLS,
                        Status::Crit,
                        Some(Reason::ToolMissing),
                        format!("missing tools: {}", missing.join(", ")),
                    ));
                }
            }
        }
    }
    for (check, listed) in [("prompts", &f.prompts), ("resources", &f.resources)] {
        if let Some(Err(e)) = listed {
            out.push(Finding::new(
                t,
                Kind::Mcp,
                check,
                Status::Warn,
                Some(e.reason),
                format!("{check}/list failed: {}", e.message),
            ));
        }
    }
    if !f.faults.is_empty() {
        let more = if f.faults.len() > 1 {
            format!(" (+{} more)", f.faults.len() - 1)
        } else {
            String::new()
        };
        out.push(Finding::new(
            t,
            Kind::Mcp,
            CheckId::PROTOCOL,
            Status::Warn,
            Some(Reason::ProtocolError),
            format!("{}{more}", f.faults[0]),
        ));
    }
    if let Some(what) = &f.intolerance {
        out.push(Finding::new(
            t,
            Kind::Mcp,
            CheckId::DISCOVER,
            Status::Warn,
            Some(Reason::ProtocolError),
            format!(
                "{what}; it answers an older client (initialize), but a 2026-07-28 client's server/discover \
                 should get an error reply, not a dead server (--era legacy skips the probe)"
            ),
        ));
    }
    out.extend(super::calls::findings(t, &f.calls, checks));
    out
}

fn tools_n(n: usize) -> String {
    if n == 1 {
        "1 tool".into()
    } else {
        format!("{n} tools")
    }
}

/// A latency judged against warn/crit bounds.
fn latency(check: CheckId, target: &str, what: &str, value: f64, bound: Bound) -> Finding {
    super::above(
        target,
        Kind::Mcp,
        check,
        value,
        bound,
        Unit::Ms,
        format!("{what} {value} ms"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Facts, Failure, McpFacts};
    use std::time::Duration;

    fn observed(method: &str, res: Result<Duration, Failure>) -> Observation {
        Observation {
            target: "t".into(),
            endpoint: "x".into(),
            started_at: chrono::DateTime::UNIX_EPOCH,
            duration: Duration::ZERO,
            failure: None,
            facts: Facts::Mcp(Box::new(McpFacts {
                handshake: Some(Duration::from_millis(3)),
                liveness: Some((method.into(), res)),
                tools: Some(Ok(vec!["a".into()])),
                ..Default::default()
            })),
        }
    }

    fn liveness(obs: &Observation) -> Finding {
        findings(obs, &Checks::default())
            .into_iter()
            .find(|f| f.check == CheckId::LIVENESS)
            .expect("a liveness finding")
    }

    #[test]
    fn a_followed_redirect_is_a_warning_to_configure_the_final_url() {
        let mut obs = observed("ping", Ok(Duration::from_millis(1)));
        let said = |obs: &Observation| {
            findings(obs, &Checks::default())
                .into_iter()
                .find(|f| f.check == CheckId::REDIRECT)
        };
        assert!(said(&obs).is_none());
        if let Facts::Mcp(m) = &mut obs.facts {
            m.redirect = Some(
                "http://h/mcp/ redirects (HTTP 307) to http://h/mcp: configure the final URL"
                    .into(),
            );
        }
        let f = said(&obs).expect("a redirect finding");
        assert_eq!(f.status, Status::Warn);
        assert!(
            f.message.contains("configure the final URL"),
            "{}",
            f.message
        );
    }

    #[test]
    fn a_server_without_ping_is_up_with_a_warning() {
        let missing = Failure::new(
            Reason::RpcError,
            "ping: JSON-RPC error -32601: Method not found",
        )
        .with_rpc_code(METHOD_NOT_FOUND);
        let f = liveness(&observed("ping", Err(missing.clone())));
        assert_eq!(f.status, Status::Warn);
        assert_eq!(f.reason, Some(Reason::RpcError));
        assert!(
            f.message.contains("ping is not implemented"),
            "{}",
            f.message
        );
        // any other error to ping is still a failed liveness check
        let broken = Failure::new(Reason::RpcError, "ping: JSON-RPC error -32603: boom")
            .with_rpc_code(-32603);
        assert_eq!(
            liveness(&observed("ping", Err(broken))).status,
            Status::Crit
        );
        // and so is a method-not-found to the modern era's liveness call
        assert_eq!(
            liveness(&observed("server/discover", Err(missing))).status,
            Status::Crit
        );
        assert_eq!(
            liveness(&observed("ping", Ok(Duration::from_millis(1)))).status,
            Status::Ok
        );
    }
}
