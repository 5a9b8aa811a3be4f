//! The config keys that attach more probes to a target, as serde reads them, and the specs they
//! become.
//!
//! `hub`: a URL string or `{"url", "headers"}`. `health_url`: a URL string or `{"url", "headers",
//! "expect_status", "assert": {pointer: value | {condition: operand}}, "metrics": "all" | {name: pointer
//! | {"pointer" | "prometheus", "labels", "warn", "crit", "below", "rate" | "increasing" | "max_age",
//! "show"}}, "ca_file"}`. `log`: a path or `{"path" | "command", "entries",
//! "patterns": [{"name", "regex", "warn", "crit"}], "window": "new" | "tail"}`.
//! `process`: a command-line pattern, or exactly one of `{"pid" | "pid_file" | "port" | "pattern"}`;
//! `port` alone (a number) finds the process listening there and checks that something does. Also
//! `--process`'s argument (`selector_arg`). A `tcp://host:port` url with `send`, `expect`, `tls`,
//! `ca_file` (`tcp_spec`), and `cert_file` (`cert_spec`).

use super::de::{Pairs, StrOr, Text, list, must, number_or_null, object, str_or_object};
use super::{PlaceErr, Resolver};
use crate::model::Assertion;
use crate::model::Bound;
use crate::model::Condition;
use crate::model::HttpCheck;
use crate::model::HubSpec;
use crate::model::Judge;
use crate::model::LogSource;
use crate::model::LogSpec;
use crate::model::MetricSource;
use crate::model::MetricSpec;
use crate::model::Pattern;
use crate::model::ProcessSpec;
use crate::model::Selector;
use crate::model::condition::CONDITION_KEYS;

use crate::model::LogWindow;
use crate::model::{CertSpec, TcpSpec};

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Default number of log entries read from the end (the runbook rule: "last 100 entries").
pub const DEFAULT_LOG_ENTRIES: usize = 100;

/// `hub`: the hub's base URL, or `{"url", "headers", "config"}` (`config`: the hub's own config file,
/// which `--deep` reads; relative to this file).
pub(super) type Hub = StrOr<HubObject>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HubObject {
    #[serde(default, deserialize_with = "url")]
    url: Option<String>,
    #[serde(default, deserialize_with = "headers")]
    headers: Option<Vec<(String, String)>>,
    #[serde(default)]
    config: Option<String>,
}

/// `health_url`: the endpoint's URL, or an object that also says what to expect and read.
pub(super) type HealthUrl = StrOr<HealthObject>;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct HealthObject {
    #[serde(default, deserialize_with = "url")]
    url: Option<String>,
    #[serde(default, deserialize_with = "headers")]
    headers: Option<Vec<(String, String)>>,
    #[serde(default, deserialize_with = "expect_status")]
    expect_status: Option<Vec<u16>>,
    #[serde(default, rename = "assert", deserialize_with = "asserts")]
    asserts: Option<Vec<(String, Value)>>,
    #[serde(default, deserialize_with = "metrics")]
    metrics: Option<StrOr<Pairs<String, Metric>>>,
    #[serde(default, deserialize_with = "ca_file")]
    ca_file: Option<String>,
}

/// One of `health_url.metrics`: a JSON pointer, or an object that says where the number is and how
/// to judge it.
pub(super) struct Metric(StrOr<MetricObject>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricObject {
    #[serde(default, deserialize_with = "text")]
    pointer: Option<String>,
    #[serde(default, deserialize_with = "text")]
    prometheus: Option<String>,
    #[serde(default, deserialize_with = "labels")]
    labels: Option<Vec<(String, String)>>,
    #[serde(default, deserialize_with = "number_or_null")]
    warn: Option<f64>,
    #[serde(default, deserialize_with = "number_or_null")]
    crit: Option<f64>,
    #[serde(default, deserialize_with = "below")]
    below: Option<bool>,
    #[serde(default, deserialize_with = "span")]
    rate: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    increasing: Option<bool>,
    #[serde(default, deserialize_with = "span")]
    max_age: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    show: Option<bool>,
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        str_or_object(d, "must be a JSON pointer or an object").map(Metric)
    }
}

