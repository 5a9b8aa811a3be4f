//! One probe of one target: the `Observation`, its `Facts` by kind, and the probe `Kind` names.

use super::facts::{HealthFacts, HostFacts, HubFacts, LoadFacts, LogFacts, McpFacts, ProcessFacts};
use super::failure::Failure;
use std::time::Duration;

/// What kind of probe made an observation; the stable names appear in JSON (`kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Mcp,
    Hub,
    Http,
    Log,
    Process,
    Host,
    Load,
    /// Findings only (`validate`): a config file and its entries.
    Config,
    /// Findings only (`validate --strict`): protocol conformance checks.
    Conformance,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Mcp => "mcp",
            Kind::Hub => "hub",
            Kind::Http => "http",
            Kind::Log => "log",
            Kind::Process => "process",
            Kind::Host => "host",
            Kind::Load => "load",
            Kind::Config => "config",
            Kind::Conformance => "conformance",
        }
    }
}

/// The facts of one observation, by kind.
#[derive(Debug, Clone)]
pub enum Facts {
    Mcp(Box<McpFacts>),
    Hub(Box<HubFacts>),
    Http(Box<HealthFacts>),
    Log(Box<LogFacts>),
    Process(Box<ProcessFacts>),
    Host(Box<HostFacts>),
    Load(Box<LoadFacts>),
}

/// One probe of one target.
#[derive(Debug, Clone)]
pub struct Observation {
    pub target: String,
    /// What was looked at: a URL (without credentials or query values), a command line, a path.
    pub endpoint: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub duration: Duration,
    /// Why the thing could not be looked at (none when the probe got its facts).
    pub failure: Option<Failure>,
    /// What the probe learnt (partial when it failed: an MCP failure keeps its detection steps).
    pub facts: Facts,
}

impl Observation {
    pub fn kind(&self) -> Kind {
        match &self.facts {
            Facts::Mcp(_) => Kind::Mcp,
            Facts::Hub(_) => Kind::Hub,
            Facts::Http(_) => Kind::Http,
            Facts::Log(_) => Kind::Log,
            Facts::Process(_) => Kind::Process,
            Facts::Host(_) => Kind::Host,
            Facts::Load(_) => Kind::Load,
        }
    }

    pub fn mcp(&self) -> Option<&McpFacts> {
        match &self.facts {
            Facts::Mcp(m) => Some(m),
            _ => None,
        }
    }
}
