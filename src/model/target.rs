//! What to watch: a `Target` and the probes it carries (`ProbeSpec`, one variant per probe kind), the
//! checks and bounds it is judged by, and the protocol nouns (`Wire`, `Era`) that clap, config and the
//! MCP session share. Pure data: parsing a config is `config`, contacting anything is `probe`.

use super::facts::LogMark;
use super::observation::Kind;
use serde::Deserialize;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Default per-target deadline.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The start-up deadline a package runner (`npx`, `uvx`, … see [`package_runner`]) gets when none is
/// configured: long enough for a first download on an empty cache. The target's `timeout` when
/// that is longer.
pub const RUNNER_STARTUP_TIMEOUT: Duration = Duration::from_secs(120);

/// Defaults: MCP/API response time warn > 2000 ms, crit > 5000 ms.
pub const DEFAULT_RESPONSE_WARN_MS: f64 = 2000.0;

pub const DEFAULT_RESPONSE_CRIT_MS: f64 = 5000.0;

/// Upper bounds for a metric where higher is worse.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub warn: Option<f64>,
    pub crit: Option<f64>,
}

/// What `health` checks on a target beyond reachability.
#[derive(Debug, Clone, PartialEq)]
pub struct Checks {
    pub min_tools: Option<usize>,
    pub expect_tools: Vec<String>,
    pub response_time_ms: Bound,
    /// stdio only: spawn to a ready session (the server's cold start). No bounds by default.
    pub startup_ms: Bound,
    /// A hub still `starting` after this many seconds (from its start time) is CRIT; before, WARN.
    pub hub_starting_s: Bound,
    /// Error-level entries among the last N log entries (default: > 10 warns).
    pub log_errors: Bound,
    /// Log file size in MB (default: > 50 warns, > 100 is critical).
    pub log_size_mb: Bound,
    /// Disconnect/reconnect cycles among the last N log entries (default: > 3 warns).
    pub log_flaps: Bound,
    /// A process's CPU in % of one core (default: > 5 warns, > 10 is critical).
    pub process_cpu_percent: Bound,
    /// A process's RSS in % of host memory (default: > 5 warns, > 10 is critical).
    pub process_memory_percent: Bound,
    /// A process's RSS in MB (default: server memory > 2 GiB is critical).
    pub process_rss_mb: Bound,
    /// Used % of a watched filesystem.
    pub disk_used_percent: Bound,
    /// Used % of the host's memory.
    pub host_memory_percent: Bound,
    /// Days until a certificate expires: every HTTPS URL's, a TLS port's, a `cert_file`'s (lower is
    /// worse: < 30 warns, < 7 is critical).
    pub tls_days_left: Bound,
    /// A TCP port the target's process must listen on (`process` and `port` both given).
    pub expect_port: Option<u16>,
    /// Liveness only (`validate --check-type liveness`): handshake and ping, no tool/prompt/resource
    /// lists.
    pub skip_lists: bool,
    /// Functional checks (`call`): tools called, resources read, prompts got, with expectations.
    pub calls: Vec<super::call::CallSpec>,
    /// Tools that may be called although not marked read-only (`allow_side_effects`).
    pub allow_side_effects: Vec<String>,
}

impl Checks {
    /// The names of the bounds a config can set under `thresholds`.
    pub const THRESHOLDS: &'static [&'static str] = &[
        "response_time_ms",
        "startup_ms",
        "hub_starting_s",
        "log_errors",
        "log_size_mb",
        "log_flaps",
        "process_cpu_percent",
        "process_memory_percent",
        "process_rss_mb",
        "disk_used_percent",
        "host_memory_percent",
        "tls_days_left",
    ];

    /// The bound named `name` (one of `THRESHOLDS`).
    pub fn threshold_mut(&mut self, name: &str) -> Option<&mut Bound> {
        Some(match name {
            "response_time_ms" => &mut self.response_time_ms,
            "startup_ms" => &mut self.startup_ms,
            "hub_starting_s" => &mut self.hub_starting_s,
            "log_errors" => &mut self.log_errors,
            "log_size_mb" => &mut self.log_size_mb,
            "log_flaps" => &mut self.log_flaps,
            "process_cpu_percent" => &mut self.process_cpu_percent,
            "process_memory_percent" => &mut self.process_memory_percent,
            "process_rss_mb" => &mut self.process_rss_mb,
            "disk_used_percent" => &mut self.disk_used_percent,
            "host_memory_percent" => &mut self.host_memory_percent,
            "tls_days_left" => &mut self.tls_days_left,
            _ => return None,
        })
    }
}

