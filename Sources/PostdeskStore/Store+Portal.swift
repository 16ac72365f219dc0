import PostdeskCore

/// What the customer portal reads: a customer's tickets (`TicketAccess`: their own, those they are in Cc of, and
/// their company's when they are its primary contact), one ticket's public thread, an attachment of it.
public struct PortalTicketQuery: Sendable, Hashable {
    /// The tabs of the list: open (new, open, pending), resolved, closed, or every ticket.
    public enum Tab: String, Sendable, Hashable, CaseIterable { case open, resolved, closed, all }
    /// The signed-in customer's address.
    public var viewer: String
    public var tab = Tab.open
    public var status: TicketStatus? = nil
    public var priority: TicketPriority? = nil
    public var type: String? = nil
    /// A ticket number (`12`, `#12`, `[Tag #12]`), a customer reference, or words of the subject and thread.
    public var text: String? = nil
    /// 1-based.
    public var page = 1
    public var perPage = 25

    public init(viewer: String) { self.viewer = viewer }
}

public struct PortalTicketRow: Sendable, Hashable {
    public var number: Int64
    public var subject: String
    public var status: TicketStatus
    public var priority: TicketPriority
    public var type: String?
    /// The handling agent's name, nil while unassigned.
    public var assignee: String?
    /// `YYYY-MM-DD`.
    public var due: String?
    /// ISO 8601 UTC.
    public var created: String
    public var updated: String
    public var requester: String
    public var reference: String?

    public init(number: Int64, subject: String, status: TicketStatus, priority: TicketPriority, type: String?, assignee: String?,
                due: String?, created: String, updated: String, requester: String, reference: String?) {
        self.number = number; self.subject = subject; self.status = status; self.priority = priority; self.type = type
        self.assignee = assignee; self.due = due; self.created = created; self.updated = updated; self.requester = requester
        self.reference = reference
    }
}

public struct PortalTicketPage: Sendable, Hashable {
    public var rows: [PortalTicketRow]
    /// How many tickets match, over all pages.
    public var total: Int
    public var page: Int
    public var perPage: Int
    public init(rows: [PortalTicketRow], total: Int, page: Int, perPage: Int) {
        self.rows = rows; self.total = total; self.page = page; self.perPage = perPage
    }
}

public struct PortalAttachment: Sendable, Hashable {
    public var id: Int64
    public var filename: String?
    public var contentType: String
    public var size: Int64
    public var sha256: String
    public init(id: Int64, filename: String?, contentType: String, size: Int64, sha256: String) {
        self.id = id; self.filename = filename; self.contentType = contentType; self.size = size; self.sha256 = sha256
    }
}

/// One message of a ticket's public thread: customers' mail and portal posts, and agents' public replies.
public struct PortalMessage: Sendable, Hashable {
    public var id: Int64
    /// `in` (from a customer) or `out` (an agent's reply).
    public var direction: String
    public var authorName: String?
    public var authorAddress: String?
    /// ISO 8601 UTC.
    public var date: String
    public var text: String
    /// `mail` or `portal`.
    public var origin: String
    public var attachments: [PortalAttachment]
    public init(id: Int64, direction: String, authorName: String?, authorAddress: String?, date: String, text: String, origin: String,
                attachments: [PortalAttachment]) {
        self.id = id; self.direction = direction; self.authorName = authorName; self.authorAddress = authorAddress; self.date = date
        self.text = text; self.origin = origin; self.attachments = attachments
    }
}

public struct PortalTicketView: Sendable, Hashable {
    public var row: PortalTicketRow
    public var requesterName: String?
    /// `mail` or `portal`.
    public var origin: String
    public var cc: [(address: String, name: String?)] { ccList.map { ($0.address, $0.name) } }
    public var ccList: [Person]
    public var followUpOf: Int64?
    /// The public thread, oldest first (never an internal note, never an agent's notice).
    public var messages: [PortalMessage]

    public struct Person: Sendable, Hashable {
        public var address: String
        public var name: String?
        public init(address: String, name: String?) { self.address = address; self.name = name }
    }

    public init(row: PortalTicketRow, requesterName: String?, origin: String, ccList: [Person], followUpOf: Int64?, messages: [PortalMessage]) {
        self.row = row; self.requesterName = requesterName; self.origin = origin; self.ccList = ccList; self.followUpOf = followUpOf
        self.messages = messages
    }
}

extension Store {
    /// The customer's tickets matching the query, most recently updated first.
    public func portalTickets(_ q: PortalTicketQuery) throws -> PortalTicketPage {
        PortalTicketPage(rows: [], total: 0, page: q.page, perPage: q.perPage)
    }

    /// Ticket `number` as the customer `viewer` may see it, or nil when it does not exist or they may not see it
    /// (`TicketAccess.customerSees`): the portal answers 404 for both.
    public func portalTicket(_ number: Int64, viewer: String) throws -> PortalTicketView? { nil }

    /// Attachment `id` when it belongs to a public message of ticket `number` and the viewer sees that ticket.
    public func portalAttachment(_ id: Int64, ticket number: Int64, viewer: String) throws -> PortalAttachment? { nil }
}
