import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The receiving end of the systemd notify protocol, as systemd has it: an AF_UNIX datagram socket whose path
/// goes to the daemon in $NOTIFY_SOCKET. Collects every datagram, each a list of KEY=VALUE lines.
public final class NotifySocket: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    public private(set) var messages: [[String]] = []

    public init(path: String) throws {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ChildProcess.Failure.spawn("socket", errno) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        precondition(bytes.count < MemoryLayout.size(ofValue: addr.sun_path), "socket path too long: \(path)")
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw ChildProcess.Failure.spawn("bind \(path)", errno) }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Reads datagrams until one satisfies `until` (true) or `seconds` pass (false). Everything read is kept.
    @discardableResult
    public func wait(seconds: Double, until: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&p, 1, min(ms, 200)) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 8192)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { continue }
            let lines = String(decoding: buffer[0..<n], as: UTF8.self).split(separator: "\n").map(String.init)
            messages.append(lines)
            if until(lines) { return true }
        }
        return false
    }

    /// Every line received so far, in order.
    public var lines: [String] { messages.flatMap { $0 } }
}
