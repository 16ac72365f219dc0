/// A ticket as `tickets list|show|search` print it (INTERFACE.md).
public struct TicketRecord: Sendable, Hashable {
    public var number: Int64
    public var subject: String
    public var status: String
    public var queue: String
    public var requester: String
    public var cc: [String]
    public var assignee: String?
    public var priority: String
    public var due: String?
    public var followUpOf: Int64?
    public var reference: String?
    public var created: String
    public var updated: String
    public var resolvedAt: String?
    public var closedAt: String?
    public var messages: [MessageRecord]?
}

public struct MessageRecord: Sendable, Hashable {
    public var id: Int64
    public var direction: String
    public var visibility: String
    public var kind: String
    public var author: String
    public var date: String
    public var messageID: String?
    public var text: String
    public var attachments: [AttachmentRecord]
    /// For inbound mail: what the operator's MTA said about the sender (verified, failed, unverified); nil for
    /// outbound mail and mail taken in before sender verification.
    public var senderAuth: String? = nil
}

public struct AttachmentRecord: Sendable, Hashable {
    public var filename: String?
    public var contentType: String
    public var size: Int64
    public var sha256: String
    public var inline: Bool
}

public struct TicketFilter: Sendable {
    public var status: String?
    public var queue: String?
    public var unassigned = false
    public var requester: String?
    public var limit: Int?
    public init(status: String? = nil, queue: String? = nil, unassigned: Bool = false, requester: String? = nil, limit: Int? = nil) {
        self.status = status; self.queue = queue; self.unassigned = unassigned; self.requester = requester; self.limit = limit
    }
}

extension Store {
    private static let ticketColumns = """
        SELECT t.number, t.subject, t.status, t.queue, c.address AS requester, a.address AS assignee, t.priority, t.due,
               t.follow_up_of, t.customer_reference, t.created, t.updated, t.resolved_at, t.closed_at
        FROM tickets t JOIN customers c ON c.id = t.requester_id LEFT JOIN agents a ON a.id = t.assignee_id
        """

    private static let unassignedTicketColumns = """
        SELECT t.number, t.subject, t.status, t.queue, c.address AS requester, a.address AS assignee, t.priority, t.due,
               t.follow_up_of, t.customer_reference, t.created, t.updated, t.resolved_at, t.closed_at
        FROM tickets t INDEXED BY tickets_to_assign JOIN customers c ON c.id = t.requester_id LEFT JOIN agents a ON a.id = t.assignee_id
        """

    private func record(_ row: Row) throws -> TicketRecord {
        let number = row.int("number") ?? 0
        let cc = try db.query("SELECT address FROM participants WHERE ticket = ? ORDER BY added, address", [.integer(number)]).compactMap { $0.string("address") }
        return TicketRecord(
            number: number, subject: row.string("subject") ?? "", status: row.string("status") ?? "", queue: row.string("queue") ?? "",
            requester: row.string("requester") ?? "", cc: cc, assignee: row.string("assignee"), priority: row.string("priority") ?? "normal",
            due: row.string("due"), followUpOf: row.int("follow_up_of"), reference: row.string("customer_reference"),
            created: row.string("created") ?? "", updated: row.string("updated") ?? "", resolvedAt: row.string("resolved_at"),
            closedAt: row.string("closed_at"), messages: nil)
    }

    /// Tickets matching the filter, newest first.
    public func tickets(_ f: TicketFilter) throws -> [TicketRecord] {
        var clauses: [String] = []
        var params: [SQLValue] = []
        if let s = f.status { clauses.append("t.status = ?"); params.append(.text(s)) }
        if let q = f.queue { clauses.append("t.queue = ?"); params.append(.text(q)) }
        // Written as the partial index tickets_to_assign is, so that SQLite reads it in ticket order and stops early.
        if f.unassigned { clauses.append("t.assignee_id IS NULL AND t.status IN ('new', 'open', 'pending')") }
        if let r = f.requester { clauses.append("c.address = ?"); params.append(.text(r.lowercased())) }
        var sql = Self.ticketColumns
        if f.unassigned {
            // Years of tickets: read the small partial index in ticket order and stop at the limit, rather than let
            // the planner sort every unassigned ticket (it prefers tickets_assignee otherwise).
            sql = Self.unassignedTicketColumns
        }
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY t.number DESC"
        if let limit = f.limit { sql += " LIMIT ?"; params.append(.integer(Int64(max(0, limit)))) }
        return try db.query(sql, params).map(record)
    }

