import PostdeskCore

/// What the operator's commands read and copy: counts (`stats`), the ticket export (`export`), an online copy
/// of the database (`backup`), and the outbox rows a command queued.
extension Store {
    // MARK: - Counts

    public struct Counts: Sendable, Hashable {
        public var tickets: Int
        /// Every status, zeros included (`TicketStatus.allCases` gives the lifecycle order).
        public var byStatus: [TicketStatus: Int]
        /// Mail received (customers', agents', bounces, automatic mail); notes are not mail.
        public var messagesIn: Int
        /// Mail Postdesk sent or queued about tickets, as the threads record it.
        public var messagesOut: Int
        public var outboxPending: Int
        public var outboxFailed: Int
        /// Delivery status notifications received.
        public var bounces: Int
    }

    /// The counts of `postdesk stats`, read in one transaction so they agree with each other.
    public func counts() throws -> Counts {
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        var perStatus: [String: Int] = [:]
        for r in try db.query("SELECT status, count(*) FROM tickets GROUP BY status") {
            perStatus[r[0].string ?? ""] = Int(r[1].int ?? 0)
        }
        let m = try db.query("""
            SELECT count(*) FILTER (WHERE direction = 'in' AND kind != 'note'),
                   count(*) FILTER (WHERE direction = 'in' AND kind = 'bounce')
            FROM messages
            """).first
        // Mail out is what Postdesk wrote (to customers and agents), from the outbox: agents' notices are not
        // thread messages; those forgotten after keep_sent are counted in outbox_forgotten. Mail held back by the
        // auto-reply rules was never written.
        let o = try db.query("""
            SELECT (SELECT count(*) FROM outbox WHERE status = 'queued'), (SELECT count(*) FROM outbox WHERE status = 'failed'),
                   (SELECT count(*) FROM outbox WHERE status != 'suppressed') + coalesce((SELECT mails FROM outbox_forgotten), 0)
            """).first
        return Counts(
            tickets: perStatus.values.reduce(0, +),
            byStatus: Dictionary(uniqueKeysWithValues: TicketStatus.allCases.map { ($0, perStatus[$0.rawValue] ?? 0) }),
            messagesIn: Int(m?[0].int ?? 0), messagesOut: Int(o?[2].int ?? 0), outboxPending: Int(o?[0].int ?? 0),
            outboxFailed: Int(o?[1].int ?? 0), bounces: Int(m?[1].int ?? 0))
    }

    // MARK: - Export

    /// One ticket as `postdesk export` writes it (the columns of a reseller's export).
    public struct ExportRow: Sendable, Hashable {
        public var number: Int64
        public var customerReference: String?
        public var created: String
        public var requester: String
        public var requesterName: String?
        /// The requester's organization: its name, else its domain.
        public var company: String?
        public var subject: String
        public var status: String
        public var assignee: String?
        public var priority: String
        public var due: String?
        public var updated: String
        public var resolvedAt: String?
        public var closedAt: String?

        public static let columns = ["number", "customer_reference", "created", "requester", "requester_name", "company", "subject",
                                     "status", "assignee", "priority", "due", "updated", "resolved_at", "closed_at"]

        /// The fields in the order of `columns`; nil is an empty field.
        public var fields: [String] {
            [String(number), customerReference ?? "", created, requester, requesterName ?? "", company ?? "", subject, status,
             assignee ?? "", priority, due ?? "", updated, resolvedAt ?? "", closedAt ?? ""]
        }
    }

    /// Tickets created from `from` to `to` (calendar days `YYYY-MM-DD` in UTC, both included; nil: no bound),
    /// oldest first. Times are stored in UTC, so the day is the first ten characters.
    public func exportRows(from: String?, to: String?) throws -> [ExportRow] {
        try db.query("""
            SELECT t.number, t.customer_reference, t.created, c.address, c.name, coalesce(o.name, o.domain), t.subject, t.status,
                   a.address, t.priority, t.due, t.updated, t.resolved_at, t.closed_at
            FROM tickets t JOIN customers c ON c.id = t.requester_id
                 LEFT JOIN organizations o ON o.id = c.organization_id LEFT JOIN agents a ON a.id = t.assignee_id
            WHERE (?1 IS NULL OR substr(t.created, 1, 10) >= ?1) AND (?2 IS NULL OR substr(t.created, 1, 10) <= ?2)
            ORDER BY t.number
            """, [from.sql, to.sql]).map { r in
            ExportRow(number: r[0].int ?? 0, customerReference: r[1].string, created: r[2].string ?? "", requester: r[3].string ?? "",
                      requesterName: r[4].string, company: r[5].string, subject: r[6].string ?? "", status: r[7].string ?? "",
                      assignee: r[8].string, priority: r[9].string ?? "normal", due: r[10].string, updated: r[11].string ?? "",
                      resolvedAt: r[12].string, closedAt: r[13].string)
        }
    }

    // MARK: - Backup

    /// What a finished copy holds, read back from the copy itself.
    public struct BackupCheck: Sendable, Hashable {
        /// `PRAGMA integrity_check`'s answer: "ok", or the problems it found.
        public var integrity: String
        public var schemaVersion: Int
        public var tickets: Int
    }

    /// An online, consistent copy of the database at `source` into `destination` (a new or empty file), with
    /// SQLite's backup API. The schema is not migrated first: the copy is the database as it is.
    ///
    /// The copy runs inside one read transaction on the source, so it is one snapshot: writers in other
    /// processes go on meanwhile (WAL), and the backup never restarts because of them (without the held
    /// snapshot SQLite restarts a backup whenever another process writes between two steps, which on a busy
    /// database may never finish). A source that cannot be read within the busy timeout (another process holds
    /// it exclusively) throws a busy `StoreError`.
    public static func backup(database source: String, to destination: String, busyTimeoutMilliseconds: Int32 = 5_000) throws(StoreError) {
        let db = try Database(path: source, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        try db.execute("BEGIN")
        do {
            // The snapshot starts with the first read.
            _ = try db.query("SELECT count(*) FROM sqlite_schema")
            try db.backup(to: destination)
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
        try db.execute("COMMIT")
    }

    /// Opens a copy and checks it: integrity, schema version, tickets.
    public static func checkCopy(_ path: String) throws(StoreError) -> BackupCheck {
        let db = try Database(path: path)
        let integrity = try db.query("PRAGMA integrity_check").compactMap { $0[0].string }.joined(separator: "\n")
        let version = try Migrations.version(db)
        let tickets = version >= 1 ? Int(try db.query("SELECT count(*) FROM tickets").first?[0].int ?? 0) : 0
        return BackupCheck(integrity: integrity, schemaVersion: version, tickets: tickets)
    }

    // MARK: - What a command queued

    public struct QueuedMail: Sendable, Hashable {
        public var kind: String
        public var recipient: String
        /// `queued`, or `suppressed` with the reason in `note`.
        public var status: String
        public var note: String?
    }

    /// The highest outbox id so far (0 when empty): a command reads what it queued with `outbox(after:)`.
    public func lastOutboxID() throws -> Int64 {
        try db.query("SELECT coalesce(max(id), 0) FROM outbox").first?[0].int ?? 0
    }

    public func outbox(after id: Int64) throws -> [QueuedMail] {
        try db.query("SELECT kind, recipient, status, last_error FROM outbox WHERE id > ? ORDER BY id", [.integer(id)]).map {
            QueuedMail(kind: $0[0].string ?? "", recipient: $0[1].string ?? "", status: $0[2].string ?? "", note: $0[3].string)
        }
    }
}
