//! The bodies of the channels that speak someone else's format: the grouped summary line every
//! channel leads with, PagerDuty Events API v2 events, a Microsoft Teams Adaptive Card, a Discord
//! message, an ntfy text with its headers, and a user's webhook template (`{{server}}`, `{{check}}`,
//! `{{status}}`, `{{summary}}`, `{{host}}`, JSON-escaped).
//!
//! Pure: a `Notification` in, JSON or text out. Must not: send anything, nor put a channel's secret
//! (a routing key, a URL) in a body — the outbox stores bodies, so a secret is added only when sent.

use super::{Notification, one_line, status_word};
use crate::model::{AlertEvent, Event, Status};
use serde_json::{Value, json};

/// At most this many alerts are named in a summary line (the rest are counted).
const SUMMARY_MAX_NAMED: usize = 6;
/// Discord refuses a `content` longer than this.
const DISCORD_MAX: usize = 2000;
/// Lines of a Teams card or ntfy text beyond the summary (the rest are counted).
const MAX_LINES: usize = 20;

/// Whether an event says the alert is (still) firing, resolved, or started flapping.
fn group(e: &AlertEvent) -> &'static str {
    match e.event {
        Event::Resolved => "resolved",
        Event::Flapping => "flapping",
        Event::Firing(_) | Event::Escalated(_) | Event::Deescalated(_) | Event::Repeat(_) => {
            "firing"
        }
        Event::Action | Event::ActionFailed | Event::ActionSkipped | Event::ActionDryRun => {
            "action"
        }
    }
}

/// One short name for an alert: `gw connect`, `app log errors`.
fn short(e: &AlertEvent) -> String {
    one_line(&format!("{} {}", e.target, e.check), 80)
}

/// The run's changes for one channel in one line, like Alertmanager's grouped title:
/// `mcpmon: 2 firing, 1 resolved — gw connect, app errors; db latency resolved`. With no change it
/// is the verdict: `mcpmon: OK on web-1`.
pub fn summary_line(n: &Notification) -> String {
    if n.events.is_empty() {
        return format!(
            "mcpmon: {} on {}",
            status_word(n.status),
            one_line(n.host, 100)
        );
    }
    let mut counts = Vec::new();
    let mut parts = Vec::new();
    for g in ["firing", "flapping", "resolved", "action"] {
        let of: Vec<&AlertEvent> = n.events.iter().filter(|e| group(e) == g).collect();
        if of.is_empty() {
            continue;
        }
        counts.push(format!("{} {g}", of.len()));
        let mut names: Vec<String> = of
            .iter()
            .take(SUMMARY_MAX_NAMED)
            .map(|e| short(e))
            .collect();
        if of.len() > SUMMARY_MAX_NAMED {
            names.push(format!("+{} more", of.len() - SUMMARY_MAX_NAMED));
        }
        let names = names.join(", ");
        parts.push(if g == "firing" {
            names
        } else {
            format!("{names} {g}")
        });
    }
    format!("mcpmon: {} — {}", counts.join(", "), parts.join("; "))
}

/// One line per event: `FIRING CRIT api connect: connection refused`.
fn event_lines(n: &Notification, max_message: usize) -> Vec<String> {
    let mut lines: Vec<String> = n
        .events
        .iter()
        .take(MAX_LINES)
        .map(|e| {
            format!(
                "{} {} {}: {}",
                e.event.as_str().to_ascii_uppercase(),
                e.status.label(),
                short(e),
                one_line(&e.message, max_message)
            )
        })
        .collect();
    if n.events.len() > MAX_LINES {
        lines.push(format!("… and {} more", n.events.len() - MAX_LINES));
    }
    lines
}

/// The stable PagerDuty `dedup_key` of an alert: the same incident from trigger to resolve, across
/// runs and reminders: `mcpmon/HOST/TARGET/PROBE/CHECK`.
pub fn dedup_key(host: &str, e: &AlertEvent) -> String {
    format!(
        "mcpmon/{host}/{}/{}/{}",
        e.target,
        e.probe.as_str(),
        e.check
    )
}

/// PagerDuty Events API v2 events for the run, one per alert event (the API takes one event per
/// request): `trigger` (firing, level change, reminder, flapping) or `resolve`, each with the stable
/// `dedup_key`. The `routing_key` is added when sent (the outbox never holds it).
pub fn pagerduty_events(n: &Notification) -> Value {
    let events: Vec<Value> = n
        .events
        .iter()
        .map(|e| {
            let key = dedup_key(n.host, e);
            if e.event == Event::Resolved {
                return json!({"event_action": "resolve", "dedup_key": key});
            }
            let severity = match e.status {
                Status::Crit => "critical",
                Status::Warn => "warning",
                Status::Unknown => "error",
                Status::Ok => "info",
            };
            json!({
                "event_action": "trigger",
                "dedup_key": key,
                "payload": {
                    "summary": one_line(&format!("{}: {}", short(e), e.message), 1024),
                    "source": n.host,
                    "severity": severity,
                    "timestamp": n.generated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    "component": e.target,
                    "group": e.probe.as_str(),
                    "class": e.check,
                    "custom_details": {"event": e.event.as_str(), "status": e.status.as_str(), "message": e.message},
                },
                "client": "mcpmon",
            })
        })
        .collect();
    Value::Array(events)
}

