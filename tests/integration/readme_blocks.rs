//! Every README command block marked runnable (`<!-- runnable -->`, or `<!-- runnable: exit N… -->`, on the
//! line before its fence) runs as written against the real peers, so the README cannot drift from what
//! mcpmon does. The README's example addresses are the peers of `scripts/peers.sh start .peers 38100`
//! (127.0.0.1:38101 … :38108); this test maps them to the ports the peers run on (port 381NN → BASE+NN),
//! runs each command with bash (pipefail) in one scratch HOME shared by all blocks in document order,
//! with `mcpmon` on PATH, `.peers`, `examples` and `man` linked into it, and a deadline, and checks each exit
//! status. A transcript block (```` ``` ```` with `$ ` prompts) also shows its output: where the README
//! shows no `null`, the real output must have none (a jq filter naming a key the output lacks prints null),
//! and where it shows JSON lines, the output's lines must be JSON objects with the same keys.

use crate::common::*;
use std::path::{Path, PathBuf};

/// The deadline of one command (GNU timeout kills its whole process group when it passes).
const DEADLINE_S: u32 = 90;

#[derive(Debug)]
pub struct Command {
    /// 1-based README line of the command's first line.
    pub line: usize,
    pub text: String,
    pub expect: i32,
    /// A transcript's output lines under the command (empty for ```sh blocks).
    pub shown: String,
}

/// The runnable commands of `readme`, in order.
pub fn runnable_commands(readme: &str) -> Vec<Command> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut commands = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(spec) = lines[i]
            .trim()
            .strip_prefix("<!-- runnable")
            .and_then(|s| s.strip_suffix("-->"))
        else {
            i += 1;
            continue;
        };
        let marker_line = i + 1;
        let fence = lines.get(i + 1).copied().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "README.md:{marker_line}: a runnable marker must sit on the line before a ``` fence"
        );
        let transcript = fence.trim() == "```";
        let mut block: Vec<Command> = Vec::new();
        let mut j = i + 2;
        let mut continued = false;
        while j < lines.len() && !lines[j].starts_with("```") {
            let l = lines[j];
            if continued {
                let last = block.last_mut().unwrap();
                last.text.push('\n');
                last.text.push_str(l);
                continued = l.ends_with('\\');
            } else if transcript {
                if let Some(cmd) = l.strip_prefix("$ ") {
                    block.push(Command {
                        line: j + 1,
                        text: cmd.to_owned(),
                        expect: 0,
                        shown: String::new(),
                    });
                    continued = cmd.ends_with('\\');
                } else if let Some(last) = block.last_mut() {
                    last.shown.push_str(l);
                    last.shown.push('\n');
                }
            } else if !l.trim().is_empty() && !l.trim_start().starts_with('#') {
                block.push(Command {
                    line: j + 1,
                    text: l.to_owned(),
                    expect: 0,
                    shown: String::new(),
                });
                continued = l.ends_with('\\');
            }
            j += 1;
        }
        let exits: Vec<i32> = spec
            .trim()
            .strip_prefix(':')
            .map(str::trim)
            .map(|s| {
                s.strip_prefix("exit")
                    .unwrap_or_else(|| {
                        panic!("README.md:{marker_line}: write `<!-- runnable: exit N… -->`")
                    })
                    .split_whitespace()
                    .map(|n| n.parse().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            !block.is_empty(),
            "README.md:{marker_line}: a runnable block without a command"
        );
        assert!(
            exits.len() <= 1 || exits.len() == block.len(),
            "README.md:{marker_line}: {} exit codes for {} commands",
            exits.len(),
            block.len()
        );
        for (k, c) in block.iter_mut().enumerate() {
            c.expect = exits.get(k).or(exits.first()).copied().unwrap_or(0);
        }
        commands.extend(block);
        i = j;
    }
    commands
}

/// The README's example addresses (127.0.0.1:38101 … :38108, `make demo`'s ports) moved to the peers'.
fn to_peer_ports(text: &str, base: u16) -> String {
    let mut out = text.to_owned();
    for n in 1..=8u16 {
        out = out.replace(
            &format!("127.0.0.1:{}", 38100 + n),
            &format!("127.0.0.1:{}", base + n),
        );
    }
    out
}

/// The port base the peers run on (EVERYTHING_HTTP_URL is BASE+1).
fn peers_base() -> u16 {
    let url = peer("EVERYTHING_HTTP_URL");
    let port: u16 = url
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("EVERYTHING_HTTP_URL {url} is not http://127.0.0.1:PORT/…"));
    port - 1
}

