import PostdeskCore

/// Postdesk's database: the connection plus the operations the services and commands use.
///
/// Each method is one statement or a few; callers group them with `transaction` so that one decision
/// (one inbound mail, one command) is one atomic step.
public final class Store: @unchecked Sendable {
    public let db: Database

    /// Opens the database at `path` and brings its schema to the latest version.
    public init(path: String) throws {
        db = try Database(path: path)
        try Migrations.migrate(db)
    }

    /// Opens the database at `path` read-only, as it is: no file is created and nothing migrated (`explain`).
    /// A database at another schema version than this binary's is refused with what to do.
    public init(readOnlyPath path: String) throws {
        db = try Database(path: path, readOnly: true)
        let version = try Migrations.version(db)
        if version != Migrations.latest {
            throw StoreError(code: 1, message: version < Migrations.latest
                ? "the database \(path) is at schema version \(version), older than this Postdesk's (\(Migrations.latest)); `postdesk run` migrates it at its start"
                : "the database \(path) is at schema version \(version), newer than this Postdesk (\(Migrations.latest)); upgrade Postdesk")
        }
    }

    /// An empty database in memory, at the latest schema: what `explain` reads when there is no database yet.
    public static func empty() throws -> Store { try Store(path: ":memory:") }

    public func transaction<T>(_ body: () throws -> T) throws -> T { try db.transaction(body) }

    // MARK: - Ingestion ledger

    public struct IngestedRecord: Sendable, Hashable {
        public var outcome: String
        public var ticket: Int64?
        public var message: Int64?
    }

    public func ingested(key: String) throws -> IngestedRecord? {
        try db.query("SELECT outcome, ticket, message FROM ingested WHERE key = ?", [.text(key)]).first.map {
            IngestedRecord(outcome: $0.string("outcome") ?? "", ticket: $0.int("ticket"), message: $0.int("message"))
        }
    }

