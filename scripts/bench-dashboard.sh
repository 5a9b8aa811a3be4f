#!/usr/bin/env bash
# bench-dashboard.sh - the dashboard's idle cost and key latency (issue "mcpmon dashboard"), in tmux:
#   1. 10 URL targets of the local peers at the default 5 s refresh for BENCH_DASH_SECS (default 120):
#      mcpmon's CPU (user + sys) as a share of one core, and its peak RSS. Goals: < 1 %, < 25 MB.
#   2. with one target that never answers (tests/stubs/http_stub.py hang) among them: the time from a
#      key sent with tmux to the changed screen, median of 20 (includes tmux's own capture, ~ms).
#      Goal: < 50 ms.
# Uses the peers of `make peers` (MCPMON_PEERS_ENV, default .peers/run/endpoints.env) and
# target/release/mcpmon.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${BENCH_DASH_SECS:-120}
ENVF=${MCPMON_PEERS_ENV:-$ROOT/.peers/run/endpoints.env}
BIN=${BENCH_BIN:-$ROOT/target/release/mcpmon}
[ -x "$BIN" ] || (cd "$ROOT" && cargo build --release --locked >&2)
[ -f "$ENVF" ] || { echo "no peers: run scripts/peers.sh start (or set MCPMON_PEERS_ENV)" >&2; exit 1; }
command -v tmux > /dev/null || { echo "tmux is needed" >&2; exit 1; }
set -a; . "$ENVF"; set +a
WORK=$(mktemp -d)
S=mcpmon-bench-$$
cleanup() { tmux kill-session -t "$S" 2> /dev/null || true; tmux kill-session -t "$S-k" 2> /dev/null || true; [ -z "${STUB_PID:-}" ] || kill "$STUB_PID" 2> /dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
python3 - "$WORK/cfg.json" <<PY
import json, sys, os
e = os.environ
t = {"ev-http": {"url": e["EVERYTHING_HTTP_URL"]}, "ev-sse": {"url": e["EVERYTHING_SSE_URL"]},
     "py-http": {"url": e["PY_HTTP_URL"]}, "py-sse": {"url": e["PY_SSE_URL"]},
     "gateway": {"url": e["GATEWAY_MEMORY_HTTP_URL"]}, "hub": {"hub": e["HUB_URL"]},
     "hub-broken": {"hub": e["HUB_BROKEN_URL"]}, "ev-http-2": {"url": e["EVERYTHING_HTTP_URL"]},
     "ev-http-3": {"url": e["EVERYTHING_HTTP_URL"]}, "gateway-health": {"health_url": e["GATEWAY_HEALTH_URL"]}}
json.dump({"targets": t}, open(sys.argv[1], "w"))
PY
echo "[bench-dashboard] 1. 10 targets, 5 s refresh, $SECS s" >&2
tmux new-session -d -s "$S" -x 140 -y 40 "env HOME=$WORK /usr/bin/time -f '%U %S %e %M' -o $WORK/time $BIN -c $WORK/cfg.json dashboard; exec sleep 600"
sleep "$SECS"
tmux send-keys -t "$S" q
for _ in $(seq 100); do [ -s "$WORK/time" ] && break; sleep 0.1; done
read -r u s e m < <(tail -n 1 "$WORK/time")
python3 -c "
u, s, e, m = $u, $s, $e, $m
share = (u + s) / e * 100
print(f'dashboard idle cost: {(u + s) * 1000:.0f} ms CPU over {e:.0f} s = {share:.2f} % of one core (goal < 1 %: {\"PASS\" if share < 1 else \"FAIL\"}); peak RSS {m / 1024:.1f} MB (goal < 25 MB: {\"PASS\" if m < 25 * 1024 else \"FAIL\"})')"

echo "[bench-dashboard] 2. key latency with a hanging target" >&2
python3 "$ROOT/tests/stubs/http_stub.py" hang > "$WORK/stub.out" < /dev/zero &
STUB_PID=$!
for _ in $(seq 100); do grep -q PORT "$WORK/stub.out" && break; sleep 0.05; done
port=$(awk '/PORT/ {print $2}' "$WORK/stub.out")
tmux new-session -d -s "$S-k" -x 140 -y 40 "env HOME=$WORK $BIN --timeout 60s dashboard http://127.0.0.1:$port/mcp $EVERYTHING_HTTP_URL; exec sleep 600"
for _ in $(seq 200); do tmux capture-pane -p -t "$S-k" | grep -q "2 target(s)" && break; sleep 0.05; done
python3 - "$S-k" <<'PY'
import subprocess, sys, time, statistics
s = sys.argv[1]
def pane():
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", s], capture_output=True, text=True).stdout
def selected():
    return next((l for l in pane().splitlines() if l.startswith("›")), "")
lat = []
for i in range(20):
    before = selected()
    key = "j" if i % 2 == 0 else "k"
    t0 = time.perf_counter()
    subprocess.run(["tmux", "send-keys", "-t", s, key])
    while selected() == before:
        if time.perf_counter() - t0 > 2:
            break
    lat.append((time.perf_counter() - t0) * 1000)
med = statistics.median(lat)
print(f"key to screen with a hanging target: median {med:.1f} ms, max {max(lat):.1f} ms over 20 keys (goal < 50 ms: {'PASS' if med < 50 else 'FAIL'})")
subprocess.run(["tmux", "send-keys", "-t", s, "q"])
PY
