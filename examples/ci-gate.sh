#!/usr/bin/env bash
# CI gate: fail the build when any MCP server is CRIT (down, missing tools, critical latency) or when
# mcpmon cannot evaluate (UNKNOWN: bad config, unset ${VAR}). WARN is reported but does not fail.
#
#   examples/ci-gate.sh [CONFIG]      default CONFIG: mcpmon.json; needs mcpmon on PATH (or MCPMON=path)
#
# One probe run; its JSON report is kept as a build artifact (mcpmon-health.json).
set -uo pipefail

config=${1:-mcpmon.json}
mcpmon=${MCPMON:-mcpmon}
report=${MCPMON_REPORT:-mcpmon-health.json}

"$mcpmon" health --config "$config" --timeout 20s --format json > "$report"
rc=$?

# Everything that is not OK, one line each (jq is optional).
if command -v jq > /dev/null && [ -s "$report" ]; then
  jq -r '.findings[] | select(.status != "ok")
         | "\(.status | ascii_upcase)\t\(.target)\t\(.check)\t\(.reason // "-")\t\(.message)"' "$report"
fi

case $rc in
  0) echo "mcpmon: all MCP servers OK" ;;
  1) echo "mcpmon: WARN (degraded), not failing the build" ;;
  2) echo "mcpmon: CRIT, failing the build" >&2; exit 1 ;;
  *) echo "mcpmon: UNKNOWN (exit $rc), could not evaluate; failing the build" >&2; exit 1 ;;
esac
