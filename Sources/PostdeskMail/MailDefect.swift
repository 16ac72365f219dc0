/// Something malformed in a message, and how it was read anyway.
///
/// The parser never throws: what it could not read cleanly it reads leniently and records here,
/// so an operator (and `postdesk inspect`) can see why a message looks the way it does.
public struct MailDefect: Sendable, Hashable, CustomStringConvertible {
    /// The family a defect belongs to. Open-ended: each parsing concern declares its own kinds
    /// in an extension next to the code that reports them.
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
    }

    public var kind: Kind
    /// A sentence for a person: what was wrong and what the parser did about it.
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { detail }
}

extension MailDefect.Kind {
    public static let headerSyntax = Self("header-syntax")
    public static let structure = Self("structure")
    public static let limit = Self("limit")
    public static let charset = Self("charset")
    public static let encodedWord = Self("encoded-word")
    public static let parameter = Self("parameter")
    public static let transferEncoding = Self("transfer-encoding")
    public static let address = Self("address")
    public static let date = Self("date")
    public static let messageID = Self("message-id")
}

/// Text decoded from bytes, with what went wrong on the way.
public struct DecodedText: Sendable, Hashable {
    public var text: String
    public var defects: [MailDefect]

    public init(text: String, defects: [MailDefect] = []) {
        self.text = text
        self.defects = defects
    }
}
