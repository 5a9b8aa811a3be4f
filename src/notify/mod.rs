//! Alert notifications: where they go (`Channel`, parsed from `--notify SPEC`), what is sent
//! (`Notification` → `payload()` / the Slack text) and delivering it (`deliver()`).
//!
//! Every delivery has a deadline (the whole delivery, retry included). HTTP channels retry at most once,
//! on a transport error or HTTP 5xx/429, never on another status. A failed delivery is an `Err(String)`
//! for the caller to print on stderr: it never changes a check's exit code. Webhook URLs carry secrets
//! (Slack's path *is* the token), so a channel is only ever shown as scheme + host (`describe()`, `Debug`)
//! and no returned message contains a URL's path, query or credentials, nor a command's arguments.

mod command;
pub mod email;
pub mod formats;
mod http;
pub mod outbox;
pub mod remedy;
#[cfg(test)]
mod tests;

use crate::model::Status;
use crate::model::{AlertEvent, Event};

use chrono::{DateTime, Utc};
use reqwest::Url;
use serde_json::{Value, json};
use std::fmt;
use std::time::Duration;

/// Version of the JSON document sent to webhooks and on a command's stdin.
pub const PAYLOAD_SCHEMA_VERSION: u32 = 1;
/// Largest HTTP response body read from a notification endpoint.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// At most this many event lines in a Slack message (the rest are counted).
const SLACK_MAX_EVENTS: usize = 20;
/// Event messages in a Slack line are cut to this many characters.
const SLACK_MAX_MESSAGE: usize = 300;

/// Where notifications go. Parsed from `--notify SPEC`: `webhook:URL`, `slack:URL`,
/// `command:PROGRAM [ARGS…]` (split on whitespace, no shell), `ping:URL`, `alertmanager:URL`; a bare
/// http(s) URL is a webhook.
#[derive(Clone, PartialEq, Eq)]
pub enum Channel {
    /// POST the JSON payload.
    Webhook(Url),
    /// POST `{"text": …}` to a Slack incoming webhook.
    Slack(Url),
    /// Run a program (no shell) with the JSON payload on stdin.
    Command(Vec<String>),
    /// GET `<URL>/<exit_code>` (healthchecks.io style heartbeat); see `PingOptions`.
    Ping(Url, PingOptions),
    /// POST the firing and resolved alerts to Alertmanager's API v2 (`<URL>/api/v2/alerts`).
    Alertmanager(Url),
    /// PagerDuty Events API v2: one `trigger` or `resolve` per alert event, with a stable `dedup_key`.
    /// `url` is the API (`https://events.pagerduty.com/v2/enqueue` unless given).
    PagerDuty { routing_key: String, url: Url },
    /// POST an Adaptive Card to a Microsoft Teams (workflow) webhook.
    Teams(Url),
    /// POST `{"content": …}` to a Discord webhook.
    Discord(Url),
    /// POST the event lines as text to an ntfy topic URL (title, priority and tags as headers).
    Ntfy(Url),
    /// POST a user's template, filled in (`webhook` with a `template` in the config).
    Template { url: Url, template: String },
    /// Send an e-mail over SMTP (`smtp://USER:PASSWORD@HOST:587?from=…&to=…`, STARTTLS).
    Email(Url),
}

/// What a `ping:` channel does besides its end-of-run ping (config keys `start`, `fail`, `report`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PingOptions {
    /// GET `<URL>/start` when the run begins, so the receiver measures the run's duration.
    pub start: bool,
    /// `<URL>/fail` when the verdict is not OK and `<URL>` when it is, instead of `<URL>/<exit code>`.
    pub fail: bool,
    /// POST the run's report (summary, events, what fires) as the body instead of a bare GET.
    pub report: bool,
}

/// Tells a `ping:` channel with `start` that the run begins (`<URL>/start`), within `deadline`; not
/// kept in the outbox (a late start signal means nothing). `Ok(false)`: not a starting ping channel.
pub async fn ping_start(
    ch: &Channel,
    client: &reqwest::Client,
    deadline: Duration,
) -> Result<bool, String> {
    let Channel::Ping(url, o) = ch else {
        return Ok(false);
    };
    if !o.start {
        return Ok(false);
    }
    let until = crate::model::checked::after(tokio::time::Instant::now(), deadline);
    let url = ping_path(url, "start")?;
    http::deliver(client, http::Method::Get, &url, until, deadline)
        .await
        .map(|_| true)
}

