//! One probe of one target: the `Observation`, its `Facts` by kind, and the probe `Kind` names.

use super::facts::{
    CertFacts, HealthFacts, HostFacts, HubFacts, LoadFacts, LogFacts, McpFacts, ProcessFacts,
    TcpFacts,
};
use super::failure::Failure;
use std::time::Duration;

/// What kind of probe made an observation; the stable names appear in JSON (`kind`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Mcp,
    Hub,
    Http,
    Tcp,
    Cert,
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
    /// Every kind, in report order.
    pub const ALL: [Kind; 11] = [
        Kind::Mcp,
        Kind::Hub,
        Kind::Http,
        Kind::Tcp,
        Kind::Cert,
        Kind::Log,
        Kind::Process,
        Kind::Host,
        Kind::Load,
        Kind::Config,
        Kind::Conformance,
    ];

    /// The kind a wire name stands for (`as_str` back); none for a name this version does not know.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Mcp => "mcp",
            Kind::Hub => "hub",
            Kind::Http => "http",
            Kind::Tcp => "tcp",
            Kind::Cert => "cert",
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
    Tcp(Box<TcpFacts>),
    Cert(Box<CertFacts>),
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
            Facts::Tcp(_) => Kind::Tcp,
            Facts::Cert(_) => Kind::Cert,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip_through_serde_and_from_name() {
        for k in Kind::ALL {
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(serde_json::from_str::<Kind>(&json).unwrap(), k);
            assert_eq!(Kind::from_name(k.as_str()), Some(k));
        }
        assert_eq!(Kind::from_name("websocket"), None);
    }
}
