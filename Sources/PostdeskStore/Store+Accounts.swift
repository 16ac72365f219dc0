import PostdeskCore

/// Customer accounts, organizations, CLI agents and one-time codes.
extension Store {
    // MARK: - Customers

    public struct CustomerAccount: Sendable, Hashable {
        public var id: Int64
        public var address: String
        public var name: String?
        public var organization: String?
        public var organizationName: String?
        public var isPrimaryContact: Bool
        public var language: String?
        public var timezone: String?
        public var confirmedAt: String?
        public var invitedAt: String?
        public var hasPassword: Bool
        public var created: String
        public var tickets: Int
        public var openTickets: Int
    }

    private static let accountColumns = """
        SELECT c.id, c.address, c.name, o.domain, o.name AS org_name, c.is_primary_contact, c.language, c.timezone,
               c.confirmed_at, c.invited_at, c.password_hash IS NOT NULL AS has_password, c.created,
               (SELECT count(*) FROM tickets t WHERE t.requester_id = c.id) AS tickets,
               (SELECT count(*) FROM tickets t WHERE t.requester_id = c.id AND t.status IN ('new', 'open', 'pending')) AS open_tickets
        FROM customers c LEFT JOIN organizations o ON o.id = c.organization_id
        """

    private func account(_ row: Row) -> CustomerAccount {
        CustomerAccount(
            id: row.int("id") ?? 0, address: row.string("address") ?? "", name: row.string("name"), organization: row.string("domain"),
            organizationName: row.string("org_name"), isPrimaryContact: row.int("is_primary_contact") == 1,
            language: row.string("language"), timezone: row.string("timezone"), confirmedAt: row.string("confirmed_at"),
            invitedAt: row.string("invited_at"), hasPassword: row.int("has_password") == 1, created: row.string("created") ?? "",
            tickets: Int(row.int("tickets") ?? 0), openTickets: Int(row.int("open_tickets") ?? 0))
    }

    public func customerAccount(address: String) throws -> CustomerAccount? {
        try db.query(Self.accountColumns + " WHERE c.address = ?", [.text(address.lowercased())]).first.map(account)
    }

    public func customerAccounts(organization: String? = nil) throws -> [CustomerAccount] {
        if let organization {
            return try db.query(Self.accountColumns + " WHERE o.domain = ? ORDER BY c.address", [.text(organization.lowercased())]).map(account)
        }
        return try db.query(Self.accountColumns + " ORDER BY c.address").map(account)
    }

    /// Changes the given fields of a customer's account (nil leaves a field as it is).
    public func updateCustomer(_ id: Int64, name: String? = nil, language: String? = nil, timezone: String? = nil,
                               primaryContact: Bool? = nil) throws {
        if let name { try db.run("UPDATE customers SET name = ? WHERE id = ?", [.text(name), .integer(id)]) }
        if let language { try db.run("UPDATE customers SET language = ? WHERE id = ?", [.text(language), .integer(id)]) }
        if let timezone { try db.run("UPDATE customers SET timezone = ? WHERE id = ?", [.text(timezone), .integer(id)]) }
        if let primaryContact {
            try db.run("UPDATE customers SET is_primary_contact = ? WHERE id = ?", [.integer(primaryContact ? 1 : 0), .integer(id)])
        }
    }

    public func markInvited(_ id: Int64, at: String) throws {
        try db.run("UPDATE customers SET invited_at = ? WHERE id = ?", [.text(at), .integer(id)])
    }

    /// Confirms the account (the first confirmation counts). True when this call confirmed it.
    @discardableResult
    public func confirmCustomer(_ id: Int64, at: String) throws -> Bool {
        try db.run("UPDATE customers SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL", [.text(at), .integer(id)]) > 0
    }

    public func setPasswordHash(_ id: Int64, hash: String, at: String) throws {
        try db.run("UPDATE customers SET password_hash = ?, password_set_at = ? WHERE id = ?", [.text(hash), .text(at), .integer(id)])
    }

    public func passwordHash(_ id: Int64) throws -> String? {
        try db.query("SELECT password_hash FROM customers WHERE id = ?", [.integer(id)]).first?.string("password_hash")
    }