/// PagerDuty's Events API v2.
pub const PAGERDUTY_URL: &str = "https://events.pagerduty.com/v2/enqueue";

impl Channel {
    /// Parses a `--notify` value. Error messages never repeat a URL (its path or query may be a token).
    pub fn parse(spec: &str) -> Result<Channel, String> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(format!("empty notification channel; {FORMS}"));
        }
        let lower = spec.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return parse_url("webhook", spec).map(Channel::Webhook);
        }
        let Some((kind, rest)) = spec.split_once(':') else {
            return Err(format!("not a notification channel; {FORMS}"));
        };
        match kind.to_ascii_lowercase().as_str() {
            "webhook" => parse_url("webhook", rest).map(Channel::Webhook),
            "slack" => parse_url("slack", rest).map(Channel::Slack),
            "ping" => parse_url("ping", rest).map(|u| Channel::Ping(u, PingOptions::default())),
            "alertmanager" => parse_url("alertmanager", rest).map(Channel::Alertmanager),
            "teams" => parse_url("teams", rest).map(Channel::Teams),
            "discord" => parse_url("discord", rest).map(Channel::Discord),
            "ntfy" => parse_url("ntfy", rest).map(Channel::Ntfy),
            "pagerduty" => parse_pagerduty(rest),
            "email" => {
                let url =
                    Url::parse(rest.trim()).map_err(|e| format!("email: not a valid URL ({e})"))?;
                email::settings(&url)?;
                Ok(Channel::Email(url))
            }
            "command" => {
                let argv: Vec<String> = rest.split_whitespace().map(str::to_string).collect();
                if argv.is_empty() {
                    Err("command: needs a program to run (command:PROGRAM [ARGS…])".into())
                } else {
                    Ok(Channel::Command(argv))
                }
            }
            k if !k.is_empty()
                && k.len() <= 16
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                Err(format!("unknown notification channel kind `{k}`; {FORMS}"))
            }
            _ => Err(format!("not a notification channel; {FORMS}")),
        }
    }

    /// The kind of channel: `webhook`, `slack`, `command`, `ping`.
    pub fn kind(&self) -> &'static str {
        match self {
            Channel::Webhook(_) => "webhook",
            Channel::Slack(_) => "slack",
            Channel::Command(_) => "command",
            Channel::Ping(..) => "ping",
            Channel::Alertmanager(_) => "alertmanager",
            Channel::PagerDuty { .. } => "pagerduty",
            Channel::Teams(_) => "teams",
            Channel::Discord(_) => "discord",
            Channel::Ntfy(_) => "ntfy",
            Channel::Template { .. } => "webhook",
            Channel::Email(_) => "email",
        }
    }

    /// A webhook that POSTs `template` filled in, instead of mcpmon's JSON. The template is checked:
    /// known placeholders only, and JSON once filled.
    pub fn with_template(self, template: &str) -> Result<Channel, String> {
        match self {
            Channel::Webhook(url) => {
                formats::check_template(template)?;
                Ok(Channel::Template {
                    url,
                    template: template.to_string(),
                })
            }
            other => Err(format!(
                "template: only a webhook channel takes one, not {}",
                other.kind()
            )),
        }
    }

    /// A ping channel with these options (`start`, `fail`, `report` in the config).
    pub fn with_ping_options(self, o: PingOptions) -> Result<Channel, String> {
        match self {
            Channel::Ping(url, _) => Ok(Channel::Ping(url, o)),
            other => Err(format!(
                "start, fail and report are for a ping channel, not {}",
                other.kind()
            )),
        }
    }

    /// The URL a channel sends to (none for a command).
    pub(crate) fn url(&self) -> Option<&Url> {
        match self {
            Channel::Webhook(u)
            | Channel::Slack(u)
            | Channel::Ping(u, _)
            | Channel::Alertmanager(u)
            | Channel::Teams(u)
            | Channel::Discord(u)
            | Channel::Ntfy(u)
            | Channel::PagerDuty { url: u, .. }
            | Channel::Template { url: u, .. }
            | Channel::Email(u) => Some(u),
            Channel::Command(_) => None,
        }
    }

    /// What of the channel must never be shown, in the forms a receiver may echo (`model::secret`):
    /// a URL's path segments, query values and userinfo; a command's token-like arguments.
    pub fn secrets(&self) -> Vec<String> {
        match self {
            Channel::PagerDuty { routing_key, url } => {
                let mut out = crate::net::url::secret_parts(url.as_str(), true);
                out.push(routing_key.clone());
                out
            }
            Channel::Webhook(_)
            | Channel::Slack(_)
            | Channel::Ping(..)
            | Channel::Alertmanager(_)
            | Channel::Teams(_)
            | Channel::Discord(_)
            | Channel::Ntfy(_)
            | Channel::Email(_)
            | Channel::Template { .. } => self
                .url()
                .map(|u| crate::net::url::secret_parts(u.as_str(), true))
                .unwrap_or_default(),
            Channel::Command(argv) => argv
                .iter()
                .skip(1)
                .filter(|a| crate::model::secret::token_like(a))
                .cloned()
                .collect(),
        }
    }

    /// A redacted description for messages: `slack (https://hooks.slack.com/…)`, `command (/usr/bin/page, 2 args)`.
    /// Shows scheme, host and a non-default port; never the path, query, credentials or arguments.
    pub fn describe(&self) -> String {
        match self {
            Channel::Command(argv) => {
                let program = argv.first().map(String::as_str).unwrap_or("");
                match argv.len().saturating_sub(1) {
                    0 => format!("command ({program})"),
                    1 => format!("command ({program}, 1 arg)"),
                    n => format!("command ({program}, {n} args)"),
                }
            }
            _ => match self.url() {
                Some(u) => format!("{} ({})", self.kind(), crate::net::url::origin_only(u)),
                None => self.kind().to_string(),
            },
        }
    }
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Channel({})", self.describe())
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

