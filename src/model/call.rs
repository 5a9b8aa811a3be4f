//! Functional checks of an MCP target (`call`): what to call (`tools/call`, `resources/read`,
//! `prompts/get`), with which arguments and expectations (`CallSpec`), and what the call returned
//! (`CallFacts`). Pure data: the probe fills the facts, the rules judge them; nothing here talks to a
//! server or decides a status.

use super::failure::{Failure, Reason};
use serde_json::{Map, Value};
use std::time::Duration;

/// The most text of one result kept for the `contains` / `matches` expectations (a server may answer
/// with megabytes; the rest is counted, not kept).
pub const MAX_CALL_TEXT: usize = 64 * 1024;

/// What one functional check asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum CallWhat {
    /// `tools/call` of this tool.
    Tool(String),
    /// `resources/read` of this URI.
    Resource(String),
    /// `prompts/get` of this prompt.
    Prompt(String),
}

impl CallWhat {
    /// The JSON-RPC method.
    pub fn method(&self) -> &'static str {
        match self {
            CallWhat::Tool(_) => "tools/call",
            CallWhat::Resource(_) => "resources/read",
            CallWhat::Prompt(_) => "prompts/get",
        }
    }

    /// The check it is reported (and recorded in history) as: `call:echo`, `call:resource:URI`,
    /// `call:prompt:NAME` (tool names cannot hold a `:`, so the three never collide).
    pub fn check(&self) -> String {
        match self {
            CallWhat::Tool(n) => format!("call:{n}"),
            CallWhat::Resource(u) => format!("call:resource:{u}"),
            CallWhat::Prompt(n) => format!("call:prompt:{n}"),
        }
    }

    /// The tool, resource or prompt named.
    pub fn name(&self) -> &str {
        match self {
            CallWhat::Tool(n) | CallWhat::Resource(n) | CallWhat::Prompt(n) => n,
        }
    }
}

/// What the result must show. The default expects a tool's `isError` to be false and nothing else.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallExpect {
    /// The tool's `isError` must be this (default false).
    pub is_error: bool,
    /// The result's text must contain this.
    pub contains: Option<String>,
    /// The result's text must match this regular expression (checked when the config is read).
    pub matches: Option<String>,
    /// JSON pointer into `structuredContent` → the value expected there.
    pub structured: Vec<(String, Value)>,
}

/// One functional check of a target.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSpec {
    pub what: CallWhat,
    /// `arguments` of a tool or prompt (none for a resource).
    pub args: Map<String, Value>,
    pub expect: CallExpect,
    /// Latency bounds of this call (ms); a side left out is the target's `response_time_ms`.
    pub warn_ms: Option<f64>,
    pub crit_ms: Option<f64>,
}

/// What one functional check came to.
#[derive(Debug, Clone)]
pub enum CallOutcome {
    /// Not sent, on purpose: the tool is missing, not marked read-only, or the tool list could not
    /// be read (`reason` says which).
    NotCalled(Failure),
    /// Sent, and the request failed (a JSON-RPC error, a timeout, a dead connection).
    Failed(Failure),
    /// Answered.
    Answered(CallResult),
}

/// An answered call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallResult {
    /// From the request's write to its response.
    pub latency: Duration,
    /// A tool's `isError` (false when absent, and for resources and prompts).
    pub is_error: bool,
    /// The result's text (tool `content`, resource `contents`, prompt `messages`), the first
    /// [`MAX_CALL_TEXT`] bytes of it.
    pub text: String,
    /// The whole text's length in bytes (more than `text` holds when it was cut).
    pub text_bytes: usize,
    /// Each expected `structuredContent` pointer with what is there (None: nothing).
    pub structured: Vec<(String, Option<Value>)>,
}

/// One functional check and its outcome.
#[derive(Debug, Clone)]
pub struct CallFacts {
    pub spec: CallSpec,
    pub outcome: CallOutcome,
}

impl CallFacts {
    /// A check that was not sent, and why.
    pub fn not_called(spec: &CallSpec, reason: Reason, message: String) -> CallFacts {
        CallFacts {
            spec: spec.clone(),
            outcome: CallOutcome::NotCalled(Failure::new(reason, message)),
        }
    }
}
