//! What the probes saw, one struct per kind of probe (the payloads of `Facts`). Pure data with the
//! small pure helpers that read it; the probes that fill them live in `probe`.

use super::failure::Failure;
use super::stats::LatencyStats;
use super::target::{Era, Wire};
use crate::model::{MetricSpec, StateSpec};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A listed item count, or why the list could not be read.
pub type Listed<T> = Option<Result<T, Failure>>;

/// The line in a stdio server's `stderr_tail` between its first error-looking lines (kept because
/// the cause of a crash is often followed by pages of usage text) and its last lines.
pub fn stderr_gap(skipped: usize) -> String {
    format!("… {skipped} lines skipped …")
}

fn is_stderr_gap(line: &str) -> bool {
    line.starts_with("… ") && line.ends_with(" lines skipped …")
}

/// What makes a stderr line look like the cause of a failure (matched case-insensitively).
const CAUSE_WORDS: [&str; 10] = [
    "error",
    "panic",
    "traceback",
    "exception",
    "fatal",
    "cannot find",
    "not found",
    "no such file",
    "permission denied",
    "address already in use",
];

/// Whether a stderr line looks like the cause of a failure (`Error: Cannot find module …`).
pub fn looks_like_a_cause(line: &str) -> bool {
    let lower = line.to_lowercase();
    CAUSE_WORDS.iter().any(|w| lower.contains(w))
}

/// What a short view of `stderr_tail` shows: the kept cause lines (everything up to the last gap
/// line) and the last `n` lines after it. Without a gap line, the first two cause-looking lines
/// before the last `n` are kept too (`Error: Cannot find module …` above a stack trace), then "…".
pub fn stderr_short(tail: &[String], n: usize) -> Vec<&str> {
    let after = tail
        .iter()
        .rposition(|l| is_stderr_gap(l))
        .map_or(0, |i| i + 1);
    let rest = &tail[after..];
    let cut = rest.len().saturating_sub(n);
    let mut out: Vec<&str> = tail[..after].iter().map(String::as_str).collect();
    if after == 0 && cut > 0 {
        let causes: Vec<&str> = rest[..cut]
            .iter()
            .filter(|l| looks_like_a_cause(l))
            .take(2)
            .map(String::as_str)
            .collect();
        if !causes.is_empty() {
            out.extend(causes);
            out.push("…");
        }
    }
    out.extend(rest[cut..].iter().map(String::as_str));
    out
}

/// Everything the MCP probe saw of one target.
#[derive(Debug, Clone, Default)]
pub struct McpFacts {
    pub wire: Option<Wire>,
    pub era: Option<Era>,
    pub revision: Option<String>,
    pub server: Option<ServerInfo>,
    /// Capability names the server declared (`tools`, `prompts`, …).
    pub capabilities: Vec<String>,
    pub handshake: Option<Duration>,
    /// From the start of the probe (spawn, for stdio) to an established session, detection included.
    pub ready: Option<Duration>,
    /// The liveness method used and its round trip.
    pub liveness: Option<(String, Result<Duration, Failure>)>,
    pub tools: Listed<Vec<String>>,
    /// Tool name → a hash of its `inputSchema` (keys sorted), for history's "schema changed".
    pub tool_schemas: std::collections::BTreeMap<String, String>,
    pub prompts: Listed<usize>,
    pub resources: Listed<usize>,
    pub requests: Vec<RequestRecord>,
    pub detection: Vec<String>,
    /// The server could not stand a 2026-07-28 client and was started again for `initialize` (what
    /// happened, with its stderr line).
    pub intolerance: Option<String>,
    /// Protocol faults seen on the wire (stray stdout, unmatched ids, bad messages).
    pub faults: Vec<String>,
    pub notifications: u64,
    pub server_requests: Vec<String>,
    pub stderr_tail: Vec<String>,
    pub close: Option<String>,
    /// The configured URL redirected (307/308, same origin) to the one used: what to configure instead.
    pub redirect: Option<String>,
    /// HTTPS: the server certificate's expiry (from the first response that carried one).
    pub tls: Option<CertExpiry>,
    /// The resources of a stdio server mcpmon started (RSS, threads, descriptors; no CPU sample).
    pub child: Option<ProcessInfo>,
    /// The functional checks (`call`), in config order.
    pub calls: Vec<super::call::CallFacts>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerInfo {
    pub name: String,
    pub version: String,
    pub title: Option<String>,
}

/// One request as it happened on the wire.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    pub method: String,
    pub latency: Duration,
    pub http: Option<HttpFacts>,
    pub ok: bool,
}

