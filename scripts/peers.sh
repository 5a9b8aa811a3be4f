#!/usr/bin/env bash
# peers.sh - install and run real third-party MCP peers on 127.0.0.1 for mcpmon's tests and demo.
#
#   scripts/peers.sh install [DIR]          idempotent (stamp file); npm + PyPI only
#   scripts/peers.sh start   [DIR] [BASE]   ports BASE+1..BASE+8 (default BASE 38100); waits (bounded) for real handshakes
#   scripts/peers.sh status  [DIR]
#   scripts/peers.sh stop    [DIR]          signals only the process groups this script started (pid files)
#
# DIR defaults to $MCPMON_PEERS_DIR or ./.peers. After `start`, DIR/run/endpoints.env holds the URLs and stdio
# commands (EVERYTHING_HTTP_URL, PY_HTTP_URL, EVERYTHING_STDIO_CMD, ...), which the integration tests read.
# Every server listens on or is reached through 127.0.0.1 only.
set -euo pipefail

cmd=${1:?usage: peers.sh install|start|status|stop [DIR] [BASE_PORT]}
DIR=${2:-${MCPMON_PEERS_DIR:-.peers}}
BASE=${3:-${MCPMON_PEERS_BASE:-38100}}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
RUN=$DIR/run
mkdir -p "$RUN"

EVERYTHING_V=2026.8.31
MEMORY_V=2026.8.31
FILESYSTEM_V=2026.8.31
HUB_V=4.2.1
GATEWAY_V=4.0.0
ICLI_V=1.0.3
PY_MCP_V=2.3.0
PY_TIME_V=2026.10.19
# jsonschema: validates mcpmon's JSON output against schema/report.v1.json in the tests (scripts/validate-json.py)
JSONSCHEMA_V=4.26.0
# aiosmtpd: a real SMTP server (STARTTLS, AUTH) that mcpmon's e-mail channel is tested against
AIOSMTPD_V=1.4.6

log() { printf '[peers] %s\n' "$*" >&2; }

# The SMTP sink for the e-mail tests, into the peers' venv (its own check, so an older install gains it
# without reinstalling the rest).
install_smtp() {
  if [ ! -x "$DIR/venv/bin/python" ]; then python3 -m venv "$DIR/venv"; fi
  if "$DIR/venv/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_V')" 2>/dev/null; then return 0; fi
  log "pip install aiosmtpd==$AIOSMTPD_V"
  timeout 600 "$DIR/venv/bin/python" -m pip install -q --disable-pip-version-check "aiosmtpd==$AIOSMTPD_V"
}

# The JSON Schema validator, into the peers' venv (its own check, like the SMTP sink's).
install_jsonschema() {
  if [ ! -x "$DIR/venv/bin/python" ]; then python3 -m venv "$DIR/venv"; fi
  if "$DIR/venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('jsonschema') != '$JSONSCHEMA_V')" 2>/dev/null; then return 0; fi
  log "pip install jsonschema==$JSONSCHEMA_V"
  timeout 600 "$DIR/venv/bin/python" -m pip install -q --disable-pip-version-check "jsonschema==$JSONSCHEMA_V"
}

install() {
  local stamp="$DIR/.installed-$EVERYTHING_V-$HUB_V-$GATEWAY_V-$ICLI_V-$PY_MCP_V-$PY_TIME_V"
  install_smtp
  install_jsonschema
  if [ -f "$stamp" ]; then log "already installed ($DIR)"; return 0; fi
  command -v node >/dev/null || { log "node is required (Node.js >= 20)"; return 1; }
  command -v python3 >/dev/null || { log "python3 is required (>= 3.10)"; return 1; }
  mkdir -p "$DIR/npm"
  cat > "$DIR/npm/package.json" <<EOF
{ "name": "mcpmon-peers", "private": true, "version": "0.0.0",
  "dependencies": {
    "@modelcontextprotocol/server-everything": "$EVERYTHING_V",
    "@modelcontextprotocol/server-memory": "$MEMORY_V",
    "@modelcontextprotocol/server-filesystem": "$FILESYSTEM_V",
    "@modelcontextprotocol/inspector-cli": "$ICLI_V",
    "mcp-hub": "$HUB_V",
    "supergateway": "$GATEWAY_V"
  } }
EOF
  log "npm install (about 30 s cold)"
  (cd "$DIR/npm" && timeout 600 npm install --no-audit --no-fund --no-package-lock --loglevel=error)
  if [ ! -x "$DIR/venv/bin/python" ]; then python3 -m venv "$DIR/venv"; fi
  log "pip install mcp==$PY_MCP_V mcp-server-time==$PY_TIME_V"
  timeout 600 "$DIR/venv/bin/pip" install -q --disable-pip-version-check "mcp==$PY_MCP_V" "mcp-server-time==$PY_TIME_V"
  cat > "$DIR/py_peer.py" <<'EOF'
import sys
from mcp.server.mcpserver import MCPServer   # mcp 2.x (FastMCP was renamed MCPServer)
mcp = MCPServer("py-peer")
@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b
transport = sys.argv[1] if len(sys.argv) > 1 else "stdio"
kw = {} if transport == "stdio" else {"host": "127.0.0.1", "port": int(sys.argv[2])}
mcp.run(transport, **kw)
EOF
  touch "$stamp"
  log "installed into $DIR"
}

