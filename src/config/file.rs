//! The config files mcpmon reads, as the types serde reads them into: the top level (mcpmon's
//! `defaults` + `targets`, or a client's `mcpServers` / `servers` / `mcp.servers`), the settings a
//! target inherits (`Settings`: `timeout`, `startup_timeout`, `min_tools`, `expect_tools`, `thresholds`, `era`,
//! `interval`), and one
//! entry (`Entry`). mcpmon's own objects refuse keys they do not know (`deny_unknown_fields`); a
//! client's entry is read through `de::ClientEntry`, which leaves the client's own keys out. The probe
//! keys' types are in `probes.rs`.
//!
//! Must not: resolve placeholders, paths or URLs, nor build a `model::Target` (that is `mod.rs`).

use super::Defaults;
use super::calls;
use super::de::{self, Pairs, Text, must, object};
use super::duration;
use super::probes::{self, HealthUrl, Hub, Log, Process};
use crate::model::{Bound, Checks, EraChoice, Wire};

use serde::de::{Error as _, IgnoredAny, IntoDeserializer};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::time::Duration;

/// The top level of any config mcpmon reads. These keys are mcpmon's; a client's file has its own
/// beside them, which are none of mcpmon's business.
#[derive(Deserialize)]
pub(super) struct Document {
    #[serde(default, deserialize_with = "defaults")]
    pub defaults: Option<Settings>,
    /// mcpmon's own entries. Every section is read entry by entry (`validate` sets a bad entry aside
    /// and goes on), and only the one that is used: `targets` first, then the clients' sections.
    #[serde(default, deserialize_with = "de::present")]
    targets: Option<Value>,
    /// Claude Desktop, Claude Code, Cursor, mcp-hub.
    #[serde(default, rename = "mcpServers", deserialize_with = "de::present")]
    mcp_servers: Option<Value>,
    /// VS Code's `.vscode/mcp.json`.
    #[serde(default, deserialize_with = "de::present")]
    servers: Option<Value>,
    /// VS Code's settings.json, whose `mcp.servers` is the section (any other `mcp` is VS Code's).
    #[serde(default)]
    mcp: Option<Value>,
    /// mcpmon's: maintenance windows of every target of the file.
    #[serde(default, deserialize_with = "super::maintenance::read")]
    pub maintenance: Option<Vec<crate::model::Window>>,
}

/// The entries of a config: where they are and whether they are mcpmon's own (strict) or a client's.
pub(super) struct Section {
    pub name: &'static str,
    pub own: bool,
    pub entries: Value,
}

impl Document {
    /// The first of `targets`, `mcpServers`, `servers`, `mcp.servers` the file has.
    pub fn section(self) -> Option<Section> {
        let vscode = self.mcp.and_then(|m| m.get("servers").cloned());
        [
            ("targets", true, self.targets),
            ("mcpServers", false, self.mcp_servers),
            ("servers", false, self.servers),
            ("mcp.servers", false, vscode),
        ]
        .into_iter()
        .find_map(|(name, own, entries)| entries.map(|entries| Section { name, own, entries }))
    }
}

/// A section's entries in file order, each still a JSON value (read one by one).
pub(super) struct Entries(pub Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object::<_, Pairs<String, Value>>(d, "must be an object of name → server")
            .map(|p| Entries(p.0))
    }
}

/// What a target inherits from `defaults` and may set for itself.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct Settings {
    #[serde(default, deserialize_with = "timeout")]
    pub timeout: Option<Duration>,
    #[serde(default, deserialize_with = "timeout")]
    pub startup_timeout: Option<Duration>,
    #[serde(default, deserialize_with = "min_tools")]
    pub min_tools: Option<usize>,
    #[serde(default, deserialize_with = "tool_names")]
    pub expect_tools: Option<Vec<String>>,
    #[serde(default, deserialize_with = "thresholds")]
    pub thresholds: Option<Vec<(String, Sides)>>,
    #[serde(default, deserialize_with = "era")]
    pub era: Option<EraChoice>,
    #[serde(default, deserialize_with = "timeout")]
    pub interval: Option<Duration>,
}

impl Settings {
    /// Lays these settings over what the target inherits.
    pub fn apply(self, to: &mut Defaults) {
        if let Some(t) = self.timeout {
            to.timeout = t;
        }
        if let Some(t) = self.startup_timeout {
            to.startup_timeout = Some(t);
        }
        if let Some(t) = self.interval {
            to.interval = Some(t);
        }
        if let Some(n) = self.min_tools {
            to.checks.min_tools = Some(n);
        }
        if let Some(names) = self.expect_tools {
            to.checks.expect_tools = names;
        }
        for (name, sides) in self.thresholds.unwrap_or_default() {
            // the name was checked when it was read
            if let Some(bound) = to.checks.threshold_mut(&name) {
                *bound = sides.over(*bound);
            }
        }
        if let Some(era) = self.era {
            to.era = era;
        }
    }
}

