//! A target's `on_fire`: the remediations `alerts` runs when one of its alerts fires, as serde reads
//! them, and the `model::Action`s they become.
//!
//! ```jsonc
//! "on_fire": [
//!   {"name": "restart hub", "check": "mcp", "command": ["systemctl", "restart", "mcp-hub"],
//!    "cooldown": "10m", "max_runs": 3, "per": "1h", "timeout": "30s"},
//!   {"http": {"method": "POST", "url": "http://127.0.0.1:3000/api/mcp/reconnect",
//!             "headers": {"Authorization": "Bearer ${HUB_TOKEN}"}, "body": {"server": "memory"}}}
//! ]
//! ```
//!
//! Exactly one of `command` (an array: program and arguments, no shell; `env` adds variables) and
//! `http` (`method` default POST, `url`, `headers`, `body`: a string as it is, anything else as JSON).
//! Defaults: `cooldown` 10m, `max_runs` 3 `per` 1h, `timeout` 30s. Env values that look secret and
//! header values become the target's secrets. Must not run or decide anything.

use super::de::{Pairs, Text, must, object};
use super::{PlaceErr, Resolver};
use crate::model::{Action, ActionRun};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::time::Duration;

pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(600);
pub const DEFAULT_MAX_RUNS: u32 = 3;
pub const DEFAULT_PER: Duration = Duration::from_secs(3600);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// At most this many actions on one target.
const MAX_ACTIONS: usize = 16;

/// One entry of `on_fire`. The keys are in the order of the "unknown key (known: …)" message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OnFire {
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    check: Option<String>,
    #[serde(default, deserialize_with = "argv")]
    command: Option<Vec<String>>,
    #[serde(default, deserialize_with = "pairs")]
    env: Option<Vec<(String, String)>>,
    #[serde(default, deserialize_with = "http")]
    http: Option<HttpKeys>,
    #[serde(default, deserialize_with = "span")]
    cooldown: Option<Duration>,
    #[serde(default, deserialize_with = "count")]
    max_runs: Option<u32>,
    #[serde(default, deserialize_with = "span")]
    per: Option<Duration>,
    #[serde(default, deserialize_with = "span")]
    timeout: Option<Duration>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpKeys {
    #[serde(default, deserialize_with = "text")]
    method: Option<String>,
    #[serde(default, deserialize_with = "text")]
    url: Option<String>,
    #[serde(default, deserialize_with = "pairs")]
    headers: Option<Vec<(String, String)>>,
    #[serde(default)]
    body: Option<Value>,
}

/// `on_fire`: an array of actions, each read (and its mistakes placed) by `actions`.
pub(super) fn on_fire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Value>>, D::Error> {
    let list: Vec<Value> = must(
        d,
        "must be an array of actions ({\"command\": […]} or {\"http\": {…}})",
    )?;
    if list.len() > MAX_ACTIONS {
        return Err(D::Error::custom(format!(
            "has more than {MAX_ACTIONS} actions"
        )));
    }
    Ok(Some(list))
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    must(d, "must be a string")
}

fn argv<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    must(
        d,
        "must be an array: the program and its arguments, e.g. [\"systemctl\", \"restart\", \"mcp-hub\"] (no shell)",
    )
}

fn pairs<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<(String, String)>>, D::Error> {
    object::<_, Pairs<String, Text>>(d, "must be an object of name → value")
        .map(|p| Some(p.map(|t| t.0)))
}

fn http<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HttpKeys>, D::Error> {
    object(
        d,
        "must be an object like {\"method\": \"POST\", \"url\": \"http://…\"}",
    )
    .map(Some)
}

fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let n: u32 = must(d, "must be a whole number of runs, at least 1")?;
    if n == 0 {
        return Err(D::Error::custom(
            "must be at least 1 (leave the action out to run none)",
        ));
    }
    Ok(Some(n))
}

/// A number of seconds or a duration like `"10m"`.
fn span<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Span {
        Seconds(f64),
        Written(String),
    }
    match must(d, "must be a number of seconds or a duration like \"10m\"")? {
        Span::Seconds(s) => super::duration::timeout_secs(s)
            .map(Some)
            .map_err(D::Error::custom),
        Span::Written(s) => super::duration::parse(&s)
            .map(Some)
            .map_err(D::Error::custom),
    }
}

