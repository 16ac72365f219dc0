/// Who may see a ticket and act on it as a customer, and how a customer's act moves its lifecycle: the one rule
/// that the mail side (routing's "takes part", `#close`, the status summary), the command line and the portal
/// all ask. Pure: the caller gathers the facts (`Store.ticketFacts`).
///
/// - A customer **sees** a ticket when they are its requester, one of its Cc participants, or a primary
///   contact of the requester's organization (Atera's "primary contact sees the company's tickets"). Nobody
///   else: not a colleague who is no primary contact, not an agent's address signed in as a customer (agents
///   work by mail and on the command line; the portal shows customers the public thread only).
/// - Whoever sees a ticket may write on it, add people to it (within the participant caps) and close it.
/// - **Close** only while the ticket is new, open or pending; a resolved ticket closes by itself
///   (`auto_close_after`) or reopens on a reply; a closed ticket is final.
/// - A **reply** reopens a resolved ticket; a reply to a closed ticket opens a follow-up linked to it
///   (`Router.onTicket` applies this for mail, and the portal's replies go through the same routing).
public enum TicketAccess {
    /// Whether the customer with `address` may see the ticket (and so reply, add people, close).
    public static func customerSees(_ address: String, _ ticket: TicketFacts) -> Bool {
        let a = address.lowercased()
        func same(_ b: String) -> Bool { a.unicodeScalars.elementsEqual(b.unicodeScalars) }
        return same(ticket.requester) || ticket.cc.contains(where: same) || ticket.primaryContacts.contains(where: same)
    }

    /// The statuses a customer may close a ticket from.
    public static let closableStatuses: Set<TicketStatus> = [.new, .open, .pending]

    /// Whether a customer may close a ticket in `status` now.
    public static func customerMayClose(_ status: TicketStatus) -> Bool { closableStatuses.contains(status) }

    /// What a customer's reply does to a ticket in `status`.
    public enum ReplyEffect: Sendable, Hashable {
        /// Added to the ticket; `reopen` when it was resolved.
        case append(reopen: Bool)
        /// The ticket is closed: a follow-up ticket linked to it is opened.
        case followUp
    }

    public static func customerReply(to status: TicketStatus) -> ReplyEffect {
        switch status {
        case .closed: return .followUp
        case .resolved: return .append(reopen: true)
        default: return .append(reopen: false)
        }
    }
}
