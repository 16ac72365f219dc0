/// The outbox: mail waiting to be sent, sent, failed, or suppressed (with the reason).
extension Store {
    public struct OutboxEntry: Sendable, Hashable {
        public var id: Int64
        public var ticket: Int64?
        public var kind: String
        public var recipient: String
        public var envelopeFrom: String
        public var messageID: String
        public var automatic: Bool
        public var language: String?
        public var raw: [UInt8]
        public var status: String
        public var queuedAt: Int64
        public var nextAttempt: Int64
        public var attempts: Int
        public var lastError: String?
    }

    public struct NewOutboxEntry: Sendable {
        public var ticket: Int64?
        public var kind: String
        public var recipient: String
        public var envelopeFrom: String
        public var messageID: String
        public var automatic: Bool
        public var language: String?
        public var raw: [UInt8]
        public var causeMessage: Int64?
        /// Whether it counts toward the recipient's auto-reply caps: automatic mail to a customer (agents' notices
        /// are never capped).
        public var countsTowardCaps: Bool
        public init(ticket: Int64?, kind: String, recipient: String, envelopeFrom: String, messageID: String, automatic: Bool,
                    language: String?, raw: [UInt8], causeMessage: Int64?, countsTowardCaps: Bool? = nil) {
            self.ticket = ticket; self.kind = kind; self.recipient = recipient; self.envelopeFrom = envelopeFrom
            self.messageID = messageID; self.automatic = automatic; self.language = language; self.raw = raw
            self.causeMessage = causeMessage; self.countsTowardCaps = countsTowardCaps ?? automatic
        }
    }

    /// Queues a mail, due at once: its record in `outbox`, its bytes in `outbox_text`. Call it inside the
    /// transaction of the change that causes the mail.
    @discardableResult
    public func enqueue(_ e: NewOutboxEntry, now: Int64) throws -> Int64 {
        try db.run("""
            INSERT INTO outbox (ticket, kind, recipient, envelope_from, message_id, automatic, language, status, queued_at,
                                next_attempt, cause_message, counted)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)
            """, [e.ticket.sql, .text(e.kind), .text(e.recipient), .text(e.envelopeFrom), .text(e.messageID),
                  .integer(e.automatic ? 1 : 0), e.language.sql, .integer(now), .integer(now), e.causeMessage.sql,
                  .integer(e.countsTowardCaps ? 1 : 0)])
        let id = db.lastInsertRowID
        try db.run("INSERT INTO outbox_text (id, raw) VALUES (?, ?)", [.integer(id), .blob(e.raw)])
        return id
    }

    /// Records a mail that was not sent, and why (loop prevention, rate caps): visible in `explain` and the log.
    public func recordSuppressed(ticket: Int64?, kind: String, recipient: String, reason: String, causeMessage: Int64?, now: Int64) throws {
        try db.run("""
            INSERT INTO outbox (ticket, kind, recipient, envelope_from, message_id, automatic, status, queued_at, next_attempt,
                                last_error, done_at, cause_message)
            VALUES (?, ?, ?, '', 'suppressed-' || lower(hex(randomblob(12))), 1, 'suppressed', ?, ?, ?, ?, ?)
            """, [ticket.sql, .text(kind), .text(recipient), .integer(now), .integer(now), .text(reason), .integer(now), causeMessage.sql])
    }

    /// How many automatic mails went (or are queued) to `recipient` since `recent` and since `since` (the
    /// earlier moment, at most a day ago: older mail no longer counts), in one look at the index.
    public func automaticMailCounts(to recipient: String, recent: Int64, since: Int64) throws -> (recent: Int, since: Int) {
        let row = try db.query("""
            SELECT count(*) FILTER (WHERE queued_at >= ?), count(*) FROM outbox
            WHERE recipient = ? AND counted = 1 AND queued_at >= ?
            """, [.integer(recent), .text(recipient), .integer(since)]).first
        return (Int(row?[0].int ?? 0), Int(row?[1].int ?? 0))
    }

    /// How long automatic mail counts toward the caps (the longest cap is per day).
    public static let capsWindow: Int64 = 86_400

    /// Takes mail queued before `cutoff` out of the caps' index, which so holds one day of automatic mail instead
    /// of every one ever sent (a random-keyed index that grew with the years). Returns how many.
    @discardableResult
    public func uncountAutomaticMail(queuedBefore cutoff: Int64) throws -> Int {
        try db.run("UPDATE outbox SET counted = 0 WHERE counted = 1 AND queued_at < ?", [.integer(cutoff)])
    }

