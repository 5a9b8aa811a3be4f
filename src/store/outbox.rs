//! The notification outbox (`outbox.json` in the state dir): notifications not delivered yet, kept
//! between runs so a receiver that is down when an alert fires still gets it on a later run.
//!
//! Owns the file, its two locks and the bookkeeping on entries: append (a newer entry can supersede the
//! older undelivered ones of its channel), oldest-first per channel, removal once delivered, attempts and
//! the last error, expiry by age and a size cap. What is sent, and to where, belongs to `notify::outbox`:
//! here a channel is only an opaque fingerprint plus a printable label, and a payload is opaque JSON.
//! Nothing secret is ever stored: no URL path, query or credentials, no command arguments.
//!
//! Locks: `outbox.lock` guards each read-modify-write of the file and is held for milliseconds;
//! `outbox.deliver.lock` is taken without waiting by the one run that delivers, so only one process
//! sends at a time (what makes a delivery happen once) while the others only append and leave.

use chrono::{DateTime, Utc};
use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

pub const FILE: &str = "outbox.json";
const LOCK: &str = "outbox.lock";
const DELIVER_LOCK: &str = "outbox.deliver.lock";
/// At most this many entries are kept; past it the oldest are dropped (and said).
pub const MAX_ENTRIES: usize = 1000;

/// One undelivered notification for one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Increases with every entry added (never reused): the delivery order.
    pub id: u64,
    /// When the notification was made (its `generated_at`): the age that expires it.
    pub created_at: DateTime<Utc>,
    /// A stable hash of the channel's full spec: which `--notify` channel it is for.
    pub channel: String,
    /// The channel as it may be shown (`describe()`: kind, scheme and host).
    pub label: String,
    /// What to send (opaque here).
    pub payload: Value,
    /// How many alert events it carries (0 for a heartbeat).
    pub events: usize,
    /// Failed deliveries so far.
    pub attempts: u32,
    /// The last failure, as printed (already free of URLs and arguments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<DateTime<Utc>>,
}

/// An entry to add: what `push` needs (the id is given there).
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub created_at: DateTime<Utc>,
    pub channel: String,
    pub label: String,
    pub payload: Value,
    pub events: usize,
    /// The newest entry replaces the channel's older undelivered ones (a heartbeat: only the latest
    /// verdict matters).
    pub supersedes: bool,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxFile {
    pub version: u32,
    /// The id the next entry gets.
    pub next_id: u64,
    /// Oldest first.
    pub entries: Vec<Entry>,
}

/// Entries dropped without delivery, per channel label.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Dropped(pub Vec<(String, usize)>);

impl Dropped {
    fn add(&mut self, label: &str) {
        match self.0.iter_mut().find(|(l, _)| l == label) {
            Some((_, n)) => *n += 1,
            None => self.0.push((label.to_string(), 1)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl OutboxFile {
    fn fresh() -> OutboxFile {
        OutboxFile {
            version: 1,
            next_id: 1,
            entries: Vec::new(),
        }
    }

    /// Appends an entry after every other one (a superseding entry first removes its channel's older
    /// ones). Past `MAX_ENTRIES` the oldest entries are dropped and returned.
    pub fn push(&mut self, new: NewEntry) -> Dropped {
        if new.supersedes {
            self.entries.retain(|e| e.channel != new.channel);
        }
        // A hand-edited or old file may hold ids at or past next_id: stay above all of them.
        let max_id = self.entries.iter().map(|e| e.id).max().unwrap_or(0);
        let id = self.next_id.max(max_id.saturating_add(1)).max(1);
        self.next_id = id.saturating_add(1);
        self.entries.push(Entry {
            id,
            created_at: new.created_at,
            channel: new.channel,
            label: new.label,
            payload: new.payload,
            events: new.events,
            attempts: 0,
            last_error: None,
            last_attempt_at: None,
        });
        self.sort();
        let mut dropped = Dropped::default();
        while self.entries.len() > MAX_ENTRIES {
            let e = self.entries.remove(0);
            dropped.add(&e.label);
        }
        dropped
    }

    /// Keeps the delivery order whatever the file said.
    fn sort(&mut self) {
        self.entries.sort_by_key(|e| e.id);
    }

    /// Drops the entries made more than `max_age` before `now`.
    pub fn expire(&mut self, now: DateTime<Utc>, max_age: Duration) -> Dropped {
        let max_age = chrono::Duration::from_std(max_age).unwrap_or(chrono::Duration::MAX);
        let oldest = now
            .checked_sub_signed(max_age)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let mut dropped = Dropped::default();
        self.entries.retain(|e| {
            let keep = e.created_at >= oldest;
            if !keep {
                dropped.add(&e.label);
            }
            keep
        });
        dropped
    }

    /// The oldest entry of the first of `channels` (in their order) that has one.
    pub fn next_for<'a>(&self, channels: impl IntoIterator<Item = &'a str>) -> Option<&Entry> {
        channels
            .into_iter()
            .find_map(|c| self.entries.iter().find(|e| e.channel == c))
    }

    /// Removes a delivered entry. False when it is gone already (superseded or expired meanwhile).
    pub fn delivered(&mut self, id: u64) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.id != id);
        self.entries.len() != before
    }

    /// Counts a failed delivery.
    pub fn failed(&mut self, id: u64, error: &str, at: DateTime<Utc>) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.id == id) {
            e.attempts = e.attempts.saturating_add(1);
            e.last_error = Some(error.to_string());
            e.last_attempt_at = Some(at);
        }
    }
}

