import PostdeskCore
import PostdeskCrypt
import PostdeskDaemon
import PostdeskHTTP
import PostdeskStore

// Signing in and out: by password, by a mailed single-use link or code, and "forgot password" with the mail
// side's reset codes. Sessions and CSRF are in Sessions.swift, the limits in RateLimits.swift, the profile in
// Portal+Profile.swift.
//
// Every answer to an address is the same whether it has an account or not: a failed sign-in, a link request
// and a reset request each give one page, byte for byte, and an unknown address costs the same yescrypt work
// as a wrong password.
extension Portal {
    /// A yescrypt hash nobody's password matches, verified for unknown addresses so they take as long as a
    /// wrong password.
    static let dummyHash: String = (try? PasswordHash.make(PortalToken.make())) ?? "$y$j9T$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

    // MARK: - /sign-in

    func signIn(_ ctx: inout RequestContext) throws -> HTTPResponse {
        let next = Self.nextOrTickets(ctx.request.method == "POST" ? ctx.request.field("next") : ctx.request.queryValue("next"))
        guard ctx.request.method == "POST" else {
            // Signed in or not, the form: signing in again (as someone else) starts a new session and ends
            // the one the browser came with.
            return signInPage(&ctx, email: "", next: next, failed: false)
        }
        try requireForm(&ctx, signedOut: true)
        let email = Self.normalizedEmail(ctx.request.field("email"))
        let password = ctx.request.field("password") ?? ""
        let client = ctx.request.client
        if let wait = try throttled(.passwordClient, client, take: false) ?? throttled(.passwordAccount, email, take: false) {
            return throttledPage(&ctx, retryAfter: wait, offerLink: true)
        }
        _ = try throttled(.passwordClient, client)

        let account = try eligibleAccount(email)
        let stored = try account.flatMap { a in a.hasPassword ? try readers.with { try $0.passwordHash(a.id) } : nil }
        // Always one yescrypt verification: the account's hash, or the dummy one.
        let candidate = password.utf8.count <= AccountRules.passwordLength.upperBound ? password : ""
        let matches = PasswordHash.verify(candidate, against: stored ?? Self.dummyHash) && stored != nil && !password.isEmpty
        guard matches, let account else {
            _ = try throttled(.passwordAccount, email)
            return signInPage(&ctx, email: email, next: next, failed: true)
        }
        try startSession(&ctx, customer: account.id)
        log(.info, "portal: \(account.address) signed in by password from \(client)")
        return .redirect(next)
    }

    func signInPage(_ ctx: inout RequestContext, email: String, next: String, failed: Bool) -> HTTPResponse {
        let t = ctx.text
        let csrf = csrfField(&ctx)
        let n = HTML.escape(next)
        var body = "<h1>\(HTML.escape(t("signin.title")))</h1>\n"
        if failed { body += "<p class=\"error\" role=\"alert\">\(HTML.escape(t("signin.failed")))</p>\n" }
        body += """
            <form method="post" action="/sign-in">
            \(csrf)<input type="hidden" name="next" value="\(n)">
            <p><label for="email">\(HTML.escape(t("signin.email")))</label>
            <input type="email" id="email" name="email" value="\(HTML.escape(email))" autocomplete="username" required maxlength="254"></p>
            <p><label for="password">\(HTML.escape(t("signin.password")))</label>
            <input type="password" id="password" name="password" autocomplete="current-password" required maxlength="1024"></p>
            <p><button type="submit">\(HTML.escape(t("signin.submit")))</button></p>
            </form>
            <ul class="ways">
            <li><a href="/sign-in/link?next=\(HTML.escape(HTML.urlEncode(next)))">\(HTML.escape(t("signin.link.ask")))</a></li>
            <li><a href="/sign-in/code?next=\(HTML.escape(HTML.urlEncode(next)))">\(HTML.escape(t("signin.code.ask")))</a></li>
            <li><a href="/sign-in/forgot?next=\(HTML.escape(HTML.urlEncode(next)))">\(HTML.escape(t("signin.forgot.ask")))</a></li>
            </ul>

            """
        return page(&ctx, title: t("signin.title"), body: body)
    }

    // MARK: - /sign-in/link and /sign-in/code

