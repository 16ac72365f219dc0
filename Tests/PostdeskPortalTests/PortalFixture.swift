import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskHTTP
import PostdeskMail
import PostdeskStore
import PostdeskSystem
@testable import PostdeskPortal

/// A clock tests set by hand.
final class PortalClock: Clock, @unchecked Sendable {
    var seconds: Int64
    init(_ seconds: Int64 = 1_795_338_900) { self.seconds = seconds }
    func now() -> Int64 { seconds }
}

/// A helpdesk and its portal in a temporary folder: real maildirs, a real SQLite file, a real data_dir, the real
/// `Portal` handler called in process (the tests through HTTP start `postdesk portal` itself).
final class PortalFixture {
    let root: String
    let config: Configuration
    let store: Store
    let clock = PortalClock()
    let ingestor: Ingestor
    let portal: Portal
    var support: Configuration.Mailbox { config.mailboxes[0] }

    init(portalConfig: String = "", helpdeskConfig: String = "agent_auth = from\ncustomer_auth = from") throws {
        root = NSTemporaryDirectory() + "postdesk-portal-test-" + UUID().uuidString
        try Maildir(root + "/mail/support").create()
        let text = """
            [helpdesk]
            database = db/postdesk.sqlite
            data_dir = data
            \(helpdeskConfig)

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
            url = https://support.acme.test
            \(portalConfig)
            """
        config = try Configuration.parse(text, file: root + "/postdesk.conf", baseDirectory: root).get()
        try FileSystem.makeDirectories(root + "/db")
        store = try Store(path: config.helpdesk.database)
        ingestor = try Ingestor(config: config, store: store, clock: clock)
        let deskStore = try Store(path: config.helpdesk.database)
        let desk = PortalDesk(ingestor: try Ingestor(config: config, store: deskStore, clock: clock))
        portal = Portal(config: config, desk: desk, readers: StorePool(path: config.helpdesk.database, size: 2), clock: clock)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Delivers a mail into the support maildir and ingests it, as the daemon would.
    @discardableResult
    func deliver(_ text: String) throws -> [IngestOutcome] {
        let crlf = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        _ = try Maildir(support.maildir).deliver(Array(crlf.utf8), name: nil)
        return ingestor.processPending().outcomes.map(\.outcome)
    }

    /// A customer mail opening a ticket (or replying, with `subject: "[Acme #N] ..."`).
    @discardableResult
    func mail(from: String, subject: String = "Printer broken", body: String = "It does not print.", cc: String? = nil,
              extraHeaders: String = "") throws -> [IngestOutcome] {
        let id = UUID().uuidString
        return try deliver("""
            From: \(from)
            To: support@acme.test
            \(cc.map { "Cc: \($0)\n" } ?? "")Subject: \(subject)
            Message-ID: <\(id)@example.org>
            Date: Thu, 03 Dec 2026 10:00:00 +0000
            \(extraHeaders)
            \(body)
            """.replacingOccurrences(of: "\n\n\n", with: "\n\n"))
    }

    /// One request through the portal handler. `form` is sent as the POST body's fields.
    func request(_ method: String, _ target: String, form: [(String, String)] = [], cookies: [String: String] = [:],
                 headers: [(String, String)] = [], files: [UploadedFile] = [], peer: String = "127.0.0.1") -> HTTPResponse {
        let (path, query) = Self.split(target)
        var hs = headers.map { (name: $0.0.lowercased(), value: $0.1) }
        if !cookies.isEmpty { hs.append(("cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))) }
        let r = HTTPRequest(method: method, path: path, query: query, headers: hs, cookies: cookies, peer: peer,
                            form: form.map { (name: $0.0, value: $0.1) }, files: files)
        return portal.handle(r)
    }

    static func split(_ target: String) -> (String, [(name: String, value: String)]) {
        guard let q = target.firstIndex(of: "?") else { return (target, []) }
        let query = target[target.index(after: q)...].split(separator: "&").map { pair -> (name: String, value: String) in
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (kv[0], kv.count > 1 ? kv[1] : "")
        }
        return (String(target[..<q]), query)
    }

    /// The body of a response as text.
    static func body(_ r: HTTPResponse) -> String {
        if case .bytes(let b) = r.body { return String(decoding: b, as: UTF8.self) }
        return ""
    }

    /// The `Set-Cookie` values of a response.
    static func setCookies(_ r: HTTPResponse) -> [String] { r.headers.filter { $0.name.lowercased() == "set-cookie" }.map(\.value) }

    /// The mails queued in the outbox (raw text), oldest first.
    func outbox() throws -> [(kind: String, recipient: String, raw: String)] {
        try store.db.query("SELECT o.kind, o.recipient, t.raw FROM outbox o LEFT JOIN outbox_text t ON t.id = o.id ORDER BY o.id").map {
            let raw: String
            if case .blob(let b) = $0[2] { raw = String(decoding: b, as: UTF8.self) } else { raw = $0[2].string ?? "" }
            return ($0[0].string ?? "", $0[1].string ?? "", raw)
        }
    }
}

// MARK: - Added for the ticket pages (pages work, issue 16): sessions without the sign-in pages, pages called
// directly, mail with attachments, ticket numbers.
extension PortalFixture {
    /// A signed-in session for a customer who has written to the helpdesk (their account row), as the sign-in
    /// work's `resolveSession` would make it; also recorded in portal_sessions (id_hash = SHA-256 of a random id).
    func session(_ address: String, timezone: String? = nil, language: String? = nil) throws -> PortalSession {
        guard let c = try store.customerSettings(address: address) else {
            throw PortalFixtureError("no customer \(address): let them mail first")
        }
        let id = UUID().uuidString + UUID().uuidString
        let idHash = SHA256.hexHash(Array(id.utf8))
        let csrf = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try store.db.run("INSERT INTO portal_sessions (id_hash, customer_id, csrf, created, last_seen) VALUES (?, ?, ?, ?, ?)",
                         [.text(idHash), .integer(c.id), .text(csrf), .integer(clock.seconds), .integer(clock.seconds)])
        return PortalSession(idHash: idHash, customerID: c.id, address: address.lowercased(), name: c.name, language: language ?? c.language,
                             timezone: timezone ?? c.timezone, csrf: csrf, isPrimaryContact: c.isPrimaryContact, created: clock.seconds)
    }

    /// A page function called as `Portal.handle` calls pages, with `session` as the signed-in customer (the
    /// sign-in work's `requireSignIn` is not on this branch): failures become their error page, and the
    /// response gets the security headers.
    func call(_ method: String, _ target: String, as session: PortalSession?, form: [(String, String)] = [], files: [UploadedFile] = [],
              headers: [(String, String)] = [], _ page: (Portal, inout RequestContext) throws -> HTTPResponse) -> HTTPResponse {
        let (path, query) = Self.split(target)
        let r = HTTPRequest(method: method, path: path, query: query, headers: headers.map { (name: $0.0.lowercased(), value: $0.1) },
                            form: form.map { (name: $0.0, value: $0.1) }, files: files)
        var ctx = RequestContext(request: r, portal: portal)
        ctx.session = session
        let response: HTTPResponse
        do {
            response = try page(portal, &ctx)
        } catch let failure as PageFailure {
            response = portal.errorPage(&ctx, failure)
        } catch {
            response = portal.errorPage(&ctx, .unavailable)
        }
        return portal.secured(response, ctx)
    }

    /// The newest ticket's number.
    func lastTicket() throws -> Int64 {
        try store.db.query("SELECT max(number) FROM tickets").first?[0].int ?? 0
    }

    /// A customer mail with one attachment (base64), opening a ticket or replying to one.
    @discardableResult
    func mailWithAttachment(from: String, subject: String, body: String = "See the file.", filename: String, contentType: String,
                            data: [UInt8]) throws -> [IngestOutcome] {
        let escapedName = filename.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return try deliver("""
            From: \(from)
            To: support@acme.test
            Subject: \(subject)
            Message-ID: <\(UUID().uuidString)@example.org>
            Date: Thu, 03 Dec 2026 10:00:00 +0000
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b-portal"

            --b-portal
            Content-Type: text/plain; charset=utf-8

            \(body)
            --b-portal
            Content-Type: \(contentType)
            Content-Disposition: attachment; filename="\(escapedName)"
            Content-Transfer-Encoding: base64

            \(Data(data).base64EncodedString(options: [.lineLength76Characters]))
            --b-portal--
            """)
    }
}

struct PortalFixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
