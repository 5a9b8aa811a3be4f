//! The `maintenance` key (top level: every target of the file; in a target: that target too): a list of
//! windows, recurring (`{"every": "sun", "from": "02:00", "for": "1h", "tz": "Europe/Berlin"}`) or
//! one-off (`{"from": "2026-12-24T22:00:00Z", "for": "4h"}` or `"until"`), read into `model::Window`.
//!
//! Must not: decide when a window is open (`rules::maintenance`).

use crate::model::Window;
use crate::model::zone::Zone;
use chrono::{DateTime, NaiveTime, Utc, Weekday};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The keys of one window, in the order of the "unknown key (known: …)" message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    #[serde(default)]
    every: Option<Value>,
    #[serde(default)]
    from: Option<Value>,
    #[serde(default, rename = "for")]
    for_: Option<Value>,
    #[serde(default)]
    until: Option<Value>,
    #[serde(default)]
    tz: Option<Value>,
}

/// `maintenance`, as `deserialize_with` wants it: a list of windows (one window object is read as a
/// list of one; `null` as none).
pub(super) fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Window>>, D::Error> {
    let v = Value::deserialize(d)?;
    windows(v).map(Some).map_err(D::Error::custom)
}

fn windows(v: Value) -> Result<Vec<Window>, String> {
    let items = match v {
        Value::Array(a) => a,
        o @ Value::Object(_) => vec![o],
        Value::Null => return Ok(Vec::new()),
        _ => {
            return Err(
                "must be a list of windows like {\"every\": \"sun\", \"from\": \"02:00\", \"for\": \"1h\"}".into(),
            );
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| one(item).map_err(|e| format!("[{i}]: {e}")))
        .collect()
}

const KEYS: [&str; 5] = ["every", "from", "for", "until", "tz"];

fn one(v: Value) -> Result<Window, String> {
    if !v.is_object() {
        return Err("must be an object with `from` and `for` or `until`".into());
    }
    let keys: Keys = serde_json::from_value(v).map_err(|e| {
        let msg = e.to_string();
        match msg
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
        {
            Some(key) => {
                let hint = crate::model::spell::nearest(key, &KEYS, 2)
                    .map(|k| format!("did you mean `{k}`? "))
                    .unwrap_or_default();
                format!("unknown key `{key}` ({hint}known: {})", KEYS.join(", "))
            }
            None => msg,
        }
    })?;
    window(keys)
}

fn text(v: Option<Value>, key: &str) -> Result<Option<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("`{key}` must be a string")),
    }
}

fn window(k: Keys) -> Result<Window, String> {
    let every = text(k.every, "every")?;
    let from = text(k.from, "from")?.ok_or("needs `from`")?;
    let until = text(k.until, "until")?;
    let tz = text(k.tz, "tz")?;
    let length = match k.for_ {
        None | Some(Value::Null) => None,
        // a number is seconds, as everywhere a duration is written
        Some(Value::String(s)) => Some(super::duration::parse(&s)),
        Some(Value::Number(n)) => Some(super::duration::parse(&format!("{n}s"))),
        Some(_) => Some(Err(
            "must be a duration like \"1h\" or a number of seconds".into()
        )),
    }
    .transpose()
    .map_err(|e| format!("`for`: {e}"))?;
    match every {
        Some(every) => {
            let days = weekdays(&every)?;
            let from = NaiveTime::parse_from_str(from.trim(), "%H:%M").map_err(|_| {
                format!("`from` {from:?} is not a time of day like \"02:00\" (a recurring window opens at a local time)")
            })?;
            if until.is_some() {
                return Err("a recurring window takes `for`, not `until`".into());
            }
            let length =
                length.ok_or("needs `for` (how long the window stays open, e.g. \"1h\")")?;
            if length > Window::MAX_LENGTH {
                return Err("`for` of a recurring window must be at most 7d".into());
            }
            let tz = match tz {
                None => Zone::utc(),
                Some(name) => Zone::named(&name)?,
            };
            Ok(Window::Every {
                days,
                from,
                length,
                tz,
            })
        }
        None => {
            if tz.is_some() {
                return Err("`tz` is for recurring windows (with `every`); give a one-off window's `from` with its offset (Z or +01:00)".into());
            }
            let from = instant(&from, "from").map_err(|e| {
                if NaiveTime::parse_from_str(from.trim(), "%H:%M").is_ok() {
                    "`from` is a time of day: a recurring window needs `every` (\"sun\", \"mon,thu\", \"day\")".to_string()
                } else {
                    e
                }
            })?;
            let until = match (length, until) {
                (Some(_), Some(_)) => return Err("give `for` or `until`, not both".into()),
                (None, None) => return Err("needs `for` (e.g. \"4h\") or `until`".into()),
                (Some(l), None) => chrono::Duration::from_std(l)
                    .ok()
                    .and_then(|l| from.checked_add_signed(l))
                    .ok_or("`for` is too long")?,
                (None, Some(u)) => instant(&u, "until")?,
            };
            if until <= from {
                return Err("`until` must be after `from`".into());
            }
            Ok(Window::Once { from, until })
        }
    }
}

