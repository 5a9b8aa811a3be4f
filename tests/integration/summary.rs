//! `mcpmon daily-summary`: fixture histories for fixed days (a perfect day, an outage, several
//! targets, an empty day, a day across a DST change), the score's itemisation, and the outputs.

use crate::common::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// Writes records `(UTC time, target, status)` every `every` minutes into day files.
fn write_day(
    home: &Path,
    from: &str,
    minutes: i64,
    every: i64,
    targets: &[&str],
    crit: &dyn Fn(&str, i64) -> bool,
) {
    let dir = home.join(".state/mcpmon/history");
    std::fs::create_dir_all(&dir).unwrap();
    let start: chrono::DateTime<chrono::Utc> = from.parse().unwrap();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut m = 0;
    while m < minutes {
        let at = start + chrono::Duration::minutes(m);
        for t in targets {
            let bad = crit(t, m);
            let mut r = json!({"v": 1, "at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                               "source": "record:light", "target": t, "kind": "mcp",
                               "status": if bad { "crit" } else { "ok" }, "duration_ms": 3.0,
                               "metrics": {"liveness": 10.0}});
            if bad {
                r["reason"] = json!("connect_refused");
            }
            let f = files.entry(at.format("%Y-%m-%d").to_string()).or_default();
            f.push_str(&r.to_string());
            f.push('\n');
        }
        m += every;
    }
    for (day, text) in files {
        std::fs::write(dir.join(format!("{day}.jsonl")), text).unwrap();
    }
}

fn summary(home: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["daily-summary", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(home, &all);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}")),
    )
}

fn check<'a>(doc: &'a Value, target: &str, check: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["target"] == target && f["check"] == check)
        .unwrap_or_else(|| panic!("{target} {check}: {doc:#}"))
}

