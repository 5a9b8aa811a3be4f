//! The config keys that attach more probes to a target: `hub`, `health_url`, `log`.
//!
//! `process`: a command-line pattern, or `{"pid" | "pid_file" | "port" | "pattern"}`; `port` alone (a
//! number) finds the process listening there and checks that something does. `hub`: a URL string or `{"url", "headers"}`. `health_url`: a URL string or `{"url", "headers",
//! "expect_status", "assert": {pointer: value}, "metrics": {name: {"pointer" | "prometheus", "labels",
//! "warn", "crit", "below"}}}`. `log`: a path or `{"path", "entries"}`.

use super::{PlaceErr, Resolver, parse_bound, string_array};
use crate::model::Assertion;
use crate::model::Bound;
use crate::model::HttpCheck;
use crate::model::HubSpec;
use crate::model::LogSpec;
use crate::model::MetricSource;
use crate::model::MetricSpec;
use crate::model::ProcessSpec;
use crate::model::Selector;
use crate::model::default_patterns;

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Default number of log entries read from the end (source document 001: "last 100 entries").
pub const DEFAULT_LOG_ENTRIES: usize = 100;

/// A URL, its headers, and the object it came from (when it was one).
type UrlParts = (String, Vec<(String, String)>, Option<Map<String, Value>>);

fn url_and_headers(
    v: &Value,
    place: &str,
    r: &mut Resolver,
    secrets: &mut Vec<String>,
) -> Result<UrlParts, PlaceErr> {
    let (url, obj) = match v {
        Value::String(u) => (u.clone(), None),
        Value::Object(o) => {
            let u = o
                .get("url")
                .and_then(Value::as_str)
                .ok_or_else(|| (format!("{place}.url"), "is required (a URL string)".into()))?;
            (u.to_string(), Some(o.clone()))
        }
        _ => {
            return Err((
                place.to_string(),
                "must be a URL or an object with `url`".into(),
            ));
        }
    };
    let url = r.str(&url, place);
    if !url.contains("${") {
        crate::net::url::parse_url(&url).map_err(|m| (place.to_string(), m))?;
    }
    let mut headers = Vec::new();
    if let Some(h) = obj.as_ref().and_then(|o| o.get("headers")) {
        let h = h
            .as_object()
            .ok_or_else(|| (format!("{place}.headers"), "must be an object".into()))?;
        for (k, v) in h {
            let v = v
                .as_str()
                .ok_or_else(|| (format!("{place}.headers.{k}"), "must be a string".into()))?;
            let val = r.str(v, &format!("{place}.headers.{k}"));
            secrets.push(val.clone());
            headers.push((k.clone(), val));
        }
    }
    Ok((url, headers, obj))
}

pub(super) fn hub(
    v: Option<&Value>,
    place: &str,
    r: &mut Resolver,
    secrets: &mut Vec<String>,
) -> Result<Option<HubSpec>, PlaceErr> {
    let Some(v) = v else { return Ok(None) };
    let place = format!("{place}.hub");
    let (url, headers, _) = url_and_headers(v, &place, r, secrets)?;
    Ok(Some(HubSpec { url, headers }))
}

