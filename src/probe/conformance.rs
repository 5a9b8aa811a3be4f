//! Protocol conformance checks for `validate --strict`: each check has a stable id and names the spec
//! section it comes from. Read-only by construction: it lists, pings and discovers, sends deliberately
//! wrong headers beside a live session, and never calls a tool.
//!
//! The probe only reports what it saw (`Outcome` per check); `rules::conformance` turns that into
//! findings.

use crate::mcp::session::LEGACY_REVISIONS;
use crate::mcp::session::MODERN_REVISION;
use crate::mcp::session::Session;
use crate::mcp::session::{self};
use crate::model::EndpointSpec;
use crate::model::Era;
use crate::model::Target;
use crate::model::Wire;
use crate::model::{Check, Outcome};

use crate::mcp::transport::http::ACCEPT_BOTH;
use reqwest::Client;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;
use tokio::time::Instant;

fn check(id: &'static str, spec: &'static str, outcome: Outcome) -> Check {
    Check { id, spec, outcome }
}

/// The tool-name rule of server/tools#tool-names: 1–128 of A-Z a-z 0-9 _ - .
pub fn tool_name_ok(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Every check for one target's MCP endpoint.
pub async fn probe(target: &Target, client: &Client) -> Vec<Check> {
    let Some(spec) = target.mcp() else {
        return Vec::new();
    };
    if let Some(f) = crate::probe::unresolved(target) {
        return vec![check(
            "session",
            "basic/lifecycle",
            Outcome::Skip(f.message),
        )];
    }
    let endpoint = match crate::probe::mcp::endpoint(spec, target.startup_limit()) {
        Ok(e) => e,
        Err(f) => {
            return vec![check(
                "session",
                "basic/lifecycle",
                Outcome::Fail(f.message),
            )];
        }
    };
    let deadline = crate::model::checked::after(Instant::now(), target.timeout);
    let mut s = match session::connect(&endpoint, client, target.era, deadline).await {
        Ok(s) => s,
        Err(e) => {
            return vec![check(
                "session",
                "basic/lifecycle",
                Outcome::NotEvaluated(format!(
                    "no session to check conformance on: {}",
                    e.failure.message
                )),
            )];
        }
    };
    let mut out = Vec::new();
    out.push(version_negotiation(&s));
    lists(&mut s, deadline, &mut out).await;
    out.push(unknown_method(&mut s, deadline).await);
    if matches!(spec, EndpointSpec::Url { .. }) && s.wire() == Wire::StreamableHttp {
        http_checks(&s, client, deadline, &mut out).await;
    } else {
        let why = format!(
            "{} transport: the HTTP header checks do not apply",
            s.wire().as_str()
        );
        for (id, spec) in [
            ("protocol-version-header", PROTOCOL_VERSION_HEADER),
            ("unknown-session", SESSION_MANAGEMENT),
            ("dns-rebinding", SECURITY_WARNING),
        ] {
            out.push(check(id, spec, Outcome::Skip(why.clone())));
        }
    }
    let stdio = s.wire() == Wire::Stdio;
    let closed = s.close().await;
    wire_faults(&closed.log.faults, stdio, &mut out);
    out
}

const PROTOCOL_VERSION_HEADER: &str = "basic/transports#protocol-version-header";
const SESSION_MANAGEMENT: &str = "basic/transports#session-management";
const SECURITY_WARNING: &str = "basic/transports#security-warning";

fn version_negotiation(s: &Session) -> Check {
    let spec = "basic/lifecycle#version-negotiation";
    match s.era {
        Era::Legacy if LEGACY_REVISIONS.contains(&s.revision.as_str()) => check(
            "version-negotiation",
            spec,
            Outcome::Pass(format!(
                "offered {}, the server settled on {}",
                LEGACY_REVISIONS[0], s.revision
            )),
        ),
        Era::Legacy => check(
            "version-negotiation",
            spec,
            Outcome::Fail(format!(
                "offered {}, the server answered protocolVersion {:?}, which is not a revision it may choose (known: {})",
                LEGACY_REVISIONS[0],
                s.revision,
                LEGACY_REVISIONS.join(", ")
            )),
        ),
        Era::Modern if s.revision == MODERN_REVISION => check(
            "version-negotiation",
            spec,
            Outcome::Pass(format!("server/discover lists {MODERN_REVISION}")),
        ),
        Era::Modern => check(
            "version-negotiation",
            spec,
            Outcome::Fail(format!(
                "a stateless session settled on {:?}, not {MODERN_REVISION}",
                s.revision
            )),
        ),
    }
}

/// The lists of declared capabilities (schemas, names, pagination, 2026-07-28 result fields), and
/// undeclared ones refused.
async fn lists(s: &mut Session, deadline: Instant, out: &mut Vec<Check>) {
    let mut undeclared_answered = Vec::new();
    let mut undeclared_refused = Vec::new();
    for (cap, method, key) in [
        ("tools", "tools/list", "tools"),
        ("prompts", "prompts/list", "prompts"),
        ("resources", "resources/list", "resources"),
    ] {
        if !s.has_capability(cap) {
            match s.call(method, None, deadline).await {
                Ok(_) => undeclared_answered.push(method),
                Err(_) => undeclared_refused.push(method),
            }
            continue;
        }
        if s.era == Era::Modern {
            out.push(modern_fields(s, method, deadline).await);
        }
        match s.list_all(method, key, deadline).await {
            Ok(items) => {
                if cap == "tools" {
                    out.extend(tool_checks(&items));
                }
                out.push(check(
                    "pagination-terminates",
                    "server/utilities/pagination",
                    Outcome::Pass(format!(
                        "{method}: {} item{}, every cursor followed",
                        items.len(),
                        if items.len() == 1 { "" } else { "s" }
                    )),
                ));
            }
            Err(f) => out.push(check(
                "pagination-terminates",
                "server/utilities/pagination",
                Outcome::Fail(format!("{method}: {}", f.message)),
            )),
        }
    }
    let spec = "basic/lifecycle#capability-negotiation";
    out.push(if undeclared_answered.is_empty() {
        check(
            "declared-capabilities",
            spec,
            Outcome::Pass(if undeclared_refused.is_empty() {
                "tools, prompts and resources are all declared".into()
            } else {
                format!(
                    "undeclared capabilities are refused ({})",
                    undeclared_refused.join(", ")
                )
            }),
        )
    } else {
        check(
            "declared-capabilities",
            spec,
            Outcome::Warn(format!(
                "answers {} without declaring the capability",
                undeclared_answered.join(", ")
            )),
        )
    });
}

fn tool_checks(tools: &[Value]) -> Vec<Check> {
    let mut bad_schema = Vec::new();
    let mut bad_names = Vec::new();
    for t in tools {
        let name = t.get("name").and_then(Value::as_str).unwrap_or("");
        let schema = t.get("inputSchema");
        let object = schema
            .and_then(Value::as_object)
            .is_some_and(|o| o.get("type").and_then(Value::as_str) == Some("object"));
        if !object {
            bad_schema.push(crate::net::redact::excerpt(name, 40));
        }
        if !tool_name_ok(name) {
            bad_names.push(format!("{:?}", crate::net::redact::excerpt(name, 40)));
        }
    }
    let schema_spec = "server/tools#tool";
    let names_spec = "server/tools#tool-names";
    vec![
        if bad_schema.is_empty() {
            check(
                "tool-input-schema",
                schema_spec,
                Outcome::Pass(format!(
                    "{} tool{}, each with an object inputSchema",
                    tools.len(),
                    if tools.len() == 1 { "" } else { "s" }
                )),
            )
        } else {
            check(
                "tool-input-schema",
                schema_spec,
                Outcome::Fail(format!(
                    "inputSchema missing or not {{\"type\":\"object\"}}: {}",
                    list(&bad_schema)
                )),
            )
        },
        if bad_names.is_empty() {
            check(
                "tool-names",
                names_spec,
                Outcome::Pass("every tool name is 1–128 of A-Z a-z 0-9 _ - .".into()),
            )
        } else {
            check(
                "tool-names",
                names_spec,
                Outcome::Warn(format!(
                    "names outside 1–128 of A-Z a-z 0-9 _ - . (a SHOULD): {}",
                    list(&bad_names)
                )),
            )
        },
    ]
}

fn list(items: &[String]) -> String {
    let mut s = items.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 5 {
        s.push_str(&format!(" and {} more", items.len() - 5));
    }
    s
}

/// 2026-07-28: a cacheable list result carries `resultType`, `ttlMs` ≥ 0 and `cacheScope`.
async fn modern_fields(s: &mut Session, method: &str, deadline: Instant) -> Check {
    let spec = "server/utilities/caching#cacheable-results";
    let result = match s.call(method, None, deadline).await {
        Ok((v, _)) => v,
        Err(f) => {
            return check(
                "result-fields",
                spec,
                Outcome::Fail(format!("{method}: {}", f.message)),
            );
        }
    };
    let mut missing = Vec::new();
    match result.get("resultType").and_then(Value::as_str) {
        Some("complete") => {}
        Some(other) => missing.push(format!("resultType is {other:?}, not \"complete\"")),
        None => missing.push("no resultType".into()),
    }
    if result
        .get("ttlMs")
        .and_then(Value::as_i64)
        .is_none_or(|t| t < 0)
    {
        missing.push("no integer ttlMs ≥ 0".into());
    }
    if !matches!(
        result.get("cacheScope").and_then(Value::as_str),
        Some("public" | "private")
    ) {
        missing.push("no cacheScope public|private".into());
    }
    if missing.is_empty() {
        check(
            "result-fields",
            spec,
            Outcome::Pass(format!(
                "{method}: resultType, ttlMs and cacheScope present"
            )),
        )
    } else {
        check(
            "result-fields",
            spec,
            Outcome::Fail(format!("{method}: {}", missing.join("; "))),
        )
    }
}

/// A method no server has must be refused with -32601 (JSON-RPC 2.0 §5.1).
async fn unknown_method(s: &mut Session, deadline: Instant) -> Check {
    let spec = "basic#requests (JSON-RPC 2.0 method not found)";
    match s.call("mcpmon/no-such-method", None, deadline).await {
        Err(f) if f.rpc_code == Some(crate::mcp::jsonrpc::METHOD_NOT_FOUND) => check(
            "unknown-method",
            spec,
            Outcome::Pass("refused with -32601 (method not found)".into()),
        ),
        Err(f) if f.reason == crate::model::Reason::RpcError => check(
            "unknown-method",
            spec,
            Outcome::Warn(format!("refused, but not with -32601: {}", f.message)),
        ),
        Err(f) => check(
            "unknown-method",
            spec,
            Outcome::Fail(format!(
                "no JSON-RPC error for an unknown method: {}",
                f.message
            )),
        ),
        Ok(_) => check(
            "unknown-method",
            spec,
            Outcome::Fail("answered an unknown method with a result".into()),
        ),
    }
}

/// What one request of a header check got back.
#[derive(Debug, Clone, PartialEq)]
struct Answer {
    status: u16,
    /// The JSON-RPC error in the body (`-32602 Invalid _meta envelope …`), if there was one.
    rpc_error: Option<String>,
    /// The start of a non-JSON error body (`Invalid Host header`), if there was one.
    text: Option<String>,
}

impl Answer {
    /// Accepted: a 2xx that is not a JSON-RPC error.
    fn accepted(&self) -> bool {
        (200..300).contains(&self.status) && self.rpc_error.is_none()
    }

    fn describe(&self) -> String {
        let mut s = format!("HTTP {}", self.status);
        if let Some(e) = self.rpc_error.as_ref().or(self.text.as_ref()) {
            s.push(' ');
            s.push_str(e);
        }
        s
    }
}

/// What a negative check sends: the session's own request (a `ping` with its session id, or a
/// `server/discover` with the complete 2026-07-28 `_meta` envelope), varied in one property.
#[derive(Clone, Copy)]
enum Vary<'a> {
    /// Exactly the session's request: the control.
    Nothing,
    Version(&'a str),
    SessionId(&'a str),
    /// `Host: evil.example`, `Origin: http://evil.example`.
    ForeignHost,
}

/// The control and the varied request of one check.
struct Controlled {
    control: Result<Answer, String>,
    varied: Result<Answer, String>,
}

/// Without an accepted control, a refusal of the varied request says nothing about the property under
/// test: the check is not evaluated, never passed.
fn control_refused(pair: &Controlled, good: &str) -> Option<Outcome> {
    match &pair.control {
        Ok(a) if a.accepted() => None,
        Ok(a) => Some(Outcome::NotEvaluated(format!(
            "the control request with {good} was refused too: {}; a refusal of the check's request \
             says nothing about the header under test",
            a.describe()
        ))),
        Err(e) => Some(Outcome::NotEvaluated(format!(
            "the control request with {good} failed: {e}"
        ))),
    }
}

fn judge_version(pair: &Controlled) -> Outcome {
    if let Some(o) = control_refused(pair, "the session's MCP-Protocol-Version") {
        return o;
    }
    match &pair.varied {
        Ok(a) if a.status == 400 => Outcome::Pass(format!(
            "MCP-Protocol-Version: 1999-01-01 is refused with 400 ({}) and the same request with the \
             session's version is accepted",
            a.describe()
        )),
        Ok(a) => Outcome::Fail(format!(
            "MCP-Protocol-Version: 1999-01-01 got {}; the server MUST answer 400 Bad Request",
            a.describe()
        )),
        Err(e) => Outcome::Fail(e.clone()),
    }
}

fn judge_session(pair: &Controlled) -> Outcome {
    if let Some(o) = control_refused(pair, "the session's Mcp-Session-Id") {
        return o;
    }
    match &pair.varied {
        Ok(a) if a.status == 404 => {
            Outcome::Pass("an unknown Mcp-Session-Id gets 404 Not Found".into())
        }
        Ok(a) if a.status == 400 => Outcome::Warn(format!(
            "an unknown Mcp-Session-Id gets 400 ({}), not the 404 that tells a client to re-initialize",
            a.describe()
        )),
        Ok(a) => Outcome::Fail(format!(
            "an unknown Mcp-Session-Id got {}; the server MUST answer 404",
            a.describe()
        )),
        Err(e) => Outcome::Fail(e.clone()),
    }
}

fn judge_rebinding(pair: &Controlled) -> Outcome {
    if let Some(o) = control_refused(pair, "a good Host") {
        return o;
    }
    match &pair.varied {
        Ok(a) if (400..500).contains(&a.status) => Outcome::Pass(format!(
            "a foreign Host/Origin is refused ({}) and the same request with a good Host is accepted",
            a.describe()
        )),
        Ok(a) => Outcome::Warn(format!(
            "a request with Host: evil.example and Origin: http://evil.example got {}: \
             the server does not validate Origin, so a web page could reach it by DNS rebinding \
             (the spec says servers MUST validate Origin; bind to 127.0.0.1 at least)",
            a.describe()
        )),
        Err(e) => Outcome::Fail(e.clone()),
    }
}

/// The most of an error body a header check reads.
const ANSWER_BYTES: usize = 16 * 1024;

/// The status of a response and, unless it is an accepted event stream, the error its body carries.
async fn answer_of(mut resp: reqwest::Response, deadline: Instant) -> Answer {
    let status = resp.status().as_u16();
    let ctype = crate::net::http::content_type(resp.headers());
    let mut answer = Answer {
        status,
        rpc_error: None,
        text: None,
    };
    if ctype.starts_with("text/event-stream") {
        // an event stream is the reply to a request the server took; its events are not read
        return answer;
    }
    let mut buf = Vec::new();
    while buf.len() < ANSWER_BYTES {
        match tokio::time::timeout_at(deadline, resp.chunk()).await {
            Ok(Ok(Some(chunk))) => buf.extend_from_slice(&chunk),
            _ => break,
        }
    }
    match serde_json::from_slice::<Value>(&buf) {
        Ok(v) => {
            if let Some(e) = v.get("error") {
                let code = e.get("code").and_then(Value::as_i64);
                let message = e.get("message").and_then(Value::as_str).unwrap_or("");
                let text = match code {
                    Some(c) => format!("{c} {message}"),
                    None => message.to_string(),
                };
                answer.rpc_error = Some(crate::net::redact::excerpt(text.trim(), 160));
            }
        }
        Err(_) if !(200..300).contains(&status) && !buf.is_empty() => {
            let text = String::from_utf8_lossy(&buf);
            answer.text = Some(crate::net::redact::excerpt(text.trim(), 120));
        }
        Err(_) => {}
    }
    answer
}

/// Header enforcement beside the live session: a bad `MCP-Protocol-Version`, an unknown session id,
/// and a foreign `Host`/`Origin` (DNS rebinding). Each check sends the session's own request (valid in
/// every other respect) twice: as is (the control, which must be accepted) and with the one property
/// varied.
async fn http_checks(s: &Session, client: &Client, deadline: Instant, out: &mut Vec<Check>) {
    let Some(http) = s.http() else { return };
    let (url, headers) = http.endpoint();
    let version = http
        .framing
        .protocol_version
        .clone()
        .unwrap_or_else(|| s.revision.clone());
    let (method, params) = match s.era {
        Era::Legacy => ("ping", None),
        // the complete envelope the session sends on every request, not a hand-written subset
        Era::Modern => ("server/discover", Some(session::with_meta(None))),
    };
    let body = crate::mcp::jsonrpc::request(9001, method, params.as_ref());
    let sid = http.session_id.as_deref();
    let send = |vary: Vary<'_>| {
        let version = match vary {
            Vary::Version(v) => v,
            _ => version.as_str(),
        };
        let sid = match vary {
            Vary::SessionId(other) => Some(other),
            _ => sid,
        };
        let mut rb = client
            .post(url.clone())
            .headers(headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, ACCEPT_BOTH)
            .header("MCP-Protocol-Version", version)
            .body(body.clone());
        if s.era == Era::Modern {
            rb = rb.header("Mcp-Method", method);
        }
        if let Some(sid) = sid {
            rb = rb.header("Mcp-Session-Id", sid);
        }
        if matches!(vary, Vary::ForeignHost) {
            rb = rb
                .header("Origin", "http://evil.example")
                .header("Host", "evil.example");
        }
        async move {
            match tokio::time::timeout_at(deadline, rb.send()).await {
                Ok(Ok(r)) => Ok(answer_of(r, deadline).await),
                Ok(Err(e)) => Err(crate::net::classify::classify_reqwest(&e, method).message),
                Err(_) => Err(format!("no answer to {method} before the deadline")),
            }
        }
    };
    let pair = |vary: Vary<'static>| {
        let send = &send;
        async move {
            let control = send(Vary::Nothing).await;
            let varied = send(vary).await;
            Controlled { control, varied }
        }
    };

    out.push(check(
        "protocol-version-header",
        PROTOCOL_VERSION_HEADER,
        judge_version(&pair(Vary::Version("1999-01-01")).await),
    ));

    out.push(match (s.era, sid) {
        (Era::Modern, _) => check(
            "unknown-session",
            SESSION_MANAGEMENT,
            Outcome::Skip("2026-07-28 has no sessions".into()),
        ),
        (_, None) => check(
            "unknown-session",
            SESSION_MANAGEMENT,
            Outcome::Skip("the server issued no Mcp-Session-Id (stateless)".into()),
        ),
        (_, Some(_)) => check(
            "unknown-session",
            SESSION_MANAGEMENT,
            judge_session(&pair(Vary::SessionId("mcpmon-unknown-session-0000")).await),
        ),
    });

    out.push(check(
        "dns-rebinding",
        SECURITY_WARNING,
        judge_rebinding(&pair(Vary::ForeignHost).await),
    ));
}

