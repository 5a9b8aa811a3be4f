//! Targets and their checks, from wherever a user already keeps them.
//!
//! Owns: mcpmon's own file (`targets` + `defaults`), client configs (`mcpServers` of Claude Desktop,
//! Claude Code, Cursor and mcp-hub; VS Code's `servers` / `mcp.servers`), ad-hoc targets from the
//! command line, `${VAR}` / `${env:VAR}` placeholders, and selection with `--target`. A config error is
//! one line naming the file, the place and the problem. Environment access comes in as a function so
//! nothing here reads the process environment itself.
//!
//! The formats are serde types (`file.rs`, `probes.rs`, `alerts_json.rs`; the shared readers and the
//! wording of problems in `de.rs`); this module turns an entry into a `model::Target`: placeholders,
//! paths relative to the file, URL checks, secrets, and the checks that span keys.

mod actions;
pub mod alerts_json;
pub mod audit;
pub mod calls;
mod de;
pub mod discover;
pub mod duration;
mod file;
pub mod goals;
#[cfg(test)]
mod golden;
pub mod jsonc;
mod maintenance;
pub mod notify;
mod probes;
pub mod ranges;

use crate::model::EraChoice;
use crate::model::ProbeSpec;
use crate::model::StdioSpec;
use crate::model::Wire;
use crate::model::{Checks, EndpointSpec, Target};
use file::{Document, Entries, Entry};
pub use probes::log_pattern_arg;
pub use probes::selector_arg;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a target inherits: mcpmon's defaults with the file's `defaults` laid over them.
#[derive(Debug, Clone)]
struct Defaults {
    checks: Checks,
    timeout: Duration,
    /// None: the model's default (a package runner's long start-up, else within `timeout`).
    startup_timeout: Option<Duration>,
    era: EraChoice,
    /// How often `serve` and `record` check the target (None: their `--interval`).
    interval: Option<Duration>,
    /// The file's top-level `maintenance` windows (every target of the file has them).
    maintenance: Vec<crate::model::Window>,
}

/// A config problem: `file: place: problem`.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The largest config-like file mcpmon reads.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a config-like file (`--config`, a client config, `--thresholds`, a baseline) whole. Only a
/// regular file of at most 16 MiB is read: a FIFO (which would block forever), a device (`/dev/zero`
/// would be read until memory runs out) or a directory is refused before it is opened.
pub fn read_file(path: &Path) -> Result<String, ConfigError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let shown = path.display();
    let cannot = |e: std::io::Error| ConfigError(format!("{shown}: cannot read: {e}"));
    let regular = |meta: &std::fs::Metadata| -> Result<(), ConfigError> {
        if !meta.is_file() {
            return Err(ConfigError(format!(
                "{shown} is not a regular file ({})",
                file_kind(meta)
            )));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(too_large(&shown));
        }
        Ok(())
    };
    regular(&std::fs::metadata(path).map_err(cannot)?)?;
    // Non-blocking open, checked again once open: a file swapped for a FIFO in between cannot block.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)
        .map_err(cannot)?;
    regular(&file.metadata().map_err(cannot)?)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(&shown));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        ConfigError(format!(
            "{shown}: cannot read: not UTF-8 (invalid byte at offset {at})"
        ))
    })
}

fn too_large(shown: &std::path::Display<'_>) -> ConfigError {
    ConfigError(format!(
        "{shown} is larger than {} MiB",
        MAX_FILE_BYTES / (1024 * 1024)
    ))
}

/// What a file that is not a regular file is, in words.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Reads one config file (mcpmon's own, or a client config) into targets.
pub fn load_file(
    path: &Path,
    env: Env,
    default_timeout: Duration,
) -> Result<Vec<Target>, ConfigError> {
    let shown = path.display().to_string();
    let text = read_file(path)?;
    parse_config(&text, &shown, path.parent(), env, default_timeout)
}

/// Parses config text; `shown` names the file in errors, `base` resolves relative `cwd`s.
pub fn parse_config(
    text: &str,
    shown: &str,
    base: Option<&Path>,
    env: Env,
    default_timeout: Duration,
) -> Result<Vec<Target>, ConfigError> {
    parse_config_with(text, shown, base, env, default_timeout, None)
}

/// A target entry that could not be used: its name and the one-line problem (`file: place: …`).
#[derive(Debug, Clone)]
pub struct EntryProblem {
    pub name: String,
    pub message: String,
}

/// As `parse_config`, but a bad entry is set aside as a problem instead of failing the file (what
/// `validate` reports as a finding); only an unreadable or malformed file is an error.
pub fn parse_config_lenient(
    text: &str,
    shown: &str,
    base: Option<&Path>,
    env: Env,
    default_timeout: Duration,
) -> Result<(Vec<Target>, Vec<EntryProblem>), ConfigError> {
    let mut problems = Vec::new();
    let targets = parse_config_with(text, shown, base, env, default_timeout, Some(&mut problems))?;
    Ok((targets, problems))
}

fn parse_config_with(
    text: &str,
    shown: &str,
    base: Option<&Path>,
    env: Env,
    default_timeout: Duration,
    problems: Option<&mut Vec<EntryProblem>>,
) -> Result<Vec<Target>, ConfigError> {
    let root = de::parse_json(text, shown)?;
    parse_root(root, shown, base, env, default_timeout, problems)
}

