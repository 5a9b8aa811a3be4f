#!/usr/bin/env python3
"""Stub stdio MCP server for mcpmon integration tests (Python 3.11, stdlib only).

Usage: stdio_stub.py MODE [MARKER]

MARKER is ignored: tests pass a unique word so they can find the process in /proc.

Messages are newline-delimited JSON-RPC 2.0 on stdin/stdout. Every mode writes
"stub MODE started" to stderr at start. Modes:

  ok           correct legacy server: server/discover -> -32601, initialize echoes
               a known protocolVersion (else 2025-11-25), serverInfo stub-ok 1.2.3,
               capabilities tools+prompts; tools/list paginated (alpha, beta with
               nextCursor "page2", then gamma); prompts/list -> p1; ping -> {}.
               Exits 0 on stdin EOF.
  silent       reads stdin, never writes to stdout; exits 0 on EOF.
  garbage      answers every input line with "this is not json: <n>".
  wrong-id     answers every request with a result whose id is request id + 1000.
  stray        like ok, but writes "Server starting on stdio..." before the
               initialize result.
  notify-first like ok, but writes a notifications/message before each response and a
               server->client ping (id "srv-1") before the initialize result.
               Client replies are ignored; a reply to srv-1 logs "got reply to srv-1".
  die          on initialize writes half a JSON line, "fatal: boom" to stderr, exit 3.
  huge         initialize result is ~20 MiB (serverInfo.name), written in 1 MiB
               pieces; otherwise like ok.
  ignore-term  like ok, but ignores SIGTERM, never exits on stdin EOF (sleeps), and
               spawns a grandchild that also ignores SIGTERM (same process group).
               If STUB_PID_FILE is set, "<pid> <grandchild pid>\\n" is written
               there atomically before anything is answered.
  escape       like ignore-term, but what it starts leaves its process group: a child that calls
               setsid() and ignores SIGTERM (holding the stub's stdout), and a daemon made by a
               double fork (setsid, fork, the middle process exits at once), also ignoring SIGTERM.
               If STUB_PID_FILE is set, "<pid> <setsid child pid> <daemon pid>\n" is written there
               atomically before anything is answered.
  slow-exit    like ok, but on stdin EOF sleeps 0.2 s, then exits 0.
  evil         like ok, but serverInfo.name carries terminal escape sequences.
  slow-dual    a dual-era server that boots slowly: sleeps 3.2 s before reading
               anything, then answers server/discover with a 2026-07-28 result
               (stub-dual 2.0.0) and initialize, tools/list, ping like ok.
  leak-env     writes "API_KEY=<value of $API_KEY>" to stderr, then behaves like die.
  sloppy       a working legacy server that breaks conformance rules: declares only tools,
               yet answers prompts/list; tools "good", "no schema" (no inputSchema) and
               "array-schema" (inputSchema type array); answers unknown methods with {}; writes
               "Server starting on stdio..." to stdout, and a notification without
               "jsonrpc" before the tools/list result.
  retry-version  a 2026-07-28 server that refuses the first server/discover with -32022 and
               data.supported ["2026-07-28"] (the version asked for), then answers like slow-dual.
  die-on-discover  like ok, but a server/discover makes it write "Error: expect initialized
               request, but received: Request(server/discover)" to stderr and exit 1 (the Rust
               SDK rmcp's behaviour).
  silent-then-die  like ok, but a server/discover gets no answer and the next message makes it
               write "pydantic_core.ValidationError: 1 validation error" to stderr and exit 1 (an
               old Python SDK's behaviour).
  no-ping      like ok, but ping answers -32601 Method not found.
  crash-usage  writes "Error: unable to create /nonexistent/state: permission denied" to
               stderr, then 30 lines of usage text, and exits 1 before reading anything.
  flood-requests  writes 5000 server->client ping requests ({"jsonrpc":"2.0","id":N,
               "method":"ping"}) and never reads stdin (sleeps until killed).
  flood-big-requests  like flood-requests, but 1000 requests whose ids are 4 KiB strings, so a
               few dozen answers fill a pipe that nobody reads.
  slow-start   a server behind a package runner on an empty cache: sleeps STUB_DELAY_MS
               (default 0) before reading or writing anything (as `npx -y pkg` downloading),
               then behaves like ok.
  flaky        like ok, but every 4th ping of a process answers a JSON-RPC error
               (-32603 "flaky"), and every ping answer waits STUB_DELAY_MS (default 0).
"""
import json
import os
import signal
import subprocess
import sys
import time

