#!/usr/bin/env python3
"""The customer portal tested as an attacker would, through the real `postdesk portal` and `postdesk run` over
HTTP on loopback (Tests/PostdeskCLITests/PortalProcessTests.swift runs it).

Usage: portal_attack.py POSTDESK_BINARY [TEST ...]      (no TEST: all of them)

Cast, all at example.org unless said: ana (requester of #1, with a password), ben (Cc participant of #1),
carla (primary contact of globex.test, whose employee gus opened #2), dora (colleague of gus, not primary), eve
(a stranger with a ticket of her own, #3), alice@acme.test (an agent). Each test builds on the shared desk
started once; each checks what it claims and what must not have happened.
"""
import os, re, socket, statistics, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from portal_harness import Client, Desk, Nginx, mail_text, run_tests  # noqa: E402

BINARY = os.path.abspath(sys.argv[1])
ONLY = sys.argv[2:]
PASSWORDS = {"ana@example.org": "correct horse battery staple", "carla@globex.test": "carla's long passphrase",
             "dora@globex.test": "dora's long passphrase", "eve@example.org": "eve's long passphrase",
             "ben@example.org": "ben's long passphrase"}

desk = Desk(BINARY, portal="link_lifetime = 3s")


def setup():
    desk.deliver("Ana García <ana@example.org>", "Printer on fire", "The printer is on fire.", cc="Ben <ben@example.org>",
                 attachments=[("photo.png", "image/png", b"\x89PNG\r\n\x1a\nnot really")])
    desk.deliver("Gus <gus@globex.test>", "Globex invoice question", "Which invoice?")
    desk.deliver("Eve <eve@example.org>", "<script>alert('subject')</script>",
                 "<img src=x onerror=alert('body')> and </textarea><script>alert(2)</script>",
                 attachments=[("\"><script>alert('file')</script>.html", "text/html", b"<script>alert('inline')</script>"),
                              ("drawing.svg", "image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")])
    desk.deliver("Dora <dora@globex.test>", "Dora's own", "Mine.")
    desk.ingest()
    desk.cli("customers", "add-organization", "globex.test", "--name", "Globex")
    desk.deliver("Carla <carla@globex.test>", "Carla's own", "Hi.")
    desk.ingest()
    desk.cli("customers", "set", "carla@globex.test", "--primary-contact", "yes")
    # Ben is only in Cc of Ana's ticket: no account until he is invited.
    desk.cli("customers", "invite", "ben@example.org", "--name", "Ben")
    for address, password in PASSWORDS.items():
        desk.cli("customers", "reset-code", address)
        desk.ingest()
        mail = desk.wait_mail(address, "reset code is:")
        code = re.search(r"reset code is: *([0-9][0-9 -]*[0-9])", mail.get_body(("plain",)).get_content()).group(1)
        desk.cli("customers", "set-password", address, "--code", code, "--password-file", "-", input=password + "\n")
    desk.start_daemon()
    desk.start_portal()


CLIENTS = iter(range(1, 1 << 20))


def fresh_client():
    """A client address of its own (the portal trusts 127.0.0.1's X-Forwarded-For), so that the per-client rate
    limits of one test never throttle another."""
    n = next(CLIENTS)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def signed_in(address, forwarded_for=None):
    c = Client(desk.base, forwarded_for=forwarded_for or fresh_client())
    r = c.form_post("/sign-in", "/sign-in", {"email": address, "password": PASSWORDS[address]})
    assert r.status == 303, f"sign-in as {address}: {r}"
    return c


def ticket_numbers(c, query="tab=all"):
    return sorted(int(n) for n in set(re.findall(r'href="/tickets/(\d+)"', c.get("/tickets?" + query).text)))


def ticket_of(subject):
    r = desk.cli("tickets", "list", "--json")
    import json
    for t in json.loads(r.stdout):
        if t["subject"] == subject:
            return t["number"]
    raise AssertionError(f"no ticket {subject!r}")


# -- headers, cookies, sessions ---------------------------------------------------------------------------------