pub(super) fn http(
    v: Option<&Value>,
    place: &str,
    base: Option<&Path>,
    r: &mut Resolver,
    secrets: &mut Vec<String>,
) -> Result<Option<HttpCheck>, PlaceErr> {
    let Some(v) = v else { return Ok(None) };
    let place = format!("{place}.health_url");
    let (url, headers, obj) = url_and_headers(v, &place, r, secrets)?;
    let mut check = HttpCheck {
        url,
        headers,
        expect_status: Vec::new(),
        asserts: Vec::new(),
        metrics: Vec::new(),
        states: Vec::new(),
        ca_file: None,
    };
    let Some(obj) = obj else {
        return Ok(Some(check));
    };
    for key in obj.keys() {
        if ![
            "url",
            "headers",
            "expect_status",
            "assert",
            "metrics",
            "ca_file",
        ]
        .contains(&key.as_str())
        {
            return Err((
                format!("{place}.{key}"),
                "unknown key (known: url, headers, expect_status, assert, metrics, ca_file)".into(),
            ));
        }
    }
    if let Some(ca) = obj.get("ca_file") {
        let ca = ca.as_str().ok_or_else(|| {
            (
                format!("{place}.ca_file"),
                "must be the path of a PEM file".into(),
            )
        })?;
        let ca = PathBuf::from(r.str(ca, &place));
        check.ca_file = Some(match base {
            Some(b) if ca.is_relative() => b.join(ca),
            _ => ca,
        });
    }
    match obj.get("expect_status") {
        None => {}
        Some(Value::Number(n)) => check.expect_status = vec![n.as_u64().unwrap_or(0) as u16],
        Some(Value::Array(a)) => {
            for s in a {
                let n = s
                    .as_u64()
                    .filter(|n| (100..600).contains(n))
                    .ok_or_else(|| {
                        (
                            format!("{place}.expect_status"),
                            "must hold HTTP status codes".into(),
                        )
                    })?;
                check.expect_status.push(n as u16);
            }
        }
        Some(_) => {
            return Err((
                format!("{place}.expect_status"),
                "must be a status code or a list of them".into(),
            ));
        }
    }
    if let Some(a) = obj.get("assert") {
        let a = a.as_object().ok_or_else(|| {
            (
                format!("{place}.assert"),
                "must be an object of JSON pointer → expected value".into(),
            )
        })?;
        for (pointer, expected) in a {
            if !pointer.is_empty() && !pointer.starts_with('/') {
                return Err((
                    format!("{place}.assert.{pointer}"),
                    "a JSON pointer starts with `/` (e.g. \"/status\")".into(),
                ));
            }
            check.asserts.push(Assertion {
                pointer: pointer.clone(),
                expected: expected.clone(),
            });
        }
    }
    if let Some(m) = obj.get("metrics") {
        let m = m.as_object().ok_or_else(|| {
            (
                format!("{place}.metrics"),
                "must be an object of name → metric".into(),
            )
        })?;
        for (name, spec) in m {
            check
                .metrics
                .push(metric(name, spec, &format!("{place}.metrics.{name}"))?);
        }
    }
    Ok(Some(check))
}

fn metric(name: &str, spec: &Value, place: &str) -> Result<MetricSpec, PlaceErr> {
    let source_of = |o: &Map<String, Value>| -> Result<MetricSource, PlaceErr> {
        if let Some(p) = o.get("pointer").and_then(Value::as_str) {
            return Ok(MetricSource::Pointer(p.to_string()));
        }
        if let Some(n) = o.get("prometheus").and_then(Value::as_str) {
            let mut labels = Vec::new();
            if let Some(l) = o.get("labels").and_then(Value::as_object) {
                for (k, v) in l {
                    let v = v.as_str().ok_or_else(|| {
                        (format!("{place}.labels.{k}"), "must be a string".into())
                    })?;
                    labels.push((k.clone(), v.to_string()));
                }
            }
            return Ok(MetricSource::Prometheus {
                name: n.to_string(),
                labels,
            });
        }
        Err((
            place.to_string(),
            "needs `pointer` (JSON) or `prometheus` (a metric name)".into(),
        ))
    };
    match spec {
        Value::String(p) => Ok(MetricSpec {
            name: name.into(),
            source: MetricSource::Pointer(p.clone()),
            bound: Bound {
                warn: None,
                crit: None,
            },
            below: false,
            fraction: false,
        }),
        Value::Object(o) => {
            for key in o.keys() {
                if !["pointer", "prometheus", "labels", "warn", "crit", "below"]
                    .contains(&key.as_str())
                {
                    return Err((
                        format!("{place}.{key}"),
                        "unknown key (known: pointer, prometheus, labels, warn, crit, below)"
                            .into(),
                    ));
                }
            }
            let mut bounds = Map::new();
            for k in ["warn", "crit"] {
                if let Some(v) = o.get(k) {
                    bounds.insert(k.into(), v.clone());
                }
            }
            let bound = parse_bound(
                &Value::Object(bounds),
                Bound {
                    warn: None,
                    crit: None,
                },
            )
            .map_err(|m| (place.to_string(), m))?;
            let below = match o.get("below") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err((
                        format!("{place}.below"),
                        "must be true (lower is worse) or false".into(),
                    ));
                }
            };
            Ok(MetricSpec {
                name: name.into(),
                source: source_of(o)?,
                bound,
                below,
                fraction: false,
            })
        }
        _ => Err((
            place.to_string(),
            "must be a JSON pointer or an object".into(),
        )),
    }
}

