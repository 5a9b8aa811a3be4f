#!/usr/bin/env python3
"""gen-history.py OUT DAYS TARGETS EVERY_S: writes a synthetic mcpmon history ending now into OUT
(one YYYY-MM-DD.jsonl per UTC day): TARGETS mcp targets recorded every EVERY_S seconds, a full round
(with 12 tool schema hashes) every 60th round, steady latencies, growing uptimes. Prints the record
count. Used by scripts/bench.sh (i) to time `mcpmon anomalies` over a month of history."""
import json, sys, datetime, os, random
out = sys.argv[1]; days = int(sys.argv[2]); targets = int(sys.argv[3]); every = int(sys.argv[4])
os.makedirs(out, exist_ok=True)
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
start = now - datetime.timedelta(days=days)
random.seed(7)
tools = {f"tool_{i}": f"{i:016x}" for i in range(12)}
n = 0
files = {}
t = start
step = datetime.timedelta(seconds=every)
k = 0
while t < now:
    day = t.strftime("%Y-%m-%d")
    f = files.get(day)
    if f is None:
        for old in files.values(): old.close()
        files = {day: open(os.path.join(out, day + ".jsonl"), "w")}
        f = files[day]
    at = t.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    full = (k % 60 == 0)
    for i in range(targets):
        r = {"v": 1, "at": at, "source": "record:full" if full else "record:light", "target": f"server-{i}",
             "kind": "mcp", "status": "ok", "duration_ms": round(5 + random.random() * 3, 3),
             "metrics": {"handshake": round(4 + random.random(), 3), "liveness": round(1 + random.random(), 3)}}
        if full:
            r["metrics"]["tools"] = 12.0
            r["tools"] = tools
        r["uptime_s"] = {"process": float(k * every + 100)}
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
        n += 1
    t += step; k += 1
for f in files.values(): f.close()
print(n)