def test_headers_on_every_page():
    c = signed_in("ana@example.org")
    n = ticket_of("Printer on fire")
    for path in ["/healthz", "/sign-in", "/", "/tickets", f"/tickets/{n}", f"/tickets/{n}/print", "/tickets/new", "/profile",
                 "/no-such-page", "/kb"]:
        r = c.get(path)
        csp = r.header("Content-Security-Policy") or ""
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "script-src *" not in csp, (path, csp)
        assert "object-src 'none'" in csp or "default-src 'none'" in csp, (path, csp)
        assert r.header("X-Content-Type-Options") == "nosniff", path
        assert r.header("Referrer-Policy"), path
        if path not in ("/healthz", "/static/portal.css"):
            assert "no-store" in (r.header("Cache-Control") or ""), (path, r.header("Cache-Control"))
    assert c.get("/healthz", cookies=False).status == 200


def test_cookie_flags_and_fixation():
    c = Client(desk.base, forwarded_for=fresh_client())
    c.cookies["__Host-postdesk"] = "attacker-chosen-session-id"
    page = c.get("/sign-in")
    r = c.post("/sign-in", {"email": "ana@example.org", "password": PASSWORDS["ana@example.org"], "csrf": page.field("csrf") or ""})
    assert r.status == 303, r
    cookies = [v for v in r.all("Set-Cookie") if v.startswith("__Host-postdesk=")]
    assert cookies, r.all("Set-Cookie")
    v = cookies[-1]
    flags = [f.strip().lower() for f in v.split(";")[1:]]
    assert "secure" in flags and "httponly" in flags and "path=/" in flags, v
    assert any(f.startswith("samesite=") for f in flags), v
    assert not any(f.startswith("domain=") for f in flags), v
    sid = v.split(";")[0].split("=", 1)[1]
    assert sid != "attacker-chosen-session-id" and len(sid) >= 22, sid
    # A second sign-in gets a new id.
    c2 = signed_in("ana@example.org")
    assert c2.cookies["__Host-postdesk"] != sid
    # The planted id never worked.
    bad = Client(desk.base, forwarded_for=fresh_client())
    bad.cookies["__Host-postdesk"] = "attacker-chosen-session-id"
    assert bad.get("/tickets").status == 303


def test_sign_out_ends_the_session_on_the_server():
    c = signed_in("ana@example.org")
    old = dict(c.cookies)
    assert c.get("/tickets").status == 200
    r = c.form_post("/tickets", "/sign-out", {})
    assert r.status == 303, r
    replay = Client(desk.base, forwarded_for=fresh_client())
    replay.cookies = old
    assert replay.get("/tickets").status == 303, "the old cookie still works after sign-out"


def test_enumeration_same_bytes_similar_time():
    def attempt(address):
        c = Client(desk.base, forwarded_for="198.51.100.%d" % (hash(address) % 200 + 1))
        page = c.get("/sign-in")
        started = time.perf_counter()
        r = c.post("/sign-in", {"email": address, "password": "wrong password here", "csrf": page.field("csrf") or ""})
        return r, time.perf_counter() - started

    def norm(r):
        return re.sub(r'name="csrf" value="[^"]*"', 'name="csrf" value=""', r.text)

    known, unknown = [], []
    for i in range(4):
        rk, tk = attempt("ana@example.org")
        ru, tu = attempt(f"nobody{i}@example.org")
        assert rk.status == ru.status, (rk, ru)
        assert norm(rk) == norm(ru).replace(f"nobody{i}@example.org", "ana@example.org"), "known and unknown addresses answer differently"
        known.append(tk)
        unknown.append(tu)
    mk, mu = statistics.median(known), statistics.median(unknown)
    assert max(mk, mu) < 3 * min(mk, mu) + 0.05, f"timing differs: known {mk:.3f}s, unknown {mu:.3f}s"
    for action in ("/sign-in/link", "/sign-in/forgot"):
        a = Client(desk.base, forwarded_for=fresh_client()).form_post(action, action, {"email": "ana@example.org"})
        b = Client(desk.base, forwarded_for=fresh_client()).form_post(action, action, {"email": "nobody@example.org"})
        assert a.status == b.status, (action, a, b)
        assert norm(a).replace("ana@example.org", "X") == norm(b).replace("nobody@example.org", "X"), action


