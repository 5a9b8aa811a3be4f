//! `mcpmon dashboard`: `--once` against real peers, refusing a non-terminal stdout, and the live view
//! driven in tmux (keys sent, the pane read, the terminal restored after `q`).

use crate::common::*;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn once_is_a_snapshot_with_the_usual_exit_code() {
    let home = tempdir();
    let (code, out, _) = run(
        home.path(),
        &[
            "dashboard",
            "--once",
            "--hub",
            peer("HUB_BROKEN_URL"),
            peer("EVERYTHING_HTTP_URL"),
        ],
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.starts_with("mcpmon dashboard — 2 targets: 1 healthy · 0 warning · 1 critical"),
        "{out}"
    );
    assert!(out.contains("streamable_http 2025-11-25"), "{out}");
    assert!(
        out.contains("CRIT    hub ") && out.contains("server:broken"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "no colour when piped: {out}");
    let (_, coloured, _) = run(
        home.path(),
        &[
            "--color",
            "always",
            "dashboard",
            "--once",
            peer("EVERYTHING_HTTP_URL"),
        ],
    );
    assert!(coloured.contains("\x1b["), "{coloured}");
}

#[test]
fn the_live_view_needs_a_terminal() {
    let home = tempdir();
    let (code, _, err) = run(home.path(), &["dashboard", peer("EVERYTHING_HTTP_URL")]);
    assert_eq!(code, 3);
    assert!(err.contains("--once"), "{err}");
}

struct Tmux(String);

impl Tmux {
    fn pane(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.0])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Polls the pane until `what` shows (or panics with the pane after 30 s).
    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let p = self.pane();
            if p.contains(what) {
                return p;
            }
            assert!(
                Instant::now() < deadline,
                "waited for {what:?}; the pane:\n{p}"
            );
            std::thread::sleep(Duration::from_millis(50)); // a poll interval, not a synchronisation
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.0];
        args.extend_from_slice(keys);
        assert!(Command::new("tmux").args(&args).status().unwrap().success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.0])
            .status();
    }
}

#[test]
fn the_live_view_in_tmux_answers_keys_and_restores_the_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        panic!("tmux is needed for this test (.ci/run installs it)");
    }
    let home = tempdir();
    let name = format!("mcpmon-dash-{}", std::process::id());
    let script = format!(
        "env -i PATH=\"$PATH\" HOME={home} XDG_STATE_HOME={home}/.state TERM=xterm-256color {bin} dashboard --interval 1s {url}; \
         echo \"EXITED $?\"; stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\{{0,1\\}}icanon'; echo STTY-DONE; exec sleep 60",
        home = home.path().display(),
        bin = bin(),
        url = peer("EVERYTHING_HTTP_URL"),
    );
    let ok = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "120",
            "-y",
            "30",
            &script,
        ])
        .status()
        .unwrap()
        .success();
    assert!(ok, "tmux new-session");
    let t = Tmux(name);
    let target = peer("EVERYTHING_HTTP_URL").trim_start_matches("http://");
    let p = t.wait_for("1 target: 1 healthy");
    assert!(p.contains(target), "{p}");
    assert!(p.contains("q quit · r refresh"), "{p}");
    // details, back, help, back, filter that matches nothing, clear it, refresh, quit
    t.keys(&["d"]);
    t.wait_for(&format!("{target} — OK streamable_http"));
    t.wait_for("tools (13):");
    t.keys(&["Escape"]);
    t.wait_for("Alerts and anomalies");
    t.keys(&["?"]);
    t.wait_for("refresh now");
    t.keys(&["x"]);
    t.wait_for("TARGET");
    t.keys(&["/", "z", "z"]);
    t.wait_for("(no target matches)");
    t.keys(&["Escape"]);
    t.wait_for(&format!("› {target}"));
    t.keys(&["r", "q"]);
    let p = t.wait_for("STTY-DONE");
    assert!(p.contains("EXITED 0"), "{p}");
    // raw mode is off again: the terminal is canonical
    let after: Vec<&str> = p.lines().skip_while(|l| !l.contains("EXITED 0")).collect();
    assert!(after.iter().any(|l| l.trim() == "icanon"), "{p}");
    assert!(
        !p.contains("Alerts and anomalies"),
        "the alternate screen is gone: {p}"
    );
}
