//! The children mcpmon starts (stdio servers, notification hooks) and everything they start in turn.
//! Each child leads its own process group, which is signalled as a whole (a wrapper's own children
//! included) and whose leader is always reaped. A descendant that left the group (`setsid()`, a
//! daemonising double fork) is still found: mcpmon is the child subreaper of what it starts (Linux
//! `PR_SET_CHILD_SUBREAPER`), so an orphan is re-parented to mcpmon instead of init, and `sweep` kills
//! and reaps the whole tree. No policy here (how long to wait, what a failure means): the callers own that.

use nix::sys::signal::{Signal, kill, killpg};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;
use std::sync::{Mutex, Once, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Child;

/// What one of a child's pipes has now, into `buf`: 0 at its end, or when it was never taken (so a
/// `select!` over stdout and stderr can read both with one arm each).
pub async fn read_pipe<R: AsyncRead + Unpin>(
    pipe: &mut Option<R>,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    match pipe {
        Some(r) => r.read(buf).await,
        None => Ok(0),
    }
}

/// At most this many descendants are tracked for one child (a fork bomb is not followed further).
const MAX_TREE: usize = 4096;
/// How many kill-and-look-again rounds `sweep` makes (a dying tree may still fork).
const SWEEP_ROUNDS: usize = 20;

/// Leaders of the groups mcpmon started and has not reaped yet: mcpmon's children that are not
/// adopted orphans.
static LEADERS: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// Makes mcpmon the child subreaper of everything it starts, once, before the first spawn (Linux; a
/// no-op elsewhere and when the kernel refuses).
pub fn adopt_orphans() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(target_os = "linux")]
        let _ = nix::sys::prctl::set_child_subreaper(true);
    });
}

/// Starts `cmd` as the leader of a process group of its own, killed if dropped, with mcpmon the
/// subreaper of what it starts: the one way a child is spawned, so its group can always be signalled
/// and reaped as a whole.
pub fn spawn(cmd: &mut tokio::process::Command) -> std::io::Result<(Child, Group)> {
    adopt_orphans();
    let child = cmd.process_group(0).kill_on_drop(true).spawn()?;
    let group = Group::of(&child);
    Ok((child, group))
}

/// The process group a child leads (spawned with `process_group(0)`); empty once the child is gone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Group(Option<i32>);

impl Group {
    /// The group of a child spawned with `process_group(0)` (after `adopt_orphans`).
    pub fn of(child: &Child) -> Group {
        let g = Group(child.id().and_then(|p| i32::try_from(p).ok()));
        if let Some(pid) = g.0 {
            LEADERS
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(pid);
        }
        g
    }

    /// Forgets the group: nothing is signalled any more (the caller reaped it and its members).
    pub fn forget(&mut self) {
        if let Some(pid) = self.0.take() {
            LEADERS
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .retain(|&p| p != pid);
        }
    }

    pub fn is_known(&self) -> bool {
        self.0.is_some()
    }

    /// Sends `sig` to every member of the group.
    pub fn signal(&self, sig: Signal) {
        if let Some(pgid) = self.0 {
            let _ = killpg(Pid::from_raw(pgid), sig);
        }
    }

    /// Whether any member of the group is still alive.
    pub fn alive(&self) -> bool {
        self.0
            .is_some_and(|pgid| killpg(Pid::from_raw(pgid), None).is_ok())
    }

    /// SIGKILL to the whole group, then the leader reaped within `grace`. Returns whether it was.
    pub async fn kill_and_reap(&self, child: &mut Child, grace: Duration) -> bool {
        self.signal(Signal::SIGKILL);
        let _ = child.start_kill();
        matches!(tokio::time::timeout(grace, child.wait()).await, Ok(Ok(_)))
    }