#[test]
fn a_perfect_day_scores_100_in_every_format() {
    let home = tempdir();
    write_day(
        home.path(),
        "2026-11-20T00:00:00Z",
        3 * 1440,
        5,
        &["api", "db"],
        &|_, _| false,
    );
    let (code, doc) = summary(home.path(), &["--date", "2026-11-21", "--tz", "UTC"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(check(&doc, "summary", "score")["value"], 100.0);
    assert_eq!(check(&doc, "api", "availability")["value"], 100.0);
    assert_eq!(check(&doc, "db", "availability")["value"], 100.0);
    assert_eq!(check(&doc, "summary", "goal:uptime")["status"], "ok");
    let md = home.path().join("out/report.md");
    let (code, _, err) = run(
        home.path(),
        &[
            "daily-summary",
            "--date",
            "2026-11-21",
            "--tz",
            "UTC",
            "--format",
            "markdown",
            "--output",
            md.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# mcpmon daily summary — 2026-11-21 (UTC)\n\n**Health score: 100/100** — good (previous: 100, +0)"), "{text}");
    assert!(text.contains("| api | mcp | 100.0 % | 24 h |"), "{text}");
    assert!(text.contains("- no deductions: 100"), "{text}");
    let (_, prom, _) = run(
        home.path(),
        &[
            "daily-summary",
            "--date",
            "2026-11-21",
            "--tz",
            "UTC",
            "--format",
            "prometheus",
        ],
    );
    assert!(prom.contains("mcpmon_"), "{prom}");
    // alerts.json (written by `mcpmon alerts`): one fired that day and still firing, one fired before
    // and resolved that day
    let at = |d: &str| {
        d.parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
            .timestamp_millis()
    };
    let alert = |fired: i64, firing: Option<&str>, resolved: Option<i64>| {
        json!({"firing": firing, "bad_runs": 1, "good_runs": 0, "fired_at_ms": fired,
               "seen_at_ms": fired, "resolved_at_ms": resolved})
    };
    std::fs::write(
        home.path().join(".state/mcpmon/alerts.json"),
        json!({"version": 1, "alerts": {
            "api/mcp/liveness": alert(at("2026-11-21T10:00:00Z"), Some("crit"), None),
            "db/mcp/liveness": alert(at("2026-11-19T10:00:00Z"), None, Some(at("2026-11-21T03:00:00Z")))
        }})
        .to_string(),
    )
    .unwrap();
    let (_, md, _) = run(
        home.path(),
        &[
            "daily-summary",
            "--date",
            "2026-11-21",
            "--tz",
            "UTC",
            "--format",
            "markdown",
        ],
    );
    assert!(
        md.contains(
            "- alerts (mcpmon alerts): 1 fired and 1 resolved in this window, 1 firing now"
        ),
        "{md}"
    );
    assert!(md.contains("## System status\n\n- host up "), "{md}");
}

#[test]
fn an_outage_is_itemised_and_the_deductions_add_up() {
    let home = tempdir();
    // api is down from 10:00 to 10:30 UTC on the 21st; db is fine
    write_day(
        home.path(),
        "2026-11-21T00:00:00Z",
        1440,
        5,
        &["api", "db"],
        &|t, m| t == "api" && (600..630).contains(&m),
    );
    let (code, doc) = summary(home.path(), &["--date", "2026-11-21", "--tz", "UTC"]);
    let score = check(&doc, "summary", "score")["value"].as_f64().unwrap();
    let deductions: f64 = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"].as_str().unwrap().starts_with("deduction:"))
        .map(|f| f["value"].as_f64().unwrap())
        .sum();
    assert!(
        (100.0 + deductions - score).abs() < 1e-9,
        "{score} vs {deductions}"
    );
    let down = check(&doc, "summary", "deduction:disconnected");
    assert!(
        down["message"]
            .as_str()
            .unwrap()
            .starts_with("api down 30 min from 10:00"),
        "{down}"
    );
    assert_eq!(check(&doc, "summary", "goal:uptime")["status"], "warn");
    assert!((70.0..90.0).contains(&score), "{score}");
    assert_eq!(code, 1);
    let a = check(&doc, "api", "availability")["value"]
        .as_f64()
        .unwrap();
    assert!((a - (100.0 - 30.0 / 1440.0 * 100.0)).abs() < 1e-6, "{a}");
    // the rules are configurable: a heavier outage rule moves the score by exactly the difference
    let (_, heavier) = summary(
        home.path(),
        &[
            "--date",
            "2026-11-21",
            "--tz",
            "UTC",
            "--rule",
            "disconnected=25:40",
        ],
    );
    assert_eq!(
        check(&heavier, "summary", "deduction:disconnected")["value"],
        -25.0
    );
    let moved = check(&heavier, "summary", "score")["value"]
        .as_f64()
        .unwrap();
    assert!((score - moved - 15.0).abs() < 1e-9, "{score} → {moved}");
    let rec = check(&doc, "summary", "recommendation");
    assert_eq!(
        rec["message"],
        "look at api: down 1 time(s), the longest from 10:00 to 10:30 UTC (connect_refused)"
    );
}

#[test]
fn an_empty_day_is_unknown_not_100() {
    let home = tempdir();
    let (code, doc) = summary(home.path(), &["--date", "2026-11-21", "--tz", "UTC"]);
    assert_eq!(code, 3);
    assert_eq!(check(&doc, "summary", "score")["status"], "unknown");
    assert!(check(&doc, "summary", "score")["value"].is_null());
    let (code, out, _) = run(
        home.path(),
        &["daily-summary", "--date", "2026-11-21", "--tz", "UTC"],
    );
    assert_eq!(code, 3);
    assert!(out.contains("No history in this window"), "{out}");
}

#[test]
fn a_day_across_a_dst_change_has_25_hours() {
    let home = tempdir();
    // Europe/Berlin leaves summer time on 2026-10-25: its day runs 22:00Z on the 24th to 23:00Z on the 25th
    write_day(
        home.path(),
        "2026-10-24T20:00:00Z",
        30 * 60,
        5,
        &["api"],
        &|_, _| false,
    );
    let out = mcpmon(home.path())
        .env("TZ", "Europe/Berlin")
        .args([
            "daily-summary",
            "--date",
            "2026-10-25",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("| api | mcp | 100.0 % | 25 h |"), "{text}");
    // the same day in UTC is 24 hours
    let (_, doc) = summary(home.path(), &["--date", "2026-10-25", "--tz", "UTC"]);
    assert_eq!(check(&doc, "api", "availability")["value"], 100.0);
    let (_, md, _) = run(
        home.path(),
        &[
            "daily-summary",
            "--date",
            "2026-10-25",
            "--tz",
            "+02:00",
            "--format",
            "markdown",
        ],
    );
    assert!(md.contains("| api | mcp | 100.0 % | 24 h |"), "{md}");
}

#[test]
fn bad_arguments_are_exit_3() {
    let home = tempdir();
    let (code, _, err) = run(home.path(), &["daily-summary", "--tz", "Mars/Olympus"]);
    assert_eq!(code, 3);
    assert!(err.contains("--tz"), "{err}");
    let (code, _, _) = run(home.path(), &["daily-summary", "--date", "2026-13-01"]);
    assert_eq!(code, 3);
    let (code, _, err) = run(home.path(), &["daily-summary", "--rule", "uptime=1:2"]);
    assert_eq!(code, 3);
    assert!(err.contains("unknown rule"), "{err}");
}
