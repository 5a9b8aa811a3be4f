//! Functional checks over an open MCP session (`call`): `tools/call`, `resources/read` and
//! `prompts/get`, each within the target's deadline, keeping the latency, a tool's `isError`, the
//! result's text (capped at `MAX_CALL_TEXT`) and the `structuredContent` values the expectations
//! point at. Also the one gate that decides whether a tool may be called at all (read-only or
//! allowed), shared with `measure --tool`.
//!
//! Must not judge (the rules do) nor keep a whole result: memory stays bounded whatever a server
//! answers.

use crate::mcp::session::Session;
use crate::model::{
    CallFacts, CallOutcome, CallResult, CallSpec, CallWhat, Failure, MAX_CALL_TEXT, Reason,
};
use serde_json::{Value, json};
use tokio::time::Instant;

/// Whether `tool` may be called: it must be in the server's tool list (`tools`) and marked read-only
/// (`annotations.readOnlyHint`), or be allowed (`allowed`); `how_to_allow` ends the refusal
/// ("pass --allow-side-effects to do it anyway").
pub fn gate(tools: &[Value], tool: &str, allowed: bool, how_to_allow: &str) -> Result<(), Failure> {
    let Some(t) = tools
        .iter()
        .find(|t| t.get("name").and_then(Value::as_str) == Some(tool))
    else {
        return Err(Failure::new(
            Reason::ToolMissing,
            format!(
                "the server has no tool {tool:?} (tools/list has {} tools)",
                tools.len()
            ),
        ));
    };
    let read_only = t
        .pointer("/annotations/readOnlyHint")
        .and_then(Value::as_bool)
        == Some(true);
    if !read_only && !allowed {
        return Err(Failure::new(
            Reason::NotReadOnly,
            format!(
                "tool {tool:?} is not marked read-only (annotations.readOnlyHint), so it may change things: {how_to_allow}"
            ),
        ));
    }
    Ok(())
}

/// Runs the target's functional checks in order on `session`. `tools` is what `tools/list` returned
/// (None: not read, e.g. the server declares no tools). Every check has an outcome.
pub async fn run_all(
    session: &mut Session,
    specs: &[CallSpec],
    allow_side_effects: &[String],
    tools: Option<&Result<Vec<Value>, Failure>>,
    deadline: Instant,
) -> Vec<CallFacts> {
    let mut out = Vec::with_capacity(specs.len());
    for spec in specs {
        if let CallWhat::Tool(name) = &spec.what {
            let allowed = allow_side_effects.iter().any(|a| a == name);
            let refused = match tools {
                Some(Ok(list)) => gate(
                    list,
                    name,
                    allowed,
                    &format!(
                        "not called; add {name:?} to the target's \"allow_side_effects\" (or --allow-side-effects {name}) to call it anyway"
                    ),
                )
                .err()
                .map(|f| Failure {
                    message: match f.reason {
                        Reason::ToolMissing => format!("{}: not called", f.message),
                        _ => f.message,
                    },
                    ..f
                }),
                Some(Err(e)) => Some(Failure::new(
                    e.reason,
                    format!("not called: tools/list failed ({})", e.message),
                )),
                None => Some(Failure::new(
                    Reason::ToolMissing,
                    "not called: the server declares no tools capability".to_string(),
                )),
            };
            if let Some(f) = refused {
                out.push(CallFacts {
                    spec: spec.clone(),
                    outcome: CallOutcome::NotCalled(f),
                });
                continue;
            }
        }
        let outcome = match call(session, spec, deadline).await {
            Ok(r) => CallOutcome::Answered(r),
            Err(f) => CallOutcome::Failed(f),
        };
        out.push(CallFacts {
            spec: spec.clone(),
            outcome,
        });
    }
    out
}

fn params(spec: &CallSpec) -> Value {
    match &spec.what {
        CallWhat::Tool(name) => json!({"name": name, "arguments": spec.args}),
        CallWhat::Prompt(name) => json!({"name": name, "arguments": spec.args}),
        CallWhat::Resource(uri) => json!({"uri": uri}),
    }
}

