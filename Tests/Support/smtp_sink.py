#!/usr/bin/env python3
"""A real SMTP server on loopback for Postdesk's tests (aiosmtpd).

Usage: smtp_sink.py OUT_DIR [--tls CERT KEY] [--require-tls] [--implicit-tls] [--auth USER:PASS]
                    [--reject ADDR=CODE ...] [--tempfail-first N] [--slow-data SECONDS] [--port N]
                    [--hang | --trickle SECONDS_PER_BYTE] [--gate FILE]

Listens on 127.0.0.1 on a free port, prints "PORT <n>" on stdout when ready, writes each accepted message
into OUT_DIR/<n>.eml (one file per recipient, with "X-Sink-Rcpt:" and "X-Sink-Session:" lines first), and
counts sessions in OUT_DIR/sessions. It stops on SIGTERM.

--reject ADDR=CODE answers RCPT for ADDR with CODE (e.g. 450 or 550); --tempfail-first N answers the first N
DATA commands with 451 (a greylisting server); --slow-data waits before answering DATA; --gate FILE holds
every DATA until FILE exists (OUT_DIR/at-gate appears while one waits), so a test can choose the moment a
send completes.

Misbehaving servers (plain SMTP only), for the fault tests:
--hang accepts connections and never answers anything (not even the greeting);
--trickle S speaks SMTP but writes every answer one byte every S seconds (1 = a byte a second).
Both count connections: OUT_DIR/accepted (ever accepted) and OUT_DIR/open (open now).
"""
import argparse, asyncio, os, signal, ssl, sys, threading, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword, SMTP

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--tls", nargs=2)
ap.add_argument("--require-tls", action="store_true")
ap.add_argument("--implicit-tls", action="store_true")
ap.add_argument("--auth")
ap.add_argument("--reject", action="append", default=[])
ap.add_argument("--tempfail-first", type=int, default=0)
ap.add_argument("--slow-data", type=float, default=0)
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--hang", action="store_true")
ap.add_argument("--trickle", type=float, default=0)
ap.add_argument("--gate")
args = ap.parse_args()
os.makedirs(args.out, exist_ok=True)
rejects = dict(r.split("=", 1) for r in args.reject)
state = {"n": 0, "data": 0, "sessions": 0}
lock = threading.Lock()


class Handler:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with lock:
            state["sessions"] += 1
            open(os.path.join(args.out, "sessions"), "w").write(str(state["sessions"]))
        session.sink_id = state["sessions"]
        # A handle_EHLO hook must record the client's name itself, or aiosmtpd answers MAIL with 503.
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = rejects.get(address.lower())
        if code:
            return f"{code} {'Mailbox unavailable, try later' if code.startswith('4') else 'No such user here'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if args.gate:
            while not os.path.exists(args.gate):
                open(os.path.join(args.out, "at-gate"), "w").close()
                await asyncio.sleep(0.05)
        if args.slow_data:
            await asyncio.sleep(args.slow_data)
        with lock:
            state["data"] += 1
            if state["data"] <= args.tempfail_first:
                return "451 Greylisted, try again later"
        for rcpt in envelope.rcpt_tos:
            with lock:
                state["n"] += 1
                n = state["n"]
            path = os.path.join(args.out, f"{n:06d}.eml")
            with open(path + ".tmp", "wb") as f:
                f.write(f"X-Sink-Rcpt: {rcpt}\r\nX-Sink-From: {envelope.mail_from}\r\nX-Sink-Session: {getattr(session, 'sink_id', 0)}\r\n".encode())
                f.write(envelope.original_content or envelope.content)
            os.rename(path + ".tmp", path)
        return "250 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    user, password = args.auth.split(":", 1)
    if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password:
        return AuthResult(success=True)
    # handled=False, or aiosmtpd answers nothing and the client hangs (see the toolchain notes).
    return AuthResult(success=False, handled=False)


tls_context = None
if args.tls:
    tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_context.load_cert_chain(args.tls[0], args.tls[1])

kwargs = dict(hostname="127.0.0.1", port=0)
if args.implicit_tls:
    kwargs["ssl_context"] = tls_context
