internal import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// A value bound to or read from SQLite.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var int: Int64? { if case .integer(let v) = self { return v }; return nil }
    public var string: String? { if case .text(let v) = self { return v }; return nil }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension Optional where Wrapped == String {
    public var sql: SQLValue { map { .text($0) } ?? .null }
}
extension Optional where Wrapped == Int64 {
    public var sql: SQLValue { map { .integer($0) } ?? .null }
}
extension Optional where Wrapped == Int {
    public var sql: SQLValue { map { .integer(Int64($0)) } ?? .null }
}

/// One row of a result, by column index or name.
public struct Row: Sendable {
    public var columns: [String]
    public var values: [SQLValue]

    public subscript(_ i: Int) -> SQLValue { values[i] }
    public subscript(_ name: String) -> SQLValue {
        guard let i = columns.firstIndex(of: name) else { return .null }
        return values[i]
    }
    public func int(_ name: String) -> Int64? { self[name].int }
    public func string(_ name: String) -> String? { self[name].string }
}

/// SQLITE_TRANSIENT is a cast macro Swift does not import: SQLite copies bound text/blobs at once.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A connection to one SQLite database file.
///
/// Not thread-safe by design: one connection belongs to one thread at a time (SQLite is built
/// serialized on Debian, but a connection's transactions must not interleave). Blocking calls
/// run on the caller's thread, which must not be a thread of the Swift concurrency pool.
public final class Database: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    public let path: String
    private var transactionDepth = 0

    /// Opens (creating if needed) the database at `path`, in WAL mode with foreign keys on and
    /// full durability (`synchronous=FULL`: a committed transaction survives a power loss).
    public init(path: String, busyTimeoutMilliseconds: Int32 = 5_000, readOnly: Bool = false) throws(StoreError) {
        self.path = path
        let inMemory = path == ":memory:"
        if !readOnly && !inMemory { try Self.createPrivately(path) }
        var db: OpaquePointer?
        var flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var name = path
        if readOnly && access(path + "-wal", F_OK) != 0 {
            // No -wal file: no connection has the database open, and every commit is in the main file. A plain
            // read-only open would create empty -wal and -shm files (and leave them); `immutable` reads the file
            // as it is and creates nothing.
            name = "file:" + Self.uriEscaped(path) + "?immutable=1"
            flags |= SQLITE_OPEN_URI
        }
        let rc = sqlite3_open_v2(name, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)
            throw StoreError(code: rc, message: "\(message): \(path)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        let pages = try query("PRAGMA page_count").first?[0].int ?? 0
        if !readOnly && !inMemory {
            // A new database gets 16 KB pages: support mail of 1 to 4 KB per row packs into them with little
            // waste (4 KB pages left a quarter of the messages table empty). Only possible before the first write.
            if pages == 0 {
                try execute("PRAGMA page_size=16384")
            }
            let mode = try query("PRAGMA journal_mode=WAL").first?[0].string ?? ""
            if mode.lowercased() != "wal" {
                throw StoreError(code: SQLITE_ERROR, message: "could not switch \(path) to WAL mode (got \(mode))")
            }
        }
        try execute("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;")
        // The page cache grows with the database: 1/256 of its size, from SQLite's 2 MB up to 64 MB. On years of
        // tickets it keeps the indexes' inner pages and the tables' growing ends in memory between transactions
        // (BENCHMARKS.md "Scale": ingest 10 % faster on 1,000,000 tickets); a small helpdesk keeps its small
        // footprint (a flat 64 MB cost the ingest benchmark 65 MB of RSS on a 115 MB database).
        let pageSize = try query("PRAGMA page_size").first?[0].int ?? 4096
        let kib = Self.cacheKiB(databaseBytes: pages * pageSize)
        try execute("PRAGMA cache_size=-\(kib)")
    }

    /// `path` for a `file:` URI: `%`, `?` and `#` percent-encoded.
    static func uriEscaped(_ path: String) -> String {
        var out = ""
        for c in path.unicodeScalars {
            switch c {
            case "%": out += "%25"
            case "?": out += "%3f"
            case "#": out += "%23"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Creates a missing database file empty with mode 0640 (the process's umask can only make it stricter),
    /// so that SQLite opens it instead of creating it with its default 0644 less the umask, which under
    /// `umask 0` would let every local user read the tickets. SQLite gives the `-wal` and `-shm` files the
    /// database file's mode. An empty file is a valid, empty database.
    static func createPrivately(_ path: String) throws(StoreError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        if fd >= 0 {
            close(fd)
            return
        }
        let e = errno
        // EEXIST: it is there (maybe created a moment ago by another process); anything else SQLite reports
        // in its own words when it opens the path.
        if e == EEXIST || e == ENOENT || e == EACCES || e == EROFS || e == EISDIR { return }
        let code = e == ENOSPC || e == EDQUOT ? SQLITE_FULL : e == EIO ? SQLITE_IOERR : SQLITE_CANTOPEN
        throw StoreError(code: code, message: "cannot create \(path): \(String(cString: strerror(e)))")
    }

    deinit {
        for (_, s) in statements { sqlite3_finalize(s) }
        sqlite3_close_v2(handle)
    }

    private func error(_ rc: Int32, sql: String?) -> StoreError {
        StoreError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Runs one or more statements without parameters or results.
    public func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw StoreError(code: rc, message: text, sql: sql)
        }
    }

    private func statement(_ sql: String) throws(StoreError) -> OpaquePointer {
        if let s = statements[sql] { return s }
        var s: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &s, nil)
        guard rc == SQLITE_OK, let s else { throw error(rc, sql: sql) }
        statements[sql] = s
        return s
    }

    private func bind(_ s: OpaquePointer, _ parameters: [SQLValue], sql: String) throws(StoreError) {
        for (i, value) in parameters.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(s, index)
            case .integer(let v): rc = sqlite3_bind_int64(s, index, v)
            case .real(let v): rc = sqlite3_bind_double(s, index, v)
            case .text(let v):
                // With its length, not as a C string: text with a NUL in it is stored whole, not cut there.
                var text = v
                rc = text.withUTF8 { utf8 in
                    // An empty string has no base address: bind "" (a static C string) rather than NULL (SQL NULL).
                    utf8.withMemoryRebound(to: CChar.self) { p in
                        p.baseAddress.map { sqlite3_bind_text(s, index, $0, Int32(utf8.count), transient) }
                            ?? sqlite3_bind_text(s, index, "", 0, transient)
                    }
                }
            case .blob(let v):
                rc = v.withUnsafeBytes { raw in
                    sqlite3_bind_blob64(s, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(raw.count), transient)
                }
            }
            if rc != SQLITE_OK { throw error(rc, sql: sql) }
        }
    }

    /// Runs a statement with bound parameters and returns every row.
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws(StoreError) -> [Row] {
        let s = try statement(sql)
        defer {
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
        }
        try bind(s, parameters, sql: sql)
        var rows: [Row] = []
        let count = sqlite3_column_count(s)
        var names: [String] = []
        for i in 0..<count { names.append(String(cString: sqlite3_column_name(s, i))) }
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc, sql: sql) }
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for i in 0..<count {
                switch sqlite3_column_type(s, i) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(s, i)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(s, i)))
                case SQLITE_TEXT:
                    let count = Int(sqlite3_column_bytes(s, i))
                    let text = sqlite3_column_text(s, i).map { String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self) } ?? ""
                    values.append(.text(text))
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(s, i))
                    if n == 0 { values.append(.blob([])) } else {
                        let p = sqlite3_column_blob(s, i)!
                        values.append(.blob(Array(UnsafeRawBufferPointer(start: p, count: n))))
                    }
                default: values.append(.null)
                }
            }
            rows.append(Row(columns: names, values: values))
        }
        return rows
    }

    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ parameters: [SQLValue] = []) throws(StoreError) -> Int {
        try query(sql, parameters)
        return Int(sqlite3_changes(handle))
    }

    /// The page cache for a database of `databaseBytes`: 1/256 of it, at least SQLite's default 2,000 KiB and at
    /// most 64 MiB.
    public static func cacheKiB(databaseBytes: Int64) -> Int64 {
        min(65_536, max(2_000, databaseBytes / 256 / 1024))
    }

    /// The rowid of the last inserted row.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` in one transaction (`BEGIN IMMEDIATE`, so the write lock is taken up front and a
    /// busy database fails fast instead of deadlocking). Nested calls join the outer transaction.
    /// Any error rolls everything back.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if transactionDepth > 0 {
            transactionDepth += 1
            defer { transactionDepth -= 1 }
            return try body()
        }
        try execute("BEGIN IMMEDIATE")
        transactionDepth = 1
        do {
            let result = try body()
            transactionDepth = 0
            do {
                try execute("COMMIT")
            } catch {
                try? execute("ROLLBACK")
                throw error
            }
            return result
        } catch {
            transactionDepth = 0
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// An online, consistent copy of this database into `destination` (SQLite's backup API).
    public func backup(to destination: String) throws(StoreError) {
        try Self.createPrivately(destination)
        var target: OpaquePointer?
        var rc = sqlite3_open_v2(destination, &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        defer { sqlite3_close_v2(target) }
        guard rc == SQLITE_OK, let target else { throw StoreError(code: rc, message: "cannot create \(destination)") }
        guard let b = sqlite3_backup_init(target, "main", handle, "main") else {
            throw StoreError(code: sqlite3_errcode(target), message: String(cString: sqlite3_errmsg(target)))
        }
        repeat {
            rc = sqlite3_backup_step(b, 256)
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { sqlite3_sleep(50) }
        } while rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED
        sqlite3_backup_finish(b)
        guard rc == SQLITE_DONE else { throw StoreError(code: rc, message: String(cString: sqlite3_errstr(rc))) }
    }
}
