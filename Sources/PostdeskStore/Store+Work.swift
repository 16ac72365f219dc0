import PostdeskCore

/// What agents' commands, customers' requests and the scheduler change.
extension Store {
    public struct AgentRow: Sendable, Hashable {
        public var id: Int64
        public var key: String
        public var address: String
        public var name: String
    }

    /// An active agent by key (`alice`), name (`Alice Novak`, `łukasz nowak`: any case, in any script) or
    /// address. Compared in Swift (`lowercased()` folds every script), not with SQLite's ASCII-only `lower()`;
    /// the agents table is small.
    public func agent(matching text: String) throws -> AgentRow? {
        let t = text.lowercased()
        return try db.query("SELECT id, key, address, name FROM agents WHERE active = 1 ORDER BY id")
            .map { AgentRow(id: $0[0].int ?? 0, key: $0[1].string ?? "", address: $0[2].string ?? "", name: $0[3].string ?? "") }
            .first { $0.key.lowercased() == t || $0.address.lowercased() == t || $0.name.lowercased() == t }
    }

    public func assign(_ number: Int64, to agent: Int64, at: String) throws {
        try db.run("UPDATE tickets SET assignee_id = ?, updated = ? WHERE number = ?", [.integer(agent), .text(at), .integer(number)])
    }

    public func setPriority(_ number: Int64, _ p: TicketPriority, at: String) throws {
        try db.run("UPDATE tickets SET priority = ?, updated = ? WHERE number = ?", [.text(p.rawValue), .text(at), .integer(number)])
    }

    public func setDue(_ number: Int64, _ day: String, at: String) throws {
        try db.run("UPDATE tickets SET due = ?, updated = ? WHERE number = ?", [.text(day), .text(at), .integer(number)])
    }

    public func setType(_ number: Int64, _ type: String, at: String) throws {
        try db.run("UPDATE tickets SET type = ?, updated = ? WHERE number = ?", [.text(type), .text(at), .integer(number)])
    }

    @discardableResult
    public func removeParticipant(_ number: Int64, address: String) throws -> Bool {
        try db.run("DELETE FROM participants WHERE ticket = ? AND address = ?", [.integer(number), .text(address.lowercased())]) > 0
    }

    /// Resolved tickets whose time is up: resolved at or before `cutoff` (ISO 8601 UTC) with no customer reply
    /// since.
    public func resolvedBefore(_ cutoff: String) throws -> [Int64] {
        try db.query("""
            SELECT number FROM tickets INDEXED BY tickets_resolved WHERE status = 'resolved' AND resolved_at <= ?
              AND (last_customer_reply IS NULL OR last_customer_reply <= resolved_at) ORDER BY number
            """, [.text(cutoff)]).compactMap { $0[0].int }
    }

    /// Resolved tickets due for the reminder (resolved at or before `cutoff`) that have not had one since.
    public func remindersDue(_ cutoff: String) throws -> [Int64] {
        try db.query("""
            SELECT t.number FROM tickets t INDEXED BY tickets_resolved WHERE t.status = 'resolved' AND t.resolved_at <= ?
              AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.ticket = t.number AND a.action = 'reminder' AND a.at >= t.resolved_at)
            ORDER BY t.number
            """, [.text(cutoff)]).compactMap { $0[0].int }
    }

    public struct SummaryRow: Sendable, Hashable {
        public var number: Int64
        public var subject: String
        public var status: String
        public var assignee: String?
        public var due: String?
        public var updated: String
        public var requester: String
    }

    /// The tickets a customer may see (`TicketAccess.customerSees`): their own, those they are a Cc participant
    /// of, and, for a primary contact, their organization's. Newest first.
    public func visibleTickets(for address: String, limit: Int = 50) throws -> [SummaryRow] {
        let a = address.lowercased()
        return try db.query("""
            SELECT t.number, t.subject, t.status, ag.name, t.due, t.updated, c.address
            FROM tickets t JOIN customers c ON c.id = t.requester_id LEFT JOIN agents ag ON ag.id = t.assignee_id
            WHERE c.address = ?1
               OR t.number IN (SELECT ticket FROM participants WHERE address = ?1)
               OR c.organization_id IN (SELECT organization_id FROM customers WHERE address = ?1 AND is_primary_contact = 1
                                                                              AND organization_id IS NOT NULL)
            ORDER BY t.updated DESC, t.number DESC LIMIT ?2
            """, [.text(a), .integer(Int64(limit))]).map {
            SummaryRow(number: $0[0].int ?? 0, subject: $0[1].string ?? "", status: $0[2].string ?? "", assignee: $0[3].string,
                       due: $0[4].string, updated: $0[5].string ?? "", requester: $0[6].string ?? "")
        }
    }
}
