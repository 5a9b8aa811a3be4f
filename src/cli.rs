//! Command-line definitions (clap derive). The doc comments are the help text: they teach.

use crate::config::duration;
use crate::model::{EraChoice, Wire};
use crate::report::Format;
use crate::term::ColorChoice;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

const AFTER_HELP: &str = "\
Exit codes (every subcommand):
  0  OK       every check passed
  1  WARN     degraded: a warning threshold crossed
  2  CRIT     down, or a critical threshold crossed
  3  UNKNOWN  mcpmon could not evaluate (bad arguments, unreadable config)

Targets come from URLs, a command after `--`, or a config file: mcpmon's own
(`targets`), or the client configs you already have (`mcpServers` of Claude
Desktop/Code, Cursor and mcp-hub; VS Code `servers`).

Manual: `man mcpmon` and `man mcpmon-health` (one page per subcommand) when
installed; in the repository the pages are in man/ (`man -l man/mcpmon.1`).";

/// Watch MCP servers: health checks for people, cron, CI and Prometheus.
#[derive(Debug, Parser)]
#[command(name = "mcpmon", version, about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags shared by every subcommand.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Config file: mcpmon's own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable.
    /// Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given).
    #[arg(
        long,
        short = 'c',
        global = true,
        value_name = "FILE",
        env = "MCPMON_CONFIG"
    )]
    pub config: Vec<PathBuf>,

    /// Only these targets from the config (by name). Repeatable.
    #[arg(long, short = 't', global = true, value_name = "NAME")]
    pub target: Vec<String>,

    /// Where history and alert state live (default: $XDG_STATE_HOME/mcpmon).
    #[arg(long, global = true, value_name = "DIR", env = "MCPMON_STATE_DIR")]
    pub state_dir: Option<PathBuf>,

    /// Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help).
    /// The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal's (80 when
    /// it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole.
    #[arg(long, short = 'f', global = true, value_enum)]
    pub format: Option<Format>,

    /// When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s.
    /// Default 10s, or the config's `timeout`.
    #[arg(long, global = true, value_name = "DURATION", value_parser = duration::timeout)]
    pub timeout: Option<Duration>,

    /// Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from
    /// --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners
    /// (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download
    /// first; other commands start within --timeout. Or the config's `startup_timeout`.
    #[arg(long, global = true, value_name = "DURATION", value_parser = duration::timeout)]
    pub startup_timeout: Option<Duration>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that MCP servers answer: transport and protocol revision, handshake and liveness latency,
    /// server identity, tool/prompt/resource counts, and the checks you configure.
    #[command(after_help = HEALTH_EXAMPLES)]
    Health(Box<HealthArgs>),
    /// Alerts with memory across runs: the checks of `health`, but a bad check fires only after `--for`
    /// and `--consecutive` bad runs and resolves only after `--recover-after` good ones, so a cron job
    /// behaves like a daemon. State lives in the state dir (alerts.json, locked, written atomically).
    #[command(after_help = ALERTS_EXAMPLES)]
    Alerts(Box<AlertsArgs>),
    /// Latency and throughput of one MCP server under load: one request repeated by independent
    /// sessions, percentiles from a high-dynamic-range histogram, a baseline to save and a regression
    /// gate for CI (--compare).
    #[command(after_help = MEASURE_EXAMPLES)]
    Measure(Box<MeasureArgs>),
    /// Pre-flight and post-deploy validation: every check always runs and is one line, grouped in
    /// sections (config, process, network, api, mcp, conformance, logs, resources), then a verdict.
    #[command(after_help = VALIDATE_EXAMPLES)]
    Validate(Box<ValidateArgs>),
    /// The continuous monitor: each target checked every --interval (or its own `interval` in the
    /// config), a light round or, every --full-every, a full one; each round appended to history and
    /// echoed as a JSON line, until SIGINT/SIGTERM (--once: one round of every target, for cron).
    #[command(after_help = RECORD_EXAMPLES)]
    Record(Box<RecordArgs>),
    /// A Prometheus exporter: checks every target on a schedule (--interval, spread with jitter, at
    /// most --jobs at once) and serves the last results on GET /metrics (a scrape never triggers a
    /// check), with /-/healthy and /-/ready, on --listen (loopback by default), until SIGINT/SIGTERM.
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(Box<ServeArgs>),
    /// Anomalies now and in history: error spikes, flapping,
    /// resource usage, client counts, disconnected servers, log size and truncation from live probes;
    /// latency and error rate against each target's own baseline, changed tool lists, restarts and
    /// missing records from history. Exit 0 none, 1 one or two minor ones, 2 three or more or a critical one.
    #[command(after_help = ANOMALIES_EXAMPLES)]
    Anomalies(Box<AnomaliesArgs>),
    /// The daily health report from history: availability (gaps in recording are unknown, not up),
    /// outages, latency percentiles and their trend, errors by reason, restarts, tool-list changes,
    /// resource use, the goals (uptime, latency, error rates) met or missed, and a 0–100 score with every deduction
    /// itemised. Exit 0 score ≥ 90 and every metric met, 1 below 90 or a metric missed, 2 below 70,
    /// 3 no history.
    #[command(name = "daily-summary", after_help = SUMMARY_EXAMPLES)]
    DailySummary(Box<SummaryArgs>),
    /// The live terminal view of every target: counts, hub state, a table (status, transport,
    /// latency and its trend, tools, uptime, CPU, memory), alerts and log errors, refreshed every
    /// --interval; keys q r ↑↓ j k Enter d / ?. `--once` prints one snapshot (works piped).
    #[command(after_help = DASHBOARD_EXAMPLES)]
    Dashboard(Box<DashboardArgs>),
    /// List what a run would check, and where each target came from, without contacting anything:
    /// the URLs and commands given, --config files or ./mcpmon.json, or else the MCP clients' own
    /// configs (Claude Code, Claude Desktop, Cursor, VS Code, Windsurf, Zed, mcp-hub). Exit 0 all
    /// usable, 1 a placeholder to set (a VS Code `${input:…}`, an unset `${VAR}`), 2 an unusable entry.
    #[command(after_help = TARGETS_EXAMPLES)]
    Targets(Box<TargetsArgs>),
    /// Silence alerts for a while (planned work, a known fault): a silenced alert is still shown by
    /// `alerts` (SILENCED, with the comment and the end) but notifies no one and does not count toward
    /// the exit code. Kept in the state dir (silences.json); ended silences are dropped by themselves.
    #[command(after_help = SILENCE_EXAMPLES)]
    Silence(Box<SilenceArgs>),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  mcpmon completions bash > ~/.local/share/bash-completion/completions/mcpmon
  mcpmon completions zsh > ~/.zfunc/_mcpmon        # with fpath+=(~/.zfunc) before compinit
  mcpmon completions fish > ~/.config/fish/completions/mcpmon.fish";

