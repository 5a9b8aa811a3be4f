//! Silences and maintenance windows (issue 17 items 1 and 2), through the binary: `silence add|list|rm`
//! in the state dir, a silenced alert shown but neither notified nor counted in the exit code, the page
//! going out once the silence ends (removed, or expired), `--ignore-silences`, and a maintenance window
//! of the config muting its target while open, with `validate` showing it. The notification receiver is a
//! command hook appending what it is sent; the bad check is a log with too many errors (WARN).

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

struct Setup {
    home: tempfile::TempDir,
    state: PathBuf,
    log: PathBuf,
    hook_out: PathBuf,
    notify: String,
}

fn setup() -> Setup {
    let home = tempdir();
    let state = home.path().join("state");
    let log = home.path().join("app.log");
    errors_log(&log, 20); // 20 errors > 10: log_errors WARN
    let hook = home.path().join("hook.sh");
    let hook_out = home.path().join("hook.jsonl");
    std::fs::write(&hook, "cat >> \"$1\"; echo >> \"$1\"\n").unwrap();
    let notify = format!("command:/bin/sh {} {}", hook.display(), hook_out.display());
    Setup {
        home,
        state,
        log,
        hook_out,
        notify,
    }
}

impl Setup {
    fn alerts(&self, extra: &[&str]) -> (i32, Value) {
        let mut args = vec![
            "--log",
            self.log.to_str().unwrap(),
            "--notify",
            self.notify.as_str(),
        ];
        args.extend_from_slice(extra);
        let (code, doc, _) = alerts_json(self.home.path(), &self.state, &args);
        (code, doc)
    }

    /// `mcpmon alerts` (table) with ARGS, on this state dir.
    fn alerts_table(&self, args: &[&str]) -> (i32, String, String) {
        let mut all = vec!["alerts", "--state-dir", self.state.to_str().unwrap()];
        all.extend_from_slice(args);
        run(self.home.path(), &all)
    }

    fn silence(&self, args: &[&str]) -> (i32, String, String) {
        let mut all = vec!["silence", "--state-dir", self.state.to_str().unwrap()];
        all.extend_from_slice(args);
        run(self.home.path(), &all)
    }

    /// The events each notification the hook received carried, one list per notification.
    fn notified(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(&self.hook_out)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| events(&serde_json::from_str(l).unwrap(), &["check"]))
            .collect()
    }
}

fn log_errors(doc: &Value) -> &Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "log_errors")
        .unwrap_or_else(|| panic!("no log_errors finding: {doc:#}"))
}