MODES = {"ok", "silent", "garbage", "wrong-id", "stray", "notify-first", "die",
         "huge", "ignore-term", "escape", "slow-exit", "evil", "leak-env", "slow-dual", "flaky", "sloppy", "retry-version",
         "die-on-discover", "silent-then-die", "no-ping", "crash-usage", "flood-requests",
         "flood-big-requests", "slow-start"}
DISCOVERED = [False]
KNOWN_VERSIONS = {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}
PAGE1 = [{"name": "alpha", "inputSchema": {"type": "object"}},
         {"name": "beta", "inputSchema": {"type": "object"}}]
PAGE2 = [{"name": "gamma", "inputSchema": {"type": "object"}}]
CHUNK = 1024 * 1024
PINGS = [0]  # pings answered by this process (mode flaky)
DISCOVERS = [0]  # server/discover requests seen (mode retry-version)


def log(text):
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def write_raw(data: bytes):
    """Write bytes to stdout and flush; exit quietly if the reader is gone."""
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except (BrokenPipeError, ValueError):
        os._exit(0)


def send(msg):
    write_raw(json.dumps(msg, separators=(",", ":")).encode() + b"\n")


def send_chunked(msg):
    """Serialize msg as one line and write it in 1 MiB pieces."""
    data = json.dumps(msg, separators=(",", ":")).encode() + b"\n"
    for i in range(0, len(data), CHUNK):
        write_raw(data[i:i + CHUNK])


def result_for(mode, method, params):
    """Return ("result", value) or ("error", value) for a request, as in `ok`."""
    if method == "initialize":
        requested = params.get("protocolVersion")
        version = requested if requested in KNOWN_VERSIONS else "2025-11-25"
        name = "x" * (20 * CHUNK) if mode == "huge" else "stub-ok"
        if mode == "evil":
            name = "evil\x1b[2J\x1b[31mred\u202eesrever"
        caps = {"tools": {}} if mode == "sloppy" else {"tools": {}, "prompts": {}}
        return "result", {"protocolVersion": version,
                          "capabilities": caps,
                          "serverInfo": {"name": name, "version": "1.2.3"}}
    if method == "tools/list" and mode == "sloppy":
        return "result", {"tools": [{"name": "good", "inputSchema": {"type": "object"}},
                                    {"name": "no schema"},
                                    {"name": "array-schema", "inputSchema": {"type": "array"}}]}
    if method == "tools/list":
        if params.get("cursor") == "page2":
            return "result", {"tools": PAGE2}
        return "result", {"tools": PAGE1, "nextCursor": "page2"}
    if method == "prompts/list":
        return "result", {"prompts": [{"name": "p1"}]}
    if method == "ping" and mode != "no-ping":
        return "result", {}
    if method == "server/discover" and mode == "retry-version":
        DISCOVERS[0] += 1
        if DISCOVERS[0] == 1:
            return "error", {"code": -32022, "message": "Unsupported protocol version",
                             "data": {"supported": ["2026-07-28"], "requested": "2026-07-28"}}
    if method == "server/discover" and mode in ("slow-dual", "retry-version"):
        return "result", {"resultType": "complete", "supportedVersions": ["2026-07-28"],
                          "capabilities": {"tools": {}},
                          "_meta": {"io.modelcontextprotocol/serverInfo":
                                    {"name": "stub-dual", "version": "2.0.0"}},
                          "ttlMs": 0, "cacheScope": "private"}
    if mode == "sloppy" and method != "server/discover":
        return "result", {}
    # server/discover and everything else: legacy server, method not found.
    return "error", {"code": -32601, "message": "Method not found"}


