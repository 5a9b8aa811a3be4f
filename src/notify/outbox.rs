//! Notifications that are never lost: each run's notification goes into the outbox (`store::outbox`)
//! first, then `flush` delivers what is waiting for the channels given this run — oldest first per
//! channel, each entry removed as soon as it is delivered, the first failure of a channel ending that
//! channel's turn (the rest keep their order for the next run). Any loop can flush (`alerts` now, a
//! long-running mode later).
//!
//! Secrets stay out of the state dir: an entry names its channel by `fingerprint` (a SHA-256 of the full
//! spec, not reversible) and a printable label (`describe()`), so pending entries go only to a channel
//! given again with the very same spec; entries for channels not given stay until they expire.
//!
//! Exactly once under concurrent runs: only the holder of the delivery lock sends, and it looks at the
//! outbox again after letting go, so an entry added by a run that found the lock taken is still sent.
//! A crash between a receiver's 2xx and the write that removes the entry resends that one entry.

use super::{Channel, Message, Notification};
use crate::model::OutboxEntry;
use crate::store::outbox::{Deliverer, Dropped, Locked, NewEntry, OutboxFile, peek};

use std::path::Path;
use std::time::{Duration, Instant};

/// At most this many deliveries per flush (the rest wait for the next).
const MAX_DELIVERIES: usize = 100;
/// No new delivery starts after a flush has run this long (each has its own deadline too).
const FLUSH_BUDGET: Duration = Duration::from_secs(60);

/// How a flush delivers.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Entries made longer ago are dropped undelivered (`--outbox-max-age`, default 24 h).
    pub max_age: Duration,
    /// Each delivery's deadline (retry included).
    pub deadline: Duration,
}

