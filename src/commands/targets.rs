//! `mcpmon targets`: every target a run would check and where it came from — the command line,
//! `--config` files, `./mcpmon.json`, or (with none of these) the MCP clients' own configs — with its
//! kind, transport and any problem, without starting or contacting anything. One finding per target
//! (OK; WARN when a placeholder is unresolved), plus the entries that could not be used (CRIT).

use super::{Context, Outcome, Output, resolve_targets_audited};
use crate::cli::{GlobalArgs, TargetsArgs};
use crate::model::{EndpointSpec, Finding, Kind, Reason, Status, Target, Wire};
use crate::report::{Report, View};

pub fn run(ctx: &Context, g: &GlobalArgs, args: &TargetsArgs) -> anyhow::Result<Outcome> {
    let adhoc = super::round::adhoc(&args.targets);
    let mut audit = Vec::new();
    let targets = resolve_targets_audited(ctx, g, &adhoc, Some(&mut audit))?;
    let mut findings: Vec<Finding> = targets.iter().map(row).collect();
    // the entries that could not be used: validate's verdict on them, one line each
    findings.extend(audit.into_iter().filter(|f| {
        f.status != Status::Ok && f.check == "entry" && !targets.iter().any(|t| t.name == f.target)
    }));
    for f in &mut findings {
        f.section = Some("config");
    }
    let report = Report {
        command: "targets",
        generated_at: chrono::Utc::now(),
        findings,
        observations: Vec::new(),
        events: None,
        outbox: None,
    };
    let view = View::Checklist {
        sections: vec![("config", "Targets".into())],
        ok_word: None,
    };
    Ok(Outcome::report(Output::stdout(report, view, g.format)))
}

/// One target: what it is and where it came from.
fn row(t: &Target) -> Finding {
    let (status, reason, problem) = match t.unresolved.first() {
        None => (Status::Ok, None, String::new()),
        Some(u) => (
            Status::Warn,
            Some(Reason::UnresolvedPlaceholder),
            format!(" · needs {u}"),
        ),
    };
    let msg = format!("{} · from {}{problem}", describe(t), t.origin);
    Finding::new(&t.name, Kind::Config, "target", status, reason, msg)
}

/// `stdio · node index.js`, `http · http://…/mcp`, `hub + log`…
fn describe(t: &Target) -> String {
    let mut parts = Vec::new();
    match t.mcp() {
        Some(EndpointSpec::Stdio(s)) => {
            let mut cmd = s.program.clone();
            for a in &s.args {
                cmd.push(' ');
                cmd.push_str(a);
            }
            parts.push(format!("stdio · {}", crate::net::redact::excerpt(&cmd, 60)));
        }
        Some(EndpointSpec::Url { url, wire, .. }) => {
            let how = match wire {
                Some(Wire::Sse) => "sse",
                Some(Wire::StreamableHttp) => "http",
                _ => "url",
            };
            parts.push(format!("{how} · {url}"));
        }
        None => {}
    }
    for (kind, word) in [
        (Kind::Hub, "hub"),
        (Kind::Http, "health_url"),
        (Kind::Log, "log"),
        (Kind::Process, "process"),
        (Kind::Host, "system"),
    ] {
        if t.has(kind) {
            parts.push(word.to_string());
        }
    }
    parts.join(" + ")
}
