//! Log patterns and log sources: named regexes counted over the lines a file gained since the last run
//! (the first run reads the tail; truncation and rotation count the new file), over a command's output
//! (run without a shell, under the deadline, capped, reaped) and over stdin.

use crate::common::*;
use serde_json::{Value, json};
use std::io::Write as _;
use std::path::Path;

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// A config file in `home` with these targets; returns its path.
fn config(home: &Path, targets: Value) -> String {
    let path = home.join("mcpmon.json");
    std::fs::write(&path, json!({ "targets": targets }).to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

/// A finding's value.
fn val(f: &Value) -> f64 {
    f["value"].as_f64().unwrap_or(f64::NAN)
}

fn log_obs(doc: &Value) -> &Value {
    doc["observations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "log")
        .unwrap_or_else(|| panic!("no log observation in {doc:#}"))
}

/// The source documents' grep: `grep -E "UNAUTHORIZED|FAILED"`, WARN from 1 line, CRIT from 5.
fn unauthorized(path: &str) -> Value {
    json!({ "app": { "log": { "path": path,
        "patterns": [ { "name": "unauthorized", "regex": "UNAUTHORIZED|FAILED", "warn": 1, "crit": 5 } ] } } })
}

#[test]
fn patterns_count_the_lines_new_since_the_last_run_through_truncation_and_rotation() {
    let home = tempdir();
    let state = home.path().join("state");
    let log = home.path().join("app.log");
    let cfg = config(home.path(), unauthorized("app.log"));
    let run = || {
        health_json(
            home.path(),
            &["--config", &cfg, "--state-dir", state.to_str().unwrap()],
        )
    };
    // first look: the tail, two old failures
    std::fs::write(
        &log,
        "INFO start\nERROR FAILED login alice\nINFO ok\nERROR FAILED login bob\n",
    )
    .unwrap();
    let (code, doc) = run();
    let f = finding(&doc, "app", "pattern:unauthorized");
    assert_eq!((code, &f["status"]), (1, &json!("warn")), "{doc:#}");
    assert_eq!(val(f), 2.0);
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("first look"), "{msg}");
    assert!(msg.contains("newest: ERROR FAILED login bob"), "{msg}");
    assert_eq!(log_obs(&doc)["window"], "first_look");

    // nothing written since: no new line, OK
    let (code, doc) = run();
    let f = finding(&doc, "app", "pattern:unauthorized");
    assert_eq!(
        (code, &f["status"], val(f)),
        (0, &json!("ok"), 0.0),
        "{doc:#}"
    );
    assert_eq!(log_obs(&doc)["window"], "new");

    // six new lines, five of them matching: CRIT, counted over the new lines only, the token masked
    append(
        &log,
        concat!(
            "WARN UNAUTHORIZED /mcp from 10.0.0.1\n",
            "WARN UNAUTHORIZED /mcp from 10.0.0.2\n",
            "INFO healthy\n",
            "ERROR FAILED sync\n",
            "WARN UNAUTHORIZED /mcp from 10.0.0.3\n",
            "WARN UNAUTHORIZED /mcp token=s3cr3tvalue42 from 10.0.0.4\n",
        ),
    );
    let (code, doc) = run();
    let f = finding(&doc, "app", "pattern:unauthorized");
    assert_eq!(
        (code, &f["status"], val(f)),
        (2, &json!("crit"), 5.0),
        "{doc:#}"
    );
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.starts_with(
            "unauthorized: 5 new lines match UNAUTHORIZED|FAILED (of 6 lines since the last look"
        ),
        "{msg}"
    );
    assert!(msg.contains("crit ≥ 5"), "{msg}");
    assert!(msg.contains("token=***"), "{msg}");
    assert!(!doc.to_string().contains("s3cr3tvalue42"), "{doc:#}");
    assert_eq!(log_obs(&doc)["window_lines"], 6);

    // a line still being written is counted once, when it is complete
    append(&log, "ERROR FAILED half a li");
    let (_, doc) = run();
    assert_eq!(
        val(finding(&doc, "app", "pattern:unauthorized")),
        0.0,
        "{doc:#}"
    );
    append(&log, "ne\n");
    let (code, doc) = run();
    let f = finding(&doc, "app", "pattern:unauthorized");
    assert_eq!((code, val(f)), (1, 1.0), "{doc:#}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("newest: ERROR FAILED half a line")
    );

    // truncated in place: every line of what is there now is new
    std::fs::write(&log, "ERROR FAILED after restart\n").unwrap();
    let (_, doc) = run();
    let f = finding(&doc, "app", "pattern:unauthorized");
    assert_eq!((&f["status"], val(f)), (&json!("warn"), 1.0), "{doc:#}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("rotated or truncated")
    );
    assert_eq!(log_obs(&doc)["window_rotated"], true);

    // rotated: a new, clean file at the same path
    std::fs::rename(&log, home.path().join("app.log.1")).unwrap();
    std::fs::write(&log, "INFO fresh start\nINFO all good\n").unwrap();
    let (code, doc) = run();
    let f = finding(&doc, "app", "pattern:unauthorized");
    assert_eq!(
        (code, &f["status"], val(f)),
        (0, &json!("ok"), 0.0),
        "{doc:#}"
    );
    assert_eq!(log_obs(&doc)["window_rotated"], true);
    assert_eq!(log_obs(&doc)["window_lines"], 2);
}

#[test]
fn window_tail_counts_the_last_entries_every_time() {
    let home = tempdir();
    let state = home.path().join("state");
    std::fs::write(home.path().join("app.log"), "ERROR FAILED one\nINFO ok\n").unwrap();
    let cfg = config(
        home.path(),
        json!({ "app": { "log": { "path": "app.log", "window": "tail",
            "patterns": [ { "name": "failed", "regex": "FAILED", "warn": 1 } ] } } }),
    );
    for _ in 0..2 {
        let (code, doc) = health_json(
            home.path(),
            &["--config", &cfg, "--state-dir", state.to_str().unwrap()],
        );
        assert_eq!(code, 1, "{doc:#}");
        assert_eq!(log_obs(&doc)["window"], "tail");
        assert!(
            finding(&doc, "app", "pattern:failed")["message"]
                .as_str()
                .unwrap()
                .contains("of the last 2 entries")
        );
    }
}

#[test]
fn a_bad_regex_is_a_config_error_at_its_key() {
    let home = tempdir();
    let cfg = config(
        home.path(),
        json!({ "app": { "log": { "path": "app.log",
            "patterns": [ { "name": "x", "regex": "UNAUTHORIZED|(FAILED" } ] } } }),
    );
    let (code, out, err) = run(home.path(), &["health", "--config", &cfg]);
    assert_eq!(code, 3, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(
            "targets.app.log.patterns[0].regex: not a valid regular expression: unclosed group"
        ),
        "{err}"
    );
    let (code, _, err) = run(
        home.path(),
        &["health", "--log", "a.log", "--log-pattern", "x=(a"],
    );
    assert_eq!(code, 3);
    assert!(
        err.contains("--log-pattern x: not a valid regular expression"),
        "{err}"
    );
}

fn python(code: &str) -> Vec<String> {
    vec!["python3".into(), "-c".into(), code.into()]
}

#[test]
fn a_command_source_is_counted_over_what_it_printed() {
    let home = tempdir();
    let cfg = config(
        home.path(),
        json!({
            "jd": { "log": { "command": python("print('INFO up'); print('ERROR FAILED to sync'); print('WARN UNAUTHORIZED', end='')"),
                             "patterns": [ { "name": "unauthorized", "regex": "UNAUTHORIZED|FAILED", "warn": 1, "crit": 2 } ] } },
            "quiet": { "log": { "command": python("print('INFO all good')"),
                                "patterns": [ { "name": "unauthorized", "regex": "UNAUTHORIZED|FAILED", "warn": 1 } ] } }
        }),
    );
    let (code, doc) = health_json(home.path(), &["--config", &cfg]);
    assert_eq!(code, 2, "{doc:#}");
    let f = finding(&doc, "jd", "pattern:unauthorized");
    assert_eq!((&f["status"], val(f)), (&json!("crit"), 2.0));
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("2 lines match UNAUTHORIZED|FAILED (of 3 lines of its output"),
        "{msg}"
    );
    assert!(msg.contains("newest: WARN UNAUTHORIZED"), "{msg}");
    let quiet = finding(&doc, "quiet", "pattern:unauthorized");
    assert_eq!((&quiet["status"], val(quiet)), (&json!("ok"), 0.0));
    let o = log_obs(&doc);
    assert_eq!(o["source"], "command");
    assert_eq!(o["window"], "output");
    // a command's output has no size or growth to judge, and leaves no mark
    assert!(
        doc["findings"].as_array().unwrap().iter().all(
            |f| f["target"] != "jd" || (f["check"] != "log_size" && f["check"] != "log_growth")
        )
    );
    let marks = home.path().join(".state/mcpmon/log-marks.json");
    assert!(!marks.exists(), "no marks for commands");
}

