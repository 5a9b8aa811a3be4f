//! The command line itself: exit codes, usage and config errors (one line, exit 3), selection,
//! completions, colour, --watch, and a closed stdout pipe.

use crate::common::*;
use std::io::Read;
use std::process::Stdio;

#[test]
fn version_and_help_exit_zero() {
    let home = tempdir();
    let (code, out, _) = run(home.path(), &["--version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("mcpmon "), "{out}");
    let (code, out, _) = run(home.path(), &["health", "--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Exit codes") || out.contains("--expect-tool"),
        "{out}"
    );
}

#[test]
fn usage_errors_exit_3_not_2() {
    let home = tempdir();
    for args in [
        &["--bogus"][..],
        &[
            "health",
            "--transport",
            "carrier-pigeon",
            "http://127.0.0.1:1/",
        ],
        &[],
        &["health", "--count", "2"],
    ] {
        let (code, _, err) = run(home.path(), args);
        assert_eq!(code, 3, "{args:?}: {err}");
    }
}

#[test]
fn nothing_to_check_is_a_clear_error() {
    let home = tempdir();
    let (code, out, err) = run(home.path(), &["health"]);
    assert_eq!(code, 3);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("mcpmon: error: nothing to check"), "{err}");
}

#[test]
fn config_errors_name_file_and_place() {
    let home = tempdir();
    let bad = home.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"targets\": {\n    \"x\": {\"command\": \"a\",}\n    oops\n}",
    )
    .unwrap();
    let (code, _, err) = run(home.path(), &["health", "--config", bad.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("bad.json:4:"), "{err}");

    std::fs::write(
        &bad,
        r#"{"mcpServers": {"both": {"command": "x", "url": "http://127.0.0.1:1/mcp"}}}"#,
    )
    .unwrap();
    let (code, _, err) = run(home.path(), &["health", "-c", bad.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert!(
        err.contains("mcpServers.both: has both `command` and `url`"),
        "{err}"
    );

    let (code, _, err) = run(home.path(), &["health", "-c", "/nonexistent/mcpmon.json"]);
    assert_eq!(code, 3);
    assert!(
        err.contains("/nonexistent/mcpmon.json: cannot read"),
        "{err}"
    );
}

#[test]
fn unknown_target_name_lists_known_ones() {
    let home = tempdir();
    let cfg = home.path().join("c.json");
    std::fs::write(
        &cfg,
        r#"{"targets": {"alpha": {"url": "http://127.0.0.1:1/mcp"}}}"#,
    )
    .unwrap();
    let (code, _, err) = run(
        home.path(),
        &["health", "-c", cfg.to_str().unwrap(), "--target", "beta"],
    );
    assert_eq!(code, 3);
    assert!(err.contains("no such target (known: alpha)"), "{err}");
}

#[test]
fn unresolved_placeholder_is_unknown_and_not_probed() {
    let home = tempdir();
    let cfg = home.path().join("c.json");
    let port = closed_port();
    std::fs::write(
        &cfg,
        format!(r#"{{"targets": {{"api": {{"url": "http://127.0.0.1:{port}/mcp", "headers": {{"Authorization": "Bearer ${{NOT_SET_ANYWHERE}}"}}}}}}}}"#),
    )
    .unwrap();
    let (code, doc) = health_json(home.path(), &["-c", cfg.to_str().unwrap()]);
    assert_eq!(code, 3, "{doc:#}");
    let o = only_obs(&doc);
    assert_eq!(o["failure"]["reason"], "unresolved_placeholder");
    assert!(
        o["failure"]["message"]
            .as_str()
            .unwrap()
            .contains("${NOT_SET_ANYWHERE}")
    );
    assert_eq!(o["requests"], serde_json::json!([]), "nothing was sent");
}

#[test]
fn transport_flag_conflicts_are_usage_errors() {
    let home = tempdir();
    let (code, _, err) = run(
        home.path(),
        &["health", "--transport", "stdio", "http://127.0.0.1:1/mcp"],
    );
    assert_eq!(code, 3);
    assert!(err.contains("--transport stdio"), "{err}");
}

#[test]
fn completions_for_every_shell() {
    let home = tempdir();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, _) = run(home.path(), &["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(
            out.contains("health"),
            "{shell} completion lacks the health subcommand"
        );
    }
}

#[test]
fn man_writes_the_pages_and_stays_out_of_help_and_completions() {
    let home = tempdir();
    let dir = home.path().join("man");
    let (code, out, err) = run(home.path(), &["man".as_ref(), dir.as_os_str()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("mcpmon.1") && out.contains("mcpmon-health.1"),
        "{out}"
    );
    let top = std::fs::read_to_string(dir.join("mcpmon.1")).unwrap();
    assert!(top.contains(".TH mcpmon 1"), "{top}");
    assert!(
        top.contains("man \\-l man/mcpmon.1"),
        "the after-help points at the pages"
    );
    assert!(!dir.join("mcpmon-man.1").exists());
    let (_, help, _) = run(home.path(), &["--help"]);
    assert!(help.contains("man mcpmon"), "{help}");
    assert!(!help.contains("\n  man "), "{help}");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (_, script, _) = run(home.path(), &["completions", shell]);
        assert!(
            !script.contains("man pages"),
            "{shell} offers the hidden man"
        );
        assert!(
            !script.contains("mcpmon__man"),
            "{shell} offers the hidden man"
        );
    }
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let home = tempdir();
    let m = marker("colour");
    let mut args = with_stub(&["health", "--color", "always"], "ok", &m);
    let (_, coloured, _) = run(home.path(), &args);
    assert!(coloured.contains("\x1b["), "{coloured:?}");
    args[2] = "auto".into(); // stdout is a pipe here
    let (_, plain, _) = run(home.path(), &args);
    assert!(!plain.contains('\x1b'), "{plain:?}");
    let out = mcpmon(home.path())
        .env("NO_COLOR", "1")
        .args(&args)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\x1b'));
}

#[test]
fn watch_prints_one_json_line_per_round_when_piped() {
    let home = tempdir();
    let m = marker("watch");
    let args = with_stub(
        &["health", "--watch", "--interval", "100ms", "--count", "3"],
        "ok",
        &m,
    );
    let (code, out, err) = run(home.path(), &args);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON document"))
        .collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines
            .iter()
            .all(|d| d["command"] == "health" && d["status"] == "ok")
    );
}

#[test]
fn closed_stdout_is_not_an_error() {
    let home = tempdir();
    let m = marker("pipe");
    let cmd = stub_cmd("ok", &m);
    let mut child = std::process::Command::new(bin())
        .arg("health")
        .arg("--")
        .args(&cmd)
        .env("HOME", home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // like `| head -0`: the reader is gone before mcpmon writes
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn example_configs_parse() {
    // Their targets are not running here: any verdict is fine, a config error (exit 3 with an
    // `mcpmon: error:` line) is not. Unset ${MCP_TOKEN} makes a target UNKNOWN, which is a finding.
    let home = tempdir();
    for f in [
        "mcpmon.json",
        "claude_desktop_config.json",
        "vscode-mcp.json",
    ] {
        let path = root().join("examples").join(f);
        let (_, out, err) = run(
            home.path(),
            &[
                "health",
                "-c",
                path.to_str().unwrap(),
                "--timeout",
                "1s",
                "-f",
                "json",
            ],
        );
        assert!(!err.contains("mcpmon: error"), "{f}: {err}");
        let doc: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(doc["summary"]["targets"].as_u64().unwrap() >= 2, "{f}");
    }
}

/// Runs `health --config <path>` and returns its exit code and stderr.
fn health_with_config(home: &std::path::Path, config: &std::path::Path) -> (i32, String) {
    let (code, _, err) = run(home, &["health", "--config", config.to_str().unwrap()]);
    (code, err)
}

#[test]
fn a_fifo_config_is_refused_not_waited_on() {
    let home = tempdir();
    let fifo = home.path().join("config.fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let (code, err) = health_with_config(home.path(), &fifo);
    assert_eq!(code, 3, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(fifo.to_str().unwrap()), "{err}");
    assert!(err.contains("is not a regular file"), "{err}");
}

#[test]
fn a_device_config_is_refused_not_read_forever() {
    let home = tempdir();
    let (code, err) = health_with_config(home.path(), std::path::Path::new("/dev/zero"));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("/dev/zero is not a regular file"), "{err}");
}

#[test]
fn a_directory_config_is_refused() {
    let home = tempdir();
    let (code, err) = health_with_config(home.path(), home.path());
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("is not a regular file"), "{err}");
}

#[test]
fn a_config_over_16_mib_is_refused() {
    let home = tempdir();
    let big = home.path().join("big.json");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(17 * 1024 * 1024).unwrap();
    let (code, err) = health_with_config(home.path(), &big);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("big.json is larger than 16 MiB"), "{err}");
}

#[test]
fn a_fifo_thresholds_file_is_refused() {
    let home = tempdir();
    let fifo = home.path().join("thresholds.fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let (code, _, err) = run(
        home.path(),
        &[
            "health",
            "--stats-url",
            "http://127.0.0.1:1/stats",
            "--thresholds",
            fifo.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("is not a regular file"), "{err}");
}

#[test]
fn a_config_that_is_not_utf8_names_the_offset_of_its_bad_byte() {
    let home = tempdir();
    let path = home.path().join("latin1.json");
    // `{"targets": {"caf` then a Latin-1 é (0xE9) at byte 17
    let mut bytes = br#"{"targets": {"caf"#.to_vec();
    bytes.push(0xE9);
    bytes.extend_from_slice(br#"": {"command": "x"}}}"#);
    std::fs::write(&path, bytes).unwrap();
    let (code, err) = health_with_config(home.path(), &path);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("not UTF-8 (invalid byte at offset 17)"),
        "{err}"
    );
}

#[test]
fn usage_errors_are_one_line_that_names_what_was_meant() {
    let home = tempdir();
    for (args, wanted) in [
        (
            vec!["health", "--json", "http://127.0.0.1:1/mcp"],
            "did you mean `--format json`?",
        ),
        (
            vec!["health", "--tiemout", "3s"],
            "did you mean `--timeout`?",
        ),
        (vec!["helth"], "did you mean `health`?"),
        (
            vec!["health", "127.0.0.1:38101/mcp"],
            "did you mean \"http://127.0.0.1:38101/mcp\"?",
        ),
        (
            vec!["health", "http//127.0.0.1/mcp"],
            "did you mean \"http://127.0.0.1/mcp\"?",
        ),
    ] {
        let (code, out, err) = run(home.path(), &args);
        assert_eq!(code, 3, "{args:?}: {err}");
        assert!(out.is_empty(), "{out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line, not {err}");
        assert!(err.starts_with("mcpmon: error: "), "{err}");
        assert!(err.contains(wanted), "{args:?}: {err}");
        assert!(
            !err.contains("-- --json"),
            "never suggests passing the flag to a server: {err}"
        );
    }
}

#[test]
fn a_misspelled_key_in_a_client_config_is_pointed_at() {
    let home = tempdir();
    let cfg = home.path().join("claude.json");
    std::fs::write(
        &cfg,
        r#"{"mcpServers": {"memory": {"comand": "npx", "args": ["x"]}}}"#,
    )
    .unwrap();
    let (code, _, err) = run(home.path(), &["health", "-c", cfg.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert!(
        err.contains("`comand` is not a key mcpmon reads: did you mean `command`?"),
        "{err}"
    );
}

#[test]
fn a_host_that_does_not_resolve_is_said_in_one_line() {
    let home = tempdir();
    let (code, doc) = health_json(home.path(), &["http://mcpmon-test.invalid:3000/mcp"]);
    assert_eq!(code, 2);
    let f = &only_obs(&doc)["failure"];
    assert_eq!(f["reason"], "dns_error");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("cannot resolve host \"mcpmon-test.invalid\""),
        "{f}"
    );
}

#[test]
fn a_dying_stdio_server_shows_the_line_that_says_why() {
    // node prints the cause, then a stack trace and a version line: the short view keeps the cause
    let home = tempdir();
    let missing = home.path().join("missing-server.js");
    let (code, out, _) = run(
        home.path(),
        &[
            "health",
            "--color",
            "never",
            "--",
            "node",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{out}");
    let shown: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("stderr of"))
        .collect();
    assert!(
        shown
            .iter()
            .any(|l| l.contains("Error: Cannot find module")),
        "{out}"
    );
}
