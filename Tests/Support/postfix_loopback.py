#!/usr/bin/env python3
"""A private Postfix instance on loopback for Postdesk's end-to-end tests.

Usage: postfix_loopback.py BASE_DIR [--agent NAME ...] [--customer NAME ...] [--uid UID] [--gid GID]
                           [--start-timeout SECONDS]

Runs a Postfix of its own under BASE_DIR (created if missing; use a fresh folder per test):

    BASE_DIR/postfix/etc      config_directory (main.cf, master.cf, the recipient map)
    BASE_DIR/postfix/queue    queue_directory
    BASE_DIR/postfix/data     data_directory (master.lock)
    BASE_DIR/postfix/maillog  Postfix's log (maillog_file through the postlog service: no syslog needed)
    BASE_DIR/mail/            the maildirs it delivers into (virtual(8) delivery):
        support@acme.test         -> mail/support/
        NAME@acme.test            -> mail/agents/NAME/      for each --agent NAME (default: alice, bob)
        NAME@example.org          -> mail/customers/NAME/   for each --customer NAME (default: ana, ben, carla)
    (Address extensions are accepted: support+12@acme.test goes into mail/support/.) Other recipients are
    refused at RCPT. Every maildir exists (new/, cur/, tmp/) before READY, even while still empty.

It listens on 127.0.0.1 on a free port only, never on port 25, and leaves the system's Postfix
(/etc/postfix, /var/spool/postfix) alone. Everything is local: no DNS lookups, no relayhost; any other
domain is refused. 127.0.0.0/8 is mynetworks, so a client there may send without authentication.
When it is ready (the SMTP greeting answers) it prints "READY <port>" on stdout. On SIGTERM or SIGINT it runs
`postfix -c DIR stop`, waits for the master process to end, and exits 0. If Postfix does not start within
--start-timeout seconds (default 30) it prints the reason and Postfix's maillog on stderr and exits 1.

Postfix's master must start as root. Mail is delivered as --uid/--gid (virtual(8) never delivers as root): by
default the user who ran sudo, else nobody:nogroup; the mail folders belong to that user. If the process that
started this one goes away, Postfix is stopped all the same.
"""
import argparse, os, pwd, grp, re, signal, socket, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("base")
ap.add_argument("--uid", type=int)
ap.add_argument("--gid", type=int)
ap.add_argument("--start-timeout", type=float, default=30)
ap.add_argument("--agent", action="append", help="an agent's local part at acme.test (default: alice, bob)")
ap.add_argument("--customer", action="append", help="a customer's local part at example.org (default: ana, ben, carla)")
args = ap.parse_args()
args.agent = args.agent or ["alice", "bob"]
args.customer = args.customer or ["ana", "ben", "carla"]

POSTFIX = "/usr/sbin/postfix"


def fail(why):
    sys.stderr.write(f"postfix_loopback: {why}\n")
    log = os.path.join(BASE, "postfix", "maillog")
    if os.path.exists(log):
        sys.stderr.write(f"--- {log}\n")
        sys.stderr.write(open(log, errors="replace").read()[-20000:])
        sys.stderr.write("---\n")
    sys.stderr.flush()
    stop_postfix()
    sys.exit(1)


BASE = os.path.abspath(args.base)
ETC = os.path.join(BASE, "postfix", "etc")
QUEUE = os.path.join(BASE, "postfix", "queue")
DATA = os.path.join(BASE, "postfix", "data")
MAILLOG = os.path.join(BASE, "postfix", "maillog")
MAIL = os.path.join(BASE, "mail")
started = False