/// `sun`, `mon,thu`, `saturday`, `day` (every day).
fn weekdays(s: &str) -> Result<Vec<Weekday>, String> {
    let s = s.trim().to_ascii_lowercase();
    if matches!(s.as_str(), "day" | "daily" | "*") {
        return Ok(vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]);
    }
    let mut days = Vec::new();
    for part in s.split(',').map(str::trim) {
        let d: Weekday = part.parse().map_err(|_| {
            format!("`every` {part:?} is not a day: use mon … sun (or a list like \"sat,sun\"), or \"day\"")
        })?;
        if !days.contains(&d) {
            days.push(d);
        }
    }
    Ok(days)
}

fn instant(s: &str, key: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("`{key}` {s:?} is not a date and time with its offset, like \"2026-12-24T22:00:00Z\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(json: &str) -> Result<Window, String> {
        let v: Value = serde_json::from_str(json).unwrap();
        windows(v).map(|mut w| w.remove(0))
    }

    #[test]
    fn reads_both_kinds() {
        let w = one(r#"{"every": "sun", "from": "02:00", "for": "1h", "tz": "Europe/Berlin"}"#)
            .unwrap();
        assert_eq!(w.describe(), "sun 02:00 for 1h (Europe/Berlin)");
        let w = one(r#"[{"from": "2026-12-24T22:00:00Z", "for": "4h"}]"#).unwrap();
        assert_eq!(w.describe(), "2026-12-24T22:00:00Z to 2026-12-25T02:00:00Z");
        let w =
            one(r#"{"from": "2026-12-24T23:00:00+01:00", "until": "2026-12-25T03:00:00+01:00"}"#)
                .unwrap();
        assert_eq!(w.describe(), "2026-12-24T22:00:00Z to 2026-12-25T02:00:00Z");
        let w = one(r#"{"every": "sat, Sunday", "from": "23:30", "for": 5400}"#).unwrap();
        assert_eq!(w.describe(), "sat,sun 23:30 for 90m (UTC)");
        let w = one(r#"{"every": "day", "from": "04:00", "for": "15m"}"#).unwrap();
        assert_eq!(w.describe(), "every day 04:00 for 15m (UTC)");
    }

    #[test]
    fn a_bad_window_is_one_clear_line() {
        let err = |j: &str| one(j).unwrap_err();
        assert!(
            err(r#"{"every": "sun", "from": "02:00", "for": "1h", "tz": "Europe/Berln"}"#)
                .contains("did you mean Europe/Berlin?")
        );
        assert!(
            err(r#"{"every": "sunday-ish", "from": "02:00", "for": "1h"}"#)
                .contains("is not a day")
        );
        assert!(err(r#"{"every": "sun", "from": "2am", "for": "1h"}"#).contains("time of day"));
        assert!(err(r#"{"every": "sun", "from": "02:00"}"#).contains("needs `for`"));
        assert!(err(r#"{"every": "sun", "from": "02:00", "for": "8d"}"#).contains("at most 7d"));
        assert!(err(r#"{"from": "02:00", "for": "1h"}"#).contains("needs `every`"));
        assert!(err(r#"{"from": "2026-12-24T22:00:00", "for": "1h"}"#).contains("with its offset"));
        assert!(
            err(
                r#"{"from": "2026-12-24T22:00:00Z", "for": "1h", "until": "2026-12-25T00:00:00Z"}"#
            )
            .contains("not both")
        );
        assert!(
            err(r#"{"from": "2026-12-24T22:00:00Z", "until": "2026-12-24T21:00:00Z"}"#)
                .contains("after `from`")
        );
        assert!(err(r#"{"from": "2026-12-24T22:00:00Z", "for": "0s"}"#).contains("positive"));
        assert!(err(r#"{"every": "sun", "form": "02:00", "for": "1h"}"#).contains("form"));
        assert!(err(r#""sun 02:00""#).contains("list of windows"));
    }
}
