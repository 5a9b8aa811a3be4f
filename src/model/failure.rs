//! Why a check failed: the stable reason strings and the `Failure` value probes return.
//!
//! A failing server is data, not an error: probes put a `Failure` into their Observation. Reason strings
//! are a public contract (JSON, tables, alert rules): add new ones, never rename.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Stable failure reasons. `as_str()` is the wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    SpawnError,
    ConnectRefused,
    DnsError,
    TlsError,
    Timeout,
    HandshakeTimeout,
    AuthRequired,
    HttpStatus,
    NotMcp,
    ProtocolError,
    VersionMismatch,
    ZeroTools,
    ToolMissing,
    SchemaInvalid,
    HubNotReady,
    ServerDisconnected,
    FieldMissing,
    ProcessNotFound,
    PortClosed,
    Threshold,
    // Added by mcpmon after the original list (never renamed):
    /// A response (HTTP body, SSE event or stdio line) larger than the cap; refused unread.
    ResponseTooLarge,
    /// The server answered a request with a JSON-RPC error object.
    RpcError,
    /// A `${VAR}` placeholder in the target's config could not be resolved.
    UnresolvedPlaceholder,
    /// A transport-level failure that fits no narrower reason (e.g. a reply that is not HTTP, an
    /// unreachable network).
    ConnectError,
    /// A file the target names (a log file) does not exist.
    FileMissing,
    /// A file the target names exists but cannot be read (permissions, a directory, an I/O error).
    FileUnreadable,
    /// Two sources that should agree do not (a hub's registered tools vs its servers' lists).
    Mismatch,
    /// A configured assertion on a health document did not hold.
    AssertionFailed,
    /// A watched log file shrank since the last look (truncated: often a restart).
    LogTruncated,
    /// A number that should grow (`"increasing": true`) stayed the same since the last sample.
    Stalled,
    /// A log `command` (journalctl, docker logs …) exited non-zero or was killed: its stderr is quoted.
    LogCommandFailed,
    /// A check keeps changing between good and bad.
    Flapping,
    /// A target entry of a readable config that cannot be used (`validate` reports it per entry).
    ConfigInvalid,
    /// A stdio target's command is neither on PATH nor a file.
    CommandNotFound,
    /// `npx -y` / `uvx` runs whatever version of a package is newest: not pinned.
    Unpinned,
    /// A literal secret in a config file others can read.
    SecretExposed,
    /// A protocol conformance check (`validate --strict`) not met.
    Nonconformant,
    /// `anomalies`: a value far outside the target's own history, a changed tool list, a restart,
    /// missing records, or too many anomalies at once.
    Anomaly,
    /// `measure --tool` or a `call` check: the tool is not marked read-only and side effects were not
    /// allowed for it (`--allow-side-effects`, `allow_side_effects`).
    NotReadOnly,
    /// mcpmon itself failed while checking (a probe task that panicked or stopped): not the server's
    /// fault, and said as such.
    InternalError,
    /// A stdio server wrote nothing on stdout within its start-up deadline (`startup_timeout`): a
    /// package runner still downloading, or a server slow to boot. It was stopped.
    StartupTimeout,
    /// A functional check's tool answered with `isError: true` (the tool ran and reported failure).
    ToolError,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::SpawnError => "spawn_error",
            Reason::ConnectRefused => "connect_refused",
            Reason::DnsError => "dns_error",
            Reason::TlsError => "tls_error",
            Reason::Timeout => "timeout",
            Reason::HandshakeTimeout => "handshake_timeout",
            Reason::AuthRequired => "auth_required",
            Reason::HttpStatus => "http_status",
            Reason::NotMcp => "not_mcp",
            Reason::ProtocolError => "protocol_error",
            Reason::VersionMismatch => "version_mismatch",
            Reason::ZeroTools => "zero_tools",
            Reason::ToolMissing => "tool_missing",
            Reason::SchemaInvalid => "schema_invalid",
            Reason::HubNotReady => "hub_not_ready",
            Reason::ServerDisconnected => "server_disconnected",
            Reason::FieldMissing => "field_missing",
            Reason::ProcessNotFound => "process_not_found",
            Reason::PortClosed => "port_closed",
            Reason::Threshold => "threshold",
            Reason::ResponseTooLarge => "response_too_large",
            Reason::RpcError => "rpc_error",
            Reason::UnresolvedPlaceholder => "unresolved_placeholder",
            Reason::ConnectError => "connect_error",
            Reason::FileMissing => "file_missing",
            Reason::FileUnreadable => "file_unreadable",
            Reason::Mismatch => "mismatch",
            Reason::AssertionFailed => "assertion_failed",
            Reason::LogTruncated => "log_truncated",
            Reason::Stalled => "stalled",
            Reason::LogCommandFailed => "log_command_failed",
            Reason::Flapping => "flapping",
            Reason::ConfigInvalid => "config_invalid",
            Reason::CommandNotFound => "command_not_found",
            Reason::Unpinned => "unpinned_package",
            Reason::SecretExposed => "secret_exposed",
            Reason::Nonconformant => "nonconformant",
            Reason::Anomaly => "anomaly",
            Reason::NotReadOnly => "not_read_only",
            Reason::InternalError => "internal_error",
            Reason::StartupTimeout => "startup_timeout",
            Reason::ToolError => "tool_error",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed `WWW-Authenticate` challenge: the scheme and its auth-params (none of which are secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct AuthChallenge {
    pub scheme: String,
    pub params: BTreeMap<String, String>,
}

/// A failed probe step, with everything a person needs to act on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub reason: Reason,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_challenge: Option<AuthChallenge>,
    /// The JSON-RPC error code, when the server answered with an error object (`rpc_error`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpc_code: Option<i64>,
}

