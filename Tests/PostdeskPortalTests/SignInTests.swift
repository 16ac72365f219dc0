import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskHTTP
import PostdeskStore
import Testing
@testable import PostdeskPortal

/// Signing in by password, by mailed link and code, and with a reset code, through the real handler and a
/// real SQLite file, as a browser and as an attacker would.
@Suite struct SignInTests {
    @Test func passwordSignInSetsAHostSessionCookieWithANewIdEveryTime() throws {
        let f = try PortalFixture()
        let (_, password) = try f.customer("ann@client.test", name: "Ann")
        var b = Browser(f)
        let r = b.signIn("Ann@Client.test", password)
        #expect(r.status == 303)
        #expect(location(r) == "/tickets")
        let set = PortalFixture.setCookies(r).filter { $0.hasPrefix("__Host-postdesk=") }
        #expect(set.count == 1)
        #expect(set.first?.wholeMatch(of: /__Host-postdesk=[0-9a-f]{32}; Path=\/; Secure; HttpOnly; SameSite=Lax/) != nil, "\(set)")
        let first = try #require(b.session)
        #expect(b.get("/profile").status == 200)

        b.signIn("ann@client.test", password)
        let second = try #require(b.session)
        #expect(first != second)
        // The first session ended with the second sign-in (the browser's old cookie is never kept).
        #expect(f.request("GET", "/profile", cookies: [PortalCookie.session: first]).status == 303)
        // The database holds only hashes.
        let rows = try f.store.db.query("SELECT id_hash FROM portal_sessions").map { $0.string("id_hash") ?? "" }
        #expect(!rows.contains(second) && rows.contains(PortalToken.hash(second)))
    }

    @Test func aCookieSetBeforeSignInIsNeverTheSession() throws {
        let f = try PortalFixture()
        let (victim, password) = try f.customer("ann@client.test")
        let (_, attackerPassword) = try f.customer("mallory@evil.test")
        // The attacker's own valid session id, and a made-up one, planted in the victim's browser.
        var attacker = Browser(f, client: "198.51.100.7")
        attacker.signIn("mallory@evil.test", attackerPassword)
        let planted = try #require(attacker.session)
        for plantedID in [planted, "0123456789abcdef0123456789abcdef"] {
            var b = Browser(f)
            b.jar[PortalCookie.session] = plantedID
            #expect(b.signIn("ann@client.test", password).status == 303)
            #expect(b.session != plantedID)
            // The planted id does not open the victim's account.
            var withPlanted = Browser(f, client: "198.51.100.7")
            withPlanted.jar[PortalCookie.session] = plantedID
            let page = withPlanted.get("/profile")
            #expect(page.status == 303 || !body(page).contains("ann@client.test"))
        }
        #expect(try f.sessions(victim) == 2)
    }

    @Test func aWrongPasswordAndAnUnknownAddressGetTheSameBytesAndTakeAsLong() throws {
        let f = try PortalFixture()
        let (_, password) = try f.customer("ann@client.test")
        _ = try f.customer("nopass@client.test", password: false)
        var b = Browser(f)
        b.get("/sign-in")
        func attempt(_ email: String, _ pw: String) -> (String, Double) {
            let start = Date()
            let r = b.post("/sign-in", [("email", email), ("password", pw), ("next", "/tickets")])
            #expect(r.status == 200)
            #expect(b.session == nil)
            return (body(r).replacingOccurrences(of: email, with: "EMAIL"), Date().timeIntervalSince(start))
        }
        var times: [String: [Double]] = [:]
        var pages: Set<String> = []
        for _ in 0..<3 {
            for (email, pw) in [("ann@client.test", password + "1"), ("nobody@client.test", password), ("nopass@client.test", password)] {
                let (page, t) = attempt(email, pw)
                pages.insert(page)
                times[email, default: []].append(t)
            }
        }
        #expect(pages.count == 1, "\(pages)")
        let known = try #require(times["ann@client.test"]?.min()), unknown = try #require(times["nobody@client.test"]?.min())
        let noPassword = try #require(times["nopass@client.test"]?.min())
        // Each does one yescrypt verification (about 15 ms): no factor of 3 between them.
        #expect(unknown > known / 3 && noPassword > known / 3, "known \(known), unknown \(unknown), no password \(noPassword)")
    }

