//! The machinery of the long-running commands (`record`, `serve`): a fixed-rate schedule that skips
//! missed ticks instead of bursting, `record`'s per-target schedule over it, and the stop signals
//! (SIGINT, SIGTERM) they end on. No I/O but the signals; the clock comes in as `Instant`s.

use anyhow::Context as _;
use std::time::Duration;
use tokio::time::Instant;

/// Ticks every `every` from a start; a tick missed (the work took longer) is skipped, not made up.
#[derive(Debug, Clone)]
pub struct Ticks {
    next: Instant,
    every: Duration,
}

impl Ticks {
    pub fn starting(at: Instant, every: Duration) -> Ticks {
        Ticks { next: at, every }
    }

    /// When the next tick is due.
    pub fn due(&self) -> Instant {
        self.next
    }

    /// Moves to the next tick after the one just served; when that is already past at `now`, to
    /// `now + every` (the missed ticks are skipped).
    pub fn advance(&mut self, now: Instant) {
        self.next += self.every;
        if self.next < now {
            self.next = now + self.every;
        }
    }
}

/// `record`'s schedule: each target on its own interval (the config's `interval`, else `--interval`),
/// a full round of it once `full_every` has passed since its last full one (the first is full).
/// Targets due at the same instant are checked in the same round; between rounds the recorder
/// sleeps until the earliest tick, so idle costs nothing whatever the intervals.
#[derive(Debug, Clone)]
pub struct PerTarget {
    slots: Vec<(Ticks, Option<Instant>)>,
    full_every: Duration,
}

/// The targets due now, by index: those for a full round and those for a light one.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Due {
    pub full: Vec<usize>,
    pub light: Vec<usize>,
}

impl PerTarget {
    /// Every target due at `start`; `intervals[i]` is target i's.
    pub fn starting(start: Instant, intervals: &[Duration], full_every: Duration) -> PerTarget {
        PerTarget {
            slots: intervals
                .iter()
                .map(|every| (Ticks::starting(start, *every), None))
                .collect(),
            full_every,
        }
    }

    /// When the earliest target is due (none without targets).
    pub fn next(&self) -> Option<Instant> {
        self.slots.iter().map(|(t, _)| t.due()).min()
    }

    /// The targets due at `now`.
    pub fn due(&self, now: Instant) -> Due {
        let mut due = Due::default();
        for (i, (ticks, last_full)) in self.slots.iter().enumerate() {
            if ticks.due() > now {
                continue;
            }
            match last_full {
                Some(t) if now.saturating_duration_since(*t) < self.full_every => due.light.push(i),
                _ => due.full.push(i),
            }
        }
        due
    }

    /// The round of `due` that started at `started` is over at `now`: each of its targets moves to its
    /// next tick (missed ones skipped), and a full one remembers when.
    pub fn served(&mut self, due: &Due, started: Instant, now: Instant) {
        for &i in due.full.iter().chain(&due.light) {
            if let Some((ticks, last_full)) = self.slots.get_mut(i) {
                ticks.advance(now);
                if due.full.contains(&i) {
                    *last_full = Some(started);
                }
            }
        }
    }
}

/// SIGINT (Ctrl-C) or SIGTERM, whichever comes first.
pub struct Signals {
    term: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn install() -> anyhow::Result<Signals> {
        let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("installing the SIGTERM handler")?;
        Ok(Signals { term })
    }

    /// Waits for the next SIGINT or SIGTERM.
    pub async fn recv(&mut self) {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = self.term.recv() => {}
        }
    }
}

/// A random fraction in [0, 1) (std's randomly seeded hasher: no random crate for jitter).
pub fn jitter_fraction(salt: u64) -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(salt);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_keep_their_rate_and_skip_missed_ones() {
        let t0 = Instant::now();
        let s = Duration::from_secs(10);
        let mut t = Ticks::starting(t0, s);
        assert_eq!(t.due(), t0);
        t.advance(t0 + Duration::from_secs(3));
        assert_eq!(t.due(), t0 + s);
        // the work ran 25 s past the tick: the next is 10 s from now, not two ticks in a burst
        t.advance(t0 + Duration::from_secs(35));
        assert_eq!(t.due(), t0 + Duration::from_secs(45));
    }

    #[test]
    fn each_target_keeps_its_own_cadence() {
        // a runbook's cadences: the health check hourly, WebSocket stats every 2 h, the status every 4 h
        let t0 = Instant::now();
        let h = |n: u64| Duration::from_secs(n * 3600);
        let mut s = PerTarget::starting(t0, &[h(1), h(2), h(4)], Duration::from_secs(1800));
        let mut checked = [0; 3];
        let (mut full, mut light) = (0, 0);
        let mut now = t0;
        // eight hours of rounds, each taking a second
        while now < t0 + h(8) {
            let due = s.due(now);
            assert!(
                !due.full.is_empty() || !due.light.is_empty(),
                "woken for nothing"
            );
            for &i in due.full.iter().chain(&due.light) {
                checked[i] += 1;
            }
            full += due.full.len();
            light += due.light.len();
            s.served(&due, now, now + Duration::from_secs(1));
            now = s.next().unwrap();
        }
        assert_eq!(checked, [8, 4, 2]);
        // every interval is longer than --full-every: every round is full
        assert_eq!((full, light), (14, 0));
    }

    #[test]
    fn a_target_checked_more_often_than_full_every_has_light_rounds_between() {
        let t0 = Instant::now();
        let m = |n: u64| Duration::from_secs(n * 60);
        let mut s = PerTarget::starting(t0, &[m(5), m(60)], m(30));
        let mut seen = Vec::new();
        let mut now = t0;
        while now < t0 + m(61) {
            let due = s.due(now);
            seen.push((
                now.duration_since(t0).as_secs() / 60,
                due.full.clone(),
                due.light.clone(),
            ));
            s.served(&due, now, now);
            now = s.next().unwrap();
        }
        let at = |min: u64| seen.iter().find(|(t, _, _)| *t == min).cloned();
        assert_eq!(
            at(0),
            Some((0, vec![0, 1], vec![])),
            "the first round is full"
        );
        assert_eq!(at(5), Some((5, vec![], vec![0])), "the slow one is not due");
        assert_eq!(
            at(30),
            Some((30, vec![0], vec![])),
            "full again after 30 min"
        );
        assert_eq!(at(60), Some((60, vec![0, 1], vec![])), "both at 60");
        assert_eq!(seen.len(), 13, "woken only when something is due: {seen:?}");
    }

    #[test]
    fn jitter_is_a_fraction() {
        for i in 0..100 {
            let f = jitter_fraction(i);
            assert!((0.0..1.0).contains(&f), "{f}");
        }
    }
}