/// HTTP-level facts of one exchange, kept because a monitor's product is exactly these wire facts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpFacts {
    pub status: u16,
    pub content_type: String,
    pub ttfb: Duration,
    /// HTTPS: the server certificate's `notAfter`.
    pub not_after: Option<chrono::DateTime<chrono::Utc>>,
}

/// Capability counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HubCounts {
    pub tools: Option<usize>,
    pub resources: Option<usize>,
    pub resource_templates: Option<usize>,
    pub prompts: Option<usize>,
}

/// One server managed by the hub, as the hub reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HubServer {
    pub name: String,
    pub status: Option<String>,
    pub error: Option<String>,
    pub uptime_s: Option<f64>,
    pub transport: Option<String>,
    pub counts: HubCounts,
    pub server_name: Option<String>,
    pub server_version: Option<String>,
    pub last_started: Option<String>,
}

impl HubServer {
    /// `up 22 min` for a connected server; none for one that is not running (mcp-hub still reports an
    /// uptime for a disconnected or disabled server: 0, or the hub's own).
    pub fn uptime_text(&self) -> Option<String> {
        let u = self
            .uptime_s
            .filter(|_| self.status.as_deref() == Some("connected"))?;
        Some(format!("up {}", super::human::span_secs(u.max(0.0))))
    }
}

/// Everything the hub said about itself.
#[derive(Debug, Clone, Default)]
pub struct HubFacts {
    pub http_status: Option<u16>,
    pub latency: Option<Duration>,
    pub state: Option<String>,
    pub status: Option<String>,
    pub version: Option<String>,
    pub server_id: Option<String>,
    pub active_clients: Option<u64>,
    /// When the current workspace (this hub process) started, RFC 3339 as the hub wrote it.
    pub started_at: Option<String>,
    pub workspaces: Option<usize>,
    /// mcp-hub's workspace cache (`workspaces.allActive`): each workspace's key and state (`active`,
    /// `shutting_down`, …), this hub's marked.
    pub workspace_states: Vec<(String, String, bool)>,
    /// `mcpEndpoint.registeredCapabilities` (null while the hub starts).
    pub registered: Option<HubCounts>,
    pub servers: Vec<HubServer>,
    /// JSON pointers of fields the judgement needs that the hub did not send.
    pub missing: Vec<String>,
    /// The fork's `/api/filtering/stats`, when the hub has it.
    pub filtering: Option<Map<String, Value>>,
    /// The config file the hub names as its servers' source (for `--deep`).
    pub config_source: Option<String>,
    /// HTTPS: the hub's certificate's expiry.
    pub tls: Option<CertExpiry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AssertResult {
    pub pointer: String,
    pub conditions: Vec<super::Condition>,
    /// None when the pointer found nothing.
    pub actual: Option<Value>,
}

impl AssertResult {
    pub fn ok(&self) -> bool {
        self.failure().is_none()
    }

    /// Why the first condition that does not hold fails (`is "down", expected one of […]`).
    pub fn failure(&self) -> Option<String> {
        super::condition::first_failure(&self.conditions, self.actual.as_ref())
    }

    /// What the conditions expect, as the config wrote them.
    pub fn expected(&self) -> Value {
        super::condition::expected(&self.conditions)
    }
}

/// A metric's value at one time, kept in the state dir to judge the next one's rate or growth.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub value: f64,
    /// When it was read (ms since the epoch).
    pub at_ms: i64,
}

/// What one GET of a `health_url` (an HTTP/JSON health document or `/metrics`) returned.
#[derive(Debug, Clone, Default)]
pub struct HealthFacts {
    pub http_status: Option<u16>,
    pub content_type: Option<String>,
    pub latency: Option<Duration>,
    pub body_bytes: Option<usize>,
    pub is_json: bool,
    pub expect_status: Vec<u16>,
    pub asserts: Vec<AssertResult>,
    /// Each configured metric with its value, in config order.
    pub metrics: Vec<(MetricSpec, Option<f64>)>,
    /// Each configured state with its value.
    pub states: Vec<(StateSpec, Option<String>)>,
    /// HTTPS: the server certificate's `notAfter`, and the days left until then (negative: expired).
    pub tls_not_after: Option<chrono::DateTime<chrono::Utc>>,
    pub tls_days_left: Option<f64>,
    /// The previous sample of each metric that needs one (`rate`, `increasing`), by metric name; set
    /// by the caller from its state file. `None`: no state is kept (nothing to compare with).
    pub previous: Option<BTreeMap<String, Sample>>,
}

