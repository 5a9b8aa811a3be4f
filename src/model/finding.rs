//! One judged check: `Finding`, the `CheckId` it names and the `Unit` of its value.

use super::failure::Reason;
use super::observation::Kind;
use super::status::Status;
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// The name of one check of a probe, as it appears in every output (JSON `check`, table rows, history
/// metrics, Prometheus `check` labels, alert keys). The checks mcpmon itself names are constants here,
/// so a producer and its readers cannot drift apart; checks named by data (a hub server's
/// `server:<name>`, a conformance check's id, a health-document metric) are built with `new`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CheckId(Cow<'static, str>);

impl CheckId {
    /// Reaching the server (MCP connect and handshake, a hub or health endpoint answering).
    pub const CONNECT: CheckId = CheckId::of("connect");
    /// The MCP handshake's round trip (`response_time_ms` bounds it).
    pub const HANDSHAKE: CheckId = CheckId::of("handshake");
    /// A stdio server's spawn-to-ready time (`startup_ms`).
    pub const STARTUP: CheckId = CheckId::of("startup");
    /// One liveness round trip (`ping`, or `server/discover` in the 2026-07-28 era).
    pub const LIVENESS: CheckId = CheckId::of("liveness");
    pub const TOOLS: CheckId = CheckId::of("tools");
    pub const EXPECT_TOOLS: CheckId = CheckId::of("expect_tools");
    pub const PROMPTS: CheckId = CheckId::of("prompts");
    pub const RESOURCES: CheckId = CheckId::of("resources");
    /// Protocol faults seen on the wire.
    pub const PROTOCOL: CheckId = CheckId::of("protocol");
    /// A stdio server that could not stand a 2026-07-28 client's `server/discover`.
    pub const DISCOVER: CheckId = CheckId::of("discover");
    /// The configured MCP URL redirects to another (followed once when same-origin).
    pub const REDIRECT: CheckId = CheckId::of("redirect");
    /// A hub's REST API answering (`/api/health`), and its round trip.
    pub const HUB: CheckId = CheckId::of("hub");
    /// A health endpoint answering, and its round trip.
    pub const HTTP: CheckId = CheckId::of("http");
    pub const HUB_STATE: CheckId = CheckId::of("hub_state");
    pub const HUB_SERVERS: CheckId = CheckId::of("hub_servers");
    pub const HUB_CLIENTS: CheckId = CheckId::of("hub_clients");
    pub const PROCESS: CheckId = CheckId::of("process");
    pub const PORT: CheckId = CheckId::of("port");
    pub const PROCESS_CPU: CheckId = CheckId::of("process_cpu");
    pub const PROCESS_MEMORY: CheckId = CheckId::of("process_memory");
    pub const PROCESS_RSS: CheckId = CheckId::of("process_rss");
    pub const LOG_ERRORS: CheckId = CheckId::of("log_errors");
    pub const LOG_SIZE: CheckId = CheckId::of("log_size");
    /// One line repeated back to back hundreds of times (a log storm).
    pub const LOG_STORM: CheckId = CheckId::of("log_storm");
    pub const HOST_MEMORY: CheckId = CheckId::of("host_memory");
    /// Days until a certificate expires (an HTTPS URL's, a TLS port's, a `cert_file`'s).
    pub const TLS_EXPIRY: CheckId = CheckId::of("tls_expiry");
    /// A TCP port accepting a connection, and the connect time.
    pub const TCP: CheckId = CheckId::of("tcp");
    /// A TCP peer sending the configured `expect` text.
    pub const EXPECT: CheckId = CheckId::of("expect");
    /// A certificate file being readable as a certificate.
    pub const CERT: CheckId = CheckId::of("cert");
    pub const SUCCESS_RATE: CheckId = CheckId::of("success_rate");

    /// A check named by a constant (`const` friendly).
    pub const fn of(name: &'static str) -> CheckId {
        CheckId(Cow::Borrowed(name))
    }

