#!/usr/bin/env bash
# bench-record.sh - the idle cost of `mcpmon record` (issue "History that lasts"): a light round every
# 5 s against a local server-everything (Streamable HTTP) for BENCH_RECORD_SECS (default 600), then
# SIGTERM. Prints mcpmon's CPU (user + sys) as a share of one core over the wall time, and its peak RSS.
# Goals: < 0.5 % of one core, RSS < 20 MB. Uses the peers of `make peers` (MCPMON_PEERS_ENV, default
# .peers/run/endpoints.env; start them with scripts/peers.sh start) and target/release/mcpmon.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${BENCH_RECORD_SECS:-600}
ENVF=${MCPMON_PEERS_ENV:-$ROOT/.peers/run/endpoints.env}
BIN=${BENCH_BIN:-$ROOT/target/release/mcpmon}
[ -x "$BIN" ] || (cd "$ROOT" && cargo build --release --locked >&2)
[ -f "$ENVF" ] || { echo "no peers: run scripts/peers.sh start (or set MCPMON_PEERS_ENV)" >&2; exit 1; }
set -a; . "$ENVF"; set +a
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "[bench-record] record --interval 5s against $EVERYTHING_HTTP_URL for $SECS s" >&2
/usr/bin/time -f '%U %S %e %M' -o "$WORK/time" timeout -s TERM "$SECS" \
  "$BIN" --state-dir "$WORK/state" record --interval 5s --full-every 30m "$EVERYTHING_HTTP_URL" > /dev/null 2> "$WORK/err" || true
read -r u s e m < <(tail -n 1 "$WORK/time")
lines=$(cat "$WORK"/state/history/*.jsonl | wc -l)
python3 - "$u" "$s" "$e" "$m" "$lines" <<'PY'
import sys
u, s, e, m, lines = map(float, sys.argv[1:])
share = (u + s) / e * 100
print(f"record idle cost: {(u + s) * 1000:.0f} ms CPU over {e:.0f} s = {share:.3f} % of one core "
      f"(goal < 0.5 %: {'PASS' if share < 0.5 else 'FAIL'}); peak RSS {m / 1024:.1f} MB "
      f"(goal < 20 MB: {'PASS' if m < 20 * 1024 else 'FAIL'}); {lines:.0f} records written")
PY
tail -n 1 "$WORK/err" >&2