    @Test func theMailedLinkSignsInOnceFromAPostNeverFromAGet() throws {
        let f = try PortalFixture()
        try f.mail(from: "Ann <ann@client.test>")  // a customer record, no password
        var b = Browser(f)
        let asked = b.submit("/sign-in/link?next=%2Ftickets%2F1", [("email", "ann@client.test"), ("next", "/tickets/1")])
        #expect(asked.status == 200)
        var other = Browser(f, client: "192.0.2.99")
        let unknown = other.submit("/sign-in/link", [("email", "nobody@client.test"), ("next", "/tickets/1")])
        #expect(body(asked) == body(unknown))
        #expect(try f.mails("sign_in_link", to: "nobody@client.test").isEmpty)
        let mail = try #require(try f.mails("sign_in_link", to: "ann@client.test").first)
        #expect(mail.contains("https://support.acme.test/sign-in/link?token="))
        let token = try #require(try f.linkToken("ann@client.test"))
        #expect(PortalToken.isWellFormed(token))
        #expect(mail.contains(Portal.grouped(token)), "the same token as a code to type")
        #expect(try f.store.db.query("SELECT count(*) FROM portal_links WHERE token_hash = ?", [.text(token)]).first?[0].int == 0)

        // A mail scanner opens the link (HEAD, then GET): nothing is spent.
        var scanner = Browser(f, client: "203.0.113.5")
        #expect(f.request("HEAD", "/sign-in/link?token=" + token, peer: "203.0.113.5").status == 200)
        #expect(scanner.get("/sign-in/link?token=" + token).status == 200)
        #expect(scanner.session == nil)
        let confirm = b.get("/sign-in/link?token=" + token)
        #expect(body(confirm).contains("method=\"post\" action=\"/sign-in/link\""))
        let used = b.post("/sign-in/link", [("token", token), ("next", "/tickets")])
        #expect(used.status == 303)
        #expect(location(used) == "/tickets/1", "the next the link was asked with")
        #expect(b.session != nil)

        // Used: a clear page, no session.
        var again = Browser(f, client: "192.0.2.11")
        again.get("/sign-in/link?token=" + token)
        let reused = again.post("/sign-in/link", [("token", token)])
        #expect(reused.status == 400)
        #expect(again.session == nil)
        #expect(body(reused).contains(Strings("en")("signin.link.bad")))
    }

    @Test func anExpiredLinkAndAForgedOneSignNobodyIn() throws {
        let f = try PortalFixture()
        try f.mail(from: "ann@client.test")
        var b = Browser(f)
        b.submit("/sign-in/link", [("email", "ann@client.test")])
        let token = try #require(try f.linkToken("ann@client.test"))
        f.clock.seconds += 601
        b.get("/sign-in/link?token=" + token)
        #expect(b.post("/sign-in/link", [("token", token)]).status == 400)
        #expect(b.session == nil)
        for forged in ["0" + token.dropFirst(), String(token.prefix(31)), token.uppercased() + "0", "../../etc", ""] {
            #expect(b.post("/sign-in/code", [("code", forged)]).status == 400)
            #expect(b.session == nil)
        }
    }

    @Test func aTokenSignsInItsOwnerOnlyWhoeverUsesIt() throws {
        let f = try PortalFixture()
        let (ann, annPassword) = try f.customer("ann@client.test")
        let (bob, _) = try f.customer("bob@other.test")
        var b = Browser(f)
        b.signIn("ann@client.test", annPassword)
        var other = Browser(f, client: "192.0.2.50")
        other.submit("/sign-in/link", [("email", "bob@other.test")])
        let token = try #require(try f.linkToken("bob@other.test"))
        // Ann's browser, signed in as Ann, posts Bob's token: the session is Bob's, and Ann's old one is gone.
        b.get("/sign-in/link?token=" + token)
        #expect(b.post("/sign-in/link", [("token", token)]).status == 303)
        #expect(body(b.get("/profile")).contains("bob@other.test"))
        #expect(try f.sessions(ann) == 0 && f.sessions(bob) == 1)
    }

    @Test func theCodeFromTheMailCanBeTypedWithSpacesAndCapitals() throws {
        let f = try PortalFixture()
        try f.mail(from: "ann@client.test")
        var b = Browser(f)
        b.submit("/sign-in/link", [("email", "ann@client.test")])
        let token = try #require(try f.linkToken("ann@client.test"))
        let typed = " " + Portal.grouped(token).uppercased().replacingOccurrences(of: "-", with: " ") + " "
        let r = b.submit("/sign-in/code?next=%2Fprofile", [("code", typed), ("next", "/profile")])
        #expect(r.status == 303)
        #expect(location(r) == "/profile" || location(r) == "/tickets")
        #expect(b.session != nil)
    }

    @Test func forgotAndResetSetANewPasswordEndOtherSessionsAndSignIn() throws {
        let f = try PortalFixture()
        let (ann, oldPassword) = try f.customer("ann@client.test")
        var elsewhere = Browser(f, client: "192.0.2.77")
        elsewhere.signIn("ann@client.test", oldPassword)
        let old = try #require(elsewhere.session)

        var b = Browser(f)
        let asked = b.submit("/sign-in/forgot", [("email", "ann@client.test")])
        #expect(asked.status == 200)
        var stranger = Browser(f, client: "192.0.2.78")
        let unknown = stranger.submit("/sign-in/forgot", [("email", "nobody@client.test")])
        #expect(body(asked).replacingOccurrences(of: b.csrf, with: "T").replacingOccurrences(of: "ann@client.test", with: "E")
                == body(unknown).replacingOccurrences(of: stranger.csrf, with: "T").replacingOccurrences(of: "nobody@client.test", with: "E"))
        let mail = try #require(try f.mails("password_reset", to: "ann@client.test").first)
        #expect(try f.mails("password_reset", to: "nobody@client.test").isEmpty)
        let code = try #require(mail.firstMatch(of: /\d{4} \d{4}/)).output
        #expect(try f.store.db.query("SELECT requested_by FROM account_codes").first?.string("requested_by") == "portal")

