import Foundation
import Testing
import PostdeskCore
import PostdeskDaemon
import PostdeskStore
@testable import PostdeskPortal

/// A company (corp.test) with a requester, a non-primary colleague and a primary contact, a Cc participant from
/// elsewhere, an agent and a stranger, each ticket with real mail through the real ingest path.
struct AccessWorld {
    let f: PortalFixture
    var rita: Int64 = 0, colleague: Int64 = 0, boss: Int64 = 0, stranger: Int64 = 0

    init() throws {
        f = try PortalFixture()
        try f.mail(from: "Rita Req <rita@corp.test>", subject: "Printer broken", body: "The printer prints nothing.", cc: "Carl Cc <carl@else.test>")
        rita = try f.lastTicket()
        try f.mail(from: "colleague@corp.test", subject: "Scanner jam", body: "Paper stuck in the scanner.")
        colleague = try f.lastTicket()
        try f.mail(from: "boss@corp.test", subject: "Budget question", body: "How much is the contract?")
        boss = try f.lastTicket()
        try f.mail(from: "stranger@x.test", subject: "Other matter", body: "Unrelated printer words.")
        stranger = try f.lastTicket()
        try f.store.addOrganization(domain: "corp.test", name: "Corp", at: "2026-12-01T00:00:00+00:00")
        let bossID = try #require(try f.store.customerSettings(address: "boss@corp.test")).id
        try f.store.updateCustomer(bossID, primaryContact: true)
    }

    var tickets: [Int64] { [rita, colleague, boss, stranger, 9_999] }
    static let viewers = ["rita@corp.test", "RITA@corp.test", "carl@else.test", "boss@corp.test", "colleague@corp.test", "alice@acme.test",
                          "stranger@x.test", "nobody@nowhere.test"]
}