impl HealthFacts {
    /// This observation's samples worth keeping for the next: the metrics judged by rate or growth
    /// that have a value.
    pub fn samples(&self, at_ms: i64) -> Vec<(String, Sample)> {
        self.metrics
            .iter()
            .filter(|(m, _)| m.judge.needs_sample())
            .filter_map(|(m, v)| {
                v.filter(|v| v.is_finite())
                    .map(|value| (m.name.clone(), Sample { value, at_ms }))
            })
            .collect()
    }
}

/// A certificate's expiry as seen at one look: its `notAfter` and the days left until then (negative:
/// expired), rounded to a tenth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CertExpiry {
    pub not_after: chrono::DateTime<chrono::Utc>,
    pub days_left: f64,
}

impl CertExpiry {
    /// The expiry of a certificate valid until `not_after`, looked at `now`.
    pub fn at(
        not_after: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> CertExpiry {
        CertExpiry {
            not_after,
            days_left: crate::model::stats::round1(
                (not_after - now).num_seconds() as f64 / 86_400.0,
            ),
        }
    }
}

/// What one TLS handshake showed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TlsFacts {
    pub handshake: Duration,
    /// `TLSv1.3`, `TLSv1.2`.
    pub version: Option<String>,
    /// The peer (leaf) certificate's expiry, when it could be read.
    pub cert: Option<CertExpiry>,
}

/// What a plain TCP check saw: the connect, the TLS handshake, what the peer sent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TcpFacts {
    /// The socket address connected to (`127.0.0.1:5432`).
    pub address: Option<String>,
    /// From the first connect attempt to an established connection: the latency judged.
    pub connect: Option<Duration>,
    pub tls: Option<TlsFacts>,
    /// The configured `expect`, and whether it appeared in what was read (None: not looked for).
    pub expect: Option<String>,
    pub matched: Option<bool>,
    /// The start of what the peer sent (at most `RECEIVED_CHARS` characters, decoded lossily). Raw
    /// peer text: sanitise before printing to a terminal.
    pub received: Option<String>,
    /// Bytes read while looking for `expect` (at most `MAX_EXPECT_BYTES`).
    pub received_bytes: usize,
    /// The peer closed the connection before `expect` appeared.
    pub closed: bool,
}

/// How much of what a TCP peer sent is kept in the facts.
pub const RECEIVED_CHARS: usize = 200;

/// What a certificate file (`cert_file`) holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CertFacts {
    /// Certificates in the file (a chain has several; the first is judged).
    pub certificates: usize,
    /// The first certificate's expiry.
    pub expiry: Option<CertExpiry>,
}

/// The shape of the entries read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Every entry is a JSON object.
    Json,
    /// No entry is a JSON object.
    Text,
    /// Some of each.
    Mixed,
    /// No entries (an empty file, or only empty lines).
    #[default]
    Empty,
}

impl LogFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::Json => "json",
            LogFormat::Text => "text",
            LogFormat::Mixed => "mixed",
            LogFormat::Empty => "empty",
        }
    }
}

