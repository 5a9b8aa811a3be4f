//! The machinery of the long-running commands (`record`, `serve`): a fixed-rate schedule that skips
//! missed ticks instead of bursting, and the stop signals (SIGINT, SIGTERM) they end on.

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
    fn jitter_is_a_fraction() {
        for i in 0..100 {
            let f = jitter_fraction(i);
            assert!((0.0..1.0).contains(&f), "{f}");
        }
    }
}
