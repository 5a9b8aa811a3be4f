//! With no target and no config of mcpmon's own, the MCP clients' configs a user already has
//! (Claude Code, Claude Desktop, Cursor, VS Code, Windsurf, Zed, mcp-hub) are what is checked, and
//! `mcpmon targets` lists them with where they came from, without contacting anything.

use crate::common::*;
use serde_json::{Value, json};
use std::path::Path;

fn write(path: &Path, doc: &Value) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
}

#[test]
fn health_with_no_arguments_checks_the_servers_of_the_clients_configs() {
    let home = tempdir();
    let h = home.path();
    let url = peer("EVERYTHING_HTTP_URL");
    let py = peer_cmd("PY_STDIO_CMD");
    write(
        &h.join(".cursor/mcp.json"),
        &json!({"mcpServers": {"everything": {"url": url}}}),
    );
    // the same server in Claude Desktop's config is checked once
    write(
        &h.join(".config/Claude/claude_desktop_config.json"),
        &json!({"mcpServers": {"everything-again": {"url": url}}}),
    );
    // Zed's settings (JSON with comments), whose command may be an object
    std::fs::create_dir_all(h.join(".config/zed")).unwrap();
    std::fs::write(
        h.join(".config/zed/settings.json"),
        format!(
            "// Zed settings\n{{\"theme\": \"One Dark\", \"context_servers\": {{\"py\": {{\"command\": {{\"path\": {:?}, \"args\": {}}}}}}}}}",
            py[0],
            serde_json::to_string(&py[1..]).unwrap()
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = run(h, &["health", "--format", "json", "--timeout", "30s"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let mut names: Vec<&str> = doc["observations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["target"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["everything", "py"], "{stdout}");
    assert!(
        stderr.contains("servers from ~/.cursor/mcp.json (Cursor, 1 server)")
            && stderr.contains("~/.config/zed/settings.json (Zed, 1 server)"),
        "{stderr}"
    );
}

#[test]
fn targets_lists_every_source_kind_and_problem_without_contacting_anything() {
    let home = tempdir();
    let h = home.path();
    let proj = h.join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    let ran = h.join("ran");
    // a server that would leave a file behind if it were started
    write(
        &proj.join(".mcp.json"),
        &json!({"mcpServers": {"toucher": {"command": "touch", "args": [ran.to_str().unwrap()]}}}),
    );
    write(
        &proj.join(".vscode/mcp.json"),
        &json!({
            "inputs": [{"id": "tok", "type": "promptString", "password": true}],
            "servers": {"api": {"type": "http", "url": "http://127.0.0.1:9/mcp",
                                "headers": {"Authorization": "Bearer ${input:tok}"}}}
        }),
    );
    // Claude Code: user scope, and the local scope of this directory only
    write(
        &h.join(".claude.json"),
        &json!({
            "numStartups": 12,
            "mcpServers": {"user-one": {"type": "stdio", "command": "user-one-server"}},
            "projects": {
                proj.to_str().unwrap(): {"mcpServers": {"local-one": {"type": "sse", "url": "http://127.0.0.1:9/sse"}}},
                "/elsewhere": {"mcpServers": {"not-here": {"command": "x"}}}
            }
        }),
    );
    write(
        &h.join(".codeium/windsurf/mcp_config.json"),
        &json!({"mcpServers": {"remote": {"serverUrl": "http://127.0.0.1:9/remote"}, "typo": {"comand": "x"}}}),
    );
    let out = mcpmon(h)
        .current_dir(&proj)
        .args(["targets", "--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(!ran.exists(), "targets started a server");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let row = |name: &str| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["target"] == name)
            .unwrap_or_else(|| panic!("{name} not listed: {stdout}"))
            .clone()
    };
    let toucher = row("toucher");
    assert_eq!(toucher["status"], "ok");
    assert!(
        toucher["message"]
            .as_str()
            .unwrap()
            .contains("stdio · touch ")
            && toucher["message"]
                .as_str()
                .unwrap()
                .contains("from .mcp.json: mcpServers.toucher"),
        "{toucher}"
    );
    let api = row("api");
    assert_eq!(api["status"], "warn");
    assert!(
        api["message"]
            .as_str()
            .unwrap()
            .contains("${input:tok} is a VS Code input"),
        "{api}"
    );
    assert!(
        row("local-one")["message"]
            .as_str()
            .unwrap()
            .starts_with("sse · ")
    );
    assert!(
        row("user-one")["message"]
            .as_str()
            .unwrap()
            .contains("from ~/.claude.json")
    );
    assert!(
        row("remote")["message"]
            .as_str()
            .unwrap()
            .contains("http://127.0.0.1:9/remote")
    );
    let typo = row("typo");
    assert_eq!(typo["status"], "crit");
    assert!(
        typo["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `command`"),
        "{typo}"
    );
    assert!(
        !stdout.contains("not-here"),
        "another project's server listed: {stdout}"
    );
}

#[test]
fn with_no_client_config_it_says_where_to_look() {
    let home = tempdir();
    let (code, _, stderr) = run(home.path(), &["health"]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("`mcpmon targets` shows where it looked"),
        "{stderr}"
    );
    let (_, help, _) = run(home.path(), &["targets", "--help"]);
    assert!(
        help.contains("~/.cursor/mcp.json") && help.contains("context_servers"),
        "{help}"
    );
}