/// The outbox file, locked for a read-modify-write until dropped.
pub type Locked = super::Locked<OutboxFile>;

impl super::StateFile for OutboxFile {
    const FILE: &'static str = FILE;
    const LOCK: &'static str = LOCK;

    fn from_disk(read: Result<Option<Self>, String>) -> (Self, Option<String>) {
        match read {
            Ok(Some(mut f)) => {
                f.sort();
                (f, None)
            }
            Ok(None) => (OutboxFile::fresh(), None),
            Err(w) => (
                OutboxFile::fresh(),
                Some(format!("{w} (undelivered notifications in it are lost)")),
            ),
        }
    }

    /// A missing file stays missing while there is nothing in it.
    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Whether there is an outbox file at all (none until something was kept).
pub fn exists(state_dir: &Path) -> bool {
    state_dir.join(FILE).exists()
}

/// Reads the outbox without a lock (the file is only ever replaced whole): for showing it. A corrupt
/// file reads as empty, with the warning.
pub fn peek(state_dir: &Path) -> (OutboxFile, Option<String>) {
    <OutboxFile as super::StateFile>::from_disk(super::read_json(&state_dir.join(FILE)))
}

fn open_lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
}

/// The right to deliver: held by one process at a time, released when dropped.
pub struct Deliverer {
    _lock: Flock<std::fs::File>,
}

