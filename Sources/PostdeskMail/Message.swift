/// A parsed message: its MIME tree and what was malformed in it.
///
/// `Message.parse` never fails and never throws: broken mail yields what could be read, and the
/// repairs are listed in `defects`. It does no I/O.
public struct Message: Sendable {
    /// The top-level entity; its headers are the message's headers.
    public var root: MIMEPart
    /// Every defect found while parsing, embedded messages included (each says where).
    public var defects: [MailDefect]
    /// The limits it was parsed with (`MessageSummary` keeps its text within `maxTextBytes`).
    public var limits: ParseLimits = .default

    public init(root: MIMEPart, defects: [MailDefect]) {
        self.root = root
        self.defects = defects
    }

    public var headers: HeaderFields { root.headers }

    /// Parses raw message bytes (any of CRLF, LF or CR line endings).
    public static func parse(_ bytes: [UInt8], limits: ParseLimits = .default) -> Message {
        MessageParser.parse(bytes, limits: limits)
    }

    /// Parses raw message bytes.
    public static func parse(_ bytes: some Collection<UInt8>, limits: ParseLimits = .default) -> Message {
        MessageParser.parse(Array(bytes), limits: limits)
    }
}
