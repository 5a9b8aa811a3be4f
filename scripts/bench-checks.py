#!/usr/bin/env python3
"""The CPU of one `health` round of 10 targets that use the checks of issue 16 (body conditions, every
metric shown, a rate and a max_age metric, named log patterns over a 20,000-line file, a log command, plain
TCP, a tool call), against the real peers of scripts/peers.sh. Goal: under 100 ms of mcpmon's own CPU.

Usage: scripts/bench-checks.py BIN PEERS_ENV [RUNS]   (PEERS_ENV: the peers' run/endpoints.env)
Prints the median and worst CPU (user + system, mcpmon and the `cat` of its log command, from
getrusage of the children) and the median wall time. Stdlib only; works in a temporary directory."""
import json, os, resource, statistics, subprocess, sys, tempfile, time

bin_, env_file = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
peers = dict(l.strip().split("=", 1) for l in open(env_file) if "=" in l)
peers = {k: v.strip('"') for k, v in peers.items()}
work = tempfile.mkdtemp(prefix="mcpmon-bench-checks-")
log = os.path.join(work, "app.log")
with open(log, "w") as f:
    for i in range(20000):
        level = "ERROR UNAUTHORIZED token check FAILED" if i % 50 == 0 else "INFO request ok"
        f.write(f"2026-12-01T10:00:{i % 60:02d}Z {level} {i}\n")
pattern = [{"name": "unauthorized", "regex": "UNAUTHORIZED|FAILED", "warn": 1000, "crit": 5000}]
tcp_port = peers["PY_HTTP_URL"].split(":")[2].split("/")[0]
targets = {}
for k in range(2):
    targets[f"gw{k}"] = {"health_url": {"url": peers["HUB_HEALTH_URL"],
                                        "assert": {"/status": {"in": ["ok", "degraded"]}, "/state": {"exists": True}},
                                        "metrics": "all"}}
    targets[f"app{k}"] = {"log": {"path": log, "patterns": pattern}}
    targets[f"jd{k}"] = {"log": {"command": ["cat", log], "patterns": pattern}}
    targets[f"db{k}"] = {"url": f"tcp://127.0.0.1:{tcp_port}"}
    targets[f"srv{k}"] = {"url": peers["EVERYTHING_HTTP_URL"],
                          "call": [{"tool": "echo", "args": {"message": "hi"}, "expect": {"contains": "hi"}, "crit_ms": 2000}]}
targets["gw1"]["health_url"]["metrics"] = {
    "caps": {"pointer": "/mcpEndpoint/totalCapabilities", "rate": "1m", "warn": 100},
    "ts": {"pointer": "/timestamp", "max_age": "90m"}}
cfg = os.path.join(work, "ten.json")
json.dump({"targets": targets}, open(cfg, "w"))
env = dict(os.environ, MCPMON_STATE_DIR=os.path.join(work, "state"))
first = subprocess.run([bin_, "health", "-c", cfg], env=env, capture_output=True, text=True)
print(first.stdout.splitlines()[-1] if first.stdout else first.stderr, f"(exit {first.returncode})")
cpu, wall = [], []
for _ in range(runs):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([bin_, "health", "-c", cfg], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall.append((time.perf_counter() - t) * 1000)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append(((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)) * 1000)
med = statistics.median(cpu)
print(f"10 targets, every check of issue 16: CPU median {med:.1f} ms, worst {max(cpu):.1f} ms "
      f"(goal < 100 ms: {'PASS' if med < 100 else 'FAIL'}); wall median {statistics.median(wall):.1f} ms; {runs} runs")
