#!/usr/bin/env python3
"""The server's own share of a health check over Streamable HTTP, for the benchmarks: the least time any
client can take. Usage: mcp-floor.py URL [RUNS]. Each run opens one keep-alive connection and sends what
`mcpmon health` sends once detection is remembered: initialize, notifications/initialized, tools/list,
prompts/list, resources/list, ping (one after another: a Node server handles them one at a time anyway),
then DELETE of the session. Prints the median wall time of a run in ms, and the median of each step on
stderr. No process start, no parsing beyond the session header: what is left is the server's work and the
loopback round trips. Stdlib only; loopback only."""
import http.client
import json
import statistics
import sys
import time
import urllib.parse

URL = sys.argv[1]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
PARTS = urllib.parse.urlsplit(URL)
if PARTS.hostname not in ("127.0.0.1", "localhost", "::1"):
    sys.exit("mcp-floor.py: loopback URLs only")
HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
REVISION = "2025-06-18"


def conn():
    return http.client.HTTPConnection(PARTS.hostname, PARTS.port, timeout=10)


def post(c, body, session=None):
    h = dict(HEADERS)
    if session:
        h["mcp-session-id"] = session
        h["mcp-protocol-version"] = REVISION
    c.request("POST", PARTS.path, json.dumps(body), h)
    r = c.getresponse()
    r.read()
    if r.status >= 300:
        sys.exit(f"mcp-floor.py: {body.get('method')} -> HTTP {r.status}")
    return r.getheader("mcp-session-id")


def request(i, method):
    return {"jsonrpc": "2.0", "id": i, "method": method, "params": {}}


def one_run(steps):
    t0 = time.perf_counter()
    a = conn()
    session = post(a, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": REVISION, "capabilities": {}, "clientInfo": {"name": "floor", "version": "1"}}})
    t1 = time.perf_counter()
    post(a, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    t2 = time.perf_counter()
    for i, method in enumerate(("tools/list", "prompts/list", "resources/list", "ping"), start=2):
        post(a, request(i, method), session)
    t3 = time.perf_counter()
    if session:
        a.request("DELETE", PARTS.path, headers={"mcp-session-id": session, "mcp-protocol-version": REVISION})
        a.getresponse().read()
    t4 = time.perf_counter()
    a.close()
    for name, x in zip(("initialize", "initialized", "lists+ping", "delete"), (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
        steps.setdefault(name, []).append(x * 1000)
    return (t4 - t0) * 1000


steps = {}
one_run({})  # warm the server's code paths
totals = [one_run(steps) for _ in range(RUNS)]
print(f"{statistics.median(totals):.1f}")
print(" · ".join(f"{k} {statistics.median(v):.1f} ms" for k, v in steps.items()), file=sys.stderr)
