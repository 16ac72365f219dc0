import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskHTTP
import PostdeskStore
import Testing
@testable import PostdeskPortal

/// Sessions on the server: timeouts, sign-out, CSRF on every form, the rate limits.
@Suite struct SessionTests {
    @Test func anIdleSessionEndsAfterSessionIdleAndAnyAfterSessionMax() throws {
        let f = try PortalFixture(portalConfig: "session_idle = 30m\nsession_max = 2h")
        let (id, password) = try f.customer("ann@client.test")
        var b = Browser(f)
        b.signIn("ann@client.test", password)
        f.clock.seconds += 29 * 60
        #expect(b.get("/profile").status == 200)
        f.clock.seconds += 29 * 60
        #expect(b.get("/profile").status == 200, "used within the idle time: still on")
        f.clock.seconds += 31 * 60
        let idle = b.get("/profile")
        #expect(idle.status == 303)
        #expect(b.session == nil, "the stale cookie is cleared")
        #expect(try f.sessions(id) == 0, "and the row is gone")

        b.signIn("ann@client.test", password)
        for _ in 0..<4 {
            f.clock.seconds += 25 * 60
            #expect(b.get("/profile").status == 200)
        }
        f.clock.seconds += 25 * 60  // 125 minutes after sign-in, never idle 30
        #expect(b.get("/profile").status == 303)
        #expect(try f.sessions(id) == 0)
    }