const TARGETS_EXAMPLES: &str = "\
Examples:
  mcpmon targets                                # the servers of your MCP clients, and from which file
  mcpmon targets -c mcpmon.json --format json | jq -r '.findings[].target'
  mcpmon health                                 # then check them all

Where it looks when no target and no --config is given (the first of ./mcpmon.json and
~/.config/mcpmon/config.json wins; else every client config found is read):
  .mcp.json, .cursor/mcp.json, .vscode/mcp.json            (this directory)
  ~/.claude.json (mcpServers, and projects.<this directory>.mcpServers)
  ~/.cursor/mcp.json, ~/.codeium/windsurf/mcp_config.json
  ~/.config/Claude/claude_desktop_config.json (macOS: ~/Library/Application Support/Claude/,
    Windows: %APPDATA%\\Claude\\)
  ~/.config/Code/User/mcp.json and settings.json (mcp.servers)
  ~/.config/mcphub/servers.json, ~/.config/zed/settings.json (context_servers)";

const HEALTH_EXAMPLES: &str = "\
Examples:
  mcpmon health http://127.0.0.1:3001/mcp
  mcpmon health -- npx -y @modelcontextprotocol/server-memory
  mcpmon health --config ~/.cursor/mcp.json --target github
  mcpmon health --config mcpmon.json --format json | jq '.observations[].tools_count'
  mcpmon health http://127.0.0.1:37373/mcp --transport sse --expect-tool everything__echo
  mcpmon health http://127.0.0.1:3001/mcp --call 'echo {\"message\": \"hi\"}' --crit-ms 2000
  mcpmon health --watch --interval 10s --config mcpmon.json";

const ALERTS_EXAMPLES: &str = "\
Examples:
  mcpmon alerts --config mcpmon.json --for 5m              # disconnected for more than 5 minutes
  mcpmon alerts --hub http://127.0.0.1:37373 --consecutive 3 --recover-after 2
  mcpmon alerts -c mcpmon.json --notify slack:https://hooks.slack.com/services/T/B/X --dry-run
  mcpmon alerts -c mcpmon.json --notify alertmanager:http://127.0.0.1:9093
  mcpmon alerts -c mcpmon.json --dry-run            # what the targets' on_fire actions would run
  mcpmon alerts -c mcpmon.json --notify pagerduty:$PD_ROUTING_KEY --notify ntfy:https://ntfy.sh/my-alerts

On-call escalation lives in the config, channel by channel (after: notify once the alert has fired
that long; repeat: remind that often; resolves go to the channels that were told):
  \"notify\": {\"channels\": {
    \"l1-chat\":      {\"to\": \"slack:${SLACK_WEBHOOK_URL}\"},
    \"l2-email\":     {\"to\": \"email:smtp://USER:${SMTP_PASSWORD}@HOST?from=A&to=B\", \"after\": \"15m\"},
    \"l3-pagerduty\": {\"to\": \"pagerduty:${file:/run/secrets/pd-key}\", \"after\": \"1h\"}}}

From cron, every 5 minutes (fire after 15 min and 3 bad runs in a row, post changes):
  */5 * * * * mcpmon alerts -c /etc/mcpmon.json --for 15m --consecutive 3 --notify webhook:URL

Exit codes are those of the alerts now firing: 0 none, 1 a warning, 2 a critical one, 3 could not evaluate.";

#[derive(Debug, Args, Clone)]
pub struct AlertsArgs {
    #[command(flatten)]
    pub check: TargetArgs,

    /// Fire only after a check has stayed bad this long, e.g. 5m (default: at once).
    #[arg(long = "for", value_name = "DURATION", value_parser = duration::parse)]
    pub for_: Option<Duration>,

    /// Fire only after this many consecutive bad runs.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub consecutive: u32,

    /// Resolve a firing alert only after this many consecutive good runs.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub recover_after: u32,

