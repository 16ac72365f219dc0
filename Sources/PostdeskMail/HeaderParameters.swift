// OWNER: helper "codecs". Stub signatures; keep them.

/// A header value with parameters, such as Content-Type or Content-Disposition:
/// `text/plain; charset="utf-8"; name*0*=utf-8''%C5%81...`.
public struct ParameterizedValue: Sendable, Hashable {
    /// The leading value (`text/plain`, `attachment`), trimmed, comments removed, case kept.
    public var value: String
    /// Parameters in order of appearance, names lower-cased, values fully decoded
    /// (RFC 2231 continuations and charsets, RFC 2047 words where they appear anyway, quotes removed).
    public var parameters: [(name: String, value: String)]
    public var defects: [MailDefect]

    public init(value: String, parameters: [(name: String, value: String)] = [], defects: [MailDefect] = []) {
        self.value = value
        self.parameters = parameters
        self.defects = defects
    }

    /// The first parameter with this (case-insensitive) name.
    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return parameters.first(where: { $0.name == lower })?.value
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.value == b.value && a.defects == b.defects
            && a.parameters.map(\.name) == b.parameters.map(\.name)
            && a.parameters.map(\.value) == b.parameters.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
        for p in parameters { hasher.combine(p.name); hasher.combine(p.value) }
    }

    /// Parses `Content-Type`/`Content-Disposition`-style values.
    public static func parse(_ text: String) -> ParameterizedValue {
        ParameterizedValue(value: text)
    }
}