def stop_postfix():
    """Stops the instance if it was started, and waits (at most 30 s) for its master to end."""
    global started
    if not started:
        return
    started = False
    pid = master_pid()
    subprocess.run([POSTFIX, "-c", ETC, "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while pid and alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if pid and alive(pid):
        sys.stderr.write(f"postfix_loopback: master {pid} did not stop; killing it\n")
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def master_pid():
    try:
        return int(open(os.path.join(QUEUE, "pid", "master.pid")).read().strip())
    except (OSError, ValueError):
        return None


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is as good as gone (its parent, the postfix command, has exited already; init reaps it).
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def greets(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.settimeout(5)
            return s.recv(512).startswith(b"220")
    except OSError:
        return False


if os.geteuid() != 0:
    print("postfix_loopback: Postfix's master must start as root (run the tests as root)", file=sys.stderr)
    sys.exit(1)
if not os.access(POSTFIX, os.X_OK):
    print(f"postfix_loopback: {POSTFIX} is missing: apt-get install postfix", file=sys.stderr)
    sys.exit(1)

if "SUDO_UID" in os.environ and os.environ["SUDO_UID"] != "0":
    uid, gid = int(os.environ["SUDO_UID"]), int(os.environ.get("SUDO_GID", os.environ["SUDO_UID"]))
else:
    uid, gid = pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid
if args.uid is not None:
    uid = args.uid
if args.gid is not None:
    gid = args.gid

for d in (ETC, QUEUE, DATA):
    os.makedirs(d, exist_ok=True)
# Postfix's daemons (as the postfix user) and virtual(8) (as the delivery user) must reach BASE.
path = os.path.dirname(BASE)
while path != "/":
    if os.stat(path).st_mode & 0o001 == 0:
        print(f"postfix_loopback: {path} is closed to other users, so Postfix's daemons cannot reach {BASE}: "
              "use a folder under /tmp", file=sys.stderr)
        sys.exit(1)
    path = os.path.dirname(path)
# The folders Postfix itself checks must not be writable by others; BASE may sit under /tmp.
for d in (BASE, os.path.dirname(ETC), ETC, QUEUE):
    os.chmod(d, 0o755)
mail_owner = pwd.getpwnam("postfix")
os.chown(DATA, mail_owner.pw_uid, mail_owner.pw_gid)
os.chmod(DATA, 0o700)
for sub in ("support", "agents", "customers"):
    os.makedirs(os.path.join(MAIL, sub), exist_ok=True)
for root, dirs, _ in os.walk(MAIL):
    os.chown(root, uid, gid)
    os.chmod(root, 0o755)

# Recipients: support@acme.test, the agents at acme.test, the customers at example.org. A trailing "/" means
# maildir. virtual(8) allows no "$1" substitution in its maps, so each person has a line; Postfix does not strip
# address extensions before a regexp lookup, so the patterns allow "+anything". Unknown people are refused at RCPT.
def recipient_line(local, domain, folder):
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", local):
        print(f"postfix_loopback: {local!r}: use lower-case letters, digits, '.', '_' and '-'", file=sys.stderr)
        sys.exit(2)
    escape = lambda text: text.replace(".", "\\.")
    for sub in ("tmp", "new", "cur"):
        path = os.path.join(MAIL, folder, sub)
        os.makedirs(path, exist_ok=True)
        for d in (os.path.dirname(path), path):
            os.chown(d, uid, gid)
    return f"/^{escape(local)}(\\+[^@]*)?@{escape(domain)}$/    {folder}/\n"


with open(os.path.join(ETC, "recipients"), "w") as f:
    f.write(recipient_line("support", "acme.test", "support"))
    for name in args.agent:
        f.write(recipient_line(name, "acme.test", "agents/" + name))
    for name in args.customer:
        f.write(recipient_line(name, "example.org", "customers/" + name))

# Only the services this setup uses; nothing chrooted (a chroot would need copies of /etc files).
MASTER_CF = """\
{listen} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
smtp      unix  -       -       n       -       -       smtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def write_config(port):
    name = "pd" + str(os.getpid())
    main_cf = f"""\
compatibility_level = 3.6
config_directory = {ETC}
queue_directory = {QUEUE}
data_directory = {DATA}
maillog_file = {MAILLOG}
maillog_file_prefixes = {BASE}
syslog_name = postfix-{name}
myhostname = mx.acme.test
mydomain = acme.test
myorigin = acme.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relayhost =
relay_domains =
fast_flush_domains =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtp_host_lookup = native
default_transport = error:this test Postfix delivers only to acme.test and example.org
biff = no
append_dot_mydomain = no
recipient_delimiter = +
message_size_limit = 70000000
virtual_mailbox_limit = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
in_flow_delay = 0
virtual_mailbox_domains = acme.test, example.org
virtual_mailbox_base = {MAIL}
virtual_mailbox_maps = regexp:{ETC}/recipients
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
virtual_minimum_uid = 1
smtpd_tls_security_level = none
smtp_tls_security_level = none
"""
    open(os.path.join(ETC, "main.cf"), "w").write(main_cf)
    open(os.path.join(ETC, "master.cf"), "w").write(MASTER_CF.format(listen=f"127.0.0.1:{port}"))


def on_signal(signum, frame):
    stop_postfix()
    sys.exit(0)


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)

# A port picked here may be taken by someone else before the master binds it: then try another.
deadline = time.monotonic() + args.start_timeout
attempt = 0
while True:
    attempt += 1
    port = free_port()
    write_config(port)
    r = subprocess.run([POSTFIX, "-c", ETC, "start"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        fail(f"`postfix -c {ETC} start` failed (exit {r.returncode}):\n{r.stdout}")
    started = True
    ready = False
    while time.monotonic() < deadline:
        if greets(port):
            ready = True
            break
        pid = master_pid()
        if pid is None or not alive(pid):
            break
        time.sleep(0.05)
    if ready:
        break
    pid = master_pid()
    if time.monotonic() >= deadline or attempt >= 3 or (pid and alive(pid)):
        fail(f"Postfix did not answer on 127.0.0.1:{port} within {args.start_timeout:.0f} s")
    stop_postfix()  # the master died (e.g. the port was taken): try again with another port

print(f"READY {port}", flush=True)
# Until SIGTERM, or until the process that started this one is gone (a test that crashed must not leave a
# Postfix running).
parent = os.getppid()
while os.getppid() == parent:
    time.sleep(0.5)
stop_postfix()
