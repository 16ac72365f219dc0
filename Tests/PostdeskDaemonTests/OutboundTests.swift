import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import PostdeskSystem
import Testing

extension TestDesk {
    /// Sends what is due into the desk's outbound maildir (transport = maildir) and returns the messages
    /// written there, parsed, oldest first.
    func sendAndRead() throws -> [Message] {
        let sender = OutboxSender(config: config, store: store, clock: clock)
        _ = sender.sendDue()
        return outbound()
    }

    func outbound() -> [Message] {
        let dir = config.outbound.maildir! + "/new"
        let names = ((try? FileSystem.list(dir)) ?? []).sorted { a, b in
            (Int(a.split(separator: "-").last ?? "") ?? 0) < (Int(b.split(separator: "-").last ?? "") ?? 0)
        }
        return names.compactMap { try? Message.parse(FileSystem.readFile(dir + "/" + $0)) }
    }

    func outboxStatuses() throws -> [String] {
        try store.db.query("SELECT kind || ' ' || recipient || ' ' || status FROM outbox ORDER BY id").map { $0[0].string ?? "" }
    }
}

extension Message {
    func header(_ name: String) -> String? { headers[name]?.value.trimmingCharacters(in: .whitespaces) }
    var deliveredTo: String? { header("Delivered-To") }
    var plainText: String { MessageSummary(self).text }
}

