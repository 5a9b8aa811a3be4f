#!/usr/bin/env bash
# bench-measure-vs-oha.sh - interleaved pairs of `mcpmon measure -j 8 -n 5000` and `oha -c 8 -n 5000`
# on the same server-everything ping (same body, same session header), alternating which goes first,
# one line per pair: requests/s, p50, mean, p99 and CPU per request (user + sys / 5000) of each.
# Single runs swing widely on a 2-CPU machine where the server is the bottleneck: judge by the medians.
# Env: RUNS (6), MCPMON_PEERS_ENV (.peers/run/endpoints.env; start the peers with scripts/peers.sh
# start), OHA (target/bench-tools/bin/oha, installed by `make bench`), BENCH_BIN (target/release/mcpmon).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ENVF=${MCPMON_PEERS_ENV:-$ROOT/.peers/run/endpoints.env}
BIN=${BENCH_BIN:-$ROOT/target/release/mcpmon}
OHA=${OHA:-$ROOT/target/bench-tools/bin/oha}
[ -x "$OHA" ] || { echo "no oha at $OHA (make bench installs it, or: cargo install oha)" >&2; exit 1; }
[ -f "$ENVF" ] || { echo "no peers: run scripts/peers.sh start (or set MCPMON_PEERS_ENV)" >&2; exit 1; }
[ -x "$BIN" ] || (cd "$ROOT" && cargo build --release --locked >&2)
set -a; . "$ENVF"; set +a
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}'
sid=$(curl -sS -m 5 -D - -o /dev/null -X POST "$EVERYTHING_HTTP_URL" -H 'Content-Type: application/json' \
  -H 'Accept: application/json, text/event-stream' -d "$init" | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id" {print $2}')
curl -sS -m 5 -o /dev/null -X POST "$EVERYTHING_HTTP_URL" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  -H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
run_oha() {
  /usr/bin/time -f '%U %S %M' -o "$WORK/oha.time" "$OHA" -c 8 -n 5000 -m POST --no-tui --output-format json \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-11-25' \
    -d '{"jsonrpc":"2.0","id":2,"method":"ping"}' "$EVERYTHING_HTTP_URL" > "$WORK/oha.json" 2> /dev/null
}
run_mcpmon() {
  /usr/bin/time -f '%U %S %M' -o "$WORK/m.time" "$BIN" measure "$EVERYTHING_HTTP_URL" -j 8 -n 5000 -f json > "$WORK/m.json" 2> /dev/null || true
}
for i in $(seq "${RUNS:-6}"); do
  if [ $((i % 2)) = 1 ]; then run_oha; run_mcpmon; else run_mcpmon; run_oha; fi
  python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
m = json.load(open(f"{w}/m.json"))["observations"][0]
o = json.load(open(f"{w}/oha.json"))
mt = open(f"{w}/m.time").read().split()[-3:]
ot = open(f"{w}/oha.time").read().split()[-3:]
cpu = lambda t: (float(t[0]) + float(t[1])) * 1e6 / 5000
print("mcpmon %6.0f req/s p50 %.2f mean %.2f p99 %.2f ms cpu %.1f us | oha %6.0f req/s p50 %.2f mean %.2f p99 %.2f ms cpu %.1f us" % (
    m["requests_per_second"], m["latency"]["p50_ms"], m["latency"]["mean_ms"], m["latency"]["p99_ms"], cpu(mt),
    o["summary"]["requestsPerSec"], o["latencyPercentiles"]["p50"] * 1000, o["summary"]["average"] * 1000,
    o["latencyPercentiles"]["p99"] * 1000, cpu(ot)))
PY
done
