//! examples/ as shipped: the systemd units, the crontab and examples/mcpmon.json agree on the config
//! path, HOME, the state directory, where the binary is and where logs are read; the example configs
//! load without a config error; the crontab's lines create what they write to.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeMap;

const UNITS: [&str; 3] = [
    "mcpmon-health.service",
    "mcpmon-alerts.service",
    "mcpmon-record.service",
];

/// A unit's settings: `Key` → values (repeated keys kept in order); `Environment=A=1 B=2` also as
/// `env:A` → `1`, `env:B` → `2`.
fn unit(name: &str) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(root().join("examples").join(name)).unwrap();
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with('[') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if k == "Environment" {
            for pair in v.split_whitespace() {
                let (ek, ev) = pair.split_once('=').unwrap();
                keys.entry(format!("env:{ek}"))
                    .or_default()
                    .push(ev.to_owned());
            }
        }
        keys.entry(k.to_owned()).or_default().push(v.to_owned());
    }
    keys
}

fn one<'a>(u: &'a BTreeMap<String, Vec<String>>, key: &str, name: &str) -> &'a str {
    let v = u.get(key).unwrap_or_else(|| panic!("{name}: no {key}"));
    assert_eq!(v.len(), 1, "{name}: {key} set {} times", v.len());
    &v[0]
}

/// The value of the crontab's `NAME=value` line.
fn crontab_env<'a>(crontab: &'a str, name: &str) -> &'a str {
    crontab
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("examples/crontab sets no {name}"))
}

/// Every file path examples/mcpmon.json reads (`log`, `log.path`, `cert_file`), by target.
fn config_paths(cfg: &Value) -> Vec<(String, String)> {
    let mut paths = Vec::new();
    for (name, t) in cfg["targets"].as_object().unwrap() {
        let log = t["log"].as_str().or(t["log"]["path"].as_str());
        for p in [log, t["cert_file"].as_str()].into_iter().flatten() {
            paths.push((name.clone(), p.to_owned()));
        }
    }
    paths
}

#[test]
fn examples_units_crontab_and_config_agree_on_paths() {
    let units: Vec<_> = UNITS.iter().map(|n| (*n, unit(n))).collect();
    let crontab = std::fs::read_to_string(root().join("examples/crontab")).unwrap();
    let (first, u0) = &units[0];
    let config = one(u0, "env:MCPMON_CONFIG", first).to_owned();
    let state = one(u0, "env:MCPMON_STATE_DIR", first).to_owned();
    for (name, u) in &units {
        for key in [
            "env:MCPMON_CONFIG",
            "env:MCPMON_STATE_DIR",
            "env:HOME",
            "StateDirectory",
            "EnvironmentFile",
            "PrivateTmp",
        ] {
            assert_eq!(
                one(u, key, name),
                one(u0, key, first),
                "{name} vs {first}: {key}"
            );
        }
        // the state dir is the one systemd creates and the HOME stdio servers get
        assert_eq!(
            format!("/var/lib/{}", one(u, "StateDirectory", name)),
            state,
            "{name}"
        );
        assert_eq!(one(u, "env:HOME", name), state, "{name}");
        // the binary is where cron looks too
        let exec = one(u, "ExecStart", name);
        let bin_dir = exec
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches("/mcpmon");
        assert!(
            crontab_env(&crontab, "PATH")
                .split(':')
                .any(|d| d == bin_dir),
            "{name} runs {exec}, not on the crontab's PATH"
        );
    }
    assert_eq!(crontab_env(&crontab, "MCPMON_CONFIG"), config);
    assert!(
        crontab.contains("~/.cargo/bin"),
        "the crontab says where cargo install puts mcpmon"
    );
    // every line that writes under $HOME/.local/state creates its directory first
    for line in crontab
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains(".local/state"))
    {
        assert!(
            line.contains("mkdir -p"),
            "writes without creating the directory: {line}"
        );
    }
    // the example config's log and certificate paths mean the same under the units: absolute after
    // ${HOME} is the units' HOME, and not in the /tmp their PrivateTmp= hides
    let cfg: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/mcpmon.json")).unwrap(),
    )
    .unwrap();
    let paths = config_paths(&cfg);
    assert!(paths.len() >= 3, "{paths:?}");
    let private_tmp = one(u0, "PrivateTmp", first) == "yes";
    for (target, p) in paths {
        let p = p.replace("${HOME}", &state);
        assert!(p.starts_with('/'), "{target}: {p} is relative");
        assert!(
            !(private_tmp && p.starts_with("/tmp/")),
            "{target}: {p} is in the units' private /tmp"
        );
        assert!(
            !p.starts_with(&state),
            "{target}: {p} is in mcpmon's own state dir, not the server's"
        );
    }
}

