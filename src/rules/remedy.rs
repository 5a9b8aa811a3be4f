//! When a remediation (`on_fire`) runs: only for an alert that *fires* — it fired or escalated this
//! run, or it is still firing a cooldown after the action was last due — never for a healthy, pending
//! or recovering check; and then only when its cooldown has passed since its last run and fewer than
//! `max_runs` runs fall within the last `per`. Otherwise it is refused, with why ("cooldown until
//! 14:05 UTC", "3 of 3 runs in the last 1 h used"), once per cooldown.
//!
//! Pure: the action, its state, the alert and the time come in; the decision and the next state go out.
//! Running it is `notify::remedy`, storing the state `store::actions`.

use crate::model::{Action, ActionState};
use std::time::Duration;

/// What to do about one action this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Not due: nothing fires, or it is still firing within the cooldown of the last time it was due.
    Quiet,
    /// Run it: this is run `n` of `max` within the window.
    Run { n: usize, max: u32 },
    /// Due, but refused: why (`not run: cooldown until 14:05 UTC`).
    Refuse(String),
}

/// Action states not due for this long are forgotten (an action removed from the config).
pub const FORGET_AFTER_MS: i64 = 7 * 24 * 3600 * 1000;

/// Decides about `action` (its state `s`) at `now_ms`: `fired` when one of its alerts fired or
/// escalated this run, `firing` when one of them fires now. Updates `s` as if the decision is carried
/// out (a run is counted before it starts, so a second run at the same time sees it).
pub fn decide(
    action: &Action,
    s: &mut ActionState,
    now_ms: i64,
    fired: bool,
    firing: bool,
) -> Decision {
    let window = millis(action.per);
    s.runs_ms.retain(|t| now_ms.saturating_sub(*t) < window);
    let cooldown = millis(action.cooldown);
    let again = s
        .due_at_ms
        .is_none_or(|t| now_ms.saturating_sub(t) >= cooldown);
    if !(fired || firing && again) {
        return Decision::Quiet;
    }
    s.due_at_ms = Some(now_ms);
    if let Some(last) = s.runs_ms.last().copied()
        && now_ms.saturating_sub(last) < cooldown
    {
        return Decision::Refuse(format!(
            "not run: cooldown until {}",
            clock(last.saturating_add(cooldown))
        ));
    }
    let max = action.max_runs as usize;
    if s.runs_ms.len() >= max {
        let next = s
            .runs_ms
            .get(s.runs_ms.len() - max)
            .map(|t| format!(", next at {}", clock(t.saturating_add(window))))
            .unwrap_or_default();
        return Decision::Refuse(format!(
            "not run: {max} of {max} runs {} used{next}",
            per_words(action.per)
        ));
    }
    s.runs_ms.push(now_ms);
    Decision::Run {
        n: s.runs_ms.len(),
        max: action.max_runs,
    }
}

/// Whether a state is worth keeping at `now_ms`.
pub fn keep(s: &ActionState, now_ms: i64) -> bool {
    s.due_at_ms
        .is_some_and(|t| now_ms.saturating_sub(t) < FORGET_AFTER_MS)
}

/// How the window reads: `this hour` for an hour, `in the last 30 min` otherwise.
pub fn per_words(per: Duration) -> String {
    if per == Duration::from_secs(3600) {
        "this hour".into()
    } else if per == Duration::from_secs(86400) {
        "today".into()
    } else {
        format!("in the last {}", crate::model::human::span(per))
    }
}

/// `14:05 UTC`.
fn clock(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%H:%M UTC").to_string())
        .unwrap_or_else(|| "later".into())
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ActionRun;

    const MIN: i64 = 60_000;

    fn action() -> Action {
        Action {
            name: "restart hub".into(),
            check: None,
            run: ActionRun::Command {
                argv: vec!["true".into()],
                env: Vec::new(),
            },
            cooldown: Duration::from_secs(600),
            max_runs: 3,
            per: Duration::from_secs(3600),
            timeout: Duration::from_secs(30),
        }
    }

    #[test]
    fn never_without_a_firing_alert() {
        let mut s = ActionState::default();
        assert_eq!(decide(&action(), &mut s, 0, false, false), Decision::Quiet);
        assert_eq!(s, ActionState::default(), "nothing remembered");
    }

    #[test]
    fn runs_on_firing_then_again_only_after_the_cooldown_and_at_most_max_runs_per_window() {
        let a = action();
        let mut s = ActionState::default();
        // fires at 0: run 1
        assert_eq!(
            decide(&a, &mut s, 0, true, true),
            Decision::Run { n: 1, max: 3 }
        );
        // still firing 5 min later: within the cooldown, quiet (no refusal on every cron run)
        assert_eq!(decide(&a, &mut s, 5 * MIN, false, true), Decision::Quiet);
        // still firing 10 min later: due again, run 2; 20 min: run 3
        assert_eq!(
            decide(&a, &mut s, 10 * MIN, false, true),
            Decision::Run { n: 2, max: 3 }
        );
        assert_eq!(
            decide(&a, &mut s, 20 * MIN, false, true),
            Decision::Run { n: 3, max: 3 }
        );
        // 30 min: the budget is used; said once per cooldown
        assert_eq!(
            decide(&a, &mut s, 30 * MIN, false, true),
            Decision::Refuse("not run: 3 of 3 runs this hour used, next at 01:00 UTC".into())
        );
        assert_eq!(decide(&a, &mut s, 35 * MIN, false, true), Decision::Quiet);
        // an hour after the first run, one run falls out of the window
        assert_eq!(
            decide(&a, &mut s, 60 * MIN, false, true),
            Decision::Run { n: 3, max: 3 }
        );
    }

    #[test]
    fn a_new_firing_within_the_cooldown_is_refused_with_when() {
        let a = action();
        let mut s = ActionState::default();
        assert_eq!(
            decide(&a, &mut s, 0, true, true),
            Decision::Run { n: 1, max: 3 }
        );
        // resolved, then fired again 4 minutes after the run
        assert_eq!(
            decide(&a, &mut s, 4 * MIN, true, true),
            Decision::Refuse("not run: cooldown until 00:10 UTC".into())
        );
        assert_eq!(s.runs_ms, vec![0], "a refusal is not a run");
    }

    #[test]
    fn times_from_a_hand_edited_state_do_not_overflow() {
        let mut a = action();
        a.per = Duration::MAX;
        a.cooldown = Duration::MAX;
        let mut s = ActionState {
            runs_ms: vec![i64::MIN, i64::MAX],
            due_at_ms: Some(i64::MIN),
        };
        for now in [i64::MIN, 0, i64::MAX] {
            let _ = decide(&a, &mut s.clone(), now, true, true);
            let _ = decide(&a, &mut s, now, false, true);
        }
        assert!(keep(
            &ActionState {
                runs_ms: vec![],
                due_at_ms: Some(0)
            },
            0
        ));
        assert!(!keep(&ActionState::default(), 0));
    }
}