    /// GET without a token: the request form. GET with `?token=`: a page with a button that signs in (a GET
    /// never spends a link: mail scanners open links). POST with `email`: mails a link; POST with `token`: signs in.
    func signInLink(_ ctx: inout RequestContext) throws -> HTTPResponse {
        let t = ctx.text
        let minutes = String(max(1, config.portal.linkLifetime.seconds / 60))
        if ctx.request.method != "POST" {  // GET or HEAD: nothing changes
            let next = Self.nextOrTickets(ctx.request.queryValue("next"))
            if let token = ctx.request.queryValue("token") {
                let csrf = csrfField(&ctx)
                let body = """
                    <h1>\(HTML.escape(t("signin.link.confirm.title")))</h1>
                    <p>\(HTML.escape(t("signin.link.confirm")))</p>
                    <form method="post" action="/sign-in/link">
                    \(csrf)<input type="hidden" name="token" value="\(HTML.escape(String(token.prefix(64))))">
                    <input type="hidden" name="next" value="\(HTML.escape(next))">
                    <p><button type="submit">\(HTML.escape(t("signin.submit")))</button></p>
                    </form>

                    """
                return page(&ctx, title: t("signin.link.confirm.title"), body: body)
            }
            return emailForm(&ctx, action: "/sign-in/link", title: t("signin.link.title"), intro: t("signin.link.intro", ["minutes": minutes]),
                             submit: t("signin.link.submit"), next: next)
        }
        try requireForm(&ctx, signedOut: true)
        let next = Self.nextOrTickets(ctx.request.field("next"))
        if let token = ctx.request.field("token") { return try redeemLink(&ctx, token, next: next) }

        let email = Self.normalizedEmail(ctx.request.field("email"))
        let client = ctx.request.client
        if let wait = try throttled([(.mailClient, client), (.linkAccount, email)]) {
            return throttledPage(&ctx, retryAfter: wait, offerLink: false)
        }
        if let account = try eligibleAccount(email) {
            try mailLink(to: account, next: next, client: client)
        }
        let body = """
            <h1>\(HTML.escape(t("signin.link.sent.title")))</h1>
            <p role="status">\(HTML.escape(t("signin.link.sent", ["minutes": minutes])))</p>
            <p><a href="/sign-in/code?next=\(HTML.escape(HTML.urlEncode(next)))">\(HTML.escape(t("signin.code.ask")))</a></p>

            """
        return page(&ctx, title: t("signin.link.sent.title"), body: body)
    }

    /// Stores a new link for `account` (its hash, expiring within `[portal] link_lifetime`) and queues the mail
    /// with the link and the same token as a code, in one transaction; then wakes the daemon to send it.
    func mailLink(to account: Store.CustomerAccount, next: String, client: String) throws {
        let token = PortalToken.make()
        let now = clock.now()
        let lifetime = min(600, max(1, config.portal.linkLifetime.seconds))
        let link = config.portal.url.map { url in
            (url.hasSuffix("/") ? String(url.dropLast()) : url) + "/sign-in/link?token=" + token
                + (next == "/tickets" ? "" : "&next=" + HTML.urlEncode(next))
        }
        let result = try writing { ingestor -> Mailer.Result in
            try ingestor.store.transaction {
                try ingestor.store.addLink(tokenHash: PortalToken.hash(token), customer: account.id, next: next, client: client,
                                           now: now, expires: now + lifetime)
                var values = ["code": Self.grouped(token), "expires_minutes": String(max(1, lifetime / 60)), "subject": "sign in"]
                if let link { values["link"] = link }
                return try ingestor.mailer.queue(.signInLink, ticket: nil, to: .init(address: account.address, name: account.name), values: values)
            }
        }
        switch result {
        case .queued:
            log(.info, "portal: sign-in link for \(account.address) queued (asked from \(client))")
            wakeOutbox()
        case .suppressed(let why):
            log(.notice, "portal: sign-in link for \(account.address) not sent: \(why)")
        }
    }

    /// Tells a running `postdesk run` that the outbox has new mail (`PortalDesk.wake`), so a sign-in link or reset
    /// code goes out at once.
    func wakeOutbox() {
        desk.withLock { $0.wake() }
    }