def test_rate_limit_does_not_lock_out_the_owner():
    attacker = Client(desk.base, forwarded_for="203.0.113.7")
    statuses = []
    for _ in range(40):
        page = attacker.get("/sign-in")
        r = attacker.post("/sign-in", {"email": "eve@example.org", "password": "guess", "csrf": page.field("csrf") or ""})
        statuses.append(r.status)
        if r.status == 429:
            assert r.header("Retry-After"), "429 without Retry-After"
            break
    assert 429 in statuses, f"40 wrong passwords from one client were never throttled: {statuses}"
    # The owner, from elsewhere, still gets in: by a mailed link, which the attacker's failures never throttle
    # (the password form for this address is throttled for a while, for everyone: that is what stops the guessing).
    seen = len([m for m in desk.outbound() if "eve@example.org" in str(m["To"]) and "/sign-in/link?token=" in mail_text(m)])
    c = Client(desk.base, forwarded_for="192.0.2.11")
    page = c.form_post("/sign-in/link", "/sign-in/link", {"email": "eve@example.org"})
    assert page.status == 200, page
    mail = desk.wait_mail("eve@example.org", "/sign-in/link?token=", seen=seen, timeout=10)
    token = re.search(r"/sign-in/link\?token=([A-Za-z0-9_-]+)", mail_text(mail)).group(1)
    confirm = c.get(f"/sign-in/link?token={token}")
    r = c.post("/sign-in/link", {"token": token, "csrf": confirm.field("csrf") or ""})
    assert r.status == 303 and c.get("/tickets").status == 200, "the owner could not get in by link after the attack"


# -- links and codes --------------------------------------------------------------------------------------------

def request_link(address, seen=0):
    c = Client(desk.base, forwarded_for=fresh_client())
    c.form_post("/sign-in/link", "/sign-in/link", {"email": address})
    mail = desk.wait_mail(address, "/sign-in/link?token=", seen=seen)
    text = mail.get_body(("plain",)).get_content()
    return c, re.search(r"/sign-in/link\?token=([A-Za-z0-9_-]+)", text).group(1)


def test_link_single_use_and_expiry():
    count = len([m for m in desk.outbound() if "ben@example.org" in str(m["To"]) and "/sign-in/link?token=" in str(m)])
    c, token = request_link("ben@example.org", seen=count)
    page = c.get(f"/sign-in/link?token={token}")
    assert page.status == 200 and "__Host-postdesk" not in c.cookies, "a GET signed in (mail scanners would use up links)"
    r = c.post("/sign-in/link", {"token": token, "csrf": page.field("csrf") or ""})
    assert r.status == 303, r
    assert c.get("/tickets").status == 200
    again = Client(desk.base, forwarded_for=fresh_client())
    page = again.get(f"/sign-in/link?token={token}")
    r = again.post("/sign-in/link", {"token": token, "csrf": page.field("csrf") or ""})
    assert r.status != 303 or again.get("/tickets").status != 200, "a used link signed in again"
    # Expired (link_lifetime = 3s in this desk).
    c, token = request_link("ben@example.org", seen=count + 1)
    time.sleep(3.5)
    page = c.get(f"/sign-in/link?token={token}")
    r = c.post("/sign-in/link", {"token": token, "csrf": page.field("csrf") or ""})
    assert c.get("/tickets").status == 303, "an expired link signed in"
    # Forged tokens.
    for forged in ["", "A" * 26, token[:-1] + ("A" if token[-1] != "A" else "B"), "../../etc/passwd", "' OR 1=1 --"]:
        f = Client(desk.base, forwarded_for=fresh_client())
        page = f.get("/sign-in/link?token=" + forged.replace(" ", "%20"))
        f.post("/sign-in/link", {"token": forged, "csrf": page.field("csrf") or ""})
        assert f.get("/tickets").status == 303, f"forged token {forged!r} signed in"


def test_agent_address_gets_no_link():
    before = len(desk.outbound())
    Client(desk.base, forwarded_for=fresh_client()).form_post("/sign-in/link", "/sign-in/link", {"email": "alice@acme.test"})
    time.sleep(1.5)
    assert not [m for m in desk.outbound()[before:] if "alice@acme.test" in str(m["To"]) and "/sign-in/link" in str(m)]


