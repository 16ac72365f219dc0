import PostdeskCore
import PostdeskHTTP

/// The signed-in customer, as the session row and the account say (`Portal+Sessions`).
public struct PortalSession: Sendable, Hashable {
    /// SHA-256 (hex) of the session id the cookie holds.
    public var idHash: String
    public var customerID: Int64
    public var address: String
    public var name: String?
    public var language: String?
    public var timezone: String?
    /// The token every form of this session carries (`csrf` field).
    public var csrf: String
    public var isPrimaryContact: Bool
    /// Unix seconds.
    public var created: Int64

    public init(idHash: String, customerID: Int64, address: String, name: String?, language: String?, timezone: String?, csrf: String,
                isPrimaryContact: Bool, created: Int64) {
        self.idHash = idHash; self.customerID = customerID; self.address = address; self.name = name; self.language = language
        self.timezone = timezone; self.csrf = csrf; self.isPrimaryContact = isPrimaryContact; self.created = created
    }
}

/// One request on its way through the portal: what it asked, who asks, in which language, and what the
/// response must carry besides the page (cookies).
public struct RequestContext {
    public let request: HTTPRequest
    public let portal: Portal
    /// The configuration this request is served with (one snapshot: a reload in the middle changes nothing).
    public let config: Configuration
    /// The signed-in customer, or nil. Setting it picks the page's language again.
    public var session: PortalSession? {
        didSet { language = Self.language(session, request, config) }
    }
    /// `Set-Cookie` values the response carries.
    public var cookies: [String] = []
    /// Whether the page is private (a customer's data): `Cache-Control: no-store`. Every page but the sign-in
    /// pages' empty forms, the stylesheet and /healthz is.
    public var isPrivate = true
    /// The language of the page: the account's, else the browser's first supported one, else the helpdesk's.
    public private(set) var language: String

    init(request: HTTPRequest, portal: Portal) {
        self.request = request
        self.portal = portal
        self.config = portal.config
        self.language = Self.language(nil, request, config)
    }

    static func language(_ session: PortalSession?, _ request: HTTPRequest, _ config: Configuration) -> String {
        if let l = session?.language, Configuration.languages.contains(l) { return l }
        if let accept = request.header("accept-language"), let l = LanguageChoice.fromAcceptLanguage(accept) { return l }
        return config.helpdesk.language
    }

    public var text: Strings { Strings(language) }
    /// The mail side's words and date formats of the page's language (statuses, priorities, dates).
    public var pack: LanguagePack { LanguagePack.named(language) }
}

/// `Accept-Language` read the way browsers write it: the highest-q supported language wins; ties in order.
public enum LanguageChoice {
    public static func fromAcceptLanguage(_ header: String) -> String? {
        var best: (q: Double, lang: String)? = nil
        for piece in header.split(separator: ",").prefix(32) {
            let parts = piece.split(separator: ";")
            let tag = parts.first.map { String(($0.trimmedSpaces()).split(separator: "-").first ?? "").lowercased() } ?? ""
            var q = 1.0
            for p in parts.dropFirst() {
                let kv = p.split(separator: "=", maxSplits: 1).map { $0.trimmedSpaces() }
                if kv.count == 2, kv[0] == "q", let v = Double(kv[1]) { q = v }
            }
            guard q > 0, Configuration.languages.contains(tag) else { continue }
            if best == nil || q > best!.q { best = (q, tag) }
        }
        return best?.lang
    }
}

extension Substring {
    func trimmedSpaces() -> String {
        let chars: Set<Character> = [" ", "\t"]
        var s = self
        while let f = s.first, chars.contains(f) { s.removeFirst() }
        while let l = s.last, chars.contains(l) { s.removeLast() }
        return String(s)
    }
}

extension Portal {
    /// The response headers every page carries (ASVS 3.4, portal-anchors.md §2): a CSP that allows no inline
    /// script or style and no framing, nosniff, same-origin referrers, COOP, and no-store on private pages.
    /// HSTS is the TLS proxy's (deploy/nginx). Attachments set their own stricter CSP (`sandbox`).
    func secured(_ response: HTTPResponse, _ ctx: RequestContext) -> HTTPResponse {
        var r = response
        if r.header("Content-Security-Policy") == nil {
            r.set("Content-Security-Policy",
                  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
        }
        r.set("X-Content-Type-Options", "nosniff")
        r.set("Referrer-Policy", "same-origin")
        r.set("X-Frame-Options", "DENY")
        r.set("Cross-Origin-Opener-Policy", "same-origin")
        r.set("Cross-Origin-Resource-Policy", "same-origin")
        if ctx.isPrivate {
            r.set("Cache-Control", "no-store")
        } else if r.header("Cache-Control") == nil {
            r.set("Cache-Control", "no-cache")
        }
        for c in ctx.cookies { r.headers.append(("Set-Cookie", c)) }
        return r
    }
}
