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

    /// When a file or folder was last changed, to the nanosecond (a folder's changes with every entry added,
    /// removed or renamed), or nil when it cannot be read.
    public static func modificationStamp(of path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_mtim.tv_nsec)
    }

    /// When a file was last written (seconds since the epoch), or nil when it cannot be read.
    public static func modificationTime(of path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec)
    }
}

// MARK: - Verified copies (nothing is removed before its durable copy is checked)

extension FileSystem {
    /// The chunk size for streaming copies and comparisons: files larger than memory are never held whole.
    static let chunkBytes = 1 << 20

    /// Whether `a` and `b` are one file (the same inode on the same device), e.g. a hard link.
    public static func isSameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// Whether the file at `path` holds exactly `bytes` (size first, then the bytes, read in chunks).
    /// False when it cannot be read.
    public static func contentEquals(_ path: String, _ bytes: [UInt8]) -> Bool {
        guard size(of: path) == bytes.count else { return false }
        guard let fd = try? retryingEINTR("open", path: path, { open(path, O_RDONLY | O_CLOEXEC) }) else { return false }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: min(chunkBytes, max(bytes.count, 1)))
        var offset = 0
        while true {
            guard let n = try? readChunk(fd, &buffer, path: path) else { return false }
            if n == 0 { return offset == bytes.count }
            guard offset + n <= bytes.count else { return false }
            let same = buffer.withUnsafeBytes { b in bytes.withUnsafeBytes { e in memcmp(b.baseAddress!, e.baseAddress! + offset, n) == 0 } }
            guard same else { return false }
            offset += n
        }
    }

    /// Whether two files hold the same bytes, compared in chunks (neither is held whole).
    public static func contentEquals(_ a: String, _ b: String) throws(SystemError) -> Bool {
        guard let sizeA = size(of: a), sizeA == size(of: b) else { return false }
        let fa = try retryingEINTR("open", path: a) { open(a, O_RDONLY | O_CLOEXEC) }
        defer { close(fa) }
        let fb = try retryingEINTR("open", path: b) { open(b, O_RDONLY | O_CLOEXEC) }
        defer { close(fb) }
        var ba = [UInt8](repeating: 0, count: chunkBytes), bb = [UInt8](repeating: 0, count: chunkBytes)
        while true {
            let na = try readFull(fa, &ba, path: a)
            let nb = try readFull(fb, &bb, path: b)
            if na != nb { return false }
            if na == 0 { return true }
            let same = ba.withUnsafeBytes { x in bb.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, na) == 0 } }
            if !same { return false }
        }
    }

    /// Copies `source` to the new file `target` (which must not exist) in chunks, fsyncs it, then reads both
    /// back and compares them: a verified, durable copy. The target's folder is not synced (the caller
    /// publishes the copy under its final name and syncs that folder). On any failure the target is removed.
    public static func copyVerified(_ source: String, to target: String, mode: mode_t = 0o640) throws(SystemError) {
        let input = try retryingEINTR("open", path: source) { open(source, O_RDONLY | O_CLOEXEC) }
        defer { close(input) }
        let output = try retryingEINTR("open", path: target) { open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) }
        var failure: SystemError? = nil
        var buffer = [UInt8](repeating: 0, count: chunkBytes)
        do throws(SystemError) {
            while true {
                let n = try readChunk(input, &buffer, path: source)
                if n == 0 { break }
                try writeAll(output, buffer[0..<n], path: target)
            }
            _ = try retryingEINTR("fsync", path: target) { fsync(output) }
        } catch {
            failure = error
        }
        close(output)
        if failure == nil {
            do throws(SystemError) {
                if try !contentEquals(source, target) { failure = SystemError("verify copy", path: target, errno: EIO) }
            } catch { failure = error }
        }
        if let failure {
            unlink(target)
            throw failure
        }
    }

    /// Gives the finished file `tmp` its final name `path` without ever replacing a file already there (a hard
    /// link, then the tmp name goes). Returns false, leaving `tmp` in place, when `path` is taken. Both must be
    /// on one filesystem. The folder is not synced.
    public static func publish(_ tmp: String, as path: String) throws(SystemError) -> Bool {
        if Glibc.link(tmp, path) != 0 {
            let e = errno
            if e == EEXIST { return false }
            throw SystemError("link", path: path, errno: e)
        }
        try remove(tmp)
        return true
    }

    /// Writes `bytes` to `path`, which must not exist yet, durably: a tmp file in the same folder, fsync,
    /// `publish` (never replaces), fsync of the folder. Returns false when `path` is taken (nothing written).
    public static func writeNewDurably(_ path: String, _ bytes: some Collection<UInt8>, mode: mode_t = 0o640) throws(SystemError) -> Bool {
        let dir = directoryName(path)
        let tmp = dir + "/.tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try writeNew(tmp, bytes, mode: mode)
        guard try publish(tmp, as: path) else {
            try remove(tmp)
            return false
        }
        try syncDirectory(dir)
        return true
    }

    /// Moves `source` to `target` (which must not exist), durably, also across filesystems: a rename when
    /// both are on one filesystem; otherwise (EXDEV) a verified copy to a tmp name in `target`'s folder (or
    /// `tmpFolder`), fsync, publish, fsync of the folder, and only then the source is unlinked and its folder
    /// synced. Returns false, changing nothing, when `target` is taken.
    public static func moveDurably(_ source: String, to target: String, tmpFolder: String? = nil, mode: mode_t = 0o640) throws(SystemError) -> Bool {
        if kind(of: target) != nil { return false }
        let targetFolder = directoryName(target)
        if Glibc.rename(source, target) == 0 {
            try syncDirectory(targetFolder)
            try syncDirectory(directoryName(source))
            return true
        }
        let e = errno
        guard e == EXDEV else { throw SystemError("rename", path: source, errno: e) }
        let tmp = (tmpFolder ?? targetFolder) + "/.copy-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try copyVerified(source, to: tmp, mode: mode)
        let published: Bool
        do throws(SystemError) {
            if tmpFolder != nil && tmpFolder != targetFolder {
                // tmp/ and new/ of one maildir share a filesystem: a rename, after the no-replace check above.
                try rename(tmp, to: target)
                published = true
            } else {
                published = try publish(tmp, as: target)
            }
        } catch {
            unlink(tmp)
            throw error
        }
        guard published else {
            unlink(tmp)
            return false
        }
        try syncDirectory(targetFolder)
        if let tmpFolder, tmpFolder != targetFolder { try syncDirectory(tmpFolder) }
        try remove(source)
        try syncDirectory(directoryName(source))
        return true
    }

    /// One read(2) into `buffer`, retried on EINTR; the byte count (0 at the end).
    static func readChunk(_ fd: Int32, _ buffer: inout [UInt8], path: String) throws(SystemError) -> Int {
        try readInto(fd, &buffer, at: 0, path: path)
    }

    /// Fills `buffer` as far as the file allows (short reads joined); the byte count, less than the buffer
    /// only at the end of the file.
    static func readFull(_ fd: Int32, _ buffer: inout [UInt8], path: String) throws(SystemError) -> Int {
        var total = 0
        while total < buffer.count {
            let n = try readInto(fd, &buffer, at: total, path: path)
            if n == 0 { break }
            total += n
        }
        return total
    }

    /// read(2) into `buffer` from `offset` on, retried on EINTR.
    private static func readInto(_ fd: Int32, _ buffer: inout [UInt8], at offset: Int, path: String) throws(SystemError) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + offset, raw.count - offset) }
            if n >= 0 { return n }
            let e = errno
            if e != EINTR { throw SystemError("read", path: path, errno: e) }
        }
    }

    /// write(2) until every byte is written, retried on EINTR.
    static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>, path: String) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let o = offset
            let n = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress! + o, raw.count - o) }
            if n >= 0 {
                offset += n
                continue
            }
            let e = errno
            if e != EINTR { throw SystemError("write", path: path, errno: e) }
        }
    }
}
