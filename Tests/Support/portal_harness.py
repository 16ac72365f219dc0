"""A helpdesk with its daemon and its portal, as real processes, for the portal's end-to-end tests.

Used by portal_attack.py (HTTP, as an attacker would), portal_browser.py (Chromium through Selenium) and
portal_bench.py. Everything lives in a fresh temporary folder; every server listens on 127.0.0.1 only, on free
ports:

    Desk(binary)          writes postdesk.conf (a support maildir, an agent, outbound transport = maildir),
                          delivers mail into the maildir, runs `postdesk` commands, starts `postdesk run`
                          (which sends what the portal queues into ROOT/outbound) and `postdesk portal`
    Nginx(desk)           deploy/nginx/postdesk-portal.conf itself, ports and a self-signed certificate swapped
    Client(base)          an HTTP client with a cookie jar that reads forms' hidden fields (csrf, next, token)

Nothing here is a mock: the portal under test is the real binary, over real sockets.
"""
import email, email.policy, http.client, os, re, signal, socket, ssl, subprocess, sys, tempfile, time, urllib.parse, uuid

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Desk:
    def __init__(self, binary, portal="", helpdesk="customer_auth = from\nagent_auth = from", keep=False):
        self.binary = binary
        self.root = tempfile.mkdtemp(prefix="postdesk-portal-e2e-")
        self.keep = keep
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(self.root, "mail", "support", sub))
            os.makedirs(os.path.join(self.root, "outbound", sub))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.portal_extra = portal
        self.helpdesk_extra = helpdesk
        self.url = f"https://support.acme.test"
        self.write_config()
        self.daemon = None
        self.portal = None
        self.portal_log = os.path.join(self.root, "portal.log")
        self.daemon_log = os.path.join(self.root, "daemon.log")

    def write_config(self, name="Acme Support", url=None):
        self.config = os.path.join(self.root, "postdesk.conf")
        with open(self.config, "w") as f:
            f.write(f"""[helpdesk]
name = {name}
database = db/postdesk.sqlite
data_dir = data
{self.helpdesk_extra}

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
listen = 127.0.0.1:{self.port}
url = {url or self.url}
connection_timeout = 3s
{self.portal_extra}
""")
        os.makedirs(os.path.join(self.root, "db"), exist_ok=True)

    # -- mail in ----------------------------------------------------------------------------------------------

    def deliver(self, frm, subject, body="Hello, it does not work.", cc=None, headers="", attachments=()):
        """Delivers one mail into the support maildir (as an MTA would); returns its Message-ID."""
        mid = f"<{uuid.uuid4()}@example.org>"
        if attachments:
            boundary = "b" + uuid.uuid4().hex
            parts = [f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"]
            for name, ctype, data in attachments:
                import base64
                enc = base64.encodebytes(data).decode().replace("\n", "\r\n")
                parts.append(f"--{boundary}\r\nContent-Type: {ctype}\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n"
                             f"Content-Transfer-Encoding: base64\r\n\r\n{enc}\r\n")
            content = f"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n" + "".join(parts) + f"--{boundary}--\r\n"
        else:
            content = "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n"
        text = (f"From: {frm}\r\nTo: support@acme.test\r\n" + (f"Cc: {cc}\r\n" if cc else "") +
                f"Subject: {subject}\r\nMessage-ID: {mid}\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\n{headers}" + content)
        name = f"{time.time():.6f}.{uuid.uuid4().hex}.test"
        tmp = os.path.join(self.root, "mail", "support", "tmp", name)
        with open(tmp, "wb") as f:
            f.write(text.encode("utf-8"))
        os.rename(tmp, os.path.join(self.root, "mail", "support", "new", name))
        return mid

    def cli(self, *args, check=True, input=None):
        r = subprocess.run([self.binary, "--config", self.config, *args], capture_output=True, text=True, input=input, timeout=120)
        if check and r.returncode != 0:
            raise AssertionError(f"postdesk {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
        return r

    def ingest(self):
        """`postdesk run --once` (when the daemon is not running)."""
        return self.cli("run", "--once")

    # -- processes ----------------------------------------------------------------------------------------------

    def start_daemon(self):
        self.daemon = subprocess.Popen([self.binary, "--config", self.config, "run"], stdout=open(self.daemon_log, "ab"),
                                       stderr=subprocess.STDOUT)
        time.sleep(0.5)
        if self.daemon.poll() is not None:
            raise AssertionError("postdesk run exited at once:\n" + open(self.daemon_log, errors="replace").read())

    def start_portal(self, timeout=30):
        self.portal = subprocess.Popen([self.binary, "--config", self.config, "portal"], stdout=open(self.portal_log, "ab"),
                                       stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.portal.poll() is not None:
                raise AssertionError("postdesk portal exited:\n" + open(self.portal_log, errors="replace").read())
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("postdesk portal did not answer /healthz within %s s" % timeout)

    def stop(self):
        codes = {}
        for name in ("portal", "daemon"):
            p = getattr(self, name)
            if p and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    codes[name] = p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    codes[name] = "killed"
            elif p:
                codes[name] = p.returncode
        return codes

    def cleanup(self):
        self.stop()
        if not self.keep:
            subprocess.run(["rm", "-rf", self.root])

    def logs(self):
        out = ""
        for f in (self.portal_log, self.daemon_log):
            if os.path.exists(f):
                out += f"--- {f}\n" + open(f, errors="replace").read()[-6000:]
        return out

    # -- mail out -------------------------------------------------------------------------------------------

    def outbound(self):
        """Every mail Postdesk sent (transport = maildir), oldest first, as email.message.EmailMessage."""
        mails = []
        for sub in ("new", "cur"):
            d = os.path.join(self.root, "outbound", sub)
            for n in sorted(os.listdir(d), key=lambda n: os.stat(os.path.join(d, n)).st_mtime):
                with open(os.path.join(d, n), "rb") as f:
                    mails.append(email.message_from_bytes(f.read(), policy=email.policy.default))
        return mails

    def wait_mail(self, to, contains="", timeout=10, seen=0):
        """The first mail to `to` whose text contains `contains`, after the first `seen` such mails."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.daemon is None:
                self.cli("run", "--once")
            found = [m for m in self.outbound() if to.lower() in str(m["To"]).lower() and contains in mail_text(m)]
            if len(found) > seen:
                return found[seen]
            time.sleep(0.1)
        raise AssertionError(f"no mail to {to} containing {contains!r} within {timeout} s; sent: " +
                             "; ".join(f"{m['To']}: {m['Subject']}" for m in self.outbound()))


def mail_text(m):
    parts = []
    for part in m.walk():
        if part.get_content_type() == "text/plain":
            parts.append(part.get_content())
    return "\n".join(parts)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def field(self, name, form=None):
        """The value of the hidden or text input `name` (in the form whose action is `form`, when given)."""
        html = self.text
        if form is not None:
            m = re.search(r'<form[^>]*action="' + re.escape(form) + r'"[^>]*>(.*?)</form>', html, re.S)
            html = m.group(1) if m else ""
        for m in re.finditer(r"<input\b[^>]*>", html):
            tag = m.group(0)
            if re.search(r'\bname="' + re.escape(name) + r'"', tag):
                v = re.search(r'\bvalue="([^"]*)"', tag)
                return unescape(v.group(1)) if v else ""
        return None

    def __repr__(self):
        return f"<{self.status} {self.header('Location') or ''} {self.text[:200]!r}>"


def unescape(s):
    import html
    return html.unescape(s)


class Client:
    """An HTTP/1.1 client with a cookie jar, one connection per request (like many browsers' first loads)."""

    def __init__(self, base, forwarded_for=None, tls=False):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.tls = tls or u.scheme == "https"
        self.cookies = {}
        self.forwarded_for = forwarded_for

    def connection(self, timeout=30):
        if self.tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=ctx)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, cookies=True):
        h = {"Host": "support.acme.test", "User-Agent": "portal-e2e"}
        if self.forwarded_for:
            h["X-Forwarded-For"] = self.forwarded_for
        if cookies and self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        c = self.connection()
        try:
            c.request(method, path, body=body, headers=h)
        except (BrokenPipeError, ConnectionResetError):
            # The server answered before the whole body was sent (413 on Content-Length) and closed: read its
            # answer, as a browser does.
            pass
        r = c.getresponse()
        data = r.read()
        headers = r.getheaders()
        c.close()
        for k, v in headers:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                if value == "" or "max-age=0" in v.lower() or "expires=thu, 01 jan 1970" in v.lower():
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        return Response(r.status, headers, data)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields, files=None, headers=None, cookies=True):
        if files:
            boundary = "----pd" + uuid.uuid4().hex
            chunks = []
            for k, v in fields.items() if isinstance(fields, dict) else fields:
                chunks.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n".encode() + str(v).encode() + b"\r\n")
            for field, name, ctype, data in files:
                chunks.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n"
                              f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
            chunks.append(f"--{boundary}--\r\n".encode())
            body = b"".join(chunks)
            ctype = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            ctype = "application/x-www-form-urlencoded"
        h = {"Content-Type": ctype}
        h.update(headers or {})
        return self.request("POST", path, body=body, headers=h, cookies=cookies)

    def form_post(self, page_path, action, fields, files=None, headers=None):
        """GETs the page, takes its csrf (and next) from the form posting to `action`, POSTs the form."""
        page = self.get(page_path)
        data = dict(fields)
        for hidden in ("csrf", "next", "token"):
            if hidden not in data:
                v = page.field(hidden, form=action)
                if v is not None:
                    data[hidden] = v
        return self.post(action, data, files=files, headers=headers)


# -- nginx in front -----------------------------------------------------------------------------------------------

class Nginx:
    """deploy/nginx/postdesk-portal.conf, run by a private nginx with its ports and a self-signed certificate swapped."""

    def __init__(self, desk):
        self.desk = desk
        self.dir = os.path.join(desk.root, "nginx")
        os.makedirs(os.path.join(self.dir, "logs"))
        self.https_port = free_port()
        self.http_port = free_port()
        cert, key = os.path.join(self.dir, "cert.pem"), os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=support.acme.test",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        site = open(os.path.join(REPO, "deploy", "nginx", "postdesk-portal.conf")).read()
        swaps = {
            "POSTDESK-UPSTREAM": f"server 127.0.0.1:{desk.port};",
            "POSTDESK-HTTP": f"listen 127.0.0.1:{self.http_port};",
            "POSTDESK-HTTP6": "",
            "POSTDESK-HTTPS": f"listen 127.0.0.1:{self.https_port} ssl http2;",
            "POSTDESK-HTTPS6": "",
            "POSTDESK-CERT": f"ssl_certificate {cert};",
            "POSTDESK-KEY": f"ssl_certificate_key {key};",
        }
        lines = []
        for line in site.splitlines():
            m = re.search(r"#\s*(POSTDESK-[A-Z0-9]+)\s*$", line)
            if m and m.group(1) in swaps:
                line = "    " + swaps[m.group(1)]
            lines.append(line)
        site = "\n".join(lines)
        missing = [k for k in swaps if k not in open(os.path.join(REPO, "deploy", "nginx", "postdesk-portal.conf")).read()]
        if missing:
            raise AssertionError(f"deploy/nginx/postdesk-portal.conf lost its markers {missing}")
        with open(os.path.join(self.dir, "site.conf"), "w") as f:
            f.write(site)
        user = "user root;\n" if os.getuid() == 0 else ""
        with open(os.path.join(self.dir, "nginx.conf"), "w") as f:
            f.write(f"""{user}worker_processes 1;
error_log {self.dir}/logs/error.log warn;
pid {self.dir}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log {self.dir}/logs/access.log;
    client_body_temp_path {self.dir}/body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
    include {self.dir}/site.conf;
}}
""")
        test = subprocess.run(["nginx", "-t", "-p", self.dir, "-c", os.path.join(self.dir, "nginx.conf")], capture_output=True, text=True)
        if test.returncode != 0:
            raise AssertionError("nginx -t refused the site:\n" + test.stderr)
        self.process = subprocess.Popen(["nginx", "-p", self.dir, "-c", os.path.join(self.dir, "nginx.conf"), "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, "logs", "stderr"), "wb"))
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("nginx did not start: " + open(os.path.join(self.dir, "logs", "error.log")).read())

    @property
    def base(self):
        return f"https://127.0.0.1:{self.https_port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


# -- a tiny test runner: each test a function; failures reported with the logs -----------------------------------

def run_tests(tests, only=None):
    failed = 0
    for t in tests:
        if only and t.__name__ not in only:
            continue
        started = time.time()
        try:
            t()
            print(f"ok   {t.__name__} ({time.time() - started:.1f} s)", flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported with its cause
            failed += 1
            import traceback
            print(f"FAIL {t.__name__}: {e}", flush=True)
            traceback.print_exc()
    if failed:
        print(f"{failed} failed")
    sys.exit(1 if failed else 0)