impl Deliverer {
    /// Takes the delivery lock without waiting: `None` when another run is delivering (it looks at the
    /// outbox again after it lets go, so what was added meanwhile is not left behind).
    pub fn try_take(state_dir: &Path) -> std::io::Result<Option<Deliverer>> {
        std::fs::create_dir_all(state_dir)?;
        let f = open_lock_file(&state_dir.join(DELIVER_LOCK))?;
        match Flock::lock(f, FlockArg::LockExclusiveNonblock) {
            Ok(l) => Ok(Some(Deliverer { _lock: l })),
            Err((_, nix::errno::Errno::EWOULDBLOCK)) => Ok(None),
            Err((_, errno)) => Err(std::io::Error::other(format!(
                "cannot lock {}: {}",
                state_dir.join(DELIVER_LOCK).display(),
                errno.desc()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    fn new(channel: &str, at: i64, n: u64) -> NewEntry {
        NewEntry {
            created_at: t(at),
            channel: channel.into(),
            label: format!("webhook (http://{channel})"),
            payload: json!({ "n": n }),
            events: 1,
            supersedes: false,
        }
    }

    fn ids(f: &OutboxFile) -> Vec<u64> {
        f.entries.iter().map(|e| e.id).collect()
    }

    #[test]
    fn oldest_first_per_channel_and_removed_once_delivered() {
        let mut f = OutboxFile::fresh();
        f.push(new("a", 0, 1));
        f.push(new("b", 1, 2));
        f.push(new("a", 2, 3));
        assert_eq!(ids(&f), [1, 2, 3]);
        assert_eq!(f.next_for(["a"]).unwrap().payload, json!({"n": 1}));
        assert_eq!(f.next_for(["c", "b", "a"]).unwrap().id, 2);
        f.failed(1, "HTTP 503", t(5));
        f.failed(1, "HTTP 503", t(6));
        let first = f.next_for(["a"]).unwrap();
        assert_eq!(
            (first.id, first.attempts),
            (1, 2),
            "a failure keeps the order"
        );
        assert_eq!(first.last_error.as_deref(), Some("HTTP 503"));
        assert!(f.delivered(1));
        assert!(!f.delivered(1), "delivered once: gone");
        assert_eq!(f.next_for(["a"]).unwrap().id, 3);
        assert!(f.delivered(3));
        assert!(f.next_for(["a"]).is_none());
        assert_eq!(f.push(new("a", 9, 4)).0, vec![], "nothing dropped");
        assert_eq!(ids(&f), [2, 4], "ids are never reused");
    }

    #[test]
    fn a_heartbeat_supersedes_the_older_ones_of_its_channel_only() {
        let mut f = OutboxFile::fresh();
        f.push(new("hb", 0, 1));
        f.push(new("hook", 1, 2));
        f.push(NewEntry {
            supersedes: true,
            ..new("hb", 2, 3)
        });
        let hb: Vec<_> = f.entries.iter().filter(|e| e.channel == "hb").collect();
        assert_eq!(hb.len(), 1);
        assert_eq!(hb[0].payload, json!({"n": 3}));
        assert_eq!(f.entries.len(), 2);
    }

    #[test]
    fn expiry_by_age_counts_per_channel() {
        let mut f = OutboxFile::fresh();
        f.push(new("a", 0, 1));
        f.push(new("a", 10, 2));
        f.push(new("b", 40, 3));
        f.push(new("b", 50, 5));
        f.push(new("a", 100, 4));
        let dropped = f.expire(t(110), Duration::from_secs(60));
        assert_eq!(
            dropped.0,
            vec![
                ("webhook (http://a)".to_string(), 2),
                ("webhook (http://b)".to_string(), 1)
            ]
        );
        assert_eq!(ids(&f), [4, 5], "exactly the max age is kept");
        // an absurd age keeps everything rather than overflowing
        assert!(f.expire(t(110), Duration::MAX).is_empty());
        assert_eq!(ids(&f), [4, 5]);
    }

    #[test]
    fn the_size_cap_drops_the_oldest() {
        let mut f = OutboxFile::fresh();
        for i in 0..MAX_ENTRIES as u64 {
            assert!(f.push(new("a", 0, i)).is_empty());
        }
        let dropped = f.push(new("a", 1, 99_999));
        assert_eq!(dropped.0, vec![("webhook (http://a)".to_string(), 1)]);
        assert_eq!(f.entries.len(), MAX_ENTRIES);
        assert_eq!(f.entries[0].id, 2);
    }

    #[test]
    fn a_file_out_of_order_or_with_stale_next_id_keeps_order_and_unique_ids() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = OutboxFile::fresh();
        f.push(new("a", 0, 1));
        f.push(new("a", 0, 2));
        f.entries.reverse();
        f.next_id = 1;
        crate::store::write_json_atomic(&dir.path().join(FILE), &f).unwrap();
        let mut l = Locked::open(dir.path()).unwrap();
        assert_eq!(ids(&l.file), [1, 2]);
        l.file.push(new("a", 0, 3));
        assert_eq!(ids(&l.file), [1, 2, 3]);
    }

    #[test]
    fn round_trip_corrupt_file_rebuilt_and_nothing_written_when_empty() {
        let dir = tempfile::tempdir().unwrap();
        {
            let l = Locked::open(dir.path()).unwrap();
            l.save().unwrap();
        }
        assert!(
            !dir.path().join(FILE).exists(),
            "no file for an empty outbox"
        );
        {
            let mut l = Locked::open(dir.path()).unwrap();
            assert!(l.warning.is_none());
            l.file.push(new("a", 0, 1));
            l.save().unwrap();
        }
        let (f, w) = peek(dir.path());
        assert!(w.is_none());
        assert_eq!(f.entries.len(), 1);
        for bad in [
            "{ torn",
            "[]",
            "{\"version\": 1, \"entries\": 3}",
            "\u{0}\u{1}",
        ] {
            std::fs::write(dir.path().join(FILE), bad).unwrap();
            let mut l = Locked::open(dir.path()).unwrap();
            let w = l.warning.clone().unwrap_or_default();
            assert!(w.contains("corrupt") && w.contains("lost"), "{w}");
            assert!(l.file.entries.is_empty());
            l.file.push(new("a", 0, 1));
            l.save().unwrap();
            drop(l);
            assert_eq!(peek(dir.path()).0.entries.len(), 1, "rebuilt");
        }
    }

    #[test]
    fn one_deliverer_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let first = Deliverer::try_take(dir.path()).unwrap();
        assert!(first.is_some());
        assert!(Deliverer::try_take(dir.path()).unwrap().is_none());
        drop(first);
        assert!(Deliverer::try_take(dir.path()).unwrap().is_some());
    }
}