/// `parse_config_with`, from the parsed JSON.
fn parse_root(
    root: serde_json::Value,
    shown: &str,
    base: Option<&Path>,
    env: Env,
    default_timeout: Duration,
    mut problems: Option<&mut Vec<EntryProblem>>,
) -> Result<Vec<Target>, ConfigError> {
    if !root.is_object() {
        return Err(ConfigError(format!(
            "{shown}: the top level must be a JSON object"
        )));
    }
    let mut doc: Document = de::read(root, "").map_err(|p| de::error(shown, p))?;
    let mut defaults = Defaults {
        checks: Checks::default(),
        timeout: default_timeout,
        startup_timeout: None,
        era: EraChoice::Auto,
        interval: None,
        maintenance: doc.maintenance.take().unwrap_or_default(),
    };
    if let Some(settings) = doc.defaults.take() {
        settings.apply(&mut defaults);
    }
    let Some(section) = doc.section() else {
        return Err(ConfigError(format!(
            "{shown}: no `targets`, `mcpServers` or `servers` object: nothing to monitor (see examples/mcpmon.json)"
        )));
    };
    let entries: Entries =
        de::read(section.entries, section.name).map_err(|p| de::error(shown, p))?;
    let mut targets = Vec::new();
    for (name, entry) in entries.0 {
        let place = format!("{}.{name}", section.name);
        let parsed = read_entry(entry, section.own, &place).and_then(|raw| {
            raw.map(|raw| parse_entry(&name, raw, &place, shown, base, env, &defaults))
                .transpose()
        });
        match (parsed, problems.as_deref_mut()) {
            (Ok(Some(t)), _) => targets.push(t),
            (Ok(None), _) => {}
            (Err(p), Some(list)) => list.push(EntryProblem {
                name,
                message: de::error(shown, p).0,
            }),
            (Err(p), None) => return Err(de::error(shown, p)),
        }
    }
    Ok(targets)
}

/// One entry of a section, read strictly (mcpmon's own) or as a client's; `None` when it is disabled
/// (a disabled entry is not read at all).
fn read_entry(entry: Value, own: bool, place: &str) -> Result<Option<Entry>, PlaceErr> {
    if !entry.is_object() {
        return Err((place.to_string(), "must be an object".into()));
    }
    if entry.get("disabled") == Some(&Value::Bool(true)) {
        return Ok(None);
    }
    if own {
        de::read(entry, place).map(Some)
    } else {
        let near = entry.as_object().and_then(|o| {
            o.keys()
                .find_map(|k| file::near_miss(k).map(|known| (k.clone(), known)))
        });
        de::read::<_, Entry>(de::ClientEntry(entry), place).map(|mut e| {
            e.near_miss = near;
            Some(e)
        })
    }
}

/// A problem with one value: its place (`targets.x.timeout`) and what is wrong.
pub(crate) type PlaceErr = (String, String);

/// Resolves `${VAR}` and `${env:VAR}` in one string; unresolvable ones are returned by name.
pub fn resolve_placeholders(s: &str, env: Env) -> (String, Vec<String>) {
    let mut out = String::with_capacity(s.len());
    let mut missing = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                let inner = &after[..end];
                let var = inner.strip_prefix("env:").unwrap_or(inner);
                let valid =
                    !var.is_empty() && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                match (valid, valid.then(|| env(var)).flatten()) {
                    (true, Some(val)) => out.push_str(&val),
                    _ => {
                        missing.push(format!("${{{inner}}}"));
                        out.push_str(&rest[start..start + 3 + end]);
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    (out, missing)
}

pub(crate) struct Resolver<'a> {
    env: Env<'a>,
    unresolved: Vec<String>,
}

impl Resolver<'_> {
    pub(crate) fn str(&mut self, s: &str, place: &str) -> String {
        let (v, missing) = resolve_placeholders(s, self.env);
        for m in missing {
            self.unresolved.push(if m.starts_with("${input:") {
                // VS Code prompts for these; a monitor never prompts
                format!(
                    "{place}: {m} is a VS Code input (mcpmon never prompts: set an env var and write ${{VAR}})"
                )
            } else {
                format!("{place}: {m} is not set")
            });
        }
        v
    }
}

