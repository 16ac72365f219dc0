import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import PostdeskSystem
import Testing

/// The portal's write side (`PortalDesk`): every act goes through the ingest path as a real message in
/// data_dir/portal, under the same rules as mail (`TicketAccess`, routing, lifecycle, caps, limits).
@Suite struct PortalDeskTests {
    /// Ticket #1: Ana's (example.org), with Ben in Cc. Boss is example.org's primary contact; Eve a colleague
    /// who is not; Alice an agent; Zed a stranger.
    static func desk(limits: String = "", portal: String = "url = https://support.acme.test",
                     helpdeskConfig: String = "agent_auth = from\ncustomer_auth = from") throws -> (TestDesk, PortalDesk) {
        let desk = try TestDesk(extraConfig: """

            [outbound]
            transport = maildir
            maildir = outbound

            [limits]
            \(limits)

            [portal]
            \(portal)
            """, helpdeskConfig: helpdeskConfig)
        try desk.deliver(mail(from: "Ana <ana@example.org>", cc: "Ben <ben@example.org>", id: "t1@example.org"))
        #expect(desk.run() == [.newTicket(1)])
        let at = desk.clock.now().iso8601
        let boss = try desk.store.customer(address: "boss@example.org", name: "Boss", at: at)
        _ = try desk.store.customer(address: "eve@example.org", name: "Eve", at: at)
        try desk.store.addOrganization(domain: "example.org", name: "Example", at: at)
        try desk.store.updateCustomer(boss, primaryContact: true)
        return (desk, PortalDesk(ingestor: desk.ingestor))
    }

    static func customer(_ desk: TestDesk, _ address: String) throws -> PortalDesk.Customer {
        let id = try desk.store.customer(address: address, name: nil, at: desk.clock.now().iso8601)
        return PortalDesk.Customer(id: id, address: address, name: address.split(separator: "@").first.map(String.init))
    }

    /// Everything the desk could have written: messages, tickets, participants, outbox rows, portal files.
    static func footprint(_ desk: TestDesk) throws -> [Int64] {
        let files = Int64(((try? FileSystem.list(desk.root + "/data/portal/new")) ?? []).count
                          + ((try? FileSystem.list(desk.root + "/data/portal/cur")) ?? []).count)
        return [try desk.count("SELECT count(*) FROM messages"), try desk.count("SELECT count(*) FROM tickets"),
                try desk.count("SELECT count(*) FROM participants"), try desk.count("SELECT count(*) FROM outbox"),
                try desk.count("SELECT count(*) FROM audit"), files]
    }

    static func kinds(_ desk: TestDesk, after id: Int64 = 0) throws -> [String] {
        try desk.store.db.query("SELECT kind || ' ' || recipient FROM outbox WHERE id > ? ORDER BY id", [.integer(id)]).map { $0[0].string ?? "" }
    }

    static func lastOutbox(_ desk: TestDesk) throws -> Int64 { try desk.count("SELECT coalesce(max(id), 0) FROM outbox") }

    // MARK: - Who may write