    /// Queued mail whose time has come, oldest first.
    public func dueOutbox(now: Int64, limit: Int) throws -> [OutboxEntry] {
        try db.query("""
            SELECT o.id, ticket, kind, recipient, envelope_from, message_id, automatic, language, coalesce(t.raw, x''), status,
                   queued_at, next_attempt, attempts, last_error
            FROM outbox o LEFT JOIN outbox_text t ON t.id = o.id
            WHERE status = 'queued' AND next_attempt <= ? ORDER BY next_attempt, o.id LIMIT ?
            """, [.integer(now), .integer(Int64(limit))]).map(Self.outboxEntry)
    }

    /// When the next queued mail is due (nil: nothing queued).
    public func nextOutboxAttempt() throws -> Int64? {
        try db.query("SELECT min(next_attempt) FROM outbox WHERE status = 'queued'").first?[0].int
    }

    /// Records a delivery. The text stays until `dropSentText` (keep_sent) takes it.
    public func markSent(_ id: Int64, answer: String, now: Int64) throws {
        try db.run("UPDATE outbox SET status = 'sent', attempts = attempts + 1, last_error = ?, done_at = ? WHERE id = ?",
                   [.text(answer), .integer(now), .integer(id)])
        try db.run("UPDATE outbox_text SET sent_at = ? WHERE id = ?", [.integer(now), .integer(id)])
    }

    public func reschedule(_ id: Int64, error: String, next: Int64) throws {
        try db.run("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ? WHERE id = ?",
                   [.text(error), .integer(next), .integer(id)])
    }

    public func markFailed(_ id: Int64, error: String, now: Int64) throws {
        try db.run("UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, done_at = ? WHERE id = ?",
                   [.text(error), .integer(now), .integer(id)])
    }

    /// Forgets the text of mail sent before `cutoff`, the longest sent first and at most `limit` mails (one
    /// short transaction at a time). A customer's record stays: kind, recipient, Message-ID and times are what
    /// their threading, the auto-reply caps, welcome confirmations and `explain` read. Agents' notices of new
    /// tickets and replies go altogether (one per agent and ticket: a large team's would outgrow the tickets):
    /// they only repeated the thread, and their Message-IDs stay in `message_ids`, so an agent's reply still
    /// finds the ticket; an internal note's notice stays (a reply to it must stay internal). `outbox_forgotten`
    /// keeps their number for `stats`. Returns how many mails lost their text.
    @discardableResult
    public func dropSentText(sentBefore cutoff: Int64, limit: Int) throws -> Int {
        try db.transaction {
            let ids = try db.query("SELECT id FROM outbox_text WHERE sent_at IS NOT NULL AND sent_at < ? ORDER BY sent_at LIMIT ?",
                                   [.integer(cutoff), .integer(Int64(limit))]).compactMap { $0[0].int }
            guard !ids.isEmpty else { return 0 }
            let list = SQLValue.text("[" + ids.map(String.init).joined(separator: ",") + "]")
            try db.run("DELETE FROM outbox_text WHERE id IN (SELECT value FROM json_each(?))", [list])
            let forgotten = try db.run("""
                DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?)) AND kind IN ('agent_new_ticket', 'agent_customer_reply')
                """, [list])
            if forgotten > 0 {
                try db.run("""
                    INSERT INTO outbox_forgotten (id, mails) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET mails = mails + excluded.mails
                    """, [.integer(Int64(forgotten))])
            }
            return ids.count
        }
    }

    static func outboxEntry(_ r: Row) -> OutboxEntry {
        var raw: [UInt8] = []
        if case .blob(let b) = r[8] { raw = b }
        return OutboxEntry(
            id: r[0].int ?? 0, ticket: r[1].int, kind: r[2].string ?? "", recipient: r[3].string ?? "", envelopeFrom: r[4].string ?? "",
            messageID: r[5].string ?? "", automatic: r[6].int == 1, language: r[7].string, raw: raw, status: r[9].string ?? "",
            queuedAt: r[10].int ?? 0, nextAttempt: r[11].int ?? 0, attempts: Int(r[12].int ?? 0), lastError: r[13].string)
    }

    /// The Message-IDs of a ticket's thread, oldest first: the first one is the thread's root.
    public func threadMessageIDs(_ ticket: Int64) throws -> [String] {
        try db.query("SELECT message_id FROM messages WHERE ticket = ? AND message_id IS NOT NULL ORDER BY id", [.integer(ticket)])
            .compactMap { $0[0].string }
    }