fn parse_entry(
    name: &str,
    mut e: Entry,
    place: &str,
    shown: &str,
    base: Option<&Path>,
    env: Env,
    defaults: &Defaults,
) -> Result<Target, PlaceErr> {
    let at = |k: &str| format!("{place}.{k}");
    let mut r = Resolver {
        env,
        unresolved: Vec::new(),
    };
    let mut secrets = Vec::new();
    // `type` wins over `transport` when an entry has both
    let (wire, wire_key) = match (e.kind, e.transport) {
        (Some(w), _) => (Some(w), "type"),
        (None, w) => (w, "transport"),
    };
    // a `tcp://` url is a plain TCP target, not an MCP server
    let tcp_url = e.url.take_if(|u| crate::net::url::is_tcp(u));
    let tcp = match tcp_url {
        Some(u) => {
            if wire.is_some() {
                return Err((
                    at(wire_key),
                    "is an MCP transport but the url is tcp://".into(),
                ));
            }
            if e.headers.is_some() || e.command.is_some() {
                return Err((
                    place.to_string(),
                    "a tcp:// url takes no `headers` or `command`".into(),
                ));
            }
            Some(probes::tcp_spec(
                &u,
                probes::TcpKeys {
                    send: e.send.take(),
                    expect: e.expect.take(),
                    tls: e.tls.take(),
                    ca_file: e.ca_file.clone(),
                },
                place,
                base,
                &mut r,
                &mut secrets,
            )?)
        }
        None => None,
    };
    for (key, given) in [
        ("send", e.send.is_some()),
        ("expect", e.expect.is_some()),
        ("tls", e.tls.is_some()),
    ] {
        if given {
            return Err((
                at(key),
                "is for a tcp:// url (e.g. \"url\": \"tcp://127.0.0.1:5432\")".into(),
            ));
        }
    }
    let cert = e
        .cert_file
        .take()
        .map(|c| probes::cert_spec(&c, base, &mut r));
    let mcp = match (e.command.take(), e.url.take()) {
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err((
                place.to_string(),
                "has both `command` and `url`; a server is one or the other".into(),
            ));
        }
        (Some(cmd), None) => {
            if matches!(wire, Some(Wire::StreamableHttp | Wire::Sse)) {
                return Err((
                    at(wire_key),
                    "is an HTTP transport but the entry has a `command`".into(),
                ));
            }
            let args = e
                .args
                .take()
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(i, a)| r.str(a, &format!("args[{i}]")))
                .collect();
            let envs = e
                .env
                .take()
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| {
                    let val = r.str(&v, &format!("env.{k}"));
                    if audit::secret_env(&k, &val) {
                        secrets.push(val.clone());
                    }
                    (k, val)
                })
                .collect();
            let cwd = e.cwd.take().map(|c| {
                let c = PathBuf::from(r.str(&c, "cwd"));
                match base {
                    Some(b) if c.is_relative() => b.join(c),
                    _ => c,
                }
            });
            let program = r.str(&cmd, "command");
            if program.trim().is_empty() {
                return Err((at("command"), "is empty".into()));
            }
            Some(EndpointSpec::Stdio(StdioSpec {
                program,
                args,
                env: envs,
                cwd,
            }))
        }
        (None, Some(u)) => {
            if wire == Some(Wire::Stdio) {
                return Err((at(wire_key), "is stdio but the entry has a `url`".into()));
            }
            let url = r.str(&u, "url");
            if r.unresolved.is_empty() {
                crate::net::url::parse_url(&url).map_err(|m| (at("url"), m))?;
            }
            let headers = e.headers.take().unwrap_or_default();
            let headers = probes::resolve_headers(headers, "headers", &mut r, &mut secrets)
                .map_err(|(p, m)| (at(&p), m))?;
            Some(EndpointSpec::Url { url, headers, wire })
        }
    };
    let expect_port = e.process.is_some().then_some(e.port).flatten();
    let hub = e
        .hub
        .take()
        .map(|h| probes::hub_spec(h, place, base, &mut r, &mut secrets))
        .transpose()?;
    let http = e
        .health_url
        .take()
        .map(|h| probes::http_check(h, place, base, &mut r, &mut secrets))
        .transpose()?;
    let log = e
        .log
        .take()
        .map(|l| probes::log_of(l, place, base, &mut r))
        .transpose()?;
    let process = probes::process_spec(e.process.take(), e.port, place, base, &mut r)?;
    let on_fire = match e.on_fire.take() {
        Some(raw) => actions::actions(raw, place, &mut r, &mut secrets)?,
        None => Vec::new(),
    };
    if mcp.is_none()
        && hub.is_none()
        && http.is_none()
        && tcp.is_none()
        && cert.is_none()
        && log.is_none()
        && process.is_none()
    {
        let hint = match &e.near_miss {
            Some((typo, key)) => {
                format!(" (`{typo}` is not a key mcpmon reads: did you mean `{key}`?)")
            }
            None => String::new(),
        };
        return Err((
            place.to_string(),
            format!(
                "has nothing to check: give `command` (stdio) or `url` (an MCP server, or tcp://host:port), or `hub`, `health_url`, `cert_file`, `log`, `process`, `port`{hint}"
            ),
        ));
    }
    let calls = e
        .call
        .take()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, c)| calls::spec(c, &at(&format!("call[{i}]"))))
        .collect::<Result<Vec<_>, _>>()?;
    if !calls.is_empty() && mcp.is_none() {
        return Err((
            at("call"),
            "needs an MCP server to call: give the target a `command` or `url`".into(),
        ));
    }
    // `ca_file`: trusted by the target's HTTPS URL and hub, or its TLS port
    let ca_file = match e.ca_file.take() {
        Some(_)
            if !matches!(mcp, Some(EndpointSpec::Url { .. })) && hub.is_none() && tcp.is_none() =>
        {
            return Err((
                at("ca_file"),
                "is for an https:// url, a `hub` or a tcp:// url with \"tls\": true".into(),
            ));
        }
        Some(c) => Some(PathBuf::from(r.str(&c, "ca_file"))).map(|c| match base {
            Some(b) if c.is_relative() => b.join(c),
            _ => c,
        }),
        None => None,
    };
    let mut own = defaults.clone();
    e.take_settings().apply(&mut own);
    own.checks.expect_port = expect_port;
    own.checks.calls = calls;
    own.checks.allow_side_effects = e.allow_side_effects.take().unwrap_or_default();
    secrets.retain(|s| s.len() >= 4);
    let mut t = Target::empty(name.to_string(), format!("{shown}: {place}"), own.timeout);
    let specs = [
        mcp.map(ProbeSpec::Mcp),
        hub.map(ProbeSpec::Hub),
        http.map(ProbeSpec::Http),
        tcp.map(ProbeSpec::Tcp),
        cert.map(ProbeSpec::Cert),
        log.map(ProbeSpec::Log),
        process.map(ProbeSpec::Process),
    ];
    for spec in specs.into_iter().flatten() {
        t.set(spec);
    }
    t.era = own.era;
    t.startup_timeout = own.startup_timeout;
    t.interval = own.interval;
    t.maintenance = own.maintenance;
    t.maintenance
        .extend(e.maintenance.take().unwrap_or_default());
    t.checks = own.checks;
    t.unresolved = r.unresolved;
    t.secrets = secrets;
    t.ca_file = ca_file;
    t.on_fire = on_fire;
    Ok(t)
}

/// A target from a URL on the command line.
pub fn adhoc_url(
    url: &str,
    headers: Vec<(String, String)>,
    wire: Option<Wire>,
    timeout: Duration,
) -> Result<Target, ConfigError> {
    let parsed = crate::net::url::parse_url(url).map_err(ConfigError)?;
    let mut t = Target::empty(url_name(&parsed), "command line".into(), timeout);
    t.secrets = header_secrets(&headers);
    t.set(ProbeSpec::Mcp(EndpointSpec::Url {
        url: url.to_string(),
        headers,
        wire,
    }));
    Ok(t)
}

/// `host:port/path` of a URL, as an ad-hoc target's name (never its credentials or query).
pub fn url_name(parsed: &reqwest::Url) -> String {
    let mut name = format!(
        "{}{}",
        parsed.host_str().unwrap_or("?"),
        parsed.port().map(|p| format!(":{p}")).unwrap_or_default()
    );
    if parsed.path() != "/" {
        name.push_str(parsed.path());
    }
    name
}

fn header_secrets(headers: &[(String, String)]) -> Vec<String> {
    headers
        .iter()
        .map(|(_, v)| v.clone())
        .filter(|v| v.len() >= 4)
        .collect()
}

/// A hub target from `--hub URL`.
pub fn adhoc_hub(
    url: &str,
    headers: Vec<(String, String)>,
    config: Option<&Path>,
    timeout: Duration,
) -> Result<Target, ConfigError> {
    let parsed = crate::net::url::parse_url(url).map_err(ConfigError)?;
    let mut t = Target::empty(
        format!("hub {}", url_name(&parsed)),
        "command line".into(),
        timeout,
    );
    t.secrets = header_secrets(&headers);
    t.set(ProbeSpec::Hub(crate::model::HubSpec {
        url: url.to_string(),
        headers,
        config: config.map(Path::to_path_buf),
    }));
    Ok(t)
}