    /// A check that changes between good and bad more than this many times within --flap-window is
    /// flapping: its own WARN alert.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub flap_changes: u32,

    /// The window for --flap-changes.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = duration::parse)]
    pub flap_window: Duration,

    /// Where to send alert changes (repeatable): webhook:URL (JSON), slack:URL, teams:URL,
    /// discord:URL, ntfy:URL, command:PROGRAM ARGS (the JSON on stdin), ping:URL (healthchecks-style:
    /// URL/<exit code>, every run), alertmanager:URL (Alertmanager's API v2: every firing alert, every
    /// run), pagerduty:ROUTING_KEY (Events API v2, one incident per alert),
    /// email:smtp://USER:PASS@HOST:587?from=ADDR&to=ADDR (STARTTLS); a bare URL is a webhook. One
    /// message per run per channel with every change, told at once (for escalation with `after`, name
    /// channels in the config's notify.channels). Sent only when alerts fire, escalate or resolve.
    /// URLs, keys and passwords are never printed. A failed
    /// delivery is kept in the outbox (outbox.json in the state dir) and retried on every later run
    /// with the same --notify, in order, until delivered; a ping keeps only its newest.
    #[arg(long = "notify", value_name = "SPEC")]
    pub notify: Vec<String>,

    /// Drop an undelivered notification from the outbox once it is this old (said on stderr).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = duration::parse)]
    pub outbox_max_age: Duration,

    /// Remind about alerts still firing this often (default: only on changes).
    #[arg(long, value_name = "DURATION", value_parser = duration::parse)]
    pub repeat: Option<Duration>,

    /// A warning threshold as a Nagios range, NAME=RANGE (repeatable): `p95_latency=2000` (alert above),
    /// `llm_success_rate=0.95:` (alert below). NAME is a metric of --thresholds/health_url, a check
    /// (liveness, process_cpu, …) or a threshold key. (-c is --config, so these have long names only.)
    #[arg(long = "warning", value_name = "NAME=RANGE")]
    pub warning: Vec<String>,

    /// A critical threshold as a Nagios range, NAME=RANGE (repeatable), as --warning.
    #[arg(long = "critical", value_name = "NAME=RANGE")]
    pub critical: Vec<String>,

    /// Evaluate without writing the alert state; the outbox is left as it is (this run's
    /// notification is sent once, not kept for a retry). Remediations (a target's `on_fire`) that
    /// would run are shown as `action_dry_run` events and not run.
    #[arg(long)]
    pub dry_run: bool,

    /// Run no remediation this time (a target's `on_fire` commands and requests), e.g. while you
    /// work on the servers by hand; the alerts and notifications are as usual.
    #[arg(long)]
    pub no_remediation: bool,

    /// The raw verdict: ignore silences (mcpmon silence) and open maintenance windows (the config's
    /// `maintenance`); silenced alerts notify and count toward the exit code again.
    #[arg(long)]
    pub ignore_silences: bool,
}

const SILENCE_EXAMPLES: &str = "\
Examples:
  mcpmon silence add api --for 2h --comment 'DB migration, ticket OPS-123'
  mcpmon silence add 'web-*/liveness' --until 2026-12-24T23:00:00+01:00
  mcpmon silence add 'hub 127.0.0.1:37373/hub/server:*' --for 30m
  mcpmon silence list --format json | jq -r '.silences[].id'
  mcpmon silence rm 3fa9c2d1

TARGET[/CHECK] is tried on the target name, on TARGET/CHECK and on TARGET/PROBE/CHECK
(the alert's key, as `alerts --format json` shows target, probe and check); `*` matches
any run of characters, `/` included, and `?` one character. Maintenance windows that
recur (every Sunday 02:00 Europe/Berlin) belong in the config: `maintenance`.";

#[derive(Debug, Args, Clone)]
pub struct SilenceArgs {
    #[command(subcommand)]
    pub action: SilenceAction,
}

#[derive(Debug, Subcommand, Clone)]
pub enum SilenceAction {
    /// Silence what matches TARGET[/CHECK] from now, for a duration or until a time; prints the
    /// silence with its id.
    Add(SilenceAddArgs),
    /// The silences in force, soonest to end first (every --format; json for scripts).
    List,
    /// End a silence now, by its id (or the start of it, at least 4 characters).
    Rm {
        /// The silence's id, as `silence add` and `silence list` print it.
        id: String,
    },
}

#[derive(Debug, Args, Clone)]
pub struct SilenceAddArgs {
    /// What to silence: a target name (`api`), TARGET/CHECK (`api/liveness`) or TARGET/PROBE/CHECK
    /// (`api/mcp/liveness`); `*` and `?` are globs (`web-*`, `*/log_errors`).
    #[arg(value_name = "TARGET[/CHECK]")]
    pub matches: String,

    /// How long, from now: 30m, 2h, 1d.
    #[arg(long = "for", value_name = "DURATION", value_parser = duration::parse,
          required_unless_present = "until", conflicts_with = "until")]
    pub for_: Option<Duration>,

    /// Until when: a date and time with its offset, 2026-12-24T23:00:00+01:00 or …Z.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Why (shown beside every alert it silences): a ticket, a name, a reason.
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
    /// Run no remediation this time (a target's `on_fire` commands and requests), e.g. while you
    /// work on the servers by hand; the alerts and notifications are as usual.
    #[arg(long)]
    pub no_remediation: bool,
}