def handle(mode, line, counter):
    if mode == "silent":
        return
    if mode == "garbage":
        write_raw(f"this is not json: {counter}\n".encode())
        return
    try:
        msg = json.loads(line)
    except ValueError:
        send({"jsonrpc": "2.0", "id": None,
              "error": {"code": -32700, "message": "Parse error"}})
        return
    if not isinstance(msg, dict):
        send({"jsonrpc": "2.0", "id": None,
              "error": {"code": -32600, "message": "Invalid Request"}})
        return
    method = msg.get("method")
    if method is None:
        # A response from the client to one of our requests: ignore it.
        if msg.get("id") == "srv-1":
            log("got reply to srv-1")
        return
    if "id" not in msg:
        return  # notification: no reply
    req_id = msg["id"]
    params = msg.get("params") or {}
    if not isinstance(params, dict):
        params = {}

    if mode == "wrong-id":
        bad_id = req_id + 1000 if isinstance(req_id, int) else f"{req_id}-wrong"
        send({"jsonrpc": "2.0", "id": bad_id, "result": {}})
        return
    if mode == "die-on-discover" and method == "server/discover":
        log("Error: expect initialized request, but received: Request(server/discover)")
        os._exit(1)
    if mode == "silent-then-die":
        if DISCOVERED[0]:
            log("pydantic_core.ValidationError: 1 validation error")
            os._exit(1)
        if method == "server/discover":
            DISCOVERED[0] = True
            return
    if mode in ("die", "leak-env") and method == "initialize":
        write_raw(b'{"jsonrpc":"2.0","id":1,"res')
        log("fatal: boom")
        os._exit(3)

    kind, value = result_for(mode, method, params)
    if mode == "flaky" and method == "ping":
        PINGS[0] += 1
        time.sleep(int(os.environ.get("STUB_DELAY_MS", "0")) / 1000)
        if PINGS[0] % 4 == 0:
            kind, value = "error", {"code": -32603, "message": "flaky"}
    if mode == "notify-first":
        send({"jsonrpc": "2.0", "method": "notifications/message",
              "params": {"level": "info", "data": "hello"}})
        if method == "initialize":
            send({"jsonrpc": "2.0", "id": "srv-1", "method": "ping"})
    if mode in ("stray", "sloppy") and method == "initialize":
        write_raw(b"Server starting on stdio...\n")
    if mode == "sloppy" and method == "tools/list":
        send({"method": "notifications/message", "params": {"level": "info", "data": "no jsonrpc"}})
    reply = {"jsonrpc": "2.0", "id": req_id, kind: value}
    if mode == "huge" and method == "initialize":
        send_chunked(reply)
    else:
        send(reply)


def start_ignore_term():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
         "time.sleep(3600)"])  # inherits our stdio fds, like a real wrapper
    write_pids(os.getpid(), child.pid)


def write_pids(*pids):
    """Writes the pids, space-separated, to $STUB_PID_FILE (atomically), when it is set."""
    pid_file = os.environ.get("STUB_PID_FILE")
    if pid_file:
        tmp = f"{pid_file}.tmp.{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(" ".join(str(p) for p in pids) + "\n")
        os.rename(tmp, pid_file)


def start_escape():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    r, w = os.pipe()
    setsid_child = os.fork()
    if setsid_child == 0:
        os.setsid()
        time.sleep(3600)  # keeps the inherited stdout open
        os._exit(0)
    middle = os.fork()
    if middle == 0:
        os.setsid()
        daemon = os.fork()
        if daemon == 0:
            os.close(r)
            for fd in (0, 1, 2):
                os.dup2(os.open(os.devnull, os.O_RDWR), fd)
            os.write(w, b"%d\n" % os.getpid())
            os.close(w)
            time.sleep(3600)
            os._exit(0)
        os._exit(0)  # the daemon is orphaned
    os.close(w)
    daemon_pid = int(os.read(r, 64).decode().strip())
    os.close(r)
    os.waitpid(middle, 0)
    write_pids(os.getpid(), setsid_child, daemon_pid)


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[1] not in MODES:
        log(f"usage: stdio_stub.py MODE  (one of: {', '.join(sorted(MODES))})")
        sys.exit(2)
    mode = sys.argv[1]
    log(f"stub {mode} started")
    if mode == "slow-dual":
        time.sleep(3.2)
    if mode == "slow-start":
        time.sleep(int(os.environ.get("STUB_DELAY_MS", "0")) / 1000)
    if mode == "leak-env":
        log(f"API_KEY={os.environ.get('API_KEY', '')}")
    if mode == "ignore-term":
        start_ignore_term()
    if mode == "escape":
        start_escape()
    if mode == "crash-usage":
        log("Error: unable to create /nonexistent/state: permission denied")
        for i in range(30):
            log(f"  --option-{i:02}  what option {i} does (usage text)")
        sys.exit(1)
    if mode in ("flood-requests", "flood-big-requests"):
        pad = "x" * 4096 if mode == "flood-big-requests" else None
        for n in range(1, 1001 if pad else 5001):
            send({"jsonrpc": "2.0", "id": f"{n}-{pad}" if pad else n, "method": "ping"})
        while True:
            time.sleep(3600)

    counter = 0
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8", errors="replace").strip()
        if not line:
            continue
        counter += 1
        handle(mode, line, counter)

    # stdin reached EOF
    if mode in ("ignore-term", "escape"):
        while True:
            time.sleep(3600)
    if mode == "slow-exit":
        time.sleep(0.2)
    sys.exit(0)


if __name__ == "__main__":
    main()