impl Default for Checks {
    fn default() -> Self {
        Checks {
            skip_lists: false,
            calls: Vec::new(),
            allow_side_effects: Vec::new(),
            min_tools: None,
            expect_tools: Vec::new(),
            response_time_ms: Bound {
                warn: Some(DEFAULT_RESPONSE_WARN_MS),
                crit: Some(DEFAULT_RESPONSE_CRIT_MS),
            },
            startup_ms: Bound {
                warn: None,
                crit: None,
            },
            hub_starting_s: Bound {
                warn: None,
                crit: Some(60.0),
            },
            log_errors: Bound {
                warn: Some(10.0),
                crit: None,
            },
            log_size_mb: Bound {
                warn: Some(50.0),
                crit: Some(100.0),
            },
            process_cpu_percent: Bound {
                warn: Some(5.0),
                crit: Some(10.0),
            },
            process_memory_percent: Bound {
                warn: Some(5.0),
                crit: Some(10.0),
            },
            process_rss_mb: Bound {
                warn: None,
                crit: Some(2048.0),
            },
            disk_used_percent: Bound {
                warn: Some(90.0),
                crit: Some(95.0),
            },
            host_memory_percent: Bound {
                warn: Some(90.0),
                crit: Some(95.0),
            },
            expect_port: None,
            tls_days_left: Bound {
                warn: Some(30.0),
                crit: Some(7.0),
            },
            log_flaps: Bound {
                warn: Some(3.0),
                crit: None,
            },
        }
    }
}

/// How to reach a target, before any connection is made.
#[derive(Debug, Clone)]
pub enum EndpointSpec {
    Stdio(StdioSpec),
    Url {
        url: String,
        headers: Vec<(String, String)>,
        wire: Option<Wire>,
    },
}

/// One probe of a target: what to look at, one variant per probe kind. A new probe kind is a variant
/// here, a probe file, a rules file and the renderers' arms.
#[derive(Debug, Clone)]
pub enum ProbeSpec {
    /// The MCP server itself (stdio command or URL).
    Mcp(EndpointSpec),
    /// A hub's REST API (mcp-hub).
    Hub(HubSpec),
    /// A generic HTTP/JSON health endpoint.
    Http(HttpCheck),
    /// A plain TCP port (`tcp://host:port`), optionally with TLS and a send/expect exchange.
    Tcp(TcpSpec),
    /// A certificate file (PEM) whose expiry is watched.
    Cert(CertSpec),
    /// A log file to read the tail of.
    Log(LogSpec),
    /// The server's process.
    Process(ProcessSpec),
    /// The machine itself.
    Host(HostSpec),
}

impl ProbeSpec {
    pub fn kind(&self) -> Kind {
        match self {
            ProbeSpec::Mcp(_) => Kind::Mcp,
            ProbeSpec::Hub(_) => Kind::Hub,
            ProbeSpec::Http(_) => Kind::Http,
            ProbeSpec::Tcp(_) => Kind::Tcp,
            ProbeSpec::Cert(_) => Kind::Cert,
            ProbeSpec::Log(_) => Kind::Log,
            ProbeSpec::Process(_) => Kind::Process,
            ProbeSpec::Host(_) => Kind::Host,
        }
    }
}

/// One thing to watch.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    /// What to look at, at most one probe of each kind, in `Kind` order (the report order). Private so
    /// that only `set` adds one: two MCP endpoints on one target cannot be built.
    probes: Vec<ProbeSpec>,
    pub era: EraChoice,
    pub checks: Checks,
    pub timeout: Duration,
    /// The start-up deadline of a stdio server (`startup_timeout`, `--startup-timeout`): spawn until
    /// its first byte on stdout, counted apart from `timeout`. None: a package runner gets
    /// [`RUNNER_STARTUP_TIMEOUT`], any other command starts within `timeout` (see `startup_limit`).
    pub startup_timeout: Option<Duration>,
    /// How often `serve` and `record` check it (the config's `interval`); None: their `--interval`.
    pub interval: Option<Duration>,
    /// Where it came from, for messages: `mcpmon.json: targets.memory` or `command line`.
    pub origin: String,
    /// Placeholders that could not be resolved (`headers.Authorization: ${MCP_TOKEN} is not set`).
    pub unresolved: Vec<String>,
    /// Values that must never appear in output (header values, env values), scrubbed from messages.
    pub secrets: Vec<String>,
    /// A PEM file with a CA (or self-signed certificate) to trust, beside the built-in roots, for this
    /// target's HTTPS MCP URL and hub (`ca_file`; a `tcp://` target's TLS port has it in its spec).
    pub ca_file: Option<PathBuf>,
    /// What an earlier run learnt about this server's detection (from the state dir): it cannot stand
    /// a 2026-07-28 client's `server/discover`, so `initialize` is asked directly. None: detect.
    pub remembered: Option<String>,
    /// Maintenance windows (the config's top-level `maintenance` and the target's own): while one is
    /// open, `alerts` mutes the target as a silence would.
    pub maintenance: Vec<super::silence::Window>,
    /// What to do when one of its alerts fires (`on_fire`); empty: nothing (the default).
    pub on_fire: Vec<super::remedy::Action>,
}

