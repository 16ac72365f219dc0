import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import PostdeskSystem
import Testing

/// Accounts through real maildirs, a real SQLite file and the maildir transport: the welcome mail confirmed by
/// reply, password reset codes (expiry, single use, attempts, rate limit), organizations, CLI agents.
@Suite struct AccountsTests {
    /// The code in the newest password reset mail to `address`.
    static func code(in mails: [Message], to address: String) throws -> String {
        let m = try #require(mails.last { $0.header("X-Postdesk-Kind") == "password_reset" && $0.deliveredTo == address })
        let text = m.plainText
        let range = try #require(text.range(of: #"[0-9]{4} [0-9]{4}"#, options: .regularExpression))
        return String(text[range])
    }

    static func resetRequest(from: String = "Ana García <ana@example.org>", subject: String = "password reset", id: String) -> String {
        mail(from: from, subject: subject, id: id, body: "Please send me a code.")
    }

    // MARK: - Welcome

    @Test func aReplyToTheWelcomeMailConfirmsTheAccountAndOpensNoTicket() throws {
        let desk = try TestDesk()
        guard case .sent(let welcomeID) = try desk.ingestor.invite(address: "Ana@Example.org", name: "Ana García", language: "es") else {
            Issue.record("no welcome mail"); return
        }
        let welcome = try #require(try desk.sendAndRead().first { $0.header("X-Postdesk-Kind") == "welcome" })
        #expect(welcome.deliveredTo == "ana@example.org")
        #expect(welcome.header("Content-Language") == "es")  // the language given to invite
        #expect(welcome.header("Reply-To")?.contains("support@acme.test") == true)
        #expect(try desk.store.customerAccount(address: "ana@example.org")?.invitedAt != nil)
        #expect(try desk.store.customerAccount(address: "ana@example.org")?.confirmedAt == nil)

        // Someone else replying (a forward) confirms nothing and opens no ticket.
        try desk.deliver(mail(from: "eve@example.net", subject: "Re: Welcome", id: "w0@example.net", inReplyTo: welcomeID, body: "Hi"))
        #expect(desk.run() == [.account("reply to the welcome mail for ana@example.org not counted: it came from eve@example.net")])
        // An out-of-office answer neither.
        try desk.deliver(mail(subject: "Auto: Welcome", id: "w1@example.org", inReplyTo: welcomeID,
                              extraHeaders: ["Auto-Submitted: auto-replied"], body: "I am away."))
        #expect(desk.run().first.map { "\($0)" }?.contains("not counted: automatic") == true)
        #expect(try desk.store.customerAccount(address: "ana@example.org")?.confirmedAt == nil)

        // Ana's own reply confirms; a second reply (threaded by References only) changes nothing and opens nothing.
        try desk.deliver(mail(subject: "Re: Welcome", id: "w2@example.org", inReplyTo: welcomeID, body: "Yes, it is me."))
        #expect(desk.run() == [.account("account ana@example.org confirmed")])
        #expect(try desk.store.customerAccount(address: "ana@example.org")?.confirmedAt != nil)
        try desk.deliver(mail(subject: "Re: Welcome", id: "w3@example.org", references: "<\(welcomeID)> <w2@example.org>",
                              body: "And a question: my printer is broken."))
        #expect(desk.run() == [.account("account ana@example.org was already confirmed")])
        #expect(try desk.count("SELECT count(*) FROM tickets") == 0)
        // Every reply is kept (nothing is lost), and the confirmation is in the audit log.
        #expect(try desk.count("SELECT count(*) FROM messages WHERE direction = 'in' AND ticket IS NULL") == 4)
        #expect(try desk.count("SELECT count(*) FROM audit WHERE action = 'confirm'") == 2)
        // A confirmed account gets no second welcome mail.
        #expect(try desk.ingestor.invite(address: "ana@example.org", name: nil, language: nil) == .alreadyConfirmed)
    }

    @Test func anInvitationToASystemAddressIsHeldBack() throws {
        let desk = try TestDesk()
        guard case .notSent(let why) = try desk.ingestor.invite(address: "mailer-daemon@example.org", name: nil, language: nil) else {
            Issue.record("a welcome mail to a system address was queued"); return
        }
        #expect(why.contains("system address"))
    }

    // MARK: - Reset codes

