//! E-mail delivery over SMTP (`email:smtp://USER:PASSWORD@HOST:587?from=…&to=…`): STARTTLS required
//! by default (`smtps://` for TLS from the first byte, `tls=none` only for a relay that cannot do
//! TLS), AUTH when the URL has credentials, a plain-text message with the summary line as its subject.
//! Uses lettre's SMTP client (rustls with ring, like the rest of the tree); the message itself is
//! written here (plain text, base64 body, RFC 2047 subject), so no server text can inject a header.
//!
//! Must not: show the URL's credentials or query in any message (errors are scrubbed of them), retry
//! within a run (the outbox retries on the next), or wait past the deadline.

use super::Delivered;
use base64::Engine as _;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use reqwest::Url;
use std::time::Duration;
use tokio::time::{Instant, timeout_at};

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain first, then STARTTLS, which must succeed (the default for `smtp://`).
    StartTls,
    /// TLS from the first byte (`smtps://`, port 465).
    Wrapper,
    /// No TLS at all (`tls=none`): credentials would travel in clear, so they are refused.
    None,
}

/// What an `email:` URL says, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: Option<(String, String)>,
    pub from: Address,
    pub to: Vec<Address>,
    /// A PEM file of extra trusted certificates (a private CA, a self-signed relay).
    pub ca: Option<String>,
}

/// Reads an `email:` URL. Errors never repeat the URL, an address or a credential.
pub fn settings(url: &Url) -> Result<Settings, String> {
    let (security, default_port) = match url.scheme() {
        "smtp" => (Security::StartTls, 587),
        "smtps" => (Security::Wrapper, 465),
        _ => return Err("email: the URL must be smtp://… or smtps://…".into()),
    };
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("email: the URL has no host")?
        .trim_matches(['[', ']'])
        .to_string();
    let mut from = None;
    let mut to = Vec::new();
    let mut tls = None;
    let mut ca = None;
    for (k, v) in url.query_pairs() {
        match k.as_ref() {
            "from" => from = Some(address(&v, "from")?),
            "to" => {
                for a in v.split(',').filter(|a| !a.trim().is_empty()) {
                    to.push(address(a, "to")?);
                }
            }
            "tls" => tls = Some(v.into_owned()),
            "ca" => ca = Some(v.into_owned()),
            other => {
                let shown = super::one_line(other, 20);
                return Err(format!(
                    "email: unknown parameter `{shown}` (known: from, to, tls, ca)"
                ));
            }
        }
    }
    let security = match tls.as_deref() {
        None | Some("starttls") if security == Security::StartTls => Security::StartTls,
        None | Some("wrapper") if security == Security::Wrapper => Security::Wrapper,
        Some("none") if security == Security::StartTls => Security::None,
        _ => {
            return Err(
                "email: tls= is starttls (the default for smtp://) or none; smtps:// is TLS already"
                    .into(),
            );
        }
    };
    let decode = |s: &str| {
        percent_decode(s).ok_or_else(|| "email: the credentials are not valid UTF-8".to_string())
    };
    let user = if url.username().is_empty() {
        None
    } else {
        Some((
            decode(url.username())?,
            decode(url.password().unwrap_or(""))?,
        ))
    };
    if user.is_some() && security == Security::None {
        return Err("email: tls=none with a password would send it in clear; use STARTTLS".into());
    }
    let from = from.ok_or("email: needs from=ADDRESS")?;
    if to.is_empty() {
        return Err("email: needs to=ADDRESS[,ADDRESS…]".into());
    }
    Ok(Settings {
        host,
        port: url.port().unwrap_or(default_port),
        security,
        user,
        from,
        to,
        ca,
    })
}