const MEASURE_EXAMPLES: &str = "\
Examples:
  mcpmon measure http://127.0.0.1:3001/mcp -n 1000 -j 8
  mcpmon measure http://127.0.0.1:3001/mcp -z 30s --method tools-list
  mcpmon measure --method initialize -n 20 -- node server.js        # cold starts
  mcpmon measure URL -n 500 --save-baseline baseline.json
  mcpmon measure URL -n 500 --compare baseline.json --warn 20% --crit 50%   # exit 1/2 on regression";

/// What each measured request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MeasureMethod {
    /// `ping`, or `server/discover` where ping no longer exists (2026-07-28): the cheapest round trip.
    Liveness,
    Ping,
    ToolsList,
    Discover,
    /// A full connect + handshake (+ close) per request; for stdio a cold start.
    Initialize,
}

#[derive(Debug, Args, Clone)]
pub struct MeasureArgs {
    /// The MCP server URL (or a command after `--`, or one --target from the config).
    #[arg(value_name = "URL")]
    pub url: Option<String>,

    /// A stdio server to start, after `--`.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,

    /// How many requests (after --warmup).
    #[arg(
        short = 'n',
        long,
        value_name = "N",
        default_value_t = 100,
        conflicts_with = "duration"
    )]
    pub requests: u64,

    /// Run for this long instead of -n, e.g. 30s.
    #[arg(short = 'z', long, value_name = "DURATION", value_parser = duration::parse)]
    pub duration: Option<Duration>,

    /// Concurrent sessions (each its own connection or child process). (-c is --config.)
    #[arg(short = 'j', long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,

    /// What each request is.
    #[arg(long, value_enum, default_value_t = MeasureMethod::Liveness)]
    pub method: MeasureMethod,

    /// Requests sent first and not counted.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub warmup: u64,

    /// Requests per second on a fixed schedule; latency then runs from each request's intended start
    /// (corrected for coordinated omission, as oha's --latency-correction). Default: as fast as possible.
    #[arg(short = 'q', long = "rate", value_name = "RATE", value_parser = duration::rate)]
    pub rate: Option<f64>,

    /// Measure `tools/call` of this tool (it must be marked read-only, see --allow-side-effects).
    #[arg(long, value_name = "NAME")]
    pub tool: Option<String>,

    /// The tool's arguments, as JSON.
    #[arg(
        long = "args",
        value_name = "JSON",
        requires = "tool",
        default_value = "{}"
    )]
    pub tool_args: String,

    /// Allow --tool to call a tool that is not marked read-only (annotations.readOnlyHint).
    #[arg(long, requires = "tool")]
    pub allow_side_effects: bool,

    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Load a plain HTTP endpoint instead of an MCP server (a REST health endpoint): GET, or POST
    /// with --body.
    #[arg(long = "http", value_name = "URL", conflicts_with_all = ["url", "command", "tool", "observe"])]
    pub http: Option<String>,

    /// With --http: POST this JSON body instead of a GET.
    #[arg(long, value_name = "JSON", requires = "http")]
    pub body: Option<String>,

    /// Observe a server's own stats endpoint instead of sending load: sample this JSON URL, wait
    /// --window, sample again, and report the change and rate of every numeric field (or of --metric).
    #[arg(long, value_name = "URL", conflicts_with_all = ["url", "command", "tool"])]
    pub observe: Option<String>,

    /// How long to observe between the two samples.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = duration::parse, requires = "observe")]
    pub window: Duration,

    /// With --observe: only these fields (by name, whatever their nesting or casing; repeatable).
    #[arg(long = "metric", value_name = "NAME", requires = "observe")]
    pub metrics: Vec<String>,

    /// Write this run's numbers as a baseline (JSON).
    #[arg(long, value_name = "FILE")]
    pub save_baseline: Option<std::path::PathBuf>,

    /// Compare with a saved baseline: p50/p95/p99 slower, or the success rate lower, by more than
    /// --warn / --crit is WARN / CRIT (exit 1 / 2), for a CI gate.
    #[arg(long, value_name = "FILE")]
    pub compare: Option<std::path::PathBuf>,

    /// Regression that warns, in percent of the baseline.
    #[arg(long, value_name = "PERCENT", default_value = "20%")]
    pub warn: String,

    /// Regression that is critical, in percent of the baseline.
    #[arg(long, value_name = "PERCENT", default_value = "50%")]
    pub crit: String,
}

#[derive(Debug, Args, Clone)]
pub struct HealthArgs {
    #[command(flatten)]
    pub targets: TargetArgs,

    /// Repeat the check every --interval until interrupted (Ctrl-C). When stdout is not a terminal the
    /// default --format is then jsonl, one line per round.
    #[arg(long, short = 'w')]
    pub watch: bool,

    /// Time between rounds with --watch.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = duration::parse)]
    pub interval: Duration,

    /// With --watch: stop after this many rounds and exit with the last round's status.
    #[arg(long, value_name = "N", requires = "watch")]
    pub count: Option<u64>,

    /// Also append the observations to history (the state dir's history/YYYY-MM-DD.jsonl).
    #[arg(long)]
    pub record: bool,
}

