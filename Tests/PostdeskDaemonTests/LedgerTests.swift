import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskStore
import Testing

/// The exactly-once ledger is written in one place for every kind of outcome: delivered again, every mail of
/// every kind is a duplicate (a branch that forgot its ledger row would ingest its mail again for ever).
@Suite struct LedgerTests {
    static let agentProof = ["Authentication-Results: mx.acme.test; dkim=pass header.d=acme.test"]
    static let dsn = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
        To: support@acme.test
        Subject: Undelivered Mail Returned to Sender
        Message-ID: <dsn1@mx.example.org>
        Content-Type: multipart/report; report-type=delivery-status; boundary=b

        --b
        Content-Type: text/plain

        The mail could not be delivered.
        --b
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.example.org

        Final-Recipient: rfc822; ana@example.org
        Action: failed
        Status: 5.1.1
        --b
        Content-Type: text/rfc822-headers

        From: support@acme.test
        Message-ID: <n1@example.org>
        --b--
        """

    @Test func everyKindOfOutcomeIsADuplicateTheSecondTime() throws {
        let desk = try TestDesk(extraConfig: "\n[limits]\nsender_burst = 3\n",
                                helpdeskConfig: "agent_auth = authentication-results\ntrusted_authserv_id = mx.acme.test\ncustomer_auth = verified")
        var delivered: [String] = []
        var outcomes: [IngestOutcome] = []
        func round(_ mails: [String]) {
            for m in mails { delivered.append(m); _ = try? desk.deliver(m) }
            outcomes += desk.run()
        }
        let verified = ["Authentication-Results: mx.acme.test; dmarc=pass header.from=example.org"]
        guard case .sent(let welcomeID) = try desk.ingestor.invite(address: "maria@example.org", name: nil, language: nil) else {
            Issue.record("no welcome mail")
            return
        }
        round([mail(id: "n1@example.org", extraHeaders: verified)])
        round([
            mail(subject: "Re: [Acme #1] Printer broken", id: "n2@example.org", inReplyTo: "n1@example.org", extraHeaders: verified),
            mail(from: "Alice <alice@acme.test>", subject: "Re: [Acme #1] Printer broken", id: "g1@acme.test", extraHeaders: Self.agentProof,
                 body: "#priority high\n\nOn it."),
            mail(from: "Alice <alice@acme.test>", subject: "Re: [Acme #1] Printer broken", id: "g2@acme.test", extraHeaders: Self.agentProof,
                 body: "#assign nobody\n\nHm."),
            mail(from: "Alice <alice@acme.test>", subject: "Re: [Acme #1] Printer broken", id: "g3@acme.test", body: "Unproven."),
            mail(from: "Luis <luis@example.org>", subject: "status", id: "s1@example.org",
                 extraHeaders: ["Authentication-Results: mx.acme.test; dmarc=pass header.from=example.org"]),
            mail(from: "Eve <eve@example.net>", subject: "password reset", id: "r1@example.net"),
            mail(from: "Maria <maria@example.org>", subject: "Re: Welcome", id: "w1@example.org", inReplyTo: welcomeID),
            mail(from: "Mallory <mallory@example.org>", subject: "Re: [Acme #1] x", id: "m1@example.org",
                 extraHeaders: ["Authentication-Results: mx.acme.test; dmarc=fail header.from=example.org"]),
            Self.dsn,
        ] + (1...4).map { mail(from: "Flood <flood@example.com>", subject: "Flood \($0)", id: "fl\($0)@example.com") })
        round([mail(from: "Alice <alice@acme.test>", subject: "Re: [Acme #1] Printer broken", id: "g4@acme.test", extraHeaders: Self.agentProof,
                    body: "#status closed\n\nDone.")])
        round([mail(subject: "Re: [Acme #1] Printer broken", id: "n3@example.org", inReplyTo: "n1@example.org", extraHeaders: verified)])

        // Every kind there is, once at least.
        var kinds: Set<String> = []
        for o in outcomes {
            switch o {
            case .newTicket: kinds.insert("new")
            case .followUp: kinds.insert("follow-up")
            case .reply: kinds.insert("reply")
            case .agentMail: kinds.insert("agent")
            case .statusSummary: kinds.insert("status")
            case .held: kinds.insert("held")
            case .account: kinds.insert("account")
            case .bounce: kinds.insert("bounce")
            case .duplicate, .quarantined, .deferred: Issue.record("unexpected \(o)")
            }
        }
        #expect(kinds == ["new", "follow-up", "reply", "agent", "status", "held", "account", "bounce"], "\(outcomes)")
        #expect(try desk.count("SELECT count(*) FROM ingested") == Int64(delivered.count))

        // The same mails again: nothing new, every one a duplicate.
        let tickets = try desk.count("SELECT count(*) FROM tickets")
        for m in delivered { try desk.deliver(m) }
        let again = desk.run()
        #expect(again.count == delivered.count)
        #expect(again.allSatisfy { if case .duplicate = $0 { return true } else { return false } }, "\(again)")
        #expect(try desk.count("SELECT count(*) FROM tickets") == tickets)
    }
}
