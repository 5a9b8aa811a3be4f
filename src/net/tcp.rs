//! Plain TCP below the probes: resolve and connect with a deadline, an optional TLS handshake (rustls
//! with ring, the roots reqwest trusts plus a caller's PEM CA), one write and a bounded read until a
//! substring appears, and the PEM certificates of a file's bytes.
//!
//! Every step has the caller's deadline; a failure is a `Failure` whose reason is decided by the
//! error's type and `io::ErrorKind` (refused, reset, a `rustls::Error`), never by its wording. It must
//! not judge (that is `rules`), know a protocol spoken over the socket, or read the environment.

use crate::model::Failure;
use crate::model::Reason;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};
use tokio_rustls::client::TlsStream;

/// Resolves `host` and connects to its addresses in turn, within `deadline`. Returns the stream, the
/// address it reached and the time the successful connect took (resolution not included).
pub async fn connect(
    host: &str,
    port: u16,
    deadline: Instant,
) -> Result<(TcpStream, SocketAddr, Duration), Failure> {
    let at = format!("{host}:{port}");
    let late = || {
        Failure::new(
            Reason::Timeout,
            format!("no connection to {at} before the deadline"),
        )
    };
    let addrs: Vec<SocketAddr> =
        match timeout_at(deadline, tokio::net::lookup_host((host, port))).await {
            Err(_) => return Err(late()),
            Ok(Err(e)) => {
                return Err(Failure::new(
                    Reason::DnsError,
                    format!("cannot resolve host \"{host}\" (a typo, or no DNS?): {e}"),
                ));
            }
            Ok(Ok(a)) => a.collect(),
        };
    let mut last = None;
    for addr in addrs {
        let started = Instant::now();
        match timeout_at(deadline, TcpStream::connect(addr)).await {
            Err(_) => return Err(late()),
            Ok(Ok(s)) => return Ok((s, addr, started.elapsed())),
            Ok(Err(e)) => last = Some(io_failure(&e, &format!("connect to {addr}"))),
        }
    }
    Err(last.unwrap_or_else(|| {
        Failure::new(
            Reason::DnsError,
            format!("host \"{host}\" resolved to no address"),
        )
    }))
}

/// An I/O error of a step on an open or opening connection, by its kind.
fn io_failure(e: &std::io::Error, what: &str) -> Failure {
    let tls = e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>());
    let reason = match e.kind() {
        _ if tls => Reason::TlsError,
        ErrorKind::ConnectionRefused => Reason::ConnectRefused,
        ErrorKind::TimedOut => Reason::Timeout,
        ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted
        | ErrorKind::BrokenPipe
        | ErrorKind::UnexpectedEof => Reason::ServerDisconnected,
        _ => Reason::ConnectError,
    };
    let msg = match reason {
        Reason::ConnectRefused => format!("{what}: connection refused (nothing listening?)"),
        _ => format!("{what}: {e}"),
    };
    Failure::new(reason, msg)
}

/// The TLS client settings: the roots reqwest trusts (webpki-roots) and the certificates of `ca_pem`.
/// An error says what is wrong with `ca_pem`.
pub fn tls_config(ca_pem: Option<&[u8]>) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(pem) = ca_pem {
        let certs = pem_certificates(pem)?;
        for c in certs {
            roots
                .add(c)
                .map_err(|e| format!("not a usable CA certificate: {e}"))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The certificates (DER) of a PEM text, in file order; an error when there is none or a block is
/// broken.
pub fn pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("not a PEM certificate: {e}"))?;
    if certs.is_empty() {
        return Err("not a PEM certificate: no \"BEGIN CERTIFICATE\" block".into());
    }
    Ok(certs)
}

/// What a TLS handshake showed.
pub struct Handshake {
    pub took: Duration,
    /// `TLSv1.3`, `TLSv1.2`.
    pub version: Option<String>,
    /// The peer's leaf certificate (DER).
    pub peer: Option<Vec<u8>>,
}

/// A TLS handshake over `stream` for `host` (a DNS name or an IP address), within `deadline`; the
/// certificate is verified against `config`'s roots.
pub async fn handshake(
    stream: TcpStream,
    host: &str,
    config: Arc<rustls::ClientConfig>,
    deadline: Instant,
) -> Result<(TlsStream<TcpStream>, Handshake), Failure> {
    let name = ServerName::try_from(host.to_string()).map_err(|e| {
        Failure::new(
            Reason::TlsError,
            format!("{host:?} is not a name TLS can verify: {e}"),
        )
    })?;
    let started = Instant::now();
    let connector = tokio_rustls::TlsConnector::from(config);
    let tls = match timeout_at(deadline, connector.connect(name, stream)).await {
        Err(_) => {
            return Err(Failure::new(
                Reason::Timeout,
                "no TLS handshake before the deadline (is the port speaking TLS?)",
            ));
        }
        Ok(Err(e)) if e.kind() == ErrorKind::UnexpectedEof => {
            return Err(Failure::new(
                Reason::TlsError,
                "the peer closed the connection during the TLS handshake (is the port speaking TLS?)",
            ));
        }
        Ok(Err(e)) => return Err(io_failure(&e, "TLS handshake")),
        Ok(Ok(t)) => t,
    };
    let (_, session) = tls.get_ref();
    let version = session.protocol_version().map(|v| match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
        other => format!("{other:?}"),
    });
    let peer = session
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.as_ref().to_vec());
    Ok((
        tls,
        Handshake {
            took: started.elapsed(),
            version,
            peer,
        },
    ))
}