#[test]
fn a_failing_command_is_critical_with_its_stderr() {
    let home = tempdir();
    let cfg = config(
        home.path(),
        json!({
            "jd": { "log": { "command": python("import sys; print('partial'); sys.stderr.write('Failed to add match: unit mcp not found\\n'); sys.exit(1)") } },
            "gone": { "log": { "command": ["/nonexistent/journalctl", "-u", "mcp"] } }
        }),
    );
    let (code, doc) = health_json(home.path(), &["--config", &cfg]);
    assert_eq!(code, 2, "{doc:#}");
    let f = finding(&doc, "jd", "log");
    assert_eq!(
        (&f["status"], &f["reason"]),
        (&json!("crit"), &json!("log_command_failed"))
    );
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("exited with status 1: Failed to add match: unit mcp not found"),
        "{msg}"
    );
    assert_eq!(finding(&doc, "gone", "log")["reason"], "command_not_found");
}

/// Runs `health` of one target `jd` whose `log` (the other keys of `log`) has the command
/// `python3 -c code MARKER`; returns the exit code and the document, after checking that nothing with
/// the marker is left running.
fn run_marked_command(name: &str, code: &str, timeout: &str, log: Value) -> (i32, Value) {
    let home = tempdir();
    let mark = marker(name);
    let mut argv = python(code);
    argv.push(mark.clone());
    let mut log = log;
    log["command"] = json!(argv);
    let cfg = config(
        home.path(),
        json!({ "jd": { "timeout": timeout, "log": log } }),
    );
    let (code, doc) = health_json(home.path(), &["--config", &cfg]);
    assert_eq!(
        live_processes_with(&mark),
        Vec::<u32>::new(),
        "the command is gone"
    );
    (code, doc)
}