    func signInCode(_ ctx: inout RequestContext) throws -> HTTPResponse {
        let t = ctx.text
        if ctx.request.method != "POST" {  // GET or HEAD: nothing changes
            let next = Self.nextOrTickets(ctx.request.queryValue("next"))
            let csrf = csrfField(&ctx)
            let body = """
                <h1>\(HTML.escape(t("signin.code.title")))</h1>
                <form method="post" action="/sign-in/code">
                \(csrf)<input type="hidden" name="next" value="\(HTML.escape(next))">
                <p><label for="code">\(HTML.escape(t("signin.code")))</label>
                <input type="text" id="code" name="code" autocomplete="one-time-code" required maxlength="64" spellcheck="false"></p>
                <p><button type="submit">\(HTML.escape(t("signin.code.submit")))</button></p>
                </form>
                <p><a href="/sign-in/link?next=\(HTML.escape(HTML.urlEncode(next)))">\(HTML.escape(t("signin.link.ask")))</a></p>

                """
            return page(&ctx, title: t("signin.code.title"), body: body)
        }
        try requireForm(&ctx, signedOut: true)
        return try redeemLink(&ctx, ctx.request.field("code") ?? "", next: Self.nextOrTickets(ctx.request.field("next")))
    }

    /// Spends a link or typed code and signs its customer in; a wrong, used or expired one gets one clear page.
    func redeemLink(_ ctx: inout RequestContext, _ typed: String, next formNext: String) throws -> HTTPResponse {
        let t = ctx.text
        if let wait = try throttled(.codeClient, ctx.request.client) {
            return throttledPage(&ctx, retryAfter: wait, offerLink: false)
        }
        let token = String(typed.lowercased().filter { !" -\t".contains($0) }.prefix(64))
        let now = clock.now()
        if PortalToken.isWellFormed(token),
           let used = try writing({ try $0.store.useLink(tokenHash: PortalToken.hash(token), now: now) }),
           let address = try readers.with({ try $0.customerAddress(id: used.customer) }),
           let account = try eligibleAccount(address) {
            try startSession(&ctx, customer: account.id)
            log(.info, "portal: \(account.address) signed in by mailed link from \(ctx.request.client)")
            return .redirect(Self.nextOrTickets(used.next ?? formNext))
        }
        let body = """
            <h1>\(HTML.escape(t("signin.link.bad.title")))</h1>
            <p role="alert">\(HTML.escape(t("signin.link.bad")))</p>
            <p><a href="/sign-in/link?next=\(HTML.escape(HTML.urlEncode(formNext)))">\(HTML.escape(t("signin.link.ask")))</a></p>

            """
        return page(&ctx, title: t("signin.link.bad.title"), body: body, status: 400)
    }

    // MARK: - /sign-in/forgot and /sign-in/reset

    func forgotPassword(_ ctx: inout RequestContext) throws -> HTTPResponse {
        let t = ctx.text
        let minutes = String(AccountRules.codeLifetime / 60)
        if ctx.request.method != "POST" {  // GET or HEAD: nothing changes
            return emailForm(&ctx, action: "/sign-in/forgot", title: t("signin.forgot.title"), intro: t("signin.forgot.intro"),
                             submit: t("signin.forgot.submit"), next: Self.nextOrTickets(ctx.request.queryValue("next")))
        }
        try requireForm(&ctx, signedOut: true)
        let next = Self.nextOrTickets(ctx.request.field("next"))
        let email = Self.normalizedEmail(ctx.request.field("email"))
        let client = ctx.request.client
        if let wait = try throttled([(.mailClient, client), (.resetAccount, email)]) {
            return throttledPage(&ctx, retryAfter: wait, offerLink: false)
        }
        // The code is made (and hashed) for every request, so a known address takes as long as an unknown one.
        let prepared = try PreparedCode.make()
        if let account = try eligibleAccount(email) {
            let outcome = try writing { try $0.issueResetCode(address: account.address, name: account.name, requestedBy: "portal",
                                                              prepared: prepared, client: "ip:" + client) }
            log(.info, "portal: password reset for \(account.address) asked from \(client): \(outcome)")
            if case .mailed = outcome { wakeOutbox() }
        }
        return resetPage(&ctx, email: email, next: next, notice: t("signin.forgot.sent", ["minutes": minutes]), error: nil)
    }

