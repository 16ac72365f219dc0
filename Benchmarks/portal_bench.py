#!/usr/bin/env python3
"""The customer portal under load on years of tickets (issue 16, "Speed"): the release `postdesk portal` on a
database filled by postdesk-scale-bench (1,000,000 tickets, 5,000,000 messages, 100,000 customers in 5,000
companies), 32 clients on loopback with keep-alive, each page for SECONDS: the ticket list of a customer and of a
company's primary contact, one ticket, a search; beside them a static page served by the same libmicrohttpd
set-up (`postdesk-portal-bench static`), the ceiling on this machine. Prints requests/s, p50 and p99 per page and
the portal's peak RSS, as a Markdown table.

The sessions are made the way sign-in makes them (a random 128-bit id, its SHA-256 in portal_sessions), written
straight into the database so the benchmark needs no mail round trip.
Usage: portal_bench.py POSTDESK PORTAL_BENCH WORK [--seconds 10] [--clients 32] [--threads 4]
"""
import argparse, hashlib, os, secrets, signal, socket, sqlite3, subprocess, sys, time, http.client

ap = argparse.ArgumentParser()
ap.add_argument("postdesk")
ap.add_argument("bench")
ap.add_argument("work")
ap.add_argument("--seconds", type=float, default=10)
ap.add_argument("--clients", type=int, default=32)
ap.add_argument("--threads", type=int, default=4)
args = ap.parse_args()
work = os.path.abspath(args.work)
db_path = f"{work}/db/postdesk.sqlite"
if not os.path.exists(db_path):
    sys.exit(f"{db_path} is missing: fill it with postdesk-scale-bench first")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


port, static_port = free_port(), free_port()
for sub in ("new", "cur", "tmp"):
    os.makedirs(f"{work}/mail/support/{sub}", exist_ok=True)
    os.makedirs(f"{work}/outbound/{sub}", exist_ok=True)
conf = f"{work}/portal.conf"
with open(conf, "w") as f:
    f.write(f"""[helpdesk]
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
maildir = outbound

[portal]
listen = 127.0.0.1:{port}
url = https://support.acme.test
threads = {args.threads}
""")

log = open(f"{work}/portal-bench.log", "ab")
portal = subprocess.Popen([args.postdesk, "--config", conf, "portal"], stdout=log, stderr=subprocess.STDOUT)
static = subprocess.Popen([args.bench, "static", "--port", str(static_port), "--threads", str(args.threads)], stdout=subprocess.DEVNULL)
deadline = time.time() + 300  # the first start migrates the database (an index over a million tickets)
while True:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        c.request("GET", "/healthz")
        if c.getresponse().status == 200:
            break
    except OSError:
        pass
    if portal.poll() is not None or time.time() > deadline:
        sys.exit("the portal did not start; see " + f"{work}/portal-bench.log")
    time.sleep(0.2)

db = sqlite3.connect(db_path, timeout=30)
now = int(time.time())


def session(address):
    cid = db.execute("SELECT id FROM customers WHERE address = ?", (address,)).fetchone()[0]
    sid = secrets.token_hex(16)
    db.execute("INSERT INTO portal_sessions (id_hash, customer_id, csrf, created, last_seen, client, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)",
               (hashlib.sha256(sid.encode()).hexdigest(), cid, secrets.token_urlsafe(16), now, now, "127.0.0.1", "bench"))
    db.commit()
    return f"__Host-postdesk={sid}"


# A customer with the most tickets of their own (not a primary contact), and a primary contact of a big company.
customer, = db.execute("""SELECT c.address FROM customers c JOIN tickets t ON t.requester_id = c.id WHERE c.is_primary_contact = 0
                          GROUP BY c.id ORDER BY count(*) DESC LIMIT 1""").fetchone()
primary, = db.execute("""SELECT c.address FROM customers c JOIN customers m ON m.organization_id = c.organization_id
                         JOIN tickets t ON t.requester_id = m.id WHERE c.is_primary_contact = 1
                         GROUP BY c.id ORDER BY count(*) DESC LIMIT 1""").fetchone()
own = db.execute("SELECT count(*) FROM tickets t JOIN customers c ON c.id = t.requester_id WHERE c.address = ?", (customer,)).fetchone()[0]
company = db.execute("""SELECT count(*) FROM tickets t JOIN customers m ON m.id = t.requester_id
                        WHERE m.organization_id = (SELECT organization_id FROM customers WHERE address = ?)""", (primary,)).fetchone()[0]
number, = db.execute("""SELECT t.number FROM tickets t JOIN customers c ON c.id = t.requester_id WHERE c.address = ?
                        ORDER BY (SELECT count(*) FROM messages m WHERE m.ticket = t.number) DESC LIMIT 1""", (customer,)).fetchone()
messages = db.execute("SELECT count(*) FROM messages WHERE ticket = ?", (number,)).fetchone()[0]
subject, = db.execute("SELECT subject FROM tickets WHERE number = ?", (number,)).fetchone()
word = max((w for w in subject.split() if w.isalpha()), key=len, default="printer").lower()
cookie_c, cookie_p = session(customer), session(primary)


def load(p, path, cookie=None):
    cmd = [args.bench, "load", "--port", str(p), "--path", path, "--clients", str(args.clients), "--seconds", str(args.seconds)]
    if cookie:
        cmd += ["--cookie", cookie]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    fields = out.split()
    rps = float(fields[fields.index("requests/s") - 1])
    p50 = float(fields[fields.index("p50") + 1])
    p99 = float(fields[fields.index("p99") + 1])
    bad = int(fields[fields.index("non-200") + 1])
    return rps, p50, p99, bad


rows = []
# Warm the caches the way a running portal has them (each page once for a few seconds), then measure.
for p, path, cookie in [(port, "/tickets", cookie_c), (port, f"/tickets/{number}", cookie_c)]:
    subprocess.run([args.bench, "load", "--port", str(p), "--path", path, "--clients", "4", "--seconds", "2", "--cookie", cookie],
                   capture_output=True)
baseline = load(static_port, "/")
rows.append(("static page, same libmicrohttpd set-up (baseline)", baseline))
rows.append((f"ticket list, a customer ({own} tickets)", load(port, "/tickets?tab=all", cookie_c)))
rows.append((f"ticket list, a primary contact ({company} company tickets)", load(port, "/tickets?tab=all", cookie_p)))
rows.append((f"one ticket ({messages} messages)", load(port, f"/tickets/{number}", cookie_c)))
rows.append((f"search \"{word}\" (a customer)", load(port, f"/tickets?tab=all&q={word}", cookie_c)))
rows.append((f"search \"{word}\" (a primary contact)", load(port, f"/tickets?tab=all&q={word}", cookie_p)))

rss = 0
with open(f"/proc/{portal.pid}/status") as f:
    for line in f:
        if line.startswith("VmHWM:"):
            rss = int(line.split()[1]) // 1024
portal.send_signal(signal.SIGTERM)
portal.wait(30)
static.kill()

print(f"| page ({args.clients} clients, {args.seconds:.0f} s each) | requests/s | p50 ms | p99 ms | non-200 |")
print("| --- | ---: | ---: | ---: | ---: |")
for name, (rps, p50, p99, bad) in rows:
    print(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {bad} |")
print(f"\nticket list / baseline: {rows[1][1][0] / baseline[0]:.2f}; portal peak RSS: {rss} MB")
