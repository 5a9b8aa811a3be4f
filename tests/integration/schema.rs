//! schema/report.v1.json (JSON Schema draft 2020-12) against real output: every command's `--format json`
//! (and `jsonl`) document from runs against the real peers, and every JSON insta snapshot of the
//! renderers, validated by the `jsonschema` package (the peers' venv, `scripts/validate-json.py`).
//! The schema must also reject drift: a renamed key, an unknown key, an unknown status or reason.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Runs scripts/validate-json.py on `files`: (exit code, its report).
fn validate(files: &[PathBuf]) -> (i32, String) {
    let out = std::process::Command::new(peer("PEERS_PYTHON"))
        .arg(root().join("scripts/validate-json.py"))
        .arg(root().join("schema/report.v1.json"))
        .args(files)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Asserts that `doc` is valid under the schema (for the tests of a feature's own JSON keys).
pub fn assert_valid(doc: &Value) {
    let dir = tempdir();
    let file = write_json(dir.path(), "doc.json", doc);
    let (code, report) = validate(&[file]);
    assert_eq!(
        code, 0,
        "not valid under schema/report.v1.json: {report}\n{doc:#}"
    );
}

/// Runs mcpmon with `args`, checks the exit code, and keeps its stdout as `dir/name`.
fn keep(home: &Path, dir: &Path, name: &str, args: &[&str], codes: &[i32]) -> PathBuf {
    let (code, stdout, stderr) = run(home, args);
    assert!(
        codes.contains(&code),
        "mcpmon {args:?}: exit {code}\n{stdout}\n{stderr}"
    );
    assert!(!stdout.trim().is_empty(), "mcpmon {args:?}: no output");
    let path = dir.join(name);
    std::fs::write(&path, stdout).unwrap();
    path
}

/// The real documents of every command that writes one, against the peers.
fn real_documents(home: &Path, dir: &Path) -> Vec<PathBuf> {
    let http = peer("EVERYTHING_HTTP_URL");
    let port = http
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .unwrap();
    let tcp = format!("tcp://127.0.0.1:{port}");
    let process = format!("port:{port}");
    let down = format!("http://127.0.0.1:{}/mcp", closed_port());
    let mut health: Vec<&str> = vec![
        "health",
        http,
        peer("PY_HTTP_URL"),
        peer("EVERYTHING_SSE_URL"),
        &tcp,
        "--hub",
        peer("HUB_BROKEN_URL"),
        "--health-url",
        peer("HUB_HEALTH_URL"),
        "--log",
        peer("HUB_LOG"),
        "--process",
        &process,
        "--system",
        "--call",
        "echo {\"message\": \"hi\"}",
        "--",
    ];
    health.extend(peer_cmd("EVERYTHING_STDIO_CMD"));
    let mut files = Vec::new();
    let mut json = health.clone();
    json.splice(1..1, ["--format", "json"]);
    files.push(keep(home, dir, "health.json", &json, &[0, 1, 2]));
    let mut jsonl = health;
    jsonl.splice(1..1, ["--format", "jsonl"]);
    files.push(keep(home, dir, "health.jsonl", &jsonl, &[0, 1, 2]));
    let runs: [(&str, Vec<&str>, &[i32]); 9] = [
        (
            "alerts.json",
            vec!["alerts", "-f", "json", http, &down],
            &[2],
        ),
        (
            "measure.json",
            vec!["measure", "-f", "json", http, "-n", "20", "-j", "2"],
            &[0],
        ),
        (
            "validate.json",
            vec!["validate", "-f", "json", "--strict", http],
            &[0, 1],
        ),
        (
            "record.jsonl",
            vec!["record", "--once", http, peer("PY_HTTP_URL")],
            &[0],
        ),
        (
            "anomalies.json",
            vec!["anomalies", "-f", "json", http],
            &[0, 1],
        ),
        (
            "daily-summary.json",
            vec!["daily-summary", "-f", "json", "--since", "1d"],
            &[0, 1, 2],
        ),
        (
            "targets.json",
            vec!["targets", "-f", "json", http, "--hub", peer("HUB_URL")],
            &[0],
        ),
        (
            "silence-add.json",
            vec![
                "silence",
                "add",
                "web-*",
                "--for",
                "1h",
                "--comment",
                "deploy",
                "-f",
                "json",
            ],
            &[0],
        ),
        (
            "silence-list.jsonl",
            vec!["silence", "list", "-f", "jsonl"],
            &[0],
        ),
    ];
    for (name, args, codes) in runs {
        files.push(keep(home, dir, name, &args, codes));
    }
    files
}

/// The insta snapshots that hold a JSON document (or a `--- Json` section).
fn json_snapshots() -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in [
        "src/report/snapshots",
        "src/commands/snapshots",
        "src/config/snapshots",
    ] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if path.extension().is_some_and(|x| x == "snap") && text.contains("\"schema_version\"")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn schema_accepts_the_real_output_of_every_command_and_every_json_snapshot() {
    let home = tempdir();
    let out = tempdir();
    let mut files = real_documents(home.path(), out.path());
    let snapshots = json_snapshots();
    assert!(snapshots.len() >= 10, "JSON snapshots: {snapshots:?}");
    files.extend(snapshots);
    let (code, report) = validate(&files);
    assert_eq!(code, 0, "{report}");
    // every observation kind a probe writes was in the real runs
    let health: Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("health.json")).unwrap())
            .unwrap();
    let mut kinds: Vec<&str> = health["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(
        kinds,
        ["host", "http", "hub", "log", "mcp", "process", "tcp"],
        "{health:#}"
    );
}