impl Target {
    /// The cheap set (liveness): handshake and ping but no lists, no log tail, no host sample.
    pub fn liveness_only(&mut self) {
        self.checks.skip_lists = true;
        self.remove(Kind::Log);
        self.remove(Kind::Host);
    }

    /// The probes this target carries, in report order.
    pub fn probes(&self) -> &[ProbeSpec] {
        &self.probes
    }

    /// Adds a probe, replacing the one of the same kind.
    pub fn set(&mut self, spec: ProbeSpec) {
        let kind = spec.kind();
        match self.probes.binary_search_by(|p| p.kind().cmp(&kind)) {
            Ok(i) => self.probes[i] = spec,
            Err(i) => self.probes.insert(i, spec),
        }
    }

    /// Drops the probe of one kind (if any).
    pub fn remove(&mut self, kind: Kind) {
        self.probes.retain(|p| p.kind() != kind);
    }

    /// Keeps the probes of the kinds `keep` accepts.
    pub fn retain_kinds(&mut self, keep: impl Fn(Kind) -> bool) {
        self.probes.retain(|p| keep(p.kind()));
    }

    pub fn has(&self, kind: Kind) -> bool {
        self.probes.iter().any(|p| p.kind() == kind)
    }

    /// The MCP server itself (stdio command or URL), when the target has one.
    pub fn mcp(&self) -> Option<&EndpointSpec> {
        self.probes.iter().find_map(|p| match p {
            ProbeSpec::Mcp(s) => Some(s),
            _ => None,
        })
    }

    /// A hub's REST API (mcp-hub).
    pub fn hub(&self) -> Option<&HubSpec> {
        self.probes.iter().find_map(|p| match p {
            ProbeSpec::Hub(s) => Some(s),
            _ => None,
        })
    }

    /// A generic HTTP/JSON health endpoint.
    pub fn http(&self) -> Option<&HttpCheck> {
        self.probes.iter().find_map(|p| match p {
            ProbeSpec::Http(s) => Some(s),
            _ => None,
        })
    }

    /// A plain TCP port.
    pub fn tcp(&self) -> Option<&TcpSpec> {
        self.probes.iter().find_map(|p| match p {
            ProbeSpec::Tcp(s) => Some(s),
            _ => None,
        })
    }

    pub fn http_mut(&mut self) -> Option<&mut HttpCheck> {
        self.probes.iter_mut().find_map(|p| match p {
            ProbeSpec::Http(s) => Some(s),
            _ => None,
        })
    }

    /// A log file to read the tail of.
    pub fn log(&self) -> Option<&LogSpec> {
        self.probes.iter().find_map(|p| match p {
            ProbeSpec::Log(s) => Some(s),
            _ => None,
        })
    }

    /// The server's process (by pid, pid file, listening port or command-line pattern).
    pub fn process(&self) -> Option<&ProcessSpec> {
        self.probes.iter().find_map(|p| match p {
            ProbeSpec::Process(s) => Some(s),
            _ => None,
        })
    }

    /// The machine itself (CPU, memory, load, disks of the paths that matter).
    pub fn host(&self) -> Option<&HostSpec> {
        self.probes.iter().find_map(|p| match p {
            ProbeSpec::Host(s) => Some(s),
            _ => None,
        })
    }

    /// The key detection memory files this target's MCP server under: `stdio:` and its command line,
    /// or `url:` and a fingerprint of the URL (its path or query may be a token: it is never stored).
    pub fn detection_key(&self) -> Option<String> {
        match self.mcp()? {
            EndpointSpec::Stdio(s) => {
                let mut key = format!("stdio:{}", s.program);
                for a in &s.args {
                    key.push(' ');
                    key.push_str(a);
                }
                Some(key)
            }
            EndpointSpec::Url { url, .. } => {
                let digest = ring::digest::digest(&ring::digest::SHA256, url.as_bytes());
                let hex: String = digest.as_ref()[..12]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                Some(format!("url:{hex}"))
            }
        }
    }

