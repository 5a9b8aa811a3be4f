//! One judged check: `Finding`, the `CheckId` it names and the `Unit` of its value.

use super::failure::Reason;
use super::observation::Kind;
use super::status::Status;

/// One judged check.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub target: String,
    /// The kind of probe whose observation this judges (a target can carry several).
    pub probe: Kind,
    pub check: String,
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
            Unit::Count => "count",
        }
    }
}

impl Finding {
    pub fn new(
        target: &str,
        check: &str,
        status: Status,
        reason: Option<Reason>,
        message: String,
    ) -> Self {
        Finding {
            target: target.into(),
            probe: Kind::Mcp,
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
