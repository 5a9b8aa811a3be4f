#!/usr/bin/env bash
# bench-logs.sh - the log probe's goal: the last 100 entries of a 1 GB JSON-lines log read and counted in
# under 20 ms, the same order as on a 10 MB log (the read goes backwards from the end, so its cost must not
# grow with the file). Compared with the pipeline it replaces, on the same 1 GB file:
#     tail -100 FILE | jq -r 'select(.level=="error")' | wc -l
#
# The probe side is the ignored test probe::logs::tests::bench_tail_is_independent_of_size (release build,
# median of 20 per file); it writes logs-10MB.jsonl and logs-1GB.jsonl into a fresh temporary directory
# (BENCH_LOGS_TMP, default $TMPDIR or /tmp; needs ~1 GB free) which is deleted on exit. The pipeline is
# timed here (median of BENCH_RUNS, default 5). Figures are from a warm page cache: the files were just
# written. Prints the figures and PASS/FAIL; exits non-zero only when something could not run.
# Env: CARGO (cargo), BENCH_RUNS (5), BENCH_LOGS_TMP.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CARGO=${CARGO:-cargo}
RUNS=${BENCH_RUNS:-5}
TMP_BASE=${BENCH_LOGS_TMP:-${TMPDIR:-/tmp}}
TEST=probe::logs::tests::bench_tail_is_independent_of_size

log() { printf '[bench-logs] %s\n' "$*" >&2; }
die() { log "cannot run: $*"; exit 1; }
command -v jq > /dev/null || die "jq is required (for the pipeline being compared)"

DIR=$(mktemp -d "$TMP_BASE/mcpmon-bench-logs.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$DIR"' EXIT

log "writing a 10 MB and a 1 GB log into $DIR and timing the probe (release build of the lib tests)"
OUT=$(MCPMON_BENCH_DIR=$DIR $CARGO test --release --locked --lib "$TEST" -- --exact --ignored --nocapture) \
  || die "the benchmark test failed"
printf '%s\n' "$OUT" | grep '^bench-logs:' || die "the benchmark printed no figures"

field() { printf '%s\n' "$OUT" | grep "^bench-logs: file=$1 " | sed -n "s/.* $2=\([^ ]*\).*/\1/p"; }
SMALL_MS=$(field 10MB median_ms)
BIG_MS=$(field 1GB median_ms)
RUST_ERRORS=$(field 1GB errors)
BIG=$DIR/logs-1GB.jsonl
[ -f "$BIG" ] || die "$BIG was not written"

# median_ms RUNS CMD: median wall time of `bash -c CMD` in ms (output discarded).
median_ms() {
  local runs=$1 cmd=$2 i t0 t1
  local -a times=()
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    bash -c "$cmd" > /dev/null 2>&1 || true
    t1=$(date +%s%N)
    times+=("$(((t1 - t0) / 1000))")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$((runs / 2 + 1))p" | awk '{ printf "%.3f", $1 / 1000 }'
}

PIPE="tail -100 '$BIG' | jq -r 'select(.level==\"error\")' | wc -l"
PIPE_MS=$(median_ms "$RUNS" "$PIPE")
# `jq -r` pretty-prints each object over several lines, so the original pipeline's `wc -l` counts output
# lines, not entries; -c gives the entry count to compare with the probe's.
JQ_ERRORS=$(tail -100 "$BIG" | jq -c 'select(.level=="error")' | wc -l)

printf '\n%-52s %10s\n' "measurement" "median ms"
printf '%-52s %10s\n' "mcpmon log probe, last 100 entries, 10 MB file" "$SMALL_MS"
printf '%-52s %10s\n' "mcpmon log probe, last 100 entries, 1 GB file" "$BIG_MS"
printf '%-52s %10s\n' "tail -100 | jq -r select(error) | wc -l, 1 GB file" "$PIPE_MS"
printf 'errors among the last 100 entries: probe %s, jq -c %s\n' "$RUST_ERRORS" "$JQ_ERRORS"

verdict() { if awk "BEGIN { exit !($2) }"; then echo "PASS  $1"; else echo "FAIL  $1"; fi; }
verdict "1 GB under 20 ms ($BIG_MS ms)" "$BIG_MS < 20"
verdict "1 GB within 10x of 10 MB ($BIG_MS vs $SMALL_MS ms)" "$BIG_MS <= 10 * $SMALL_MS"
verdict "same error count as jq ($RUST_ERRORS vs $JQ_ERRORS)" "$RUST_ERRORS == $JQ_ERRORS"
