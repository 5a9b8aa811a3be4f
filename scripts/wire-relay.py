#!/usr/bin/env python3
"""A loopback TCP relay that records the JSON-RPC methods clients send through it (for the benchmarks:
what mcpmon puts on the wire). Usage: wire-relay.py UPSTREAM_PORT OUT_FILE. Listens on an ephemeral port of
127.0.0.1, prints "PORT <n>", relays every connection to 127.0.0.1:UPSTREAM_PORT both ways, and appends the
"method" of every JSON-RPC message it sees going upstream to OUT_FILE, one per line. With RELAY_DELAY_MS set,
each chunk going upstream waits that long first (a network's latency, per connection). Stdlib only."""
import json
import os
import socket
import sys
import threading
import time

UPSTREAM, OUT = int(sys.argv[1]), sys.argv[2]
LOCK = threading.Lock()
DELAY = float(os.environ.get("RELAY_DELAY_MS", "0")) / 1000


def methods(body):
    try:
        msg = json.loads(body)
    except ValueError:
        return []
    msgs = msg if isinstance(msg, list) else [msg]
    return [m["method"] for m in msgs if isinstance(m, dict) and isinstance(m.get("method"), str)]


def upstream_side(src, dst):
    """Relays client bytes, parsing HTTP/1.1 requests (Content-Length bodies) to record their methods."""
    buf = b""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if DELAY:
                time.sleep(DELAY)
            dst.sendall(data)
            buf += data
            while True:
                head_end = buf.find(b"\r\n\r\n")
                if head_end < 0:
                    break
                length = 0
                for line in buf[:head_end].split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip() or 0)
                if len(buf) < head_end + 4 + length:
                    break
                body = buf[head_end + 4:head_end + 4 + length]
                buf = buf[head_end + 4 + length:]
                found = methods(body)
                if found:
                    with LOCK, open(OUT, "a") as f:
                        f.write("".join(m + "\n" for m in found))
    except OSError:
        pass
    finally:
        close(src, dst)


def downstream_side(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        close(src, dst)


def close(*socks):
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(client):
    up = socket.create_connection(("127.0.0.1", UPSTREAM), timeout=10)
    up.settimeout(None)
    threading.Thread(target=downstream_side, args=(up, client), daemon=True).start()
    upstream_side(client, up)


def main():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print("PORT", listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client,), daemon=True).start()


if __name__ == "__main__":
    main()