const FORMS: &str = "expected webhook:URL, slack:URL, teams:URL, discord:URL, ntfy:URL, ping:URL, alertmanager:URL, pagerduty:ROUTING_KEY[@API_URL], email:smtp://USER:PASS@HOST:587?from=…&to=…, command:PROGRAM [ARGS…] or an http(s) URL";

/// `pagerduty:ROUTING_KEY` or `pagerduty:ROUTING_KEY@API_URL`. The key is never repeated in an error.
fn parse_pagerduty(rest: &str) -> Result<Channel, String> {
    let rest = rest.trim();
    let (key, url) = match rest.split_once('@') {
        Some((k, u)) => (k.trim(), parse_url("pagerduty", u)?),
        None => (
            rest,
            Url::parse(PAGERDUTY_URL).map_err(|e| format!("pagerduty: {e}"))?,
        ),
    };
    if key.is_empty() {
        return Err("pagerduty: needs an integration (routing) key: pagerduty:ROUTING_KEY".into());
    }
    if key.len() > 128
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(
            "pagerduty: the routing key must be letters and digits (an Events API v2 integration key)"
                .into(),
        );
    }
    Ok(Channel::PagerDuty {
        routing_key: key.to_string(),
        url,
    })
}

fn parse_url(kind: &str, s: &str) -> Result<Url, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(format!("{kind}: needs a URL ({kind}:https://…)"));
    }
    // url's parse errors name the problem, never the input.
    let url = Url::parse(s).map_err(|e| format!("{kind}: not a valid URL ({e})"))?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            let shown = if other.len() <= 16 && other.chars().all(|c| c.is_ascii_alphanumeric()) {
                other
            } else {
                "another scheme"
            };
            return Err(format!(
                "{kind}: the URL must be http or https, not {shown}"
            ));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{kind}: the URL has no host"));
    }
    Ok(url)
}

/// What is sent: the run's verdict and its state changes.
#[derive(Debug, Clone, Copy)]
pub struct Notification<'a> {
    /// The subcommand: `alerts`.
    pub command: &'a str,
    pub generated_at: DateTime<Utc>,
    /// The overall verdict.
    pub status: Status,
    pub exit_code: u8,
    /// What changed this run (may be empty: a ping is sent on every run).
    pub events: &'a [AlertEvent],
    /// The machine name shown in the message (the caller passes it).
    pub host: &'a str,
    /// Every alert firing after the run (Alertmanager is told again each run; empty elsewhere).
    pub firing: &'a [crate::model::Firing],
}

