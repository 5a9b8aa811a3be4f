//! Issue 18 item 2, "no panic, ever": extreme numbers from a flag, a config or a history line are
//! refused where they enter (exit 3 naming the place) or skipped, never a panic.

use crate::common::*;
use serde_json::json;

fn refused(home: &std::path::Path, args: &[&str], place: &str) {
    let (code, out, err) = run(home, args);
    assert_eq!(code, 3, "{args:?}\n{out}\n{err}");
    assert!(err.contains(place), "{args:?}: {place:?} not in {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_config_timeout_out_of_range_is_exit_3_naming_the_place() {
    let home = tempdir();
    for (i, (cfg, place)) in [
        (
            json!({"mcpServers": {"a": {"url": "http://127.0.0.1:9/mcp", "timeout": 1e300}}}),
            "mcpServers.a.timeout",
        ),
        (
            json!({"mcpServers": {"a": {"url": "http://127.0.0.1:9/mcp", "timeout": 1e19}}}),
            "mcpServers.a.timeout",
        ),
        (
            json!({"defaults": {"timeout": 1e300}, "mcpServers": {"a": {"url": "http://127.0.0.1:9/mcp"}}}),
            "defaults.timeout",
        ),
        (
            json!({"defaults": {"timeout": "9999d"}, "mcpServers": {"a": {"url": "http://127.0.0.1:9/mcp"}}}),
            "defaults.timeout",
        ),
        (
            json!({"mcpServers": {"a": {"command": "npx", "startup_timeout": "1e300"}}}),
            "mcpServers.a.startup_timeout",
        ),
        (
            json!({"targets": {"a": {"command": "npx", "startup_timeout": "-1s"}}}),
            "targets.a.startup_timeout",
        ),
        (
            json!({"defaults": {"startup_timeout": 1e300}, "targets": {"a": {"command": "npx"}}}),
            "defaults.startup_timeout",
        ),
        (
            json!({"defaults": {"startup_timeout": "2d"}, "targets": {"a": {"command": "npx"}}}),
            "defaults.startup_timeout",
        ),
    ]
    .iter()
    .enumerate()
    {
        let path = home.path().join(format!("c{i}.json"));
        std::fs::write(&path, cfg.to_string()).unwrap();
        let path = path.to_str().unwrap();
        refused(home.path(), &["health", "-c", path], place);
    }
}

#[test]
fn huge_or_non_finite_numeric_flags_are_exit_3() {
    let home = tempdir();
    let url = "http://127.0.0.1:9/mcp";
    refused(
        home.path(),
        &["health", "--timeout", "2d", url],
        "--timeout",
    );
    refused(
        home.path(),
        &["health", "--timeout", "99999999999", url],
        "--timeout",
    );
    refused(
        home.path(),
        &["health", "--startup-timeout", "2d", url],
        "--startup-timeout",
    );
    refused(
        home.path(),
        &["health", "--startup-timeout", "NaN", url],
        "--startup-timeout",
    );
    refused(home.path(), &["measure", "-q", "1e-300", url], "--rate");
    refused(home.path(), &["measure", "-q", "NaN", url], "--rate");
    refused(home.path(), &["measure", "-q", "1e400", url], "--rate");
    refused(
        home.path(),
        &["alerts", "--critical", "response_time_ms=NaN", url],
        "response_time_ms=NaN",
    );
    refused(
        home.path(),
        &["alerts", "--warning", "response_time_ms=inf", url],
        "response_time_ms=inf",
    );
    refused(
        home.path(),
        &["alerts", "--critical", "x=NaN", url],
        "x=NaN",
    );
    refused(
        home.path(),
        &["health", "--warn-ms", "NaN", url],
        "--warn-ms",
    );
    refused(
        home.path(),
        &["health", "--crit-ms", "1e400", url],
        "--crit-ms",
    );
    refused(
        home.path(),
        &["record", "--once", "--interval", "0.0000001", url],
        "--interval",
    );
}

/// A hub once reported a server up for 1e20 s, then 1 s: every `anomalies` run over that window
/// used to abort on the restart's time arithmetic.
#[test]
fn anomalies_and_the_daily_summary_survive_an_absurd_hub_uptime_in_history() {
    let home = tempdir();
    let dir = home.path().join(".state/mcpmon/history");
    std::fs::create_dir_all(&dir).unwrap();
    let now = chrono::Utc::now();
    let mut text = String::new();
    for (k, up) in [
        json!(1e20),
        json!(1.0),
        json!(1e300),
        json!(-5.0),
        json!(20.0),
    ]
    .iter()
    .enumerate()
    {
        let at = now - chrono::Duration::minutes(50 - 10 * k as i64);
        let r = json!({"v": 1, "at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                       "source": "record:full", "target": "hub", "kind": "hub", "status": "ok",
                       "duration_ms": 5.0, "metrics": {"liveness": 5.0},
                       "uptime_s": {"everything": up}});
        text.push_str(&format!("{r}\n"));
    }
    // one file per day the lines fall in (near midnight they straddle two)
    for line in text.lines() {
        let day = &serde_json::from_str::<serde_json::Value>(line).unwrap()["at"]
            .as_str()
            .unwrap()[..10]
            .to_string();
        let path = dir.join(format!("{day}.jsonl"));
        let mut old = std::fs::read_to_string(&path).unwrap_or_default();
        old.push_str(line);
        old.push('\n');
        std::fs::write(&path, old).unwrap();
    }
    for args in [
        &["anomalies", "--format", "json"][..],
        &["anomalies"][..],
        &["daily-summary", "--since", "2h"][..],
    ] {
        let (code, out, err) = run(home.path(), args);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            (0..=2).contains(&code),
            "{args:?}: exit {code}\n{out}\n{err}"
        );
    }
}