    func resetPassword(_ ctx: inout RequestContext) throws -> HTTPResponse {
        let t = ctx.text
        if ctx.request.method != "POST" {  // GET or HEAD: nothing changes
            return resetPage(&ctx, email: "", next: Self.nextOrTickets(ctx.request.queryValue("next")), notice: nil, error: nil)
        }
        try requireForm(&ctx, signedOut: true)
        let next = Self.nextOrTickets(ctx.request.field("next"))
        let email = Self.normalizedEmail(ctx.request.field("email"))
        let password = ctx.request.field("password") ?? ""
        if let problem = Self.passwordProblem(password) {
            return resetPage(&ctx, email: email, next: next, notice: nil, error: t(problem))
        }
        if let wait = try throttled(.codeClient, ctx.request.client) {
            return throttledPage(&ctx, retryAfter: wait, offerLink: true)
        }
        let code = ctx.request.field("code") ?? ""
        guard try eligibleAccount(email) != nil else {
            _ = try? PasswordHash.make(password)  // the work redeeming would have done: the same time for everyone
            return resetPage(&ctx, email: email, next: next, notice: nil, error: t("signin.reset.failed"))
        }
        guard try writing({ try $0.redeemResetCode(address: email, code: code, newPassword: password) }) == .passwordSet,
              let account = try eligibleAccount(email) else {
            return resetPage(&ctx, email: email, next: next, notice: nil, error: t("signin.reset.failed"))
        }
        try writing { try $0.store.deleteSessions(customer: account.id) }
        try startSession(&ctx, customer: account.id)
        log(.info, "portal: \(account.address) set a new password with a reset code and signed in")
        return .redirect(next)
    }

    func resetPage(_ ctx: inout RequestContext, email: String, next: String, notice: String?, error: String?) -> HTTPResponse {
        let t = ctx.text
        let csrf = csrfField(&ctx)
        var body = "<h1>\(HTML.escape(t("signin.reset.title")))</h1>\n"
        if let notice { body += "<p role=\"status\">\(HTML.escape(notice))</p>\n" }
        if let error { body += "<p class=\"error\" role=\"alert\">\(HTML.escape(error))</p>\n" }
        body += """
            <form method="post" action="/sign-in/reset">
            \(csrf)<input type="hidden" name="next" value="\(HTML.escape(next))">
            <p><label for="email">\(HTML.escape(t("signin.email")))</label>
            <input type="email" id="email" name="email" value="\(HTML.escape(email))" autocomplete="username" required maxlength="254"></p>
            <p><label for="code">\(HTML.escape(t("signin.reset.code")))</label>
            <input type="text" id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="32"></p>
            <p><label for="password">\(HTML.escape(t("signin.reset.password")))</label>
            <input type="password" id="password" name="password" autocomplete="new-password" required minlength="8" maxlength="128"></p>
            <p><button type="submit">\(HTML.escape(t("signin.reset.submit")))</button></p>
            </form>

            """
        return page(&ctx, title: t("signin.reset.title"), body: body)
    }

    // MARK: - /sign-out

    /// GET: a page with a sign-out button (a GET changes nothing). POST: ends the session on the server and
    /// clears the cookie.
    func signOut(_ ctx: inout RequestContext) throws -> HTTPResponse {
        let t = ctx.text
        guard let session = ctx.session else {
            if ctx.request.cookies[PortalCookie.session] != nil, !ctx.cookies.contains(where: { $0.hasPrefix(PortalCookie.session + "=") }) {
                ctx.cookies.append(PortalCookie.clear(PortalCookie.session))
            }
            return .redirect("/sign-in")
        }
        if ctx.request.method != "POST" {  // GET or HEAD: nothing changes
            let csrf = csrfField(&ctx)
            let body = """
                <h1>\(HTML.escape(t("signin.signout.title")))</h1>
                <form method="post" action="/sign-out">
                \(csrf)<p>\(HTML.escape(t("signin.signout.confirm")))</p>
                <p><button type="submit">\(HTML.escape(t("signin.signout")))</button></p>
                </form>

                """
            return page(&ctx, title: t("signin.signout.title"), body: body)
        }
        try requireForm(&ctx)
        try writing { try $0.store.deleteSession(idHash: session.idHash) }
        ctx.session = nil
        ctx.cookies.append(PortalCookie.clear(PortalCookie.session))
        return .redirect("/sign-in")
    }

    // MARK: - Pieces