@Suite struct StorePortalAccessTests {
    /// For every customer and ticket: the list and the ticket agree with TicketAccess.customerSees, the one rule.
    @Test func listAndTicketAgreeWithTheRule() throws {
        let w = try AccessWorld()
        let facts = try #require(try w.f.store.ticketFacts(w.rita, agents: []))
        #expect(facts.cc.contains("carl@else.test"), "the Cc of the first mail joined the ticket")
        // The list checks its page with the facts read for many tickets at once: the very facts of one by one.
        let agents: Set<String> = ["alice@acme.test"]
        let batch = try w.f.store.ticketFacts(w.tickets, agents: agents)
        #expect(batch.count == 4, "the four tickets there are; none for #9999")
        for n in w.tickets { #expect(batch[n] == (try w.f.store.ticketFacts(n, agents: agents)), "#\(n)") }
        var seen: [String: Set<Int64>] = [:]
        for viewer in AccessWorld.viewers {
            var q = PortalTicketQuery(viewer: viewer)
            q.tab = .all
            let listed = Set(try w.f.store.portalTickets(q).rows.map(\.number))
            var expected: Set<Int64> = []
            for n in w.tickets {
                let rule = try w.f.store.ticketFacts(n, agents: []).map { TicketAccess.customerSees(viewer, $0) } ?? false
                if rule { expected.insert(n) }
                #expect((try w.f.store.portalTicket(n, viewer: viewer) != nil) == rule, "\(viewer) on #\(n)")
            }
            #expect(listed == expected, "\(viewer)")
            seen[viewer] = listed
        }
        // And what the rule says, spelled out: the requester and the Cc see #1; the primary contact sees the
        // company's tickets; the colleague only their own; the agent's address and strangers nothing of others.
        #expect(seen["rita@corp.test"] == [w.rita])
        #expect(seen["RITA@corp.test"] == [w.rita])
        #expect(seen["carl@else.test"] == [w.rita])
        #expect(seen["boss@corp.test"] == [w.rita, w.colleague, w.boss])
        #expect(seen["colleague@corp.test"] == [w.colleague])
        #expect(seen["alice@acme.test"] == [])
        #expect(seen["stranger@x.test"] == [w.stranger])
        #expect(seen["nobody@nowhere.test"] == [])
    }

    /// The public thread: customers' mail and the agents' answers, once each; never an internal note, an agent's
    /// notice, a relayed copy or a confirmation; an agent's address never shown.
    @Test func publicThreadOnly() throws {
        let w = try AccessWorld()
        let f = w.f
        _ = try f.ingestor.operatorReply(w.rita, text: "giraffeanswer: please check the cable.", internal: false)
        _ = try f.ingestor.operatorReply(w.rita, text: "zebrasecret: this customer is difficult.", internal: true)
        try f.mail(from: "Alice Novak <alice@acme.test>", subject: "Re: [Acme #\(w.rita)] Printer broken", body: "okapi answer from Alice")
        try f.mail(from: "Alice Novak <alice@acme.test>", subject: "Re: [Acme #\(w.rita)] Printer broken", body: "#priority high")
        try f.mail(from: "Alice Novak <alice@acme.test>", subject: "Re: [Acme #\(w.rita)] Printer broken", body: "#internal\nlemursecret between us")
        try f.mail(from: "rita@corp.test", subject: "Re: [Acme #\(w.rita)] Printer broken", body: "Thanks, it works.")
        let v = try #require(try f.store.portalTicket(w.rita, viewer: "rita@corp.test"))
        let texts = v.messages.map(\.text)
        #expect(texts.count == 4, "\(texts)")
        #expect(texts[0].contains("The printer prints nothing."))
        #expect(texts[1].contains("giraffeanswer"))
        #expect(texts[2].contains("okapi answer from Alice"))
        #expect(texts[3].contains("Thanks, it works."))
        #expect(!texts.joined().contains("zebrasecret"))
        #expect(!texts.joined().contains("lemursecret"))
        #expect(v.messages.map(\.direction) == ["in", "out", "out", "in"])
        #expect(v.messages[2].authorName == "Alice Novak")
        #expect(v.messages[3].authorName == "Rita Req", "a mail without a display name: the account's name")
        #expect(v.messages.allSatisfy { $0.authorAddress?.contains("acme.test") != true }, "an agent's address is never shown")
        // Every thread message is an inbound public one: none of the relayed copies or confirmations (outbound).
        let shown = Set(v.messages.map(\.id))
        let outbound = Set(try f.store.db.query("SELECT id FROM messages WHERE ticket = ? AND direction = 'out'", [.integer(w.rita)]).compactMap { $0[0].int })
        #expect(!outbound.isEmpty && shown.isDisjoint(with: outbound))
        #expect(v.ccList.map(\.address) == ["carl@else.test"])
        #expect(v.requesterName == "Rita Req")
        #expect(v.row.priority == .high)
        // A search finds public words only: an internal note is indexed, but never a hit for a customer.
        var q = PortalTicketQuery(viewer: "rita@corp.test")
        q.tab = .all
        q.text = "giraffeanswer"
        #expect(try f.store.portalTickets(q).rows.map(\.number) == [w.rita])
        q.text = "zebrasecret"
        #expect(try f.store.portalTickets(q).rows.isEmpty)
        q.text = "lemursecret"
        #expect(try f.store.portalTickets(q).rows.isEmpty)
        // The same through the full-text index (the way for viewers with many messages).
        q.directSearchMessages = 0
        for secret in ["zebrasecret", "lemursecret"] {
            q.text = secret
            #expect(try f.store.portalTickets(q).rows.isEmpty)
        }
        q.text = "giraffeanswer"
        #expect(try f.store.portalTickets(q).rows.map(\.number) == [w.rita])
        q.directSearchMessages = 1_000
    }

    @Test func attachmentsOnlyOfVisiblePublicMessages() throws {
        let w = try AccessWorld()
        let f = w.f
        try f.mailWithAttachment(from: "rita@corp.test", subject: "Re: [Acme #\(w.rita)] Printer broken", filename: "log.txt",
                                 contentType: "text/plain", data: Array("error 42\n".utf8))
        let v = try #require(try f.store.portalTicket(w.rita, viewer: "rita@corp.test"))
        let a = try #require(v.messages.flatMap(\.attachments).first)
        #expect(a.filename == "log.txt" && a.size == 9)
        #expect(try f.store.portalAttachment(a.id, ticket: w.rita, viewer: "rita@corp.test") == a)
        #expect(try f.store.portalAttachment(a.id, ticket: w.rita, viewer: "boss@corp.test") == a)
        #expect(try f.store.portalAttachment(a.id, ticket: w.rita, viewer: "colleague@corp.test") == nil)
        #expect(try f.store.portalAttachment(a.id, ticket: w.stranger, viewer: "stranger@x.test") == nil, "another ticket's number")
        #expect(try f.store.portalAttachment(a.id + 1000, ticket: w.rita, viewer: "rita@corp.test") == nil)
    }
}

@Suite struct StorePortalQueryTests {
    /// A customer with 30 tickets made directly, a minute apart.
    func thirty() throws -> (PortalFixture, [Int64]) {
        let f = try PortalFixture()
        let at = "2026-12-01T09:00:00+00:00"
        let id = try f.store.customer(address: "many@corp.test", name: "Many", at: at)
        var numbers: [Int64] = []
        for i in 1...30 {
            let stamp = String(format: "2026-12-01T10:%02d:00+00:00", i)
            let n = try f.store.createTicket(subject: "Issue \(i)", queue: "support", requester: id, followUpOf: nil, reference: nil, language: nil, at: stamp)
            numbers.append(n)
        }
        return (f, numbers)
    }

