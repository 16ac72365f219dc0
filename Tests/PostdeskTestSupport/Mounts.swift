import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A filesystem mounted for one test (a small tmpfs, or a bind mount of a folder), unmounted by `unmount()`
/// or when the value goes. Needs root (or CAP_SYS_ADMIN); `init` throws `MountError.notPermitted` otherwise,
/// so a test can skip with the reason instead of failing.
public final class TestMount: @unchecked Sendable {
    public let path: String
    private var mounted = true

    public enum MountError: Error, CustomStringConvertible {
        case notPermitted(String)
        case failed(String)
        public var description: String {
            switch self {
            case .notPermitted(let why): return "cannot mount here (\(why)): this test needs root"
            case .failed(let why): return why
            }
        }
    }

    private init(path: String) { self.path = path }

    /// Whether this process may mount (tried once with a small tmpfs): root with CAP_SYS_ADMIN, outside a
    /// container that forbids it. Tests that mount are enabled only then, and say why when they are not.
    public static let isPermitted: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = NSTemporaryDirectory() + "pd-mount-probe-" + UUID().uuidString
        guard let m = try? tmpfs(at: probe, size: "64k") else {
            rmdir(probe)
            return false
        }
        m.unmount()
        rmdir(probe)
        return true
    }()

    /// A tmpfs of `size` (mount's syntax: `2m`) at `path` (created if missing).
    public static func tmpfs(at path: String, size: String) throws -> TestMount {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try run(["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path])
        return TestMount(path: path)
    }

    /// `source` seen a second time at `path` (created if missing), writable until `setReadOnly(true)`.
    public static func bind(_ source: String, at path: String) throws -> TestMount {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try run(["--bind", source, path])
        return TestMount(path: path)
    }

    /// Makes a bind mount read-only, or writable again (the same mount: open descriptors and inotify watches
    /// on it stay valid).
    public func setReadOnly(_ readOnly: Bool) throws {
        try Self.run(["-o", "remount,bind,\(readOnly ? "ro" : "rw")", path])
    }

    public func unmount() {
        guard mounted else { return }
        mounted = false
        // Lazy: a child process that still has a file open there must not leave the mount behind.
        _ = try? runCommand("umount", ["-l", path], seconds: 30)
    }

    deinit { unmount() }

    private static func run(_ arguments: [String]) throws {
        if geteuid() != 0 { throw MountError.notPermitted("not running as root") }
        let r = try runCommand("mount", arguments, seconds: 30)
        guard r.status == 0 else {
            let why = "mount \(arguments.joined(separator: " ")): \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
            if r.stderr.contains("permission denied") || r.stderr.contains("must be superuser") || r.stderr.contains("not permitted") {
                throw MountError.notPermitted(why)
            }
            throw MountError.failed(why)
        }
    }
}

/// Fills the filesystem holding `path` by writing zeros into a new file there until the disk says ENOSPC.
/// Returns how many bytes fitted; delete the file to free the space again.
public func fillFilesystem(with path: String) throws -> Int {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw TestMount.MountError.failed("open \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let chunk = [UInt8](repeating: 0, count: 4096)
    var total = 0
    var size = chunk.count
    while true {
        let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, size) }
        if n > 0 { total += n; continue }
        if n < 0 && errno == EINTR { continue }
        if n < 0 && errno != ENOSPC { throw TestMount.MountError.failed("write \(path): \(String(cString: strerror(errno)))") }
        // Full at this size: try smaller writes, down to one byte, so nothing is left.
        if size == 1 { break }
        size /= 2
    }
    fsync(fd)
    return total
}
