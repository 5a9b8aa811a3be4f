//! Shared test helpers: the mcpmon binary with a scrubbed environment, the real peers started by
//! `scripts/peers.sh` (via `make test`), the deliberately broken stub servers, and /proc checks.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_mcpmon")
}

/// A scratch directory that is removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// mcpmon with a clean environment: PATH only, a private HOME, no config search surprises.
/// A hang guard (not a timing assertion) kills it after 60 s.
pub fn mcpmon(home: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(bin());
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".state"))
        .current_dir(home)
        .timeout(Duration::from_secs(60));
    c
}

/// mcpmon as a plain process (for a child a test talks to or signals): the same clean environment as
/// `mcpmon`, no timeout.
pub fn mcpmon_process(home: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(bin());
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".state"))
        .current_dir(home);
    c
}

/// Runs mcpmon and returns (exit code, stdout, stderr).
pub fn run<S: AsRef<std::ffi::OsStr>>(home: &Path, args: &[S]) -> (i32, String, String) {
    let out = mcpmon(home).args(args).output().expect("run mcpmon");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `mcpmon health … --format json` and returns (exit code, document).
pub fn health_json(home: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["health", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run(home, &all);
    let doc: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    assert_eq!(
        doc["exit_code"].as_i64(),
        Some(i64::from(code)),
        "exit_code key matches the process exit code"
    );
    (code, doc)
}

/// Writes `{"targets": targets}` to `home/mcpmon.json` and returns its path.
pub fn config_with(home: &Path, targets: Value) -> String {
    let cfg = home.join("mcpmon.json");
    std::fs::write(&cfg, serde_json::json!({ "targets": targets }).to_string()).unwrap();
    cfg.display().to_string()
}

/// The single observation of a one-target report.
pub fn only_obs(doc: &Value) -> &Value {
    let obs = doc["observations"].as_array().expect("observations");
    assert_eq!(obs.len(), 1, "{doc:#}");
    &obs[0]
}

/// The finding `check` of `target`.
pub fn finding<'a>(doc: &'a Value, target: &str, check: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["target"] == target && f["check"] == check)
        .unwrap_or_else(|| panic!("no finding {target}/{check} in {doc:#}"))
}

/// The real peers' endpoints, written by `scripts/peers.sh start` (run by `make test`).
pub fn peers() -> &'static HashMap<String, String> {
    static PEERS: OnceLock<HashMap<String, String>> = OnceLock::new();
    PEERS.get_or_init(|| {
        let path = std::env::var("MCPMON_PEERS_ENV")
            .map(PathBuf::from)
            .unwrap_or_else(|_| root().join(".peers/run/endpoints.env"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "the real MCP peers are not running ({}: {e}).\n\
                 Run the suite with `make test`, or start them with `scripts/peers.sh install && scripts/peers.sh start`.",
                path.display()
            )
        });
        text.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
            .collect()
    })
}

pub fn peer(key: &str) -> &'static str {
    peers()
        .get(key)
        .unwrap_or_else(|| panic!("{key} missing from the peers' endpoints.env"))
}

/// A stdio peer command split into argv.
pub fn peer_cmd(key: &str) -> Vec<&'static str> {
    peer(key).split_whitespace().collect()
}

/// `python3 tests/stubs/stdio_stub.py MODE MARKER`, the marker making its processes findable.
pub fn stub_cmd(mode: &str, marker: &str) -> Vec<String> {
    vec![
        "python3".into(),
        root()
            .join("tests/stubs/stdio_stub.py")
            .display()
            .to_string(),
        mode.into(),
        marker.into(),
    ]
}

/// `args… -- python3 tests/stubs/stdio_stub.py MODE MARKER`.
pub fn with_stub(args: &[&str], mode: &str, marker: &str) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    v.push("--".into());
    v.extend(stub_cmd(mode, marker));
    v
}

/// A unique word for this test's processes.
pub fn marker(name: &str) -> String {
    format!("mcpmon-test-{name}-{}", std::process::id())
}