fn address(s: &str, what: &str) -> Result<Address, String> {
    s.trim()
        .parse::<Address>()
        .map_err(|_| format!("email: {what}= is not an e-mail address"))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The message: headers (From, To, Subject as RFC 2047 base64, Date, Message-ID, MIME), then the
/// text as base64, lines of 76.
pub fn compose(
    s: &Settings,
    subject: &str,
    text: &str,
    date: chrono::DateTime<chrono::Utc>,
) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let to: Vec<String> = s.to.iter().map(ToString::to_string).collect();
    let subject: String = subject
        .chars()
        .filter(|c| !c.is_control())
        .take(250)
        .collect();
    let body = b64.encode(text.as_bytes());
    let mut out = format!(
        "From: {}\r\nTo: {}\r\nSubject: =?UTF-8?B?{}?=\r\nDate: {}\r\nMessage-ID: <mcpmon.{}@{}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
        s.from,
        to.join(", "),
        b64.encode(subject.as_bytes()),
        date.to_rfc2822(),
        date.timestamp_nanos_opt().unwrap_or_default(),
        s.from.domain(),
    );
    for chunk in body.as_bytes().chunks(76) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// Sends one message within the deadline. `secrets` are scrubbed from any error.
pub async fn deliver(
    s: &Settings,
    message: &[u8],
    until: Instant,
    budget: Duration,
    secrets: &[String],
) -> Result<Delivered, String> {
    let fail = |e: String| crate::net::redact::scrub(&e, secrets);
    let tls = match s.security {
        Security::None => Tls::None,
        sec => {
            let mut b = TlsParameters::builder(s.host.clone());
            if let Some(path) = &s.ca {
                let pem = crate::config::read_file(std::path::Path::new(path))
                    .map_err(|e| fail(format!("email: ca: {e}")))?;
                let cert = Certificate::from_pem(pem.as_bytes())
                    .map_err(|e| fail(format!("email: ca: not a PEM certificate ({e})")))?;
                b = b.add_root_certificate(cert);
            }
            let p = b
                .build_rustls()
                .map_err(|e| fail(format!("email: TLS setup: {e}")))?;
            if sec == Security::Wrapper {
                Tls::Wrapper(p)
            } else {
                Tls::Required(p)
            }
        }
    };
    let mut t = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.clone())
        .port(s.port)
        .tls(tls)
        .timeout(Some(budget));
    if let Some((user, pass)) = &s.user {
        t = t.credentials(Credentials::new(user.clone(), pass.clone()));
    }
    let transport = t.build();
    let envelope = lettre::address::Envelope::new(Some(s.from.clone()), s.to.clone())
        .map_err(|e| fail(format!("email: {e}")))?;
    match timeout_at(until, transport.send_raw(&envelope, message)).await {
        Err(_) => Err(format!(
            "no answer within the {} deadline",
            super::human(budget)
        )),
        Ok(Err(e)) => Err(fail(format!("SMTP: {}", error_chain(&e)))),
        Ok(Ok(resp)) => Ok(Delivered {
            attempts: 1,
            detail: format!("SMTP {}", resp.code()),
        }),
    }
}

/// An error and its sources on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        let t = x.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = x.source();
    }
    super::one_line(&s, 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn settings_read_security_credentials_and_addresses() {
        let s = settings(&url(
            "smtp://ops%40example.com:p%40ss@mail.example.com?from=mcpmon@example.com&to=a@example.com,b@example.com",
        ))
        .unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.security),
            ("mail.example.com", 587, Security::StartTls)
        );
        assert_eq!(s.user, Some(("ops@example.com".into(), "p@ss".into())));
        assert_eq!(s.to.len(), 2);
        let s = settings(&url(
            "smtps://mail.example.com?from=m@example.com&to=a@example.com",
        ))
        .unwrap();
        assert_eq!((s.port, s.security, s.user), (465, Security::Wrapper, None));
        let s = settings(&url(
            "smtp://127.0.0.1:2525?from=m@example.com&to=a@example.com&tls=none",
        ))
        .unwrap();
        assert_eq!(s.security, Security::None);
    }

    #[test]
    fn bad_settings_say_why_without_the_secret() {
        let bad = |u: &str| settings(&url(u)).unwrap_err();
        let e = bad("smtp://u:SECRETPW@h:25?from=m@example.com&to=a@example.com&tls=none");
        assert!(e.contains("in clear"), "{e}");
        assert!(!e.contains("SECRETPW"));
        assert!(bad("smtp://h?to=a@example.com").contains("needs from="));
        assert!(bad("smtp://h?from=m@example.com").contains("needs to="));
        let e = bad("smtp://h?from=m@example.com&to=not-an-address-SECRET");
        assert!(
            e.contains("to= is not an e-mail address") && !e.contains("SECRET"),
            "{e}"
        );
        assert!(bad("http://h?from=m@example.com&to=a@example.com").contains("smtp://"));
        assert!(
            bad("smtp://h?from=m@example.com&to=a@example.com&cc=x")
                .contains("unknown parameter `cc`")
        );
    }

    #[test]
    fn the_message_cannot_be_given_headers_by_server_text() {
        let s = settings(&url("smtp://h?from=m@example.com&to=a@example.com")).unwrap();
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let m = compose(
            &s,
            "gw down\r\nBcc: victim@example.com",
            "line\r\n.\r\nBcc: x",
            at,
        );
        let m = String::from_utf8(m).unwrap();
        let (head, body) = m.split_once("\r\n\r\n").unwrap();
        assert!(!head.contains("Bcc") && !body.contains("Bcc"), "{m}");
        assert!(
            head.starts_with("From: m@example.com\r\nTo: a@example.com\r\nSubject: =?UTF-8?B?")
        );
        assert!(
            body.lines().all(|l| l.len() <= 76 && !l.starts_with('.')),
            "{body}"
        );
        let b64 = base64::engine::general_purpose::STANDARD;
        let subject = head.lines().nth(2).unwrap();
        let subject = subject
            .trim_start_matches("Subject: =?UTF-8?B?")
            .trim_end_matches("?=");
        assert_eq!(
            b64.decode(subject).unwrap(),
            b"gw downBcc: victim@example.com"
        );
    }
}