    @Test func aResetCodeByMailWorksOnceAndIsStoredOnlyAsAHash() throws {
        let desk = try TestDesk()
        try desk.deliver(Self.resetRequest(id: "r1@example.org"))
        let outcome = try #require(desk.run().first)
        #expect("\(outcome)".contains("reset code mailed"))
        #expect(try desk.count("SELECT count(*) FROM tickets") == 0)
        let mails = try desk.sendAndRead()
        let code = try Self.code(in: mails, to: "ana@example.org")
        let m = try #require(mails.last { $0.header("X-Postdesk-Kind") == "password_reset" })
        #expect(m.header("In-Reply-To") == "<r1@example.org>")
        #expect(m.header("Auto-Submitted") == "auto-replied")
        #expect(m.plainText.contains("15"))
        // The database holds a yescrypt hash, never the code.
        let stored = try #require(try desk.store.db.query("SELECT code_hash FROM account_codes").first?[0].string)
        #expect(stored.hasPrefix("$y$"))
        #expect(!stored.contains(code.replacingOccurrences(of: " ", with: "")))

        #expect(try desk.ingestor.redeemResetCode(address: "ana@example.org", code: code, newPassword: "new secret 1") == .passwordSet)
        #expect(try desk.ingestor.checkPassword(address: "ana@example.org", password: "new secret 1"))
        #expect(!(try desk.ingestor.checkPassword(address: "ana@example.org", password: "new secret 2")))
        let hash = try #require(try desk.store.db.query("SELECT password_hash FROM customers").first?[0].string)
        #expect(hash.hasPrefix("$y$") && !hash.contains("new secret"))
        // The code proved the address: the account is confirmed.
        #expect(try desk.store.customerAccount(address: "ana@example.org")?.confirmedAt != nil)
        // Single use.
        #expect(try desk.ingestor.redeemResetCode(address: "ana@example.org", code: code, newPassword: "other secret") == .refused)
        #expect(try desk.ingestor.checkPassword(address: "ana@example.org", password: "new secret 1"))
    }

    @Test func aCodeExpiresAfterFifteenMinutes() throws {
        let desk = try TestDesk()
        try desk.deliver(Self.resetRequest(id: "r1@example.org"))
        _ = desk.run()
        let code = try Self.code(in: try desk.sendAndRead(), to: "ana@example.org")
        desk.clock.seconds += 15 * 60
        #expect(try desk.ingestor.redeemResetCode(address: "ana@example.org", code: code, newPassword: "new secret 1") == .refused)
        #expect(!(try desk.ingestor.checkPassword(address: "ana@example.org", password: "new secret 1")))
    }

    @Test func fiveWrongTriesKillTheCode() throws {
        let desk = try TestDesk()
        try desk.deliver(Self.resetRequest(id: "r1@example.org"))
        _ = desk.run()
        let code = try Self.code(in: try desk.sendAndRead(), to: "ana@example.org")
        let wrong = code.hasPrefix("0") ? "1" + code.dropFirst() : "0" + code.dropFirst()
        for _ in 0..<AccountRules.maxAttempts {
            #expect(try desk.ingestor.redeemResetCode(address: "ana@example.org", code: String(wrong), newPassword: "new secret 1") == .refused)
        }
        #expect(try desk.ingestor.redeemResetCode(address: "ana@example.org", code: code, newPassword: "new secret 1") == .refused)
        #expect(try desk.count("SELECT attempts FROM account_codes") == 5)
    }

    @Test func aNewCodeReplacesTheOldOne() throws {
        let desk = try TestDesk()
        try desk.deliver(Self.resetRequest(id: "r1@example.org"))
        _ = desk.run()
        let first = try Self.code(in: try desk.sendAndRead(), to: "ana@example.org")
        try desk.deliver(Self.resetRequest(id: "r2@example.org"))
        _ = desk.run()
        let second = try Self.code(in: try desk.sendAndRead(), to: "ana@example.org")
        #expect(first != second)
        #expect(try desk.ingestor.redeemResetCode(address: "ana@example.org", code: first, newPassword: "new secret 1") == .refused)
        #expect(try desk.ingestor.redeemResetCode(address: "ana@example.org", code: second, newPassword: "new secret 1") == .passwordSet)
    }