    /// A check named by data.
    pub fn new(name: impl Into<Cow<'static, str>>) -> CheckId {
        CheckId(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&'static str> for CheckId {
    fn from(s: &'static str) -> Self {
        CheckId::of(s)
    }
}

impl From<String> for CheckId {
    fn from(s: String) -> Self {
        CheckId(Cow::Owned(s))
    }
}

impl From<&String> for CheckId {
    fn from(s: &String) -> Self {
        CheckId(Cow::Owned(s.clone()))
    }
}

impl PartialEq<String> for CheckId {
    fn eq(&self, other: &String) -> bool {
        self.0 == other.as_str()
    }
}

impl From<&CheckId> for CheckId {
    fn from(c: &CheckId) -> Self {
        c.clone()
    }
}

impl std::ops::Deref for CheckId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for CheckId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CheckId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// One judged check.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub target: String,
    /// The kind of probe whose observation this judges (a target can carry several).
    pub probe: Kind,
    /// Which check of the probe: `connect`, `liveness`, `tools`, a hub server's `server:<name>`, …
    pub check: CheckId,
    pub status: Status,
    pub reason: Option<Reason>,
    pub message: String,
    pub value: Option<f64>,
    pub warn: Option<f64>,
    pub crit: Option<f64>,
    /// What `value`, `warn` and `crit` are measured in.
    pub unit: Option<Unit>,
    /// The bounds are lower limits (a success rate, days to expiry): crossing means going below.
    pub lower_is_worse: bool,
    /// `validate`'s report section; none elsewhere.
    pub section: Option<&'static str>,
    /// `alerts`: the alert fires but a silence or maintenance window mutes it (its `status` is then
    /// OK, the level it fires at is in here).
    pub silenced: Option<Box<super::silence::Silenced>>,
}

/// A section of `validate`'s report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Section {
    /// The config files and every target's entry: command on PATH, env vars, placeholders, secrets
    /// in world-readable files, unpinned `npx -y` packages.
    Config,
    /// The server processes: running, pid, uptime.
    Process,
    /// Ports listening, HTTP endpoints responding, TLS certificate expiry.
    Network,
    /// Hub REST APIs: state, each server connected, tool counts, workspace/cache state.
    Api,
    /// MCP endpoints: handshake, revision, liveness, tool registration.
    Mcp,
    /// Protocol conformance (with --strict): each check names the spec section it comes from.
    Conformance,
    /// Recent errors and the level distribution of the last log entries, log size and growth.
    Logs,
    /// CPU, memory and disk against thresholds (process and host).
    Resources,
}

impl Section {
    /// The key findings carry (`Finding::section`) and JSON shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Config => "config",
            Section::Process => "process",
            Section::Network => "network",
            Section::Api => "api",
            Section::Mcp => "mcp",
            Section::Conformance => "conformance",
            Section::Logs => "logs",
            Section::Resources => "resources",
        }
    }
}

/// Units of finding values; renderers convert to their own conventions (Prometheus: base units).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Ms,
    Percent,
    Bytes,
    /// 10^6 bytes.
    MB,
    /// 2^20 bytes.
    MiB,
    Days,
    Seconds,
    Count,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Ms => "ms",
            Unit::Percent => "%",
            Unit::Bytes => "B",
            Unit::MB => "MB",
            Unit::MiB => "MiB",
            Unit::Days => "d",
            Unit::Seconds => "s",
            Unit::Count => "count",
        }
    }
}

impl Finding {
    pub fn new(
        target: &str,
        probe: Kind,
        check: impl Into<CheckId>,
        status: Status,
        reason: Option<Reason>,
        message: String,
    ) -> Self {
        Finding {
            target: target.into(),
            probe,
            check: check.into(),
            status,
            reason,
            message,
            value: None,
            warn: None,
            crit: None,
            unit: None,
            lower_is_worse: false,
            section: None,
            silenced: None,
        }
    }

    pub fn unit(mut self, u: Unit) -> Self {
        self.unit = Some(u);
        self
    }

    /// Marks the bounds as lower limits (crossing means going below).
    pub fn lower_is_worse(mut self) -> Self {
        self.lower_is_worse = true;
        self
    }

    pub fn value(mut self, v: f64) -> Self {
        self.value = Some(v);
        self
    }

    pub fn bounds(mut self, warn: Option<f64>, crit: Option<f64>) -> Self {
        self.warn = warn;
        self.crit = crit;
        self
    }
}
