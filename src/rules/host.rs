//! Judging the machine: memory used and the filesystems that matter (state dir, log dirs), as the
//! playbooks' `free -h` and `df -h` do. Load and CPU are reported, not judged.

use super::{above, round1};
use crate::model::CheckId;
use crate::model::Checks;
use crate::model::Finding;
use crate::model::HostFacts;
use crate::model::Kind;
use crate::model::Observation;
use crate::model::Unit;

pub fn findings(obs: &Observation, h: &HostFacts, checks: &Checks) -> Vec<Finding> {
    let t = obs.target.as_str();
    let mut out = Vec::new();
    if let Some(f) = &obs.failure {
        out.push(super::failed(t, Kind::Host, "host", f));
        return out;
    }
    if h.memory_total_bytes > 0 {
        let v = round1(h.memory_used_percent);
        out.push(above(
            t,
            Kind::Host,
            CheckId::HOST_MEMORY,
            v,
            checks.host_memory_percent,
            Unit::Percent,
            format!("memory {v} % used"),
        ));
    }
    for d in &h.disks {
        let v = round1(d.used_percent);
        let described = format!(
            "{} (on {}) {v} % used",
            d.path.display(),
            d.mount_point.display()
        );
        out.push(above(
            t,
            Kind::Host,
            format!("disk:{}", d.path.display()),
            v,
            checks.disk_used_percent,
            Unit::Percent,
            described,
        ));
    }
    out
}
