//! Suppressed by: what silences and open maintenance windows do to an `alerts` run. The alert memory
//! (`alerting::evaluate`) runs as always, so a silenced check still goes pending, fires and resolves;
//! this step then mutes what a `Mute` matches: the alert is shown (its finding OK, with the level it
//! fires at in `Finding::silenced`), its events are held back (no notification), and it does not count
//! toward the exit code. When the mute ends, the receivers are told what changed meanwhile (a firing
//! they never heard of, a resolution of one they did), once.
//!
//! Pure: the findings, the state, the mutes in force and the time come in. Must not decide which
//! mutes are in force (`rules::maintenance`, `model::Silence::active`), nor read or write files.

use super::alerting::{Evaluated, key};
use crate::model::{AlertEvent, AlertState, Event, Finding, Held, Mute, Status};
use std::collections::{BTreeMap, HashMap};

/// The step around `alerting::evaluate`: `before` it (what the receivers know), `after` it (mute).
#[derive(Debug, Default)]
pub struct Gate {
    /// By alert key: the mute in force and what the receivers were told before it.
    muted: HashMap<String, (Mute, Option<Status>)>,
    /// Alerts held back by a mute that has ended: what the receivers were told before it.
    released: HashMap<String, Option<Status>>,
}

impl Gate {
    /// Looks at this run's findings before the alert memory advances: which ones a mute matches
    /// (the first that does), and what the receivers of each muted or formerly muted alert know.
    pub fn before(
        findings: &[Finding],
        alerts: &BTreeMap<String, AlertState>,
        mutes: &[Mute],
    ) -> Gate {
        let mut gate = Gate::default();
        for f in findings {
            let k = key(f);
            let state = alerts.get(&k);
            let told = match state {
                Some(AlertState { held: Some(h), .. }) => h.told,
                Some(s) => s.firing,
                None => None,
            };
            match mutes.iter().find(|m| m.matcher.matches(f)) {
                Some(m) => {
                    gate.muted.insert(k, (m.clone(), told));
                }
                None if state.is_some_and(|s| s.held.is_some()) => {
                    gate.released.insert(k, told);
                }
                None => {}
            }
        }
        gate
    }

    /// Mutes the evaluated run: muted alerts lose their events and are marked silenced (OK in the
    /// exit code); alerts whose mute ended get the one event that brings their receivers up to date.
    pub fn after(
        self,
        out: &mut Evaluated,
        alerts: &mut BTreeMap<String, AlertState>,
        now_ms: i64,
    ) {
        let Gate { muted, released } = self;
        out.events.retain(|e| {
            let k = event_key(e);
            // a released alert's own level events are replaced by the catch-up below
            let caught_up = released.contains_key(&k) && is_level(e.event);
            !(muted.contains_key(&k) || caught_up)
        });
        for f in &mut out.findings {
            let k = base_key(f);
            if let Some((m, _)) = muted.get(&k) {
                if f.status != Status::Ok {
                    f.silenced = Some(Box::new(m.silenced(f.status)));
                    f.status = Status::Ok;
                    f.reason = None;
                }
            } else if let Some(told) = released.get(&k) {
                let Some(state) = alerts.get_mut(&k) else {
                    continue;
                };
                state.held = None;
                if f.check.ends_with(FLAPPING) {
                    continue;
                }
                if let Some(event) = catch_up(*told, state.firing) {
                    state.notified_at_ms = Some(now_ms);
                    out.events.push(AlertEvent {
                        target: f.target.clone(),
                        probe: f.probe,
                        check: f.check.clone(),
                        event,
                        status: state.firing.unwrap_or(Status::Ok),
                        message: f.message.clone(),
                    });
                }
            }
        }
        for (k, (_, told)) in muted {
            if let Some(state) = alerts.get_mut(&k) {
                state.held = Some(Held { told });
            }
        }
    }
}

const FLAPPING: &str = ":flapping";

/// The event that takes receivers who know `told` to `now`, if they differ.
fn catch_up(told: Option<Status>, now: Option<Status>) -> Option<Event> {
    match (told, now) {
        (None, Some(level)) => Some(Event::Firing(level)),
        (Some(_), None) => Some(Event::Resolved),
        (Some(old), Some(level)) if level > old => Some(Event::Escalated(level)),
        (Some(old), Some(level)) if level < old => Some(Event::Deescalated(level)),
        _ => None,
    }
}

/// An event about the alert's level (what the catch-up replaces), not a reminder or flapping.
fn is_level(e: Event) -> bool {
    matches!(
        e,
        Event::Firing(_) | Event::Escalated(_) | Event::Deescalated(_) | Event::Resolved
    )
}

/// The key of the alert a finding belongs to (a flapping alert belongs to its check's).
fn base_key(f: &Finding) -> String {
    let check = f.check.strip_suffix(FLAPPING).unwrap_or(&f.check);
    format!("{}/{}/{}", f.target, f.probe.as_str(), check)
}

fn event_key(e: &AlertEvent) -> String {
    let check = e.check.strip_suffix(FLAPPING).unwrap_or(&e.check);
    format!("{}/{}/{}", e.target, e.probe.as_str(), check)
}

#[cfg(test)]
mod tests {
    use super::super::alerting::{Policy, evaluate};
    use super::*;
    use crate::model::{Kind, Matcher};

    const MIN: i64 = 60_000;