/// A key of `health_url.assert`: a JSON pointer, empty (the whole body) or starting with `/`.
struct Pointer(String);

impl<'de> Deserialize<'de> for Pointer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = String::deserialize(d)?;
        if p.is_empty() || p.starts_with('/') {
            Ok(Pointer(p))
        } else {
            Err(D::Error::custom(
                "a JSON pointer starts with `/` (e.g. \"/status\")",
            ))
        }
    }
}

/// `log`: the file's path, or `{"path" | "command", "entries", "patterns", "window"}`.
pub(super) type Log = StrOr<LogObject>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LogObject {
    #[serde(default, deserialize_with = "log_path")]
    path: Option<String>,
    /// A program and its arguments, run without a shell; its stdout is the log.
    #[serde(default, deserialize_with = "log_command")]
    command: Option<Vec<String>>,
    #[serde(default, deserialize_with = "entries")]
    entries: Option<usize>,
    #[serde(default, deserialize_with = "log_patterns")]
    patterns: Option<Vec<PatternObject>>,
    #[serde(default, deserialize_with = "window")]
    window: Option<LogWindow>,
}

/// One of `log.patterns`: a named regular expression and the counts of matching lines that warn and
/// that are critical.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternObject {
    #[serde(default, deserialize_with = "text")]
    name: Option<String>,
    #[serde(default, deserialize_with = "text")]
    regex: Option<String>,
    #[serde(default, deserialize_with = "count")]
    warn: Option<u64>,
    #[serde(default, deserialize_with = "count")]
    crit: Option<u64>,
}

/// A compiled pattern may take at most this much memory (the `regex` crate's own limit is 10 MiB).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// `process`: a command-line pattern, or an object naming the process one way.
pub(super) type Process = StrOr<ProcessObject>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProcessObject {
    #[serde(default, deserialize_with = "pid")]
    pid: Option<u32>,
    #[serde(default, deserialize_with = "pid_file")]
    pid_file: Option<String>,
    #[serde(default, deserialize_with = "process_port")]
    port: Option<u16>,
    #[serde(default, deserialize_with = "pattern")]
    pattern: Option<String>,
}

pub(super) fn hub<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Hub>, D::Error> {
    str_or_object(d, "must be a URL or an object with `url`").map(Some)
}

pub(super) fn health_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HealthUrl>, D::Error> {
    str_or_object(d, "must be a URL or an object with `url`").map(Some)
}

pub(super) fn log<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Log>, D::Error> {
    str_or_object(d, "must be a path or an object with `path`").map(Some)
}

pub(super) fn process<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Process>, D::Error> {
    str_or_object(d, "must be a command-line pattern or an object").map(Some)
}

/// An entry's `port`: a TCP port number, not 0.
pub(super) fn port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    let what = "must be a TCP port number";
    match must(d, what)? {
        0 => Err(D::Error::custom(what)),
        port => Ok(Some(port)),
    }
}

fn process_port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    must(d, "must be a TCP port number").map(Some)
}

fn url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    must(d, "is required (a URL string)")
}

fn headers<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<(String, String)>>, D::Error> {
    object::<_, Pairs<String, Text>>(d, "must be an object").map(|p| Some(p.map(|t| t.0)))
}