/// Live (non-zombie) processes whose command line contains `marker`.
pub fn live_processes_with(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return found;
    };
    for e in dir.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        if String::from_utf8_lossy(&cmdline).contains(marker) && is_alive(pid) {
            found.push(pid);
        }
    }
    found
}

/// True when the process exists and is not a zombie.
pub fn is_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            // the state letter follows the parenthesised command name
            let state = stat
                .rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().chars().next().unwrap_or('?'));
            state != Some('Z') && state != Some('X')
        }
        Err(_) => false,
    }
}

/// A deliberately broken HTTP server (tests/stubs/http_stub.py) on 127.0.0.1; stopped on drop.
pub struct HttpStub {
    child: Child,
    pub port: u16,
    stdout: BufReader<std::process::ChildStdout>,
}

impl HttpStub {
    pub fn start(mode: &str) -> HttpStub {
        Self::start_with_env(mode, &[])
    }

    pub fn start_with_env(mode: &str, env: &[(&str, &str)]) -> HttpStub {
        let mut child = StdCommand::new("python3")
            .arg(root().join("tests/stubs/http_stub.py"))
            .arg(mode)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start http stub");
        let mut stdout = BufReader::new(child.stdout.take().expect("stub stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read PORT line");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("bad stub banner {line:?}"));
        HttpStub {
            child,
            port,
            stdout,
        }
    }

    /// The stub's next stdout line (blocks until it prints one).
    pub fn next_line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("read a stub line");
        line
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for HttpStub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP port on 127.0.0.1 with nothing listening (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// `mcpmon alerts --format json --state-dir STATE ARGS…` → (exit code, document, stderr).
pub fn alerts_json(home: &Path, state: &Path, args: &[&str]) -> (i32, Value, String) {
    let mut all = vec![
        "alerts",
        "--format",
        "json",
        "--state-dir",
        state.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let (code, out, err) = run(home, &all);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    assert_eq!(doc["command"], "alerts");
    (code, doc, err)
}

/// A 50-line log, `errors` of them errors; always the same size (a log that shrinks or grows is an
/// alert of its own).
pub fn errors_log(path: &Path, errors: usize) {
    let mut s = String::new();
    for i in 0..50 {
        s.push_str(if i < errors {
            "ERROR sync failed\n"
        } else {
            "INFO  sync worked\n"
        });
    }
    std::fs::write(path, s).unwrap();
}

/// A small CA and a server certificate for 127.0.0.1 that it signs, valid `days` days, made by
/// `openssl` in `dir` (the Debian package `openssl`; webpki refuses a CA as end entity, hence the
/// two): (CA, certificate, key), PEM files.
pub fn ca_and_leaf(dir: &Path, days: u32) -> (PathBuf, PathBuf, PathBuf) {
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let openssl = |args: &[&str]| {
        let out = StdCommand::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl (Debian package `openssl`)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let ca_days = (days + 30).to_string();
    let days = days.to_string();
    let ca_args = [
        "-days",
        &ca_days,
        "-subj",
        "/CN=mcpmon test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ];
    openssl(&[&["req", "-x509"][..], &ec, &ca_args].concat());
    let leaf_args = [
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "key.pem",
        "-out",
        "leaf.csr",
    ];
    openssl(&[&["req"][..], &ec, &leaf_args].concat());
    openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        &days,
        "-extfile",
        "ext.cnf",
        "-out",
        "cert.pem",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    )
}

/// `EVENT FIELD…` of each alert event in a report or a delivered payload (`firing connect` with
/// `&["check"]`, `firing connect crit` with `&["check", "status"]`).
pub fn events(doc: &Value, fields: &[&str]) -> Vec<String> {
    doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut words = vec![e["event"].as_str().unwrap()];
            words.extend(fields.iter().map(|f| e[*f].as_str().unwrap()));
            words.join(" ")
        })
        .collect()
}
