#!/usr/bin/env bash
# bench.sh - mcpmon's performance goals, measured against real MCP peers on 127.0.0.1 (`make bench`).
#
#   (a) mcpmon health <streamable HTTP URL> (a legacy server whose detection an earlier run remembered):
#       median wall time and peak RSS, versus the MCP inspector CLI doing tools/list on the same URL;
#       and the server/discover requests on the wire (a counting loopback relay in front of the server)
#       in a first run (detects) and a second (remembers). The same against the Python SDK's server, and
#       the server's own share (scripts/mcp-floor.py: the same requests from a client with no process).
#                                                               goals: <= 0.02x the inspector, RSS < 15 MB,
#                                                               no server/discover once remembered
#   (b) mcpmon health -- <stdio server>, versus that server's own spawn-to-initialize-result time
#       (a small python3 client).                                goal: at most 30 ms above
#   (c) 20 targets in one config (URLs repeated, stdio servers) versus the slowest of them alone.
#                                                                goal: <= 1.5x
#   (d) mcpmon --version.                                        goal: < 5 ms
#   (e) health of a hub with its servers and its log: wall time beyond the hub's own answer.
#                                                                goal: <= 100 ms
#   (f) one alerts run against a local hub (state read and written under its lock).
#                                                                goal: <= 50 ms beyond the hub's answer
#   (g) measure -j 8 -n 5000 vs oha -c 8 -n 5000 on the same ping (oha from `cargo install oha`, put in
#       target/bench-tools once; BENCH_INSTALL_OHA=0 skips): requests/s >= oha, p50 within 10 %, CPU
#       per request <= oha; and peak RSS of measure -z 60s < 20 MB.
#   (h) validate of a hub with its two servers, its process and its log: wall time < 1 s, and
#       mcpmon's own work (its user + system CPU) < 100 ms.
#   (i) anomalies over 30 days of history recorded every 30 s for 10 targets (864,000 records,
#       scripts/gen-history.py): < 1 s. (record's idle cost: scripts/bench-record.sh, 10 minutes.)
#   (j) daily-summary of a day of 10 targets recorded every 5 s (172,800 records, and the day before
#       for the trends): < 300 ms; and --since 30d over the history of (i): < 2 s.
#
# Uses hyperfine when installed, else a bash loop over `date +%s%N`; peak RSS from /usr/bin/time -f %M.
# Builds the release binary, installs and starts its own peers (BENCH_PEERS_DIR, default target/bench-peers;
# BENCH_PEERS_BASE, default 38700) and stops them on exit. Prints PASS/FAIL per goal; exits non-zero only
# when something could not run. Env: BENCH_RUNS (20), CARGO (cargo), BENCH_BIN (measure this binary
# instead of building target/release/mcpmon).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CARGO=${CARGO:-cargo}
DIR=${BENCH_PEERS_DIR:-$ROOT/target/bench-peers}
BASE=${BENCH_PEERS_BASE:-38700}
RUNS=${BENCH_RUNS:-20}
BIN=${BENCH_BIN:-}
PEERS=$ROOT/scripts/peers.sh

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "cannot run: $*"; exit 1; }
command -v python3 > /dev/null || die "python3 is required"
command -v node > /dev/null || die "node is required"

if [ -z "$BIN" ]; then
  log "building the release binary"
  $CARGO build --release --locked || die "cargo build --release failed"
  BIN=$ROOT/target/release/mcpmon
fi
[ -x "$BIN" ] || die "$BIN is missing"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

"$PEERS" install "$DIR" || die "peer install failed"
trap '"$PEERS" stop "$DIR"' EXIT
"$PEERS" start "$DIR" "$BASE" || die "peers did not start"
set -a
# shellcheck disable=SC1091
. "$DIR/run/endpoints.env"
set +a
WORK=$DIR/run/bench
mkdir -p "$WORK"
# mcpmon's state (remembered detection, log marks) of this run only
export MCPMON_STATE_DIR=$WORK/state
rm -rf "$MCPMON_STATE_DIR"

