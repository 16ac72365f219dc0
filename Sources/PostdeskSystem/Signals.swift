internal import CSystemShim

#if canImport(Glibc)
import Glibc
#endif

/// Signals as file-descriptor events (signalfd): the daemon's loop polls them with its other descriptors, so
/// a signal is handled in the loop, between two pieces of work, never inside one.
///
/// Create it first thing, before any thread starts: the signals are blocked in the creating thread, and threads
/// started later inherit that mask, so no other thread can be killed by them.
public final class SignalSource: @unchecked Sendable {
    public let fileDescriptor: Int32

    public init(_ signals: [Int32]) throws(SystemError) {
        let list = signals + [0]
        let fd = list.withUnsafeBufferPointer { pd_signalfd_open($0.baseAddress!) }
        if fd < 0 { throw SystemError("signalfd", errno: errno) }
        fileDescriptor = fd
    }

    deinit { close(fileDescriptor) }

    /// Every signal pending now, in the order they came (empty if none).
    public func pending() -> [Int32] {
        var out: [Int32] = []
        while true {
            let s = pd_signalfd_next(fileDescriptor)
            if s <= 0 { break }
            out.append(s)
        }
        return out
    }
}

/// The monotonic clock (never jumps with the wall clock).
public enum MonotonicClock {
    public static var microseconds: UInt64 { UInt64(pd_monotonic_usec()) }
    public static var seconds: Double { Double(microseconds) / 1_000_000 }
}

/// Waits for any of several descriptors to become readable.
public enum Poller {
    /// Returns which of `fds` are readable; all false on timeout or when a signal interrupted the wait.
    /// A negative timeout waits for ever.
    public static func wait(_ fds: [Int32], timeoutMilliseconds: Int32) -> [Bool] {
        var p = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let r = poll(&p, nfds_t(p.count), timeoutMilliseconds)
        guard r > 0 else { return Array(repeating: false, count: fds.count) }
        return p.map { $0.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 }
    }
}
