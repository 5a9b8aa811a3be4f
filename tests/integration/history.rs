//! History: `record` (once, light and full, until SIGTERM), `health --record` and `validate --record`,
//! and concurrent writers that never tear a line.

use crate::common::*;
use serde_json::Value;
use std::io::BufRead;
use std::path::{Path, PathBuf};

fn history_lines(home: &Path) -> Vec<Value> {
    let dir = home.join(".state/mcpmon/history");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(text.ends_with('\n'), "{} ends mid-line", f.display());
        for line in text.lines() {
            out.push(
                serde_json::from_str(line).unwrap_or_else(|e| {
                    panic!("{}: torn or corrupt line {line:?}: {e}", f.display())
                }),
            );
        }
    }
    out
}

fn quiet_log(home: &Path) -> PathBuf {
    let path = home.join("app.log");
    std::fs::write(&path, "{\"level\":\"info\",\"msg\":\"up\"}\n").unwrap();
    path
}

#[test]
fn record_once_appends_a_full_round_and_echoes_one_json_line() {
    let home = tempdir();
    let (code, out, err) = run(
        home.path(),
        &["record", "--once", peer("EVERYTHING_HTTP_URL")],
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    let echoed: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(echoed["command"], "record");
    let recs = history_lines(home.path());
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r["v"], 1);
    assert_eq!(r["source"], "record:full");
    assert_eq!(r["kind"], "mcp");
    assert_eq!(r["status"], "ok");
    assert_eq!(
        r["target"],
        peer("EVERYTHING_HTTP_URL").trim_start_matches("http://")
    );
    assert!(r["metrics"]["liveness"].as_f64().unwrap() > 0.0, "{r}");
    assert_eq!(r["metrics"]["tools"], 13.0);
    let tools = r["tools"]
        .as_object()
        .expect("a full round keeps the tool schemas");
    assert_eq!(tools.len(), 13);
    assert!(tools.values().all(|h| h.as_str().unwrap().len() == 16));
    // the day file is named after the record's UTC day
    let day = &r["at"].as_str().unwrap()[..10];
    assert!(
        home.path()
            .join(format!(".state/mcpmon/history/{day}.jsonl"))
            .exists()
    );

    // a light round: liveness only, no lists
    let (code, _, err) = run(
        home.path(),
        &["record", "--once", "--light", peer("EVERYTHING_HTTP_URL")],
    );
    assert_eq!(code, 0, "{err}");
    let recs = history_lines(home.path());
    assert_eq!(recs.len(), 2, "appended, not rewritten");
    assert_eq!(recs[1]["source"], "record:light");
    assert!(recs[1].get("tools").is_none(), "{}", recs[1]);
    assert!(recs[1]["metrics"].get("tools").is_none(), "{}", recs[1]);
}

#[test]
fn health_and_validate_record_on_request() {
    let home = tempdir();
    let hub = peer("HUB_BROKEN_URL");
    let (code, _, _) = run(home.path(), &["health", "--record", "--hub", hub]);
    assert_eq!(code, 2);
    let (code, _, _) = run(home.path(), &["validate", "--record", "--hub", hub]);
    assert_eq!(code, 2);
    let (code, _, _) = run(home.path(), &["health", "--hub", hub]);
    assert_eq!(code, 2);
    let recs = history_lines(home.path());
    let sources: Vec<&str> = recs.iter().map(|r| r["source"].as_str().unwrap()).collect();
    assert_eq!(sources, ["health", "validate"], "only --record writes");
    let r = &recs[0];
    assert_eq!(r["kind"], "hub");
    assert_eq!(r["status"], "crit");
    assert_eq!(r["reason"], "server_disconnected");
    assert_eq!(r["servers"]["broken"], "disconnected");
    assert_eq!(r["servers"]["off"], "disabled");
    assert!(r["uptime_s"]["everything"].as_f64().unwrap() >= 0.0, "{r}");
}