# hyperfine (Debian package) times the millisecond rows far better than a date loop (whose own fork of
# `date` lands inside the interval): installed when missing and root (BENCH_INSTALL_HYPERFINE=0 skips)
if ! command -v hyperfine > /dev/null && [ "${BENCH_INSTALL_HYPERFINE:-1}" = 1 ] && [ "$(id -u)" = 0 ] \
  && command -v apt-get > /dev/null; then
  log "installing hyperfine (Debian package)"
  apt-get install -y -qq hyperfine > /dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq hyperfine > /dev/null 2>&1; } || true
fi
HYPERFINE=$(command -v hyperfine || true)
TIMER=${HYPERFINE:+hyperfine}
TIMER=${TIMER:-date +%s%N loop}

# median_ms RUNS CMD...: median wall time in ms of CMD (stdout and stderr discarded, exit status ignored).
median_ms() {
  local runs=$1 i t0 t1
  shift
  if [ -n "$HYPERFINE" ]; then
    local cmd
    cmd=$(printf '%q ' "$@")
    "$HYPERFINE" --style none --warmup 1 --runs "$runs" --ignore-failure --export-json "$WORK/hf.json" \
      --output null "$cmd" > /dev/null 2>&1 || die "hyperfine failed on: $cmd"
    python3 -c 'import json, sys; print(f"{json.load(open(sys.argv[1]))["results"][0]["median"] * 1000:.1f}")' "$WORK/hf.json"
    return
  fi
  "$@" > /dev/null 2>&1 || true # warm-up (page cache, peers' JIT)
  local samples=()
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    "$@" > /dev/null 2>&1 || true
    t1=$(date +%s%N)
    samples+=("$(((t1 - t0) / 1000))")
  done
  python3 -c 'import statistics, sys; print(f"{statistics.median(int(x) for x in sys.argv[1:]) / 1000:.1f}")' "${samples[@]}"
}