        // A common password is refused (the code is not spent by it).
        let common = b.post("/sign-in/reset", [("email", "ann@client.test"), ("code", String(code)), ("password", "password123")])
        #expect(common.status == 200 && body(common).contains(Strings("en")("signin.password.common")))
        #expect(b.post("/sign-in/reset", [("email", "ann@client.test"), ("code", "0000 0000"), ("password", "a new long secret")]).status == 200)
        #expect(b.session == nil)
        let r = b.post("/sign-in/reset", [("email", "ann@client.test"), ("code", String(code)), ("password", "a new long secret")])
        #expect(r.status == 303)
        #expect(b.session != nil)
        #expect(f.request("GET", "/profile", cookies: [PortalCookie.session: old]).status == 303, "the other session ended")
        #expect(try f.sessions(ann) == 1)
        var c = Browser(f, client: "192.0.2.79")
        #expect(c.signIn("ann@client.test", oldPassword).status == 200)
        #expect(c.signIn("ann@client.test", "a new long secret").status == 303)
    }

    @Test(arguments: ["//evil.test", "https://evil.test", "/\\evil.test", "%2F%2Fevil", "/%2F%2Fevil.test", "\\\\evil.test",
                      "/tickets\r\nSet-Cookie: x=1", "javascript:alert(1)", "/%5Cevil.test", " /tickets", "/a:b@evil.test"])
    func nextGoesOnlyToThePortalsOwnPaths(next: String) throws {
        let f = try PortalFixture()
        let (_, password) = try f.customer("ann@client.test")
        var b = Browser(f)
        b.get("/sign-in?next=" + HTML.urlEncode(next))
        let r = b.post("/sign-in", [("email", "ann@client.test"), ("password", password), ("next", next)])
        #expect(r.status == 303)
        #expect(location(r) == "/tickets", "next \(next) -> \(location(r) ?? "-")")
    }

    @Test func aGoodNextIsKeptThroughTheForms() throws {
        let f = try PortalFixture()
        let (_, password) = try f.customer("ann@client.test")
        // Signed out, a private page leads to sign-in with next= that page and its query.
        let first = f.request("GET", "/profile?tab=2")
        #expect(first.status == 303)
        #expect(location(first) == "/sign-in?next=%2Fprofile%3Ftab%3D2")
        var b = Browser(f)
        let form = b.get("/sign-in?next=%2Fprofile%3Ftab%3D2")
        #expect(body(form).contains("name=\"next\" value=\"/profile?tab=2\""))
        let r = b.post("/sign-in", [("email", "ann@client.test"), ("password", password), ("next", "/profile?tab=2")])
        #expect(location(r) == "/profile?tab=2")
    }

    @Test func accessInvitedLetsOnlyInvitedOrConfirmedCustomersIn() throws {
        let f = try PortalFixture(portalConfig: "access = invited")
        try f.mail(from: "walkin@client.test")  // wrote once: a customer record, never invited
        let invited = try f.store.customer(address: "invited@client.test", name: nil, at: f.clock.now().iso8601)
        try f.store.markInvited(invited, at: f.clock.now().iso8601)
        var b = Browser(f)
        let walkIn = b.submit("/sign-in/link", [("email", "walkin@client.test")])
        let inv = b.submit("/sign-in/link", [("email", "invited@client.test")])
        #expect(body(walkIn) == body(inv))
        #expect(try f.mails("sign_in_link", to: "walkin@client.test").isEmpty)
        #expect(try f.mails("sign_in_link", to: "invited@client.test").count == 1)
        b.submit("/sign-in/forgot", [("email", "walkin@client.test")])
        #expect(try f.mails("password_reset", to: "walkin@client.test").isEmpty)
        // No customer record is ever made from the web.
        b.submit("/sign-in/link", [("email", "stranger@client.test")])
        #expect(try f.store.customerAccount(address: "stranger@client.test") == nil)
    }

    @Test func theSignInMailExistsInEveryLanguage() throws {
        for language in Configuration.languages {
            let text = try #require(DefaultTemplates.all[language]?[.signInLink], "\(language)")
            let parsed = MailTemplate.parse(text, kind: .signInLink)
            guard case .success(let t) = parsed else { Issue.record("\(language): \(parsed)"); continue }
            let out = t.render(["link": "https://x.test/sign-in/link?token=abc", "code": "abcd-ef01", "expires_minutes": "10"])
            #expect(out.text.contains("https://x.test/sign-in/link?token=abc") && out.text.contains("abcd-ef01") && out.text.contains("10"))
        }
    }
}
