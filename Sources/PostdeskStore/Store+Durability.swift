/// The ledger's side of "nothing is lost": which maildir names are Postdesk's, and the rows a mail with a
/// given Message-ID left (for the exactly-once check across key versions).
extension Store {
    // MARK: - Maildir names

    /// Records that the maildir file `name` (its unique part) of `mailbox` is ingested (or a duplicate of
    /// ingested mail), so a copy flagged Seen in cur/ is known without reading it.
    public func recordMaildirName(mailbox: String, name: String) throws {
        try db.run("INSERT OR IGNORE INTO maildir_names (mailbox, name) VALUES (?, ?)", [.text(mailbox), .text(name)])
    }

    /// Whether the maildir file `name` (its unique part) of `mailbox` was taken in by Postdesk.
    public func isIngestedMaildirName(mailbox: String, name: String) throws -> Bool {
        try !db.query("SELECT 1 FROM maildir_names WHERE mailbox = ? AND name = ?", [.text(mailbox), .text(name)]).isEmpty
    }

    // MARK: - Rows by Message-ID

    /// A ledger row of a mail with this Message-ID, with where its raw mail is kept (when it has a message).
    public struct IngestedByMessageID: Sendable, Hashable {
        public var key: String
        public var record: IngestedRecord
        public var rawPath: String?
    }

    /// Whether the ledger holds rows written under the earlier (parsed-content) key, before schema 7: only then
    /// can a mail be recorded under a key other than its raw-bytes one.
    public func hasLegacyLedgerRows() throws -> Bool {
        (try db.query("SELECT rows FROM ledger_legacy").first?.int("rows") ?? 0) > 0
    }

    public func ingested(messageID: String) throws -> [IngestedByMessageID] {
        try db.query("""
            SELECT i.key, i.outcome, i.ticket, i.message, m.raw_path FROM ingested i LEFT JOIN messages m ON m.id = i.message
            WHERE i.message_id = ? LIMIT 20
            """, [.text(messageID)]).map {
            IngestedByMessageID(key: $0.string("key") ?? "",
                                record: IngestedRecord(outcome: $0.string("outcome") ?? "", ticket: $0.int("ticket"), message: $0.int("message")),
                                rawPath: $0.string("raw_path"))
        }
    }
}
