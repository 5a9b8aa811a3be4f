"""A real SMTP receiver for mcpmon's email tests: aiosmtpd on 127.0.0.1 (an ephemeral port), with
STARTTLS (a certificate from a private CA made at start by openssl into DIR) required before AUTH, and
AUTH PLAIN/LOGIN required before MAIL, checked against SMTP_USER / SMTP_PASSWORD.

    python smtp_sink.py DIR

Prints `PORT <n>` once listening (the CA certificate is DIR/cert.pem, for the client to trust); writes each
accepted message as one JSON line {"from", "to", "auth", "tls", "data"} to DIR/messages.jsonl. Stops
when stdin closes (the test drops its handle).
"""

import asyncio
import json
import os
import socket
import ssl
import subprocess
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

DIR = sys.argv[1]
USER = os.environ.get("SMTP_USER", "mcpmon")
PASSWORD = os.environ.get("SMTP_PASSWORD", "s3cret-pass")

# A private CA (DIR/cert.pem, what the client trusts) and the server's own certificate signed by it
# (webpki refuses a CA certificate used as the server's): openssl CLI, 2 days, for 127.0.0.1.
cert, key = os.path.join(DIR, "server.pem"), os.path.join(DIR, "server.key")
ca, ca_key = os.path.join(DIR, "cert.pem"), os.path.join(DIR, "ca.key")
ext = os.path.join(DIR, "server.ext")
with open(ext, "w") as f:
    f.write("basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
for args in (
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
     "-subj", "/CN=mcpmon test CA"],
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert + ".csr", "-subj", "/CN=localhost"],
    ["x509", "-req", "-in", cert + ".csr", "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
     "-days", "2", "-extfile", ext],
):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER \
        and auth_data.password.decode() == PASSWORD
    return AuthResult(success=ok, handled=False)


class Sink:
    async def handle_DATA(self, server, session, envelope):
        line = json.dumps({
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "auth": session.authenticated,
            "tls": session.ssl is not None,
            "data": envelope.content.decode("utf-8", "replace"),
        })
        with open(os.path.join(DIR, "messages.jsonl"), "a") as f:
            f.write(line + "\n")
        return "250 OK"


# aiosmtpd's Controller checks it is up by connecting to its port, so it needs a real one: a free port
# from the kernel (bound and released just before)
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
controller = Controller(
    Sink(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
    authenticator=authenticator, auth_required=True, auth_require_tls=True,
)
controller.start()
print(f"PORT {port}", flush=True)
try:
    sys.stdin.read()
finally:
    controller.stop()