# peak_rss_kib CMD...: the largest peak RSS (KiB) of 3 runs.
peak_rss_kib() {
  local i kib max=0
  for i in 1 2 3; do
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f %M -o "$WORK/rss" "$@" > /dev/null 2>&1 || true
      kib=$(tail -n 1 "$WORK/rss")
    else
      kib=$(python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@")
    fi
    [ "$kib" -gt "$max" ] && max=$kib
  done
  echo "$max"
}

# exit status of one run, for the sanity column (a benchmark of a failing check would mean nothing)
status_of() { local rc=0; "$@" > /dev/null 2>&1 || rc=$?; echo "$rc"; }

# calc EXPR: float arithmetic
calc() { python3 -c "print(f'{$1:.2f}')"; }
sdiff() { python3 -c "print(f'{$1:+.1f}')"; }
verdict() { if python3 -c "import sys; sys.exit(0 if $1 else 1)"; then echo PASS; else echo FAIL; fi; }

ROWS=()
row() { ROWS+=("$(printf '%-44s %10s %24s %11s %-10s %s' "$@")"); }

# ---- (a) streamable HTTP versus the inspector CLI ----
log "(a) mcpmon health $EVERYTHING_HTTP_URL x$RUNS, inspector-cli tools/list x5"
a_rc=$(status_of "$BIN" health "$EVERYTHING_HTTP_URL")
a_ms=$(median_ms "$RUNS" "$BIN" health "$EVERYTHING_HTTP_URL")
a_kib=$(peak_rss_kib "$BIN" health "$EVERYTHING_HTTP_URL")
# inspector-cli 1.0.3 resolves files against its cwd's parent: run it from a directory under npm/
ICWD=$DIR/npm/cwd
mkdir -p "$ICWD"
insp() { (cd "$ICWD" && exec node "$INSPECTOR_CLI_JS" "$EVERYTHING_HTTP_URL" --method tools/list); }
i_rc=$(status_of insp)
[ "$i_rc" = 0 ] || log "warning: the inspector CLI exited $i_rc"
if [ -n "$HYPERFINE" ]; then
  i_ms=$(median_ms 5 bash -c 'cd "$1" && exec node "$2" "$3" --method tools/list' _ "$ICWD" "$INSPECTOR_CLI_JS" "$EVERYTHING_HTTP_URL")
else
  i_ms=$(median_ms 5 insp)
fi
a_ratio=$(calc "$a_ms / $i_ms")
a_mb=$(calc "$a_kib / 1024")
row "(a) health <streamable HTTP URL>  [exit $a_rc]" "$a_ms ms" "$i_ms ms insp." "x$a_ratio" "<= x0.02" "$(verdict "$a_ms <= $i_ms * 0.02")"
# the same on the Python SDK server (the stateless 2026-07-28 revision: server/discover, no session)
ap_ms=$(median_ms "$RUNS" "$BIN" health "$PY_HTTP_URL")
ip_ms=$(median_ms 5 bash -c 'cd "$1" && exec node "$2" "$3" --method tools/list' _ "$ICWD" "$INSPECTOR_CLI_JS" "$PY_HTTP_URL")
row "(a) the same, Python SDK server (2026-07-28)" "$ap_ms ms" "$ip_ms ms insp." "x$(calc "$ap_ms / $ip_ms")" "<= x0.02" "$(verdict "$ap_ms <= $ip_ms * 0.02")"
# the server's own share: the requests health sends, from a client with no process to start
# (scripts/mcp-floor.py); what is left between this and mcpmon's figure is mcpmon
f_ms=$(python3 "$ROOT/scripts/mcp-floor.py" "$EVERYTHING_HTTP_URL" "$RUNS" 2> "$WORK/floor.steps")
log "(a) the server alone: $(cat "$WORK/floor.steps")"
row "(a) server-everything alone (no client)" "$f_ms ms" "$i_ms ms insp." "x$(calc "$f_ms / $i_ms")" "(floor)" "-"
row "(a) peak RSS of that run" "$a_mb MB" "-" "-" "< 15 MB" "$(verdict "$a_kib < 15 * 1024")"
# the requests on the wire, counted by a relay in front of the server (a URL of its own, so the first
# run has nothing remembered)
a_up=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).port)' "$EVERYTHING_HTTP_URL")
coproc RELAY { exec python3 "$ROOT/scripts/wire-relay.py" "$a_up" "$WORK/relay.methods"; }
read -r _ r_port <&"${RELAY[0]}"
r_url="http://127.0.0.1:$r_port/mcp"
: > "$WORK/relay.methods"
"$BIN" health "$r_url" > /dev/null 2>&1 || true
d1=$(grep -c '^server/discover$' "$WORK/relay.methods" || true)
n1=$(wc -l < "$WORK/relay.methods")
: > "$WORK/relay.methods"
"$BIN" health "$r_url" > /dev/null 2>&1 || true
d2=$(grep -c '^server/discover$' "$WORK/relay.methods" || true)
seen2=$(paste -sd ' ' "$WORK/relay.methods")
kill "$RELAY_PID" 2> /dev/null || true
log "(a) on the wire, second run: $seen2"
row "(a) server/discover on the wire: 1st, 2nd run" "$d1 of $n1, $d2" "-" "-" "2nd: 0" "$(verdict "$d2 == 0 and $d1 >= 1")"

# ---- (b) stdio versus the server's own start-up ----
SRUNS=$(((RUNS + 1) / 2))
log "(b) mcpmon health -- \$EVERYTHING_STDIO_CMD x$SRUNS, python3 spawn-to-initialize x$SRUNS"
cat > "$WORK/spawn_init.py" << 'EOF'
"""A minimal stdio MCP client, timed. Prints three medians (ms):
  ready  spawn -> the initialize result (id 1)                         [the reference for goal (b)]
  quit   the same, then stdin closed -> the server has exited
  full   spawn -> initialize, notifications/initialized, tools/list, ping -> stdin closed -> exited
         (the conversation mcpmon has, without the lists of prompts and resources)"""
import json, shlex, statistics, subprocess, sys, time

cmd, runs = shlex.split(sys.argv[1]), int(sys.argv[2])

