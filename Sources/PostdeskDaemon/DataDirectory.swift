import PostdeskSystem
#if canImport(Glibc)
import Glibc
#endif

/// The layout of `data_dir`: raw mail, attachments (content-addressed), the quarantine.
///
///     data_dir/mail/YYYY-MM-DD/<key>.eml      every inbound mail as received (by day of arrival)
///     data_dir/attachments/ab/cd/<sha256>     decoded attachments, stored once per content
///     data_dir/quarantine/{new,cur,tmp}       mail that could not be processed
///     data_dir/quarantine/reasons/<id>.reason why, and where it came from (`.replayed` once replayed)
///     data_dir/portal/{new,cur,tmp}           what customers wrote in the portal, as mail, before and after ingest
///     data_dir/run/outbox-wake                touched by the portal after it queued mail: `run` watches run/
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
    /// The portal's maildir: `PortalDesk` writes each reply, new ticket and "people added" here as a message and
    /// ingests it at once through the ingest path; a message left by a crash is ingested at the next start.
    public var portal: Maildir { Maildir(path + "/portal") }
    /// The folder `postdesk run` watches (inotify) besides the maildirs; `wakeFile` in it is touched after the
    /// portal commits mail to the outbox, so the daemon sends it at once, without polling.
    public var runFolder: String { path + "/run" }
    public var wakeFile: String { runFolder + "/outbox-wake" }

    /// Tells a running daemon that the outbox has new mail: opens the wake file for writing and closes it
    /// (inotify's IN_CLOSE_WRITE on `run/`). Nothing is written; the file stays empty.
    public func wakeOutbox() throws(SystemError) {
        let fd = open(wakeFile, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, Self.fileMode)
        if fd < 0 { throw SystemError("open", path: wakeFile, errno: errno) }
        close(fd)
    }

    /// Creates the folders (private to the service's user and group: mode 0750).
    public func prepare() throws(SystemError) {
        try FileSystem.makeDirectories(path + "/mail", mode: Self.folderMode)
        try FileSystem.makeDirectories(path + "/attachments", mode: Self.folderMode)
        try quarantine.create(mode: Self.folderMode)
        try FileSystem.makeDirectories(reasons, mode: Self.folderMode)
        try portal.create(mode: Self.folderMode)
        try FileSystem.makeDirectories(runFolder, mode: Self.folderMode)
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
    /// `FileSystem.syncFiles`). A file already there is reused only when it holds exactly these bytes (size,
    /// then the bytes); anything else (a zero-length leftover of a crash, a truncated or foreign file) is
    /// replaced through a tmp file and a rename. Either way the caller must sync the file before relying on
    /// it: a leftover of a killed batch was never synced. Returns what happened.
    @discardableResult
    public func storeOnce(_ bytes: [UInt8], at file: String) throws(SystemError) -> Stored {
        if FileSystem.kind(of: file) == .file {
            if FileSystem.contentEquals(file, bytes) { return .reused }
            try FileSystem.writeReplacing(file, bytes, mode: Self.fileMode)
            return .repaired
        }
        try prepareFolder(for: file)
        try FileSystem.writeReplacing(file, bytes, mode: Self.fileMode)
        return .written
    }

    public enum Stored: Sendable, Hashable {
        /// There was no file: written.
        case written
        /// A file with exactly these bytes was there: kept.
        case reused
        /// A file with other content (size or bytes) was there: replaced.
        case repaired
    }

    /// A quarantine ID for a mail of `mailbox` named `unique` in its maildir that no quarantined mail, reason
    /// or replayed record uses yet: `<mailbox>.<unique>`, then `.2`, `.3` ... Two mailboxes may hold the same
    /// maildir name, and one mail may be quarantined again after a replay.
    public func freeQuarantineID(mailbox: String, unique: String) -> String {
        takenQuarantineIDs(mailbox: mailbox, unique: unique).free
    }

    /// The IDs of this mailbox's maildir name already in use (earlier quarantines of it, or of a mail of the
    /// same name), and the first free one.
    public func takenQuarantineIDs(mailbox: String, unique: String) -> (taken: [String], free: String) {
        let safeMailbox = String(mailbox.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        let base = safeMailbox + "." + unique
        var taken: [String] = []
        var id = base
        var n = 1
        while isQuarantineIDTaken(id) {
            taken.append(id)
            n += 1
            id = base + "." + String(n)
        }
        return (taken, id)
    }

    func isQuarantineIDTaken(_ id: String) -> Bool {
        let q = quarantine.path
        return [q + "/new/" + id, q + "/cur/" + id, q + "/tmp/" + id, reasons + "/" + id + ".reason", reasons + "/" + id + ".replayed"]
            .contains { FileSystem.kind(of: $0) != nil }
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