/// One bound under `thresholds`: `{"warn": 2000, "crit": 5000}`. A side left out keeps what it was,
/// `null` takes it away.
pub(super) struct Sides(SideKeys);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SideKeys {
    #[serde(default, deserialize_with = "side")]
    warn: Option<Option<f64>>,
    #[serde(default, deserialize_with = "side")]
    crit: Option<Option<f64>>,
}

impl<'de> Deserialize<'de> for Sides {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d, "must be an object like {\"warn\": 2000, \"crit\": 5000}").map(Sides)
    }
}

impl Sides {
    fn over(&self, b: Bound) -> Bound {
        Bound {
            warn: self.0.warn.unwrap_or(b.warn),
            crit: self.0.crit.unwrap_or(b.crit),
        }
    }
}

fn side<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    de::number_or_null(d).map(Some)
}

/// A threshold's name under `thresholds`: one of `Checks::THRESHOLDS`.
struct ThresholdName(String);

impl<'de> Deserialize<'de> for ThresholdName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        if Checks::THRESHOLDS.contains(&name.as_str()) {
            Ok(ThresholdName(name))
        } else {
            Err(D::Error::custom(format!(
                "unknown threshold (known: {})",
                Checks::THRESHOLDS.join(", ")
            )))
        }
    }
}

fn defaults<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Settings>, D::Error> {
    object(d, "must be an object").map(Some)
}

/// `timeout`, `startup_timeout`, `interval`: a number of seconds or a duration like `"10s"`.
fn timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Span {
        Seconds(f64),
        Written(String),
    }
    let positive = "must be a positive number of seconds or a duration like \"10s\"";
    match must(d, "must be a number of seconds or a duration like \"10s\"")? {
        Span::Seconds(s) if s > 0.0 => duration::timeout_secs(s)
            .map(Some)
            .map_err(D::Error::custom),
        Span::Seconds(_) => Err(D::Error::custom(positive)),
        Span::Written(s) => duration::timeout(&s).map(Some).map_err(D::Error::custom),
    }
}

fn min_tools<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    must(d, "must be a non-negative integer").map(Some)
}

fn tool_names<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    must(d, "must be an array of tool names").map(Some)
}

fn thresholds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<(String, Sides)>>, D::Error> {
    object::<_, Pairs<ThresholdName, Sides>>(d, "must be an object")
        .map(|p| Some(p.0.into_iter().map(|(n, s)| (n.0, s)).collect()))
}

fn era<'de, D: Deserializer<'de>>(d: D) -> Result<Option<EraChoice>, D::Error> {
    must(d, "must be \"auto\", \"modern\" or \"legacy\"").map(Some)
}

