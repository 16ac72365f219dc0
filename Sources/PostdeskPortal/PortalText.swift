import PostdeskCore

/// The portal's words in every language Postdesk writes (`Configuration.languages`). Each part of the portal
/// keeps its own table (`PortalText.common`, `.signIn`, `.tickets`, `.errors`): key → language → text. A text
/// may hold `{name}` placeholders, filled by `Strings.callAsFunction(_:_:)`. A key missing in a language falls
/// back to English (and a test requires every key in every language).
public enum PortalText {
    /// Every table, merged.
    public static let all: [String: [String: String]] = {
        var merged: [String: [String: String]] = [:]
        for table in [common, signIn, tickets, errors] {
            merged.merge(table) { a, _ in a }
        }
        return merged
    }()
}

/// The words of one language.
public struct Strings: Sendable {
    public let language: String

    public init(_ language: String) {
        self.language = Configuration.languages.contains(language) ? language : "en"
    }

    /// The text for `key` (HTML not escaped: escape it where it goes into a page), placeholders filled.
    public func callAsFunction(_ key: String, _ values: [String: String] = [:]) -> String {
        let forms = PortalText.all[key]
        var text = forms?[language] ?? forms?["en"] ?? key
        guard !values.isEmpty, text.utf8.contains(UInt8(ascii: "{")) else { return text }
        for (k, v) in values { text = text.replacing("{\(k)}", with: v) }
        return text
    }
}
