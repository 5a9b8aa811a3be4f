# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mcpmon_global_optspecs
    string join \n c/config= t/target= state-dir= f/format= color= timeout= startup-timeout= h/help V/version
end

function __fish_mcpmon_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mcpmon_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mcpmon_using_subcommand
    set -l cmd (__fish_mcpmon_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mcpmon -n "__fish_mcpmon_needs_command" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_needs_command" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_needs_command" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_needs_command" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_needs_command" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_needs_command" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_needs_command" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "health" -d 'Check that MCP servers answer: transport and protocol revision, handshake and liveness latency, server identity, tool/prompt/resource counts, and the checks you configure'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "alerts" -d 'Alerts with memory across runs: the checks of `health`, but a bad check fires only after `--for` and `--consecutive` bad runs and resolves only after `--recover-after` good ones, so a cron job behaves like a daemon. State lives in the state dir (alerts.json, locked, written atomically)'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "measure" -d 'Latency and throughput of one MCP server under load: one request repeated by independent sessions, percentiles from a high-dynamic-range histogram, a baseline to save and a regression gate for CI (--compare)'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "validate" -d 'Pre-flight and post-deploy validation: every check always runs and is one line, grouped in sections (config, process, network, api, mcp, conformance, logs, resources), then a verdict'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "record" -d 'The continuous monitor: each target checked every --interval (or its own `interval` in the config), a light round or, every --full-every, a full one; each round appended to history and echoed as a JSON line, until SIGINT/SIGTERM (--once: one round of every target, for cron)'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "serve" -d 'A Prometheus exporter: checks every target on a schedule (--interval, spread with jitter, at most --jobs at once) and serves the last results on GET /metrics (a scrape never triggers a check), with /-/healthy and /-/ready, on --listen (loopback by default), until SIGINT/SIGTERM'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "anomalies" -d 'Anomalies now and in history: error spikes, flapping, resource usage, client counts, disconnected servers, log size and truncation from live probes; latency and error rate against each target\'s own baseline, changed tool lists, restarts and missing records from history. Exit 0 none, 1 one or two minor ones, 2 three or more or a critical one'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "daily-summary" -d 'The daily health report from history: availability (gaps in recording are unknown, not up), outages, latency percentiles and their trend, errors by reason, restarts, tool-list changes, resource use, the goals (uptime, latency, error rates) met or missed, and a 0–100 score with every deduction itemised. Exit 0 score ≥ 90 and every metric met, 1 below 90 or a metric missed, 2 below 70, 3 no history'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "dashboard" -d 'The live terminal view of every target: counts, hub state, a table (status, transport, latency and its trend, tools, uptime, CPU, memory), alerts and log errors, refreshed every --interval; keys q r ↑↓ j k Enter d / ?. `--once` prints one snapshot (works piped)'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "targets" -d 'List what a run would check, and where each target came from, without contacting anything: the URLs and commands given, --config files or ./mcpmon.json, or else the MCP clients\' own configs (Claude Code, Claude Desktop, Cursor, VS Code, Windsurf, Zed, mcp-hub). Exit 0 all usable, 1 a placeholder to set (a VS Code `${input:…}`, an unset `${VAR}`), 2 an unusable entry'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "silence" -d 'Silence alerts for a while (planned work, a known fault): a silenced alert is still shown by `alerts` (SILENCED, with the comment and the end) but notifies no one and does not count toward the exit code. Kept in the state dir (silences.json); ended silences are dropped by themselves'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout'
complete -c mcpmon -n "__fish_mcpmon_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l hub -d 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l hub-config -d 'The hubs\' own config file (mcp-hub\'s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub\'s own endpoint only' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l jobs -d 'At most this many probes at once (the others wait their turn; a probe\'s deadline starts when it runs), so checking a fleet never becomes the load that turns it red' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l per-host -d 'At most this many probes at once to one host:port' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l health-url -d 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l stats-url -d 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l thresholds -d 'Thresholds for --stats-url in check-alerts.sh\'s config/alerts.json format ({"critical": {...}, "warning": {...}})' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l tcp-send -d 'For tcp:// URLs: text to write once connected, with escapes \\r \\n \\t \\\\ (e.g. \'PING\\r\\n\')' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l tcp-expect -d 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect \'+PONG\'. Escapes as for --tcp-send' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l cert-file -d 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l log -d 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l log-pattern -d 'A named regular expression counted in every --log: NAME=REGEX, e.g. \'unauthorized=UNAUTHORIZED|FAILED\'. WARN from the first matching line. A file\'s lines are counted since the last run (the first run reads its last 100 entries); stdin\'s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l process -d 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l transport -d 'Use this transport instead of detecting it' -r -f -a "stdio\t'A child process (only with a command after `--`)'
http\t'Streamable HTTP (either era)'
sse\t'The legacy HTTP+SSE transport (2024-11-05)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l era -d 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)' -r -f -a "auto\t'Try the stateless 2026-07-28 revision first, fall back to the initialize handshake'
modern\t'Only the stateless 2026-07-28 revision (`server/discover`)'
legacy\t'Only the initialize handshake (2025-11-25 and earlier)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -s H -l header -d 'Extra HTTP header for every HTTP target given on the command line, \'Name: value\' (repeatable). Values are never printed' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l min-tools -d 'CRIT when a server lists fewer tools than this' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l expect-tool -d 'CRIT when this tool is missing (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l call -d 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call \'echo {"message": "hi"}\'' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l allow-side-effects -d 'Let --call (and a config\'s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l warn-ms -d 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l crit-ms -d 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l interval -d 'Time between rounds with --watch' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l count -d 'With --watch: stop after this many rounds and exit with the last round\'s status' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l deep -d 'With hubs: also check the hub\'s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l tls -d 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate\'s days to expiry (WARN < 30, CRIT < 7)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l all-metrics -d 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache\'s size, hits and misses, a queue\'s processed count. Shown numbers are never a failure. In a config: "metrics": "all"'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l system -d 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -s w -l watch -d 'Repeat the check every --interval until interrupted (Ctrl-C). When stdout is not a terminal the default --format is then jsonl, one line per round'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -l record -d 'Also append the observations to history (the state dir\'s history/YYYY-MM-DD.jsonl)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand health" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l hub -d 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l hub-config -d 'The hubs\' own config file (mcp-hub\'s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub\'s own endpoint only' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l jobs -d 'At most this many probes at once (the others wait their turn; a probe\'s deadline starts when it runs), so checking a fleet never becomes the load that turns it red' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l per-host -d 'At most this many probes at once to one host:port' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l health-url -d 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l stats-url -d 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l thresholds -d 'Thresholds for --stats-url in check-alerts.sh\'s config/alerts.json format ({"critical": {...}, "warning": {...}})' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l tcp-send -d 'For tcp:// URLs: text to write once connected, with escapes \\r \\n \\t \\\\ (e.g. \'PING\\r\\n\')' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l tcp-expect -d 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect \'+PONG\'. Escapes as for --tcp-send' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l cert-file -d 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l log -d 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l log-pattern -d 'A named regular expression counted in every --log: NAME=REGEX, e.g. \'unauthorized=UNAUTHORIZED|FAILED\'. WARN from the first matching line. A file\'s lines are counted since the last run (the first run reads its last 100 entries); stdin\'s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l process -d 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l transport -d 'Use this transport instead of detecting it' -r -f -a "stdio\t'A child process (only with a command after `--`)'
http\t'Streamable HTTP (either era)'
sse\t'The legacy HTTP+SSE transport (2024-11-05)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l era -d 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)' -r -f -a "auto\t'Try the stateless 2026-07-28 revision first, fall back to the initialize handshake'
modern\t'Only the stateless 2026-07-28 revision (`server/discover`)'
legacy\t'Only the initialize handshake (2025-11-25 and earlier)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -s H -l header -d 'Extra HTTP header for every HTTP target given on the command line, \'Name: value\' (repeatable). Values are never printed' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l min-tools -d 'CRIT when a server lists fewer tools than this' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l expect-tool -d 'CRIT when this tool is missing (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l call -d 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call \'echo {"message": "hi"}\'' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l allow-side-effects -d 'Let --call (and a config\'s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l warn-ms -d 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l crit-ms -d 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l for -d 'Fire only after a check has stayed bad this long, e.g. 5m (default: at once)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l consecutive -d 'Fire only after this many consecutive bad runs' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l recover-after -d 'Resolve a firing alert only after this many consecutive good runs' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l flap-changes -d 'A check that changes between good and bad more than this many times within --flap-window is flapping: its own WARN alert' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l flap-window -d 'The window for --flap-changes' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l notify -d 'Where to send alert changes (repeatable): webhook:URL (JSON), slack:URL, teams:URL, discord:URL, ntfy:URL, command:PROGRAM ARGS (the JSON on stdin), ping:URL (healthchecks-style: URL/<exit code>, every run), alertmanager:URL (Alertmanager\'s API v2: every firing alert, every run), pagerduty:ROUTING_KEY (Events API v2, one incident per alert), email:smtp://USER:PASS@HOST:587?from=ADDR&to=ADDR (STARTTLS); a bare URL is a webhook. One message per run per channel with every change, told at once (for escalation with `after`, name channels in the config\'s notify.channels). Sent only when alerts fire, escalate or resolve. URLs, keys and passwords are never printed. A failed delivery is kept in the outbox (outbox.json in the state dir) and retried on every later run with the same --notify, in order, until delivered; a ping keeps only its newest' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l outbox-max-age -d 'Drop an undelivered notification from the outbox once it is this old (said on stderr)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l repeat -d 'Remind about alerts still firing this often (default: only on changes)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l warning -d 'A warning threshold as a Nagios range, NAME=RANGE (repeatable): `p95_latency=2000` (alert above), `llm_success_rate=0.95:` (alert below). NAME is a metric of --thresholds/health_url, a check (liveness, process_cpu, …) or a threshold key. (-c is --config, so these have long names only.)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l critical -d 'A critical threshold as a Nagios range, NAME=RANGE (repeatable), as --warning' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l deep -d 'With hubs: also check the hub\'s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l tls -d 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate\'s days to expiry (WARN < 30, CRIT < 7)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l all-metrics -d 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache\'s size, hits and misses, a queue\'s processed count. Shown numbers are never a failure. In a config: "metrics": "all"'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l system -d 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l dry-run -d 'Evaluate without writing the alert state; the outbox is left as it is (this run\'s notification is sent once, not kept for a retry). Remediations (a target\'s `on_fire`) that would run are shown as `action_dry_run` events and not run'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l no-remediation -d 'Run no remediation this time (a target\'s `on_fire` commands and requests), e.g. while you work on the servers by hand; the alerts and notifications are as usual'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -l ignore-silences -d 'The raw verdict: ignore silences (mcpmon silence) and open maintenance windows (the config\'s `maintenance`); silenced alerts notify and count toward the exit code again'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand alerts" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -s n -l requests -d 'How many requests (after --warmup)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -s z -l duration -d 'Run for this long instead of -n, e.g. 30s' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -s j -l concurrency -d 'Concurrent sessions (each its own connection or child process). (-c is --config.)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l method -d 'What each request is' -r -f -a "liveness\t'`ping`, or `server/discover` where ping no longer exists (2026-07-28): the cheapest round trip'
ping\t''
tools-list\t''
discover\t''
initialize\t'A full connect + handshake (+ close) per request; for stdio a cold start'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l warmup -d 'Requests sent first and not counted' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -s q -l rate -d 'Requests per second on a fixed schedule; latency then runs from each request\'s intended start (corrected for coordinated omission, as oha\'s --latency-correction). Default: as fast as possible' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l tool -d 'Measure `tools/call` of this tool (it must be marked read-only, see --allow-side-effects)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l args -d 'The tool\'s arguments, as JSON' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l transport -d 'Use this transport instead of detecting it' -r -f -a "stdio\t'A child process (only with a command after `--`)'
http\t'Streamable HTTP (either era)'
sse\t'The legacy HTTP+SSE transport (2024-11-05)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l era -d 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)' -r -f -a "auto\t'Try the stateless 2026-07-28 revision first, fall back to the initialize handshake'
modern\t'Only the stateless 2026-07-28 revision (`server/discover`)'
legacy\t'Only the initialize handshake (2025-11-25 and earlier)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -s H -l header -d 'Extra HTTP header for every HTTP target given on the command line, \'Name: value\' (repeatable). Values are never printed' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l http -d 'Load a plain HTTP endpoint instead of an MCP server (a REST health endpoint): GET, or POST with --body' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l body -d 'With --http: POST this JSON body instead of a GET' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l observe -d 'Observe a server\'s own stats endpoint instead of sending load: sample this JSON URL, wait --window, sample again, and report the change and rate of every numeric field (or of --metric)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l window -d 'How long to observe between the two samples' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l metric -d 'With --observe: only these fields (by name, whatever their nesting or casing; repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l save-baseline -d 'Write this run\'s numbers as a baseline (JSON)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l compare -d 'Compare with a saved baseline: p50/p95/p99 slower, or the success rate lower, by more than --warn / --crit is WARN / CRIT (exit 1 / 2), for a CI gate' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l warn -d 'Regression that warns, in percent of the baseline' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l crit -d 'Regression that is critical, in percent of the baseline' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -l allow-side-effects -d 'Allow --tool to call a tool that is not marked read-only (annotations.readOnlyHint)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand measure" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l hub -d 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l hub-config -d 'The hubs\' own config file (mcp-hub\'s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub\'s own endpoint only' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l jobs -d 'At most this many probes at once (the others wait their turn; a probe\'s deadline starts when it runs), so checking a fleet never becomes the load that turns it red' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l per-host -d 'At most this many probes at once to one host:port' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l health-url -d 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l stats-url -d 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l thresholds -d 'Thresholds for --stats-url in check-alerts.sh\'s config/alerts.json format ({"critical": {...}, "warning": {...}})' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l tcp-send -d 'For tcp:// URLs: text to write once connected, with escapes \\r \\n \\t \\\\ (e.g. \'PING\\r\\n\')' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l tcp-expect -d 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect \'+PONG\'. Escapes as for --tcp-send' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l cert-file -d 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l log -d 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l log-pattern -d 'A named regular expression counted in every --log: NAME=REGEX, e.g. \'unauthorized=UNAUTHORIZED|FAILED\'. WARN from the first matching line. A file\'s lines are counted since the last run (the first run reads its last 100 entries); stdin\'s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l process -d 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l transport -d 'Use this transport instead of detecting it' -r -f -a "stdio\t'A child process (only with a command after `--`)'
http\t'Streamable HTTP (either era)'
sse\t'The legacy HTTP+SSE transport (2024-11-05)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l era -d 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)' -r -f -a "auto\t'Try the stateless 2026-07-28 revision first, fall back to the initialize handshake'
modern\t'Only the stateless 2026-07-28 revision (`server/discover`)'
legacy\t'Only the initialize handshake (2025-11-25 and earlier)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -s H -l header -d 'Extra HTTP header for every HTTP target given on the command line, \'Name: value\' (repeatable). Values are never printed' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l min-tools -d 'CRIT when a server lists fewer tools than this' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l expect-tool -d 'CRIT when this tool is missing (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l call -d 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call \'echo {"message": "hi"}\'' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l allow-side-effects -d 'Let --call (and a config\'s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l warn-ms -d 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l crit-ms -d 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l section -d 'Only these sections (repeatable). Default: all' -r -f -a "config\t'The config files and every target\'s entry: command on PATH, env vars, placeholders, secrets in world-readable files, unpinned `npx -y` packages'
process\t'The server processes: running, pid, uptime'
network\t'Ports listening, HTTP endpoints responding, TLS certificate expiry'
api\t'Hub REST APIs: state, each server connected, tool counts, workspace/cache state'
mcp\t'MCP endpoints: handshake, revision, liveness, tool registration'
conformance\t'Protocol conformance (with --strict): each check names the spec section it comes from'
logs\t'Recent errors and the level distribution of the last log entries, log size and growth'
resources\t'CPU, memory and disk against thresholds (process and host)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l check-type -d 'liveness: the cheap set; readiness: everything' -r -f -a "liveness\t'Is it up: process, port, endpoint, handshake and liveness; no lists, logs or config audit'
readiness\t'Is it ready to serve: everything (the default)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l deep -d 'With hubs: also check the hub\'s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l tls -d 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate\'s days to expiry (WARN < 30, CRIT < 7)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l all-metrics -d 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache\'s size, hits and misses, a queue\'s processed count. Shown numbers are never a failure. In a config: "metrics": "all"'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l system -d 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l record -d 'Also append the observations to history (the state dir\'s history/YYYY-MM-DD.jsonl)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -l strict -d 'Also check protocol conformance (framing, ids, version negotiation, declared capabilities, tool schemas and names, pagination, session and header enforcement, DNS-rebinding protection). Read-only: no tool is ever called'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand validate" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l hub -d 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l hub-config -d 'The hubs\' own config file (mcp-hub\'s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub\'s own endpoint only' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l jobs -d 'At most this many probes at once (the others wait their turn; a probe\'s deadline starts when it runs), so checking a fleet never becomes the load that turns it red' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l per-host -d 'At most this many probes at once to one host:port' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l health-url -d 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l stats-url -d 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l thresholds -d 'Thresholds for --stats-url in check-alerts.sh\'s config/alerts.json format ({"critical": {...}, "warning": {...}})' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l tcp-send -d 'For tcp:// URLs: text to write once connected, with escapes \\r \\n \\t \\\\ (e.g. \'PING\\r\\n\')' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l tcp-expect -d 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect \'+PONG\'. Escapes as for --tcp-send' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l cert-file -d 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l log -d 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l log-pattern -d 'A named regular expression counted in every --log: NAME=REGEX, e.g. \'unauthorized=UNAUTHORIZED|FAILED\'. WARN from the first matching line. A file\'s lines are counted since the last run (the first run reads its last 100 entries); stdin\'s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l process -d 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l transport -d 'Use this transport instead of detecting it' -r -f -a "stdio\t'A child process (only with a command after `--`)'
http\t'Streamable HTTP (either era)'
sse\t'The legacy HTTP+SSE transport (2024-11-05)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l era -d 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)' -r -f -a "auto\t'Try the stateless 2026-07-28 revision first, fall back to the initialize handshake'
modern\t'Only the stateless 2026-07-28 revision (`server/discover`)'
legacy\t'Only the initialize handshake (2025-11-25 and earlier)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -s H -l header -d 'Extra HTTP header for every HTTP target given on the command line, \'Name: value\' (repeatable). Values are never printed' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l min-tools -d 'CRIT when a server lists fewer tools than this' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l expect-tool -d 'CRIT when this tool is missing (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l call -d 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call \'echo {"message": "hi"}\'' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l allow-side-effects -d 'Let --call (and a config\'s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l warn-ms -d 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l crit-ms -d 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l interval -d 'Time between two checks of a target, unless the config gives the target its own `interval` (e.g. "2h": each target at its own cadence; targets due together share a round). A light round is the liveness set (process, endpoint, handshake, ping)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l full-every -d 'A full round of a target (lists, logs, host: everything `health` checks) once this has passed since its last full one; the first round is full, and so is every round of a target whose interval is longer' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l retention -d 'Delete history days older than this, e.g. 30d (checked at start and once a day)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l compact-after -d 'Compact days older than this: full rounds, problems and status changes stay, OK light rounds are thinned to one per --compact-to per target' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l compact-to -d 'What compaction keeps of OK light rounds: one per this span per target and probe' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l deep -d 'With hubs: also check the hub\'s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l tls -d 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate\'s days to expiry (WARN < 30, CRIT < 7)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l all-metrics -d 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache\'s size, hits and misses, a queue\'s processed count. Shown numbers are never a failure. In a config: "metrics": "all"'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l system -d 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l once -d 'One round, then exit with its status (for cron): a full round unless --light'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -l light -d 'With --once: a light round'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand record" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l hub -d 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l hub-config -d 'The hubs\' own config file (mcp-hub\'s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub\'s own endpoint only' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l jobs -d 'At most this many probes at once (the others wait their turn; a probe\'s deadline starts when it runs), so checking a fleet never becomes the load that turns it red' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l per-host -d 'At most this many probes at once to one host:port' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l health-url -d 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l stats-url -d 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l thresholds -d 'Thresholds for --stats-url in check-alerts.sh\'s config/alerts.json format ({"critical": {...}, "warning": {...}})' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l tcp-send -d 'For tcp:// URLs: text to write once connected, with escapes \\r \\n \\t \\\\ (e.g. \'PING\\r\\n\')' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l tcp-expect -d 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect \'+PONG\'. Escapes as for --tcp-send' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l cert-file -d 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l log -d 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l log-pattern -d 'A named regular expression counted in every --log: NAME=REGEX, e.g. \'unauthorized=UNAUTHORIZED|FAILED\'. WARN from the first matching line. A file\'s lines are counted since the last run (the first run reads its last 100 entries); stdin\'s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l process -d 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l transport -d 'Use this transport instead of detecting it' -r -f -a "stdio\t'A child process (only with a command after `--`)'
http\t'Streamable HTTP (either era)'
sse\t'The legacy HTTP+SSE transport (2024-11-05)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l era -d 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)' -r -f -a "auto\t'Try the stateless 2026-07-28 revision first, fall back to the initialize handshake'
modern\t'Only the stateless 2026-07-28 revision (`server/discover`)'
legacy\t'Only the initialize handshake (2025-11-25 and earlier)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -s H -l header -d 'Extra HTTP header for every HTTP target given on the command line, \'Name: value\' (repeatable). Values are never printed' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l min-tools -d 'CRIT when a server lists fewer tools than this' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l expect-tool -d 'CRIT when this tool is missing (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l call -d 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call \'echo {"message": "hi"}\'' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l allow-side-effects -d 'Let --call (and a config\'s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l warn-ms -d 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l crit-ms -d 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l listen -d 'Address to listen on; a busy port is an error (exit 3)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l interval -d 'Time between two checks of a target (unless the config gives the target its own `interval`); the targets are spread over it, with jitter' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l auth-token-file -d 'Require `Authorization: Bearer <token>` on every endpoint; the token is this file\'s content' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l deep -d 'With hubs: also check the hub\'s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l tls -d 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate\'s days to expiry (WARN < 30, CRIT < 7)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l all-metrics -d 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache\'s size, hits and misses, a queue\'s processed count. Shown numbers are never a failure. In a config: "metrics": "all"'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l system -d 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l allow-adhoc-probes -d 'Let `GET /probe?target=http(s)://…` check a URL that is not in the config (never a command)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -l record -d 'Also append each completed check to the history (as `record` does)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand serve" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l hub -d 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l hub-config -d 'The hubs\' own config file (mcp-hub\'s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub\'s own endpoint only' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l jobs -d 'At most this many probes at once (the others wait their turn; a probe\'s deadline starts when it runs), so checking a fleet never becomes the load that turns it red' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l per-host -d 'At most this many probes at once to one host:port' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l health-url -d 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l stats-url -d 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l thresholds -d 'Thresholds for --stats-url in check-alerts.sh\'s config/alerts.json format ({"critical": {...}, "warning": {...}})' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l tcp-send -d 'For tcp:// URLs: text to write once connected, with escapes \\r \\n \\t \\\\ (e.g. \'PING\\r\\n\')' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l tcp-expect -d 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect \'+PONG\'. Escapes as for --tcp-send' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l cert-file -d 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l log -d 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l log-pattern -d 'A named regular expression counted in every --log: NAME=REGEX, e.g. \'unauthorized=UNAUTHORIZED|FAILED\'. WARN from the first matching line. A file\'s lines are counted since the last run (the first run reads its last 100 entries); stdin\'s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l process -d 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l transport -d 'Use this transport instead of detecting it' -r -f -a "stdio\t'A child process (only with a command after `--`)'
http\t'Streamable HTTP (either era)'
sse\t'The legacy HTTP+SSE transport (2024-11-05)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l era -d 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)' -r -f -a "auto\t'Try the stateless 2026-07-28 revision first, fall back to the initialize handshake'
modern\t'Only the stateless 2026-07-28 revision (`server/discover`)'
legacy\t'Only the initialize handshake (2025-11-25 and earlier)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -s H -l header -d 'Extra HTTP header for every HTTP target given on the command line, \'Name: value\' (repeatable). Values are never printed' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l min-tools -d 'CRIT when a server lists fewer tools than this' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l expect-tool -d 'CRIT when this tool is missing (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l call -d 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call \'echo {"message": "hi"}\'' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l allow-side-effects -d 'Let --call (and a config\'s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l warn-ms -d 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l crit-ms -d 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l window -d 'How far back history is read, e.g. 24h, 7d' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l max-clients -d 'Warn above this many clients connected to a hub; critical above twice as many' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l deep -d 'With hubs: also check the hub\'s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l tls -d 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate\'s days to expiry (WARN < 30, CRIT < 7)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l all-metrics -d 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache\'s size, hits and misses, a queue\'s processed count. Shown numbers are never a failure. In a config: "metrics": "all"'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -l system -d 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand anomalies" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -l date -d 'The day to report, YYYY-MM-DD, in --tz (default: yesterday)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -l since -d 'The last DURATION up to now instead of a calendar day, e.g. 24h, 7d, 30d' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -l from -d 'The start of a longer period (a week, a month): a date YYYY-MM-DD (its midnight in --tz) or a DURATION ago (7d, 30d). Only the day files of the period (and of the one before it, for the trends) are read' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -l to -d 'The end of the period: a date YYYY-MM-DD (the whole day, in --tz) or a DURATION ago (default: now). Needs --from' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -l goal -d 'Hold the period to this goal instead of its default (repeatable): NAME=LIMIT, NAME one of uptime (%, default 99.9), success_rate (%, 95), response_time_p95 or p95 (ms, 500), reconnects (a day, 5), error_rate (%, 1), memory_mb (highest process RSS, MiB; no default); LIMIT `off` drops the goal. Also the config\'s `goals` object. E.g. --goal uptime=99.5 --goal p95=100ms --goal error_rate=0.1 --goal memory=100MB' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -l tz -d 'The time zone of --date and of the default day: local, UTC, or an offset such as +02:00' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -s o -l output -d 'Write the report to FILE (atomically: a temporary file renamed over it) instead of stdout' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -l rule -d 'Change a score rule: NAME=PER:CAP, NAME one of errors, resources, disconnected, alerts (repeatable), e.g. --rule disconnected=20:40' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand daily-summary" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l hub -d 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l hub-config -d 'The hubs\' own config file (mcp-hub\'s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub\'s own endpoint only' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l jobs -d 'At most this many probes at once (the others wait their turn; a probe\'s deadline starts when it runs), so checking a fleet never becomes the load that turns it red' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l per-host -d 'At most this many probes at once to one host:port' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l health-url -d 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l stats-url -d 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l thresholds -d 'Thresholds for --stats-url in check-alerts.sh\'s config/alerts.json format ({"critical": {...}, "warning": {...}})' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l tcp-send -d 'For tcp:// URLs: text to write once connected, with escapes \\r \\n \\t \\\\ (e.g. \'PING\\r\\n\')' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l tcp-expect -d 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect \'+PONG\'. Escapes as for --tcp-send' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l cert-file -d 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l log -d 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l log-pattern -d 'A named regular expression counted in every --log: NAME=REGEX, e.g. \'unauthorized=UNAUTHORIZED|FAILED\'. WARN from the first matching line. A file\'s lines are counted since the last run (the first run reads its last 100 entries); stdin\'s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l process -d 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l transport -d 'Use this transport instead of detecting it' -r -f -a "stdio\t'A child process (only with a command after `--`)'
http\t'Streamable HTTP (either era)'
sse\t'The legacy HTTP+SSE transport (2024-11-05)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l era -d 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)' -r -f -a "auto\t'Try the stateless 2026-07-28 revision first, fall back to the initialize handshake'
modern\t'Only the stateless 2026-07-28 revision (`server/discover`)'
legacy\t'Only the initialize handshake (2025-11-25 and earlier)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -s H -l header -d 'Extra HTTP header for every HTTP target given on the command line, \'Name: value\' (repeatable). Values are never printed' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l min-tools -d 'CRIT when a server lists fewer tools than this' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l expect-tool -d 'CRIT when this tool is missing (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l call -d 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call \'echo {"message": "hi"}\'' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l allow-side-effects -d 'Let --call (and a config\'s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l warn-ms -d 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l crit-ms -d 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l interval -d 'Time between rounds' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l deep -d 'With hubs: also check the hub\'s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l tls -d 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate\'s days to expiry (WARN < 30, CRIT < 7)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l all-metrics -d 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache\'s size, hits and misses, a queue\'s processed count. Shown numbers are never a failure. In a config: "metrics": "all"'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l system -d 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -l once -d 'Print one snapshot and exit with its status (works when stdout is not a terminal)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand dashboard" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l hub -d 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l hub-config -d 'The hubs\' own config file (mcp-hub\'s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub\'s own endpoint only' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l jobs -d 'At most this many probes at once (the others wait their turn; a probe\'s deadline starts when it runs), so checking a fleet never becomes the load that turns it red' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l per-host -d 'At most this many probes at once to one host:port' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l health-url -d 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l stats-url -d 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l thresholds -d 'Thresholds for --stats-url in check-alerts.sh\'s config/alerts.json format ({"critical": {...}, "warning": {...}})' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l tcp-send -d 'For tcp:// URLs: text to write once connected, with escapes \\r \\n \\t \\\\ (e.g. \'PING\\r\\n\')' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l tcp-expect -d 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect \'+PONG\'. Escapes as for --tcp-send' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l cert-file -d 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l log -d 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l log-pattern -d 'A named regular expression counted in every --log: NAME=REGEX, e.g. \'unauthorized=UNAUTHORIZED|FAILED\'. WARN from the first matching line. A file\'s lines are counted since the last run (the first run reads its last 100 entries); stdin\'s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l process -d 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l transport -d 'Use this transport instead of detecting it' -r -f -a "stdio\t'A child process (only with a command after `--`)'
http\t'Streamable HTTP (either era)'
sse\t'The legacy HTTP+SSE transport (2024-11-05)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l era -d 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)' -r -f -a "auto\t'Try the stateless 2026-07-28 revision first, fall back to the initialize handshake'
modern\t'Only the stateless 2026-07-28 revision (`server/discover`)'
legacy\t'Only the initialize handshake (2025-11-25 and earlier)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -s H -l header -d 'Extra HTTP header for every HTTP target given on the command line, \'Name: value\' (repeatable). Values are never printed' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l min-tools -d 'CRIT when a server lists fewer tools than this' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l expect-tool -d 'CRIT when this tool is missing (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l call -d 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call \'echo {"message": "hi"}\'' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l allow-side-effects -d 'Let --call (and a config\'s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l warn-ms -d 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l crit-ms -d 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l deep -d 'With hubs: also check the hub\'s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l tls -d 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate\'s days to expiry (WARN < 30, CRIT < 7)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l all-metrics -d 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache\'s size, hits and misses, a queue\'s processed count. Shown numbers are never a failure. In a config: "metrics": "all"'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -l system -d 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand targets" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -f -a "add" -d 'Silence what matches TARGET[/CHECK] from now, for a duration or until a time; prints the silence with its id'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -f -a "list" -d 'The silences in force, soonest to end first (every --format; json for scripts)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -f -a "rm" -d 'End a silence now, by its id (or the start of it, at least 4 characters)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and not __fish_seen_subcommand_from add list rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -l for -d 'How long, from now: 30m, 2h, 1d' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -l until -d 'Until when: a date and time with its offset, 2026-12-24T23:00:00+01:00 or …Z' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -l comment -d 'Why (shown beside every alert it silences): a ticket, a name, a reason' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -l no-remediation -d 'Run no remediation this time (a target\'s `on_fire` commands and requests), e.g. while you work on the servers by hand; the alerts and notifications are as usual'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from list" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from list" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from list" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from list" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from list" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from list" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from list" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from rm" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from rm" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from rm" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from rm" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from rm" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from rm" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from rm" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from help" -f -a "add" -d 'Silence what matches TARGET[/CHECK] from now, for a duration or until a time; prints the silence with its id'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from help" -f -a "list" -d 'The silences in force, soonest to end first (every --format; json for scripts)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from help" -f -a "rm" -d 'End a silence now, by its id (or the start of it, at least 4 characters)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand silence; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand completions" -s c -l config -d 'Config file: mcpmon\'s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand completions" -s t -l target -d 'Only these targets from the config (by name). Repeatable' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand completions" -l state-dir -d 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)' -r -F
complete -c mcpmon -n "__fish_mcpmon_using_subcommand completions" -s f -l format -d 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal\'s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole' -r -f -a "table\t'A table for people (default)'
json\t'One JSON document (schema in README)'
jsonl\t'The same document on one line (one line per round when a command repeats)'
nagios\t'A Nagios/Icinga plugin line with perfdata'
prometheus\t'Prometheus text exposition (node_exporter textfile collector)'
markdown\t'Markdown: a table of findings; daily-summary\'s whole report (for an email, a chat, a wiki)'
csv\t'CSV (RFC 4180 quoting): one row per finding; daily-summary: one row per target of the period and an `(all)` row, with the value, limit and verdict of each goal (for a spreadsheet)'"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand completions" -l color -d 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal' -r -f -a "auto\t'Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb'
always\t''
never\t''"
complete -c mcpmon -n "__fish_mcpmon_using_subcommand completions" -l timeout -d 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config\'s `timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand completions" -l startup-timeout -d 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config\'s `startup_timeout`' -r
complete -c mcpmon -n "__fish_mcpmon_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand completions" -s V -l version -d 'Print version'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "health" -d 'Check that MCP servers answer: transport and protocol revision, handshake and liveness latency, server identity, tool/prompt/resource counts, and the checks you configure'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "alerts" -d 'Alerts with memory across runs: the checks of `health`, but a bad check fires only after `--for` and `--consecutive` bad runs and resolves only after `--recover-after` good ones, so a cron job behaves like a daemon. State lives in the state dir (alerts.json, locked, written atomically)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "measure" -d 'Latency and throughput of one MCP server under load: one request repeated by independent sessions, percentiles from a high-dynamic-range histogram, a baseline to save and a regression gate for CI (--compare)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "validate" -d 'Pre-flight and post-deploy validation: every check always runs and is one line, grouped in sections (config, process, network, api, mcp, conformance, logs, resources), then a verdict'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "record" -d 'The continuous monitor: each target checked every --interval (or its own `interval` in the config), a light round or, every --full-every, a full one; each round appended to history and echoed as a JSON line, until SIGINT/SIGTERM (--once: one round of every target, for cron)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "serve" -d 'A Prometheus exporter: checks every target on a schedule (--interval, spread with jitter, at most --jobs at once) and serves the last results on GET /metrics (a scrape never triggers a check), with /-/healthy and /-/ready, on --listen (loopback by default), until SIGINT/SIGTERM'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "anomalies" -d 'Anomalies now and in history: error spikes, flapping, resource usage, client counts, disconnected servers, log size and truncation from live probes; latency and error rate against each target\'s own baseline, changed tool lists, restarts and missing records from history. Exit 0 none, 1 one or two minor ones, 2 three or more or a critical one'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "daily-summary" -d 'The daily health report from history: availability (gaps in recording are unknown, not up), outages, latency percentiles and their trend, errors by reason, restarts, tool-list changes, resource use, the goals (uptime, latency, error rates) met or missed, and a 0–100 score with every deduction itemised. Exit 0 score ≥ 90 and every metric met, 1 below 90 or a metric missed, 2 below 70, 3 no history'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "dashboard" -d 'The live terminal view of every target: counts, hub state, a table (status, transport, latency and its trend, tools, uptime, CPU, memory), alerts and log errors, refreshed every --interval; keys q r ↑↓ j k Enter d / ?. `--once` prints one snapshot (works piped)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "targets" -d 'List what a run would check, and where each target came from, without contacting anything: the URLs and commands given, --config files or ./mcpmon.json, or else the MCP clients\' own configs (Claude Code, Claude Desktop, Cursor, VS Code, Windsurf, Zed, mcp-hub). Exit 0 all usable, 1 a placeholder to set (a VS Code `${input:…}`, an unset `${VAR}`), 2 an unusable entry'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "silence" -d 'Silence alerts for a while (planned work, a known fault): a silenced alert is still shown by `alerts` (SILENCED, with the comment and the end) but notifies no one and does not count toward the exit code. Kept in the state dir (silences.json); ended silences are dropped by themselves'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and not __fish_seen_subcommand_from health alerts measure validate record serve anomalies daily-summary dashboard targets silence completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and __fish_seen_subcommand_from silence" -f -a "add" -d 'Silence what matches TARGET[/CHECK] from now, for a duration or until a time; prints the silence with its id'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and __fish_seen_subcommand_from silence" -f -a "list" -d 'The silences in force, soonest to end first (every --format; json for scripts)'
complete -c mcpmon -n "__fish_mcpmon_using_subcommand help; and __fish_seen_subcommand_from silence" -f -a "rm" -d 'End a silence now, by its id (or the start of it, at least 4 characters)'
