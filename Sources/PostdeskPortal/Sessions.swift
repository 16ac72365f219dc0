import PostdeskCore
import PostdeskDaemon
import PostdeskHTTP
import PostdeskMail
import PostdeskStore
import PostdeskSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Random tokens and their hashes: session ids, CSRF tokens, sign-in links. 128 bits from the system CSPRNG
/// (`SystemRandomNumberGenerator` is getrandom(2) on Linux), written as 32 lower-case hex digits.
enum PortalToken {
    static func make(bytes: Int = 16) -> String {
        var random = SystemRandomNumberGenerator()
        return SHA256.hex((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &random) })
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var random = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// Whether `s` looks like one of our tokens (32 lower-case hex digits): nothing else is hashed or looked up.
    static func isWellFormed(_ s: String) -> Bool {
        s.utf8.count == 32 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The token as stored: its SHA-256, hex.
    static func hash(_ token: String) -> String { SHA256.hexHash(Array(token.utf8)) }

    /// HMAC-SHA-256 (RFC 2104) of `message` under `key`, hex.
    static func hmac(key: [UInt8], _ message: String) -> String {
        var k = key.count > 64 ? SHA256.hash(key) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        let inner = SHA256.hash(k.map { $0 ^ 0x36 } + Array(message.utf8))
        return SHA256.hex(SHA256.hash(k.map { $0 ^ 0x5c } + inner))
    }

    /// Compares two strings in time that depends only on their lengths.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// The server secret that signs the pre-session CSRF cookie: 32 random bytes in `data_dir/portal-secret`,
/// created mode 0600 on first start (by whichever process comes first; the other reads it).
enum PortalSecret {
    private static let cache = Mutex<[String: [UInt8]]>([:])

    static func path(_ config: Configuration) -> String { config.helpdesk.dataDir + "/portal-secret" }

    static func load(_ config: Configuration) throws -> [UInt8] {
        let path = path(config)
        if let known = cache.withLock({ $0[path] }) { return known }
        for _ in 0..<50 {
            if let bytes = try? FileSystem.readFile(path, maxBytes: 4096) {
                if bytes.count >= 32 {
                    cache.withLock { $0[path] = bytes }
                    return bytes
                }
                // Another process is writing it this very moment.
                var ts = timespec(tv_sec: 0, tv_nsec: 2_000_000)
                nanosleep(&ts, nil)
                continue
            }
            try FileSystem.makeDirectories(config.helpdesk.dataDir)
            do {
                try FileSystem.writeNew(path, PortalToken.randomBytes(32), mode: 0o600)
            } catch {
                // EEXIST: another process made it first; read theirs.
                if error.errno != EEXIST { throw error }
            }
        }
        throw PortalSecretError("\(path) is shorter than 32 bytes: delete it and restart the portal")
    }
}

struct PortalSecretError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The cookies of the portal. Both are `__Host-` cookies (Secure, Path=/, no Domain), HttpOnly, SameSite=Lax,
/// and session cookies (no Max-Age): closing the browser forgets them; the server forgets sessions itself.
enum PortalCookie {
    static let session = "__Host-postdesk"
    /// A random value that exists only to bind the signed-out forms' CSRF token to this browser.
    static let pre = "__Host-postdesk-pre"

    static func set(_ name: String, _ value: String) -> String { "\(name)=\(value); Path=/; Secure; HttpOnly; SameSite=Lax" }
    static func clear(_ name: String) -> String { "\(name)=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0" }
}

extension Portal {
    // MARK: - The writer

    /// Runs `body` with the one writing connection (the desk's ingestor), serialized with every other write.
    @discardableResult
    func writing<T: Sendable>(_ body: (Ingestor) throws -> T) throws -> T {
        try desk.withLock { desk throws -> T in try body(desk.ingestor) }
    }

    /// At start: the server secret exists (made on first start) and stale sessions and links are gone.
    public func prepare() throws {
        _ = try PortalSecret.load(config)
        let now = clock.now()
        let p = config.portal
        try writing { try $0.store.purgePortal(idleBefore: now - p.sessionIdle.seconds, createdBefore: now - p.sessionMax.seconds,
                                               linksBefore: now - 86_400) }
    }

    // MARK: - Sessions

    /// Reads the session cookie into `ctx.session` (nil when absent, unknown, idle too long or too old). A
    /// stale cookie is cleared; `last_seen` is written at most once a minute.
    func resolveSession(_ ctx: inout RequestContext) {
        guard let id = ctx.request.cookies[PortalCookie.session], !id.isEmpty else { return }
        guard PortalToken.isWellFormed(id) else {
            ctx.cookies.append(PortalCookie.clear(PortalCookie.session))
            return
        }
        let hash = PortalToken.hash(id)
        let now = clock.now()
        let portal = config.portal
        do {
            guard let row = try readers.with({ try $0.session(idHash: hash) }) else {
                ctx.cookies.append(PortalCookie.clear(PortalCookie.session))
                return
            }
            if now - row.lastSeen > portal.sessionIdle.seconds || now - row.created > portal.sessionMax.seconds {
                try writing { try $0.store.deleteSession(idHash: hash) }
                ctx.cookies.append(PortalCookie.clear(PortalCookie.session))
                return
            }
            if now - row.lastSeen >= 60 {
                try writing { try $0.store.touchSession(idHash: hash, now: now) }
            }
            ctx.session = PortalSession(idHash: hash, customerID: row.customerID, address: row.address, name: row.name,
                                        language: row.language, timezone: row.timezone, csrf: row.csrf,
                                        isPrimaryContact: row.isPrimaryContact, created: row.created)
        } catch {
            log(.error, "portal: reading a session: \(error)")
        }
    }

    /// The signed-in customer, or `PageFailure.signInRequired` (to `/sign-in?next=` this page).
    func requireSignIn(_ ctx: inout RequestContext) throws -> PortalSession {
        guard let s = ctx.session else { throw PageFailure.signInRequired }
        return s
    }

    /// Where a signed-out request for a private page goes: `/sign-in?next=<the path and query asked>` (for a
    /// GET; a POST's form is gone anyway, so only its path). `errorPage` answers `.signInRequired` with it.
    func signInRedirect(_ ctx: RequestContext) -> HTTPResponse {
        // A form posted after the session ended cannot be repeated by a redirect (it would arrive as a GET of
        // an action URL): back to sign-in, and from there to the tickets.
        guard ctx.request.method == "GET" || ctx.request.method == "HEAD" else { return .redirect("/sign-in") }
        var target = ctx.request.path
        if !ctx.request.query.isEmpty {
            target += "?" + ctx.request.query.map { HTML.urlEncode($0.name) + "=" + HTML.urlEncode($0.value) }.joined(separator: "&")
        }
        guard let next = Self.safeNext(target), next != "/" else { return .redirect("/sign-in") }
        return .redirect("/sign-in?next=" + HTML.urlEncode(next))
    }

    /// Starts a new session for `customer` (a new id every time: a cookie set before sign-in is never
    /// promoted) and ends the one the request came with, if any.
    func startSession(_ ctx: inout RequestContext, customer: Int64) throws {
        let id = PortalToken.make()
        let csrf = PortalToken.make()
        let hash = PortalToken.hash(id)
        let now = clock.now()
        let old = ctx.request.cookies[PortalCookie.session].flatMap { PortalToken.isWellFormed($0) ? PortalToken.hash($0) : nil }
        let client = ctx.request.client
        let agent = ctx.request.header("user-agent")
        try writing { ingestor in
            try ingestor.store.transaction {
                if let old { try ingestor.store.deleteSession(idHash: old) }
                // Sessions and links nobody can use any more go at each sign-in (and at start, `prepare`).
                try ingestor.store.purgePortal(idleBefore: now - self.config.portal.sessionIdle.seconds,
                                               createdBefore: now - self.config.portal.sessionMax.seconds, linksBefore: now - 86_400)
                try ingestor.store.createSession(idHash: hash, customer: customer, csrf: csrf, now: now, client: client, userAgent: agent)
            }
        }
        ctx.cookies.removeAll { $0.hasPrefix(PortalCookie.session + "=") }
        ctx.cookies.append(PortalCookie.set(PortalCookie.session, id))
        if let row = try readers.with({ try $0.session(idHash: hash) }) {
            ctx.session = PortalSession(idHash: hash, customerID: row.customerID, address: row.address, name: row.name,
                                        language: row.language, timezone: row.timezone, csrf: row.csrf,
                                        isPrimaryContact: row.isPrimaryContact, created: row.created)
        }
    }

    // MARK: - CSRF

    /// The token a form of this page carries: the session's, or (signed out) the pre-session token, which is
    /// the HMAC of the browser's `__Host-postdesk-pre` cookie under the server secret (the cookie is set here
    /// when the browser has none).
    func formToken(_ ctx: inout RequestContext) -> String {
        if let s = ctx.session { return s.csrf }
        var pre = ctx.request.cookies[PortalCookie.pre] ?? ""
        if !PortalToken.isWellFormed(pre) {
            if let set = ctx.cookies.first(where: { $0.hasPrefix(PortalCookie.pre + "=") }) {
                pre = String(set.dropFirst(PortalCookie.pre.count + 1).prefix(32))
            } else {
                pre = PortalToken.make()
                ctx.cookies.append(PortalCookie.set(PortalCookie.pre, pre))
            }
        }
        return preToken(pre)
    }

    func preToken(_ cookie: String) -> String {
        guard let key = try? PortalSecret.load(config) else { return "" }
        return PortalToken.hmac(key: key, "pre-session:" + cookie)
    }

    /// The hidden CSRF field of a form.
    func csrfField(_ ctx: inout RequestContext) -> String { csrfField(token: formToken(&ctx)) }

    /// For a POST: the form's `csrf` field must be the session's token (`PageFailure.forbidden` otherwise),
    /// and an `Origin` header, when sent, must be the portal's own.
    func requireForm(_ ctx: inout RequestContext) throws {
        try requireForm(&ctx, signedOut: false)
    }

    /// `signedOut`: a sign-in form, which also takes the pre-session token (checked against the browser's
    /// `__Host-postdesk-pre` cookie).
    func requireForm(_ ctx: inout RequestContext, signedOut: Bool) throws {
        guard ctx.request.method == "POST" else { throw PageFailure.forbidden }
        guard originIsOurs(ctx.request) else { throw PageFailure.forbidden }
        guard let sent = ctx.request.field("csrf"), !sent.isEmpty else { throw PageFailure.forbidden }
        if let s = ctx.session, PortalToken.constantTimeEqual(sent, s.csrf) { return }
        // A sign-in form may have been shown before the browser signed in (another tab): its pre-session token,
        // bound to this browser's cookie, is as good as the session's for it.
        if signedOut, let pre = ctx.request.cookies[PortalCookie.pre], PortalToken.isWellFormed(pre) {
            let expected = preToken(pre)
            if !expected.isEmpty, PortalToken.constantTimeEqual(sent, expected) { return }
        }
        throw PageFailure.forbidden
    }

    /// Whether the request's `Origin` (when present) is the portal's own: the scheme, host and port of
    /// `[portal] url`, or, without one, the `Host` header's host. `Origin: null` is never ours.
    func originIsOurs(_ request: HTTPRequest) -> Bool {
        guard let origin = request.header("origin") else { return true }
        let o = origin.lowercased()
        if let url = config.portal.url {
            return o == Self.origin(of: url)
        }
        guard let host = request.header("host")?.lowercased(), let range = o.firstRange(of: "://") else { return false }
        return String(o[range.upperBound...]) == host
    }

    /// `https://support.acme.test/portal` → `https://support.acme.test`.
    static func origin(of url: String) -> String {
        let u = url.lowercased()
        guard let range = u.firstRange(of: "://") else { return u }
        let rest = u[range.upperBound...]
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var origin = u[..<range.upperBound] + host
        if origin.hasPrefix("https://"), origin.hasSuffix(":443") { origin.removeLast(4) }
        if origin.hasPrefix("http://"), origin.hasSuffix(":80") { origin.removeLast(3) }
        return String(origin)
    }

    // MARK: - next=

    /// `next` when it is one of the portal's own paths (a single leading `/`, no `//`, no `\`, no scheme, no
    /// control characters or spaces, at most 2,000 bytes), else nil.
    static func safeNext(_ next: String?) -> String? {
        guard let n = next, !n.isEmpty, n.utf8.count <= 2000, n.hasPrefix("/") else { return nil }
        if n.hasPrefix("//") || n.contains("\\") { return nil }
        for s in n.unicodeScalars where s.value < 0x21 || s.value == 0x7f || (0x80...0x9f).contains(s.value) { return nil }
        // Decoded once more, it must still be a plain path (a browser or proxy may decode %2F, %5C).
        if let decoded = percentDecoded(n), decoded != n {
            if decoded.hasPrefix("//") || decoded.contains("\\") { return nil }
            for s in decoded.unicodeScalars where s.value < 0x21 || s.value == 0x7f { return nil }
        }
        let path = n.prefix { $0 != "?" && $0 != "#" }
        if path.contains(":") { return nil }
        return n
    }

    /// The `next` a page goes to: a safe one, else `/tickets`.
    static func nextOrTickets(_ next: String?) -> String { safeNext(next) ?? "/tickets" }

    static func percentDecoded(_ s: String) -> String? {
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%"), it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