    @Test func tabsFiltersAndPaging() throws {
        let (f, n) = try thirty()
        let at = "2026-12-02T00:00:00+00:00"
        for i in 0..<5 { try f.store.setStatus(n[i], .resolved, at: "2026-11-30T00:00:0\(i)+00:00") }
        for i in 5..<8 { try f.store.setStatus(n[i], .closed, at: "2026-11-30T00:00:0\(i)+00:00") }
        try f.store.setStatus(n[8], .pending, at: "2026-11-30T00:00:09+00:00")
        try f.store.setPriority(n[20], .urgent, at: at)
        try f.store.setType(n[21], "problem", at: at)
        try f.store.db.run("UPDATE tickets SET customer_reference = 'PO-7781' WHERE number = ?", [.integer(n[22])])

        var q = PortalTicketQuery(viewer: "many@corp.test")
        let open = try f.store.portalTickets(q)
        #expect(open.tabCounts == [.open: 22, .resolved: 5, .closed: 3, .all: 30])
        #expect(open.total == 22 && open.rows.count == 22 && open.pages == 1)
        // Newest update first: setPriority/setType touched #21/#22 last.
        #expect(open.rows.first.map(\.number) == n[21] || open.rows.first.map(\.number) == n[20])
        q.tab = .all
        q.perPage = 25
        let first = try f.store.portalTickets(q)
        #expect(first.total == 30 && first.rows.count == 25 && first.pages == 2)
        q.page = 2
        let second = try f.store.portalTickets(q)
        #expect(second.rows.count == 5)
        #expect(Set(first.rows.map(\.number)).isDisjoint(with: second.rows.map(\.number)))
        q.page = 99
        #expect(try f.store.portalTickets(q).rows.isEmpty)
        q.page = 1
        q.tab = .resolved
        #expect(Set(try f.store.portalTickets(q).rows.map(\.number)) == Set(n[0..<5]))
        q.tab = .closed
        #expect(Set(try f.store.portalTickets(q).rows.map(\.number)) == Set(n[5..<8]))
        q.tab = .open
        q.status = .pending
        #expect(try f.store.portalTickets(q).rows.map(\.number) == [n[8]])
        q.status = nil
        q.priority = .urgent
        #expect(try f.store.portalTickets(q).rows.map(\.number) == [n[20]])
        q.priority = nil
        q.type = "problem"
        #expect(try f.store.portalTickets(q).rows.map(\.number) == [n[21]])
        q.type = nil
        q.text = "PO-7781"
        #expect(try f.store.portalTickets(q).rows.map(\.number) == [n[22]])
        // A number finds that ticket whatever the tab (it is closed).
        for text in ["\(n[6])", "#\(n[6])", "[Acme #\(n[6])]", " # \(n[6]) "] {
            q.text = text
            #expect(try f.store.portalTickets(q).rows.map(\.number) == [n[6]], "\(text)")
        }
        // Another customer's number is not found as a number (and reveals nothing).
        let other = try f.store.customer(address: "other@x.test", name: nil, at: at)
        let theirs = try f.store.createTicket(subject: "Theirs", queue: "support", requester: other, followUpOf: nil, reference: nil, language: nil, at: at)
        q.text = "#\(theirs)"
        q.tab = .all
        #expect(try f.store.portalTickets(q).rows.isEmpty)
        var them = PortalTicketQuery(viewer: "other@x.test")
        them.tab = .all
        #expect(try f.store.portalTickets(them).rows.map(\.number) == [theirs])
    }