    /// Uses what an earlier run detected of this URL target's server: its transport (unless the config
    /// names one) and its era, so no round trip is spent on `server/discover` or on probing the
    /// transport. `note` says so in the detection steps. Only for a target whose era is detected.
    pub fn remember_detection(&mut self, wire: Option<Wire>, era: Option<Era>, note: String) {
        if self.era != EraChoice::Auto {
            return;
        }
        if let Some(ProbeSpec::Mcp(EndpointSpec::Url { wire: w, .. })) =
            self.probes.iter_mut().find(|p| p.kind() == Kind::Mcp)
        {
            if w.is_none() {
                *w = wire;
            }
            self.era = match era {
                Some(Era::Modern) => EraChoice::Modern,
                Some(Era::Legacy) => EraChoice::Legacy,
                None => EraChoice::Auto,
            };
            self.remembered = Some(note);
        }
    }

    /// The start-up phase of this target's stdio server, when it has one of its own: the longest time
    /// from spawn to the server's first byte on stdout, after which the request deadlines (`timeout`)
    /// start counting. The configured `startup_timeout`; for a package runner without one, the longer
    /// of [`RUNNER_STARTUP_TIMEOUT`] and `timeout`. None (a URL, or any other command without one):
    /// start-up counts within `timeout`, as every request does.
    pub fn startup_limit(&self) -> Option<Duration> {
        let EndpointSpec::Stdio(spec) = self.mcp()? else {
            return None;
        };
        match self.startup_timeout {
            Some(d) => Some(d),
            None => spec
                .package_runner()
                .map(|_| RUNNER_STARTUP_TIMEOUT.max(self.timeout)),
        }
    }

    /// A target with nothing but the given name and origin (the parts are filled in by the caller).
    pub fn empty(name: String, origin: String, timeout: Duration) -> Target {
        Target {
            name,
            probes: Vec::new(),
            era: EraChoice::Auto,
            checks: Checks::default(),
            timeout,
            startup_timeout: None,
            interval: None,
            origin,
            unresolved: Vec::new(),
            secrets: Vec::new(),
            ca_file: None,
            remembered: None,
            maintenance: Vec::new(),
            on_fire: Vec::new(),
        }
    }
}

/// Where the hub is.
#[derive(Debug, Clone)]
pub struct HubSpec {
    /// Base URL, e.g. `http://127.0.0.1:37373`.
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The hub's config file, as the user named it (`hub.config`, `--hub-config`): the only one
    /// `--deep` reads and starts servers from. The path a hub reports is never trusted on its own.
    pub config: Option<PathBuf>,
}

/// Where a metric comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricSource {
    /// A JSON pointer into the body, e.g. `/websocket/successRate`.
    Pointer(String),
    /// A Prometheus sample: metric name and labels that must match.
    Prometheus {
        name: String,
        labels: Vec<(String, String)>,
    },
    /// A name looked up in the JSON body whatever its nesting and casing: `llm_success_rate` finds
    /// `{"llm_success_rate": …}`, `{"llmSuccessRate": …}` and `{"llm": {"successRate": …}}` (the
    /// check-alerts.sh names, whose stats documents differ between versions).
    Named(String),
}

/// A state read from the body (a circuit breaker's `open`/`half-open`/`closed`), judged by its value.
#[derive(Debug, Clone, PartialEq)]
pub struct StateSpec {
    pub name: String,
    pub source: MetricSource,
    /// Values that are critical / a warning (compared case-insensitively).
    pub crit: Vec<String>,
    pub warn: Vec<String>,
}

/// A named number to read, with optional bounds (`below` = lower is worse, e.g. a success rate).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSpec {
    pub name: String,
    pub source: MetricSource,
    pub bound: Bound,
    pub below: bool,
    /// The bounds are fractions (0.95): a value reported as a percentage (97.5) is read as 0.975.
    pub fraction: bool,
    /// What the bounds judge: the number, its rate, its growth, or its age.
    pub judge: Judge,
    /// Listed on its own line (the table's sub-rows) even when it is OK: a number people want to see
    /// (a cache's size, a queue's processed count), not only a threshold to breach.
    pub show: bool,
}

impl MetricSpec {
    /// A number read from `source`, shown in the summary, judged by nothing.
    pub fn new(name: impl Into<String>, source: MetricSource) -> MetricSpec {
        MetricSpec {
            name: name.into(),
            source,
            bound: Bound {
                warn: None,
                crit: None,
            },
            below: false,
            fraction: false,
            judge: Judge::Value,
            show: false,
        }
    }
}