/// A change to a good document, and the JSON pointer the validator must name.
type Drift = (&'static str, fn(&mut Value));

#[test]
fn schema_rejects_a_renamed_key_an_unknown_key_and_unknown_words() {
    let home = tempdir();
    let dir = tempdir();
    let (code, stdout, stderr) = run(
        home.path(),
        &[
            "health",
            "-f",
            "json",
            peer("EVERYTHING_HTTP_URL"),
            "--expect-tool",
            "nope",
        ],
    );
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    let good: Value = serde_json::from_str(&stdout).unwrap();
    let drifts: [Drift; 5] = [
        ("/observations/0", |d| {
            let o = d["observations"][0].as_object_mut().unwrap();
            let v = o.remove("tools_count").unwrap();
            o.insert("tool_count".into(), v);
        }),
        ("/findings/0", |d| {
            d["findings"][0]
                .as_object_mut()
                .unwrap()
                .remove("lower_is_worse");
        }),
        ("/", |d| {
            d["extra"] = Value::Bool(true);
        }),
        ("/status", |d| {
            d["status"] = "critical".into();
        }),
        ("/reason", |d| {
            let f = d["findings"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|f| f["reason"].is_string())
                .unwrap();
            f["reason"] = "tools_gone".into();
        }),
    ];
    let (code, report) = validate(&[write_json(dir.path(), "good.json", &good)]);
    assert_eq!(code, 0, "{report}");
    for (k, (pointer, drift)) in drifts.iter().enumerate() {
        let mut doc = good.clone();
        drift(&mut doc);
        let (code, report) = validate(&[write_json(dir.path(), &format!("drift{k}.json"), &doc)]);
        assert_eq!(code, 1, "drift {k} at {pointer} passed: {report}");
        assert!(report.contains(pointer), "drift {k}: {report}");
    }
}

fn write_json(dir: &Path, name: &str, doc: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path
}

/// The schema's reason list is the code's (`Reason::as_str`): a reason added in the code must be added
/// to the schema.
#[test]
fn schema_lists_every_failure_reason_of_the_code() {
    let src = std::fs::read_to_string(root().join("src/model/failure.rs")).unwrap();
    let body = &src[src.find("pub fn as_str(self)").unwrap()..];
    let body = &body[..body.find("\n    }\n").unwrap()];
    let mut code: Vec<&str> = body
        .split("=> \"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    code.sort();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/report.v1.json")).unwrap(),
    )
    .unwrap();
    let mut listed: Vec<&str> = schema["$defs"]["reason"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    listed.sort();
    assert!(code.len() > 30, "{code:?}");
    assert_eq!(
        listed, code,
        "schema/report.v1.json $defs.reason vs src/model/failure.rs"
    );
}
