//! The verdicts of an MCP target's functional checks (`call`): one finding per check, named
//! `call:TOOL`, `call:resource:URI` or `call:prompt:NAME`, whose value is the call's latency (so
//! history records it and `anomalies` sees a call getting slower). Pure: no I/O, no clock.
//!
//! A tool that was not called (missing, not read-only and not allowed) says why and how to allow it;
//! a call that failed or answered `isError` is CRIT; an expectation not met is CRIT
//! `assertion_failed`; otherwise the latency is judged against the call's `warn_ms` / `crit_ms`
//! (each side defaulting to the target's `response_time_ms`).

use crate::model::{
    Bound, CallFacts, CallOutcome, CallResult, CallSpec, CallWhat, Checks, Finding, Kind, Reason,
    Status, Unit,
};

/// The most of a result's text a message quotes.
const QUOTE: usize = 120;

/// One finding per functional check of the observation.
pub fn findings(target: &str, calls: &[CallFacts], checks: &Checks) -> Vec<Finding> {
    calls.iter().map(|c| finding(target, c, checks)).collect()
}

fn what(spec: &CallSpec) -> String {
    match &spec.what {
        CallWhat::Tool(n) => format!("tools/call {n}"),
        CallWhat::Resource(u) => format!("resources/read {u}"),
        CallWhat::Prompt(n) => format!("prompts/get {n}"),
    }
}

fn finding(target: &str, c: &CallFacts, checks: &Checks) -> Finding {
    let check = c.spec.what.check();
    let spec = &c.spec;
    match &c.outcome {
        CallOutcome::NotCalled(f) => {
            // a refusal is mcpmon declining to act (UNKNOWN: the check could not be made); a tool
            // the server does not have, or a tool list it cannot give, is the server's fault
            let status = if f.reason == Reason::NotReadOnly {
                Status::Unknown
            } else {
                Status::Crit
            };
            Finding::new(
                target,
                Kind::Mcp,
                check,
                status,
                Some(f.reason),
                f.message.clone(),
            )
        }
        CallOutcome::Failed(f) => {
            // the session prefixes a JSON-RPC error with its method, which `what` already says
            let prefix = format!("{}: ", spec.what.method());
            let said = f.message.strip_prefix(&prefix).unwrap_or(&f.message);
            Finding::new(
                target,
                Kind::Mcp,
                check,
                Status::Crit,
                Some(f.reason),
                format!("{} failed: {said}", what(spec)),
            )
        }
        CallOutcome::Answered(r) => answered(target, check, spec, r, checks),
    }
}

fn answered(
    target: &str,
    check: String,
    spec: &CallSpec,
    r: &CallResult,
    checks: &Checks,
) -> Finding {
    let ms = crate::model::stats::ms1(r.latency);
    let quoted = quote(r);
    let bound = Bound {
        warn: spec.warn_ms.or(checks.response_time_ms.warn),
        crit: spec.crit_ms.or(checks.response_time_ms.crit),
    };
    let failed = |reason: Reason, why: String| {
        Finding::new(
            target,
            Kind::Mcp,
            check.clone(),
            Status::Crit,
            Some(reason),
            format!("{} in {ms} ms: {why}; result {quoted}", what(spec)),
        )
        .value(ms)
        .unit(Unit::Ms)
        .bounds(bound.warn, bound.crit)
    };
    if r.is_error != spec.expect.is_error {
        let why = if r.is_error {
            "the tool answered isError: true"
        } else {
            "the tool did not answer isError: true (expected it to)"
        };
        return failed(Reason::ToolError, why.to_string());
    }
    if let Some(want) = &spec.expect.contains {
        if !r.text.contains(want.as_str()) {
            return failed(
                Reason::AssertionFailed,
                format!("the text does not contain {want:?}"),
            );
        }
    }
    if let Some(pattern) = &spec.expect.matches {
        // checked when the config was read; a pattern that no longer compiles does not match
        let hit = regex::Regex::new(pattern).is_ok_and(|re| re.is_match(&r.text));
        if !hit {
            return failed(
                Reason::AssertionFailed,
                format!("the text does not match /{pattern}/"),
            );
        }
    }
    for ((pointer, got), (_, want)) in r.structured.iter().zip(&spec.expect.structured) {
        match got {
            None => {
                return failed(
                    Reason::FieldMissing,
                    format!(
                        "structuredContent{pointer} is missing (expected {})",
                        short(&want.to_string())
                    ),
                );
            }
            Some(v) if !same(v, want) => {
                return failed(
                    Reason::AssertionFailed,
                    format!(
                        "structuredContent{pointer} is {}, expected {}",
                        short(&v.to_string()),
                        short(&want.to_string())
                    ),
                );
            }
            Some(_) => {}
        }
    }
    super::above(
        target,
        Kind::Mcp,
        check,
        ms,
        bound,
        Unit::Ms,
        format!("{} in {ms} ms: {quoted}", what(spec)),
    )
}

/// Equal JSON values, numbers by value (`5` and `5.0` are the same number).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn short(s: &str) -> String {
    crate::net::redact::excerpt(s, QUOTE)
}