/// How a metric's number is judged.
#[derive(Debug, Clone, PartialEq)]
pub enum Judge {
    /// The number itself.
    Value,
    /// Its change since the previous stored sample, per this span (`"rate": "1m"`; a counter that went
    /// down was reset and is counted from 0).
    Rate { per: Duration, text: String },
    /// It must have grown since the previous stored sample (WARN when it stayed flat).
    Increasing,
    /// A timestamp (RFC 3339, epoch seconds or milliseconds) no older than this: WARN beyond it, CRIT
    /// beyond twice it (the source's "sync delay > 2× interval").
    MaxAge(Duration),
}

impl Judge {
    /// Whether judging needs the previous sample (kept in the state dir).
    pub fn needs_sample(&self) -> bool {
        matches!(self, Judge::Rate { .. } | Judge::Increasing)
    }
}

/// Conditions on the JSON body's value at `pointer` (all must hold).
#[derive(Debug, Clone, PartialEq)]
pub struct Assertion {
    pub pointer: String,
    pub conditions: Vec<super::Condition>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpCheck {
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// Accepted statuses; empty means any 2xx.
    pub expect_status: Vec<u16>,
    pub asserts: Vec<Assertion>,
    pub metrics: Vec<MetricSpec>,
    pub states: Vec<StateSpec>,
    /// `"metrics": "all"`: every number of the document is read and shown (its numeric JSON leaves, or
    /// its Prometheus samples), besides the named metrics.
    pub all_metrics: bool,
    /// A PEM file with the CA (or self-signed certificate) to trust for this endpoint, beside the
    /// built-in roots.
    pub ca_file: Option<std::path::PathBuf>,
}

/// A plain TCP check: connect (the connect time is the latency), optionally a TLS handshake (the
/// peer certificate's expiry is reported), optionally write `send` and read until `expect` appears.
#[derive(Debug, Clone, PartialEq)]
pub struct TcpSpec {
    /// As the user wrote it: `tcp://127.0.0.1:5432`.
    pub url: String,
    pub host: String,
    pub port: u16,
    /// Bytes written once connected (and after the handshake, with TLS).
    pub send: Option<String>,
    /// A substring the peer must send (first, or in answer to `send`); read at most
    /// `MAX_EXPECT_BYTES`.
    pub expect: Option<String>,
    /// Speak TLS after connecting (verified against the built-in roots and `ca_file`).
    pub tls: bool,
    /// A PEM file with a CA (or self-signed certificate) to trust beside the built-in roots.
    pub ca_file: Option<PathBuf>,
}

/// The most a TCP check reads while looking for its `expect` string.
pub const MAX_EXPECT_BYTES: usize = 64 * 1024;

/// A certificate file to watch (`cert_file`): the first certificate of a PEM file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSpec {
    pub path: PathBuf,
}

/// Entries read from the end when the caller does not say (the runbook rule: "errors in last 100 log entries").
pub const DEFAULT_ENTRIES: usize = 100;

/// Where log lines come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogSource {
    /// A log file (symlinks are followed), read backwards from its end.
    File(PathBuf),
    /// A program run without a shell (`journalctl -u mcp -n 500 -o cat`, `docker logs --tail 500 app`);
    /// its standard output is read as the log.
    Command(Vec<String>),
    /// mcpmon's own standard input (`--log -`), read once.
    Stdin,
}

/// Which lines the patterns with bounds (`Pattern::warn`/`crit`) are counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogWindow {
    /// A file's lines written since the last look (the first look reads the last `entries` entries); a
    /// command's or stdin's whole output.
    #[default]
    New,
    /// The last `entries` entries, every time.
    Tail,
}

/// What to read and what to count.
#[derive(Debug, Clone, PartialEq)]
pub struct LogSpec {
    pub source: LogSource,
    /// How many entries (non-empty lines) to read from the end of the file.
    pub entries: usize,
    /// Named patterns to count in those entries.
    pub patterns: Vec<Pattern>,
    /// What the patterns with bounds are counted over.
    pub window: LogWindow,
    /// The file's mark at the last look (set by the caller just before reading, from its state file):
    /// where the lines new since then start. `None`: a first look, or no state kept.
    pub since: Option<LogMark>,
}

impl LogSpec {
    /// The defaults for a file: 100 entries, `default_patterns()`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        LogSpec::of(LogSource::File(path.into()))
    }

    /// The defaults for any source: 100 entries, `default_patterns()`, counted over new lines.
    pub fn of(source: LogSource) -> Self {
        LogSpec {
            source,
            entries: DEFAULT_ENTRIES,
            patterns: default_patterns(),
            window: LogWindow::New,
            since: None,
        }
    }

    /// The file, for a file source.
    pub fn path(&self) -> Option<&std::path::Path> {
        match &self.source {
            LogSource::File(p) => Some(p),
            _ => None,
        }
    }

    /// Adds `user` patterns to the defaults: one with the name of a default replaces it.
    pub fn with_patterns(mut self, user: Vec<Pattern>) -> Self {
        self.patterns
            .retain(|d| !user.iter().any(|u| u.name == d.name));
        self.patterns.extend(user);
        self
    }
}