@Suite struct OutboundTests {
    @Test func newTicketSendsAThreadedConfirmationAndTellsTheAgents() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "first@example.org"))
        #expect(desk.run() == [.newTicket(1)])
        let sent = try desk.sendAndRead()
        #expect(sent.count == 2)
        let confirmation = try #require(sent.first { $0.deliveredTo == "ana@example.org" })
        #expect(confirmation.header("Subject") == "[Acme #1] Printer broken")
        #expect(confirmation.header("In-Reply-To") == "<first@example.org>")
        #expect(confirmation.header("References") == "<first@example.org>")
        #expect(confirmation.header("Auto-Submitted") == "auto-replied")
        #expect(confirmation.header("X-Auto-Response-Suppress") == "All")
        #expect(confirmation.header("X-Postdesk-Loop") == "support@acme.test")
        #expect(confirmation.header("Reply-To")?.contains("support@acme.test") == true)
        #expect(confirmation.header("From")?.contains("<support@acme.test>") == true)
        #expect(confirmation.header("Thread-Topic") == "Printer broken")
        #expect(confirmation.header("Thread-Index") != nil)
        #expect(confirmation.header("Message-ID")?.hasSuffix("@acme.test>") == true)
        #expect(confirmation.header("Return-Path") == "<support@acme.test>")
        #expect(confirmation.plainText.contains("#1"))
        #expect(confirmation.root.contentType.mimeType == "multipart/alternative")

        let notice = try #require(sent.first { $0.deliveredTo == "alice@acme.test" })
        #expect(notice.header("Subject") == "[Acme #1] New ticket: Printer broken")
        #expect(notice.plainText.contains("It does not print."))
        #expect(notice.header("Auto-Submitted") == "auto-generated")

        // The confirmation's Message-ID belongs to the ticket: the customer's reply to it threads.
        let confirmationID = try #require(MessageSummary(confirmation).messageID)
        try desk.deliver(mail(subject: "Re: something else", id: "second@example.org", inReplyTo: confirmationID))
        #expect(desk.run() == [.reply(1)])
        // A reply tells the agent, and sends the customer nothing.
        let after = try desk.sendAndRead()
        #expect(after.count == 3)
        #expect(after.last?.deliveredTo == "alice@acme.test")
        #expect(after.last?.header("References")?.hasPrefix("<first@example.org>") == true)
        #expect(after.last?.header("In-Reply-To") == "<second@example.org>")
        // The thread keeps the mail sent to the customer; agents' notices are only in the outbox, their
        // Message-IDs recorded for threading.
        #expect(try desk.count("SELECT count(*) FROM messages WHERE direction = 'out' AND visibility = 'public'") == 1)
        #expect(try desk.count("SELECT count(*) FROM messages WHERE direction = 'out' AND visibility = 'internal'") == 0)
        #expect(try desk.count("SELECT count(*) FROM message_ids WHERE message IS NULL AND ticket = 1") == 2)
    }

    @Test(arguments: [
        ("de", "Content-Language: de", "de"), ("pl", "Content-Language: pl-PL", "pl"), ("fr", "Accept-Language: fr-FR, en;q=0.5", "fr"),
        ("it", "Content-Language: it", "it"), ("es", "Content-Language: es-ES", "es"), ("en", "Content-Language: en-GB", "en"),
        ("none", "X-Nothing: here", "en"), ("unsupported", "Content-Language: ja", "en"),
    ])
    func confirmationSpeaksTheCustomersLanguage(label: String, header: String, expected: String) throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "lang-\(label)@example.org", extraHeaders: [header]))
        _ = desk.run()
        let confirmation = try #require(try desk.sendAndRead().first { $0.deliveredTo == "ana@example.org" })
        #expect(confirmation.header("Content-Language") == expected)
        // Agents get the helpdesk's language.
        #expect(desk.outbound().first { $0.deliveredTo == "alice@acme.test" }?.header("Content-Language") == "en")
    }

    /// Nothing automatic answers automatic mail, Postdesk's own addresses or system addresses.
    @Test(arguments: [
        ("auto-reply", mail(subject: "Out of office", id: "ooo@example.org", extraHeaders: ["Auto-Submitted: auto-replied"])),
        ("out-of-office (Exchange)", mail(subject: "Automatic reply: Printer", id: "ooo2@example.org", extraHeaders: ["X-Auto-Response-Suppress: All", "X-MS-Exchange-Inbox-Rules-Loop: ana@example.org"])),
        ("list mail", mail(id: "list@example.org", extraHeaders: ["List-Id: <users.lists.example.org>", "Precedence: list"])),
        ("bulk", mail(id: "bulk@example.org", extraHeaders: ["Precedence: bulk"])),
        ("own loop marker", mail(id: "loop@example.org", extraHeaders: ["X-Postdesk-Loop: support@other.example"])),
        ("mailer-daemon", mail(from: "MAILER-DAEMON@mx.example.org", id: "md@example.org")),
        ("noreply sender", mail(from: "Shop <noreply@shop.example>", id: "nr@example.org")),
        ("own address", mail(from: "Acme <support@acme.test>", id: "own@example.org")),
        ("own plus address", mail(from: "support+7@acme.test", id: "own2@example.org")),
    ])
    func noAutomaticAnswerTo(label: String, text: String) throws {
        let desk = try TestDesk()
        try desk.deliver(text)
        _ = desk.run()
        let sent = try desk.sendAndRead()
        #expect(!sent.contains { $0.deliveredTo != "alice@acme.test" }, "\(label): \(sent.map { $0.deliveredTo ?? "?" })")
    }

    @Test func suppressedMailIsRecordedAndLogged() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(from: "noreply@shop.example", id: "nr@example.org"))
        _ = desk.run()
        #expect(try desk.outboxStatuses().contains("confirmation noreply@shop.example suppressed"))
        #expect(desk.logs.contains { $0.contains("confirmation to noreply@shop.example not sent") && $0.contains("system address") })
    }

    @Test func automaticAnswersToOneAddressAreCapped() throws {
        let desk = try TestDesk(extraConfig: "\n[outbound]\nmax_auto_replies_per_hour = 3\nmax_auto_replies_per_day = 5\n")
        for i in 0..<4 {
            try desk.deliver(mail(subject: "Question \(i)", id: "q\(i)@example.org"))
            _ = desk.run()
            desk.clock.seconds += 60
        }
        var confirmations = try desk.sendAndRead().filter { $0.deliveredTo == "ana@example.org" }.count
        #expect(confirmations == 3)
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE status = 'suppressed' AND last_error LIKE 'rate cap%hour%'") == 1)
        // An hour later the hourly cap has room again, until the daily one is reached.
        desk.clock.seconds += 3600
        for i in 4..<8 {
            try desk.deliver(mail(subject: "Question \(i)", id: "q\(i)@example.org"))
            _ = desk.run()
        }
        confirmations = try desk.sendAndRead().filter { $0.deliveredTo == "ana@example.org" }.count
        #expect(confirmations == 5)
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE status = 'suppressed' AND last_error LIKE 'rate cap%day%'") >= 1)
        // Agents' notices are never capped: one per ticket.
        #expect(desk.outbound().filter { $0.deliveredTo == "alice@acme.test" }.count == 8)
    }

    @Test func sentMailKeepsItsTextForKeepSentThenOnlyWhatItWas() throws {
        let desk = try TestDesk(extraConfig: "\n[outbound]\nkeep_sent = 7d\n")
        try desk.deliver(mail(id: "k1@example.org"))
        _ = desk.run()
        let sent = try desk.sendAndRead()
        #expect(sent.count == 2)  // Ana's confirmation, Alice's notice
        let confirmationID = try #require(sent.first { $0.deliveredTo == "ana@example.org" }?.header("Message-ID"))
            .trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
        let noticeID = try #require(sent.first { $0.deliveredTo == "alice@acme.test" }?.header("Message-ID"))
            .trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
        // Bob's mail is queued, not sent; one of his is failed: neither loses its text, however old.
        try desk.deliver(mail(from: "Bob <bob@example.org>", subject: "Another", id: "k2@example.org"))
        _ = desk.run()
        let bobs = try desk.store.db.query("SELECT id FROM outbox WHERE status = 'queued' ORDER BY id").compactMap { $0[0].int }
        #expect(bobs.count == 2)
        try desk.store.markFailed(bobs[0], error: "550 no such user", now: desk.clock.now())

        let scheduler = Scheduler(desk.ingestor)
        desk.clock.seconds += 7 * 86_400 - 60
        #expect(try scheduler.runDue().sentTextDropped == 0)
        desk.clock.seconds += 120
        #expect(try scheduler.runDue().sentTextDropped == 2)
        #expect(try scheduler.runDue().sentTextDropped == 0)
        // Ana's confirmation keeps its record without its text; Alice's notice is forgotten altogether.
        #expect(try desk.outboxStatuses() == ["confirmation ana@example.org sent", "confirmation bob@example.org failed",
                                              "agent_new_ticket alice@acme.test queued"])
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE status = 'sent' AND id NOT IN (SELECT id FROM outbox_text)") == 1)
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE status IN ('queued', 'failed') AND id IN (SELECT id FROM outbox_text)") == 2)
        // What is left still tells: the customer's threading names the confirmation, the counts include both mails
        // sent, and Alice's answer to her old notice still finds the ticket.
        #expect(try desk.store.threadMessageIDs(1, seenBy: "ana@example.org").contains(confirmationID))
        #expect(try desk.store.counts().messagesOut == 4)
        try desk.deliver(mail(from: "Alice Novak <alice@acme.test>", subject: "Re: [Acme #1] Printer broken", id: "a1@acme.test",
                              inReplyTo: noticeID, body: "New toner is on its way."))
        #expect(desk.run() == [.agentMail(1)])
        // The queued mail still goes out whole.
        let late = try desk.sendAndRead().filter { $0.deliveredTo == "alice@acme.test" && $0.header("X-Postdesk-Ticket") == "2" }
        #expect(late.count == 1)
        #expect(late.first?.plainText.contains("It does not print.") == true)
    }

    /// An assignee removed from the config no longer gets mail: the customer's reply goes to the queue's agents,
    /// as an internal note's notice does, instead of to nobody.
    @Test func aReplyOnATicketOfARemovedAgentReachesTheQueue() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "r1@example.org"))
        #expect(desk.run() == [.newTicket(1)])
        // Carol worked here once: her row stays in the database, inactive, as a start or reload leaves an agent the
        // config no longer names.
        try desk.store.db.run("INSERT INTO agents (key, address, name, source, active, created) VALUES ('carol', 'carol@acme.test', 'Carol', 'config', 0, '2026-01-01T00:00:00+00:00')")
        try desk.store.assign(1, to: desk.store.db.lastInsertRowID, at: desk.clock.now().iso8601)
        _ = try desk.sendAndRead()
        try desk.deliver(mail(subject: "Re: [Acme #1] Printer broken", id: "r2@example.org", inReplyTo: "r1@example.org", body: "Still broken."))
        #expect(desk.run() == [.reply(1)])
        let notices = try desk.sendAndRead().filter { $0.header("X-Postdesk-Kind") == "agent_customer_reply" }
        #expect(notices.map { $0.deliveredTo ?? "" } == ["alice@acme.test"])
    }

    /// The caps' index holds a day of customers' automatic mail, not agents' notices nor every mail ever sent.
    @Test func theCapsIndexHoldsOneDay() throws {
        let desk = try TestDesk(extraConfig: "\n[outbound]\nmax_auto_replies_per_day = 2\n")
        let scheduler = Scheduler(desk.ingestor)
        try desk.deliver(mail(subject: "One", id: "d1@example.org"))
        _ = desk.run()
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE counted = 1") == 1)  // Ana's confirmation
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE kind = 'agent_new_ticket' AND counted = 0") == 1)
        desk.clock.seconds += 23 * 3600
        #expect(try scheduler.runDue().closed.isEmpty)
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE counted = 1") == 1)  // still within the day
        try desk.deliver(mail(subject: "Two", id: "d2@example.org"))
        try desk.deliver(mail(subject: "Three", id: "d3@example.org"))
        _ = desk.run()
        // The daily cap of 2 holds: the first confirmation still counts.
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE kind = 'confirmation' AND status = 'suppressed'") == 1)
        desk.clock.seconds += 3601
        _ = try scheduler.runDue()
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE counted = 1") == 1)  // only "Two", a day old at most
        #expect(try desk.store.automaticMailCounts(to: "ana@example.org", recent: desk.clock.now() - 3600,
                                                   since: desk.clock.now() - 86_400) == (recent: 0, since: 1))
    }

    @Test func queuedMailWhoseTextIsGoneFailsWithAReason() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "t1@example.org"))
        _ = desk.run()
        try desk.store.db.run("DELETE FROM outbox_text WHERE id = (SELECT min(id) FROM outbox)")
        #expect(try desk.sendAndRead().count == 1)
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE status = 'failed' AND last_error LIKE '%no longer in the outbox%'") == 1)
    }

    @Test(arguments: [(limit: 1, rounds: [1, 1, 1, 0]), (limit: 2, rounds: [2, 1, 0]), (limit: 10, rounds: [3, 0])])
    func sentTextIsDroppedInBoundedBatchesOldestFirst(limit: Int, rounds: [Int]) throws {
        let desk = try TestDesk(helpdeskConfig: "agent_auth = from\nlanguage = en")
        for i in 0..<3 {
            try desk.deliver(mail(from: "C\(i) <c\(i)@example.org>", subject: "S\(i)", id: "b\(i)@example.org"))
            _ = desk.run()
        }
        // Alice's three notices are sent, ten seconds apart; the confirmations stay queued.
        let notices = try desk.store.db.query("SELECT id FROM outbox WHERE recipient = 'alice@acme.test' ORDER BY id").compactMap { $0[0].int }
        for id in notices.reversed() {  // sent in the opposite order from queued: done_at decides, not the id
            desk.clock.seconds += 10
            try desk.store.markSent(id, answer: "250 ok", now: desk.clock.now())
        }
        var dropped: [Int] = []
        for round in rounds.indices {
            dropped.append(try desk.store.dropSentText(sentBefore: desk.clock.now() + 1, limit: limit))
            if round == 0 {
                let kept = Set(try desk.store.db.query("SELECT id FROM outbox_text").compactMap { $0[0].int })
                #expect(notices.reversed().filter { !kept.contains($0) } == Array(notices.reversed().prefix(rounds[0])))
            }
        }
        #expect(dropped == rounds)
        // Alice's notices went with their text; the confirmations (queued) are all there; stats still count 3 out.
        #expect(try desk.outboxStatuses().filter { $0.hasPrefix("agent_") }.isEmpty)
        #expect(try desk.store.counts().messagesOut == 6)
        #expect(try desk.count("SELECT count(*) FROM outbox_text") == 3)
    }

    @Test func followUpOfAClosedTicketIsAnnounced() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "c1@example.org"))
        _ = desk.run()
        try desk.store.setStatus(1, .closed, at: desk.clock.now().iso8601)
        try desk.deliver(mail(subject: "Re: [Acme #1] Printer broken", id: "c2@example.org", inReplyTo: "c1@example.org"))
        #expect(desk.run() == [.followUp(2, of: 1)])
        let sent = try desk.sendAndRead()
        let notice = try #require(sent.last { $0.deliveredTo == "ana@example.org" })
        #expect(notice.header("X-Postdesk-Kind") == "follow_up")
        #expect(notice.header("Subject")?.contains("[Acme #2]") == true)
        #expect(notice.plainText.contains("#1"))
    }

    @Test func deliveryToTheMaildirIsIdempotent() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "i1@example.org"))
        _ = desk.run()
        _ = try desk.sendAndRead()
        // As if the commit of "sent" had been lost: the same mail goes again and replaces its first copy.
        try desk.store.db.run("UPDATE outbox SET status = 'queued'")
        let again = try desk.sendAndRead()
        #expect(again.count == 2)
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE status = 'sent'") == 2)
    }

    @Test(arguments: [(1, 60, 60), (2, 60, 120), (3, 60, 240), (10, 60, 14_400), (40, 60, 14_400), (1, 1, 1)])
    func backoffDoublesUpToFourHours(attempt: Int, base: Int64, expected: Int64) {
        #expect(OutboxSender.backoff(attempt: attempt, base: base, jitter: 0.5) == expected)
        #expect(OutboxSender.backoff(attempt: attempt, base: base, jitter: 0) <= expected)
        #expect(OutboxSender.backoff(attempt: attempt, base: base, jitter: 1) >= expected)
    }

    /// A team's notice is rendered and composed once: every agent gets a copy with their own To and
    /// Message-ID, the same text and threading, and a reply to any copy finds the ticket.
    @Test func oneNoticeComposedForTheWholeTeam() throws {
        let desk = try TestDesk(extraConfig: """
            [agent bob]
            address = bob@acme.test
            name = Bob Berg
            [agent carol]
            address = carol@acme.test
            name = Carol Díaz
            """)
        try desk.deliver(mail(id: "team@example.org"))
        #expect(desk.run() == [.newTicket(1)])
        let notices = try desk.sendAndRead().filter { $0.header("X-Postdesk-Kind") == "agent_new_ticket" }
        #expect(notices.map { $0.deliveredTo ?? "" }.sorted() == ["alice@acme.test", "bob@acme.test", "carol@acme.test"])
        for n in notices { #expect(n.header("To")?.contains("<\(n.deliveredTo ?? "")>") == true) }
        // One message to three agents: one Message-ID, recorded once; three outbox rows.
        let ids = notices.compactMap { MessageSummary($0).messageID }
        #expect(ids.count == 3 && Set(ids).count == 1)
        #expect(try desk.count("SELECT count(*) FROM message_ids WHERE ticket = 1") == 3)  // the mail, the confirmation, the notice
        #expect(Set(notices.map(\.plainText)).count == 1)
        let references = Set(notices.map { $0.header("References") ?? "" })
        #expect(references.count == 1 && references.first?.hasSuffix("<team@example.org>") == true, "\(references)")
        #expect(Set(notices.map { $0.header("Subject") ?? "" }) == ["[Acme #1] New ticket: Printer broken"])
        // The copies' Message-ID is the ticket's: bob's reply to his copy is agent mail on ticket 1.
        let bobs = try #require(notices.first { $0.deliveredTo == "bob@acme.test" })
        #expect(try desk.store.ticket(forMessageID: try #require(MessageSummary(bobs).messageID)) == 1)
        #expect(try desk.count("SELECT count(*) FROM outbox WHERE kind = 'agent_new_ticket'") == 3)
    }

    /// A template that greets by name gives each agent their own text; the others still share theirs.
    @Test func aNoticeThatGreetsByNameIsRenderedPerAgent() throws {
        let desk = try TestDesk(extraConfig: "[agent bob]\naddress = bob@acme.test\nname = Bob Berg\n")
        let dir = desk.config.helpdesk.templates!
        try FileSystem.makeDirectories(dir + "/en")
        try "Subject: {{ticket_tag}} for {{customer_name}}\n\nHello {{customer_name}}, ticket {{ticket_number}}: {{text}}\n"
            .write(toFile: dir + "/en/agent_new_ticket.txt", atomically: true, encoding: .utf8)
        let (templates, problems) = TemplateLoader.load(desk.config)
        #expect(problems.isEmpty)
        try desk.deliver(mail(id: "greet@example.org"))
        #expect(desk.run() == [.newTicket(1)])
        let mailer = Mailer(config: desk.config, store: desk.store, templates: templates, clock: desk.clock)
        let results = try desk.store.transaction {
            try mailer.queue(.agentNewTicket, ticket: 1, to: [
                .init(address: "alice@acme.test", name: "Alice Novak", isAgent: true),
                .init(address: "bob@acme.test", name: "Bob Berg", isAgent: true),
            ], values: ["text": "x"])
        }
        #expect(results.count == 2)
        let sent = try desk.sendAndRead().filter { $0.header("Subject")?.contains(" for ") == true }
        #expect(sent.map { $0.header("Subject") ?? "" }.sorted() == ["[Acme #1] for Alice Novak", "[Acme #1] for Bob Berg"])
        #expect(sent.first { $0.deliveredTo == "bob@acme.test" }?.plainText.contains("Hello Bob Berg, ticket 1: x") == true)
    }

    @Test func operatorTemplatesOverrideAndAreChecked() throws {
        let desk = try TestDesk()
        let dir = desk.config.helpdesk.templates!
        try FileSystem.makeDirectories(dir + "/en")
        try FileSystem.makeDirectories(dir + "/de")
        try FileSystem.makeDirectories(dir + "/xx")
        try "Subject: Got it: {{subject}}\n\nTicket {{ticket_number}} is ours now.\n".write(toFile: dir + "/en/confirmation.txt", atomically: true, encoding: .utf8)
        try "Subject: x\n\nNummer {{ticket_number}}\n{{nope}}\n".write(toFile: dir + "/de/confirmation.txt", atomically: true, encoding: .utf8)
        try "Subject: x\n\nhello\n".write(toFile: dir + "/en/welcom.txt", atomically: true, encoding: .utf8)
        let (templates, problems) = TemplateLoader.load(desk.config)
        #expect(problems.contains { $0.hasPrefix(dir + "/de/confirmation.txt:4: unknown placeholder {{nope}}") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix(dir + "/en/welcom.txt: unknown template") })
        #expect(problems.contains { $0.hasPrefix(dir + "/xx: unknown language folder") })
        #expect(problems.count == 3)
        let rendered = templates.template(.confirmation, language: "en").template.render(["subject": "S", "ticket_number": "9"])
        #expect(rendered.subject == "Got it: S")
        #expect(rendered.text.contains("Ticket 9 is ours now."))
    }
}

