import PostdeskCore
import PostdeskHTTP
import PostdeskStore

/// The portal's rate limits (ASVS 6.1.1, 6.3.1, 6.6.3): token buckets in the inbound limits' table
/// (`Store.bucket`/`setBucket`), keyed `portal:<what>:<client|addr>:<value>`. A bucket holds `burst` tokens and
/// gains one every `refill` seconds; each counted request takes one; an empty bucket answers 429 with the
/// seconds until the next token (Retry-After).
///
/// No limit locks anyone out for good, and none that an attacker can fill stops the owner: failed passwords
/// for an address throttle only the password form for it (the mailed link still works, and its limits are
/// separate buckets); link requests for an address are capped, but every link goes to the owner's own mailbox,
/// so an attacker's requests only send the owner links they can use.
struct PortalLimit: Sendable, Hashable {
    var name: String
    var burst: Double
    var refill: Double

    /// Password attempts from one client address: 20, then one every 30 s (120 an hour).
    static let passwordClient = PortalLimit(name: "pw:client", burst: 20, refill: 30)
    /// Failed password attempts for one address, from anywhere: 10, then one every 2 minutes (30 an hour).
    static let passwordAccount = PortalLimit(name: "pw:addr", burst: 10, refill: 120)
    /// Sign-in link and reset code requests from one client address: 10, then one a minute.
    static let mailClient = PortalLimit(name: "mail:client", burst: 10, refill: 60)
    /// Sign-in links for one address: 3, then one every 5 minutes (and the mail side's cap of automatic mail
    /// per recipient and hour applies on top).
    static let linkAccount = PortalLimit(name: "link:addr", burst: 3, refill: 300)
    /// Reset codes for one address: 3, then one every 20 minutes (like the mail side's 3 an hour).
    static let resetAccount = PortalLimit(name: "reset:addr", burst: 3, refill: 1200)
    /// Typed codes (sign-in codes and reset codes) from one client address: 10, then one every 30 s. A reset
    /// code also dies after 5 wrong tries (AccountRules.maxAttempts); a sign-in code is 128 bits.
    static let codeClient = PortalLimit(name: "code:client", burst: 10, refill: 30)

    static let all = [passwordClient, passwordAccount, mailClient, linkAccount, resetAccount, codeClient]
}

extension Portal {
    /// The seconds to wait when `limit`'s bucket for `value` is empty; else nil. `take` also spends a token.
    func throttled(_ limit: PortalLimit, _ value: String, take: Bool = true) throws -> Int? {
        let key = "portal:\(limit.name):\(value.lowercased().prefix(320))"
        let now = clock.now()
        return try writing { ingestor -> Int? in
            let store = ingestor.store
            let old = try store.bucket(key)
            var tokens = limit.burst
            if let old { tokens = min(limit.burst, old.tokens + Double(max(0, now - old.updated)) / limit.refill) }
            if tokens < 1 {
                return max(1, Int(((1 - tokens) * limit.refill).rounded(.up)))
            }
            if take { try store.setBucket(key, Store.Bucket(tokens: tokens - 1, updated: now)) }
            return nil
        }
    }

    /// The first limit among `checks` that is empty (every one of them spends a token when none is).
    func throttled(_ checks: [(PortalLimit, String)]) throws -> Int? {
        for (limit, value) in checks {
            if let wait = try throttled(limit, value, take: false) { return wait }
        }
        for (limit, value) in checks { _ = try throttled(limit, value) }
        return nil
    }

    /// 429 with Retry-After and a page that says how long to wait and what else to do.
    func throttledPage(_ ctx: inout RequestContext, retryAfter: Int, offerLink: Bool) -> HTTPResponse {
        let t = ctx.text
        let minutes = max(1, (retryAfter + 59) / 60)
        var body = "<h1>\(HTML.escape(t("signin.throttled.title")))</h1>\n<p role=\"alert\">\(HTML.escape(t("signin.throttled.text", ["minutes": String(minutes)])))</p>\n"
        if offerLink {
            body += "<p><a href=\"/sign-in/link\">\(HTML.escape(t("signin.link.instead")))</a></p>\n"
        }
        var r = page(&ctx, title: t("signin.throttled.title"), body: body, status: 429)
        r.set("Retry-After", String(retryAfter))
        return r
    }
}
