import PostdeskCore
import PostdeskCrypt
import PostdeskHTTP
import PostdeskStore
import PostdeskSystem

// `/profile`: name, address, company, language and time zone; the password, changed with the current one
// (ASVS 6.2.3), which ends every other session of the customer.
extension Portal {
    /// The languages' names, each in its own language.
    static let languageNames: [(code: String, name: String)] = [
        ("en", "English"), ("es", "Español"), ("de", "Deutsch"), ("pl", "Polski"), ("fr", "Français"), ("it", "Italiano"),
    ]

    func profile(_ ctx: inout RequestContext) throws -> HTTPResponse {
        let session = try requireSignIn(&ctx)
        guard ctx.request.method == "POST" else {
            let notice: String? = switch ctx.request.queryValue("done") {
            case "saved": ctx.text("profile.saved")
            case "password": ctx.text("profile.password.changed")
            default: nil
            }
            return try profilePage(&ctx, session, notice: notice, error: nil)
        }
        try requireForm(&ctx)
        let t = ctx.text
        if ctx.request.field("action") == "password" {
            let current = ctx.request.field("current") ?? ""
            let new = ctx.request.field("password") ?? ""
            if let wait = try throttled(.passwordAccount, session.address, take: false) {
                return throttledPage(&ctx, retryAfter: wait, offerLink: false)
            }
            let stored = try readers.with { try $0.passwordHash(session.customerID) }
            let ok = PasswordHash.verify(current.utf8.count <= 1024 ? current : "", against: stored ?? Self.dummyHash) && stored != nil
            guard ok else {
                _ = try throttled(.passwordAccount, session.address)
                return try profilePage(&ctx, session, notice: nil, error: t("profile.password.wrong"), status: 400)
            }
            if let problem = Self.passwordProblem(new) {
                return try profilePage(&ctx, session, notice: nil, error: t(problem), status: 400)
            }
            let hash = try PasswordHash.make(new)
            let now = clock.now()
            let ended = try writing { ingestor -> Int in
                try ingestor.store.transaction {
                    try ingestor.store.setPasswordHash(session.customerID, hash: hash, at: now.iso8601)
                    let n = try ingestor.store.deleteSessions(customer: session.customerID, keeping: session.idHash)
                    try ingestor.store.audit(ticket: nil, actor: session.address, action: "password",
                                             detail: "changed in the portal; \(n) other session(s) ended", cause: nil, at: now.iso8601)
                    return n
                }
            }
            log(.info, "portal: \(session.address) changed the password; \(ended) other session(s) ended")
            return .redirect("/profile?done=password")
        }

        let name = (ctx.request.field("name") ?? "").trimmedOf(" \t\r\n")
        let language = ctx.request.field("language") ?? ""
        let zone = (ctx.request.field("timezone") ?? "").trimmedOf(" \t\r\n")
        if name.count > 200 || name.contains(where: { $0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } == true }) {
            return try profilePage(&ctx, session, notice: nil, error: t("profile.name.bad"), status: 400)
        }
        guard language.isEmpty || Configuration.languages.contains(language) else { throw PageFailure.badRequest }
        if !zone.isEmpty, !Self.isTimeZone(zone) {
            return try profilePage(&ctx, session, notice: nil, error: t("profile.timezone.bad"), status: 400)
        }
        try writing { ingestor in
            try ingestor.store.updateCustomer(session.customerID, name: name.isEmpty ? nil : name,
                                              language: language.isEmpty ? nil : language, timezone: zone.isEmpty ? nil : zone)
        }
        return .redirect("/profile?done=saved")
    }

    /// Whether `name` is a time zone of the system's database (`Europe/Warsaw`, `UTC`): a plain relative name,
    /// never a path out of /usr/share/zoneinfo.
    static func isTimeZone(_ name: String) -> Bool {
        guard name.utf8.count <= 64, !name.hasPrefix("/"), !name.contains(".."),
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_-+".contains($0)) }) else { return false }
        return (try? TimeZoneRules.load(name)) != nil
    }

    func profilePage(_ ctx: inout RequestContext, _ session: PortalSession, notice: String?, error: String?, status: Int = 200) throws -> HTTPResponse {
        let t = ctx.text
        let account = try readers.with { try $0.customerAccount(address: session.address) }
        let csrf = csrfField(&ctx)
        var body = "<h1>\(HTML.escape(t("profile.title")))</h1>\n"
        if let notice { body += "<p role=\"status\">\(HTML.escape(notice))</p>\n" }
        if let error { body += "<p class=\"error\" role=\"alert\">\(HTML.escape(error))</p>\n" }
        let language = account?.language ?? ""
        var options = ""
        for (code, name) in Self.languageNames {
            options += "<option value=\"\(code)\" lang=\"\(code)\"\(code == language ? " selected" : "")>\(HTML.escape(name))</option>"
        }
        body += """
            <form method="post" action="/profile">
            \(csrf)<input type="hidden" name="action" value="profile">
            <dl>
            <dt>\(HTML.escape(t("profile.address")))</dt><dd>\(HTML.escape(session.address))</dd>
            <dt>\(HTML.escape(t("profile.company")))</dt><dd>\(HTML.escape(account?.organizationName ?? account?.organization ?? t("profile.none")))</dd>
            </dl>
            <p><label for="name">\(HTML.escape(t("profile.name")))</label>
            <input type="text" id="name" name="name" value="\(HTML.escape(account?.name ?? ""))" autocomplete="name" maxlength="200"></p>
            <p><label for="language">\(HTML.escape(t("profile.language")))</label>
            <select id="language" name="language">\(language.isEmpty ? "<option value=\"\" selected></option>" : "")\(options)</select></p>
            <p><label for="timezone">\(HTML.escape(t("profile.timezone")))</label>
            <input type="text" id="timezone" name="timezone" value="\(HTML.escape(account?.timezone ?? ""))" maxlength="64" spellcheck="false"></p>
            <p><button type="submit">\(HTML.escape(t("profile.save")))</button></p>
            </form>
            <h2>\(HTML.escape(t("profile.password.title")))</h2>
            <form method="post" action="/profile">
            \(csrf)<input type="hidden" name="action" value="password">
            <input type="hidden" name="username" value="\(HTML.escape(session.address))" autocomplete="username">
            <p><label for="current">\(HTML.escape(t("profile.password.current")))</label>
            <input type="password" id="current" name="current" autocomplete="current-password" required maxlength="1024"></p>
            <p><label for="password">\(HTML.escape(t("signin.reset.password")))</label>
            <input type="password" id="password" name="password" autocomplete="new-password" required minlength="8" maxlength="128"></p>
            <p><button type="submit">\(HTML.escape(t("profile.password.submit")))</button></p>
            </form>

            """
        return page(&ctx, title: t("profile.title"), body: body, status: status)
    }
}