@Suite struct AutoReplyPolicyTests {
    static let policy = AutoReplyPolicy(ownAddresses: ["support@acme.test", "sales@acme.test"], perHour: 5, perDay: 20)

    @Test(arguments: [
        (AutoReplyPolicy.Input(recipient: "ana@example.org"), nil),
        (.init(recipient: "ana@example.org", answersAutomaticMail: "auto-reply (Auto-Submitted)"), "never answer automatic mail"),
        (.init(recipient: "Support@Acme.test"), "own address"),
        (.init(recipient: "sales+12@acme.test"), "own address"),
        (.init(recipient: "support@acme.test.evil.example"), nil),
        (.init(recipient: "mailer-daemon@mx.example.org"), "system address"),
        (.init(recipient: "postmaster@example.org"), "system address"),
        (.init(recipient: "no-reply@shop.example"), "system address"),
        (.init(recipient: "noreply-orders@shop.example"), "system address"),
        (.init(recipient: "users-request@lists.example.org"), "system address"),
        (.init(recipient: "owner-users@lists.example.org"), "system address"),
        (.init(recipient: "users-bounces+ana=example.org@lists.example.org"), "system address"),
        (.init(recipient: "ana@example.org", sentLastHour: 4, sentLastDay: 4), nil),
        (.init(recipient: "ana@example.org", sentLastHour: 5, sentLastDay: 5), "last hour"),
        (.init(recipient: "ana@example.org", sentLastHour: 0, sentLastDay: 20), "last day"),
        (.init(recipient: "alice@acme.test", toAgent: true, sentLastHour: 50, sentLastDay: 500), nil),
        (.init(recipient: "not-an-address"), "not an address"),
    ] as [(AutoReplyPolicy.Input, String?)])
    func verdict(input: AutoReplyPolicy.Input, expected: String?) {
        let reason = Self.policy.suppressionReason(input)
        if let expected {
            #expect(reason?.contains(expected) == true, "\(input.recipient): \(reason ?? "sent")")
        } else {
            #expect(reason == nil, "\(input.recipient): \(reason ?? "")")
        }
    }
}

