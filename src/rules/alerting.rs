//! Alert memory across runs: a check must stay bad for `for` (and `consecutive` runs) before it fires,
//! and good for `recover_after` runs before it resolves — so a cron job every 10 minutes behaves like a
//! daemon would, without paging on one bad sample or resolving on one good one.
//!
//! Pure: the previous state, this run's status and the time come in; the next state and the event go
//! out. Storing the state is `store::alerts`.

use crate::model::{
    AlertEvent, AlertState, CheckId, Event, Finding, Pending, Reason, Status, Unit,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// How eagerly a bad check becomes an alert.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// How long a check must stay bad before it fires (the runbook rule: "disconnected > 5 minutes").
    pub for_: Duration,
    /// How many consecutive bad runs before it fires (the runbook rule: "> 3 consecutive failures").
    pub consecutive: u32,
    /// How many consecutive good runs before a firing alert resolves (hysteresis).
    pub recover_after: u32,
    /// A check that changed between good and bad more than `flap_changes` times within `flap_window`
    /// is flapping, which is its own alert.
    pub flap_changes: u32,
    pub flap_window: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            for_: Duration::ZERO,
            consecutive: 1,
            recover_after: 1,
            // the runbook rule: more than 3 disconnect/reconnect cycles, i.e. more than 6 changes, in an hour
            flap_changes: 6,
            flap_window: Duration::from_secs(3600),
        }
    }
}

/// The outcome of one run for one check.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub state: AlertState,
    pub event: Option<Event>,
    /// The alert's status this run: the firing level, or OK while pending or clear.
    pub status: Status,
    /// Why, in words: "firing since …", "pending: 2 of 3 bad runs", "recovering: 1 of 2 good runs".
    pub note: String,
    /// Changes within the window, when more than the policy allows (the check is flapping).
    pub flapping: Option<usize>,
    /// The check started flapping this run.
    pub started_flapping: bool,
}

/// Alert states not seen for this long are forgotten (a target removed from the config).
pub const FORGET_AFTER_MS: i64 = 7 * 24 * 3600 * 1000;

/// One run of every check through its alert memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// The findings as alerts: the firing level (OK while pending or clear), with the alert's note.
    pub findings: Vec<Finding>,
    /// What changed this run (fired, escalated, resolved, started flapping) and the reminders due.
    pub events: Vec<AlertEvent>,
    /// Checks that are bad but not firing (yet), with why.
    pub pending: Vec<Pending>,
}