/// How long Alertmanager keeps an alert that mcpmon stops re-sending before it resolves it itself (a
/// cron job that no longer runs must not leave alerts firing for ever).
pub const ALERTMANAGER_VALIDITY: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// Alertmanager's `postableAlerts` for a run: every firing alert (`endsAt` an hour ahead, renewed each
/// run) and, for each alert that resolved, changed level or started flapping, the labels it no longer
/// fires under with `endsAt` now. Labels: `alertname` `MCPMonCheck`, `server`, `probe`, `check`,
/// `severity` (`warning` for WARN, `critical` for CRIT and UNKNOWN), `instance` (the host).
pub fn alertmanager_payload(n: &Notification) -> Value {
    let time =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let severity = |s: Status| {
        if s == Status::Warn {
            "warning"
        } else {
            "critical"
        }
    };
    let labels = |target: &str, probe: &str, check: &str, sev: &str| {
        json!({
            "alertname": "MCPMonCheck",
            "server": target,
            "probe": probe,
            "check": check,
            "severity": sev,
            "instance": n.host,
        })
    };
    let mut out: Vec<Value> = n
        .firing
        .iter()
        .map(|f| {
            json!({
                "labels": labels(&f.target, f.probe.as_str(), f.check.as_str(), severity(f.status)),
                "annotations": {
                    "summary": format!("{} {}: {}", f.target, f.check, one_line(&f.message, 300)),
                    "status": f.status.as_str(),
                },
                "startsAt": time(f.since),
                "endsAt": time(n.generated_at + ALERTMANAGER_VALIDITY),
            })
        })
        .collect();
    for e in n.events {
        let still = n
            .firing
            .iter()
            .find(|f| f.target == e.target && f.probe == e.probe && f.check == e.check)
            .map(|f| severity(f.status));
        for sev in ["warning", "critical"] {
            if Some(sev) != still && (e.event == Event::Resolved || e.event.is_level_change()) {
                out.push(json!({
                    "labels": labels(&e.target, e.probe.as_str(), e.check.as_str(), sev),
                    "annotations": {"summary": format!("{} {}: {}", e.target, e.check, one_line(&e.message, 300))},
                    "endsAt": time(n.generated_at),
                }));
            }
        }
    }
    Value::Array(out)
}

/// The JSON document sent to webhooks and on a command's stdin:
/// `{"schema_version":1,"source":"mcpmon","command":…,"generated_at":…,"host":…,"status":"crit",
/// "exit_code":2,"events":[{"target","probe","check","event","status","message"}],"summary":…}`
/// (`summary`: the grouped one-line summary, `formats::summary_line`).
pub fn payload(n: &Notification) -> Value {
    let events: Vec<Value> = n
        .events
        .iter()
        .map(|e| {
            json!({
                "target": e.target,
                "probe": e.probe.as_str(),
                "check": e.check,
                "event": e.event.as_str(),
                "status": e.status.as_str(),
                "message": e.message,
            })
        })
        .collect();
    json!({
        "schema_version": PAYLOAD_SCHEMA_VERSION,
        "source": "mcpmon",
        "command": n.command,
        "generated_at": n.generated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "host": n.host,
        "status": n.status.as_str(),
        "exit_code": n.exit_code,
        "events": events,
        "summary": formats::summary_line(n),
    })
}

/// The Slack message text: a headline, then one line per event (server text is escaped and cut short).
pub fn slack_text(n: &Notification) -> String {
    let mut text = if n.events.is_empty() {
        format!(
            "mcpmon {}: {} on {}",
            slack_escape(&one_line(n.command, 40)),
            status_word(n.status),
            slack_escape(&one_line(n.host, 100))
        )
    } else {
        // the grouped summary, then the verdict
        format!(
            "{} ({} on {})",
            slack_escape(&formats::summary_line(n)),
            status_word(n.status),
            slack_escape(&one_line(n.host, 100))
        )
    };
    if n.events.is_empty() {
        text.push_str("\nno alert changes");
    }
    for e in n.events.iter().take(SLACK_MAX_EVENTS) {
        let mark = match (e.event, e.status) {
            (Event::Resolved, _) | (_, Status::Ok) => "✅",
            (_, Status::Crit) => "🔴",
            (_, Status::Warn) => "🟡",
            (_, Status::Unknown) => "⚪",
        };
        let word = e.event.as_str().to_ascii_uppercase();
        let level = if e.event.is_level_change() {
            format!(" to {}", e.status.label())
        } else {
            String::new()
        };
        text.push_str(&format!(
            "\n{mark} {word}{level} {} {}: {}",
            slack_escape(&one_line(&e.target, 100)),
            slack_escape(&one_line(&e.check, 100)),
            slack_escape(&one_line(&e.message, SLACK_MAX_MESSAGE)),
        ));
    }
    if n.events.len() > SLACK_MAX_EVENTS {
        text.push_str(&format!(
            "\n… and {} more",
            n.events.len() - SLACK_MAX_EVENTS
        ));
    }
    text
}

