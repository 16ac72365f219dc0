#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which call, on what, and errno, with strerror's text.
public struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    public var call: String
    public var path: String?
    public var errno: Int32

    public init(_ call: String, path: String? = nil, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    public var message: String { String(cString: strerror(errno)) }

    public var description: String {
        if let path { return "\(call) \(path): \(message)" }
        return "\(call): \(message)"
    }
}

/// Runs a system call until it does not fail with EINTR; a -1 result becomes a `SystemError`.
@inline(__always)
func retryingEINTR<T: BinaryInteger>(_ call: String, path: String? = nil, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let r = body()
        if r >= 0 { return r }
        let e = errno
        if e == EINTR { continue }
        throw SystemError(call, path: path, errno: e)
    }
}
