//! The plain TCP probe (`tcp://host:port`): connect (its time is the latency judged), an optional TLS
//! handshake whose peer certificate's expiry is read, an optional `send` and a bounded read until
//! `expect` appears. Owns turning those steps into `TcpFacts`; the socket work is `net::tcp`, the
//! verdicts are `rules::tcp`. It never judges, and never reads more than `MAX_EXPECT_BYTES`.

use crate::model::{
    CertExpiry, Facts, Failure, MAX_EXPECT_BYTES, Observation, RECEIVED_CHARS, Reason, TcpFacts,
    TcpSpec, TlsFacts,
};
use crate::net::tcp;
use std::time::Duration;
use tokio::time::Instant;

pub async fn probe(
    name: &str,
    spec: &TcpSpec,
    timeout: Duration,
    now: chrono::DateTime<chrono::Utc>,
) -> Observation {
    let started = Instant::now();
    let deadline = crate::model::checked::after(started, timeout);
    let mut facts = TcpFacts {
        expect: spec.expect.clone(),
        ..Default::default()
    };
    let mut answer = tcp::Answer::default();
    let failure = run(spec, deadline, now, &mut facts, &mut answer)
        .await
        .err();
    // looked for once connected (a connect that failed looked for nothing)
    if spec.expect.is_some() && facts.connect.is_some() {
        facts.matched = Some(answer.matched);
        facts.closed = answer.closed;
        facts.received_bytes = answer.bytes.len();
        if !answer.bytes.is_empty() {
            let text = String::from_utf8_lossy(&answer.bytes);
            facts.received = Some(text.chars().take(RECEIVED_CHARS).collect());
        }
    }
    Observation {
        target: name.to_string(),
        endpoint: spec.url.clone(),
        started_at: now,
        duration: started.elapsed(),
        failure,
        facts: Facts::Tcp(Box::new(facts)),
    }
}

async fn run(
    spec: &TcpSpec,
    deadline: Instant,
    now: chrono::DateTime<chrono::Utc>,
    facts: &mut TcpFacts,
    answer: &mut tcp::Answer,
) -> Result<(), Failure> {
    // the CA is read before anything is contacted: a bad ca_file is the config's fault
    let config = if spec.tls {
        let pem = match &spec.ca_file {
            None => None,
            Some(path) => Some(crate::probe::cert::read_pem(path, "ca_file")?),
        };
        let config = tcp::tls_config(pem.as_deref()).map_err(|m| {
            let place = spec
                .ca_file
                .as_ref()
                .map(|p| format!("ca_file {}: ", p.display()))
                .unwrap_or_default();
            Failure::new(Reason::TlsError, format!("{place}{m}"))
        })?;
        Some(config)
    } else {
        None
    };
    let (stream, addr, took) = tcp::connect(&spec.host, spec.port, deadline).await?;
    facts.address = Some(addr.to_string());
    facts.connect = Some(took);
    let send = spec.send.as_deref().map(str::as_bytes);
    let expect = spec.expect.as_deref().map(str::as_bytes);
    match config {
        None => {
            let mut stream = stream;
            tcp::exchange(
                &mut stream,
                send,
                expect,
                MAX_EXPECT_BYTES,
                deadline,
                answer,
            )
            .await
        }
        Some(config) => {
            let (mut tls, hs) = tcp::handshake(stream, &spec.host, config, deadline).await?;
            facts.tls = Some(TlsFacts {
                handshake: hs.took,
                version: hs.version,
                cert: hs
                    .peer
                    .as_deref()
                    .and_then(crate::net::x509::not_after)
                    .map(|t| CertExpiry::at(t, now)),
            });
            tcp::exchange(&mut tls, send, expect, MAX_EXPECT_BYTES, deadline, answer).await
        }
    }
}
