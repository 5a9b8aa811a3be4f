
use builtin;
use str;

set edit:completion:arg-completer[mcpmon] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mcpmon'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mcpmon'= {
            cand -c 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)'
            cand --config 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)'
            cand -t 'Only these targets from the config (by name). Repeatable'
            cand --target 'Only these targets from the config (by name). Repeatable'
            cand --state-dir 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)'
            cand -f 'Output format. Default: table; with --watch and stdout not a terminal: jsonl'
            cand --format 'Output format. Default: table; with --watch and stdout not a terminal: jsonl'
            cand --color 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal'
            cand --timeout 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand health 'Check that MCP servers answer: transport and protocol revision, handshake and liveness latency, server identity, tool/prompt/resource counts, and the checks you configure'
            cand alerts 'Alerts with memory across runs: the checks of `health`, but a bad check fires only after `--for` and `--consecutive` bad runs and resolves only after `--recover-after` good ones, so a cron job behaves like a daemon. State lives in the state dir (alerts.json, locked, written atomically)'
            cand measure 'Latency and throughput of one MCP server under load: one request repeated by independent sessions, percentiles from a high-dynamic-range histogram, a baseline to save and a regression gate for CI (--compare)'
            cand validate 'Pre-flight and post-deploy validation: every check always runs and is one line, grouped in sections (config, process, network, api, mcp, conformance, logs, resources), then a verdict'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcpmon;health'= {
            cand --hub 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)'
            cand --health-url 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)'
            cand --stats-url 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)'
            cand --thresholds 'Thresholds for --stats-url in check-alerts.sh''s config/alerts.json format ({"critical": {...}, "warning": {...}})'
            cand --log 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable)'
            cand --process 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)'
            cand --transport 'Use this transport instead of detecting it'
            cand --era 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)'
            cand -H 'Extra HTTP header for URL, --hub and --health-url targets, ''Name: value'' (repeatable). Values are never printed'
            cand --header 'Extra HTTP header for URL, --hub and --health-url targets, ''Name: value'' (repeatable). Values are never printed'
            cand --min-tools 'CRIT when a server lists fewer tools than this'
            cand --expect-tool 'CRIT when this tool is missing (repeatable)'
            cand --warn-ms 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000'
            cand --crit-ms 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000'
            cand --interval 'Time between rounds with --watch'
            cand --count 'With --watch: stop after this many rounds and exit with the last round''s status'
            cand -c 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)'
            cand --config 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)'
            cand -t 'Only these targets from the config (by name). Repeatable'
            cand --target 'Only these targets from the config (by name). Repeatable'
            cand --state-dir 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)'
            cand -f 'Output format. Default: table; with --watch and stdout not a terminal: jsonl'
            cand --format 'Output format. Default: table; with --watch and stdout not a terminal: jsonl'
            cand --color 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal'
            cand --timeout 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`'
            cand --deep 'With hubs: also check the hub''s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts)'
            cand --system 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs'
            cand -w 'Repeat the check every --interval until interrupted (Ctrl-C)'
            cand --watch 'Repeat the check every --interval until interrupted (Ctrl-C)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpmon;alerts'= {
            cand --hub 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)'
            cand --health-url 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)'
            cand --stats-url 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)'
            cand --thresholds 'Thresholds for --stats-url in check-alerts.sh''s config/alerts.json format ({"critical": {...}, "warning": {...}})'
            cand --log 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable)'
            cand --process 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)'
            cand --transport 'Use this transport instead of detecting it'
            cand --era 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)'
            cand -H 'Extra HTTP header for URL, --hub and --health-url targets, ''Name: value'' (repeatable). Values are never printed'
            cand --header 'Extra HTTP header for URL, --hub and --health-url targets, ''Name: value'' (repeatable). Values are never printed'
            cand --min-tools 'CRIT when a server lists fewer tools than this'
            cand --expect-tool 'CRIT when this tool is missing (repeatable)'
            cand --warn-ms 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000'
            cand --crit-ms 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000'
            cand --for 'Fire only after a check has stayed bad this long, e.g. 5m (default: at once)'
            cand --consecutive 'Fire only after this many consecutive bad runs'
            cand --recover-after 'Resolve a firing alert only after this many consecutive good runs'
            cand --flap-changes 'A check that changes between good and bad more than this many times within --flap-window is flapping: its own WARN alert'
            cand --flap-window 'The window for --flap-changes'
            cand --notify 'Where to send alert changes (repeatable): webhook:URL (JSON), slack:URL, command:PROGRAM ARGS (the JSON on stdin), ping:URL (healthchecks-style: URL/<exit code>, every run); a bare URL is a webhook. Sent only when alerts fire, escalate or resolve. URLs are never printed'
            cand --repeat 'Remind about alerts still firing this often (default: only on changes)'
            cand --warning 'A warning threshold as a Nagios range, NAME=RANGE (repeatable): `p95_latency=2000` (alert above), `llm_success_rate=0.95:` (alert below). NAME is a metric of --thresholds/health_url, a check (liveness, process_cpu, …) or a threshold key. (-c is --config, so these have long names only.)'
            cand --critical 'A critical threshold as a Nagios range, NAME=RANGE (repeatable), as --warning'
            cand -c 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)'
            cand --config 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)'
            cand -t 'Only these targets from the config (by name). Repeatable'
            cand --target 'Only these targets from the config (by name). Repeatable'
            cand --state-dir 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)'
            cand -f 'Output format. Default: table; with --watch and stdout not a terminal: jsonl'
            cand --format 'Output format. Default: table; with --watch and stdout not a terminal: jsonl'
            cand --color 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal'
            cand --timeout 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`'
            cand --deep 'With hubs: also check the hub''s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts)'
            cand --system 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs'
            cand --dry-run 'Evaluate without writing the alert state'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpmon;measure'= {
            cand -n 'How many requests (after --warmup)'
            cand --requests 'How many requests (after --warmup)'
            cand -z 'Run for this long instead of -n, e.g. 30s'
            cand --duration 'Run for this long instead of -n, e.g. 30s'
            cand -j 'Concurrent sessions (each its own connection or child process). (-c is --config.)'
            cand --concurrency 'Concurrent sessions (each its own connection or child process). (-c is --config.)'
            cand --method 'What each request is'
            cand --warmup 'Requests sent first and not counted'
            cand -q 'Requests per second on a fixed schedule; latency then runs from each request''s intended start (corrected for coordinated omission, as oha''s --latency-correction). Default: as fast as possible'
            cand --rate 'Requests per second on a fixed schedule; latency then runs from each request''s intended start (corrected for coordinated omission, as oha''s --latency-correction). Default: as fast as possible'
            cand --tool 'Measure `tools/call` of this tool (it must be marked read-only, see --allow-side-effects)'
            cand --args 'The tool''s arguments, as JSON'
            cand --transport 'Use this transport instead of detecting it'
            cand --era 'Protocol era: auto, modern or legacy'
            cand -H 'Extra HTTP header, ''Name: value'' (repeatable). Values are never printed'
            cand --header 'Extra HTTP header, ''Name: value'' (repeatable). Values are never printed'
            cand --http 'Load a plain HTTP endpoint instead of an MCP server (a REST health endpoint): GET, or POST with --body'
            cand --body 'With --http: POST this JSON body instead of a GET'
            cand --observe 'Observe a server''s own stats endpoint instead of sending load: sample this JSON URL, wait --window, sample again, and report the change and rate of every numeric field (or of --metric)'
            cand --window 'How long to observe between the two samples'
            cand --metric 'With --observe: only these fields (by name, whatever their nesting or casing; repeatable)'
            cand --save-baseline 'Write this run''s numbers as a baseline (JSON)'
            cand --compare 'Compare with a saved baseline: p50/p95/p99 slower, or the success rate lower, by more than --warn / --crit is WARN / CRIT (exit 1 / 2), for a CI gate'
            cand --warn 'Regression that warns, in percent of the baseline'
            cand --crit 'Regression that is critical, in percent of the baseline'
            cand -c 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)'
            cand --config 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)'
            cand -t 'Only these targets from the config (by name). Repeatable'
            cand --target 'Only these targets from the config (by name). Repeatable'
            cand --state-dir 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)'
            cand -f 'Output format. Default: table; with --watch and stdout not a terminal: jsonl'
            cand --format 'Output format. Default: table; with --watch and stdout not a terminal: jsonl'
            cand --color 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal'
            cand --timeout 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`'
            cand --allow-side-effects 'Allow --tool to call a tool that is not marked read-only (annotations.readOnlyHint)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpmon;validate'= {
            cand --hub 'An mcp-hub (or compatible hub) to check through its REST API, e.g. http://127.0.0.1:37373 (repeatable)'
            cand --health-url 'A plain HTTP/JSON health endpoint to check, e.g. http://127.0.0.1:8080/health (repeatable)'
            cand --stats-url 'A stats document (JSON) to judge with --thresholds, e.g. http://127.0.0.1:7000/api/filtering/stats (repeatable)'
            cand --thresholds 'Thresholds for --stats-url in check-alerts.sh''s config/alerts.json format ({"critical": {...}, "warning": {...}})'
            cand --log 'A log file whose last 100 entries are checked for errors, size and flapping (repeatable)'
            cand --process 'A server process to check (running, CPU, memory, ports): pid:N, pidfile:PATH, port:N, or a command-line pattern (repeatable)'
            cand --transport 'Use this transport instead of detecting it'
            cand --era 'Protocol era: auto (default), modern (2026-07-28) or legacy (initialize handshake)'
            cand -H 'Extra HTTP header for URL, --hub and --health-url targets, ''Name: value'' (repeatable). Values are never printed'
            cand --header 'Extra HTTP header for URL, --hub and --health-url targets, ''Name: value'' (repeatable). Values are never printed'
            cand --min-tools 'CRIT when a server lists fewer tools than this'
            cand --expect-tool 'CRIT when this tool is missing (repeatable)'
            cand --warn-ms 'WARN when the handshake or liveness round trip takes longer (ms). Default 2000'
            cand --crit-ms 'CRIT when the handshake or liveness round trip takes longer (ms). Default 5000'
            cand --section 'Only these sections (repeatable). Default: all'
            cand --check-type 'liveness: the cheap set; readiness: everything'
            cand -c 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)'
            cand --config 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)'
            cand -t 'Only these targets from the config (by name). Repeatable'
            cand --target 'Only these targets from the config (by name). Repeatable'
            cand --state-dir 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)'
            cand -f 'Output format. Default: table; with --watch and stdout not a terminal: jsonl'
            cand --format 'Output format. Default: table; with --watch and stdout not a terminal: jsonl'
            cand --color 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal'
            cand --timeout 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`'
            cand --deep 'With hubs: also check the hub''s own MCP endpoint and each server of its config directly, and flag where they disagree with what the hub reports (connected but failing, different tool counts)'
            cand --system 'Also check this machine: CPU, load, memory, and the disks of the state dir and watched logs'
            cand --strict 'Also check protocol conformance (framing, ids, version negotiation, declared capabilities, tool schemas and names, pagination, session and header enforcement, DNS-rebinding protection). Read-only: no tool is ever called'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpmon;completions'= {
            cand -c 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)'
            cand --config 'Config file: mcpmon''s own (`targets`) or a client config (`mcpServers`, `servers`). Repeatable. Default: ./mcpmon.json, then $XDG_CONFIG_HOME/mcpmon/config.json (only when no URL or command is given)'
            cand -t 'Only these targets from the config (by name). Repeatable'
            cand --target 'Only these targets from the config (by name). Repeatable'
            cand --state-dir 'Where history and alert state live (default: $XDG_STATE_HOME/mcpmon)'
            cand -f 'Output format. Default: table; with --watch and stdout not a terminal: jsonl'
            cand --format 'Output format. Default: table; with --watch and stdout not a terminal: jsonl'
            cand --color 'When to colour the table: auto honours NO_COLOR, TERM=dumb and whether stdout is a terminal'
            cand --timeout 'Deadline per target for the whole check (connect, handshake, lists, liveness), e.g. 500ms, 10s. Default 10s, or the config''s `timeout`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mcpmon;help'= {
            cand health 'Check that MCP servers answer: transport and protocol revision, handshake and liveness latency, server identity, tool/prompt/resource counts, and the checks you configure'
            cand alerts 'Alerts with memory across runs: the checks of `health`, but a bad check fires only after `--for` and `--consecutive` bad runs and resolves only after `--recover-after` good ones, so a cron job behaves like a daemon. State lives in the state dir (alerts.json, locked, written atomically)'
            cand measure 'Latency and throughput of one MCP server under load: one request repeated by independent sessions, percentiles from a high-dynamic-range histogram, a baseline to save and a regression gate for CI (--compare)'
            cand validate 'Pre-flight and post-deploy validation: every check always runs and is one line, grouped in sections (config, process, network, api, mcp, conformance, logs, resources), then a verdict'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mcpmon;help;health'= {
        }
        &'mcpmon;help;alerts'= {
        }
        &'mcpmon;help;measure'= {
        }
        &'mcpmon;help;validate'= {
        }
        &'mcpmon;help;completions'= {
        }
        &'mcpmon;help;help'= {
        }
    ]
    $completions[$command]
}