/// The actions of one target (`place` is the target's, e.g. `targets.hub`): placeholders resolved,
/// shape checked, defaults filled in, names made unique; secrets added to `secrets`.
pub(super) fn actions(
    raw: Vec<Value>,
    place: &str,
    r: &mut Resolver,
    secrets: &mut Vec<String>,
) -> Result<Vec<Action>, PlaceErr> {
    let mut out: Vec<Action> = Vec::new();
    for (i, v) in raw.into_iter().enumerate() {
        let at = format!("{place}.on_fire[{i}]");
        if !v.is_object() {
            return Err((
                at,
                "must be an object ({\"command\": […]} or {\"http\": {…}})".into(),
            ));
        }
        let a: OnFire = super::de::read(v, &at)?;
        let run = match (a.command, a.http) {
            (Some(_), Some(_)) | (None, None) => {
                return Err((
                    at,
                    "needs exactly one of `command` (an array, no shell) and `http` (an object)"
                        .into(),
                ));
            }
            (Some(argv), None) => {
                if argv.first().is_none_or(|p| p.trim().is_empty()) {
                    return Err((format!("{at}.command"), "needs a program to run".into()));
                }
                let argv = argv
                    .iter()
                    .enumerate()
                    .map(|(j, v)| r.str(v, &format!("{at}.command[{j}]")))
                    .collect::<Vec<_>>();
                secrets.extend(
                    argv.iter()
                        .skip(1)
                        .filter(|v| crate::model::secret::token_like(v))
                        .cloned(),
                );
                let env = a
                    .env
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| {
                        let val = r.str(&v, &format!("{at}.env.{k}"));
                        if super::audit::secret_env(&k, &val) {
                            secrets.push(val.clone());
                        }
                        (k, val)
                    })
                    .collect();
                ActionRun::Command { argv, env }
            }
            (None, Some(h)) => {
                if a.env.is_some() {
                    return Err((
                        format!("{at}.env"),
                        "is for a `command`; an `http` action takes `headers`".into(),
                    ));
                }
                http_run(h, &format!("{at}.http"), r, secrets)?
            }
        };
        let timeout = a.timeout.unwrap_or(DEFAULT_TIMEOUT);
        super::duration::limit_timeout(timeout).map_err(|m| (format!("{at}.timeout"), m))?;
        let explicit = a.name.is_some();
        let mut name = a.name.unwrap_or_else(|| default_name(&run));
        if name.trim().is_empty() {
            return Err((format!("{at}.name"), "must not be empty".into()));
        }
        if out.iter().any(|o| o.name == name) {
            if explicit {
                return Err((
                    format!("{at}.name"),
                    format!("{name:?} is already the name of another action of this target"),
                ));
            }
            let base = name.clone();
            let mut n = 2;
            while out.iter().any(|o| o.name == name) {
                name = format!("{base} #{n}");
                n += 1;
            }
        }
        let check = a.check.filter(|c| !c.trim().is_empty());
        out.push(Action {
            name,
            check,
            run,
            cooldown: a.cooldown.unwrap_or(DEFAULT_COOLDOWN),
            max_runs: a.max_runs.unwrap_or(DEFAULT_MAX_RUNS),
            per: a.per.unwrap_or(DEFAULT_PER),
            timeout,
        });
    }
    Ok(out)
}

fn http_run(
    h: HttpKeys,
    at: &str,
    r: &mut Resolver,
    secrets: &mut Vec<String>,
) -> Result<ActionRun, PlaceErr> {
    let Some(url) = h.url else {
        return Err((at.to_string(), "needs a `url`".into()));
    };
    let url = r.str(&url, &format!("{at}.url"));
    if !url.contains("${") {
        crate::net::url::parse_url(&url).map_err(|m| (format!("{at}.url"), m))?;
    }
    secrets.extend(crate::net::url::secret_parts(&url, false));
    let method = h
        .method
        .unwrap_or_else(|| "POST".into())
        .to_ascii_uppercase();
    if reqwest::Method::from_bytes(method.as_bytes()).is_err() || method.is_empty() {
        return Err((
            format!("{at}.method"),
            "is not an HTTP method (GET, POST, PUT, …)".into(),
        ));
    }
    let mut headers = super::probes::resolve_headers(
        h.headers.unwrap_or_default(),
        &format!("{at}.headers"),
        r,
        secrets,
    )?;
    let body = match h.body {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(r.str(&s, &format!("{at}.body"))),
        Some(v) => {
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("Content-Type".into(), "application/json".into()));
            }
            Some(v.to_string())
        }
    };
    Ok(ActionRun::Http {
        method,
        url,
        headers,
        body,
    })
}

