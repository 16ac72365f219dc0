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