/// What the tail of one log file says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogFacts {
    /// The file's size when it was opened; bytes appended later are not read.
    pub size_bytes: u64,
    /// The file's modification time, where the platform has one.
    pub modified: Option<SystemTime>,
    /// (device, inode) on unix, to notice rotation; `None` elsewhere.
    pub file_id: Option<(u64, u64)>,
    /// Entries (non-empty lines) read and counted, newest first; at most `LogSpec::entries`.
    pub entries_read: usize,
    /// Whether those entries were JSON objects, plain text, or both.
    pub format: LogFormat,
    /// Entries per normalised level; every name of `LEVEL_NAMES` is present, 0 when none.
    pub levels: BTreeMap<String, usize>,
    /// Entries matching each pattern; every pattern name is present, 0 when none matched.
    pub patterns: BTreeMap<String, usize>,
    /// The message of the newest error-level entry, trimmed and cut to `LAST_ERROR_CHARS` characters (a cut
    /// ends in "…"). Raw log text: sanitise before printing to a terminal.
    pub last_error: Option<String>,
    /// The timestamp of the newest entry that has one, as written there.
    pub newest_timestamp: Option<String>,
    /// Entries that were not valid UTF-8 (decoded lossily, still counted).
    pub invalid_utf8_lines: usize,
    /// The file does not end with a newline (a line is being written, or the writer omits the last one).
    pub partial_last_line: bool,
    /// Entries longer than `MAX_LINE_BYTES`, parsed from their first `MAX_LINE_BYTES` bytes.
    pub truncated_lines: usize,
    /// Bytes read from the file: bounded by the entries wanted, never by the file's size.
    pub bytes_scanned: u64,
    /// Reading stopped at `MAX_SCAN_BYTES` before `entries` were found or the file start was reached.
    pub scan_limited: bool,
    /// The longest run of one line repeated back to back (its text, cut, and its length), when a line
    /// was repeated more than 100 times in a row (a storm). Only 10 of its copies count as entries, so a
    /// storm (mcp-hub writes thousands of `client disconnected` lines when an SSE client leaves) cannot
    /// push what came before it out of the last-N-entries window.
    pub storm: Option<(String, usize)>,
    /// How the file changed since the last look (set by the caller from its stored marks; `None` when
    /// no state is kept).
    pub growth: Option<Growth>,
    /// The patterns with bounds (`Pattern::judged`), counted over `window`, in configuration order.
    pub hits: Vec<PatternHits>,
    /// The lines `hits` were counted over.
    pub window: Counted,
    /// Where the partial last line starts, when the file does not end with '\n' (a line being
    /// written): the next look's new lines start there, not at the file's end.
    pub partial_line_at: Option<u64>,
    /// A command's or stdin's output, when the log came from one (`None` for a file).
    pub output: Option<OutputFacts>,
}

/// One judged pattern's count.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatternHits {
    pub name: String,
    /// What it looks for, as configured (`Pattern::shown`).
    pub shown: String,
    pub warn: Option<u64>,
    pub crit: Option<u64>,
    /// Matching lines in the window.
    pub count: usize,
    /// The newest matching line, trimmed and cut to 300 characters, credentials after `token=`,
    /// `Bearer` and the like masked. Raw log text otherwise: sanitise before printing.
    pub newest: Option<String>,
}

/// The lines the judged patterns were counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Counted {
    /// The last `entries` entries (`window: "tail"`, or no state kept).
    #[default]
    Tail,
    /// A first look at a file: the last `entries` entries.
    FirstLook,
    /// The lines written to the file since the last look (`lines` of them; `rotated`: the file was
    /// replaced or truncated, so every line of the new one counts). `limited`: more was written than
    /// one read scans, the newest were counted.
    New {
        lines: usize,
        rotated: bool,
        limited: bool,
    },
    /// Every line a command (or stdin) printed.
    Output { lines: usize },
}

/// What a log command (or stdin) gave.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutputFacts {
    /// Bytes it printed on stdout in all.
    pub bytes: u64,
    /// Output past the cap was not kept: only the last `kept` bytes were read as lines.
    pub capped: bool,
    /// Reading stopped at the read limit and the command was killed (it printed without end).
    pub cut: bool,
    pub kept: u64,
    /// It was mcpmon's standard input, not a command's output.
    pub stdin: bool,
}

impl LogFacts {
    /// What to store to compare with the next look (see `growth`).
    pub fn mark(&self) -> LogMark {
        LogMark {
            size_bytes: self.size_bytes,
            file_id: self.file_id,
            modified_unix_ms: self.modified.map(unix_ms),
            complete_bytes: self.partial_line_at,
        }
    }
}

/// What changed since an earlier look (the caller stores `LogMark` in its state file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogMark {
    pub size_bytes: u64,
    /// (device, inode) on unix.
    pub file_id: Option<(u64, u64)>,
    /// Milliseconds since the Unix epoch (negative before it).
    pub modified_unix_ms: Option<i64>,
    /// Where the last complete line ended, when the file ended in a partial line (else `size_bytes`):
    /// the next look's new lines start there, so a line being written is counted once, complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete_bytes: Option<u64>,
}

impl LogMark {
    /// Where the lines written after this mark start.
    pub fn lines_end(&self) -> u64 {
        self.complete_bytes.unwrap_or(self.size_bytes)
    }
}

/// How a log file changed between two marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Growth {
    /// No earlier mark.
    FirstLook,
    /// Same file, larger by `bytes`.
    Grew { bytes: u64 },
    /// Same file, same size (a changed modification time alone is not a change: `touch`).
    Unchanged,
    /// Same file, smaller (copytruncate rotation, or a writer that truncates).
    Truncated { from: u64, to: u64 },
    /// A different file at the same path (rename-and-create rotation).
    Rotated,
}

