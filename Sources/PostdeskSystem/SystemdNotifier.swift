internal import CSystemShim

#if canImport(Glibc)
import Glibc
#endif

/// The systemd notify protocol (sd_notify(3)) spoken directly: datagrams of `KEY=VALUE` lines sent to the
/// AF_UNIX socket named by `$NOTIFY_SOCKET` (a path, or `@name` for the abstract namespace). No libsystemd.
/// Without `$NOTIFY_SOCKET` (not started by systemd) every call does nothing.
public final class SystemdNotifier: @unchecked Sendable {
    private let fd: Int32
    private var address = sockaddr_un()
    private let addressLength: socklen_t
    /// Half of `$WATCHDOG_USEC` (when `$WATCHDOG_PID` is unset or ours): how often to send `WATCHDOG=1`.
    public let watchdogInterval: Double?

    public init?(environment: [String: String]) {
        var interval: Double? = nil
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true {
            interval = Double(usec) / 2_000_000
        }
        watchdogInterval = interval
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.hasPrefix("/") || path.hasPrefix("@") else { return nil }
        var bytes = Array(path.utf8)
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return nil }
        let s = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { return nil }
        fd = s
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        addressLength = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes[0] == 0 ? 0 : 1))
    }

    deinit { close(fd) }

    /// Sends one datagram without ever blocking (a listener that stops reading must not stop the daemon); false
    /// when systemd could not be told.
    @discardableResult
    public func send(_ fields: [String]) -> Bool {
        let text = fields.joined(separator: "\n")
        var a = address
        let n = text.utf8CString.withUnsafeBufferPointer { buffer in
            withUnsafePointer(to: &a) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count - 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), $0, addressLength)
                }
            }
        }
        return n >= 0
    }

    public func ready(status: String) { send(["READY=1", "STATUS=" + Self.oneLine(status)]) }
    public func status(_ status: String) { send(["STATUS=" + Self.oneLine(status)]) }
    public func reloading() { send(["RELOADING=1", "MONOTONIC_USEC=\(pd_monotonic_usec())"]) }
    public func stopping() { send(["STOPPING=1"]) }
    public func watchdog() { send(["WATCHDOG=1"]) }

    static func oneLine(_ s: String) -> String {
        String(s.map { $0 == "\n" || $0 == "\r" ? " " : $0 }.prefix(400))
    }
}