#[test]
fn example_configs_load_without_a_config_error() {
    let home = tempdir();
    let cfg_path = root().join("examples/mcpmon.json");
    let cfg: Value = serde_json::from_str(&std::fs::read_to_string(&cfg_path).unwrap()).unwrap();
    let mut enabled: Vec<&str> = cfg["targets"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, t)| t["disabled"] != true)
        .map(|(n, _)| n.as_str())
        .collect();
    enabled.sort();
    let cfg_arg = cfg_path.display().to_string();
    // every check of every target runs (the servers are not there: CRIT, never a config error)
    let out = mcpmon(home.path())
        .env("MCP_TOKEN", "example-token")
        .args([
            "health",
            "--config",
            &cfg_arg,
            "--format",
            "json",
            "--timeout",
            "5s",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("mcpmon: error"), "{stderr}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut checked: Vec<&str> = doc["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["target"].as_str().unwrap())
        .collect();
    checked.sort();
    checked.dedup();
    assert_eq!(checked, enabled);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("example-token"));
    // validate's config section: the file, its entries, its secrets, without a config error
    let (code, stdout, stderr) = run(
        home.path(),
        &[
            "validate",
            "--config",
            &cfg_arg,
            "--section",
            "config",
            "--format",
            "json",
        ],
    );
    assert_ne!(code, 3, "{stdout}\n{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let config_file = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "config_file")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(config_file["status"], "ok", "{config_file:#}");
    // the client-config examples are read as they are
    for (file, target) in [
        ("vscode-mcp.json", "everything"),
        ("claude_desktop_config.json", "filesystem"),
    ] {
        let path = root().join("examples").join(file).display().to_string();
        let (code, stdout, stderr) = run(
            home.path(),
            &[
                "targets", "--config", &path, "--target", target, "--format", "json",
            ],
        );
        assert_ne!(code, 3, "{file}: {stdout}\n{stderr}");
        assert!(
            stdout.contains(&format!("\"target\": \"{target}\"")),
            "{file}: {stdout}"
        );
    }
}

#[test]
fn the_crontab_health_line_creates_its_log_directory_and_appends_a_line() {
    let crontab = std::fs::read_to_string(root().join("examples/crontab")).unwrap();
    let line = crontab
        .lines()
        .find(|l| l.starts_with("*/5 * * * *") && l.contains("health --format jsonl"))
        .unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.lines().any(|l| l == line),
        "README's cron line differs from examples/crontab's: {line}"
    );
    let home = tempdir();
    config_with(
        home.path(),
        serde_json::json!({ "everything": { "url": peer("EVERYTHING_HTTP_URL") } }),
    );
    let log = home.path().join(".local/state/mcpmon/health.jsonl");
    for round in 1..=2 {
        let (_, stdout, stderr) = crate::readme::run_cron_line(line, home.path(), home.path());
        // cron ignores the exit status and mails whatever is printed: nothing when OK
        assert_eq!(stdout, "", "cron mails nothing when OK");
        assert_eq!(stderr, "", "nor on stderr");
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(text.lines().count(), round, "{text}");
        let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(last["status"], "ok", "{last:#}");
    }
}
