//! Judging a server's process: found and running, its CPU and memory (by default: CPU above 5 %
//! warns, above 10 % is critical; RSS above 5 % / 10 % of the host; above 2 GiB critical), and the
//! port it must listen on. With several matching processes (workers), their sum is judged.

use super::{above, failed, round1};
use crate::model::Bound;
use crate::model::CheckId;
use crate::model::Checks;
use crate::model::Finding;
use crate::model::Kind;
use crate::model::Observation;
use crate::model::ProcessFacts;
use crate::model::Reason;
use crate::model::Status;
use crate::model::Unit;

fn judged(
    t: &str,
    check: CheckId,
    value: Option<f64>,
    bound: Bound,
    what: &str,
    unit: Unit,
    suffix: &str,
) -> Option<Finding> {
    let v = round1(value?);
    Some(above(
        t,
        Kind::Process,
        check,
        v,
        bound,
        unit,
        format!("{what} {v}{suffix}"),
    ))
}

fn sum(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    values.into_iter().try_fold(0.0, |acc, v| Some(acc + v?))
}

pub fn findings(obs: &Observation, p: &ProcessFacts, checks: &Checks) -> Vec<Finding> {
    let t = obs.target.as_str();
    let mut out = Vec::new();
    if let Some(f) = &obs.failure {
        out.push(failed(t, Kind::Process, CheckId::PROCESS, f));
        return out;
    }
    let pids: Vec<String> = p.processes.iter().map(|i| i.pid.to_string()).collect();
    out.push(Finding::new(
        t,
        Kind::Process,
        CheckId::PROCESS,
        Status::Ok,
        None,
        format!(
            "{}: running (pid {}){}",
            p.selector,
            pids.join(", "),
            p.processes
                .iter()
                .filter_map(|i| i.uptime_s)
                .reduce(f64::max)
                .map(|u| format!(", up {}", crate::model::human::span_secs(u.max(0.0))))
                .unwrap_or_default()
        ),
    ));
    let cpu = sum(p.processes.iter().map(|i| i.cpu_percent));
    let window = match p.cpu_window {
        Some(w) => format!(
            " % of one core (over {} ms, before mcpmon's own requests)",
            w.as_millis()
        ),
        None => " % of one core".to_string(),
    };
    out.extend(judged(
        t,
        CheckId::PROCESS_CPU,
        cpu,
        checks.process_cpu_percent,
        "CPU",
        Unit::Percent,
        &window,
    ));
    let mem = sum(p.processes.iter().map(|i| i.memory_percent));
    out.extend(judged(
        t,
        CheckId::PROCESS_MEMORY,
        mem,
        checks.process_memory_percent,
        "memory",
        Unit::Percent,
        " % of the host",
    ));
    let rss = sum(p
        .processes
        .iter()
        .map(|i| i.rss_bytes.map(|b| b as f64 / 1_048_576.0)));
    out.extend(judged(
        t,
        CheckId::PROCESS_RSS,
        rss,
        checks.process_rss_mb,
        "RSS",
        Unit::MiB,
        " MiB",
    ));
    if let Some(port) = checks.expect_port {
        let listening = p
            .processes
            .iter()
            .any(|i| i.listening_ports.contains(&port));
        out.push(if listening {
            Finding::new(
                t,
                Kind::Process,
                CheckId::PORT,
                Status::Ok,
                None,
                format!("listening on TCP port {port}"),
            )
        } else {
            Finding::new(
                t,
                Kind::Process,
                CheckId::PORT,
                Status::Crit,
                Some(Reason::PortClosed),
                format!("not listening on TCP port {port}"),
            )
        });
    }
    out
}
