import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import PostdeskSystem
import Testing

/// Agents and customers working by mail, through real maildirs, a real SQLite file and the maildir transport.
@Suite struct WorkByMailTests {
    /// Opens ticket 1 from Ana (with Luis in Cc) and returns the agent notice Alice received.
    static func openTicket(_ desk: TestDesk) throws -> Message {
        try desk.deliver(mail(cc: "Luis <luis@example.org>", id: "t1@example.org"))
        #expect(desk.run() == [.newTicket(1)])
        return try #require(try desk.sendAndRead().first { $0.deliveredTo == "alice@acme.test" })
    }

    static func agentReply(to notice: Message, _ body: String, id: String, from: String = "Alice Novak <alice@acme.test>",
                           extraHeaders: [String] = []) -> String {
        let noticeID = MessageSummary(notice).messageID ?? ""
        return mail(from: from, to: "support@acme.test", subject: "Re: [Acme #1] New ticket: Printer broken", id: id,
                    inReplyTo: noticeID, extraHeaders: extraHeaders, body: body + "\n\n> New ticket #1 ...\n> quoted history\n")
    }

    @Test func agentTakesAnswersAndResolvesAndTheTicketClosesByItself() throws {
        let desk = try TestDesk()
        let notice = try Self.openTicket(desk)
        try desk.deliver(Self.agentReply(to: notice, "#take\n#due 2026-12-24\n\nHello Ana, please restart the printer.", id: "a1@acme.test"))
        #expect(desk.run() == [.agentMail(1)])
        var t = try #require(try desk.store.ticket(1))
        #expect(t.status == "open")
        #expect(t.assignee == "alice@acme.test")
        #expect(t.due == "2026-12-24")
        let sent = try desk.sendAndRead()
        // The answer goes to Ana and Luis from the queue address, with Alice's name but not her address.
        let relays = sent.filter { $0.header("X-Postdesk-Kind") == "relay" }
        #expect(Set(relays.compactMap(\.deliveredTo)) == ["ana@example.org", "luis@example.org"])
        for r in relays {
            #expect(r.header("From") == "\"Alice Novak (Postdesk)\" <support@acme.test>")
            #expect(!(r.headers.map(\.value).joined().contains("alice@acme.test")))
            #expect(r.plainText.contains("please restart the printer"))
            #expect(!r.plainText.contains("quoted history"))
            #expect(!r.plainText.contains("#take"))
            #expect(r.header("Auto-Submitted") == nil)
        }
        // The customer is told who handles it and by when.
        let assigned = try #require(sent.first { $0.header("X-Postdesk-Kind") == "assigned" })
        #expect(assigned.plainText.contains("Alice Novak"))
        #expect(assigned.plainText.contains("24"))

        // Ana replies; Alice resolves.
        try desk.deliver(mail(subject: "Re: [Acme #1] Printer broken", id: "t2@example.org", inReplyTo: MessageSummary(relays[0]).messageID, body: "Still broken."))
        #expect(desk.run() == [.reply(1)])
        try desk.deliver(Self.agentReply(to: notice, "#status resolved\n\nFixed remotely.", id: "a2@acme.test"))
        #expect(desk.run() == [.agentMail(1)])
        #expect(try desk.store.ticket(1)?.status == "resolved")
        #expect(try desk.sendAndRead().contains { $0.header("X-Postdesk-Kind") == "resolved" && $0.deliveredTo == "ana@example.org" })

        // 47 hours later nothing happens; after 48 hours the ticket closes and Ana is told.
        let scheduler = Scheduler(desk.ingestor)
        desk.clock.seconds += 47 * 3600
        #expect(try scheduler.runDue().closed.isEmpty)
        desk.clock.seconds += 3600
        #expect(try scheduler.runDue().closed == [1])
        t = try #require(try desk.store.ticket(1))
        #expect(t.status == "closed")
        #expect(try desk.sendAndRead().contains { $0.header("X-Postdesk-Kind") == "closed" && $0.deliveredTo == "ana@example.org" })
        #expect(try scheduler.runDue().closed.isEmpty)
    }

