import PostdeskSystem
#if canImport(Glibc)
import Glibc
#endif

/// The layout of `data_dir`: raw mail, attachments (content-addressed), the quarantine.
///
///     data_dir/mail/YYYY-MM-DD/<key>.eml      every inbound mail as received (by day of arrival)
///     data_dir/attachments/ab/cd/<sha256>     decoded attachments, stored once per content
///     data_dir/quarantine/{new,cur,tmp}       mail that could not be processed
///     data_dir/quarantine/reasons/<id>.reason why, and where it came from
public struct DataDirectory: Sendable {
    public let path: String

    public init(_ path: String) { self.path = path }

    /// Folders are the service's and its group's to read (0750), files too (0640): mail, attachments and
    /// quarantined messages hold customers' data. Set at creation, so the process's umask can only make them
    /// stricter, never looser (a `umask 0` in a unit or a shell gives the same modes).
    public static let folderMode: mode_t = 0o750
    public static let fileMode: mode_t = 0o640

    public var quarantine: Maildir { Maildir(path + "/quarantine") }
    public var reasons: String { path + "/quarantine/reasons" }

    /// Creates the folders (private to the service's user and group: mode 0750).
    public func prepare() throws(SystemError) {
        try FileSystem.makeDirectories(path + "/mail", mode: Self.folderMode)
        try FileSystem.makeDirectories(path + "/attachments", mode: Self.folderMode)
        try quarantine.create(mode: Self.folderMode)
        try FileSystem.makeDirectories(reasons, mode: Self.folderMode)
    }

    /// Where the raw mail with this key is kept. By day of arrival, so that a batch's new entries share one
    /// folder (one directory sync per batch) and old days can be archived as whole folders.
    public func rawMailPath(key: String, day: String) -> String {
        path + "/mail/" + day + "/" + key + ".eml"
    }

    public func attachmentPath(sha256: String) -> String {
        let h = Array(sha256)
        return path + "/attachments/" + String(h[0..<2]) + "/" + String(h[2..<4]) + "/" + sha256
    }

    /// Stores content once under its name (not yet synced: the caller syncs a batch with
    /// `FileSystem.syncFiles`). Returns whether it wrote; an existing file is left as it is.
    @discardableResult
    public func storeOnce(_ bytes: some Collection<UInt8>, at file: String) throws(SystemError) -> Bool {
        if FileSystem.kind(of: file) == .file { return false }
        try prepareFolder(for: file)
        try FileSystem.writeReplacing(file, bytes, mode: Self.fileMode)
        return true
    }

    /// Creates the folder a data file goes in, durably (up to two new levels: ab/cd).
    public func prepareFolder(for file: String) throws(SystemError) {
        let dir = FileSystem.directoryName(file)
        if FileSystem.kind(of: dir) == .directory { return }
        try FileSystem.makeDirectories(dir, mode: Self.folderMode)
        let parent = FileSystem.directoryName(dir)
        try FileSystem.syncDirectory(parent)
        try FileSystem.syncDirectory(FileSystem.directoryName(parent))
    }
}
