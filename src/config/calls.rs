//! The `call` and `allow_side_effects` keys of a target, as serde reads them, and their checks: one
//! of `tool` / `resource` / `prompt`, `args` an object (none for a resource), `expect` with a regular
//! expression that compiles and pointers that are JSON pointers, positive `warn_ms` / `crit_ms`.
//!
//! Must not: decide whether a tool may be called (that needs the server's tool list: `probe::calls`).

use super::PlaceErr;
use super::de::{Pairs, must, object};
use crate::model::{CallExpect, CallSpec, CallWhat};

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
#[cfg(test)]
use std::time::Duration;

/// One entry of `call`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Call {
    #[serde(default, deserialize_with = "name")]
    tool: Option<String>,
    #[serde(default, deserialize_with = "name")]
    resource: Option<String>,
    #[serde(default, deserialize_with = "name")]
    prompt: Option<String>,
    #[serde(default, deserialize_with = "args")]
    args: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "expect")]
    expect: Option<Expect>,
    #[serde(default, deserialize_with = "ms")]
    warn_ms: Option<f64>,
    #[serde(default, deserialize_with = "ms")]
    crit_ms: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default, deserialize_with = "flag")]
    is_error: Option<bool>,
    #[serde(default, deserialize_with = "name")]
    contains: Option<String>,
    #[serde(default, deserialize_with = "name")]
    matches: Option<String>,
    #[serde(default, deserialize_with = "structured")]
    structured: Option<Vec<(String, Value)>>,
}

fn name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    must(d, "must be a string").map(Some)
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    must(d, "must be true or false").map(Some)
}

fn args<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Map<String, Value>>, D::Error> {
    object::<_, Map<String, Value>>(d, "must be an object of argument → value").map(Some)
}

fn expect<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Expect>, D::Error> {
    object(d, "must be an object like {\"contains\": \"hi\"}").map(Some)
}

fn structured<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<(String, Value)>>, D::Error> {
    object::<_, Pairs<String, Value>>(d, "must be an object of JSON pointer → expected value")
        .map(|p| Some(p.0))
}

fn ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v: f64 = must(d, "must be a number of milliseconds")?;
    if v.is_finite() && v > 0.0 {
        Ok(Some(v))
    } else {
        Err(serde::de::Error::custom(
            "must be a positive number of milliseconds",
        ))
    }
}

/// `call`: an array of checks (read in place, so a problem names its index and key).
pub(super) fn calls<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Call>>, D::Error> {
    Vec::<Call>::deserialize(d).map(Some)
}

/// `allow_side_effects`: tool names.
pub(super) fn allowed<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    must(d, "must be an array of tool names").map(Some)
}

