//! Conditions on one JSON value (a `health_url` body's field found by JSON pointer): equal to, one of,
//! matches a regex, exists, compares with a number, has a length, contains. Each says in words why it
//! does not hold. Pure: the config parses them, the probe reads the value, the rules call `check`.

use super::document::number;
use serde_json::{Map, Value};

/// A compiled regex, compared by its source (a config's specs are compared in tests).
#[derive(Debug, Clone)]
pub struct BodyRegex(pub regex::Regex);

impl PartialEq for BodyRegex {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// One condition on a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Exactly this JSON value (the plain `"/status": "ok"` form, or `{"equals": …}`).
    Equals(Value),
    /// One of these values.
    In(Vec<Value>),
    /// A string (or a number's JSON text) the regex finds a match in.
    Matches(BodyRegex),
    /// `true`: the field is there (even `null`); `false`: it is not.
    Exists(bool),
    /// A number (or a string holding one, "97.5%") compared with a bound.
    Gt(f64),
    Lt(f64),
    Ge(f64),
    Le(f64),
    /// A string's characters, an array's items or an object's keys number exactly this.
    Len(u64),
    /// An array has this item, or a string has this text.
    Contains(Value),
}

/// The keys of a condition object, in the order the help lists them.
pub const CONDITION_KEYS: [&str; 10] = [
    "equals", "in", "matches", "exists", "gt", "lt", "ge", "le", "len", "contains",
];

impl Condition {
    /// Whether it holds for `actual` (`None`: the pointer found nothing), or why not.
    pub fn check(&self, actual: Option<&Value>) -> Result<(), String> {
        let Some(v) = actual else {
            return match self {
                Condition::Exists(false) => Ok(()),
                Condition::Exists(true) => Err("is missing, expected it to exist".into()),
                _ => Err(format!("is missing (expected {})", self.describe())),
            };
        };
        let num = |op: &str, bound: f64, holds: fn(f64, f64) -> bool| match number(v) {
            Some(x) if holds(x, bound) => Ok(()),
            Some(_) => Err(format!("is {v}, expected {op} {bound}")),
            None => Err(format!("is {v}, not a number (expected {op} {bound})")),
        };
        match self {
            Condition::Equals(e) if v == e => Ok(()),
            Condition::Equals(e) => Err(format!("is {v}, expected {e}")),
            Condition::In(list) if list.contains(v) => Ok(()),
            Condition::In(list) => Err(format!(
                "is {v}, expected one of {}",
                Value::Array(list.clone())
            )),
            Condition::Matches(re) => {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if re.0.is_match(&text) {
                    Ok(())
                } else {
                    Err(format!("is {v}, does not match /{}/", re.0.as_str()))
                }
            }
            Condition::Exists(true) => Ok(()),
            Condition::Exists(false) => Err(format!("is {v}, expected it to be absent")),
            Condition::Gt(b) => num(">", *b, |x, b| x > b),
            Condition::Lt(b) => num("<", *b, |x, b| x < b),
            Condition::Ge(b) => num("≥", *b, |x, b| x >= b),
            Condition::Le(b) => num("≤", *b, |x, b| x <= b),
            Condition::Len(n) => match length(v) {
                Some(got) if got == *n => Ok(()),
                Some(got) => Err(format!("has length {got}, expected {n}")),
                None => Err(format!("is {v}, which has no length (expected {n})")),
            },
            Condition::Contains(want) => {
                let holds = match (v, want) {
                    (Value::Array(items), _) => items.contains(want),
                    (Value::String(s), Value::String(w)) => s.contains(w.as_str()),
                    _ => false,
                };
                if holds {
                    Ok(())
                } else {
                    Err(format!("is {}, does not contain {want}", short(v)))
                }
            }
        }
    }

    /// The condition in words (`one of ["ok","degraded"]`, `> 5`).
    pub fn describe(&self) -> String {
        match self {
            Condition::Equals(e) => e.to_string(),
            Condition::In(list) => format!("one of {}", Value::Array(list.clone())),
            Condition::Matches(re) => format!("to match /{}/", re.0.as_str()),
            Condition::Exists(true) => "it to exist".into(),
            Condition::Exists(false) => "it to be absent".into(),
            Condition::Gt(b) => format!("> {b}"),
            Condition::Lt(b) => format!("< {b}"),
            Condition::Ge(b) => format!("≥ {b}"),
            Condition::Le(b) => format!("≤ {b}"),
            Condition::Len(n) => format!("length {n}"),
            Condition::Contains(w) => format!("to contain {w}"),
        }
    }

