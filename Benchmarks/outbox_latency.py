#!/usr/bin/env python3
"""Latency of Postdesk's confirmations: from a customer's mail landing in the maildir to the confirmation
accepted by the SMTP server (aiosmtpd on loopback), with the daemon (`postdesk run`) otherwise idle.

This is an upper bound of "committed ticket to confirmation accepted": it also contains the inotify wake-up,
parsing, the ingest transaction and its fsyncs. Prints p50/p90/p99/max in milliseconds as JSON.

Usage: outbox_latency.py POSTDESK_BINARY [--count N] [--interval SECONDS]
"""
import argparse, json, os, shutil, signal, subprocess, sys, tempfile, time, email

ap = argparse.ArgumentParser()
ap.add_argument("binary")
ap.add_argument("--count", type=int, default=300)
ap.add_argument("--interval", type=float, default=0.05)
args = ap.parse_args()
here = os.path.dirname(os.path.abspath(__file__))
root = tempfile.mkdtemp(prefix="pd-latency-")
try:
    sink_out = os.path.join(root, "sink")
    sink = subprocess.Popen([sys.executable, os.path.join(here, "..", "Tests", "Support", "smtp_sink.py"), sink_out],
                            stdout=subprocess.PIPE, text=True)
    port = int(sink.stdout.readline().split()[1])
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(root, "mail", sub))
    conf = os.path.join(root, "postdesk.conf")
    with open(conf, "w") as f:
        f.write(f"""[helpdesk]
database = db/postdesk.sqlite
data_dir = data
[mailbox support]
maildir = mail
address = support@acme.test
tag = Acme
[outbound]
transport = smtp
url = smtp://127.0.0.1:{port}
starttls = off
""")
    daemon = subprocess.Popen([args.binary, "--config", conf, "run"], stderr=subprocess.PIPE, text=True)
    while "postdesk running" not in daemon.stderr.readline():
        pass
    # Drain the daemon's log in the background so it never blocks on a full pipe.
    import threading
    threading.Thread(target=lambda: [None for _ in daemon.stderr], daemon=True).start()
    time.sleep(0.5)
    landed = {}
    for i in range(args.count):
        text = (f"From: Customer {i} <c{i}@example.org>\r\nTo: support@acme.test\r\nSubject: Question {i}\r\n"
                f"Message-ID: <lat{i}@example.org>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n\r\nHello, question {i}.\r\n")
        tmp = os.path.join(root, "mail", "tmp", f"{i}.lat")
        with open(tmp, "w") as f:
            f.write(text)
        landed[f"<lat{i}@example.org>"] = time.time_ns()
        os.rename(tmp, os.path.join(root, "mail", "new", f"{i}.lat"))
        time.sleep(args.interval)
    deadline = time.time() + 60
    while time.time() < deadline and len([n for n in os.listdir(sink_out) if n.endswith(".eml")]) < args.count:
        time.sleep(0.1)
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=30)
    sink.send_signal(signal.SIGTERM)
    sink.wait(timeout=10)
    latencies = []
    for n in os.listdir(sink_out):
        if not n.endswith(".eml"):
            continue
        p = os.path.join(sink_out, n)
        with open(p, "rb") as f:
            m = email.message_from_binary_file(f)
        irt = (m["In-Reply-To"] or "").strip()
        if irt in landed:
            latencies.append((os.stat(p).st_mtime_ns - landed[irt]) / 1e6)
    latencies.sort()
    def pct(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1) if latencies else None
    print(json.dumps({"mails": args.count, "confirmed": len(latencies), "interval_s": args.interval,
                      "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99), "max_ms": round(latencies[-1], 1) if latencies else None}))
finally:
    shutil.rmtree(root, ignore_errors=True)
