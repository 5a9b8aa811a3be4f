#!/usr/bin/env python3
"""Interleaved comparison of two mcpmon binaries on the same peers: each case runs OLD and NEW
alternately (the order flips every round, so neither always goes first) and prints the medians.
Single `make bench` runs swing with the machine; a regression is judged on this.

Usage: scripts/bench-compare.py OLD NEW [PEERS_ENV]
PEERS_ENV defaults to $MCPMON_PEERS_ENV, else .peers/run/endpoints.env (start the peers first:
scripts/peers.sh start .peers 38100).
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    old, new = sys.argv[1], sys.argv[2]
    env_file = sys.argv[3] if len(sys.argv) > 3 else os.environ.get("MCPMON_PEERS_ENV", ".peers/run/endpoints.env")
    peers = {}
    for line in open(env_file):
        if "=" in line and not line.startswith("#"):
            k, v = line.strip().split("=", 1)
            peers[k] = v.strip("'\"")
    home = tempfile.mkdtemp(prefix="mcpmon-compare-")
    env = dict(os.environ, HOME=home, XDG_STATE_HOME=home + "/state")
    cases = [
        ("health <Streamable HTTP URL>", ["health", peers["EVERYTHING_HTTP_URL"]], 30),
        ("health --hub --log", ["health", "--hub", peers["HUB_URL"], "--log", peers["HUB_LOG"]], 30),
        ("health -- <stdio server>", ["health", "--"] + peers["EVERYTHING_STDIO_CMD"].split(), 16),
        ("--version", ["--version"], 40),
    ]
    bins = [("old", old), ("new", new)]
    print(f"old: {old}\nnew: {new}")
    for name, args, rounds in cases:
        times = {"old": [], "new": []}
        for i in range(rounds):
            for label, binary in (bins if i % 2 == 0 else list(reversed(bins))):
                start = time.perf_counter()
                subprocess.run([binary] + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times[label].append((time.perf_counter() - start) * 1000)
        o, n = statistics.median(times["old"]), statistics.median(times["new"])
        print(f"{name:<32} old {o:8.2f} ms   new {n:8.2f} ms   ({rounds} interleaved rounds)")


if __name__ == "__main__":
    main()
