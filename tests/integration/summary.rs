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
        "look at api: down 1 time, the longest from 10:00 to 10:30 UTC (connect_refused)"
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

/// A week (2026-11-23 … 29, UTC) every 10 minutes for `api` and `db, "eu"` (a name CSV must quote);
/// `api` is down for an hour on the 25th.
fn write_week(home: &Path) {
    write_day(
        home,
        "2026-11-23T00:00:00Z",
        7 * 1440,
        10,
        &["api", "db, \"eu\""],
        &|t, m| t == "api" && (2 * 1440 + 120..2 * 1440 + 180).contains(&m),
    );
}

const WEEK: [&str; 6] = ["--from", "2026-11-23", "--to", "2026-11-29", "--tz", "UTC"];

#[test]
fn goals_from_flags_and_config_decide_met_and_missed() {
    let home = tempdir();
    write_week(home.path());
    let week = |extra: &[&str]| {
        let mut a = WEEK.to_vec();
        a.extend_from_slice(extra);
        summary(home.path(), &a)
    };
    // the defaults: p95 10 ms is under 500 ms; the hour down misses 99.9 % uptime
    let (code, doc) = week(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let p95 = check(&doc, "summary", "goal:response_time_p95");
    assert_eq!(p95["status"], "ok");
    assert_eq!(p95["message"], "response_time_p95 < 500 ms: met (10 ms)");
    let up = check(&doc, "summary", "goal:uptime");
    assert_eq!(up["status"], "warn");
    assert!(
        up["message"]
            .as_str()
            .unwrap()
            .starts_with("uptime > 99.9 %: missed (99.7 %)"),
        "{up}"
    );
    // 004's goals: uptime > 99.5 % is met, a 5 ms response time is not
    let (code, doc) = week(&["--goal", "uptime=99.5", "--goal", "p95=5ms"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(check(&doc, "summary", "goal:uptime")["status"], "ok");
    let p95 = check(&doc, "summary", "goal:response_time_p95");
    assert_eq!(p95["status"], "warn");
    assert_eq!(p95["message"], "response_time_p95 < 5 ms: missed (10 ms)");
    // the same from the config (./mcpmon.json), and --goal over it
    std::fs::write(
        home.path().join("mcpmon.json"),
        r#"{ "goals": { "uptime": 99.5, "p95": "5ms" },   // 004
             "targets": { "api": { "url": "http://127.0.0.1:9/mcp" } } }"#,
    )
    .unwrap();
    let (code, doc) = week(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        check(&doc, "summary", "goal:response_time_p95")["message"],
        "response_time_p95 < 5 ms: missed (10 ms)"
    );
    let (_, doc) = week(&["--goal", "p95=off"]);
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["check"] != "goal:response_time_p95"),
        "{doc:#}"
    );
    // with lighter score rules the score stays above 90: every goal met is OK
    let (code, doc) = week(&[
        "--goal",
        "p95=off",
        "--rule",
        "disconnected=2:10",
        "--rule",
        "alerts=1:5",
    ]);
    assert_eq!(code, 0, "{doc:#}");
}

#[test]
fn an_unknown_goal_is_one_line_naming_the_nearest_and_exit_3() {
    let home = tempdir();
    write_week(home.path());
    let (code, out, err) = run(home.path(), &["daily-summary", "--goal", "uptme=99"]);
    assert_eq!((code, out.as_str()), (3, ""));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("unknown goal \"uptme\" (did you mean uptime?)"),
        "{err}"
    );
    let (code, _, err) = run(home.path(), &["daily-summary", "--goal", "uptime=fast"]);
    assert_eq!(code, 3);
    assert!(err.contains("\"fast\" is not a number"), "{err}");
    let config = home.path().join("goals.json");
    std::fs::write(&config, r#"{"goals": {"eror_rate": 1}, "targets": {}}"#).unwrap();
    let (code, _, err) = run(
        home.path(),
        &["daily-summary", "--config", config.to_str().unwrap()],
    );
    assert_eq!(code, 3);
    assert!(
        err.contains(
            "goals.json: goals.eror_rate: unknown goal \"eror_rate\" (did you mean error_rate?)"
        ),
        "{err}"
    );
    let (code, _, err) = run(
        home.path(),
        &[
            "daily-summary",
            "--from",
            "2026-11-29",
            "--to",
            "2026-11-23",
        ],
    );
    assert_eq!(code, 3);
    assert!(err.contains("is not before --to"), "{err}");
}

