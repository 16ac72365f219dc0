import Foundation
import PostdeskCore
import PostdeskDaemon
import PostdeskMail
import PostdeskStore
import PostdeskSystem
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Inbound limits: token buckets per sender and for everyone; mail over them is recorded on a held ticket and
/// never answered.
@Suite struct LimitsTests {
    static func desk(_ limits: String) throws -> TestDesk {
        try TestDesk(extraConfig: "\n[limits]\n" + limits + "\n")
    }

    static func flood(_ desk: TestDesk, from: String = "Bot <bot@example.net>", count: Int, first: Int = 0) throws {
        for i in first..<(first + count) {
            try desk.deliver(mail(from: from, subject: "Buy now \(i)", id: "flood\(i)@example.net"), name: String(format: "%06d.flood", i))
        }
    }

    @Test func oneSenderOverItsLimitFillsOneHeldTicketAndGetsNoAnswers() throws {
        let desk = try Self.desk("sender_burst = 5\nsender_rate = 10/1h")
        try Self.flood(desk, count: 30)
        try desk.deliver(mail(id: "ana1@example.org"), name: "999999.ana")
        let outcomes = desk.run()
        #expect(outcomes.count == 31)
        #expect(outcomes.filter { if case .newTicket = $0 { return true }; return false }.count == 6)  // 5 + Ana's
        #expect(outcomes.filter { if case .held = $0 { return true }; return false }.count == 25)
        let held = try #require(try desk.store.db.query("SELECT number FROM tickets WHERE type = 'held'").first?[0].int)
        #expect(try desk.count("SELECT count(*) FROM tickets WHERE type = 'held'") == 1)
        #expect(try desk.count("SELECT count(*) FROM messages WHERE ticket = \(held) AND direction = 'in'") == 25)
        #expect(try desk.count("SELECT count(*) FROM ingested") == 31)  // every mail accounted for
        // Answers: 5 confirmations to the bot, 1 to Ana; nothing for the held mail.
        let sent = try desk.sendAndRead()
        #expect(sent.filter { $0.header("X-Postdesk-Kind") == "confirmation" && $0.deliveredTo == "bot@example.net" }.count == 5)
        #expect(sent.contains { $0.header("X-Postdesk-Kind") == "confirmation" && $0.deliveredTo == "ana@example.org" })
        #expect(!sent.contains { $0.header("X-Postdesk-Ticket") == String(held) })
        // The operator hears of it once, with the reason.
        #expect(desk.logs.filter { $0.contains("inbound limit") && $0.hasPrefix("<4>") }.count == 1)
        #expect(desk.logs.contains { $0.contains("sender_burst = 5") })

        // An hour later the bucket has refilled: the sender's next mail is a ticket again.
        desk.clock.seconds += 3600
        try Self.flood(desk, count: 1, first: 100)
        #expect(desk.run().first.map { if case .newTicket = $0 { return true }; return false } == true)
    }

    @Test func aFloodOfRepliesIsAddedToTheTicketButNotAnswered() throws {
        let desk = try Self.desk("sender_burst = 3\nsender_rate = 1/1h")
        try desk.deliver(mail(id: "t1@example.org"))
        #expect(desk.run() == [.newTicket(1)])
        for i in 0..<6 {
            try desk.deliver(mail(subject: "Re: [Acme #1] Printer broken", id: "r\(i)@example.org", inReplyTo: "t1@example.org", body: "Again \(i)"))
        }
        #expect(desk.run() == Array(repeating: .reply(1), count: 6))
        #expect(try desk.count("SELECT count(*) FROM messages WHERE ticket = 1 AND direction = 'in'") == 7)
        // Two replies were within the bucket (burst 3, one taken by the first mail): two notices, not six.
        #expect(try desk.sendAndRead().filter { $0.header("X-Postdesk-Kind") == "agent_customer_reply" }.count == 2)
    }

    @Test func aStormFromManySendersGoesToOneStormTicket() throws {
        let desk = try Self.desk("global_burst = 10\nglobal_rate = 10/1h")
        for i in 0..<50 {
            try desk.deliver(mail(from: "sender\(i)@storm\(i).example", subject: "Hello \(i)", id: "s\(i)@storm.example"), name: String(format: "%06d.storm", i))
        }
        let outcomes = desk.run()
        #expect(outcomes.filter { if case .newTicket = $0 { return true }; return false }.count == 10)
        #expect(outcomes.filter { if case .held = $0 { return true }; return false }.count == 40)
        #expect(try desk.count("SELECT count(*) FROM tickets WHERE type = 'held'") == 1)
        #expect(try desk.count("SELECT count(*) FROM tickets") == 11)
        let subject = try desk.store.db.query("SELECT subject FROM tickets WHERE type = 'held'").first?[0].string
        #expect(subject?.contains("storm") == true)
    }

    @Test func aBacklogIsJudgedByWhenItArrivedNotWhenItIsRead() throws {
        // 40 mails from one sender that arrived 10 minutes apart while Postdesk was down: within 10/1h.
        let desk = try Self.desk("sender_burst = 5\nsender_rate = 10/1h")
        for i in 0..<40 {
            let name = try desk.deliver(mail(from: "ana@example.org", subject: "Problem \(i)", id: "b\(i)@example.org"), name: String(format: "%06d.backlog", i))
            var times = [timespec(tv_sec: Int(desk.clock.seconds) - (40 - i) * 600, tv_nsec: 0), timespec(tv_sec: Int(desk.clock.seconds) - (40 - i) * 600, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, desk.support.maildir + "/new/" + name, &times, 0) == 0)
        }
        let outcomes = desk.run()
        #expect(outcomes.allSatisfy { if case .newTicket = $0 { return true }; return false }, "\(outcomes)")
    }

    @Test(arguments: [
        ("sender_rate = 10", "not a rate such as 30/1h"),
        ("sender_rate = 0/1h", "not a rate"),
        ("global_rate = 5/soon", "not a rate"),
        ("global_burst = 0", "global_burst"),
        ("sender_burst = many", "sender_burst"),
        ("burst = 5", "unknown key"),
    ])
    func badLimitsAreReportedWithTheirLine(line: String, expected: String) {
        let text = "[helpdesk]\ndatabase = x.sqlite\n\n[mailbox support]\nmaildir = m\naddress = support@acme.test\n\n[limits]\n\(line)\n"
        guard case .failure(let e) = Configuration.parse(text, file: "p.conf", baseDirectory: "/tmp") else {
            Issue.record("accepted: \(line)"); return
        }
        #expect(e.description.contains("p.conf:9:"), "\(e)")
        #expect(e.description.contains(expected), "\(e)")
    }

    @Test(arguments: [("30/1h", 30, 3600), ("30/h", 30, 3600), ("5/10m", 5, 600), ("100/1d", 100, 86_400)] as [(String, Int, Int64)])
    func ratesParse(text: String, count: Int, seconds: Int64) throws {
        let r = try #require(Configuration.Rate(parsing: text))
        #expect(r.count == count && r.per.seconds == seconds)
    }
}