/// What the client saw on the wire during the whole session: framing, ids, stray stdout.
fn wire_faults(faults: &[String], stdio: bool, out: &mut Vec<Check>) {
    let pick =
        |needle: &str| -> Vec<&String> { faults.iter().filter(|f| f.contains(needle)).collect() };
    let verdict = |id: &'static str, spec: &'static str, found: Vec<&String>, ok: &str| {
        check(
            id,
            spec,
            match found.first() {
                None => Outcome::Pass(ok.into()),
                Some(first) => Outcome::Fail(format!(
                    "{}, first: {}",
                    crate::model::human::count(found.len(), "time", "times"),
                    crate::net::redact::excerpt(first, 160)
                )),
            },
        )
    };
    out.push(verdict(
        "jsonrpc-framing",
        "basic#messages",
        pick("invalid JSON-RPC message"),
        "every message was a JSON-RPC 2.0 object with \"jsonrpc\":\"2.0\"",
    ));
    out.push(verdict(
        "ids-echoed",
        "basic#responses",
        pick("unexpected id"),
        "every response carried the id of its request",
    ));
    out.push(if stdio {
        verdict(
            "stdout-clean",
            "basic/transports#stdio",
            pick("non-JSON output on stdout"),
            "nothing but MCP messages on stdout",
        )
    } else {
        check(
            "stdout-clean",
            "basic/transports#stdio",
            Outcome::Skip("not a stdio server".into()),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tool_names_follow_the_spec_guidance() {
        for ok in [
            "echo",
            "get_weather",
            "admin.tools-list",
            "A1",
            &"x".repeat(128),
        ] {
            assert!(tool_name_ok(ok), "{ok}");
        }
        for bad in ["", "with space", "comma,name", "ümlaut", &"x".repeat(129)] {
            assert!(!tool_name_ok(bad), "{bad}");
        }
    }

    #[test]
    fn tool_schemas_must_be_objects() {
        let tools = vec![
            json!({"name": "good", "inputSchema": {"type": "object"}}),
            json!({"name": "none"}),
            json!({"name": "array", "inputSchema": {"type": "array"}}),
            json!({"name": "bad name", "inputSchema": {"type": "object"}}),
        ];
        let checks = tool_checks(&tools);
        let Outcome::Fail(m) = &checks[0].outcome else {
            panic!("{checks:?}")
        };
        assert!(
            m.contains("none") && m.contains("array") && !m.contains("good"),
            "{m}"
        );
        assert!(matches!(&checks[1].outcome, Outcome::Warn(m) if m.contains("bad name")));
    }

    #[test]
    fn wire_faults_become_failed_checks() {
        let faults = vec![
            "non-JSON output on stdout: \"Server started\"".to_string(),
            "response with unexpected id 7 (waiting for 3)".to_string(),
        ];
        let mut out = Vec::new();
        wire_faults(&faults, true, &mut out);
        let by = |id: &str| out.iter().find(|c| c.id == id).unwrap().outcome.clone();
        assert!(matches!(by("jsonrpc-framing"), Outcome::Pass(_)));
        assert!(matches!(by("ids-echoed"), Outcome::Fail(_)));
        assert!(matches!(by("stdout-clean"), Outcome::Fail(m) if m.contains("Server started")));
    }

    fn answer(status: u16, rpc_error: Option<&str>) -> Result<Answer, String> {
        Ok(Answer {
            status,
            rpc_error: rpc_error.map(String::from),
            text: None,
        })
    }

    const ENVELOPE: &str = "-32602 Invalid _meta envelope: clientCapabilities: missing";

    #[test]
    fn a_refusal_counts_only_beside_an_accepted_control() {
        // the family of issue 19: the control is refused with the same 400 as the varied request
        let same = Controlled {
            control: answer(400, Some(ENVELOPE)),
            varied: answer(400, Some(ENVELOPE)),
        };
        for o in [
            judge_rebinding(&same),
            judge_version(&same),
            judge_session(&same),
        ] {
            let Outcome::NotEvaluated(m) = &o else {
                panic!("{o:?}")
            };
            assert!(
                m.contains("control request") && m.contains("HTTP 400 -32602 Invalid _meta"),
                "{m}"
            );
        }
        // a 200 carrying a JSON-RPC error is no accepted control either
        let rpc = Controlled {
            control: answer(200, Some("-32600 bad")),
            varied: answer(403, None),
        };
        assert!(matches!(judge_rebinding(&rpc), Outcome::NotEvaluated(_)));
        let broken = Controlled {
            control: Err("connection refused".into()),
            varied: answer(403, None),
        };
        assert!(
            matches!(judge_rebinding(&broken), Outcome::NotEvaluated(m) if m.contains("connection refused"))
        );
    }

    #[test]
    fn an_accepted_control_makes_the_varied_answer_the_verdict() {
        let open = Controlled {
            control: answer(200, None),
            varied: answer(200, None),
        };
        assert!(matches!(judge_rebinding(&open), Outcome::Warn(m) if m.contains("HTTP 200")));
        assert!(matches!(judge_version(&open), Outcome::Fail(m) if m.contains("HTTP 200")));
        assert!(matches!(judge_session(&open), Outcome::Fail(_)));
        let guarded = Controlled {
            control: answer(200, None),
            varied: Ok(Answer {
                status: 403,
                rpc_error: None,
                text: Some("Invalid Host header".into()),
            }),
        };
        assert!(
            matches!(judge_rebinding(&guarded), Outcome::Pass(m) if m.contains("HTTP 403 Invalid Host header"))
        );
        let version = Controlled {
            control: answer(200, None),
            varied: answer(400, Some("-32600 Unsupported protocol version")),
        };
        assert!(matches!(judge_version(&version), Outcome::Pass(_)));
        let session = Controlled {
            control: answer(200, None),
            varied: answer(404, None),
        };
        assert!(matches!(judge_session(&session), Outcome::Pass(_)));
    }
}
