#!/usr/bin/env python3
"""A hostile campaign against an mcpmon binary: every stub mode (HTTP and stdio), configs with hostile
numbers and strings, odd flag values, hostile state files. Counts panics (exit 101 or "panicked at" on
stderr), hangs (no exit within the guard) and exit codes outside 0-3. Loopback only.

Usage: scripts/hostile.py [BIN]   (default target/debug/mcpmon). Prints one line per failure and a summary;
exits 1 when any run panicked, hung or left the 0-3 range.
"""
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "target/debug/mcpmon")
GUARD = 40  # seconds: a run past this is a hang
HTTP_MODES = ["html", "auth", "forbidden", "error500", "endless", "endless-sse", "die-mid", "hang",
              "not-found", "legacy-ok", "load-faults", "resume", "server-request", "health-json",
              "modern-open", "modern-guarded", "modern-discover-once", "hostile-hub", "echo-secrets", "busy"]
STDIO_MODES = ["ok", "silent", "garbage", "wrong-id", "stray", "notify-first", "die", "huge", "ignore-term",
               "escape", "slow-exit", "evil", "leak-env", "sloppy", "die-on-discover", "silent-then-die",
               "no-ping", "crash-usage", "flood-requests", "flood-big-requests", "flaky"]
NUMBERS = ["1e300", "-1", "0", "NaN", "inf", "1e19", "18446744073709551616", "-0", "1e-300", "99999999999"]
random.seed(18)

runs = failures = 0
codes = {}


def run(args, env=None, stdin=None, home=None):
    global runs, failures
    runs += 1
    e = {"PATH": os.environ.get("PATH", ""), "HOME": home or "/tmp", "XDG_STATE_HOME": (home or "/tmp") + "/.state"}
    e.update(env or {})
    try:
        p = subprocess.run([BIN] + args, env=e, input=stdin, capture_output=True, timeout=GUARD,
                           cwd=home or "/tmp")
    except subprocess.TimeoutExpired:
        failures += 1
        print(f"HANG  {args}")
        return
    err = p.stderr.decode(errors="replace")
    codes[p.returncode] = codes.get(p.returncode, 0) + 1
    if p.returncode == 101 or "panicked at" in err:
        failures += 1
        print(f"PANIC {args}: {err.strip().splitlines()[:2]}")
    elif p.returncode not in (0, 1, 2, 3):
        failures += 1
        print(f"EXIT {p.returncode} {args}: {err.strip()[:200]}")


def http_stub(mode):
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/stubs/http_stub.py"), mode],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = int(p.stdout.readline().split()[1])
    return p, port


def main():
    home = tempfile.mkdtemp(prefix="mcpmon-hostile-")
    stdio = [sys.executable, os.path.join(ROOT, "tests/stubs/stdio_stub.py")]
    # every stub mode, through health, validate and alerts
    for mode in HTTP_MODES:
        p, port = http_stub(mode)
        url = f"http://127.0.0.1:{port}/mcp"
        for cmd in (["health"], ["validate"], ["alerts", "--state-dir", home + "/st"], ["health", "--deep"]):
            run(["--timeout", "3s"] + cmd + [url], home=home)
        run(["--timeout", "3s", "health", "--hub", f"http://127.0.0.1:{port}"], home=home)
        run(["--timeout", "3s", "health", "--health-url", f"http://127.0.0.1:{port}/health"], home=home)
        run(["--timeout", "3s", "measure", "-n", "5", url], home=home)
        p.kill()
        p.wait()
    for mode in STDIO_MODES:
        for cmd in (["health"], ["validate"]):
            run(["--timeout", "3s"] + cmd + ["--"] + stdio + [mode], home=home)
    # configs with hostile numbers in every duration and threshold place
    places = [("timeout",), ("startup_timeout",), ("thresholds", "response_time_ms", "warn"),
              ("thresholds", "log_errors", "crit"), ("min_tools",)]
    for place, n in itertools.product(places, NUMBERS):
        for as_string in (True, False):
            try:
                v = n if as_string else json.loads(n)
            except ValueError:
                continue
            entry = {"url": "http://127.0.0.1:1/mcp"}
            cur = entry
            for k in place[:-1]:
                cur = cur.setdefault(k, {})
            cur[place[-1]] = v
            for doc in ({"targets": {"t": entry}}, {"defaults": {k: v for k, v in entry.items() if k != "url"},
                                                    "targets": {"t": {"url": "http://127.0.0.1:1/mcp"}}}):
                path = os.path.join(home, "c.json")
                with open(path, "w") as f:
                    json.dump(doc, f)
                run(["health", "-c", path], home=home)
    # odd flag values
    for flag, n in itertools.product(["--timeout", "--startup-timeout", "--jobs", "--per-host"], NUMBERS):
        run([flag, n, "health", "http://127.0.0.1:1/mcp"] if flag in ("--timeout", "--startup-timeout")
            else ["health", flag, n, "http://127.0.0.1:1/mcp"], home=home)
    for n in NUMBERS:
        run(["measure", "-q", n, "-n", "3", "http://127.0.0.1:1/mcp"], home=home)
        run(["alerts", "--state-dir", home + "/st", "--critical", f"x={n}", "http://127.0.0.1:1/mcp"], home=home)
        run(["anomalies", "--state-dir", home + "/st", "--window", n, "http://127.0.0.1:1/mcp"], home=home)
        # daily-summary's goals (flag and config) and periods
        for goal in ("uptime", "p95", "reconnects", "memory_mb"):
            run(["daily-summary", "--state-dir", home + "/st", "--goal", f"{goal}={n}"], home=home)
        run(["daily-summary", "--state-dir", home + "/st", "--from", n + "d", "-f", "csv"], home=home)
        for v in (n, json.loads(n) if n not in ("NaN", "inf") else None):
            path = os.path.join(home, "g.json")
            with open(path, "w") as f:
                json.dump({"goals": {"uptime": v, "p95": v}, "targets": {}}, f)
            run(["daily-summary", "--state-dir", home + "/st", "-c", path], home=home)
    # hostile state files: random bytes and hostile JSON in alerts.json, history and marks
    st = home + "/hs"
    for i in range(40):
        os.makedirs(st + "/history", exist_ok=True)
        blob = random.choice([
            os.urandom(random.randint(0, 400)),
            json.dumps({"version": 1, "alerts": {"t/mcp/connect": {"firing": "crit", "since": 1e300}}}).encode(),
            json.dumps({"ts": "2026-12-01T00:00:00Z", "target": "t", "metrics": {"uptime": 1e20}}).encode() + b"\n",
            b'{"ts":' + str(random.choice(NUMBERS)).encode() + b',"target":"t"}\n',
        ])
        name = random.choice(["alerts.json", "log-marks.json", "outbox.json", "detected.json",
                              "history/2026-12-01.jsonl"])
        with open(os.path.join(st, name), "wb") as f:
            f.write(blob)
        for cmd in (["alerts"], ["anomalies"], ["daily-summary"], ["health", "--record"]):
            run(cmd + ["--state-dir", st, "http://127.0.0.1:1/mcp"] if cmd[0] != "daily-summary"
                else cmd + ["--state-dir", st], home=home)
    print(f"{runs} runs: {failures} panics/hangs/bad exits; exit codes {dict(sorted(codes.items()))}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