pub(crate) fn status_word(s: Status) -> &'static str {
    match s {
        Status::Ok => "OK",
        Status::Warn => "WARNING",
        Status::Crit => "CRITICAL",
        Status::Unknown => "UNKNOWN",
    }
}

/// Slack mrkdwn control characters (`&`, `<`, `>`) must be escaped in text.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One line, control characters as spaces, at most `max` characters (cut ones end in "…").
pub(crate) fn one_line(s: &str, max: usize) -> String {
    crate::net::redact::excerpt(s, max)
}

/// A successful delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// 1, or 2 when the first attempt failed with a retryable error.
    pub attempts: u8,
    /// What the channel answered: `HTTP 200`, `exit 0`.
    pub detail: String,
}

/// Delivers a notification to one channel within `deadline` (the whole delivery, retry included).
///
/// The error names what went wrong (`HTTP 400 Bad Request: invalid_payload (not retried)`,
/// `exit 3: <last stderr line>`) but not the channel: prefix it with `ch.describe()` when printing.
pub async fn deliver(
    ch: &Channel,
    n: &Notification<'_>,
    client: &reqwest::Client,
    deadline: Duration,
) -> Result<Delivered, String> {
    send(ch, &Message::new(ch, n), client, deadline).await
}

/// What one channel is sent for one notification, owned and serialisable (the outbox keeps it):
/// the body (the payload for a webhook or command, `{"text"}` for Slack, null for a ping), and the
/// verdict a ping's URL and a command's environment carry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Message {
    pub body: Value,
    /// `ok`, `warn`, `crit`, `unknown` (`MCPMON_STATUS`).
    pub status: String,
    pub exit_code: u8,
}

impl Message {
    pub fn new(ch: &Channel, n: &Notification<'_>) -> Message {
        let body = match ch {
            Channel::Webhook(_) | Channel::Command(_) => payload(n),
            Channel::Slack(_) => json!({ "text": slack_text(n) }),
            Channel::Ping(_, o) if o.report => Value::String(formats::ping_report(n)),
            Channel::Ping(..) => Value::Null,
            Channel::Alertmanager(_) => alertmanager_payload(n),
            Channel::PagerDuty { .. } => formats::pagerduty_events(n),
            Channel::Teams(_) => formats::teams_card(n),
            Channel::Discord(_) => formats::discord_message(n),
            Channel::Ntfy(_) => json!({
                "title": formats::summary_line(n),
                "text": formats::ntfy_text(n),
            }),
            Channel::Template { template, .. } => {
                Value::String(formats::render_template(template, n))
            }
            Channel::Email(_) => json!({
                "subject": formats::summary_line(n),
                "text": formats::email_text(n),
            }),
        };
        Message {
            body,
            status: n.status.as_str().to_string(),
            exit_code: n.exit_code,
        }
    }
}

