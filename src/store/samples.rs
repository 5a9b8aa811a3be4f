//! Metric samples (`metric-samples.json` in the state dir): the last value of each `health_url` metric
//! judged by its rate or growth, by target and metric, so the next run can compare. One sample per
//! target/metric (a new one replaces the old; samples older than 31 days are dropped), so the file
//! stays small whatever the history. Read-modify-write under `metric-samples.lock`, replaced
//! atomically: concurrent runs take turns. A corrupt file is reported and started afresh.
//!
//! Owns the file only; what a sample means (a rate, a growth) is `rules::http`'s.

use crate::model::Sample;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const FILE: &str = "metric-samples.json";
const LOCK: &str = "metric-samples.lock";
const VERSION: u32 = 1;
/// A sample older than this is dropped when the file is written (its target left the config).
const KEEP_MS: i64 = 31 * 86_400_000;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct SampleFile {
    pub version: u32,
    /// By target name, then metric name.
    #[serde(default)]
    pub samples: BTreeMap<String, BTreeMap<String, Sample>>,
}

impl super::StateFile for SampleFile {
    const FILE: &'static str = FILE;
    const LOCK: &'static str = LOCK;

    fn from_disk(read: Result<Option<Self>, String>) -> (Self, Option<String>) {
        let fresh = || SampleFile {
            version: VERSION,
            samples: BTreeMap::new(),
        };
        match read {
            Ok(Some(f)) if f.version == VERSION => (f, None),
            Ok(_) => (fresh(), None),
            Err(w) => (fresh(), Some(w)),
        }
    }

    fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}

/// The samples of earlier runs, read without the lock (a run that only compares); a corrupt file is
/// empty, with the warning to say so.
pub fn load(state_dir: &Path) -> (SampleFile, Option<String>) {
    use super::StateFile as _;
    SampleFile::from_disk(super::read_json(&state_dir.join(FILE)))
}

/// Keeps this run's samples (`(target, metric, sample)`), under the lock, over what is on disk now
/// (another run may have written meanwhile); a sample older than the one on disk is not kept. Returns
/// the warning of a corrupt file that was started afresh.
pub fn store(
    state_dir: &Path,
    fresh: &[(String, String, Sample)],
    now_ms: i64,
) -> std::io::Result<Option<String>> {
    if fresh.is_empty() {
        return Ok(None);
    }
    let mut locked = super::Locked::<SampleFile>::open(state_dir)?;
    let warning = locked.warning.take();
    let file = &mut locked.file;
    file.version = VERSION;
    for (target, metric, s) in fresh {
        let slot = file.samples.entry(target.clone()).or_default();
        if slot.get(metric).is_none_or(|old| old.at_ms <= s.at_ms) {
            slot.insert(metric.clone(), *s);
        }
    }
    for metrics in file.samples.values_mut() {
        metrics.retain(|_, s| now_ms.saturating_sub(s.at_ms) < KEEP_MS);
    }
    file.samples.retain(|_, m| !m.is_empty());
    locked.save().map(|()| warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(value: f64, at_ms: i64) -> Sample {
        Sample { value, at_ms }
    }

    #[test]
    fn one_sample_per_metric_newest_wins_old_ones_go() {
        let dir = tempfile::tempdir().unwrap();
        let day = 86_400_000;
        assert!(load(dir.path()).0.samples.is_empty());
        let row = |t: &str, m: &str, x: Sample| (t.to_string(), m.to_string(), x);
        store(
            dir.path(),
            &[
                row("gw", "errors", s(10.0, 40 * day)),
                row("old", "x", s(1.0, 40 * day)),
            ],
            40 * day,
        )
        .unwrap();
        store(
            dir.path(),
            &[row("gw", "errors", s(15.0, 41 * day))],
            41 * day,
        )
        .unwrap();
        // a slower concurrent run's older sample does not replace a newer one
        store(
            dir.path(),
            &[row("gw", "errors", s(12.0, 41 * day - 5))],
            41 * day,
        )
        .unwrap();
        let back = load(dir.path()).0;
        assert_eq!(back.samples["gw"]["errors"], s(15.0, 41 * day));
        assert_eq!(back.samples["old"]["x"], s(1.0, 40 * day));
        store(
            dir.path(),
            &[row("gw", "errors", s(16.0, 72 * day))],
            72 * day,
        )
        .unwrap();
        let back = load(dir.path()).0;
        assert!(!back.samples.contains_key("old"), "{back:?}");
        assert_eq!(back.samples.len(), 1);
    }

    #[test]
    fn a_corrupt_file_is_started_afresh_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), "{not json").unwrap();
        let (f, w) = load(dir.path());
        assert!(f.samples.is_empty());
        assert!(w.unwrap().contains("corrupt"));
        store(dir.path(), &[("a".into(), "m".into(), s(1.0, 5))], 5).unwrap();
        assert_eq!(load(dir.path()).0.samples["a"]["m"], s(1.0, 5));
    }
}