/// The alerts firing after `evaluate`: its findings that are not OK, each with when it fired (from the
/// state; the run's time when the state does not say).
pub fn firing(
    findings: &[Finding],
    alerts: &BTreeMap<String, AlertState>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<crate::model::Firing> {
    findings
        .iter()
        .filter(|f| f.status != Status::Ok)
        .map(|f| crate::model::Firing {
            target: f.target.clone(),
            probe: f.probe,
            check: f.check.clone(),
            status: f.status,
            message: f.message.clone(),
            since: alerts
                .get(&key(f))
                .and_then(|a| a.fired_at_ms)
                .and_then(chrono::DateTime::from_timestamp_millis)
                .unwrap_or(now),
        })
        .collect()
}

/// The key of a check's alert in `alerts.json`: `target/probe/check`.
pub fn key(f: &Finding) -> String {
    format!("{}/{}/{}", f.target, f.probe.as_str(), f.check)
}

/// Turns a health round's findings into alerts, advancing each check's state in `alerts` (by `key`);
/// `repeat` sends a reminder for an alert still firing once per period. States not seen for a week
/// are forgotten.
pub fn evaluate(
    health: Vec<Finding>,
    alerts: &mut BTreeMap<String, AlertState>,
    now_ms: i64,
    policy: &Policy,
    repeat: Option<Duration>,
) -> Evaluated {
    let mut out = Evaluated {
        findings: Vec::with_capacity(health.len()),
        events: Vec::new(),
        pending: Vec::new(),
    };
    for f in health {
        let key = key(&f);
        let mut step = step(alerts.get(&key), f.status, now_ms, policy);
        // a reminder for an alert still firing, once per `repeat`
        let remind = step.event.is_none()
            && step.status != Status::Ok
            && step.state.firing.is_some()
            && repeat.is_some_and(|r| {
                step.state
                    .notified_at_ms
                    .is_none_or(|t| now_ms.saturating_sub(t) >= millis(r))
            });
        if step.event.is_some() || remind {
            step.state.notified_at_ms = Some(now_ms);
        }
        let event = |event: Event, check: &CheckId, status: Status, message: &str| AlertEvent {
            target: f.target.clone(),
            probe: f.probe,
            check: check.clone(),
            event,
            status,
            message: message.to_string(),
        };
        if remind {
            out.events.push(event(
                Event::Repeat(step.status),
                &f.check,
                step.status,
                &f.message,
            ));
        }
        if let Some(e) = step.event {
            out.events.push(event(e, &f.check, step.status, &f.message));
        }
        if let Some(changes) = step.flapping {
            // flapping is its own alert: it fires while the check keeps changing, whatever its state now
            let msg = format!(
                "changed between good and bad {changes} times within {}",
                human(policy.flap_window)
            );
            let flap = Finding::new(
                &f.target,
                f.probe,
                format!("{}:flapping", f.check),
                Status::Warn,
                Some(Reason::Flapping),
                msg.clone(),
            )
            .value(changes as f64)
            .unit(Unit::Count)
            .bounds(Some(f64::from(policy.flap_changes)), None);
            if step.started_flapping {
                out.events
                    .push(event(Event::Flapping, &flap.check, Status::Warn, &msg));
            }
            out.findings.push(flap);
        }
        if step.status == Status::Ok && f.status != Status::Ok {
            out.pending.push(Pending {
                status: f.status,
                target: f.target.clone(),
                check: f.check.clone(),
                message: f.message.clone(),
                note: step.note.clone(),
            });
        }
        let mut a = f;
        if !step.note.is_empty() {
            a.message = format!("{} ({})", a.message, step.note);
        }
        if step.status == Status::Ok {
            a.reason = None;
        }
        a.status = step.status;
        alerts.insert(key, step.state);
        out.findings.push(a);
    }
    alerts.retain(|_, s| now_ms.saturating_sub(s.seen_at_ms) < FORGET_AFTER_MS);
    out
}

/// One notification channel's escalation rule: its id in `AlertState::notified`, how long an alert
/// must have been firing before the channel hears of it (`after`; zero: at once) and how often it is
/// reminded of an alert still firing (`repeat`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub id: String,
    pub after: Duration,
    pub repeat: Option<Duration>,
}

/// What each channel is told this run (one list per route, in `routes` order), from the run's events
/// and the alerts firing after it, updating each alert's per-channel `notified` times:
///
/// - a firing alert reaches a channel once it has fired `after` ago (`firing`, at its current level),
///   then level changes, and a `repeat` reminder once per period;
/// - a resolve goes to exactly the channels that were told of the alert, and clears that memory;
/// - `flapping` goes to the channels without a delay (it is a warning about the check, not an alert
///   that lasts).
///
/// Pure: `now_ms` is the run's time (tests pass a fake clock).
pub fn route(
    events: &[AlertEvent],
    firing: &[crate::model::Firing],
    alerts: &mut BTreeMap<String, AlertState>,
    now_ms: i64,
    routes: &[Route],
) -> Vec<Vec<AlertEvent>> {
    let mut out: Vec<Vec<AlertEvent>> = vec![Vec::new(); routes.len()];
    let event_key = |e: &AlertEvent| format!("{}/{}/{}", e.target, e.probe.as_str(), e.check);
    for e in events {
        match e.event {
            Event::Resolved => {
                let told = alerts
                    .get_mut(&event_key(e))
                    .map(|s| std::mem::take(&mut s.notified))
                    .unwrap_or_default();
                for (r, list) in routes.iter().zip(out.iter_mut()) {
                    if told.contains_key(&r.id) {
                        list.push(e.clone());
                    }
                }
            }
            Event::Flapping => {
                for (r, list) in routes.iter().zip(out.iter_mut()) {
                    if r.after.is_zero() {
                        list.push(e.clone());
                    }
                }
            }
            // the firing alerts below say these, per channel
            Event::Firing(_) | Event::Escalated(_) | Event::Deescalated(_) | Event::Repeat(_) => {}
            // a remediation's outcome is a notification of its own (`commands::alerts`)
            Event::Action | Event::ActionFailed | Event::ActionSkipped | Event::ActionDryRun => {}
        }
    }
    for f in firing {
        let key = format!("{}/{}/{}", f.target, f.probe.as_str(), f.check);
        let Some(state) = alerts.get_mut(&key) else {
            // a `:flapping` finding has no alert state of its own
            continue;
        };
        let Some(fired_at) = state.fired_at_ms else {
            continue;
        };
        let firing_for = now_ms.saturating_sub(fired_at);
        // this run's own event for the alert (its message is the check's, without the alert's note)
        let this_run = events
            .iter()
            .find(|e| event_key(e) == key && !matches!(e.event, Event::Resolved | Event::Flapping));
        let changed = this_run.filter(|e| e.event.is_level_change());
        for (r, list) in routes.iter().zip(out.iter_mut()) {
            let event = |event: Event| AlertEvent {
                target: f.target.clone(),
                probe: f.probe,
                check: f.check.clone(),
                event,
                status: f.status,
                message: f.message.clone(),
            };
            let told = match state.notified.get(&r.id) {
                None if firing_for >= millis(r.after) => Some(match this_run {
                    Some(e) if matches!(e.event, Event::Firing(_)) => e.clone(),
                    _ => event(Event::Firing(f.status)),
                }),
                None => None,
                Some(_) if changed.is_some() => changed.cloned(),
                Some(&at) => r
                    .repeat
                    .filter(|p| now_ms.saturating_sub(at) >= millis(*p))
                    .map(|_| event(Event::Repeat(f.status))),
            };
            if let Some(e) = told {
                list.push(e);
                state.notified.insert(r.id.clone(), now_ms);
            }
        }
    }
    out
}