# -- access -------------------------------------------------------------------------------------------------------

def test_each_customer_sees_exactly_their_tickets():
    fire, globex, evil = ticket_of("Printer on fire"), ticket_of("Globex invoice question"), ticket_of("<script>alert('subject')</script>")
    dora, carla = ticket_of("Dora's own"), ticket_of("Carla's own")
    expect = {
        "ana@example.org": [fire],                      # requester
        "ben@example.org": [fire],                      # Cc participant
        "carla@globex.test": sorted([globex, dora, carla]),  # primary contact: the company's
        "dora@globex.test": [dora],                     # a colleague, not primary: her own only
        "eve@example.org": [evil],                      # a stranger
    }
    for address, numbers in expect.items():
        c = signed_in(address)
        got = ticket_numbers(c)
        assert got == numbers, f"{address} sees {got}, expected {numbers}"
        for n in {fire, globex, evil, dora, carla} - set(numbers):
            r = c.get(f"/tickets/{n}")
            missing = c.get("/tickets/999999")
            assert r.status == 404 and missing.status == 404, (address, n, r.status)
            assert r.text == missing.text, "another customer's ticket answers differently from a missing one"
            for sub in ("print",):
                assert c.get(f"/tickets/{n}/{sub}").status == 404
            # Acting on it: a reply, people, close, each with a valid token of the attacker's own session.
            token = c.get("/tickets").field("csrf") or c.get("/tickets/new").field("csrf")
            for action, fields in (("reply", {"text": "hijack"}), ("people", {"cc": "mallory@evil.test"}), ("close", {})):
                fields = dict(fields, csrf=token)
                r = c.post(f"/tickets/{n}/{action}", fields)
                assert r.status == 404, (address, n, action, r)
    # Nothing of it happened.
    shown = desk.cli("tickets", "show", str(globex), "--json").stdout
    assert "hijack" not in shown and "mallory@evil.test" not in shown


def attachment_links(c, n):
    return re.findall(r'href="(/tickets/%d/attachments/\d+)"' % n, c.get(f"/tickets/{n}").text)


def test_attachments_checked_every_time():
    fire, evil = ticket_of("Printer on fire"), ticket_of("<script>alert('subject')</script>")
    ana, eve = signed_in("ana@example.org"), signed_in("eve@example.org")
    links = attachment_links(ana, fire)
    assert links, "the ticket's attachment is not listed"
    r = ana.get(links[0])
    assert r.status == 200 and r.body.startswith(b"\x89PNG"), r
    assert (r.header("Content-Disposition") or "").startswith("attachment"), r.header("Content-Disposition")
    assert r.header("X-Content-Type-Options") == "nosniff"
    assert "sandbox" in (r.header("Content-Security-Policy") or "")
    # Eve, with a session, by the id of Ana's attachment: on Ana's ticket and on her own ticket's URL.
    assert eve.get(links[0]).status == 404
    aid = links[0].rsplit("/", 1)[1]
    assert eve.get(f"/tickets/{evil}/attachments/{aid}").status == 404
    assert Client(desk.base, forwarded_for=fresh_client()).get(links[0]).status in (303, 404)
    # Eve's hostile files: never HTML or SVG, always a download.
    for link in attachment_links(eve, evil):
        r = eve.get(link)
        ctype = (r.header("Content-Type") or "").lower()
        assert "html" not in ctype and "svg" not in ctype and "xml" not in ctype, ctype
        assert (r.header("Content-Disposition") or "").startswith("attachment")
        assert "\n" not in (r.header("Content-Disposition") or "")


def test_xss_is_inert():
    evil = ticket_of("<script>alert('subject')</script>")
    eve = signed_in("eve@example.org")
    for path in ["/tickets?tab=all", f"/tickets/{evil}", f"/tickets/{evil}/print", "/"]:
        html = eve.get(path).text
        for raw in ["<script>alert", "<img src=x onerror", "<svg", "onload=", "</textarea><script>"]:
            assert raw not in html, f"{path} contains {raw!r} unescaped"
    assert "&lt;script&gt;alert(" in eve.get(f"/tickets/{evil}").text
    # Reflected: query parameters and form values are never echoed raw.
    for path in ["/tickets?q=%3Cscript%3Ealert(1)%3C/script%3E", "/tickets?status=%3Cscript%3E", '/sign-in?next=%22%3E%3Cscript%3E',
                 "/tickets?page=%3Cscript%3E"]:
        html = eve.get(path).text
        assert "<script>" not in html, path


