//! A saved load baseline (`measure --save-baseline`, read back by `measure --compare`): parsed as
//! `measure` reads it, then every run of a few shapes (fast, slow, all failed, none) judged against it
//! under a few gates, and the baseline written back and read again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpmon::model::{Baseline, Bound, Facts, LoadFacts, Observation, Reason};
use mcpmon::rules::baseline;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let Ok(base) = serde_json::from_slice::<Baseline>(data) else {
        return;
    };
    let gates = [
        baseline::gate("20%", "50%").unwrap_or(Bound {
            warn: None,
            crit: None,
        }),
        Bound {
            warn: Some(0.0),
            crit: Some(0.0),
        },
        Bound {
            warn: None,
            crit: Some(f64::MAX),
        },
    ];
    for (ms, ok, errors) in [(1, 50, 0), (2_000, 3, 1), (0, 0, 5), (0, 0, 0)] {
        let mut run = LoadFacts {
            method: base.method.clone(),
            concurrency: base.concurrency,
            elapsed: Duration::from_secs(2),
            ..Default::default()
        };
        for _ in 0..ok {
            run.stats.record_ok(Duration::from_millis(ms));
        }
        for _ in 0..errors {
            run.stats.record_error(Reason::Timeout);
        }
        let obs = Observation {
            target: base.target.clone(),
            endpoint: "http://127.0.0.1:9/mcp".into(),
            started_at: chrono::DateTime::UNIX_EPOCH,
            duration: Duration::from_secs(2),
            failure: None,
            facts: Facts::Load(Box::new(run)),
        };
        for gate in gates {
            for f in baseline::findings(&obs, &base, gate) {
                let _ = (f.message.len(), f.value);
            }
        }
        let _ = baseline::of(&obs);
    }
    // a baseline that was read is written back unchanged (floats that are not finite cannot be JSON)
    let text = serde_json::to_string(&base).expect("serialising the baseline");
    let back: Baseline = serde_json::from_str(&text).expect("reading back the baseline");
    assert_eq!(back.target, base.target);
});