    public func recordIngested(key: String, messageID: String?, mailbox: String, outcome: String, ticket: Int64?, message: Int64?, at: String) throws {
        try db.run("INSERT INTO ingested (key, message_id, mailbox, outcome, ticket, message, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [.text(key), messageID.sql, .text(mailbox), .text(outcome), ticket.sql, message.sql, .text(at)])
    }

    // MARK: - People

    /// The customer with this address, created (unconfirmed) if new. Linked to the organization of its mail
    /// domain when one exists.
    public func customer(address: String, name: String?, at: String) throws -> Int64 {
        let a = address.lowercased()
        if let row = try db.query("SELECT id, name FROM customers WHERE address = ?", [.text(a)]).first, let id = row.int("id") {
            if row.string("name") == nil, let name, !name.isEmpty {
                try db.run("UPDATE customers SET name = ? WHERE id = ?", [.text(name), .integer(id)])
            }
            return id
        }
        let domain = a.split(separator: "@").last.map(String.init) ?? ""
        let org = try db.query("SELECT id FROM organizations WHERE domain = ?", [.text(domain)]).first?.int("id")
        try db.run("INSERT INTO customers (address, name, organization_id, created) VALUES (?, ?, ?, ?)",
                   [.text(a), name.sql, org.sql, .text(at)])
        return db.lastInsertRowID
    }

    /// What `syncAgents` changed: config agents that left the config (kept inactive, with their history) and
    /// sections renamed (the same address under a new key).
    public struct AgentSync: Sendable {
        public var deactivated: [(key: String, address: String)] = []
        public var renamed: [(from: String, to: String, address: String)] = []
        public init() {}
    }

    /// Makes the agents table say what the config says. A config agent is found by its address first (a
    /// renamed section is the same agent under a new key), else by its key (a changed address); an agent added
    /// with `agents add` whose address the config now names becomes a config agent. Config agents the config no
    /// longer names stay as inactive rows (tickets, assignments and the audit log refer to them) and are no
    /// longer agents. Call inside a transaction.
    @discardableResult
    public func syncAgents(_ agents: [(key: String, address: String, name: String)], at: String) throws -> AgentSync {
        var report = AgentSync()
        for a in agents {
            let address = a.address.lowercased()
            let byAddress = try db.query("SELECT id, key FROM agents WHERE address = ?", [.text(address)]).first
            let byKey = try db.query("SELECT id, address, source FROM agents WHERE key = ?", [.text(a.key)]).first
            if let row = byAddress, let id = row.int("id") {
                if let other = byKey?.int("id"), other != id { try moveAside(other, key: a.key) }
                let old = row.string("key") ?? ""
                if old != a.key { report.renamed.append((from: old, to: a.key, address: address)) }
                try db.run("UPDATE agents SET key = ?, name = ?, source = 'config', active = 1 WHERE id = ?",
                           [.text(a.key), .text(a.name), .integer(id)])
            } else if let row = byKey, let id = row.int("id"), row.string("source") == "config" {
                try db.run("UPDATE agents SET address = ?, name = ?, source = 'config', active = 1 WHERE id = ?",
                           [.text(address), .text(a.name), .integer(id)])
            } else {
                // A key an agent added by command holds: the config's section takes it, theirs gets a number.
                if let other = byKey?.int("id") { try moveAside(other, key: a.key) }
                try db.run("INSERT INTO agents (key, address, name, source, created) VALUES (?, ?, ?, 'config', ?)",
                           [.text(a.key), .text(address), .text(a.name), .text(at)])
            }
        }
        let named = Set(agents.map { $0.address.lowercased() })
        for row in try db.query("SELECT id, key, address FROM agents WHERE source = 'config' AND active = 1 ORDER BY key") {
            guard let id = row.int("id"), let address = row.string("address"), !named.contains(address) else { continue }
            try db.run("UPDATE agents SET active = 0 WHERE id = ?", [.integer(id)])
            report.deactivated.append((key: row.string("key") ?? "", address: address))
        }
        return report
    }

    /// Whether the agents table already says what the config says (then a start or reload writes nothing, and
    /// works while another process holds the write lock).
    public func agentsMatch(_ agents: [(key: String, address: String, name: String)]) throws -> Bool {
        let rows = try db.query("SELECT key, address, name FROM agents WHERE source = 'config' AND active = 1")
            .map { "\($0.string("key") ?? "")\u{1}\($0.string("address") ?? "")\u{1}\($0.string("name") ?? "")" }
        return rows.count == agents.count && Set(rows) == Set(agents.map { "\($0.key)\u{1}\($0.address.lowercased())\u{1}\($0.name)" })
    }

    /// Gives the row `id` a key no other row has (`key2`, `key3`, ...), so that a config section may take `key`.
    private func moveAside(_ id: Int64, key: String) throws {
        var n = 2
        while try db.query("SELECT 1 FROM agents WHERE key = ?", [.text("\(key)\(n)")]).first != nil { n += 1 }
        try db.run("UPDATE agents SET key = ? WHERE id = ?", [.text("\(key)\(n)"), .integer(id)])
    }

    /// Every active agent (config and command line): the one list of who is an agent.
    public func activeAgents() throws -> [(key: String, address: String, name: String, source: String)] {
        try db.query("SELECT key, address, name, source FROM agents WHERE active = 1 ORDER BY id").map {
            (key: $0.string("key") ?? "", address: $0.string("address") ?? "", name: $0.string("name") ?? "", source: $0.string("source") ?? "")
        }
    }


    // MARK: - Tickets

    /// Routing's view of a ticket: status, queue, requester, and everyone who may write on it (its people and
    /// `agents`, the addresses of the agents there are).
    public func ticketFacts(_ number: Int64, agents: Set<String>) throws -> TicketFacts? {
        guard let row = try db.query("""
            SELECT t.number, t.status, t.queue, c.address AS requester, c.organization_id AS org
            FROM tickets t JOIN customers c ON c.id = t.requester_id WHERE t.number = ?
            """, [.integer(number)]).first,
            let status = TicketStatus(rawValue: row.string("status") ?? "")
        else { return nil }
        let cc = Set(try db.query("SELECT address FROM participants WHERE ticket = ?", [.integer(number)]).compactMap { $0.string("address") })
        var primary: Set<String> = []
        if let org = row.int("org") {
            primary = Set(try db.query("SELECT address FROM customers WHERE organization_id = ? AND is_primary_contact = 1",
                                       [.integer(org)]).compactMap { $0.string("address") })
        }
        return Self.facts(number, status, queue: row.string("queue") ?? "", requester: row.string("requester") ?? "", cc: cc,
                          primary: primary, agents: agents)
    }

    /// `ticketFacts` of several tickets in three queries (a page of the portal's list), the same facts as one by one.
    /// Tickets that do not exist are missing from the result.
    public func ticketFacts(_ numbers: [Int64], agents: Set<String>) throws -> [Int64: TicketFacts] {
        guard !numbers.isEmpty else { return [:] }
        let list = numbers.map(String.init).joined(separator: ", ")
        var base: [(number: Int64, status: TicketStatus, queue: String, requester: String, org: Int64?)] = []
        for r in try db.query("""
            SELECT t.number, t.status, t.queue, c.address, c.organization_id FROM tickets t JOIN customers c ON c.id = t.requester_id
            WHERE t.number IN (\(list))
            """) {
            guard let n = r[0].int, let status = TicketStatus(rawValue: r[1].string ?? "") else { continue }
            base.append((n, status, r[2].string ?? "", r[3].string ?? "", r[4].int))
        }
        var cc: [Int64: Set<String>] = [:]
        for r in try db.query("SELECT ticket, address FROM participants WHERE ticket IN (\(list))") {
            if let n = r[0].int, let a = r[1].string { cc[n, default: []].insert(a) }
        }
        let orgs = Set(base.compactMap(\.org))
        var primary: [Int64: Set<String>] = [:]
        if !orgs.isEmpty {
            let orgList = orgs.map(String.init).joined(separator: ", ")
            for r in try db.query("SELECT organization_id, address FROM customers WHERE organization_id IN (\(orgList)) AND is_primary_contact = 1") {
                if let o = r[0].int, let a = r[1].string { primary[o, default: []].insert(a) }
            }
        }
        var out: [Int64: TicketFacts] = [:]
        for b in base {
            out[b.number] = Self.facts(b.number, b.status, queue: b.queue, requester: b.requester, cc: cc[b.number] ?? [],
                                       primary: b.org.flatMap { primary[$0] } ?? [], agents: agents)
        }
        return out
    }

    /// The facts from what the queries read: everyone who may write is the Cc participants, the agents and the
    /// primary contacts.
    private static func facts(_ number: Int64, _ status: TicketStatus, queue: String, requester: String, cc: Set<String>,
                              primary: Set<String>, agents: Set<String>) -> TicketFacts {
        TicketFacts(number: number, status: status, queue: queue, requester: requester, participants: cc.union(agents).union(primary),
                    ccCount: cc.count, cc: cc, primaryContacts: primary)
    }

    /// The ticket a Message-ID belongs to (seen inbound or sent by Postdesk).
    public func ticket(forMessageID id: String) throws -> Int64? {
        try db.query("SELECT ticket FROM message_ids WHERE message_id = ?", [.text(id)]).first?.int("ticket")
    }

    /// A new ticket (status new, unassigned). `reference` is a ticket the mail named but may not join (kept as
    /// `#N` in `customer_reference`); `origin` is `mail` or `portal`.
    public func createTicket(subject: String, queue: String, requester: Int64, followUpOf: Int64?, reference: Int64?,
                             language: String?, origin: String = "mail", at: String) throws -> Int64 {
        try db.run("""
            INSERT INTO tickets (subject, status, queue, requester_id, follow_up_of, customer_reference, language, created, updated, last_customer_reply, origin)
            VALUES (?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(subject), .text(queue), .integer(requester), followUpOf.sql, reference.map { "#\($0)" }.sql, language.sql,
                  .text(at), .text(at), .text(at), .text(origin)])
        return db.lastInsertRowID
    }

    /// The customer's own reference for a ticket (an order number), as given on the portal's new-ticket form.
    public func setCustomerReference(_ number: Int64, _ reference: String?, at: String) throws {
        try db.run("UPDATE tickets SET customer_reference = ?, updated = ? WHERE number = ?", [reference.sql, .text(at), .integer(number)])
    }

    public func setStatus(_ number: Int64, _ status: TicketStatus, at: String) throws {
        let sql: String
        switch status {
        case .resolved: sql = "UPDATE tickets SET status = ?1, updated = ?2, resolved_at = ?2 WHERE number = ?3"
        case .closed: sql = "UPDATE tickets SET status = ?1, updated = ?2, closed_at = ?2 WHERE number = ?3"
        case .open, .pending, .new: sql = "UPDATE tickets SET status = ?1, updated = ?2, resolved_at = NULL WHERE number = ?3"
        }
        try db.run(sql, [.text(status.rawValue), .text(at), .integer(number)])
    }

    public func touch(_ number: Int64, customerReply: Bool, at: String) throws {
        try db.run(customerReply ? "UPDATE tickets SET updated = ?1, last_customer_reply = ?1 WHERE number = ?2"
                                 : "UPDATE tickets SET updated = ?1 WHERE number = ?2",
                   [.text(at), .integer(number)])
    }

    public func addParticipant(_ number: Int64, address: String, name: String?, at: String) throws -> Bool {
        try db.run("INSERT OR IGNORE INTO participants (ticket, address, name, role, added) VALUES (?, ?, ?, 'cc', ?)",
                   [.integer(number), .text(address.lowercased()), name.sql, .text(at)]) > 0
    }

    // MARK: - Messages

    public struct NewMessage: Sendable {
        public var ticket: Int64?
        public var direction: String
        public var visibility: String
        public var kind: String
        public var authorAddress: String?
        public var authorName: String?
        public var messageID: String?
        public var date: String
        public var subject: String?
        public var text: String
        public var quoted: String?
        public var html: String?
        public var rawPath: String?
        public var automatic: String?
        public var routing: String?
        /// verified, failed or unverified (SenderAuthentication) for inbound mail; nil for outbound.
        public var senderAuth: String? = nil
        /// `mail`, or `portal` for what a customer wrote in the portal.
        public var origin = "mail"

        public init(ticket: Int64?, direction: String, visibility: String, kind: String, authorAddress: String?, authorName: String?,
                    messageID: String?, date: String, subject: String?, text: String, quoted: String?, html: String?,
                    rawPath: String?, automatic: String?, routing: String?, senderAuth: String? = nil) {
            self.senderAuth = senderAuth
            self.ticket = ticket; self.direction = direction; self.visibility = visibility; self.kind = kind
            self.authorAddress = authorAddress; self.authorName = authorName; self.messageID = messageID; self.date = date
            self.subject = subject; self.text = text; self.quoted = quoted; self.html = html; self.rawPath = rawPath
            self.automatic = automatic; self.routing = routing
        }
    }

    public func addMessage(_ m: NewMessage, at: String) throws -> Int64 {
        try db.run("""
            INSERT INTO messages (ticket, direction, visibility, kind, author_address, author_name, message_id, date, subject, text,
                                  quoted, html, raw_path, automatic, routing, created, sender_auth, origin)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [m.ticket.sql, .text(m.direction), .text(m.visibility), .text(m.kind), m.authorAddress.sql, m.authorName.sql,
                  m.messageID.sql, .text(m.date), m.subject.sql, .text(m.text), m.quoted.sql, m.html.sql, m.rawPath.sql,
                  m.automatic.sql, m.routing.sql, .text(at), m.senderAuth.sql, .text(m.origin)])
        let id = db.lastInsertRowID
        if let ticket = m.ticket, let mid = m.messageID {
            try db.run("INSERT OR IGNORE INTO message_ids (message_id, ticket, message) VALUES (?, ?, ?)",
                       [.text(mid), .integer(ticket), .integer(id)])
        }
        return id
    }

    /// Records a Message-ID Postdesk sent about a ticket without a thread message (agents' notices).
    public func addMessageID(_ id: String, ticket: Int64) throws {
        try db.run("INSERT OR IGNORE INTO message_ids (message_id, ticket, message) VALUES (?, ?, NULL)", [.text(id), .integer(ticket)])
    }

    public func addAttachment(message: Int64, filename: String?, contentType: String, size: Int, sha256: String, inline: Bool, contentID: String?) throws {
        try db.run("INSERT INTO attachments (message, filename, content_type, size, sha256, inline, content_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [.integer(message), filename.sql, .text(contentType), .integer(Int64(size)), .text(sha256), .integer(inline ? 1 : 0), contentID.sql])
    }

    /// Indexes a message for `tickets search` (subject, body, references, requester).
    public func index(message: Int64, subject: String, body: String, references: String, requester: String) throws {
        try db.run("INSERT INTO search (rowid, subject, body, refs, requester) VALUES (?, ?, ?, ?, ?)",
                   [.integer(message), .text(subject), .text(body), .text(references), .text(requester)])
    }

    public func audit(ticket: Int64?, actor: String, action: String, detail: String?, cause: Int64?, at: String) throws {
        try db.run("INSERT INTO audit (ticket, at, actor, action, detail, cause_message) VALUES (?, ?, ?, ?, ?, ?)",
                   [ticket.sql, .text(at), .text(actor), .text(action), detail.sql, cause.sql])
    }
}
