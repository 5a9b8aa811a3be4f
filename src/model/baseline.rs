//! A saved load run (`measure --save-baseline`): the reference a later run is judged against
//! (`measure --compare`, a regression gate for CI). Pure data and its JSON form (`schema_version` 1);
//! `rules::baseline` makes and judges it, `commands::measure` reads and writes the file.

use serde::{Deserialize, Serialize};

/// The numbers a baseline keeps. The field names are the file's keys: renaming or removing one bumps
/// `schema_version`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Baseline {
    pub schema_version: u32,
    pub target: String,
    pub method: String,
    pub concurrency: u32,
    pub requests: u64,
    pub success_percent: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub requests_per_second: f64,
    /// RFC 3339, whole seconds, UTC (`2026-11-21T10:00:00Z`).
    pub generated_at: String,
}

impl Baseline {
    /// The version of the file this build writes.
    pub const SCHEMA_VERSION: u32 = 1;
}
