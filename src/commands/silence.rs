//! `mcpmon silence add|list|rm`: the silences file in the state dir (`store::silences`, locked,
//! atomic), shown in any format. Glue only: what a silence matches and does is `model::silence` and
//! `rules::silence`.

use super::{Context, Outcome, Output};
use crate::cli::{GlobalArgs, SilenceAction, SilenceArgs};
use crate::report::{Report, View};
use crate::store::silences::Locked;
use anyhow::{Context as _, anyhow, bail};
use chrono::{DateTime, Utc};

pub fn run(ctx: &Context, g: &GlobalArgs, args: &SilenceArgs) -> anyhow::Result<Outcome> {
    let now = Utc::now();
    let state_dir = ctx.state_dir(g).ok_or_else(|| {
        anyhow!("no state dir: set --state-dir, MCPMON_STATE_DIR, XDG_STATE_HOME or HOME")
    })?;
    let shown = match &args.action {
        SilenceAction::List => {
            let (mut list, warning) = crate::store::silences::active(&state_dir, now);
            if let Some(w) = warning {
                eprintln!("mcpmon: warning: {w}");
            }
            list.sort_by(|a, b| a.ends_at.cmp(&b.ends_at).then(a.id.cmp(&b.id)));
            list
        }
        SilenceAction::Add(a) => {
            let matches = a.matches.trim().to_string();
            if matches.is_empty() {
                bail!("silence add: TARGET[/CHECK] is empty");
            }
            let ends_at = match (&a.for_, &a.until) {
                (Some(d), _) => chrono::Duration::from_std(*d)
                    .ok()
                    .and_then(|d| now.checked_add_signed(d))
                    .ok_or_else(|| anyhow!("silence add: --for is too long"))?,
                (None, Some(t)) => until(t)?,
                (None, None) => bail!("silence add: give --for DURATION or --until TIME"),
            };
            if ends_at <= now {
                bail!(
                    "silence add: the silence would end before it starts (--until is in the past)"
                );
            }
            let mut locked = open(&state_dir)?;
            let added = locked
                .file
                .add(matches, now, ends_at, a.comment.clone())
                .map_err(|e| anyhow!("silence add: {e}"))?;
            save(&locked, &state_dir)?;
            vec![added]
        }
        SilenceAction::Rm { id } => {
            let mut locked = open(&state_dir)?;
            locked.file.prune(now);
            let removed = locked
                .file
                .remove(id)
                .map_err(|e| anyhow!("silence rm: {e}"))?;
            save(&locked, &state_dir)?;
            vec![removed]
        }
    };
    let report = Report {
        command: "silence",
        generated_at: now,
        findings: Vec::new(),
        observations: Vec::new(),
        events: None,
        outbox: None,
    };
    Ok(Outcome::report(Output::stdout(
        report,
        View::Silences(shown),
        g.format,
    )))
}

fn open(state_dir: &std::path::Path) -> anyhow::Result<Locked> {
    let locked = Locked::open(state_dir)
        .with_context(|| format!("opening the silences in {}", state_dir.display()))?;
    if let Some(w) = &locked.warning {
        eprintln!("mcpmon: warning: {w}");
    }
    Ok(locked)
}

fn save(locked: &Locked, state_dir: &std::path::Path) -> anyhow::Result<()> {
    locked
        .save()
        .with_context(|| format!("writing the silences in {}", state_dir.display()))
}

/// `--until`: an RFC 3339 date and time with its offset.
fn until(t: &str) -> anyhow::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            anyhow!(
                "silence add: --until {t:?} is not a date and time with its offset, like 2026-12-24T23:00:00+01:00 or 2026-12-24T22:00:00Z"
            )
        })
}