    /// The ticket's Message-IDs a customer may see in threading headers: the ticket's first message, what they
    /// wrote, and what Postdesk sent them. Never a stranger's mail on the ticket, nor an agent's own Message-ID.
    public func threadMessageIDs(_ ticket: Int64, seenBy recipient: String) throws -> [String] {
        try db.query("""
            SELECT message_id FROM messages
            WHERE ticket = ?1 AND message_id IS NOT NULL
              AND ((direction = 'in' AND author_address = ?2)
                   OR message_id IN (SELECT message_id FROM outbox WHERE ticket = ?1 AND recipient = ?2)
                   OR id = (SELECT min(id) FROM messages WHERE ticket = ?1))
            ORDER BY id
            """, [.integer(ticket), .text(recipient.lowercased())]).compactMap { $0[0].string }
    }
}

extension Store {
    /// What mail about a ticket needs: its subject and people, the customer's language and time zone.
    public struct MailContext: Sendable {
        public var number: Int64
        public var subject: String
        public var queue: String
        public var status: String
        public var created: String
        public var requester: String
        public var requesterName: String?
        public var customerLanguage: String?
        public var customerTimezone: String?
        public var ticketLanguage: String?
        public var assigneeAddress: String?
        public var assigneeName: String?
        /// The due date, `YYYY-MM-DD`.
        public var due: String?
        public var participants: [(address: String, name: String?)]

        public init(number: Int64, subject: String, queue: String, status: String, created: String, requester: String,
                    requesterName: String?, customerLanguage: String?, customerTimezone: String?, ticketLanguage: String?,
                    assigneeAddress: String?, assigneeName: String?, due: String? = nil, participants: [(address: String, name: String?)]) {
            self.number = number; self.subject = subject; self.queue = queue; self.status = status; self.created = created
            self.requester = requester; self.requesterName = requesterName; self.customerLanguage = customerLanguage
            self.customerTimezone = customerTimezone; self.ticketLanguage = ticketLanguage; self.assigneeAddress = assigneeAddress
            self.assigneeName = assigneeName; self.due = due; self.participants = participants
        }
    }

    public func mailContext(ticket number: Int64) throws -> MailContext? {
        guard let r = try db.query("""
            SELECT t.number, t.subject, t.queue, t.status, t.created, c.address, c.name, c.language, c.timezone, t.language,
                   a.address, a.name, t.due
            FROM tickets t JOIN customers c ON c.id = t.requester_id LEFT JOIN agents a ON a.id = t.assignee_id
            WHERE t.number = ?
            """, [.integer(number)]).first
        else { return nil }
        let participants = try db.query("SELECT address, name FROM participants WHERE ticket = ? ORDER BY added, address", [.integer(number)])
            .map { (address: $0[0].string ?? "", name: $0[1].string) }
        return MailContext(
            number: number, subject: r[1].string ?? "", queue: r[2].string ?? "", status: r[3].string ?? "", created: r[4].string ?? "",
            requester: r[5].string ?? "", requesterName: r[6].string, customerLanguage: r[7].string, customerTimezone: r[8].string,
            ticketLanguage: r[9].string, assigneeAddress: r[10].string, assigneeName: r[11].string, due: r[12].string, participants: participants)
    }

    /// An internal note on a ticket written by Postdesk itself (a mail that could not be delivered, ...).
    public func addSystemNote(ticket: Int64, text: String, at: String) throws {
        _ = try addMessage(NewMessage(
            ticket: ticket, direction: "out", visibility: "internal", kind: "note", authorAddress: nil, authorName: "Postdesk",
            messageID: nil, date: at, subject: nil, text: text, quoted: nil, html: nil, rawPath: nil, automatic: nil, routing: nil), at: at)
    }
}

extension Store {
    public struct CustomerSettings: Sendable, Hashable {
        public var id: Int64
        public var name: String?
        public var language: String?
        public var timezone: String?
        public var organization: Int64?
        public var isPrimaryContact: Bool
    }

    public func customerSettings(address: String) throws -> CustomerSettings? {
        guard let r = try db.query("SELECT id, name, language, timezone, organization_id, is_primary_contact FROM customers WHERE address = ?",
                                   [.text(address.lowercased())]).first
        else { return nil }
        return CustomerSettings(id: r[0].int ?? 0, name: r[1].string, language: r[2].string, timezone: r[3].string,
                                organization: r[4].int, isPrimaryContact: r[5].int == 1)
    }
}
