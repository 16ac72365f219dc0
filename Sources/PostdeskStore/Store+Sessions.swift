/// The portal's sessions and mailed sign-in links (migration 9): only SHA-256 hashes of the ids and tokens are
/// stored, so a copy of the database signs nobody in. Times are Unix seconds.
extension Store {
    // MARK: - Sessions

    /// A session row with what the portal needs of its customer.
    public struct SessionRow: Sendable, Hashable {
        public var idHash: String
        public var customerID: Int64
        public var csrf: String
        public var created: Int64
        public var lastSeen: Int64
        public var address: String
        public var name: String?
        public var language: String?
        public var timezone: String?
        public var isPrimaryContact: Bool
    }

    public func createSession(idHash: String, customer: Int64, csrf: String, now: Int64, client: String?, userAgent: String?) throws {
        try db.run("""
            INSERT INTO portal_sessions (id_hash, customer_id, csrf, created, last_seen, client, user_agent)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.text(idHash), .integer(customer), .text(csrf), .integer(now), .integer(now), client.sql,
                  userAgent.map { .text(String($0.prefix(200))) } ?? .null])
    }

    public func session(idHash: String) throws -> SessionRow? {
        try db.query("""
            SELECT s.id_hash, s.customer_id, s.csrf, s.created, s.last_seen, c.address, c.name, c.language, c.timezone,
                   c.is_primary_contact
            FROM portal_sessions s JOIN customers c ON c.id = s.customer_id WHERE s.id_hash = ?
            """, [.text(idHash)]).first.map {
            SessionRow(idHash: $0.string("id_hash") ?? "", customerID: $0.int("customer_id") ?? 0, csrf: $0.string("csrf") ?? "",
                       created: $0.int("created") ?? 0, lastSeen: $0.int("last_seen") ?? 0, address: $0.string("address") ?? "",
                       name: $0.string("name"), language: $0.string("language"), timezone: $0.string("timezone"),
                       isPrimaryContact: $0.int("is_primary_contact") == 1)
        }
    }

    public func touchSession(idHash: String, now: Int64) throws {
        try db.run("UPDATE portal_sessions SET last_seen = ? WHERE id_hash = ?", [.integer(now), .text(idHash)])
    }

    public func deleteSession(idHash: String) throws {
        try db.run("DELETE FROM portal_sessions WHERE id_hash = ?", [.text(idHash)])
    }

    /// Ends every session of `customer` but `keeping` (a password change). Returns how many ended.
    @discardableResult
    public func deleteSessions(customer: Int64, keeping: String? = nil) throws -> Int {
        try db.run("DELETE FROM portal_sessions WHERE customer_id = ? AND id_hash IS NOT ?", [.integer(customer), keeping.sql])
    }

    public func sessionCount(customer: Int64) throws -> Int {
        Int(try db.query("SELECT count(*) FROM portal_sessions WHERE customer_id = ?", [.integer(customer)]).first?[0].int ?? 0)
    }

    /// Forgets sessions idle since `idleBefore` or made before `createdBefore`, and links expired before
    /// `linksBefore`. Returns how many rows went.
    @discardableResult
    public func purgePortal(idleBefore: Int64, createdBefore: Int64, linksBefore: Int64) throws -> Int {
        try db.run("DELETE FROM portal_sessions WHERE last_seen < ? OR created < ?", [.integer(idleBefore), .integer(createdBefore)])
            + db.run("DELETE FROM portal_links WHERE expires < ?", [.integer(linksBefore)])
    }

    // MARK: - Sign-in links

    public func addLink(tokenHash: String, customer: Int64, next: String?, client: String?, now: Int64, expires: Int64) throws {
        try db.run("""
            INSERT INTO portal_links (token_hash, customer_id, next, client, created, expires) VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(tokenHash), .integer(customer), next.sql, client.sql, .integer(now), .integer(expires)])
    }

    /// Spends a live link (not used, not expired): its customer and `next`, or nil (unknown, used, expired).
    /// The update is the check, so two requests with the same token cannot both win.
    public func useLink(tokenHash: String, now: Int64) throws -> (customer: Int64, next: String?)? {
        try db.transaction {
            let changed = try db.run("UPDATE portal_links SET used_at = ?1 WHERE token_hash = ?2 AND used_at IS NULL AND expires > ?1",
                                     [.integer(now), .text(tokenHash)])
            guard changed == 1,
                  let row = try db.query("SELECT customer_id, next FROM portal_links WHERE token_hash = ?", [.text(tokenHash)]).first,
                  let customer = row.int("customer_id") else { return nil }
            return (customer, row.string("next"))
        }
    }

    /// A customer's account by id (for a link, which knows only the id).
    public func customerAddress(id: Int64) throws -> String? {
        try db.query("SELECT address FROM customers WHERE id = ?", [.integer(id)]).first?.string("address")
    }
}
