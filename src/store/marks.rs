//! Log marks: the size and identity of each watched log file at the last look, so the next look can
//! tell growth from truncation and rotation (mcp-hub wipes its log at every start).

use crate::model::LogMark;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE: &str = "log-marks.json";

/// Marks by log path.
pub type Marks = BTreeMap<String, LogMark>;

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(FILE)
}

/// Loads the marks; a corrupt or unreadable file yields empty marks and a warning to say.
pub fn load(state_dir: &Path) -> (Marks, Option<String>) {
    match super::read_json::<Marks>(&path(state_dir)) {
        Ok(m) => (m.unwrap_or_default(), None),
        Err(warning) => (Marks::new(), Some(warning)),
    }
}

pub fn save(state_dir: &Path, marks: &Marks) -> std::io::Result<()> {
    super::write_json_atomic(&path(state_dir), marks)
}