    /// The welcome mail among these Message-IDs (a reply's In-Reply-To and References): its recipient.
    public func welcomeRecipient(answering ids: [String]) throws -> String? {
        for id in ids {
            if let r = try db.query("SELECT recipient FROM outbox WHERE message_id = ? AND kind = 'welcome'", [.text(id)]).first {
                return r.string("recipient")
            }
        }
        return nil
    }

    /// Whether Postdesk sent this Message-ID as a notice of an internal note (replies to it stay internal).
    public func isInternalNotice(messageID: String) throws -> Bool {
        try db.query("SELECT 1 FROM outbox WHERE message_id = ? AND kind = 'agent_internal_note'", [.text(messageID)]).first != nil
    }

    // MARK: - Organizations

    public struct OrganizationRow: Sendable, Hashable {
        public var domain: String
        public var name: String?
        public var customers: Int
        public var primaryContacts: [String]
    }

    /// Creates (or renames) the organization of `domain` and links every customer of that domain to it.
    /// Returns how many customers it now has.
    @discardableResult
    public func addOrganization(domain: String, name: String?, at: String) throws -> Int {
        let d = domain.lowercased()
        try db.run("""
            INSERT INTO organizations (domain, name, created) VALUES (?1, ?2, ?3)
            ON CONFLICT(domain) DO UPDATE SET name = coalesce(?2, name)
            """, [.text(d), name.sql, .text(at)])
        guard let id = try db.query("SELECT id FROM organizations WHERE domain = ?", [.text(d)]).first?.int("id") else { return 0 }
        try db.run("UPDATE customers SET organization_id = ?1 WHERE organization_id IS NULL AND address LIKE ?2 ESCAPE '\\'",
                   [.integer(id), .text("%@" + Self.likeEscaped(d))])
        return Int(try db.query("SELECT count(*) FROM customers WHERE organization_id = ?", [.integer(id)]).first?[0].int ?? 0)
    }

    public func organizations() throws -> [OrganizationRow] {
        try db.query("""
            SELECT o.domain, o.name, count(c.id) AS customers,
                   group_concat(CASE WHEN c.is_primary_contact = 1 THEN c.address END, ' ') AS primaries
            FROM organizations o LEFT JOIN customers c ON c.organization_id = o.id
            GROUP BY o.id ORDER BY o.domain
            """).map {
            OrganizationRow(domain: $0.string("domain") ?? "", name: $0.string("name"), customers: Int($0.int("customers") ?? 0),
                            primaryContacts: ($0.string("primaries") ?? "").split(separator: " ").map(String.init).sorted())
        }
    }

    static func likeEscaped(_ s: String) -> String {
        var o = ""
        for c in s {
            if c == "%" || c == "_" || c == "\\" { o.append("\\") }
            o.append(c)
        }
        return o
    }

    // MARK: - Agents added from the command line

    public struct AgentListing: Sendable, Hashable {
        public var key: String
        public var address: String
        public var name: String
        public var source: String
        public var active: Bool
        public var assigned: Int
    }

    public func agentListing() throws -> [AgentListing] {
        try db.query("""
            SELECT a.key, a.address, a.name, a.source, a.active,
                   (SELECT count(*) FROM tickets t WHERE t.assignee_id = a.id AND t.status IN ('new', 'open', 'pending')) AS assigned
            FROM agents a ORDER BY a.key
            """).map {
            AgentListing(key: $0.string("key") ?? "", address: $0.string("address") ?? "", name: $0.string("name") ?? "",
                         source: $0.string("source") ?? "", active: $0.int("active") == 1, assigned: Int($0.int("assigned") ?? 0))
        }
    }

    /// Adds an agent from the command line; its key is the address's local part, made unique. Returns the
    /// key, or nil when an agent with this address already exists.
    public func addAgent(address: String, name: String, at: String) throws -> String? {
        let a = address.lowercased()
        if let row = try db.query("SELECT id, key, active FROM agents WHERE address = ?", [.text(a)]).first {
            // A former agent (removed, or gone from the config) comes back under their old key, with their history.
            guard row.int("active") == 0, let id = row.int("id") else { return nil }
            try db.run("UPDATE agents SET name = ?, source = 'cli', active = 1 WHERE id = ?", [.text(name), .integer(id)])
            return row.string("key")
        }
        let local = String(a.split(separator: "@").first ?? "agent")
        var key = local
        var n = 2
        while try db.query("SELECT 1 FROM agents WHERE key = ?", [.text(key)]).first != nil {
            key = "\(local)\(n)"
            n += 1
        }
        try db.run("INSERT INTO agents (key, address, name, source, created) VALUES (?, ?, ?, 'cli', ?)",
                   [.text(key), .text(a), .text(name), .text(at)])
        return key
    }

