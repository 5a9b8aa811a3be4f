//! Silences and maintenance windows as the domain sees them: a `Silence` someone added (`mcpmon
//! silence add`), a maintenance `Window` from the config, the `Mute` either one puts on the alerts it
//! matches while it lasts, and the `Silenced` mark a muted alert carries into the report.
//!
//! No I/O and no clock: times come in. Which windows are open when is `rules::maintenance`; what a
//! mute does to an alert run is `rules::silence`; the silences file is `store::silences`.

use super::finding::Finding;
use super::status::Status;
use chrono::{DateTime, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A silence added with `mcpmon silence add`, as kept in `silences.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Silence {
    /// Short and stable: 8 hex digits, given when the silence is added and never changed.
    pub id: String,
    /// What it silences: `TARGET`, `TARGET/CHECK` or `TARGET/PROBE/CHECK`, `*` and `?` as globs.
    pub matches: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Silence {
    /// Whether it is in force at `now`.
    pub fn active(&self, now: DateTime<Utc>) -> bool {
        self.starts_at <= now && now < self.ends_at
    }

    /// The mute it puts on what it matches.
    pub fn mute(&self) -> Mute {
        Mute {
            matcher: Matcher::Glob(self.matches.clone()),
            by: format!("silence {}", self.id),
            until: self.ends_at,
            comment: self.comment.clone(),
        }
    }
}

/// A maintenance window of the config: recurring (`every` day or weekday, `from` a local time, for a
/// duration, in a time zone) or once (from an instant, until one).
#[derive(Debug, Clone, PartialEq)]
pub enum Window {
    Every {
        /// The days it opens on (local to `tz`); all seven for `"day"`.
        days: Vec<Weekday>,
        /// The local time it opens at.
        from: NaiveTime,
        /// How long it stays open (real time, whatever the clocks do meanwhile).
        length: Duration,
        tz: super::zone::Zone,
    },
    Once {
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    },
}

impl Window {
    /// Longest recurring window: a week (an occurrence closes before the next of the same day opens).
    pub const MAX_LENGTH: Duration = Duration::from_secs(7 * 24 * 3600);

    /// The window in words, as the config says it: `sun 02:00 for 1h (Europe/Berlin)`.
    pub fn describe(&self) -> String {
        match self {
            Window::Every {
                days,
                from,
                length,
                tz,
            } => {
                let days = if days.len() == 7 {
                    "every day".to_string()
                } else {
                    days.iter()
                        .map(|d| d.to_string().to_lowercase())
                        .collect::<Vec<_>>()
                        .join(",")
                };
                format!(
                    "{days} {} for {} ({tz})",
                    from.format("%H:%M"),
                    short(*length)
                )
            }
            Window::Once { from, until } => format!(
                "{} to {}",
                from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        }
    }
}

/// A duration the way a config writes it: `1h`, `90m`, `45s`.
fn short(d: Duration) -> String {
    let s = d.as_secs();
    if s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else if s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

/// Which alerts a mute covers.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// Every check of the target of exactly this name (a target's own maintenance window).
    Target(String),
    /// A silence's pattern, tried on `target`, `target/check` and `target/probe/check`.
    Glob(String),
}

impl Matcher {
    pub fn matches(&self, f: &Finding) -> bool {
        match self {
            Matcher::Target(name) => f.target == *name,
            Matcher::Glob(p) => {
                glob(p, &f.target)
                    || glob(p, &format!("{}/{}", f.target, f.check))
                    || glob(p, &format!("{}/{}/{}", f.target, f.probe.as_str(), f.check))
            }
        }
    }
}

/// Why alerts are muted now: a silence or an open maintenance window, until when.
#[derive(Debug, Clone, PartialEq)]
pub struct Mute {
    pub matcher: Matcher,
    /// `silence 3fa9c2d1`, or `maintenance sun 02:00 for 1h (Europe/Berlin)`.
    pub by: String,
    pub until: DateTime<Utc>,
    pub comment: Option<String>,
}

impl Mute {
    /// The mark a muted alert carries: its own level, and the mute's.
    pub fn silenced(&self, status: Status) -> Silenced {
        Silenced {
            status,
            by: self.by.clone(),
            until: self.until,
            comment: self.comment.clone(),
        }
    }
}

/// An alert that fires but is silenced: shown (with this), not notified, not in the exit code.
#[derive(Debug, Clone, PartialEq)]
pub struct Silenced {
    /// The level it fires at (the finding itself says OK).
    pub status: Status,
    pub by: String,
    pub until: DateTime<Utc>,
    pub comment: Option<String>,
}

/// Glob matching for silences: `*` any run of characters (`/` included), `?` one character, every
/// other character itself. Linear in practice (the classic backtrack-to-last-star), never recursive.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::super::observation::Kind;
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("api", "api"));
        assert!(!glob("api", "api2"));
        assert!(glob("api*", "api2/liveness"));
        assert!(glob("web-?", "web-1"));
        assert!(!glob("web-?", "web-12"));
        assert!(glob("*", ""));
        assert!(glob("*/liveness", "a/b/liveness"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(glob("127.0.0.1:*/mcp", "127.0.0.1:38101/mcp"));
    }

    #[test]
    fn a_pattern_matches_the_target_its_check_or_the_alert_key() {
        let f = Finding::new(
            "127.0.0.1:38101/mcp",
            Kind::Mcp,
            "liveness",
            Status::Crit,
            None,
            "down".into(),
        );
        let m = |p: &str| Matcher::Glob(p.into()).matches(&f);
        assert!(m("127.0.0.1:38101/mcp"), "a target name with a slash");
        assert!(m("127.0.0.1:38101/mcp/liveness"));
        assert!(m("127.0.0.1:38101/mcp/mcp/liveness"));
        assert!(m("127.0.0.1:*"));
        assert!(!m("127.0.0.1:38101/mcp/tools"));
        assert!(!m("other"));
        assert!(Matcher::Target("127.0.0.1:38101/mcp".into()).matches(&f));
        assert!(!Matcher::Target("127.0.0.1:*".into()).matches(&f));
    }
}
