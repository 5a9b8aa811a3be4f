//! The `notify` section of mcpmon's config: named notification channels, each a `--notify`-style spec
//! (`to`) with its escalation (`after`, `repeat`) and, for a webhook, a body `template`:
//!
//! ```jsonc
//! "notify": { "channels": {
//!   "l1-slack":     { "to": "slack:${SLACK_WEBHOOK_URL}" },
//!   "l3-pagerduty": { "to": "pagerduty:${file:/run/secrets/pd-key}", "after": "1h", "repeat": "2h" }
//! } }
//! ```
//!
//! Secrets come from the environment (`${VAR}`, `${env:VAR}`) or a file (`${file:PATH}`, its content
//! trimmed), never from the file itself necessarily. Owns reading and checking the section; must not
//! parse a spec into a channel (that is `notify`, above this layer) nor ever put a resolved `to` into
//! an error message.

use super::{ConfigError, Env, de, duration, read_file};
use crate::model::spell;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// The keys of one channel.
pub const CHANNEL_KEYS: [&str; 7] = [
    "to", "after", "repeat", "template", "start", "fail", "report",
];

/// One named channel of the config, its secrets resolved.
#[derive(Clone, PartialEq, Eq)]
pub struct ChannelConfig {
    pub name: String,
    /// The spec, as `--notify` takes it (holds secrets: never print it).
    pub to: String,
    /// Notify only once an alert has been firing this long (zero: at once).
    pub after: Duration,
    /// Remind of an alert still firing this often.
    pub repeat: Option<Duration>,
    /// A webhook's body template.
    pub template: Option<String>,
    /// A ping's `start`, `fail` and `report` (false unless set).
    pub start: bool,
    pub fail: bool,
    pub report: bool,
}

impl std::fmt::Debug for ChannelConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelConfig")
            .field("name", &self.name)
            .field("after", &self.after)
            .field("repeat", &self.repeat)
            .finish_non_exhaustive()
    }
}

/// The channels of one config file (none when it has no `notify` section).
pub fn load(path: &Path, env: Env) -> Result<Vec<ChannelConfig>, ConfigError> {
    let shown = path.display().to_string();
    let text = read_file(path)?;
    parse(&text, &shown, path.parent(), env)
}

/// As `load`, from the file's text; `base` resolves a relative `${file:…}`.
pub fn parse(
    text: &str,
    shown: &str,
    base: Option<&Path>,
    env: Env,
) -> Result<Vec<ChannelConfig>, ConfigError> {
    let root = de::parse_json(text, shown)?;
    let err = |place: &str, problem: String| ConfigError(format!("{shown}: {place}: {problem}"));
    let Some(section) = root.get("notify") else {
        return Ok(Vec::new());
    };
    let Some(section) = section.as_object() else {
        return Err(err("notify", "must be an object with `channels`".into()));
    };
    if let Some(k) = section.keys().find(|k| *k != "channels") {
        let hint = spell::nearest(k, &["channels"], 3)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return Err(err("notify", format!("unknown key `{k}`{hint}")));
    }
    let Some(channels) = section.get("channels") else {
        return Ok(Vec::new());
    };
    let Some(channels) = channels.as_object() else {
        return Err(err(
            "notify.channels",
            "must be an object of name → channel".into(),
        ));
    };
    let mut out = Vec::new();
    for (name, v) in channels {
        let place = format!("notify.channels.{name}");
        out.push(channel(name, v, base, env).map_err(|p| err(&place, p))?);
    }
    Ok(out)
}

fn channel(name: &str, v: &Value, base: Option<&Path>, env: Env) -> Result<ChannelConfig, String> {
    let obj = match v {
        // a bare spec: `"ops": "slack:${SLACK_URL}"`
        Value::String(_) => {
            return channel(name, &serde_json::json!({ "to": v }), base, env);
        }
        Value::Object(o) => o,
        _ => return Err("must be a spec string or an object with `to`".into()),
    };
    for k in obj.keys() {
        if !CHANNEL_KEYS.contains(&k.as_str()) {
            let hint = spell::nearest(k, &CHANNEL_KEYS, 2)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(format!(
                "unknown key `{k}`{hint}; known: {}",
                CHANNEL_KEYS.join(", ")
            ));
        }
    }
    let to = match obj.get("to") {
        Some(Value::String(s)) => resolve(s, base, env).map_err(|e| format!("to: {e}"))?,
        Some(_) => return Err("to: must be a string (a spec like slack:URL)".into()),
        None => return Err("needs `to`: where to send (a spec like slack:URL)".into()),
    };
    let span = |key: &str| -> Result<Option<Duration>, String> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => duration::parse(s)
                .map(Some)
                .map_err(|e| format!("{key}: {e}")),
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e12)
                .map(|s| Some(Duration::from_secs_f64(s)))
                .ok_or_else(|| {
                    format!("{key}: must be a number of seconds or a duration like \"15m\"")
                }),
            Some(_) => Err(format!("{key}: must be a duration like \"15m\"")),
        }
    };
    let after = span("after")?.unwrap_or_default();
    let repeat = span("repeat")?;
    if repeat.is_some_and(|r| r.is_zero()) {
        return Err("repeat: must be longer than zero".into());
    }
    let template = match obj.get("template") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        // an object or array is the template itself, written as JSON
        Some(t @ (Value::Object(_) | Value::Array(_))) => Some(t.to_string()),
        Some(_) => return Err("template: must be a string or a JSON object".into()),
    };
    let flag = |key: &str| match obj.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("{key}: must be true or false")),
    };
    Ok(ChannelConfig {
        name: name.to_string(),
        to,
        after,
        repeat,
        template,
        start: flag("start")?,
        fail: flag("fail")?,
        report: flag("report")?,
    })
}