/// Advances one check's alert by one run.
pub fn step(prev: Option<&AlertState>, status: Status, now_ms: i64, p: &Policy) -> Step {
    let mut s = prev.cloned().unwrap_or_default();
    let first = prev.is_none();
    s.seen_at_ms = now_ms;
    let bad = status != Status::Ok;
    if !first && bad != s.was_bad {
        s.changes_ms.push(now_ms);
    }
    s.was_bad = bad;
    let window = millis(p.flap_window);
    s.changes_ms.retain(|t| now_ms.saturating_sub(*t) < window);
    let keep = (p.flap_changes as usize + 1) * 2;
    if s.changes_ms.len() > keep {
        let extra = s.changes_ms.len() - keep;
        s.changes_ms.drain(..extra);
    }
    let flapping = (s.changes_ms.len() > p.flap_changes as usize).then_some(s.changes_ms.len());
    let started_flapping = flapping.is_some() && !s.flapping;
    s.flapping = flapping.is_some();
    let mut out = advance(s, status, now_ms, p);
    out.flapping = flapping;
    out.started_flapping = started_flapping;
    out
}

/// The pending/firing/recovering part of `step`.
fn advance(mut s: AlertState, status: Status, now_ms: i64, p: &Policy) -> Step {
    let was = s.firing;
    if status == Status::Ok {
        s.bad_runs = 0;
        s.bad_since_ms = None;
        s.good_runs = s.good_runs.saturating_add(1);
        return match was {
            Some(level) if s.good_runs < p.recover_after => Step {
                flapping: None,
                started_flapping: false,
                note: format!(
                    "recovering: {} of {} good runs",
                    s.good_runs, p.recover_after
                ),
                state: s,
                event: None,
                status: level,
            },
            Some(_) => {
                s.firing = None;
                s.resolved_at_ms = Some(now_ms);
                Step {
                    flapping: None,
                    started_flapping: false,
                    state: s,
                    event: Some(Event::Resolved),
                    status: Status::Ok,
                    note: "resolved".into(),
                }
            }
            None => Step {
                flapping: None,
                started_flapping: false,
                state: s,
                event: None,
                status: Status::Ok,
                note: String::new(),
            },
        };
    }
    s.good_runs = 0;
    s.bad_runs = s.bad_runs.saturating_add(1);
    let since = *s.bad_since_ms.get_or_insert(now_ms);
    let bad_for = Duration::from_millis(now_ms.saturating_sub(since).max(0) as u64);
    let due = s.bad_runs >= p.consecutive && bad_for >= p.for_;
    match was {
        Some(old) if old == status => Step {
            flapping: None,
            started_flapping: false,
            note: format!("firing since {}", fmt_ms(s.fired_at_ms.unwrap_or(since))),
            state: s,
            event: None,
            status,
        },
        Some(old) => {
            s.firing = Some(status);
            let event = if status > old {
                Event::Escalated(status)
            } else {
                Event::Deescalated(status)
            };
            Step {
                flapping: None,
                started_flapping: false,
                state: s,
                event: Some(event),
                status,
                note: format!("{} to {}", event.as_str(), status.label()),
            }
        }
        None if due => {
            s.firing = Some(status);
            s.fired_at_ms = Some(now_ms);
            Step {
                flapping: None,
                started_flapping: false,
                state: s,
                event: Some(Event::Firing(status)),
                status,
                note: "firing".into(),
            }
        }
        None => {
            let mut why = Vec::new();
            if s.bad_runs < p.consecutive {
                why.push(format!("{} of {} bad runs", s.bad_runs, p.consecutive));
            }
            if bad_for < p.for_ {
                why.push(format!("bad for {} of {}", human(bad_for), human(p.for_)));
            }
            Step {
                flapping: None,
                started_flapping: false,
                note: format!("pending: {}", why.join(", ")),
                state: s,
                event: None,
                status: Status::Ok,
            }
        }
    }
}

