//! The Prometheus assets shipped in `examples/prometheus/`: the Prometheus config, the alerting rules
//! and their unit tests, and the Alertmanager config pass Prometheus's and Alertmanager's own checkers
//! (`promtool`, `amtool`, from Debian's `prometheus` and `prometheus-alertmanager`, installed by
//! `.ci/run`).

use crate::common::*;
use std::process::Command;

/// Runs a checker in examples/prometheus; None (with a note) when it is not installed outside CI.
fn checker(bin: &str, args: &[&str]) -> Option<(bool, String)> {
    let out = match Command::new(bin)
        .args(args)
        .current_dir(root().join("examples/prometheus"))
        .output()
    {
        Ok(out) => out,
        Err(_) => {
            assert!(
                std::env::var("CI").is_err(),
                "{bin} is not installed (.ci/run installs it)"
            );
            eprintln!("note: {bin} is not installed; skipping");
            return None;
        }
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.success(), text))
}

#[test]
fn the_rules_pass_promtool_and_their_unit_tests() {
    let Some((ok, out)) = checker("promtool", &["check", "rules", "mcpmon-rules.yml"]) else {
        return;
    };
    assert!(ok, "{out}");
    assert!(out.contains("8 rules found"), "{out}");
    let (ok, out) = checker("promtool", &["test", "rules", "mcpmon-rules.test.yml"]).unwrap();
    assert!(ok && out.contains("SUCCESS"), "{out}");
}

#[test]
fn the_prometheus_and_alertmanager_configs_are_valid() {
    // the /probe multi-target job: the target becomes ?target=, the address mcpmon serve's
    let yml = std::fs::read_to_string(root().join("examples/prometheus/prometheus.yml")).unwrap();
    for want in [
        "job_name: mcpmon-probe",
        "metrics_path: /probe",
        "target_label: __param_target",
        "replacement: 127.0.0.1:9464",
    ] {
        assert!(yml.contains(want), "{want} in\n{yml}");
    }
    let Some((ok, out)) = checker("promtool", &["check", "config", "prometheus.yml"]) else {
        return;
    };
    assert!(ok, "{out}");
    if let Some((ok, out)) = checker("amtool", &["check-config", "alertmanager.yml"]) {
        assert!(ok, "{out}");
    }
}