    @Test(arguments: ["ana@example.org", "ben@example.org", "boss@example.org", "BOSS@Example.org"])
    func replyByEveryoneWhoSeesTheTicketLandsOnIt(_ who: String) throws {
        let (desk, portal) = try Self.desk()
        let before = try Self.lastOutbox(desk)
        let outcome = try portal.reply(try Self.customer(desk, who), ticket: 1, text: "More details from \(who).")
        #expect(outcome == .added(ticket: 1))
        let row = try #require(try desk.store.db.query(
            "SELECT ticket, author_address, origin, sender_auth, visibility, text FROM messages WHERE direction = 'in' ORDER BY id DESC LIMIT 1").first)
        #expect(row[0].int == 1)
        #expect(row[1].string == who.lowercased())
        #expect(row[2].string == "portal")
        #expect(row[3].string == "verified")
        #expect(row[4].string == "public")
        #expect(row[5].string?.contains("More details from \(who).") == true)
        #expect(try desk.count("SELECT count(*) FROM tickets") == 1)
        // The agents hear of it as of a mail; the message file is in the portal's cur/, ingested once.
        #expect(try Self.kinds(desk, after: before) == ["agent_customer_reply alice@acme.test"])
        #expect(((try? FileSystem.list(desk.root + "/data/portal/cur")) ?? []).count == 1)
        #expect(try desk.count("SELECT count(*) FROM ingested WHERE mailbox = '(portal)'") == 1)
        #expect(FileSystem.kind(of: desk.root + "/data/run/outbox-wake") == .file)
    }

    /// A colleague who is no primary contact, an agent's address and a stranger: 404 for every act, on the
    /// ticket and on one that does not exist, with nothing written anywhere.
    @Test(arguments: ["eve@example.org", "alice@acme.test", "zed@other.test"])
    func othersGetNotFoundAndNothingIsWritten(_ who: String) throws {
        let (desk, portal) = try Self.desk()
        let customer = try Self.customer(desk, who)
        let before = try Self.footprint(desk)
        for number in [1, 999] as [Int64] {
            #expect(try portal.reply(customer, ticket: number, text: "let me in", cc: ["friend@other.test"]) == .notFound)
            #expect(try portal.addPeople(customer, ticket: number, addresses: ["friend@other.test"]) == .notFound)
            #expect(try portal.close(customer, ticket: number) == .notFound)
        }
        #expect(try Self.footprint(desk) == before)
        #expect(try desk.store.ticket(1)?.status == "new")
    }

    @Test func anAgentsAddressOpensNoTicketInThePortal() throws {
        let (desk, portal) = try Self.desk()
        let before = try Self.footprint(desk)
        guard case .refused = try portal.newTicket(try Self.customer(desk, "alice@acme.test"), .init(subject: "x", text: "y")) else {
            Issue.record("an agent opened a portal ticket")
            return
        }
        #expect(try Self.footprint(desk) == before)
    }

    /// People in a reply's Cc join as from a mail (the sender is verified by the sign-in, so they may bring people).
    @Test func aReplysCcJoinsTheTicket() throws {
        let (desk, portal) = try Self.desk(helpdeskConfig: "agent_auth = from\ncustomer_auth = verified")
        // Ana's own mail was not verified by the MTA, so Ben in its Cc did not join; in the portal she is verified.
        #expect(try desk.count("SELECT count(*) FROM participants") == 0)
        #expect(try portal.reply(try Self.customer(desk, "ana@example.org"), ticket: 1, text: "Adding my boss.",
                                 cc: ["Hal <hal@example.org>", "support@acme.test", "bogus"]) == .added(ticket: 1))
        #expect(try desk.store.db.query("SELECT address FROM participants WHERE ticket = 1").compactMap { $0[0].string } == ["hal@example.org"])
    }

    // MARK: - Lifecycle

    @Test func aReplyReopensAResolvedTicket() throws {
        let (desk, portal) = try Self.desk()
        try desk.store.setStatus(1, .resolved, at: desk.clock.now().iso8601)
        #expect(try portal.reply(try Self.customer(desk, "ana@example.org"), ticket: 1, text: "Still broken.") == .added(ticket: 1))
        #expect(try desk.store.ticket(1)?.status == "open")
    }

    @Test func aReplyToAClosedTicketOpensALinkedFollowUp() throws {
        let (desk, portal) = try Self.desk()
        try desk.store.setStatus(1, .closed, at: desk.clock.now().iso8601)
        let before = try Self.lastOutbox(desk)
        #expect(try portal.reply(try Self.customer(desk, "ben@example.org"), ticket: 1, text: "It broke again.") == .followUp(2, of: 1))
        let t = try #require(try desk.store.db.query("SELECT follow_up_of, origin, status FROM tickets WHERE number = 2").first)
        #expect(t[0].int == 1)
        #expect(t[1].string == "portal")
        #expect(t[2].string == "new")
        #expect(try desk.store.ticket(1)?.status == "closed")
        #expect(try Self.kinds(desk, after: before) == ["follow_up ben@example.org", "agent_new_ticket alice@acme.test"])
    }

    @Test(arguments: [(TicketStatus.new, true), (.open, true), (.pending, true), (.resolved, false), (.closed, false)])
    func closeOnlyFromNewOpenOrPending(_ status: TicketStatus, _ closes: Bool) throws {
        let (desk, portal) = try Self.desk()
        if status != .new { try desk.store.setStatus(1, status, at: desk.clock.now().iso8601) }
        let before = try Self.lastOutbox(desk)
        let outcome = try portal.close(try Self.customer(desk, "boss@example.org"), ticket: 1)
        #expect(outcome == (closes ? .closed : .notClosable(status)))
        #expect(try desk.store.ticket(1)?.status == (closes ? "closed" : status.rawValue))
        #expect(try Self.kinds(desk, after: before) == (closes ? ["closed ana@example.org"] : []))
        if closes {
            #expect(try desk.count("SELECT count(*) FROM audit WHERE ticket = 1 AND detail LIKE '% → closed: close in the portal from the customer'") == 1)
        }
    }

    /// `#close` by mail is the same rule: customers only (an agent's address on the ticket is no customer).
    @Test func mailCloseIsTheSameRule() throws {
        let (desk, _) = try Self.desk()
        // Eve (a colleague, no primary contact) has the thread: her mail is recorded, her #close is not applied.
        try desk.deliver(mail(from: "Eve <eve@example.org>", subject: "Re: Printer broken", id: "e1@example.org", inReplyTo: "t1@example.org",
                              body: "#close"))
        #expect(desk.run() == [.reply(1)])
        #expect(try desk.store.ticket(1)?.status == "new")
        // Boss, the primary contact, may.
        try desk.deliver(mail(from: "Boss <boss@example.org>", subject: "[Acme #1] Re: Printer broken", id: "b1@example.org", body: "#close\n\nDone."))
        #expect(desk.run() == [.reply(1)])
        #expect(try desk.store.ticket(1)?.status == "closed")
        #expect(try desk.count("SELECT count(*) FROM audit WHERE ticket = 1 AND detail = 'new → closed: #close from the customer' AND actor = 'boss@example.org'") == 1)
    }

    // MARK: - People

    @Test func addPeopleAppliesTheParticipantCaps() throws {
        let (desk, portal) = try Self.desk(limits: "participants_per_mail = 2\nparticipants_per_ticket = 3")
        let ana = try Self.customer(desk, "ana@example.org")
        try desk.store.updateCustomer(ana.id, language: "de")
        let first = try portal.addPeopleResult(ana, ticket: 1, addresses: ["Carl <carl@example.org>", "dora@example.org", "emil@example.org", "not an address"])
        #expect(first.outcome == .added(ticket: 1))
        #expect(first.joined == ["carl@example.org", "dora@example.org"])
        #expect(first.notJoined.map(\.address) == ["emil@example.org", "not an address"])
        #expect(first.notJoined[0].why.contains("participants_per_mail = 2"))
        // The thread says so, in the customer's language, naming only those who joined; they are in its Cc.
        let row = try #require(try desk.store.db.query("SELECT text, raw_path FROM messages WHERE direction = 'in' ORDER BY id DESC LIMIT 1").first)
        #expect(row[0].string == "Ich habe carl@example.org, dora@example.org zum Gespräch hinzugefügt.")
        let raw = try Message.parse(FileSystem.readFile(try #require(row[1].string)))
        #expect(MessageSummary(raw).cc.map(\.address) == ["carl@example.org", "dora@example.org"])
        // Ben, Carl and Dora: the ticket is full, and nothing is written for a message that would add nobody.
        let before = try Self.footprint(desk)
        let second = try portal.addPeopleResult(ana, ticket: 1, addresses: ["fred@example.org"])
        #expect(second.outcome == .refused("nobody could be added"))
        #expect(second.joined.isEmpty)
        #expect(second.notJoined.first?.why.contains("participants_per_ticket = 3") == true)
        let already = try portal.addPeopleResult(ana, ticket: 1, addresses: ["BEN@example.org"])
        #expect(already.outcome == .refused("nobody could be added"))
        #expect(already.joined == ["ben@example.org"])
        #expect(try Self.footprint(desk) == before)
        #expect(Set(try desk.store.db.query("SELECT address FROM participants WHERE ticket = 1").compactMap { $0[0].string })
                == ["ben@example.org", "carl@example.org", "dora@example.org"])
        #expect(try portal.addPeople(ana, ticket: 1, addresses: ["nonsense"]) == .refused("no email address to add"))
        // Nobody is added to a closed ticket (it is final; a reply opens a follow-up).
        try desk.store.setStatus(1, .closed, at: desk.clock.now().iso8601)
        let closed = try Self.footprint(desk)
        #expect(try portal.addPeople(ana, ticket: 1, addresses: ["ida@example.org"]) == .refused("ticket #1 is closed; write a reply to open a follow-up"))
        #expect(try Self.footprint(desk) == closed)
    }

    // MARK: - New tickets

    @Test func aNewTicketLandsInTheQueueLikeAMail() throws {
        let (desk, portal) = try Self.desk(portal: "url = https://support.acme.test\nqueue = sales")
        var form = PortalDesk.NewTicket(subject: "  Status  ", text: "The scanner jams.")
        form.priority = .high
        form.type = "problem"
        form.reference = "  PO-2026/17 ąę  "
        form.cc = ["Gus <gus@example.org>"]
        let before = try Self.lastOutbox(desk)
        #expect(try portal.newTicket(try Self.customer(desk, "eve@example.org"), form) == .newTicket(2))
        let t = try #require(try desk.store.db.query(
            "SELECT subject, status, queue, origin, priority, type, customer_reference, assignee_id FROM tickets WHERE number = 2").first)
        #expect(t[0].string == "Status")  // a ticket, not a status request: the customer asked for a ticket
        #expect(t[1].string == "new")
        #expect(t[2].string == "sales")
        #expect(t[3].string == "portal")
        #expect(t[4].string == "high")
        #expect(t[5].string == "problem")
        #expect(t[6].string == "PO-2026/17 ąę")
        #expect(t[7] == .null)
        #expect(try desk.store.db.query("SELECT address FROM participants WHERE ticket = 2").compactMap { $0[0].string } == ["gus@example.org"])
        #expect(try Self.kinds(desk, after: before) == ["confirmation eve@example.org", "agent_new_ticket alice@acme.test"])
        let confirmation = try #require(try desk.sendAndRead().first { $0.header("X-Postdesk-Kind") == "confirmation" && $0.deliveredTo == "eve@example.org" })
        let summary = MessageSummary(confirmation)
        #expect(summary.subject?.hasPrefix("[Sales #2]") == true)
        #expect(summary.text.contains("https://support.acme.test/tickets/2"))
        let notice = try #require(desk.outbound().first { $0.header("X-Postdesk-Kind") == "agent_new_ticket" && $0.header("X-Postdesk-Ticket") == "2" })
        #expect(MessageSummary(notice).text.contains("Sender verified: signed in to the portal"))
    }

    @Test func aNewTicketFormIsCheckedBeforeAnythingIsWritten() throws {
        let (desk, portal) = try Self.desk()
        let eve = try Self.customer(desk, "eve@example.org")
        let before = try Self.footprint(desk)
        var badType = PortalDesk.NewTicket(subject: "x", text: "y")
        badType.type = "held"
        var longReference = PortalDesk.NewTicket(subject: "x", text: "y")
        longReference.reference = String(repeating: "r", count: 101)
        var controlReference = PortalDesk.NewTicket(subject: "x", text: "y")
        controlReference.reference = "a\r\nX-Evil: 1"
        for form in [PortalDesk.NewTicket(subject: " \n ", text: "y"), badType, longReference, controlReference] {
            guard case .refused = try portal.newTicket(eve, form) else {
                Issue.record("accepted \(form)")
                continue
            }
        }
        #expect(try Self.footprint(desk) == before)
    }

    /// What a customer types never becomes a header field: CR/LF in the subject, the name, a Cc entry or the
    /// reference is flattened or refused.
    @Test func typedTextNeverAddsAHeaderField() throws {
        let (desk, portal) = try Self.desk()
        let hostile = PortalDesk.Customer(id: 0, address: "eve@example.org", name: "Eve\r\nBcc: victim@evil.test")
        var form = PortalDesk.NewTicket(subject: "Hi\r\nBcc: victim@evil.test\r\nX-Postdesk-Portal-Priority: urgent", text: "Body\r\n.\r\nQUIT")
        form.cc = ["gus@example.org\r\nBcc: victim@evil.test", "friends: victim@evil.test;", "gus@example.org\u{0}victim@evil.test"]
        #expect(try portal.newTicket(hostile, form) == .newTicket(2))
        let raw = try #require(try desk.store.db.query("SELECT raw_path FROM messages WHERE ticket = 2 AND direction = 'in'").first?[0].string)
        let message = Message.parse(try FileSystem.readFile(raw))
        #expect(message.headers["Bcc"] == nil)
        #expect(message.headers.filter { $0.name.lowercased() == "x-postdesk-portal-priority" }.isEmpty)
        let t = try #require(try desk.store.db.query("SELECT subject, priority FROM tickets WHERE number = 2").first)
        #expect(t[0].string == "Hi Bcc: victim@evil.test X-Postdesk-Portal-Priority: urgent")
        #expect(t[1].string == "normal")
        #expect(try desk.store.db.query("SELECT address FROM participants WHERE ticket = 2").compactMap { $0[0].string } == [])
        let people = try portal.addPeopleResult(hostile, ticket: 2, addresses: form.cc)
        #expect(people.outcome == .refused("no email address to add"))
        #expect(people.notJoined.allSatisfy { $0.why == "not an email address" } && people.notJoined.count == 3)
    }

    @Test func uploadsBecomeAttachmentsWithSafeNames() throws {
        let (desk, portal) = try Self.desk()
        let uploads = [("../../etc/passwd", "text/plain", "root:x:0:0"), ("<script>.html", "text/html; charset=utf-8", "<script>alert(1)</script>"),
                       ("photo.png", "image/png", "\u{89}PNG fake"), ("a\"b;c.txt", "text/plain\r\nX-Evil: 1", "evil")]
        var files: [PortalDesk.Upload] = []
        for (i, u) in uploads.enumerated() {
            let path = desk.root + "/upload-\(i)"
            try FileSystem.writeNew(path, Array(u.2.utf8))
            files.append(.init(filename: u.0, contentType: u.1, path: path))
        }
        #expect(try portal.reply(try Self.customer(desk, "ana@example.org"), ticket: 1, text: "Files.", files: files) == .added(ticket: 1))
        let rows = try desk.store.db.query("""
            SELECT a.filename, a.content_type, a.sha256, a.size FROM attachments a JOIN messages m ON m.id = a.message
            WHERE m.origin = 'portal' ORDER BY a.id
            """)
        #expect(rows.map { $0[0].string } == uploads.map { SafeFilename.make($0.0) })
        #expect(rows.map { $0[0].string } == ["passwd", "_script_.html", "photo.png", "a_b;c.txt"])
        #expect(rows.map { $0[1].string } == ["text/plain", "application/octet-stream", "image/png", "application/octet-stream"])
        for (row, u) in zip(rows, uploads) {
            let sha = try #require(row[2].string)
            #expect(try FileSystem.readFile(desk.ingestor.data.attachmentPath(sha256: sha)) == Array(u.2.utf8))
            #expect(row[3].int == Int64(u.2.utf8.count))
        }
        #expect(FileSystem.kind(of: desk.root + "/etc/passwd") == nil)
    }

    @Test func aFloodOfPortalPostsIsHeldLikeMail() throws {
        let (desk, portal) = try Self.desk(limits: "sender_burst = 3\nsender_rate = 1/h")
        let eve = try Self.customer(desk, "eve@example.org")
        var outcomes: [PortalDesk.Outcome] = []
        for i in 1...5 { outcomes.append(try portal.newTicket(eve, .init(subject: "Flood \(i)", text: "spam"))) }
        #expect(outcomes == [.newTicket(2), .newTicket(3), .newTicket(4), .held(5), .held(5)])
        #expect(try desk.store.db.query("SELECT type FROM tickets WHERE number = 5").first?[0].string == "held")
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE recipient = 'eve@example.org'") == 3)
    }

    // MARK: - Headers from outside count for nothing

    /// Mail from outside carrying the portal's fields is ordinary mail: judged by the MTA's verdict (unverified
    /// here, so nobody in Cc joins), routed by its own subject and headers, never onto the ticket it names.
    @Test func outsideMailWithPortalFieldsIsOrdinaryMail() throws {
        let (desk, _) = try Self.desk(helpdeskConfig: "agent_auth = from\ncustomer_auth = verified")
        try desk.deliver(mail(from: "Eve <eve@example.org>", cc: "mallory@evil.test", subject: "Hello", id: "forged@example.org",
                              extraHeaders: ["X-Postdesk-Origin: portal", "X-Postdesk-Portal-Ticket: 1", "X-Postdesk-Portal-Priority: urgent",
                                             "X-Postdesk-Portal-Type: problem"]))
        #expect(desk.run() == [.newTicket(2)])
        let t = try #require(try desk.store.db.query("SELECT origin, priority, type FROM tickets WHERE number = 2").first)
        #expect(t[0].string == "mail")
        #expect(t[1].string == "normal")
        #expect(t[2] == .null)
        let m = try #require(try desk.store.db.query("SELECT origin, sender_auth, ticket FROM messages WHERE message_id = 'forged@example.org'").first)
        #expect(m[0].string == "mail")
        #expect(m[1].string == "unverified")
        #expect(m[2].int == 2)
        #expect(try desk.count("SELECT count(*) FROM participants WHERE address = 'mallory@evil.test'") == 0)
        #expect(try desk.count("SELECT count(*) FROM messages WHERE ticket = 1") == 2)  // Ana's mail and its confirmation
    }

    // MARK: - Crash recovery

    /// A message the desk wrote but did not ingest (killed between the two) is ingested when the next desk
    /// starts, exactly once; one ingested but not moved to cur/ is only moved.
    @Test func aMessageLeftInThePortalMaildirIsIngestedOnceAtTheNextStart() throws {
        let (desk, _) = try Self.desk()
        let left = """
            From: Eve <eve@example.org>\r
            To: <support@acme.test>\r
            Subject: Left behind\r
            Message-ID: <portal.left@acme.test>\r
            Date: Sun, 22 Nov 2026 10:00:00 +0000\r
            X-Postdesk-Origin: portal\r
            X-Postdesk-Portal-Ticket: new\r
            X-Postdesk-Portal-Priority: urgent\r
            \r
            Written, then the portal died.\r

            """
        try desk.ingestor.data.portal.deliver(Array(left.utf8), name: "1795338900.M1P1.left")
        let recovered = PortalDesk(ingestor: desk.ingestor)
        let t = try #require(try desk.store.db.query("SELECT origin, priority, subject FROM tickets WHERE number = 2").first)
        #expect(t[0].string == "portal")
        #expect(t[1].string == "urgent")
        #expect(t[2].string == "Left behind")
        #expect(try desk.count("SELECT count(*) FROM messages WHERE sender_auth = 'verified' AND origin = 'portal'") == 1)
        #expect(((try? FileSystem.list(desk.root + "/data/portal/new")) ?? []).isEmpty)
        // Ingested, but put back into new/ (a crash between the commit and the rename): only moved, never again.
        let cur = try #require(try FileSystem.list(desk.root + "/data/portal/cur").first)
        try FileSystem.rename(desk.root + "/data/portal/cur/" + cur, to: desk.root + "/data/portal/new/1795338900.M1P1.left")
        #expect(recovered.recover() == [.duplicate(2)])
        _ = PortalDesk(ingestor: desk.ingestor)
        #expect(try desk.count("SELECT count(*) FROM tickets") == 2)
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE kind = 'confirmation' AND recipient = 'eve@example.org'") == 1)
    }

    // MARK: - One access rule for lists

    /// The status summary's list (`Store.visibleTickets`) is exactly what `TicketAccess.customerSees` allows.
    @Test func visibleTicketsIsTicketAccess() throws {
        let (desk, _) = try Self.desk()
        try desk.deliver(mail(from: "Eve <eve@example.org>", id: "t2@example.org"))
        try desk.deliver(mail(from: "Zed <zed@other.test>", cc: "Ana <ana@example.org>", id: "t3@example.org"))
        try desk.deliver(mail(from: "Alice <alice@acme.test>", subject: "x", id: "t4@acme.test"))  // an agent's mail: no ticket
        try desk.deliver(mail(from: "Quinn <quinn@far.test>", id: "t5@far.test"))
        _ = desk.run()
        let numbers = try desk.store.db.query("SELECT number FROM tickets ORDER BY number").compactMap { $0[0].int }
        #expect(numbers.count >= 4)
        let agents = desk.ingestor.agentAddresses
        for who in ["ana@example.org", "ben@example.org", "boss@example.org", "eve@example.org", "alice@acme.test", "zed@other.test",
                    "nobody@nowhere.test", "ANA@EXAMPLE.ORG"] {
            let listed = Set(try desk.store.visibleTickets(for: who).map(\.number))
            for n in numbers {
                let facts = try #require(try desk.store.ticketFacts(n, agents: agents))
                #expect(listed.contains(n) == TicketAccess.customerSees(who, facts), "\(who), ticket #\(n)")
            }
        }
        #expect(Set(try desk.store.visibleTickets(for: "ben@example.org").map(\.number)) == [1])
        #expect(Set(try desk.store.visibleTickets(for: "boss@example.org").map(\.number)) == [1, 2])
    }
}

