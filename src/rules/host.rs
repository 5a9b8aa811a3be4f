//! Judging the machine: memory used and the filesystems that matter (state dir, log dirs), as the
//! playbooks' `free -h` and `df -h` do. Load and CPU are reported, not judged.

use super::judge_above;
use crate::config::{Bound, Checks};
use crate::failure::Reason;
use crate::probe::Observation;
use crate::probe::host::HostFacts;
use crate::report::Finding;
use crate::status::Status;

fn pct(t: &str, check: &str, v: f64, bound: Bound, what: String) -> Finding {
    let v = (v * 10.0).round() / 10.0;
    let st = judge_above(v, bound);
    let msg = match st {
        Status::Ok => format!("{what} {v} % used"),
        _ => format!("{what} {v} % used ({})", super::bounds_text(bound, ">")),
    };
    Finding::new(
        t,
        check,
        st,
        (st != Status::Ok).then_some(Reason::Threshold),
        msg,
    )
    .value(v)
    .bounds(bound.warn, bound.crit)
}

pub fn findings(obs: &Observation, h: &HostFacts, checks: &Checks) -> Vec<Finding> {
    let t = obs.target.as_str();
    let mut out = Vec::new();
    if let Some(f) = &obs.failure {
        out.push(super::failed(t, "host", f));
        return out;
    }
    if h.memory_total_bytes > 0 {
        out.push(pct(
            t,
            "host_memory",
            h.memory_used_percent,
            checks.host_memory_percent,
            "memory".into(),
        ));
    }
    for d in &h.disks {
        out.push(pct(
            t,
            &format!("disk:{}", d.path.display()),
            d.used_percent,
            checks.disk_used_percent,
            format!("{} (on {})", d.path.display(), d.mount_point.display()),
        ));
    }
    out
}
