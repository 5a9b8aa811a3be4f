//! A time zone of the IANA database by name (a maintenance window's `tz`), and the two questions the
//! windows ask of it: which day it is there, and which instant a local time names. The database is the
//! system's (`/usr/share/zoneinfo`, kept current by the OS) with a copy compiled in for machines without
//! one (minimal containers, Windows), through jiff: the compiled-in copy is one blob, not tables of
//! pointers, so it costs a process nothing at start (chrono-tz's tables cost every command 1.5 ms of
//! relocations). Everything else in mcpmon stays on chrono; this module is the one bridge.

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Offset as _, Timelike, Utc,
};
use jiff::tz::{AmbiguousOffset, TimeZone};

/// A named time zone.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl Zone {
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }

    /// The zone of an IANA name (`Europe/Berlin`, `UTC`); a misspelt one gets the nearest name.
    pub fn named(name: &str) -> Result<Zone, String> {
        let name = name.trim();
        let db = jiff::tz::db();
        match db.get(name) {
            Ok(tz) => Ok(Zone {
                name: name.to_string(),
                tz,
            }),
            Err(_) => {
                let names: Vec<String> = db.available().map(|n| n.as_str().to_string()).collect();
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                Err(match super::spell::nearest(name, &refs, 3) {
                    Some(near) => format!("unknown time zone {name:?} (did you mean {near}?)"),
                    None => format!(
                        "unknown time zone {name:?} (an IANA name like Europe/Berlin, America/New_York or UTC)"
                    ),
                })
            }
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's offset from UTC at an instant.
    pub fn offset_at(&self, t: DateTime<Utc>) -> FixedOffset {
        let seconds = jiff::Timestamp::from_second(t.timestamp())
            .map(|ts| self.tz.to_offset(ts).seconds())
            .unwrap_or(0);
        FixedOffset::east_opt(seconds).unwrap_or_else(|| Utc.fix())
    }

    /// The date it is in the zone at an instant.
    pub fn date_at(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.offset_at(t)).date_naive()
    }

    /// The instant a local time names in the zone: the earlier of two when the clocks go back (the hour is
    /// repeated), the moment the clocks jump when they go forward past it (it does not exist that day).
    pub fn instant(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        // a gap is at most a day long (Samoa, 2011); times are whole minutes
        for m in 0..=(26 * 60) {
            let t = local.checked_add_signed(chrono::Duration::minutes(m))?;
            let offset = match self.tz.to_ambiguous_timestamp(civil(t)?).offset() {
                AmbiguousOffset::Unambiguous { offset } => offset,
                AmbiguousOffset::Fold { before, .. } => before,
                AmbiguousOffset::Gap { .. } => continue,
            };
            let fixed = FixedOffset::east_opt(offset.seconds())?;
            return t
                .and_local_timezone(fixed)
                .single()
                .map(|t| t.with_timezone(&Utc));
        }
        None
    }
}

/// A chrono local time as jiff's civil time (whole seconds: windows open on minutes).
fn civil(t: NaiveDateTime) -> Option<jiff::civil::DateTime> {
    jiff::civil::DateTime::new(
        i16::try_from(t.year()).ok()?,
        i8::try_from(t.month()).ok()?,
        i8::try_from(t.day()).ok()?,
        i8::try_from(t.hour()).ok()?,
        i8::try_from(t.minute()).ok()?,
        i8::try_from(t.second()).ok()?,
        0,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn a_named_zone_gives_its_offset_and_local_instants() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        assert_eq!(berlin.name(), "Europe/Berlin");
        let winter = "2026-12-06T01:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(berlin.offset_at(winter).local_minus_utc(), 3600);
        assert_eq!(
            berlin.instant(local("2026-07-05 02:00")),
            Some("2026-07-05T00:00:00Z".parse().unwrap())
        );
        // the first day of 2027 in Berlin while it is still 2026 in UTC
        let eve = "2026-12-31T23:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            berlin.date_at(eve),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
        );
        assert_eq!(
            Zone::utc().date_at(eve),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
    }

    #[test]
    fn gaps_open_at_the_jump_and_folds_take_the_earlier_instant() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        // 2027-03-28 02:30 does not exist: the clocks jump at 01:00 UTC
        assert_eq!(
            berlin.instant(local("2027-03-28 02:30")),
            Some("2027-03-28T01:00:00Z".parse().unwrap())
        );
        // 2026-10-25 02:30 happens twice: the first, in summer time
        assert_eq!(
            berlin.instant(local("2026-10-25 02:30")),
            Some("2026-10-25T00:30:00Z".parse().unwrap())
        );
    }

    #[test]
    fn a_misspelt_zone_gets_the_nearest_name() {
        let e = Zone::named("Europe/Berln").unwrap_err();
        assert!(e.contains("did you mean Europe/Berlin"), "{e}");
        let e = Zone::named("Nowhere/At-All-Really").unwrap_err();
        assert!(e.contains("an IANA name like"), "{e}");
    }
}