    @Test func aCustomerReplyStopsTheAutoClose() throws {
        let desk = try TestDesk()
        let notice = try Self.openTicket(desk)
        try desk.deliver(Self.agentReply(to: notice, "#status resolved", id: "a1@acme.test"))
        _ = desk.run()
        desk.clock.seconds += 3600
        try desk.deliver(mail(subject: "Re: x", id: "t2@example.org", inReplyTo: "t1@example.org", body: "Not fixed."))
        #expect(desk.run() == [.reply(1)])
        #expect(try desk.store.ticket(1)?.status == "open")  // reopened
        desk.clock.seconds += 72 * 3600
        #expect(try Scheduler(desk.ingestor).runDue().closed.isEmpty)
    }

    @Test(arguments: [
        ("#priority urgent", "priority", "urgent"),
        ("#type hardware", "type", "hardware"),
        ("#status pending", "status", "pending"),
        ("#assign alice", "assignee", "alice@acme.test"),
        ("#assign Alice Novak", "assignee", "alice@acme.test"),
        ("#cc add boss@example.org", "cc", "boss@example.org luis@example.org"),
        ("#cc remove luis@example.org", "cc", ""),
    ])
    func validCommand(_ line: String, field: String, expected: String) throws {
        let desk = try TestDesk()
        let notice = try Self.openTicket(desk)
        try desk.deliver(Self.agentReply(to: notice, line, id: "c@acme.test"))
        #expect(desk.run() == [.agentMail(1)])
        let t = try #require(try desk.store.ticket(1))
        switch field {
        case "priority": #expect(t.priority == expected)
        case "status": #expect(t.status == expected)
        case "assignee": #expect(t.assignee == expected)
        case "cc": #expect(t.cc.sorted().joined(separator: " ") == expected)
        default: #expect(try desk.store.db.query("SELECT type FROM tickets WHERE number = 1").first?[0].string == expected)
        }
        // Only commands: nothing is relayed to the customer.
        #expect(!(try desk.sendAndRead().contains { $0.header("X-Postdesk-Kind") == "relay" }))
        #expect(try desk.count("SELECT count(*) FROM audit WHERE ticket = 1 AND actor = 'alice@acme.test'") >= 1)
    }

    @Test(arguments: [
        ("#status done", "line 1: #status done", "unknown status"),
        ("#priority 5", "line 1: #priority 5", "unknown priority"),
        ("#due 24.12.2026", "line 1: #due 24.12.2026", "YYYY-MM-DD"),
        ("#due 2026-02-30", "line 1: #due 2026-02-30", "not a date"),
        ("#assign nobody", "line 1: #assign nobody", "no agent"),
        ("#frobnicate", "line 1: #frobnicate", "unknown command"),
        ("#cc add not-an-address", "line 1: #cc add", "not a mail address"),
        ("#status new", "line 1: #status new", "cannot be set back to new"),
        ("#priority high\n#statuss open", "line 2: #statuss open", "unknown command"),
    ])
    func invalidCommandChangesNothingAndTheAgentIsTold(_ lines: String, where_ place: String, why: String) throws {
        let desk = try TestDesk()
        let notice = try Self.openTicket(desk)
        try desk.deliver(Self.agentReply(to: notice, lines + "\n\nDear Ana, ...", id: "bad@acme.test"))
        #expect(desk.run() == [.agentMail(1)])
        let t = try #require(try desk.store.ticket(1))
        #expect(t.priority == "normal")
        #expect(t.status == "new")
        let sent = try desk.sendAndRead()
        #expect(!sent.contains { $0.header("X-Postdesk-Kind") == "relay" })
        let error = try #require(sent.first { $0.header("X-Postdesk-Kind") == "command_error" })
        #expect(error.deliveredTo == "alice@acme.test")
        #expect(error.plainText.contains(place), "\(error.plainText)")
        #expect(error.plainText.contains(why), "\(error.plainText)")
    }