/// The checks of one `call` entry at `place` (`targets.srv.call[0]`), as the model keeps them.
pub(super) fn spec(c: Call, place: &str) -> Result<CallSpec, PlaceErr> {
    let at = |k: &str| format!("{place}.{k}");
    let what = match (c.tool, c.resource, c.prompt) {
        (Some(t), None, None) => CallWhat::Tool(t),
        (None, Some(r), None) => CallWhat::Resource(r),
        (None, None, Some(p)) => CallWhat::Prompt(p),
        (None, None, None) => {
            return Err((
                place.to_string(),
                "names nothing to call: give `tool`, `resource` (a URI) or `prompt`".into(),
            ));
        }
        _ => {
            return Err((
                place.to_string(),
                "gives more than one of `tool`, `resource`, `prompt`: one check calls one thing"
                    .into(),
            ));
        }
    };
    if what.name().trim().is_empty() {
        return Err((
            place.to_string(),
            "names an empty tool, resource or prompt".into(),
        ));
    }
    if matches!(what, CallWhat::Resource(_)) && c.args.is_some() {
        return Err((
            at("args"),
            "a resource is read by its URI alone; it takes no `args`".into(),
        ));
    }
    let e = c.expect.unwrap_or(Expect {
        is_error: None,
        contains: None,
        matches: None,
        structured: None,
    });
    if e.is_error.is_some() && !matches!(what, CallWhat::Tool(_)) {
        return Err((
            at("expect.is_error"),
            "only a tool answers `isError`".into(),
        ));
    }
    if let Some(p) = &e.matches {
        regex::Regex::new(p).map_err(|err| {
            let first = err.to_string();
            let first = first.lines().last().unwrap_or("").trim().to_string();
            (
                at("expect.matches"),
                format!("is not a regular expression: {first}"),
            )
        })?;
    }
    let structured = e.structured.unwrap_or_default();
    if let Some((p, _)) = structured
        .iter()
        .find(|(p, _)| !p.is_empty() && !p.starts_with('/'))
    {
        return Err((
            at("expect.structured"),
            format!("{p:?} is not a JSON pointer (they start with `/`, like \"/sum\")"),
        ));
    }
    if let (Some(w), Some(c)) = (c.warn_ms, c.crit_ms) {
        if w > c {
            return Err((at("warn_ms"), format!("{w} is above crit_ms {c}")));
        }
    }
    Ok(CallSpec {
        what,
        args: c.args.unwrap_or_default(),
        expect: CallExpect {
            is_error: e.is_error.unwrap_or(false),
            contains: e.contains,
            matches: e.matches,
            structured,
        },
        warn_ms: c.warn_ms,
        crit_ms: c.crit_ms,
    })
}

