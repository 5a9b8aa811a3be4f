#!/usr/bin/env bash
# fuzz.sh - run the cargo-fuzz targets in fuzz/ one after another (never two at once), niced.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]    SECONDS per target (default 600); all targets by default
#   scripts/fuzz.sh cmin [TARGET...]         shrink the corpora before committing them: the smallest set of
#                                            inputs that keeps every edge (set cover, no hit counts)
#
# Each run grows fuzz/corpus/TARGET and leaves a crashing input in fuzz/artifacts/TARGET; its log goes to
# fuzz/logs/TARGET.log. At the end one line per target: seconds, executions, exec/s, corpus files and
# bytes, and whether it crashed. Exits 1 when any target crashed. Needs cargo-fuzz and a nightly toolchain.
set -uo pipefail

secs=${1:-600}
shift || true
cd "$(dirname "$0")/../fuzz"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
mkdir -p logs
nice -n 19 cargo +nightly fuzz build || exit 1
if [ "$secs" = cmin ]; then
  for t in "${targets[@]}"; do
    tmp=$(mktemp -d)
    nice -n 19 "target/x86_64-unknown-linux-gnu/release/$t" -set_cover_merge=1 -use_counters=0 -use_cmp=0 \
      -timeout=10 -rss_limit_mb=2048 "$tmp" "corpus/$t" > "logs/cmin-$t.log" 2>&1 || { echo "cmin $t failed" >&2; exit 1; }
    rm -rf "corpus/$t" && mv "$tmp" "corpus/$t"
    echo "$t: $(find "corpus/$t" -type f | wc -l) files / $(du -sb "corpus/$t" | cut -f1) bytes"
  done
  exit 0
fi
summary=()
failed=0
for t in "${targets[@]}"; do
  echo "== fuzz $t for ${secs}s"
  nice -n 19 cargo +nightly fuzz run "$t" -- \
    -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    > "logs/$t.log" 2>&1
  rc=$?
  execs=$(grep -m1 'stat::number_of_executed_units' "logs/$t.log" | awk '{print $2}')
  speed=$(grep -m1 'stat::average_exec_per_sec' "logs/$t.log" | awk '{print $2}')
  files=$(find "corpus/$t" -type f | wc -l)
  bytes=$(du -sb "corpus/$t" | cut -f1)
  verdict=ok
  if [ $rc -ne 0 ]; then
    verdict="CRASH (rc $rc, see fuzz/logs/$t.log and fuzz/artifacts/$t)"
    failed=1
  fi
  line="$t: ${secs}s, ${execs:-?} executions, ${speed:-?} exec/s, corpus $files files / $bytes bytes, $verdict"
  echo "$line"
  summary+=("$line")
done
echo
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit $failed