/// `expect_status`: a status code or a list of them.
fn expect_status<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u16>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Codes {
        Many(Vec<Value>),
        One(serde_json::Number),
    }
    let codes = match must(d, "must be a status code or a list of them")? {
        Codes::Many(codes) => codes,
        Codes::One(code) => vec![Value::Number(code)],
    };
    codes
        .iter()
        .map(|c| {
            c.as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| (100..600).contains(n))
                .ok_or_else(|| D::Error::custom("must hold HTTP status codes"))
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

fn asserts<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<(String, Value)>>, D::Error> {
    object::<_, Pairs<Pointer, Value>>(d, "must be an object of JSON pointer → expected value")
        .map(|p| Some(p.0.into_iter().map(|(k, v)| (k.0, v)).collect()))
}

fn metrics<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<StrOr<Pairs<String, Metric>>>, D::Error> {
    let what = "must be \"all\" or an object of name → metric";
    match str_or_object(d, what)? {
        StrOr::Str(s) if s != "all" => Err(D::Error::custom(what)),
        m => Ok(Some(m)),
    }
}

fn span<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let what = "must be a span such as \"1m\", \"1h\" or \"1d\"";
    let s: String = must(d, what)?;
    super::duration::parse(&s).map_err(|_| D::Error::custom(what))?;
    Ok(Some(s))
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    must(d, "must be true or false").map(Some)
}

fn ca_file<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    must(d, "must be the path of a PEM file").map(Some)
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    must(d, "must be a string")
}

fn labels<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<(String, String)>>, D::Error> {
    object::<_, Pairs<String, Text>>(d, "must be an object of label → value")
        .map(|p| Some(p.map(|t| t.0)))
}

fn below<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    must(d, "must be true (lower is worse) or false").map(Some)
}

fn log_path<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    must(d, "is required")
}

fn log_command<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let what = "must be a non-empty array of strings: the program, then its arguments (no shell)";
    let argv: Vec<String> = must(d, what)?;
    if argv.first().is_none_or(|p| p.trim().is_empty()) {
        return Err(D::Error::custom(what));
    }
    Ok(Some(argv))
}

fn log_patterns<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<PatternObject>>, D::Error> {
    list(
        d,
        "must be an array of {\"name\", \"regex\", \"warn\", \"crit\"} objects",
    )
    .map(Some)
}

fn window<'de, D: Deserializer<'de>>(d: D) -> Result<Option<LogWindow>, D::Error> {
    let what =
        "must be \"new\" (lines written since the last look) or \"tail\" (the last `entries`)";
    match must::<_, String>(d, what)?.as_str() {
        "new" => Ok(Some(LogWindow::New)),
        "tail" => Ok(Some(LogWindow::Tail)),
        _ => Err(D::Error::custom(what)),
    }
}

fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let what = "must be a count of lines (1 or more) or null";
    match must::<_, Option<u64>>(d, what)? {
        Some(0) => Err(D::Error::custom(what)),
        n => Ok(n),
    }
}

fn entries<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    let range = "must be 1 to 100000";
    let n: usize = must(d, range)?;
    if (1..=100_000).contains(&n) {
        Ok(Some(n))
    } else {
        Err(D::Error::custom(range))
    }
}

fn pid<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    must(d, "must be a process id").map(Some)
}

fn pid_file<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    must(d, "must be a path").map(Some)
}

fn pattern<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    must(d, "must be a string").map(Some)
}

/// `path`, relative to the config file's directory when it is relative.
fn from_base(path: PathBuf, base: Option<&Path>) -> PathBuf {
    match base {
        Some(b) if path.is_relative() => b.join(path),
        _ => path,
    }
}

/// The URL (placeholders resolved; checked unless one is unresolved) and the headers of a `hub` or
/// `health_url`; the header values are secrets.
fn url_and_headers(
    url: Option<String>,
    headers: Option<Vec<(String, String)>>,
    place: &str,
    r: &mut Resolver,
    secrets: &mut Vec<String>,
) -> Result<(String, Vec<(String, String)>), PlaceErr> {
    let url = url.ok_or_else(|| (format!("{place}.url"), "is required (a URL string)".into()))?;
    let url = r.str(&url, place);
    if !url.contains("${") {
        crate::net::url::parse_url(&url).map_err(|m| (place.to_string(), m))?;
    }
    let headers = resolve_headers(
        headers.unwrap_or_default(),
        &format!("{place}.headers"),
        r,
        secrets,
    )?;
    Ok((url, headers))
}