    @Test func requestsAreRateLimitedPerAddress() throws {
        // Caps on automatic mail are raised so that the account rule, not the flood rule, is what holds.
        let desk = try TestDesk(extraConfig: "\n[outbound]\ntransport = maildir\nmaildir = out\nmax_auto_replies_per_hour = 50\n")
        for i in 1...4 {
            try desk.deliver(Self.resetRequest(id: "r\(i)@example.org"))
            _ = desk.run()
        }
        let sent = try desk.sendAndRead().filter { $0.header("X-Postdesk-Kind") == "password_reset" }
        #expect(sent.count == AccountRules.codesPerAddressPerHour)
        #expect(try desk.count("SELECT count(*) FROM audit WHERE action = 'reset code refused'") == 1)
        #expect(desk.logs.contains { $0.contains("password reset for ana@example.org refused") })
        // Every request is still recorded, none opened a ticket.
        #expect(try desk.count("SELECT count(*) FROM ingested") == 4)
        #expect(try desk.count("SELECT count(*) FROM tickets") == 0)
        // An hour later a code may be asked for again.
        desk.clock.seconds += 3601
        try desk.deliver(Self.resetRequest(id: "r5@example.org"))
        _ = desk.run()
        #expect(try desk.sendAndRead().filter { $0.header("X-Postdesk-Kind") == "password_reset" }.count == AccountRules.codesPerAddressPerHour + 1)
    }