NM=$DIR/npm/node_modules
EVJS=$NM/@modelcontextprotocol/server-everything/dist/index.js
MEMJS=$NM/@modelcontextprotocol/server-memory/dist/index.js
GWJS=$NM/supergateway/dist/index.js

# spawn NAME cmd...: a new session (process group), output to RUN/NAME.log, pid (= pgid) to RUN/NAME.pid
spawn() {
  local name=$1; shift
  setsid "$@" > "$RUN/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Readiness checks are real exchanges, each bounded by curl's -m.
shttp_ok() {
  local out
  out=$(curl -sS -m 2 -X POST "$1" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"peers-ready","version":"0"}}}' 2>/dev/null) || true
  grep -q '"protocolVersion"' <<<"$out"
}
sse_ok() { local out; out=$(curl -sS -N -m 1 "$1" -H 'Accept: text/event-stream' 2>/dev/null) || true; grep -q '^event: endpoint' <<<"$out"; }
hub_ok() { local out; out=$(curl -sS -m 2 "$1" 2>/dev/null) || true; grep -q '"state":"ready"' <<<"$out"; }
get_ok() { curl -sS -m 2 -o /dev/null "$1" 2>/dev/null; }

wait_for() { # NAME CHECKFN URL: bounded wait (80 x 0.25 s)
  local name=$1 fn=$2 url=$3 i
  for ((i = 0; i < 80; i++)); do
    if "$fn" "$url"; then log "ready: $name $url"; return 0; fi
    if ! kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then log "DIED: $name"; tail -5 "$RUN/$name.log" >&2; return 1; fi
    sleep 0.25
  done
  log "TIMEOUT: $name $url"; tail -5 "$RUN/$name.log" >&2; return 1
}