def test_open_redirects_refused():
    for nxt in ["//evil.test/", "https://evil.test/", "/\\evil.test", "%2F%2Fevil.test", "/%2F/evil.test", "javascript:alert(1)",
                "\\\\evil.test", "/ /evil.test", "http:/evil.test"]:
        c = Client(desk.base, forwarded_for=fresh_client())
        page = c.get("/sign-in?next=" + __import__("urllib.parse").parse.quote(nxt, safe=""))
        r = c.post("/sign-in", {"email": "ana@example.org", "password": PASSWORDS["ana@example.org"], "csrf": page.field("csrf") or "",
                                "next": nxt})
        loc = r.header("Location") or ""
        assert r.status == 303 and loc.startswith("/") and not loc.startswith("//") and "\\" not in loc and "evil" not in loc, (nxt, loc)


def test_csrf():
    fire = ticket_of("Printer on fire")
    ana, ben = signed_in("ana@example.org"), signed_in("ben@example.org")
    before = desk.cli("tickets", "show", str(fire), "--json").stdout
    foreign = ben.get(f"/tickets/{fire}").field("csrf")
    for fields in ({"text": "no token"}, {"text": "foreign token", "csrf": foreign}, {"text": "empty", "csrf": ""}):
        r = ana.post(f"/tickets/{fire}/reply", fields)
        assert r.status == 403, (fields, r)
    own = ana.get(f"/tickets/{fire}").field("csrf")
    r = ana.post(f"/tickets/{fire}/reply", {"text": "evil origin", "csrf": own}, headers={"Origin": "https://evil.test"})
    assert r.status == 403, r
    for path, fields in (("/tickets/new", {"subject": "forged", "text": "x"}), ("/profile", {"name": "Forged"}),
                         (f"/tickets/{fire}/close", {}), ("/sign-out", {})):
        assert ana.post(path, fields).status == 403, path
    after = desk.cli("tickets", "show", str(fire), "--json").stdout
    assert before == after, "a request without a valid token changed the ticket"
    assert "forged" not in desk.cli("tickets", "list", "--json").stdout
    # GET never changes anything.
    assert ana.get(f"/tickets/{fire}/close").status in (404, 405)


# -- what customers do ------------------------------------------------------------------------------------------

def test_reply_with_upload_reaches_the_agent_within_a_second():
    fire = ticket_of("Printer on fire")
    ana = signed_in("ana@example.org")
    seen = len([m for m in desk.outbound() if "alice@acme.test" in str(m["To"])])
    token = ana.get(f"/tickets/{fire}").field("csrf", form=f"/tickets/{fire}/reply")
    started = time.time()
    r = ana.post(f"/tickets/{fire}/reply", {"text": "Here is the log file.", "csrf": token},
                 files=[("files", "printer log.txt", "text/plain", b"paper jam at 10:02\n")])
    assert r.status == 303, r
    mail = desk.wait_mail("alice@acme.test", "Here is the log file.", seen=0, timeout=5)
    took = time.time() - started
    assert took < 2.5, f"the agent's notice took {took:.1f} s"
    page = ana.get(f"/tickets/{fire}").text
    assert "Here is the log file." in page and "printer log.txt" in page
    shown = desk.cli("tickets", "show", str(fire), "--json").stdout
    assert "Here is the log file." in shown
    del mail, seen


