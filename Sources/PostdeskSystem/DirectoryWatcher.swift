#if canImport(Glibc)
import Glibc
#endif

/// Wakes up when files arrive in watched folders (inotify: a rename into the folder, or a file closed after
/// writing). Used on each maildir's `new/`, so delivered mail is seen in milliseconds without polling.
public final class DirectoryWatcher: @unchecked Sendable {
    private let fd: Int32
    /// For polling together with other descriptors; call `drain()` when it is readable.
    public var fileDescriptor: Int32 { fd }

    public init(_ folders: [String]) throws(SystemError) {
        fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        if fd < 0 { throw SystemError("inotify_init1", errno: errno) }
        for folder in folders {
            if inotify_add_watch(fd, folder, UInt32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE)) < 0 {
                let e = errno
                close(fd)
                throw SystemError("inotify_add_watch", path: folder, errno: e)
            }
        }
    }

    deinit { close(fd) }

    /// Consumes every pending event; true if there were any.
    @discardableResult
    public func drain() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var got = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            got = true
        }
        return got
    }

    /// Waits up to `timeoutMilliseconds` for events; returns true when some arrived (all pending events are
    /// consumed). Returns false on timeout or when a signal interrupted the wait.
    public func wait(timeoutMilliseconds: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let r = poll(&p, 1, timeoutMilliseconds)
        guard r > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var got = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            got = true
        }
        return got
    }
}
