//! One module per subcommand, each short glue over config → probes → rules → report → render.
//! This layer (and `main`) is where the environment, the clock and the terminal are read; everything
//! below receives plain values.

pub mod alerts;
pub mod anomalies;
pub mod completions;
pub mod health;
pub mod man;
pub mod measure;
pub mod record;
pub mod remedy;
pub mod round;
pub mod schedule;
pub mod serve;
pub mod silence;
pub mod summary;
pub mod targets;
pub mod validate;

use crate::cli::GlobalArgs;
use crate::config::ConfigError;
use crate::config::{self};
use crate::model::ProbeSpec;
use crate::model::Target;
use crate::model::Wire;

use crate::model::Exit;
use crate::term::TermFacts;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;

/// What a command may know about the world, resolved once in `main`.
pub struct Context {
    pub term: TermFacts,
    /// A snapshot of the environment (placeholders are resolved against it).
    pub env: HashMap<String, String>,
    pub cwd: PathBuf,
    pub xdg_config_home: Option<PathBuf>,
}

impl Context {
    /// The state directory: `--state-dir` / `MCPMON_STATE_DIR`, else `$XDG_STATE_HOME/mcpmon`, else
    /// `~/.local/state/mcpmon`.
    pub fn state_dir(&self, g: &GlobalArgs) -> Option<PathBuf> {
        crate::store::state_dir(
            g.state_dir.as_deref(),
            self.env.get("XDG_STATE_HOME").map(String::as_str),
            self.env.get("HOME").map(String::as_str),
        )
    }

    pub fn env_lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |k| self.env.get(k).cloned()
    }
}

/// Ad-hoc targets given on the command line.
pub struct AdHoc<'a> {
    pub urls: &'a [String],
    pub hubs: &'a [String],
    /// The hubs' own config file (`--hub-config`), for `--deep`.
    pub hub_config: Option<&'a std::path::Path>,
    pub health_urls: &'a [String],
    /// `--tcp-send`, `--tcp-expect`, `--tls`: what the `tcp://` URLs among `urls` exchange.
    pub tcp: TcpFlags<'a>,
    pub cert_files: &'a [PathBuf],
    pub logs: &'a [PathBuf],
    /// `--log-pattern NAME=REGEX`, for every `--log`.
    pub log_patterns: &'a [String],
    pub processes: &'a [String],
    pub stats_urls: &'a [String],
    pub thresholds: Option<&'a std::path::Path>,
    /// `--all-metrics`: every number of each `--health-url`/`--stats-url` document is shown.
    pub all_metrics: bool,
    pub system: bool,
    pub command: &'a [String],
    pub headers: &'a [String],
    pub transport: Option<Wire>,
}

/// The command line's settings for its `tcp://` URLs.
#[derive(Debug, Clone, Copy, Default)]
pub struct TcpFlags<'a> {
    pub send: Option<&'a str>,
    pub expect: Option<&'a str>,
    pub tls: bool,
}

/// Every target this run should check: ad-hoc ones, plus config files (explicit ones always; the
/// default file only when nothing was given on the command line), then `--target` selection.
pub fn resolve_targets(
    ctx: &Context,
    g: &GlobalArgs,
    adhoc: &AdHoc,
) -> Result<Vec<Target>, ConfigError> {
    resolve_targets_audited(ctx, g, adhoc, None)
}