async fn call(
    session: &mut Session,
    spec: &CallSpec,
    deadline: Instant,
) -> Result<CallResult, Failure> {
    let (result, latency) = session
        .call(spec.what.method(), Some(params(spec)), deadline)
        .await?;
    let mut text = Text::default();
    match &spec.what {
        CallWhat::Tool(_) => each_content(result.get("content"), &mut text),
        CallWhat::Resource(_) => {
            for c in result
                .get("contents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                text.push(c.get("text").and_then(Value::as_str));
            }
        }
        CallWhat::Prompt(_) => {
            for m in result
                .get("messages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                each_content(m.get("content"), &mut text);
            }
        }
    }
    let structured = spec
        .expect
        .structured
        .iter()
        .map(|(p, _)| {
            let at = result
                .get("structuredContent")
                .and_then(|s| s.pointer(p))
                .cloned();
            (p.clone(), at)
        })
        .collect();
    Ok(CallResult {
        latency,
        is_error: result.get("isError").and_then(Value::as_bool) == Some(true),
        text: text.kept,
        text_bytes: text.bytes,
        structured,
    })
}

/// The text items of a `content` (one content block or an array of them).
fn each_content(content: Option<&Value>, text: &mut Text) {
    match content {
        Some(Value::Array(items)) => {
            for c in items {
                text.push(c.get("text").and_then(Value::as_str));
            }
        }
        Some(c @ Value::Object(_)) => text.push(c.get("text").and_then(Value::as_str)),
        _ => {}
    }
}

/// A result's text pieces joined by newlines, the first `MAX_CALL_TEXT` bytes kept.
#[derive(Default)]
struct Text {
    kept: String,
    bytes: usize,
}

impl Text {
    fn push(&mut self, piece: Option<&str>) {
        let Some(piece) = piece else {
            return;
        };
        // known secrets go before the cut: a secret cut in two would leave its prefix
        let piece = crate::model::secret::clean(piece);
        if self.bytes > 0 {
            self.bytes += 1;
            if self.kept.len() < MAX_CALL_TEXT {
                self.kept.push('\n');
            }
        }
        self.bytes += piece.len();
        let room = MAX_CALL_TEXT.saturating_sub(self.kept.len());
        if room > 0 {
            let mut cut = room.min(piece.len());
            while !piece.is_char_boundary(cut) {
                cut -= 1;
            }
            self.kept.push_str(&piece[..cut]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_calls_read_only_or_allowed_tools_only() {
        let tools = vec![
            json!({"name": "echo", "annotations": {"readOnlyHint": true}}),
            json!({"name": "toggle", "annotations": {"readOnlyHint": false}}),
            json!({"name": "plain"}),
        ];
        assert!(gate(&tools, "echo", false, "x").is_ok());
        let refused = gate(&tools, "toggle", false, "add it").expect_err("refused");
        assert_eq!(refused.reason, Reason::NotReadOnly);
        assert!(refused.message.ends_with("add it"), "{}", refused.message);
        assert_eq!(
            gate(&tools, "plain", false, "x").map_err(|f| f.reason),
            Err(Reason::NotReadOnly)
        );
        assert!(gate(&tools, "toggle", true, "x").is_ok());
        assert_eq!(
            gate(&tools, "nope", true, "x").map_err(|f| f.reason),
            Err(Reason::ToolMissing)
        );
    }

    #[test]
    fn result_text_is_capped_on_a_char_boundary_and_counted() {
        let mut t = Text::default();
        t.push(Some("hi"));
        let big = "é".repeat(MAX_CALL_TEXT);
        t.push(Some(&big));
        assert!(t.kept.len() <= MAX_CALL_TEXT);
        assert!(t.kept.starts_with("hi\né"));
        assert_eq!(t.bytes, 3 + big.len());
    }
}