/// Header values with their placeholders resolved (each value is a secret), every header checked to
/// be sendable: a bad name or a value with CR/LF is a config error at its place, not a failure of
/// every check later.
pub(super) fn resolve_headers(
    headers: Vec<(String, String)>,
    place: &str,
    r: &mut Resolver,
    secrets: &mut Vec<String>,
) -> Result<Vec<(String, String)>, PlaceErr> {
    headers
        .into_iter()
        .map(|(k, v)| {
            let at = format!("{place}.{k}");
            let val = r.str(&v, &at);
            secrets.push(val.clone());
            crate::net::http::check_header(&k, &val).map_err(|m| (at, m))?;
            Ok((k, val))
        })
        .collect()
}

pub(super) fn hub_spec(
    raw: Hub,
    place: &str,
    base: Option<&Path>,
    r: &mut Resolver,
    secrets: &mut Vec<String>,
) -> Result<HubSpec, PlaceErr> {
    let (url, headers, config) = match raw {
        StrOr::Str(url) => (Some(url), None, None),
        StrOr::Object(o) => (o.url, o.headers, o.config),
    };
    let (url, headers) = url_and_headers(url, headers, &format!("{place}.hub"), r, secrets)?;
    let config = config.map(|c| {
        from_base(
            PathBuf::from(r.str(&c, &format!("{place}.hub.config"))),
            base,
        )
    });
    Ok(HubSpec {
        url,
        headers,
        config,
    })
}

pub(super) fn http_check(
    raw: HealthUrl,
    place: &str,
    base: Option<&Path>,
    r: &mut Resolver,
    secrets: &mut Vec<String>,
) -> Result<HttpCheck, PlaceErr> {
    let place = format!("{place}.health_url");
    let o = match raw {
        StrOr::Str(url) => HealthObject {
            url: Some(url),
            ..HealthObject::default()
        },
        StrOr::Object(o) => o,
    };
    let (url, headers) = url_and_headers(o.url, o.headers, &place, r, secrets)?;
    let ca_file = o
        .ca_file
        .map(|ca| from_base(PathBuf::from(r.str(&ca, &place)), base));
    let asserts = o
        .asserts
        .unwrap_or_default()
        .into_iter()
        .map(|(pointer, expected)| {
            let at = format!("{place}.assert.{pointer}");
            conditions(expected, &at).map(|conditions| Assertion {
                pointer,
                conditions,
            })
        })
        .collect::<Result<_, _>>()?;
    let (all_metrics, named) = match o.metrics {
        None => (false, Vec::new()),
        Some(StrOr::Str(_)) => (true, Vec::new()),
        Some(StrOr::Object(p)) => (false, p.0),
    };
    let metrics = named
        .into_iter()
        .map(|(name, m)| {
            let place = format!("{place}.metrics.{name}");
            metric(name, m, &place)
        })
        .collect::<Result<_, _>>()?;
    Ok(HttpCheck {
        url,
        headers,
        expect_status: o.expect_status.unwrap_or_default(),
        asserts,
        metrics,
        states: Vec::new(),
        all_metrics,
        ca_file,
    })
}

/// An assertion's value: conditions (`{"in": […], "matches": "…"}`, every key a condition), or the
/// value the field must equal. An object with a near miss of a condition key (`"matchs"`) is an
/// error, not an exact value to compare with; `{"equals": {…}}` compares with an object.
fn conditions(v: Value, place: &str) -> Result<Vec<Condition>, PlaceErr> {
    let Value::Object(map) = v else {
        return Ok(vec![Condition::Equals(v)]);
    };
    let known = |k: &str| CONDITION_KEYS.contains(&k);
    if map.is_empty() || !map.keys().any(|k| known(k)) {
        if let Some((k, near)) = map.keys().find_map(|k| meant(k).map(|n| (k, n))) {
            return Err((
                format!("{place}.{k}"),
                format!(
                    "is not a condition; did you mean `{near}`? (to compare with an object, write {{\"equals\": {{…}}}})"
                ),
            ));
        }
        return Ok(vec![Condition::Equals(Value::Object(map))]);
    }
    map.into_iter()
        .map(|(k, operand)| {
            let at = format!("{place}.{k}");
            condition(&k, operand).map_err(|m| (at, m))
        })
        .collect()
}