    /// Retires an agent added with `postdesk agents add` (the row stays: tickets and the audit log refer to
    /// it). Returns its key, or nil when no active command-line agent has this address.
    public func removeAgent(address: String) throws -> String? {
        let a = address.lowercased()
        guard let row = try db.query("SELECT id, key FROM agents WHERE address = ? AND source = 'cli' AND active = 1", [.text(a)]).first,
              let id = row.int("id") else { return nil }
        try db.run("UPDATE agents SET active = 0 WHERE id = ?", [.integer(id)])
        return row.string("key")
    }

    /// Agents added with `postdesk agents add` (the config's agents come from the config itself).
    public func commandLineAgents() throws -> [(key: String, address: String, name: String)] {
        try db.query("SELECT key, address, name FROM agents WHERE source = 'cli' AND active = 1 ORDER BY key").map {
            (key: $0.string("key") ?? "", address: $0.string("address") ?? "", name: $0.string("name") ?? "")
        }
    }

    // MARK: - One-time codes

    public struct LiveCode: Sendable, Hashable {
        public var id: Int64
        public var hash: String
        public var attempts: Int
    }

    /// Codes issued since `since` (seconds): for one customer, or for everyone when `customer` is nil.
    public func codesIssued(customer: Int64?, since: Int64) throws -> Int {
        if let customer {
            return Int(try db.query("SELECT count(*) FROM account_codes WHERE customer_id = ? AND created >= ?",
                                    [.integer(customer), .integer(since)]).first?[0].int ?? 0)
        }
        return Int(try db.query("SELECT count(*) FROM account_codes WHERE created >= ?", [.integer(since)]).first?[0].int ?? 0)
    }

    /// Codes issued since `since` at the request of one client (`ip:ADDRESS`, or `domain:DOMAIN` when the
    /// client's address is unknown): the per-client limit on codes by mail.
    public func codesIssued(client: String, since: Int64) throws -> Int {
        Int(try db.query("SELECT count(*) FROM account_codes WHERE client = ? AND created >= ?",
                         [.text(client), .integer(since)]).first?[0].int ?? 0)
    }

    /// Stores a new code's hash; the customer's earlier codes stop working. `client` is who asked by mail.
    public func addCode(customer: Int64, hash: String, requestedBy: String, now: Int64, expires: Int64, client: String? = nil) throws {
        try db.run("UPDATE account_codes SET superseded = 1 WHERE customer_id = ? AND used_at IS NULL", [.integer(customer)])
        try db.run("INSERT INTO account_codes (customer_id, code_hash, requested_by, created, expires, client) VALUES (?, ?, ?, ?, ?, ?)",
                   [.integer(customer), .text(hash), .text(requestedBy), .integer(now), .integer(expires), client.sql])
    }

    /// The customer's one code that can still be used at `now`, if any.
    public func liveCode(customer: Int64, now: Int64, maxAttempts: Int) throws -> LiveCode? {
        try db.query("""
            SELECT id, code_hash, attempts FROM account_codes
            WHERE customer_id = ? AND used_at IS NULL AND superseded = 0 AND expires > ? AND attempts < ?
            ORDER BY id DESC LIMIT 1
            """, [.integer(customer), .integer(now), .integer(Int64(maxAttempts))]).first.map {
            LiveCode(id: $0.int("id") ?? 0, hash: $0.string("code_hash") ?? "", attempts: Int($0.int("attempts") ?? 0))
        }
    }

    public func codeAttemptFailed(_ id: Int64) throws {
        try db.run("UPDATE account_codes SET attempts = attempts + 1 WHERE id = ?", [.integer(id)])
    }

    public func codeUsed(_ id: Int64, now: Int64) throws {
        try db.run("UPDATE account_codes SET used_at = ? WHERE id = ?", [.integer(now), .integer(id)])
    }

    /// Forgets codes issued before `cutoff` (long expired; kept until then for the rate limit). Returns how many.
    @discardableResult
    public func purgeCodes(issuedBefore cutoff: Int64) throws -> Int {
        try db.run("DELETE FROM account_codes WHERE created < ?", [.integer(cutoff)])
    }
}