    /// `kill_and_reap`, said for a message: `killed and reaped` or `killed (not reaped yet)`.
    pub async fn kill_and_reap_said(&self, child: &mut Child, grace: Duration) -> &'static str {
        if self.kill_and_reap(child, grace).await {
            "killed and reaped"
        } else {
            "killed (not reaped yet)"
        }
    }

    /// The leader's descendants now, in or out of its group (empty once it is gone: its orphans are
    /// then mcpmon's children, see `sweep`).
    pub fn tree(&self) -> Vec<i32> {
        self.0.map(descendants).unwrap_or_default()
    }

    /// Whether process `pid` is alive (not a zombie).
    pub fn alive_pid(pid: i32) -> bool {
        alive(pid)
    }

    /// Sends `sig` to every process of `tree` (pids from `tree()`), whatever its group or session.
    pub fn signal_tree(tree: &[i32], sig: Signal) {
        for &p in tree {
            let _ = kill(Pid::from_raw(p), sig);
        }
    }

    /// After the leader is reaped: SIGKILL to the group, to every process of `tree` and to their
    /// descendants, again until none is left (bounded), reaping those re-parented to mcpmon. When no
    /// other child of mcpmon is running, mcpmon's other adopted orphans (a daemon that double-forked
    /// away before `tree` was taken) go too. Returns the processes it killed.
    pub async fn sweep(&self, tree: &[i32]) -> Vec<i32> {
        let me = i32::try_from(std::process::id()).unwrap_or(0);
        let mine = self.0;
        let others_running = LEADERS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .any(|&l| Some(l) != mine);
        let mut killed: Vec<i32> = Vec::new();
        self.signal(Signal::SIGKILL);
        for _ in 0..SWEEP_ROUNDS {
            let mut now: Vec<i32> = Vec::new();
            let mut roots: Vec<i32> = tree.to_vec();
            if !others_running {
                // an adopted orphan: mcpmon's child that mcpmon did not start, gone to its own
                // session (a process mcpmon's own code started shares mcpmon's session)
                let my_session = stat(me).map(|s| s.3);
                roots.extend(children(me).into_iter().filter(|&c| {
                    Some(c) != mine && stat(c).is_some_and(|s| Some(s.3) != my_session)
                }));
            }
            for r in roots {
                if alive(r) && !now.contains(&r) {
                    now.push(r);
                }
                for d in descendants(r) {
                    if alive(d) && !now.contains(&d) {
                        now.push(d);
                    }
                }
            }
            if now.is_empty() {
                break;
            }
            for &p in &now {
                let _ = kill(Pid::from_raw(p), Signal::SIGKILL);
                if !killed.contains(&p) {
                    killed.push(p);
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
            reap(&killed);
        }
        reap(&killed);
        killed
    }
}

/// Reaps those of `pids` that are mcpmon's (adopted) children and have exited; never waits.
fn reap(pids: &[i32]) {
    for &p in pids {
        let _ = waitpid(Pid::from_raw(p), Some(WaitPidFlag::WNOHANG));
    }
}

/// Whether `pid` exists and is not a zombie.
fn alive(pid: i32) -> bool {
    stat(pid).is_some_and(|(state, ..)| state != 'Z' && state != 'X')
}

/// (state, parent pid, process group, session) from `/proc/PID/stat`.
fn stat(pid: i32) -> Option<(char, i32, i32, i32)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // the command name is in parentheses and may itself contain spaces and parentheses
    let rest = s.rsplit_once(')')?.1;
    let mut f = rest.split_whitespace();
    let state = f.next()?.chars().next()?;
    let ppid = f.next()?.parse().ok()?;
    let pgrp = f.next()?.parse().ok()?;
    let session = f.next()?.parse().ok()?;
    Some((state, ppid, pgrp, session))
}

/// Reaps every child of mcpmon that has exited, until none is left or `guard` has passed; `true` when
/// none is left. For a long-running command that abandons work as it stops (`serve`): a dropped stdio
/// transport SIGKILLs its tree but cannot wait for it, so this is where the dead are collected before
/// mcpmon exits (and it gives the runtime the turns to drop what was aborted).
pub async fn reap_exited(guard: Duration) -> bool {
    use nix::sys::wait::WaitStatus;
    let until = tokio::time::Instant::now() + guard;
    loop {
        match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
            // one reaped: look again at once
            Ok(WaitStatus::Exited(..) | WaitStatus::Signaled(..)) => continue,
            Ok(_) => {
                if tokio::time::Instant::now() >= until {
                    return false;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            // ECHILD: no child left
            Err(_) => return true,
        }
    }
}

/// Every descendant of `pid`, parents before children (at most `MAX_TREE`).
pub fn descendants(pid: i32) -> Vec<i32> {
    let mut out: Vec<i32> = Vec::new();
    let mut queue = vec![pid];
    while let Some(p) = queue.pop() {
        for c in children(p) {
            if out.len() >= MAX_TREE {
                return out;
            }
            if c != pid && !out.contains(&c) {
                out.push(c);
                queue.push(c);
            }
        }
    }
    out
}

/// The direct children of `pid`: from `/proc/PID/task/*/children`, or by scanning `/proc` where the
/// kernel does not offer that file.
fn children(pid: i32) -> Vec<i32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut offered = false;
    for t in tasks.flatten() {
        if let Ok(list) = std::fs::read_to_string(t.path().join("children")) {
            offered = true;
            out.extend(
                list.split_whitespace()
                    .filter_map(|c| c.parse::<i32>().ok()),
            );
        }
    }
    if offered {
        return out;
    }
    let Ok(all) = std::fs::read_dir("/proc") else {
        return out;
    };
    all.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&p| stat(p).is_some_and(|(_, ppid, ..)| ppid == pid))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Stdio;

    #[tokio::test]
    async fn the_group_is_killed_and_its_leader_reaped() {
        let mut child = tokio::process::Command::new("sleep")
            .arg("300")
            .stdout(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap();
        let mut group = Group::of(&child);
        assert!(group.is_known() && group.alive());
        assert!(
            group
                .kill_and_reap(&mut child, Duration::from_secs(5))
                .await
        );
        // reaped: the group has no member left
        assert!(!group.alive());
        group.forget();
        assert!(!group.is_known() && !group.alive());
    }
}
