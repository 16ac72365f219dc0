#!/usr/bin/env python3
"""The daemon at rest and under a trickle of mail (issue 6):

1. latency: COUNT customer mails renamed into new/ of an otherwise idle `postdesk run`, INTERVAL apart; each is
   timed from the rename until its file appears in cur/ (Postdesk moves a message there only after its ticket's
   transaction committed), seen through inotify;
2. idle: then the daemon is left alone for IDLE seconds; its CPU time over that span (utime + stime from
   /proc/PID/stat) and its resident memory (VmRSS, VmHWM) are read.

The outbound transport is the maildir one, so no SMTP server is involved. Prints one JSON object.
Usage: daemon_idle.py POSTDESK [--count 300] [--interval 0.05] [--idle 60]
"""
import argparse, ctypes, json, os, select, shutil, signal, socket, struct, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("postdesk")
ap.add_argument("--count", type=int, default=300)
ap.add_argument("--interval", type=float, default=0.05)
ap.add_argument("--idle", type=float, default=60)
args = ap.parse_args()

root = tempfile.mkdtemp(prefix="pd-daemon-bench.")
for sub in ("new", "cur", "tmp"):
    os.makedirs(f"{root}/mail/support/{sub}")
with open(f"{root}/postdesk.conf", "w") as f:
    f.write("""[helpdesk]
database = db/postdesk.sqlite
data_dir = data
agent_auth = from

[mailbox support]
maildir = mail/support
address = support@acme.test
tag = Acme

[agent alice]
address = alice@acme.test
name = Alice Novak

[outbound]
transport = maildir
maildir = out
""")

libc = ctypes.CDLL("libc.so.6", use_errno=True)
IN_MOVED_TO = 0x80
ino = libc.inotify_init1(os.O_NONBLOCK)
libc.inotify_add_watch(ino, f"{root}/mail/support/cur".encode(), IN_MOVED_TO)

notify_path = f"{root}/notify.sock"
ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
ns.bind(notify_path)
env = dict(os.environ, NOTIFY_SOCKET=notify_path)
log = open(f"{root}/daemon.log", "w")
daemon = subprocess.Popen([args.postdesk, "--config", f"{root}/postdesk.conf", "run"], env=env, stdout=subprocess.DEVNULL,
                          stderr=log)
ns.settimeout(30)
while b"READY=1" not in ns.recv(4096):
    pass
ns.settimeout(None)
import threading
threading.Thread(target=lambda: [ns.recv(4096) for _ in iter(int, 1)], daemon=True).start()  # systemd reads them all

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def memory_kb(pid):
    out = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            out[k] = int(v.split()[0])
    return out

ready_rss = memory_kb(daemon.pid)["VmRSS"]
latencies = []
for i in range(args.count):
    name = f"{i}.bench.test"
    with open(f"{root}/mail/support/tmp/{name}", "w") as f:
        f.write(f"From: Customer {i} <c{i}@example.org>\nTo: support@acme.test\nSubject: Problem {i}\n"
                f"Message-ID: <bench{i}@example.org>\nDate: Mon, 23 Nov 2026 09:00:00 +0100\n\n"
                f"My device number {i} does not work.\n" + "Details line.\n" * 20)
    t0 = time.perf_counter()
    os.rename(f"{root}/mail/support/tmp/{name}", f"{root}/mail/support/new/{name}")
    seen = False
    while not seen:
        r, _, _ = select.select([ino], [], [], 10)
        if not r:
            sys.exit(f"message {i} was not committed within 10 s; see {root}/daemon.log")
        buf = os.read(ino, 65536)
        off = 0
        while off < len(buf):
            _, mask, _, length = struct.unpack_from("iIII", buf, off)
            fname = buf[off + 16: off + 16 + length].rstrip(b"\0").decode()
            off += 16 + length
            if fname.startswith(name):
                seen = True
    latencies.append((time.perf_counter() - t0) * 1000)
    time.sleep(args.interval)

time.sleep(2)  # let the outbox finish the confirmations and notices
busy_rss = memory_kb(daemon.pid)
c0, w0 = cpu_seconds(daemon.pid), time.monotonic()
time.sleep(args.idle)
c1, w1 = cpu_seconds(daemon.pid), time.monotonic()
idle_mem = memory_kb(daemon.pid)
daemon.send_signal(signal.SIGTERM)
code = daemon.wait(30)
lat = sorted(latencies)
pct = lambda p: round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))], 2)
print(json.dumps({
    "mails": args.count, "interval_s": args.interval,
    "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99), "max_ms": round(lat[-1], 2),
    "idle_seconds": round(w1 - w0, 1), "idle_cpu_percent": round(100 * (c1 - c0) / (w1 - w0), 3),
    "rss_ready_mb": round(ready_rss / 1024, 1), "rss_idle_after_mail_mb": round(idle_mem["VmRSS"] / 1024, 1),
    "rss_peak_mb": round(idle_mem["VmHWM"] / 1024, 1), "exit": code,
}))
shutil.rmtree(root)
