/// Where a ticket is in its life: `new` (to be assigned) → `open` → `pending` → `resolved` → `closed`.
public enum TicketStatus: String, Sendable, Hashable, CaseIterable {
    case new, open, pending, resolved, closed
}

public enum TicketPriority: String, Sendable, Hashable, CaseIterable {
    case low, normal, high, urgent
}

/// What routing needs to know about an existing ticket.
public struct TicketFacts: Sendable, Hashable {
    public var number: Int64
    public var status: TicketStatus
    public var queue: String
    /// The requester's address, lower-cased.
    public var requester: String
    /// Everyone who may write on the ticket besides the requester: Cc participants, agents, and the primary
    /// contacts of the requester's organization (all lower-cased).
    public var participants: Set<String>
    /// How many Cc participants the ticket has (the `participants` rows alone), for `participants_per_ticket`.
    public var ccCount: Int
    /// The Cc participants alone (lower-cased): customers who joined the conversation.
    public var cc: Set<String>
    /// The primary contacts of the requester's organization (lower-cased): they see the company's tickets.
    public var primaryContacts: Set<String>

    public init(number: Int64, status: TicketStatus, queue: String, requester: String, participants: Set<String> = [], ccCount: Int = 0,
                cc: Set<String> = [], primaryContacts: Set<String> = []) {
        self.ccCount = ccCount
        self.cc = Set(cc.map { $0.lowercased() })
        self.primaryContacts = Set(primaryContacts.map { $0.lowercased() })
        self.number = number
        self.status = status
        self.queue = queue
        self.requester = requester.lowercased()
        self.participants = Set(participants.map { $0.lowercased() })
    }

    public func admits(_ address: String) -> Bool {
        let a = address.lowercased()
        return a == requester || participants.contains(a)
    }
}
