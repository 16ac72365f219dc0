#if canImport(Glibc)
import Glibc
#endif

/// A maildir, by qmail's rules: mail arrives in `new/` (written in `tmp/` and renamed by the MTA); a reader
/// takes it from `new/` and moves it to `cur/` with an info suffix (`:2,S` once seen). `tmp/` is never read.
public struct Maildir: Sendable, Hashable {
    public let path: String

    public init(_ path: String) { self.path = path }

    /// One message waiting in the maildir.
    public struct Entry: Sendable, Hashable {
        /// `new` or `cur`.
        public var folder: String
        /// The file name (unique name plus, in `cur/`, the `:2,FLAGS` info).
        public var name: String
        public var path: String
        /// The unique part of the name (before `:`).
        public var unique: String { name.split(separator: ":", maxSplits: 1).first.map(String.init) ?? name }
    }

    /// Whether `new/`, `cur/` and `tmp/` all exist.
    public var exists: Bool {
        ["new", "cur", "tmp"].allSatisfy { FileSystem.kind(of: path + "/" + $0) == .directory }
    }

    /// Creates the three folders if they are missing.
    public func create(mode: mode_t = 0o750) throws(SystemError) {
        for sub in ["new", "cur", "tmp"] { try FileSystem.makeDirectories(path + "/" + sub, mode: mode) }
    }

    /// Mail by the flags alone, oldest name first: everything in `new/`, and messages in `cur/` not flagged
    /// seen. Postdesk's ingestion does not use this: another reader may flag mail Seen before Postdesk took it
    /// in, so the Ingestor asks its ledger about Seen names in `cur/` (`Ingestor.pendingEntries`).
    public func pending() throws(SystemError) -> [Entry] {
        var entries: [Entry] = []
        for name in try FileSystem.list(path + "/new") where !name.hasPrefix(".") {
            entries.append(Entry(folder: "new", name: name, path: path + "/new/" + name))
        }
        for name in try FileSystem.list(path + "/cur") where !name.hasPrefix(".") && !Self.isSeen(name) {
            entries.append(Entry(folder: "cur", name: name, path: path + "/cur/" + name))
        }
        return entries.sorted { Self.arrivalKey($0.name) < Self.arrivalKey($1.name) }
    }

    /// The messages in `new/` or `cur/` (names starting with a dot are not mail), in arrival order.
    public func entries(in folder: String) throws(SystemError) -> [Entry] {
        try FileSystem.list(path + "/" + folder).filter { !$0.hasPrefix(".") }
            .map { Entry(folder: folder, name: $0, path: path + "/" + folder + "/" + $0) }
            .sorted { Self.arrivalKey($0.name) < Self.arrivalKey($1.name) }
    }

    /// Sorts entries of both folders in arrival order.
    public static func inArrivalOrder(_ entries: [Entry]) -> [Entry] {
        entries.sorted { arrivalKey($0.name) < arrivalKey($1.name) }
    }

    /// Arrival order from a maildir name: the leading seconds, then the microseconds after "M" in the second
    /// part (Postfix writes `SECS.VdevIinodeMusec.host`, Postdesk `SECS.Musec...`), compared as numbers: the
    /// microseconds are not zero-padded, so the names alone sort "M99999" after "M100000". Then the name.
    static func arrivalKey(_ name: String) -> (Int64, Int64, String) {
        let parts = name.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        let seconds = parts.first.flatMap { Int64($0) } ?? Int64.max
        var micro: Int64 = 0
        if parts.count > 1, let m = parts[1].lastIndex(of: "M") {
            micro = Int64(parts[1][parts[1].index(after: m)...].prefix(while: { $0.isASCII && $0.isNumber })) ?? 0
        }
        return (seconds, micro, name)
    }

    /// The flags after `:2,` (empty when there is no info).
    static func flags(_ name: String) -> String {
        let parts = name.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[1].hasPrefix("2,") else { return "" }
        return String(parts[1].dropFirst(2))
    }

    public static func isSeen(_ name: String) -> Bool { flags(name).contains("S") }

    /// Moves a processed message to `cur/` with the seen flag, then syncs the folders.
    @discardableResult
    public func markSeen(_ entry: Entry) throws(SystemError) -> String {
        let target = try markSeenUnsynced(entry)
        try FileSystem.syncDirectory(path + "/cur")
        if entry.folder == "new" { try FileSystem.syncDirectory(path + "/new") }
        return target
    }

    /// Moves a processed message to `cur/` with the seen flag without syncing: call `syncFolders` after a
    /// batch of these.
    @discardableResult
    public func markSeenUnsynced(_ entry: Entry) throws(SystemError) -> String {
        var flags = Self.flags(entry.name)
        if !flags.contains("S") { flags = String((flags + "S").sorted()) }
        let target = path + "/cur/" + entry.unique + ":2," + flags
        try FileSystem.rename(entry.path, to: target)
        return target
    }

    /// Makes the renames of a batch durable.
    public func syncFolders() throws(SystemError) {
        try FileSystem.syncDirectory(path + "/cur")
        try FileSystem.syncDirectory(path + "/new")
    }

    /// Delivers a message the maildir way: written and synced in `tmp/`, then renamed into `new/`.
    /// Returns the new file's path.
    ///
    /// With a `name` of the caller's (the outbox id), a file of that name left in `tmp/` can only be an earlier
    /// attempt that died between writing and renaming (SIGKILL, power loss): it is replaced, or every later
    /// attempt would fail with EEXIST and the mail would never go out.
    @discardableResult
    public func deliver(_ bytes: some Collection<UInt8>, name: String? = nil) throws(SystemError) -> String {
        let unique = name ?? Self.uniqueName()
        let tmp = path + "/tmp/" + unique
        if name != nil { try FileSystem.remove(tmp) }
        try FileSystem.writeNew(tmp, bytes)
        let target = path + "/new/" + unique
        try FileSystem.rename(tmp, to: target)
        try FileSystem.syncDirectory(path + "/new")
        return target
    }

    /// A unique maildir name: `SECONDS.M<usec>P<pid>Q<n>R<random>.HOST`.
    public static func uniqueName() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let hostname = String(decoding: host.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self).replacingSlashesAndColons
        let usec = String(tv.tv_usec)
        return "\(tv.tv_sec).M\(String(repeating: "0", count: max(0, 6 - usec.count)) + usec)P\(getpid())R\(UInt32.random(in: 0...UInt32.max)).\(hostname)"
    }
}

extension String {
    var replacingSlashesAndColons: String {
        String(map { $0 == "/" ? "\\057" : $0 == ":" ? "\\072" : String($0) }.joined())
    }
}