const RECORD_EXAMPLES: &str = "\
Examples:
  mcpmon record -c mcpmon.json                          # light every 5m, full every 30m, until Ctrl-C
  mcpmon record --hub http://127.0.0.1:37373 --interval 30s --full-every 10m
  mcpmon record -c mcpmon.json --interval 1h   # targets with \"interval\": \"2h\", \"4h\", \"6h\" keep theirs
  */5 * * * * mcpmon record -c /etc/mcpmon.json --once --light
  */30 * * * * mcpmon record -c /etc/mcpmon.json --once
  jq -c 'select(.status != \"ok\")' ~/.local/state/mcpmon/history/$(date -u +%F).jsonl

Each round is appended to history (one line per observation, one file per UTC day, written under a
lock so concurrent runs never tear a line) and echoed on stdout as one JSON line.";

const DASHBOARD_EXAMPLES: &str = "\
Examples:
  mcpmon dashboard -c mcpmon.json
  mcpmon dashboard --hub http://127.0.0.1:37373 --log ~/.local/state/mcp-hub/logs/mcp-hub.log --interval 2s
  mcpmon dashboard -c mcpmon.json --once | less -R      # one snapshot, in colour, paged

Keys: q, Esc or Ctrl-C quit · r refresh now · ↑ ↓ or j k select · Enter or d details · / filter · ? help";

#[derive(Debug, Args, Clone)]
pub struct DashboardArgs {
    #[command(flatten)]
    pub targets: TargetArgs,

    /// Time between rounds.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = duration::parse)]
    pub interval: Duration,

    /// Print one snapshot and exit with its status (works when stdout is not a terminal).
    #[arg(long)]
    pub once: bool,
}

const SUMMARY_EXAMPLES: &str = "\
Examples:
  mcpmon daily-summary                                   # yesterday, local time
  mcpmon daily-summary --date 2026-11-21 --tz UTC --format markdown --output report.md
  0 8 * * * mcpmon daily-summary --format markdown | mail -s 'MCP daily' ops@example.com
  mcpmon daily-summary --since 30d --format json | jq .findings
  mcpmon daily-summary --from 2026-11-23 --to 2026-11-29 --tz UTC --format markdown   # a week
  mcpmon daily-summary --from 7d --goal uptime=99.5 --goal p95=100ms --goal error_rate=0.1
  mcpmon daily-summary --from 2026-11-01 --to 2026-11-30 --format csv > november.csv

Score: 100 minus errors (2 points per % of records not OK, at most 20), high resource use
(10 per target above 5 % CPU or memory on average, at most 30), outages (10 each, at most 30) and
alerts (5 per change into WARN or CRIT, at most 20).";

#[derive(Debug, Args, Clone)]
pub struct SummaryArgs {
    /// The day to report, YYYY-MM-DD, in --tz (default: yesterday).
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with_all = ["since", "from", "to"])]
    pub date: Option<chrono::NaiveDate>,

    /// The last DURATION up to now instead of a calendar day, e.g. 24h, 7d, 30d.
    #[arg(long, value_name = "DURATION", value_parser = duration::parse, conflicts_with_all = ["from", "to"])]
    pub since: Option<Duration>,

    /// The start of a longer period (a week, a month): a date YYYY-MM-DD (its midnight in --tz) or a
    /// DURATION ago (7d, 30d). Only the day files of the period (and of the one before it, for the
    /// trends) are read.
    #[arg(long, value_name = "DATE|DURATION", value_parser = when)]
    pub from: Option<When>,

    /// The end of the period: a date YYYY-MM-DD (the whole day, in --tz) or a DURATION ago
    /// (default: now). Needs --from.
    #[arg(long, value_name = "DATE|DURATION", value_parser = when, requires = "from")]
    pub to: Option<When>,

    /// Hold the period to this goal instead of its default (repeatable): NAME=LIMIT, NAME one of
    /// uptime (%, default 99.9), success_rate (%, 95), response_time_p95 or p95 (ms, 500),
    /// reconnects (a day, 5), error_rate (%, 1), memory_mb (highest process RSS, MiB; no default);
    /// LIMIT `off` drops the goal. Also the config's `goals` object. E.g. --goal uptime=99.5
    /// --goal p95=100ms --goal error_rate=0.1 --goal memory=100MB.
    #[arg(long = "goal", value_name = "NAME=LIMIT")]
    pub goals: Vec<String>,

    /// The time zone of --date and of the default day: local, UTC, or an offset such as +02:00.
    #[arg(long, value_name = "TZ", default_value = "local")]
    pub tz: String,

    /// Write the report to FILE (atomically: a temporary file renamed over it) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Change a score rule: NAME=PER:CAP, NAME one of errors, resources, disconnected, alerts
    /// (repeatable), e.g. --rule disconnected=20:40.
    #[arg(long = "rule", value_name = "NAME=PER:CAP")]
    pub rules: Vec<String>,
}

/// A point of `--from`/`--to`: a calendar date in the report's time zone, or a span before now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    Date(chrono::NaiveDate),
    Ago(Duration),
}

/// `2026-11-23` or `7d`.
fn when(s: &str) -> Result<When, String> {
    if let Ok(d) = s.trim().parse::<chrono::NaiveDate>() {
        return Ok(When::Date(d));
    }
    duration::parse(s)
        .map(When::Ago)
        .map_err(|_| format!("{s:?}: use a date (2026-11-23) or a duration ago (7d, 36h)"))
}