/// An ad-hoc check from the command line (`--call`): `TOOL`, `TOOL {JSON args}`,
/// `resource:URI`, `prompt:NAME` or `prompt:NAME {JSON args}`.
pub fn parse_flag(s: &str) -> Result<CallSpec, String> {
    let s = s.trim();
    let (head, json) = match s.find([' ', '{']) {
        Some(i) => (s[..i].trim(), Some(s[i..].trim())),
        None => (s, None),
    };
    let what = if let Some(uri) = head.strip_prefix("resource:") {
        CallWhat::Resource(uri.to_string())
    } else if let Some(p) = head.strip_prefix("prompt:") {
        CallWhat::Prompt(p.to_string())
    } else {
        CallWhat::Tool(head.to_string())
    };
    if what.name().is_empty() {
        return Err(format!(
            "--call {s:?}: name a tool (`echo`), `resource:URI` or `prompt:NAME`"
        ));
    }
    let args = match json {
        None => Map::new(),
        Some(_) if matches!(what, CallWhat::Resource(_)) => {
            return Err(format!("--call {s:?}: a resource takes no arguments"));
        }
        Some(j) => match serde_json::from_str::<Value>(j) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(format!(
                    "--call {s:?}: the arguments after the name must be a JSON object, like 'echo {{\"message\": \"hi\"}}'"
                ));
            }
        },
    };
    Ok(CallSpec {
        what,
        args,
        expect: CallExpect::default(),
        warn_ms: None,
        crit_ms: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<crate::model::Target>, String> {
        super::super::parse_config(text, "cfg.json", None, &|_| None, Duration::from_secs(5))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_issue_shape_reads_as_written() {
        let t = parse(
            r#"{ "targets": { "srv": { "url": "http://127.0.0.1:3001/mcp", "allow_side_effects": ["echo"],
                 "call": [ { "tool": "echo", "args": { "message": "hi" }, "expect": { "contains": "hi" }, "crit_ms": 2000 },
                           { "resource": "demo://a", "expect": { "matches": "^#", "structured": { "/x": 1 } }, "warn_ms": 50 },
                           { "prompt": "args-prompt", "args": { "city": "Paris" } } ] } } }"#,
        )
        .expect("valid");
        let c = &t[0].checks;
        assert_eq!(c.allow_side_effects, vec!["echo"]);
        assert_eq!(c.calls.len(), 3);
        assert_eq!(c.calls[0].what, CallWhat::Tool("echo".into()));
        assert_eq!(c.calls[0].expect.contains.as_deref(), Some("hi"));
        assert_eq!(
            (c.calls[0].warn_ms, c.calls[0].crit_ms),
            (None, Some(2000.0))
        );
        assert_eq!(c.calls[1].what, CallWhat::Resource("demo://a".into()));
        assert_eq!(
            c.calls[1].expect.structured,
            vec![("/x".to_string(), Value::from(1))]
        );
        assert_eq!(c.calls[2].what, CallWhat::Prompt("args-prompt".into()));
    }

    #[test]
    fn a_bad_call_is_one_line_naming_its_place() {
        let bad = |call: &str| {
            parse(&format!(
                r#"{{"targets": {{"srv": {{"url": "http://127.0.0.1:1/mcp", "call": [{call}]}}}}}}"#
            ))
            .expect_err("invalid")
        };
        let e = bad(r#"{"tool": "a", "prompt": "b"}"#);
        assert!(
            e.contains("targets.srv.call[0]: gives more than one"),
            "{e}"
        );
        let e = bad(r#"{"args": {}}"#);
        assert!(e.contains("names nothing to call"), "{e}");
        let e = bad(r#"{"tool": "a", "expect": {"contain": "x"}}"#);
        assert!(
            e.contains("call[0].expect.contain: unknown key (did you mean `contains`? known: is_error, contains"),
            "{e}"
        );
        let e = bad(r#"{"tool": "a", "expect": {"matches": "(unclosed"}}"#);
        assert!(
            e.contains("call[0].expect.matches: is not a regular expression"),
            "{e}"
        );
        let e = bad(r#"{"tool": "a", "crit_ms": -1}"#);
        assert!(
            e.contains("call[0].crit_ms: must be a positive number"),
            "{e}"
        );
        let e = bad(r#"{"resource": "demo://a", "args": {"x": 1}}"#);
        assert!(
            e.contains("call[0].args: a resource is read by its URI alone"),
            "{e}"
        );
        let e = bad(r#"{"tool": "a", "expect": {"structured": {"sum": 5}}}"#);
        assert!(e.contains("is not a JSON pointer"), "{e}");
        let e = parse(r#"{"targets": {"x": {"log": "/tmp/a.log", "call": [{"tool": "a"}]}}}"#)
            .expect_err("no server");
        assert!(e.contains("targets.x.call: needs an MCP server"), "{e}");
        let e = parse(r#"{"targets": {"x": {"url": "http://127.0.0.1:1/mcp", "allow_side_effects": "echo"}}}"#)
            .expect_err("not a list");
        assert!(
            e.contains("allow_side_effects: must be an array of tool names"),
            "{e}"
        );
    }

    #[test]
    fn a_client_config_key_one_letter_off_is_pointed_at() {
        assert_eq!(super::super::file::near_miss("calls"), Some("call"));
        assert_eq!(
            super::super::file::near_miss("allow_side_effect"),
            Some("allow_side_effects")
        );
    }

    #[test]
    fn the_flag_names_a_tool_a_resource_or_a_prompt_with_json_args() {
        let c = parse_flag(r#"echo {"message": "hi"}"#).expect("parsed");
        assert_eq!(c.what, CallWhat::Tool("echo".into()));
        assert_eq!(c.args.get("message"), Some(&Value::from("hi")));
        assert_eq!(
            parse_flag("resource:demo://x/y").expect("parsed").what,
            CallWhat::Resource("demo://x/y".into())
        );
        let p = parse_flag(r#"prompt:args-prompt{"city":"Paris"}"#).expect("parsed");
        assert_eq!(p.what, CallWhat::Prompt("args-prompt".into()));
        assert_eq!(p.args.len(), 1);
        assert!(parse_flag("echo [1]").is_err());
        assert!(parse_flag("resource:x {}").is_err());
        assert!(parse_flag("prompt:").is_err());
    }
}