start() {
  [ -f "$EVJS" ] || { log "not installed; run: $0 install $DIR"; return 1; }
  stop 2>/dev/null || true
  local P_EV_HTTP=$((BASE + 1)) P_EV_SSE=$((BASE + 2)) P_GW=$((BASE + 3)) P_HUB=$((BASE + 4)) \
    P_PY_HTTP=$((BASE + 5)) P_PY_SSE=$((BASE + 6)) P_GW_SL=$((BASE + 7)) P_HUB2=$((BASE + 8))
  local p
  for p in $P_EV_HTTP $P_EV_SSE $P_GW $P_HUB $P_PY_HTTP $P_PY_SSE $P_GW_SL $P_HUB2; do
    port_free "$p" || { log "port $p is busy (set MCPMON_PEERS_BASE to another base)"; return 1; }
  done

  # mcp-hub: private HOME/XDG dirs, and a pre-seeded marketplace cache so it does not try to reach the internet
  local H=$RUN/hub-home
  mkdir -p "$H/data/mcp-hub/cache" "$H/state" "$H/config"
  printf '{"registry":{"version":"offline","servers":[{"id":"offline","name":"offline","description":"seeded","category":"other","tags":[]}]},"lastFetchedAt":%s,"serverDocumentation":{}}\n' \
    "$(( ($(date +%s) + 315360000) * 1000 ))" > "$H/data/mcp-hub/cache/registry.json"
  cat > "$RUN/mcp-hub.json" <<EOF
{ "mcpServers": {
    "everything": { "command": "node", "args": ["$EVJS", "stdio"] },
    "memory": { "command": "node", "args": ["$MEMJS"], "env": { "MEMORY_FILE_PATH": "$RUN/hub-memory.jsonl" } }
} }
EOF
  # A second hub with two real servers, one that cannot start (missing binary) and one disabled.
  local H2=$RUN/hub2-home
  mkdir -p "$H2/data/mcp-hub/cache" "$H2/state" "$H2/config"
  cp "$H/data/mcp-hub/cache/registry.json" "$H2/data/mcp-hub/cache/registry.json"
  cat > "$RUN/mcp-hub-broken.json" <<EOF
{ "mcpServers": {
    "everything": { "command": "node", "args": ["$EVJS", "stdio"] },
    "memory": { "command": "node", "args": ["$MEMJS"], "env": { "MEMORY_FILE_PATH": "$RUN/hub2-memory.jsonl" } },
    "broken": { "command": "/nonexistent/mcp-server-binary", "args": [] },
    "off": { "command": "node", "args": ["$MEMJS"], "disabled": true }
} }
EOF
  # server-everything and supergateway bind all interfaces (they have no host option); every client uses 127.0.0.1.
  spawn ev-http env PORT=$P_EV_HTTP node "$EVJS" streamableHttp
  spawn ev-sse env PORT=$P_EV_SSE node "$EVJS" sse
  spawn gateway env MEMORY_FILE_PATH="$RUN/gw-memory.jsonl" node "$GWJS" \
    --stdio "node $MEMJS" --outputTransport streamableHttp --stateful --sessionTimeout 60000 --port $P_GW --healthEndpoint /healthz --logLevel none
  spawn gateway-stateless env MEMORY_FILE_PATH="$RUN/gwsl-memory.jsonl" node "$GWJS" \
    --stdio "node $MEMJS" --outputTransport streamableHttp --port $P_GW_SL --healthEndpoint /healthz --logLevel none
  spawn hub env HOME="$H" XDG_DATA_HOME="$H/data" XDG_STATE_HOME="$H/state" XDG_CONFIG_HOME="$H/config" \
    node "$NM/mcp-hub/dist/cli.js" --port $P_HUB --config "$RUN/mcp-hub.json"
  spawn hub-broken env HOME="$H2" XDG_DATA_HOME="$H2/data" XDG_STATE_HOME="$H2/state" XDG_CONFIG_HOME="$H2/config" \
    node "$NM/mcp-hub/dist/cli.js" --port $P_HUB2 --config "$RUN/mcp-hub-broken.json"
  spawn py-http "$DIR/venv/bin/python" "$DIR/py_peer.py" streamable-http $P_PY_HTTP
  spawn py-sse "$DIR/venv/bin/python" "$DIR/py_peer.py" sse $P_PY_SSE

  wait_for ev-http shttp_ok "http://127.0.0.1:$P_EV_HTTP/mcp"
  wait_for ev-sse sse_ok "http://127.0.0.1:$P_EV_SSE/sse"
  wait_for gateway shttp_ok "http://127.0.0.1:$P_GW/mcp"
  wait_for gateway-stateless get_ok "http://127.0.0.1:$P_GW_SL/healthz"
  wait_for hub hub_ok "http://127.0.0.1:$P_HUB/api/health"
  wait_for hub-broken hub_ok "http://127.0.0.1:$P_HUB2/api/health"
  wait_for py-http shttp_ok "http://127.0.0.1:$P_PY_HTTP/mcp"
  wait_for py-sse sse_ok "http://127.0.0.1:$P_PY_SSE/sse"
  cat > "$RUN/endpoints.env" <<EOF
EVERYTHING_HTTP_URL=http://127.0.0.1:$P_EV_HTTP/mcp
EVERYTHING_SSE_URL=http://127.0.0.1:$P_EV_SSE/sse
GATEWAY_MEMORY_HTTP_URL=http://127.0.0.1:$P_GW/mcp
GATEWAY_HEALTH_URL=http://127.0.0.1:$P_GW/healthz
GATEWAY_STATELESS_HTTP_URL=http://127.0.0.1:$P_GW_SL/mcp
HUB_URL=http://127.0.0.1:$P_HUB
HUB_HEALTH_URL=http://127.0.0.1:$P_HUB/api/health
HUB_SSE_URL=http://127.0.0.1:$P_HUB/mcp
HUB_BROKEN_URL=http://127.0.0.1:$P_HUB2
HUB_LOG=$H/state/mcp-hub/logs/mcp-hub.log
PY_HTTP_URL=http://127.0.0.1:$P_PY_HTTP/mcp
PY_SSE_URL=http://127.0.0.1:$P_PY_SSE/sse
EVERYTHING_STDIO_CMD="node $EVJS stdio"
MEMORY_STDIO_CMD="node $MEMJS"
FILESYSTEM_STDIO_CMD="node $NM/@modelcontextprotocol/server-filesystem/dist/index.js $RUN"
TIME_STDIO_CMD="$DIR/venv/bin/mcp-server-time --local-timezone UTC"
PY_STDIO_CMD="$DIR/venv/bin/python $DIR/py_peer.py stdio"
PEERS_PYTHON=$DIR/venv/bin/python
INSPECTOR_CLI_JS=$NM/@modelcontextprotocol/inspector-cli/build/index.js
PEERS_RUN_DIR=$RUN
EOF
  log "all peers up; endpoints in $RUN/endpoints.env"
}

stop() {
  local f pid i
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for ((i = 0; i < 40; i++)); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.25; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      log "stopped $(basename "$f" .pid) (pgid $pid)"
    fi
    rm -f "$f"
  done
  rm -f "$RUN/endpoints.env"
}

status() {
  local f pid
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then echo "$(basename "$f" .pid) running pgid=$pid"; else echo "$(basename "$f" .pid) DEAD"; fi
  done
  [ -f "$RUN/endpoints.env" ] && cat "$RUN/endpoints.env"
  return 0
}

case $cmd in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