/// A health-endpoint target from `--health-url URL`.
pub fn adhoc_health_url(
    url: &str,
    headers: Vec<(String, String)>,
    timeout: Duration,
) -> Result<Target, ConfigError> {
    let parsed = crate::net::url::parse_url(url).map_err(ConfigError)?;
    let mut t = Target::empty(url_name(&parsed), "command line".into(), timeout);
    t.secrets = header_secrets(&headers);
    t.set(ProbeSpec::Http(crate::model::HttpCheck {
        url: url.to_string(),
        headers,
        expect_status: Vec::new(),
        asserts: Vec::new(),
        metrics: Vec::new(),
        states: Vec::new(),
        all_metrics: false,
        ca_file: None,
    }));
    Ok(t)
}

/// A TCP target from a `tcp://host:port` URL on the command line, with `--tcp-send`, `--tcp-expect`
/// (their `\r`, `\n`, `\t`, `\\` escapes read) and `--tls`.
pub fn adhoc_tcp(
    url: &str,
    send: Option<&str>,
    expect: Option<&str>,
    tls: bool,
    timeout: Duration,
) -> Result<Target, ConfigError> {
    let (host, port) = crate::net::url::parse_tcp(url).map_err(ConfigError)?;
    let expect = expect.map(unescape);
    if expect.as_deref() == Some("") {
        return Err(ConfigError("--tcp-expect is empty".into()));
    }
    let mut t = Target::empty(format!("tcp {host}:{port}"), "command line".into(), timeout);
    t.set(ProbeSpec::Tcp(crate::model::TcpSpec {
        url: url.to_string(),
        host,
        port,
        send: send.map(unescape),
        expect,
        tls,
        ca_file: None,
    }));
    Ok(t)
}

/// `\r`, `\n`, `\t` and `\\` as the characters they stand for (a command line cannot hold a bare CR
/// easily); any other backslash stays as it is.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// A certificate-file target from `--cert-file FILE`.
pub fn adhoc_cert(path: &Path, timeout: Duration) -> Target {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut t = Target::empty(format!("cert {file}"), "command line".into(), timeout);
    t.set(ProbeSpec::Cert(crate::model::CertSpec {
        path: path.to_path_buf(),
    }));
    t
}

/// A log target from `--log FILE` (`-`: standard input).
pub fn adhoc_log(path: &Path, timeout: Duration, patterns: &[crate::model::Pattern]) -> Target {
    if path == Path::new("-") {
        let mut t = Target::empty("log stdin".into(), "command line".into(), timeout);
        t.set(ProbeSpec::Log(
            probes::log_spec(crate::model::LogSource::Stdin, None).with_patterns(patterns.to_vec()),
        ));
        return t;
    }
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut t = Target::empty(format!("log {file}"), "command line".into(), timeout);
    t.set(ProbeSpec::Log(
        probes::log_spec(crate::model::LogSource::File(path.to_path_buf()), None)
            .with_patterns(patterns.to_vec()),
    ));
    t
}

/// A target from `-- command args…` on the command line, named by [`command_name`].
pub fn adhoc_command(argv: &[String], timeout: Duration) -> Result<Target, ConfigError> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| ConfigError("`--` must be followed by a command".into()))?;
    let mut t = Target::empty(command_name(program, args), "command line".into(), timeout);
    t.set(ProbeSpec::Mcp(EndpointSpec::Stdio(StdioSpec {
        program: program.clone(),
        args: args.to_vec(),
        env: Vec::new(),
        cwd: None,
    })));
    Ok(t)
}

