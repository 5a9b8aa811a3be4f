//! What detection learnt about a server, kept between runs (`detected.json` in the state dir), so the
//! next run does not pay for it again: the stdio servers that cannot stand a 2026-07-28 client's
//! `server/discover` (they are asked `initialize` directly), and each URL's transport and era (for a
//! day; a failure forgets it). A cache: a missing or corrupt file is an empty one, and concurrent runs
//! may overwrite each other (the loser re-detects). URLs are stored as fingerprints, never in clear.

use super::{read_json, write_json_atomic};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const FILE: &str = "detected.json";
const VERSION: u32 = 1;

/// One server, by its key (`stdio:` and its command line, or `url:` and a fingerprint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remembered {
    /// A stdio server: what happened when it was asked `server/discover`, with its stderr line.
    #[serde(default)]
    pub intolerance: String,
    /// A URL: the transport (`streamable_http`, `sse`) and era (`legacy`, `modern`) detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub era: Option<String>,
    /// When that was last seen or confirmed (ms since the epoch).
    pub seen_at_ms: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Detected {
    pub version: u32,
    #[serde(default)]
    pub servers: BTreeMap<String, Remembered>,
}

/// The remembered detections (empty when there is no file, or it cannot be read).
pub fn load(dir: &Path) -> Detected {
    read_json::<Detected>(&dir.join(FILE))
        .ok()
        .flatten()
        .filter(|d| d.version == VERSION)
        .unwrap_or_default()
}

/// Writes them atomically.
pub fn save(dir: &Path, d: &Detected) -> std::io::Result<()> {
    let mut d = d.clone();
    d.version = VERSION;
    write_json_atomic(&dir.join(FILE), &d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_corrupt_file_is_empty_and_a_saved_one_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()), Detected::default());
        std::fs::write(dir.path().join(FILE), "{not json").unwrap();
        assert_eq!(load(dir.path()), Detected::default());
        let mut d = Detected::default();
        d.servers.insert(
            "stdio:x".into(),
            Remembered {
                intolerance: "the server exited on server/discover".into(),
                wire: None,
                era: None,
                seen_at_ms: 5,
            },
        );
        save(dir.path(), &d).unwrap();
        let back = load(dir.path());
        assert_eq!(back.servers, d.servers);
        assert_eq!(back.version, VERSION);
    }
}
