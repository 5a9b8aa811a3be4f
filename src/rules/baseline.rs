//! Judging a load run against a saved baseline (`measure --compare`, a regression gate for CI): each
//! latency percentile's change and the success rate's drop, in % of the baseline, against the gate's
//! `--warn`/`--crit` percentages; and the baseline a successful run leaves (`--save-baseline`). Pure:
//! the file is read and written by `commands::measure`, the time comes in with the observation.

use super::{above, round1};
use crate::model::Baseline;
use crate::model::Bound;
use crate::model::Facts;
use crate::model::Finding;
use crate::model::Kind;
use crate::model::LoadFacts;
use crate::model::Observation;
use crate::model::Unit;

/// The gate's bounds from `--warn` and `--crit` ("20%", "20 %", "20"): a regression of more than
/// `warn` % warns, of more than `crit` % is critical.
pub fn gate(warn: &str, crit: &str) -> Result<Bound, String> {
    Ok(Bound {
        warn: Some(percent(warn, "--warn")?),
        crit: Some(percent(crit, "--crit")?),
    })
}

/// A percentage that is a finite number ≥ 0, with or without its `%`.
fn percent(s: &str, flag: &str) -> Result<f64, String> {
    s.trim()
        .trim_end_matches('%')
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("{flag} {s:?}: expected a percentage such as 20%"))
}

/// The comparison of a load observation with a baseline; nothing when the run failed (its failure is
/// already the finding) or the observation is not a load.
pub fn findings(obs: &Observation, base: &Baseline, gate: Bound) -> Vec<Finding> {
    match (&obs.facts, &obs.failure) {
        (Facts::Load(l), None) => compare(&obs.target, l, base, gate),
        _ => Vec::new(),
    }
}

/// Findings comparing this run with a baseline: slower percentiles (`p50_vs_baseline`, …) and a lower
/// success rate (`success_vs_baseline`), in % of the baseline. A percentile the baseline does not have
/// (0), or that this run has none of (no request succeeded), is not compared; a faster run is a
/// negative change, and a success rate that rose is a drop of 0.
pub fn compare(target: &str, now: &LoadFacts, base: &Baseline, gate: Bound) -> Vec<Finding> {
    let s = now.stats.summary();
    let mut out = Vec::new();
    for (name, was, is) in [
        ("p50", base.p50_ms, s.p50),
        ("p95", base.p95_ms, s.p95),
        ("p99", base.p99_ms, s.p99),
    ] {
        if was <= 0.0 || s.count == 0 {
            continue;
        }
        let change = round1((is - was) / was * 100.0);
        out.push(above(
            target,
            Kind::Load,
            format!("{name}_vs_baseline"),
            change,
            gate,
            Unit::Percent,
            format!("{name} {is:.2} ms vs {was:.2} ms in the baseline ({change:+} %)"),
        ));
    }
    if let Some(ok) = now.stats.success_percent() {
        let drop = if base.success_percent > 0.0 {
            round1((base.success_percent - ok) / base.success_percent * 100.0)
        } else {
            0.0
        };
        out.push(above(
            target,
            Kind::Load,
            "success_vs_baseline",
            drop.max(0.0),
            gate,
            Unit::Percent,
            format!(
                "success {ok:.1} % vs {:.1} % in the baseline",
                base.success_percent
            ),
        ));
    }
    out
}