/// Sends a message to its channel within `deadline`; errors as `deliver`'s.
pub async fn send(
    ch: &Channel,
    m: &Message,
    client: &reqwest::Client,
    deadline: Duration,
) -> Result<Delivered, String> {
    let until = crate::model::checked::after(tokio::time::Instant::now(), deadline);
    match ch {
        Channel::Webhook(url)
        | Channel::Slack(url)
        | Channel::Teams(url)
        | Channel::Discord(url) => {
            let body = json_bytes(&m.body);
            http::deliver(client, http::Method::PostJson(body), url, until, deadline).await
        }
        Channel::Template { url, .. } => {
            let body = m.body.as_str().unwrap_or_default().as_bytes().to_vec();
            http::deliver(client, http::Method::PostJson(body), url, until, deadline).await
        }
        Channel::Ntfy(url) => {
            let text = m.body["text"].as_str().unwrap_or_default();
            let title = m.body["title"].as_str().unwrap_or_default();
            let method = http::Method::PostText {
                body: text.as_bytes().to_vec(),
                headers: vec![
                    ("Title", header_text(title)),
                    ("Priority", formats::ntfy_priority(&m.status).to_string()),
                    ("Tags", ntfy_tag(&m.status).to_string()),
                ],
            };
            http::deliver(client, method, url, until, deadline).await
        }
        Channel::Email(url) => {
            let s = email::settings(url)?;
            let subject = m.body["subject"].as_str().unwrap_or_default();
            let text = m.body["text"].as_str().unwrap_or_default();
            let message = email::compose(&s, subject, text, chrono::Utc::now());
            email::deliver(&s, &message, until, deadline, &ch.secrets()).await
        }
        Channel::PagerDuty { routing_key, url } => {
            let events = m.body.as_array().map(Vec::as_slice).unwrap_or_default();
            let mut last = Delivered {
                attempts: 1,
                detail: "no events".into(),
            };
            // one event per request; a failure part-way fails the message, and a resend is harmless
            // (PagerDuty merges a trigger or resolve with the same dedup_key)
            for e in events {
                let mut e = e.clone();
                e["routing_key"] = Value::String(routing_key.clone());
                let body = json_bytes(&e);
                last = http::deliver(client, http::Method::PostJson(body), url, until, deadline)
                    .await
                    .map_err(|err| {
                        crate::net::redact::scrub(&err, std::slice::from_ref(routing_key))
                    })?;
            }
            Ok(last)
        }
        Channel::Ping(url, o) => {
            let url = match (o.fail, m.exit_code) {
                (true, 0) => url.clone(),
                (true, _) => ping_path(url, "fail")?,
                (false, code) => ping_url(url, code)?,
            };
            let method = match m.body.as_str() {
                Some(text) => http::Method::PostText {
                    body: text.as_bytes().to_vec(),
                    headers: Vec::new(),
                },
                None => http::Method::Get,
            };
            http::deliver(client, method, &url, until, deadline).await
        }
        Channel::Alertmanager(url) => {
            let url = alertmanager_url(url)?;
            let body = json_bytes(&m.body);
            http::deliver(client, http::Method::PostJson(body), &url, until, deadline).await
        }
        Channel::Command(argv) => {
            let mut body = json_bytes(&m.body);
            body.push(b'\n');
            command::deliver(argv, &body, &m.status, m.exit_code, until, deadline).await
        }
    }
}

/// An HTTP header value from text: printable ASCII only (others become `?`), at most 200 characters.
fn header_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '—' => '-',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '?',
        })
        .take(200)
        .collect()
}

/// ntfy's emoji tag for a verdict.
fn ntfy_tag(status: &str) -> &'static str {
    match status {
        "crit" => "rotating_light",
        "warn" | "unknown" => "warning",
        _ => "white_check_mark",
    }
}

fn json_bytes(v: &Value) -> Vec<u8> {
    // Serialising a `Value` cannot fail (its keys are strings).
    serde_json::to_vec(v).unwrap_or_default()
}

/// `<URL>/api/v2/alerts` (a path prefix in the URL, e.g. behind a proxy, is kept).
pub fn alertmanager_url(url: &Url) -> Result<Url, String> {
    let mut u = url.clone();
    u.set_fragment(None);
    {
        let mut segs = u
            .path_segments_mut()
            .map_err(|()| "alertmanager: the URL cannot take a path".to_string())?;
        segs.pop_if_empty().extend(["api", "v2", "alerts"]);
    }
    Ok(u)
}

/// `<URL>/<exit_code>`: the code appended as a path segment, the query kept.
pub fn ping_url(url: &Url, exit_code: u8) -> Result<Url, String> {
    ping_path(url, &exit_code.to_string())
}

/// `<URL>/<segment>` (`start`, `fail`, an exit code), the query kept.
fn ping_path(url: &Url, segment: &str) -> Result<Url, String> {
    let mut u = url.clone();
    u.set_fragment(None);
    {
        let mut segs = u
            .path_segments_mut()
            .map_err(|()| "ping: the URL cannot take a path".to_string())?;
        segs.pop_if_empty().push(segment);
    }
    Ok(u)
}

/// A deadline for messages: `5 s`, `1.5 s`, `250 ms`.
pub(crate) use crate::model::human::time as human;