    /// Both ways of searching (the viewer's messages read directly, and the full-text index for viewers with many
    /// messages) find the same tickets.
    @Test(arguments: [1_000, 0])
    func textSearchIsWordsAndPrefixesAndNeverFTSSyntax(direct: Int) throws {
        let f = try PortalFixture()
        try f.mail(from: "s@corp.test", subject: "Printer on floor three", body: "The laserjet shows error E42.")
        let a = try f.lastTicket()
        try f.mail(from: "s@corp.test", subject: "Coffee machine", body: "No coffee since Monday.")
        let b = try f.lastTicket()
        var q = PortalTicketQuery(viewer: "s@corp.test")
        q.tab = .all
        q.directSearchMessages = direct
        func found(_ text: String) throws -> [Int64] { q.text = text; return try f.store.portalTickets(q).rows.map(\.number) }
        #expect(try found("printer") == [a])
        #expect(try found("PRÍNTER") == [a], "diacritics and case are folded as the index folds them")
        try f.mail(from: "s@corp.test", subject: "Zażółć", body: "Gęślą jaźń w Straße 12, naïve café.")
        let pl = try f.lastTicket()
        for word in ["zazołc", "ZAŻÓŁĆ", "gęślą", "gesla", "jazn", "straße", "naive", "CAFÉ", "12", "caf*"] {
            #expect(try found(word) == [pl], "\(word)")
        }
        #expect(try found("zazolc") == [], "ł has no decomposition: the index keeps it, and so does the direct search")
        #expect(try found("gęś") == [], "a word is whole unless it ends in *")
        #expect(try found("laserjet e42") == [a])
        #expect(try found("lase*") == [a])
        #expect(try found("coffee") == [b])
        #expect(try found("monday printer") == [])
        #expect(try found("qqq*") == [])
        // A prefix of more than 20 indexed words is left to FTS5 itself; fewer are expanded into the words.
        try f.mail(from: "s@corp.test", subject: "Many words", body: (1...25).map { "zq\($0)" }.joined(separator: " "))
        let c = try f.lastTicket()
        #expect(try found("zq*") == [c])
        #expect(try found("zq2*") == [c])
        #expect(try found("many zq1*") == [c])
        for hostile in ["\"", "printer\" OR \"coffee", "NEAR(printer coffee)", "subject:coffee", "*", "-", "(", "printer)", "^coffee", "AND", "{body}: x",
                        "'; DROP TABLE tickets; --", String(repeating: "a ", count: 300)] {
            #expect(throws: Never.self) { _ = try found(hostile) }
        }
        #expect(try found("printer\" OR \"coffee") == [], "the quote is no FTS5 syntax: both words must match")
        #expect(Store.portalSearchQuery("a\"b cd* e*") == "{subject body} : (\"a\" AND \"b\" AND \"cd\"* AND \"e\")")
        #expect(Store.portalTicketNumber("[Acme #12]") == 12)
        #expect(Store.portalTicketNumber("12a") == nil)
        #expect(Store.portalTicketNumber("#0") == nil)
    }
}
