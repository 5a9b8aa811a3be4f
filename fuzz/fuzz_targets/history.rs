//! A history day file (`history/YYYY-MM-DD.jsonl`): read line by line as every reader reads it, then
//! folded and judged by `anomalies` (baselines, error rate, flapping, tools, restarts, gaps; also as two
//! halves merged, which must judge the same) and by `daily-summary` (availability, outages, score),
//! and thinned as `record --compact-after` thins a day.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use mcpmon::model::{AlertState, HostFacts};
use mcpmon::rules::anomalies::{self, History};
use mcpmon::rules::{daily, summary};
use std::collections::BTreeMap;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single();
    let (Some(from), Some(mid), Some(now)) = (at(20, 0), at(21, 0), at(22, 0)) else {
        return;
    };
    let to = now - chrono::Duration::milliseconds(1);
    let every = Duration::from_secs(600);

    let mut whole = History::default();
    let mut fold = summary::Fold::default();
    let mut before = summary::Fold::default();
    let (report, kept) = mcpmon::store::history::fuzz_day(data, from, to, every, |l, t| {
        whole.add(l, t);
        if t >= mid {
            fold.add(l, t, mid);
        } else {
            before.add(l, t, from);
        }
    });
    assert!(report.records + report.corrupt <= data.split(|b| *b == b'\n').count());
    // compacting keeps every line it cannot read, and compacting twice changes nothing
    let (_, again) = mcpmon::store::history::fuzz_day(&kept, from, to, every, |_, _| {});
    assert_eq!(kept, again, "compaction is not idempotent");

    // the same lines folded as two halves (as `fold_window` reads a long window) and merged
    let half = data.len() / 2;
    let cut = data[..half]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let (mut older, mut newer) = (History::default(), History::default());
    mcpmon::store::history::fuzz_day(&data[..cut], from, to, every, |l, t| older.add(l, t));
    mcpmon::store::history::fuzz_day(&data[cut..], from, to, every, |l, t| newer.add(l, t));
    let merged = older.merge(newer);

    let live: BTreeMap<(String, String), f64> = BTreeMap::new();
    let one = anomalies::findings(&whole, &live, now);
    let two = anomalies::findings(&merged, &live, now);
    assert_eq!(one, two, "a merged fold judges differently");
    let _ = anomalies::too_little_history(&whole);
    let read = anomalies::HistoryRead::Read {
        dir: "history".into(),
        files: 1,
        corrupt: report.corrupt,
    };
    let _ = anomalies::assess(Vec::new(), &[], 5, &whole, &read, "24h", now);

    let days = summary::days(fold, mid, now);
    let previous = summary::days(before, from, mid);
    let rules = summary::ScoreRules::default();
    let _ = daily::judge(
        &days,
        &previous,
        &rules,
        (mid, now),
        &HostFacts::default(),
        None::<Vec<&AlertState>>,
    );
});
