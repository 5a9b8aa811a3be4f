//! The MCP client configs a user already has, found when no target and no mcpmon config is given:
//! where each client keeps its server list (project files in the working directory first, then the
//! user's own), and how each file's list becomes the `mcpServers` section mcpmon reads.
//!
//! Clients (their documented locations): Claude Code (`.mcp.json`; `~/.claude.json`'s `mcpServers`
//! and its `projects.<this directory>.mcpServers`), Cursor (`.cursor/mcp.json`, `~/.cursor/mcp.json`),
//! VS Code (`.vscode/mcp.json`; the user `mcp.json` and `settings.json`'s `mcp.servers`), Claude
//! Desktop (`claude_desktop_config.json`), Windsurf (`~/.codeium/windsurf/mcp_config.json`, remote
//! servers as `serverUrl`), mcp-hub (`~/.config/mcphub/servers.json`), Zed (`settings.json`'s
//! `context_servers`, whose `command` may be an object `{path, args, env}`).
//!
//! Must not: start, contact or resolve anything (that is the caller's, after `mod.rs` built the
//! targets), nor read a file that is not a regular file (`read_file` refuses).

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Where to look: the working directory and the user's directories (each may be unknown).
#[derive(Debug, Clone, Default)]
pub struct Dirs {
    pub cwd: PathBuf,
    pub home: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME`, else `~/.config`.
    pub config: Option<PathBuf>,
    /// Windows' `%APPDATA%`.
    pub appdata: Option<PathBuf>,
}

/// How a client's file holds its servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `mcpServers`, `servers` or `mcp.servers`, as mcpmon reads any config.
    Plain,
    /// `~/.claude.json`: `mcpServers` (user scope) and `projects.<dir>.mcpServers` (local scope).
    ClaudeCode,
    /// Zed's `context_servers`.
    Zed,
}

/// One client config that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The client, for people (`Cursor`, `VS Code (user)`).
    pub client: &'static str,
    pub path: PathBuf,
    pub layout: Layout,
}

impl Found {
    /// The path as people write it (`~/.cursor/mcp.json`, `.vscode/mcp.json`).
    pub fn shown(&self, dirs: &Dirs) -> String {
        if let Ok(rel) = self.path.strip_prefix(&dirs.cwd) {
            if !dirs.cwd.as_os_str().is_empty() && dirs.home.as_deref() != Some(dirs.cwd.as_path())
            {
                return rel.display().to_string();
            }
        }
        match dirs.home.as_deref().map(|h| self.path.strip_prefix(h)) {
            Some(Ok(rel)) => format!("~/{}", rel.display()),
            _ => self.path.display().to_string(),
        }
    }
}

/// Every candidate file, in the order they are read: the working directory's project files, then
/// the user's files. Nothing is read here.
pub fn candidates(d: &Dirs) -> Vec<Found> {
    let mut out = Vec::new();
    let mut add = |client, path: PathBuf, layout| {
        if !out.iter().any(|f: &Found| f.path == path) {
            out.push(Found {
                client,
                path,
                layout,
            });
        }
    };
    // in the home directory, `.cursor/mcp.json` is the user's own, not a project's
    if d.home.as_deref() != Some(d.cwd.as_path()) {
        add(
            "Claude Code project",
            d.cwd.join(".mcp.json"),
            Layout::Plain,
        );
        add(
            "Cursor project",
            d.cwd.join(".cursor/mcp.json"),
            Layout::Plain,
        );
        add(
            "VS Code workspace",
            d.cwd.join(".vscode/mcp.json"),
            Layout::Plain,
        );
    }
    if let Some(home) = &d.home {
        add("Claude Code", home.join(".claude.json"), Layout::ClaudeCode);
        add("Cursor", home.join(".cursor/mcp.json"), Layout::Plain);
        add(
            "Windsurf",
            home.join(".codeium/windsurf/mcp_config.json"),
            Layout::Plain,
        );
        let mac = home.join("Library/Application Support");
        add(
            "Claude Desktop",
            mac.join("Claude/claude_desktop_config.json"),
            Layout::Plain,
        );
        add(
            "VS Code user",
            mac.join("Code/User/mcp.json"),
            Layout::Plain,
        );
        add(
            "VS Code user settings",
            mac.join("Code/User/settings.json"),
            Layout::Plain,
        );
    }
    if let Some(config) = &d.config {
        add(
            "Claude Desktop",
            config.join("Claude/claude_desktop_config.json"),
            Layout::Plain,
        );
        add(
            "VS Code user",
            config.join("Code/User/mcp.json"),
            Layout::Plain,
        );
        add(
            "VS Code user settings",
            config.join("Code/User/settings.json"),
            Layout::Plain,
        );
        add("mcp-hub", config.join("mcphub/servers.json"), Layout::Plain);
        add("Zed", config.join("zed/settings.json"), Layout::Zed);
    }
    if let Some(appdata) = &d.appdata {
        add(
            "Claude Desktop",
            appdata.join("Claude/claude_desktop_config.json"),
            Layout::Plain,
        );
        add(
            "VS Code user",
            appdata.join("Code/User/mcp.json"),
            Layout::Plain,
        );
    }
    out
}

/// The candidates that exist as regular files.
pub fn find(d: &Dirs) -> Vec<Found> {
    candidates(d)
        .into_iter()
        .filter(|f| f.path.is_file())
        .collect()
}

/// A client file's servers as a config mcpmon reads (`{"mcpServers": …}` or the file itself), or
/// None when it has none (a settings file without MCP servers is no problem). Also says which
/// entries were left out, and why (a Zed extension's server has no command mcpmon could run).
pub fn normalise(
    root: Value,
    layout: Layout,
    cwd: &Path,
) -> (Option<Value>, Vec<(String, String)>) {
    let Value::Object(mut root) = root else {
        return (None, Vec::new());
    };
    let mut skipped = Vec::new();
    let servers: Option<Map<String, Value>> = match layout {
        Layout::Plain => {
            let has = ["targets", "mcpServers", "servers"]
                .iter()
                .any(|k| root.contains_key(*k))
                || root.get("mcp").and_then(|m| m.get("servers")).is_some();
            if !has {
                return (None, skipped);
            }
            // Windsurf's remote servers: `serverUrl` is the URL
            for key in ["mcpServers", "servers"] {
                if let Some(Value::Object(entries)) = root.get_mut(key) {
                    for entry in entries.values_mut() {
                        server_url_is_url(entry);
                    }
                }
            }
            return (Some(Value::Object(root)), skipped);
        }
        Layout::ClaudeCode => {
            let mut all = match root.remove("mcpServers") {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            };
            let here = cwd.to_string_lossy();
            if let Some(Value::Object(project)) = root
                .get_mut("projects")
                .and_then(|p| p.get_mut(here.as_ref()))
            {
                if let Some(Value::Object(local)) = project.remove("mcpServers") {
                    // the project's own entries win over the user's of the same name
                    all.extend(local);
                }
            }
            Some(all)
        }
        Layout::Zed => match root.remove("context_servers") {
            Some(Value::Object(m)) => {
                let mut out = Map::new();
                for (name, mut entry) in m {
                    if zed_entry(&mut entry) {
                        out.insert(name, entry);
                    } else {
                        skipped.push((
                            name,
                            "a Zed extension's server (no command or URL in the settings): check it with `mcpmon health -- COMMAND`".into(),
                        ));
                    }
                }
                Some(out)
            }
            _ => None,
        },
    };
    match servers {
        Some(s) if !s.is_empty() || !skipped.is_empty() => {
            let mut doc = Map::new();
            doc.insert("mcpServers".into(), Value::Object(s));
            (Some(Value::Object(doc)), skipped)
        }
        _ => (None, skipped),
    }
}

fn server_url_is_url(entry: &mut Value) {
    if let Value::Object(e) = entry {
        if !e.contains_key("url") {
            if let Some(u) = e.remove("serverUrl") {
                e.insert("url".into(), u);
            }
        }
    }
}

/// Zed's entry as a client entry: `command` as an object (`{path, args, env}`) is flattened, and
/// `enabled: false` is `disabled`. False for an extension's server (nothing to run).
fn zed_entry(entry: &mut Value) -> bool {
    let Value::Object(e) = entry else {
        return true; // not an object: the entry reader says so
    };
    if let Some(Value::Object(cmd)) = e.get("command").cloned() {
        e.remove("command");
        for (from, to) in [("path", "command"), ("args", "args"), ("env", "env")] {
            if let Some(v) = cmd.get(from) {
                e.insert(to.into(), v.clone());
            }
        }
    }
    if e.get("enabled") == Some(&Value::Bool(false)) {
        e.insert("disabled".into(), Value::Bool(true));
    }
    e.contains_key("command") || e.contains_key("url")
}

/// Folds targets that are the same server (the same command and arguments in the same directory, or
/// the same URL) into the first of them, whose origin then names every file it came from.
pub fn merge_duplicates(targets: &mut Vec<crate::model::Target>) {
    let mut kept: Vec<crate::model::Target> = Vec::with_capacity(targets.len());
    for t in targets.drain(..) {
        let key = server_key(&t);
        match kept
            .iter_mut()
            .find(|k| key.is_some() && server_key(k) == key)
        {
            Some(first) => {
                let file = t.origin.split(": ").next().unwrap_or(&t.origin);
                if !first.origin.contains(file) {
                    first.origin = format!("{}; also {}", first.origin, t.origin);
                }
            }
            None => kept.push(t),
        }
    }
    *targets = kept;
}

/// What makes two entries the same server.
fn server_key(t: &crate::model::Target) -> Option<String> {
    use crate::model::EndpointSpec;
    match t.mcp()? {
        EndpointSpec::Stdio(s) => Some(format!(
            "stdio\0{}\0{}\0{:?}",
            s.program,
            s.args.join("\0"),
            s.cwd
        )),
        EndpointSpec::Url { url, .. } => Some(format!("url\0{url}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dirs() -> Dirs {
        Dirs {
            cwd: "/work/proj".into(),
            home: Some("/home/u".into()),
            config: Some("/home/u/.config".into()),
            appdata: None,
        }
    }

    #[test]
    fn project_files_come_first_then_the_users() {
        let c = candidates(&dirs());
        let shown: Vec<String> = c.iter().map(|f| f.shown(&dirs())).collect();
        assert_eq!(
            shown[..3],
            [".mcp.json", ".cursor/mcp.json", ".vscode/mcp.json"]
        );
        for want in [
            "~/.claude.json",
            "~/.cursor/mcp.json",
            "~/.codeium/windsurf/mcp_config.json",
            "~/.config/Claude/claude_desktop_config.json",
            "~/Library/Application Support/Claude/claude_desktop_config.json",
            "~/.config/Code/User/mcp.json",
            "~/.config/Code/User/settings.json",
            "~/.config/mcphub/servers.json",
            "~/.config/zed/settings.json",
        ] {
            assert!(shown.iter().any(|s| s == want), "{want} missing: {shown:?}");
        }
    }

    #[test]
    fn claude_code_merges_user_and_this_projects_servers() {
        let root = json!({
            "numStartups": 4,
            "mcpServers": {"a": {"command": "x"}, "b": {"command": "user-b"}},
            "projects": {
                "/work/proj": {"mcpServers": {"b": {"command": "project-b"}}},
                "/elsewhere": {"mcpServers": {"c": {"command": "z"}}}
            }
        });
        let (doc, skipped) = normalise(root, Layout::ClaudeCode, Path::new("/work/proj"));
        assert!(skipped.is_empty());
        assert_eq!(
            doc.unwrap(),
            json!({"mcpServers": {"a": {"command": "x"}, "b": {"command": "project-b"}}})
        );
    }

    #[test]
    fn zed_commands_are_flattened_and_extensions_set_aside() {
        let root = json!({"theme": "One Dark", "context_servers": {
            "new": {"source": "custom", "command": "npx", "args": ["-y", "srv"], "env": {}},
            "old": {"command": {"path": "uvx", "args": ["mcp-server-time"], "env": {"TZ": "UTC"}}, "settings": {}},
            "remote": {"url": "http://127.0.0.1:9/mcp"},
            "ext": {"source": "extension", "settings": {}},
            "off": {"command": "x", "enabled": false}
        }});
        let (doc, skipped) = normalise(root, Layout::Zed, Path::new("/"));
        let doc = doc.unwrap();
        let s = &doc["mcpServers"];
        assert_eq!(s["old"]["command"], "uvx");
        assert_eq!(s["old"]["args"], json!(["mcp-server-time"]));
        assert_eq!(s["old"]["env"]["TZ"], "UTC");
        assert_eq!(s["new"]["command"], "npx");
        assert_eq!(s["remote"]["url"], "http://127.0.0.1:9/mcp");
        assert_eq!(s["off"]["disabled"], true);
        assert!(s.get("ext").is_none());
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].0, "ext");
    }

    #[test]
    fn the_same_server_in_two_files_is_one_target_with_both_sources() {
        use crate::model::{EndpointSpec, ProbeSpec, StdioSpec, Target};
        let stdio = |name: &str, origin: &str, arg: &str| {
            let mut t = Target::empty(
                name.into(),
                origin.into(),
                std::time::Duration::from_secs(1),
            );
            t.set(ProbeSpec::Mcp(EndpointSpec::Stdio(StdioSpec {
                program: "npx".into(),
                args: vec!["-y".into(), arg.into()],
                env: Vec::new(),
                cwd: None,
            })));
            t
        };
        let mut ts = vec![
            stdio("memory", ".mcp.json: mcpServers.memory", "server-memory"),
            stdio("time", ".mcp.json: mcpServers.time", "server-time"),
            stdio("mem", "~/.cursor/mcp.json: mcpServers.mem", "server-memory"),
        ];
        merge_duplicates(&mut ts);
        assert_eq!(ts.len(), 2);
        assert_eq!(
            ts[0].origin,
            ".mcp.json: mcpServers.memory; also ~/.cursor/mcp.json: mcpServers.mem"
        );
        assert_eq!(ts[1].name, "time");
    }

    #[test]
    fn windsurf_server_url_and_settings_without_servers() {
        let (doc, _) = normalise(
            json!({"mcpServers": {"r": {"serverUrl": "http://127.0.0.1:9/sse"}}}),
            Layout::Plain,
            Path::new("/"),
        );
        assert_eq!(
            doc.unwrap()["mcpServers"]["r"]["url"],
            "http://127.0.0.1:9/sse"
        );
        // a VS Code settings.json without MCP servers has nothing to check, and that is no problem
        let (doc, skipped) = normalise(
            json!({"editor.fontSize": 14, "mcp": {"discovery": {}}}),
            Layout::Plain,
            Path::new("/"),
        );
        assert!(doc.is_none() && skipped.is_empty());
        let (doc, _) = normalise(
            json!({"mcp": {"servers": {"s": {"type": "stdio", "command": "x"}}}}),
            Layout::Plain,
            Path::new("/"),
        );
        assert!(doc.is_some());
    }
}