/// A stable name for a channel that does not reveal it: the first 128 bits of the SHA-256 of its kind
/// and full URL (or program and arguments), in hex.
pub fn fingerprint(ch: &Channel) -> String {
    let mut spec = format!("mcpmon-notify-channel\0{}", ch.kind());
    // everything that makes the channel: for most, their whole URL
    let parts: Vec<&str> = match ch {
        Channel::PagerDuty { routing_key, url } => vec![routing_key, url.as_str()],
        Channel::Template { url, template } => vec![url.as_str(), template],
        Channel::Command(argv) => argv.iter().map(String::as_str).collect(),
        _ => ch.url().map(|u| u.as_str()).into_iter().collect(),
    };
    for part in parts {
        spec.push('\0');
        spec.push_str(part);
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, spec.as_bytes());
    digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a run's notification goes to this channel: a ping on every run, Alertmanager while anything
/// fires (it forgets alerts that are not re-sent) or changed, the others when something changed.
pub fn wants(ch: &Channel, n: &Notification) -> bool {
    match ch {
        Channel::Ping(..) => true,
        Channel::Alertmanager(_) => !n.firing.is_empty() || !n.events.is_empty(),
        _ => !n.events.is_empty(),
    }
}

/// A channel sent the whole state every run: an older undelivered message to it is superseded by a
/// newer one (a ping's verdict; Alertmanager's firing alerts, renewed every run).
fn supersedes(ch: &Channel) -> bool {
    matches!(ch, Channel::Ping(..) | Channel::Alertmanager(_))
}

/// Adds the run's notification for every channel that wants it (a ping replaces the channel's older
/// undelivered ping: only the newest verdict matters). Call it while the alert state is still locked,
/// so the outbox order is the order the runs evaluated in. Returns warnings for stderr.
/// Each channel gets its own notification (its own events: escalation routes them per channel).
pub fn enqueue(
    state_dir: &Path,
    notes: &[(&Channel, Notification)],
) -> std::io::Result<Vec<String>> {
    let mut warnings = Vec::new();
    let wanted: Vec<&(&Channel, Notification)> =
        notes.iter().filter(|(c, n)| wants(c, n)).collect();
    if wanted.is_empty() {
        return Ok(warnings);
    }
    let mut l = Locked::open(state_dir)?;
    warnings.extend(l.warning.take());
    for (ch, n) in wanted {
        let message = Message::new(ch, n);
        let dropped = l.file.push(NewEntry {
            created_at: n.generated_at,
            channel: fingerprint(ch),
            label: ch.describe(),
            payload: serde_json::to_value(&message).unwrap_or_default(),
            events: if matches!(ch, Channel::Ping(..)) {
                0
            } else {
                n.events.len()
            },
            supersedes: supersedes(ch),
        });
        warnings.extend(said(&dropped, |label, k| {
            format!(
                "outbox: dropped the {} to {label}: it keeps at most {}",
                crate::model::human::count(
                    k,
                    "oldest undelivered notification",
                    "oldest undelivered notifications"
                ),
                crate::store::outbox::MAX_ENTRIES
            )
        }));
    }
    l.save()?;
    Ok(warnings)
}

/// Delivers what waits for `channels` (see the module doc) and drops what is older than the max age.
/// Returns warnings for stderr: each failed delivery, each channel's expired entries.
pub async fn flush(
    state_dir: &Path,
    channels: &[Channel],
    client: &reqwest::Client,
    opts: &Options,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if !crate::store::outbox::exists(state_dir) {
        // nothing was ever kept (`enqueue` creates the file before any flush that has work)
        return warnings;
    }
    let fps: Vec<String> = channels.iter().map(fingerprint).collect();
    let mut blocked = vec![false; channels.len()];
    let started = Instant::now();
    let mut sent = 0usize;
    for _round in 0..=MAX_DELIVERIES {
        let deliverer = match Deliverer::try_take(state_dir) {
            Ok(Some(d)) => d,
            // another run delivers, and looks again once it is done
            Ok(None) => break,
            Err(e) => {
                warnings.push(format!("outbox: {e}"));
                break;
            }
        };
        loop {
            if sent >= MAX_DELIVERIES || started.elapsed() >= FLUSH_BUDGET {
                return warnings;
            }
            let open: Vec<&str> = fps
                .iter()
                .zip(&blocked)
                .filter(|(_, b)| !**b)
                .map(|(f, _)| f.as_str())
                .collect();
            let now = chrono::Utc::now();
            let picked = edit(state_dir, &mut warnings, |f| {
                let dropped = f.expire(now, opts.max_age);
                let next = f.next_for(open.iter().copied()).cloned();
                (next, dropped)
            });
            let Some(Some(entry)) = picked else { break };
            let Some(i) = (0..fps.len()).find(|&i| !blocked[i] && fps[i] == entry.channel) else {
                break;
            };
            let ch = &channels[i];
            let message = match serde_json::from_value::<Message>(entry.payload.clone()) {
                Ok(m) => m,
                Err(e) => {
                    // hand-edited or from another version: it can never be sent, so it must not
                    // hold up the channel until it expires
                    edit(state_dir, &mut warnings, |f| {
                        f.delivered(entry.id);
                        ((), Dropped::default())
                    });
                    warnings.push(format!(
                        "outbox: dropped an unreadable notification to {} ({e})",
                        ch.describe()
                    ));
                    sent += 1;
                    continue;
                }
            };
            let result = super::send(ch, &message, client, opts.deadline).await;
            sent += 1;
            match result {
                Ok(_) => {
                    let marked = edit(state_dir, &mut warnings, |f| {
                        f.delivered(entry.id);
                        ((), Dropped::default())
                    });
                    if marked.is_none() {
                        // it would be sent again: stop here rather than repeat it (said already)
                        return warnings;
                    }
                }
                Err(e) => {
                    let e = crate::term::sanitize(&e);
                    blocked[i] = true;
                    let at = chrono::Utc::now();
                    edit(state_dir, &mut warnings, |f| {
                        f.failed(entry.id, &e, at);
                        ((), Dropped::default())
                    });
                    let waiting = peek(state_dir)
                        .0
                        .entries
                        .iter()
                        .filter(|x| x.channel == entry.channel)
                        .count();
                    warnings.push(format!(
                        "notification to {}: {e} (attempt {}; {waiting} kept in the outbox for the next run)",
                        ch.describe(),
                        entry.attempts.saturating_add(1),
                    ));
                }
            }
        }
        drop(deliverer);
        // What a run added while this one held the lock: that run found the lock taken and left it here.
        let (file, _) = peek(state_dir);
        let more = fps
            .iter()
            .zip(&blocked)
            .any(|(f, b)| !*b && file.entries.iter().any(|e| &e.channel == f));
        if !more {
            break;
        }
    }
    warnings
}

/// A locked read-modify-write of the outbox; says expired entries and a rebuilt file. `None` (said)
/// when the outbox cannot be opened or written.
fn edit<R>(
    state_dir: &Path,
    warnings: &mut Vec<String>,
    change: impl FnOnce(&mut OutboxFile) -> (R, Dropped),
) -> Option<R> {
    let mut l = match Locked::open(state_dir) {
        Ok(l) => l,
        Err(e) => {
            warnings.push(format!("outbox: {e}"));
            return None;
        }
    };
    warnings.extend(l.warning.take());
    let before = l.file.clone();
    let (r, dropped) = change(&mut l.file);
    warnings.extend(said(&dropped, |label, k| {
        format!(
            "outbox: dropped {} to {label}: older than the max age",
            crate::model::human::counted(k, "undelivered notification")
        )
    }));
    if l.file != before {
        if let Err(e) = l.save() {
            warnings.push(format!("outbox: cannot write it: {e}"));
            return None;
        }
    }
    Some(r)
}

fn said(dropped: &Dropped, line: impl Fn(&str, usize) -> String) -> Vec<String> {
    dropped.0.iter().map(|(label, k)| line(label, *k)).collect()
}

/// What waits in the outbox (every channel's), oldest first; for the report.
pub fn pending(state_dir: &Path) -> Vec<OutboxEntry> {
    peek(state_dir)
        .0
        .entries
        .into_iter()
        .map(|e| OutboxEntry {
            channel: e.label,
            created_at: e.created_at,
            attempts: e.attempts,
            events: e.events,
            last_error: e.last_error,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_distinct_and_reveal_nothing() {
        let a = Channel::parse("slack:https://hooks.slack.com/services/T0/B0/SECRET").unwrap();
        let b = Channel::parse("slack:https://hooks.slack.com/services/T0/B0/OTHER").unwrap();
        let w = Channel::parse("webhook:https://hooks.slack.com/services/T0/B0/SECRET").unwrap();
        let c = Channel::parse("command:/bin/page --to ops").unwrap();
        let fa = fingerprint(&a);
        assert_eq!(fa, fingerprint(&a.clone()));
        assert_eq!(fa.len(), 32);
        assert!(fa.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(fa, fingerprint(&b));
        assert_ne!(fa, fingerprint(&w), "the kind is part of it");
        assert_ne!(
            fingerprint(&c),
            fingerprint(&Channel::parse("command:/bin/page --to dev").unwrap())
        );
        for s in ["SECRET", "services", "hooks"] {
            assert!(!fa.contains(s));
        }
    }
}