const ANOMALIES_EXAMPLES: &str = "\
Examples:
  mcpmon anomalies --hub http://127.0.0.1:37373 --log ~/.local/state/mcp-hub/logs/mcp-hub.log
  mcpmon anomalies -c mcpmon.json --window 7d --format json | jq '.findings[] | select(.status != \"ok\")'
  mcpmon anomalies                                     # history only: every target recorded in the window
  */5 * * * * mcpmon anomalies -c /etc/mcpmon.json --format nagios

History comes from `mcpmon record` (or --record on health and validate).";

#[derive(Debug, Args, Clone)]
pub struct AnomaliesArgs {
    #[command(flatten)]
    pub targets: TargetArgs,

    /// How far back history is read, e.g. 24h, 7d.
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = duration::parse)]
    pub window: Duration,

    /// Warn above this many clients connected to a hub; critical above twice as many.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_clients: u64,
}

const SERVE_EXAMPLES: &str = "\
Examples:
  mcpmon serve -c mcpmon.json                            # http://127.0.0.1:9464/metrics, every 30s
  mcpmon serve --hub http://127.0.0.1:37373 --deep --interval 15s
  mcpmon serve -c mcpmon.json --listen 0.0.0.0:9464      # reachable from other hosts: mind who can

Endpoints: /metrics (Prometheus text format 0.0.4, or OpenMetrics 1.0.0 when Accept asks for it),
/probe?target=NAME, /-/healthy (200 while running), /-/ready (503 until every target has been
checked once), / (an index). GET and HEAD only. No TLS: put a reverse proxy in front when the port
is reachable from elsewhere (and --auth-token-file for a bearer token).";

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub targets: TargetArgs,

    /// Address to listen on; a busy port is an error (exit 3).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
    pub listen: std::net::SocketAddr,

    /// Time between two checks of a target (unless the config gives the target its own `interval`);
    /// the targets are spread over it, with jitter.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = duration::parse)]
    pub interval: Duration,

    /// Let `GET /probe?target=http(s)://…` check a URL that is not in the config (never a command).
    #[arg(long)]
    pub allow_adhoc_probes: bool,

    /// Require `Authorization: Bearer <token>` on every endpoint; the token is this file's content.
    #[arg(long, value_name = "FILE")]
    pub auth_token_file: Option<std::path::PathBuf>,

    /// Also append each completed check to the history (as `record` does).
    #[arg(long)]
    pub record: bool,
}

#[derive(Debug, Args, Clone)]
pub struct RecordArgs {
    #[command(flatten)]
    pub targets: TargetArgs,

    /// Time between two checks of a target, unless the config gives the target its own `interval`
    /// (e.g. "2h": each target at its own cadence; targets due together share a round). A light
    /// round is the liveness set (process, endpoint, handshake, ping).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = duration::parse)]
    pub interval: Duration,

    /// A full round of a target (lists, logs, host: everything `health` checks) once this has passed
    /// since its last full one; the first round is full, and so is every round of a target whose
    /// interval is longer.
    #[arg(long, value_name = "DURATION", default_value = "30m", value_parser = duration::parse)]
    pub full_every: Duration,

    /// One round, then exit with its status (for cron): a full round unless --light.
    #[arg(long)]
    pub once: bool,

    /// With --once: a light round.
    #[arg(long, requires = "once")]
    pub light: bool,

    /// Delete history days older than this, e.g. 30d (checked at start and once a day).
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = duration::parse)]
    pub retention: Duration,

    /// Compact days older than this: full rounds, problems and status changes stay, OK light rounds
    /// are thinned to one per --compact-to per target.
    #[arg(long, value_name = "DURATION", default_value = "7d", value_parser = duration::parse)]
    pub compact_after: Duration,

    /// What compaction keeps of OK light rounds: one per this span per target and probe.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = duration::parse)]
    pub compact_to: Duration,
}

/// How to speak to the servers given on the command line: shared by every command that takes them
/// (`TargetArgs`) and by `measure`.
#[derive(Debug, Args, Clone)]
pub struct ConnectArgs {
    /// Use this transport instead of detecting it.
    #[arg(long, value_enum)]
    pub transport: Option<Wire>,

    /// Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake).
    #[arg(long, value_enum)]
    pub era: Option<EraChoice>,

    /// Extra HTTP header for every HTTP target given on the command line, 'Name: value' (repeatable).
    /// Values are never printed.
    #[arg(long = "header", short = 'H', value_name = "HEADER")]
    pub headers: Vec<String>,
}