#[test]
fn a_command_that_hangs_is_stopped_at_the_deadline_and_reaped() {
    let (code, doc) = run_marked_command(
        "log-hang",
        "import time; print('INFO waiting', flush=True); time.sleep(300)",
        "1s",
        json!({}),
    );
    assert_eq!(code, 2, "{doc:#}");
    let f = finding(&doc, "jd", "log");
    assert_eq!(f["reason"], "timeout", "{doc:#}");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("did not finish before the deadline"), "{msg}");
    assert!(msg.contains("killed and reaped"), "{msg}");
}

#[test]
fn a_command_that_prints_without_end_is_cut_and_its_end_counted() {
    let (code, doc) = run_marked_command(
        "log-flood",
        "import sys\nb = b'INFO flood line FAILED\\n' * 65536\nwhile True: sys.stdout.buffer.write(b)",
        "60s",
        json!({ "patterns": [ { "name": "failed", "regex": "FAILED", "warn": 1 } ] }),
    );
    assert_eq!(code, 1, "{doc:#}");
    let out = &log_obs(&doc)["output"];
    assert_eq!(out["cut"], true, "{doc:#}");
    assert_eq!(out["capped"], true);
    assert!(out["bytes"].as_u64().unwrap() >= 256 * 1024 * 1024, "{out}");
    assert!(
        out["kept_bytes"].as_u64().unwrap() <= 4 * 1024 * 1024,
        "{out}"
    );
    let f = finding(&doc, "jd", "log_output");
    assert_eq!(f["status"], "warn");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("does it follow the log?")
    );
    // what was kept was counted: whole lines only
    let hits = val(finding(&doc, "jd", "pattern:failed")) as u64;
    let lines = log_obs(&doc)["window_lines"].as_u64().unwrap();
    assert_eq!(hits, lines);
    assert!(hits > 100_000, "{hits}");
}

#[test]
fn stdin_is_a_log_source() {
    let home = tempdir();
    let run_stdin = |input: &str| {
        let out = mcpmon(home.path())
            .args([
                "health",
                "--format",
                "json",
                "--log",
                "-",
                "--log-pattern",
                "unauthorized=UNAUTHORIZED|FAILED",
            ])
            .write_stdin(input)
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap(), doc)
    };
    let (code, doc) = run_stdin("INFO ok\nERROR FAILED login\nINFO fine\n");
    assert_eq!(code, 1, "{doc:#}");
    let f = finding(&doc, "log stdin", "pattern:unauthorized");
    assert_eq!((&f["status"], val(f)), (&json!("warn"), 1.0));
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("newest: ERROR FAILED login")
    );
    assert_eq!(log_obs(&doc)["source"], "stdin");
    let (code, doc) = run_stdin("INFO ok\nINFO fine\n");
    assert_eq!(code, 0, "{doc:#}");
}

/// The log observation's JSON keys, every one required: a renamed or removed key fails here.
#[test]
fn the_log_observation_matches_its_documented_keys() {
    let home = tempdir();
    std::fs::write(home.path().join("app.log"), "ERROR FAILED x\n").unwrap();
    let cfg = config(
        home.path(),
        json!({
            "app": { "log": { "path": "app.log",
                "patterns": [ { "name": "failed", "regex": "FAILED", "warn": 1 } ] } },
            "jd": { "log": { "command": python("print('FAILED y')"),
                "patterns": [ { "name": "failed", "regex": "FAILED", "crit": 1 } ] } }
        }),
    );
    let (_, doc) = health_json(home.path(), &["--config", &cfg]);
    let obs = doc["observations"].as_array().unwrap();
    assert_eq!(obs.len(), 2, "{doc:#}");
    // the keys are the published schema's (closed objects: a renamed or new key fails)
    crate::schema::assert_valid(&doc);
    for o in obs {
        assert_eq!(o["matches"].as_array().map(Vec::len), Some(1), "{o:#}");
        assert_eq!(o["matches"][0]["count"], 1, "{o:#}");
        assert_eq!(o["output"].is_object(), o["source"] == "command", "{o:#}");
    }
}