def test_new_ticket_close_and_follow_up():
    ana = signed_in("ana@example.org")
    r = ana.form_post("/tickets/new", "/tickets/new", {"subject": "Opened on the web", "text": "Please help.", "priority": "high",
                                                       "reference": "PO-4711"})
    assert r.status == 303 and re.match(r"^/tickets/\d+", r.header("Location") or ""), r
    n = int(re.match(r"^/tickets/(\d+)", r.header("Location")).group(1))
    desk.wait_mail("ana@example.org", f"#{n}", timeout=5)
    desk.wait_mail("alice@acme.test", "Please help.", timeout=5)
    # Without a subject: a clear error, no ticket.
    count = desk.cli("tickets", "list", "--json").stdout.count('"number"')
    r = ana.form_post("/tickets/new", "/tickets/new", {"subject": "", "text": "no subject"})
    after = desk.cli("tickets", "list", "--json").stdout.count('"number"')
    assert r.status in (200, 400, 422) and after == count, (r, count, after)
    # Close it, then a reply opens a linked follow-up.
    page = ana.get(f"/tickets/{n}")
    r = ana.post(f"/tickets/{n}/close", {"csrf": page.field("csrf", form=f"/tickets/{n}/close")})
    assert r.status == 303, r
    assert '"closed"' in desk.cli("tickets", "show", str(n), "--json").stdout
    page = ana.get(f"/tickets/{n}")
    assert page.field("csrf", form=f"/tickets/{n}/close") is None, "a closed ticket still offers Close"
    r = ana.post(f"/tickets/{n}/close", {"csrf": page.field("csrf")})
    assert r.status in (303, 409), r
    r = ana.post(f"/tickets/{n}/reply", {"text": "One more thing.", "csrf": page.field("csrf")})
    assert r.status == 303, r
    follow = int(re.match(r"^/tickets/(\d+)", r.header("Location")).group(1))
    assert follow != n and str(n) in desk.cli("tickets", "show", str(follow), "--json").stdout


def test_mail_link_leads_through_sign_in_to_the_ticket():
    fire = ticket_of("Printer on fire")
    confirmations = [m for m in desk.outbound() if "ana@example.org" in str(m["To"]) and f"#{fire}" in str(m["Subject"])]
    assert confirmations, "no confirmation"
    text = confirmations[0].get_body(("plain",)).get_content()
    assert f"{desk.url}/tickets/{fire}" in text, "the confirmation has no portal link"
    c = Client(desk.base, forwarded_for=fresh_client())
    r = c.get(f"/tickets/{fire}")
    assert r.status == 303 and "/sign-in" in r.header("Location"), r
    page = c.get(r.header("Location"))
    r = c.post("/sign-in", {"email": "ana@example.org", "password": PASSWORDS["ana@example.org"], "csrf": page.field("csrf") or "",
                            "next": page.field("next") or ""})
    assert r.header("Location") == f"/tickets/{fire}", r


# -- hostile requests ---------------------------------------------------------------------------------------------

def raw(data, read=True, timeout=5):
    s = socket.create_connection(("127.0.0.1", desk.port), timeout=timeout)
    s.sendall(data)
    out = b""
    if read:
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            pass
    s.close()
    return out


def still_serving():
    r = Client(desk.base, forwarded_for=fresh_client()).get("/healthz")
    assert r.status == 200, "the portal stopped serving"


def test_oversized_and_malformed_requests():
    ana = signed_in("ana@example.org")
    fire = ticket_of("Printer on fire")
    token = ana.get(f"/tickets/{fire}").field("csrf")
    big = ana.post(f"/tickets/{fire}/reply", {"text": "big", "csrf": token}, files=[("files", "big.bin", "application/octet-stream",
                                                                                      b"x" * (26 << 20))])
    assert big.status == 413 and "<html" in big.text.lower(), big.status
    still_serving()
    body = b"--zz\r\ngarbage without headers end"
    bad = raw(b"POST /tickets/%d/reply HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=zz\r\nContent-Length: %d\r\n"
              b"Connection: close\r\n\r\n%s" % (fire, len(body), body))
    assert bad.startswith(b"HTTP/1.1 4"), bad[:100]
    still_serving()
    for junk in [b"GARBAGE\r\n\r\n", b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 5000 + b"\r\n",
                 b"GET /tickets/%00 HTTP/1.1\r\nHost: x\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"]:
        raw(junk)
        still_serving()
    assert ana.get("/tickets/99999999999999999999999").status == 404
    assert ana.get("/tickets/-1").status == 404
    assert ana.get("/tickets/1e3").status == 404


