/// One header field as it appeared: its name, its raw (folded) value bytes, and readings of it.
public struct HeaderField: Sendable {
    /// The field name as written, without surrounding whitespace (`Subject :` gives `Subject`).
    public let name: String
    /// The raw value: the bytes after the colon up to the end of the last continuation line,
    /// folding line breaks included, the final line break excluded.
    public let rawValue: ArraySlice<UInt8>

    public init(name: String, rawValue: ArraySlice<UInt8>) {
        self.name = name
        self.rawValue = rawValue
    }

    /// The unfolded value bytes: line breaks removed (the whitespace after them kept),
    /// leading and trailing whitespace trimmed.
    public var unfoldedBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rawValue.count)
        for b in rawValue where b != 0x0D && b != 0x0A { out.append(b) }
        var start = 0, end = out.count
        while start < end, out[start] == 0x20 || out[start] == 0x09 { start += 1 }
        while end > start, out[end - 1] == 0x20 || out[end - 1] == 0x09 { end -= 1 }
        if start == 0 && end == out.count { return out }
        return Array(out[start..<end])
    }

    /// The unfolded value as text. UTF-8 (RFC 6532) is read as such; other 8-bit bytes are read in
    /// `fallbackCharset` (a guess, usually the body's charset) or else windows-1252, with a defect.
    /// Encoded words are *not* decoded here: structured readers decode them where they belong.
    public func text(fallbackCharset: String? = nil) -> DecodedText {
        let bytes = unfoldedBytes
        if bytes.isASCII { return DecodedText(text: String(decoding: bytes, as: UTF8.self)) }
        if let s = String(validating: bytes, as: UTF8.self) { return DecodedText(text: s) }
        let label = fallbackCharset ?? "windows-1252"
        var decoded = Charset.decode(bytes, label: label)
        decoded.defects = [
            MailDefect(.charset, "raw 8-bit bytes in header \(name) that are not UTF-8; read as \(label)")
        ]
        return decoded
    }

    /// The unfolded value as text, read as `text(fallbackCharset: nil)` without its defects.
    public var value: String { text().text }
}

/// The header fields of a message or part, in order, with case-insensitive lookup.
public struct HeaderFields: Sendable, RandomAccessCollection {
    public private(set) var fields: [HeaderField]

    public init(_ fields: [HeaderField] = []) { self.fields = fields }

    public var startIndex: Int { fields.startIndex }
    public var endIndex: Int { fields.endIndex }
    public subscript(position: Int) -> HeaderField { fields[position] }

    /// The first field with this name (any case).
    public subscript(name: String) -> HeaderField? {
        fields.first { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// Every field with this name (any case), in order.
    public func all(_ name: String) -> [HeaderField] {
        fields.filter { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// Whether a field with this name exists.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    mutating func append(_ field: HeaderField) { fields.append(field) }
}