/// A regular expression of the `regex` crate (linear time whatever the line), compared by its text.
#[derive(Debug, Clone)]
pub struct LineRegex(pub regex::Regex);

impl PartialEq for LineRegex {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl Eq for LineRegex {}

/// A named set of case-insensitive substrings (`any_of`) or a regular expression (`regex`, as written:
/// case-sensitive unless it says `(?i)`); an entry matching counts once for `name`. Empty substrings
/// never match. Patterns sharing a name are merged (an entry still counts once). With `warn` or `crit`
/// a pattern is judged: that many matching lines (or more) in its window is WARN or CRIT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub name: String,
    pub any_of: Vec<String>,
    pub regex: Option<LineRegex>,
    pub warn: Option<u64>,
    pub crit: Option<u64>,
}

impl Pattern {
    pub fn new(name: &str, any_of: &[&str]) -> Self {
        Pattern {
            name: name.to_string(),
            any_of: any_of.iter().map(|s| s.to_string()).collect(),
            regex: None,
            warn: None,
            crit: None,
        }
    }

    /// A judged pattern: `regex`, WARN at `warn` matching lines, CRIT at `crit`.
    pub fn regex(name: &str, regex: regex::Regex, warn: Option<u64>, crit: Option<u64>) -> Self {
        Pattern {
            name: name.to_string(),
            any_of: Vec::new(),
            regex: Some(LineRegex(regex)),
            warn,
            crit,
        }
    }

    /// Whether a finding judges it (it has a bound or a regex of the user's).
    pub fn judged(&self) -> bool {
        self.regex.is_some() || self.warn.is_some() || self.crit.is_some()
    }

    /// What it looks for, as shown in messages: the regex, or the substrings joined by `|`.
    pub fn shown(&self) -> String {
        match &self.regex {
            Some(r) => r.0.as_str().to_string(),
            None => self.any_of.join("|"),
        }
    }
}

/// The patterns of common MCP runbooks: `healthy` and `error_indicators` (the log lines they look for),
/// `disconnect` and `reconnect` (their flapping check counts disconnect/reconnect cycles). Note that
/// "disconnect" is a plain substring, so a line saying "disconnected" counts for `disconnect`.
pub fn default_patterns() -> Vec<Pattern> {
    vec![
        Pattern::new(
            "healthy",
            &[
                "MCP Server connected successfully",
                "WebSocket connection established",
                "Sync completed",
                "Health check passed",
            ],
        ),
        Pattern::new(
            "error_indicators",
            &[
                "Connection timeout",
                "Authentication failed",
                "Rate limit exceeded",
                "Database connection error",
                "Sync failed",
            ],
        ),
        Pattern::new("disconnect", &["disconnect"]),
        Pattern::new("reconnect", &["reconnect"]),
    ]
}

/// How to find the process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// This pid.
    Pid(u32),
    /// The pid written in this file (the first number on its first non-empty line).
    PidFile(PathBuf),
    /// The process(es) owning a TCP socket that listens on this port (a pre-forking server's workers share it).
    Port(u16),
    /// Every process whose full command line (arguments joined by spaces) contains this text, case-sensitively.
    Pattern(String),
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Pid(pid) => write!(f, "pid {pid}"),
            Selector::PidFile(path) => write!(f, "pid file {}", path.display()),
            Selector::Port(port) => write!(f, "TCP port {port}"),
            Selector::Pattern(p) => write!(f, "command line containing {p:?}"),
        }
    }
}

/// What to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessSpec {
    pub selector: Selector,
    /// Time between the two CPU looks; raised to sysinfo's `MINIMUM_CPU_UPDATE_INTERVAL` when shorter.
    /// `Duration::ZERO` skips the CPU sample (no sleep; `cpu_percent` is `None`).
    pub cpu_sample: Duration,
}

impl ProcessSpec {
    /// A spec with the default CPU sample (`DEFAULT_CPU_SAMPLE`).
    pub fn new(selector: Selector) -> Self {
        ProcessSpec {
            selector,
            cpu_sample: DEFAULT_CPU_SAMPLE,
        }
    }
}

