//! Alert state (`alerts.json` in the state dir): what each check's alert remembers between runs.
//!
//! Read-modify-write happens under an exclusive lock on `alerts.lock`, so concurrent cron runs take
//! turns instead of losing each other's updates; the file itself is replaced atomically. A corrupt file
//! is reported and rebuilt, never fatal.

use crate::model::AlertState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FILE: &str = "alerts.json";
const LOCK: &str = "alerts.lock";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct AlertFile {
    pub version: u32,
    /// By alert key (`target/probe/check`).
    pub alerts: BTreeMap<String, AlertState>,
}

/// `alerts.json`, locked for this run until dropped.
pub type Locked = super::Locked<AlertFile>;

impl super::StateFile for AlertFile {
    const FILE: &'static str = FILE;
    const LOCK: &'static str = LOCK;

    fn from_disk(read: Result<Option<Self>, String>) -> (Self, Option<String>) {
        super::read_or_fresh(read, || AlertFile {
            version: 1,
            alerts: BTreeMap::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corrupt_file_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut l = Locked::open(dir.path()).unwrap();
            assert!(l.warning.is_none());
            l.file.alerts.insert(
                "a/mcp/connect".into(),
                AlertState {
                    bad_runs: 2,
                    ..Default::default()
                },
            );
            l.save().unwrap();
        }
        let l = Locked::open(dir.path()).unwrap();
        assert_eq!(l.file.alerts["a/mcp/connect"].bad_runs, 2);
        drop(l);
        std::fs::write(dir.path().join(FILE), "{ torn").unwrap();
        let l = Locked::open(dir.path()).unwrap();
        assert!(l.warning.as_deref().unwrap_or("").contains("corrupt"));
        assert!(l.file.alerts.is_empty());
    }

    #[test]
    fn a_second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = Locked::open(dir.path()).unwrap();
        let path = dir.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel();
        let t = std::thread::spawn(move || {
            let second = Locked::open(&path).unwrap();
            tx.send(second.file.alerts.len()).unwrap();
        });
        // the second cannot have the lock while the first holds it
        assert!(rx.try_recv().is_err());
        let mut first = first;
        first.file.alerts.insert("k".into(), AlertState::default());
        first.save().unwrap();
        drop(first);
        assert_eq!(
            rx.recv().unwrap(),
            1,
            "the second run sees the first run's write"
        );
        t.join().unwrap();
    }
}
