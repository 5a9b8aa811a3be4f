//! The process groups of the children mcpmon starts (stdio servers, notification hooks): each child
//! leads its own group, which is signalled as a whole (a wrapper's own children included) and
//! whose leader is always reaped. No policy here (how long to wait, what to say): the callers own that.

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use std::time::Duration;
use tokio::process::Child;

/// The process group a child leads (spawned with `process_group(0)`); empty once the child is gone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Group(Option<i32>);

impl Group {
    /// The group of a child spawned with `process_group(0)`.
    pub fn of(child: &Child) -> Group {
        Group(child.id().and_then(|p| i32::try_from(p).ok()))
    }

    /// Forgets the group: nothing is signalled any more (the caller reaped it and its members).
    pub fn forget(&mut self) {
        self.0 = None;
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