@Suite struct TimeZoneTests {
    @Test(arguments: [
        ("Europe/Warsaw", "2026-01-15T12:00:00+00:00", 3600, "CET"),
        ("Europe/Warsaw", "2026-07-15T12:00:00+00:00", 7200, "CEST"),
        ("America/New_York", "2026-01-15T12:00:00+00:00", -18_000, "EST"),
        ("America/New_York", "2026-07-15T12:00:00+00:00", -14_400, "EDT"),
        ("Asia/Kolkata", "2026-07-15T12:00:00+00:00", 19_800, "IST"),
        ("UTC", "2026-07-15T12:00:00+00:00", 0, "UTC"),
        // The night Europe switches back: 01:00 UTC on the last Sunday of October.
        ("Europe/Berlin", "2026-10-25T00:59:59+00:00", 7200, "CEST"),
        ("Europe/Berlin", "2026-10-25T01:00:00+00:00", 3600, "CET"),
    ])
    func localTime(zone: String, at iso: String, offset: Int, abbreviation: String) throws {
        let rules = try TimeZoneRules.load(zone)
        let secs = try #require(Self.seconds(iso))
        let t = rules.localTime(at: secs)
        #expect(t.offset == offset)
        #expect(t.abbreviation == abbreviation)
    }

    @Test(arguments: ["../../etc/passwd", "/etc/localtime", "Europe/../../x", "No/Such_Zone", "", "Europe/Wa rsaw"])
    func badNamesAreRefused(name: String) {
        #expect(throws: TimeZoneRules.LoadError.self) { try TimeZoneRules.load(name) }
    }

    static func seconds(_ iso: String) -> Int64? {
        let f = ISO8601DateFormatter()
        return f.date(from: iso).map { Int64($0.timeIntervalSince1970) }
    }
}
