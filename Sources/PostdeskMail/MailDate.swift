// OWNER: helper "fields". Stub signatures; keep them.

/// A point in time as a mail header gave it: an instant plus the sender's UTC offset.
public struct MailDate: Sendable, Hashable, Comparable {
    public var secondsSinceEpoch: Int64
    public var utcOffsetSeconds: Int

    public init(secondsSinceEpoch: Int64, utcOffsetSeconds: Int) {
        self.secondsSinceEpoch = secondsSinceEpoch
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// `2026-11-22T10:15:00+01:00` (in the sender's offset; `Z` is never used, `+00:00` is).
    public var iso8601: String { "" }

    public static func < (a: Self, b: Self) -> Bool { a.secondsSinceEpoch < b.secondsSinceEpoch }
}

/// RFC 5322 dates and the common broken forms.
public enum DateParser {
    public static func parse(_ text: String) -> (date: MailDate?, defects: [MailDefect]) {
        (nil, [])
    }
}