/// The largest secret file read for `${file:PATH}`.
const MAX_SECRET_FILE: usize = 64 * 1024;

/// Resolves `${file:PATH}` (the file's content, trimmed), then `${VAR}` / `${env:VAR}`. Errors name
/// the variable or the file, never a value.
fn resolve(s: &str, base: Option<&Path>, env: Env) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${file:") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 7..];
        let end = after.find('}').ok_or("`${file:` without its closing `}`")?;
        let path = Path::new(after[..end].trim());
        let path = match base {
            Some(b) if path.is_relative() => b.join(path),
            _ => path.to_path_buf(),
        };
        let text = read_file(&path).map_err(|e| e.0)?;
        if text.len() > MAX_SECRET_FILE {
            return Err(format!("{} is larger than 64 KiB", path.display()));
        }
        out.push_str(text.trim());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    let (v, missing) = super::resolve_placeholders(&out, env);
    if let Some(m) = missing.first() {
        return Err(format!("{m} is not set"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Option<String> {
        (k == "PD_KEY").then(|| "R0UTINGKEY0123456789".to_string())
    }

    #[test]
    fn reads_channels_with_escalation_and_resolves_secrets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("slack-url"),
            "https://hooks.example/T/B/SECRET\n",
        )
        .unwrap();
        let text = r#"{
          // L1 at once, L2 after 15 minutes, L3 after an hour
          "targets": {},
          "notify": {"channels": {
            "l1": {"to": "slack:${file:slack-url}"},
            "l2": {"to": "webhook:http://127.0.0.1:9/x", "after": "15m", "repeat": 3600,
                   "template": {"text": "{{summary}}"}},
            "l3": "pagerduty:${PD_KEY}"
          }}
        }"#;
        let got = parse(text, "m.json", Some(dir.path()), &env).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].to, "slack:https://hooks.example/T/B/SECRET");
        assert_eq!(got[0].after, Duration::ZERO);
        assert_eq!(got[1].after, Duration::from_secs(900));
        assert_eq!(got[1].repeat, Some(Duration::from_secs(3600)));
        assert_eq!(
            got[1].template.as_deref(),
            Some(r#"{"text":"{{summary}}"}"#)
        );
        assert_eq!(got[2].to, "pagerduty:R0UTINGKEY0123456789");
        assert!(
            !format!("{got:?}").contains("SECRET"),
            "Debug hides the spec"
        );
        assert!(parse("{}", "m.json", None, &env).unwrap().is_empty());
    }

    #[test]
    fn mistakes_are_one_clear_line_without_the_secret() {
        let bad = |t: &str| parse(t, "m.json", None, &env).unwrap_err().0;
        let e = bad(r#"{"notify": {"channels": {"l2": {"to": "slack:x", "aftr": "15m"}}}}"#);
        assert!(
            e.contains("notify.channels.l2: unknown key `aftr` (did you mean `after`?)"),
            "{e}"
        );
        let e = bad(r#"{"notify": {"chanels": {}}}"#);
        assert!(e.contains("did you mean `channels`?"), "{e}");
        let e = bad(r#"{"notify": {"channels": {"x": {"to": "slack:${NOPE}"}}}}"#);
        assert!(e.contains("${NOPE} is not set"), "{e}");
        let e = bad(
            r#"{"notify": {"channels": {"x": {"to": "pagerduty:${PD_KEY}", "after": "soon"}}}}"#,
        );
        assert!(e.contains("notify.channels.x: after:"), "{e}");
        assert!(!e.contains("R0UTINGKEY"), "{e}");
        let e = bad(r#"{"notify": {"channels": {"x": {"after": "1h"}}}}"#);
        assert!(e.contains("needs `to`"), "{e}");
        let e = bad(r#"{"notify": {"channels": {"x": {"to": "${file:/nonexistent/k}"}}}}"#);
        assert!(e.contains("/nonexistent/k"), "{e}");
    }
}
