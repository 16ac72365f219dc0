#if canImport(Glibc)
import Glibc
#endif
import PostdeskMail

/// Where time comes from: the system clock in production, a manual clock in tests.
public protocol Clock: Sendable {
    /// Seconds since the epoch.
    func now() -> Int64
}

public struct SystemClock: Clock {
    public init() {}
    public func now() -> Int64 { Int64(time(nil)) }
}

extension Int64 {
    /// `2026-11-22T09:15:00+00:00`.
    public var iso8601: String { MailDate(secondsSinceEpoch: self, utcOffsetSeconds: 0).iso8601 }
}