def msg(id, method, params=None):
    m = {"jsonrpc": "2.0", "method": method}
    if id is not None:
        m["id"] = id
    if params is not None:
        m["params"] = params
    return (json.dumps(m) + "\n").encode()

INIT = msg(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}})
FOLLOW = {1: msg(None, "notifications/initialized") + msg(2, "tools/list"), 2: msg(3, "ping")}

def once(full):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p.stdin.write(INIT)
    p.stdin.flush()
    want, ready = 1, None
    for line in p.stdout:
        try:
            got = json.loads(line).get("id")
        except (ValueError, AttributeError):
            continue
        if got != want:
            continue
        if want == 1:
            ready = time.perf_counter()
        if not full or want == 3:
            break
        p.stdin.write(FOLLOW[want])
        p.stdin.flush()
        want += 1
    p.stdin.close()
    p.stdout.close()
    p.wait(timeout=20)
    return (ready - t0) * 1000, (time.perf_counter() - t0) * 1000

ready, quit_, full = [], [], []
for i in range(runs + 1):  # the first round is a warm-up
    r, q = once(False)
    _, f = once(True)
    if i:
        ready.append(r); quit_.append(q); full.append(f)
print(f"{statistics.median(ready):.1f} {statistics.median(quit_):.1f} {statistics.median(full):.1f}")
EOF
# shellcheck disable=SC2086 # the command is meant to be split into words
b_rc=$(status_of "$BIN" health -- $EVERYTHING_STDIO_CMD)
# shellcheck disable=SC2086
b_ms=$(median_ms "$SRUNS" "$BIN" health -- $EVERYTHING_STDIO_CMD)
read -r s_ready s_quit s_full < <(python3 "$WORK/spawn_init.py" "$EVERYTHING_STDIO_CMD" "$SRUNS") || die "spawn_init.py failed"
row "(b) health -- <stdio server>  [exit $b_rc]" "$b_ms ms" "$s_ready ms init" "$(sdiff "$b_ms - $s_ready") ms" "<= +30 ms" "$(verdict "$b_ms - $s_ready <= 30")"
row "    info: minimal client, initialize + exit" "-" "$s_quit ms" "$(sdiff "$b_ms - $s_quit") ms" "-" ""
row "    info: minimal client, same talk + exit" "-" "$s_full ms" "$(sdiff "$b_ms - $s_full") ms" "-" ""

# ---- (c) 20 targets at once versus the slowest alone ----
log "(c) 20 targets in one config x5, each distinct target alone x3, the 15 URL targets x3"
python3 - "$WORK/twenty.json" "$WORK/urls.json" << 'EOF'
import json, os, shlex, sys
e = os.environ
def stdio(var):
    argv = shlex.split(e[var])
    return {"command": argv[0], "args": argv[1:]}
urls = [("ev-http", "EVERYTHING_HTTP_URL", 3), ("ev-sse", "EVERYTHING_SSE_URL", 2), ("gw-memory", "GATEWAY_MEMORY_HTTP_URL", 2),
        ("gw-stateless", "GATEWAY_STATELESS_HTTP_URL", 1), ("hub", "HUB_SSE_URL", 2), ("py-http", "PY_HTTP_URL", 3), ("py-sse", "PY_SSE_URL", 2)]
targets = {}
for name, var, n in urls:
    for i in range(1, n + 1):
        targets[f"{name}-{i}"] = {"url": e[var]}
for name, var in [("ev-stdio", "EVERYTHING_STDIO_CMD"), ("memory-stdio", "MEMORY_STDIO_CMD"), ("fs-stdio", "FILESYSTEM_STDIO_CMD"),
                  ("time-stdio", "TIME_STDIO_CMD"), ("py-stdio", "PY_STDIO_CMD")]:
    targets[f"{name}-1"] = stdio(var)
