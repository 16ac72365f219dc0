import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import Testing

/// Sender verification inside the daemon: customer_auth = confirmed, the per-client limit on reset codes, and
/// the verdict on the message row.
@Suite struct SenderVerificationTests {
    static let trusted = "agent_auth = authentication-results\ntrusted_authserv_id = mx.acme.test\n"
    static func entry(_ ip: String) -> String {
        "Received: from mail.example.org (mail.example.org [\(ip)]) by mx.acme.test (Postfix) with ESMTPS id 1; Sun, 22 Nov 2026 10:00:01 +0100"
    }
    static let pass = "Authentication-Results: mx.acme.test; dmarc=pass header.from=example.org"

    @Test(arguments: [("verified", false, 0), ("confirmed", false, 0), ("confirmed", true, 1), ("from", false, 1)])
    func anUnverifiedSenderBringsPeopleOnlyAsThePolicySays(_ policy: String, _ confirmed: Bool, _ joined: Int) throws {
        let desk = try TestDesk(helpdeskConfig: Self.trusted + "customer_auth = \(policy)")
        if confirmed {
            let id = try desk.store.customer(address: "ana@example.org", name: nil, at: "2026-11-01T00:00:00Z")
            _ = try desk.store.confirmCustomer(id, at: "2026-11-01T00:00:00Z")
        }
        try desk.deliver(mail(cc: "Luis <luis@example.org>", id: "u1@example.org", extraHeaders: [Self.entry("203.0.113.7")]))
        #expect(desk.run() == [.newTicket(1)])
        let t = try #require(try desk.store.ticket(1))
        #expect(t.cc.count == joined)
        #expect(t.messages?.first?.senderAuth == "unverified")
        // A failed mail gets nothing under any policy but from, confirmed account or not.
        try desk.deliver(mail(cc: "Eve <eve@example.net>", subject: "Re: [Acme #1] Printer broken", id: "f1@example.org",
                              extraHeaders: ["Authentication-Results: mx.acme.test; dmarc=fail header.from=example.org", Self.entry("198.51.100.1")]))
        let second = desk.run()
        #expect(second == [policy == "from" ? .reply(1) : .newTicket(2)])
        #expect(try desk.store.ticket(1)?.cc.contains("eve@example.net") == (policy == "from"))
    }

    @Test func resetCodesAreLimitedPerClientNotForEveryone() throws {
        let desk = try TestDesk(helpdeskConfig: Self.trusted + "customer_auth = verified")
        // Eleven verified requests from one client (one IP address), each for another address: the eleventh is refused.
        for i in 0..<11 {
            try desk.deliver(mail(from: "<c\(i)@example.org>", subject: "password reset", id: "r\(i)@example.org",
                                  extraHeaders: [Self.pass, Self.entry("203.0.113.7")]))
        }
        let outcomes = desk.run().map(\.description)
        #expect(outcomes.filter { $0.contains("reset code mailed") }.count == AccountRules.codesPerClientPerHour)
        #expect(outcomes.last?.contains("codes for requests from ip:203.0.113.7") == true, "\(outcomes)")
        // No customer record for the refused one; another client still gets its code.
        #expect(try desk.count("SELECT count(*) FROM customers WHERE address = 'c10@example.org'") == 0)
        try desk.deliver(mail(from: "<c10@example.org>", subject: "password reset", id: "r11@example.org",
                              extraHeaders: [Self.pass, Self.entry("203.0.113.8")]))
        #expect(desk.run().map(\.description).first?.contains("reset code mailed") == true)
        #expect(try desk.count("SELECT count(*) FROM account_codes WHERE client = 'ip:203.0.113.8'") == 1)
    }
}
