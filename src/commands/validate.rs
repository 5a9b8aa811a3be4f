//! `mcpmon validate`: every check always runs and is one finding, grouped in sections like the
//! pre-flight scripts of MCP runbooks — the config audit, the health probes, and with `--strict` protocol
//! conformance — then one verdict. Glue only: the checks live in `config::audit`, `probe`, `rules`.

use super::round::{Prepared, check, prepare};
use super::{Context, Outcome, Output};
use crate::cli::{CheckType, GlobalArgs, Section, ValidateArgs};
use crate::model::{Finding, Kind, Target};
use crate::rules::validate::{narrow, section_of};

use crate::probe::{self};
use crate::report::checklist;
use crate::report::{Report, View};
use crate::rules;
use std::sync::Arc;

/// Runs the conformance checks of every MCP target concurrently.
async fn conformance(targets: Vec<Target>, client: &reqwest::Client) -> Vec<Finding> {
    let mut set = tokio::task::JoinSet::new();
    let names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
    for (i, t) in targets.into_iter().enumerate() {
        let client = client.clone();
        set.spawn(async move {
            let checks = probe::conformance::probe(&t, &client).await;
            (
                i,
                rules::conformance::findings(&t.name, &checks, &t.secrets),
            )
        });
    }
    let mut done: Vec<Option<Vec<Finding>>> = vec![None; names.len()];
    while let Some(r) = set.join_next().await {
        if let Ok((i, f)) = r {
            done[i] = Some(f);
        }
    }
    // a task can only be missing if it panicked: said as such, never silently dropped
    done.into_iter()
        .zip(&names)
        .flat_map(|(f, name)| f.unwrap_or_else(|| vec![rules::conformance::not_finished(name)]))
        .collect()
}

pub async fn run(ctx: &Context, g: &GlobalArgs, args: &ValidateArgs) -> anyhow::Result<Outcome> {
    let want = |s: Section| args.sections.is_empty() || args.sections.contains(&s);
    let liveness = args.check_type == CheckType::Liveness;
    let mut audit = Vec::new();
    let Prepared {
        targets,
        client,
        mut opts,
    } = prepare(ctx, g, &args.targets, &[], Some(&mut audit))?;
    // a pre-flight check leaves no state behind (log marks belong to `health` runs)
    opts.state_dir = None;
    opts.samples_dir = None;
    opts.detect_dir = None;
    let conformance_targets: Vec<Target> = if args.strict && want(Section::Conformance) && !liveness
    {
        targets
            .iter()
            .filter(|t| t.has(Kind::Mcp))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let mut narrowed: Vec<Target> = targets.iter().cloned().collect();
    for t in &mut narrowed {
        narrow(t, &want, liveness);
    }
    let narrowed = Arc::new(narrowed);
    let (health, strict) = tokio::join!(
        check(&narrowed, &client, &opts),
        conformance(conformance_targets, &client)
    );
    let mut findings = Vec::new();
    audit.extend(rules::maintenance::findings(&targets, health.generated_at));
    if want(Section::Config) && !liveness {
        findings.extend(audit);
    }
    findings.extend(health.findings);
    findings.extend(strict);
    for f in &mut findings {
        f.section = Some(section_of(f).as_str());
    }
    findings.retain(|f| want(section_of(f)));
    // sections in report order; within a section, the order the checks ran in
    findings.sort_by_key(|f| {
        checklist::SECTIONS
            .iter()
            .position(|(k, _)| Some(*k) == f.section)
    });
    let report = Report {
        command: "validate",
        generated_at: health.generated_at,
        findings,
        observations: health.observations,
        events: None,
        outbox: None,
    };
    let recorded = if args.record {
        super::round::history_dir(ctx, g)
            .and_then(|dir| super::round::append(&dir, &report, "validate"))
            .err()
    } else {
        None
    };
    let sections = checklist::SECTIONS
        .iter()
        .map(|(k, h)| (*k, h.to_string()))
        .collect();
    let mut outcome = Outcome::report(Output::stdout(
        report,
        View::Checklist {
            sections,
            ok_word: None,
        },
        g.format,
    ));
    // the report is out either way; a history that could not be written is exit 3
    outcome.after = recorded;
    Ok(outcome)
}
