import Foundation
import PostdeskMail
import PostdeskTestSupport
import Testing

/// Issue 14, "a customer's identity is more than a From: line", through the real binary: forged requesters, Cc
/// participants, primary contacts and agents, against the MTA's verdict in Authentication-Results.
@Suite(.serialized) struct IdentityProcessTests {
    /// How a mail claims its sender. Everything below the operator's Received (`by mx.acme.test`) came with the
    /// mail; the operator's own MTA writes only above it.
    enum Claim: String, CaseIterable, CustomStringConvertible {
        /// No Authentication-Results at all.
        case noVerdict
        /// A pass from another server (authserv-id mx.evil.test).
        case otherServer
        /// A pass naming the trusted server, forged below the operator's Received (it counted before issue 14).
        case forgedBelowReceived
        /// The operator's MTA says DMARC fail.
        case failed
        /// The operator's MTA says DKIM and DMARC pass: the real sender.
        case genuine

        var description: String { rawValue }

        func headers(domain: String) -> String {
            let entry = genuineEntry(self == .genuine || self == .failed)
            switch self {
            case .noVerdict:
                return entry
            case .otherServer:
                return entry + "\nAuthentication-Results: mx.evil.test; dkim=pass header.d=\(domain); dmarc=pass header.from=\(domain)"
            case .forgedBelowReceived:
                return entry + "\nAuthentication-Results: mx.acme.test; dkim=pass header.d=\(domain); dmarc=pass header.from=\(domain)"
            case .failed:
                return "Authentication-Results: mx.acme.test; dkim=none; spf=fail smtp.mailfrom=\(domain); dmarc=fail (p=reject) header.from=\(domain)\n" + entry
            case .genuine:
                return "Authentication-Results: mx.acme.test; dkim=pass header.d=\(domain) header.s=s1; dmarc=pass header.from=\(domain)\n" + entry
            }
        }

        private func genuineEntry(_ real: Bool) -> String {
            real
                ? "Received: from mail.example.org (mail.example.org [203.0.113.7]) by mx.acme.test (Postfix) with ESMTPS id 4QA1; Mon, 23 Nov 2026 09:00:01 +0100"
                : "Received: from evil.test (unknown [198.51.100.9]) by mx.acme.test (Postfix) with ESMTP id 4QB2; Mon, 23 Nov 2026 09:00:01 +0100"
        }
    }

    static func desk(port: Int, limits: String = "") throws -> ProcessDesk {
        let desk = try OutboundProcessTests.desk(port: port, extra: limits.isEmpty ? "" : "\n" + limits)
        let text = try String(contentsOfFile: desk.config, encoding: .utf8).replacingOccurrences(
            of: "agent_auth = from\ncustomer_auth = from",
            with: "agent_auth = authentication-results\ntrusted_authserv_id = mx.acme.test\ncustomer_auth = verified")
        try text.write(toFile: desk.config, atomically: true, encoding: .utf8)
        return desk
    }

