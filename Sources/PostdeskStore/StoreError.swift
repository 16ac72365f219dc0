/// A failed SQLite call: the result code, SQLite's message, and the statement it was running.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The primary SQLite result code (SQLITE_BUSY = 5, SQLITE_FULL = 13, ...).
    public var code: Int32
    public var message: String
    public var sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The database was locked by someone else for longer than the busy timeout: try again later.
    public var isBusy: Bool { code & 0xFF == 5 || code & 0xFF == 6 }
    /// The disk (or the database's size limit) is full: try again when there is room.
    public var isFull: Bool { code & 0xFF == 13 }
    /// A temporary condition: the same work may succeed later.
    public var isTemporary: Bool { isBusy || isFull || code & 0xFF == 10 /* IOERR */ }

    public var description: String {
        if let sql { return "SQLite error \(code): \(message) (in: \(sql.prefix(120)))" }
        return "SQLite error \(code): \(message)"
    }
}