def test_slowloris_does_not_starve_others():
    socks = []
    for _ in range(60):
        s = socket.create_connection(("127.0.0.1", desk.port), timeout=5)
        s.sendall(b"GET /tickets HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        socks.append(s)
    started = time.time()
    still_serving()
    assert time.time() - started < 2, "a request waited behind slow clients"
    time.sleep(4.5)  # connection_timeout = 3s: the slow ones are dropped
    dropped = 0
    for s in socks:
        try:
            s.settimeout(0.5)
            if s.recv(10) == b"":
                dropped += 1
        except OSError:
            dropped += 1
        s.close()
    assert dropped >= 55, f"only {dropped} of 60 slow connections were dropped after the timeout"
    still_serving()


def test_through_nginx():
    nginx = Nginx(desk)
    try:
        c = Client(nginx.base, tls=True)
        r = c.get("/healthz")
        assert r.status == 200
        assert "max-age=" in (r.header("Strict-Transport-Security") or ""), "no HSTS from the proxy"
        assert (r.header("Server") or "").lower() in ("nginx", ""), r.header("Server")
        # The client's own X-Forwarded-For is replaced: rate limits key on the real address.
        c = Client(nginx.base, tls=True, forwarded_for="1.2.3.4")
        page = c.get("/sign-in")
        assert page.status == 200 and page.field("csrf") is not None
        r = c.post("/sign-in", {"email": "ana@example.org", "password": PASSWORDS["ana@example.org"], "csrf": page.field("csrf")})
        assert r.status == 303, r
        assert c.get("/tickets").status == 200
        # Plain HTTP only redirects to HTTPS.
        plain = Client(f"http://127.0.0.1:{nginx.http_port}")
        r = plain.get("/tickets")
        assert r.status == 301 and r.header("Location", ).startswith("https://"), r
        # Duplicate Content-Length is refused by nginx.
        s = socket.create_connection(("127.0.0.1", nginx.http_port))
        s.sendall(b"POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 5\r\n\r\nhello")
        assert s.recv(100).startswith(b"HTTP/1.1 400"), "nginx accepted two Content-Length fields"
        s.close()
        too_big = c.post("/tickets/new", {"csrf": "x"}, files=[("files", "big.bin", "application/octet-stream", b"x" * (27 << 20))])
        assert too_big.status == 413
    finally:
        nginx.stop()
    still_serving()


def test_reload_and_drain():
    desk.write_config(name="Renamed Support")
    desk.portal.send_signal(__import__("signal").SIGHUP)
    deadline = time.time() + 5
    while time.time() < deadline and "Renamed Support" not in Client(desk.base, forwarded_for=fresh_client()).get("/sign-in").text:
        time.sleep(0.2)
    assert "Renamed Support" in Client(desk.base, forwarded_for=fresh_client()).get("/sign-in").text, "SIGHUP did not reload the config"
    # A bad config keeps the old one.
    with open(desk.config, "a") as f:
        f.write("\nnot a key value line\n")
    desk.portal.send_signal(__import__("signal").SIGHUP)
    time.sleep(1)
    still_serving()
    desk.write_config(name="Renamed Support")
    codes = desk.stop()
    assert codes.get("portal") == 0, codes


TESTS = [test_headers_on_every_page, test_cookie_flags_and_fixation, test_sign_out_ends_the_session_on_the_server,
         test_enumeration_same_bytes_similar_time, test_link_single_use_and_expiry, test_agent_address_gets_no_link,
         test_each_customer_sees_exactly_their_tickets, test_attachments_checked_every_time, test_xss_is_inert,
         test_open_redirects_refused, test_csrf, test_reply_with_upload_reaches_the_agent_within_a_second,
         test_new_ticket_close_and_follow_up, test_mail_link_leads_through_sign_in_to_the_ticket,
         test_rate_limit_does_not_lock_out_the_owner, test_oversized_and_malformed_requests, test_slowloris_does_not_starve_others,
         test_through_nginx, test_reload_and_drain]

if __name__ == "__main__":
    try:
        setup()
    except Exception:
        print(desk.logs())
        desk.cleanup()
        raise
    try:
        run_tests(TESTS, ONLY)
    except SystemExit as done:
        if done.code:
            print(desk.logs())
        desk.cleanup()
        raise