/// One condition from its key and operand, or what is wrong with them.
fn condition(key: &str, operand: Value) -> Result<Condition, String> {
    let number = |v: &Value| {
        v.as_f64()
            .filter(|n| n.is_finite())
            .ok_or_else(|| "must be a number".to_string())
    };
    Ok(match key {
        "equals" => Condition::Equals(operand),
        "in" => match operand {
            Value::Array(list) if !list.is_empty() => Condition::In(list),
            _ => return Err("must be a non-empty list of values".into()),
        },
        "matches" => {
            let Value::String(src) = operand else {
                return Err("must be a regex (a string)".into());
            };
            let re = regex::RegexBuilder::new(&src)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| format!("is not a valid regex: {}", one_line(&e.to_string())))?;
            Condition::Matches(crate::model::BodyRegex(re))
        }
        "exists" => Condition::Exists(operand.as_bool().ok_or("must be true or false")?),
        "gt" => Condition::Gt(number(&operand)?),
        "lt" => Condition::Lt(number(&operand)?),
        "ge" => Condition::Ge(number(&operand)?),
        "le" => Condition::Le(number(&operand)?),
        "len" => Condition::Len(operand.as_u64().ok_or("must be a whole number")?),
        "contains" => Condition::Contains(operand),
        other => {
            let hint = meant(other)
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            return Err(format!(
                "is not a condition ({hint}the conditions are {})",
                CONDITION_KEYS.join(", ")
            ));
        }
    })
}

/// The condition a key most likely meant: other tools' names (`gte`, `regex`, `one_of`), or a
/// misspelling of a longer key (`matchs`). Short keys are not guessed at: `{"id": 1}` is a value.
fn meant(key: &str) -> Option<&'static str> {
    const OTHER_NAMES: [(&str, &str); 9] = [
        ("gte", "ge"),
        ("lte", "le"),
        ("eq", "equals"),
        ("regex", "matches"),
        ("match", "matches"),
        ("one_of", "in"),
        ("oneof", "in"),
        ("length", "len"),
        ("has", "contains"),
    ];
    OTHER_NAMES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, c)| *c)
        .or_else(|| {
            (key.chars().count() >= 5)
                .then(|| crate::model::spell::nearest(key, &CONDITION_KEYS, 2))
                .flatten()
        })
}

/// The regex crate's error (a caret diagram over several lines) as one line: its last line.
fn one_line(e: &str) -> String {
    e.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(e)
        .trim_start_matches("error: ")
        .to_string()
}

fn metric(name: String, raw: Metric, place: &str) -> Result<MetricSpec, PlaceErr> {
    let o = match raw.0 {
        StrOr::Str(pointer) => return Ok(MetricSpec::new(name, MetricSource::Pointer(pointer))),
        StrOr::Object(o) => o,
    };
    let source = match (o.pointer, o.prometheus) {
        (Some(p), _) => MetricSource::Pointer(p),
        (None, Some(name)) => MetricSource::Prometheus {
            name,
            labels: o.labels.unwrap_or_default(),
        },
        (None, None) => {
            return Err((
                place.to_string(),
                "needs `pointer` (JSON) or `prometheus` (a metric name)".into(),
            ));
        }
    };
    let span = |s: &str| super::duration::parse(s).map_err(|m| (place.to_string(), m));
    let judge = match (o.rate, o.increasing.unwrap_or(false), o.max_age) {
        (None, false, None) => Judge::Value,
        (Some(text), false, None) => Judge::Rate {
            per: span(&text)?,
            text,
        },
        (None, true, None) => Judge::Increasing,
        (None, false, Some(age)) => {
            if o.warn.is_some() || o.crit.is_some() {
                return Err((
                    place.to_string(),
                    "`max_age` is its own bound (WARN beyond it, CRIT beyond twice it): drop `warn`/`crit`".into(),
                ));
            }
            Judge::MaxAge(span(&age)?)
        }
        _ => {
            return Err((
                place.to_string(),
                "takes one of `rate`, `increasing`, `max_age`".into(),
            ));
        }
    };
    Ok(MetricSpec {
        bound: Bound {
            warn: o.warn,
            crit: o.crit,
        },
        below: o.below.unwrap_or(false),
        judge,
        show: o.show.unwrap_or(false),
        ..MetricSpec::new(name, source)
    })
}

