import Foundation
import Testing

@Suite struct InspectCommandTests {
    let fixtures = repositoryRoot + "/Tests/Fixtures"

    func json(_ s: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(s.utf8))
    }

    @Test func oneFileGivesOneObjectWithTheInterfaceKeys() throws {
        let r = try runPostdesk(["inspect", "--json", fixtures + "/outlook-mixed-de.eml"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try json(r.stdout) as? [String: Any])
        let keys: Set<String> = ["path", "subject", "from", "to", "cc", "reply_to", "date", "message_id", "in_reply_to",
                                 "references", "content_language", "text", "html", "attachments", "automatic", "defects",
                                 "from_field_count", "malformed_addresses", "new_text", "quoted", "forwarded"]
        #expect(Set(o.keys) == keys)
        #expect(o["subject"] as? String == "Rechnung 2026-1142 ist doppelt abgebucht")
        #expect((o["from"] as? [[String: Any]])?.first?["name"] as? String == "Müller, Jürgen")
        #expect(o["date"] as? String == "2026-11-22T10:03:10+01:00")
        #expect(o["message_id"] as? String == "20261122100310.4711@firma.example.de")
        #expect((o["text"] as? String)?.hasPrefix("Guten Tag,\n\ndie Rechnung") == true)
        #expect((o["text"] as? String)?.contains("Grüßen\nJürgen Müller") == true)
        let attachments = try #require(o["attachments"] as? [[String: Any]])
        #expect(attachments.count == 1)
        #expect(attachments[0]["filename"] as? String == "Kontoauszug_Müller.csv")
        #expect(attachments[0]["content_type"] as? String == "text/csv")
        #expect(attachments[0]["inline"] as? Bool == false)
        #expect(o["automatic"] is NSNull)
    }

    @Test func aFolderGivesAnArrayAndSkipsMaildirTmp() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("pd-inspect-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tmp) }
        for sub in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(at: tmp.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try Data("Subject: a\n\nx".utf8).write(to: tmp.appendingPathComponent("new/1.a"))
        try Data("Subject: b\n\ny".utf8).write(to: tmp.appendingPathComponent("cur/2.b:2,S"))
        try Data("Subject: partial".utf8).write(to: tmp.appendingPathComponent("tmp/3.c"))
        let r = try runPostdesk(["inspect", "--json", tmp.path])
        #expect(r.status == 0)
        let list = try #require(try json(r.stdout) as? [[String: Any]])
        #expect(list.compactMap { $0["subject"] as? String } == ["b", "a"])
    }

    /// Issue 15: the keys added to `inspect --json` (malformed addresses, the From field count, the reply split).
    @Test func issue15KeysCarryTheReading() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("pd-inspect-\(UUID().uuidString).eml")
        defer { try? FileManager.default.removeItem(at: tmp) }
        try Data(("From: Boss <boss@acme.test>\nFrom: john smith@example.com\nMessage-ID: 00020\nSubject: fw\n\n"
            + "FYI\n\n---------- Forwarded message ---------\nFrom: Bob <bob@x.test>\n\nold text\n").utf8).write(to: tmp)
        let r = try runPostdesk(["inspect", "--json", tmp.path])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try json(r.stdout) as? [String: Any])
        #expect((o["from"] as? [[String: Any]])?.compactMap { $0["address"] as? String } == ["boss@acme.test"])
        #expect(o["from_field_count"] as? Int == 2)
        let malformed = try #require(o["malformed_addresses"] as? [[String: Any]])
        #expect(malformed.map { "\($0["field"] as? String ?? "?") \($0["address"] as? String ?? "?")" } == ["From john smith@example.com"])
        #expect(o["message_id"] as? String == "00020")
        #expect(o["new_text"] as? String == "FYI")
        // A forward is content, never quoted history.
        #expect(o["quoted"] is NSNull)
        #expect(o["forwarded"] as? String == "---------- Forwarded message ---------\nFrom: Bob <bob@x.test>\n\nold text")
    }

    /// Issue 15: a message forwarded as an attachment is in `forwarded`, as the thread shows it.
    @Test func anAttachedMessageIsForwarded() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("pd-inspect-\(UUID().uuidString).eml")
        defer { try? FileManager.default.removeItem(at: tmp) }
        try Data(["From: Ana <ana@example.org>", "Subject: Fwd: x", "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b", "",
                  "--b", "Content-Type: text/plain", "", "See the attached mail.", "--b", "Content-Type: message/rfc822", "",
                  "From: Shop <shop@example.org>", "Subject: Your export", "", "Error 500", "--b--", ""].joined(separator: "\r\n").utf8).write(to: tmp)
        let r = try runPostdesk(["inspect", "--json", tmp.path])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try json(r.stdout) as? [String: Any])
        #expect(o["new_text"] as? String == "See the attached mail.")
        #expect(o["forwarded"] as? String == "---------- Forwarded message ----------\nFrom: Shop <shop@example.org>\nSubject: Your export\n\nError 500")
    }

    @Test func unreadableFileIsReportedAndExits65() throws {
        let r = try runPostdesk(["inspect", "--json", fixtures + "/html-only-pl.eml", "/nonexistent/message.eml"])
        #expect(r.status == 65)
        let list = try #require(try json(r.stdout) as? [[String: Any]])
        #expect(list.count == 2)
        #expect(list.contains { ($0["path"] as? String) == "/nonexistent/message.eml" && $0["error"] is String })
        #expect(list.contains { ($0["subject"] as? String) == "Drukarka nie działa po aktualizacji" })
    }

    @Test func plainOutputIsReadable() throws {
        let r = try runPostdesk(["inspect", fixtures + "/html-only-pl.eml"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Subject:     Drukarka nie działa po aktualizacji"))
        #expect(r.stdout.contains("Text (converted from HTML):"))
        #expect(r.stdout.contains("  | Dzień dobry,"))
    }

    @Test(arguments: [
        (["inspect"], Int32(64)),
        (["inspect", "--bogus", "x"], Int32(64)),
        (["no-such-command"], Int32(64)),
        ([], Int32(64)),
        (["--help"], Int32(0)),
        (["inspect", "--help"], Int32(0)),
        (["help", "inspect"], Int32(0)),
    ])
    func usageAndHelp(_ args: [String], _ status: Int32) throws {
        let r = try runPostdesk(args)
        #expect(r.status == status, "\(r.stderr)")
        if status == 64 { #expect(r.stderr.contains("usage: postdesk")) }
        if status == 0 { #expect(r.stdout.contains("usage: postdesk")) }
    }

    @Test func versionNamesTheCLibraries() throws {
        let r = try runPostdesk(["version"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("sqlite 3."))
        #expect(r.stdout.contains("libcurl ") && r.stdout.contains("(smtp)"))
    }
}