#[test]
fn concurrent_record_runs_never_tear_or_lose_a_line() {
    let home = tempdir();
    let log = quiet_log(home.path());
    let runs = 8;
    let mut children: Vec<std::process::Child> = (0..runs)
        .map(|_| {
            mcpmon_process(home.path())
                .args([
                    "record",
                    "--once",
                    "--log",
                    log.to_str().unwrap(),
                    "--system",
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in &mut children {
        assert!(c.wait().unwrap().code().is_some());
    }
    let recs = history_lines(home.path());
    // each run writes one line for the log and one for the host
    assert_eq!(recs.len(), runs * 2);
    assert_eq!(recs.iter().filter(|r| r["kind"] == "log").count(), runs);
    assert_eq!(recs.iter().filter(|r| r["kind"] == "host").count(), runs);
}

/// `mcpmon record ARGS` until it has echoed `rounds` lines (each a `record` document), then SIGTERM:
/// its output once it has exited.
fn record_rounds(home: &Path, args: &[&str], rounds: usize) -> std::process::Output {
    let mut child = mcpmon_process(home)
        .arg("record")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    for _ in 0..rounds {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "record ended early"
        );
        let doc: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(doc["command"], "record");
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn record_runs_until_sigterm_then_says_what_it_wrote() {
    let home = tempdir();
    let log = quiet_log(home.path());
    // each round echoes one line: three of them, then stop it
    let out = record_rounds(
        home.path(),
        &[
            "--interval",
            "50ms",
            "--full-every",
            "1h",
            "--log",
            log.to_str().unwrap(),
            peer("EVERYTHING_HTTP_URL"),
        ],
        3,
    );
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    let said = err
        .lines()
        .find(|l| l.contains("stopped after"))
        .unwrap_or_else(|| panic!("{err}"));
    let recs = history_lines(home.path());
    let rounds: usize = said
        .split("stopped after ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(rounds >= 3, "{said}");
    assert!(
        said.contains(&format!("{} records written", recs.len())),
        "{said}"
    );
    // the first round is full (log + mcp), later ones light (mcp only: no log tail)
    assert_eq!(recs[0]["source"], "record:full");
    assert_eq!(recs[1]["source"], "record:full");
    assert!(
        recs[2..]
            .iter()
            .all(|r| r["source"] == "record:light" && r["kind"] == "mcp")
    );
    assert_eq!(recs.len(), 2 + (rounds - 1), "{said}");
}

#[test]
fn record_once_is_exit_3_when_history_cannot_be_written() {
    // the history dir is a file: nothing can be appended; from cron that must not read as OK
    let home = tempdir();
    let state = home.path().join(".state/mcpmon");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("history"), "not a directory").unwrap();
    let m = marker("record-unwritable");
    let args = with_stub(&["record", "--once"], "ok", &m);
    let (code, out, err) = run(home.path(), &args);
    assert_eq!(code, 3, "stdout: {out}\nstderr: {err}");
    assert!(err.contains("history"), "{err}");
    // the round itself still ran and was echoed
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn record_checks_each_target_at_its_own_interval() {
    // 000's cadences in small: `fast` on --interval, `slow` on its own `interval` of 6 hours
    let home = tempdir();
    let config = home.path().join("mcpmon.json");
    std::fs::write(
        &config,
        serde_json::json!({"targets": {
            "fast": {"url": peer("EVERYTHING_HTTP_URL")},
            "slow": {"url": peer("EVERYTHING_HTTP_URL"), "interval": "6h"}
        }})
        .to_string(),
    )
    .unwrap();
    let out = record_rounds(
        home.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--interval",
            "50ms",
            "--full-every",
            "1h",
        ],
        4,
    );
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    let recs = history_lines(home.path());
    let of = |t: &str| -> Vec<&Value> { recs.iter().filter(|r| r["target"] == t).collect() };
    // the first round checks both; after it only `fast` is due
    assert_eq!(of("slow").len(), 1, "{recs:#?}");
    assert_eq!(of("slow")[0]["source"], "record:full");
    assert!(of("fast").len() >= 4, "{recs:#?}");
    assert!(
        of("fast")[1..]
            .iter()
            .all(|r| r["source"] == "record:light")
    );
    assert!(err.contains("(slow every 6 h)"), "{err}");
}