/// Compares two marks. Identity decides rotation when both marks have one; otherwise sizes decide. A file
/// truncated and then regrown past its old size between two looks reads as `Grew` (sizes cannot tell).
pub fn growth(previous: Option<&LogMark>, now: &LogMark) -> Growth {
    let Some(prev) = previous else {
        return Growth::FirstLook;
    };
    if let (Some(a), Some(b)) = (prev.file_id, now.file_id) {
        if a != b {
            return Growth::Rotated;
        }
    }
    match now.size_bytes.cmp(&prev.size_bytes) {
        std::cmp::Ordering::Greater => Growth::Grew {
            bytes: now.size_bytes - prev.size_bytes,
        },
        std::cmp::Ordering::Equal => Growth::Unchanged,
        std::cmp::Ordering::Less => Growth::Truncated {
            from: prev.size_bytes,
            to: now.size_bytes,
        },
    }
}

/// One running process and its resources. `None` is "could not be read", never 0.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcessInfo {
    pub pid: u32,
    /// The process name (on Linux the kernel's short name, at most 15 bytes).
    pub name: String,
    /// The arguments, `argv[0]` first (empty for kernel threads).
    pub cmdline: Vec<String>,
    /// Seconds since the process started (whole seconds).
    pub uptime_s: Option<f64>,
    /// CPU used during the sample, in % of ONE core (a process busy on two cores reads 200). `None` when the
    /// spec's `cpu_sample` is zero. A process that had used no CPU tick at all before the first look (one
    /// started within the last ~10 ms) reads 0 for that sample (a sysinfo limitation).
    pub cpu_percent: Option<f64>,
    /// Resident set size.
    pub rss_bytes: Option<u64>,
    /// `rss_bytes` as a percentage of the host's total memory.
    pub memory_percent: Option<f64>,
    /// Threads (`/proc/<pid>/task` entries).
    pub threads: Option<u64>,
    /// Open file descriptors (`/proc/<pid>/fd` entries); `None` when they cannot be read (another user's
    /// process, unless mcpmon runs as root).
    pub open_fds: Option<u64>,
    /// TCP ports the process listens on (IPv4 and IPv6), ascending, without duplicates. Empty also when the
    /// descriptors cannot be read (then `open_fds` is `None`).
    pub listening_ports: Vec<u16>,
}

/// What the probe found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcessFacts {
    /// What was looked for and what it resolved to, e.g. `pid file /run/x.pid (pid 1234)`.
    pub selector: String,
    /// The running processes found, sorted by pid (a pattern or a shared port may find several; never empty).
    pub processes: Vec<ProcessInfo>,
    /// How long CPU use was sampled for (none when it was not): a round samples processes before any
    /// of its own requests go out, so the figure never counts the load mcpmon itself causes.
    pub cpu_window: Option<Duration>,
}

/// The filesystem holding one requested path, as `df` reports it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DiskUsage {
    /// The path as requested.
    pub path: PathBuf,
    /// Where the filesystem holding it is mounted (the longest mount point that contains the resolved path).
    pub mount_point: PathBuf,
    /// Size of the filesystem.
    pub total_bytes: u64,
    /// Free space an unprivileged process can use (root-reserved blocks excluded), `df`'s "Avail".
    pub available_bytes: u64,
    /// `df`'s "Use%": used / (used + available) × 100, where used = total − free. Root-reserved blocks count
    /// as neither, so it reaches 100 exactly when `available_bytes` reaches 0.
    pub used_percent: f64,
}

/// What the machine looks like.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HostFacts {
    /// Whole-machine CPU busy over the sample, 0–100 (all cores together). `None` when the sample was skipped
    /// or the platform is not supported.
    pub cpu_percent: Option<f64>,
    /// Logical CPUs (at least 1).
    pub cpus: usize,
    /// 1, 5 and 15 minute load averages (`None` where the platform has none, e.g. Windows).
    pub load_average: Option<(f64, f64, f64)>,
    /// Total memory; 0 means unknown (then the other memory figures are 0 too and mean nothing).
    pub memory_total_bytes: u64,
    /// Memory available to new work without swapping (`free`'s "available", `MemAvailable`).
    pub memory_available_bytes: u64,
    /// (total − available) / total × 100, as `free` counts "used"; 0 when the total is unknown.
    pub memory_used_percent: f64,
    /// Swap size; 0 when there is no swap.
    pub swap_total_bytes: u64,
    pub swap_used_bytes: u64,
    /// One per requested path that exists, in the order requested (a path that does not exist, or whose
    /// filesystem cannot be measured, is skipped).
    pub disks: Vec<DiskUsage>,
    /// Seconds since the machine booted.
    pub uptime_s: Option<u64>,
}

