//! Judging a plain TCP check: the connect time against `response_time_ms`, the TLS certificate's
//! expiry, and whether the peer sent the `expect` text. Pure: no I/O, no clock.

use super::failed;
use crate::model::{CheckId, Checks, Finding, Kind, Observation, Reason, Status, TcpFacts, Unit};
use crate::net::redact::excerpt;

pub fn findings(obs: &Observation, f: &TcpFacts, checks: &Checks) -> Vec<Finding> {
    let t = obs.target.as_str();
    let mut out = Vec::new();
    if let Some(cert) = f.tls.as_ref().and_then(|s| s.cert.as_ref()) {
        out.push(super::tls::expiry(t, Kind::Tcp, cert, checks.tls_days_left));
    }
    if let Some(fail) = &obs.failure {
        let mut finding = failed(t, Kind::Tcp, CheckId::TCP, fail);
        if let Some(got) = received(f) {
            finding.message.push_str(&got);
        }
        out.insert(0, finding);
        return out;
    }
    let ms = f.connect.map(crate::model::stats::ms1).unwrap_or(0.0);
    let at = f.address.as_deref().unwrap_or("the port");
    let tls = f
        .tls
        .as_ref()
        .map(|s| format!(", {}", s.version.as_deref().unwrap_or("TLS")))
        .unwrap_or_default();
    out.insert(
        0,
        super::above(
            t,
            Kind::Tcp,
            CheckId::TCP,
            ms,
            checks.response_time_ms,
            Unit::Ms,
            format!("connected to {at} in {ms} ms{tls}"),
        ),
    );
    if let (Some(want), Some(matched)) = (&f.expect, f.matched) {
        // the configured text, quoted with its escapes (`"PONG\r\n"`), so spaces and line ends show
        let shown: String = want.chars().take(60).collect();
        let finding = if matched {
            Finding::new(
                t,
                Kind::Tcp,
                CheckId::EXPECT,
                Status::Ok,
                None,
                format!("the peer sent {shown:?}"),
            )
        } else {
            let why = if f.closed {
                format!(
                    "the peer closed the connection after {} bytes without sending {shown:?}",
                    f.received_bytes
                )
            } else {
                format!("no {shown:?} in the first {} bytes", f.received_bytes)
            };
            Finding::new(
                t,
                Kind::Tcp,
                CheckId::EXPECT,
                Status::Crit,
                Some(Reason::AssertionFailed),
                format!("{why}{}", received(f).unwrap_or_default()),
            )
        };
        out.push(finding);
    }
    out
}

/// `: got "…"`, the start of what the peer sent, for a message.
fn received(f: &TcpFacts) -> Option<String> {
    f.received
        .as_deref()
        .map(|r| format!(": got {:?}", excerpt(r, 80)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CertExpiry, Facts, Failure, TlsFacts};
    use std::time::Duration;

    fn obs(f: TcpFacts, failure: Option<Failure>) -> Observation {
        Observation {
            target: "db".into(),
            endpoint: "tcp://127.0.0.1:1".into(),
            started_at: chrono::DateTime::UNIX_EPOCH,
            duration: Duration::from_millis(1),
            failure,
            facts: Facts::Tcp(Box::new(f)),
        }
    }

    fn judge(f: TcpFacts, failure: Option<Failure>) -> Vec<(String, Status, String)> {
        let o = obs(f, failure);
        let Facts::Tcp(f) = &o.facts else {
            unreachable!()
        };
        findings(&o, f, &Checks::default())
            .into_iter()
            .map(|f| (f.check.to_string(), f.status, f.message))
            .collect()
    }

    #[test]
    fn expect_is_judged_by_what_arrived_and_how_the_read_ended() {
        let base = TcpFacts {
            address: Some("127.0.0.1:1".into()),
            connect: Some(Duration::from_micros(300)),
            expect: Some("+PONG".into()),
            ..TcpFacts::default()
        };
        let got = judge(
            TcpFacts {
                matched: Some(true),
                ..base.clone()
            },
            None,
        );
        assert_eq!(got[0].1, Status::Ok);
        assert_eq!(
            got[1],
            (
                "expect".into(),
                Status::Ok,
                "the peer sent \"+PONG\"".into()
            )
        );
        let cap = judge(
            TcpFacts {
                matched: Some(false),
                received: Some("x\u{1b}[2J".into()),
                received_bytes: 65_536,
                ..base.clone()
            },
            None,
        );
        assert_eq!(cap[1].1, Status::Crit);
        // the peer's text is shown without its control characters
        assert_eq!(
            cap[1].2,
            "no \"+PONG\" in the first 65536 bytes: got \"x [2J\""
        );
        // a failure after the handshake still reports the certificate
        let failed = judge(
            TcpFacts {
                tls: Some(TlsFacts {
                    cert: Some(CertExpiry {
                        not_after: chrono::DateTime::UNIX_EPOCH,
                        days_left: -2.5,
                    }),
                    ..TlsFacts::default()
                }),
                ..base
            },
            Some(Failure::new(Reason::Timeout, "no answer")),
        );
        assert_eq!(failed[0].0, "tcp");
        assert_eq!(failed[0].1, Status::Crit);
        assert_eq!(failed[1].0, "tls_expiry");
        assert_eq!(
            failed[1].2,
            "the certificate expired 2.5 days ago (1970-01-01)"
        );
    }
}