    fn finding(target: &str, status: Status) -> Finding {
        Finding::new(target, Kind::Mcp, "liveness", status, None, "down".into())
    }

    fn mute(pattern: &str, until_ms: i64) -> Mute {
        Mute {
            matcher: Matcher::Glob(pattern.into()),
            by: "silence 0a1b2c3d".into(),
            until: chrono::DateTime::from_timestamp_millis(until_ms).unwrap_or_default(),
            comment: Some("deploy".into()),
        }
    }

    /// One `alerts` run with the gate around the alert memory, as `commands::alerts` does it.
    fn run(
        findings: Vec<Finding>,
        alerts: &mut BTreeMap<String, AlertState>,
        now: i64,
        mutes: &[Mute],
    ) -> Evaluated {
        let gate = Gate::before(&findings, alerts, mutes);
        let mut out = evaluate(findings, alerts, now, &Policy::default(), None);
        gate.after(&mut out, alerts, now);
        out
    }

    fn worst(out: &Evaluated) -> Status {
        crate::model::worst(out.findings.iter().map(|f| f.status))
    }

    fn events(out: &Evaluated) -> Vec<(String, Event)> {
        out.events
            .iter()
            .map(|e| (e.target.clone(), e.event))
            .collect()
    }

    #[test]
    fn a_silenced_alert_is_shown_but_neither_notified_nor_counted_and_the_silence_expires() {
        let mut alerts = BTreeMap::new();
        let silence = [mute("web-*", 30 * MIN)];
        let bad = || vec![finding("web-1", Status::Crit), finding("api", Status::Warn)];
        // silenced: web-1 fires (state) but says nothing and counts as OK; api is not silenced
        let out = run(bad(), &mut alerts, 0, &silence);
        assert_eq!(events(&out), [("api".into(), Event::Firing(Status::Warn))]);
        assert_eq!(worst(&out), Status::Warn, "the exit code is api's alone");
        let web = &out.findings[0];
        assert_eq!(web.status, Status::Ok);
        let s = web.silenced.as_deref().expect("marked silenced");
        assert_eq!(
            (s.status, s.by.as_str(), s.comment.as_deref()),
            (Status::Crit, "silence 0a1b2c3d", Some("deploy"))
        );
        assert_eq!(alerts["web-1/mcp/liveness"].firing, Some(Status::Crit));
        // still silenced ten minutes later: still nothing
        let out = run(bad(), &mut alerts, 10 * MIN, &silence);
        assert!(events(&out).is_empty());
        // the silence has expired (the caller no longer passes it): the page goes out now, once
        let out = run(bad(), &mut alerts, 40 * MIN, &[]);
        assert_eq!(
            events(&out),
            [("web-1".into(), Event::Firing(Status::Crit))]
        );
        assert_eq!(worst(&out), Status::Crit);
        assert!(out.findings[0].silenced.is_none());
        let out = run(bad(), &mut alerts, 50 * MIN, &[]);
        assert!(events(&out).is_empty(), "told once");
    }

    #[test]
    fn what_changed_under_a_silence_is_told_when_it_ends_and_nothing_else() {
        // fired before the silence, resolved during it: the receivers hear "resolved" afterwards
        let mut alerts = BTreeMap::new();
        let m = [mute("api/liveness", i64::MAX)];
        let out = run(vec![finding("api", Status::Crit)], &mut alerts, 0, &[]);
        assert_eq!(events(&out), [("api".into(), Event::Firing(Status::Crit))]);
        let out = run(vec![finding("api", Status::Ok)], &mut alerts, MIN, &m);
        assert!(events(&out).is_empty(), "the resolution is held back");
        let out = run(vec![finding("api", Status::Ok)], &mut alerts, 2 * MIN, &[]);
        assert_eq!(events(&out), [("api".into(), Event::Resolved)]);
        assert_eq!(alerts["api/mcp/liveness"].held, None);
        // fired and resolved inside a silence: nobody is told anything, then or after
        let mut alerts = BTreeMap::new();
        run(vec![finding("api", Status::Crit)], &mut alerts, 0, &m);
        run(vec![finding("api", Status::Ok)], &mut alerts, MIN, &m);
        let out = run(vec![finding("api", Status::Ok)], &mut alerts, 2 * MIN, &[]);
        assert!(events(&out).is_empty());
        // escalated under the silence: told as an escalation
        let mut alerts = BTreeMap::new();
        run(vec![finding("api", Status::Warn)], &mut alerts, 0, &[]);
        run(vec![finding("api", Status::Crit)], &mut alerts, MIN, &m);
        let out = run(
            vec![finding("api", Status::Crit)],
            &mut alerts,
            2 * MIN,
            &[],
        );
        assert_eq!(
            events(&out),
            [("api".into(), Event::Escalated(Status::Crit))]
        );
    }

    #[test]
    fn a_target_window_mutes_only_that_target() {
        let mut alerts = BTreeMap::new();
        let m = [Mute {
            matcher: Matcher::Target("web-1".into()),
            ..mute("", i64::MAX)
        }];
        let out = run(
            vec![
                finding("web-1", Status::Crit),
                finding("web-10", Status::Crit),
            ],
            &mut alerts,
            0,
            &m,
        );
        assert_eq!(
            events(&out),
            [("web-10".into(), Event::Firing(Status::Crit))]
        );
    }
}
