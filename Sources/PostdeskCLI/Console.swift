#if canImport(Glibc)
import Glibc
#endif

/// Where a command writes: the process's stdout/stderr, or buffers in tests.
public final class Console: @unchecked Sendable {
    private let writeOut: (String) -> Void
    private let writeErr: (String) -> Void

    public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
        writeOut = out
        writeErr = err
    }

    /// The real standard output and error, written with write(2) (retrying short writes and EINTR).
    public static func standard() -> Console {
        Console(out: { Console.writeAll(1, $0) }, err: { Console.writeAll(2, $0) })
    }

    public func print(_ s: String) { writeOut(s + "\n") }
    public func write(_ s: String) { writeOut(s) }
    public func error(_ s: String) { writeErr(s + "\n") }

    static func writeAll(_ fd: Int32, _ s: String) {
        var bytes = Array(s.utf8)
        var offset = 0
        bytes.withUnsafeMutableBytes { raw in
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}