#[test]
fn a_week_reads_only_its_days_and_the_week_before() {
    let home = tempdir();
    write_week(home.path());
    let dir = home.path().join(".state/mcpmon/history");
    // a torn line inside the week is read (and said); files outside the week and the one before it
    // (the trends) are never opened
    for day in ["2026-11-15", "2026-11-25", "2026-11-30", "2025-01-01"] {
        let f = dir.join(format!("{day}.jsonl"));
        let mut text = std::fs::read_to_string(&f).unwrap_or_default();
        text.push_str("{\"torn\n");
        std::fs::write(&f, text).unwrap();
    }
    let mut args = vec!["daily-summary", "--format", "markdown"];
    args.extend_from_slice(&WEEK);
    let (code, md, err) = run(home.path(), &args);
    assert_eq!(code, 1, "{md}\n{err}");
    assert!(err.contains("2026-11-25.jsonl"), "{err}");
    for outside in ["2026-11-15", "2026-11-30", "2025-01-01"] {
        assert!(!err.contains(outside), "{outside} was read: {err}");
    }
    assert!(
        md.starts_with("# mcpmon summary — 2026-11-23 to 2026-11-29 (UTC)\n"),
        "{md}"
    );
    assert!(md.contains("| api | mcp | 99.4 % | 7 d |"), "{md}");
    assert!(
        md.contains("| p95 vs before | latency over the period |"),
        "{md}"
    );
    // in a period longer than a day, times carry their date
    assert!(
        md.contains("- outage: api (mcp): 2026-11-25 02:00 – 2026-11-25 03:00 UTC, 1 h"),
        "{md}"
    );
    // relative: the last 2 days of a history written up to now
    let now = chrono::Utc::now() - chrono::Duration::hours(3);
    let recent = tempdir();
    write_day(
        recent.path(),
        &now.to_rfc3339(),
        180,
        5,
        &["api"],
        &|_, _| false,
    );
    let (code, doc) = summary(recent.path(), &["--from", "2d"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(check(&doc, "api", "availability")["value"], 100.0);
}

#[test]
fn a_period_with_no_data_says_so_in_every_format() {
    let home = tempdir();
    write_week(home.path());
    let october = [
        "daily-summary",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-07",
        "--tz",
        "UTC",
    ];
    let (code, out, _) = run(home.path(), &october);
    assert_eq!(code, 3);
    assert!(out.contains("No history in this window"), "{out}");
    let mut csv = october.to_vec();
    csv.extend(["--format", "csv"]);
    let (code, out, _) = run(home.path(), &csv);
    assert_eq!(code, 3);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert!(
        rows[1].starts_with("2026-10-01T00:00:00Z,2026-10-08T00:00:00Z,(all),,0,0,,0,604800,"),
        "{out}"
    );
}

/// CSV text read back by Python's csv module, as a list of rows (dicts by the header).
fn python_csv(text: &str) -> Vec<BTreeMap<String, String>> {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys; print(json.dumps(list(csv.DictReader(sys.stdin, strict=True))))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn csv_has_a_row_per_target_and_period_with_the_goals_and_parses_back() {
    let home = tempdir();
    write_week(home.path());
    let mut args = vec!["daily-summary", "--format", "csv", "--goal", "uptime=99.5"];
    args.extend_from_slice(&WEEK);
    let (code, out, err) = run(home.path(), &args);
    assert_eq!(code, 1, "{err}");
    let rows = python_csv(&out);
    let targets: Vec<&str> = rows.iter().map(|r| r["target"].as_str()).collect();
    assert_eq!(targets, ["api", "db, \"eu\"", "(all)"]);
    for r in &rows {
        assert_eq!(r["period_start"], "2026-11-23T00:00:00Z");
        assert_eq!(r["period_end"], "2026-11-30T00:00:00Z");
        assert_eq!(r["uptime_goal"], "99.5");
        assert_eq!(r["response_time_p95"], "10");
        assert_eq!(r["response_time_p95_met"], "true");
    }
    assert_eq!(
        (rows[0]["records"].as_str(), rows[1]["records"].as_str()),
        ("1008", "1008")
    );
    // api alone: an hour down in a week is 99.4 %, under 99.5; db alone and the whole are above
    assert_eq!(rows[0]["uptime_met"], "false", "{:?}", rows[0]);
    assert_eq!(rows[0]["outages"], "1");
    assert_eq!(rows[1]["uptime_met"], "true");
    assert_eq!(rows[2]["uptime_met"], "true");
    assert_eq!(rows[2]["records"], "2016");
    assert!(!rows[2]["score"].is_empty() && rows[0]["score"].is_empty());
    // other commands: one row per finding, the same quoting
    let (_, out, _) = run(home.path(), &["anomalies", "--format", "csv"]);
    let rows = python_csv(&out);
    assert!(!rows.is_empty(), "{out}");
    assert!(rows.iter().all(|r| r["command"] == "anomalies"), "{out}");
}
