//! When maintenance windows are open: the occurrence of a window around a given instant, and the next
//! one, for recurring windows in any IANA time zone (DST gaps and overlaps included) and one-off ones.
//!
//! Pure: `now` comes in. Must not read the clock or the config; what an open window does to alerts is
//! `rules::silence`.

use crate::model::{Finding, Kind, Matcher, Mute, Status, Target, Window};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};

/// One occurrence of a window: when it opens and closes.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// The occurrence of `w` open at `now` (the one closing last, when several are), if any.
pub fn open_at(w: &Window, now: DateTime<Utc>) -> Option<Span> {
    occurrences(w, now, -8..=0)
        .filter(|(from, until)| *from <= now && now < *until)
        .max_by_key(|(_, until)| *until)
}

/// The occurrence of `w` open at `now`, else the next one to open (none for a one-off window that
/// has passed).
pub fn next(w: &Window, now: DateTime<Utc>) -> Option<Span> {
    open_at(w, now).or_else(|| {
        occurrences(w, now, 0..=8)
            .filter(|(from, _)| *from > now)
            .min_by_key(|(from, _)| *from)
    })
}

/// The mutes of every target's maintenance windows open at `now`.
pub fn mutes(targets: &[Target], now: DateTime<Utc>) -> Vec<Mute> {
    let mut out = Vec::new();
    for t in targets {
        for w in &t.maintenance {
            if let Some((_, until)) = open_at(w, now) {
                out.push(Mute {
                    matcher: Matcher::Target(t.name.clone()),
                    by: format!("maintenance {}", w.describe()),
                    until,
                    comment: None,
                });
            }
        }
    }
    out
}

/// `validate`: one OK finding per target with maintenance windows, saying the window open now or the
/// next one to open (check `maintenance`, section config).
pub fn findings(targets: &[Target], now: DateTime<Utc>) -> Vec<Finding> {
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut out = Vec::new();
    for t in targets.iter().filter(|t| !t.maintenance.is_empty()) {
        let soonest = t
            .maintenance
            .iter()
            .filter_map(|w| next(w, now).map(|span| (span, w)))
            .min_by_key(|((from, _), _)| *from);
        let message = match soonest {
            Some(((from, until), w)) if from <= now => format!(
                "maintenance window open until {} ({}): alerts are silenced",
                stamp(until),
                w.describe()
            ),
            Some(((from, until), w)) => format!(
                "next maintenance window {} to {} ({}, in {})",
                stamp(from),
                stamp(until),
                w.describe(),
                crate::model::human::span((from - now).to_std().unwrap_or_default())
            ),
            None => format!(
                "no maintenance window to come ({} passed)",
                t.maintenance.len()
            ),
        };
        out.push(Finding::new(
            &t.name,
            Kind::Config,
            "maintenance",
            Status::Ok,
            None,
            message,
        ));
    }
    out
}

/// The occurrences of `w` opening on the local days `days` around `now`'s local date.
fn occurrences(
    w: &Window,
    now: DateTime<Utc>,
    days: std::ops::RangeInclusive<i64>,
) -> Box<dyn Iterator<Item = Span> + '_> {
    match w {
        Window::Once { from, until } => Box::new(std::iter::once((*from, *until))),
        Window::Every {
            days: on,
            from,
            length,
            tz,
        } => {
            let today = tz.date_at(now);
            let length = chrono::Duration::from_std(*length).unwrap_or(chrono::Duration::zero());
            Box::new(days.filter_map(move |d| {
                let date = shift(today, d)?;
                if !on.contains(&date.weekday()) {
                    return None;
                }
                let start = tz.instant(date.and_time(*from))?;
                Some((start, start.checked_add_signed(length)?))
            }))
        }
    }
}

