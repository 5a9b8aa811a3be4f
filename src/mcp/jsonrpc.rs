//! JSON-RPC 2.0 framing for MCP: building requests, classifying whatever a server sends back.
//!
//! Owns the message shapes only; it never does I/O. A message that is not valid JSON-RPC is reported as
//! a protocol fault by the caller, never silently dropped.

use serde_json::{Map, Value, json};

/// JSON-RPC 2.0 §5.1: the method does not exist.
pub const METHOD_NOT_FOUND: i64 = -32601;

/// A JSON-RPC error object returned by a server.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JSON-RPC error {}: {}", self.code, self.message)
    }
}

/// What one incoming JSON-RPC message is.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A reply to one of our requests (`result` or `error`). `id` is as the server sent it.
    Response {
        id: Value,
        outcome: Result<Value, RpcError>,
    },
    /// A server→client request: it must be answered.
    Request { id: Value, method: String },
    /// A notification (no id).
    Notification { method: String },
}

/// Serialises a request with a numeric id.
pub fn request(id: u64, method: &str, params: Option<&Value>) -> Vec<u8> {
    let mut obj = Map::new();
    obj.insert("jsonrpc".into(), Value::from("2.0"));
    obj.insert("id".into(), Value::from(id));
    obj.insert("method".into(), Value::from(method));
    if let Some(p) = params {
        obj.insert("params".into(), p.clone());
    }
    serde_json::to_vec(&Value::Object(obj)).unwrap_or_default()
}

/// Serialises a notification.
pub fn notification(method: &str, params: Option<&Value>) -> Vec<u8> {
    let mut obj = Map::new();
    obj.insert("jsonrpc".into(), Value::from("2.0"));
    obj.insert("method".into(), Value::from(method));
    if let Some(p) = params {
        obj.insert("params".into(), p.clone());
    }
    serde_json::to_vec(&Value::Object(obj)).unwrap_or_default()
}

/// The reply mcpmon gives to a server→client request: `ping` gets an empty result, anything else
/// "method not found" (mcpmon declares no client capabilities).
pub fn reply_to_server_request(id: &Value, method: &str) -> Vec<u8> {
    let v = if method == "ping" {
        json!({"jsonrpc": "2.0", "id": id, "result": {}})
    } else {
        json!({"jsonrpc": "2.0", "id": id, "error": {"code": METHOD_NOT_FOUND, "message": "Method not found"}})
    };
    serde_json::to_vec(&v).unwrap_or_default()
}

/// Classifies one decoded JSON value. `Err` carries a short description of what is wrong.
pub fn classify(v: &Value) -> Result<Incoming, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("not a JSON-RPC object: {}", kind_of(v)))?;
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err("missing \"jsonrpc\":\"2.0\"".into());
    }
    let method = obj.get("method").and_then(Value::as_str);
    let id = obj.get("id");
    match (method, id) {
        (Some(m), Some(id)) if !id.is_null() => Ok(Incoming::Request {
            id: id.clone(),
            method: m.to_string(),
        }),
        (Some(m), _) => Ok(Incoming::Notification {
            method: m.to_string(),
        }),
        (None, id) => {
            let id = id.cloned().unwrap_or(Value::Null);
            if let Some(err) = obj.get("error") {
                let code = err.get("code").and_then(Value::as_i64).unwrap_or(0);
                let message = err
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let data = err.get("data").cloned();
                Ok(Incoming::Response {
                    id,
                    outcome: Err(RpcError {
                        code,
                        message,
                        data,
                    }),
                })
            } else if let Some(res) = obj.get("result") {
                Ok(Incoming::Response {
                    id,
                    outcome: Ok(res.clone()),
                })
            } else {
                Err("a message with neither method, result nor error".into())
            }
        }
    }
}

/// True when a response id is exactly the numeric id we sent.
pub fn id_matches(id: &Value, ours: u64) -> bool {
    id.as_u64() == Some(ours)
}

/// Expands a decoded body into its messages (a JSON-RPC batch is an array).
pub fn messages(v: Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items,
        other => vec![other],
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_results_errors_requests_and_notifications() {
        let r = classify(&json!({"jsonrpc":"2.0","id":3,"result":{}})).unwrap();
        assert!(matches!(r, Incoming::Response { ref id, outcome: Ok(_) } if id_matches(id, 3)));
        let e = classify(&json!({"jsonrpc":"2.0","id":4,"error":{"code":-32601,"message":"nope"}}))
            .unwrap();
        match e {
            Incoming::Response {
                outcome: Err(err), ..
            } => assert_eq!(err.code, -32601),
            other => panic!("{other:?}"),
        }
        let q = classify(&json!({"jsonrpc":"2.0","id":0,"method":"roots/list"})).unwrap();
        assert_eq!(
            q,
            Incoming::Request {
                id: json!(0),
                method: "roots/list".into()
            }
        );
        let n = classify(&json!({"jsonrpc":"2.0","method":"notifications/tools/list_changed"}))
            .unwrap();
        assert_eq!(
            n,
            Incoming::Notification {
                method: "notifications/tools/list_changed".into()
            }
        );
    }

    #[test]
    fn rejects_non_jsonrpc() {
        assert!(classify(&json!({"id":1,"result":{}})).is_err());
        assert!(classify(&json!([1, 2])).is_err());
        assert!(classify(&json!({"jsonrpc":"2.0","id":1})).is_err());
    }

    #[test]
    fn string_ids_do_not_match_numeric_ones() {
        assert!(!id_matches(&json!("1"), 1));
        assert!(id_matches(&json!(1), 1));
    }

    #[test]
    fn requests_serialise_with_params() {
        let v: Value =
            serde_json::from_slice(&request(7, "tools/list", Some(&json!({"cursor":"x"}))))
                .unwrap();
        assert_eq!(
            v,
            json!({"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"cursor":"x"}})
        );
    }
}