    /// The condition as its config writes it (`{"in": […]}`; a plain value for `Equals`).
    fn key_and_value(&self) -> (&'static str, Value) {
        match self {
            Condition::Equals(e) => ("equals", e.clone()),
            Condition::In(list) => ("in", Value::Array(list.clone())),
            Condition::Matches(re) => ("matches", Value::String(re.0.as_str().to_string())),
            Condition::Exists(b) => ("exists", Value::Bool(*b)),
            Condition::Gt(b) => ("gt", Value::from(*b)),
            Condition::Lt(b) => ("lt", Value::from(*b)),
            Condition::Ge(b) => ("ge", Value::from(*b)),
            Condition::Le(b) => ("le", Value::from(*b)),
            Condition::Len(n) => ("len", Value::from(*n)),
            Condition::Contains(w) => ("contains", w.clone()),
        }
    }
}

/// What a list of conditions expects, as the config wrote it: the value itself for a lone `Equals`,
/// else an object of condition → operand (what JSON output shows as `expected`).
pub fn expected(conditions: &[Condition]) -> Value {
    if let [Condition::Equals(v)] = conditions {
        return v.clone();
    }
    let mut m = Map::new();
    for c in conditions {
        let (k, v) = c.key_and_value();
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

/// The first condition that does not hold, and why.
pub fn first_failure(conditions: &[Condition], actual: Option<&Value>) -> Option<String> {
    conditions.iter().find_map(|c| c.check(actual).err())
}

/// A string's characters, an array's items, an object's keys.
fn length(v: &Value) -> Option<u64> {
    let n = match v {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => return None,
    };
    u64::try_from(n).ok()
}

/// A value for a message, cut to 80 characters (a body's array can be long).
fn short(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn re(s: &str) -> Condition {
        Condition::Matches(BodyRegex(regex::Regex::new(s).unwrap()))
    }

    #[test]
    fn each_condition_holds_or_says_why_not() {
        let ok = |c: Condition, v: Value| assert_eq!(c.check(Some(&v)), Ok(()), "{c:?} on {v}");
        let bad = |c: Condition, v: Value, why: &str| {
            let e = c.check(Some(&v)).unwrap_err();
            assert!(e.contains(why), "{c:?} on {v}: {e}");
        };
        ok(Condition::Equals(json!("ok")), json!("ok"));
        bad(
            Condition::Equals(json!("ok")),
            json!("down"),
            "expected \"ok\"",
        );
        ok(
            Condition::In(vec![json!("ok"), json!("degraded")]),
            json!("degraded"),
        );
        bad(
            Condition::In(vec![json!("ok"), json!("degraded")]),
            json!("down"),
            "expected one of [\"ok\",\"degraded\"]",
        );
        ok(re("^gw-[0-9]+$"), json!("gw-12"));
        bad(
            re("^gw-[0-9]+$"),
            json!("gw-x"),
            "does not match /^gw-[0-9]+$/",
        );
        ok(re("^4\\."), json!(4.5));
        ok(Condition::Exists(true), json!(null));
        bad(
            Condition::Exists(false),
            json!(1),
            "expected it to be absent",
        );
        ok(Condition::Gt(5.0), json!(6));
        ok(Condition::Gt(5.0), json!("97.5%"));
        bad(Condition::Gt(5.0), json!(5), "is 5, expected > 5");
        bad(Condition::Lt(5.0), json!("n/a"), "not a number");
        ok(Condition::Ge(5.0), json!(5));
        ok(Condition::Le(5.0), json!(5));
        bad(Condition::Le(5.0), json!(5.5), "expected ≤ 5");
        ok(Condition::Len(2), json!([1, 2]));
        ok(Condition::Len(3), json!("abc"));
        bad(
            Condition::Len(3),
            json!({"a": 1}),
            "has length 1, expected 3",
        );
        bad(Condition::Len(3), json!(7), "has no length");
        ok(
            Condition::Contains(json!("memory")),
            json!(["everything", "memory"]),
        );
        ok(Condition::Contains(json!("Conn")), json!("Connected"));
        bad(
            Condition::Contains(json!("x")),
            json!(["a"]),
            "does not contain \"x\"",
        );
    }

    #[test]
    fn a_missing_field_fails_every_condition_but_absence() {
        assert_eq!(Condition::Exists(false).check(None), Ok(()));
        assert_eq!(
            Condition::Exists(true).check(None).unwrap_err(),
            "is missing, expected it to exist"
        );
        assert_eq!(
            Condition::Gt(1.0).check(None).unwrap_err(),
            "is missing (expected > 1)"
        );
    }

    #[test]
    fn expected_is_the_config_form() {
        assert_eq!(expected(&[Condition::Equals(json!("ok"))]), json!("ok"));
        assert_eq!(
            expected(&[Condition::Gt(1.0), re("a+")]),
            json!({"gt": 1.0, "matches": "a+"})
        );
        assert_eq!(
            first_failure(&[Condition::Gt(1.0), Condition::Lt(3.0)], Some(&json!(4))),
            Some("is 4, expected < 3".into())
        );
    }
}