pub(crate) fn log_spec(path: PathBuf, entries: Option<usize>) -> LogSpec {
    LogSpec {
        path,
        entries: entries.unwrap_or(DEFAULT_LOG_ENTRIES),
        patterns: default_patterns(),
    }
}

pub(super) fn log(
    v: Option<&Value>,
    place: &str,
    base: Option<&Path>,
    r: &mut Resolver,
) -> Result<Option<LogSpec>, PlaceErr> {
    let Some(v) = v else { return Ok(None) };
    let place = format!("{place}.log");
    let (path, entries) = match v {
        Value::String(p) => (p.clone(), None),
        Value::Object(o) => {
            let p = o
                .get("path")
                .and_then(Value::as_str)
                .ok_or_else(|| (format!("{place}.path"), "is required".into()))?;
            let n = match o.get("entries") {
                None => None,
                Some(n) => Some(
                    n.as_u64()
                        .filter(|n| (1..=100_000).contains(n))
                        .ok_or_else(|| (format!("{place}.entries"), "must be 1 to 100000".into()))?
                        as usize,
                ),
            };
            (p.to_string(), n)
        }
        _ => return Err((place, "must be a path or an object with `path`".into())),
    };
    let path = PathBuf::from(r.str(&path, &place));
    let path = match base {
        Some(b) if path.is_relative() => b.join(path),
        _ => path,
    };
    let _ = string_array; // shared helper, used by other keys
    Ok(Some(log_spec(path, entries)))
}

/// Parses a `--process` argument: `pid:N`, `pidfile:PATH`, `port:N`, or a command-line pattern.
pub fn selector_arg(s: &str) -> Result<Selector, String> {
    let num = |v: &str, what: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| format!("--process {what}:{v}: not a number"))
    };
    Ok(match s.split_once(':') {
        Some(("pid", v)) => Selector::Pid(num(v, "pid")?),
        Some(("pidfile", v)) => Selector::PidFile(PathBuf::from(v)),
        Some(("port", v)) => Selector::Port(
            u16::try_from(num(v, "port")?)
                .map_err(|_| format!("--process port:{v}: not a port"))?,
        ),
        _ if s.trim().is_empty() => {
            return Err(
                "--process needs a pid:N, pidfile:PATH, port:N or a command-line pattern".into(),
            );
        }
        _ => Selector::Pattern(s.to_string()),
    })
}

pub(super) fn process(
    v: Option<&Value>,
    port: Option<&Value>,
    place: &str,
    base: Option<&Path>,
    r: &mut Resolver,
) -> Result<Option<ProcessSpec>, PlaceErr> {
    let port = match port {
        None => None,
        Some(p) => Some(
            p.as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| (format!("{place}.port"), "must be a TCP port number".into()))?,
        ),
    };
    let place = format!("{place}.process");
    let selector = match v {
        None => match port {
            Some(p) => Selector::Port(p),
            None => return Ok(None),
        },
        Some(Value::String(p)) => Selector::Pattern(r.str(p, &place)),
        Some(Value::Object(o)) => {
            let keys: Vec<&str> = o.keys().map(String::as_str).collect();
            match keys.as_slice() {
                ["pid"] => Selector::Pid(
                    o["pid"]
                        .as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .ok_or_else(|| (format!("{place}.pid"), "must be a process id".into()))?,
                ),
                ["pid_file"] => {
                    let p = o["pid_file"]
                        .as_str()
                        .ok_or_else(|| (format!("{place}.pid_file"), "must be a path".into()))?;
                    let p = PathBuf::from(r.str(p, &place));
                    Selector::PidFile(match base {
                        Some(b) if p.is_relative() => b.join(p),
                        _ => p,
                    })
                }
                ["port"] => Selector::Port(
                    o["port"]
                        .as_u64()
                        .and_then(|n| u16::try_from(n).ok())
                        .ok_or_else(|| {
                            (format!("{place}.port"), "must be a TCP port number".into())
                        })?,
                ),
                ["pattern"] => Selector::Pattern(
                    o["pattern"]
                        .as_str()
                        .map(|p| r.str(p, &place))
                        .ok_or_else(|| (format!("{place}.pattern"), "must be a string".into()))?,
                ),
                _ => {
                    return Err((
                        place,
                        "needs exactly one of `pid`, `pid_file`, `port`, `pattern`".into(),
                    ));
                }
            }
        }
        Some(_) => return Err((place, "must be a command-line pattern or an object".into())),
    };
    Ok(Some(ProcessSpec::new(selector)))
}