/// As `resolve_targets`; with `audit`, config files are read leniently (a bad entry becomes a
/// finding, not an error) and each file's audit findings are appended there (`validate`).
pub fn resolve_targets_audited(
    ctx: &Context,
    g: &GlobalArgs,
    adhoc: &AdHoc,
    mut audit: Option<&mut Vec<crate::model::Finding>>,
) -> Result<Vec<Target>, ConfigError> {
    let timeout = g.timeout.unwrap_or(crate::model::DEFAULT_TIMEOUT);
    let wire = match adhoc.transport {
        None => None,
        Some(w @ (Wire::StreamableHttp | Wire::Sse)) => Some(w),
        Some(Wire::Stdio) => {
            if !adhoc.urls.is_empty() {
                return Err(ConfigError(
                    "--transport stdio needs a command after `--`, not a URL".into(),
                ));
            }
            None
        }
    };
    if wire.is_some() && !adhoc.command.is_empty() && adhoc.urls.is_empty() {
        return Err(ConfigError(
            "--transport http/sse applies to URLs; a command after `--` is always stdio".into(),
        ));
    }
    let headers = adhoc
        .headers
        .iter()
        .map(|h| config::parse_header_arg(h))
        .collect::<Result<Vec<_>, _>>()?;
    let mut targets = Vec::new();
    let tcp = adhoc.tcp;
    if (tcp.send.is_some() || tcp.expect.is_some() || tcp.tls)
        && !adhoc.urls.iter().any(|u| crate::net::url::is_tcp(u))
    {
        return Err(ConfigError(
            "--tcp-send, --tcp-expect and --tls apply to tcp://host:port URLs; none was given"
                .into(),
        ));
    }
    for u in adhoc.urls {
        targets.push(if crate::net::url::is_tcp(u) {
            config::adhoc_tcp(u, tcp.send, tcp.expect, tcp.tls, timeout)?
        } else {
            config::adhoc_url(u, headers.clone(), wire, timeout)?
        });
    }
    if !adhoc.command.is_empty() {
        targets.push(config::adhoc_command(adhoc.command, timeout)?);
    }
    for u in adhoc.hubs {
        let hub_config = adhoc.hub_config.map(|p| ctx.cwd.join(p));
        targets.push(config::adhoc_hub(
            u,
            headers.clone(),
            hub_config.as_deref(),
            timeout,
        )?);
    }
    for u in adhoc.health_urls {
        let mut t = config::adhoc_health_url(u, headers.clone(), timeout)?;
        if let Some(h) = t.http_mut() {
            h.all_metrics = adhoc.all_metrics;
        }
        targets.push(t);
    }
    if let Some(file) = adhoc.thresholds {
        let shown = file.display().to_string();
        let text = config::read_file(file)?;
        let (metrics, states) = config::alerts_json::parse(&text, &shown)?;
        for u in adhoc.stats_urls {
            let mut t = config::adhoc_health_url(u, headers.clone(), timeout)?;
            t.name = format!("stats {}", t.name);
            if let Some(h) = t.http_mut() {
                h.metrics = metrics.clone();
                h.states = states.clone();
                h.all_metrics = adhoc.all_metrics;
            }
            targets.push(t);
        }
    }
    for s in adhoc.processes {
        let selector = config::selector_arg(s).map_err(ConfigError)?;
        let mut t = crate::model::Target::empty(
            format!("process {selector}"),
            "command line".into(),
            timeout,
        );
        t.set(ProbeSpec::Process(crate::model::ProcessSpec::new(selector)));
        targets.push(t);
    }
    for p in adhoc.cert_files {
        targets.push(config::adhoc_cert(&ctx.cwd.join(p), timeout));
    }
    let patterns = adhoc
        .log_patterns
        .iter()
        .map(|a| config::log_pattern_arg(a))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ConfigError)?;
    for p in adhoc.logs {
        // absolute, so the log's marks do not depend on the directory mcpmon runs from; `-` is stdin
        let p = if p.as_os_str() == "-" {
            p.clone()
        } else {
            ctx.cwd.join(p)
        };
        targets.push(config::adhoc_log(&p, timeout, &patterns));
    }
    let env = ctx.env_lookup();
    let mut files = g.config.clone();
    let mut looked_for_clients = false;
    if files.is_empty() && targets.is_empty() {
        files.extend(config::default_config_path(
            &ctx.cwd,
            ctx.xdg_config_home.clone(),
        ));
        if files.is_empty() {
            // no target and no config of mcpmon's own: the MCP clients' configs the user already has
            looked_for_clients = true;
            targets.extend(client_targets(ctx, &env, timeout, audit.as_deref_mut()));
        }
    }
    for f in &files {
        match audit.as_deref_mut() {
            None => targets.extend(config::load_file(f, &env, timeout)?),
            Some(findings) => {
                let (loaded, found) = audit_file(ctx, f, &env, timeout)?;
                targets.extend(loaded);
                findings.extend(found);
            }
        }
    }
    if let Some(t) = g.timeout {
        for target in &mut targets {
            target.timeout = t;
        }
    }
    if let Some(t) = g.startup_timeout {
        for target in &mut targets {
            target.startup_timeout = Some(t);
        }
    }
    if adhoc.system {
        // the filesystems that matter: the state dir's and every watched log's
        let mut paths: Vec<PathBuf> = ctx.state_dir(g).into_iter().collect();
        for t in &targets {
            if let Some(dir) = t.log().and_then(|l| l.path()?.parent()) {
                if !paths.iter().any(|p| p == dir) {
                    paths.push(dir.to_path_buf());
                }
            }
        }
        // a state dir that does not exist yet is measured by its nearest existing ancestor
        let paths = paths
            .into_iter()
            .map(|p| {
                p.ancestors()
                    .find(|a| a.exists())
                    .map(PathBuf::from)
                    .unwrap_or(p)
            })
            .collect();
        let mut t = crate::model::Target::empty("system".into(), "command line".into(), timeout);
        t.set(ProbeSpec::Host(crate::model::HostSpec::new(paths)));
        targets.push(t);
    }
    if targets.is_empty() && audit.as_ref().is_some_and(|a| !a.is_empty()) {
        // every entry was unusable: that is what validate reports
        return Ok(targets);
    }
    if targets.is_empty() {
        return Err(ConfigError(if looked_for_clients {
            "nothing to check: give a URL, a command after `--`, --hub, --health-url, --cert-file, --log, or --config FILE (no ./mcpmon.json, and no MCP client config with servers: `mcpmon targets` shows where it looked)".into()
        } else if files.is_empty() {
            "nothing to check: give a URL, a command after `--`, --hub, --health-url, --cert-file, --log, or --config FILE (no ./mcpmon.json found)".into()
        } else {
            "nothing to check: the config has no enabled targets".into()
        }));
    }
    config::dedupe_names(&mut targets);
    // every target's secrets, not only the selected ones': any server may echo any of them
    for t in &targets {
        remember_secrets(t);
    }
    config::select(targets, &g.target)
}