/// What was read while looking for the expected text.
#[derive(Debug, Default)]
pub struct Answer {
    /// The bytes read (at most the cap given).
    pub bytes: Vec<u8>,
    /// The expected text appeared in `bytes`.
    pub matched: bool,
    /// The peer closed the connection (before the text appeared).
    pub closed: bool,
}

/// Writes `send` (if any), then, with `expect`, reads until `expect` appears, the peer closes, `cap`
/// bytes were read or `deadline` passes. What was read is kept in `answer` whatever happens, so a
/// failure still shows it.
pub async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    send: Option<&[u8]>,
    expect: Option<&[u8]>,
    cap: usize,
    deadline: Instant,
    answer: &mut Answer,
) -> Result<(), Failure> {
    if let Some(bytes) = send {
        let write = async {
            stream.write_all(bytes).await?;
            stream.flush().await
        };
        match timeout_at(deadline, write).await {
            Err(_) => {
                return Err(Failure::new(
                    Reason::Timeout,
                    "writing `send`: the peer took nothing before the deadline",
                ));
            }
            Ok(Err(e)) => return Err(io_failure(&e, "writing `send`")),
            Ok(Ok(())) => {}
        }
    }
    let Some(want) = expect.filter(|w| !w.is_empty()) else {
        return Ok(());
    };
    let mut chunk = [0u8; 4096];
    while answer.bytes.len() < cap {
        let room = (cap - answer.bytes.len()).min(chunk.len());
        let n = match timeout_at(deadline, stream.read(&mut chunk[..room])).await {
            Err(_) => {
                return Err(Failure::new(
                    Reason::Timeout,
                    format!(
                        "no answer containing {:?} before the deadline ({} bytes read)",
                        String::from_utf8_lossy(want),
                        answer.bytes.len()
                    ),
                ));
            }
            // a TLS peer that closes without close_notify: the answer so far is what there is
            Ok(Err(e)) if e.kind() == ErrorKind::UnexpectedEof => 0,
            Ok(Err(e)) => return Err(io_failure(&e, "reading the answer")),
            Ok(Ok(n)) => n,
        };
        if n == 0 {
            answer.closed = true;
            return Ok(());
        }
        // only the new bytes and the tail before them can complete a match
        let from = answer.bytes.len().saturating_sub(want.len() - 1);
        answer.bytes.extend_from_slice(&chunk[..n]);
        if contains(&answer.bytes[from..], want) {
            answer.matched = true;
            return Ok(());
        }
    }
    Ok(())
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_without_a_certificate_is_an_error() {
        assert!(
            pem_certificates(b"hello")
                .unwrap_err()
                .contains("no \"BEGIN CERTIFICATE\"")
        );
        let broken = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert!(pem_certificates(broken).is_err());
    }

    #[tokio::test]
    async fn a_match_across_two_reads_is_found_and_the_read_is_capped() {
        let (mut a, mut b) = tokio::io::duplex(64);
        let deadline = Instant::now() + Duration::from_secs(5);
        let peer = tokio::spawn(async move {
            b.write_all(b"+PO").await.unwrap();
            b.flush().await.unwrap();
            tokio::task::yield_now().await;
            b.write_all(b"NG\r\n").await.unwrap();
            b
        });
        let mut ans = Answer::default();
        exchange(&mut a, None, Some(b"PONG"), 1024, deadline, &mut ans)
            .await
            .unwrap();
        assert!(ans.matched, "{:?}", ans);
        drop(peer.await.unwrap());
        // a peer that never says it: at most `cap` bytes are read
        let (mut a, mut b) = tokio::io::duplex(64);
        tokio::spawn(async move {
            let _ = b.write_all(&[b'x'; 100]).await;
            std::future::pending::<()>().await;
        });
        let mut ans = Answer::default();
        exchange(&mut a, None, Some(b"PONG"), 10, deadline, &mut ans)
            .await
            .unwrap();
        assert!(!ans.matched && !ans.closed);
        assert_eq!(ans.bytes.len(), 10);
    }
}
