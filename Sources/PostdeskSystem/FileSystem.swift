#if canImport(Glibc)
import Glibc
#endif

/// The few file operations Postdesk needs, each a thin, typed wrapper over one system call family.
public enum FileSystem {
    public enum Kind: Sendable { case file, directory, other }

    /// What kind of thing is at `path` (following symbolic links), or nil if nothing is there.
    public static func kind(of path: String) -> Kind? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Reads a whole file.
    public static func readFile(_ path: String, maxBytes: Int = Int.max) throws(SystemError) -> [UInt8] {
        let fd = try retryingEINTR("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        var st = stat()
        _ = try retryingEINTR("fstat", path: path) { fstat(fd, &st) }
        if st.st_mode & S_IFMT == S_IFDIR { throw SystemError("read", path: path, errno: EISDIR) }
        var capacity = max(Int(st.st_size), 0)
        if capacity == 0 { capacity = 64 << 10 }
        var bytes = [UInt8](repeating: 0, count: min(capacity, maxBytes))
        var count = 0
        while count < maxBytes {
            if count == bytes.count {
                bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, maxBytes - bytes.count)))
            }
            let offset = count
            let n = bytes.withUnsafeMutableBytes { raw -> Int in
                while true {
                    let r = read(fd, raw.baseAddress! + offset, raw.count - offset)
                    if r >= 0 || errno != EINTR { return r }
                }
            }
            if n < 0 { throw SystemError("read", path: path, errno: errno) }
            if n == 0 { break }
            count += n
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    /// The names in a directory (without `.` and `..`), sorted.
    public static func list(_ path: String) throws(SystemError) -> [String] {
        guard let dir = opendir(path) else { throw SystemError("opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Joins path components with a single slash.
    public static func join(_ a: String, _ b: String) -> String {
        a.hasSuffix("/") ? a + b : a + "/" + b
    }
}

extension FileSystem {
    /// Creates a folder and its parents (mode applies to the ones created).
    public static func makeDirectories(_ path: String, mode: mode_t = 0o750) throws(SystemError) {
        if kind(of: path) == .directory { return }
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        var current = path.hasPrefix("/") ? "" : "."
        if path.hasPrefix("/") { parts.removeFirst() }
        for p in parts where !p.isEmpty {
            current += "/" + p
            if kind(of: current) == .directory { continue }
            if mkdir(current, mode) != 0 && errno != EEXIST { throw SystemError("mkdir", path: current, errno: errno) }
        }
    }

    /// Flushes a folder's entries (renames, new files) to disk.
    public static func syncDirectory(_ path: String) throws(SystemError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw SystemError("open", path: path, errno: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw SystemError("fsync", path: path, errno: errno) }
    }

    /// Writes `bytes` to `path` atomically and durably: a temporary file in the same folder, fsync, rename,
    /// fsync of the folder. Readers see the old file or the whole new one, never a part.
    public static func writeAtomically(_ path: String, _ bytes: some Collection<UInt8>, mode: mode_t = 0o640) throws(SystemError) {
        let dir = directoryName(path)
        let tmp = dir + "/.tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try writeNew(tmp, bytes, mode: mode)
        if Glibc.rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw SystemError("rename", path: path, errno: e)
        }
        try syncDirectory(dir)
    }

    /// Creates a new file (failing if it exists), writes all of `bytes`, fsyncs it.
    public static func writeNew(_ path: String, _ bytes: some Collection<UInt8>, mode: mode_t = 0o640) throws(SystemError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd < 0 { throw SystemError("open", path: path, errno: errno) }
        var failure: SystemError? = nil
        let array = Array(bytes)
        array.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = SystemError("write", path: path, errno: errno)
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = SystemError("fsync", path: path, errno: errno) }
        close(fd)
        if let failure {
            unlink(path)
            throw failure
        }
    }

    public static func rename(_ from: String, to: String) throws(SystemError) {
        if Glibc.rename(from, to) != 0 { throw SystemError("rename", path: from, errno: errno) }
    }

    public static func remove(_ path: String) throws(SystemError) {
        if unlink(path) != 0 && errno != ENOENT { throw SystemError("unlink", path: path, errno: errno) }
    }

    public static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

extension FileSystem {
    /// Writes `bytes` to `path` through a temporary file and a rename, without waiting for the disk: call
    /// `syncFiles` on the paths before relying on them (group commit).
    public static func writeReplacing(_ path: String, _ bytes: some Collection<UInt8>, mode: mode_t = 0o640) throws(SystemError) {
        let tmp = directoryName(path) + "/.tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        if fd < 0 { throw SystemError("open", path: tmp, errno: errno) }
        var failure: SystemError? = nil
        Array(bytes).withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = SystemError("write", path: tmp, errno: errno)
                    return
                }
                offset += n
            }
        }
        close(fd)
        if let failure { unlink(tmp); throw failure }
        if Glibc.rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw SystemError("rename", path: path, errno: e)
        }
    }

    /// Makes files and the folders holding them durable: fsync of each file, then of each distinct folder.
    public static func syncFiles(_ paths: [String]) throws(SystemError) {
        var folders: Set<String> = []
        for p in paths {
            let fd = open(p, O_RDONLY | O_CLOEXEC)
            if fd < 0 { throw SystemError("open", path: p, errno: errno) }
            let r = fsync(fd)
            let e = errno
            close(fd)
            if r != 0 { throw SystemError("fsync", path: p, errno: e) }
            folders.insert(directoryName(p))
        }
        for f in folders.sorted() { try syncDirectory(f) }
    }
}

extension FileSystem {
    /// Makes `path` a second name of `existing` (a hard link: no data copied). Returns false when the two are
    /// on different filesystems (EXDEV) or links are not allowed, so the caller can copy instead.
    public static func link(_ existing: String, as path: String) throws(SystemError) -> Bool {
        if Glibc.link(existing, path) == 0 { return true }
        let e = errno
        if e == EEXIST { return true }
        if e == EXDEV || e == EPERM || e == EMLINK || e == ENOTSUP { return false }
        throw SystemError("link", path: path, errno: e)
    }
}

extension FileSystem {
    /// The size of a file in bytes, or nil when it cannot be read.
    public static func size(of path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    /// When a file was last written (seconds since the epoch), or nil when it cannot be read.
    public static func modificationTime(of path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec)
    }
}
