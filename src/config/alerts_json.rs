//! The `config/alerts.json` threshold format of `check-alerts.sh`, read unchanged:
//! `{"critical": {"llm_success_rate": 0.90, "circuit_breaker_state": "open"},
//!   "warning": {"llm_success_rate": 0.95, "p95_latency": 2000, "queue_depth": 50, "cache_hit_rate": 0.80}}`.
//!
//! Numbers become metrics (rates — names ending in `success_rate`/`hit_rate` — are lower-is-worse
//! fractions; everything else higher-is-worse), strings become states (`circuit_breaker_state`: the
//! critical value, and `half-open` as the warning when none is given). Values are found in the stats
//! document by name, whatever its nesting or casing (`crate::model::MetricSource::Named`).

use super::ConfigError;
use super::de::{self, Pairs, must, object};
use crate::model::MetricSource;
use crate::model::MetricSpec;
use crate::model::StateSpec;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

fn lower_is_worse(name: &str) -> bool {
    name.ends_with("success_rate") || name.ends_with("hit_rate") || name.ends_with("_up")
}

/// The file: its levels in file order.
struct AlertsFile(Vec<(Level, Section)>);

impl<'de> Deserialize<'de> for AlertsFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object::<_, Pairs<Level, Section>>(d, "must be an object with `critical` and/or `warning`")
            .map(|p| AlertsFile(p.0))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Level {
    Critical,
    Warning,
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "critical" => Ok(Level::Critical),
            "warning" => Ok(Level::Warning),
            _ => Err(D::Error::custom("unknown level (use critical and warning)")),
        }
    }
}

/// One level: name → threshold, in file order.
struct Section(Vec<(String, Threshold)>);

impl<'de> Deserialize<'de> for Section {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object::<_, Pairs<String, Threshold>>(d, "must be an object of name → threshold")
            .map(|p| Section(p.0))
    }
}

/// A number (a metric's bound) or a state name (a value that is bad at this level).
enum Threshold {
    Number(f64),
    State(String),
}

impl<'de> Deserialize<'de> for Threshold {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(f64),
            State(String),
        }
        Ok(match must(d, "must be a number or a state name")? {
            Either::Number(x) => Threshold::Number(x),
            Either::State(s) => Threshold::State(s),
        })
    }
}

/// Reads the file's text into metrics and states. `shown` names the file in errors.
pub fn parse(text: &str, shown: &str) -> Result<(Vec<MetricSpec>, Vec<StateSpec>), ConfigError> {
    let value = de::parse_json(text, shown)?;
    let file: AlertsFile = de::read(value, "").map_err(|p| de::error(shown, p))?;
    let mut metrics: Vec<MetricSpec> = Vec::new();
    let mut states: Vec<StateSpec> = Vec::new();
    for (level, crit) in [(Level::Critical, true), (Level::Warning, false)] {
        let sections = file.0.iter().filter(|(l, _)| *l == level);
        for (name, t) in sections.flat_map(|(_, s)| &s.0) {
            match t {
                Threshold::Number(x) => {
                    let m = match metrics.iter_mut().find(|m| &m.name == name) {
                        Some(m) => m,
                        None => {
                            let below = lower_is_worse(name);
                            metrics.push(MetricSpec {
                                below,
                                fraction: below,
                                ..MetricSpec::new(name.clone(), MetricSource::Named(name.clone()))
                            });
                            let last = metrics.len() - 1;
                            &mut metrics[last]
                        }
                    };
                    if crit {
                        m.bound.crit = Some(*x);
                    } else {
                        m.bound.warn = Some(*x);
                    }
                }
                Threshold::State(s) => {
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
            }
        }
    }
    // the runbook rule: "Circuit breaker: critical if OPEN, warning if HALF-OPEN"
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
    use crate::model::Bound;

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
