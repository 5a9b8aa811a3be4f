//! `mcpmon anomalies`: history fixtures written relative to now (every kind of anomaly and a clean
//! history), a corrupt line in the middle of a day, live anomalies from a real hub and a log, and a
//! truncated log between two runs.

use crate::common::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// Writes history records (each a JSON object with `at` as minutes before now) into day files.
fn write_history(home: &Path, records: &[(i64, Value)], corrupt_after: Option<usize>) {
    let dir = home.join(".state/mcpmon/history");
    std::fs::create_dir_all(&dir).unwrap();
    let now = chrono::Utc::now();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for (i, (minutes_ago, extra)) in records.iter().enumerate() {
        let at = now - chrono::Duration::minutes(*minutes_ago);
        let mut r = json!({"v": 1, "at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                           "source": "record:full", "target": "api", "kind": "mcp", "status": "ok",
                           "duration_ms": 5.0});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        let text = files.entry(at.format("%Y-%m-%d").to_string()).or_default();
        text.push_str(&r.to_string());
        text.push('\n');
        if corrupt_after == Some(i) {
            text.push_str("{\"v\":1,\"at\":\"not a time\"}\n");
        }
    }
    for (day, text) in files {
        std::fs::write(dir.join(format!("{day}.jsonl")), text).unwrap();
    }
}

fn anomalies(home: &Path, args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["anomalies", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(home, &all);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, doc, err)
}

fn finding<'a>(doc: &'a Value, check: &str) -> Option<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == check)
}

fn steady(n: i64, every: i64) -> Vec<(i64, Value)> {
    (0..n)
        .map(|i| {
            let ago = (n - i) * every;
            (
                ago,
                json!({"metrics": {"liveness": 10.0 + (i % 3) as f64, "tools": 2.0},
                         "tools": {"echo": "00000000000000aa", "add": "00000000000000bb"},
                         "uptime_s": {"process": 1000.0 + (i * every * 60) as f64}}),
            )
        })
        .collect()
}

#[test]
fn a_clean_history_is_all_clear() {
    let home = tempdir();
    write_history(home.path(), &steady(40, 5), None);
    let (code, doc, err) = anomalies(home.path(), &[]);
    assert_eq!(code, 0, "{doc:#}\n{err}");
    let h = finding(&doc, "history").unwrap();
    let files = std::fs::read_dir(home.path().join(".state/mcpmon/history"))
        .unwrap()
        .count();
    assert_eq!(
        h["message"],
        format!(
            "40 records of 1 target from {files} day file{}",
            if files == 1 { "" } else { "s" }
        )
    );
    let b = finding(&doc, "mcp:baseline:liveness").expect("a baseline is judged");
    assert_eq!(b["status"], "ok");
    let (_, table, _) = run(home.path(), &["anomalies", "--color", "never"]);
    assert!(table.contains("Verdict: ALL CLEAR"), "{table}");
}

#[test]
fn every_kind_of_anomaly_in_history_with_a_corrupt_line() {
    let home = tempdir();
    let mut recs = steady(40, 5); // 200 … 5 minutes ago
    // the last three: slow, a restart, a changed tool list
    for (k, r) in recs.iter_mut().enumerate().skip(37) {
        r.1["metrics"]["liveness"] = json!(95.0);
        r.1["tools"] = json!({"echo": "00000000000000aa", "add": "00000000000000cc", "fetch": "00000000000000dd"});
        r.1["uptime_s"]["process"] = json!(30.0 + k as f64);
    }
    // a gap: nothing between 150 and 100 minutes ago
    recs.retain(|(ago, _)| !(*ago > 100 && *ago < 150));
    write_history(home.path(), &recs, Some(5));
    let (code, doc, err) = anomalies(home.path(), &[]);
    assert_eq!(code, 2, "{doc:#}");
    assert!(err.contains("corrupt line skipped"), "{err}");
    assert!(
        finding(&doc, "history").unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("1 corrupt line skipped")
    );
    let status =
        |c: &str| finding(&doc, c).unwrap_or_else(|| panic!("{c}: {doc:#}"))["status"].clone();
    assert_eq!(status("mcp:baseline:liveness"), "warn");
    assert!(
        finding(&doc, "mcp:baseline:liveness").unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("now 95.0 ms")
    );
    let tools = finding(&doc, "mcp:tools_changed").unwrap();
    assert!(
        tools["message"]
            .as_str()
            .unwrap()
            .ends_with(": ~add +fetch"),
        "{tools}"
    );
    assert_eq!(status("mcp:restarted"), "warn");
    let gap = finding(&doc, "mcp:missing_records").unwrap();
    assert!(
        gap["message"]
            .as_str()
            .unwrap()
            .starts_with("no records for 50 min after"),
        "{gap}"
    );
    let count = finding(&doc, "count").unwrap();
    assert_eq!(count["status"], "crit");
    assert_eq!(count["reason"], "anomaly");
}

#[test]
fn live_anomalies_from_a_real_hub_and_a_log() {
    let home = tempdir();
    // one minor anomaly: an error spike
    let log = home.path().join("app.log");
    let mut text = String::new();
    for i in 0..30 {
        let level = if i < 12 { "error" } else { "info" };
        text.push_str(&format!(
            "{{\"level\":\"{level}\",\"msg\":\"entry {i}\"}}\n"
        ));
    }
    std::fs::write(&log, &text).unwrap();
    let (code, doc, _) = anomalies(home.path(), &["--log", log.to_str().unwrap()]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(finding(&doc, "log_errors").unwrap()["status"], "warn");
    assert_eq!(finding(&doc, "log_errors").unwrap()["section"], "now");
    // a disconnected hub server is critical on its own
    let (code, doc, _) = anomalies(home.path(), &["--hub", peer("HUB_BROKEN_URL")]);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(finding(&doc, "server:broken").unwrap()["status"], "crit");
    assert_eq!(finding(&doc, "hub_clients").unwrap()["status"], "ok");
    // the log was rewritten from the start (as mcp-hub does when it starts): truncation
    std::fs::write(&log, "{\"level\":\"info\",\"msg\":\"restarted\"}\n").unwrap();
    let (code, doc, _) = anomalies(home.path(), &["--log", log.to_str().unwrap()]);
    let growth = finding(&doc, "log_growth").expect("the log was seen before");
    assert_eq!(growth["reason"], "log_truncated", "{doc:#}");
    assert_eq!(code, 1);
}