    @Test func anUnknownAddressGetsTheSameAnswerAsAKnownOne() throws {
        // A known customer (with a ticket) and a stranger ask for a code: the two answers are alike, so an
        // answer never tells whether an address had an account.
        let desk = try TestDesk()
        try desk.deliver(mail(id: "t1@example.org"))
        _ = desk.run()
        try desk.deliver(Self.resetRequest(id: "r1@example.org"))
        try desk.deliver(Self.resetRequest(from: "Zoe <zoe@example.net>", id: "r2@example.net"))
        _ = desk.run()
        let mails = try desk.sendAndRead().filter { $0.header("X-Postdesk-Kind") == "password_reset" }
        #expect(mails.count == 2)
        let known = try #require(mails.first { $0.deliveredTo == "ana@example.org" })
        let stranger = try #require(mails.first { $0.deliveredTo == "zoe@example.net" })
        #expect(known.header("Subject") == stranger.header("Subject"))
        let mask = { (m: Message) in m.plainText.replacingOccurrences(of: #"[0-9]{4} [0-9]{4}"#, with: "CODE", options: .regularExpression)
            .replacingOccurrences(of: "Ana García", with: "NAME").replacingOccurrences(of: "Zoe", with: "NAME") }
        #expect(mask(known) == mask(stranger))
        // The CLI path, which only operators use, may say there is no such customer.
        #expect(try desk.store.transaction { try desk.ingestor.issueResetCode(address: "nobody@example.net", name: nil, requestedBy: "operator") } == .noAccount)
        // A wrong code for an address without any code gets the same refusal as a wrong code.
        #expect(try desk.ingestor.redeemResetCode(address: "nobody@example.net", code: "1234 5678", newPassword: "new secret 1") == .refused)
    }

    @Test(arguments: ["password reset", "Re: Password Reset", "restablecer contraseña", "Passwort zurücksetzen", "reset hasła",
                      "réinitialiser le mot de passe", "reimposta password"])
    func resetSubjectsInEveryLanguage(subject: String) throws {
        let desk = try TestDesk()
        try desk.deliver(Self.resetRequest(subject: subject, id: "r1@example.org"))
        let outcome = try #require(desk.run().first)
        #expect("\(outcome)".contains("reset code mailed"), "\(outcome)")
    }

    @Test func automaticMailAskingForAResetGetsNoCode() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(subject: "password reset", id: "r1@example.org", extraHeaders: ["Auto-Submitted: auto-replied"]))
        _ = desk.run()
        #expect(try desk.count("SELECT count(*) FROM account_codes") == 0)
        #expect(!(try desk.sendAndRead().contains { $0.header("X-Postdesk-Kind") == "password_reset" }))
    }

    @Test func theSchedulerForgetsOldCodes() throws {
        let desk = try TestDesk()
        try desk.deliver(Self.resetRequest(id: "r1@example.org"))
        _ = desk.run()
        let scheduler = Scheduler(desk.ingestor)
        #expect(try scheduler.runDue().codesPurged == 0)
        desk.clock.seconds += 86_400 + 1
        #expect(try scheduler.runDue().codesPurged == 1)
        #expect(try desk.count("SELECT count(*) FROM account_codes") == 0)
    }

    // MARK: - Organizations, primary contacts, agents

    @Test func organizationsGatherTheirDomainsCustomersAndPrimaryContactsSeeTheCompany() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(from: "Ana <ana@example.org>", subject: "Printer", id: "t1@example.org"))
        try desk.deliver(mail(from: "Luis <luis@example.org>", subject: "Scanner", id: "t2@example.org"))
        try desk.deliver(mail(from: "Eve <eve@example.net>", subject: "Secret", id: "t3@example.net"))
        _ = desk.run()
        #expect(try desk.store.addOrganization(domain: "example.org", name: "Example", at: "2026-11-22T10:00:00Z") == 2)
        // A new customer of the domain joins on their first mail.
        try desk.deliver(mail(from: "Ines <ines@EXAMPLE.org>", subject: "Fax", id: "t4@example.org"))
        _ = desk.run()
        #expect(try desk.store.customerAccount(address: "ines@example.org")?.organization == "example.org")
        #expect(try desk.store.customerAccount(address: "eve@example.net")?.organization == nil)
        let ana = try #require(try desk.store.customerAccount(address: "ana@example.org"))
        try desk.store.updateCustomer(ana.id, primaryContact: true)
        #expect(try desk.store.organizations().first?.primaryContacts == ["ana@example.org"])

        try desk.deliver(mail(from: "Ana <ana@example.org>", subject: "status", id: "s1@example.org"))
        #expect(desk.run() == [.statusSummary])
        let summary = try #require(try desk.sendAndRead().last { $0.header("X-Postdesk-Kind") == "status_summary" }).plainText
        #expect(summary.contains("Printer") && summary.contains("Scanner") && summary.contains("Fax"))
        #expect(!summary.contains("Secret") && !summary.contains("eve@"))
        // A `%` or `_` in a domain is not a wildcard.
        #expect(try desk.store.addOrganization(domain: "exampl_.org", name: nil, at: "2026-11-22T10:00:00Z") == 0)
    }

    @Test func anAgentAddedFromTheCommandLineIsAnAgentAtTheNextScan() throws {
        let desk = try TestDesk()
        try desk.deliver(mail(id: "t1@example.org"))
        _ = desk.run()
        #expect(try desk.store.addAgent(address: "Bob@Acme.test", name: "Bob Builder", at: "2026-11-22T10:00:00Z") == "bob")
        #expect(try desk.store.addAgent(address: "bob@acme.test", name: "Bob", at: "2026-11-22T10:00:00Z") == nil)
        try desk.deliver(mail(from: "Bob Builder <bob@acme.test>", subject: "Re: [Acme #1] Printer broken", id: "b1@acme.test",
                              inReplyTo: "t1@example.org", body: "#take\n\nOn my way."))
        #expect(desk.run() == [.agentMail(1)])
        #expect(try desk.store.ticket(1)?.assignee == "bob@acme.test")
        #expect(try desk.store.agentListing().map(\.source) == ["config", "cli"])
    }

    // MARK: - Lifecycle

    @Test func theReminderGoesOutBeforeTheAutoClose() throws {
        let desk = try TestDesk(helpdeskConfig: "agent_auth = from\nauto_close_reminder = 24h")
        let notice = try WorkByMailTests.openTicket(desk)
        try desk.deliver(WorkByMailTests.agentReply(to: notice, "#status resolved\n\nFixed.", id: "a1@acme.test"))
        _ = desk.run()
        let scheduler = Scheduler(desk.ingestor)
        desk.clock.seconds += 23 * 3600
        let early = try scheduler.runDue()
        #expect(early.reminded.isEmpty && early.closed.isEmpty)
        desk.clock.seconds += 3600
        #expect(try scheduler.runDue().reminded == [1])
        #expect(try scheduler.runDue().reminded.isEmpty)  // once
        let reminder = try #require(try desk.sendAndRead().first { $0.header("X-Postdesk-Kind") == "reminder" })
        #expect(reminder.deliveredTo == "ana@example.org")
        #expect(reminder.header("Subject")?.contains("[Acme #1]") == true)
        desk.clock.seconds += 24 * 3600
        #expect(try scheduler.runDue().closed == [1])
        #expect(try desk.count("SELECT count(*) FROM audit WHERE ticket = 1 AND action = 'reminder'") == 1)
    }
}