/// Links from mail: with `[portal] url`, customers' mail about a ticket links to its page, in the text and the
/// HTML part; agents' mail never; without a url no mail has one.
@Suite struct PortalLinkMailTests {
    @Test(arguments: [true, false])
    func customersMailLinksToTheTicketWhenTheURLIsSet(_ withURL: Bool) throws {
        let (desk, _) = try PortalDeskTests.desk(portal: withURL ? "url = https://support.acme.test" : "")
        let link = "https://support.acme.test/tickets/1"
        // An agent answers and closes: relay and closed mail to the customer.
        let notice = try #require(try desk.sendAndRead().first { $0.header("X-Postdesk-Kind") == "agent_new_ticket" })
        try desk.deliver(mail(from: "Alice <alice@acme.test>", subject: "Re: \(notice.header("Subject") ?? "")", id: "a1@acme.test",
                              inReplyTo: MessageSummary(notice).messageID, body: "#status closed\n\nFixed it."))
        #expect(desk.run() == [.agentMail(1)])
        let sent = try desk.sendAndRead()
        let toCustomers = sent.filter { $0.deliveredTo == "ana@example.org" }
        #expect(Set(toCustomers.compactMap { $0.header("X-Postdesk-Kind") }) == ["confirmation", "relay", "closed"])
        for m in toCustomers {
            let s = MessageSummary(m)
            #expect(s.text.contains(link) == withURL, "\(m.header("X-Postdesk-Kind") ?? "?"): \(s.text)")
            #expect((s.html ?? "").contains("<a href=\"\(link)\">\(link)</a>") == withURL)
        }
        for m in sent where m.deliveredTo?.hasSuffix("@acme.test") == true {
            #expect(!MessageSummary(m).text.contains("/tickets/"))
        }
    }
}