/// What a load run saw.
#[derive(Debug, Clone, Default)]
pub struct LoadFacts {
    /// The JSON-RPC method that was sent (`initialize` for cold starts).
    pub method: String,
    pub concurrency: u32,
    pub stats: LatencyStats,
    /// Time to first byte of each successful response, where the transport has it (Streamable HTTP,
    /// plain HTTP); empty otherwise.
    pub ttfb: LatencyStats,
    pub elapsed: Duration,
    pub revision: Option<String>,
    /// Sessions that could not be opened (their reason is counted in `stats.errors`).
    pub failed_sessions: u32,
    /// The fixed request rate, when one was set; latency then runs from each intended start.
    pub rate: Option<f64>,
    /// The run was stopped early (Ctrl-C); the numbers are for what ran.
    pub interrupted: bool,
}

impl LoadFacts {
    /// Successful requests per second over the whole run.
    pub fn throughput(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.stats.ok as f64 / s
        } else {
            0.0
        }
    }
}

pub fn unix_ms(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// What one conformance check (`validate --strict`) found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass(String),
    /// A SHOULD not met, or a MUST whose reading is disputed: worth knowing, not a failure.
    Warn(String),
    Fail(String),
    /// Could not be evaluated (no session: the MCP section says why).
    NotEvaluated(String),
    /// Does not apply to this server (its transport, era or capabilities); not counted.
    Skip(String),
}

/// One conformance check.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: &'static str,
    /// The spec page and section, e.g. `basic/transports#session-management`.
    pub spec: &'static str,
    pub outcome: Outcome,
}

/// Two samples of one document.
#[derive(Debug, Clone)]
pub struct Pair {
    /// The HTTP status of the second sample.
    pub status: u16,
    pub first: Value,
    pub second: Value,
    /// From the end of the first sample to the end of the second: the time the changes happened in.
    pub between: Duration,
}

/// What observing found.
#[derive(Debug, Clone)]
pub struct Sampled {
    /// The two samples, or why one of them could not be taken (secrets scrubbed from the message).
    pub pair: Result<Pair, Failure>,
    /// The window was cut short by `stop`.
    pub interrupted: bool,
    /// From the first request to the last response.
    pub latency: Duration,
}

#[cfg(test)]
mod stderr_tests {
    use super::*;

    #[test]
    fn only_a_connected_hub_server_has_an_uptime() {
        let server = |status: &str, up: f64| HubServer {
            status: Some(status.into()),
            uptime_s: Some(up),
            ..HubServer::default()
        };
        assert_eq!(
            server("connected", 1329.0).uptime_text().as_deref(),
            Some("up 22 min")
        );
        assert_eq!(
            server("connected", 3.0 * 86_400.0 + 4.0 * 3600.0)
                .uptime_text()
                .as_deref(),
            Some("up 3 d 4 h")
        );
        assert_eq!(server("disconnected", 0.0).uptime_text(), None);
        assert_eq!(server("disabled", 451.0).uptime_text(), None);
    }

    #[test]
    fn a_short_view_keeps_the_causes_and_the_last_lines() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let tail = v(&["Error: boom", &stderr_gap(7), "a", "b", "c"]);
        assert_eq!(
            stderr_short(&tail, 2),
            ["Error: boom", "… 7 lines skipped …", "b", "c"]
        );
        assert_eq!(stderr_short(&v(&["a", "b", "c"]), 2), ["b", "c"]);
        // a cause above a stack trace is kept
        let node = v(&[
            "node:internal/modules/cjs/loader:1210",
            "Error: Cannot find module '/srv/x.js'",
            "    at Module._resolveFilename",
            "    at Module._load",
            "  code: 'MODULE_NOT_FOUND',",
            "Node.js v20",
        ]);
        assert_eq!(
            stderr_short(&node, 2),
            [
                "Error: Cannot find module '/srv/x.js'",
                "…",
                "  code: 'MODULE_NOT_FOUND',",
                "Node.js v20"
            ]
        );
        assert!(stderr_short(&[], 5).is_empty());
    }
}
