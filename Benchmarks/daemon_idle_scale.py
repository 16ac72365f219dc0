#!/usr/bin/env python3
"""The idle daemon on years of tickets (issue 14, section 4): `postdesk run` with NOTIFY_SOCKET set on a database
filled by postdesk-scale-bench (1,000,000 tickets), left alone for IDLE seconds; its CPU time over that span
(utime + stime from /proc/PID/stat), the STATUS= datagrams it sent meanwhile, and its resident memory.

WORK is a postdesk-scale-bench --work folder (db/postdesk.sqlite); the daemon gets a config of its own there
(the scale bench's, with a maildir outbound transport), so nothing is sent anywhere. Prints one JSON object.
Usage: daemon_idle_scale.py POSTDESK WORK [--idle 60] [--settle 15]
"""
import argparse, json, os, signal, socket, subprocess, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("postdesk")
ap.add_argument("work")
ap.add_argument("--idle", type=float, default=60)
ap.add_argument("--settle", type=float, default=15, help="seconds after READY=1 before measuring")
args = ap.parse_args()
work = os.path.abspath(args.work)
if not os.path.exists(f"{work}/db/postdesk.sqlite"):
    sys.exit(f"{work}/db/postdesk.sqlite is missing: fill it with postdesk-scale-bench first")
for sub in ("new", "cur", "tmp"):
    os.makedirs(f"{work}/mail/support/{sub}", exist_ok=True)
with open(f"{work}/idle.conf", "w") as f:
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

[limits]
sender_burst = 1000000
global_burst = 1000000

[outbound]
transport = maildir
maildir = out
""")

notify_path = f"{work}/notify.sock"
if os.path.exists(notify_path):
    os.unlink(notify_path)
ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
ns.bind(notify_path)
env = dict(os.environ, NOTIFY_SOCKET=notify_path)
log = open(f"{work}/idle-daemon.log", "w")
t_start = time.monotonic()
daemon = subprocess.Popen([args.postdesk, "--config", f"{work}/idle.conf", "run"], env=env, stdout=subprocess.DEVNULL, stderr=log)
ns.settimeout(900)
while b"READY=1" not in ns.recv(4096):
    pass
ready_s = time.monotonic() - t_start
ns.settimeout(None)
statuses = []
lock = threading.Lock()
def reader():
    while True:
        d = ns.recv(65536)
        with lock:
            statuses.append((time.monotonic(), d))
threading.Thread(target=reader, daemon=True).start()

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)

time.sleep(args.settle)
c0, w0 = cpu_seconds(daemon.pid), time.monotonic()
time.sleep(args.idle)
c1, w1 = cpu_seconds(daemon.pid), time.monotonic()
rss = rss_mb(daemon.pid)
daemon.send_signal(signal.SIGTERM)
code = daemon.wait(60)
with lock:
    during = [d for (t, d) in statuses if w0 <= t <= w1]
print(json.dumps({
    "db_gb": round(os.path.getsize(f"{work}/db/postdesk.sqlite") / 1e9, 1), "ready_after_s": round(ready_s, 1),
    "idle_seconds": round(w1 - w0, 1), "idle_cpu_seconds": round(c1 - c0, 3),
    "idle_cpu_percent": round(100 * (c1 - c0) / (w1 - w0), 3),
    "notify_datagrams_while_idle": len(during), "rss_mb": rss, "exit": code,
}))
