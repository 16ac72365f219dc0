/// A MIME content type (`type/subtype; parameters`), lower-cased and validated.
public struct ContentType: Sendable, Hashable {
    /// `text`, `multipart`, `image`, ... (lower case).
    public var type: String
    /// `plain`, `mixed`, `png`, ... (lower case).
    public var subtype: String
    /// The header's parameters (charset, boundary, name, ...), fully decoded.
    public var parameters: ParameterizedValue

    public init(type: String, subtype: String, parameters: ParameterizedValue? = nil) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters ?? ParameterizedValue(value: "\(type)/\(subtype)")
    }

    /// `type/subtype`.
    public var mimeType: String { "\(type)/\(subtype)" }
    public var charset: String? { parameters["charset"] }
    public var boundary: String? { parameters["boundary"] }
    public var isMultipart: Bool { type == "multipart" }
    public var isText: Bool { type == "text" }
    /// An embedded message that is parsed as one (message/rfc822, message/global, message/news).
    public var isEmbeddedMessage: Bool {
        type == "message" && (subtype == "rfc822" || subtype == "global" || subtype == "news")
    }

    public static let textPlain = ContentType(type: "text", subtype: "plain")
    public static let messageRFC822 = ContentType(type: "message", subtype: "rfc822")

    /// Reads a Content-Type header value. A missing or unreadable value gives `defaultType`
    /// (with a defect when it was present but unreadable).
    static func read(_ header: String?, default defaultType: ContentType) -> (ContentType, [MailDefect]) {
        guard let header, !header.trimmingMailWhitespace.isEmpty else { return (defaultType, []) }
        let parsed = ParameterizedValue.parse(header)
        var defects = parsed.defects
        let value = parsed.value.trimmingMailWhitespace.asciiLowercased
        let pieces = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        if pieces.count == 2 {
            let type = pieces[0].trimmingMailWhitespace, subtype = pieces[1].trimmingMailWhitespace
            if isToken(type), isToken(subtype) {
                return (ContentType(type: type, subtype: subtype, parameters: parsed), defects)
            }
        } else if value == "text" {
            defects.append(MailDefect(.headerSyntax, "Content-Type \"text\" has no subtype; read as text/plain"))
            return (ContentType(type: "text", subtype: "plain", parameters: parsed), defects)
        }
        defects.append(MailDefect(.headerSyntax, "unreadable Content-Type \"\(value)\"; read as \(defaultType.mimeType)"))
        var fallback = defaultType
        fallback.parameters = ParameterizedValue(
            value: defaultType.mimeType, parameters: parsed.parameters, defects: parsed.defects)
        return (fallback, defects)
    }

    private static func isToken(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x2F && $0 != 0x3B && $0 != 0x22 }
    }
}