assert len(targets) == 20, len(targets)
json.dump({"defaults": {"timeout": "20s"}, "targets": targets}, open(sys.argv[1], "w"), indent=1)
urls_only = {k: v for k, v in targets.items() if "url" in v}
json.dump({"defaults": {"timeout": "20s"}, "targets": urls_only}, open(sys.argv[2], "w"), indent=1)
EOF
# one run for the record: its exit status, its table when not OK, and the CPU it and its stdio children used
c_rc=0 c_cpu=
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f '%U %S' -o "$WORK/cpu" "$BIN" health --config "$WORK/twenty.json" --color never > "$WORK/twenty.out" 2>&1 || c_rc=$?
  c_cpu=$(tail -n 1 "$WORK/cpu" | awk '{ printf "%.2f", $1 + $2 }')
else
  "$BIN" health --config "$WORK/twenty.json" --color never > "$WORK/twenty.out" 2>&1 || c_rc=$?
fi
[ "$c_rc" = 0 ] || { log "note: the 20-target run exited $c_rc (peers slowed by CPU contention?):"; grep -v '┆ OK ' "$WORK/twenty.out" >&2 || true; }
slow_ms=0 slow_name= uslow_ms=0 uslow_name=
for t in $(python3 -c 'import json, sys; print(" ".join(k for k in json.load(open(sys.argv[1]))["targets"] if k.endswith("-1")))' "$WORK/twenty.json"); do
  ms=$(median_ms 3 "$BIN" health --config "$WORK/twenty.json" --target "$t")
  log "    alone: $t $ms ms"
  if python3 -c "import sys; sys.exit(0 if $ms > $slow_ms else 1)"; then slow_ms=$ms slow_name=${t%-1}; fi
  if [[ $t != *stdio* ]] && python3 -c "import sys; sys.exit(0 if $ms > $uslow_ms else 1)"; then uslow_ms=$ms uslow_name=${t%-1}; fi
done
c_ms=$(median_ms 5 "$BIN" health --config "$WORK/twenty.json")
row "(c) 20 targets at once  [exit $c_rc]" "$c_ms ms" "$slow_ms ms $slow_name" "x$(calc "$c_ms / $slow_ms")" "<= x1.5" "$(verdict "$c_ms <= 1.5 * $slow_ms")"
[ -z "$c_cpu" ] || row "    info: CPU of mcpmon + its 5 stdio servers" "$c_cpu s" "$(nproc) CPUs" "-" "-" ""
u_ms=$(median_ms 3 "$BIN" health --config "$WORK/urls.json")
row "    info: its 15 URL targets at once" "$u_ms ms" "$uslow_ms ms $uslow_name" "x$(calc "$u_ms / $uslow_ms")" "-" ""

# ---- (d) start-up ----
log "(d) mcpmon --version x$RUNS"
d_ms=$(median_ms "$RUNS" "$BIN" --version)
row "(d) mcpmon --version" "$d_ms ms" "-" "-" "< 5 ms" "$(verdict "$d_ms < 5")"

