//! Silences (`silences.json` in the state dir): what `mcpmon silence add` keeps and `alerts` reads.
//!
//! Written under `silences.lock` (`store::Locked`), atomically, so concurrent `silence add`/`rm` runs
//! never lose one another's silence; `alerts` only reads it (a write is a rename, so a read sees the
//! old file or the new). Bounded: expired silences are pruned on every write, and at most
//! `MAX_ACTIVE` are kept. A corrupt file is reported and started afresh.
//!
//! Must not: decide what a silence matches (`model::silence`) or what it does (`rules::silence`).

use crate::model::Silence;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const FILE: &str = "silences.json";
const LOCK: &str = "silences.lock";

/// At most this many silences in force at once: a script adding one per run cannot grow the file
/// (and every `alerts` run's matching) without end.
pub const MAX_ACTIVE: usize = 1000;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SilenceFile {
    pub version: u32,
    pub silences: Vec<Silence>,
}

/// `silences.json`, locked for this run until dropped.
pub type Locked = super::Locked<SilenceFile>;

impl super::StateFile for SilenceFile {
    const FILE: &'static str = FILE;
    const LOCK: &'static str = LOCK;

    fn from_disk(read: Result<Option<Self>, String>) -> (Self, Option<String>) {
        let fresh = || SilenceFile {
            version: 1,
            silences: Vec::new(),
        };
        match read {
            Ok(f) => (f.unwrap_or_else(fresh), None),
            Err(w) => (fresh(), Some(w)),
        }
    }

    fn is_empty(&self) -> bool {
        self.silences.is_empty()
    }
}

impl SilenceFile {
    /// Drops the silences that have ended by `now`.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        self.silences.retain(|s| s.ends_at > now);
    }

    /// Adds a silence (pruning the ended ones first), giving it a fresh id; refused when
    /// `MAX_ACTIVE` are already in force.
    pub fn add(
        &mut self,
        matches: String,
        now: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        comment: Option<String>,
    ) -> Result<Silence, String> {
        self.prune(now);
        if self.silences.len() >= MAX_ACTIVE {
            return Err(format!(
                "{MAX_ACTIVE} silences are already in force; remove some (mcpmon silence rm ID)"
            ));
        }
        let mut salt = 0u32;
        let id = loop {
            let seed = format!(
                "{matches}\n{}\n{}\n{}\n{salt}",
                now.timestamp_nanos_opt().unwrap_or_default(),
                ends_at.timestamp_millis(),
                comment.as_deref().unwrap_or_default()
            );
            let digest = ring::digest::digest(&ring::digest::SHA256, seed.as_bytes());
            let id: String = digest.as_ref()[..4]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            if !self.silences.iter().any(|s| s.id == id) {
                break id;
            }
            salt += 1;
        };
        let s = Silence {
            id,
            matches,
            starts_at: now,
            ends_at,
            comment,
        };
        self.silences.push(s.clone());
        Ok(s)
    }

    /// Removes the silence whose id is `id`, or starts with it (at least 4 characters, and only one).
    pub fn remove(&mut self, id: &str) -> Result<Silence, String> {
        let id = id.trim().to_ascii_lowercase();
        let found: Vec<usize> = self
            .silences
            .iter()
            .enumerate()
            .filter(|(_, s)| s.id == id || (id.len() >= 4 && s.id.starts_with(&id)))
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [i] => Ok(self.silences.remove(*i)),
            [] => Err(format!(
                "no silence {id:?} (mcpmon silence list shows the ids)"
            )),
            _ => Err(format!(
                "{id:?} is the start of {} silence ids: give more of it",
                found.len()
            )),
        }
    }
}

/// The silences in force at `now`, read without the lock (for `alerts`); an unreadable or corrupt
/// file is none, with the reason as a warning.
pub fn active(state_dir: &Path, now: DateTime<Utc>) -> (Vec<Silence>, Option<String>) {
    match super::read_json::<SilenceFile>(&state_dir.join(FILE)) {
        Ok(f) => (
            f.map(|f| f.silences)
                .unwrap_or_default()
                .into_iter()
                .filter(|s| s.active(now))
                .collect(),
            None,
        ),
        Err(w) => (Vec::new(), Some(w)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn add_list_remove_and_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let now = at("2026-12-01T19:00:00Z");
        let (a, b) = {
            let mut l = Locked::open(dir.path()).unwrap();
            let a = l
                .file
                .add("web-*".into(), now, at("2026-12-01T21:00:00Z"), None)
                .unwrap();
            let b = l
                .file
                .add(
                    "api/liveness".into(),
                    now,
                    at("2026-12-01T19:30:00Z"),
                    Some("deploy".into()),
                )
                .unwrap();
            l.save().unwrap();
            (a, b)
        };
        assert_eq!(a.id.len(), 8);
        assert_ne!(a.id, b.id);
        let (on, warning) = active(dir.path(), now);
        assert_eq!((on.len(), warning), (2, None));
        // the ids are kept as they were given
        assert_eq!(on[1].id, b.id);
        // b has expired by 20:00: no longer in force, and pruned at the next write
        let later = at("2026-12-01T20:00:00Z");
        assert_eq!(active(dir.path(), later).0, vec![a.clone()]);
        let mut l = Locked::open(dir.path()).unwrap();
        l.file
            .add("x".into(), later, at("2026-12-02T00:00:00Z"), None)
            .unwrap();
        assert_eq!(l.file.silences.len(), 2, "b was pruned");
        // removed by a unique prefix; an unknown id is a clear error
        let gone = l.file.remove(&a.id[..5]).unwrap();
        assert_eq!(gone.id, a.id);
        assert!(l.file.remove("zzzz").unwrap_err().contains("no silence"));
    }

    #[test]
    fn bounded() {
        let now = at("2026-12-01T19:00:00Z");
        let mut f = SilenceFile::default();
        for i in 0..MAX_ACTIVE {
            f.add(format!("t{i}"), now, at("2026-12-02T00:00:00Z"), None)
                .unwrap();
        }
        assert!(
            f.add("one more".into(), now, at("2026-12-02T00:00:00Z"), None)
                .is_err()
        );
        // once they have ended there is room again
        let next_day = at("2026-12-02T00:00:00Z");
        assert!(
            f.add(
                "one more".into(),
                next_day,
                at("2026-12-03T00:00:00Z"),
                None
            )
            .is_ok()
        );
        assert_eq!(f.silences.len(), 1);
    }

    #[test]
    fn a_corrupt_file_is_a_warning_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), "{ torn").unwrap();
        let (on, warning) = active(dir.path(), Utc::now());
        assert!(on.is_empty());
        assert!(warning.unwrap_or_default().contains("corrupt"));
    }
}
