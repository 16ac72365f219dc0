import PostdeskCore
import PostdeskStore

/// What a signed-in customer does in the portal, done the way the same act by mail is done: a reply, a new
/// ticket or people added become a message that goes through the ingest path (routing, lifecycle, participant
/// caps, inbound limits, confirmations and agents' notices), with the sender verified by the sign-in; a close
/// is the `#close` rule (`TicketAccess`). Every call is one transaction; the daemon is woken to send the mail.
public final class PortalDesk: @unchecked Sendable {
    public let ingestor: Ingestor

    public init(ingestor: Ingestor) { self.ingestor = ingestor }

    /// The signed-in customer.
    public struct Customer: Sendable, Hashable {
        public var id: Int64
        public var address: String
        public var name: String?
        public init(id: Int64, address: String, name: String?) { self.id = id; self.address = address; self.name = name }
    }

    /// A file the customer uploaded (already on disk; the desk copies it into the attachment store).
    public struct Upload: Sendable, Hashable {
        public var filename: String
        public var contentType: String
        public var path: String
        public init(filename: String, contentType: String, path: String) {
            self.filename = filename; self.contentType = contentType; self.path = path
        }
    }

    public enum Outcome: Sendable, Hashable {
        /// Added to the ticket (reopened when it was resolved).
        case added(ticket: Int64)
        case newTicket(Int64)
        /// The ticket was closed: a follow-up ticket linked to it was opened.
        case followUp(Int64, of: Int64)
        /// Over an inbound limit: kept on a held ticket, not answered.
        case held(Int64)
        /// Nothing done: the ticket is not the customer's (the portal answers 404), or another reason.
        case notFound
        case refused(String)
    }

    public struct NewTicket: Sendable, Hashable {
        public var subject: String
        public var text: String
        public var priority: TicketPriority? = nil
        public var type: String? = nil
        public var reference: String? = nil
        public var cc: [String] = []
        public var files: [Upload] = []
        public init(subject: String, text: String) { self.subject = subject; self.text = text }
    }

    public func reply(_ customer: Customer, ticket number: Int64, text: String, cc: [String] = [], files: [Upload] = []) throws -> Outcome {
        .refused("not implemented yet")
    }

    public func newTicket(_ customer: Customer, _ ticket: NewTicket) throws -> Outcome { .refused("not implemented yet") }

    /// Adds people to the conversation (the participant caps apply), as a short message on the thread.
    public func addPeople(_ customer: Customer, ticket number: Int64, addresses: [String]) throws -> Outcome {
        .refused("not implemented yet")
    }

    public enum CloseOutcome: Sendable, Hashable {
        case closed
        case notFound
        /// The ticket is resolved or closed already.
        case notClosable(TicketStatus)
    }

    public func close(_ customer: Customer, ticket number: Int64) throws -> CloseOutcome { .notFound }
}