impl Failure {
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        Failure {
            reason,
            message: message.into(),
            http_status: None,
            auth_challenge: None,
            rpc_code: None,
        }
    }

    /// Keeps the JSON-RPC error code of the server's error object.
    pub fn with_rpc_code(mut self, code: i64) -> Self {
        self.rpc_code = Some(code);
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason, self.message)
    }
}

/// Parses the first challenge of a `WWW-Authenticate` header value (RFC 9110 §11.6.1):
/// `Bearer realm="mcp", error="invalid_token", resource_metadata="https://…"`.
pub fn parse_www_authenticate(value: &str) -> AuthChallenge {
    let value = value.trim();
    let (scheme, rest) = match value.find(|c: char| c.is_whitespace()) {
        Some(i) => (&value[..i], value[i..].trim_start()),
        None => (value, ""),
    };
    let mut params = BTreeMap::new();
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i] == b',' || bytes[i].is_ascii_whitespace()) {
            i += 1;
        }
        let key_start = i;
        while i < bytes.len() && bytes[i] != b'=' && bytes[i] != b',' {
            i += 1;
        }
        let key = rest[key_start..i].trim().to_ascii_lowercase();
        if i >= bytes.len() || bytes[i] == b',' {
            // token68 or a bare token: keep it under its own name with an empty value
            if !key.is_empty() {
                params.insert(key, String::new());
            }
            continue;
        }
        i += 1; // '='
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut val = String::new();
        if i < bytes.len() && bytes[i] == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\\' && i + 1 < bytes.len() {
                    i += 1;
                }
                let ch_len = utf8_len(bytes[i]);
                val.push_str(&rest[i..(i + ch_len).min(rest.len())]);
                i += ch_len;
            }
            i += 1; // closing quote
        } else {
            let start = i;
            while i < bytes.len() && bytes[i] != b',' {
                i += 1;
            }
            val.push_str(rest[start..i].trim());
        }
        if !key.is_empty() {
            params.insert(key, val);
        }
    }
    AuthChallenge {
        scheme: scheme.to_string(),
        params,
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bearer_challenge_with_quoted_params() {
        let c = parse_www_authenticate(
            r#"Bearer realm="mcp", error="invalid_token", resource_metadata="http://127.0.0.1:1/.well-known/oauth-protected-resource""#,
        );
        assert_eq!(c.scheme, "Bearer");
        assert_eq!(c.params["realm"], "mcp");
        assert_eq!(c.params["error"], "invalid_token");
        assert_eq!(
            c.params["resource_metadata"],
            "http://127.0.0.1:1/.well-known/oauth-protected-resource"
        );
    }

    #[test]
    fn parses_unquoted_and_escaped_values() {
        let c = parse_www_authenticate(
            r#"Bearer scope=mcp:read, error_description="a \"quoted\" word""#,
        );
        assert_eq!(c.params["scope"], "mcp:read");
        assert_eq!(c.params["error_description"], r#"a "quoted" word"#);
    }

    #[test]
    fn bare_scheme_has_no_params() {
        let c = parse_www_authenticate("Basic");
        assert_eq!(c.scheme, "Basic");
        assert!(c.params.is_empty());
    }

    #[test]
    fn reason_strings_are_stable() {
        assert_eq!(Reason::NotMcp.as_str(), "not_mcp");
        assert_eq!(
            serde_json::to_string(&Reason::HandshakeTimeout).unwrap(),
            "\"handshake_timeout\""
        );
        assert_eq!(
            serde_json::to_string(&Reason::ResponseTooLarge).unwrap(),
            "\"response_too_large\""
        );
        assert_eq!(Reason::InternalError.as_str(), "internal_error");
        assert_eq!(Reason::StartupTimeout.as_str(), "startup_timeout");
        assert_eq!(Reason::NotReadOnly.as_str(), "not_read_only");
        assert_eq!(
            Failure::new(Reason::RpcError, "x")
                .with_rpc_code(-32601)
                .rpc_code,
            Some(-32601)
        );
    }
}
