#if canImport(Glibc)
import Glibc
#endif

/// The listening socket handed to libmicrohttpd (MHD_OPTION_LISTEN_SOCKET): made here for TCP and Unix
/// addresses, taken as it is from systemd.
struct Listener {
    var fd: Int32
    var port: Int?
    var isUnix: Bool
    /// For a Unix socket made here: the socket file's device and inode, so that stopping removes this file
    /// only, never one a newer server has put at the same path.
    var socketFile: (device: UInt64, inode: UInt64)?

    static func open(_ listen: HTTPServerOptions.Listen) throws(HTTPServerError) -> Listener {
        switch listen {
        case .tcp(let host, let port): return try tcp(host: host, port: port)
        case .unix(let path): return try unix(path: path)
        case .socket(let fd): return try inherited(fd)
        }
    }

    /// Removes the Unix socket file at `path` if it is still the one this listener made.
    func removeSocketFile(_ path: String) {
        guard let socketFile else { return }
        var info = stat()
        if lstat(path, &info) == 0, UInt64(info.st_dev) == socketFile.device, UInt64(info.st_ino) == socketFile.inode { unlink(path) }
    }

    private static func failure(_ what: String) -> HTTPServerError {
        HTTPServerError("\(what): \(String(cString: strerror(errno)))")
    }

    /// Binds `host` (an IPv4 or IPv6 address, `[::1]`, or `localhost`) with SO_REUSEADDR; port 0 picks one.
    static func tcp(host: String, port: Int) throws(HTTPServerError) -> Listener {
        guard (0...65535).contains(port) else { throw HTTPServerError("port \(port) is out of range") }
        let name = host == "localhost" ? "127.0.0.1" : host
        guard let bytes = IPAddress.parse(name) else { throw HTTPServerError("\(host) is not an IP address") }
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var result: Int32
        if family == AF_INET {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = UInt16(port).bigEndian
            withUnsafeMutableBytes(of: &a.sin_addr) { $0.copyBytes(from: bytes) }
            result = withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = UInt16(port).bigEndian
            withUnsafeMutableBytes(of: &a.sin6_addr) { $0.copyBytes(from: bytes) }
            result = withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        guard result == 0 else {
            let error = failure("cannot bind \(host) port \(port)")
            close(fd)
            throw error
        }
        guard Glibc.listen(fd, SOMAXCONN) == 0 else {
            let error = failure("listen")
            close(fd)
            throw error
        }
        return Listener(fd: fd, port: boundPort(fd), isUnix: false)
    }

    /// A Unix socket at `path`, mode 0660; a stale socket there is removed first (anything else is an error).
    static func unix(path: String) throws(HTTPServerError) -> Listener {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw HTTPServerError("the socket path \(path) is empty or too long")
        }
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw HTTPServerError("\(path) exists and is not a socket") }
            unlink(path)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw failure("socket") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        // Nobody can connect before listen(), so the mode is set in between.
        guard bound == 0, chmod(path, 0o660) == 0, Glibc.listen(fd, SOMAXCONN) == 0 else {
            let error = failure("cannot listen on \(path)")
            close(fd)
            unlink(path)
            throw error
        }
        var made = stat()
        let identity = lstat(path, &made) == 0 ? (UInt64(made.st_dev), UInt64(made.st_ino)) : nil
        return Listener(fd: fd, port: nil, isUnix: true, socketFile: identity)
    }

    /// A socket already listening (systemd socket activation); made non-blocking for the thread pool.
    static func inherited(_ fd: Int32) throws(HTTPServerError) -> Listener {
        var listening: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening == 1 else {
            throw HTTPServerError("file descriptor \(fd) is not a listening socket")
        }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var storage = sockaddr_storage()
        var size = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let family = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) == 0 ? Int32($0.pointee.sa_family) : -1 }
        }
        return Listener(fd: fd, port: family == AF_UNIX ? nil : boundPort(fd), isUnix: family == AF_UNIX)
    }

    private static func boundPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var size = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) { pointer -> Int? in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa -> Int? in
                guard getsockname(fd, sa, &size) == 0 else { return nil }
                switch Int32(sa.pointee.sa_family) {
                case AF_INET: return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
                case AF_INET6: return sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
                default: return nil
                }
            }
        }
    }
}
