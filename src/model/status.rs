//! The four statuses every check ends in, how they combine, and the one exit-code table.
//!
//! Owns: `Status`, `worst()`, `exit_code()`. Every subcommand maps its verdict through here, so the
//! exit codes of `health`, `alerts`, … can never drift apart.

use serde::Serialize;

/// A verdict, ordered by severity for the overall result: OK < WARN < UNKNOWN < CRIT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Ok,
    Warn,
    Unknown,
    Crit,
}

impl Status {
    /// Severity rank for "worst wins" (an UNKNOWN outranks WARN, CRIT outranks everything).
    fn rank(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Warn => 1,
            Status::Unknown => 2,
            Status::Crit => 3,
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

    /// The more severe of two statuses.
    pub fn max(self, other: Status) -> Status {
        if other.rank() > self.rank() {
            other
        } else {
            self
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

/// The worst status of a set; an empty set is OK.
pub fn worst<I: IntoIterator<Item = Status>>(statuses: I) -> Status {
    statuses.into_iter().fold(Status::Ok, Status::max)
}

/// Exit code for mcpmon's own failures (bad arguments, unreadable config): UNKNOWN.
pub const EXIT_USAGE: u8 = 3;
/// Exit code after Ctrl-C, as shells expect (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_table() {
        assert_eq!(Status::Ok.exit_code(), 0);
        assert_eq!(Status::Warn.exit_code(), 1);
        assert_eq!(Status::Crit.exit_code(), 2);
        assert_eq!(Status::Unknown.exit_code(), 3);
        assert_eq!(EXIT_USAGE, Status::Unknown.exit_code());
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
    }
}