/// One server to watch: an entry of `targets`, or (through `de::ClientEntry`) of a client's section.
/// The keys are in the order of the "unknown key (known: …)" message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Entry {
    /// A stdio server's program (`null`, as everywhere a client may write it: not given).
    #[serde(default, deserialize_with = "text")]
    pub command: Option<String>,
    #[serde(default, deserialize_with = "args")]
    pub args: Option<Vec<String>>,
    #[serde(default, deserialize_with = "env")]
    pub env: Option<Vec<(String, String)>>,
    #[serde(default, deserialize_with = "text")]
    pub cwd: Option<String>,
    /// An HTTP server's MCP endpoint.
    #[serde(default, deserialize_with = "text")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "headers")]
    pub headers: Option<Vec<(String, String)>>,
    /// The transport (`type` in the client configs, `transport` in some).
    #[serde(default, rename = "type", deserialize_with = "wire")]
    pub kind: Option<Wire>,
    #[serde(default, deserialize_with = "wire")]
    pub transport: Option<Wire>,
    /// Looked at before the entry is read (a disabled entry is not checked at all).
    #[serde(default, rename = "disabled")]
    _disabled: IgnoredAny,
    #[serde(default, deserialize_with = "timeout")]
    pub timeout: Option<Duration>,
    /// A stdio server's start-up deadline (spawn to its first output on stdout).
    #[serde(default, deserialize_with = "timeout")]
    pub startup_timeout: Option<Duration>,
    #[serde(default, deserialize_with = "min_tools")]
    pub min_tools: Option<usize>,
    #[serde(default, deserialize_with = "tool_names")]
    pub expect_tools: Option<Vec<String>>,
    /// Tools a `call` may use although they are not marked read-only.
    #[serde(default, deserialize_with = "calls::allowed")]
    pub allow_side_effects: Option<Vec<String>>,
    /// Functional checks: tools called, resources read, prompts got (`calls.rs`).
    #[serde(default, deserialize_with = "calls::calls")]
    pub call: Option<Vec<calls::Call>>,
    #[serde(default, deserialize_with = "probes::hub")]
    pub hub: Option<Hub>,
    #[serde(default, deserialize_with = "probes::health_url")]
    pub health_url: Option<HealthUrl>,
    #[serde(default, deserialize_with = "probes::log")]
    pub log: Option<Log>,
    #[serde(default, deserialize_with = "probes::process")]
    pub process: Option<Process>,
    #[serde(default, deserialize_with = "probes::port")]
    pub port: Option<u16>,
    /// A `tcp://` target: text written once connected.
    #[serde(default, deserialize_with = "text")]
    pub send: Option<String>,
    /// A `tcp://` target: text the peer must send (first, or in answer to `send`).
    #[serde(default, deserialize_with = "text")]
    pub expect: Option<String>,
    /// A `tcp://` target: speak TLS and report the certificate.
    #[serde(default, deserialize_with = "flag")]
    pub tls: Option<bool>,
    /// A `tcp://` target with `tls`: a PEM CA to trust beside the built-in roots.
    #[serde(default, deserialize_with = "text")]
    pub ca_file: Option<String>,
    /// A certificate file (PEM) whose expiry is watched.
    #[serde(default, deserialize_with = "text")]
    pub cert_file: Option<String>,
    #[serde(default, deserialize_with = "thresholds")]
    pub thresholds: Option<Vec<(String, Sides)>>,
    #[serde(default, deserialize_with = "era")]
    pub era: Option<EraChoice>,
    /// How often `serve` and `record` check the target (a number of seconds or a duration like `"30s"`).
    #[serde(default, deserialize_with = "timeout")]
    pub interval: Option<Duration>,
    /// This target's own maintenance windows (beside the file's).
    #[serde(default, deserialize_with = "super::maintenance::read")]
    pub maintenance: Option<Vec<crate::model::Window>>,
    /// What `alerts` runs when one of the target's alerts fires (`actions.rs`).
    #[serde(default, deserialize_with = "super::actions::on_fire")]
    pub on_fire: Option<Vec<Value>>,
    /// For people; any value.
    #[serde(default, rename = "description")]
    _description: IgnoredAny,
    /// Read by `validate` (`audit.rs`), from the file itself.
    #[serde(default, rename = "required_env")]
    _required_env: IgnoredAny,
    /// A client's key mcpmon left out that is one or two letters from one it reads (`comand`), with
    /// that key: said when the entry turns out to have nothing to check.
    #[serde(skip)]
    pub near_miss: Option<(String, &'static str)>,
}

/// The keys of an entry a misspelling is worth pointing at.
const SPELLED: [&str; 21] = [
    "command",
    "args",
    "env",
    "cwd",
    "url",
    "headers",
    "type",
    "transport",
    "hub",
    "health_url",
    "log",
    "process",
    "port",
    "timeout",
    "call",
    "allow_side_effects",
    "expect",
    "tls",
    "ca_file",
    "cert_file",
    "on_fire",
];

/// The key of `SPELLED` that `key` most likely misspells (one or two edits away), if any.
pub(super) fn near_miss(key: &str) -> Option<&'static str> {
    if key.len() < 3 {
        return None;
    }
    crate::model::spell::nearest(key, &SPELLED, 2)
}

impl Entry {
    /// The entry's own settings, taken out of it.
    pub fn take_settings(&mut self) -> Settings {
        Settings {
            timeout: self.timeout.take(),
            startup_timeout: self.startup_timeout.take(),
            min_tools: self.min_tools.take(),
            expect_tools: self.expect_tools.take(),
            thresholds: self.thresholds.take(),
            era: self.era.take(),
            interval: self.interval.take(),
        }
    }
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    must(d, "must be a string")
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    must(d, "must be true or false")
}

fn args<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    must(d, "must be an array of strings")
}

fn env<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<(String, String)>>, D::Error> {
    object::<_, Pairs<String, Text>>(d, "must be an object of NAME → value")
        .map(|p| Some(p.map(|t| t.0)))
}

fn headers<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<(String, String)>>, D::Error> {
    object::<_, Pairs<String, Text>>(d, "must be an object of Header → value")
        .map(|p| Some(p.map(|t| t.0)))
}

/// `type` / `transport`: a name `Wire` reads (`stdio`, `http` and its spellings, `sse`).
fn wire<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Wire>, D::Error> {
    let Some(name) = must::<_, Option<String>>(d, "must be a string")? else {
        return Ok(None);
    };
    let read: Result<Wire, serde::de::value::Error> =
        Wire::deserialize(name.as_str().into_deserializer());
    read.map(Some).map_err(|_| {
        D::Error::custom(format!(
            "unknown transport {name:?} (use stdio, http or sse)"
        ))
    })
}