    static func mail(_ from: String, _ claim: Claim, subject: String, id: String, cc: String? = nil, body: String) -> String {
        let domain = from.split(separator: "@").last.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: ">")) } ?? ""
        return """
            \(claim.headers(domain: domain))
            From: \(from)
            To: support@acme.test
            \(cc.map { "Cc: \($0)\n" } ?? "")Subject: \(subject)
            Message-ID: <\(id)>
            Date: Mon, 23 Nov 2026 09:00:00 +0100

            \(body)
            """.replacingOccurrences(of: "\n\n\n", with: "\n\n")
    }

    static func kind(_ raw: String) -> String? {
        Message.parse(Array(raw.utf8)).headers["X-Postdesk-Kind"]?.value.trimmingCharacters(in: .whitespaces)
    }

    static func recipient(_ raw: String) -> String {
        raw.split(separator: "\r\n").first.map { String($0.dropFirst("X-Sink-Rcpt: ".count)) } ?? ""
    }

    static func deliver(_ desk: ProcessDesk, _ text: String, _ name: String) throws {
        try text.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: desk.newDir + "/" + name, atomically: true, encoding: .utf8)
    }

    /// Bob's ticket #1 (Luis in Cc), Ana the primary contact of example.org, all verified.
    static func bobsTicket(_ desk: ProcessDesk) throws {
        try deliver(desk, mail("Bob <bob@example.org>", .genuine, subject: "Invoice question", id: "b1@example.org", cc: "Luis <luis@example.org>",
                               body: "Where is my invoice?"), "1.b1.test")
        try deliver(desk, mail("Ana <ana@example.org>", .genuine, subject: "Other thing", id: "a1@example.org", body: "Hello."), "2.a1.test")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        #expect(try desk.postdesk(["customers", "add-organization", "example.org"]).status == 0)
        #expect(try desk.postdesk(["customers", "set", "ana@example.org", "--primary-contact", "yes"]).status == 0)
    }

    static func ticket(_ desk: ProcessDesk, _ n: Int) throws -> [String: Any] {
        try #require(try desk.json(["tickets", "show", String(n)]) as? [String: Any])
    }

    /// The requester, a Cc participant and a primary contact, forged or genuine, with Mallory in Cc and `#close`.
    @Test(arguments: ["bob@example.org", "luis@example.org", "ana@example.org"], Claim.allCases)
    func aForgedCustomerBringsNobodyClosesNothingAndAnswersGoOnlyToTheRealPeople(_ who: String, _ claim: Claim) throws {
        let sink = try SMTPSink()
        let desk = try Self.desk(port: sink.port)
        defer { desk.remove() }
        try Self.bobsTicket(desk)
        let before = sink.messages.count

        try Self.deliver(desk, Self.mail("<\(who)>", claim, subject: "Re: [Acme #1] Invoice question", id: "f1@evil.test",
                                         cc: "Mallory <mallory@evil.test>", body: "#close\n\nPlease send the bank details."), "3.f1.test")
        let run = try desk.postdesk(["run", "--once"])
        #expect(run.status == 0, "\(run.stderr)")
        let one = try Self.ticket(desk, 1)
        let cc = one["cc"] as? [String] ?? []
        let messages = one["messages"] as? [[String: Any]] ?? []
        switch claim {
        case .genuine:
            #expect(cc.contains("mallory@evil.test"))
            #expect(one["status"] as? String == "closed")
            #expect(messages.last?["sender_auth"] as? String == "verified")
        case .noVerdict, .otherServer, .forgedBelowReceived:
            // Its text is on the ticket, marked unverified; nobody joins and #close does nothing.
            #expect(!cc.contains("mallory@evil.test"), "\(claim): \(cc)")
            #expect(one["status"] as? String != "closed")
            let last = try #require(messages.last)
            #expect(last["sender_auth"] as? String == "unverified")
            #expect((last["text"] as? String ?? "").contains("bank details"))
        case .failed:
            // A stranger: a ticket of its own (recording #1), nobody along, no confirmation to the address's owner.
            #expect(!cc.contains("mallory@evil.test"))
            #expect(one["status"] as? String != "closed")
            let two = try Self.ticket(desk, 3)
            #expect(two["customer_reference"] as? String == "#1")
            #expect((two["cc"] as? [String] ?? []).isEmpty)
            #expect((two["messages"] as? [[String: Any]])?.first?["sender_auth"] as? String == "failed")
        }
        let after = Array(sink.messages.dropFirst(before))
        // No automatic answer to a failed sender (backscatter), and never anything to Mallory unless she was let in.
        if claim == .failed { #expect(!after.contains { Self.recipient($0) == who }, "\(after.map(Self.recipient))") }
        #expect(!after.contains { Self.recipient($0) == "mallory@evil.test" })
        // The agents' notice says whether the sender was verified and who was in Cc.
        do {
            let notice = try #require(after.first(where: { Self.kind($0) == "agent_customer_reply" || Self.kind($0) == "agent_new_ticket" }))
            let text = MessageSummary(Message.parse(Array(notice.utf8))).text
            #expect(text.contains("mallory@evil.test"), "\(text)")
            switch claim {
            case .genuine: #expect(text.contains("Sender verified"))
            case .failed: #expect(text.contains("FAILED sender authentication"))
            default: #expect(text.contains("The sender is not verified"))
            }
        }

        // The next answer of the agent goes to the ticket's real people only.
        guard claim != .genuine else { return }
        let sent = sink.messages.count
        try Self.deliver(desk, Self.mail("Alice Novak <alice@acme.test>", .genuine, subject: "Re: [Acme #1] Invoice question", id: "r1@acme.test",
                                         body: "Here are the bank details: ..."), "4.r1.test")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        let relays = sink.messages.dropFirst(sent).filter { Self.kind($0) == "relay" }.map(Self.recipient).sorted()
        #expect(relays == ["bob@example.org", "luis@example.org"])
    }

    /// An agent's address, forged: only the genuine mail runs commands and is relayed.
    @Test(arguments: Claim.allCases)
    func aForgedAgentRunsNoCommandAndRelaysNothing(_ claim: Claim) throws {
        let sink = try SMTPSink()
        let desk = try Self.desk(port: sink.port)
        defer { desk.remove() }
        try Self.bobsTicket(desk)
        let before = sink.messages.count
        let text = Self.mail("Alice Novak <alice@acme.test>", claim, subject: "Re: [Acme #1] Invoice question", id: "x1@evil.test",
                             body: "#status closed\n\nPlease pay to IBAN XX00 EVIL.")
        try Self.deliver(desk, text, "3.x1.test")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        let one = try Self.ticket(desk, 1)
        let after = Array(sink.messages.dropFirst(before))
        let relayed = after.filter { Self.kind($0) == "relay" }.map(Self.recipient).sorted()
        if claim == .genuine {
            #expect(one["status"] as? String == "closed")
            #expect(relayed == ["bob@example.org", "luis@example.org"])
        } else {
            #expect(one["status"] as? String != "closed", "\(claim)")
            #expect(relayed.isEmpty, "\(claim): \(relayed)")
            // The real agent hears of it.
            #expect(after.contains { Self.kind($0) == "command_error" && Self.recipient($0) == "alice@acme.test" })
        }
    }

    /// 501 addresses in Cc: at most participants_per_ticket join, and one answer is at most that many mails and one.
    @Test func fiveHundredAndOneCcAddressesReachAtMostTheCap() throws {
        let sink = try SMTPSink()
        let desk = try Self.desk(port: sink.port, limits: "[limits]\nparticipants_per_mail = 1000")
        defer { desk.remove() }
        let cc = (1...501).map { "p\($0)@spam.test" }.joined(separator: ", ")
        try Self.deliver(desk, Self.mail("Bob <bob@example.org>", .genuine, subject: "Help", id: "big@example.org", cc: cc, body: "Hi."), "1.big.test")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        let one = try Self.ticket(desk, 1)
        #expect((one["cc"] as? [String])?.count == 20)
        let notice = try #require(sink.messages.first { Self.kind($0) == "agent_new_ticket" })
        let noticeText = MessageSummary(Message.parse(Array(notice.utf8))).text
        #expect(noticeText.contains("Not added:") && noticeText.contains("participants_per_ticket = 20") && noticeText.contains("more"))
        let before = sink.messages.count
        try Self.deliver(desk, Self.mail("Alice Novak <alice@acme.test>", .genuine, subject: "Re: [Acme #1] Help", id: "a@acme.test",
                                         body: "Hello all."), "2.a.test")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        let relays = sink.messages.dropFirst(before).filter { Self.kind($0) == "relay" }
        #expect(relays.count == 21)
        // An agent's #cc add over the cap is refused as a whole.
        try Self.deliver(desk, Self.mail("Alice Novak <alice@acme.test>", .genuine, subject: "Re: [Acme #1] Help", id: "b@acme.test",
                                         body: "#cc add one.more@example.org\n\nAdding one."), "3.b.test")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        #expect((try Self.ticket(desk, 1)["cc"] as? [String])?.contains("one.more@example.org") == false)
        #expect(sink.messages.contains { Self.kind($0) == "command_error" && String(decoding: Array($0.utf8), as: UTF8.self).contains("participants_per_ticket") })
    }

    /// 100 forged reset requests (unverified in Bob's name, failed from made-up addresses), then Bob's own.
    @Test func forgedResetRequestsLockNobodyOutAndMakeNoCustomers() throws {
        let sink = try SMTPSink()
        let desk = try Self.desk(port: sink.port)
        defer { desk.remove() }
        try Self.bobsTicket(desk)
        let db = desk.root + "/db/postdesk.sqlite"
        let customers = try sqliteCount(db, "SELECT count(*) FROM customers")
        for i in 0..<50 {
            try Self.deliver(desk, Self.mail("<bob@example.org>", .noVerdict, subject: "password reset", id: "u\(i)@evil.test", body: "code please"), "3.u\(i).test")
            try Self.deliver(desk, Self.mail("<x\(i)@example.org>", .failed, subject: "password reset", id: "f\(i)@evil.test", body: "code please"), "3.f\(i).test")
        }
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        #expect(!sink.messages.contains { Self.kind($0) == "password_reset" })
        #expect(try sqliteCount(db, "SELECT count(*) FROM customers") == customers)
        #expect(try sqliteCount(db, "SELECT count(*) FROM account_codes") == 0)
        try Self.deliver(desk, Self.mail("Bob <bob@example.org>", .genuine, subject: "password reset", id: "real@example.org", body: "code please"), "4.real.test")
        #expect(try desk.postdesk(["run", "--once"]).status == 0)
        let codes = sink.messages.filter { Self.kind($0) == "password_reset" }
        #expect(codes.map(Self.recipient) == ["bob@example.org"])
        #expect(try sqliteCount(db, "SELECT count(*) FROM customers") == customers)
    }

    /// `explain` tells the same decision, with the verdict.
    @Test func explainSaysWhatTheMTASaidAndWhoWouldNotJoin() throws {
        let desk = try Self.desk(port: 9)
        defer { desk.remove() }
        let file = desk.root + "/forged.eml"
        try Self.mail("<bob@example.org>", .forgedBelowReceived, subject: "Hi", id: "e@evil.test", cc: "mallory@evil.test", body: "x")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try desk.postdesk(["explain", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("sender:     unverified"), "\(r.stdout)")
        #expect(r.stdout.contains("not added:  mallory@evil.test (the sender is not verified"), "\(r.stdout)")
        let check = try desk.postdesk(["check-config"])
        #expect(check.status == 0)
        #expect(!check.stderr.contains("trusted_authserv_id is not set"))
        let plain = try ProcessDesk()
        defer { plain.remove() }
        try (try String(contentsOfFile: plain.config, encoding: .utf8)).replacingOccurrences(of: "customer_auth = from\n", with: "")
            .write(toFile: plain.config, atomically: true, encoding: .utf8)
        let warned = try plain.postdesk(["check-config"])
        #expect(warned.status == 0)
        #expect(warned.stderr.contains("warning: trusted_authserv_id is not set"), "\(warned.stderr)")
    }
}
