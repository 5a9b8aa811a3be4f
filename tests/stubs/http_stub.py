#!/usr/bin/env python3
"""Stub HTTP MCP server for mcpmon integration tests (Python 3.11, stdlib only).

Usage: http_stub.py MODE

Binds 127.0.0.1 on an ephemeral port and prints "PORT <n>" as its first stdout
line. Exits when stdin reaches EOF or on SIGTERM. Every method (GET, POST, PUT,
DELETE, OPTIONS) gets the mode's behaviour unless noted. If the env var STUB_LOG
is set, one line per request is appended to it (in every mode):
  METHOD PATH mcp-session-id=<..> mcp-protocol-version=<..>
      authorization-present=<yes|no> jsonrpc-method=<..>      ("-" when absent)

Modes:
  html         200 text/html, a tiny single-page-app shell.
  auth         401, WWW-Authenticate: Bearer ... resource_metadata=<this server>.
  forbidden    403, WWW-Authenticate: Bearer error="insufficient_scope" ...
  error500     500 text/plain "internal error".
  endless      200 application/json, chunked, a JSON body that never ends.
  endless-sse  200 text/event-stream, chunked, endless notification events.
  die-mid      200 with Content-Length 5000, sends 100 bytes, then closes.
  hang         reads the request and never answers.
  not-found    404 text/html "Cannot POST /mcp" (Express style).
  server-request  legacy-ok, but the tools/list reply is an SSE stream that first sends a
               server->client ping (id "srv-1") and holds the result until the client POSTs
               its reply (tool "alpha"), or 3 s pass (tool "unanswered").
  health-json  a REST health service: GET /api/mcp/health (healthy JSON), /degraded (an unhealthy
               one), /metrics (Prometheus text), /api/health (an mcp-hub document with missing
               fields), /api/filtering/stats (the fork's filtering statistics), /stats (LLM, cache,
               queue and circuit-breaker statistics), /counter (a number that grows by one per request),
               /sync/status (one service synced 10 s ago in epoch ms, one last synced in 2020 in
               RFC 3339); anything else 404 HTML.
  tls-json     health-json over HTTPS, with the certificate and key named by the env vars STUB_CERT
               and STUB_KEY (PEM files). Any other mode is served over HTTPS too when STUB_CERT is set.
  receiver     a webhook receiver: answers 200 "ok" to everything and appends one line per request,
               `METHOD PATH BODY` (the body on one line), to the file named by STUB_BODIES; with
               STUB_ANNOUNCE set it also prints `REQ METHOD PATH` on stdout per request. While the file
               named by STUB_DOWN_FILE exists it answers 503 instead and records nothing (a receiver
               that is down, brought back by removing the file).
  load-faults  legacy-ok, but the k-th ping (counted from 0 across connections) is answered by
               k % 6: 0 JSON with Content-Length; 1 an SSE stream (chunked) that ends after the
               reply; 2 an SSE stream that stays open 300 ms after the reply; 3 JSON with
               "Connection: close", then a close; 4 JSON, then the connection closes without a
               word (the client's next request on it finds it dead); 5 HTTP 500 text/plain.
  resume       legacy-ok, but the tools/list reply stream carries only a priming event
               (id "ev-1", retry 20 ms) and ends; a GET with Last-Event-ID: ev-1 and the session
               gets the response (id "ev-2"). The first GET ends at once without it (the client must
               try again); GETs without Last-Event-ID get 405.
  hostile-hub  GET /api/health: a ready mcp-hub whose server "pwn" reports config_source = the
               file named by STUB_HUB_CONFIG (a hub pointing mcpmon at a config it chose).
  modern-open  a stateless 2026-07-28 server on /mcp that answers 400 -32602 "Invalid _meta envelope"
               to any request whose params._meta lacks io.modelcontextprotocol/clientCapabilities
               (whatever its headers), and with a complete envelope answers server/discover
               (tools), tools/list (alpha, with resultType/ttlMs/cacheScope), -32601 otherwise; it
               checks neither Host/Origin nor MCP-Protocol-Version (issue 19: context7 4.1.1,
               mongodb-mcp-server 3.0.4, mcp-proxy 6.7.19, FastMCP 4.x).
  modern-guarded  modern-open, but a Host or Origin other than 127.0.0.1/localhost gets 421/403 and
               an MCP-Protocol-Version other than 2026-07-28 gets 400 -32600.
  modern-discover-once  modern-open, but only the first server/discover is answered; every later
               one gets the same 400 -32602 envelope error (a control request is refused too).
  echo-secrets a server that echoes what it was sent (its Authorization header and query string,
               as ECHO below) everywhere a server string can reach mcpmon's output: POST /mcp is a
               Streamable HTTP server whose serverInfo.name, tool name and ping error message carry
               ECHO; /401 answers 401 with error_description="got ECHO"; /500 answers 500 with 140
               characters of padding, then ECHO (a secret that straddles an excerpt's cut);
               /api/health is a ready mcp-hub whose server "s1" failed with "auth failed: ECHO";
               /health answers 503 "unhealthy: ECHO"; any other POST (a webhook) answers 500
               "bad hook PATH" (the webhook's path is its token).
  busy         legacy-ok, but every request first spins the CPU for 300 ms (a server whose CPU use is
               all caused by the requests it gets: idle, it uses none).
  side-by-side legacy-ok, but tools/list, prompts/list and ping are each held until all three have
               arrived (a client that sends them side by side); when they come one at a time, each is
               answered after 3 s with the JSON-RPC error "requests came one at a time".
  legacy-ok    minimal correct Streamable HTTP (2025-06-18) server on /mcp:
               server/discover -> 400 "Server not initialized"; initialize -> 200
               with Mcp-Session-Id: stub-session-1; notifications -> 202;
               tools/list (needs the session header, else 400) -> alpha, beta;
               prompts/list -> p1; ping -> {}; DELETE /mcp -> 200; GET /mcp -> 405.
"""
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODE = sys.argv[1] if len(sys.argv) == 2 else None
MODES = {"html", "auth", "forbidden", "error500", "endless", "endless-sse", "die-mid",
         "hang", "not-found", "legacy-ok", "load-faults", "resume", "server-request", "health-json", "tls-json", "receiver",
         "modern-open", "modern-guarded", "modern-discover-once", "hostile-hub", "echo-secrets", "busy", "side-by-side"}
