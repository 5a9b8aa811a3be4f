//! Nagios-style thresholds from the command line: `--warning NAME=RANGE` / `--critical NAME=RANGE`.
//!
//! RANGE is a plugin range: `10` or `~:10` (alert above 10), `10:` (alert below 10). Two-sided and
//! inverted (`@`) ranges have no meaning for one metric here and are refused. NAME is a metric of a
//! health document (`--thresholds`, `health_url.metrics`), a check (`liveness`, `process_cpu`, …) or a
//! threshold key (`response_time_ms`, …).

use super::ConfigError;
use crate::model::Bound;
use crate::model::Checks;
use crate::model::Target;

/// One parsed `NAME=RANGE`: the bound value and whether lower is worse.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeArg {
    pub name: String,
    pub value: f64,
    pub below: bool,
}

pub fn parse(s: &str) -> Result<RangeArg, ConfigError> {
    let (name, range) = s.split_once('=').ok_or_else(|| {
        ConfigError(format!(
            "{s:?}: expected NAME=RANGE, e.g. p95_latency=2000 or success_rate=0.95:"
        ))
    })?;
    let name = name.trim().to_string();
    let range = range.trim();
    let bad = |why: &str| ConfigError(format!("{s:?}: {why}"));
    if range.starts_with('@') {
        return Err(bad("inverted ranges (@) are not supported"));
    }
    let (value, below) = match range.split_once(':') {
        None => (range, false),
        Some(("~", hi)) => (hi, false),
        Some((lo, "")) => (lo, true),
        Some(_) => {
            return Err(bad(
                "two-sided ranges are not supported: give N (alert above N) or N: (alert below N)",
            ));
        }
    };
    let value = crate::config::duration::finite(value).map_err(|_| bad("not a finite number"))?;
    if name.is_empty() {
        return Err(bad("missing NAME"));
    }
    Ok(RangeArg { name, value, below })
}

/// The threshold key a check name stands for, and whether lower is worse there.
fn threshold_for(check: &str) -> Option<(&'static str, bool)> {
    Some(match check {
        "handshake" | "liveness" | "http" | "hub" | "response_time_ms" => {
            ("response_time_ms", false)
        }
        "startup" | "startup_ms" => ("startup_ms", false),
        "process_cpu" | "process_cpu_percent" => ("process_cpu_percent", false),
        "process_memory" | "process_memory_percent" => ("process_memory_percent", false),
        "process_rss" | "process_rss_mb" => ("process_rss_mb", false),
        "host_memory" | "host_memory_percent" => ("host_memory_percent", false),
        "disk" | "disk_used_percent" => ("disk_used_percent", false),
        "log_errors" => ("log_errors", false),
        "log_size" | "log_size_mb" => ("log_size_mb", false),
        "log_flapping" | "log_flaps" => ("log_flaps", false),
        "tls_expiry" | "tls_days_left" => ("tls_days_left", true),
        "hub_starting_s" => ("hub_starting_s", false),
        _ => return None,
    })
}

fn set(b: &mut Bound, critical: bool, v: f64) {
    if critical {
        b.crit = Some(v);
    } else {
        b.warn = Some(v);
    }
}

/// Applies `--warning` / `--critical` to every target: a health-document metric of that name first,
/// else the check's threshold. A name that matches nothing is an error (a typo must not silently pass).
pub fn apply(targets: &mut [Target], args: &[(RangeArg, bool)]) -> Result<(), ConfigError> {
    for (r, critical) in args {
        let mut used = false;
        for t in targets.iter_mut() {
            if let Some(m) = t
                .http_mut()
                .and_then(|h| h.metrics.iter_mut().find(|m| m.name == r.name))
            {
                set(&mut m.bound, *critical, r.value);
                m.below = r.below;
                used = true;
                continue;
            }
            if let Some((key, below)) = threshold_for(&r.name) {
                if below != r.below {
                    let want = if below {
                        "N: (alert below N)"
                    } else {
                        "N (alert above N)"
                    };
                    return Err(ConfigError(format!(
                        "{}={}: {} is judged the other way; write {want}",
                        r.name, r.value, r.name
                    )));
                }
                if let Some(b) = t.checks.threshold_mut(key) {
                    set(b, *critical, r.value);
                    used = true;
                }
            }
        }
        if !used {
            return Err(ConfigError(format!(
                "--{} {}: no metric or check of that name (checks: liveness, handshake, startup, process_cpu, …; thresholds: {})",
                if *critical { "critical" } else { "warning" },
                r.name,
                Checks::THRESHOLDS.join(", ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nagios_ranges() {
        assert_eq!(
            parse("p95_latency=2000").unwrap(),
            RangeArg {
                name: "p95_latency".into(),
                value: 2000.0,
                below: false
            }
        );
        assert!(!parse("x=~:5").unwrap().below);
        let r = parse("success_rate=0.95:").unwrap();
        assert!(r.below);
        assert_eq!(r.value, 0.95);
        assert!(parse("x=10:20").unwrap_err().0.contains("two-sided"));
        assert!(parse("x=@10").unwrap_err().0.contains("inverted"));
        assert!(
            parse("x=fast")
                .unwrap_err()
                .0
                .contains("not a finite number")
        );
        for bad in ["x=NaN", "x=inf", "x=1e400", "x=-inf:"] {
            assert!(
                parse(bad).unwrap_err().0.contains("not a finite number"),
                "{bad}"
            );
        }
        assert!(parse("2000").is_err());
    }

    #[test]
    fn applies_to_checks_and_refuses_typos_and_wrong_directions() {
        let mut t = vec![Target::empty(
            "a".into(),
            "test".into(),
            std::time::Duration::from_secs(1),
        )];
        apply(
            &mut t,
            &[
                (parse("liveness=500").unwrap(), false),
                (parse("process_cpu=50").unwrap(), true),
            ],
        )
        .unwrap();
        assert_eq!(t[0].checks.response_time_ms.warn, Some(500.0));
        assert_eq!(t[0].checks.process_cpu_percent.crit, Some(50.0));
        assert!(
            apply(&mut t, &[(parse("livenes=500").unwrap(), false)])
                .unwrap_err()
                .0
                .contains("no metric or check")
        );
        assert!(
            apply(&mut t, &[(parse("tls_expiry=30").unwrap(), false)])
                .unwrap_err()
                .0
                .contains("other way")
        );
        apply(&mut t, &[(parse("tls_expiry=14:").unwrap(), false)]).unwrap();
        assert_eq!(t[0].checks.tls_days_left.warn, Some(14.0));
    }
}
