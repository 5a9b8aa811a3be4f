
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'mcpmon' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'mcpmon'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'mcpmon' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Check that MCP servers answer: transport and protocol revision, handshake and liveness latency, server identity, tool/prompt/resource counts, and the checks you configure')
            [CompletionResult]::new('alerts', 'alerts', [CompletionResultType]::ParameterValue, 'Alerts with memory across runs: the checks of `health`, but a bad check fires only after `--for` and `--consecutive` bad runs and resolves only after `--recover-after` good ones, so a cron job behaves like a daemon. State lives in the state dir (alerts.json, locked, written atomically)')
            [CompletionResult]::new('measure', 'measure', [CompletionResultType]::ParameterValue, 'Latency and throughput of one MCP server under load: one request repeated by independent sessions, percentiles from a high-dynamic-range histogram, a baseline to save and a regression gate for CI (--compare)')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Pre-flight and post-deploy validation: every check always runs and is one line, grouped in sections (config, process, network, api, mcp, conformance, logs, resources), then a verdict')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'The continuous monitor: each target checked every --interval (or its own `interval` in the config), a light round or, every --full-every, a full one; each round appended to history and echoed as a JSON line, until SIGINT/SIGTERM (--once: one round of every target, for cron)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'A Prometheus exporter: checks every target on a schedule (--interval, spread with jitter, at most --jobs at once) and serves the last results on GET /metrics (a scrape never triggers a check), with /-/healthy and /-/ready, on --listen (loopback by default), until SIGINT/SIGTERM')
            [CompletionResult]::new('anomalies', 'anomalies', [CompletionResultType]::ParameterValue, 'Anomalies now and in history: error spikes, flapping, resource usage, client counts, disconnected servers, log size and truncation from live probes; latency and error rate against each target''s own baseline, changed tool lists, restarts and missing records from history. Exit 0 none, 1 one or two minor ones, 2 three or more or a critical one')
            [CompletionResult]::new('daily-summary', 'daily-summary', [CompletionResultType]::ParameterValue, 'The daily health report from history: availability (gaps in recording are unknown, not up), outages, latency percentiles and their trend, errors by reason, restarts, tool-list changes, resource use, the goals (uptime, latency, error rates) met or missed, and a 0–100 score with every deduction itemised. Exit 0 score ≥ 90 and every metric met, 1 below 90 or a metric missed, 2 below 70, 3 no history')
            [CompletionResult]::new('dashboard', 'dashboard', [CompletionResultType]::ParameterValue, 'The live terminal view of every target: counts, hub state, a table (status, transport, latency and its trend, tools, uptime, CPU, memory), alerts and log errors, refreshed every --interval; keys q r ↑↓ j k Enter d / ?. `--once` prints one snapshot (works piped)')
            [CompletionResult]::new('targets', 'targets', [CompletionResultType]::ParameterValue, 'List what a run would check, and where each target came from, without contacting anything: the URLs and commands given, --config files or ./mcpmon.json, or else the MCP clients'' own configs (Claude Code, Claude Desktop, Cursor, VS Code, Windsurf, Zed, mcp-hub). Exit 0 all usable, 1 a placeholder to set (a VS Code `${input:…}`, an unset `${VAR}`), 2 an unusable entry')
            [CompletionResult]::new('silence', 'silence', [CompletionResultType]::ParameterValue, 'Silence alerts for a while (planned work, a known fault): a silenced alert is still shown by `alerts` (SILENCED, with the comment and the end) but notifies no one and does not count toward the exit code. Kept in the state dir (silences.json); ended silences are dropped by themselves')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcpmon;health' {
            [CompletionResult]::new('--hub', '--hub', [CompletionResultType]::ParameterName, 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)')
            [CompletionResult]::new('--hub-config', '--hub-config', [CompletionResultType]::ParameterName, 'The hubs'' own config file (mcp-hub''s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub''s own endpoint only')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'At most this many probes at once (the others wait their turn; a probe''s deadline starts when it runs), so checking a fleet never becomes the load that turns it red')
            [CompletionResult]::new('--per-host', '--per-host', [CompletionResultType]::ParameterName, 'At most this many probes at once to one host:port')
            [CompletionResult]::new('--health-url', '--health-url', [CompletionResultType]::ParameterName, 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)')
            [CompletionResult]::new('--stats-url', '--stats-url', [CompletionResultType]::ParameterName, 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)')
            [CompletionResult]::new('--thresholds', '--thresholds', [CompletionResultType]::ParameterName, 'Thresholds for --stats-url in check-alerts.sh''s config/alerts.json format ({"critical": {...}, "warning": {...}})')
            [CompletionResult]::new('--tcp-send', '--tcp-send', [CompletionResultType]::ParameterName, 'For tcp:// URLs: text to write once connected, with escapes \r \n \t \\ (e.g. ''PING\r\n'')')
            [CompletionResult]::new('--tcp-expect', '--tcp-expect', [CompletionResultType]::ParameterName, 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect ''+PONG''. Escapes as for --tcp-send')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`')
            [CompletionResult]::new('--log-pattern', '--log-pattern', [CompletionResultType]::ParameterName, 'A named regular expression counted in every --log: NAME=REGEX, e.g. ''unauthorized=UNAUTHORIZED|FAILED''. WARN from the first matching line. A file''s lines are counted since the last run (the first run reads its last 100 entries); stdin''s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable')
            [CompletionResult]::new('--process', '--process', [CompletionResultType]::ParameterName, 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Use this transport instead of detecting it')
            [CompletionResult]::new('--era', '--era', [CompletionResultType]::ParameterName, 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--min-tools', '--min-tools', [CompletionResultType]::ParameterName, 'CRIT when a server lists fewer tools than this')
            [CompletionResult]::new('--expect-tool', '--expect-tool', [CompletionResultType]::ParameterName, 'CRIT when this tool is missing (repeatable)')
            [CompletionResult]::new('--call', '--call', [CompletionResultType]::ParameterName, 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call ''echo {"message": "hi"}''')
            [CompletionResult]::new('--allow-side-effects', '--allow-side-effects', [CompletionResultType]::ParameterName, 'Let --call (and a config''s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)')
            [CompletionResult]::new('--warn-ms', '--warn-ms', [CompletionResultType]::ParameterName, 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000')
            [CompletionResult]::new('--crit-ms', '--crit-ms', [CompletionResultType]::ParameterName, 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between rounds with --watch')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'With --watch: stop after this many rounds and exit with the last round''s status')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('--deep', '--deep', [CompletionResultType]::ParameterName, 'With hubs: also check the hub''s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate''s days to expiry (WARN < 30, CRIT < 7)')
            [CompletionResult]::new('--all-metrics', '--all-metrics', [CompletionResultType]::ParameterName, 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache''s size, hits and misses, a queue''s processed count. Shown numbers are never a failure. In a config: "metrics": "all"')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Repeat the check every --interval until interrupted (Ctrl-C). When stdout is not a terminal the default --format is then jsonl, one line per round')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Repeat the check every --interval until interrupted (Ctrl-C). When stdout is not a terminal the default --format is then jsonl, one line per round')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Also append the observations to history (the state dir''s history/YYYY-MM-DD.jsonl)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;alerts' {
            [CompletionResult]::new('--hub', '--hub', [CompletionResultType]::ParameterName, 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)')
            [CompletionResult]::new('--hub-config', '--hub-config', [CompletionResultType]::ParameterName, 'The hubs'' own config file (mcp-hub''s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub''s own endpoint only')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'At most this many probes at once (the others wait their turn; a probe''s deadline starts when it runs), so checking a fleet never becomes the load that turns it red')
            [CompletionResult]::new('--per-host', '--per-host', [CompletionResultType]::ParameterName, 'At most this many probes at once to one host:port')
            [CompletionResult]::new('--health-url', '--health-url', [CompletionResultType]::ParameterName, 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)')
            [CompletionResult]::new('--stats-url', '--stats-url', [CompletionResultType]::ParameterName, 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)')
            [CompletionResult]::new('--thresholds', '--thresholds', [CompletionResultType]::ParameterName, 'Thresholds for --stats-url in check-alerts.sh''s config/alerts.json format ({"critical": {...}, "warning": {...}})')
            [CompletionResult]::new('--tcp-send', '--tcp-send', [CompletionResultType]::ParameterName, 'For tcp:// URLs: text to write once connected, with escapes \r \n \t \\ (e.g. ''PING\r\n'')')
            [CompletionResult]::new('--tcp-expect', '--tcp-expect', [CompletionResultType]::ParameterName, 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect ''+PONG''. Escapes as for --tcp-send')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`')
            [CompletionResult]::new('--log-pattern', '--log-pattern', [CompletionResultType]::ParameterName, 'A named regular expression counted in every --log: NAME=REGEX, e.g. ''unauthorized=UNAUTHORIZED|FAILED''. WARN from the first matching line. A file''s lines are counted since the last run (the first run reads its last 100 entries); stdin''s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable')
            [CompletionResult]::new('--process', '--process', [CompletionResultType]::ParameterName, 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Use this transport instead of detecting it')
            [CompletionResult]::new('--era', '--era', [CompletionResultType]::ParameterName, 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--min-tools', '--min-tools', [CompletionResultType]::ParameterName, 'CRIT when a server lists fewer tools than this')
            [CompletionResult]::new('--expect-tool', '--expect-tool', [CompletionResultType]::ParameterName, 'CRIT when this tool is missing (repeatable)')
            [CompletionResult]::new('--call', '--call', [CompletionResultType]::ParameterName, 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call ''echo {"message": "hi"}''')
            [CompletionResult]::new('--allow-side-effects', '--allow-side-effects', [CompletionResultType]::ParameterName, 'Let --call (and a config''s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)')
            [CompletionResult]::new('--warn-ms', '--warn-ms', [CompletionResultType]::ParameterName, 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000')
            [CompletionResult]::new('--crit-ms', '--crit-ms', [CompletionResultType]::ParameterName, 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Fire only after a check has stayed bad this long, e.g. 5m (default: at once)')
            [CompletionResult]::new('--consecutive', '--consecutive', [CompletionResultType]::ParameterName, 'Fire only after this many consecutive bad runs')
            [CompletionResult]::new('--recover-after', '--recover-after', [CompletionResultType]::ParameterName, 'Resolve a firing alert only after this many consecutive good runs')
            [CompletionResult]::new('--flap-changes', '--flap-changes', [CompletionResultType]::ParameterName, 'A check that changes between good and bad more than this many times within --flap-window is flapping: its own WARN alert')
            [CompletionResult]::new('--flap-window', '--flap-window', [CompletionResultType]::ParameterName, 'The window for --flap-changes')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'Where to send alert changes (repeatable): webhook:URL (JSON), slack:URL, teams:URL, discord:URL, ntfy:URL, command:PROGRAM ARGS (the JSON on stdin), ping:URL (healthchecks-style: URL/<exit code>, every run), alertmanager:URL (Alertmanager''s API v2: every firing alert, every run), pagerduty:ROUTING_KEY (Events API v2, one incident per alert), email:smtp://USER:PASS@HOST:587?from=ADDR&to=ADDR (STARTTLS); a bare URL is a webhook. One message per run per channel with every change, told at once (for escalation with `after`, name channels in the config''s notify.channels). Sent only when alerts fire, escalate or resolve. URLs, keys and passwords are never printed. A failed delivery is kept in the outbox (outbox.json in the state dir) and retried on every later run with the same --notify, in order, until delivered; a ping keeps only its newest')
            [CompletionResult]::new('--outbox-max-age', '--outbox-max-age', [CompletionResultType]::ParameterName, 'Drop an undelivered notification from the outbox once it is this old (said on stderr)')
            [CompletionResult]::new('--repeat', '--repeat', [CompletionResultType]::ParameterName, 'Remind about alerts still firing this often (default: only on changes)')
            [CompletionResult]::new('--warning', '--warning', [CompletionResultType]::ParameterName, 'A warning threshold as a Nagios range, NAME=RANGE (repeatable): `p95_latency=2000` (alert above), `llm_success_rate=0.95:` (alert below). NAME is a metric of --thresholds/health_url, a check (liveness, process_cpu, …) or a threshold key. (-c is --config, so these have long names only.)')
            [CompletionResult]::new('--critical', '--critical', [CompletionResultType]::ParameterName, 'A critical threshold as a Nagios range, NAME=RANGE (repeatable), as --warning')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('--deep', '--deep', [CompletionResultType]::ParameterName, 'With hubs: also check the hub''s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate''s days to expiry (WARN < 30, CRIT < 7)')
            [CompletionResult]::new('--all-metrics', '--all-metrics', [CompletionResultType]::ParameterName, 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache''s size, hits and misses, a queue''s processed count. Shown numbers are never a failure. In a config: "metrics": "all"')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Evaluate without writing the alert state; the outbox is left as it is (this run''s notification is sent once, not kept for a retry). Remediations (a target''s `on_fire`) that would run are shown as `action_dry_run` events and not run')
            [CompletionResult]::new('--no-remediation', '--no-remediation', [CompletionResultType]::ParameterName, 'Run no remediation this time (a target''s `on_fire` commands and requests), e.g. while you work on the servers by hand; the alerts and notifications are as usual')
            [CompletionResult]::new('--ignore-silences', '--ignore-silences', [CompletionResultType]::ParameterName, 'The raw verdict: ignore silences (mcpmon silence) and open maintenance windows (the config''s `maintenance`); silenced alerts notify and count toward the exit code again')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;measure' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many requests (after --warmup)')
            [CompletionResult]::new('--requests', '--requests', [CompletionResultType]::ParameterName, 'How many requests (after --warmup)')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Run for this long instead of -n, e.g. 30s')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Run for this long instead of -n, e.g. 30s')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Concurrent sessions (each its own connection or child process). (-c is --config.)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Concurrent sessions (each its own connection or child process). (-c is --config.)')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'What each request is')
            [CompletionResult]::new('--warmup', '--warmup', [CompletionResultType]::ParameterName, 'Requests sent first and not counted')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Requests per second on a fixed schedule; latency then runs from each request''s intended start (corrected for coordinated omission, as oha''s --latency-correction). Default: as fast as possible')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Requests per second on a fixed schedule; latency then runs from each request''s intended start (corrected for coordinated omission, as oha''s --latency-correction). Default: as fast as possible')
            [CompletionResult]::new('--tool', '--tool', [CompletionResultType]::ParameterName, 'Measure `tools/call` of this tool (it must be marked read-only, see --allow-side-effects)')
            [CompletionResult]::new('--args', '--args', [CompletionResultType]::ParameterName, 'The tool''s arguments, as JSON')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Use this transport instead of detecting it')
            [CompletionResult]::new('--era', '--era', [CompletionResultType]::ParameterName, 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--http', '--http', [CompletionResultType]::ParameterName, 'Load a plain HTTP endpoint instead of an MCP server (a REST health endpoint): GET, or POST with --body')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'With --http: POST this JSON body instead of a GET')
            [CompletionResult]::new('--observe', '--observe', [CompletionResultType]::ParameterName, 'Observe a server''s own stats endpoint instead of sending load: sample this JSON URL, wait --window, sample again, and report the change and rate of every numeric field (or of --metric)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'How long to observe between the two samples')
            [CompletionResult]::new('--metric', '--metric', [CompletionResultType]::ParameterName, 'With --observe: only these fields (by name, whatever their nesting or casing; repeatable)')
            [CompletionResult]::new('--save-baseline', '--save-baseline', [CompletionResultType]::ParameterName, 'Write this run''s numbers as a baseline (JSON)')
            [CompletionResult]::new('--compare', '--compare', [CompletionResultType]::ParameterName, 'Compare with a saved baseline: p50/p95/p99 slower, or the success rate lower, by more than --warn / --crit is WARN / CRIT (exit 1 / 2), for a CI gate')
            [CompletionResult]::new('--warn', '--warn', [CompletionResultType]::ParameterName, 'Regression that warns, in percent of the baseline')
            [CompletionResult]::new('--crit', '--crit', [CompletionResultType]::ParameterName, 'Regression that is critical, in percent of the baseline')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('--allow-side-effects', '--allow-side-effects', [CompletionResultType]::ParameterName, 'Allow --tool to call a tool that is not marked read-only (annotations.readOnlyHint)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;validate' {
            [CompletionResult]::new('--hub', '--hub', [CompletionResultType]::ParameterName, 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)')
            [CompletionResult]::new('--hub-config', '--hub-config', [CompletionResultType]::ParameterName, 'The hubs'' own config file (mcp-hub''s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub''s own endpoint only')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'At most this many probes at once (the others wait their turn; a probe''s deadline starts when it runs), so checking a fleet never becomes the load that turns it red')
            [CompletionResult]::new('--per-host', '--per-host', [CompletionResultType]::ParameterName, 'At most this many probes at once to one host:port')
            [CompletionResult]::new('--health-url', '--health-url', [CompletionResultType]::ParameterName, 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)')
            [CompletionResult]::new('--stats-url', '--stats-url', [CompletionResultType]::ParameterName, 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)')
            [CompletionResult]::new('--thresholds', '--thresholds', [CompletionResultType]::ParameterName, 'Thresholds for --stats-url in check-alerts.sh''s config/alerts.json format ({"critical": {...}, "warning": {...}})')
            [CompletionResult]::new('--tcp-send', '--tcp-send', [CompletionResultType]::ParameterName, 'For tcp:// URLs: text to write once connected, with escapes \r \n \t \\ (e.g. ''PING\r\n'')')
            [CompletionResult]::new('--tcp-expect', '--tcp-expect', [CompletionResultType]::ParameterName, 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect ''+PONG''. Escapes as for --tcp-send')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`')
            [CompletionResult]::new('--log-pattern', '--log-pattern', [CompletionResultType]::ParameterName, 'A named regular expression counted in every --log: NAME=REGEX, e.g. ''unauthorized=UNAUTHORIZED|FAILED''. WARN from the first matching line. A file''s lines are counted since the last run (the first run reads its last 100 entries); stdin''s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable')
            [CompletionResult]::new('--process', '--process', [CompletionResultType]::ParameterName, 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Use this transport instead of detecting it')
            [CompletionResult]::new('--era', '--era', [CompletionResultType]::ParameterName, 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--min-tools', '--min-tools', [CompletionResultType]::ParameterName, 'CRIT when a server lists fewer tools than this')
            [CompletionResult]::new('--expect-tool', '--expect-tool', [CompletionResultType]::ParameterName, 'CRIT when this tool is missing (repeatable)')
            [CompletionResult]::new('--call', '--call', [CompletionResultType]::ParameterName, 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call ''echo {"message": "hi"}''')
            [CompletionResult]::new('--allow-side-effects', '--allow-side-effects', [CompletionResultType]::ParameterName, 'Let --call (and a config''s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)')
            [CompletionResult]::new('--warn-ms', '--warn-ms', [CompletionResultType]::ParameterName, 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000')
            [CompletionResult]::new('--crit-ms', '--crit-ms', [CompletionResultType]::ParameterName, 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000')
            [CompletionResult]::new('--section', '--section', [CompletionResultType]::ParameterName, 'Only these sections (repeatable). Default: all')
            [CompletionResult]::new('--check-type', '--check-type', [CompletionResultType]::ParameterName, 'liveness: the cheap set; readiness: everything')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('--deep', '--deep', [CompletionResultType]::ParameterName, 'With hubs: also check the hub''s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate''s days to expiry (WARN < 30, CRIT < 7)')
            [CompletionResult]::new('--all-metrics', '--all-metrics', [CompletionResultType]::ParameterName, 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache''s size, hits and misses, a queue''s processed count. Shown numbers are never a failure. In a config: "metrics": "all"')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Also append the observations to history (the state dir''s history/YYYY-MM-DD.jsonl)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Also check protocol conformance (framing, ids, version negotiation, declared capabilities, tool schemas and names, pagination, session and header enforcement, DNS-rebinding protection). Read-only: no tool is ever called')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;record' {
            [CompletionResult]::new('--hub', '--hub', [CompletionResultType]::ParameterName, 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)')
            [CompletionResult]::new('--hub-config', '--hub-config', [CompletionResultType]::ParameterName, 'The hubs'' own config file (mcp-hub''s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub''s own endpoint only')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'At most this many probes at once (the others wait their turn; a probe''s deadline starts when it runs), so checking a fleet never becomes the load that turns it red')
            [CompletionResult]::new('--per-host', '--per-host', [CompletionResultType]::ParameterName, 'At most this many probes at once to one host:port')
            [CompletionResult]::new('--health-url', '--health-url', [CompletionResultType]::ParameterName, 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)')
            [CompletionResult]::new('--stats-url', '--stats-url', [CompletionResultType]::ParameterName, 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)')
            [CompletionResult]::new('--thresholds', '--thresholds', [CompletionResultType]::ParameterName, 'Thresholds for --stats-url in check-alerts.sh''s config/alerts.json format ({"critical": {...}, "warning": {...}})')
            [CompletionResult]::new('--tcp-send', '--tcp-send', [CompletionResultType]::ParameterName, 'For tcp:// URLs: text to write once connected, with escapes \r \n \t \\ (e.g. ''PING\r\n'')')
            [CompletionResult]::new('--tcp-expect', '--tcp-expect', [CompletionResultType]::ParameterName, 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect ''+PONG''. Escapes as for --tcp-send')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`')
            [CompletionResult]::new('--log-pattern', '--log-pattern', [CompletionResultType]::ParameterName, 'A named regular expression counted in every --log: NAME=REGEX, e.g. ''unauthorized=UNAUTHORIZED|FAILED''. WARN from the first matching line. A file''s lines are counted since the last run (the first run reads its last 100 entries); stdin''s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable')
            [CompletionResult]::new('--process', '--process', [CompletionResultType]::ParameterName, 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Use this transport instead of detecting it')
            [CompletionResult]::new('--era', '--era', [CompletionResultType]::ParameterName, 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--min-tools', '--min-tools', [CompletionResultType]::ParameterName, 'CRIT when a server lists fewer tools than this')
            [CompletionResult]::new('--expect-tool', '--expect-tool', [CompletionResultType]::ParameterName, 'CRIT when this tool is missing (repeatable)')
            [CompletionResult]::new('--call', '--call', [CompletionResultType]::ParameterName, 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call ''echo {"message": "hi"}''')
            [CompletionResult]::new('--allow-side-effects', '--allow-side-effects', [CompletionResultType]::ParameterName, 'Let --call (and a config''s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)')
            [CompletionResult]::new('--warn-ms', '--warn-ms', [CompletionResultType]::ParameterName, 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000')
            [CompletionResult]::new('--crit-ms', '--crit-ms', [CompletionResultType]::ParameterName, 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between two checks of a target, unless the config gives the target its own `interval` (e.g. "2h": each target at its own cadence; targets due together share a round). A light round is the liveness set (process, endpoint, handshake, ping)')
            [CompletionResult]::new('--full-every', '--full-every', [CompletionResultType]::ParameterName, 'A full round of a target (lists, logs, host: everything `health` checks) once this has passed since its last full one; the first round is full, and so is every round of a target whose interval is longer')
            [CompletionResult]::new('--retention', '--retention', [CompletionResultType]::ParameterName, 'Delete history days older than this, e.g. 30d (checked at start and once a day)')
            [CompletionResult]::new('--compact-after', '--compact-after', [CompletionResultType]::ParameterName, 'Compact days older than this: full rounds, problems and status changes stay, OK light rounds are thinned to one per --compact-to per target')
            [CompletionResult]::new('--compact-to', '--compact-to', [CompletionResultType]::ParameterName, 'What compaction keeps of OK light rounds: one per this span per target and probe')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('--deep', '--deep', [CompletionResultType]::ParameterName, 'With hubs: also check the hub''s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate''s days to expiry (WARN < 30, CRIT < 7)')
            [CompletionResult]::new('--all-metrics', '--all-metrics', [CompletionResultType]::ParameterName, 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache''s size, hits and misses, a queue''s processed count. Shown numbers are never a failure. In a config: "metrics": "all"')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'One round, then exit with its status (for cron): a full round unless --light')
            [CompletionResult]::new('--light', '--light', [CompletionResultType]::ParameterName, 'With --once: a light round')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;serve' {
            [CompletionResult]::new('--hub', '--hub', [CompletionResultType]::ParameterName, 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)')
            [CompletionResult]::new('--hub-config', '--hub-config', [CompletionResultType]::ParameterName, 'The hubs'' own config file (mcp-hub''s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub''s own endpoint only')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'At most this many probes at once (the others wait their turn; a probe''s deadline starts when it runs), so checking a fleet never becomes the load that turns it red')
            [CompletionResult]::new('--per-host', '--per-host', [CompletionResultType]::ParameterName, 'At most this many probes at once to one host:port')
            [CompletionResult]::new('--health-url', '--health-url', [CompletionResultType]::ParameterName, 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)')
            [CompletionResult]::new('--stats-url', '--stats-url', [CompletionResultType]::ParameterName, 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)')
            [CompletionResult]::new('--thresholds', '--thresholds', [CompletionResultType]::ParameterName, 'Thresholds for --stats-url in check-alerts.sh''s config/alerts.json format ({"critical": {...}, "warning": {...}})')
            [CompletionResult]::new('--tcp-send', '--tcp-send', [CompletionResultType]::ParameterName, 'For tcp:// URLs: text to write once connected, with escapes \r \n \t \\ (e.g. ''PING\r\n'')')
            [CompletionResult]::new('--tcp-expect', '--tcp-expect', [CompletionResultType]::ParameterName, 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect ''+PONG''. Escapes as for --tcp-send')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`')
            [CompletionResult]::new('--log-pattern', '--log-pattern', [CompletionResultType]::ParameterName, 'A named regular expression counted in every --log: NAME=REGEX, e.g. ''unauthorized=UNAUTHORIZED|FAILED''. WARN from the first matching line. A file''s lines are counted since the last run (the first run reads its last 100 entries); stdin''s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable')
            [CompletionResult]::new('--process', '--process', [CompletionResultType]::ParameterName, 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Use this transport instead of detecting it')
            [CompletionResult]::new('--era', '--era', [CompletionResultType]::ParameterName, 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--min-tools', '--min-tools', [CompletionResultType]::ParameterName, 'CRIT when a server lists fewer tools than this')
            [CompletionResult]::new('--expect-tool', '--expect-tool', [CompletionResultType]::ParameterName, 'CRIT when this tool is missing (repeatable)')
            [CompletionResult]::new('--call', '--call', [CompletionResultType]::ParameterName, 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call ''echo {"message": "hi"}''')
            [CompletionResult]::new('--allow-side-effects', '--allow-side-effects', [CompletionResultType]::ParameterName, 'Let --call (and a config''s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)')
            [CompletionResult]::new('--warn-ms', '--warn-ms', [CompletionResultType]::ParameterName, 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000')
            [CompletionResult]::new('--crit-ms', '--crit-ms', [CompletionResultType]::ParameterName, 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on; a busy port is an error (exit 3)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between two checks of a target (unless the config gives the target its own `interval`); the targets are spread over it, with jitter')
            [CompletionResult]::new('--auth-token-file', '--auth-token-file', [CompletionResultType]::ParameterName, 'Require `Authorization: Bearer <token>` on every endpoint; the token is this file''s content')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('--deep', '--deep', [CompletionResultType]::ParameterName, 'With hubs: also check the hub''s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate''s days to expiry (WARN < 30, CRIT < 7)')
            [CompletionResult]::new('--all-metrics', '--all-metrics', [CompletionResultType]::ParameterName, 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache''s size, hits and misses, a queue''s processed count. Shown numbers are never a failure. In a config: "metrics": "all"')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs')
            [CompletionResult]::new('--allow-adhoc-probes', '--allow-adhoc-probes', [CompletionResultType]::ParameterName, 'Let `GET /probe?target=http(s)://…` check a URL that is not in the config (never a command)')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Also append each completed check to the history (as `record` does)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;anomalies' {
            [CompletionResult]::new('--hub', '--hub', [CompletionResultType]::ParameterName, 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)')
            [CompletionResult]::new('--hub-config', '--hub-config', [CompletionResultType]::ParameterName, 'The hubs'' own config file (mcp-hub''s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub''s own endpoint only')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'At most this many probes at once (the others wait their turn; a probe''s deadline starts when it runs), so checking a fleet never becomes the load that turns it red')
            [CompletionResult]::new('--per-host', '--per-host', [CompletionResultType]::ParameterName, 'At most this many probes at once to one host:port')
            [CompletionResult]::new('--health-url', '--health-url', [CompletionResultType]::ParameterName, 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)')
            [CompletionResult]::new('--stats-url', '--stats-url', [CompletionResultType]::ParameterName, 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)')
            [CompletionResult]::new('--thresholds', '--thresholds', [CompletionResultType]::ParameterName, 'Thresholds for --stats-url in check-alerts.sh''s config/alerts.json format ({"critical": {...}, "warning": {...}})')
            [CompletionResult]::new('--tcp-send', '--tcp-send', [CompletionResultType]::ParameterName, 'For tcp:// URLs: text to write once connected, with escapes \r \n \t \\ (e.g. ''PING\r\n'')')
            [CompletionResult]::new('--tcp-expect', '--tcp-expect', [CompletionResultType]::ParameterName, 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect ''+PONG''. Escapes as for --tcp-send')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`')
            [CompletionResult]::new('--log-pattern', '--log-pattern', [CompletionResultType]::ParameterName, 'A named regular expression counted in every --log: NAME=REGEX, e.g. ''unauthorized=UNAUTHORIZED|FAILED''. WARN from the first matching line. A file''s lines are counted since the last run (the first run reads its last 100 entries); stdin''s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable')
            [CompletionResult]::new('--process', '--process', [CompletionResultType]::ParameterName, 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Use this transport instead of detecting it')
            [CompletionResult]::new('--era', '--era', [CompletionResultType]::ParameterName, 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--min-tools', '--min-tools', [CompletionResultType]::ParameterName, 'CRIT when a server lists fewer tools than this')
            [CompletionResult]::new('--expect-tool', '--expect-tool', [CompletionResultType]::ParameterName, 'CRIT when this tool is missing (repeatable)')
            [CompletionResult]::new('--call', '--call', [CompletionResultType]::ParameterName, 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call ''echo {"message": "hi"}''')
            [CompletionResult]::new('--allow-side-effects', '--allow-side-effects', [CompletionResultType]::ParameterName, 'Let --call (and a config''s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)')
            [CompletionResult]::new('--warn-ms', '--warn-ms', [CompletionResultType]::ParameterName, 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000')
            [CompletionResult]::new('--crit-ms', '--crit-ms', [CompletionResultType]::ParameterName, 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'How far back history is read, e.g. 24h, 7d')
            [CompletionResult]::new('--max-clients', '--max-clients', [CompletionResultType]::ParameterName, 'Warn above this many clients connected to a hub; critical above twice as many')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('--deep', '--deep', [CompletionResultType]::ParameterName, 'With hubs: also check the hub''s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate''s days to expiry (WARN < 30, CRIT < 7)')
            [CompletionResult]::new('--all-metrics', '--all-metrics', [CompletionResultType]::ParameterName, 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache''s size, hits and misses, a queue''s processed count. Shown numbers are never a failure. In a config: "metrics": "all"')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;daily-summary' {
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'The day to report, YYYY-MM-DD, in --tz (default: yesterday)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'The last DURATION up to now instead of a calendar day, e.g. 24h, 7d, 30d')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The start of a longer period (a week, a month): a date YYYY-MM-DD (its midnight in --tz) or a DURATION ago (7d, 30d). Only the day files of the period (and of the one before it, for the trends) are read')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The end of the period: a date YYYY-MM-DD (the whole day, in --tz) or a DURATION ago (default: now). Needs --from')
            [CompletionResult]::new('--goal', '--goal', [CompletionResultType]::ParameterName, 'Hold the period to this goal instead of its default (repeatable): NAME=LIMIT, NAME one of uptime (%, default 99.9), success_rate (%, 95), response_time_p95 or p95 (ms, 500), reconnects (a day, 5), error_rate (%, 1), memory_mb (highest process RSS, MiB; no default); LIMIT `off` drops the goal. Also the config''s `goals` object. E.g. --goal uptime=99.5 --goal p95=100ms --goal error_rate=0.1 --goal memory=100MB')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'The time zone of --date and of the default day: local, UTC, or an offset such as +02:00')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the report to FILE (atomically: a temporary file renamed over it) instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to FILE (atomically: a temporary file renamed over it) instead of stdout')
            [CompletionResult]::new('--rule', '--rule', [CompletionResultType]::ParameterName, 'Change a score rule: NAME=PER:CAP, NAME one of errors, resources, disconnected, alerts (repeatable), e.g. --rule disconnected=20:40')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;dashboard' {
            [CompletionResult]::new('--hub', '--hub', [CompletionResultType]::ParameterName, 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)')
            [CompletionResult]::new('--hub-config', '--hub-config', [CompletionResultType]::ParameterName, 'The hubs'' own config file (mcp-hub''s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub''s own endpoint only')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'At most this many probes at once (the others wait their turn; a probe''s deadline starts when it runs), so checking a fleet never becomes the load that turns it red')
            [CompletionResult]::new('--per-host', '--per-host', [CompletionResultType]::ParameterName, 'At most this many probes at once to one host:port')
            [CompletionResult]::new('--health-url', '--health-url', [CompletionResultType]::ParameterName, 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)')
            [CompletionResult]::new('--stats-url', '--stats-url', [CompletionResultType]::ParameterName, 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)')
            [CompletionResult]::new('--thresholds', '--thresholds', [CompletionResultType]::ParameterName, 'Thresholds for --stats-url in check-alerts.sh''s config/alerts.json format ({"critical": {...}, "warning": {...}})')
            [CompletionResult]::new('--tcp-send', '--tcp-send', [CompletionResultType]::ParameterName, 'For tcp:// URLs: text to write once connected, with escapes \r \n \t \\ (e.g. ''PING\r\n'')')
            [CompletionResult]::new('--tcp-expect', '--tcp-expect', [CompletionResultType]::ParameterName, 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect ''+PONG''. Escapes as for --tcp-send')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`')
            [CompletionResult]::new('--log-pattern', '--log-pattern', [CompletionResultType]::ParameterName, 'A named regular expression counted in every --log: NAME=REGEX, e.g. ''unauthorized=UNAUTHORIZED|FAILED''. WARN from the first matching line. A file''s lines are counted since the last run (the first run reads its last 100 entries); stdin''s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable')
            [CompletionResult]::new('--process', '--process', [CompletionResultType]::ParameterName, 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Use this transport instead of detecting it')
            [CompletionResult]::new('--era', '--era', [CompletionResultType]::ParameterName, 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--min-tools', '--min-tools', [CompletionResultType]::ParameterName, 'CRIT when a server lists fewer tools than this')
            [CompletionResult]::new('--expect-tool', '--expect-tool', [CompletionResultType]::ParameterName, 'CRIT when this tool is missing (repeatable)')
            [CompletionResult]::new('--call', '--call', [CompletionResultType]::ParameterName, 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call ''echo {"message": "hi"}''')
            [CompletionResult]::new('--allow-side-effects', '--allow-side-effects', [CompletionResultType]::ParameterName, 'Let --call (and a config''s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)')
            [CompletionResult]::new('--warn-ms', '--warn-ms', [CompletionResultType]::ParameterName, 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000')
            [CompletionResult]::new('--crit-ms', '--crit-ms', [CompletionResultType]::ParameterName, 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between rounds')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('--deep', '--deep', [CompletionResultType]::ParameterName, 'With hubs: also check the hub''s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate''s days to expiry (WARN < 30, CRIT < 7)')
            [CompletionResult]::new('--all-metrics', '--all-metrics', [CompletionResultType]::ParameterName, 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache''s size, hits and misses, a queue''s processed count. Shown numbers are never a failure. In a config: "metrics": "all"')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Print one snapshot and exit with its status (works when stdout is not a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;targets' {
            [CompletionResult]::new('--hub', '--hub', [CompletionResultType]::ParameterName, 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)')
            [CompletionResult]::new('--hub-config', '--hub-config', [CompletionResultType]::ParameterName, 'The hubs'' own config file (mcp-hub''s `--config`), which --deep reads to start each server directly. Without it --deep checks the hub''s own endpoint only')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'At most this many probes at once (the others wait their turn; a probe''s deadline starts when it runs), so checking a fleet never becomes the load that turns it red')
            [CompletionResult]::new('--per-host', '--per-host', [CompletionResultType]::ParameterName, 'At most this many probes at once to one host:port')
            [CompletionResult]::new('--health-url', '--health-url', [CompletionResultType]::ParameterName, 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)')
            [CompletionResult]::new('--stats-url', '--stats-url', [CompletionResultType]::ParameterName, 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)')
            [CompletionResult]::new('--thresholds', '--thresholds', [CompletionResultType]::ParameterName, 'Thresholds for --stats-url in check-alerts.sh''s config/alerts.json format ({"critical": {...}, "warning": {...}})')
            [CompletionResult]::new('--tcp-send', '--tcp-send', [CompletionResultType]::ParameterName, 'For tcp:// URLs: text to write once connected, with escapes \r \n \t \\ (e.g. ''PING\r\n'')')
            [CompletionResult]::new('--tcp-expect', '--tcp-expect', [CompletionResultType]::ParameterName, 'For tcp:// URLs: CRIT unless the peer sends this text (first, or in answer to --tcp-send; at most 64 KiB are read), e.g. --tcp-expect ''+PONG''. Escapes as for --tcp-send')
            [CompletionResult]::new('--cert-file', '--cert-file', [CompletionResultType]::ParameterName, 'A certificate file (PEM) whose expiry is checked, like `openssl x509 -enddate -noout -in FILE`: WARN under 30 days left, CRIT under 7 or expired (repeatable)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable); `-` reads the log from standard input, e.g. `journalctl -u mcp -n 500 -o cat | mcpmon health --log -`')
            [CompletionResult]::new('--log-pattern', '--log-pattern', [CompletionResultType]::ParameterName, 'A named regular expression counted in every --log: NAME=REGEX, e.g. ''unauthorized=UNAUTHORIZED|FAILED''. WARN from the first matching line. A file''s lines are counted since the last run (the first run reads its last 100 entries); stdin''s all. Warn and crit counts are set in the config (`log.patterns`). Repeatable')
            [CompletionResult]::new('--process', '--process', [CompletionResultType]::ParameterName, 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Use this transport instead of detecting it')
            [CompletionResult]::new('--era', '--era', [CompletionResultType]::ParameterName, 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra HTTP header for every HTTP target given on the command line, ''Name: value'' (repeatable). Values are never printed')
            [CompletionResult]::new('--min-tools', '--min-tools', [CompletionResultType]::ParameterName, 'CRIT when a server lists fewer tools than this')
            [CompletionResult]::new('--expect-tool', '--expect-tool', [CompletionResultType]::ParameterName, 'CRIT when this tool is missing (repeatable)')
            [CompletionResult]::new('--call', '--call', [CompletionResultType]::ParameterName, 'Call this tool (or read a resource, get a prompt) on every MCP target and check the answer (repeatable): `NAME`, `NAME {JSON arguments}`, `resource:URI`, `prompt:NAME [{JSON}]`. CRIT when it fails or answers isError; its latency is judged by --warn-ms/--crit-ms. Only tools marked read-only (annotations.readOnlyHint) are called, see --allow-side-effects. Example: --call ''echo {"message": "hi"}''')
            [CompletionResult]::new('--allow-side-effects', '--allow-side-effects', [CompletionResultType]::ParameterName, 'Let --call (and a config''s "call") use this tool although it is not marked read-only: it may change things on the server (repeatable)')
            [CompletionResult]::new('--warn-ms', '--warn-ms', [CompletionResultType]::ParameterName, 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000')
            [CompletionResult]::new('--crit-ms', '--crit-ms', [CompletionResultType]::ParameterName, 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('--deep', '--deep', [CompletionResultType]::ParameterName, 'With hubs: also check the hub''s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts). The servers are started from the config named by --hub-config (or `hub.config`), never from a path the hub reports')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'For tcp:// URLs: speak TLS after connecting (verified against the built-in roots) and report the certificate''s days to expiry (WARN < 30, CRIT < 7)')
            [CompletionResult]::new('--all-metrics', '--all-metrics', [CompletionResultType]::ParameterName, 'Show every number of each --health-url and --stats-url document (its numeric JSON fields, or its Prometheus samples; at most 100), each on its own row: a cache''s size, hits and misses, a queue''s processed count. Shown numbers are never a failure. In a config: "metrics": "all"')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;silence' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Silence what matches TARGET[/CHECK] from now, for a duration or until a time; prints the silence with its id')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The silences in force, soonest to end first (every --format; json for scripts)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'End a silence now, by its id (or the start of it, at least 4 characters)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcpmon;silence;add' {
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'How long, from now: 30m, 2h, 1d')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Until when: a date and time with its offset, 2026-12-24T23:00:00+01:00 or …Z')
            [CompletionResult]::new('--comment', '--comment', [CompletionResultType]::ParameterName, 'Why (shown beside every alert it silences): a ticket, a name, a reason')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('--no-remediation', '--no-remediation', [CompletionResultType]::ParameterName, 'Run no remediation this time (a target''s `on_fire` commands and requests), e.g. while you work on the servers by hand; the alerts and notifications are as usual')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;silence;list' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;silence;rm' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;silence;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Silence what matches TARGET[/CHECK] from now, for a duration or until a time; prints the silence with its id')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The silences in force, soonest to end first (every --format; json for scripts)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'End a silence now, by its id (or the start of it, at least 4 characters)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcpmon;silence;help;add' {
            break
        }
        'mcpmon;silence;help;list' {
            break
        }
        'mcpmon;silence;help;rm' {
            break
        }
        'mcpmon;silence;help;help' {
            break
        }
        'mcpmon;completions' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only these targets from the config (by name). Repeatable')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format. Default: table (for a command that repeats into a pipe, jsonl: see its --help). The table is fitted to the width: COLUMNS when set (a pipe too), else the terminal''s (80 when it cannot tell); no limit in a pipe or a file. SUMMARY is cut with …; --format json has it whole')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`')
            [CompletionResult]::new('--startup-timeout', '--startup-timeout', [CompletionResultType]::ParameterName, 'Deadline for a stdio server to start (spawn to its first output on stdout), counted apart from --timeout, which starts after it. Default: 120s (or --timeout if longer) for package runners (npx, bunx, pnpx, npm exec, pnpm dlx, yarn dlx, uvx, uv tool run, pipx run), which may download first; other commands start within --timeout. Or the config''s `startup_timeout`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mcpmon;help' {
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Check that MCP servers answer: transport and protocol revision, handshake and liveness latency, server identity, tool/prompt/resource counts, and the checks you configure')
            [CompletionResult]::new('alerts', 'alerts', [CompletionResultType]::ParameterValue, 'Alerts with memory across runs: the checks of `health`, but a bad check fires only after `--for` and `--consecutive` bad runs and resolves only after `--recover-after` good ones, so a cron job behaves like a daemon. State lives in the state dir (alerts.json, locked, written atomically)')
            [CompletionResult]::new('measure', 'measure', [CompletionResultType]::ParameterValue, 'Latency and throughput of one MCP server under load: one request repeated by independent sessions, percentiles from a high-dynamic-range histogram, a baseline to save and a regression gate for CI (--compare)')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Pre-flight and post-deploy validation: every check always runs and is one line, grouped in sections (config, process, network, api, mcp, conformance, logs, resources), then a verdict')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'The continuous monitor: each target checked every --interval (or its own `interval` in the config), a light round or, every --full-every, a full one; each round appended to history and echoed as a JSON line, until SIGINT/SIGTERM (--once: one round of every target, for cron)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'A Prometheus exporter: checks every target on a schedule (--interval, spread with jitter, at most --jobs at once) and serves the last results on GET /metrics (a scrape never triggers a check), with /-/healthy and /-/ready, on --listen (loopback by default), until SIGINT/SIGTERM')
            [CompletionResult]::new('anomalies', 'anomalies', [CompletionResultType]::ParameterValue, 'Anomalies now and in history: error spikes, flapping, resource usage, client counts, disconnected servers, log size and truncation from live probes; latency and error rate against each target''s own baseline, changed tool lists, restarts and missing records from history. Exit 0 none, 1 one or two minor ones, 2 three or more or a critical one')
            [CompletionResult]::new('daily-summary', 'daily-summary', [CompletionResultType]::ParameterValue, 'The daily health report from history: availability (gaps in recording are unknown, not up), outages, latency percentiles and their trend, errors by reason, restarts, tool-list changes, resource use, the goals (uptime, latency, error rates) met or missed, and a 0–100 score with every deduction itemised. Exit 0 score ≥ 90 and every metric met, 1 below 90 or a metric missed, 2 below 70, 3 no history')
            [CompletionResult]::new('dashboard', 'dashboard', [CompletionResultType]::ParameterValue, 'The live terminal view of every target: counts, hub state, a table (status, transport, latency and its trend, tools, uptime, CPU, memory), alerts and log errors, refreshed every --interval; keys q r ↑↓ j k Enter d / ?. `--once` prints one snapshot (works piped)')
            [CompletionResult]::new('targets', 'targets', [CompletionResultType]::ParameterValue, 'List what a run would check, and where each target came from, without contacting anything: the URLs and commands given, --config files or ./mcpmon.json, or else the MCP clients'' own configs (Claude Code, Claude Desktop, Cursor, VS Code, Windsurf, Zed, mcp-hub). Exit 0 all usable, 1 a placeholder to set (a VS Code `${input:…}`, an unset `${VAR}`), 2 an unusable entry')
            [CompletionResult]::new('silence', 'silence', [CompletionResultType]::ParameterValue, 'Silence alerts for a while (planned work, a known fault): a silenced alert is still shown by `alerts` (SILENCED, with the comment and the end) but notifies no one and does not count toward the exit code. Kept in the state dir (silences.json); ended silences are dropped by themselves')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mcpmon;help;health' {
            break
        }
        'mcpmon;help;alerts' {
            break
        }
        'mcpmon;help;measure' {
            break
        }
        'mcpmon;help;validate' {
            break
        }
        'mcpmon;help;record' {
            break
        }
        'mcpmon;help;serve' {
            break
        }
        'mcpmon;help;anomalies' {
            break
        }
        'mcpmon;help;daily-summary' {
            break
        }
        'mcpmon;help;dashboard' {
            break
        }
        'mcpmon;help;targets' {
            break
        }
        'mcpmon;help;silence' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Silence what matches TARGET[/CHECK] from now, for a duration or until a time; prints the silence with its id')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The silences in force, soonest to end first (every --format; json for scripts)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'End a silence now, by its id (or the start of it, at least 4 characters)')
            break
        }
        'mcpmon;help;silence;add' {
            break
        }
        'mcpmon;help;silence;list' {
            break
        }
        'mcpmon;help;silence;rm' {
            break
        }
        'mcpmon;help;completions' {
            break
        }
        'mcpmon;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
