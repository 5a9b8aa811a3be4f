//! Latency statistics shared by `measure` (and later `anomalies`, `daily-summary`): a high-dynamic-range
//! histogram (constant memory whatever the number of samples), success and error counts by reason.

use super::failure::Reason;
use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use std::time::Duration;

/// Latencies are recorded in microseconds, from 1 µs to 1 hour, with 3 significant digits.
const MAX_US: u64 = 3_600_000_000;

#[derive(Debug, Clone)]
pub struct LatencyStats {
    hist: Histogram<u64>,
    pub ok: u64,
    pub errors: BTreeMap<Reason, u64>,
}

impl Default for LatencyStats {
    fn default() -> Self {
        LatencyStats {
            hist: new_hist(),
            ok: 0,
            errors: BTreeMap::new(),
        }
    }
}

fn new_hist() -> Histogram<u64> {
    // constant bounds hdrhistogram always accepts (1 ≤ low, high ≥ 2 × low, 3 significant digits)
    Histogram::new_with_bounds(1, MAX_US, 3).expect("valid constant histogram bounds")
}

/// A summary in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Summary {
    pub count: u64,
    pub min: f64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

impl LatencyStats {
    pub fn record_ok(&mut self, d: Duration) {
        let us = (d.as_micros() as u64).clamp(1, MAX_US);
        let _ = self.hist.record(us);
        self.ok += 1;
    }

    pub fn record_error(&mut self, reason: Reason) {
        *self.errors.entry(reason).or_insert(0) += 1;
    }

    pub fn merge(&mut self, other: &LatencyStats) {
        let _ = self.hist.add(&other.hist);
        self.ok += other.ok;
        for (r, n) in &other.errors {
            *self.errors.entry(*r).or_insert(0) += n;
        }
    }

    pub fn total(&self) -> u64 {
        self.ok + self.errors.values().sum::<u64>()
    }

    /// Successful requests in % of all; `None` when nothing ran.
    pub fn success_percent(&self) -> Option<f64> {
        let t = self.total();
        (t > 0).then(|| self.ok as f64 * 100.0 / t as f64)
    }

    /// Latency of the successful requests, in ms.
    pub fn summary(&self) -> Summary {
        let ms = |us: u64| us as f64 / 1000.0;
        if self.hist.is_empty() {
            return Summary::default();
        }
        Summary {
            count: self.hist.len(),
            min: ms(self.hist.min()),
            mean: self.hist.mean() / 1000.0,
            p50: ms(self.hist.value_at_quantile(0.50)),
            p90: ms(self.hist.value_at_quantile(0.90)),
            p95: ms(self.hist.value_at_quantile(0.95)),
            p99: ms(self.hist.value_at_quantile(0.99)),
            p999: ms(self.hist.value_at_quantile(0.999)),
            max: ms(self.hist.max()),
        }
    }

    /// Counts in `buckets` log-spaced bins between min and max: (upper bound in ms, count). Every
    /// recorded value lands in exactly one bin.
    pub fn buckets(&self, buckets: usize) -> Vec<(f64, u64)> {
        if self.hist.is_empty() || buckets == 0 {
            return Vec::new();
        }
        let (lo, hi) = (self.hist.min().max(1) as f64, self.hist.max().max(1) as f64);
        let step = (hi / lo).powf(1.0 / buckets as f64).max(1.000_001);
        let bounds: Vec<u64> = (1..=buckets)
            .map(|i| {
                if i == buckets {
                    self.hist.max()
                } else {
                    (lo * step.powi(i as i32)) as u64
                }
            })
            .collect();
        let mut counts = vec![0u64; buckets];
        for v in self.hist.iter_recorded() {
            let value = self
                .hist
                .highest_equivalent(v.value_iterated_to())
                .min(self.hist.max());
            let at = bounds
                .iter()
                .position(|b| value <= *b)
                .unwrap_or(buckets - 1);
            counts[at] += v.count_at_value();
        }
        bounds
            .into_iter()
            .map(|b| b as f64 / 1000.0)
            .zip(counts)
            .collect()
    }
}

/// Rounds to one decimal, as values are shown and judged (`12.34` → `12.3`).
pub fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Rounds to three decimals (`0.12345` → `0.123`).
pub fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// A duration in milliseconds to one decimal, as latencies are judged (`12.3 ms`).
pub fn ms1(d: Duration) -> f64 {
    round1(d.as_secs_f64() * 1000.0)
}

/// A duration in milliseconds to the microsecond, as JSON and history keep it (`12.345 ms`).
pub fn ms3(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_success_and_merge() {
        let mut a = LatencyStats::default();
        for ms in 1..=100u64 {
            a.record_ok(Duration::from_millis(ms));
        }
        a.record_error(Reason::Timeout);
        let s = a.summary();
        assert_eq!(s.count, 100);
        assert!((s.p50 - 50.0).abs() < 0.1, "{s:?}");
        assert!((s.p95 - 95.0).abs() < 0.1, "{s:?}");
        assert!((s.max - 100.0).abs() < 0.1, "{s:?}");
        assert_eq!(a.total(), 101);
        let mut b = LatencyStats::default();
        b.record_ok(Duration::from_millis(1000));
        b.record_error(Reason::Timeout);
        a.merge(&b);
        assert_eq!(a.errors[&Reason::Timeout], 2);
        assert_eq!(a.ok, 101);
        assert!((a.summary().max - 1000.0).abs() < 1.0);
        let buckets = a.buckets(5);
        assert_eq!(buckets.iter().map(|(_, n)| n).sum::<u64>(), 101);
    }

    #[test]
    fn nothing_ran() {
        let s = LatencyStats::default();
        assert_eq!(s.success_percent(), None);
        assert_eq!(s.summary(), Summary::default());
        assert!(s.buckets(10).is_empty());
    }
}