pub(crate) fn log_spec(source: LogSource, entries: Option<usize>) -> LogSpec {
    let mut spec = LogSpec::of(source);
    spec.entries = entries.unwrap_or(DEFAULT_LOG_ENTRIES);
    spec
}

/// The keys of an entry that shape a `tcp://` target's check.
pub(super) struct TcpKeys {
    pub send: Option<String>,
    pub expect: Option<String>,
    pub tls: Option<bool>,
    pub ca_file: Option<String>,
}

/// A `tcp://host:port` target with its `send`, `expect`, `tls` and `ca_file` (placeholders resolved,
/// `ca_file` relative to the config file). The values of the placeholders in `send` are secrets (an
/// `AUTH ${REDIS_PASSWORD}` line): a peer that echoes them never gets them into the output.
pub(super) fn tcp_spec(
    url: &str,
    keys: TcpKeys,
    place: &str,
    base: Option<&Path>,
    r: &mut Resolver,
    secrets: &mut Vec<String>,
) -> Result<TcpSpec, PlaceErr> {
    let before = r.unresolved.len();
    let url = r.str(url, "url");
    // an unset `${VAR}` leaves the target uncontacted (UNKNOWN), not a config error
    let (host, port) = if r.unresolved.len() > before {
        (String::new(), 0)
    } else {
        crate::net::url::parse_tcp(&url).map_err(|m| (format!("{place}.url"), m))?
    };
    let tls = keys.tls.unwrap_or(false);
    if keys.ca_file.is_some() && !tls {
        return Err((
            format!("{place}.ca_file"),
            "is for a TLS port: add \"tls\": true".into(),
        ));
    }
    if keys.expect.as_deref() == Some("") {
        return Err((format!("{place}.expect"), "is empty".into()));
    }
    Ok(TcpSpec {
        url,
        host,
        port,
        send: keys.send.map(|s| {
            secrets.extend(placeholder_values(&s, r));
            r.str(&s, "send")
        }),
        expect: keys.expect.map(|s| r.str(&s, "expect")),
        tls,
        ca_file: keys
            .ca_file
            .map(|c| from_base(PathBuf::from(r.str(&c, "ca_file")), base)),
    })
}

/// The values the placeholders of `s` resolve to (each `${VAR}` alone).
fn placeholder_values(s: &str, r: &mut Resolver) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let (value, missing) = super::resolve_placeholders(&rest[start..start + end + 1], r.env);
        if missing.is_empty() {
            out.push(value);
        }
        rest = &rest[start + end + 1..];
    }
    out
}

/// A `cert_file` (relative to the config file).
pub(super) fn cert_spec(path: &str, base: Option<&Path>, r: &mut Resolver) -> CertSpec {
    CertSpec {
        path: from_base(PathBuf::from(r.str(path, "cert_file")), base),
    }
}

pub(super) fn log_of(
    raw: Log,
    place: &str,
    base: Option<&Path>,
    r: &mut Resolver,
) -> Result<LogSpec, PlaceErr> {
    let place = format!("{place}.log");
    let o = match raw {
        StrOr::Str(path) => {
            let path = from_base(PathBuf::from(r.str(&path, &place)), base);
            return Ok(log_spec(LogSource::File(path), None));
        }
        StrOr::Object(o) => o,
    };
    let source = match (o.path, o.command) {
        (Some(path), None) => LogSource::File(from_base(PathBuf::from(r.str(&path, &place)), base)),
        (None, Some(argv)) => LogSource::Command(argv.iter().map(|a| r.str(a, &place)).collect()),
        (None, None) => {
            return Err((
                place,
                "needs `path` (a log file) or `command` (a program whose output is the log)".into(),
            ));
        }
        (Some(_), Some(_)) => {
            return Err((place, "needs one of `path` and `command`, not both".into()));
        }
    };
    let mut patterns: Vec<Pattern> = Vec::new();
    for (i, p) in o.patterns.into_iter().flatten().enumerate() {
        let at = format!("{place}.patterns[{i}]");
        patterns.push(pattern_of(p, &at, &patterns)?);
    }
    let mut spec = log_spec(source, o.entries).with_patterns(patterns);
    spec.window = o.window.unwrap_or_default();
    Ok(spec)
}