else:
    kwargs["tls_context"] = tls_context
    kwargs["require_starttls"] = args.require_tls
if args.auth:
    kwargs["authenticator"] = authenticator
    kwargs["auth_require_tls"] = bool(tls_context)
    kwargs["auth_exclude_mechanism"] = ["CRAM-MD5"]

# Find a free port first (Controller needs a concrete one to probe readiness). Another process can take the
# port between the probe and the bind (tests run in parallel), and a port a test just freed can still be held
# for a moment: retry with a new port (or, with --port, the same one) instead of failing the test.
import socket

connections = {"accepted": 0, "open": 0}


def count_connection(delta):
    with lock:
        if delta > 0:
            connections["accepted"] += 1
        connections["open"] += delta
        for name in ("accepted", "open"):
            with open(os.path.join(args.out, name + ".tmp"), "w") as f:
                f.write(str(connections[name]))
            os.rename(os.path.join(args.out, name + ".tmp"), os.path.join(args.out, name))


class Hanging(asyncio.Protocol):
    """Accepts a connection, reads whatever comes, and never answers."""

    def connection_made(self, transport):
        self.transport = transport
        count_connection(+1)

    def data_received(self, data):
        pass

    def connection_lost(self, exc):
        count_connection(-1)


class Trickling(SMTP):
    """SMTP whose every answer goes out one byte at a time, args.trickle seconds apart."""

    def connection_made(self, transport):
        count_connection(+1)
        super().connection_made(transport)

    def connection_lost(self, exc):
        count_connection(-1)
        super().connection_lost(exc)

    def eof_received(self):
        # aiosmtpd keeps a half-closed connection open (until its 5-minute timeout); the client is gone, so
        # close it and let the open count say so.
        super().eof_received()
        return False

    async def push(self, status):
        response = (status.encode() if isinstance(status, str) else status) + b"\r\n"
        for i in range(len(response)):
            self._writer.write(response[i:i + 1])
            await self._writer.drain()
            await asyncio.sleep(args.trickle)


def start_misbehaving(loop):
    if args.hang:
        factory = Hanging
    else:
        factory = lambda: Trickling(Handler(), hostname="postdesk-test")
    loop.run_until_complete(loop.create_server(factory, "127.0.0.1", kwargs["port"]))
    count_connection(0)


def start_server():
    if args.port:
        kwargs["port"] = args.port
    else:
        s = socket.socket(); s.bind(("127.0.0.1", 0)); kwargs["port"] = s.getsockname()[1]; s.close()
    if args.hang or args.trickle:
        # No Controller: its readiness probe expects a prompt greeting.
        loop = asyncio.new_event_loop()
        start_misbehaving(loop)
        threading.Thread(target=loop.run_forever, daemon=True).start()
    elif args.implicit_tls:
        # Implicit TLS: run the server loop ourselves (Controller's readiness probe speaks plain SMTP).
        loop = asyncio.new_event_loop()
        loop.run_until_complete(loop.create_server(
            lambda: SMTP(Handler(), hostname="postdesk-test", authenticator=kwargs.get("authenticator"),
                         auth_require_tls=False), "127.0.0.1", kwargs["port"], ssl=tls_context))
        threading.Thread(target=loop.run_forever, daemon=True).start()
    else:
        Controller(Handler(), ready_timeout=10, **kwargs).start()

for attempt in range(50):
    try:
        start_server()
        break
    except Exception as error:  # bind races surface as OSError or as aiosmtpd's own wrapper
        if attempt == 49:
            raise
        print(f"sink: port {kwargs['port']} not usable ({error!r}), retrying", file=sys.stderr, flush=True)
        time.sleep(0.1)
print(f"PORT {kwargs['port']}", flush=True)
stop = threading.Event()
# Foundation's Process passes on the parent thread's blocked signals; unblock the ones we stop on.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
signal.signal(signal.SIGTERM, lambda *a: stop.set())
signal.signal(signal.SIGINT, lambda *a: stop.set())
stop.wait()
# Exit at once: every accepted message is already on disk, and a graceful controller.stop() would wait for
# clients that keep their connection open (Postdesk reuses its connection), hanging the test.
os._exit(0)
