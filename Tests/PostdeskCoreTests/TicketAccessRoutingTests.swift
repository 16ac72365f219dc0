import PostdeskCore
import PostdeskMail
import Testing

/// Routing and `TicketAccess` agree: everyone who sees a ticket takes part in it, so a message naming the ticket
/// (the portal's reply, or a mail with its subject tag) lands on it, with the lifecycle of `customerReply`.
@Suite struct TicketAccessRoutingTests {
    static let ticket = TicketFacts(number: 7, status: .open, queue: "support", requester: "Ana@Example.org",
                                    participants: ["ben@example.org", "boss@example.org", "alice@acme.test"], ccCount: 1,
                                    cc: ["ben@example.org"], primaryContacts: ["boss@example.org"])

    static func route(_ from: String, status: TicketStatus) -> RoutingDecision {
        var facts = ticket
        facts.status = status
        var input = RoutingInput(queue: "support", mailboxAddress: "support@acme.test", ownAddresses: ["support@acme.test"], from: from)
        input.subjectTag = (7, facts)
        return Router.route(input)
    }

    @Test(arguments: ["ana@example.org", "ANA@example.org", "ben@example.org", "boss@example.org", "eve@example.org", "alice@acme.test", "zed@other.test"])
    func whoeverSeesTheTicketLandsOnIt(_ who: String) {
        let sees = TicketAccess.customerSees(who, Self.ticket)
        if sees { #expect(Router.takesPart(who, in: Self.ticket)) }
        for status in TicketStatus.allCases {
            let action = Self.route(who, status: status).action
            guard sees else {
                // Not a customer who sees it: a stranger's subject tag opens their own ticket (an agent's address
                // takes part for routing, but the portal never lets an agent write as a customer).
                if !Router.takesPart(who, in: Self.ticket) { #expect(action == .newTicket, "\(who) \(status)") }
                continue
            }
            switch TicketAccess.customerReply(to: status) {
            case .followUp: #expect(action == .followUp(of: 7), "\(who) \(status)")
            case .append(let reopen): #expect(action == .append(ticket: 7, reopen: reopen), "\(who) \(status)")
            }
        }
    }
}
