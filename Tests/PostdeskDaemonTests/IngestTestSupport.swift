import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskStore
import PostdeskSystem

/// A clock tests set by hand.
final class ManualClock: Clock, @unchecked Sendable {
    var seconds: Int64
    init(_ seconds: Int64 = 1_795_338_900) { self.seconds = seconds }
    func now() -> Int64 { seconds }
}

/// A helpdesk in a temporary folder: real maildirs, a real SQLite file, a real data_dir.
final class TestDesk {
    let root: String
    let config: Configuration
    let store: Store
    let clock = ManualClock()
    let ingestor: Ingestor
    var support: Configuration.Mailbox { config.mailboxes[0] }
    var logs: [String] = []

    /// The default trusts From for agents and customers alike (`agent_auth = from`, `customer_auth = from`): most
    /// tests are about what mail does, not about who sent it; SenderVerificationTests set their own.
    init(extraConfig: String = "", helpdeskConfig: String = "agent_auth = from\ncustomer_auth = from") throws {
        root = NSTemporaryDirectory() + "postdesk-test-" + UUID().uuidString
        try Maildir(root + "/mail/support").create()
        try Maildir(root + "/mail/sales").create()
        let text = """
            [helpdesk]
            database = db/postdesk.sqlite
            data_dir = data
            \(helpdeskConfig)

            [mailbox support]
            maildir = mail/support
            address = support@acme.test
            tag = Acme

            [mailbox sales]
            maildir = mail/sales
            address = sales@acme.test
            tag = Sales

            [agent alice]
            address = alice@acme.test
            name = Alice Novak
            \(extraConfig)
            """
        config = try Configuration.parse(text, file: root + "/postdesk.conf", baseDirectory: root).get()
        try FileSystem.makeDirectories(root + "/db")
        store = try Store(path: config.helpdesk.database)
        ingestor = try Ingestor(config: config, store: store, clock: clock)
        ingestor.log = { [unowned self] level, line in self.logs.append("<\(level.rawValue)>\(line)") }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Delivers a message into a mailbox's new/ the way an MTA does; returns its file name.
    @discardableResult
    func deliver(_ text: String, to mailbox: String = "support", name: String? = nil) throws -> String {
        let m = config.mailboxes.first { $0.name == mailbox }!
        let crlf = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let path = try Maildir(m.maildir).deliver(Array(crlf.utf8), name: name)
        return FileSystem.baseName(path)
    }

    func run() -> [IngestOutcome] { ingestor.processPending().outcomes.map(\.outcome) }

    func files(_ mailbox: String, _ folder: String) -> [String] {
        let m = config.mailboxes.first { $0.name == mailbox }!
        return ((try? FileSystem.list(m.maildir + "/" + folder)) ?? []).filter { !$0.hasPrefix(".") }
    }

    func count(_ sql: String) throws -> Int64 { try store.db.query(sql).first?[0].int ?? -1 }
}

/// A plain customer mail.
func mail(from: String = "Ana García <ana@example.org>", to: String = "support@acme.test", cc: String? = nil,
          subject: String = "Printer broken", id: String, inReplyTo: String? = nil, references: String? = nil,
          extraHeaders: [String] = [], body: String = "It does not print.") -> String {
    var h = ["From: \(from)", "To: \(to)"]
    if let cc { h.append("Cc: \(cc)") }
    h += ["Subject: \(subject)", "Date: Sun, 22 Nov 2026 10:00:00 +0100", "Message-ID: <\(id)>"]
    if let inReplyTo { h.append("In-Reply-To: <\(inReplyTo)>") }
    if let references { h.append("References: \(references)") }
    h += extraHeaders
    h += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    return h.joined(separator: "\n") + "\n\n" + body + "\n"
}