    @Test func internalNoteIsNeverSentToTheCustomer() throws {
        let desk = try TestDesk()
        let notice = try Self.openTicket(desk)
        try desk.deliver(Self.agentReply(to: notice, "#internal\n\nCustomer is on the old firmware.", id: "n@acme.test"))
        #expect(desk.run() == [.agentMail(1)])
        #expect(!(try desk.sendAndRead().contains { $0.header("X-Postdesk-Kind") == "relay" }))
        let note = try #require(try desk.store.ticket(1)?.messages?.last { $0.direction == "in" })
        #expect(note.visibility == "internal")
        #expect(note.text == "Customer is on the old firmware.")
    }

    /// An internal note reaches the other agents; replying to that notice is another internal note, never sent
    /// to the customer, even without #internal.
    @Test func replyingToAnInternalNoteNoticeStaysInternal() throws {
        let desk = try TestDesk(extraConfig: "\n[agent bob]\naddress = bob@acme.test\nname = Bob Builder\n")
        let notice = try Self.openTicket(desk)
        try desk.deliver(Self.agentReply(to: notice, "#internal\n\nCustomer is a VIP, call them.", id: "n1@acme.test",
                                         from: "Bob Builder <bob@acme.test>"))
        #expect(desk.run() == [.agentMail(1)])
        var sent = try desk.sendAndRead()
        let toAlice = try #require(sent.first { $0.header("X-Postdesk-Kind") == "agent_internal_note" })
        #expect(toAlice.deliveredTo == "alice@acme.test")
        #expect(toAlice.plainText.contains("Customer is a VIP"))
        #expect(toAlice.plainText.contains("Bob Builder"))
        #expect(!sent.contains { $0.header("X-Postdesk-Kind") == "agent_internal_note" && $0.deliveredTo == "bob@acme.test" })

        // Alice answers the notice without #internal: still internal, and Bob hears of it; Ana hears nothing.
        try desk.deliver(mail(from: "Alice Novak <alice@acme.test>", subject: "Re: [Acme #1] Printer broken", id: "n2@acme.test",
                              inReplyTo: MessageSummary(toAlice).messageID, body: "Called them, all good.\n\n> Customer is a VIP"))
        #expect(desk.run() == [.agentMail(1)])
        sent = try desk.sendAndRead()
        #expect(!sent.contains { $0.deliveredTo == "ana@example.org" && $0.plainText.contains("Called them") })
        #expect(!sent.contains { $0.header("X-Postdesk-Kind") == "relay" })
        #expect(sent.contains { $0.header("X-Postdesk-Kind") == "agent_internal_note" && $0.deliveredTo == "bob@acme.test"
            && $0.plainText.contains("Called them") })
        let last = try #require(try desk.store.ticket(1)?.messages?.last { $0.direction == "in" })
        #expect(last.visibility == "internal")
        #expect(last.text == "Called them, all good.")

        // Replying to the ordinary new-ticket notice is still an answer to the customer.
        try desk.deliver(Self.agentReply(to: notice, "Hello Ana, fixed.", id: "n3@acme.test"))
        _ = desk.run()
        #expect(try desk.sendAndRead().contains { $0.header("X-Postdesk-Kind") == "relay" && $0.deliveredTo == "ana@example.org" })
    }

    @Test(arguments: [
        // (Authentication-Results fields, top first; verified?)
        (["mx.acme.test; dkim=pass header.d=acme.test header.s=s1; spf=fail"], true),
        (["mx.acme.test; dmarc=pass (p=reject) header.from=acme.test"], true),
        (["mx.acme.test; spf=pass smtp.mailfrom=alice@acme.test"], true),
        (["mx.acme.test; dkim=pass header.d=evil.example"], false),
        (["mx.acme.test; dkim=fail header.d=acme.test"], false),
        (["evil.example; dkim=pass header.d=acme.test"], false),
        ([], false),
        // Only the topmost field of the trusted server counts: a forged one below it changes nothing.
        (["mx.acme.test; dkim=none", "mx.acme.test; dkim=pass header.d=acme.test"], false),
    ])
    func agentMailMustBeProven(fields: [String], verified: Bool) throws {
        let desk = try TestDesk(helpdeskConfig: "agent_auth = authentication-results\ntrusted_authserv_id = mx.acme.test")
        let notice = try Self.openTicket(desk)
        try desk.deliver(Self.agentReply(to: notice, "#status closed\n\nClosing this.", id: "f@acme.test",
                                         extraHeaders: fields.map { "Authentication-Results: \($0)" }))
        _ = desk.run()
        let t = try #require(try desk.store.ticket(1))
        #expect((t.status == "closed") == verified)
        let sent = try desk.sendAndRead()
        #expect(sent.contains { $0.header("X-Postdesk-Kind") == "relay" } == verified)
        if !verified {
            let warning = try #require(sent.first { $0.header("X-Postdesk-Kind") == "command_error" })
            #expect(warning.deliveredTo == "alice@acme.test")
            #expect(warning.plainText.contains("could not be proven"))
            #expect(try desk.count("SELECT count(*) FROM audit WHERE action = 'forged agent mail'") == 1)
        }
    }

    @Test func customerClosesTheirOpenTicketButNotAResolvedOne() throws {
        let desk = try TestDesk()
        _ = try Self.openTicket(desk)
        try desk.deliver(mail(subject: "Re: Printer broken", id: "c1@example.org", inReplyTo: "t1@example.org", body: "#close\n\nIt works now, thanks."))
        #expect(desk.run() == [.reply(1)])
        #expect(try desk.store.ticket(1)?.status == "closed")
        #expect(try desk.sendAndRead().contains { $0.header("X-Postdesk-Kind") == "closed" && $0.deliveredTo == "ana@example.org" })
        #expect(try desk.store.ticket(1)?.messages?.last { $0.direction == "in" }?.text == "It works now, thanks.")

        // A stranger cannot close someone's ticket, even by replying in its thread.
        try desk.deliver(mail(cc: nil, id: "t3@example.org", body: "another"))
        _ = desk.run()
        try desk.deliver(mail(from: "mallory@evil.test", subject: "Re: x", id: "m@evil.test", inReplyTo: "t3@example.org", body: "#close"))
        _ = desk.run()
        #expect(try desk.store.ticket(2)?.status == "new")
    }

    @Test func statusSummaryShowsOnlyWhatTheCustomerMaySee() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(subject: "Ana one", id: "s1@example.org"))
        try desk.deliver(mail(from: "Bob <bob@example.org>", subject: "Bob secret", id: "s2@example.org"))
        try desk.deliver(mail(subject: "Ana two", id: "s3@example.org"))
        _ = desk.run()
        _ = try desk.sendAndRead()
        try desk.deliver(mail(subject: "Status", id: "st@example.org", body: ""))
        #expect(desk.run() == [.statusSummary])
        #expect(try desk.count("SELECT count(*) FROM tickets") == 3)
        let summary = try #require(try desk.sendAndRead().last { $0.header("X-Postdesk-Kind") == "status_summary" })
        #expect(summary.deliveredTo == "ana@example.org")
        #expect(summary.plainText.contains("Ana one"))
        #expect(summary.plainText.contains("Ana two"))
        #expect(!summary.plainText.contains("Bob"))
        #expect(summary.header("In-Reply-To") == "<st@example.org>")

        // A company's primary contact sees the company's tickets (and still nobody else's).
        try desk.store.db.run("INSERT INTO organizations (name, domain, created) VALUES ('Example', 'example.org', '2026-01-01T00:00:00+00:00')")
        try desk.store.db.run("UPDATE customers SET organization_id = 1")
        try desk.store.db.run("UPDATE customers SET is_primary_contact = 1 WHERE address = 'bob@example.org'")
        try desk.deliver(mail(from: "Carol <carol@other.example>", subject: "Carol's", id: "c@other.example"))
        try desk.deliver(mail(from: "Bob <bob@example.org>", subject: "estado", id: "st2@example.org", body: ""))
        _ = desk.run()
        let bobs = try #require(try desk.sendAndRead().last { $0.header("X-Postdesk-Kind") == "status_summary" })
        #expect(bobs.deliveredTo == "bob@example.org")
        #expect(bobs.plainText.contains("Ana one") && bobs.plainText.contains("Bob secret"))
        #expect(!bobs.plainText.contains("Carol"))
    }
}