/// What to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSpec {
    /// Paths whose filesystems matter (state dir, log dir); each is reported once, in this order.
    pub paths: Vec<PathBuf>,
    /// Time between the two CPU looks; raised to sysinfo's `MINIMUM_CPU_UPDATE_INTERVAL` when shorter.
    /// `Duration::ZERO` skips the CPU sample (no sleep; `cpu_percent` is `None`).
    pub cpu_sample: Duration,
}

impl HostSpec {
    /// A spec with the default CPU sample (`DEFAULT_CPU_SAMPLE`).
    pub fn new(paths: Vec<PathBuf>) -> Self {
        HostSpec {
            paths,
            cpu_sample: DEFAULT_CPU_SAMPLE,
        }
    }
}

impl Default for HostSpec {
    fn default() -> Self {
        HostSpec::new(Vec::new())
    }
}

/// What to start.
#[derive(Debug, Clone)]
pub struct StdioSpec {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: Option<PathBuf>,
}

impl StdioSpec {
    /// The package runner this command is, if it is one (see [`package_runner`]).
    pub fn package_runner(&self) -> Option<Runner<'_>> {
        package_runner(&self.program, &self.args)
    }
}

/// Which family a package runner's package names follow (how a version is pinned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registry {
    /// npm: `name@1.2.3`, `@scope/name@1.2.3`.
    Npm,
    /// PyPI: `name==1.2.3` (or `name@1.2.3` for uv).
    PyPi,
}

/// A command that fetches a package and runs it: what `validate` warns about when the package is not
/// pinned, and what gets a long start-up deadline (a first run downloads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runner<'a> {
    /// The runner as a person types it: `npx`, `pnpm dlx`, `uv tool run`.
    pub name: &'static str,
    pub registry: Registry,
    /// The package argument (the first argument after the runner's words that is not an option),
    /// when there is one.
    pub package: Option<&'a str>,
}

/// Recognises a package runner by its program's file name and first arguments: `npx`, `bunx`,
/// `pnpx`, `npm exec`, `pnpm dlx`, `yarn dlx`, `uvx`, `uv tool run` (`uv tool x`), `pipx run`.
/// A runner behind a wrapper (`sh -c "npx …"`, `cmd /c npx`) is not recognised.
pub fn package_runner<'a>(program: &str, args: &'a [String]) -> Option<Runner<'a>> {
    let base = program.rsplit('/').next().unwrap_or(program);
    let first = args.first().map(String::as_str);
    let second = args.get(1).map(String::as_str);
    let (name, registry, words) = match (base, first, second) {
        ("npx", ..) => ("npx", Registry::Npm, 0),
        ("bunx", ..) => ("bunx", Registry::Npm, 0),
        ("pnpx", ..) => ("pnpx", Registry::Npm, 0),
        ("npm", Some("exec" | "x"), _) => ("npm exec", Registry::Npm, 1),
        ("pnpm", Some("dlx"), _) => ("pnpm dlx", Registry::Npm, 1),
        ("yarn", Some("dlx"), _) => ("yarn dlx", Registry::Npm, 1),
        ("uvx", ..) => ("uvx", Registry::PyPi, 0),
        ("uv", Some("tool"), Some("run" | "x")) => ("uv tool run", Registry::PyPi, 2),
        ("pipx", Some("run"), _) => ("pipx run", Registry::PyPi, 1),
        _ => return None,
    };
    let package = args
        .iter()
        .skip(words)
        .find(|a| !a.starts_with('-'))
        .map(String::as_str);
    Some(Runner {
        name,
        registry,
        package,
    })
}

/// Which protocol era a session speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 2026-07-28 and later: `_meta` on every request, no handshake, no sessions.
    Modern,
    /// 2025-11-25 and earlier: the `initialize` handshake.
    Legacy,
}

impl Era {
    pub fn as_str(self) -> &'static str {
        match self {
            Era::Modern => "modern",
            Era::Legacy => "legacy",
        }
    }

    pub fn from_name(name: &str) -> Option<Era> {
        match name {
            "modern" => Some(Era::Modern),
            "legacy" => Some(Era::Legacy),
            _ => None,
        }
    }
}

/// What the user allows detection to choose: `--era` and a config's `era` (`auto`, `modern`, `legacy`).
/// The variants' doc comments are `--era`'s help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum EraChoice {
    /// Try the stateless 2026-07-28 revision first, fall back to the initialize handshake.
    #[default]
    Auto,
    /// Only the stateless 2026-07-28 revision (`server/discover`).
    Modern,
    /// Only the initialize handshake (2025-11-25 and earlier).
    Legacy,
}

