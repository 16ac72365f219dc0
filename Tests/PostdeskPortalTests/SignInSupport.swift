import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskHTTP
import PostdeskStore
import Testing
@testable import PostdeskPortal

/// A browser for the sign-in tests: a cookie jar over `PortalFixture.request`, and the CSRF field of the last
/// form it saw.
struct Browser {
    let f: PortalFixture
    var jar: [String: String] = [:]
    var csrf = ""
    var client = "192.0.2.10"
    var headers: [(String, String)] = []

    init(_ f: PortalFixture, client: String = "192.0.2.10") { self.f = f; self.client = client }

    var session: String? { jar[PortalCookie.session] }

    @discardableResult
    mutating func get(_ target: String) -> HTTPResponse {
        let r = f.request("GET", target, cookies: jar, headers: headers, peer: client)
        take(r)
        return r
    }

    @discardableResult
    mutating func post(_ target: String, _ form: [(String, String)], csrf token: String? = nil) -> HTTPResponse {
        var fields = form
        if let t = token ?? (csrf.isEmpty ? nil : csrf) { fields.append(("csrf", t)) }
        let r = f.request("POST", target, form: fields, cookies: jar, headers: headers, peer: client)
        take(r)
        return r
    }

    /// GETs the form at `page`, then POSTs it with its CSRF token.
    @discardableResult
    mutating func submit(_ page: String, to target: String? = nil, _ form: [(String, String)]) -> HTTPResponse {
        get(page)
        return post(target ?? String(page.prefix { $0 != "?" }), form)
    }

    mutating func take(_ r: HTTPResponse) {
        for c in PortalFixture.setCookies(r) {
            let pair = c.prefix { $0 != ";" }
            guard let eq = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<eq]), value = String(pair[pair.index(after: eq)...])
            if c.contains("Max-Age=0") || value.isEmpty { jar[name] = nil } else { jar[name] = value }
        }
        let body = PortalFixture.body(r)
        if let range = body.firstRange(of: "name=\"csrf\" value=\"") {
            csrf = String(body[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    /// Signs in by password; true when it worked (303 to next).
    @discardableResult
    mutating func signIn(_ email: String, _ password: String, next: String? = nil) -> HTTPResponse {
        submit("/sign-in" + (next.map { "?next=" + HTML.urlEncode($0) } ?? ""), [("email", email), ("password", password)]
               + (next.map { [("next", $0)] } ?? []))
    }
}

extension PortalFixture {
    /// A customer (made as a first mail would make one) with a password; returns the id and the password.
    @discardableResult
    func customer(_ address: String, name: String? = nil, password: Bool = true) throws -> (id: Int64, password: String) {
        let id = try store.customer(address: address, name: name, at: clock.now().iso8601)
        guard password else { return (id, "") }
        let p = try PreparedCode.make()  // a random 8-digit secret and its yescrypt hash
        try store.setPasswordHash(id, hash: p.hash, at: clock.now().iso8601)
        return (id, p.code)
    }

    func setPassword(_ id: Int64) throws -> String {
        let p = try PreparedCode.make()
        try store.setPasswordHash(id, hash: p.hash, at: clock.now().iso8601)
        return p.code
    }

    /// The mails of one kind to one address, decoded from quoted-printable as far as the tests need.
    func mails(_ kind: String, to address: String) throws -> [String] {
        try outbox().filter { $0.kind == kind && $0.recipient.lowercased() == address.lowercased() }.map {
            $0.raw.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "").replacingOccurrences(of: "=3D", with: "=")
        }
    }

    /// The token of the newest sign-in link mailed to `address`.
    func linkToken(_ address: String) throws -> String? {
        guard let mail = try mails("sign_in_link", to: address).last, let r = mail.firstRange(of: "token=") else { return nil }
        return String(mail[r.upperBound...].prefix(32))
    }

    func sessions(_ customer: Int64) throws -> Int { try store.sessionCount(customer: customer) }
}

func location(_ r: HTTPResponse) -> String? { r.header("Location") }
func body(_ r: HTTPResponse) -> String { PortalFixture.body(r) }