/// The name an action gets when it has none: the program's file name, or the method and host.
fn default_name(run: &ActionRun) -> String {
    match run {
        ActionRun::Command { argv, .. } => {
            let p = argv.first().map(String::as_str).unwrap_or("command");
            p.rsplit('/').next().unwrap_or(p).to_string()
        }
        ActionRun::Http { method, url, .. } => match reqwest::Url::parse(url) {
            Ok(u) => match (u.host_str(), u.port()) {
                (Some(h), Some(p)) => format!("{method} {h}:{p}"),
                (Some(h), None) => format!("{method} {h}"),
                (None, _) => method.clone(),
            },
            Err(_) => method.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::parse;
    use crate::model::{ActionRun, Kind};
    use std::time::Duration;

    fn one(on_fire: &str) -> Result<Vec<crate::model::Action>, String> {
        parse(&format!(
            r#"{{"targets": {{"hub": {{"url": "http://127.0.0.1:3000/mcp", "on_fire": {on_fire}}}}}}}"#
        ))
        .map(|mut t| t.remove(0).on_fire)
        .map_err(|e| e.0)
    }

    #[test]
    fn the_shapes_of_the_source_documents_with_their_defaults() {
        let a = one(
            r#"[{"name": "restart hub", "check": "mcp", "command": ["systemctl", "restart", "mcp-hub"],
                 "cooldown": "10m", "max_runs": 3, "per": "1h", "timeout": "30s"},
                {"http": {"url": "http://127.0.0.1:3000/api/mcp/reconnect",
                          "headers": {"Authorization": "Bearer ${MCP_TOKEN}"}, "body": {"server": "x"}}},
                {"http": {"method": "post", "url": "http://127.0.0.1:3000/api/mcp/sync/trigger/github"}}]"#,
        )
        .unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].name, "restart hub");
        assert!(a[0].matches(Kind::Mcp, &crate::model::CheckId::LIVENESS));
        assert!(!a[0].matches(Kind::Hub, &crate::model::CheckId::CONNECT));
        assert_eq!(a[0].describe(), "systemctl restart mcp-hub");
        // defaults: 10 minutes, 3 runs an hour, 30 s
        assert_eq!(a[1].cooldown, Duration::from_secs(600));
        assert_eq!((a[1].max_runs, a[1].per), (3, Duration::from_secs(3600)));
        assert_eq!(a[1].timeout, Duration::from_secs(30));
        // the default names: method and host, made unique
        assert_eq!(a[1].name, "POST 127.0.0.1:3000");
        assert_eq!(a[2].name, "POST 127.0.0.1:3000 #2");
        let ActionRun::Http {
            method,
            headers,
            body,
            ..
        } = &a[1].run
        else {
            panic!("{:?}", a[1]);
        };
        assert_eq!(method, "POST");
        assert!(headers.contains(&("Authorization".into(), "Bearer s3cr3t-token".into())));
        assert!(headers.contains(&("Content-Type".into(), "application/json".into())));
        assert_eq!(body.as_deref(), Some(r#"{"server":"x"}"#));
        // header values are the target's secrets
        let t = parse(
            r#"{"targets": {"hub": {"url": "http://127.0.0.1:3000/mcp", "on_fire": [
                {"http": {"url": "http://127.0.0.1:3000/r", "headers": {"X-Key": "${MCP_TOKEN}"}}},
                {"command": ["fix"], "env": {"API_TOKEN": "abcdef0123456789xyz"}}]}}}"#,
        )
        .unwrap();
        assert!(
            t[0].secrets.contains(&"s3cr3t-token".to_string()),
            "{:?}",
            t[0].secrets
        );
        assert!(t[0].secrets.contains(&"abcdef0123456789xyz".to_string()));
    }

    #[test]
    fn mistakes_are_one_line_naming_the_place() {
        let cases = [
            (
                r#"[{"command": ["a"], "http": {"url": "http://x"}}]"#,
                "cfg.json: targets.hub.on_fire[0]: needs exactly one of `command` (an array, no shell) and `http` (an object)",
            ),
            (
                r#"[{"cooldown": "10m"}]"#,
                "cfg.json: targets.hub.on_fire[0]: needs exactly one of `command` (an array, no shell) and `http` (an object)",
            ),
            (
                r#"[{"command": "systemctl restart hub"}]"#,
                "cfg.json: targets.hub.on_fire[0].command: must be an array: the program and its arguments, e.g. [\"systemctl\", \"restart\", \"mcp-hub\"] (no shell)",
            ),
            (
                r#"[{"command": []}]"#,
                "cfg.json: targets.hub.on_fire[0].command: needs a program to run",
            ),
            (
                r#"[{"command": ["a"], "max_runs": 0}]"#,
                "cfg.json: targets.hub.on_fire[0].max_runs: must be at least 1 (leave the action out to run none)",
            ),
            (
                r#"[{"command": ["a"], "cooldwn": "1m"}]"#,
                "cfg.json: targets.hub.on_fire[0].cooldwn: unknown key (did you mean `cooldown`? known: name, check, command, env, http, cooldown, max_runs, per, timeout)",
            ),
            (
                r#"[{"command": ["a"], "timeout": "2d"}]"#,
                "cfg.json: targets.hub.on_fire[0].timeout: is too long (at most 24h)",
            ),
            (
                r#"[{"http": {"url": "ftp://x"}}]"#,
                "cfg.json: targets.hub.on_fire[0].http.url: ",
            ),
            (
                r#"[{"name": "a", "command": ["a"]}, {"name": "a", "command": ["b"]}]"#,
                "cfg.json: targets.hub.on_fire[1].name: \"a\" is already the name of another action of this target",
            ),
            (
                r#"{"command": ["a"]}"#,
                "cfg.json: targets.hub.on_fire: must be an array of actions",
            ),
        ];
        for (on_fire, want) in cases {
            let e = one(on_fire).unwrap_err();
            assert!(e.starts_with(want), "{on_fire}\n got: {e}\nwant: {want}");
            assert!(!e.contains('\n'));
        }
    }
}