# ---- (e) a hub with its servers, its process and its log (issue "Probes beyond MCP") ----
log "(e) health --hub --log [--process] x$RUNS"
hub_port=${HUB_URL##*:}
e_state=$WORK/e-state
e_ms=$(median_ms "$RUNS" "$BIN" health --hub "$HUB_URL" --log "$HUB_LOG" --state-dir "$e_state")
e_lat=$("$BIN" health -f json --hub "$HUB_URL" --state-dir "$e_state" | python3 -c 'import json, sys; print(json.load(sys.stdin)["observations"][0]["latency_ms"])')
row "(e) health --hub --log" "$e_ms ms" "$e_lat ms hub answer" "$(sdiff "$e_ms - $e_lat") ms" "<= +100 ms" "$(verdict "$e_ms - $e_lat <= 100")"
ep_ms=$(median_ms 5 "$BIN" health --hub "$HUB_URL" --log "$HUB_LOG" --process "port:$hub_port" --state-dir "$e_state")
ep_cpu=-
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f '%U %S' -o "$WORK/ecpu" "$BIN" health --hub "$HUB_URL" --log "$HUB_LOG" --process "port:$hub_port" --state-dir "$e_state" > /dev/null 2>&1 || true
  ep_cpu=$(tail -n 1 "$WORK/ecpu" | awk '{ printf "%.0f", ($1 + $2) * 1000 }')
fi
row "    info: + --process (250 ms CPU sample)" "$ep_ms ms" "$ep_cpu ms CPU" "-" "-" ""

# ---- (f) one alerts run against a local hub (issue "mcpmon alerts") ----
log "(f) alerts --hub x$RUNS"
f_state=$WORK/f-state
f_ms=$(median_ms "$RUNS" "$BIN" alerts --hub "$HUB_URL" --state-dir "$f_state")
f_lat=$("$BIN" alerts -f json --hub "$HUB_URL" --state-dir "$f_state" | python3 -c 'import json, sys; print(json.load(sys.stdin)["observations"][0]["latency_ms"])')
row "(f) alerts --hub" "$f_ms ms" "$f_lat ms hub answer" "$(sdiff "$f_ms - $f_lat") ms" "<= +50 ms" "$(verdict "$f_ms - $f_lat <= 50")"

# ---- (h) validate of a hub, its process and its log (issue "mcpmon validate") ----
log "(h) validate --hub --log --process x$RUNS"
h_ms=$(median_ms "$RUNS" "$BIN" validate --hub "$HUB_URL" --log "$HUB_LOG" --process "port:$hub_port")
h_cpu=-
if [ -x /usr/bin/time ]; then
  for i in 1 2 3 4 5; do
    /usr/bin/time -f '%U %S' -o "$WORK/hcpu.$i" "$BIN" validate --hub "$HUB_URL" --log "$HUB_LOG" --process "port:$hub_port" > /dev/null 2>&1 || true
  done
  h_cpu=$(for i in 1 2 3 4 5; do tail -n 1 "$WORK/hcpu.$i"; done | awk '{ print ($1 + $2) * 1000 }' | sort -n | sed -n 3p)
fi
row "(h) validate --hub --log --process" "$h_ms ms" "-" "-" "< 1000 ms" "$(verdict "$h_ms < 1000")"
row "(h) mcpmon's own CPU in that run (median)" "$h_cpu ms" "-" "-" "< 100 ms" "$(verdict "${h_cpu/-/1e9} < 100")"
hs_ms=$(median_ms 5 "$BIN" validate --strict --hub "$HUB_URL" --log "$HUB_LOG" --process "port:$hub_port" "$EVERYTHING_HTTP_URL")
row "    info: + --strict on a server-everything URL" "$hs_ms ms" "-" "-" "-" ""

# ---- (i) anomalies over a month of history (issue "History that lasts") ----
log "(i) anomalies over 30 days x 10 targets x every 30 s (generating ~180 MB of history)"
i_state=$WORK/i-state
n_recs=$(python3 "$ROOT/scripts/gen-history.py" "$i_state/history" 30 10 30)
i_ms=$(median_ms 5 "$BIN" --state-dir "$i_state" anomalies --window 30d)
row "(i) anomalies --window 30d ($n_recs records)" "$i_ms ms" "-" "-" "< 1000 ms" "$(verdict "$i_ms < 1000")"

# ---- (j) daily-summary (issue "mcpmon daily-summary") ----
log "(j) daily-summary: a day of 10 targets every 5 s, and --since 30d"
j_month=$(median_ms 5 "$BIN" --state-dir "$i_state" daily-summary --since 30d)
rm -rf "$i_state"
j_state=$WORK/j-state
python3 "$ROOT/scripts/gen-history.py" "$j_state/history" 2 10 5 > /dev/null
yesterday=$(date -u -d yesterday +%F)
j_ms=$(median_ms 10 "$BIN" --state-dir "$j_state" daily-summary --tz UTC --date "$yesterday")
row "(j) daily-summary of a day (172,800 records)" "$j_ms ms" "-" "-" "< 300 ms" "$(verdict "$j_ms < 300")"
row "(j) daily-summary --since 30d ($n_recs records)" "$j_month ms" "-" "-" "< 2000 ms" "$(verdict "$j_month < 2000")"
rm -rf "$j_state"

# ---- (g) measure vs oha on the same ping against the same server (issue "mcpmon measure") ----
OHA=${OHA:-$(command -v oha || true)}
[ -n "$OHA" ] || [ ! -x "$ROOT/target/bench-tools/bin/oha" ] || OHA=$ROOT/target/bench-tools/bin/oha
if [ -z "$OHA" ] && [ "${BENCH_INSTALL_OHA:-1}" = 1 ]; then
  log "(g) installing oha into target/bench-tools (cargo install oha; a few minutes, once)"
  $CARGO install oha --locked --root "$ROOT/target/bench-tools" > "$WORK/oha-install.log" 2>&1 && OHA=$ROOT/target/bench-tools/bin/oha
fi
if [ -n "$OHA" ]; then
  log "(g) measure -j 8 -n 5000 vs oha -c 8 -n 5000 (ping on one Streamable HTTP session)"
  init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}'
  sid=$(curl -sS -m 5 -D - -o /dev/null -X POST "$EVERYTHING_HTTP_URL" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -d "$init" | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id" {print $2}')
  curl -sS -m 5 -o /dev/null -X POST "$EVERYTHING_HTTP_URL" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  /usr/bin/time -f '%U %S %M' -o "$WORK/oha.time" "$OHA" -c 8 -n 5000 -m POST --no-tui --output-format json \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-11-25' \
    -d '{"jsonrpc":"2.0","id":2,"method":"ping"}' "$EVERYTHING_HTTP_URL" > "$WORK/oha.json" 2> "$WORK/oha.err" || true
  /usr/bin/time -f '%U %S %M' -o "$WORK/measure.time" "$BIN" measure "$EVERYTHING_HTTP_URL" -j 8 -n 5000 -f json > "$WORK/measure.json" 2>/dev/null || true
  read -r g_rps g_p50 < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["observations"][0]; print(d["requests_per_second"], d["latency"]["p50_ms"])' "$WORK/measure.json")
  read -r o_rps o_p50 < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d.get("summary", {})
p = d.get("latencyPercentiles", {})
print(s.get("requestsPerSec", 0), (p.get("p50") or 0) * 1000)' "$WORK/oha.json" 2>/dev/null || echo "0 0")
  g_cpu=$(awk '{ printf "%.1f", ($1 + $2) * 1e6 / 5000 }' "$WORK/measure.time")
  o_cpu=$(awk '{ printf "%.1f", ($1 + $2) * 1e6 / 5000 }' "$WORK/oha.time")
  row "(g) measure -j 8 -n 5000: requests/s" "$g_rps" "$o_rps oha" "x$(calc "$g_rps / max($o_rps, 0.001)")" ">= x1.0" "$(verdict "$g_rps >= $o_rps")"
  row "(g) p50 latency" "$g_p50 ms" "$o_p50 ms oha" "$(calc "($g_p50 - $o_p50) / max($o_p50, 0.001) * 100")%" "<= oha + 10%" "$(verdict "$g_p50 <= 1.1 * $o_p50")"
  row "(g) CPU per request" "$g_cpu us" "$o_cpu us oha" "-" "<= oha" "$(verdict "$g_cpu <= $o_cpu")"
  log "(g) measure -z 60s peak RSS"
  /usr/bin/time -f '%M' -o "$WORK/z60.time" "$BIN" measure "$EVERYTHING_HTTP_URL" -j 8 -z 60s -f json > /dev/null 2>&1 || true
  z_kb=$(tail -n 1 "$WORK/z60.time")
  row "(g) measure -z 60s peak RSS" "$(calc "$z_kb / 1024") MB" "-" "-" "< 20 MB" "$(verdict "$z_kb < 20 * 1024")"
else
  row "(g) measure vs oha" "-" "oha missing" "-" "-" "SKIP"
fi

echo
echo "$("$BIN" --version) (${BIN#"$ROOT"/}); $(nproc) CPUs; timer: $TIMER; runs: $RUNS (stdio $SRUNS, 20-target 5)"
printf '%-44s %10s %24s %11s %-10s %s\n' "benchmark" "mcpmon" "reference" "ratio/diff" "goal" "result"
printf '%s\n' "${ROWS[@]}"
