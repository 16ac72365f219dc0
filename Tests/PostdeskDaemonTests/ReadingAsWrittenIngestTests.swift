import Testing
@testable import PostdeskDaemon

/// Issue 15 through the ingest: a malformed address is never the sender nor a participant, the first of two
/// From fields is the requester, a bracketless Message-ID threads.
@Suite struct ReadingAsWrittenIngestTests {
    @Test func aMalformedFromAloneIsNoSender() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(from: "john smith@example.com", id: "m1@example.org"))
        guard case .quarantined(_, let reason) = desk.run().first else {
            Issue.record("not quarantined")
            return
        }
        #expect(reason.contains("no sender"))
    }

    @Test(arguments: [
        // (From fields and Reply-To, the requester, the Cc kept)
        (["From: <john smith@example.com>", "Reply-To: Ana <ana@example.org>"], "ana@example.org", [String]()),
        (["From: Ana <ana@example.org>", "From: Boss <boss@acme-corp.test>"], "ana@example.org", []),
        (["From: Ana <ana@example.org>", "Cc: <luis smith@example.org>, Bea <bea@example.org>"], "ana@example.org", ["bea@example.org"]),
    ])
    func theRequesterIsWhatWasWritten(_ fields: [String], _ requester: String, _ cc: [String]) throws {
        let desk = try TestDesk()
        let text = fields.joined(separator: "\n") + "\nTo: support@acme.test\nSubject: Printer\nMessage-ID: <r1@example.org>\n\nIt does not print.\n"
        try desk.deliver(text)
        #expect(desk.run() == [.newTicket(1)])
        let t = try #require(try desk.store.ticket(1))
        #expect(t.requester == requester)
        #expect(t.cc == cc)
    }

    /// The agents' notice names both From fields of a mail that has two, and a malformed From as written.
    @Test(arguments: [
        (["From: Ana <ana@example.org>", "From: Boss <boss@acme-corp.test>"],
         "WARNING: this mail has several From fields (a sign of forgery); the first is taken as the sender: ana@example.org, boss@acme-corp.test"),
        (["From: <john smith@example.com>", "Reply-To: Ana <ana@example.org>"],
         "A From address is malformed; it is kept as written and never used: john smith@example.com"),
    ])
    func theNoticeTellsOfTheFromFields(_ fields: [String], _ line: String) throws {
        let desk = try TestDesk()
        let text = fields.joined(separator: "\n") + "\nTo: support@acme.test\nSubject: Printer\nMessage-ID: <r2@example.org>\n\nIt does not print.\n"
        try desk.deliver(text)
        #expect(desk.run() == [.newTicket(1)])
        let notice = try #require(try desk.sendAndRead().first { $0.deliveredTo == "alice@acme.test" })
        #expect(notice.plainText.contains(line), "\(notice.plainText)")
    }

    @Test func aReplyToABracketlessMessageIDThreads() throws {
        let desk = try TestDesk()
        try desk.deliver("From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Printer\nMessage-ID: 00020\n\nIt does not print.\n", name: "1")
        #expect(desk.run() == [.newTicket(1)])
        try desk.deliver("From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: more\nMessage-ID: 00021\nIn-Reply-To: 00020\n\nStill broken.\n", name: "2")
        #expect(desk.run() == [.reply(1)])
    }
}
