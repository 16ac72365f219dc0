import Foundation
import PostdeskTestSupport
import Testing

/// 5,000 mails from one sender through the real binary: the inbound limit holds, and every mail is accounted for.
@Suite struct FloodProcessTests {
    @Test func fiveThousandMailsFromOneSender() throws {
        let desk = try DaemonProcessTests.desk()
        defer { desk.remove() }
        try desk.appendConfig("[limits]\nsender_burst = 20\nsender_rate = 30/1h")
        for i in 0..<5000 {
            let m = "From: Bot <bot@flood.example>\nTo: support@acme.test\nSubject: Offer \(i)\nMessage-ID: <f\(i)@flood.example>\n\nBuy.\n"
            try m.write(toFile: desk.newDir + String(format: "/%06d.flood", i), atomically: false, encoding: .utf8)
        }
        try "From: Ana <ana@example.org>\nTo: support@acme.test\nSubject: Printer\nMessage-ID: <ana@example.org>\n\nHelp.\n"
            .write(toFile: desk.newDir + "/999999.ana", atomically: false, encoding: .utf8)
        let r = try desk.postdesk(["run", "--once"])
        #expect(r.status == 0, "\(r.stderr.suffix(2000))")
        let db = desk.root + "/db/postdesk.sqlite"
        // The limit held: 20 tickets for the bot, one held ticket, Ana's ticket.
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets") == 22)
        #expect(try sqliteCount(db, "SELECT count(*) FROM tickets WHERE type = 'held'") == 1)
        // Every mail is accounted for: recorded once, none left in new/, 4,980 on the held ticket.
        #expect(try sqliteCount(db, "SELECT count(*) FROM ingested") == 5001)
        #expect(try sqliteCount(db, "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'in'") == 5001)
        #expect(try sqliteCount(db, "SELECT count(*) FROM messages m JOIN tickets t ON t.number = m.ticket WHERE t.type = 'held'") == 4980)
        #expect(desk.files(desk.newDir).isEmpty)
        // Answers only within the limit: 20 confirmations to the bot, one to Ana.
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE kind = 'confirmation' AND recipient = 'bot@flood.example'") == 20)
        #expect(try sqliteCount(db, "SELECT count(*) FROM outbox WHERE kind = 'confirmation' AND recipient = 'ana@example.org'") == 1)
        // The operator sees it in the log once.
        #expect(r.stderr.components(separatedBy: "inbound limit: bot@flood.example sent more than sender_burst = 20").count == 2, "\(r.stderr.suffix(2000))")
    }
}
