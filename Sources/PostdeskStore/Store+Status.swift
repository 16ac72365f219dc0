/// The few numbers the daemon shows in systemd's STATUS line.
extension Store {
    public struct DaemonCounts: Sendable, Hashable {
        public var unassigned: Int
        public var open: Int
        public var outboxQueued: Int
        public var outboxFailed: Int
    }

    /// Unassigned and open tickets, queued and failed mail: one query over small partial indexes.
    public func daemonCounts() throws -> DaemonCounts {
        let r = try db.query("""
            SELECT (SELECT count(*) FROM tickets WHERE assignee_id IS NULL AND status IN ('new', 'open', 'pending')),
                   (SELECT count(*) FROM tickets WHERE status IN ('new', 'open', 'pending')),
                   (SELECT count(*) FROM outbox WHERE status = 'queued'),
                   (SELECT count(*) FROM outbox WHERE status = 'failed')
            """).first
        return DaemonCounts(unassigned: Int(r?[0].int ?? 0), open: Int(r?[1].int ?? 0),
                            outboxQueued: Int(r?[2].int ?? 0), outboxFailed: Int(r?[3].int ?? 0))
    }
}
