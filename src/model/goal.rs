//! The goals a reporting period is held to (`daily-summary`): which ones there are (uptime, success
//! rate, p95 response time, reconnects a day, error rate, process memory), the limit each must beat,
//! their defaults (uptime > 99.9 %, success rate > 95 %, p95 < 500 ms, fewer than 5 reconnects a day,
//! error rate < 1 %; no memory goal) and how a limit is written (`99.5`, `99.5%`, `500ms`, `0.5s`,
//! `100MB`, `off`).
//!
//! Pure names and numbers. Must not: judge a period against them (that is `rules::summary`), nor read
//! a config file or a flag (`config::goals`, `cli`).

/// One kind of goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GoalName {
    /// Time up (OK or WARN) over time observed, in %: higher is better.
    Uptime,
    /// Records OK over all records, in %: higher is better.
    SuccessRate,
    /// The highest p95 latency of any series, in ms.
    ResponseTimeP95,
    /// Restarts (an uptime that went down) per day of the period.
    Reconnects,
    /// Records not OK over all records, in %.
    ErrorRate,
    /// The highest process RSS recorded, in MiB.
    MemoryMb,
}

impl GoalName {
    /// Every goal, in report order.
    pub const ALL: [GoalName; 6] = [
        GoalName::Uptime,
        GoalName::SuccessRate,
        GoalName::ResponseTimeP95,
        GoalName::Reconnects,
        GoalName::ErrorRate,
        GoalName::MemoryMb,
    ];

    /// The names and short names a goal may be given by (`p95` for `response_time_p95`).
    const NAMES: [(&'static str, GoalName); 9] = [
        ("uptime", GoalName::Uptime),
        ("success_rate", GoalName::SuccessRate),
        ("response_time_p95", GoalName::ResponseTimeP95),
        ("p95", GoalName::ResponseTimeP95),
        ("reconnects", GoalName::Reconnects),
        ("restarts", GoalName::Reconnects),
        ("error_rate", GoalName::ErrorRate),
        ("memory_mb", GoalName::MemoryMb),
        ("memory", GoalName::MemoryMb),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GoalName::Uptime => "uptime",
            GoalName::SuccessRate => "success_rate",
            GoalName::ResponseTimeP95 => "response_time_p95",
            GoalName::Reconnects => "reconnects",
            GoalName::ErrorRate => "error_rate",
            GoalName::MemoryMb => "memory_mb",
        }
    }

    /// The goal a name (or short name) stands for; else a one-line problem naming the nearest name and
    /// every known one.
    pub fn from_name(name: &str) -> Result<GoalName, String> {
        let key = name.trim().to_ascii_lowercase();
        if let Some((_, g)) = Self::NAMES.iter().find(|(n, _)| *n == key) {
            return Ok(*g);
        }
        let names: Vec<&str> = Self::NAMES.iter().map(|(n, _)| *n).collect();
        let hint = crate::model::spell::nearest(&key, &names, 3)
            .filter(|_| key.len() >= 3)
            .map(|n| format!(" (did you mean {n}?)"))
            .unwrap_or_default();
        Err(format!(
            "unknown goal {name:?}{hint}; known: {}",
            Self::ALL.map(GoalName::as_str).join(", ")
        ))
    }

    /// Whether the value must be above the limit (uptime, success rate) rather than below it.
    pub fn higher_is_better(self) -> bool {
        matches!(self, GoalName::Uptime | GoalName::SuccessRate)
    }