/// What to check and the checks' limits: shared by `health`, `alerts` and `validate`.
#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    /// MCP server URLs to check (http:// or https://), or plain TCP ports (tcp://host:port, e.g.
    /// tcp://127.0.0.1:5432: connect, with --tls a TLS handshake and the certificate's expiry).
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,

    /// A stdio server to start and check, after `--`: `mcpmon health -- node server.js`.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,

    /// An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable).
    #[arg(long = "hub", value_name = "URL")]
    pub hubs: Vec<String>,

    /// With hubs: also check the hub's own MCP endpoint and each server of its config directly, and
    /// flag where they disagree with what the hub reports (connected but failing, different tool counts).
    /// The servers are started from the config named by --hub-config (or `hub.config`), never from a
    /// path the hub reports.
    #[arg(long)]
    pub deep: bool,

    /// The hubs' own config file (mcp-hub's `--config`), which --deep reads to start each server
    /// directly. Without it --deep checks the hub's own endpoint only.
    #[arg(long = "hub-config", value_name = "FILE")]
    pub hub_config: Option<PathBuf>,

    /// At most this many probes at once (the others wait their turn; a probe's deadline starts when
    /// it runs), so checking a fleet never becomes the load that turns it red.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,

    /// At most this many probes at once to one host:port.
    #[arg(long = "per-host", value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    pub per_host: u16,

    /// A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable).
    #[arg(long = "health-url", value_name = "URL")]
    pub health_urls: Vec<String>,

    /// A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats
    /// (repeatable).
    #[arg(long = "stats-url", value_name = "URL", requires = "thresholds")]
    pub stats_urls: Vec<String>,

    /// Thresholds for --stats-url in check-alerts.sh's config/alerts.json format
    /// ({"critical": {...}, "warning": {...}}).
    #[arg(long, value_name = "FILE", requires = "stats_urls")]
    pub thresholds: Option<std::path::PathBuf>,

    /// For tcp:// URLs: text to write once connected, with escapes \r \n \t \\ (e.g. 'PING\r\n').
    #[arg(long = "tcp-send", value_name = "TEXT")]
    pub tcp_send: Option<String>,

    /// For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send;
    /// at most 64 KiB are read), e.g. --tcp-expect '+PONG'. Escapes as for --tcp-send.
    #[arg(long = "tcp-expect", value_name = "TEXT")]
    pub tcp_expect: Option<String>,

    /// For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report
    /// the certificate's days to expiry (WARN < 30, CRIT < 7).
    #[arg(long)]
    pub tls: bool,

    /// A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`:
    /// WARN under 30 days left, CRIT under 7 or expired (repeatable).
    #[arg(long = "cert-file", value_name = "FILE")]
    pub cert_files: Vec<std::path::PathBuf>,
    /// Show every number of each --health-url and --stats-url document (its numeric JSON fields, or
    /// its Prometheus samples; at most 100), each on its own row: a cache's size, hits and misses, a
    /// queue's processed count. Shown numbers are never a failure. In a config: "metrics": "all".
    #[arg(long = "all-metrics")]
    pub all_metrics: bool,

    /// A log file whose last 100 entries are checked for errors, size and flapping (repeatable);
    /// `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health
    /// --log -`.
    #[arg(long = "log", value_name = "FILE")]
    pub logs: Vec<std::path::PathBuf>,

    /// A named regular expression counted in every --log: NAME=REGEX, e.g.
    /// 'unauthorized=UNAUTHORIZED|FAILED'. WARN from the first matching line. A file's lines are
    /// counted since the last run (the first run reads its last 100 entries); stdin's all. Warn and
    /// crit counts are set in the config (`log.patterns`). Repeatable.
    #[arg(long = "log-pattern", value_name = "NAME=REGEX", requires = "logs")]
    pub log_patterns: Vec<String>,

    /// A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a
    /// command-line pattern (repeatable).
    #[arg(long = "process", value_name = "SELECTOR")]
    pub processes: Vec<String>,

    /// Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs.
    #[arg(long)]
    pub system: bool,

    #[command(flatten)]
    pub connect: ConnectArgs,

    /// CRIT when a server lists fewer tools than this.
    #[arg(long, value_name = "N")]
    pub min_tools: Option<usize>,

    /// CRIT when this tool is missing (repeatable).
    #[arg(long = "expect-tool", value_name = "NAME")]
    pub expect_tools: Vec<String>,

    /// Call this tool (or read a resource, get a prompt) on every MCP target and check the answer
    /// (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT
    /// when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools
    /// marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects.
    /// Example: --call 'echo {"message": "hi"}'
    #[arg(long = "call", value_name = "SPEC", value_parser = crate::config::calls::parse_flag)]
    pub calls: Vec<crate::model::CallSpec>,

    /// Let --call (and a config's "call") use this tool although it is not marked read-only: it may
    /// change things on the server (repeatable).
    #[arg(long = "allow-side-effects", value_name = "TOOL")]
    pub allow_side_effects: Vec<String>,

    /// WARN when the handshake or liveness round trip takes longer (ms). Default 2000.
    #[arg(long, value_name = "MS", value_parser = duration::finite)]
    pub warn_ms: Option<f64>,

    /// CRIT when the handshake or liveness round trip takes longer (ms). Default 5000.
    #[arg(long, value_name = "MS", value_parser = duration::finite)]
    pub crit_ms: Option<f64>,
}

const VALIDATE_EXAMPLES: &str = "\
Examples:
  mcpmon validate --config mcpmon.json                        # every check of every target, by section
  mcpmon validate --hub http://127.0.0.1:37373 --log ~/.local/state/mcp-hub/logs/mcp-hub.log --process port:37373
  mcpmon validate http://127.0.0.1:3001/mcp --strict          # plus protocol conformance
  mcpmon validate -c mcpmon.json --check-type liveness        # the cheap set (is it up?)
  mcpmon validate -c mcpmon.json --section config --section mcp --format json

Sections: config, process, network, api, mcp, conformance (--strict), logs, resources.
Exit 0 when every check passes, 1 with warnings, 2 with failures, 3 only when mcpmon itself cannot
run (an unreadable config file); a bad target in a readable config is a failed check, not exit 3.";

/// `--check-type`: the cheap set or the full one (readiness and liveness probes of a deployment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckType {
    /// Is it up: process, port, endpoint, handshake and liveness; no lists, logs or config audit.
    Liveness,
    /// Is it ready to serve: everything (the default).
    Readiness,
}

