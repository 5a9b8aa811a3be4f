//! `mcpmon validate`: every check always runs and is one finding, grouped in sections like the
//! original `phase1-validation.sh` — the config audit, the health probes, and with `--strict` protocol
//! conformance — then one verdict. Glue only: the checks live in `config::audit`, `probe`, `rules`.

use super::round::{Prepared, check, prepare};
use super::{Context, Outcome, Output};
use crate::cli::{CheckType, GlobalArgs, Section, ValidateArgs};
use crate::model::CheckId;
use crate::model::Finding;
use crate::model::Kind;
use crate::model::Target;

use crate::probe::{self};
use crate::report::checklist;
use crate::report::{Report, View};
use crate::rules;
use std::sync::Arc;

fn name(s: Section) -> &'static str {
    match s {
        Section::Config => "config",
        Section::Process => "process",
        Section::Network => "network",
        Section::Api => "api",
        Section::Mcp => "mcp",
        Section::Conformance => "conformance",
        Section::Logs => "logs",
        Section::Resources => "resources",
    }
}

/// The section a finding belongs to.
fn section_of(f: &Finding) -> Section {
    match f.probe {
        Kind::Config => Section::Config,
        Kind::Conformance => Section::Conformance,
        Kind::Process => {
            let c = &f.check;
            if [
                CheckId::PROCESS_CPU,
                CheckId::PROCESS_MEMORY,
                CheckId::PROCESS_RSS,
            ]
            .contains(c)
            {
                Section::Resources
            } else if *c == CheckId::PORT {
                Section::Network
            } else {
                Section::Process
            }
        }
        Kind::Http => Section::Network,
        Kind::Hub => Section::Api,
        Kind::Mcp | Kind::Load => Section::Mcp,
        Kind::Log => Section::Logs,
        Kind::Host => Section::Resources,
    }
}

/// Drops the probes whose sections are not wanted (and, for liveness, the expensive ones).
fn narrow(t: &mut Target, want: &dyn Fn(Section) -> bool, liveness: bool) {
    if liveness {
        t.liveness_only();
    }
    if !want(Section::Mcp) {
        t.remove(Kind::Mcp);
    }
    if !want(Section::Api) {
        t.remove(Kind::Hub);
    }
    if !want(Section::Network) {
        t.remove(Kind::Http);
    }
    if !want(Section::Logs) {
        t.remove(Kind::Log);
    }
    if !(want(Section::Process) || want(Section::Network) || want(Section::Resources)) {
        t.remove(Kind::Process);
    }
    if !want(Section::Resources) {
        t.remove(Kind::Host);
    }
}

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
    if want(Section::Config) && !liveness {
        findings.extend(audit);
    }
    findings.extend(health.findings);
    findings.extend(strict);
    for f in &mut findings {
        f.section = Some(name(section_of(f)));
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
    let mut outcome = Outcome::report(Output::stdout(report, View::Checklist(sections), g.format));
    // the report is out either way; a history that could not be written is exit 3
    outcome.after = recorded;
    Ok(outcome)
}
