//! The `config/alerts.json` threshold format of `check-alerts.sh`, read unchanged:
//! `{"critical": {"llm_success_rate": 0.90, "circuit_breaker_state": "open"},
//!   "warning": {"llm_success_rate": 0.95, "p95_latency": 2000, "queue_depth": 50, "cache_hit_rate": 0.80}}`.
//!
//! Numbers become metrics (rates — names ending in `success_rate`/`hit_rate` — are lower-is-worse
//! fractions; everything else higher-is-worse), strings become states (`circuit_breaker_state`: the
//! critical value, and `half-open` as the warning when none is given). Values are found in the stats
//! document by name, whatever its nesting or casing (`crate::model::MetricSource::Named`).

use super::ConfigError;
use crate::model::Bound;
use crate::model::MetricSource;
use crate::model::MetricSpec;
use crate::model::StateSpec;

use serde_json::Value;

fn lower_is_worse(name: &str) -> bool {
    name.ends_with("success_rate") || name.ends_with("hit_rate") || name.ends_with("_up")
}

/// Reads the file's text into metrics and states. `shown` names the file in errors.
pub fn parse(text: &str, shown: &str) -> Result<(Vec<MetricSpec>, Vec<StateSpec>), ConfigError> {
    let v: Value = serde_json::from_str(&super::jsonc::to_json(text)).map_err(|e| {
        ConfigError(format!(
            "{shown}:{}:{}: invalid JSON: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let obj = v.as_object().ok_or_else(|| {
        ConfigError(format!(
            "{shown}: must be an object with `critical` and/or `warning`"
        ))
    })?;
    for k in obj.keys() {
        if k != "critical" && k != "warning" {
            return Err(ConfigError(format!(
                "{shown}: {k}: unknown level (use critical and warning)"
            )));
        }
    }
    let mut metrics: Vec<MetricSpec> = Vec::new();
    let mut states: Vec<StateSpec> = Vec::new();
    for (level, crit) in [("critical", true), ("warning", false)] {
        let Some(section) = obj.get(level) else {
            continue;
        };
        let section = section.as_object().ok_or_else(|| {
            ConfigError(format!(
                "{shown}: {level}: must be an object of name → threshold"
            ))
        })?;
        for (name, t) in section {
            match t {
                Value::Number(n) => {
                    let x = n.as_f64().unwrap_or(0.0);
                    let m = match metrics.iter_mut().find(|m| &m.name == name) {
                        Some(m) => m,
                        None => {
                            let below = lower_is_worse(name);
                            metrics.push(MetricSpec {
                                name: name.clone(),
                                source: MetricSource::Named(name.clone()),
                                bound: Bound {
                                    warn: None,
                                    crit: None,
                                },
                                below,
                                fraction: below,
                            });
                            let last = metrics.len() - 1;
                            &mut metrics[last]
                        }
                    };
                    if crit {
                        m.bound.crit = Some(x);
                    } else {
                        m.bound.warn = Some(x);
                    }
                }
                Value::String(s) => {
                    let st = match states.iter_mut().find(|st| &st.name == name) {
                        Some(st) => st,
                        None => {
                            states.push(StateSpec {
                                name: name.clone(),
                                source: MetricSource::Named(name.clone()),
                                crit: Vec::new(),
                                warn: Vec::new(),
                            });
                            let last = states.len() - 1;
                            &mut states[last]
                        }
                    };
                    if crit {
                        st.crit.push(s.clone());
                    } else {
                        st.warn.push(s.clone());
                    }
                }
                _ => {
                    return Err(ConfigError(format!(
                        "{shown}: {level}.{name}: must be a number or a state name"
                    )));
                }
            }
        }
    }
    // 001: "Circuit breaker: critical if OPEN, warning if HALF-OPEN"
    for st in &mut states {
        if st.name.ends_with("circuit_breaker_state")
            && st.warn.is_empty()
            && !st.crit.iter().any(|c| c == "half-open")
        {
            st.warn.push("half-open".into());
        }
    }
    Ok((metrics, states))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"{
  "critical": { "llm_success_rate": 0.90, "circuit_breaker_state": "open" },
  "warning": { "llm_success_rate": 0.95, "p95_latency": 2000, "queue_depth": 50, "cache_hit_rate": 0.80 }
}"#;

    #[test]
    fn the_seed_file_maps_to_metrics_and_states() {
        let (m, s) = parse(SEED, "alerts.json").unwrap();
        let rate = m.iter().find(|m| m.name == "llm_success_rate").unwrap();
        assert_eq!(
            rate.bound,
            Bound {
                warn: Some(0.95),
                crit: Some(0.90)
            }
        );
        assert!(rate.below && rate.fraction);
        let p95 = m.iter().find(|m| m.name == "p95_latency").unwrap();
        assert_eq!(
            p95.bound,
            Bound {
                warn: Some(2000.0),
                crit: None
            }
        );
        assert!(!p95.below);
        assert!(m.iter().find(|m| m.name == "cache_hit_rate").unwrap().below);
        assert_eq!(s[0].crit, vec!["open".to_string()]);
        assert_eq!(s[0].warn, vec!["half-open".to_string()]);
    }

    #[test]
    fn errors_name_the_place() {
        assert!(
            parse(r#"{"warn": {}}"#, "a.json")
                .unwrap_err()
                .0
                .contains("unknown level")
        );
        assert!(
            parse(r#"{"warning": {"x": [1]}}"#, "a.json")
                .unwrap_err()
                .0
                .contains("warning.x")
        );
    }
}