    @Test func lastSeenIsWrittenAtMostOnceAMinute() throws {
        let f = try PortalFixture()
        let (_, password) = try f.customer("ann@client.test")
        var b = Browser(f)
        b.signIn("ann@client.test", password)
        let hash = PortalToken.hash(try #require(b.session))
        func lastSeen() throws -> Int64? { try f.store.db.query("SELECT last_seen FROM portal_sessions WHERE id_hash = ?", [.text(hash)]).first?.int("last_seen") }
        let start = try lastSeen()
        f.clock.seconds += 59
        b.get("/profile")
        #expect(try lastSeen() == start)
        f.clock.seconds += 1
        b.get("/profile")
        #expect(try lastSeen() == f.clock.seconds)
    }

    @Test func signOutEndsTheSessionOnTheServerAndAGetChangesNothing() throws {
        let f = try PortalFixture()
        let (id, password) = try f.customer("ann@client.test")
        var b = Browser(f)
        b.signIn("ann@client.test", password)
        let cookie = try #require(b.session)
        // GET /sign-out only shows the button.
        let page = b.get("/sign-out")
        #expect(page.status == 200 && body(page).contains("action=\"/sign-out\""))
        #expect(try f.sessions(id) == 1)
        // Without the token: refused, still signed in.
        #expect(b.post("/sign-out", [], csrf: "").status == 403)
        #expect(try f.sessions(id) == 1)
        let out = b.post("/sign-out", [])
        #expect(out.status == 303)
        #expect(PortalFixture.setCookies(out).contains("__Host-postdesk=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"))
        #expect(try f.sessions(id) == 0)
        // The old cookie, kept by an attacker, opens nothing.
        #expect(f.request("GET", "/profile", cookies: [PortalCookie.session: cookie]).status == 303)
    }

    @Test func formsWithoutTheTokenWithAnotherSessionsTokenOrFromAnotherOriginAreRefused() throws {
        let f = try PortalFixture()
        let (ann, password) = try f.customer("ann@client.test", name: "Ann")
        let (_, bobPassword) = try f.customer("bob@other.test")
        var b = Browser(f)
        b.signIn("ann@client.test", password)
        b.get("/profile")
        var bob = Browser(f, client: "192.0.2.60")
        bob.signIn("bob@other.test", bobPassword)
        bob.get("/profile")
        let change = [("action", "profile"), ("name", "Hacked"), ("language", "de"), ("timezone", "")]
        #expect(b.post("/profile", change, csrf: "").status == 403)
        #expect(b.post("/profile", change, csrf: bob.csrf).status == 403)
        #expect(b.post("/profile", change, csrf: String(b.csrf.dropLast()) + (b.csrf.hasSuffix("0") ? "1" : "0")).status == 403)
        b.headers = [("Origin", "https://evil.test")]
        #expect(b.post("/profile", change).status == 403)
        b.headers = [("Origin", "null")]
        #expect(b.post("/profile", change).status == 403)
        #expect(try f.store.customerAccount(address: "ann@client.test")?.name == "Ann", "nothing changed")
        b.headers = [("Origin", "https://support.acme.test")]
        #expect(b.post("/profile", change).status == 303)
        #expect(try f.store.customerAccount(address: "ann@client.test")?.name == "Hacked")
        _ = ann

        // Signed-out forms: the pre-session token is bound to the browser's own cookie.
        var c = Browser(f, client: "192.0.2.61")
        let form = c.get("/sign-in")
        let pre = PortalFixture.setCookies(form).filter { $0.hasPrefix("__Host-postdesk-pre=") }
        #expect(pre.count == 1 && pre[0].wholeMatch(of: /__Host-postdesk-pre=[0-9a-f]{32}; Path=\/; Secure; HttpOnly; SameSite=Lax/) != nil, "\(pre)")
        #expect(form.header("Cache-Control") == "no-store", "a page with a token is never stored")
        var d = Browser(f, client: "192.0.2.62")
        d.get("/sign-in")
        #expect(c.post("/sign-in", [("email", "ann@client.test"), ("password", password)], csrf: "").status == 403)
        #expect(c.post("/sign-in", [("email", "ann@client.test"), ("password", password)], csrf: d.csrf).status == 403)
        var noCookie = Browser(f, client: "192.0.2.63")
        #expect(noCookie.post("/sign-in", [("email", "ann@client.test"), ("password", password)], csrf: c.csrf).status == 403)
        #expect(c.session == nil && noCookie.session == nil)
        c.headers = [("Origin", "https://evil.test")]
        #expect(c.post("/sign-in", [("email", "ann@client.test"), ("password", password)]).status == 403)
        #expect(c.session == nil)
        // The server secret is made 0600 in data_dir.
        var st = stat()
        #expect(stat(f.config.helpdesk.dataDir + "/portal-secret", &st) == 0 && st.st_mode & 0o777 == 0o600)
    }

    @Test func tooManyPasswordsGet429AndTheOwnerStillGetsInByLink() throws {
        let f = try PortalFixture()
        let (id, password) = try f.customer("ann@client.test")
        // An attacker from one address: after 10 wrong passwords the address's password form is throttled.
        var attacker = Browser(f, client: "198.51.100.9")
        attacker.get("/sign-in")
        var statuses: [Int] = []
        for i in 0..<12 {
            statuses.append(attacker.post("/sign-in", [("email", "ann@client.test"), ("password", "guess \(i)")]).status)
        }
        #expect(statuses.prefix(10).allSatisfy { $0 == 200 })
        let throttled = attacker.post("/sign-in", [("email", "ann@client.test"), ("password", password)])
        #expect(throttled.status == 429)
        #expect(Int(throttled.header("Retry-After") ?? "") ?? 0 >= 1)
        #expect(attacker.session == nil, "even the right password is not tried while throttled")
        // From many addresses, the per-client limit never stops one attacker per address; the per-address
        // limit does. The owner then still signs in by mailed link.
        var owner = Browser(f, client: "192.0.2.200")
        let pw = owner.signIn("ann@client.test", password)
        #expect(pw.status == 429)
        #expect(body(pw).contains("href=\"/sign-in/link\""))
        owner.submit("/sign-in/link", [("email", "ann@client.test")])
        let token = try #require(try f.linkToken("ann@client.test"))
        owner.get("/sign-in/link?token=" + token)
        #expect(owner.post("/sign-in/link", [("token", token)]).status == 303)
        #expect(try f.sessions(id) == 1)
        // Time refills the bucket.
        f.clock.seconds += 3600
        var later = Browser(f, client: "192.0.2.201")
        #expect(later.signIn("ann@client.test", password).status == 303)
    }

    @Test func linkRequestsAreCappedPerAddressAndPerClient() throws {
        let f = try PortalFixture()
        try f.mail(from: "ann@client.test")
        var b = Browser(f, client: "198.51.100.20")
        b.get("/sign-in/link")
        var statuses: [Int] = []
        for _ in 0..<4 { statuses.append(b.post("/sign-in/link", [("email", "ann@client.test")]).status) }
        #expect(statuses == [200, 200, 200, 429])
        #expect(try f.mails("sign_in_link", to: "ann@client.test").count == 3, "every link went to the owner")
        // Unknown addresses are counted the same way (a 429 tells nothing about an account).
        var c = Browser(f, client: "198.51.100.21")
        c.get("/sign-in/link")
        statuses = []
        for _ in 0..<4 { statuses.append(c.post("/sign-in/link", [("email", "nobody@client.test")]).status) }
        #expect(statuses == [200, 200, 200, 429])
        // One client, many addresses: 10 requests, then 429.
        var d = Browser(f, client: "198.51.100.22")
        d.get("/sign-in/link")
        statuses = []
        for i in 0..<11 { statuses.append(d.post("/sign-in/link", [("email", "n\(i)@client.test")]).status) }
        #expect(statuses.filter { $0 == 429 } == [429])
        #expect(statuses.last == 429)
    }

    @Test func typedCodesAreLimitedPerClient() throws {
        let f = try PortalFixture()
        var b = Browser(f, client: "198.51.100.30")
        b.get("/sign-in/code")
        var statuses: [Int] = []
        for _ in 0..<11 { statuses.append(b.post("/sign-in/code", [("code", PortalToken.make())]).status) }
        #expect(statuses.prefix(10).allSatisfy { $0 == 400 })
        #expect(statuses.last == 429)
    }

    @Test func aPasswordChangeEndsEveryOtherSession() throws {
        let f = try PortalFixture()
        let (id, password) = try f.customer("ann@client.test")
        var laptop = Browser(f), phone = Browser(f, client: "192.0.2.31")
        laptop.signIn("ann@client.test", password)
        phone.signIn("ann@client.test", password)
        #expect(try f.sessions(id) == 2)
        laptop.get("/profile")
        let wrong = laptop.post("/profile", [("action", "password"), ("current", "not it"), ("password", "brand new secret")])
        #expect(wrong.status == 400)
        #expect(try f.sessions(id) == 2)
        let short = laptop.post("/profile", [("action", "password"), ("current", password), ("password", "short")])
        #expect(short.status == 400)
        let r = laptop.post("/profile", [("action", "password"), ("current", password), ("password", "brand new secret")])
        #expect(r.status == 303)
        #expect(laptop.get("/profile").status == 200, "this session goes on")
        #expect(phone.get("/profile").status == 303, "the other one ended")
        #expect(try f.sessions(id) == 1)
        var c = Browser(f, client: "192.0.2.32")
        #expect(c.signIn("ann@client.test", "brand new secret").status == 303)
    }
}