/// The name a person knows a stdio server by: its package or its script, not its interpreter.
/// `npx -y @modelcontextprotocol/server-memory` and `node …/node_modules/@modelcontextprotocol/server-memory/dist/index.js`
/// → `server-memory`; `uvx mcp-server-time` → `mcp-server-time`; `python /x/py_peer.py stdio` → `py_peer`;
/// `node /x/weather/build/index.js` → `weather`; `python -m pkg.server` → `pkg.server`; `/usr/bin/foo --x`
/// → `foo`. Two commands that give the same name are told apart by `dedupe_names` (`#2`).
pub fn command_name(program: &str, args: &[String]) -> String {
    let base = |s: &str| {
        Path::new(s)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| s.to_string())
    };
    let prog = base(program);
    let prog = prog.strip_suffix(".exe").unwrap_or(&prog).to_string();
    let positional = |skip_values: &[&str], subcommands: &[&str]| -> Option<String> {
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if skip_values.contains(&a.as_str()) {
                it.next();
            } else if !a.starts_with('-') && !subcommands.contains(&a.as_str()) {
                return Some(a.clone());
            }
        }
        None
    };
    match prog.as_str() {
        // `env K=V … cmd`: the command
        "env" => {
            let rest: Vec<String> = args
                .iter()
                .skip_while(|a| a.starts_with('-') || a.contains('='))
                .cloned()
                .collect();
            match rest.split_first() {
                Some((p, a)) => command_name(p, a),
                None => prog,
            }
        }
        // `sh -c 'cmd …'`: the command it runs
        "sh" | "bash" | "zsh" | "dash" => match args.iter().position(|a| a == "-c") {
            Some(i) => {
                let words: Vec<String> = args
                    .get(i + 1)
                    .map(|c| {
                        c.split_whitespace()
                            .skip_while(|w| *w == "exec" || w.contains('='))
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default();
                match words.split_first() {
                    Some((p, a)) if p != &prog => command_name(p, a),
                    _ => prog,
                }
            }
            None => args
                .iter()
                .find(|a| !a.starts_with('-'))
                .map(|script| script_name(script))
                .filter(|n| !n.is_empty())
                .unwrap_or(prog),
        },
        // package runners: the package, without its scope, version or image tag
        "npx" | "bunx" | "pnpx" | "uvx" | "pipx" | "pnpm" | "npm" | "yarn" | "uv" => positional(
            &["--from", "-p", "--package", "--with", "--python"],
            &["run", "exec", "dlx", "tool"],
        )
        .map(|p| {
            if is_script(&p) {
                script_name(&p)
            } else {
                package_name(&p)
            }
        })
        .filter(|n| !n.is_empty())
        .unwrap_or(prog),
        "docker" | "podman" => positional(
            &[
                "-e",
                "--env",
                "-v",
                "--volume",
                "-p",
                "--publish",
                "--name",
                "--network",
                "--env-file",
                "-w",
                "--workdir",
                "-u",
                "--user",
                "--mount",
                "--entrypoint",
                "--platform",
            ],
            &["run", "container"],
        )
        .map(|image| {
            let last = image.rsplit('/').next().unwrap_or(&image);
            last.split([':', '@']).next().unwrap_or(last).to_string()
        })
        .unwrap_or(prog),
        // interpreters: `-m module`, else the script
        _ if is_interpreter(&prog) => {
            if let Some(i) = args.iter().position(|a| a == "-m") {
                if let Some(m) = args.get(i + 1) {
                    return m.clone();
                }
            }
            args.iter()
                .find(|a| !a.starts_with('-') && (a.contains('/') || is_script(a)))
                .map(|script| script_name(script))
                .filter(|n| !n.is_empty())
                .unwrap_or(prog)
        }
        _ => prog,
    }
}

/// A file a runner or an interpreter runs (`server.py`, `dist/index.js`, `app.jar`).
fn is_script(a: &str) -> bool {
    [
        ".js", ".mjs", ".cjs", ".ts", ".mts", ".py", ".rb", ".php", ".pl", ".jar",
    ]
    .iter()
    .any(|e| a.ends_with(e))
}

/// `node`, `python3.12`, `bun`, `deno`, `tsx` and the like: a program that runs a script.
fn is_interpreter(prog: &str) -> bool {
    let stem = prog.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    matches!(
        stem,
        "node"
            | "nodejs"
            | "python"
            | "python3"
            | "py"
            | "bun"
            | "deno"
            | "tsx"
            | "ts-node"
            | "ruby"
            | "php"
            | "perl"
            | "java"
    )
}

/// `@scope/name@1.2` → `name`; `mcp-server-time==1.0` → `mcp-server-time`; `git+https://…/repo.git` → `repo`.
fn package_name(p: &str) -> String {
    let p = p.trim_end_matches('/').trim_end_matches(".git");
    let unscoped = p
        .strip_prefix('@')
        .map_or(p, |rest| rest.split_once('/').map_or(rest, |(_, n)| n));
    let last = unscoped.rsplit('/').next().unwrap_or(unscoped);
    let name = last
        .split(['@', '=', '<', '>', '~', '[', ':'])
        .next()
        .unwrap_or(last);
    if name.is_empty() {
        p.to_string()
    } else {
        name.to_string()
    }
}

/// A script's name: the package it lies in (`…/node_modules/@scope/pkg/…` → `pkg`), else its file
/// name without extension, unless that says nothing (`index`, `main`, `server`, `cli`, `__main__`):
/// then the first directory above it that is not a build folder (`dist`, `build`, `src`, `lib`, `bin`).
fn script_name(script: &str) -> String {
    let parts: Vec<&str> = script
        .split(['/', '\\'])
        .filter(|p| !p.is_empty())
        .collect();
    if let Some(i) = parts.iter().rposition(|p| *p == "node_modules") {
        let pkg = match parts.get(i + 1) {
            Some(scope) if scope.starts_with('@') => parts.get(i + 2),
            other => other,
        };
        if let Some(pkg) = pkg {
            return (*pkg).to_string();
        }
    }
    let Some((file, dirs)) = parts.split_last() else {
        return script.to_string();
    };
    let stem = file.rsplit_once('.').map_or(*file, |(stem, _)| stem);
    if !matches!(
        stem,
        "index" | "main" | "server" | "cli" | "__main__" | "app" | ""
    ) {
        return stem.to_string();
    }
    dirs.iter()
        .rev()
        .find(|d| {
            !matches!(
                **d,
                "dist" | "build" | "src" | "lib" | "bin" | "out" | "." | ".."
            )
        })
        .map_or_else(|| stem.to_string(), |d| (*d).to_string())
}

/// Parses `Name: value` as given to `--header`.
pub fn parse_header_arg(s: &str) -> Result<(String, String), ConfigError> {
    match s.split_once(':') {
        Some((k, v)) if !k.trim().is_empty() => {
            let (k, v) = (k.trim(), v.trim());
            crate::net::http::check_header(k, v)
                .map_err(|m| ConfigError(format!("--header: {m}")))?;
            Ok((k.to_string(), v.to_string()))
        }
        _ => Err(ConfigError("--header must look like 'Name: value'".into())),
    }
}

/// Keeps the targets named by `--target` (in the order given); an unknown name is an error listing the known ones.
pub fn select(targets: Vec<Target>, names: &[String]) -> Result<Vec<Target>, ConfigError> {
    if names.is_empty() {
        return Ok(targets);
    }
    let mut out = Vec::new();
    for n in names {
        match targets.iter().find(|t| &t.name == n) {
            Some(t) => out.push(t.clone()),
            None => {
                let known: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
                return Err(ConfigError(format!(
                    "--target {n:?}: no such target (known: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
    }
    Ok(out)
}

/// Makes target names unique by suffixing `#2`, `#3`… (two ad-hoc URLs on the same host, say).
pub fn dedupe_names(targets: &mut [Target]) {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for t in targets.iter_mut() {
        let n = seen.entry(t.name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            t.name = format!("{}#{}", t.name, n);
        }
    }
}

/// The servers of a client config found by `discover`, read leniently: an entry mcpmon cannot use
/// is set aside as a problem (with the file and the entry), the others are targets. A file without
/// MCP servers (a settings file) gives nothing. `shown` names the file in messages.
pub fn load_found(
    found: &discover::Found,
    shown: &str,
    cwd: &Path,
    env: Env,
    default_timeout: Duration,
) -> Result<Found, ConfigError> {
    let text = read_file(&found.path)?;
    let root = de::parse_json(&text, shown)?;
    let (doc, skipped) = discover::normalise(root, found.layout, cwd);
    let mut problems: Vec<EntryProblem> = skipped
        .into_iter()
        .map(|(name, why)| EntryProblem {
            message: format!("{shown}: {name}: {why}"),
            name,
        })
        .collect();
    let mut targets = match &doc {
        Some(doc) => parse_root(
            doc.clone(),
            shown,
            found.path.parent(),
            env,
            default_timeout,
            Some(&mut problems),
        )?,
        None => Vec::new(),
    };
    if found.layout == discover::Layout::Zed {
        for t in &mut targets {
            t.origin = t.origin.replacen(": mcpServers.", ": context_servers.", 1);
        }
    }
    Ok(Found {
        targets,
        problems,
        doc: doc.map(|d| d.to_string()),
    })
}

/// A client config's servers (`load_found`).
pub struct Found {
    pub targets: Vec<Target>,
    /// The entries that could not be used, each with its one-line problem.
    pub problems: Vec<EntryProblem>,
    /// The servers as the config mcpmon read (JSON text), for `validate`'s audit; None when the file
    /// has none.
    pub doc: Option<String>,
}

/// The config file to use when none is given: `./mcpmon.json`, then `$XDG_CONFIG_HOME/mcpmon/config.json`.
pub fn default_config_path(cwd: &Path, xdg_config_home: Option<PathBuf>) -> Option<PathBuf> {
    let local = cwd.join("mcpmon.json");
    if local.is_file() {
        return Some(local);
    }
    let global = xdg_config_home?.join("mcpmon").join("config.json");
    global.is_file().then_some(global)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bound, DEFAULT_TIMEOUT, EndpointSpec, Target};

    pub(super) fn env(name: &str) -> Option<String> {
        match name {
            "MCP_TOKEN" => Some("s3cr3t-token".into()),
            "HOME" => Some("/home/u".into()),
            _ => None,
        }
    }

    pub(super) fn parse(text: &str) -> Result<Vec<Target>, ConfigError> {
        parse_config(text, "cfg.json", None, &env, DEFAULT_TIMEOUT)
    }

    #[test]
    fn placeholders_resolve_and_report() {
        let (s, m) =
            resolve_placeholders("Bearer ${MCP_TOKEN} ${env:HOME} ${NOPE} ${input:x}", &env);
        assert_eq!(s, "Bearer s3cr3t-token /home/u ${NOPE} ${input:x}");
        assert_eq!(m, vec!["${NOPE}".to_string(), "${input:x}".to_string()]);
    }

    #[test]
    fn mcpmon_format_with_defaults_and_checks() {
        let t = parse(
            r#"{"defaults": {"timeout": "3s", "thresholds": {"response_time_ms": {"warn": 100}}},
                "targets": {
                  "api": {"url": "http://127.0.0.1:1/mcp", "headers": {"Authorization": "Bearer ${MCP_TOKEN}"}, "min_tools": 2},
                  "local": {"command": "node", "args": ["s.js"], "env": {"K": "value1"}, "expect_tools": ["echo"], "timeout": 1}
                }}"#,
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        let api = t.iter().find(|t| t.name == "api").unwrap();
        assert_eq!(api.timeout, Duration::from_secs(3));
        assert_eq!(api.checks.min_tools, Some(2));
        assert_eq!(
            api.checks.response_time_ms,
            Bound {
                warn: Some(100.0),
                crit: Some(5000.0)
            }
        );
        assert!(api.secrets.contains(&"Bearer s3cr3t-token".to_string()));
        let local = t.iter().find(|t| t.name == "local").unwrap();
        assert_eq!(local.timeout, Duration::from_secs(1));
        assert_eq!(local.checks.expect_tools, vec!["echo"]);
    }

    #[test]
    fn interval_is_inherited_and_overridden() {
        let t = parse(
            r#"{"defaults": {"interval": "2m"},
                "targets": {
                  "a": {"url": "http://127.0.0.1:1/mcp"},
                  "b": {"url": "http://127.0.0.1:2/mcp", "interval": 15}
                }}"#,
        )
        .unwrap();
        let by = |n: &str| t.iter().find(|t| t.name == n).unwrap();
        assert_eq!(by("a").interval, Some(Duration::from_secs(120)));
        assert_eq!(by("b").interval, Some(Duration::from_secs(15)));
        let t = parse(r#"{"targets": {"a": {"url": "http://127.0.0.1:1/mcp"}}}"#).unwrap();
        assert_eq!(t[0].interval, None);
        let e = parse(r#"{"targets": {"a": {"url": "http://127.0.0.1:1/mcp", "interval": 0}}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("targets.a.interval: "), "{e}");
    }

    #[test]
    fn startup_timeout_is_inherited_and_overridden() {
        let t = parse(
            r#"{"defaults": {"startup_timeout": "30s"},
                "targets": {
                  "runner": {"command": "npx", "args": ["-y", "pkg"]},
                  "own": {"command": "node", "args": ["s.js"], "startup_timeout": 2.5},
                  "plain": {"command": "node", "args": ["s.js"]}
                }}"#,
        )
        .unwrap();
        let by = |n: &str| t.iter().find(|t| t.name == n).unwrap();
        assert_eq!(by("runner").startup_limit(), Some(Duration::from_secs(30)));
        assert_eq!(by("own").startup_limit(), Some(Duration::from_millis(2500)));
        assert_eq!(by("plain").startup_limit(), Some(Duration::from_secs(30)));
        // without one configured: a package runner gets its long default, other commands none
        let t = parse(
            r#"{"targets": {
                  "runner": {"command": "/usr/local/bin/uvx", "args": ["mcp-server-time"], "timeout": 5},
                  "slow": {"command": "pnpm", "args": ["dlx", "pkg"], "timeout": "5m"},
                  "plain": {"command": "node", "args": ["s.js"]},
                  "http": {"url": "http://127.0.0.1:1/mcp", "startup_timeout": 9}
                }}"#,
        )
        .unwrap();
        let by = |n: &str| t.iter().find(|t| t.name == n).unwrap();
        assert_eq!(
            by("runner").startup_limit(),
            Some(crate::model::RUNNER_STARTUP_TIMEOUT)
        );
        assert_eq!(by("slow").startup_limit(), Some(Duration::from_secs(300)));
        assert_eq!(by("plain").startup_limit(), None);
        assert_eq!(by("http").startup_limit(), None);
    }

    #[test]
    fn a_bad_startup_timeout_names_its_place() {
        for (cfg, place) in [
            (
                r#"{"targets": {"x": {"command": "npx", "startup_timeout": "-1s"}}}"#,
                "cfg.json: targets.x.startup_timeout: ",
            ),
            (
                r#"{"targets": {"x": {"command": "npx", "startup_timeout": 1e300}}}"#,
                "cfg.json: targets.x.startup_timeout: ",
            ),
            (
                r#"{"defaults": {"startup_timeout": "1e300"}, "targets": {"x": {"command": "npx"}}}"#,
                "cfg.json: defaults.startup_timeout: ",
            ),
        ] {
            let e = parse(cfg).unwrap_err();
            assert!(e.0.starts_with(place), "{cfg}: {}", e.0);
        }
    }

    #[test]
    fn client_configs_are_read() {
        let t = parse(r#"{"mcpServers": {"fs": {"command": "npx", "args": ["-y", "x"], "alwaysAllow": []}, "off": {"command": "x", "disabled": true}}}"#).unwrap();
        assert_eq!(t.len(), 1);
        let t = parse(r#"{"servers": {"gh": {"type": "http", "url": "http://127.0.0.1:2/mcp"}}}"#)
            .unwrap();
        assert!(matches!(
            t[0].mcp(),
            Some(EndpointSpec::Url {
                wire: Some(Wire::StreamableHttp),
                ..
            })
        ));
        let t = parse(
            r#"{"mcp": {"servers": {"s": {"type": "sse", "url": "http://127.0.0.1:2/sse"}}}}"#,
        )
        .unwrap();
        assert!(matches!(
            t[0].mcp(),
            Some(EndpointSpec::Url {
                wire: Some(Wire::Sse),
                ..
            })
        ));
    }

    #[test]
    fn errors_name_the_place() {
        let e = parse(r#"{"targets": {"x": {"command": "a", "url": "http://b"}}}"#)
            .unwrap_err()
            .0;
        assert_eq!(
            e,
            "cfg.json: targets.x: has both `command` and `url`; a server is one or the other"
        );
        let e = parse(r#"{"targets": {"x": {"command": "a", "min_tool": 1}}}"#)
            .unwrap_err()
            .0;
        assert!(
            e.starts_with("cfg.json: targets.x.min_tool: unknown key"),
            "{e}"
        );
        let e = parse("{\n\"targets\": {\"x\": }\n}").unwrap_err().0;
        assert!(e.starts_with("cfg.json:2:"), "{e}");
        let e = parse(r#"{"targets": {"x": {"url": "ftp://x"}}}"#)
            .unwrap_err()
            .0;
        assert!(e.contains("targets.x.url"), "{e}");
        let e = parse(r#"{"other": 1}"#).unwrap_err().0;
        assert!(e.contains("no `targets`"), "{e}");
    }

    #[test]
    fn unresolved_placeholders_are_kept_per_target() {
        let t = parse(r#"{"targets": {"x": {"url": "http://127.0.0.1:1/mcp", "headers": {"Authorization": "Bearer ${MISSING}"}}}}"#).unwrap();
        assert_eq!(
            t[0].unresolved,
            vec!["headers.Authorization: ${MISSING} is not set".to_string()]
        );
    }

    #[test]
    fn tcp_urls_and_cert_files_become_their_probes() {
        let t = parse_config(
            r#"{"targets": {
              "db": {"url": "tcp://127.0.0.1:5432"},
              "cache": {"url": "tcp://127.0.0.1:6379", "send": "PING\r\n", "expect": "+PONG"},
              "web": {"url": "tcp://127.0.0.1:443", "tls": true, "ca_file": "ca.pem"},
              "crt": {"cert_file": "forge.crt"},
              "later": {"url": "tcp://${DB_HOST}:5432"}
            }}"#,
            "cfg.json",
            Some(Path::new("/etc/mcpmon")),
            &env,
            DEFAULT_TIMEOUT,
        )
        .unwrap();
        let tcp = |i: usize| t[i].tcp().unwrap().clone();
        assert_eq!(
            (tcp(0).host.as_str(), tcp(0).port, tcp(0).tls),
            ("127.0.0.1", 5432, false)
        );
        assert!(t[0].mcp().is_none(), "a tcp:// url is not an MCP server");
        assert_eq!(tcp(1).send.as_deref(), Some("PING\r\n"));
        assert_eq!(tcp(1).expect.as_deref(), Some("+PONG"));
        assert!(tcp(2).tls);
        // relative paths are taken from the config file's directory
        assert_eq!(tcp(2).ca_file, Some(PathBuf::from("/etc/mcpmon/ca.pem")));
        assert!(
            matches!(&t[3].probes()[0], ProbeSpec::Cert(c) if c.path == Path::new("/etc/mcpmon/forge.crt"))
        );
        // an unset variable: not contacted, said as such
        assert_eq!(
            t[4].unresolved,
            vec!["url: ${DB_HOST} is not set".to_string()]
        );
    }

    #[test]
    fn tcp_keys_are_checked_where_they_are() {
        let err = |text: &str| parse(text).unwrap_err().0;
        let e = err(r#"{"targets": {"x": {"command": "srv", "expect": "x"}}}"#);
        assert!(
            e.ends_with(
                "targets.x.expect: is for a tcp:// url (e.g. \"url\": \"tcp://127.0.0.1:5432\")"
            ),
            "{e}"
        );
        let e = err(r#"{"targets": {"x": {"url": "tcp://127.0.0.1:1", "ca_file": "ca.pem"}}}"#);
        assert!(
            e.ends_with("targets.x.ca_file: is for a TLS port: add \"tls\": true"),
            "{e}"
        );
        let e = err(r#"{"targets": {"x": {"url": "tcp://127.0.0.1:1", "type": "http"}}}"#);
        assert!(e.contains("targets.x.type"), "{e}");
        let e = err(r#"{"targets": {"x": {"url": "tcp://127.0.0.1:1", "tls": "yes"}}}"#);
        assert!(e.contains("targets.x.tls: must be true or false"), "{e}");
        let e = err(r#"{"targets": {"x": {"command": "srv", "ca_file": "ca.pem"}}}"#);
        assert!(
            e.contains("targets.x.ca_file: is for an https:// url"),
            "{e}"
        );
        let e = err(r#"{"targets": {"x": {"cert_fle": "a.pem"}}}"#);
        assert!(e.contains("cert_fle"), "{e}");
    }

    #[test]
    fn stdio_servers_are_named_after_their_package_or_script() {
        let name = |cmd: &str| {
            let argv: Vec<String> = cmd.split_whitespace().map(String::from).collect();
            adhoc_command(&argv, DEFAULT_TIMEOUT).unwrap().name
        };
        for (cmd, want) in [
            (
                "node /x/node_modules/@modelcontextprotocol/server-memory/dist/index.js",
                "server-memory",
            ),
            (
                "node /x/node_modules/@modelcontextprotocol/server-everything/dist/index.js stdio",
                "server-everything",
            ),
            (
                "npx -y @modelcontextprotocol/server-memory",
                "server-memory",
            ),
            (
                "npx -y @modelcontextprotocol/server-memory@0.6.3",
                "server-memory",
            ),
            (
                "npx mcp-remote@latest https://example.com/sse",
                "mcp-remote",
            ),
            ("uvx mcp-server-time", "mcp-server-time"),
            (
                "uvx mcp-server-time==2026.1 --local-timezone UTC",
                "mcp-server-time",
            ),
            ("uv run --with mcp server.py", "server"),
            ("pipx run mcp-server-fetch", "mcp-server-fetch"),
            ("python /x/py_peer.py stdio", "py_peer"),
            ("/opt/venv/bin/python3.12 -u /x/py_peer.py", "py_peer"),
            ("python -m mcp_server_git --repository .", "mcp_server_git"),
            ("node /srv/weather/build/index.js", "weather"),
            ("node server.js", "server"),
            ("node .", "node"),
            ("/usr/bin/foo --x", "foo"),
            (
                "/tmp/venv/bin/mcp-server-time --local-timezone UTC",
                "mcp-server-time",
            ),
            (
                "docker run -i --rm -e TOKEN=x ghcr.io/github/github-mcp-server:v1",
                "github-mcp-server",
            ),
            ("npx", "npx"),
            (
                "env STUB_DELAY_MS=50 python3 /x/stdio_stub.py slow-start",
                "stdio_stub",
            ),
            ("bash /opt/run-mcp.sh", "run-mcp"),
        ] {
            assert_eq!(name(cmd), want, "{cmd}");
        }
        let sh = [
            "sh",
            "-c",
            "exec PORT=1 node /srv/weather/build/index.js --stdio",
        ];
        let sh: Vec<String> = sh.iter().map(|a| a.to_string()).collect();
        assert_eq!(adhoc_command(&sh, DEFAULT_TIMEOUT).unwrap().name, "weather");
        // two commands with the same name stay apart
        let mut two = vec![
            adhoc_command(&["npx".into(), "server-memory".into()], DEFAULT_TIMEOUT).unwrap(),
            adhoc_command(
                &[
                    "node".into(),
                    "/a/node_modules/server-memory/index.js".into(),
                ],
                DEFAULT_TIMEOUT,
            )
            .unwrap(),
        ];
        dedupe_names(&mut two);
        assert_eq!(two[0].name, "server-memory");
        assert_eq!(two[1].name, "server-memory#2");
    }

    #[test]
    fn select_and_dedupe() {
        let a = adhoc_url("http://127.0.0.1:1/mcp", vec![], None, DEFAULT_TIMEOUT).unwrap();
        let mut v = vec![a.clone(), a];
        dedupe_names(&mut v);
        assert_eq!(v[1].name, "127.0.0.1:1/mcp#2");
        let e = select(v, &["nope".into()]).unwrap_err().0;
        assert!(
            e.contains("known: 127.0.0.1:1/mcp, 127.0.0.1:1/mcp#2"),
            "{e}"
        );
    }
}

#[cfg(test)]
mod strictness {
    use super::parse_header_arg;
    use super::tests::parse;

    #[test]
    fn a_key_given_twice_is_an_error_at_its_place() {
        let e = parse(
            r#"{"targets": {"x": {"url": "http://127.0.0.1:1/mcp"}, "x": {"command": "y"}}}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.0,
            "cfg.json: targets: duplicate key `x` (one of its values would be lost)"
        );
        let e = parse(r#"{"targets": {"x": {"url": "http://127.0.0.1:1/mcp", "timeout": "1s", "timeout": "9s"}}}"#)
            .unwrap_err();
        assert!(
            e.0.starts_with("cfg.json: targets.x: duplicate key `timeout`"),
            "{}",
            e.0
        );
        // the same key in two different objects is fine
        assert!(parse(r#"{"targets": {"a": {"command": "x"}, "b": {"command": "x"}}}"#).is_ok());
    }

    #[test]
    fn a_header_http_cannot_send_is_a_config_error_that_never_shows_the_value() {
        let e = parse(
            r#"{"targets": {"x": {"url": "http://127.0.0.1:1/mcp", "headers": {"Authorization": "Bearer s3cret\r\nX-Evil: 1"}}}}"#,
        )
        .unwrap_err();
        assert!(
            e.0.starts_with("cfg.json: targets.x.headers.Authorization:"),
            "{}",
            e.0
        );
        assert!(!e.0.contains("s3cret"), "{}", e.0);
        let e = parse(r#"{"targets": {"x": {"url": "http://127.0.0.1:1/mcp", "headers": {"X Api Key": "v"}}}}"#)
            .unwrap_err();
        assert!(e.0.contains("is not a valid header name"), "{}", e.0);
        let e = parse(r#"{"targets": {"h": {"hub": {"url": "http://127.0.0.1:1", "headers": {"A": "1\n2"}}}}}"#)
            .unwrap_err();
        assert!(e.0.contains("targets.h.hub.headers.A"), "{}", e.0);
        assert!(parse_header_arg("X Bad: v").is_err());
        assert!(parse_header_arg("X-Good: v").is_ok());
    }
}