    /// The unit the limit is shown in.
    pub fn unit(self) -> &'static str {
        match self {
            GoalName::Uptime | GoalName::SuccessRate | GoalName::ErrorRate => "%",
            GoalName::ResponseTimeP95 => "ms",
            GoalName::Reconnects => "a day",
            GoalName::MemoryMb => "MiB",
        }
    }

    /// Reads a limit as written on the command line or in a config string: a number, with the goal's
    /// unit or none (`99.5`, `99.5%`, `500ms`, `0.5s`, `100MB`, `1GB`).
    pub fn parse_limit(self, text: &str) -> Result<f64, String> {
        let t = text.trim().to_ascii_lowercase();
        let (number, scale) = match self {
            GoalName::Uptime | GoalName::SuccessRate | GoalName::ErrorRate => {
                (t.strip_suffix('%').unwrap_or(&t), 1.0)
            }
            GoalName::ResponseTimeP95 => match t.strip_suffix("ms") {
                Some(n) => (n, 1.0),
                None => match t.strip_suffix('s') {
                    Some(n) => (n, 1000.0),
                    None => (t.as_str(), 1.0),
                },
            },
            GoalName::Reconnects => (t.strip_suffix("/d").unwrap_or(&t), 1.0),
            GoalName::MemoryMb => {
                const UNITS: [(&str, f64); 6] = [
                    ("mib", 1.0),
                    ("mb", 1.0),
                    ("m", 1.0),
                    ("gib", 1024.0),
                    ("gb", 1024.0),
                    ("g", 1024.0),
                ];
                UNITS
                    .iter()
                    .find_map(|(u, s)| t.strip_suffix(u).map(|n| (n, *s)))
                    .unwrap_or((t.as_str(), 1.0))
            }
        };
        let v: f64 = number.trim().parse().map_err(|_| {
            format!(
                "{}: {text:?} is not a number (e.g. {})",
                self.as_str(),
                self.example()
            )
        })?;
        self.check(v * scale)
    }

    /// A limit in range for this goal: a finite percentage (0–100), or a finite number ≥ 0
    /// (a positive one for a time or a size).
    pub fn check(self, v: f64) -> Result<f64, String> {
        let ok = v.is_finite()
            && match self {
                GoalName::Uptime | GoalName::SuccessRate | GoalName::ErrorRate => {
                    (0.0..=100.0).contains(&v)
                }
                GoalName::ResponseTimeP95 | GoalName::MemoryMb => v > 0.0,
                GoalName::Reconnects => v >= 0.0,
            };
        if ok {
            Ok(v)
        } else {
            Err(format!(
                "{}: {} is out of range ({})",
                self.as_str(),
                shown(v),
                match self.unit() {
                    "%" => "a percentage, 0–100",
                    "ms" | "MiB" => "a positive number",
                    _ => "a number ≥ 0",
                }
            ))
        }
    }

    fn example(self) -> &'static str {
        match self {
            GoalName::Uptime => "99.5",
            GoalName::SuccessRate => "95%",
            GoalName::ResponseTimeP95 => "500ms",
            GoalName::Reconnects => "5",
            GoalName::ErrorRate => "0.1%",
            GoalName::MemoryMb => "100MB",
        }
    }
}

/// A limit as written back: `99.5`, `500`; a huge or tiny one in exponent form (`1e300`).
fn shown(v: f64) -> String {
    if v != 0.0 && !(1e-4..1e9).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// One goal and its limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GoalSpec {
    pub name: GoalName,
    pub limit: f64,
}

impl GoalSpec {
    /// `> 99.9 %`, `< 500 ms`, `< 5 a day`.
    pub fn target(&self) -> String {
        let op = if self.name.higher_is_better() {
            '>'
        } else {
            '<'
        };
        format!("{op} {} {}", shown(self.limit), self.name.unit())
    }

    /// Whether `value` beats the limit (strictly, as the goals are written).
    pub fn met(&self, value: f64) -> bool {
        if self.name.higher_is_better() {
            value > self.limit
        } else {
            value < self.limit
        }
    }
}

/// The goals in force, in report order: the defaults with the config's `goals` and `--goal` laid over
/// them.
#[derive(Debug, Clone, PartialEq)]
pub struct Goals(Vec<GoalSpec>);

impl Default for Goals {
    fn default() -> Self {
        let g = |name, limit| GoalSpec { name, limit };
        Goals(vec![
            g(GoalName::Uptime, 99.9),
            g(GoalName::SuccessRate, 95.0),
            g(GoalName::ResponseTimeP95, 500.0),
            g(GoalName::Reconnects, 5.0),
            g(GoalName::ErrorRate, 1.0),
        ])
    }
}

