//! The four statuses every check ends in, how they combine, and the one exit-code table.
//!
//! Owns: `Status`, `worst()`, `exit_code()`. Every subcommand maps its verdict through here, so the
//! exit codes of `health`, `alerts`, … can never drift apart.

use serde::{Deserialize, Deserializer, Serialize};

/// A verdict, ordered by severity for the overall result: OK < WARN < UNKNOWN < CRIT (the derived
/// order is the declaration order). On the wire it is `ok`, `warn`, `crit`, `unknown`; a name mcpmon
/// does not know (a newer version's, a hand-edited file's) reads as UNKNOWN, never as OK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Ok,
    Warn,
    Unknown,
    Crit,
}

impl Status {
    /// The status a wire name stands for: `ok`, `warn`, `crit`, `unknown` (any case; `warning` and
    /// `critical` too). Anything else is UNKNOWN.
    pub fn from_name(name: &str) -> Status {
        match name.to_ascii_lowercase().as_str() {
            "ok" => Status::Ok,
            "warn" | "warning" => Status::Warn,
            "crit" | "critical" => Status::Crit,
            _ => Status::Unknown,
        }
    }

    /// The process exit code for this verdict (Nagios plugin convention).
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Warn => 1,
            Status::Crit => 2,
            Status::Unknown => 3,
        }
    }

    /// Upper-case label used in tables and Nagios lines.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warn => "WARN",
            Status::Crit => "CRIT",
            Status::Unknown => "UNKNOWN",
        }
    }

    /// Lower-case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Crit => "crit",
            Status::Unknown => "unknown",
        }
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Status;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a status name")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Status, E> {
                Ok(Status::from_name(v))
            }
        }
        d.deserialize_str(V)
    }
}

/// The worst status of a set; an empty set is OK.
pub fn worst<I: IntoIterator<Item = Status>>(statuses: I) -> Status {
    statuses.into_iter().max().unwrap_or(Status::Ok)
}

/// How a run ends: the one exit-code table every subcommand maps through (Nagios plugin convention,
/// plus the shells' 130 for Ctrl-C).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The verdict: 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN.
    Verdict(Status),
    /// mcpmon could not run (bad arguments, an unreadable config, an unwritable state file): 3, as
    /// UNKNOWN — never 2, which would read as CRITICAL.
    Usage,
    /// Stopped by Ctrl-C or SIGTERM: 130 (128 + SIGINT).
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Verdict(s) => s.exit_code(),
            Exit::Usage => 3,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Status> for Exit {
    fn from(s: Status) -> Exit {
        Exit::Verdict(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_table() {
        assert_eq!(Status::Ok.exit_code(), 0);
        assert_eq!(Status::Warn.exit_code(), 1);
        assert_eq!(Status::Crit.exit_code(), 2);
        assert_eq!(Status::Unknown.exit_code(), 3);
        assert_eq!(Exit::Usage.code(), Status::Unknown.exit_code());
        assert_eq!(Exit::Interrupted.code(), 130);
        for s in [Status::Ok, Status::Warn, Status::Crit, Status::Unknown] {
            assert_eq!(Exit::from(s).code(), s.exit_code());
        }
    }

    #[test]
    fn worst_orders_unknown_between_warn_and_crit() {
        assert_eq!(worst([]), Status::Ok);
        assert_eq!(worst([Status::Ok, Status::Warn]), Status::Warn);
        assert_eq!(worst([Status::Warn, Status::Unknown]), Status::Unknown);
        assert_eq!(
            worst([Status::Unknown, Status::Crit, Status::Ok]),
            Status::Crit
        );
        assert_eq!(worst([Status::Crit, Status::Warn]), Status::Crit);
        assert!(Status::Ok < Status::Warn && Status::Warn < Status::Unknown);
        assert!(Status::Unknown < Status::Crit);
    }

    #[test]
    fn wire_names_round_trip_and_unknown_names_are_unknown() {
        for s in [Status::Ok, Status::Warn, Status::Crit, Status::Unknown] {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), s);
        }
        for other in ["\"degraded\"", "\"\"", "\"OKAY\""] {
            assert_eq!(
                serde_json::from_str::<Status>(other).unwrap(),
                Status::Unknown
            );
        }
        assert_eq!(Status::from_name("CRITICAL"), Status::Crit);
        assert!(serde_json::from_str::<Status>("3").is_err());
    }
}
