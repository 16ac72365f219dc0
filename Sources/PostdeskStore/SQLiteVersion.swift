internal import CSQLite

/// The SQLite library Postdesk runs on (the store proper arrives with ingestion).
public enum SQLiteLibrary {
    /// The version string of the linked SQLite, such as `3.40.1`.
    public static var version: String { String(cString: sqlite3_libversion()) }
}