/// Which wire a transport speaks. `as_str` is the stable name in every output; `--transport` and a
/// config's `type` / `transport` call streamable HTTP `http` (a config also takes the client configs'
/// `streamable-http`, `streamableHttp`, `streamable_http`). The variants' doc comments are
/// `--transport`'s help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
pub enum Wire {
    /// A child process (only with a command after `--`).
    #[serde(rename = "stdio")]
    Stdio,
    /// Streamable HTTP (either era).
    #[serde(
        rename = "http",
        alias = "streamable-http",
        alias = "streamableHttp",
        alias = "streamable_http"
    )]
    #[value(name = "http")]
    StreamableHttp,
    /// The legacy HTTP+SSE transport (2024-11-05).
    #[serde(rename = "sse")]
    Sse,
}

impl Wire {
    pub fn as_str(self) -> &'static str {
        match self {
            Wire::Stdio => "stdio",
            Wire::StreamableHttp => "streamable_http",
            Wire::Sse => "sse",
        }
    }

    /// The wire of an `as_str` name.
    pub fn from_name(name: &str) -> Option<Wire> {
        [Wire::Stdio, Wire::StreamableHttp, Wire::Sse]
            .into_iter()
            .find(|w| w.as_str() == name)
    }
}

/// The CPU sample when the caller does not say: two looks this far apart.
pub const DEFAULT_CPU_SAMPLE: Duration = Duration::from_millis(250);

#[cfg(test)]
mod tests {
    use super::*;

    fn runner(program: &str, args: &[&str]) -> Option<(&'static str, Option<String>)> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        package_runner(program, &args).map(|r| (r.name, r.package.map(str::to_string)))
    }

    #[test]
    fn package_runners_are_recognised_by_file_name_and_words() {
        let pkg = |n: &'static str, p: &str| Some((n, Some(p.to_string())));
        assert_eq!(runner("npx", &["-y", "@a/b"]), pkg("npx", "@a/b"));
        assert_eq!(runner("/opt/node/bin/npx", &["x"]), pkg("npx", "x"));
        assert_eq!(runner("bunx", &["x"]), pkg("bunx", "x"));
        assert_eq!(runner("pnpx", &["x"]), pkg("pnpx", "x"));
        assert_eq!(runner("npm", &["exec", "--yes", "x"]), pkg("npm exec", "x"));
        assert_eq!(runner("pnpm", &["dlx", "x"]), pkg("pnpm dlx", "x"));
        assert_eq!(runner("yarn", &["dlx", "x"]), pkg("yarn dlx", "x"));
        assert_eq!(runner("uvx", &["x==1"]), pkg("uvx", "x==1"));
        assert_eq!(runner("uv", &["tool", "run", "x"]), pkg("uv tool run", "x"));
        assert_eq!(runner("pipx", &["run", "x"]), pkg("pipx run", "x"));
        assert_eq!(runner("npx", &[]), Some(("npx", None)));
        for (p, a) in [
            ("node", &["s.js"][..]),
            ("npm", &["start"][..]),
            ("pnpm", &["install"][..]),
            ("uv", &["run", "s.py"][..]),
            ("pipx", &["install", "x"][..]),
            ("sh", &["-c", "npx x"][..]),
            ("npx-wrapper", &["x"][..]),
        ] {
            assert_eq!(runner(p, a), None, "{p} {a:?}");
        }
    }

    #[test]
    fn only_stdio_targets_have_a_startup_limit() {
        let stdio = |program: &str| {
            let mut t = Target::empty("t".into(), "test".into(), Duration::from_secs(10));
            t.set(ProbeSpec::Mcp(EndpointSpec::Stdio(StdioSpec {
                program: program.into(),
                args: vec!["pkg".into()],
                env: Vec::new(),
                cwd: None,
            })));
            t
        };
        assert_eq!(stdio("npx").startup_limit(), Some(RUNNER_STARTUP_TIMEOUT));
        assert_eq!(stdio("node").startup_limit(), None);
        let mut t = stdio("node");
        t.startup_timeout = Some(Duration::from_secs(3));
        assert_eq!(t.startup_limit(), Some(Duration::from_secs(3)));
        let mut t = stdio("npx");
        t.timeout = Duration::from_secs(600);
        assert_eq!(t.startup_limit(), Some(Duration::from_secs(600)));
        let mut t = Target::empty("t".into(), "test".into(), Duration::from_secs(10));
        t.set(ProbeSpec::Mcp(EndpointSpec::Url {
            url: "http://127.0.0.1:1/mcp".into(),
            headers: Vec::new(),
            wire: None,
        }));
        t.startup_timeout = Some(Duration::from_secs(3));
        assert_eq!(t.startup_limit(), None);
    }
}
