/// Inbound limits: token buckets and held tickets (PostdeskDaemon's Ingestor+Limits).
extension Store {
    public struct Bucket: Sendable, Hashable {
        public var tokens: Double
        public var updated: Int64
        public init(tokens: Double, updated: Int64) { self.tokens = tokens; self.updated = updated }
    }

    public func bucket(_ key: String) throws -> Bucket? {
        try db.query("SELECT tokens, updated FROM inbound_buckets WHERE key = ?", [.text(key)]).first.map {
            Bucket(tokens: Self.number($0["tokens"]), updated: $0.int("updated") ?? 0)
        }
    }

    public func setBucket(_ key: String, _ bucket: Bucket) throws {
        try db.run("""
            INSERT INTO inbound_buckets (key, tokens, updated) VALUES (?1, ?2, ?3)
            ON CONFLICT(key) DO UPDATE SET tokens = ?2, updated = ?3
            """, [.text(key), .real(bucket.tokens), .integer(bucket.updated)])
    }

    static func number(_ v: SQLValue) -> Double {
        switch v {
        case .real(let d): return d
        case .integer(let i): return Double(i)
        default: return 0
        }
    }

    /// Forgets buckets untouched since `cutoff` (long full again: the same as having none). Returns how many.
    @discardableResult
    public func purgeBuckets(before cutoff: Int64) throws -> Int {
        try db.run("DELETE FROM inbound_buckets WHERE updated < ?", [.integer(cutoff)])
    }

    /// The requester's held ticket that is still open, if any.
    public func openHeldTicket(requester: Int64) throws -> Int64? {
        try db.query("""
            SELECT number FROM tickets WHERE requester_id = ? AND type = 'held' AND status IN ('new', 'open', 'pending')
            ORDER BY number DESC LIMIT 1
            """, [.integer(requester)]).first?.int("number")
    }

    /// Messages held since `since` (ISO 8601) on the held tickets still open (mail over a limit only ever goes
    /// to those). Through the held tickets' partial index and each one's messages, never a scan of `messages`
    /// (which took 0.25 to 0.75 s at 600,000 messages, every 10 s, for the daemon's STATUS line).
    public func heldMessages(since: String) throws -> Int {
        Int(try db.query("""
            SELECT count(*) FROM tickets t INDEXED BY tickets_held JOIN messages m ON m.ticket = t.number
            WHERE t.type = 'held' AND t.status IN ('new', 'open', 'pending') AND m.direction = 'in' AND m.created >= ?
            """, [.text(since)]).first?[0].int ?? 0)
    }
}