pub use crate::model::Section;

#[derive(Debug, Args, Clone)]
pub struct TargetsArgs {
    #[command(flatten)]
    pub targets: TargetArgs,
}

#[derive(Debug, Args, Clone)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub targets: TargetArgs,

    /// Only these sections (repeatable). Default: all.
    #[arg(long = "section", value_enum, value_name = "NAME")]
    pub sections: Vec<Section>,

    /// liveness: the cheap set; readiness: everything.
    #[arg(long, value_enum, default_value_t = CheckType::Readiness)]
    pub check_type: CheckType,

    /// Also append the observations to history (the state dir's history/YYYY-MM-DD.jsonl).
    #[arg(long)]
    pub record: bool,

    /// Also check protocol conformance (framing, ids, version negotiation, declared capabilities,
    /// tool schemas and names, pagination, session and header enforcement, DNS-rebinding protection).
    /// Read-only: no tool is ever called.
    #[arg(long)]
    pub strict: bool,
}

/// The subcommands, for the nearest one to a misspelling.
const COMMANDS: &[&str] = &[
    "health",
    "alerts",
    "measure",
    "validate",
    "record",
    "serve",
    "anomalies",
    "daily-summary",
    "dashboard",
    "completions",
];

/// A usage error as one line for stderr: `mcpmon: error: …`, with the flag that was most likely meant
/// (`--json` → `--format json`; clap's own near match otherwise). Never clap's `-- --json` tip: after
/// `--` a flag goes to the stdio server.
/// `mcpmon man DIR`: writes the man pages (`make man`). A build step, so it is added to the parser at
/// run time (main.rs) and is not part of `Cli`: neither `--help`, the completion scripts nor the man
/// pages themselves list it.
pub fn man_command() -> clap::Command {
    clap::Command::new("man")
        .hide(true)
        .about("Write the man pages (mcpmon.1 and one per subcommand) into DIR")
        .arg(
            clap::Arg::new("dir")
                .value_name("DIR")
                .required(true)
                .value_parser(clap::value_parser!(PathBuf)),
        )
}

pub fn usage_error(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let value = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => v.first().cloned(),
        _ => None,
    };
    let rendered = e.render().to_string();
    let first = rendered
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .to_string();
    let meant = |arg: &str| -> Option<String> {
        let bare = arg.split('=').next().unwrap_or(arg);
        match bare {
            "--json" | "--jsonl" | "--nagios" | "--prometheus" | "--markdown" | "--table" => {
                Some(format!("--format {}", &bare[2..]))
            }
            "--verbose" | "-v" => Some("--format json (every detail)".into()),
            "--quiet" | "-q" => Some("--format nagios (one line)".into()),
            _ => None,
        }
    };
    match e.kind() {
        ErrorKind::UnknownArgument => {
            let arg = value(ContextKind::InvalidArg).unwrap_or_default();
            let hint = meant(&arg)
                .or_else(|| value(ContextKind::SuggestedArg))
                .map(|m| format!("; did you mean `{m}`?"))
                .unwrap_or_default();
            format!("mcpmon: error: unknown option `{arg}`{hint} (--help lists them)")
        }
        ErrorKind::InvalidSubcommand => {
            let typed = value(ContextKind::InvalidSubcommand).unwrap_or_default();
            let hint = crate::model::spell::nearest(&typed, COMMANDS, 2)
                .map(String::from)
                .or_else(|| value(ContextKind::SuggestedSubcommand))
                .map(|m| format!("; did you mean `{m}`?"))
                .unwrap_or_default();
            format!("mcpmon: error: {first}{hint} (mcpmon --help lists the commands)")
        }
        _ => format!("mcpmon: error: {first} (--help explains)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Flags a help text may name that are not its command's own: `--record` of health and validate
    /// (named by anomalies and daily-summary), oha's `--latency-correction` (named by measure).
    const ELSEWHERE: &[&str] = &["--record", "--latency-correction"];

    #[test]
    fn every_help_has_examples_names_only_real_flags_and_no_internal_labels() {
        let mut cli = Cli::command();
        cli.build();
        let flag = regex::Regex::new(r"--[a-z][a-z0-9-]*").unwrap();
        for cmd in cli.get_subcommands().filter(|c| !c.is_hide_set()) {
            let name = cmd.get_name();
            if name == "help" {
                continue;
            }
            let help = cmd.clone().render_long_help().to_string();
            assert!(help.contains("\nExamples:\n"), "{name} has no examples");
            for label in [
                "DESIGN.md",
                "§",
                "(000)",
                "000:",
                "phase1",
                "source document",
            ] {
                assert!(!help.contains(label), "{name} --help says {label:?}");
            }
            let mut own: Vec<String> = ["--help", "--version"].map(String::from).to_vec();
            for c in std::iter::once(cmd).chain(cmd.get_subcommands()) {
                own.extend(
                    c.get_arguments()
                        .filter_map(|a| a.get_long())
                        .map(|l| format!("--{l}")),
                );
            }
            for m in flag.find_iter(&help) {
                let f = m.as_str();
                assert!(
                    own.iter().any(|o| o == f) || ELSEWHERE.contains(&f),
                    "{name} --help names {f}, which it does not have"
                );
            }
        }
    }
}