fn add(s: &Setup, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json", "add"];
    all.extend_from_slice(args);
    let (code, out, err) = s.silence(&all);
    assert_eq!(code, 0, "{out}{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn a_silence_mutes_notify_and_exit_code_until_it_is_removed() {
    let s = setup();
    // healthy side first: the check fires and pages without a silence
    let (code, doc) = s.alerts(&["--dry-run"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(s.notified(), [["firing log_errors"]]);
    std::fs::remove_file(&s.hook_out).unwrap();
    let added = add(
        &s,
        &["log *", "--for", "2h", "--comment", "log rotation, OPS-7"],
    );
    let id = added["silences"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 8, "{added:#}");
    assert_eq!(added["silences"][0]["matches"], "log *");
    assert!(added["silences"][0]["remaining_s"].as_i64().unwrap() > 7000);

    // silenced: shown, not notified, exit 0
    let (code, doc) = s.alerts(&[]);
    assert_eq!(code, 0, "a silenced alert does not count: {doc:#}");
    let f = log_errors(&doc);
    assert_eq!(f["status"], "ok");
    assert_eq!(f["silenced"]["status"], "warn");
    assert_eq!(f["silenced"]["by"], format!("silence {id}"));
    assert_eq!(f["silenced"]["comment"], "log rotation, OPS-7");
    assert!(doc["events"].as_array().unwrap().is_empty(), "{doc:#}");
    assert!(s.notified().is_empty(), "nothing sent while silenced");
    // the table says SILENCED, with the comment and the end
    let (code, out, _) = s.alerts_table(&["--log", s.log.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("┆ SILENCED ┆"), "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("SILENCED WARN"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.contains(&format!("silence {id} until ")) && line.ends_with(": log rotation, OPS-7)"),
        "{line}"
    );
    // the raw verdict on demand
    let (code, _) = s.alerts(&["--ignore-silences", "--dry-run"]);
    assert_eq!(code, 1);
    assert_eq!(s.notified(), [["firing log_errors"]], "and it notifies");
    std::fs::remove_file(&s.hook_out).unwrap();

    // list shows it; rm ends it; the next run pages once
    let (code, out, _) = s.silence(&["--format", "json", "list"]);
    assert_eq!(code, 0);
    let list: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list["silences"][0]["id"], id.as_str());
    let (code, out, err) = s.silence(&["rm", &id[..5]]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, doc) = s.alerts(&[]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(log_errors(&doc)["silenced"].is_null());
    assert_eq!(s.notified(), [["firing log_errors"]]);
    let (code, _) = s.alerts(&[]);
    assert_eq!(code, 1);
    assert_eq!(s.notified().len(), 1, "told once");
    // an unknown id is a clear error, exit 3
    let (code, _, err) = s.silence(&["rm", &id]);
    assert_eq!(code, 3);
    assert!(err.contains("no silence"), "{err}");
}

#[test]
fn an_expired_silence_no_longer_mutes_and_is_not_listed() {
    let s = setup();
    add(&s, &["log app.log/log_errors", "--for", "1h"]);
    assert_eq!(s.alerts(&[]).0, 0);
    // the hour has passed (the file as it would be then; no waiting in a test)
    let path = s.state.join("silences.json");
    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    file["silences"][0]["ends_at"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(&path, file.to_string()).unwrap();
    let (code, doc) = s.alerts(&[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(s.notified(), [["firing log_errors"]]);
    let (_, out, _) = s.silence(&["list"]);
    assert!(out.contains("no silences in force"), "{out}");
}

#[test]
fn silence_add_refuses_bad_input_with_exit_3() {
    let s = setup();
    for args in [
        vec!["add", "api"],
        vec!["add", "api", "--for", "soon"],
        vec!["add", "api", "--until", "tomorrow"],
        vec!["add", "api", "--until", "2020-01-01T00:00:00Z"],
        vec![
            "add",
            "api",
            "--for",
            "1h",
            "--until",
            "2030-01-01T00:00:00Z",
        ],
    ] {
        let (code, out, err) = s.silence(&args);
        assert_eq!(code, 3, "{args:?}: {out}{err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
}

fn config(dir: &Path, log: &Path, window: &str) -> PathBuf {
    let path = dir.join("mcpmon.json");
    std::fs::write(
        &path,
        format!(
            r#"{{ "targets": {{ "app": {{ "log": {:?}, "maintenance": [{window}] }} }} }}"#,
            log.to_str().unwrap()
        ),
    )
    .unwrap();
    path
}

/// `validate`'s `maintenance` message for the one target of `cfg`.
fn validate_maintenance(s: &Setup, cfg: &str) -> String {
    let (code, out, _) = run(s.home.path(), &["validate", "-c", cfg, "--format", "json"]);
    assert!(code <= 1, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let m = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "maintenance")
        .unwrap_or_else(|| panic!("no maintenance finding: {v:#}"));
    assert_eq!(m["section"], "config");
    m["message"].as_str().unwrap().to_string()
}

#[test]
fn an_open_maintenance_window_mutes_its_target_and_validate_shows_it() {
    let s = setup();
    // open now (from the past to far ahead): muted
    let cfg = config(
        s.home.path(),
        &s.log,
        r#"{"from": "2020-01-01T00:00:00Z", "until": "2099-01-01T00:00:00Z"}"#,
    );
    let c = cfg.to_str().unwrap();
    let (code, doc, _) = alerts_json(s.home.path(), &s.state, &["-c", c, "--notify", &s.notify]);
    assert_eq!(code, 0, "{doc:#}");
    let f = log_errors(&doc);
    assert_eq!(
        f["silenced"]["by"],
        "maintenance 2020-01-01T00:00:00Z to 2099-01-01T00:00:00Z"
    );
    assert!(s.notified().is_empty());
    let msg = validate_maintenance(&s, c);
    assert!(
        msg.starts_with("maintenance window open until 2099-01-01T00:00:00Z"),
        "{msg}"
    );

    // closed (it has passed): the alert pages
    let cfg = config(
        s.home.path(),
        &s.log,
        r#"{"from": "2020-01-01T00:00:00Z", "for": "1h"}"#,
    );
    let (code, doc, _) = alerts_json(
        s.home.path(),
        &s.state,
        &["-c", cfg.to_str().unwrap(), "--notify", &s.notify],
    );
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(s.notified(), [["firing log_errors"]]);

    // a recurring one: validate names the next opening
    let cfg = config(
        s.home.path(),
        &s.log,
        r#"{"every": "sun", "from": "02:00", "for": "1h", "tz": "Europe/Berlin"}"#,
    );
    let msg = validate_maintenance(&s, cfg.to_str().unwrap());
    assert!(
        msg.contains("sun 02:00 for 1h (Europe/Berlin)")
            && (msg.starts_with("next maintenance window ")
                || msg.starts_with("maintenance window open")),
        "{msg}"
    );

    // a misspelt zone is a config error naming the place, exit 3
    let cfg = config(
        s.home.path(),
        &s.log,
        r#"{"every": "sun", "from": "02:00", "for": "1h", "tz": "Europe/Berln"}"#,
    );
    let (code, _, err) = s.alerts_table(&["-c", cfg.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert!(
        err.contains("targets.app.maintenance") && err.contains("did you mean Europe/Berlin?"),
        "{err}"
    );
}

#[test]
fn a_real_hub_server_down_is_silenced_by_a_glob_and_a_healthy_peer_stays_plain_ok() {
    let s = setup();
    let healthy = peer("EVERYTHING_HTTP_URL");
    let hub = peer("HUB_BROKEN_URL");
    let args = ["--hub", hub, healthy, "--notify", s.notify.as_str()];
    // not silenced: the hub's broken server is CRIT and pages
    let (code, doc, _) = alerts_json(s.home.path(), &s.state, &args);
    assert_eq!(code, 2, "{doc:#}");
    assert_eq!(s.notified(), [["firing server:broken"]]);
    // silenced by a glob on the hub's checks: shown, quiet, exit 0; the healthy peer is plain OK
    add(
        &s,
        &["hub */server:*", "--for", "30m", "--comment", "hub upgrade"],
    );
    let (code, doc, _) = alerts_json(s.home.path(), &s.state, &args);
    assert_eq!(code, 0, "{doc:#}");
    let findings = doc["findings"].as_array().unwrap();
    let broken = findings
        .iter()
        .find(|f| f["check"] == "server:broken")
        .unwrap();
    assert_eq!(broken["silenced"]["status"], "crit", "{broken}");
    assert_eq!(broken["silenced"]["comment"], "hub upgrade");
    let plain: Vec<&Value> = findings
        .iter()
        .filter(|f| !f["target"].as_str().unwrap().starts_with("hub "))
        .collect();
    assert!(!plain.is_empty());
    assert!(
        plain
            .iter()
            .all(|f| f["status"] == "ok" && f.get("silenced").is_none()),
        "{plain:#?}"
    );
    assert_eq!(s.notified().len(), 1, "nothing more sent");
}
