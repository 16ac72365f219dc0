/// Bounds that keep a hostile message from exhausting memory or time.
///
/// Beyond a limit the parser stops descending or splitting, keeps what it has read, and records a
/// `.limit` defect: the message still yields a tree, never a crash.
public struct ParseLimits: Sendable, Hashable {
    /// Bytes of the message that are parsed; the rest is ignored.
    public var maxMessageBytes: Int
    /// How deep multiparts and embedded messages may nest.
    public var maxDepth: Int
    /// How many MIME parts the whole tree may hold.
    public var maxParts: Int
    /// How many header fields one header block may hold.
    public var maxHeaderFields: Int
    /// How many bytes one header block may span.
    public var maxHeaderBytes: Int
    /// How many bytes of decoded text (and of HTML) `MessageSummary` keeps for the helpdesk to read; the rest is
    /// cut with a note (the message itself is kept whole by whoever stored it).
    public var maxTextBytes: Int

    public init(
        maxMessageBytes: Int = 64 << 20, maxDepth: Int = 32, maxParts: Int = 2_000,
        maxHeaderFields: Int = 2_000, maxHeaderBytes: Int = 2 << 20, maxTextBytes: Int = 1 << 20
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.maxDepth = maxDepth
        self.maxParts = maxParts
        self.maxHeaderFields = maxHeaderFields
        self.maxHeaderBytes = maxHeaderBytes
        self.maxTextBytes = maxTextBytes
    }

    /// The defaults: generous for real mail, tight enough for hostile mail.
    public static let `default` = ParseLimits()
}