KNOWN_VERSIONS = {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}
SESSION = "stub-session-1"
HTML = (b'<!doctype html><html><head><title>App</title></head>'
        b'<body><div id="root"></div></body></html>')
LOG_LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # silence request logging
        pass

    # ---- helpers -------------------------------------------------------
    def read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()  # CRLF after each chunk
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def reply(self, status, body=b"", ctype=None, headers=()):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def reply_json(self, status, obj, headers=()):
        body = json.dumps(obj, separators=(",", ":")).encode()
        self.reply(status, body, "application/json", headers)

    def write_chunk(self, data: bytes):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def log_request_line(self, msg):
        path = os.environ.get("STUB_LOG")
        if not path:
            return
        rpc = msg.get("method", "-") if isinstance(msg, dict) else "-"
        h = self.headers
        line = (f"{self.command} {self.path} "
                f"mcp-session-id={h.get('Mcp-Session-Id', '-')} "
                f"mcp-protocol-version={h.get('MCP-Protocol-Version', '-')} "
                f"authorization-present={'yes' if 'Authorization' in h else 'no'} "
                f"jsonrpc-method={rpc} "
                f"jsonrpc-id={msg.get('id', '-') if isinstance(msg, dict) else '-'}\n")
        with LOG_LOCK, open(path, "a") as f:
            f.write(line)
            f.flush()

    # ---- dispatch ------------------------------------------------------
    def dispatch(self):
        body = self.read_body()
        self.raw_body = body
        try:
            msg = json.loads(body) if body else None
        except ValueError:
            msg = None
        self.log_request_line(msg)
        try:
            getattr(self, "mode_" + MODE.replace("-", "_"))(msg)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # client went away: stop quietly

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = dispatch

    # ---- modes ---------------------------------------------------------
    def echo(self):
        path, _, query = self.path.partition("?")
        return f"{self.headers.get('Authorization', '')} {query}".strip()

    def mode_echo_secrets(self, msg):
        path = self.path.partition("?")[0]
        echo = self.echo()
        if path == "/mcp" and self.command == "POST" and isinstance(msg, dict):
            method, rid = msg.get("method"), msg.get("id")
            if rid is None:
                return self.reply(202)
            if method == "initialize":
                return self.reply_json(200, {"jsonrpc": "2.0", "id": rid, "result": {
                    "protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
                    "serverInfo": {"name": f"srv {echo}", "version": "1"}}},
                    [("Mcp-Session-Id", SESSION)])
            if method == "tools/list":
                return self.reply_json(200, {"jsonrpc": "2.0", "id": rid, "result": {"tools": [
                    {"name": f"t {echo}", "inputSchema": {"type": "object"}}]}})
            if method == "ping":
                return self.reply_json(200, {"jsonrpc": "2.0", "id": rid, "error": {
                    "code": -32603, "message": f"refused {echo}"}})
            return self.reply_json(200, {"jsonrpc": "2.0", "id": rid, "error": {
                "code": -32601, "message": "Method not found"}})
        if path == "/401":
            www = f'Bearer realm="mcp", error="invalid_token", error_description="got {echo}"'
            return self.reply_json(401, {"error": f"unauthorized {echo}"}, [("WWW-Authenticate", www)])
        if path == "/500":
            return self.reply(500, ("x" * 140 + " " + echo).encode(), "text/plain")
        if path == "/api/health":
            return self.reply_json(200, {"status": "ok", "state": "ready", "server_id": "hub",
                "version": "4.2.1", "activeClients": 0, "servers": [
                    {"name": "s1", "status": "disconnected", "error": f"auth failed: {echo}"}]})
        if path == "/health":
            return self.reply(503, f"unhealthy: {echo}".encode(), "text/plain")
        if self.command == "POST":
            return self.reply(500, f"bad hook {self.path}".encode(), "text/plain")
        self.reply(405)

    def mode_busy(self, msg):
        end = time.process_time() + 0.3
        while time.process_time() < end:
            pass
        self.mode_legacy_ok(msg)

    def mode_html(self, msg):
        self.reply(200, HTML, "text/html; charset=utf-8")

    def mode_auth(self, msg):
        port = self.server.server_address[1]
        meta = f"http://127.0.0.1:{port}/.well-known/oauth-protected-resource"
        www = f'Bearer realm="mcp", error="invalid_token", resource_metadata="{meta}"'
        self.reply_json(401, {"error": "unauthorized"}, [("WWW-Authenticate", www)])

    def mode_forbidden(self, msg):
        www = 'Bearer error="insufficient_scope", scope="mcp:read"'
        self.reply_json(403, {"error": "insufficient_scope"}, [("WWW-Authenticate", www)])

    def mode_error500(self, msg):
        self.reply(500, b"internal error", "text/plain")

    def start_chunked(self, ctype):
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def mode_endless(self, msg):
        self.start_chunked("application/json")
        self.write_chunk(b'{"jsonrpc":"2.0","id":1,"result":{"pad":"')
        block = b"a" * 65536
        while True:
            self.write_chunk(block)

    def mode_endless_sse(self, msg):
        self.start_chunked("text/event-stream")
        note = {"jsonrpc": "2.0", "method": "notifications/message",
                "params": {"data": "p" * 1024}}
        data = json.dumps(note, separators=(",", ":")).encode()
        event = b"event: message\ndata: " + data + b"\n\n"
        while True:
            self.write_chunk(event)

    def mode_die_mid(self, msg):
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "5000")
        self.end_headers()
        body = b'{"jsonrpc":"2.0","id":1,"result":{"pad":"' + b"a" * 5000
        self.wfile.write(body[:100])
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()

    def mode_hang(self, msg):
        time.sleep(3600)

    def mode_not_found(self, msg):
        self.reply(404, b"<html><body>Cannot POST /mcp</body></html>",
                   "text/html; charset=utf-8")

    def mode_server_request(self, msg):
        """legacy-ok, but tools/list answers over SSE: first a server->client ping, then the
        result only once the client has POSTed its reply (or after 3 s without one)."""
        if isinstance(msg, dict) and msg.get("id") == "srv-1" and "result" in msg:
            SRV_REPLY.set()
            return self.reply(202)
        if isinstance(msg, dict) and msg.get("method") == "tools/list":
            self.start_chunked("text/event-stream")
            ping = {"jsonrpc": "2.0", "id": "srv-1", "method": "ping"}
            self.write_chunk(b"event: message\ndata: " + json.dumps(ping).encode() + b"\n\n")
            self.wfile.flush()
            answered = SRV_REPLY.wait(3)
            tools = [{"name": "alpha" if answered else "unanswered", "inputSchema": {"type": "object"}}]
            result = {"jsonrpc": "2.0", "id": msg.get("id"), "result": {"tools": tools}}
            self.write_chunk(b"event: message\ndata: " + json.dumps(result).encode() + b"\n\n")
            self.write_chunk(b"")
            return
        return self.mode_legacy_ok(msg)

    def mode_health_json(self, msg):
        path = self.path.split("?")[0]
        if path == "/api/mcp/health":
            return self.reply_json(200, {"status": "ok", "mcp": {"connected": True},
                                         "websocket": {"successRate": 97.5, "reconnections": "2"}})
        if path == "/degraded":
            return self.reply_json(200, {"status": "degraded", "mcp": {"connected": False},
                                         "websocket": {"successRate": 81.0}})
        if path == "/metrics":
            body = (b"# TYPE mcp_requests_total counter\n"
                    b'mcp_requests_total{server="a",code="200"} 1027\n'
                    b'mcp_requests_total{server="a",code="500"} 3\n'
                    b"mcp_queue_depth 12\n")
            return self.reply(200, body, "text/plain; version=0.0.4")
        if path == "/counter":
            # a counter that grows by one per request (for observe mode)
            with LOG_LOCK:
                COUNTER[0] += 1
                n = COUNTER[0]
            return self.reply_json(200, {"llm": {"totalRequests": n, "errors": 0}, "uptime": "n/a"})
        if path == "/stats":
            # a stats document in the shape of the source's /api/filtering/stats (names differ from
            # config/alerts.json's: llm_success_rate is llm.successRate here)
            return self.reply_json(200, {"llm": {"successRate": 97.0, "p95Latency": 2300, "totalRequests": 1200},
                                         "cache": {"hitRate": 0.85, "size": 120},
                                         "queue": {"depth": 12, "processed": 880},
                                         "circuitBreaker": {"state": "half-open", "failures": 1}})
        if path == "/sync/status":
            # a sync status: one service synced 10 s ago (epoch ms), one stuck since 2020 (RFC 3339)
            now_ms = int(time.time() * 1000)
            return self.reply_json(200, {"xero": {"lastSync": now_ms - 10_000},
                                         "stripe": {"lastSync": "2020-01-01T00:00:00Z"}})
        if path == "/api/filtering/stats":
            return self.reply_json(200, {"enabled": True, "mode": "server-allowlist",
                                         "totalTools": 22, "filteredTools": 5, "filterRate": 22.7})
        if path == "/api/health":
            return self.reply_json(200, {"status": "ok", "servers": [{"name": "a"}]})
        return self.mode_not_found(msg)

    def mode_hostile_hub(self, msg):
        # a ready mcp-hub whose one server names a config file the hub chose (STUB_HUB_CONFIG): a
        # monitor that trusted it would read that file and start the commands in it
        if self.path.split("?")[0] == "/api/health":
            return self.reply_json(200, {
                "status": "ok", "state": "ready",
                "servers": [{"name": "pwn", "status": "connected",
                             "config_source": os.environ.get("STUB_HUB_CONFIG", "/etc/passwd")}]})
        return self.mode_not_found(msg)

    def mode_receiver(self, msg):
        down = os.environ.get("STUB_DOWN_FILE")
        if down and os.path.exists(down):
            return self.reply(503, b"down", "text/plain")
        if os.environ.get("STUB_ANNOUNCE"):
            # one line per request on stdout, so a test can wait for traffic without sleeping
            with LOG_LOCK:
                print(f"REQ {self.command} {self.path}", flush=True)
        path = os.environ.get("STUB_BODIES")
        if path:
            if msg is not None:
                body = json.dumps(msg, separators=(",", ":"))
            elif getattr(self, "raw_body", b""):
                # a text body (a ping's report, ntfy) is logged as {"text": …}
                body = json.dumps({"text": self.raw_body.decode("utf-8", "replace")}, separators=(",", ":"))
            else:
                body = "-"
            with LOG_LOCK, open(path, "a") as f:
                f.write(f"{self.command} {self.path} {body}\n")
                f.flush()
        return self.reply(200, b"ok", "text/plain")

    def mode_tls_json(self, msg):
        return self.mode_health_json(msg)

    def mode_load_faults(self, msg):
        if not (isinstance(msg, dict) and msg.get("method") == "ping"):
            return self.mode_legacy_ok(msg)
        with LOG_LOCK:
            k = PINGS[0]
            PINGS[0] += 1
        reply = {"jsonrpc": "2.0", "id": msg.get("id"), "result": {}}
        event = b"event: message\ndata: " + json.dumps(reply).encode() + b"\n\n"
        case = k % 6
        if case == 0:
            return self.reply_json(200, reply)
        if case in (1, 2):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.write_chunk(event)
            self.wfile.flush()
            if case == 2:
                time.sleep(0.3)  # the stream stays open after the reply
            self.write_chunk(b"")
            return
        if case == 3:
            self.close_connection = True
            return self.reply_json(200, reply, [("Connection", "close")])
        if case == 4:
            self.reply_json(200, reply)
            self.close_connection = True  # closes without saying so
            return
        return self.reply(500, b"internal error", "text/plain")

    def mode_resume(self, msg):
        if self.command == "GET" and self.headers.get("Last-Event-ID") == "ev-1":
            with LOG_LOCK:
                PENDING["gets"] = PENDING.get("gets", 0) + 1
                first = PENDING["gets"] == 1
                held = PENDING.get("reply")
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if not first and held is not None:
                self.write_chunk(b"id: ev-2\ndata: " + json.dumps(held).encode() + b"\n\n")
            self.write_chunk(b"")
            return
        if isinstance(msg, dict) and msg.get("method") == "tools/list":
            tools = [{"name": "alpha", "inputSchema": {"type": "object"}},
                     {"name": "beta", "inputSchema": {"type": "object"}}]
            with LOG_LOCK:
                PENDING["reply"] = {"jsonrpc": "2.0", "id": msg.get("id"), "result": {"tools": tools}}
                PENDING["gets"] = 0
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.write_chunk(b"id: ev-1\nretry: 20\ndata: \n\n")
            self.write_chunk(b"")
            return
        return self.mode_legacy_ok(msg)

    def mode_modern_open(self, msg):
        self.modern(msg, guarded=False, discover_once=False)

    def mode_modern_guarded(self, msg):
        self.modern(msg, guarded=True, discover_once=False)

    def mode_modern_discover_once(self, msg):
        self.modern(msg, guarded=False, discover_once=True)

    def modern(self, msg, guarded, discover_once):
        if self.path.split("?")[0] != "/mcp":
            return self.mode_not_found(msg)
        if self.command != "POST":
            return self.reply(405, b"Method Not Allowed", "text/plain", [("Allow", "POST")])
        if not isinstance(msg, dict):
            return self.reply_json(400, {"jsonrpc": "2.0", "id": None, "error": {
                "code": -32700, "message": "Parse error"}})
        method, req_id = msg.get("method"), msg.get("id")
        if method is None or "id" not in msg:
            return self.reply(202)
        envelope_error = {"jsonrpc": "2.0", "id": req_id, "error": {
            "code": -32602, "message": "Invalid _meta envelope: "
            "io.modelcontextprotocol/clientCapabilities: missing"}}
        meta = (msg.get("params") or {}).get("_meta") or {}
        if "io.modelcontextprotocol/clientCapabilities" not in meta:
            return self.reply_json(400, envelope_error)
        if guarded:
            port = self.server.server_address[1]
            local = {f"127.0.0.1:{port}", f"localhost:{port}"}
            if self.headers.get("Host") not in local:
                return self.reply(421, b"Invalid Host header", "text/plain")
            origin = self.headers.get("Origin")
            if origin is not None and origin.split("://", 1)[-1] not in local:
                return self.reply(403, b"Invalid Origin header", "text/plain")
            if self.headers.get("MCP-Protocol-Version") != "2026-07-28":
                return self.reply_json(400, {"jsonrpc": "2.0", "id": req_id, "error": {
                    "code": -32600, "message": "Unsupported MCP-Protocol-Version"}})
        if method == "server/discover":
            with LOG_LOCK:
                DISCOVERS[0] += 1
                n = DISCOVERS[0]
            if discover_once and n > 1:
                return self.reply_json(400, envelope_error)
            result = {"supportedVersions": ["2026-07-28"], "capabilities": {"tools": {}},
                      "_meta": {"io.modelcontextprotocol/serverInfo": {
                          "name": "stub-modern", "version": "4.0.0"}}}
            return self.reply_json(200, {"jsonrpc": "2.0", "id": req_id, "result": result})
        if method == "tools/list":
            result = {"tools": [{"name": "alpha", "inputSchema": {"type": "object"}}],
                      "resultType": "complete", "ttlMs": 0, "cacheScope": "public"}
            return self.reply_json(200, {"jsonrpc": "2.0", "id": req_id, "result": result})
        return self.reply_json(200, {"jsonrpc": "2.0", "id": req_id, "error": {
            "code": -32601, "message": "Method not found"}})

    def mode_side_by_side(self, msg):
        if isinstance(msg, dict) and msg.get("method") in ("tools/list", "prompts/list", "ping"):
            try:
                TOGETHER.wait()
            except threading.BrokenBarrierError:
                return self.reply_json(200, {"jsonrpc": "2.0", "id": msg.get("id"), "error": {
                    "code": -32000, "message": "requests came one at a time"}})
        return self.mode_legacy_ok(msg)

    def mode_legacy_ok(self, msg):
        if self.path.split("?")[0] != "/mcp":
            return self.mode_not_found(msg)
        if self.command == "DELETE":
            return self.reply(200)
        if self.command != "POST":
            return self.reply(405, b"Method Not Allowed", "text/plain",
                              [("Allow", "POST, DELETE")])
        if not isinstance(msg, dict):
            return self.reply_json(400, {"jsonrpc": "2.0", "id": None, "error": {
                "code": -32700, "message": "Parse error"}})
        method, req_id = msg.get("method"), msg.get("id")
        if method is None or "id" not in msg:
            return self.reply(202)  # notification or client response
        if method == "server/discover":
            return self.reply_json(400, {"jsonrpc": "2.0", "id": None, "error": {
                "code": -32000, "message": "Bad Request: Server not initialized"}})
        if method == "initialize":
            params = msg.get("params") or {}
            requested = params.get("protocolVersion")
            version = requested if requested in KNOWN_VERSIONS else "2025-11-25"
            result = {"protocolVersion": version,
                      "capabilities": {"tools": {}, "prompts": {}},
                      "serverInfo": {"name": "stub-http", "version": "1.2.3"}}
            return self.reply_json(200, {"jsonrpc": "2.0", "id": req_id, "result": result},
                                   [("Mcp-Session-Id", SESSION)])
        if method == "tools/list":
            if self.headers.get("Mcp-Session-Id") != SESSION:
                return self.reply_json(400, {"jsonrpc": "2.0", "id": req_id, "error": {
                    "code": -32000, "message": "Bad Request: No valid session ID provided"}})
            tools = [{"name": "alpha", "inputSchema": {"type": "object"}},
                     {"name": "beta", "inputSchema": {"type": "object"}}]
            return self.reply_json(200, {"jsonrpc": "2.0", "id": req_id,
                                         "result": {"tools": tools}})
        if method == "prompts/list":
            return self.reply_json(200, {"jsonrpc": "2.0", "id": req_id,
                                         "result": {"prompts": [{"name": "p1"}]}})
        if method == "ping":
            return self.reply_json(200, {"jsonrpc": "2.0", "id": req_id, "result": {}})
        return self.reply_json(200, {"jsonrpc": "2.0", "id": req_id, "error": {
            "code": -32601, "message": "Method not found"}})


SRV_REPLY = threading.Event()
TOGETHER = threading.Barrier(3, timeout=3)  # mode side-by-side
PINGS = [0]
PENDING = {}  # mode resume: the held response, and how many GETs came for it
COUNTER = [0]
DISCOVERS = [0]  # modern modes: server/discover requests answered so far


def exit_on_stdin_eof():
    while sys.stdin.buffer.read1(65536):
        pass
    os._exit(0)


def main():
    if MODE not in MODES:
        sys.stderr.write(f"usage: http_stub.py MODE  (one of: {', '.join(sorted(MODES))})\n")
        sys.exit(2)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if MODE == "tls-json" or os.environ.get("STUB_CERT"):
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.environ["STUB_CERT"], os.environ["STUB_KEY"])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(f"PORT {server.server_address[1]}", flush=True)
    threading.Thread(target=exit_on_stdin_eof, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