/// The result's text as a message quotes it: one line, at most `QUOTE` characters, with its size
/// when it was longer.
fn quote(r: &CallResult) -> String {
    if r.text_bytes == 0 {
        return "without text".to_string();
    }
    let q = short(&r.text);
    if r.text.chars().count() > QUOTE || r.text_bytes > r.text.len() {
        format!("{q:?} ({} bytes)", r.text_bytes)
    } else {
        format!("{q:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CallExpect, Failure};
    use serde_json::json;
    use std::time::Duration;

    fn spec(expect: CallExpect) -> CallSpec {
        CallSpec {
            what: CallWhat::Tool("echo".into()),
            args: Default::default(),
            expect,
            warn_ms: None,
            crit_ms: Some(2000.0),
        }
    }

    fn answered_with(expect: CallExpect, r: CallResult) -> Finding {
        let c = CallFacts {
            spec: spec(expect),
            outcome: CallOutcome::Answered(r),
        };
        findings("t", &[c], &Checks::default()).remove(0)
    }

    fn echo(text: &str, ms: u64) -> CallResult {
        CallResult {
            latency: Duration::from_millis(ms),
            text: text.into(),
            text_bytes: text.len(),
            ..Default::default()
        }
    }

    #[test]
    fn a_result_that_meets_its_expectations_is_ok_with_its_latency() {
        let want = CallExpect {
            contains: Some("hi".into()),
            matches: Some("^Echo: h.$".into()),
            ..Default::default()
        };
        let f = answered_with(want, echo("Echo: hi", 12));
        assert_eq!(f.status, Status::Ok, "{}", f.message);
        assert_eq!(f.check, "call:echo");
        assert_eq!(f.value, Some(12.0));
        assert_eq!(f.crit, Some(2000.0));
        // the unset side is the target's response_time_ms
        assert_eq!(f.warn, Checks::default().response_time_ms.warn);
        assert_eq!(f.message, "tools/call echo in 12 ms: \"Echo: hi\"");
    }

    #[test]
    fn an_expectation_not_met_is_critical_and_says_which() {
        let want = CallExpect {
            contains: Some("nope".into()),
            ..Default::default()
        };
        let f = answered_with(want, echo("Echo: hi", 3));
        assert_eq!(f.status, Status::Crit);
        assert_eq!(f.reason, Some(Reason::AssertionFailed));
        assert!(
            f.message.contains("does not contain \"nope\""),
            "{}",
            f.message
        );
        let want = CallExpect {
            matches: Some("^bye".into()),
            ..Default::default()
        };
        let f = answered_with(want, echo("Echo: hi", 3));
        assert_eq!(f.status, Status::Crit);
        assert!(f.message.contains("does not match /^bye/"), "{}", f.message);
    }

    #[test]
    fn is_error_is_a_tool_error_unless_expected() {
        let mut r = echo("boom", 3);
        r.is_error = true;
        let f = answered_with(CallExpect::default(), r.clone());
        assert_eq!(
            (f.status, f.reason),
            (Status::Crit, Some(Reason::ToolError))
        );
        let want = CallExpect {
            is_error: true,
            ..Default::default()
        };
        assert_eq!(answered_with(want, r).status, Status::Ok);
    }

    #[test]
    fn structured_content_pointers_compare_numbers_by_value() {
        let want = CallExpect {
            structured: vec![("/sum".into(), json!(5))],
            ..Default::default()
        };
        let mut r = echo("5", 3);
        r.structured = vec![("/sum".into(), Some(json!(5.0)))];
        assert_eq!(answered_with(want.clone(), r.clone()).status, Status::Ok);
        r.structured = vec![("/sum".into(), Some(json!(6)))];
        let f = answered_with(want.clone(), r.clone());
        assert_eq!(f.status, Status::Crit);
        assert!(
            f.message.contains("structuredContent/sum is 6, expected 5"),
            "{}",
            f.message
        );
        r.structured = vec![("/sum".into(), None)];
        assert_eq!(answered_with(want, r).reason, Some(Reason::FieldMissing));
    }

    #[test]
    fn a_slow_call_crosses_its_bound() {
        let f = answered_with(CallExpect::default(), echo("ok", 2500));
        assert_eq!(f.status, Status::Crit);
        assert_eq!(f.reason, Some(Reason::Threshold));
    }

    #[test]
    fn a_refused_tool_is_unknown_and_a_missing_one_critical() {
        let s = spec(CallExpect::default());
        let refused = CallFacts::not_called(&s, Reason::NotReadOnly, "add it".into());
        let missing = CallFacts::not_called(&s, Reason::ToolMissing, "no tool".into());
        let failed = CallFacts {
            spec: s,
            outcome: CallOutcome::Failed(Failure::new(Reason::Timeout, "timed out")),
        };
        let f = findings("t", &[refused, missing, failed], &Checks::default());
        assert_eq!(f[0].status, Status::Unknown);
        assert_eq!(f[0].reason, Some(Reason::NotReadOnly));
        assert_eq!(f[1].status, Status::Crit);
        assert_eq!(f[2].status, Status::Crit);
        assert!(
            f[2].message
                .starts_with("tools/call echo failed: timed out"),
            "{}",
            f[2].message
        );
    }
}