    /// A form with one email field (link request, forgot password).
    func emailForm(_ ctx: inout RequestContext, action: String, title: String, intro: String, submit: String, next: String) -> HTTPResponse {
        let t = ctx.text
        let csrf = csrfField(&ctx)
        let body = """
            <h1>\(HTML.escape(title))</h1>
            <p>\(HTML.escape(intro))</p>
            <form method="post" action="\(action)">
            \(csrf)<input type="hidden" name="next" value="\(HTML.escape(next))">
            <p><label for="email">\(HTML.escape(t("signin.email")))</label>
            <input type="email" id="email" name="email" autocomplete="username" required maxlength="254"></p>
            <p><button type="submit">\(HTML.escape(submit))</button></p>
            </form>
            <p><a href="/sign-in?next=\(HTML.escape(HTML.urlEncode(next)))">\(HTML.escape(t("signin.password.instead")))</a></p>

            """
        return page(&ctx, title: title, body: body)
    }

    /// The account of `email` when it may use the portal: it exists, and with `[portal] access = invited` it
    /// was invited, has a password or is confirmed. Nil for everyone else (one answer for all of them). The
    /// web never creates a customer record.
    func eligibleAccount(_ email: String) throws -> Store.CustomerAccount? {
        guard !email.isEmpty, let a = try readers.with({ try $0.customerAccount(address: email) }) else { return nil }
        if config.portal.access == .invited, a.invitedAt == nil, a.confirmedAt == nil, !a.hasPassword { return nil }
        return a
    }

    /// The address as typed, trimmed and lower-cased; "" when it is no address at all.
    static func normalizedEmail(_ s: String?) -> String {
        let e = (s ?? "").trimmedOf(" \t\r\n").lowercased()
        guard e.utf8.count <= 254, e.contains("@"), !e.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true }) else { return "" }
        return e
    }

    /// A token as people read it: groups of four.
    static func grouped(_ token: String) -> String {
        var out = ""
        for (i, c) in token.enumerated() {
            if i > 0, i % 4 == 0 { out.append("-") }
            out.append(c)
        }
        return out
    }

    /// Why a new password is refused (a text key), or nil: 8 to 128 characters (ASVS 6.2.1, 6.2.9), not one of
    /// the most common passwords (6.2.4), no composition rules (6.2.5).
    static func passwordProblem(_ p: String) -> String? {
        if p.count < 8 { return "signin.password.short" }
        if p.count > 128 { return "signin.password.long" }
        if commonPasswords.contains(p.lowercased()) { return "signin.password.common" }
        return nil
    }

    /// The most common passwords of 8 characters or more (from the published breach top lists).
    static let commonPasswords: Set<String> = [
        "password", "12345678", "123456789", "1234567890", "12345678910", "qwertyuiop", "password1", "password12", "password123",
        "iloveyou", "11111111", "00000000", "88888888", "abc12345", "abcd1234", "qwerty123", "qwerty12", "1q2w3e4r", "1q2w3e4r5t",
        "sunshine", "princess", "football", "baseball", "welcome1", "welcome123", "admin123", "administrator", "letmein1", "passw0rd",
        "p@ssw0rd", "p@ssword", "trustno1", "superman", "starwars", "12341234", "87654321", "987654321", "qwertyui", "asdfghjk",
        "asdfghjkl", "zxcvbnm1", "michelle", "jennifer", "whatever", "computer", "1qaz2wsx", "zaq12wsx", "zaq1zaq1", "dragon12",
        "master12", "monkey12", "shadow12", "123123123", "111111111", "1111111111", "qazwsxedc", "1234qwer", "q1w2e3r4", "q1w2e3r4t5",
        "aaaaaaaa", "changeme", "changeme1", "hello123", "charlie1", "jordan23", "liverpool", "chelsea1", "arsenal1", "michael1",
        "mustang1", "internet", "samsung1", "google123", "12qwaszx", "1234abcd", "passwort", "passwort1", "haslo123", "hasło123",
        "motdepasse", "contraseña", "contrasena", "password!", "iloveyou1", "princess1", "sunshine1", "football1", "baseball1",
        "qwertyuiop1", "1234567a", "a1234567", "12345qwert", "11223344", "12344321", "00001111", "secret123", "default1",
        "postdesk", "helpdesk", "support1", "customer", "letmein123", "welcome!", "azertyuiop", "qwertzuiop", "ciao1234",
    ]
}

extension String {
    func trimmedOf(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