impl Goals {
    /// Sets a goal's limit (adds the goal when it was off); `None` turns it off.
    pub fn set(&mut self, name: GoalName, limit: Option<f64>) {
        self.0.retain(|g| g.name != name);
        if let Some(limit) = limit {
            self.0.push(GoalSpec { name, limit });
            self.0.sort_by_key(|g| g.name);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &GoalSpec> {
        self.0.iter()
    }

    /// Applies `NAME=LIMIT` (`--goal uptime=99.5`, `--goal p95=100ms`, `--goal reconnects=off`).
    pub fn set_arg(&mut self, arg: &str) -> Result<(), String> {
        let (name, limit) = arg.split_once('=').ok_or_else(|| {
            format!("--goal {arg:?}: use NAME=LIMIT, e.g. uptime=99.5 or p95=500ms")
        })?;
        let name = GoalName::from_name(name).map_err(|e| format!("--goal {arg:?}: {e}"))?;
        let limit = match limit.trim().to_ascii_lowercase().as_str() {
            "off" | "none" => None,
            _ => Some(
                name.parse_limit(limit)
                    .map_err(|e| format!("--goal {arg:?}: {e}"))?,
            ),
        };
        self.set(name, limit);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_operators_guide_success_metrics() {
        let g: Vec<String> = Goals::default()
            .iter()
            .map(|g| format!("{} {}", g.name.as_str(), g.target()))
            .collect();
        assert_eq!(
            g,
            [
                "uptime > 99.9 %",
                "success_rate > 95 %",
                "response_time_p95 < 500 ms",
                "reconnects < 5 a day",
                "error_rate < 1 %",
            ]
        );
    }

    #[test]
    fn flags_set_add_and_remove_goals() {
        let mut g = Goals::default();
        for a in [
            "uptime=99.5",
            "p95=100ms",
            "memory=100MB",
            "error_rate=0.1%",
            "reconnects=off",
        ] {
            g.set_arg(a).unwrap();
        }
        let g: Vec<String> = g.iter().map(GoalSpec::target).collect();
        assert_eq!(
            g,
            ["> 99.5 %", "> 95 %", "< 100 ms", "< 0.1 %", "< 100 MiB"]
        );
        let mut s = Goals::default();
        s.set_arg("response_time_p95=0.25s").unwrap();
        s.set_arg("memory_mb=1GB").unwrap();
        let limits: Vec<f64> = s.iter().map(|g| g.limit).collect();
        assert_eq!(limits, [99.9, 95.0, 250.0, 5.0, 1.0, 1024.0]);
    }

    #[test]
    fn an_unknown_or_bad_goal_is_one_line_naming_the_nearest() {
        let mut g = Goals::default();
        let e = g.set_arg("uptme=99").unwrap_err();
        assert_eq!(
            e,
            "--goal \"uptme=99\": unknown goal \"uptme\" (did you mean uptime?); known: uptime, success_rate, response_time_p95, reconnects, error_rate, memory_mb"
        );
        assert!(!e.contains('\n'));
        assert_eq!(
            g.set_arg("uptime=abc").unwrap_err(),
            "--goal \"uptime=abc\": uptime: \"abc\" is not a number (e.g. 99.5)"
        );
        assert_eq!(
            g.set_arg("uptime=150").unwrap_err(),
            "--goal \"uptime=150\": uptime: 150 is out of range (a percentage, 0–100)"
        );
        assert!(g.set_arg("p95=-1ms").is_err());
        assert_eq!(
            g.set_arg("uptime=1e300").unwrap_err(),
            "--goal \"uptime=1e300\": uptime: 1e300 is out of range (a percentage, 0–100)"
        );
        assert!(!g.set_arg("=5").unwrap_err().contains("did you mean"));
        let mut huge = Goals::default();
        huge.set_arg("reconnects=1e300").unwrap();
        assert!(huge.iter().any(|g| g.target() == "< 1e300 a day"));
        assert!(g.set_arg("p95=NaN").is_err());
        assert!(g.set_arg("uptime").unwrap_err().contains("NAME=LIMIT"));
        assert_eq!(g, Goals::default(), "nothing changed by a bad one");
    }

    #[test]
    fn a_goal_is_met_strictly_in_its_direction() {
        let up = GoalSpec {
            name: GoalName::Uptime,
            limit: 99.5,
        };
        assert!(up.met(99.7) && !up.met(99.5) && !up.met(99.2));
        let p95 = GoalSpec {
            name: GoalName::ResponseTimeP95,
            limit: 100.0,
        };
        assert!(p95.met(85.0) && !p95.met(100.0) && !p95.met(120.0));
    }
}
