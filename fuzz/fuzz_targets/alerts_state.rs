//! `alerts.json` from the state dir (`store::alerts::AlertFile`): parsed, then every alert in it (and a
//! few new ones) run through `rules::alerting::evaluate` for several rounds with different statuses,
//! clocks and policies, written back and read again, and counted by `daily-summary`'s alerts line.
//! State from disk, however odd, must never make evaluate panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcpmon::model::{Finding, Kind, Status};
use mcpmon::rules::alerting::{Policy, evaluate};
use mcpmon::store::alerts::AlertFile;
use std::time::Duration;

const STATUSES: [Status; 4] = [Status::Ok, Status::Warn, Status::Crit, Status::Unknown];

fuzz_target!(|data: &[u8]| {
    let Ok(file) = serde_json::from_slice::<AlertFile>(data) else {
        return;
    };
    let _ = mcpmon::rules::daily::alerts_line(
        file.alerts.values(),
        chrono::DateTime::UNIX_EPOCH,
        chrono::DateTime::<chrono::Utc>::MAX_UTC,
    );
    // the findings of a round: each key of the file (`target/probe/check`) and two new checks
    let mut checks: Vec<(String, Kind, String)> = file
        .alerts
        .keys()
        .filter_map(|k| {
            let mut parts = k.splitn(3, '/');
            let (t, p, c) = (parts.next()?, parts.next()?, parts.next()?);
            Some((t.to_string(), Kind::from_name(p)?, c.to_string()))
        })
        .collect();
    checks.push(("new".into(), Kind::Mcp, "liveness".into()));
    checks.push(("new".into(), Kind::Http, "http".into()));
    let times: Vec<i64> = file
        .alerts
        .values()
        .flat_map(|a| {
            [
                a.seen_at_ms,
                a.bad_since_ms.unwrap_or(0),
                a.notified_at_ms.unwrap_or(0),
            ]
        })
        .chain([0, 1_764_000_000_000, i64::MAX, i64::MIN])
        .take(6)
        .collect();
    let policies = [
        Policy::default(),
        Policy {
            for_: Duration::from_secs(300),
            consecutive: 3,
            recover_after: 2,
            flap_changes: 1,
            flap_window: Duration::from_secs(u64::MAX / 1000),
        },
        Policy {
            for_: Duration::MAX,
            consecutive: u32::MAX,
            recover_after: 0,
            flap_changes: 0,
            flap_window: Duration::ZERO,
        },
    ];
    let mut alerts = file.alerts;
    for (round, now_ms) in times.iter().enumerate() {
        let findings: Vec<Finding> = checks
            .iter()
            .enumerate()
            .map(|(i, (t, p, c))| {
                let st = STATUSES[(i + round) % STATUSES.len()];
                Finding::new(t, *p, c.clone(), st, None, "fuzz".to_string())
            })
            .collect();
        let policy = &policies[round % policies.len()];
        let repeat = [None, Some(Duration::from_secs(3600)), Some(Duration::MAX)][round % 3];
        let _ = evaluate(findings, &mut alerts, *now_ms, policy, repeat);
    }
    // what is written back must read back
    let out = AlertFile {
        version: file.version,
        alerts,
    };
    let text = serde_json::to_vec(&out).expect("serialising the state");
    let back: AlertFile = serde_json::from_slice(&text).expect("reading back the state");
    assert_eq!(back.alerts, out.alerts);
});
