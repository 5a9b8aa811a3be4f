//! Remediation state (`actions.json` in the state dir): when each `on_fire` action ran and was last
//! due, keyed `target/name`, so its cooldown and run budget hold across cron runs.
//!
//! Read-modify-write under an exclusive lock on `actions.lock` (`store::Locked`): a run decides and
//! records its runs *before* it starts them and releases the lock while they run, so two runs at once
//! never both restart a server. Must not decide anything (`rules::remedy`) nor run anything.

use crate::model::ActionState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const FILE: &str = "actions.json";
const LOCK: &str = "actions.lock";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ActionFile {
    pub version: u32,
    /// By action key (`target/name`).
    pub actions: BTreeMap<String, ActionState>,
}

/// `actions.json`, locked for this run until dropped.
pub type Locked = super::Locked<ActionFile>;

impl super::StateFile for ActionFile {
    const FILE: &'static str = FILE;
    const LOCK: &'static str = LOCK;

    fn from_disk(read: Result<Option<Self>, String>) -> (Self, Option<String>) {
        super::read_or_fresh(read, || ActionFile {
            version: 1,
            actions: BTreeMap::new(),
        })
    }

    fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }
}

/// The key of an action in `actions.json`.
pub fn key(target: &str, action: &str) -> String {
    format!("{target}/{action}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corrupt_file_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut l = Locked::open(dir.path()).unwrap();
            l.file.actions.insert(
                key("hub", "restart"),
                ActionState {
                    runs_ms: vec![5],
                    due_at_ms: Some(5),
                },
            );
            l.save().unwrap();
        }
        let l = Locked::open(dir.path()).unwrap();
        assert_eq!(l.file.actions["hub/restart"].runs_ms, vec![5]);
        drop(l);
        std::fs::write(dir.path().join(FILE), "{ torn").unwrap();
        let l = Locked::open(dir.path()).unwrap();
        assert!(l.warning.as_deref().unwrap_or("").contains("corrupt"));
        assert!(l.file.actions.is_empty());
    }
}