    /// One ticket with its whole thread (internal notes included: this is the operator's view).
    public func ticket(_ number: Int64) throws -> TicketRecord? {
        guard let row = try db.query(Self.ticketColumns + " WHERE t.number = ?", [.integer(number)]).first else { return nil }
        var t = try record(row)
        var messages: [MessageRecord] = []
        for m in try db.query("SELECT id, direction, visibility, kind, author_address, author_name, date, message_id, text, sender_auth FROM messages WHERE ticket = ? ORDER BY id", [.integer(number)]) {
            let id = m.int("id") ?? 0
            let attachments = try db.query("SELECT filename, content_type, size, sha256, inline FROM attachments WHERE message = ? ORDER BY id", [.integer(id)]).map {
                AttachmentRecord(filename: $0.string("filename"), contentType: $0.string("content_type") ?? "", size: $0.int("size") ?? 0,
                                 sha256: $0.string("sha256") ?? "", inline: ($0.int("inline") ?? 0) != 0)
            }
            let author = [m.string("author_name"), m.string("author_address").map { "<\($0)>" }].compactMap { $0 }.joined(separator: " ")
            messages.append(MessageRecord(id: id, direction: m.string("direction") ?? "", visibility: m.string("visibility") ?? "",
                                          kind: m.string("kind") ?? "", author: author, date: m.string("date") ?? "",
                                          messageID: m.string("message_id"), text: m.string("text") ?? "", attachments: attachments,
                                          senderAuth: m.string("sender_auth")))
        }
        t.messages = messages
        return t
    }

    /// How many of the newest matching messages a search looks at.
    public static let searchWindow = 1000

    /// Full-text search over subjects, bodies, references and requesters: the tickets of the newest matching
    /// messages, newest first. Every word must match a whole token; a word ending in `*` matches as a prefix
    /// (`print*`). Tokens are what the index's tokenizer (unicode61) makes: runs of letters and digits, so an
    /// address or a reference becomes its parts (the index keeps no positions: detail=column). FTS5 syntax
    /// characters are neutralised.
    ///
    /// Bounded however large the database: exact tokens are merged lazily in message order and the search stops
    /// after `searchWindow` messages; no relevance score is computed (bm25 reads every match of every word).
    public func search(_ query: String, limit: Int = 100) throws -> [TicketRecord] {
        var terms: [String] = []
        for word in query.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
            let prefix = word.hasSuffix("*")
            let tokens = word.split(whereSeparator: { !($0.isLetter || $0.isNumber) })
            for (i, token) in tokens.enumerated() {
                terms.append("\"" + token.replacingOccurrencesOfQuote + "\"" + (prefix && i == tokens.count - 1 ? "*" : ""))
            }
        }
        guard !terms.isEmpty else { return [] }
        let rows = try db.query("""
            \(Self.ticketColumns)
            JOIN (SELECT m.ticket AS number, max(hit.rowid) AS newest
                  FROM (SELECT rowid FROM search WHERE search MATCH ? ORDER BY rowid DESC LIMIT ?) hit
                  JOIN messages m ON m.id = hit.rowid
                  WHERE m.ticket IS NOT NULL GROUP BY m.ticket) hits ON hits.number = t.number
            ORDER BY hits.newest DESC LIMIT ?
            """, [.text(terms.joined(separator: " ")), .integer(Int64(Self.searchWindow)), .integer(Int64(limit))])
        return try rows.map(record)
    }
}

extension Substring {
    var replacingOccurrencesOfQuote: String { String(self.map { $0 == "\"" ? "\"\"" : String($0) }.joined()) }
}

