#!/usr/bin/env python3
"""The costs of `mcpmon serve` (issue 14's figures), against the peers of `make peers` and a stub:

  (1) 20 targets at a 30 s interval: serve's own CPU (user + system, from /proc) over DURATION seconds
      after its first round, in % of one core (goal < 0.5 %), and its peak RSS (goal < 25 MB);
  (2) 500 targets: RSS once every target has been checked, and after two more rounds (goal < 40 MB);
  (3) 100 targets: 10,000 scrapes of /metrics on one keep-alive connection: the median and p99 latency
      (goal: median < 5 ms) and RSS before and after (no growth beyond noise).

Usage: scripts/bench-serve.py [BIN] [PEERS_ENV]   (BIN default target/release/mcpmon; PEERS_ENV default
$MCPMON_PEERS_ENV or .peers/run/endpoints.env). DURATION=600 by default (the issue's 10 minutes).
"""
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "target/release/mcpmon")
PEERS_ENV = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("MCPMON_PEERS_ENV", ".peers/run/endpoints.env")
DURATION = int(os.environ.get("DURATION", "600"))
TICK = os.sysconf("SC_CLK_TCK")


def peers():
    out = {}
    for line in open(PEERS_ENV):
        if "=" in line and not line.startswith("#"):
            k, v = line.strip().split("=", 1)
            out[k] = v.strip("'\"")
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid, key="VmRSS"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    except OSError:
        return None, b""
    finally:
        c.close()


class Serve:
    def __init__(self, targets, interval="30s"):
        self.home = tempfile.mkdtemp(prefix="mcpmon-bench-serve-")
        cfg = os.path.join(self.home, "mcpmon.json")
        with open(cfg, "w") as f:
            json.dump({"targets": targets}, f)
        self.port = free_port()
        env = dict(os.environ, HOME=self.home, XDG_STATE_HOME=self.home + "/state")
        self.p = subprocess.Popen([BIN, "serve", "-c", cfg, "--interval", interval, "--listen",
                                   f"127.0.0.1:{self.port}"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while get(self.port, "/-/ready")[0] != 200:
            if time.time() > deadline or self.p.poll() is not None:
                sys.exit("serve did not become ready")
            time.sleep(0.2)

    def stop(self):
        self.p.terminate()
        self.p.wait(timeout=30)


def stub():
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/stubs/http_stub.py"), "legacy-ok"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = int(p.stdout.readline().split()[1])
    return p, f"http://127.0.0.1:{port}/mcp"


def main():
    pe = peers()
    s, stub_url = stub()
    print(f"mcpmon serve costs ({BIN}); {os.cpu_count()} CPUs")

    # (1) 20 targets, 30 s interval, DURATION seconds
    urls = [pe["EVERYTHING_HTTP_URL"], pe["PY_HTTP_URL"], pe["EVERYTHING_SSE_URL"], stub_url]
    targets = {f"t{i:02}": {"url": urls[i % len(urls)]} for i in range(20)}
    sv = Serve(targets)
    c0, t0 = cpu_seconds(sv.p.pid), time.time()
    peak = rss_mb(sv.p.pid)
    while time.time() - t0 < DURATION:
        time.sleep(5)
        peak = max(peak, rss_mb(sv.p.pid))
    cpu = cpu_seconds(sv.p.pid) - c0
    wall = time.time() - t0
    print(f"(1) 20 targets every 30 s for {wall:.0f} s: CPU {cpu:.2f} s = {100 * cpu / wall:.3f} % of one core "
          f"(goal < 0.5 %); RSS peak {max(peak, rss_mb(sv.p.pid, 'VmHWM')):.1f} MB (goal < 25 MB)")
    sv.stop()

    # (2) 500 targets against the stub
    targets = {f"s{i:03}": {"url": f"{stub_url}?n={i}"} for i in range(500)}
    sv = Serve(targets)
    first = rss_mb(sv.p.pid)
    time.sleep(65)
    print(f"(2) 500 targets: RSS {first:.1f} MB after the first round, {rss_mb(sv.p.pid):.1f} MB two rounds later, "
          f"peak {rss_mb(sv.p.pid, 'VmHWM'):.1f} MB (goal < 40 MB)")
    sv.stop()

    # (3) 100 targets, 10,000 scrapes on one connection
    targets = {f"m{i:03}": {"url": f"{stub_url}?m={i}"} for i in range(100)}
    sv = Serve(targets, interval="1h")
    conn = http.client.HTTPConnection("127.0.0.1", sv.port, timeout=10)
    times = []
    before = None
    for i in range(10_000):
        if i == 100:
            before = rss_mb(sv.p.pid)
        start = time.perf_counter()
        try:
            conn.request("GET", "/metrics")
            body = conn.getresponse().read()
        except (OSError, http.client.HTTPException):
            # the server closes a connection after 120 s: open another
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", sv.port, timeout=10)
            conn.request("GET", "/metrics")
            body = conn.getresponse().read()
        times.append((time.perf_counter() - start) * 1000)
    after = rss_mb(sv.p.pid)
    times.sort()
    print(f"(3) 100 targets, 10,000 scrapes ({len(body)} bytes each): median {statistics.median(times):.2f} ms, "
          f"p99 {times[int(len(times) * 0.99)]:.2f} ms (goal: median < 5 ms); RSS {before:.1f} MB after 100 scrapes, "
          f"{after:.1f} MB after 10,000")
    sv.stop()
    s.kill()


if __name__ == "__main__":
    main()