/// A duration in whole milliseconds, `i64::MAX` when it is longer than that.
fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

use crate::model::human::time as human;

fn fmt_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AlertState, Event};

    const MIN: i64 = 60_000;

    fn run(states: &[Status], every_ms: i64, p: &Policy) -> Vec<Step> {
        let mut prev: Option<AlertState> = None;
        let mut out = Vec::new();
        for (i, s) in states.iter().enumerate() {
            let st = step(prev.as_ref(), *s, i as i64 * every_ms, p);
            prev = Some(st.state.clone());
            out.push(st);
        }
        out
    }

    /// `alerts.json` is read from disk: any time in it, however far off, is arithmetic that must not
    /// overflow (found by the `alerts_state` fuzz target: `now - seen_at_ms` with `i64::MIN`).
    #[test]
    fn times_from_a_hand_edited_state_do_not_overflow() {
        let odd = AlertState {
            firing: Some(Status::Crit),
            bad_since_ms: Some(i64::MIN),
            fired_at_ms: Some(i64::MAX),
            seen_at_ms: i64::MIN,
            changes_ms: vec![i64::MIN, i64::MAX],
            notified_at_ms: Some(i64::MIN),
            ..AlertState::default()
        };
        let f = Finding::new(
            "a",
            crate::model::Kind::Mcp,
            "liveness",
            Status::Crit,
            None,
            "down".into(),
        );
        let key = key(&f);
        for now in [i64::MIN, 0, i64::MAX] {
            let mut alerts = BTreeMap::from([(key.clone(), odd.clone())]);
            let p = Policy {
                flap_window: Duration::MAX,
                ..Policy::default()
            };
            let out = evaluate(vec![f.clone()], &mut alerts, now, &p, Some(Duration::MAX));
            assert_eq!(out.findings.len(), 1);
        }
        // a time far in the past is outside any window: the old changes are dropped, the state forgotten
        let mut alerts = BTreeMap::from([("gone".to_string(), odd.clone())]);
        evaluate(Vec::new(), &mut alerts, 0, &Policy::default(), None);
        assert!(alerts.is_empty());
        let st = step(Some(&odd), Status::Ok, 0, &Policy::default());
        assert_eq!(st.state.changes_ms, vec![i64::MAX]);
    }

    #[test]
    fn fires_at_once_by_default_and_resolves_on_the_first_good_run() {
        let steps = run(
            &[Status::Ok, Status::Crit, Status::Crit, Status::Ok],
            MIN,
            &Policy::default(),
        );
        let events: Vec<Option<Event>> = steps.iter().map(|s| s.event).collect();
        assert_eq!(
            events,
            [
                None,
                Some(Event::Firing(Status::Crit)),
                None,
                Some(Event::Resolved)
            ]
        );
        assert_eq!(steps[2].status, Status::Crit);
        assert!(steps[2].note.starts_with("firing since"));
    }

    #[test]
    fn for_five_minutes_with_a_ten_minute_cron() {
        // the runbook rule: "MCP server disconnected > 5 minutes": the first bad run is pending, the next one fires
        let p = Policy {
            for_: Duration::from_secs(300),
            ..Policy::default()
        };
        let steps = run(&[Status::Crit, Status::Crit, Status::Crit], 10 * MIN, &p);
        assert_eq!(steps[0].status, Status::Ok);
        assert_eq!(steps[0].note, "pending: bad for 0 ms of 5 min");
        assert_eq!(steps[1].event, Some(Event::Firing(Status::Crit)));
        assert_eq!(steps[2].event, None);
    }

    #[test]
    fn consecutive_failures_and_a_good_run_resets_the_streak() {
        let p = Policy {
            consecutive: 3,
            ..Policy::default()
        };
        let s = [
            Status::Crit,
            Status::Crit,
            Status::Ok,
            Status::Crit,
            Status::Crit,
            Status::Crit,
        ];
        let steps = run(&s, MIN, &p);
        let fired: Vec<usize> = steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.event.is_some())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(fired, [5]);
        assert_eq!(steps[1].note, "pending: 2 of 3 bad runs");
    }

    #[test]
    fn hysteresis_needs_several_good_runs() {
        let p = Policy {
            recover_after: 2,
            ..Policy::default()
        };
        let steps = run(
            &[
                Status::Warn,
                Status::Ok,
                Status::Warn,
                Status::Ok,
                Status::Ok,
            ],
            MIN,
            &p,
        );
        assert_eq!(steps[1].status, Status::Warn, "one good run is not enough");
        assert_eq!(steps[1].note, "recovering: 1 of 2 good runs");
        assert_eq!(steps[2].event, None, "still the same alert: no new page");
        assert_eq!(steps[4].event, Some(Event::Resolved));
        assert!(
            steps[4].state.resolved_at_ms.is_some(),
            "the resolve time is kept"
        );
        assert!(steps[3].state.resolved_at_ms.is_none());
    }

    #[test]
    fn escalation_and_deescalation_are_events() {
        let steps = run(
            &[Status::Warn, Status::Crit, Status::Warn],
            MIN,
            &Policy::default(),
        );
        assert_eq!(steps[1].event, Some(Event::Escalated(Status::Crit)));
        assert_eq!(steps[2].event, Some(Event::Deescalated(Status::Warn)));
    }

    #[test]
    fn flapping_is_counted_within_the_window() {
        let p = Policy {
            flap_changes: 3,
            flap_window: Duration::from_secs(3600),
            ..Policy::default()
        };
        let states = [
            Status::Ok,
            Status::Crit,
            Status::Ok,
            Status::Crit,
            Status::Ok,
            Status::Crit,
        ];
        let steps = run(&states, MIN, &p);
        let flapping: Vec<Option<usize>> = steps.iter().map(|s| s.flapping).collect();
        assert_eq!(flapping, [None, None, None, None, Some(4), Some(5)]);
        let started: Vec<bool> = steps.iter().map(|s| s.started_flapping).collect();
        assert_eq!(
            started,
            [false, false, false, false, true, false],
            "the flapping alert starts once"
        );
        // the same changes spread over more than the window are not flapping
        let slow = run(&states, 30 * MIN, &p);
        assert!(slow.iter().all(|s| s.flapping.is_none()));
    }

    #[test]
    fn a_firing_level_mcpmon_does_not_know_is_still_firing_never_ok() {
        let state: AlertState = serde_json::from_str(
            r#"{"firing":"degraded","bad_since_ms":0,"bad_runs":3,"good_runs":0,"fired_at_ms":0,"seen_at_ms":0,"was_bad":true}"#,
        )
        .unwrap();
        assert_eq!(state.firing, Some(Status::Unknown));
        let p = Policy::default();
        // still bad at that level: no event, still firing
        let s = step(Some(&state), Status::Unknown, 60_000, &p);
        assert_eq!((s.event, s.status), (None, Status::Unknown));
        // a warning is milder than UNKNOWN: de-escalated, not escalated from OK
        let s = step(Some(&state), Status::Warn, 60_000, &p);
        assert_eq!(s.event, Some(Event::Deescalated(Status::Warn)));
        // good again: the alert that was firing resolves
        let s = step(Some(&state), Status::Ok, 60_000, &p);
        assert_eq!(s.event, Some(Event::Resolved));
    }

    /// The on-call ladder: L1 at once, L2 after 15 minutes (reminded every 30), L3 after an hour; a cron
    /// run every 5 minutes (a fake clock: `now` is passed in).
    fn ladder() -> Vec<Route> {
        vec![
            Route {
                id: "l1".into(),
                after: Duration::ZERO,
                repeat: None,
            },
            Route {
                id: "l2".into(),
                after: Duration::from_secs(15 * 60),
                repeat: Some(Duration::from_secs(30 * 60)),
            },
            Route {
                id: "l3".into(),
                after: Duration::from_secs(3600),
                repeat: None,
            },
        ]
    }

    /// One run at `minute` with `gw` at `status`: what each rung is told, as `event` words.
    fn run_at(
        alerts: &mut BTreeMap<String, AlertState>,
        minute: i64,
        status: Status,
        routes: &[Route],
    ) -> Vec<Vec<&'static str>> {
        let f = Finding::new(
            "gw",
            crate::model::Kind::Mcp,
            "connect",
            status,
            None,
            "down".into(),
        );
        let now_ms = minute * MIN;
        let ev = evaluate(vec![f], alerts, now_ms, &Policy::default(), None);
        let now = chrono::DateTime::from_timestamp_millis(now_ms).unwrap();
        let fi = firing(&ev.findings, alerts, now);
        route(&ev.events, &fi, alerts, now_ms, routes)
            .iter()
            .map(|l| l.iter().map(|e| e.event.as_str()).collect())
            .collect()
    }

    #[test]
    fn escalation_tells_each_channel_at_its_time_and_resolves_only_to_those_told() {
        let mut alerts = BTreeMap::new();
        let r = ladder();
        let none: Vec<&str> = Vec::new();
        assert_eq!(
            run_at(&mut alerts, 0, Status::Crit, &r),
            [vec!["firing"], none.clone(), none.clone()]
        );
        assert_eq!(
            run_at(&mut alerts, 5, Status::Crit, &r),
            [none.clone(), none.clone(), none.clone()]
        );
        assert_eq!(
            run_at(&mut alerts, 10, Status::Crit, &r),
            [none.clone(), none.clone(), none.clone()]
        );
        // 15 minutes firing: L2 now
        assert_eq!(
            run_at(&mut alerts, 15, Status::Crit, &r),
            [none.clone(), vec!["firing"], none.clone()]
        );
        assert_eq!(
            run_at(&mut alerts, 40, Status::Crit, &r),
            [none.clone(), none.clone(), none.clone()]
        );
        // L2's reminder 30 minutes after it was told
        assert_eq!(
            run_at(&mut alerts, 45, Status::Crit, &r),
            [none.clone(), vec!["repeat"], none.clone()]
        );
        let key = "gw/mcp/connect";
        assert_eq!(
            alerts[key].notified.keys().collect::<Vec<_>>(),
            ["l1", "l2"]
        );
        // resolved before L3 was ever paged: L3 hears nothing
        assert_eq!(
            run_at(&mut alerts, 50, Status::Ok, &r),
            [vec!["resolved"], vec!["resolved"], none.clone()]
        );
        assert!(alerts[key].notified.is_empty(), "forgotten once resolved");
        // a new incident starts the ladder over
        assert_eq!(
            run_at(&mut alerts, 55, Status::Warn, &r),
            [vec!["firing"], none.clone(), none.clone()]
        );
        assert_eq!(
            run_at(&mut alerts, 60, Status::Crit, &r),
            [vec!["escalated"], none.clone(), none.clone()]
        );
        assert_eq!(
            run_at(&mut alerts, 115, Status::Crit, &r),
            [none.clone(), vec!["firing"], vec!["firing"]]
        );
        assert_eq!(
            run_at(&mut alerts, 120, Status::Ok, &r),
            [vec!["resolved"], vec!["resolved"], vec!["resolved"]]
        );
    }

    #[test]
    fn a_level_change_goes_to_the_channels_told_and_flapping_to_the_immediate_ones() {
        let mut alerts = BTreeMap::new();
        let r = ladder();
        run_at(&mut alerts, 0, Status::Warn, &r);
        let got = run_at(&mut alerts, 20, Status::Crit, &r);
        // L2 hears of it for the first time: as firing, at the level it fires at now
        assert_eq!(got, [vec!["escalated"], vec!["firing"], vec![]]);
        let p = Policy {
            flap_changes: 1,
            ..Policy::default()
        };
        let mut alerts = BTreeMap::new();
        let mut told = Vec::new();
        for (i, s) in [Status::Ok, Status::Crit, Status::Ok, Status::Crit]
            .into_iter()
            .enumerate()
        {
            let f = Finding::new(
                "gw",
                crate::model::Kind::Mcp,
                "connect",
                s,
                None,
                "x".into(),
            );
            let now_ms = i as i64 * MIN;
            let ev = evaluate(vec![f], &mut alerts, now_ms, &p, None);
            let fi = firing(
                &ev.findings,
                &alerts,
                chrono::DateTime::from_timestamp_millis(now_ms).unwrap(),
            );
            told.push(route(&ev.events, &fi, &mut alerts, now_ms, &r));
        }
        let flaps = |ch: usize| {
            told.iter()
                .flat_map(|t| &t[ch])
                .filter(|e| e.event == Event::Flapping)
                .count()
        };
        assert_eq!((flaps(0), flaps(1), flaps(2)), (1, 0, 0));
    }
}