/// Where the MCP clients' configs are looked for (`config::discover`).
pub fn client_dirs(ctx: &Context) -> config::discover::Dirs {
    let home = ctx
        .env
        .get("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from);
    config::discover::Dirs {
        cwd: ctx.cwd.clone(),
        home,
        config: ctx.xdg_config_home.clone(),
        appdata: ctx
            .env
            .get("APPDATA")
            .filter(|a| !a.is_empty())
            .map(PathBuf::from),
    }
}

/// The servers of every MCP client config found (`config::discover`), the same server in two files
/// once. Says on stderr which files were used and which entries were set aside; with `audit`
/// (`validate`), those are findings instead. A file that cannot be read is passed over with a warning:
/// another program's broken settings must not stop the check of the others.
fn client_targets(
    ctx: &Context,
    env: &dyn Fn(&str) -> Option<String>,
    timeout: std::time::Duration,
    mut audit: Option<&mut Vec<crate::model::Finding>>,
) -> Vec<Target> {
    let dirs = client_dirs(ctx);
    let mut targets = Vec::new();
    let mut used = Vec::new();
    for found in config::discover::find(&dirs) {
        let shown = found.shown(&dirs);
        match config::load_found(&found, &shown, &ctx.cwd, env, timeout) {
            Ok(loaded) => {
                let Some(doc) = loaded.doc else {
                    continue;
                };
                let n = loaded.targets.len();
                used.push(format!(
                    "{shown} ({}, {n} server{})",
                    found.client,
                    if n == 1 { "" } else { "s" }
                ));
                match audit.as_deref_mut() {
                    Some(findings) => findings.extend(audit_text(
                        ctx,
                        &found.path,
                        &shown,
                        &doc,
                        &loaded.targets,
                        &loaded.problems,
                        env,
                    )),
                    None => {
                        for p in &loaded.problems {
                            eprintln!("mcpmon: skipped: {}", crate::term::sanitize(&p.message));
                        }
                    }
                }
                targets.extend(loaded.targets);
            }
            Err(e) => eprintln!("mcpmon: warning: passed over {shown}: {e}"),
        }
    }
    config::discover::merge_duplicates(&mut targets);
    if !used.is_empty() && audit.is_none() {
        eprintln!("mcpmon: servers from {}", used.join(", "));
    }
    targets
}

/// Registers what of a target must never be shown (`model::secret`): its header and env secrets, and
/// the userinfo and query values of each of its URLs.
fn remember_secrets(t: &Target) {
    crate::model::secret::remember(&t.secrets);
    let urls = t
        .mcp()
        .and_then(|m| match m {
            crate::model::EndpointSpec::Url { url, .. } => Some(url.as_str()),
            crate::model::EndpointSpec::Stdio(_) => None,
        })
        .into_iter()
        .chain(t.hub().map(|h| h.url.as_str()))
        .chain(t.http().map(|h| h.url.as_str()));
    for u in urls {
        crate::model::secret::remember(crate::net::url::secret_parts(u, false));
    }
}

/// Reads one config file leniently and audits it: its usable targets and the findings about it.
fn audit_file(
    ctx: &Context,
    path: &std::path::Path,
    env: &dyn Fn(&str) -> Option<String>,
    timeout: std::time::Duration,
) -> Result<(Vec<Target>, Vec<crate::model::Finding>), ConfigError> {
    let shown = path.display().to_string();
    let text = config::read_file(path)?;
    let (targets, problems) =
        config::parse_config_lenient(&text, &shown, path.parent(), env, timeout)?;
    let findings = audit_text(ctx, path, &shown, &text, &targets, &problems, env);
    Ok((targets, findings))
}

/// `validate`'s findings for one config: the file, its secrets, each entry.
fn audit_text(
    ctx: &Context,
    path: &std::path::Path,
    shown: &str,
    text: &str,
    targets: &[Target],
    problems: &[config::EntryProblem],
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<crate::model::Finding> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok().map(|m| m.permissions().mode());
    let path_var = ctx.env.get("PATH").map(String::as_str);
    let base = path
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| ctx.cwd.clone());
    let find = |p: &str| config::audit::find_program(p, path_var, &base);
    let file = config::audit::FileFacts { shown, text, mode };
    config::audit::audit(&file, targets, problems, env, &find)
}