/// One `log.patterns` entry, its regex compiled (a bad one is the config's error, at its key).
fn pattern_of(p: PatternObject, at: &str, earlier: &[Pattern]) -> Result<Pattern, PlaceErr> {
    let name = p.name.filter(|n| !n.trim().is_empty()).ok_or_else(|| {
        (
            format!("{at}.name"),
            "is required (a name for the findings)".to_string(),
        )
    })?;
    if earlier.iter().any(|e| e.name == name) {
        return Err((
            format!("{at}.name"),
            format!("{name:?} is already a pattern's name"),
        ));
    }
    let text = p.regex.ok_or_else(|| {
        (
            format!("{at}.regex"),
            "is required (a regular expression)".to_string(),
        )
    })?;
    let regex = regex::RegexBuilder::new(&text)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| (format!("{at}.regex"), regex_problem(&e)))?;
    Ok(Pattern::regex(&name, regex, p.warn, p.crit))
}

/// The `regex` crate's error on one line: its multi-line syntax report reduced to the line that says
/// what is wrong.
fn regex_problem(e: &regex::Error) -> String {
    if let regex::Error::CompiledTooBig(limit) = e {
        return format!(
            "too large once compiled (over {} KiB): simplify it (fewer or smaller repetitions)",
            limit / 1024
        );
    }
    let text = e.to_string();
    let what = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or_else(|| text.lines().next().unwrap_or("invalid"));
    format!("not a valid regular expression: {what}")
}

/// Parses a `--log-pattern` argument, `NAME=REGEX`: WARN from the first matching line.
pub fn log_pattern_arg(arg: &str) -> Result<Pattern, String> {
    let (name, regex) = arg
        .split_once('=')
        .filter(|(n, r)| !n.trim().is_empty() && !r.is_empty())
        .ok_or_else(|| {
            format!("--log-pattern {arg:?}: NAME=REGEX expected, e.g. 'unauthorized=UNAUTHORIZED|FAILED'")
        })?;
    let compiled = regex::RegexBuilder::new(regex)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| format!("--log-pattern {name}: {}", regex_problem(&e)))?;
    Ok(Pattern::regex(name.trim(), compiled, Some(1), None))
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

/// The process of `process`, or of `port` alone (the process listening there).
pub(super) fn process_spec(
    raw: Option<Process>,
    port: Option<u16>,
    place: &str,
    base: Option<&Path>,
    r: &mut Resolver,
) -> Result<Option<ProcessSpec>, PlaceErr> {
    let place = format!("{place}.process");
    let selector = match raw {
        None => match port {
            Some(p) => Selector::Port(p),
            None => return Ok(None),
        },
        Some(StrOr::Str(pattern)) => Selector::Pattern(r.str(&pattern, &place)),
        Some(StrOr::Object(o)) => match (o.pid, o.pid_file, o.port, o.pattern) {
            (Some(pid), None, None, None) => Selector::Pid(pid),
            (None, Some(file), None, None) => {
                Selector::PidFile(from_base(PathBuf::from(r.str(&file, &place)), base))
            }
            (None, None, Some(port), None) => Selector::Port(port),
            (None, None, None, Some(pattern)) => Selector::Pattern(r.str(&pattern, &place)),
            _ => {
                return Err((
                    place,
                    "needs exactly one of `pid`, `pid_file`, `port`, `pattern`".into(),
                ));
            }
        },
    };
    Ok(Some(ProcessSpec::new(selector)))
}