/// A Teams message with one Adaptive Card (what Teams workflow webhooks take): the summary line in
/// bold, then one line per event.
pub fn teams_card(n: &Notification) -> Value {
    let mut body = vec![json!({
        "type": "TextBlock", "text": summary_line(n), "weight": "Bolder", "wrap": true
    })];
    body.extend(
        event_lines(n, 300)
            .into_iter()
            .map(|l| json!({"type": "TextBlock", "text": l, "wrap": true, "spacing": "None"})),
    );
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
            },
        }],
    })
}

/// A Discord webhook message: the summary and event lines, at most 2000 characters, no mentions
/// (a server's text must not ping `@everyone`).
pub fn discord_message(n: &Notification) -> Value {
    let mut text = summary_line(n);
    for l in event_lines(n, 200) {
        text.push('\n');
        text.push_str(&l);
    }
    let content: String = if text.chars().count() > DISCORD_MAX {
        let mut cut: String = text.chars().take(DISCORD_MAX - 1).collect();
        cut.push('…');
        cut
    } else {
        text
    };
    json!({"content": content, "allowed_mentions": {"parse": []}})
}

/// ntfy's message text: the event lines (the summary is its title).
pub fn ntfy_text(n: &Notification) -> String {
    let lines = event_lines(n, 300);
    if lines.is_empty() {
        summary_line(n)
    } else {
        lines.join("\n")
    }
}

/// A ping's report body (`report`): the summary line, then each change and each alert firing.
pub fn ping_report(n: &Notification) -> String {
    let mut text = format!("{}\n", summary_line(n));
    for l in event_lines(n, 300) {
        text.push_str(&l);
        text.push('\n');
    }
    for f in n.firing.iter().take(MAX_LINES) {
        text.push_str(&format!(
            "FIRING {} {} {}: {}\n",
            f.status.label(),
            one_line(&f.target, 80),
            one_line(&f.check, 80),
            one_line(&f.message, 300)
        ));
    }
    text
}

/// An e-mail's text: the summary, the verdict, one line per event.
pub fn email_text(n: &Notification) -> String {
    let mut text = format!(
        "{}\n\n{} on {} at {}\n\n",
        summary_line(n),
        status_word(n.status),
        one_line(n.host, 100),
        n.generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    for l in event_lines(n, 1000) {
        text.push_str(&l);
        text.push('\n');
    }
    text
}

/// ntfy's `Priority` for a verdict: 5 (urgent) for CRIT, 4 for WARN and UNKNOWN, 3 otherwise.
pub fn ntfy_priority(status: &str) -> &'static str {
    match status {
        "crit" => "5",
        "warn" | "unknown" => "4",
        _ => "3",
    }
}

/// The placeholders a webhook template may use.
pub const TEMPLATE_FIELDS: [&str; 5] = ["server", "check", "status", "summary", "host"];

/// Fills a webhook template: `{{server}}` (the servers with changes, comma-separated), `{{check}}`
/// (their checks), `{{status}}` (the verdict: `ok`, `warn`, `crit`, `unknown`), `{{summary}}` (the
/// summary line), `{{host}}`. Each value is escaped for a JSON string (quotes, backslashes and control
/// characters), so a server's text cannot break out of the string it is put in. One pass: a value
/// that itself contains `{{…}}` is not expanded again.
pub fn render_template(template: &str, n: &Notification) -> String {
    let distinct = |f: &dyn Fn(&AlertEvent) -> String| {
        let mut seen: Vec<String> = Vec::new();
        for e in n.events {
            let v = f(e);
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        seen.join(", ")
    };
    let values = [
        distinct(&|e| e.target.clone()),
        distinct(&|e| e.check.to_string()),
        n.status.as_str().to_string(),
        summary_line(n),
        n.host.to_string(),
    ];
    fill(template, &values)
}

/// One pass over `template`, replacing `{{name}}` (of `TEMPLATE_FIELDS`) by the JSON-escaped value;
/// anything else is copied as it is.
fn fill(template: &str, values: &[String; 5]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let field = after.find("}}").and_then(|end| {
            let name = after[..end].trim();
            TEMPLATE_FIELDS
                .iter()
                .position(|f| *f == name)
                .map(|i| (i, end))
        });
        match field {
            Some((i, end)) => {
                out.push_str(&json_escape(&values[i]));
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The inside of a JSON string for `s` (without the quotes).
fn json_escape(s: &str) -> String {
    let quoted = Value::String(s.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

/// Checks a template when it is read: every `{{…}}` names a field, and the body is JSON once filled.
pub fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim();
        if !TEMPLATE_FIELDS.contains(&name) {
            let hint = crate::model::spell::nearest(name, &TEMPLATE_FIELDS, 2)
                .map(|k| format!(" (did you mean `{{{{{k}}}}}`?)"))
                .unwrap_or_default();
            return Err(format!(
                "template: unknown placeholder `{{{{{}}}}}`{hint}; known: {}",
                one_line(name, 40),
                TEMPLATE_FIELDS.map(|f| format!("{{{{{f}}}}}")).join(", ")
            ));
        }
        rest = &after[end + 2..];
    }
    let sample = ["a \"b\"", "c\\d", "crit", "x\ny", "h"].map(str::to_string);
    serde_json::from_str::<Value>(&fill(template, &sample))
        .map(|_| ())
        .map_err(|e| format!("template: the body is not JSON once filled in ({e})"))
}