/// The renderers' view of the terminal.
pub fn render_options(ctx: &Context) -> crate::report::RenderOptions {
    crate::report::RenderOptions {
        color: ctx.term.color,
        width: ctx.term.width,
    }
}

/// What a command leaves to be written: its report, how to show it, and where.
pub struct Output {
    pub report: crate::report::Report,
    pub view: crate::report::View,
    pub format: crate::report::Format,
    /// A file to write (atomically, without colours) instead of stdout (`daily-summary --output`).
    pub file: Option<PathBuf>,
}

impl Output {
    /// The report to stdout in the chosen format (the table by default).
    pub fn stdout(
        mut report: crate::report::Report,
        view: crate::report::View,
        format: Option<crate::report::Format>,
    ) -> Output {
        // a report made from history or a load run has not been through a round's tidy
        report.tidy();
        Output {
            report,
            view,
            format: format.unwrap_or(crate::report::Format::Table),
            file: None,
        }
    }
}

/// How a command ended: the report to write once (none when the command streamed its output itself:
/// `--watch`, `record`, the dashboard), the exit code, and an error found after the report was made
/// (a history that could not be written) that is said after the report and makes the exit code 3.
pub struct Outcome {
    pub output: Option<Output>,
    pub exit: Exit,
    pub after: Option<anyhow::Error>,
}

impl Outcome {
    /// A report whose verdict is the exit code.
    pub fn report(output: Output) -> Outcome {
        Outcome {
            exit: Exit::from(output.report.status()),
            output: Some(output),
            after: None,
        }
    }

    /// Nothing left to write.
    pub fn done(exit: impl Into<Exit>) -> Outcome {
        Outcome {
            output: None,
            exit: exit.into(),
            after: None,
        }
    }
}

/// Writes a command's report (the one place a finished report is written) and returns the exit
/// code; a closed stdout (`mcpmon … | head`) is not an error.
pub fn deliver(outcome: Outcome, term: &TermFacts) -> anyhow::Result<Exit> {
    use anyhow::Context as _;
    if let Some(o) = &outcome.output {
        match &o.file {
            Some(path) => {
                let opts = crate::report::RenderOptions::default();
                let bytes = crate::report::to_bytes(&o.report, &o.view, o.format, &opts);
                crate::store::write_atomic(path, &bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            None => {
                let opts = crate::report::RenderOptions {
                    color: term.color,
                    width: term.width,
                };
                let bytes = crate::report::to_bytes(&o.report, &o.view, o.format, &opts);
                emit(&bytes).context("writing the report to stdout")?;
            }
        }
    }
    match outcome.after {
        Some(e) => Err(e),
        None => Ok(outcome.exit),
    }
}

/// Whether stdout still has a reader after a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Present,
    /// The pipe was closed (`mcpmon … | head`): not an error, but a stream should stop.
    Gone,
}

/// Writes bytes to stdout in one go and flushes: every report, round and stream line goes out here. A
/// closed stdout is not an error; it is said as `Reader::Gone` so a stream can stop.
pub fn emit(bytes: &[u8]) -> io::Result<Reader> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(Reader::Present),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Reader::Gone),
        Err(e) => Err(e),
    }
}