fn shift(date: NaiveDate, by: i64) -> Option<NaiveDate> {
    let n = Days::new(by.unsigned_abs());
    if by < 0 {
        date.checked_sub_days(n)
    } else {
        date.checked_add_days(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::zone::Zone;
    use chrono::{NaiveTime, Weekday};
    use std::time::Duration;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn sunday_2am_berlin(length_s: u64) -> Window {
        Window::Every {
            days: vec![Weekday::Sun],
            from: NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
            length: Duration::from_secs(length_s),
            tz: Zone::named("Europe/Berlin").unwrap(),
        }
    }

    #[test]
    fn a_weekly_window_opens_and_closes_on_the_clock_it_is_given() {
        let w = sunday_2am_berlin(3600);
        // Sunday 2026-12-06, 02:00 CET is 01:00 UTC
        assert_eq!(open_at(&w, at("2026-12-06T00:59:59Z")), None);
        let open = (at("2026-12-06T01:00:00Z"), at("2026-12-06T02:00:00Z"));
        assert_eq!(open_at(&w, at("2026-12-06T01:00:00Z")), Some(open));
        assert_eq!(open_at(&w, at("2026-12-06T01:59:59Z")), Some(open));
        assert_eq!(
            open_at(&w, at("2026-12-06T02:00:00Z")),
            None,
            "closed again"
        );
        // the next one, from a Tuesday: the coming Sunday; from inside: the open one
        assert_eq!(next(&w, at("2026-12-01T19:00:00Z")), Some(open));
        assert_eq!(next(&w, at("2026-12-06T01:30:00Z")), Some(open));
        assert_eq!(
            next(&w, at("2026-12-06T02:00:00Z")).map(|s| s.0),
            Some(at("2026-12-13T01:00:00Z"))
        );
        // in summer the same local time is an hour earlier in UTC
        assert_eq!(
            next(&w, at("2026-07-01T00:00:00Z")).map(|s| s.0),
            Some(at("2026-07-05T00:00:00Z"))
        );
    }

    #[test]
    fn a_window_at_a_time_that_does_not_exist_opens_when_the_clocks_jump() {
        // 2027-03-28: Berlin skips 02:00–03:00 (01:00 UTC is 03:00 CEST); a 02:30 window opens then
        let w = Window::Every {
            days: vec![Weekday::Sun],
            from: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
            length: Duration::from_secs(3600),
            tz: Zone::named("Europe/Berlin").unwrap(),
        };
        let span = next(&w, at("2027-03-27T12:00:00Z"));
        assert_eq!(
            span,
            Some((at("2027-03-28T01:00:00Z"), at("2027-03-28T02:00:00Z")))
        );
        // 2026-10-25: 02:00–03:00 happens twice; the window opens at the first (CEST, 00:00 UTC) and
        // lasts an hour of real time
        let w = sunday_2am_berlin(3600);
        let span = next(&w, at("2026-10-24T12:00:00Z"));
        assert_eq!(
            span,
            Some((at("2026-10-25T00:00:00Z"), at("2026-10-25T01:00:00Z")))
        );
        assert!(open_at(&w, at("2026-10-25T00:30:00Z")).is_some());
        assert!(open_at(&w, at("2026-10-25T01:30:00Z")).is_none());
    }

    #[test]
    fn a_window_across_midnight_and_a_one_off_window() {
        let w = Window::Every {
            days: vec![Weekday::Sat],
            from: NaiveTime::from_hms_opt(23, 0, 0).unwrap(),
            length: Duration::from_secs(3 * 3600),
            tz: Zone::utc(),
        };
        // open on Sunday 01:00, opened on Saturday
        assert_eq!(
            open_at(&w, at("2026-12-06T01:00:00Z")).map(|s| s.0),
            Some(at("2026-12-05T23:00:00Z"))
        );
        let once = Window::Once {
            from: at("2026-12-24T22:00:00Z"),
            until: at("2026-12-25T02:00:00Z"),
        };
        assert!(open_at(&once, at("2026-12-24T21:59:59Z")).is_none());
        assert!(open_at(&once, at("2026-12-25T01:00:00Z")).is_some());
        assert!(open_at(&once, at("2026-12-25T02:00:00Z")).is_none());
        assert_eq!(next(&once, at("2026-12-26T00:00:00Z")), None, "passed");
    }
}
