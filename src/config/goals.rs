//! The `goals` key of mcpmon's own config (`daily-summary`'s goals): an object of goal name → limit,
//! a number in the goal's unit, a string with one (`"500ms"`, `"99.5%"`, `"100MB"`), or `null` to
//! turn a goal off. An unknown name is a config error naming the nearest one.
//!
//! Reads only that key: a file whose targets have a problem still gives its goals (the daily summary
//! reads history, not targets). Must not: judge anything (`rules::summary`).

use super::{ConfigError, de};
use crate::model::{GoalName, Goals};
use serde_json::Value;
use std::path::Path;

/// Lays the `goals` of the config file at `path` over `goals` (a file without the key changes
/// nothing).
pub fn load(path: &Path, goals: &mut Goals) -> Result<(), ConfigError> {
    let shown = path.display().to_string();
    let text = super::read_file(path)?;
    parse(&text, &shown, goals)
}

/// As `load`, from text; `shown` names the file in errors.
pub fn parse(text: &str, shown: &str, goals: &mut Goals) -> Result<(), ConfigError> {
    let root = de::parse_json(text, shown)?;
    let Some(section) = root.get("goals") else {
        return Ok(());
    };
    let bad = |place: String, problem: String| de::error(shown, (place, problem));
    let Value::Object(entries) = section else {
        return Err(bad(
            "goals".into(),
            "must be an object of goal name → limit, e.g. {\"uptime\": 99.5, \"p95\": \"500ms\"}"
                .into(),
        ));
    };
    for (key, value) in entries {
        let place = format!("goals.{key}");
        let name = GoalName::from_name(key).map_err(|e| bad(place.clone(), e))?;
        let limit = match value {
            Value::Null => None,
            Value::Number(n) => Some(
                n.as_f64()
                    .ok_or_else(|| "not a finite number".to_string())
                    .and_then(|v| name.check(v))
                    .map_err(|e| bad(place.clone(), e))?,
            ),
            Value::String(s) => Some(name.parse_limit(s).map_err(|e| bad(place.clone(), e))?),
            _ => {
                return Err(bad(
                    place,
                    "must be a number, a string like \"500ms\", or null (off)".into(),
                ));
            }
        };
        goals.set(name, limit);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<String>, String> {
        let mut g = Goals::default();
        parse(text, "m.json", &mut g).map_err(|e| e.0)?;
        Ok(g.iter()
            .map(|g| format!("{} {}", g.name.as_str(), g.target()))
            .collect())
    }

    #[test]
    fn goals_from_the_config_override_the_defaults() {
        let g = read(
            r#"{ "goals": { "uptime": 99.5, "p95": "100ms", "memory_mb": 100,
                            "error_rate": "0.1%", "reconnects": null },  // a stricter runbook's targets
                 "targets": {} }"#,
        )
        .unwrap();
        assert_eq!(
            g,
            [
                "uptime > 99.5 %",
                "success_rate > 95 %",
                "response_time_p95 < 100 ms",
                "error_rate < 0.1 %",
                "memory_mb < 100 MiB"
            ]
        );
        assert_eq!(
            read(r#"{"mcpServers": {}}"#).unwrap().len(),
            5,
            "no goals key: the defaults"
        );
    }

    #[test]
    fn a_bad_goal_is_one_line_with_its_place() {
        assert_eq!(
            read(r#"{"goals": {"uptim": 99.5}}"#).unwrap_err(),
            "m.json: goals.uptim: unknown goal \"uptim\" (did you mean uptime?); known: uptime, success_rate, response_time_p95, reconnects, error_rate, memory_mb"
        );
        assert_eq!(
            read(r#"{"goals": {"uptime": 101}}"#).unwrap_err(),
            "m.json: goals.uptime: uptime: 101 is out of range (a percentage, 0–100)"
        );
        assert_eq!(
            read(r#"{"goals": {"p95": true}}"#).unwrap_err(),
            "m.json: goals.p95: must be a number, a string like \"500ms\", or null (off)"
        );
        assert!(
            read(r#"{"goals": [1]}"#)
                .unwrap_err()
                .starts_with("m.json: goals: must be an object")
        );
    }
}