/// Runs one command line with bash in `home`, under the deadline: (exit code, stdout, stderr).
pub fn run_shell(text: &str, home: &Path) -> (i32, String, String) {
    let bin_dir = Path::new(bin()).parent().unwrap();
    let out = std::process::Command::new("timeout")
        .args([
            "-k",
            "5",
            &DEADLINE_S.to_string(),
            "bash",
            "-o",
            "pipefail",
            "-c",
            text,
        ])
        .env_clear()
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .current_dir(home)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A scratch HOME laid out like a checkout after `make peers`: `.peers` (the running peers' directory),
/// `examples` and `man` linked in.
pub fn scratch_checkout() -> tempfile::TempDir {
    let home = tempdir();
    let peers_dir: PathBuf = Path::new(peer("PEERS_RUN_DIR")).parent().unwrap().into();
    std::os::unix::fs::symlink(&peers_dir, home.path().join(".peers")).unwrap();
    for dir in ["examples", "man"] {
        std::os::unix::fs::symlink(root().join(dir), home.path().join(dir)).unwrap();
    }
    home
}

/// What is wrong with one command's run, if anything.
fn judge(c: &Command, code: i32, stdout: &str) -> Option<String> {
    if code != c.expect {
        return Some(format!("exit {code}, the README expects {}", c.expect));
    }
    let has_null = |s: &str| {
        s.split(|ch: char| !ch.is_ascii_alphanumeric())
            .any(|w| w == "null")
    };
    if !c.shown.trim().is_empty() {
        if stdout.trim().is_empty() {
            return Some("no output, the README shows some".into());
        }
        if has_null(stdout) && !has_null(&c.shown) {
            return Some(
                "`null` in the output, none in the README's (a key it names is missing?)".into(),
            );
        }
        match (json_keys(&c.shown), json_keys(stdout)) {
            (Some(shown), Some(got)) => {
                if let Some(k) = got.iter().find(|k| !shown.contains(k)) {
                    return Some(format!(
                        "a JSON line with the keys {k:?}, the README's have {shown:?}"
                    ));
                }
            }
            (Some(_), None) => {
                return Some("the README shows JSON lines, the output is not".into());
            }
            _ => {}
        }
    }
    None
}

/// The keys of each line of JSON Lines text, when every line is a JSON object.
fn json_keys(text: &str) -> Option<Vec<Vec<String>>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match serde_json::from_str::<serde_json::Value>(l) {
            Ok(serde_json::Value::Object(o)) => Some(o.keys().cloned().collect()),
            _ => None,
        })
        .collect()
}

#[test]
fn readme_runnable_blocks_run_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let commands = runnable_commands(&readme);
    let base = peers_base();
    let home = scratch_checkout();
    let mut failures = Vec::new();
    for c in &commands {
        let (code, stdout, stderr) = run_shell(&to_peer_ports(&c.text, base), home.path());
        if let Some(what) = judge(c, code, &stdout) {
            failures.push(format!(
                "README.md:{}: {what}\n$ {}\n--- stdout\n{stdout}--- stderr\n{stderr}",
                c.line, c.text
            ));
        }
    }
    eprintln!(
        "ran {} runnable README commands, {} failed",
        commands.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        commands.len() >= 10,
        "only {} runnable commands",
        commands.len()
    );
}

#[test]
fn runnable_markers_parse_exits_continuations_and_transcripts() {
    let md = "intro\n<!-- runnable: exit 0 2 -->\n```\n$ mcpmon a \\\n    | jq .\n{\"x\":1}\n$ mcpmon b\nCRIT\n```\n\
              ```sh\nnot marked\n```\n<!-- runnable -->\n```sh\n# a comment\nmcpmon c   # trailing\n\nmcpmon d\n```\n";
    let c = runnable_commands(md);
    let got: Vec<(usize, &str, i32, &str)> = c
        .iter()
        .map(|c| (c.line, c.text.as_str(), c.expect, c.shown.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (4, "mcpmon a \\\n    | jq .", 0, "{\"x\":1}\n"),
            (7, "mcpmon b", 2, "CRIT\n"),
            (16, "mcpmon c   # trailing", 0, ""),
            (18, "mcpmon d", 0, ""),
        ]
    );
    assert_eq!(
        to_peer_ports(
            "http://127.0.0.1:38101/mcp http://127.0.0.1:38108 127.0.0.1:3001",
            38660
        ),
        "http://127.0.0.1:38661/mcp http://127.0.0.1:38668 127.0.0.1:3001"
    );
}

#[test]
fn a_transcript_fails_on_other_keys_or_a_null_the_readme_does_not_show() {
    let c = |shown: &str| Command {
        line: 1,
        text: "mcpmon x | jq -c .".into(),
        expect: 0,
        shown: shown.into(),
    };
    let shown = "{\"target\":\"a\",\"tools_count\":13}\n";
    assert_eq!(
        judge(&c(shown), 0, "{\"target\":\"b\",\"tools_count\":1}\n"),
        None
    );
    assert!(judge(&c(shown), 2, "{\"target\":\"b\",\"tools_count\":1}\n").is_some());
    assert!(judge(&c(shown), 0, "{\"target\":\"b\",\"tool_count\":1}\n").is_some());
    assert!(judge(&c(shown), 0, "{\"target\":\"b\",\"tools_count\":null}\n").is_some());
    assert!(judge(&c(shown), 0, "").is_some());
    assert!(judge(&c(shown), 0, "target b\n").is_some());
    assert_eq!(judge(&c("ok deep:mcp\n"), 0, "ok deep:x\n"), None);
    assert!(judge(&c("ok deep:mcp\n"), 0, "null deep:x\n").is_some());
}