/// The baseline a load observation leaves, stamped with the time it started; none when the run failed
/// or the observation is not a load.
pub fn of(obs: &Observation) -> Option<Baseline> {
    let (Facts::Load(l), None) = (&obs.facts, &obs.failure) else {
        return None;
    };
    let s = l.stats.summary();
    Some(Baseline {
        schema_version: Baseline::SCHEMA_VERSION,
        target: obs.target.clone(),
        method: l.method.clone(),
        concurrency: l.concurrency,
        requests: l.stats.total(),
        success_percent: l.stats.success_percent().unwrap_or(0.0),
        p50_ms: s.p50,
        p95_ms: s.p95,
        p99_ms: s.p99,
        requests_per_second: l.throughput(),
        generated_at: obs
            .started_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Failure;
    use crate::model::Reason;
    use crate::model::Status;
    use std::time::Duration;

    const GATE: Bound = Bound {
        warn: Some(20.0),
        crit: Some(50.0),
    };

    /// A run of `ok` requests that all took `ms`, and `errors` timeouts.
    fn run(ms: u64, ok: usize, errors: usize) -> LoadFacts {
        let mut l = LoadFacts {
            method: "ping".into(),
            concurrency: 2,
            elapsed: Duration::from_secs(2),
            ..Default::default()
        };
        for _ in 0..ok {
            l.stats.record_ok(Duration::from_millis(ms));
        }
        for _ in 0..errors {
            l.stats.record_error(Reason::Timeout);
        }
        l
    }

    fn base(p: f64, success: f64) -> Baseline {
        Baseline {
            schema_version: 1,
            target: "a".into(),
            method: "ping".into(),
            concurrency: 2,
            requests: 100,
            success_percent: success,
            p50_ms: p,
            p95_ms: p,
            p99_ms: p,
            requests_per_second: 50.0,
            generated_at: "2026-11-21T10:00:00Z".into(),
        }
    }

    fn obs(facts: LoadFacts, failure: Option<Failure>) -> Observation {
        Observation {
            target: "a".into(),
            endpoint: "http://127.0.0.1:1/mcp".into(),
            started_at: "2026-11-21T10:00:00.700Z".parse().unwrap(),
            duration: Duration::from_secs(2),
            failure,
            facts: Facts::Load(Box::new(facts)),
        }
    }

    fn get<'a>(fs: &'a [Finding], check: &str) -> &'a Finding {
        fs.iter()
            .find(|f| f.check == check)
            .unwrap_or_else(|| panic!("{check} in {fs:#?}"))
    }

    #[test]
    fn a_p95_thirty_percent_slower_warns_at_20_and_not_50() {
        // 130 ms (the histogram keeps 3 significant digits: 130.047) against 100 ms
        let fs = compare("a", &run(130, 100, 0), &base(100.0, 100.0), GATE);
        let p95 = get(&fs, "p95_vs_baseline");
        assert_eq!(p95.status, Status::Warn);
        assert_eq!(p95.reason, Some(Reason::Threshold));
        assert_eq!(p95.value, Some(30.0));
        assert_eq!((p95.warn, p95.crit), (Some(20.0), Some(50.0)));
        assert_eq!(p95.unit, Some(Unit::Percent));
        assert_eq!(p95.probe, Kind::Load);
        assert_eq!(
            p95.message,
            "p95 130.05 ms vs 100.00 ms in the baseline (+30 %) (warn > 20, crit > 50)"
        );
        let checks: Vec<&str> = fs.iter().map(|f| f.check.as_str()).collect();
        assert_eq!(
            checks,
            [
                "p50_vs_baseline",
                "p95_vs_baseline",
                "p99_vs_baseline",
                "success_vs_baseline"
            ]
        );
    }

    #[test]
    fn twice_as_slow_is_critical_and_faster_is_ok() {
        let fs = compare("a", &run(200, 10, 0), &base(100.0, 100.0), GATE);
        assert_eq!(get(&fs, "p95_vs_baseline").status, Status::Crit);
        let fs = compare("a", &run(50, 10, 0), &base(100.0, 100.0), GATE);
        let p95 = get(&fs, "p95_vs_baseline");
        assert_eq!((p95.status, p95.value), (Status::Ok, Some(-50.0)));
        assert_eq!(
            p95.message,
            "p95 50.02 ms vs 100.00 ms in the baseline (-50 %)"
        );
        // exactly at the bound is not past it
        let slower = run(120, 10, 0);
        let was = slower.stats.summary().p95 / 1.2;
        let fs = compare("a", &slower, &base(was, 100.0), GATE);
        assert_eq!(get(&fs, "p95_vs_baseline").value, Some(20.0));
        assert_eq!(get(&fs, "p95_vs_baseline").status, Status::Ok);
    }

    #[test]
    fn the_success_rate_is_judged_by_its_drop_in_percent_of_the_baseline() {
        // 70 of 100 against 100 %: a drop of 30 %
        let fs = compare("a", &run(100, 70, 30), &base(100.0, 100.0), GATE);
        let s = get(&fs, "success_vs_baseline");
        assert_eq!((s.status, s.value), (Status::Warn, Some(30.0)));
        assert_eq!(
            s.message,
            "success 70.0 % vs 100.0 % in the baseline (warn > 20, crit > 50)"
        );
        // a rate that rose is a drop of 0, not a negative one
        let fs = compare("a", &run(100, 100, 0), &base(100.0, 80.0), GATE);
        assert_eq!(get(&fs, "success_vs_baseline").value, Some(0.0));
        // a baseline with no success at all cannot be dropped from
        let fs = compare("a", &run(100, 1, 99), &base(100.0, 0.0), GATE);
        let s = get(&fs, "success_vs_baseline");
        assert_eq!((s.status, s.value), (Status::Ok, Some(0.0)));
    }

    #[test]
    fn what_cannot_be_compared_is_left_out() {
        // no request succeeded: no percentile to compare, the success rate still is (a drop of 100 %)
        let fs = compare("a", &run(100, 0, 10), &base(100.0, 100.0), GATE);
        assert_eq!(fs.len(), 1, "{fs:#?}");
        assert_eq!(get(&fs, "success_vs_baseline").status, Status::Crit);
        // nothing ran at all: nothing to say
        assert!(compare("a", &run(100, 0, 0), &base(100.0, 100.0), GATE).is_empty());
        // a baseline without percentiles (0) compares the success rate only
        let fs = compare("a", &run(100, 10, 0), &base(0.0, 100.0), GATE);
        let checks: Vec<&str> = fs.iter().map(|f| f.check.as_str()).collect();
        assert_eq!(checks, ["success_vs_baseline"]);
    }

    #[test]
    fn a_failed_run_is_neither_compared_nor_saved() {
        let failed = obs(
            LoadFacts::default(),
            Some(Failure::new(Reason::ConnectRefused, "refused")),
        );
        assert!(findings(&failed, &base(100.0, 100.0), GATE).is_empty());
        assert_eq!(of(&failed), None);
        let good = obs(run(130, 100, 0), None);
        assert_eq!(findings(&good, &base(100.0, 100.0), GATE).len(), 4);
    }

    #[test]
    fn a_run_leaves_its_numbers_as_a_baseline() {
        let b = of(&obs(run(130, 99, 1), None)).unwrap();
        assert_eq!(b.schema_version, 1);
        assert_eq!((b.target.as_str(), b.method.as_str()), ("a", "ping"));
        assert_eq!((b.concurrency, b.requests), (2, 100));
        assert_eq!(b.success_percent, 99.0);
        assert_eq!((b.p50_ms, b.p95_ms, b.p99_ms), (130.047, 130.047, 130.047));
        assert_eq!(b.requests_per_second, 49.5);
        assert_eq!(b.generated_at, "2026-11-21T10:00:00Z", "whole seconds, UTC");
        // and it reads back as what was written
        let text = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<Baseline>(&text).unwrap(), b);
        // against itself nothing regressed
        let fs = findings(&obs(run(130, 99, 1), None), &b, GATE);
        assert!(fs.iter().all(|f| f.status == Status::Ok), "{fs:#?}");
    }

    #[test]
    fn the_gate_takes_percentages() {
        assert_eq!(gate("20%", " 50 % "), Ok(GATE));
        assert_eq!(
            gate("20", "0"),
            Ok(Bound {
                warn: Some(20.0),
                crit: Some(0.0)
            })
        );
        assert_eq!(
            gate("-5%", "50%"),
            Err(r#"--warn "-5%": expected a percentage such as 20%"#.into())
        );
        assert_eq!(
            gate("20%", "lots"),
            Err(r#"--crit "lots": expected a percentage such as 20%"#.into())
        );
        assert!(gate("inf", "50").is_err());
    }
}
