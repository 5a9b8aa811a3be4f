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
